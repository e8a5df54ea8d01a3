"""go/build's file-name rules: which files are sources, of what kind, for which GOOS/GOARCH.

- Names starting with `_` or `.` are never part of a package (and never reported).
- The extension (from the *last* dot) picks the file list: `.go`, `.c`, `.cc`/`.cpp`/`.cxx`,
  `.m`, `.h`/`.hh`/`.hpp`/`.hxx`, `.f`/`.F`/`.for`/`.f90`, `.s`, `.S`/`.sx` (assembled by the
  C compiler, so only used with cgo), `.swig`, `.swigcxx`, `.syso`. Any other extension is
  not a source file at all: go/build does not list it anywhere, not even in
  IgnoredOtherFiles.
- `goodOSArchFile`: the part of the name before the *first* dot, after its first `_`, split
  on `_`, minus a trailing `test`, may end in `_GOOS`, `_GOARCH` or `_GOOS_GOARCH` (from
  `internal/syslist` KnownOS/KnownArch); the file then builds only where those tags match
  (with matchTag's rules, so `_linux` also builds on android, `_solaris` on illumos,
  `_darwin` on ios).
"""

from __future__ import annotations

import enum

from cgotrap.targets import PortTable, port_table


class FileKind(enum.StrEnum):
    """Which go/build file list a source file belongs to (by extension)."""

    GO = "go"
    C = "c"
    CXX = "cxx"
    M = "m"
    H = "h"
    F = "f"
    S = "s"
    """`.s`: Go assembler."""
    S_CPP = "S"
    """`.S` and `.sx`: preprocessed assembler, in SFiles only when the package uses cgo."""
    SWIG = "swig"
    SWIGCXX = "swigcxx"
    SYSO = "syso"


_EXT_KIND: dict[str, FileKind] = {
    ".go": FileKind.GO,
    ".c": FileKind.C,
    ".cc": FileKind.CXX,
    ".cpp": FileKind.CXX,
    ".cxx": FileKind.CXX,
    ".m": FileKind.M,
    ".h": FileKind.H,
    ".hh": FileKind.H,
    ".hpp": FileKind.H,
    ".hxx": FileKind.H,
    ".f": FileKind.F,
    ".F": FileKind.F,
    ".for": FileKind.F,
    ".f90": FileKind.F,
    ".s": FileKind.S,
    ".S": FileKind.S_CPP,
    ".sx": FileKind.S_CPP,
    ".swig": FileKind.SWIG,
    ".swigcxx": FileKind.SWIGCXX,
    ".syso": FileKind.SYSO,
}


def name_ext(name: str) -> str:
    """go/build's `nameExt`: from the last dot, or "" when there is none."""
    i = name.rfind(".")
    return "" if i < 0 else name[i:]


def file_kind(name: str) -> FileKind | None:
    """The source kind of a file name, or None when go/build ignores the file entirely."""
    return _EXT_KIND.get(name_ext(name))


def is_hidden(name: str) -> bool:
    """Names starting with `_` or `.`: skipped silently by go/build."""
    return name.startswith(("_", "."))


def is_test(name: str) -> bool:
    """A `_test.go` file."""
    return name.endswith("_test.go")


def os_arch_tags(name: str, table: PortTable | None = None) -> tuple[str, ...]:
    """The tags a file name requires (all must hold), per go/build's `goodOSArchFile`.

    "x_linux_arm64_test.go" -> ("arm64", "linux"); "x_windows.go" -> ("windows",);
    "linux.go" -> () (a bare GOOS name is not a suffix since Go 1.4).
    """
    table = table or port_table()
    stem = name.split(".", 1)[0]
    i = stem.find("_")
    if i < 0:
        return ()
    parts = stem[i:].split("_")
    if parts and parts[-1] == "test":
        parts = parts[:-1]
    n = len(parts)
    if n >= 2 and parts[n - 2] in table.known_os and parts[n - 1] in table.known_arch:
        return (parts[n - 1], parts[n - 2])
    if n >= 1 and (parts[n - 1] in table.known_os or parts[n - 1] in table.known_arch):
        return (parts[n - 1],)
    return ()
