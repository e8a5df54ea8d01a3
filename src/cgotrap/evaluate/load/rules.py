"""cmd/go's load rules, each in one function that both loaders call (`target` and `fast`)."""

from __future__ import annotations

import os
from collections.abc import Callable, Hashable, Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, TypeVar, assert_never

from cgotrap.evaluate.load.pkgpattern import _has_path_prefix
from cgotrap.evaluate.load.resolve import _Resolved
from cgotrap.gostd import quote, short_path
from cgotrap.targets import port_table

if TYPE_CHECKING:
    from cgotrap.evaluate.context import BuildContext
    from cgotrap.evaluate.directory import DirFacts
    from cgotrap.evaluate.model import PackageError


# cmd/go/internal/load/pkg.go: LinkerDeps (go1.27.3)
# Left out: -race/-msan/-asan/-cover, -linkshared, -ldflags -linkmode, build modes other than
# the default, gccgo (go list passes none of them here).
def _linker_deps(ctx: BuildContext) -> tuple[list[str], str | None]:
    """load.LinkerDeps for a main package in default build mode: (deps, error)."""
    deps = ["runtime"]
    port = port_table().get(ctx.goos, ctx.goarch)
    # (a port go tool dist list does not know neither links externally nor defaults to PIE)
    what = port.external_link_reason if port is not None else ""
    if what:
        if not ctx.cgo_enabled:
            return [], f"{what} requires external (cgo) linking, but cgo is not enabled"
        deps.append("runtime/cgo")
    if ctx.goarch == "arm":
        deps.append("math")
    return deps, None


# cmd/go/internal/load/pkg.go: findInternal (go1.27.3)
def _find_internal(path: str) -> int | None:
    if path.endswith("/internal"):
        return len(path) - len("internal")
    if "/internal/" in path:
        return path.rindex("/internal/") + 1
    if path == "internal" or path.startswith("internal/"):
        return 0
    return None


# cmd/go/internal/load/pkg.go: (*ImportStack).shorterThan (go1.27.3)
def _shorter_than(s: list[str], t: list[str]) -> bool:
    if len(s) != len(t):
        return len(s) < len(t)
    for a, b in zip(s, t, strict=True):
        if a != b:
            return a < b
    return False


# How a package's load error joins the import stack.
PUSH = 1
"""The stack includes the package itself (NoGoError, a parse error, C files, an import
error found while loading its imports)."""
IMPORTER = 2
"""The stack stops at the importer; Pos is the import's position there."""
LINK = 3
"""Like IMPORTER, and never updated (go leaves Internal.Imports nil)."""
MATCH = 4
"""A command-line pattern that names no package: empty stack, no position."""


# cmd/go/internal/load/pkg.go: (*Package).setLoadPackageDataError (go1.27.3)
# The error texts are made where the errors are found: a literal pattern's MatchError already
# unwrapped (`patterns._Patterns._literal_local`), load.NoGoError's text by
# `directory.no_go_error`, scanner.ErrorList's first error by `goparse`.
def load_error(res: _Resolved, facts: DirFacts | None, cwd: str) -> tuple[str | None, int, str]:
    """(error text, how it joins the import stack, Pos) of a package's resolution and its
    go/build result; (None, 0, "") when both succeeded."""
    if res.match_error:
        return res.error or "", MATCH, ""
    if res.error is not None:
        return res.error, PUSH if res.malformed else IMPORTER, ""
    if facts is None or facts.error is None:
        return None, 0, ""
    match _error_kind(facts):
        case "nogo":
            return facts.error.err, PUSH, ""
        case "scan":
            return facts.error.err, PUSH, facts.error.golist_pos(cwd)
        case _:
            return facts.error.err, IMPORTER, ""


def _error_kind(facts: DirFacts) -> str:
    """How go list files a go/build error: "nogo", "scan" (a parse error with a position:
    the package joins the stack) or "other" (reported at the importing position)."""
    from cgotrap.evaluate.directory import DirErrorKind

    err = facts.error
    if err is None:
        return "none"
    match err.kind:
        case DirErrorKind.NO_GO:
            return "nogo"
        case DirErrorKind.PARSE:
            return "scan"
        case (
            DirErrorKind.MULTIPLE_PACKAGES
            | DirErrorKind.FILE
            | DirErrorKind.CONSTRAINT
            | DirErrorKind.DIRECTORY
        ):
            return "other"
        case _:
            assert_never(err.kind)


_CGO_EXCLUDE = frozenset({"runtime/cgo"})
_CGO_SYSCALL_EXCLUDE = frozenset({"runtime/cgo", "runtime/race", "runtime/msan", "runtime/asan"})
SIMD_BRIDGE = "simd/internal/bridge"
"""The package cmd/go adds to the imports of "simd" users (load.SimdBridgePkg)."""


def has_simd(goarch: str) -> bool:
    """Whether `import "simd"` adds the bridge package on this GOARCH (hasSimd's arch test,
    the arches in ports.json's SimdArch)."""
    return goarch in port_table().simd_arch


# cmd/go/internal/load/pkg.go: (*Package).load, "Build augmented import list" with hasSimd
# and cgoExclude / cgoSyscallExclude (go1.27.3)
# Left out: gccgo (never adds runtime/cgo there), opts.IgnoreImports and ForceLibrary (never
# set by go list), and CompiledImports (not listed). The linker's deps come from
# `_linker_deps`, whose error the caller handles first (go returns before loading imports).
def implicit_imports(
    imports: tuple[str, ...],
    *,
    import_path: str,
    standard: bool,
    facts: DirFacts | None,
    simd: bool,
    link_deps: list[str],
) -> list[str]:
    """The package's imports with what cgo, SWIG, simd and the linker add, in go's order."""
    import_paths = list(imports)
    uses_cgo = facts is not None and bool(facts.cgo_files)
    uses_swig = facts is not None and bool(facts.swig_files or facts.swigcxx_files)

    def add(extra: str) -> None:
        if extra not in import_paths:
            import_paths.append(extra)

    if simd and "simd" in import_paths:
        add(SIMD_BRIDGE)
    if uses_cgo:
        add("unsafe")
        if not (standard and import_path in _CGO_EXCLUDE):
            add("runtime/cgo")
        if not (standard and import_path in _CGO_SYSCALL_EXCLUDE):
            add("syscall")
    if uses_swig:
        for extra in ("unsafe", "runtime/cgo", "syscall", "sync"):
            add(extra)
    for dep in link_deps:
        add(dep)
    return import_paths


# cmd/go/internal/load/pkg.go: (*Package).load, "The gc toolchain only permits C source files
# with cgo or SWIG" and the C++/Objective-C/Fortran checks after it (go1.27.3)
# Left out: the gccgo exception for C files (the compiler is always gc here).
def foreign_files_error(facts: DirFacts, *, cgo_enabled: bool) -> str | None:
    """The error of a package with C, C++, Objective-C or Fortran files but no cgo or SWIG
    file, or None. Without cgo go drops the C, C++ and Objective-C files first."""
    if facts.cgo_files or facts.swig_files or facts.swigcxx_files:
        return None
    for label, files in (
        ("C", facts.c_files if cgo_enabled else ()),
        ("C++", facts.cxx_files if cgo_enabled else ()),
        ("Objective-C", facts.m_files if cgo_enabled else ()),
        ("Fortran", facts.f_files),
    ):
        if files:
            return f"{label} source files not allowed when not using cgo or SWIG: " + " ".join(
                files
            )
    return None


def trait_relevant(facts: DirFacts) -> bool:
    """Whether what the rules above make of a package depends on the target's traits (the
    simd arches, cgo on or off, the linker's deps): a main package, or one with cgo, SWIG,
    C, C++ or Objective-C files, or importing "simd". Packages for which this is False are
    shared by every target that reads the same files."""
    return bool(
        facts.name == "main"
        or facts.cgo_files
        or facts.swig_files
        or facts.swigcxx_files
        or facts.c_files
        or facts.cxx_files
        or facts.m_files
        or "simd" in facts.imports
    )


# cmd/go/internal/load/pkg.go: disallowInternal (go1.27.3)
# The caller applies the first test (an import of a package with an error is not checked):
# the one-target loader knows the error at once, the matrix loader once the child's node is
# built. Left out: testmain, gccgo and bootstrap/ (never met by go list on a module),
# importerPath "" (the caller checks imports only, never command-line roots),
# CmdlineFiles (no file arguments), and the expandPath retry after resolving symbolic links
# (the directories compared are the resolver's, which never resolves links either).
# The simd exception is loadImport's: with allowSimdInternalBridge (set when hasSimd is true
# of the importer) it skips disallowInternal for "simd/internal/bridge" alone.
def internal_allowed(
    *,
    importer_path: str,
    importer_dir: str,
    importer_has_simd: bool,
    path: str,
    directory: str,
    module: str | None,
) -> bool:
    """Whether the importer may import `path` (found in `directory`, in `module`):
    True when the path has no "internal" element or the importer is inside its parent, and
    for the bridge package cmd/go adds when the importer imports "simd" on a simd arch
    (`importer_has_simd`: `has_simd` of the target and "simd" among its imports)."""
    if importer_has_simd and path == SIMD_BRIDGE:
        return True
    i = _find_internal(path)
    if i is None:
        return True
    if i > 0:
        i -= 1
    if _has_path_prefix(importer_path, "crypto") and _has_path_prefix(
        path, "crypto/internal/fips140"
    ):
        return True
    if _has_path_prefix(importer_path, "crypto/internal/fips140"):
        return _has_path_prefix(path, "crypto/internal")
    if module is None:
        if not directory:  # (only a package with an error has no directory: not checked)
            return True
        parent_dir = os.path.normpath(directory[: i + len(directory) - len(path)])
        src = os.path.normpath(importer_dir)
        return src == parent_dir or src.startswith(parent_dir.rstrip(os.sep) + os.sep)
    return _has_path_prefix(importer_path, path[:i])


def internal_error(path: str) -> str:
    """disallowInternal's error when `internal_allowed` is False."""
    return f"use of internal package {path} not allowed"


# cmd/go/internal/load/pkg.go: loadImport, "is a program, not an importable package" (go1.27.3)
def program_import_error(imp: str, *, name: str, directory: str, importer_dir: str) -> str | None:
    """The error of importing a main package from another directory, or None."""
    if name == "main" and importer_dir != directory:
        return f'import "{imp}" is a program, not an importable package'
    return None


# cmd/go/internal/load/pkg.go: loadImport's last check (go1.27.3). The importer is never
# local in module mode (p.Internal.Local is set for GOPATH-era command-line directories and
# .go file lists only), so a relative import always fails, after the program check.
def local_import_error(imp: str) -> str | None:
    """'local import "./x" in non-local package' for a relative import, or None."""
    if imp == ".":
        return ".: cannot import current directory"
    if imp.startswith(("./", "../")) or imp == "..":
        return f"local import {quote(imp)} in non-local package"
    return None


# cmd/go/internal/load/pkg.go: extractFirstImport and (*PackageError).setPos (go1.27.3)
def import_position(facts: DirFacts | None, imp: str, cwd: str) -> str:
    """Where the importer first imports `imp`, as go list prints Error.Pos ("x.go:3:8",
    relative to `cwd` when shorter), or "" when unknown."""
    if facts is None:
        return ""
    for path, positions in facts.import_pos:
        if path == imp and positions:
            pos = positions[0]
            return f"{short_path(pos.filename, cwd)}:{pos.line}:{pos.column}"
    return ""


_K = TypeVar("_K", bound=Hashable)
_E = TypeVar("_E")


def incomplete_and_deps_errors(
    order: Sequence[_K],
    kids: Mapping[_K, Sequence[_K]],
    errors: Mapping[_K, _E],
    sort_key: Callable[[_E], tuple[int, str, str]],
) -> tuple[set[_K], dict[_K, tuple[_E, ...]]]:
    """Which packages are `Incomplete` and each one's `DepsErrors` (the non-empty ones).

    Go 1.27 cmd/go/internal/load.(*Package).load sets Incomplete on a package with an error
    or an Incomplete import (an import still loading, in a cycle, has its cycle error: an
    error counts as Incomplete); cmd/go/internal/list.collectDepsErrors, over
    load.PackageList's post-order (`order`), makes DepsErrors the distinct errors of the
    imports and of their DepsErrors, sorted by the package on top of each error's import
    stack (errors without a stack first, by text): `sort_key` gives (0, text, "") or
    (1, top, text). Go sorts a map's values with sort.Slice, so errors for the same top
    package come out in a random order; here the text decides, so the output is stable.
    """
    incomplete: set[_K] = set()
    collected: dict[_K, dict[int, _E]] = {}
    out: dict[_K, tuple[_E, ...]] = {}
    for p in order:
        found: dict[int, _E] = {}
        bad = p in errors
        for k in kids.get(p, ()):
            err = errors.get(k)
            if err is not None:
                found[id(err)] = err
                bad = True
            elif k in incomplete:
                bad = True
            below = collected.get(k)
            if below:
                found.update(below)
        if bad:
            incomplete.add(p)
        if found:
            collected[p] = found
            out[p] = tuple(sorted(found.values(), key=sort_key))
    return incomplete, out


def package_error_order(err: PackageError) -> tuple[int, str, str]:
    """`incomplete_and_deps_errors`'s sort key for a PackageError."""
    if not err.import_stack:
        return (0, err.err, err.pos)
    return (1, err.import_stack[-1], err.err + "\0" + err.pos)


# cmd/go/internal/str.ToFold (go1.27.3)
def fold_path(path: str) -> str:
    """The case-folded form go compares import paths by: each rune replaced by the smallest
    of its simple case folds ("K" -> "k", "\u212a" (Kelvin) -> "k"); ASCII upper to lower."""
    if path.isascii():  # (each ASCII letter's smallest fold is its upper case, lowered)
        return path.lower()
    out = []
    for ch in path:
        orbit = {ch, *(c for c in (ch.lower(), ch.upper(), ch.lower().upper()) if len(c) == 1)}
        low = min(orbit)
        if "A" <= low <= "Z":
            low = low.lower()
        out.append(low)
    return "".join(out)


# cmd/go/internal/load/pkg.go: (*Package).load, "Check for case-insensitive collisions of
# import paths" (go1.27.3); the first package to get there in load order keeps its path.
def collision_error(path: str, other: str) -> str:
    """The error of a package whose import path equals an earlier one's but for case."""
    return f"case-insensitive import collision: {quote(path)} and {quote(other)}"


def has_fold_collision(paths: Iterable[str]) -> bool:
    """Whether two of `paths` differ only in case (then go's load order decides which one
    gets `collision_error`: the one-target loader's job)."""
    seen: dict[str, str] = {}
    for path in paths:
        fold = fold_path(path)
        if seen.setdefault(fold, path) != path:
            return True
    return False
