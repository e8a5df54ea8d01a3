"""The records of the C-side data: `data/libc_headers.json`, `data/c_predefines.json`,
`data/apple_frameworks.json` (written by scripts/gen_libc_headers.py,
scripts/gen_c_predefines.py, scripts/gen_apple_frameworks.py)."""

from __future__ import annotations

import dataclasses
from typing import ClassVar, Literal

from cgotrap.data.records import Framework, MacroBody, MacroName


@dataclasses.dataclass(frozen=True, kw_only=True, slots=True)
class LibcFamilyEntry:
    """One libc family."""

    label: str
    """How a person names it: "macOS libc"."""


@dataclasses.dataclass(frozen=True, kw_only=True, slots=True)
class LibcTargetEntry:
    """The libc of one target: which header directories make it up."""

    family: str
    """A key of `families`."""
    zig_target: str = ""
    """The `zig cc -target` triple the headers are from."""
    dirs: tuple[str, ...]
    """Keys of `header_dirs`."""


@dataclasses.dataclass(frozen=True, kw_only=True, slots=True)
class LibcHeadersFile:
    """`data/libc_headers.json`."""

    FILE: ClassVar[str] = "libc_headers.json"
    version: Literal[1]
    """Format version."""
    generated_from: str = ""
    """ "zig 0.17.1"."""
    families: dict[str, LibcFamilyEntry]
    """Family name -> its description."""
    libc_libs: dict[str, tuple[str, ...]]
    """Family -> the `-l` names its libc provides."""
    compiler_headers: frozenset[str]
    """The compiler's own headers (stddef.h, ...)."""
    header_dirs: dict[str, frozenset[str]]
    """Directory of zig's libc headers -> the header paths in it."""
    targets: dict[str, LibcTargetEntry]
    """ "linux/amd64-musl" -> its libc."""


@dataclasses.dataclass(frozen=True, kw_only=True, slots=True)
class PredefineTargetEntry:
    """The predefined macros of one target's C compiler."""

    zig_target: str = ""
    """The `zig cc -target` triple the macros are from."""
    macros: dict[MacroName, MacroBody]
    """Name -> body, beyond `common`."""


@dataclasses.dataclass(frozen=True, kw_only=True, slots=True)
class CPredefinesFile:
    """`data/c_predefines.json`."""

    FILE: ClassVar[str] = "c_predefines.json"
    version: Literal[1]
    """Format version."""
    generated_from: str = ""
    """ "zig 0.17.1, go1.27.3"."""
    note: str = ""
    """For people reading the file."""
    common: dict[MacroName, MacroBody]
    """Macros every target predefines alike."""
    targets: dict[str, PredefineTargetEntry]
    """ "linux/amd64-gnu" -> its macros."""
    missing: dict[str, str] = dataclasses.field(default_factory=dict)
    """Ports zig cannot preprocess for -> why."""


@dataclasses.dataclass(frozen=True, kw_only=True, slots=True)
class AppleFrameworksFile:
    """`data/apple_frameworks.json`."""

    FILE: ClassVar[str] = "apple_frameworks.json"
    version: Literal[1]
    """Format version."""
    source: str = ""
    """Where the names come from."""
    frameworks: frozenset[Framework]
    """Framework names ("CoreFoundation")."""
