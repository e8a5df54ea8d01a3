"""`cgotrap scan`'s judgement: where cgo enters, what it needs, what breaks, on which targets.

`scan(matrix)` is a pure function over the evaluate stage's `MatrixResult`: no files are read,
no tools run. For each target it decides, per package, whether the package compiles C code
(`cgo`), loses its cgo files and falls back to other Go files (`fallback`), loses them with
nothing in their place (`dropped`), has no Go file left (`broken`), or is refused by go
(`error`); it matches cgo preambles' headers and `-l` libraries against the target's libc
(`judge.headers`), and reports findings that cite the rules of `judge.rules.source`.

Comparing cgo=1 and cgo=0 of the same port ("twins") names the files that drop out and the
files that take over; `MatrixResult` should therefore hold both modes of each port (the CLI
loads both), and `report` restricts what is shown to the targets the user asked for.
"""

from __future__ import annotations

import dataclasses
import enum
import os
import posixpath
from collections.abc import Iterable, Sequence

from cgotrap.evaluate import reach
from cgotrap.evaluate.model import MatrixResult, PackageFacts, TargetPackages
from cgotrap.judge.headers import (
    HeaderCatalog,
    PredefineCatalog,
    catalog,
    framework_of,
    predefines,
)
from cgotrap.judge.rules import Rule, Severity
from cgotrap.judge.rules import source as rules
from cgotrap.read import cpp
from cgotrap.read.gofile import Include
from cgotrap.targets import Libc, PortTable, Target, port_table

_SEVERITY_ORDER = {Severity.ERROR: 0, Severity.WARNING: 1, Severity.NOTE: 2}

_NO_GO_FILES = "build constraints exclude all Go files"
_C_NOT_ALLOWED = "source files not allowed when not using cgo"
_NEEDS_EXTERNAL_LINK = "requires external (cgo) linking, but cgo is not enabled"
_APPLE_GOOS = frozenset({"darwin", "ios"})

# `-l` names every C library provides, for targets whose libc the data does not cover.
_UNIVERSAL_LIBS = frozenset({"c", "m", "pthread", "dl", "rt"})


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
    """The directive that cannot be decided here ("#ifdef HAVE_SQLITE"), when UNKNOWN."""


@dataclasses.dataclass(frozen=True, kw_only=True, slots=True)
class PackageOnTarget:
    """One cgo-relevant package on one target."""

    target: Target
    """The target."""
    status: Status
    """The verdict."""
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
class Finding:
    """One rule hit by one package (for one subject), on a set of targets."""

    rule: Rule
    """The rule (ID, name, severity, documentation)."""
    package: str
    """The package's import path."""
    subject: str
    """What in the package: a header ("sys/sysinfo.h"), a library ("pcap"), or ""."""
    targets: tuple[Target, ...]
    """Where it holds, in target order."""
    where: str
    """`targets`, compacted: "darwin/*, windows/* cgo=1"."""
    message: str
    """One line saying what is wrong, in the project's own names."""
    files: tuple[str, ...] = ()
    """Files involved, relative to the module root."""
    condition: str = ""
    """For a header finding: the `#if` directive around the include that cgotrap cannot
    decide on some of `targets` ("#ifdef HAVE_SQLITE"); "" when the include is compiled
    there for sure."""

    @property
    def severity(self) -> Severity:
        """The rule's severity."""
        return self.rule.severity


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

    def count(self, severity: Severity) -> int:
        """How many findings have `severity`."""
        return sum(1 for f in self.findings if f.severity is severity)


@dataclasses.dataclass(frozen=True, kw_only=True, slots=True)
class _Hit:
    rule: Rule
    package: str
    subject: str
    target: Target
    files: tuple[str, ...] = ()
    labels: tuple[str, ...] = ()
    extra: tuple[str, ...] = ()
    condition: str = ""


# ---------------------------------------------------------------------------------------------
# Compact target labels


def compact_targets(targets: Iterable[Target], universe: Sequence[Target]) -> str:
    """A short label for a set of targets: "linux/{amd64,arm64} cgo=1", "*/* cgo=0".

    `GOOS/*` means every port of that GOOS among `universe` (with the same cgo setting and
    libc variant); "*/*" every port of `universe`; "all targets" the whole of `universe`.
    """
    chosen = set(targets)
    if not chosen:
        return "no targets"
    if len(universe) > 1 and chosen == set(universe):
        return "all targets"
    variants: dict[tuple[bool, str], dict[str, list[str]]] = {}
    totals: dict[tuple[bool, str], dict[str, set[str]]] = {}
    for t in universe:
        key = (t.cgo, _variant(t))
        totals.setdefault(key, {}).setdefault(t.goos, set()).add(t.goarch)
        if t in chosen:
            arches = variants.setdefault(key, {}).setdefault(t.goos, [])
            if t.goarch not in arches:
                arches.append(t.goarch)
    texts: dict[tuple[bool, str], str] = {}
    for key, by_os in variants.items():
        suffix = key[1]
        every = totals[key]
        direct = _ports_text(by_os, every, suffix)
        rest = {
            g: [a for a in sorted(arches) if a not in by_os.get(g, [])]
            for g, arches in every.items()
        }
        rest = {g: a for g, a in rest.items() if a}
        if not rest and len(every) > 1:
            texts[key] = f"*/*{suffix}"
        elif rest and sum(map(len, by_os.values())) > 2 * sum(map(len, rest.values())):
            other = f"*/*{suffix} except {_ports_text(rest, every, suffix)}"
            texts[key] = other if len(other) < len(direct) else direct
        else:
            texts[key] = direct
    out: list[str] = []
    done: set[tuple[bool, str]] = set()
    for key, text in texts.items():
        if key in done:
            continue
        twin = (not key[0], key[1])
        if texts.get(twin) == text:
            out.append(f"{text} cgo=0,1")
            done.add(twin)
        else:
            out.append(f"{text} cgo={int(key[0])}")
        done.add(key)
    return "; ".join(out)


def _ports_text(by_os: dict[str, list[str]], every: dict[str, set[str]], suffix: str) -> str:
    parts = []
    for goos, arches in by_os.items():
        if len(arches) > 1 and set(arches) == every[goos]:
            parts.append(f"{goos}/*{suffix}")
        elif len(arches) == 1:
            parts.append(f"{goos}/{arches[0]}{suffix}")
        else:
            parts.append(f"{goos}/{{{','.join(arches)}}}{suffix}")
    return ", ".join(parts)


def _variant(t: Target) -> str:
    if t.libc is None:
        return ""
    return f"-{t.libc.value}" + (f".{t.glibc_version}" if t.glibc_version else "")


# ---------------------------------------------------------------------------------------------
# Small readers of PackageFacts


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


def _includes_on_target(
    p: PackageFacts, macros: cpp.Macros, headers: HeaderCatalog
) -> tuple[IncludeOnTarget, ...]:
    """The package's includes as they fare on the target of `macros` (one per header and
    delimiter: a header included under several conditions counts where any holds)."""
    flags = (*p.cgo_cppflags, *p.cgo_cflags)
    has_dirs = _has_include_dirs(flags)
    merged: dict[tuple[str, bool], IncludeOnTarget] = {}
    for inc in p.includes:
        active = cpp.guards_hold(inc.guards, macros)
        unknown = cpp.first_unknown(inc.guards, macros) if active is cpp.Truth.UNKNOWN else None
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

_NO_MACROS = cpp.Macros(defined={})
"""Where the compiler's predefines are unknown (aix): every condition is UNKNOWN."""


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


def _rel(directory: str | None, names: Iterable[str]) -> tuple[str, ...]:
    if directory is None or directory == ".":
        return tuple(names)
    return tuple(posixpath.join(directory, n) for n in names)


def _c_like(p: PackageFacts) -> tuple[str, ...]:
    return (*p.c_files, *p.cxx_files, *p.m_files, *p.f_files)


# ---------------------------------------------------------------------------------------------
# The judgement


@dataclasses.dataclass(frozen=True, kw_only=True, slots=True)
class _Context:
    matrix: MatrixResult
    facts: dict[Target, dict[str, PackageFacts]]
    listing: dict[Target, TargetPackages]
    known_cgo_files: dict[str, frozenset[str]]
    took_over: dict[str, frozenset[str]]
    interesting: frozenset[str]
    """Packages that compile C code, or carry C files, on some loaded target."""
    headers: HeaderCatalog
    predefines: PredefineCatalog
    ports: PortTable
    project_std: bool


def _twin(target: Target, loaded: Sequence[Target]) -> Target | None:
    """The cgo=1 target of the same port (the plain one first) for a cgo=0 target."""
    candidates = [t for t in loaded if t.cgo and t.port == target.port]
    candidates.sort(key=lambda t: (t.libc is not None, t.libc or Libc.GNU, t.glibc_version or ""))
    return candidates[0] if candidates else None


def _build_context(
    matrix: MatrixResult, headers: HeaderCatalog, macros: PredefineCatalog, ports: PortTable
) -> _Context:
    facts: dict[Target, dict[str, PackageFacts]] = {}
    listing: dict[Target, TargetPackages] = {}
    known: dict[str, set[str]] = {}
    for tp in matrix.per_target:
        listing[tp.target] = tp
        facts[tp.target] = {p.import_path: p for p in tp.packages}
        for p in tp.packages:
            if p.cgo_files:
                known.setdefault(p.import_path, set()).update(p.cgo_files)
    # Files seen taking over from cgo files on a port with both modes loaded: on ports
    # without cgo (no cgo=1 twin) these are the candidates for "what takes over".
    took_over: dict[str, set[str]] = {}
    loaded = tuple(facts)
    for target in loaded:
        twin = None if target.cgo else _twin(target, loaded)
        if twin is None:
            continue
        for ip, p in facts[target].items():
            with_cgo = facts[twin].get(ip)
            if with_cgo is not None and with_cgo.uses_cgo:
                built_there = set(with_cgo.go_files) | set(with_cgo.cgo_files)
                took_over.setdefault(ip, set()).update(set(p.go_files) - built_there)
    # No twin anywhere: files every cgo build of the package leaves out (`//go:build !cgo`).
    for ip in known:
        if ip not in took_over:
            left_out = [
                set(pkgs[ip].ignored_go_files)
                for pkgs in facts.values()
                if ip in pkgs and pkgs[ip].uses_cgo
            ]
            took_over[ip] = set.intersection(*left_out) if left_out else set()
    roots = [r for tp in matrix.per_target for r in tp.roots]
    std_roots = {p.import_path for tp in matrix.per_target for p in tp.packages if p.standard}
    return _Context(
        matrix=matrix,
        facts=facts,
        listing=listing,
        known_cgo_files={k: frozenset(v) for k, v in known.items()},
        took_over={k: frozenset(v) for k, v in took_over.items()},
        interesting=frozenset(known)
        | frozenset(ip for pkgs in facts.values() for ip, p in pkgs.items() if _c_like(p)),
        headers=headers,
        predefines=macros,
        ports=ports,
        project_std=bool(roots) and all(r in std_roots for r in roots),
    )


def _judge_package(
    ctx: _Context, target: Target, p: PackageFacts, directory: str | None
) -> tuple[PackageOnTarget, list[_Hit]]:
    hits: list[_Hit] = []
    ip = p.import_path
    port = ctx.ports.get(target.goos, target.goarch)
    cgo_supported = port.cgo_supported if port is not None else True
    other = _rel(
        directory,
        (*_c_like(p), *p.s_files, *p.h_files, *p.syso_files),
    )
    explained = False

    def hit(
        r: Rule,
        subject: str = "",
        *,
        files: tuple[str, ...] = (),
        extra: tuple[str, ...] = (),
        labels: tuple[str, ...] = (),
        condition: str = "",
    ) -> None:
        hits.append(
            _Hit(
                rule=r,
                package=ip,
                subject=subject,
                target=target,
                files=files,
                extra=extra,
                labels=labels,
                condition=condition,
            )
        )

    if p.uses_cgo:
        macros = (ctx.predefines.for_target(target) or _NO_MACROS).with_flags(
            (*p.cgo_cppflags, *p.cgo_cflags)
        )
        includes = _includes_on_target(p, macros, ctx.headers)
        maybe = [i for i in includes if i.active is not cpp.Truth.FALSE]
        system = tuple(sorted({i.header for i in maybe if not i.local}))
        local = tuple(sorted({i.header for i in maybe if i.local}))
        libs = ldflags_libs(p.cgo_ldflags)
        cgo_files = _rel(directory, p.cgo_files)
        entry = PackageOnTarget(
            target=target,
            status=Status.CGO,
            cgo_files=cgo_files,
            system_headers=system,
            local_headers=local,
            includes=includes,
            libs=libs,
            pkg_config=p.cgo_pkg_config,
            other_files=other,
        )
        if target.cgo and not cgo_supported:
            hit(rules.cgo_required_on_port_without_cgo, files=cgo_files)
        libc = ctx.headers.for_target(target)
        judged: set[str] = set()
        for inc in maybe:
            header = inc.header
            if inc.local or header in judged:
                continue
            judged.add(header)
            guard = inc.unknown_guard
            framework = ""
            if target.goos in _APPLE_GOOS and not ctx.headers.is_libc_header(header):
                framework = framework_of(header, p.cgo_ldflags)
            if framework:
                hit(
                    rules.header_from_apple_framework,
                    header,
                    files=cgo_files,
                    extra=(framework,),
                    condition=guard,
                )
            elif not ctx.headers.is_libc_header(header):
                hit(rules.header_from_external_library, header, files=cgo_files, condition=guard)
            elif libc is not None and not libc.has_header(header):
                if libc.family == "darwin" and header in ctx.headers.bsd_headers:
                    hit(
                        rules.header_missing_in_zig_macos_headers,
                        header,
                        files=cgo_files,
                        condition=guard,
                    )
                else:
                    hit(
                        rules.header_missing_on_target,
                        header,
                        files=cgo_files,
                        labels=(libc.label,),
                        condition=guard,
                    )
        for lib in libs:
            if libc is not None:
                provided = libc.has_lib(lib)
            elif target.goos == "linux":  # a Linux port zig has no glibc for (linux/ppc64)
                provided = lib in ctx.headers.family_libs.get("glibc", _UNIVERSAL_LIBS)
            else:
                provided = lib in _UNIVERSAL_LIBS
            if not provided:
                hit(rules.needs_system_library, lib, files=cgo_files)
        for name in p.cgo_pkg_config:
            hit(rules.needs_pkg_config, name, files=cgo_files)
        if ctx.project_std is False and p.standard:
            hit(rules.std_package_uses_cgo, files=cgo_files)
        if p.error is not None:
            hit(rules.go_package_error, _relative_message(p.error.err, p.dir, directory))
        return entry, hits

    c_like = _c_like(p)
    if target.cgo and c_like and not p.swig_files and not p.swigcxx_files:
        hit(rules.c_files_without_cgo, files=_rel(directory, c_like))
        return PackageOnTarget(target=target, status=Status.ERROR, other_files=other), hits

    # Without cgo here: what dropped out, and what took over?
    lost: set[str] = set()
    gained: set[str] = set()
    twin = _twin(target, tuple(ctx.facts)) if not target.cgo else None
    with_cgo = ctx.facts[twin].get(ip) if twin is not None else None
    built_here = set(p.go_files) | set(p.cgo_files)
    if with_cgo is not None:
        if with_cgo.uses_cgo:
            built_there = set(with_cgo.go_files) | set(with_cgo.cgo_files)
            lost = built_there - built_here
            gained = set(p.go_files) - built_there
    elif not target.cgo and twin is None:
        # A port without cgo (or loaded without its twin): cgo files known from other
        # targets are what drops out; what took over elsewhere is what takes over here.
        lost = set(p.ignored_go_files) & ctx.known_cgo_files.get(ip, frozenset())
        gained = set(p.go_files) & ctx.took_over.get(ip, frozenset())
    status = Status.PURE
    dropped = _rel(directory, sorted(lost))
    took_over = _rel(directory, sorted(gained))
    if lost:
        if not built_here:
            status = Status.BROKEN
            explained = True
            if cgo_supported:
                hit(rules.cgo_without_fallback, files=dropped)
            else:
                hit(rules.cgo_required_on_port_without_cgo, files=dropped)
        elif gained:
            status = Status.FALLBACK
            hit(rules.cgo_fallback_takes_over, files=took_over, extra=dropped)
        elif with_cgo is None:
            # No twin to compare with: the cgo files may be excluded by GOOS as much as
            # by cgo (net's cgo_linux.go on plan9); claim nothing.
            pass
        else:
            status = Status.DROPPED
            hit(rules.cgo_files_dropped_without_replacement, files=dropped)
    if p.error is not None and not explained:
        message = _relative_message(p.error.err, p.dir, directory)
        # A package matched by a wildcard and excluded on this GOOS is skipped by go build;
        # imported, it is a real failure.
        if _NEEDS_EXTERNAL_LINK in message:
            hit(rules.port_requires_cgo_linking)
        elif _NO_GO_FILES not in message or p.dep_only:
            hit(rules.go_package_error, message)
            if status is Status.PURE:
                status = Status.ERROR
    return (
        PackageOnTarget(
            target=target,
            status=status,
            dropped_files=dropped,
            fallback_files=took_over,
            other_files=other,
        ),
        hits,
    )


def _relative_message(message: str, absolute: str, relative: str | None) -> str:
    if absolute and relative is not None:
        return message.replace(absolute, relative)
    return message


def _interesting(ctx: _Context, ip: str) -> bool:
    return ip in ctx.interesting


def _skipped_roots(ctx: _Context, target: Target) -> list[tuple[str, PackageFacts, str | None]]:
    """cgo packages a wildcard matched with cgo on this port but not without it."""
    twin = None if target.cgo else _twin(target, tuple(ctx.facts))
    if twin is None:
        return []
    here = ctx.facts[target]
    out = []
    for ip in ctx.listing[twin].roots:
        p1 = ctx.facts[twin].get(ip)
        if ip in here or p1 is None or not p1.uses_cgo:
            continue
        if p1.standard and not ctx.project_std:
            continue
        out.append((ip, p1, relative_dir(p1, ctx.matrix.module_root)))
    return out


def scan(
    matrix: MatrixResult,
    *,
    report: Sequence[Target] | None = None,
    include_std: bool = False,
    why: Sequence[str] = (),
    headers: HeaderCatalog | None = None,
    macros: PredefineCatalog | None = None,
    ports: PortTable | None = None,
) -> ScanResult:
    """Judge a matrix evaluation: cgo packages, their needs and verdicts, findings, chains.

    `report` limits the shown targets (default: every target of `matrix`); the other
    targets still serve as cgo=1 twins. Standard-library packages are summarised in `std`
    unless `include_std` (or the patterns are the standard library itself).
    """
    ctx = _build_context(
        matrix, headers or catalog(), macros or predefines(), ports or port_table()
    )
    loaded = tuple(tp.target for tp in matrix.per_target)
    shown = tuple(report) if report is not None else loaded
    shown = tuple(t for t in shown if t in ctx.facts)
    show_std = include_std or ctx.project_std

    verdicts: dict[str, dict[Target, PackageOnTarget]] = {}
    hits: list[_Hit] = []
    dirs: dict[str, str | None] = {}
    standard: dict[str, bool] = {}
    std_uses: dict[str, list[Target]] = {}
    reached: dict[str, dict[str, None]] = {}
    chains: dict[str, tuple[str, ...]] = {}
    all_roots: dict[str, None] = {}
    no_data: list[Target] = []
    for target in shown:
        listing = ctx.listing[target]
        graph = reach.import_graph(listing)
        reverse = reach.reverse_graph(graph)
        mains = reach.main_roots(listing)
        all_roots.update(dict.fromkeys(mains))
        if target.cgo and ctx.headers.for_target(target) is None:
            no_data.append(target)
        for p in listing.packages:
            ip = p.import_path
            if p.standard and not show_std:
                if p.uses_cgo:
                    std_uses.setdefault(ip, []).append(target)
                continue
            if not _interesting(ctx, ip) and p.error is None:
                continue
            directory = relative_dir(p, matrix.module_root)
            # Files of a dependency outside the module are named by its import path.
            entry, found = _judge_package(ctx, target, p, directory or ip)
            hits.extend(found)
            if not _interesting(ctx, ip):
                continue
            dirs.setdefault(ip, directory)
            standard[ip] = p.standard
            verdicts.setdefault(ip, {})[target] = entry
            if entry.status is not Status.ABSENT:
                found_chains = reach.import_chains(graph, mains, ip, reverse=reverse)
                reached.setdefault(ip, {}).update(dict.fromkeys(c[0] for c in found_chains))
                if found_chains and (ip not in chains or entry.status is Status.CGO):
                    best = found_chains[0]
                    old = chains.get(ip)
                    if old is None or (len(best), best) < (len(old), old):
                        chains[ip] = best
        for ip, p1, directory in _skipped_roots(ctx, target):
            # `go list ./...` (and `go build ./...`) without cgo matches no package where no
            # Go file is left: the package vanishes without a word. Built alone it fails.
            dropped = _rel(directory or ip, sorted({*p1.go_files, *p1.cgo_files}))
            hits.append(
                _Hit(
                    rule=rules.cgo_without_fallback,
                    package=ip,
                    subject="",
                    target=target,
                    files=dropped,
                )
            )
            dirs.setdefault(ip, directory)
            standard[ip] = p1.standard
            verdicts.setdefault(ip, {})[target] = PackageOnTarget(
                target=target, status=Status.BROKEN, dropped_files=dropped
            )

    packages = tuple(
        _package_record(
            ip,
            directory=dirs[ip],
            is_std=standard[ip],
            verdicts=verdicts[ip],
            shown=shown,
            reached=reached,
            chains=chains,
        )
        for ip in sorted(verdicts)
    )
    findings = _findings(hits, shown)
    groups = _groups(packages, findings, shown)
    std = tuple(
        StdCgo(import_path=ip, targets=tuple(ts), where=compact_targets(ts, shown))
        for ip, ts in sorted(std_uses.items())
    )
    return ScanResult(
        patterns=matrix.patterns,
        tags=matrix.tags,
        targets=shown,
        roots=tuple(all_roots),
        groups=groups,
        packages=packages,
        findings=findings,
        std=std,
        why=tuple(_why(ctx, w, shown) for w in why),
        problems=tuple(
            pr.replace(matrix.module_root.rstrip("/") + "/", "") if matrix.module_root else pr
            for pr in matrix.problems
        ),
        no_header_data=tuple(no_data),
    )


def _package_record(
    ip: str,
    *,
    directory: str | None,
    is_std: bool,
    verdicts: dict[Target, PackageOnTarget],
    shown: Sequence[Target],
    reached: dict[str, dict[str, None]],
    chains: dict[str, tuple[str, ...]],
) -> CgoPackage:
    per_target = tuple(
        verdicts.get(t, PackageOnTarget(target=t, status=Status.ABSENT)) for t in shown
    )
    using = [e for e in per_target if e.status is Status.CGO]

    def union(attr: str, entries: Sequence[PackageOnTarget]) -> tuple[str, ...]:
        seen: dict[str, None] = {}
        for e in entries:
            seen.update(dict.fromkeys(getattr(e, attr)))
        return tuple(sorted(seen))

    everywhere = union("other_files", per_target)

    def of_kind(*suffixes: str) -> tuple[str, ...]:
        return tuple(f for f in everywhere if f.endswith(suffixes))

    needs = Needs(
        system_headers=union("system_headers", using),
        local_headers=union("local_headers", using),
        libs=union("libs", using),
        pkg_config=union("pkg_config", using),
        c_files=of_kind(".c"),
        cxx_files=of_kind(".cc", ".cpp", ".cxx"),
        m_files=of_kind(".m"),
        s_files=of_kind(".s", ".S", ".sx"),
        syso_files=of_kind(".syso"),
    )
    return CgoPackage(
        import_path=ip,
        dir=directory,
        standard=is_std,
        reached_from=tuple(reached.get(ip, {})),
        chain=chains.get(ip, ()),
        needs=needs,
        per_target=per_target,
    )


def _findings(hits: Sequence[_Hit], shown: Sequence[Target]) -> tuple[Finding, ...]:
    merged: dict[tuple[str, str, str], list[_Hit]] = {}
    for h in hits:
        merged.setdefault((h.rule.id, h.package, h.subject), []).append(h)
    out: list[Finding] = []
    for (_, package, subject), group in merged.items():
        r = group[0].rule
        targets = tuple(dict.fromkeys(h.target for h in group))
        files = tuple(sorted({f for h in group for f in h.files}))
        extra = tuple(sorted({f for h in group for f in h.extra}))
        labels = tuple(sorted({lab for h in group for lab in h.labels}))
        conditions = sorted({h.condition for h in group if h.condition})
        condition = conditions[0] if conditions else ""
        message = _message(
            r, package=package, subject=subject, files=files, extra=extra, labels=labels
        )
        if condition:
            certain = sum(1 for h in group if not h.condition)
            where = "" if not certain else f" on {len(group) - certain} of these targets"
            message += f"; the include is under `{condition}`{where}, which cgotrap cannot decide"
        out.append(
            Finding(
                rule=r,
                package=package,
                subject=subject,
                targets=targets,
                where=compact_targets(targets, shown),
                message=message,
                files=files,
                condition=condition,
            )
        )
    out.sort(key=lambda f: (_SEVERITY_ORDER[f.severity], f.rule.id, f.package, f.subject))
    return tuple(out)


_MESSAGE_FILES = 4
"""Files named in a message before "(+N more)"; `Finding.files` has them all."""


def _names(files: Sequence[str]) -> str:
    if not files:
        return "its cgo files"
    shown = ", ".join(files[:_MESSAGE_FILES])
    more = len(files) - _MESSAGE_FILES
    return f"{shown} (+{more} more)" if more > 0 else shown


def _drop(files: Sequence[str]) -> str:
    return f"{_names(files)} {'drops' if len(files) == 1 else 'drop'} out"


def _take(files: Sequence[str]) -> str:
    return f"{_names(files)} {'takes' if len(files) == 1 else 'take'} over"


def _message(
    r: Rule,
    *,
    package: str,
    subject: str,
    files: Sequence[str],
    extra: Sequence[str],
    labels: Sequence[str],
) -> str:
    if r is rules.cgo_without_fallback:
        return (
            f'{package}: without cgo {_drop(files)} and no Go file is left (go: "{_NO_GO_FILES}")'
        )
    if r is rules.cgo_fallback_takes_over:
        return f"{package}: without cgo {_drop(extra)}; {_take(files)}"
    if r is rules.c_files_without_cgo:
        return (
            f'{package}: {_names(files)} without a file that imports "C" '
            f'(go: "C {_C_NOT_ALLOWED} or SWIG")'
        )
    if r is rules.header_missing_on_target:
        return f"{package}: <{subject}> is not in {' / '.join(labels)} ({_names(files)})"
    if r is rules.needs_system_library:
        return f"{package}: links -l{subject}, which is not part of the target's libc"
    if r is rules.needs_pkg_config:
        return f"{package}: runs `pkg-config {subject}` at build time"
    if r is rules.cgo_required_on_port_without_cgo:
        return f"{package}: needs cgo ({_names(files)}), and Go has no cgo on these ports"
    if r is rules.cgo_files_dropped_without_replacement:
        return f"{package}: without cgo {_drop(files)} and nothing takes its place"
    if r is rules.header_from_external_library:
        return f"{package}: <{subject}> comes from a C library no libc ships ({_names(files)})"
    if r is rules.header_from_apple_framework:
        framework = extra[0] if extra else subject.partition("/")[0]
        return (
            f"{package}: <{subject}> is in the {framework} framework of Apple's SDK: a native "
            f"build finds it, a cross build needs the SDK ({_names(files)})"
        )
    if r is rules.std_package_uses_cgo:
        return f"{package}: a standard-library package compiling C code; the binary links libc"
    if r is rules.go_package_error:
        return f"{package}: {subject}"
    if r is rules.header_missing_in_zig_macos_headers:
        return (
            f"{package}: <{subject}> is not among zig's macOS headers (the SDK may have it; "
            f"a zig cross build fails) ({_names(files)})"
        )
    if r is rules.port_requires_cgo_linking:
        return f'{package}: these ports link only through cgo (go: "... {_NEEDS_EXTERNAL_LINK}")'
    return f"{package}: {r.summary}"


def _groups(
    packages: Sequence[CgoPackage], findings: Sequence[Finding], shown: Sequence[Target]
) -> tuple[TargetGroup, ...]:
    signature: dict[Target, tuple[object, ...]] = {}
    for t in shown:
        statuses = tuple(p.on(t).status for p in packages)
        hits = tuple((f.rule.id, f.package, f.subject) for f in findings if t in f.targets)
        signature[t] = (statuses, hits)
    by_sig: dict[tuple[object, ...], list[Target]] = {}
    for t in shown:
        by_sig.setdefault(signature[t], []).append(t)
    out = []
    for index, members in enumerate(by_sig.values()):
        out.append(
            TargetGroup(
                key=_column_key(index),
                label=compact_targets(members, shown),
                targets=tuple(members),
            )
        )
    return tuple(out)


def _column_key(index: int) -> str:
    letters = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
    return letters[index] if index < len(letters) else f"G{index + 1}"


def _why(ctx: _Context, wanted: str, shown: Sequence[Target]) -> WhyAnswer:
    package = _resolve_why(ctx, wanted, shown)
    answers: dict[tuple[tuple[str, ...], ...], list[Target]] = {}
    for t in shown:
        listing = ctx.listing[t]
        found = reach.import_chains(
            reach.import_graph(listing), reach.main_roots(listing), package, limit=5
        )
        answers.setdefault(tuple(found), []).append(t)
    groups = tuple(
        WhyGroup(where=compact_targets(ts, shown), targets=tuple(ts), chains=chains)
        for chains, ts in answers.items()
    )
    return WhyAnswer(package=package, groups=groups)


def _resolve_why(ctx: _Context, wanted: str, shown: Sequence[Target]) -> str:
    """An import path as given, or the package in a module-relative directory ("./sqlite")."""
    if not wanted.startswith((".", "/")):
        return wanted
    rel = posixpath.normpath(wanted.lstrip("/") if wanted.startswith("/") else wanted)
    for t in shown:
        for p in ctx.listing[t].packages:
            if relative_dir(p, ctx.matrix.module_root) == rel:
                return p.import_path
    return wanted
