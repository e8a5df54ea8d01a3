"""Small readers of the evaluate stage's `PackageFacts`, as the scan judges them."""

from __future__ import annotations

import os
import posixpath
from collections.abc import Iterable

from cgotrap.evaluate.model import PackageFacts
from cgotrap.judge.headers import HeaderCatalog
from cgotrap.judge.scan.model import IncludeOnTarget
from cgotrap.read import cpp
from cgotrap.read.gofile import Include


def is_local_header(
    include: Include, p: PackageFacts, headers: HeaderCatalog, *, has_include_dirs: bool
) -> bool:
    """Whether an include resolves to the package's own header rather than the libc's.

    One of the package's .h files is local however it is written (`<own.h>` works with
    `-I${SRCDIR}`). `<x.h>` is otherwise a system header. `"x.h"` is searched like the C
    compiler does: the package directory, then `-I` directories, then the system ones. A
    quoted name the libc has, or a bare name without `-I` flags, is judged as a system
    header; one with a directory part ("../common/x.h") or under `-I` flags is taken as
    local (cgotrap reads no file system while judging).
    """
    if include.header in p.h_files:
        return True
    if include.system or headers.is_libc_header(include.header):
        return False
    return has_include_dirs or "/" in include.header


def _has_include_dirs(flags: Iterable[str]) -> bool:
    return any(f.startswith(("-I", "-iquote", "-isystem", "-idirafter")) for f in flags)


def includes_on_target(
    p: PackageFacts, macros: cpp.Macros, headers: HeaderCatalog
) -> tuple[IncludeOnTarget, ...]:
    """The package's includes as they fare on the target of `macros` (one per header and
    delimiter: a header included under several conditions counts where any holds)."""
    flags = (*p.cgo_cppflags, *p.cgo_cflags)
    has_dirs = _has_include_dirs(flags)
    merged: dict[tuple[str, bool], IncludeOnTarget] = {}
    for inc in p.includes:
        active = cpp.guards_hold(inc.guards, macros)
        # In plain words ("only if HAVE_X is not defined"), never "not !defined(...)".
        unknown = cpp.describe_guards(inc.guards, macros) if active is cpp.Truth.UNKNOWN else None
        entry = IncludeOnTarget(
            header=inc.header,
            system=inc.system,
            local=is_local_header(inc, p, headers, has_include_dirs=has_dirs),
            condition=cpp.condition_text(inc.guards),
            active=active,
            unknown_guard=str(unknown) if unknown is not None else "",
        )
        key = (inc.header, inc.system)
        old = merged.get(key)
        if old is None or _RANK[entry.active] < _RANK[old.active]:
            merged[key] = entry
    return tuple(sorted(merged.values(), key=lambda e: (e.header, not e.system)))


_RANK = {cpp.Truth.TRUE: 0, cpp.Truth.UNKNOWN: 1, cpp.Truth.FALSE: 2}
"""Which of two includes of one header speaks for it: compiled for sure beats maybe."""


def ldflags_libs(flags: Iterable[str]) -> tuple[str, ...]:
    """The `-lNAME` libraries of CgoLDFLAGS ("-lsqlite3", or "-l" "sqlite3"), in order."""
    out: list[str] = []
    pending = False
    for flag in flags:
        if pending:
            out.append(flag)
            pending = False
        elif flag == "-l":
            pending = True
        elif flag.startswith("-l") and len(flag) > 2:
            out.append(flag[2:])
    return tuple(dict.fromkeys(out))


def relative_dir(facts: PackageFacts, module_root: str) -> str | None:
    """The package directory relative to `module_root` (posix), "$GOROOT/src/..." for std."""
    if facts.dir and module_root:
        root = os.path.normpath(module_root)
        here = os.path.normpath(facts.dir)
        if here == root or here.startswith(root + os.sep):
            return os.path.relpath(here, root).replace(os.sep, "/")
    if facts.standard:
        return f"$GOROOT/src/{facts.import_path}"
    return None


def rel_files(directory: str | None, names: Iterable[str]) -> tuple[str, ...]:
    if directory is None or directory == ".":
        return tuple(names)
    return tuple(posixpath.join(directory, n) for n in names)


def c_like_files(p: PackageFacts) -> tuple[str, ...]:
    return (*p.c_files, *p.cxx_files, *p.m_files, *p.f_files)
