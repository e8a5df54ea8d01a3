"""The record of `data/zig_targets.json` (written by scripts/gen_zig_targets.py)."""

from __future__ import annotations

import dataclasses
from typing import ClassVar, Literal

from cgotrap.data.records import Triple, json_key
from cgotrap.targets import Libc


@dataclasses.dataclass(frozen=True, kw_only=True, slots=True)
class ZigTargetEntry:
    """How zig cross-compiles C for one cgo port (and libc)."""

    goos: str = dataclasses.field(metadata=json_key("GOOS"))
    """GOOS."""
    goarch: str = dataclasses.field(metadata=json_key("GOARCH"))
    """GOARCH."""
    libc: Libc | None = None
    """The Linux libc; null elsewhere."""
    triple: Triple | None = None
    """The `zig cc -target` triple; null where zig has no libc for the port."""
    why: str = ""
    """Why `triple` is null."""


@dataclasses.dataclass(frozen=True, kw_only=True, slots=True)
class ZigDefaults:
    """What zig builds for when the triple names no version (probed by the generator)."""

    glibc: str
    """glibc version of `x86_64-linux-gnu` without a pin ("2.31")."""
    macos: str
    """Minimum macOS of `aarch64-macos` without a version ("15.0")."""


@dataclasses.dataclass(frozen=True, kw_only=True, slots=True)
class ZigTargetsFile:
    """`data/zig_targets.json`."""

    FILE: ClassVar[str] = "zig_targets.json"
    version: Literal[1]
    """Format version."""
    generated_from: str = ""
    """ "zig 0.17.1, go1.27.3"."""
    defaults: ZigDefaults
    """zig's default glibc and minimum macOS versions."""
    targets: tuple[ZigTargetEntry, ...]
    """One entry per cgo port (per libc on Linux)."""
    qemu_user: dict[str, str]
    """GOARCH -> the qemu-user program for its Linux binaries."""
