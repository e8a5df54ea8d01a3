"""One view of a report as findings, what the CI formats (SARIF, annotations, Markdown, JUnit,
Code Climate, HTML) are written over, whichever command made the report.

`from_scan`, `from_inspect` and `from_matrix` make a `FindingsReport` from each command's
result: its findings (with the severity and suppression the project gives them, see
`Reported`), where each points in the project, and the packages × target-groups matrix the
HTML report draws. Every text from the scanned world is made `visible` here, once, so no
format can forget it.
"""

from __future__ import annotations

import dataclasses
import enum
import hashlib
import posixpath
import re
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Protocol

from cgotrap import __version__
from cgotrap.judge.finding import Evidence, Finding, Rule, Severity
from cgotrap.judge.scan import ScanResult
from cgotrap.judge.scan.labels import compact_targets
from cgotrap.render.escape import visible, visible_lines
from cgotrap.targets import Target

if TYPE_CHECKING:
    # Each command's own report, in annotations only: a scan's SARIF does not load the
    # matrix runner's or inspect's records and rules (~10 ms of imports).
    from cgotrap.crossbuild.results import MatrixReport
    from cgotrap.judge.policy import InspectReport

SEVERITY_ORDER = (Severity.ERROR, Severity.WARNING, Severity.NOTE)
"""Worst first."""


class Command(enum.StrEnum):
    """The command a report comes from (SARIF's run category, the reports' titles)."""

    SCAN = "scan"
    INSPECT = "inspect"
    MATRIX = "matrix"


class SuppressionKind(enum.StrEnum):
    """Where a suppression was written (SARIF `suppressions[].kind`: external, inSource)."""

    CONFIG = "config"
    """An `[[ignore]]` of `.cgotrap.toml`."""
    INLINE = "inline"
    """A `//cgotrap:ignore RULE reason` comment in Go source."""


@dataclasses.dataclass(frozen=True, kw_only=True, slots=True)
class Suppression:
    """Why a finding does not count against the gate (it stays in every report, marked)."""

    kind: SuppressionKind
    """Config ignore or inline comment."""
    reason: str
    """The reason the project wrote."""
    where: str
    """Where it was written: ".cgotrap.toml ignore[2]", "db/sqlite.go:12"."""


@dataclasses.dataclass(frozen=True, kw_only=True, slots=True)
class Judgement:
    """The project's word on one finding (from `.cgotrap.toml` and inline comments)."""

    severity: Severity
    """Its severity after per-rule overrides."""
    suppression: Suppression | None = None
    """The ignore covering it; None when it counts."""


class SuppressionLike(Protocol):
    """What the view reads of a suppression: this module's `Suppression`, or the config's
    (`cgotrap.config.suppress.Suppression`: the same fields, its kind's values the same)."""

    @property
    def kind(self) -> enum.Enum:
        """ "config" or "inline" as the enum's value."""
        ...

    @property
    def reason(self) -> str:
        """The reason written."""
        ...

    @property
    def where(self) -> str:
        """Where it was written."""
        ...


class JudgementLike(Protocol):
    """What the view reads of the project's word on a finding: a `Judgement`, or the
    config's `Judged` (severity after overrides, the suppression or None)."""

    @property
    def severity(self) -> Severity:
        """The severity after overrides."""
        ...

    @property
    def suppression(self) -> SuppressionLike | None:
        """The suppression covering it, if any."""
        ...


@dataclasses.dataclass(frozen=True, kw_only=True, slots=True)
class Column:
    """A group of targets on which every row fares the same (a column of the heatmap)."""

    key: str
    """Short key: "A", "B", ...; "*" for findings that are not about targets."""
    label: str
    """The targets, compacted ("linux/{amd64,arm64} cgo=1")."""
    targets: tuple[str, ...]
    """Target names, in target order."""


@dataclasses.dataclass(frozen=True, kw_only=True, slots=True)
class Row:
    """A package (or, for `inspect`, a binary): a row of the heatmap."""

    name: str
    """Import path or binary path (visible)."""
    chain: tuple[str, ...] = ()
    """One shortest import chain from a main package to it (visible); () when not known."""
    statuses: tuple[str, ...] = ()
    """Per column, what it is there ("cgo", "fallback", "broken"...); () when not known."""


@dataclasses.dataclass(frozen=True, kw_only=True, slots=True)
class Reported:
    """One finding as the formats show it: its texts visible, located, fingerprinted."""

    finding: Finding
    """The finding as the rules made it (texts unescaped)."""
    rule: Rule
    """Its rule."""
    severity: Severity
    """The severity it is reported with (the rule's, or the project's override)."""
    suppression: Suppression | None
    """Set when the project accepted it; it is then shown as suppressed, never dropped."""
    message: str
    """The message (visible)."""
    package: str
    """The package's import path (visible); "" when not about a package."""
    subject: str
    """The subject (visible)."""
    path: str
    """The primary location, relative to the module root (or as the user named a binary);
    "" when the finding points nowhere in particular."""
    line: int | None
    """1-based line in `path`, when known."""
    evidence: tuple[Evidence, ...]
    """Evidence with visible texts (tool output keeps its lines)."""
    targets: tuple[str, ...]
    """Names of the targets it holds on."""
    where: str
    """`targets` compacted ("darwin/*, windows/* cgo=1"); "" when not about targets."""
    condition: str
    """The undecidable `#if` it depends on (visible), or ""."""
    columns: tuple[str, ...]
    """Keys of the columns it shows in."""
    fingerprint: str
    """Stable identity across line moves and target regrouping: from rule, package and
    subject (an ordinal is appended when two findings of one report share them)."""

    @property
    def rule_id(self) -> str:
        """The rule's ID ("CGO004")."""
        return self.rule.id

    @property
    def row(self) -> str:
        """The heatmap row it belongs to: its package, else its subject (a binary)."""
        return self.package or self.subject


@dataclasses.dataclass(frozen=True, kw_only=True, slots=True)
class FindingsReport:
    """A command's report as findings, for the CI formats."""

    command: Command
    """The command that made it."""
    tool_version: str
    """cgotrap's version."""
    title: str
    """What was looked at ("./...", "dist/"), visible."""
    findings: tuple[Reported, ...]
    """Every finding, suppressed ones included, worst first (the command's order)."""
    columns: tuple[Column, ...]
    """Target groups (one "*" column when the findings are not about targets)."""
    rows: tuple[Row, ...]
    """Packages (or binaries) of the matrix view, in report order."""
    rules: tuple[Rule, ...]
    """The whole rule registry, by ID (SARIF's `tool.driver.rules`)."""
    base: str = ""
    """Where the paths are relative to, relative to the repository's root ("examples/m"
    for a module in a subfolder; "" at the root): SARIF, annotations and Code Climate need
    paths from the checkout's root."""

    def repo_path(self, path: str) -> str:
        """`path` (a finding's) relative to the repository root; absolute ones unchanged."""
        if not path or posixpath.isabs(path) or not self.base:
            return path
        return posixpath.normpath(posixpath.join(self.base, path))

    def counts(self) -> dict[Severity, int]:
        """Findings per severity, suppressed ones not counted."""
        out = dict.fromkeys(SEVERITY_ORDER, 0)
        for f in self.findings:
            if f.suppression is None:
                out[f.severity] += 1
        return out

    @property
    def suppressed(self) -> int:
        """How many findings are suppressed."""
        return sum(1 for f in self.findings if f.suppression is not None)


# ---------------------------------------------------------------------------------------------
# Building the view


def rule_section(rule: Rule, heading: str) -> str:
    """The paragraph of a rule's documentation that starts with `heading:` ("How to fix"),
    without the heading; "" when the documentation has none."""
    for paragraph in re.split(r"\n\s*\n", rule.doc):
        if paragraph.startswith(heading + ":"):
            return " ".join(paragraph[len(heading) + 1 :].split())
    return ""


def _fingerprint(rule_id: str, package: str, subject: str) -> str:
    digest = hashlib.sha256(f"{rule_id}\0{package}\0{subject}".encode("utf-8", "surrogatepass"))
    return digest.hexdigest()[:32]


def _location(finding: Finding, fallback: str) -> tuple[str, int | None]:
    for e in finding.evidence:
        if e.file:
            return posixpath.normpath(e.file), e.line
    if finding.files:
        return posixpath.normpath(finding.files[0]), None
    if finding.rule.subject == "binary" and finding.subject:
        return finding.subject, None
    return fallback, None


def _visible_suppression(mark: SuppressionLike | None) -> Suppression | None:
    if mark is None:
        return None
    return Suppression(
        kind=SuppressionKind(mark.kind.value),
        reason=visible(mark.reason),
        where=visible(mark.where),
    )


def _reported(
    findings: Sequence[Finding],
    *,
    judged: Sequence[JudgementLike] | None,
    universe: Sequence[Target],
    columns: Sequence[tuple[Column, frozenset[Target]]],
    dirs: Mapping[str, str],
    fallback: str,
) -> tuple[Reported, ...]:
    if judged is not None and len(judged) != len(findings):
        raise ValueError("one judgement per finding")
    seen: dict[str, int] = {}
    out = []
    for index, f in enumerate(findings):
        verdict = judged[index] if judged is not None else None
        print_id = _fingerprint(f.rule.id, f.package, f.subject)
        seen[print_id] = seen.get(print_id, 0) + 1
        if seen[print_id] > 1:
            print_id = f"{print_id}:{seen[print_id]}"
        held = frozenset(f.targets)
        keys = tuple(c.key for c, members in columns if not held or members & held)
        where = dirs.get(f.package, "")
        path, line = _location(f, where if where and not where.startswith("$") else fallback)
        out.append(
            Reported(
                finding=f,
                rule=f.rule,
                severity=verdict.severity if verdict else f.severity,
                suppression=_visible_suppression(verdict.suppression if verdict else None),
                message=visible(f.message),
                package=visible(f.package),
                subject=visible(f.subject),
                path=visible(path),
                line=line,
                evidence=tuple(
                    Evidence(file=visible(e.file), line=e.line, text=visible_lines(e.text))
                    for e in f.evidence
                ),
                targets=tuple(t.name for t in f.targets),
                where=compact_targets(f.targets, universe) if f.targets else "",
                condition=visible(f.condition),
                columns=keys,
                fingerprint=print_id,
            )
        )
    return tuple(out)


def _all_rules() -> tuple[Rule, ...]:
    from cgotrap.judge.rules import all_rules

    return all_rules()


_ANY = Column(key="*", label="any target", targets=())


def _grouped_columns(
    findings: Sequence[Finding], universe: Sequence[Target]
) -> tuple[tuple[Column, frozenset[Target]], ...]:
    """Targets grouped where the same findings hold (matrix), like scan's groups."""
    by_sig: dict[tuple[int, ...], list[Target]] = {}
    for t in universe:
        sig = tuple(i for i, f in enumerate(findings) if t in f.targets)
        by_sig.setdefault(sig, []).append(t)
    out = []
    for index, members in enumerate(by_sig.values()):
        key = chr(ord("A") + index) if index < 26 else f"G{index + 1}"
        out.append(
            (
                Column(
                    key=key,
                    label=compact_targets(members, universe),
                    targets=tuple(t.name for t in members),
                ),
                frozenset(members),
            )
        )
    if any(not f.targets for f in findings) or not out:
        out.append((_ANY, frozenset()))
    return tuple(out)


def from_scan(
    result: ScanResult, *, judged: Sequence[JudgementLike] | None = None, base: str = ""
) -> FindingsReport:
    """The view of a `ScanResult` (`judged`: the project's word on each finding, in order)."""
    columns: list[tuple[Column, frozenset[Target]]] = [
        (
            Column(key=g.key, label=g.label, targets=tuple(t.name for t in g.targets)),
            frozenset(g.targets),
        )
        for g in result.groups
    ]
    if any(not f.targets for f in result.findings):
        columns.append((_ANY, frozenset()))
    dirs = {p.import_path: p.dir for p in result.packages if p.dir}
    findings = _reported(
        result.findings,
        judged=judged,
        universe=result.targets,
        columns=columns,
        dirs=dirs,
        fallback="go.mod",
    )
    rows = [
        Row(
            name=visible(p.import_path),
            chain=tuple(visible(c) for c in p.chain),
            statuses=tuple(p.on(g.targets[0]).status.value for g in result.groups),
        )
        for p in result.packages
    ]
    known = {p.import_path for p in result.packages}
    for f in findings:
        if f.finding.package not in known:
            known.add(f.finding.package)
            rows.append(Row(name=f.row))
    return FindingsReport(
        command=Command.SCAN,
        tool_version=__version__,
        title=visible(" ".join(result.patterns)),
        findings=findings,
        columns=tuple(c for c, _ in columns),
        rows=tuple(rows),
        rules=_all_rules(),
        base=base,
    )


def from_inspect(
    report: InspectReport, *, judged: Sequence[JudgementLike] | None = None, base: str = ""
) -> FindingsReport:
    """The view of an `InspectReport`: rows are the binaries."""
    findings = _reported(
        report.findings,
        judged=judged,
        universe=(),
        columns=((_ANY, frozenset()),),
        dirs={},
        fallback="",
    )
    rows = {visible(b.binary.name): None for b in report.binaries}
    rows.update(dict.fromkeys(f.row for f in findings))
    return FindingsReport(
        command=Command.INSPECT,
        tool_version=__version__,
        title=visible(", ".join(b.binary.name for b in report.binaries[:3]))
        + (f" (+{len(report.binaries) - 3})" if len(report.binaries) > 3 else ""),
        findings=findings,
        columns=(_ANY,),
        rows=tuple(Row(name=r) for r in rows),
        rules=_all_rules(),
        base=base,
    )


def from_matrix(
    report: MatrixReport, *, judged: Sequence[JudgementLike] | None = None, base: str = ""
) -> FindingsReport:
    """The view of a `MatrixReport`: columns group the targets where the same findings hold;
    a finding about no package is on the row of the packages built ("./...")."""
    universe = tuple(t.target for t in report.targets)
    built = " ".join(report.packages) or "./..."
    merged = tuple(
        dataclasses.replace(
            f,
            package=f.package or built,
            # "with +netgo,osusergo: ..." : a variant's failure is its own finding
            message=f"with +{','.join(variant)}: {f.message}" if variant else f.message,
        )
        for variant, found in report.groups_by_variant
        for f in found
    )
    columns = _grouped_columns(merged, universe)
    findings = _reported(
        merged, judged=judged, universe=universe, columns=columns, dirs={}, fallback="go.mod"
    )
    return FindingsReport(
        command=Command.MATRIX,
        tool_version=__version__,
        title=visible(built),
        findings=findings,
        columns=tuple(c for c, _ in columns),
        rows=tuple(Row(name=r) for r in dict.fromkeys(f.row for f in findings)),
        rules=_all_rules(),
        base=base,
    )
