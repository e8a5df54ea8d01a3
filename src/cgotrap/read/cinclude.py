"""The `#include` lines of a package's own C, C++, Objective-C and assembly files.

A cgo package's C code is not only its preamble: go compiles every `.c`, `.cc`, `.cpp`,
`.cxx`, `.m`, `.mm` and `.S` file of the package directory, and those include system
headers (`<gnu/libc-version.h>` in a `.c` file breaks musl, macOS and Windows builds as
surely as in a preamble). `package_includes` lists them with the `#if` branches around each,
following quoted local headers (`#include "local.h"`) inside the package, so that a header
included from a header counts with the conditions of both. The `#if` logic is
`cgotrap.read.cpp`'s, the same as for preambles.

`-D` macros from `#cgo CFLAGS`/`CPPFLAGS` decide guards per target (`target_macros`): where
the package's flags for a target set `-DUSE_EPOLL`, `defined(USE_EPOLL)` holds; where a macro
the package sets by `-D` on *some* target (a `#cgo` line under a build tag, in a file built
only for unix) is not set, and no file of the package `#define`s it, it is known undefined
rather than unknown.

Bounded: files are read up to `MAX_C_FILE_BYTES`, local headers are followed
`MAX_LOCAL_DEPTH` deep and at most `MAX_LOCAL_FILES` per package, and a header included
twice on one chain (a cycle) is not followed again. Only files inside the package directory
are read; nothing is written.
"""

from __future__ import annotations

import contextlib
import dataclasses
import itertools
import posixpath
import re
from collections.abc import Iterable, Sequence
from pathlib import Path

from cgotrap.read import cpp
from cgotrap.read.fdreader import read_noted
from cgotrap.read.gofile import extract_includes

C_SOURCE_EXTENSIONS = frozenset({".c", ".cc", ".cpp", ".cxx", ".m", ".mm", ".S", ".sx"})
"""Files go compiles with the C (C++, Objective-C) compiler or preprocesses (`.S`)."""
C_HEADER_EXTENSIONS = frozenset({".h", ".hh", ".hpp", ".hxx"})
"""Header files (compiled only when included)."""
MAX_C_FILE_BYTES = 16 << 20
"""Bytes read of one C file (an SQLite amalgamation is ~9 MB, its includes spread over it)."""
MAX_LOCAL_DEPTH = 8
"""How deep `#include "x.h"` chains are followed."""
MAX_LOCAL_FILES = 256
"""Local headers read per package."""


@dataclasses.dataclass(frozen=True, kw_only=True, slots=True)
class CInclude:
    """One `#include` reached from a compiled file of the package."""

    file: str
    """The file holding the line, relative to the package directory ("sysinfo.c",
    "include/local.h")."""
    line: int
    """Its 1-based line."""
    header: str
    """The header as written between the delimiters ("gnu/libc-version.h")."""
    system: bool
    """`<x.h>` (True) or `"x.h"` (False)."""
    local: bool
    """A quoted header found in the package directory (and followed)."""
    guards: tuple[cpp.Guard, ...]
    """The `#if` branches around the line: those around each `#include` that led here,
    outermost first, then the file's own (an include guard idiom is left out)."""
    via: tuple[str, ...] = ()
    """The chain of local includes from the compiled file: ("sysinfo.c:2", "local.h:3")
    for a line of local.h reached from line 2 of sysinfo.c; empty for a compiled file's
    own lines."""
    text: str = ""
    """The line as a person reads it: `#include <gnu/libc-version.h>`."""

    def active(self, macros: cpp.Macros) -> cpp.Truth:
        """Whether the line is compiled on the target of `macros`."""
        return cpp.guards_hold(self.guards, macros)

    def undecided(self, macros: cpp.Macros) -> str:
        """Why it may or may not be compiled, in plain words ("" when decided)."""
        return cpp.describe_guards(self.guards, macros)


def is_c_source(name: str) -> bool:
    """Whether go compiles or preprocesses a file of this name in a cgo package."""
    return posixpath.splitext(name)[1] in C_SOURCE_EXTENSIONS


_DIRECTIVE_WORD = re.compile(r"#[ \t]*(\w+)[ \t]+([A-Za-z_]\w*)")


def _skip_blank(text: str, pos: int) -> int:
    """The position after whitespace and comments from `pos` (linear: no backtracking)."""
    n = len(text)
    while pos < n:
        if text[pos].isspace():
            pos += 1
        elif text.startswith("//", pos):
            nl = text.find("\n", pos)
            pos = n if nl < 0 else nl + 1
        elif text.startswith("/*", pos):
            end = text.find("*/", pos + 2)
            pos = n if end < 0 else end + 2
        else:
            break
    return pos


def _include_guard(text: str) -> str | None:
    """X when the file opens with the include guard idiom `#ifndef X` / `#define X`."""
    pos = _skip_blank(text, 0)
    first = _DIRECTIVE_WORD.match(text, pos)
    if first is None or first.group(1) != "ifndef":
        return None
    second = _DIRECTIVE_WORD.match(text, _skip_blank(text, first.end()))
    if second is None or second.group(1) != "define" or second.group(2) != first.group(2):
        return None
    return first.group(2)


def _read(path: Path) -> str | None:
    try:
        data = read_noted(path, MAX_C_FILE_BYTES)
    except OSError:
        return None
    return data.decode("utf-8", "replace")


def _own_includes(text: str) -> list[tuple[int, str, bool, tuple[cpp.Guard, ...]]]:
    """(line, header, system, guards) of a file's own include lines, include guard dropped."""
    idiom = _include_guard(text)
    out = []
    for inc in extract_includes(text, 1):
        guards = inc.guards
        if idiom and guards and guards[0].directive == "ifndef" and guards[0].text == idiom:
            guards = guards[1:]
        out.append((inc.line, inc.header, inc.system, guards))
    return out


_DEFINE = re.compile(r"^[ \t]*#[ \t]*define[ \t]+([A-Za-z_][A-Za-z0-9_]*)", re.MULTILINE)
_MAX_FLAG_NAMES = 4096
_MAX_DIR_ENTRIES = 20_000


def flag_macro_names(flags: Iterable[str]) -> frozenset[str]:
    """Names a list of compiler flags defines with `-DNAME`, `-DNAME=V` or `-D NAME`."""
    names: set[str] = set()
    pending = False
    for flag in flags:
        value = None
        if pending:
            value, pending = flag, False
        elif flag == "-D":
            pending = True
        elif flag.startswith("-D"):
            value = flag[2:]
        if value is not None:
            name = value.partition("=")[0]
            if name.isidentifier() and len(names) < _MAX_FLAG_NAMES:
                names.add(name)
    return frozenset(names)


def defined_names(package_dir: Path, files: Iterable[str]) -> frozenset[str]:
    """Names a `#define` line of the package's C files (and the headers in the package
    directory) defines: such a macro is not "undefined" merely because no flag sets it."""
    names: set[str] = set()
    candidates = set(files)
    with contextlib.suppress(OSError):
        listing = itertools.islice(package_dir.iterdir(), _MAX_DIR_ENTRIES)
        candidates |= {p.name for p in listing if p.suffix in C_HEADER_EXTENSIONS}
    for name in sorted(candidates)[:MAX_LOCAL_FILES]:
        if is_c_source(name) or posixpath.splitext(name)[1] in C_HEADER_EXTENSIONS:
            text = _read(package_dir / name)
            if text is not None:
                names.update(m.group(1) for m in _DEFINE.finditer(text))
    return frozenset(names)


def target_macros(
    base: cpp.Macros,
    flags: Sequence[str],
    *,
    package_flag_names: Iterable[str] = (),
    defined_in_files: Iterable[str] = (),
) -> cpp.Macros:
    """The macros the package's C code sees on one target.

    `base`: the compiler's predefines for the target; `flags`: the package's CgoCPPFLAGS
    and CgoCFLAGS on this target (and CGO_CFLAGS of the environment); `package_flag_names`:
    every name the package sets with `-D` on any target (`flag_macro_names` over all its
    `#cgo` lines); `defined_in_files`: `defined_names` of the package. A name of
    `package_flag_names` that `flags` does not set and no file defines is undefined here.
    """
    macros = base.with_flags(flags)
    unset = (
        frozenset(package_flag_names)
        - frozenset(macros.defined)
        - frozenset(defined_in_files)
        - macros.undefined
    )
    if not unset:
        return macros
    return cpp.Macros(defined=macros.defined, undefined=macros.undefined | unset)


def _local_path(package_dir: Path, including: str, header: str) -> str | None:
    """The package-relative path of a quoted header, if it is inside the package: first
    beside the including file, then at the package root (both as the C compiler's quoted
    search does with cgo's `-I $WORK/...` and the package directory)."""
    if header.startswith("/") or "\\" in header:
        return None
    for base in (posixpath.dirname(including), ""):
        rel = posixpath.normpath(posixpath.join(base, header))
        if rel.startswith("../") or rel == "..":
            continue
        if (package_dir / rel).is_file():
            return rel
    return None


def package_includes(
    package_dir: Path,
    files: Sequence[str],
    *,
    extra_roots: Iterable[tuple[str, int, str, tuple[cpp.Guard, ...]]] = (),
) -> tuple[CInclude, ...]:
    """The include lines of the package's C files `files` (names relative to
    `package_dir`: the `CFiles`, `CXXFiles`, `MFiles`, `SFiles` of a target), following
    quoted local headers.

    `extra_roots` are quoted includes of the Go preambles, (go file, line, header, guards):
    the local headers they name are followed the same way.
    """
    out: list[CInclude] = []
    budget = [MAX_LOCAL_FILES]

    def walk(name: str, inherited: tuple[cpp.Guard, ...], via: tuple[str, ...]) -> None:
        text = _read(package_dir / name)
        if text is None:
            return
        for line, header, system, guards in _own_includes(text):
            all_guards = inherited + guards
            local = None if system else _local_path(package_dir, name, header)
            delimited = f"<{header}>" if system else f'"{header}"'
            out.append(
                CInclude(
                    file=name,
                    line=line,
                    header=header,
                    system=system,
                    local=local is not None,
                    guards=all_guards,
                    via=via,
                    text=f"#include {delimited}",
                )
            )
            follow(local, all_guards, (*via, f"{name}:{line}"))

    def follow(local: str | None, guards: tuple[cpp.Guard, ...], via: tuple[str, ...]) -> None:
        if local is None or len(via) > MAX_LOCAL_DEPTH or budget[0] <= 0:
            return
        if any(step.rpartition(":")[0] == local for step in via):
            return  # a cycle: x.h includes itself through y.h
        budget[0] -= 1
        walk(local, guards, via)

    for name in files:
        if is_c_source(name):
            walk(name, (), ())
    for go_file, line, header, guards in extra_roots:
        follow(_local_path(package_dir, "", header), guards, (f"{go_file}:{line}",))
    return tuple(out)
