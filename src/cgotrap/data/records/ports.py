"""The record of `data/ports.json` (written by scripts/gen_ports.py)."""

from __future__ import annotations

import dataclasses
from typing import ClassVar, Literal

from cgotrap.data.records import json_key


@dataclasses.dataclass(frozen=True, kw_only=True, slots=True)
class PortEntry:
    """One port of `go tool dist list -json`, with what Go's internal/platform says of it."""

    goos: str = dataclasses.field(metadata=json_key("GOOS"))
    """GOOS."""
    goarch: str = dataclasses.field(metadata=json_key("GOARCH"))
    """GOARCH."""
    cgo_supported: bool = dataclasses.field(metadata=json_key("CgoSupported"))
    """`CgoSupported` of `go tool dist list`."""
    first_class: bool = dataclasses.field(metadata=json_key("FirstClass"))
    """`FirstClass` of `go tool dist list`."""
    tool_tags: tuple[str, ...] = dataclasses.field(default=(), metadata=json_key("ToolTags"))
    """Default tool tags (`go list -f {{context.ToolTags}}`)."""
    must_link_external: bool = dataclasses.field(metadata=json_key("MustLinkExternal"))
    """internal/platform.MustLinkExternal(goos, goarch, withCgo=false)."""
    default_pie: bool = dataclasses.field(metadata=json_key("DefaultPIE"))
    """internal/platform.DefaultPIE(goos, goarch, isRace=false)."""
    internal_link_pie: bool = dataclasses.field(metadata=json_key("InternalLinkPIE"))
    """internal/platform.InternalLinkPIESupported(goos, goarch)."""


@dataclasses.dataclass(frozen=True, kw_only=True, slots=True)
class ArchLevelEntry:
    """The architecture feature levels of one GOARCH (internal/buildcfg)."""

    env: str
    """The variable that chooses the level: "GOAMD64"."""
    levels: dict[str, tuple[str, ...]]
    """Every value go accepts -> the tool tags it implies ("v2" -> amd64.v1, amd64.v2)."""


@dataclasses.dataclass(frozen=True, kw_only=True, slots=True)
class PortsFile:
    """`data/ports.json`."""

    FILE: ClassVar[str] = "ports.json"
    version: Literal[1]
    """Format version."""
    generated_from: str
    """The Go version: "go1.27.3"."""
    known_os: frozenset[str] = dataclasses.field(metadata=json_key("KnownOS"))
    """internal/syslist.KnownOS."""
    unix_os: frozenset[str] = dataclasses.field(metadata=json_key("UnixOS"))
    """internal/syslist.UnixOS."""
    known_arch: frozenset[str] = dataclasses.field(metadata=json_key("KnownArch"))
    """internal/syslist.KnownArch."""
    simd_arch: frozenset[str] = dataclasses.field(metadata=json_key("SimdArch"))
    """GOARCHes where cmd/go rewrites imports of "simd" (cmd/go/internal/load.hasSimd)."""
    regabi_arch: frozenset[str] = dataclasses.field(metadata=json_key("RegabiArch"))
    """GOARCHes where the register ABI is always on (internal/buildcfg regabiAlwaysOn)."""
    arch_levels: dict[str, ArchLevelEntry] = dataclasses.field(metadata=json_key("ArchLevels"))
    """GOARCH -> its feature levels (GOAMD64, GOARM, ...)."""
    ports: tuple[PortEntry, ...]
    """Every port, in `go tool dist list` order."""
