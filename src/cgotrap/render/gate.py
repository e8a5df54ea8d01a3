"""`cgotrap check`'s terminal text: what fails the gate, what the baseline still accepts,
and which baseline entries are gone. A pure function over the judged scan.

    cgotrap check: 2 new findings fail the gate (--fail-on error; baseline cgotrap-baseline.json)
      error CGO001 example.com/m/newcgo: uses cgo with no CGO_ENABLED=0 fallback ...
            on darwin/*, linux/* cgo=0
    11 findings known to the baseline, 1 suppressed, 0 new below the gate
    gone from the code (can be removed from the baseline):
      CGO004 example.com/m/procinfo sys/sysinfo.h
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from cgotrap.config.suppress import Judged
from cgotrap.judge.finding import Finding
from cgotrap.judge.scan import ScanResult
from cgotrap.render.untrusted import terminal

if TYPE_CHECKING:
    from cgotrap.gate.baseline import BaselineView  # only with --baseline


def plain(text: str) -> str:
    """`text` from the scanned world made safe for a terminal (`render.untrusted`)."""
    return terminal(text)


def finding_line(result: ScanResult, judged: Judged[Finding]) -> str:
    """One finding on one line: severity, rule, message, where."""
    f = judged.finding
    where = f" [on {result.where(f)}]" if f.targets else ""
    return f"{judged.severity.value} {f.rule.id} {plain(f.message)}{where}"


def _suppressed_line(j: Judged[Finding]) -> str:
    mark = j.suppression
    if mark is None:
        return ""
    f = j.finding
    subject = f" {plain(f.subject)}" if f.subject else ""
    return (
        f"  suppressed {f.rule.id} {plain(f.package)}{subject}: {plain(mark.reason)} "
        f"({plain(mark.where)})"
    )


def format_judgements(result: ScanResult, judged: Sequence[Judged[Finding]]) -> str:
    """What the project's config and comments did to the findings, after scan's table:
    the suppressed findings with their reasons, the severities changed ("" when none)."""
    lines = [_suppressed_line(j) for j in judged if j.suppression is not None]
    lines.extend(
        f"  {j.finding.rule.id} {plain(j.finding.package)}: severity {j.severity.value} "
        f"(.cgotrap.toml [rules]; the rule says {j.finding.severity.value})"
        for j in judged
        if j.severity is not j.finding.severity and j.suppression is None
    )
    if not lines:
        return ""
    return "Project config and //cgotrap:ignore comments:\n" + "\n".join(lines) + "\n"


def format_check(
    result: ScanResult,
    judged: Sequence[Judged[Finding]],
    *,
    failing: Sequence[int],
    baseline: BaselineView | None,
    fail_on: str,
) -> str:
    """The text `cgotrap check` prints."""
    lines: list[str] = []
    against = f"baseline {plain(baseline.file)}" if baseline is not None else "no baseline"
    if failing:
        lines.append(
            f"cgotrap check: {len(failing)} new finding{'s' if len(failing) != 1 else ''} "
            f"fail the gate (--fail-on {fail_on}; {against}):"
        )
        lines.extend(f"  {finding_line(result, judged[i])}" for i in failing)
    else:
        lines.append(
            f"cgotrap check: no new finding fails the gate (--fail-on {fail_on}; {against})"
        )
    new = set(baseline.comparison.new) if baseline is not None else set(range(len(judged)))
    known = len(judged) - len(new)
    suppressed = [j for j in judged if j.suppression is not None]
    below = len([i for i in new if i not in set(failing) and judged[i].suppression is None])
    lines.append(
        f"{len(judged)} findings: {known} known to the baseline, {len(suppressed)} suppressed, "
        f"{below} new below the gate"
    )
    lines.extend(_suppressed_line(j) for j in suppressed)
    if baseline is not None and baseline.comparison.gone:
        lines.append("gone from the code (can be removed from the baseline):")
        lines.extend(
            f"  {e.rule} {plain(e.package)}{' ' + plain(e.subject) if e.subject else ''}"
            for e in baseline.comparison.gone
        )
    return "\n".join(lines) + "\n"
