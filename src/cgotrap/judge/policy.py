"""Policies and run-targets: will this binary run there, does it meet that rule.

The knowledge is data (`data/policies/policies.json`, `data/policies/run_targets.json`,
written by `scripts/gen_policies.py`), loaded into frozen records and validated on load; a
broken file is a `DataError`. The judgement functions are pure: an `Inspected` binary in, a
`Verdict` with one-line reasons out ("needs GLIBC_2.34 (pthread_create@GLIBC_2.34); rhel-7
has 2.17").
"""

from __future__ import annotations

import dataclasses
import enum
import fnmatch
import functools
from collections.abc import Sequence
from typing import Any, assert_never

from cgotrap.errors import DataError, UsageError
from cgotrap.judge.finding import Finding
from cgotrap.judge.rules.binary import check_release
from cgotrap.read.binary import Inspected
from cgotrap.read.binary.interface import BinaryFormat, Linkage

FORMAT_VERSION = 1


class PolicyKind(enum.StrEnum):
    """What a policy checks."""

    STATIC = "static"
    GLIBC = "glibc"
    MUSL = "musl"


class LibcKind(enum.StrEnum):
    """The C library a run-target provides."""

    GLIBC = "glibc"
    MUSL = "musl"
    NONE = "none"
    DARWIN = "darwin"
    WINDOWS = "windows"


class Fit(enum.StrEnum):
    """Whether a binary runs on a run-target / meets a policy."""

    YES = "yes"
    NO = "no"
    MAYBE = "maybe"
    """It runs once libraries outside the base system are installed."""
    NOT_APPLICABLE = "n/a"
    """The policy does not speak about this kind of binary (a Mach-O under `glibc<=2.17`)."""
    UNKNOWN = "unknown"
    """The file could not be read."""


@dataclasses.dataclass(frozen=True, kw_only=True, slots=True)
class Policy:
    """A named rule a Linux binary must meet (`--policy glibc<=2.17`)."""

    name: str
    """"static", "glibc<=2.17", "musl"."""
    kind: PolicyKind
    """What it checks."""
    glibc_max: tuple[int, ...]
    """Highest allowed GLIBC_ symbol version (glibc policies), () otherwise."""
    libraries: frozenset[str]
    """Needed libraries allowed (glibc, musl policies)."""
    description: str
    """One line for people."""


@dataclasses.dataclass(frozen=True, kw_only=True, slots=True)
class RunTarget:
    """A system people run binaries on (`--runs-on alpine,rhel-7`)."""

    name: str
    """"alpine", "rhel-7", "macos-12", "windows"."""
    os: str
    """GOOS of the system: "linux", "darwin", "windows"."""
    arches: frozenset[str]
    """GOARCHes it is available for."""
    libc: LibcKind
    """The C library it has."""
    libc_version: tuple[int, ...]
    """Its version (glibc "2.17" -> (2, 17)); () when not versioned here."""
    os_version: tuple[int, ...]
    """OS version (macOS "12.0" -> (12, 0)); () when not versioned here."""
    loaders: frozenset[str]
    """Dynamic loaders present ("/lib64/ld-linux-x86-64.so.2")."""
    libraries: tuple[str, ...]
    """Libraries of the base system (glob patterns allowed: "/usr/lib/*", "api-ms-win-*")."""
    source: str
    """Where the figures come from."""


@dataclasses.dataclass(frozen=True, kw_only=True, slots=True)
class Verdict:
    """One binary against one run-target or policy."""

    subject: str
    """The run-target or policy name."""
    fit: Fit
    """The answer."""
    reasons: tuple[str, ...] = ()
    """Why not (or what is needed), one line each; empty for a plain yes."""
    other_platform: bool = False
    """The "no" is only that the binary is built for another OS or architecture."""


def dotted_version(text: str) -> tuple[int, ...]:
    """A libc or OS version as a comparable key: "2.34" (GLIBC_2.34), "1.2.3" (musl),
    "10.15" (macOS) -> (2, 34), (1, 2, 3), (10, 15); raises ValueError on anything else.
    Not for Go or module versions: those are `gostd.compare_go_versions` / `compare_semver`."""
    return tuple(int(part) for part in text.split("."))


def _data(name: str) -> Any:
    from cgotrap import data  # only --runs-on and --policy read the data

    return data.load(f"policies/{name}")


def _version(text: str) -> tuple[int, ...]:
    return dotted_version(text) if text else ()  # the records checked it is a version


@functools.cache
def policies() -> dict[str, Policy]:
    """Every policy by name (validated; `DataError` if the data file is broken)."""
    from cgotrap import data
    from cgotrap.data.records.policies import PoliciesFile

    found: dict[str, Policy] = {}
    for entry in data.decode(_data("policies.json"), PoliciesFile).policies:
        where = f"policies.json {entry.name!r}"
        kind = PolicyKind(entry.kind)
        glibc_max = _version(entry.glibc_max)
        if (kind is PolicyKind.GLIBC) != bool(glibc_max):
            raise DataError(f"{where}: glibc_max is set exactly for glibc policies")
        if entry.name in found:
            raise DataError(f"{where}: defined twice")
        found[entry.name] = Policy(
            name=entry.name,
            kind=kind,
            glibc_max=glibc_max,
            libraries=frozenset(entry.libraries),
            description=entry.description,
        )
    if not found:
        raise DataError("policies.json: no policies")
    return found


@functools.cache
def run_targets() -> dict[str, RunTarget]:
    """Every run-target by name (validated; `DataError` if the data file is broken)."""
    from cgotrap import data
    from cgotrap.data.records.policies import RunTargetsFile

    found: dict[str, RunTarget] = {}
    for entry in data.decode(_data("run_targets.json"), RunTargetsFile).run_targets:
        where = f"run_targets.json {entry.name!r}"
        libc = LibcKind(entry.libc)
        libc_version = _version(entry.libc_version)
        if libc is LibcKind.GLIBC and not libc_version:
            raise DataError(f"{where}: a glibc run-target needs its glibc version")
        if not entry.source:
            raise DataError(f"{where}: every run-target names its source")
        if entry.name in found:
            raise DataError(f"{where}: defined twice")
        found[entry.name] = RunTarget(
            name=entry.name,
            os=entry.os,
            arches=frozenset(entry.arches),
            libc=libc,
            libc_version=libc_version,
            os_version=_version(entry.os_version),
            loaders=frozenset(entry.loaders),
            libraries=entry.libraries,
            source=entry.source,
        )
    if not found:
        raise DataError("run_targets.json: no run-targets")
    return found


def select_run_targets(spec: str) -> tuple[RunTarget, ...]:
    """ "alpine,rhel-7" (or "all") -> run-targets; `UsageError` naming the known ones."""
    known = run_targets()
    names = list(known) if spec.strip() == "all" else [n.strip() for n in spec.split(",")]
    chosen: list[RunTarget] = []
    for name in names:
        if not name:
            continue
        if name not in known:
            raise UsageError(f"unknown run-target {name!r}; known: {', '.join(known)}")
        chosen.append(known[name])
    return tuple(chosen)


def get_policy(name: str) -> Policy:
    """The policy `name`; `UsageError` naming the known ones."""
    known = policies()
    if name not in known:
        raise UsageError(f"unknown policy {name!r}; known: {', '.join(known)}")
    return known[name]


# ---------------------------------------------------------------------------------------------
# Facts the verdicts need


def glibc_needs(linkage: Linkage) -> tuple[tuple[int, ...], str, tuple[str, ...]]:
    """(highest GLIBC_ version, its name, the symbols needing it); ((), "", ()) if none."""
    best: tuple[int, ...] = ()
    name = ""
    symbols: tuple[str, ...] = ()
    for need in linkage.version_needs:
        if not need.version.startswith("GLIBC_"):
            continue
        try:
            version = dotted_version(need.version.removeprefix("GLIBC_"))
        except ValueError:
            continue  # GLIBC_PRIVATE
        if version > best:
            best, name, symbols = version, need.version, need.symbols
        elif version == best:
            symbols = tuple(sorted({*symbols, *need.symbols}))
    return best, name, symbols


def libc_of(linkage: Linkage) -> LibcKind:
    """Which C library a binary is linked against, from its loader and symbol versions."""
    match linkage.format:
        case BinaryFormat.MACHO:
            return LibcKind.DARWIN
        case BinaryFormat.PE:
            return LibcKind.WINDOWS
        case BinaryFormat.ELF:
            if linkage.static:
                return LibcKind.NONE
            if "ld-musl" in linkage.interpreter:
                return LibcKind.MUSL
            if "ld-linux" in linkage.interpreter or "ld64.so" in linkage.interpreter:
                return LibcKind.GLIBC
            if any(n.version.startswith("GLIBC_") for n in linkage.version_needs):
                return LibcKind.GLIBC
            if any(lib.startswith("libc.so") and lib != "libc.so.6" for lib in linkage.needed):
                return LibcKind.MUSL
            return LibcKind.GLIBC if "libc.so.6" in linkage.needed else LibcKind.NONE
        case _ as unreachable:
            assert_never(unreachable)


def _dotted(version: tuple[int, ...]) -> str:
    return ".".join(str(v) for v in version)


def _symbols_text(name: str, symbols: tuple[str, ...]) -> str:
    # public names first: "pthread_create" says more than "__libc_start_main"
    ordered = sorted(symbols, key=lambda s: (s.startswith("_"), s))
    shown = ", ".join(f"{s}@{name}" for s in ordered[:3])
    more = f" +{len(symbols) - 3} more" if len(symbols) > 3 else ""
    return f" ({shown}{more})" if shown else ""


def _os_of(binary: Inspected) -> str:
    goos = binary.goos
    if not goos and binary.linkage is not None and binary.linkage.format is BinaryFormat.ELF:
        return "linux"  # an ELF that names no other OS (SYSV ABI, no note): Linux
    return goos


def _allowed(library: str, patterns: tuple[str, ...] | frozenset[str], *, fold: bool) -> bool:
    name = library.lower() if fold else library
    return any(fnmatch.fnmatchcase(name, p.lower() if fold else p) for p in patterns)


# ---------------------------------------------------------------------------------------------
# Verdicts


def judge_run_target(binary: Inspected, target: RunTarget) -> Verdict:
    """Will `binary` run on `target`?"""
    linkage = binary.linkage
    if linkage is None:
        return Verdict(subject=target.name, fit=Fit.UNKNOWN, reasons=(binary.error,))
    goos, goarch = _os_of(binary), binary.goarch
    if goos != target.os:
        return Verdict(
            subject=target.name,
            fit=Fit.NO,
            reasons=(f"built for {goos or 'unknown OS'}/{goarch}; {target.name} is {target.os}",),
            other_platform=True,
        )
    if goarch not in target.arches:
        return Verdict(
            subject=target.name,
            fit=Fit.NO,
            reasons=(f"built for {goos}/{goarch}; {target.name} has no {goarch} build",),
            other_platform=True,
        )
    match target.libc:
        case LibcKind.GLIBC | LibcKind.MUSL | LibcKind.NONE:
            return _judge_linux(linkage, target)
        case LibcKind.DARWIN:
            return _judge_darwin(linkage, target)
        case LibcKind.WINDOWS:
            return _judge_windows(linkage, target)
        case _ as unreachable:
            assert_never(unreachable)


def _judge_linux(linkage: Linkage, target: RunTarget) -> Verdict:
    if linkage.static:
        return Verdict(subject=target.name, fit=Fit.YES)
    libc = libc_of(linkage)
    loader = linkage.interpreter or "a dynamic loader"
    if target.libc is LibcKind.NONE:
        return Verdict(
            subject=target.name,
            fit=Fit.NO,
            reasons=(f"dynamic, needs {loader}; {target.name} has no libc",),
        )
    no: list[str] = []
    maybe: list[str] = []
    if libc is not target.libc:
        no.append(f"dynamic, needs {loader}, {target.name} has {target.libc.value}")
    elif linkage.interpreter and linkage.interpreter not in target.loaders:
        no.append(f"needs loader {linkage.interpreter}, which {target.name} does not have")
    if target.libc is LibcKind.GLIBC:
        best, name, symbols = glibc_needs(linkage)
        if best and best > target.libc_version:
            no.append(
                f"needs {name}{_symbols_text(name, symbols)}; "
                f"{target.name} has {_dotted(target.libc_version)}"
            )
    extra = [lib for lib in linkage.needed if not _allowed(lib, target.libraries, fold=False)]
    if libc is not target.libc:
        extra = []  # the wrong libc says it all: its libraries are missing too
    if extra and not no:
        maybe.append(f"needs {', '.join(extra)}, not in {target.name}'s base system")
    elif extra:
        no.append(f"needs {', '.join(extra)}")
    if no:
        return Verdict(subject=target.name, fit=Fit.NO, reasons=tuple(no))
    if maybe:
        return Verdict(subject=target.name, fit=Fit.MAYBE, reasons=tuple(maybe))
    return Verdict(subject=target.name, fit=Fit.YES)


def _judge_darwin(linkage: Linkage, target: RunTarget) -> Verdict:
    reasons: list[str] = []
    if linkage.min_os is not None and target.os_version:
        try:
            needed = dotted_version(linkage.min_os.version)
        except ValueError:
            needed = ()
        if needed > target.os_version:
            reasons.append(
                f"needs macOS {linkage.min_os.version}; {target.name} has "
                f"{_dotted(target.os_version)}"
            )
    if reasons:
        return Verdict(subject=target.name, fit=Fit.NO, reasons=tuple(reasons))
    extra = [lib for lib in linkage.needed if not _allowed(lib, target.libraries, fold=False)]
    if extra:
        return Verdict(
            subject=target.name,
            fit=Fit.MAYBE,
            reasons=(f"needs {', '.join(extra)}, not part of macOS",),
        )
    return Verdict(subject=target.name, fit=Fit.YES)


def _judge_windows(linkage: Linkage, target: RunTarget) -> Verdict:
    extra = [lib for lib in linkage.needed if not _allowed(lib, target.libraries, fold=True)]
    if extra:
        return Verdict(
            subject=target.name,
            fit=Fit.MAYBE,
            reasons=(f"needs {', '.join(extra)}, not part of Windows",),
        )
    return Verdict(subject=target.name, fit=Fit.YES)


def judge_policy(binary: Inspected, policy: Policy) -> Verdict:
    """Does `binary` meet `policy`? Policies speak about Linux ELF binaries only."""
    linkage = binary.linkage
    if linkage is None:
        return Verdict(subject=policy.name, fit=Fit.UNKNOWN, reasons=(binary.error,))
    if linkage.format is not BinaryFormat.ELF or _os_of(binary) != "linux":
        return Verdict(subject=policy.name, fit=Fit.NOT_APPLICABLE)
    reasons: list[str] = []
    match policy.kind:
        case PolicyKind.STATIC:
            if not linkage.static:
                what = linkage.interpreter or ", ".join(linkage.needed)
                reasons.append(f"dynamic, needs {what}")
        case PolicyKind.GLIBC:
            if not linkage.static:
                if libc_of(linkage) is LibcKind.MUSL:
                    reasons.append(f"linked against musl ({linkage.interpreter or 'libc.so'})")
                best, name, symbols = glibc_needs(linkage)
                if best > policy.glibc_max:
                    reasons.append(
                        f"needs {name}{_symbols_text(name, symbols)}, "
                        f"policy allows {_dotted(policy.glibc_max)}"
                    )
                extra = [lib for lib in linkage.needed if lib not in policy.libraries]
                if extra:
                    reasons.append(f"needs {', '.join(extra)}, not in the allowed libraries")
        case PolicyKind.MUSL:
            if not linkage.static:
                if libc_of(linkage) is not LibcKind.MUSL:
                    reasons.append(f"dynamic, needs {linkage.interpreter or 'glibc'}, not musl")
                extra = [lib for lib in linkage.needed if lib not in policy.libraries]
                if extra:
                    reasons.append(f"needs {', '.join(extra)}")
        case _ as unreachable:
            assert_never(unreachable)
    return Verdict(subject=policy.name, fit=Fit.NO if reasons else Fit.YES, reasons=tuple(reasons))


# ---------------------------------------------------------------------------------------------
# The whole inspect report


@dataclasses.dataclass(frozen=True, kw_only=True, slots=True)
class BinaryVerdicts:
    """One binary with its verdicts."""

    binary: Inspected
    """The inspected binary."""
    runs_on: tuple[Verdict, ...]
    """One verdict per requested run-target, in the order asked."""
    policy: Verdict | None
    """The verdict of `--policy`, if one was given."""


@dataclasses.dataclass(frozen=True, kw_only=True, slots=True)
class InspectReport:
    """Everything `cgotrap inspect` reports."""

    binaries: tuple[BinaryVerdicts, ...]
    """Every binary (and unreadable file) in input order."""
    run_targets: tuple[RunTarget, ...]
    """The run-targets asked for (`--runs-on`)."""
    policy: Policy | None
    """The policy asked for (`--policy`)."""
    findings: tuple[Finding, ...]
    """Rule findings: unreadable files, policy violations, the release's odd ones out."""

    @property
    def policy_violated(self) -> bool:
        """Whether some binary fails the policy (or could not be read to say)."""
        return any(
            b.policy is not None and b.policy.fit in (Fit.NO, Fit.UNKNOWN) for b in self.binaries
        )


def build_report(
    binaries: Sequence[Inspected], targets: Sequence[RunTarget], policy: Policy | None
) -> InspectReport:
    """Judge every binary against the run-targets and the policy, and the set as a release."""
    from cgotrap.judge.rules import get

    entries = tuple(
        BinaryVerdicts(
            binary=b,
            runs_on=tuple(judge_run_target(b, t) for t in targets),
            policy=judge_policy(b, policy) if policy is not None else None,
        )
        for b in binaries
    )
    findings = list(check_release(binaries))
    findings.extend(
        get("CGO201").finding(
            subject=entry.binary.name,
            policy=entry.policy.subject,
            reasons="; ".join(entry.policy.reasons),
        )
        for entry in entries
        if entry.policy is not None and entry.policy.fit is Fit.NO
    )
    findings.sort(key=lambda f: (f.rule.id, f.subject))
    return InspectReport(
        binaries=entries, run_targets=tuple(targets), policy=policy, findings=tuple(findings)
    )
