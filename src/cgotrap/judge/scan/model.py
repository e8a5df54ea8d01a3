"""The records `cgotrap scan` reports: per package and target, the verdict and what it needs."""

from __future__ import annotations

import dataclasses
import enum

from cgotrap.judge.finding import Evidence, Finding, Severity
from cgotrap.judge.scan.labels import compact_targets
from cgotrap.read import cpp
from cgotrap.targets import Target


class Status(enum.StrEnum):
    """What a package is on one target, as far as cgo is concerned."""

    CGO = "cgo"
    """Compiles C code (has cgo files) on this target."""
    FALLBACK = "fallback"
    """Its cgo files drop out and other Go files take over (CGO002)."""
    DROPPED = "dropped"
    """Its cgo files drop out and nothing takes over (CGO008)."""
    BROKEN = "broken"
    """No Go file is left without cgo (CGO001, CGO007)."""
    ERROR = "error"
    """go refuses the package on this target (CGO003, CGO011)."""
    PURE = "pure"
    """In the build, without cgo, and nothing dropped out."""
    ABSENT = "absent"
    """Not in this target's build."""


class Verdict(enum.StrEnum):
    """What happens to a package on one target when the project is built and run."""

    CGO = "cgo"
    """It builds and compiles C code."""
    PURE = "pure"
    """It builds as pure Go and nothing it had with cgo is lost."""
    FALLBACK = "fallback"
    """Its cgo files drop out and a real implementation takes over (it builds)."""
    DEGRADES = "degrades"
    """It builds, but what takes over fails at run time (a stub), or a feature it linked in
    with cgo leaves the program."""
    BREAKS = "breaks"
    """go refuses to build it (or a package it imports)."""
    NOT_BUILT = "not-built"
    """No main package of the patterns reaches it here (a module without a main package
    makes every package a root: its packages are judged, never `not-built`)."""


VERDICT_SEVERITY: dict[Verdict, Severity | None] = {
    Verdict.BREAKS: Severity.ERROR,
    Verdict.DEGRADES: Severity.WARNING,
    Verdict.FALLBACK: Severity.NOTE,
    Verdict.CGO: None,
    Verdict.PURE: None,
    Verdict.NOT_BUILT: None,
}
"""The severity of the findings that explain a verdict: breaks = error, degrades = warning,
fallback = note."""


@dataclasses.dataclass(frozen=True, kw_only=True, slots=True)
class IncludeOnTarget:
    """One `#include` of a cgo preamble, as it fares on one target."""

    header: str
    """The header name ("sys/sysinfo.h")."""
    system: bool
    """Written `<x.h>` (True) or `"x.h"` (False)."""
    local: bool
    """Resolved as the package's own header (never judged against the libc): one of its .h
    files, or a quoted path the libc lacks that `-I` flags or a directory part can reach."""
    condition: str = ""
    """The `#if` condition around it as one expression ("defined(__linux__)"); "" when
    unconditional."""
    active: cpp.Truth = cpp.Truth.TRUE
    """Whether it is compiled on this target (UNKNOWN: depends on macros not known here)."""
    unknown_guard: str = ""
    """What decides whether it is compiled here, in plain words ("only if HAVE_SQLITE is
    defined"), when UNKNOWN."""


@dataclasses.dataclass(frozen=True, kw_only=True, slots=True)
class PackageOnTarget:
    """One cgo-relevant package on one target."""

    target: Target
    """The target."""
    status: Status
    """What go list's file sets say of it here (the input of `verdict`)."""
    verdict: Verdict = Verdict.NOT_BUILT
    """What building and running the project does with it here."""
    evidence: tuple[Evidence, ...] = ()
    """Why, for a non-trivial verdict: go's error text, the stub's message, the include."""
    cgo_files: tuple[str, ...] = ()
    """Files (relative to the module root) that import "C" here."""
    dropped_files: tuple[str, ...] = ()
    """Files that build with cgo on this port but not here."""
    fallback_files: tuple[str, ...] = ()
    """Files that build here but not with cgo: the ones that take over."""
    system_headers: tuple[str, ...] = ()
    """System headers the cgo preambles may include here ("sys/sysinfo.h"): `<...>`, or
    `"..."` the package does not have; includes whose `#if` is false here are left out."""
    local_headers: tuple[str, ...] = ()
    """The package's own headers the preambles may include here."""
    includes: tuple[IncludeOnTarget, ...] = ()
    """Every `#include` of the cgo preambles with its delimiter, condition and state here."""
    libs: tuple[str, ...] = ()
    """`-l` names from CgoLDFLAGS ("sqlite3")."""
    pkg_config: tuple[str, ...] = ()
    """`#cgo pkg-config:` names."""
    other_files: tuple[str, ...] = ()
    """C, C++, Objective-C, Fortran, assembly, header and syso files here (relative)."""


@dataclasses.dataclass(frozen=True, kw_only=True, slots=True)
class Needs:
    """What a cgo package needs, over every target where it compiles C code."""

    system_headers: tuple[str, ...] = ()
    """System headers (`<...>`)."""
    local_headers: tuple[str, ...] = ()
    """Package-local headers (`"..."`)."""
    libs: tuple[str, ...] = ()
    """`-l` libraries."""
    pkg_config: tuple[str, ...] = ()
    """pkg-config package names."""
    c_files: tuple[str, ...] = ()
    """C files (relative paths)."""
    cxx_files: tuple[str, ...] = ()
    """C++ files."""
    m_files: tuple[str, ...] = ()
    """Objective-C files."""
    s_files: tuple[str, ...] = ()
    """Assembly files."""
    syso_files: tuple[str, ...] = ()
    """Prebuilt object files."""


@dataclasses.dataclass(frozen=True, kw_only=True, slots=True)
class CgoPackage:
    """A package that compiles C code on some target (or carries C files)."""

    import_path: str
    """Its import path."""
    dir: str | None
    """Directory relative to the module root ("sqlite", "." for the root; "$GOROOT/src/net"
    for the standard library; None outside both)."""
    standard: bool
    """Part of the standard library."""
    reached_from: tuple[str, ...]
    """Main packages (or roots, for a library) that import it on some reported target."""
    chain: tuple[str, ...]
    """One shortest import chain from such a root to the package."""
    needs: Needs
    """What it needs where it compiles C code."""
    per_target: tuple[PackageOnTarget, ...]
    """Its verdict on each reported target, in target order."""

    def on(self, target: Target) -> PackageOnTarget:
        """The verdict on `target`."""
        for entry in self.per_target:
            if entry.target == target:
                return entry
        return PackageOnTarget(target=target, status=Status.ABSENT)


@dataclasses.dataclass(frozen=True, kw_only=True, slots=True)
class TargetGroup:
    """Targets on which every reported package fares the same way."""

    key: str
    """A short column key: "A", "B", ..."""
    label: str
    """The targets, compacted: "linux/{amd64,arm64} cgo=1"."""
    targets: tuple[Target, ...]
    """The targets."""


@dataclasses.dataclass(frozen=True, kw_only=True, slots=True)
class WhyGroup:
    """The import chains to one package on a group of targets."""

    where: str
    """The targets, compacted."""
    targets: tuple[Target, ...]
    """The targets."""
    chains: tuple[tuple[str, ...], ...]
    """Shortest chains from each main package that reaches it (empty: not imported)."""


@dataclasses.dataclass(frozen=True, kw_only=True, slots=True)
class WhyAnswer:
    """`--why PKG`: why PKG is in the build, per target group."""

    package: str
    """The package asked about (import path)."""
    groups: tuple[WhyGroup, ...]
    """Chains per group of targets with identical answers."""


@dataclasses.dataclass(frozen=True, kw_only=True, slots=True)
class StdCgo:
    """A standard-library package that compiles C code (shown compactly unless asked)."""

    import_path: str
    """"net"."""
    targets: tuple[Target, ...]
    """Where it uses cgo."""
    where: str
    """`targets`, compacted."""


@dataclasses.dataclass(frozen=True, kw_only=True, slots=True)
class ScanResult:
    """Everything `cgotrap scan` reports."""

    patterns: tuple[str, ...]
    """The package patterns."""
    tags: tuple[str, ...]
    """User build tags."""
    targets: tuple[Target, ...]
    """The reported targets, in order."""
    roots: tuple[str, ...]
    """The main packages (or roots) chains start from, over all targets."""
    groups: tuple[TargetGroup, ...]
    """Reported targets grouped where every package fares the same."""
    packages: tuple[CgoPackage, ...]
    """The project's cgo packages (standard ones too with `include_std`)."""
    findings: tuple[Finding, ...]
    """Findings, errors first."""
    std: tuple[StdCgo, ...]
    """Standard-library packages using cgo, when they are not shown as findings."""
    why: tuple[WhyAnswer, ...]
    """Answers to `--why`."""
    problems: tuple[str, ...]
    """Inputs that could not be read (from the evaluate stage)."""
    no_header_data: tuple[Target, ...]
    """cgo targets whose libc the header data does not cover (headers not judged there)."""
    unresolved: tuple[str, ...] = ()
    """Imported packages go could not resolve (modules not downloaded): their cgo status is
    unknown, so the scan is incomplete."""
    verdicts: tuple[tuple[str, tuple[Verdict, ...]], ...] = ()
    """Every non-standard package judged (import path) with its verdict per reported target,
    in target order: `packages` shows the cgo-relevant ones and those whose verdict is
    non-trivial somewhere; the others are `pure` or `not-built` everywhere."""

    def count(self, severity: Severity) -> int:
        """How many findings have `severity`."""
        return sum(1 for f in self.findings if f.severity is severity)

    def where(self, finding: Finding) -> str:
        """`finding.targets`, compacted against the reported targets: "darwin/*, windows/*
        cgo=1"."""
        return compact_targets(finding.targets, self.targets)
