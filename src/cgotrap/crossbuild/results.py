"""What `cgotrap matrix` found: per target, per step, the outcome and the findings.

The records the runner (`cgotrap.crossbuild.runner`) produces and the renderers
(`cgotrap.render.matrix`) read; neither side needs the other.
"""

from __future__ import annotations

import dataclasses
import enum

from cgotrap.judge.buildfail import group
from cgotrap.judge.finding import Finding, Step
from cgotrap.targets import Target

__all__ = [
    "FAILING",
    "MatrixReport",
    "Outcome",
    "Step",
    "StepResult",
    "TargetResult",
]


class Outcome(enum.StrEnum):
    """How a step (or a whole target) ended."""

    PASS = "pass"  # noqa: S105  # an outcome, not a password
    FAIL = "fail"
    TIMEOUT = "timeout"
    NOT_RUN = "not-run"
    """Tests compiled but could not run here (a note, not a failure)."""
    SKIPPED = "skipped"
    """Not attempted: an earlier step failed, or no C compiler exists for the target."""
    CANCELLED = "cancelled"


FAILING: frozenset[Outcome] = frozenset({Outcome.FAIL, Outcome.TIMEOUT, Outcome.CANCELLED})


@dataclasses.dataclass(frozen=True, kw_only=True, slots=True)
class StepResult:
    """One go command of one target."""

    step: Step
    """build, vet or test."""
    outcome: Outcome
    """How it ended."""
    command: tuple[str, ...] = ()
    """The go command line (go's own path shortened to "go")."""
    seconds: float = 0.0
    """Wall time."""
    log: str = ""
    """Log file, relative to the results folder ("linux-amd64-cgo1/build.log")."""
    findings: tuple[Finding, ...] = ()
    """What went wrong (or, for NOT_RUN, the CGO113 note)."""


@dataclasses.dataclass(frozen=True, kw_only=True, slots=True)
class TargetResult:
    """Every step of one target."""

    target: Target
    """The target."""
    steps: tuple[StepResult, ...]
    """Steps in the order they ran (skipped ones included)."""
    cc: str = ""
    """The C compiler used for cgo ("zig cc -target x86_64-linux-musl"), "" without cgo."""
    allowed_to_fail: bool = False
    """A failure here does not fail the run (`--allow-fail`)."""
    cached: bool = False
    """Reused from the previous run: nothing changed."""
    variant: tuple[str, ...] = ()
    """The `--variant` tags this run added (("netgo", "osusergo")); () for the base build."""
    tags: tuple[str, ...] = ()
    """Every build tag go got (`--tags` plus the variant's), in order."""

    @property
    def variant_name(self) -> str:
        """The variant as the user wrote it ("netgo,osusergo"); "" for the base build."""
        return ",".join(self.variant)

    @property
    def outcome(self) -> Outcome:
        """FAIL/TIMEOUT/CANCELLED if a step did; SKIPPED if the build was skipped; else PASS."""
        for bad in (Outcome.CANCELLED, Outcome.TIMEOUT, Outcome.FAIL):
            if any(s.outcome is bad for s in self.steps):
                return bad
        if self.steps and self.steps[0].outcome is Outcome.SKIPPED:
            return Outcome.SKIPPED
        return Outcome.PASS

    @property
    def seconds(self) -> float:
        """Total wall time of the steps."""
        return sum(s.seconds for s in self.steps)

    @property
    def findings(self) -> tuple[Finding, ...]:
        """Findings of every step."""
        return tuple(f for s in self.steps for f in s.findings)


@dataclasses.dataclass(frozen=True, kw_only=True, slots=True)
class MatrixReport:
    """The whole run."""

    targets: tuple[TargetResult, ...]
    """One result per target, in the order targets were given."""
    steps: tuple[Step, ...]
    """Steps that were asked for."""
    packages: tuple[str, ...]
    """Package patterns built."""
    go_version: str
    """"go1.27.3"."""
    zig_version: str
    """zig's version, "" if zig was not used."""
    results_dir: str
    """Where logs and binaries are (absolute: the user needs to find it)."""
    glibc: str
    """The glibc version gnu targets without their own pin link against ("2.31")."""
    macos_min: str
    """The minimum macOS version of darwin cgo builds ("15.0")."""
    glibc_pinned: bool = False
    """True when `glibc` came from `--glibc` (or `.cgotrap.toml`), False: zig's default."""
    macos_min_pinned: bool = False
    """True when `macos_min` came from `--macos-min`, False when it is zig's default."""
    tags: tuple[str, ...] = ()
    """`--tags`: build tags of every build."""
    variants: tuple[tuple[str, ...], ...] = ((),)
    """The base build () and each `--variant`'s added tags, in order."""

    @property
    def groups(self) -> tuple[Finding, ...]:
        """Findings of all targets, identical ones merged (within one variant)."""
        return tuple(f for _, found in self.groups_by_variant for f in found)

    @property
    def groups_by_variant(self) -> tuple[tuple[tuple[str, ...], tuple[Finding, ...]], ...]:
        """(variant, its findings with identical ones merged), for each variant in order:
        the same failure with and without `netgo` is two facts, not one."""
        return tuple(
            (variant, group(f for t in self.targets if t.variant == variant for f in t.findings))
            for variant in self.variants
        )

    @property
    def failed(self) -> bool:
        """True when a target not allowed to fail failed (the exit code)."""
        return any(t.outcome in FAILING and not t.allowed_to_fail for t in self.targets)
