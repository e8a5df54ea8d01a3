"""Markdown for a pull-request comment or `$GITHUB_STEP_SUMMARY`: `format_markdown(report)`.

A short summary (counts, one table row per rule that fired) and the findings folded in
`<details>` per severity, each with its location, targets, evidence and the rule's fix.
The whole text stays under GitHub's comment limit (65,536 characters): findings that do not
fit are counted, not cut in the middle. Text from the scanned world is escaped for
Markdown and HTML (every ASCII punctuation character backslash-escaped; evidence in fenced
code blocks whose fence is longer than any backtick run in it), so a package named
`<script>`, `[x](y)`, `|` or `@someone` shows as written and pings no one.
"""

from __future__ import annotations

import re
from typing import assert_never

from cgotrap.judge.finding import Rule, Severity
from cgotrap.render.findings import SEVERITY_ORDER, FindingsReport, Reported, rule_section

GITHUB_COMMENT_LIMIT = 65_536
"""GitHub's limit on a comment body, in characters."""
_BUDGET = GITHUB_COMMENT_LIMIT - 2_000
"""What the findings may take: the closing lines and the 'not shown' note come after."""

_PUNCTUATION = re.compile(r"([!-/:-@\[-`{-~])")


def md(text: str) -> str:
    """Untrusted text as literal Markdown inline text (no markup, HTML, links, mentions)."""
    return _PUNCTUATION.sub(r"\\\1", text.replace("\n", " ").replace("\r", " "))


def _fenced(text: str) -> str:
    longest = max((len(run) for run in re.findall(r"`+", text)), default=0)
    fence = "`" * max(3, longest + 1)
    return f"{fence}text\n{text}\n{fence}"


def _icon(severity: Severity) -> str:
    match severity:
        case Severity.ERROR:
            return "🔴 error"
        case Severity.WARNING:
            return "🟠 warning"
        case Severity.NOTE:
            return "🔵 note"
        case _:
            assert_never(severity)


def _plural(count: int, word: str) -> str:
    return f"{count} {word}{'' if count == 1 else 's'}"


def _summary_rows(report: FindingsReport) -> list[str]:
    by_rule: dict[str, list[Reported]] = {}
    for f in report.findings:
        if f.suppression is None:
            by_rule.setdefault(f.rule_id, []).append(f)
    rows = ["| Severity | Rule | Findings | Where (first three) |", "| --- | --- | ---: | --- |"]
    ordered = sorted(
        by_rule.items(), key=lambda kv: (SEVERITY_ORDER.index(kv[1][0].severity), kv[0])
    )
    for rule_id, found in ordered:
        names = list(dict.fromkeys(f.row for f in found if f.row))
        where = ", ".join(md(n) for n in names[:3]) + (
            f" (+{len(names) - 3})" if len(names) > 3 else ""
        )
        rows.append(
            f"| {_icon(found[0].severity)} | **{rule_id}** {found[0].rule.name} | {len(found)} "
            f"| {where} |"
        )
    return rows


def _finding(found: Reported, report: FindingsReport) -> str:
    place = md(report.repo_path(found.path)) + (f":{found.line}" if found.line else "")
    head = f"- **{found.rule_id}** {md(found.message)}"
    lines = [head]
    details = []
    if place:
        details.append(f"at {place}")
    if found.where:
        details.append(f"on {md(found.where)}")
    if found.condition:
        details.append(f"when {md(found.condition)}")
    if found.suppression is not None:
        details.append(f"suppressed: {md(found.suppression.reason)}")
    if details:
        lines.append("  " + " · ".join(details))
    evidence = "\n".join(e.text for e in found.evidence if e.text)
    if evidence:
        lines.append("")
        lines.extend("  " + line for line in _fenced(evidence[:2000]).split("\n"))
    return "\n".join(lines)


def _fixes(rules: list[Rule]) -> list[str]:
    out = ["<details><summary>How to fix</summary>", ""]
    for rule in rules:
        fix = rule_section(rule, "How to fix") or rule.summary
        out.append(f"- **{rule.id}** {rule.name}: {fix}")  # our own documentation: Markdown
    out += ["", "</details>"]
    return out


def format_markdown(report: FindingsReport, *, limit: int = GITHUB_COMMENT_LIMIT) -> str:
    """The comment: summary table, findings folded per severity, fixes; at most `limit`
    characters."""
    counts = report.counts()
    total = sum(counts.values())
    title = f"### cgotrap {report.command.value}: " + (
        ", ".join(_plural(counts[s], s.value) for s in SEVERITY_ORDER if counts[s]) or "no findings"
    )
    if report.suppressed:
        title += f" ({report.suppressed} suppressed)"
    head = [
        title,
        "",
        f"`cgotrap {report.command.value}` {md(report.title)} · cgotrap {report.tool_version}",
        "",
    ]
    if total:
        head += [*_summary_rows(report), ""]
    limit = min(limit, GITHUB_COMMENT_LIMIT)
    budget = limit - min(2_000, limit // 4)  # room for the 'not shown' note and the fixes
    parts = ["\n".join(head)]
    used = len(parts[0])
    left_out = 0
    fired: dict[str, Rule] = {}
    groups = [
        (
            _plural(len(here), severity.value),
            here,
        )
        for severity in SEVERITY_ORDER
        if (here := [f for f in report.findings if f.severity is severity and not f.suppression])
    ]
    suppressed = [f for f in report.findings if f.suppression is not None]
    if suppressed:
        groups.append((_plural(len(suppressed), "suppressed finding"), suppressed))
    for summary, here in groups:
        block = [f"<details><summary>{summary}</summary>", ""]
        for shown, f in enumerate(here):
            text = _finding(f, report)
            if used + len(text) + 100 > budget:
                left_out += len(here) - shown
                break
            block.append(text)
            used += len(text) + 1
            fired.setdefault(f.rule_id, f.rule)
        block += ["", "</details>", ""]
        text = "\n".join(block)
        used += len(text) - sum(len(b) + 1 for b in block[2:-3])
        parts.append(text)
    if left_out:
        parts.append(
            f"_{left_out} more finding(s) not shown: GitHub comments hold "
            f"{GITHUB_COMMENT_LIMIT} characters; the SARIF, JSON and HTML formats have all._\n"
        )
    fixes = "\n".join(_fixes(sorted(fired.values(), key=lambda r: r.id)))
    if used + len(fixes) + 300 < limit:
        parts.append(fixes + "\n")
    return "\n".join(parts)
