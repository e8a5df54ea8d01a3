"""Findings reports for the format tests, worded by the rules' own templates.

`every_rule_report()` holds one finding of every registered rule, its message formatted by
the rule's template with every field filled, located in a file when the rule's area has
one, spread over target groups; `hostile=True` puts names with `<script>`, quotes,
Markdown and ANSI escapes where the scanned world's text goes.
"""

from __future__ import annotations

import dataclasses

from cgotrap.judge.finding import Evidence, Finding, Step
from cgotrap.judge.rules import all_rules
from cgotrap.render.findings import (
    Column,
    Command,
    FindingsReport,
    Judgement,
    Row,
    Suppression,
    SuppressionKind,
    _reported,
)
from cgotrap.targets import Target

LINUX = Target(goos="linux", goarch="amd64", cgo=True)
DARWIN = Target(goos="darwin", goarch="arm64", cgo=True)
WINDOWS = Target(goos="windows", goarch="amd64", cgo=False)
TARGETS = (LINUX, DARWIN, WINDOWS)

HOSTILE = "<script>window.__pwned=1</script>\"'`|*_[x](y)\x1b[31mred\x1b[0m&amp;"
"""A name from the scanned world that no report may execute, style or interpret."""


def _columns() -> tuple[tuple[Column, frozenset[Target]], ...]:
    return tuple(
        (Column(key=k, label=t.name, targets=(t.name,)), frozenset({t}))
        for k, t in zip("ABC", TARGETS, strict=True)
    )


def every_rule_findings(*, hostile: bool = False) -> tuple[Finding, ...]:
    """One finding per registered rule, made through the rule."""
    out = []
    for index, rule in enumerate(all_rules()):
        word = HOSTILE if hostile else "value"
        fields = {n: f"{word}-{n}" for n in rule.fields() if n not in ("package", "subject")}
        area = rule.id[3]
        package = "" if area == "2" else f"example.com/m/pkg{index % 4}"
        if hostile and package:
            package += "/" + HOSTILE
        subject = f"{word}-{rule.subject or 'pkg'}" if rule.subject else ""
        if area == "2":
            subject = f"dist/app{index}" + (HOSTILE if hostile else "")
        targets = () if area == "2" else TARGETS[: 1 + index % 3]
        evidence: tuple[Evidence, ...] = ()
        if area != "2":
            evidence = (
                Evidence(
                    file=f"pkg{index % 4}/file{index}.go",
                    line=None if index % 5 == 0 else 3 + index,
                    text=f"#include <{word}.h>\nfatal error: {word}",
                ),
            )
        # Built as a record, worded by the rule's own template: `rule.finding` is kept for
        # detection code (tests/rulecoverage.py counts the rules it raises).
        out.append(
            Finding(
                rule=rule,
                package=package,
                subject=subject,
                targets=targets,
                message=rule.format(package=package, subject=subject, **fields),
                evidence=evidence,
                step=Step.BUILD if area == "1" else None,
            )
        )
    return tuple(out)


def every_rule_report(
    command: Command = Command.SCAN, *, hostile: bool = False, suppress_first: bool = False
) -> FindingsReport:
    """A report with one finding of every rule (the first one suppressed if asked)."""
    findings = every_rule_findings(hostile=hostile)
    judged = None
    if suppress_first:
        judged = [Judgement(severity=f.severity) for f in findings]
        judged[0] = Judgement(
            severity=findings[0].severity,
            suppression=Suppression(
                kind=SuppressionKind.INLINE, reason="accepted: " + HOSTILE, where="a.go:3"
            ),
        )
    columns = _columns()
    reported = _reported(
        findings,
        judged=judged,
        universe=TARGETS,
        columns=columns,
        dirs={},
        fallback="go.mod",
    )
    rows = tuple(Row(name=n) for n in dict.fromkeys(f.row for f in reported))
    return FindingsReport(
        command=command,
        tool_version="0.1.0",
        title="./...",
        findings=reported,
        columns=tuple(c for c, _ in columns),
        rows=rows,
        rules=all_rules(),
    )


def many_findings_report(count: int) -> FindingsReport:
    """A report of `count` findings (of the first rule), for the limits' tests."""
    base = every_rule_report()
    first = base.findings[0]
    many = tuple(
        dataclasses.replace(
            first,
            fingerprint=f"{i:032x}",
            message=f"{first.message} #{i}",
            path=f"pkg/f{i}.go",
        )
        for i in range(count)
    )
    return dataclasses.replace(base, findings=many)
