"""Renderers of a `MatrixReport`: the target × CGO matrix, versioned JSON, JUnit XML.

Pure functions: `render(report)` builds a rich renderable, `format_table` the same as text,
`to_json`/`format_json` the machine document (schema: `schemas/matrix.schema.json`),
`format_junit` JUnit XML for CI. `format_report(report, fmt)` picks one. The CLI decides
where output goes. The JSON carries no timestamps, durations or absolute paths (logs are
relative to the results folder); JUnit has durations because CI systems expect them.
"""

from __future__ import annotations

import enum
import io
import xml.etree.ElementTree as ET
from typing import Any, assert_never

from rich import box
from rich.console import Console, Group, RenderableType
from rich.table import Table
from rich.text import Text

from cgotrap.crossbuild.results import MatrixReport, Outcome, TargetResult
from cgotrap.judge.finding import Finding
from cgotrap.judge.rules import Severity
from cgotrap.render.common import json_text
from cgotrap.targets import Target

SCHEMA_VERSION = 3
"""The `"version"` of the JSON document; bumped on any incompatible change (2: tag
variants: every target and finding names its `variant`; `tags`, `glibc`, `macos_min`;
3: each target's `Target` object is `BuildContext`, with `Libc` / `GlibcVersion` for
`LIBC` / `GLIBC`, as `cgotrap list --targets` has it)."""


class MatrixFormat(enum.StrEnum):
    """Output formats of `cgotrap matrix`."""

    TABLE = "table"
    JSON = "json"
    JUNIT = "junit"


_OUTCOME_STYLE = {
    Outcome.PASS: "green",
    Outcome.FAIL: "bold red",
    Outcome.TIMEOUT: "bold red",
    Outcome.NOT_RUN: "yellow",
    Outcome.SKIPPED: "dim",
    Outcome.CANCELLED: "magenta",
}
_OUTCOME_MARK = {
    Outcome.PASS: "✓",
    Outcome.FAIL: "✗",
    Outcome.TIMEOUT: "⏱",
    Outcome.NOT_RUN: "○",
    Outcome.SKIPPED: "-",
    Outcome.CANCELLED: "!",
}
_SEVERITY_STYLE = {Severity.ERROR: "bold red", Severity.WARNING: "yellow", Severity.NOTE: "cyan"}
_LEGEND = (
    "✓ passed · ✗ failed · ⏱ timed out · ○ tests compiled, not run here · - skipped "
    "· (cached) nothing changed since the last run"
)
_MAX_DETAIL_LINES = 12


def _row_name(target: Target, variant: tuple[str, ...] = ()) -> str:
    """The matrix row: the target without its cgo mode ("linux/amd64-musl"), and the
    variant's tags ("linux/amd64 +netgo,osusergo")."""
    name = target.name.rsplit(" cgo=", 1)[0]
    return f"{name} +{','.join(variant)}" if variant else name


def _cell(result: TargetResult) -> Text:
    text = Text()
    for i, step in enumerate(result.steps):
        if i:
            text.append(" ")
        text.append(
            f"{_OUTCOME_MARK[step.outcome]} {step.step.value}",
            style=_OUTCOME_STYLE[step.outcome],
        )
    rules = sorted({f.rule_id for f in result.findings})
    if rules:
        text.append(" " + ",".join(rules), style="dim")
    if result.allowed_to_fail and result.outcome is not Outcome.PASS:
        text.append(" (allowed)", style="dim")
    if result.cached:
        text.append(" (cached)", style="dim")
    return text


def _matrix_table(report: MatrixReport) -> Table:
    modes = sorted({t.target.cgo for t in report.targets})
    table = Table(box=box.SIMPLE_HEAD, title="cgotrap matrix", title_justify="left")
    table.add_column("target", style="bold")
    for cgo in modes:
        table.add_column(f"CGO_ENABLED={int(cgo)}")
    rows: dict[str, dict[bool, TargetResult]] = {}
    for result in report.targets:
        row = _row_name(result.target, result.variant)
        rows.setdefault(row, {})[result.target.cgo] = result
    for name, by_mode in rows.items():
        cells: list[RenderableType] = []
        for cgo in modes:
            found = by_mode.get(cgo)
            cells.append(_cell(found) if found is not None else Text("·", style="dim"))
        table.add_row(name, *cells)
    return table


def _finding_block(found: Finding, variant: tuple[str, ...] = ()) -> RenderableType:
    rule = found.rule
    head = Text()
    head.append(f"{found.rule_id} {rule.name}", style=_SEVERITY_STYLE[rule.severity])
    step = found.step.value if found.step is not None else ""
    head.append(f" ({step}) on {', '.join(t.name for t in found.targets)}")
    if variant:
        head.append(f" with +{','.join(variant)}")
    lines: list[RenderableType] = [head]
    where = found.file + (f":{found.line}" if found.line is not None else "")
    prefix = f"{where}: " if where else (f"{found.package}: " if found.package else "")
    lines.append(Text(f"  {prefix}{found.message}"))
    detail = found.detail.splitlines()
    # Unclassified output is shown whole, never cut.
    shown = detail if found.rule_id == "CGO199" else detail[:_MAX_DETAIL_LINES]
    if shown and found.rule_id not in ("CGO113", "CGO117"):
        lines.append(Text("\n".join(f"    | {ln}" for ln in shown), style="dim"))
    return Group(*lines)


def _summary(report: MatrixReport) -> Text:
    counts: dict[Outcome, int] = {}
    for result in report.targets:
        counts[result.outcome] = counts.get(result.outcome, 0) + 1
    parts = [f"{n} {o.value}" for o, n in sorted(counts.items(), key=lambda kv: kv[0].value)]
    text = Text(f"{len(report.targets)} builds: " + ", ".join(parts))
    text.append(f"\n{_versions(report)}", style="dim")
    text.append(f"\nlogs and binaries: {report.results_dir}", style="dim")
    text.append(f"\n{_LEGEND}", style="dim")
    return text


def _versions(report: MatrixReport) -> str:
    """What the builds were for beyond the target names: tags, glibc, minimum macOS."""
    glibc = "pinned" if report.glibc_pinned else "zig's default; pin with --glibc"
    macos = "pinned" if report.macos_min_pinned else "zig's default; pin with --macos-min"
    parts = []
    if report.tags:
        parts.append(f"tags {','.join(report.tags)}")
    if report.glibc:
        parts.append(f"glibc {report.glibc} ({glibc})")
    if report.macos_min:
        parts.append(f"macOS >= {report.macos_min} ({macos})")
    return " · ".join(parts)


def render(report: MatrixReport) -> RenderableType:
    """The terminal view: the matrix, then each finding once with every target it hit."""
    parts: list[RenderableType] = [_matrix_table(report)]
    groups = report.groups_by_variant
    if any(found for _, found in groups):
        parts.append(Text("findings", style="bold underline"))
        parts.extend(_finding_block(g, variant) for variant, found in groups for g in found)
    parts.append(_summary(report))
    return Group(*parts)


def format_table(report: MatrixReport, *, width: int = 120, color: bool = False) -> str:
    """`render` as text."""
    buffer = io.StringIO()
    console = Console(
        file=buffer,
        width=width,
        force_terminal=color,
        no_color=not color,
        highlight=False,
        emoji=False,
    )
    console.print(render(report))
    return buffer.getvalue()


def to_json(report: MatrixReport) -> dict[str, Any]:
    """The machine document (see `schemas/matrix.schema.json`)."""
    summary: dict[str, int] = {o.value: 0 for o in Outcome}
    for result in report.targets:
        summary[result.outcome.value] += 1
    targets = [
        {
            "name": result.target.name,
            "BuildContext": result.target.build_context(),
            "variant": list(result.variant),
            "tags": list(result.tags),
            "outcome": result.outcome.value,
            "allowed_to_fail": result.allowed_to_fail,
            "cached": result.cached,
            "cc": result.cc,
            "steps": [
                {
                    "step": s.step.value,
                    "outcome": s.outcome.value,
                    "command": list(s.command),
                    "log": s.log,
                    "rules": sorted({f.rule_id for f in s.findings}),
                }
                for s in result.steps
            ],
        }
        for result in report.targets
    ]
    findings = []
    for variant, found in ((v, f) for v, group in report.groups_by_variant for f in group):
        rule = found.rule
        findings.append(
            {
                "variant": list(variant),
                "rule": found.rule_id,
                "name": rule.name,
                "severity": rule.severity.value,
                "step": found.step.value if found.step is not None else "",
                "message": found.message,
                "package": found.package,
                "file": found.file,
                "line": found.line,
                "targets": [t.name for t in found.targets],
                "detail": found.detail,
            }
        )
    return {
        "version": SCHEMA_VERSION,
        "tool": "cgotrap matrix",
        "go": report.go_version,
        "zig": report.zig_version,
        "steps": [s.value for s in report.steps],
        "packages": list(report.packages),
        "tags": list(report.tags),
        "variants": [list(v) for v in report.variants],
        "glibc": {"version": report.glibc, "pinned": report.glibc_pinned},
        "macos_min": {"version": report.macos_min, "pinned": report.macos_min_pinned},
        "failed": report.failed,
        "summary": summary,
        "targets": targets,
        "findings": findings,
    }


def format_json(report: MatrixReport) -> str:
    """`to_json` as stable JSON text."""
    return json_text(to_json(report))


def format_junit(report: MatrixReport) -> str:
    """JUnit XML: a test suite per target, a test case per step; findings are the failures."""
    suites = ET.Element("testsuites", name="cgotrap matrix")
    for result in report.targets:
        failures = sum(s.outcome in (Outcome.FAIL, Outcome.TIMEOUT) for s in result.steps)
        skipped = sum(
            s.outcome in (Outcome.SKIPPED, Outcome.NOT_RUN, Outcome.CANCELLED) for s in result.steps
        )
        name = result.target.name + (f" +{result.variant_name}" if result.variant else "")
        suite = ET.SubElement(
            suites,
            "testsuite",
            name=name,
            tests=str(len(result.steps)),
            failures=str(failures),
            errors="0",
            skipped=str(skipped),
            time=f"{result.seconds:.2f}",
        )
        for step in result.steps:
            case = ET.SubElement(
                suite,
                "testcase",
                classname=name,
                name=step.step.value,
                time=f"{step.seconds:.2f}",
            )
            summary = "; ".join(f"{f.rule_id} {f.message}" for f in step.findings)
            body = "\n\n".join(
                f"{f.rule_id} {f.file}{f':{f.line}' if f.line else ''} {f.message}\n{f.detail}"
                for f in step.findings
            )
            match step.outcome:
                case Outcome.FAIL | Outcome.TIMEOUT:
                    failure = ET.SubElement(
                        case, "failure", message=summary[:1000], type=step.outcome.value
                    )
                    failure.text = body
                case Outcome.SKIPPED | Outcome.NOT_RUN | Outcome.CANCELLED:
                    ET.SubElement(case, "skipped", message=summary[:1000] or step.outcome.value)
                case Outcome.PASS:
                    pass
                case unreachable:
                    assert_never(unreachable)
            if step.log:
                ET.SubElement(case, "system-out").text = f"log: {step.log}"
    ET.indent(suites)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(suites, "unicode") + "\n"


def format_report(report: MatrixReport, fmt: MatrixFormat, *, color: bool = False) -> str:
    """The report in format `fmt`."""
    match fmt:
        case MatrixFormat.TABLE:
            return format_table(report, color=color)
        case MatrixFormat.JSON:
            return format_json(report)
        case MatrixFormat.JUNIT:
            return format_junit(report)
        case unreachable:
            assert_never(unreachable)
