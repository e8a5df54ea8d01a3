"""Renderers of `ScanResult`: a terminal view a person reads at a glance, and versioned JSON.

Pure functions: `render(result)` builds a rich renderable, `format_table(result)` the same as
text, `to_json`/`format_json` the machine document (schema: `schemas/scan.schema.json`). The
CLI decides where the output goes. Nothing here carries a timestamp or an absolute path.

rich is imported by the functions that draw: the JSON document (and the findings formats
that import this module for nothing else) does without it (~10 ms of imports).
"""

from __future__ import annotations

import io
import operator
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from cgotrap.config.suppress import Judged
from cgotrap.judge.finding import Evidence, Finding
from cgotrap.judge.rules import Severity
from cgotrap.judge.rules import source as rules
from cgotrap.judge.scan import (
    CgoPackage,
    IncludeOnTarget,
    ScanResult,
    TargetGroup,
    compact_targets,
)
from cgotrap.judge.scan.model import PackageOnTarget, Verdict
from cgotrap.read import cpp
from cgotrap.render.common import json_text
from cgotrap.targets import Target

if TYPE_CHECKING:
    from rich.console import RenderableType
    from rich.table import Table
    from rich.text import Text

    from cgotrap.gate.baseline import BaselineView

SCHEMA_VERSION = 4
"""The `"version"` of the JSON document; bumped on any incompatible change (2: per-target
`includes` with delimiter and `#if` condition, `condition` of header findings; 3: the
project's word on findings (severity overrides, `suppressed`, `baseline`); 4: per-target
`verdict` and `evidence` on every reported target, findings' `evidence`, `unresolved`)."""

_MARK = {Severity.ERROR: "✗", Severity.WARNING: "!", Severity.NOTE: "·"}
_SEVERITY_STYLE = {Severity.ERROR: "bold red", Severity.WARNING: "yellow", Severity.NOTE: "cyan"}
_VERDICT_STYLE = {
    Verdict.CGO: "cyan",
    Verdict.PURE: "dim",
    Verdict.FALLBACK: "yellow",
    Verdict.DEGRADES: "bold yellow",
    Verdict.BREAKS: "bold red",
    Verdict.NOT_BUILT: "dim",
}
_VERDICT_TEXT = {
    Verdict.CGO: "cgo",
    Verdict.PURE: "pure",
    Verdict.FALLBACK: "fallback",
    Verdict.DEGRADES: "DEGRADES",
    Verdict.BREAKS: "BREAKS",
    Verdict.NOT_BUILT: "·",
}
_VERDICT_CODE = {
    Verdict.CGO: "C",
    Verdict.PURE: "-",
    Verdict.FALLBACK: "F",
    Verdict.DEGRADES: "D",
    Verdict.BREAKS: "B",
    Verdict.NOT_BUILT: "·",
}
_LEGEND = (
    "cgo: compiles C · pure: pure Go · fallback: cgo files drop out, a real implementation "
    "takes over · DEGRADES: builds, fails at run time or lacks a feature (stub, lost import "
    "or registration) · BREAKS: go refuses to build it · ·: not built (no main package "
    "reaches it) · ✗/! error/warning findings there"
)
_LEGEND_CODES = (
    "C cgo: compiles C · - pure · F fallback: a real implementation takes over · D degrades: "
    "builds, fails at run time · B breaks: go refuses it · · not built · ✗/! error/warning "
    "findings there"
)


def _short(package: CgoPackage | None, import_path: str) -> str:
    if package is not None and package.dir and not package.dir.startswith("$"):
        return package.dir
    return import_path


def _short_names(result: ScanResult) -> dict[str, str]:
    """import path -> the shortest unambiguous name a person knows it by."""
    names = {p.import_path: _short(p, p.import_path) for p in result.packages}
    # The main module's path: a package whose import path ends in its directory says it
    # (a vendored one does not: "github.com/x/y" lives in "vendor/github.com/x/y").
    prefixes = [
        p.import_path.removesuffix("/" + p.dir)
        for p in result.packages
        if p.dir and (p.dir == "." or p.import_path.endswith("/" + p.dir))
    ]
    module = min(prefixes, key=len) if prefixes else ""
    for root in result.roots:
        if module and root.startswith(module + "/"):
            names.setdefault(root, root.removeprefix(module + "/"))
    return names


def _worst(findings: Sequence[Finding]) -> Severity | None:
    for severity in (Severity.ERROR, Severity.WARNING, Severity.NOTE):
        if any(f.severity is severity for f in findings):
            return severity
    return None


def _header(result: ScanResult, names: dict[str, str]) -> Text:
    from rich.text import Text

    text = Text()
    text.append("cgotrap scan", style="bold")
    text.append(f"  {' '.join(result.patterns)}")
    shown_roots = [names.get(r, r) for r in result.roots[:4]]
    more = f" (+{len(result.roots) - 4})" if len(result.roots) > 4 else ""
    origin = f" · from {', '.join(shown_roots)}{more}" if shown_roots else ""
    cgo = sum(1 for p in result.packages if _uses_cgo(p))
    others = len(result.packages) - cgo
    affected = f" · {others} other package(s) affected" if others else ""
    text.append(
        f"\n{cgo} cgo package(s){affected} · {len(result.targets)} targets in "
        f"{len(result.groups)} group(s){origin}",
        style="dim",
    )
    return text


def _uses_cgo(package: CgoPackage) -> bool:
    """A package with cgo files (or C, C++, Objective-C, assembly or syso files) on some
    target: not one reported only because it breaks or degrades through its imports."""
    needs = package.needs
    return any(e.cgo_files or e.dropped_files for e in package.per_target) or any(
        (needs.c_files, needs.cxx_files, needs.m_files, needs.syso_files)
    )


def _groups_table(result: ScanResult) -> Table:
    from rich.table import Table

    table = Table(box=None, show_header=False, padding=(0, 1), pad_edge=False)
    table.add_column(style="bold")
    table.add_column()
    table.add_column(style="dim", justify="right")
    for group in result.groups:
        table.add_row(group.key, group.label, f"{len(group.targets)} target(s)")
    return table


_WIDE_GROUPS = 6
"""With more target groups than this, cells shrink to one-letter codes."""


def _matrix_tables(result: ScanResult, names: dict[str, str], width: int) -> list[Table]:
    """The package × group table, split into several tables of columns when the groups do
    not fit in `width` (every group shown, no cell cut)."""
    compact = len(result.groups) > _WIDE_GROUPS
    name_width = min(max((len(names[p.import_path]) for p in result.packages), default=7), 60)
    # a cell: the key or the code with its mark ("C!", or "fallback ✗" in words), one
    # column of padding on each side; the table adds its own edge.
    keys = max((len(g.key) for g in result.groups), default=1)
    cell = max(keys, 2) if compact else max(keys, 10)
    fit = max(1, (width - name_width - 6) // (cell + 2))
    groups = list(result.groups)
    return [
        _matrix_table(result, names, groups[i : i + fit], compact=compact, cell_width=cell)
        for i in range(0, len(groups), fit)
    ]


def _matrix_table(
    result: ScanResult,
    names: dict[str, str],
    groups: Sequence[TargetGroup],
    *,
    compact: bool,
    cell_width: int,
) -> Table:
    from rich import box
    from rich.table import Table
    from rich.text import Text

    table = Table(box=box.SIMPLE_HEAD, padding=(0, 1), title_justify="left")
    width = max((len(names[p.import_path]) for p in result.packages), default=7)
    table.add_column("package", no_wrap=True, overflow="fold", min_width=min(width, 60))
    for group in groups:
        table.add_column(group.key, justify="center", no_wrap=True, min_width=cell_width)
    for package in result.packages:
        cells: list[Text] = []
        for group in groups:
            entry = package.on(group.targets[0])
            here = [
                f
                for f in result.findings
                if f.package == package.import_path and group.targets[0] in f.targets
            ]
            word = (_VERDICT_CODE if compact else _VERDICT_TEXT)[entry.verdict]
            cell = Text(word, style=_VERDICT_STYLE[entry.verdict])
            worst = _worst([f for f in here if f.severity is not Severity.NOTE])
            if worst is not None:
                cell.append(("" if compact else " ") + _MARK[worst], style=_SEVERITY_STYLE[worst])
            cells.append(cell)
        table.add_row(names[package.import_path], *cells)
    return table


def _needs_table(result: ScanResult, names: dict[str, str], width: int) -> Table:
    from rich import box
    from rich.table import Table
    from rich.text import Text

    table = Table(box=box.SIMPLE_HEAD, padding=(0, 1))
    # Every column gets a share of the width so that none is squeezed out at 80 columns:
    # names fold after a `/` to the width their column keeps; where a package is reached
    # from goes under its name (a column of import chains never fits); the headers column
    # gets room for the longest header, up to 40 columns; links and files share the rest.
    longest = max(
        (
            len(h) + 2
            for p in result.packages
            for h in (*p.needs.system_headers, *p.needs.local_headers)
        ),
        default=7,
    )
    name_width = max(24, min(_NEEDS_NAME_WIDTH, width // 3))
    rest = max(36, width - name_width - 9)
    header_width = max(12, min(longest, 40, rest * 45 // 100))
    side_width = max(10, min(24, (rest - header_width) // 2))
    table.add_column(
        "package (reached from)", overflow="fold", min_width=name_width, max_width=name_width
    )
    table.add_column("headers", overflow="fold", min_width=header_width, max_width=40)
    table.add_column("links", overflow="fold", max_width=side_width)
    table.add_column("C/asm/syso files", overflow="fold", max_width=side_width)
    for package in result.packages:
        if not _uses_cgo(package):
            continue
        needs = package.needs
        headers = [f"<{h}>" for h in needs.system_headers] + [f'"{h}"' for h in needs.local_headers]
        links = [f"-l{lib}" for lib in needs.libs] + [f"pkg-config {n}" for n in needs.pkg_config]
        files = [
            *needs.c_files,
            *needs.cxx_files,
            *needs.m_files,
            *needs.s_files,
            *needs.syso_files,
        ]
        cell = Text(fold_path(names[package.import_path], name_width))
        reached = _reached(package, names)
        if reached:
            cell.append(f"\n{reached}", style="dim")
        table.add_row(
            cell,
            _cap(headers),
            _cap(links),
            _cap([f.rsplit("/", 1)[-1] for f in files]),
        )
    return table


_NEEDS_NAME_WIDTH = 44


def fold_path(path: str, width: int) -> str:
    """`path` on lines of at most `width` characters, broken after a `/` where one is close
    enough (`vendor/github.com/containers/ocicrypt/` + `crypto/pkcs11`, not `.../cry` +
    `pto/pkcs11`); a segment longer than a line is cut where the line ends."""
    lines: list[str] = []
    rest = path
    while len(rest) > width:
        cut = rest.rfind("/", 0, width) + 1
        if cut < width // 2:
            cut = width
        lines.append(rest[:cut])
        rest = rest[cut:]
    lines.append(rest)
    return "\n".join(lines)


def _reached(package: CgoPackage, names: dict[str, str]) -> str:
    """ "← cmd/app" for a direct import, "← cmd/app, 5 imports away (+2 more)" otherwise:
    the main package a shortest chain starts from (`--why PKG` prints the chains)."""
    chain = package.chain
    if not chain:
        return ""
    text = f"← {names.get(chain[0], chain[0])}"
    if len(chain) > 2:
        text += f", {len(chain) - 1} imports away"
    others = len(package.reached_from) - 1
    return text + (f" (+{others} more)" if others > 0 else "")


def _cap(items: Sequence[str], limit: int = 8) -> str:
    """One item per line (a name is never cut), at most `limit`."""
    if not items:
        return "-"
    more = len(items) - limit
    return "\n".join(items[:limit]) + (f"\n(+{more} more)" if more > 0 else "")


def _findings_view(result: ScanResult, names: dict[str, str]) -> RenderableType:
    from rich.console import Group
    from rich.padding import Padding
    from rich.text import Text

    parts: list[RenderableType] = []
    counts = ", ".join(
        f"{result.count(s)} {s.value}{'s' if result.count(s) != 1 else ''}"
        for s in (Severity.ERROR, Severity.WARNING, Severity.NOTE)
    )
    parts.append(Text(f"Findings: {counts}", style="bold"))
    by_rule: dict[str, list[Finding]] = {}
    for finding in result.findings:
        by_rule.setdefault(finding.rule.id, []).append(finding)
    for findings in by_rule.values():
        r = findings[0].rule
        head = Text()
        head.append(f"{_MARK[r.severity]} {r.id} {r.name}", style=_SEVERITY_STYLE[r.severity])
        head.append(f"  {r.summary}", style="dim")
        parts.append(head)
        for finding in findings:
            # the package and where on one line, what is wrong below at full width: long
            # vendored paths would leave a column of a few characters for the message
            short = names.get(finding.package, finding.package)
            detail = finding.message.removeprefix(finding.package).removeprefix(": ")
            line = Text(short, style="bold")
            line.append(f"  on {result.where(finding)}", style="dim")
            parts.append(Padding(line, (0, 0, 0, 4)))
            parts.append(Padding(Text(detail), (0, 0, 0, 6)))
        fix = rules.fix_line(r)
        if fix:
            parts.append(Padding(Text(f"fix: {fix}", style="green"), (0, 0, 0, 3)))
    return Group(*parts)


_STD_NEEDS = {
    "net": "the libc resolver (getaddrinfo); -tags netgo or CGO_ENABLED=0 gives the pure-Go one",
    "os/user": "libc user lookup (getpwuid); -tags osusergo or CGO_ENABLED=0 gives the pure-Go one",
    "plugin": "dlopen: nothing replaces it, plugin needs cgo",
    "runtime/cgo": "the runtime support every cgo package (std ones too) links",
    "runtime/race": "the race detector's C runtime (-race)",
}


def _std_line(result: ScanResult) -> Text | None:
    """Which standard-library package needs cgo for what, and where."""
    if not result.std:
        return None
    from rich.text import Text

    text = Text("std:", style="bold")
    for s in result.std:
        need = _STD_NEEDS.get(s.import_path, "compiles C code")
        text.append(f"\n  {s.import_path} on {s.where}: {need}")
    text.append("\n  (CGO010; --include-std lists them as findings)", style="dim")
    return text


def _why_view(result: ScanResult, names: dict[str, str]) -> RenderableType:
    from rich.console import Group
    from rich.text import Text

    parts: list[RenderableType] = []
    for answer in result.why:
        parts.append(Text(f"Why {answer.package}?", style="bold"))
        for group in answer.groups:
            if not group.chains:
                parts.append(Text(f"    [{group.where}] not imported", style="dim"))
                continue
            for chain in group.chains:
                line = Text(f"    [{group.where}] ", style="dim")
                line.append(" → ".join(chain))
                parts.append(line)
    return Group(*parts)


def render(result: ScanResult, *, width: int = 110) -> RenderableType:
    """The terminal view for a console `width` columns wide: groups, the package × group
    table, needs, findings, notes."""
    from rich.console import Group
    from rich.text import Text

    names = _short_names(result)
    parts: list[RenderableType] = [_header(result, names), Text()]
    parts.extend([Text("Target groups", style="bold"), _groups_table(result), Text()])
    if result.packages:
        parts.extend(_matrix_tables(result, names, width))
        legend = _LEGEND_CODES if len(result.groups) > _WIDE_GROUPS else _LEGEND
        parts.append(Text(legend, style="dim"))
        parts.append(Text())
        parts.append(Text("What each cgo package needs", style="bold"))
        parts.append(_needs_table(result, names, width))
    else:
        resolved = " resolved" if result.unresolved else ""
        parts.append(
            Text(f"No{resolved} package of the project uses cgo on these targets.", style="green")
        )
        parts.append(Text())
    if result.findings:
        parts.extend([_findings_view(result, names), Text()])
    else:
        parts.extend([Text("No findings.", style="bold green"), Text()])
    std = _std_line(result)
    if std is not None:
        parts.extend([std, Text()])
    if result.no_header_data:
        parts.append(
            Text(
                "headers not checked on "
                + _where(result, result.no_header_data)
                + " (zig ships no libc headers for them)",
                style="dim",
            )
        )
    coverage = coverage_line(result)
    if coverage:
        parts.extend([Text(coverage, style="bold yellow"), Text()])
    if result.why:
        parts.extend([_why_view(result, names), Text()])
    parts.extend(Text(f"problem: {problem}", style="yellow") for problem in result.problems)
    return Group(*parts)


def coverage_line(result: ScanResult) -> str:
    """ "N imported packages could not be resolved: ..." ("" when every import resolved)."""
    n = len(result.unresolved)
    if not n:
        return ""
    what = "imported package" if n == 1 else "imported packages"
    its = "its" if n == 1 else "their"
    return (
        f"{n} {what} could not be resolved: {its} cgo status is unknown; run `go mod download`"
        f" (e.g. {', '.join(result.unresolved[:3])})"
    )


def _where(result: ScanResult, targets: Sequence[Target]) -> str:
    return compact_targets(targets, result.targets)


def format_table(result: ScanResult, *, width: int = 110, color: bool = False) -> str:
    """The terminal view as text (ANSI colours only with `color`)."""
    from rich.console import Console

    buffer = io.StringIO()
    console = Console(
        file=buffer,
        width=width,
        force_terminal=color,
        color_system="standard" if color else None,
        no_color=not color,
        highlight=False,
        emoji=False,
        soft_wrap=False,
    )
    console.print(render(result, width=width))
    return buffer.getvalue()


def _files(obj: dict[str, Any], key: str, values: Sequence[str]) -> None:
    if values:
        obj[key] = list(values)


_ACTIVE: dict[cpp.Truth, bool | None] = {
    cpp.Truth.TRUE: True,
    cpp.Truth.FALSE: False,
    cpp.Truth.UNKNOWN: None,
}


def _include_json(include: IncludeOnTarget) -> dict[str, Any]:
    obj: dict[str, Any] = {
        "header": include.header,
        "delimiter": "<>" if include.system else '""',
        "local": include.local,
        "active": _ACTIVE[include.active],
    }
    if include.condition:
        obj["condition"] = include.condition
    if include.unknown_guard:
        obj["undecided"] = include.unknown_guard
    return obj


def _finding_json(
    f: Finding, result: ScanResult, judged: Judged[Finding] | None, new: bool | None
) -> dict[str, Any]:
    obj: dict[str, Any] = {
        "rule": f.rule.id,
        "name": f.rule.name,
        "severity": (judged.severity if judged is not None else f.severity).value,
        "package": f.package,
        "subject": f.subject,
        "where": result.where(f),
        "targets": [t.name for t in f.targets],
        "message": f.message,
        "fix": rules.fix_line(f.rule),
        "files": list(f.files),
    }
    if f.condition:
        obj["condition"] = f.condition
    if f.evidence:
        obj["evidence"] = _evidence_json(f.evidence)
    if judged is not None and judged.suppression is not None:
        mark = judged.suppression
        obj["suppressed"] = {"kind": mark.kind.value, "reason": mark.reason, "where": mark.where}
    if new is not None:
        obj["baseline"] = "new" if new else "known"
    return obj


def _evidence_json(evidence: Sequence[Evidence]) -> list[dict[str, Any]]:
    out = []
    for e in evidence:
        obj: dict[str, Any] = {"file": e.file}
        if e.line is not None:
            obj["line"] = e.line
        obj["text"] = e.text
        out.append(obj)
    return out


def _summary(result: ScanResult, judged: Sequence[Judged[Finding]] | None) -> dict[str, int]:
    if judged is None:
        counts = {s: result.count(s) for s in Severity}
        suppressed = 0
    else:
        counts = dict.fromkeys(Severity, 0)
        for j in judged:
            if j.suppression is None:
                counts[j.severity] += 1
        suppressed = sum(1 for j in judged if j.suppression is not None)
    return {
        "errors": counts[Severity.ERROR],
        "warnings": counts[Severity.WARNING],
        "notes": counts[Severity.NOTE],
        "suppressed": suppressed,
    }


_ENTRY_NAMES = operator.attrgetter(
    "cgo_files",
    "dropped_files",
    "fallback_files",
    "system_headers",
    "local_headers",
    "libs",
    "pkg_config",
)
_INCLUDE_FIELDS = operator.attrgetter(
    "header", "system", "local", "active", "condition", "unknown_guard"
)


def _entry_key(entry: PackageOnTarget) -> tuple[Any, ...]:
    """What `to_json` writes of a `PackageOnTarget` (not its target: the key it is written
    at): equal keys, equal objects. (Enum members and the evidence by identity.)"""
    includes = entry.includes
    return (
        id(entry.status),
        id(entry.verdict),
        id(entry.evidence),
        _ENTRY_NAMES(entry),
        tuple(map(_INCLUDE_FIELDS, includes)) if includes else (),
    )


def _entry_json(entry: PackageOnTarget) -> dict[str, Any]:
    obj: dict[str, Any] = {"status": entry.status.value, "verdict": entry.verdict.value}
    if entry.evidence:
        obj["evidence"] = _evidence_json(entry.evidence)
    _files(obj, "cgo_files", entry.cgo_files)
    _files(obj, "dropped_files", entry.dropped_files)
    _files(obj, "fallback_files", entry.fallback_files)
    _files(obj, "system_headers", entry.system_headers)
    _files(obj, "local_headers", entry.local_headers)
    if entry.includes:
        obj["includes"] = [_include_json(i) for i in entry.includes]
    _files(obj, "libs", entry.libs)
    _files(obj, "pkg_config", entry.pkg_config)
    return obj


def to_json(
    result: ScanResult,
    *,
    judged: Sequence[Judged[Finding]] | None = None,
    baseline: BaselineView | None = None,
) -> dict[str, Any]:
    """The machine document (see `schemas/scan.schema.json`); `judged`: the project's word
    on each finding (in order), `baseline`: the comparison with a baseline file."""
    if judged is not None and len(judged) != len(result.findings):
        raise ValueError("one judgement per finding")
    packages = []
    # An entry's object is made once for the entries of the very same field values (by
    # identity: the same objects; GOROOT std --targets all: 704 entries, ~46 distinct
    # texts), and written once by `dumps` (which writes an object met again as before)
    made: dict[tuple[Any, ...], dict[str, Any]] = {}
    for package in result.packages:
        per_target: dict[str, Any] = {}
        for entry in package.per_target:
            key = _entry_key(entry)
            obj = made.get(key)
            if obj is not None:
                per_target[entry.target.name] = obj
                continue
            obj = made[key] = _entry_json(entry)
            per_target[entry.target.name] = obj
        needs = package.needs
        packages.append(
            {
                "import_path": package.import_path,
                "dir": package.dir,
                "standard": package.standard,
                "reached_from": list(package.reached_from),
                "chain": list(package.chain),
                "needs": {
                    "system_headers": list(needs.system_headers),
                    "local_headers": list(needs.local_headers),
                    "libs": list(needs.libs),
                    "pkg_config": list(needs.pkg_config),
                    "c_files": list(needs.c_files),
                    "cxx_files": list(needs.cxx_files),
                    "m_files": list(needs.m_files),
                    "s_files": list(needs.s_files),
                    "syso_files": list(needs.syso_files),
                },
                "targets": per_target,
            }
        )
    return {
        "version": SCHEMA_VERSION,
        "command": "scan",
        "patterns": list(result.patterns),
        "tags": list(result.tags),
        "targets": [dict(t.to_json(), name=t.name) for t in result.targets],
        "roots": list(result.roots),
        "groups": [
            {"key": g.key, "label": g.label, "targets": [t.name for t in g.targets]}
            for g in result.groups
        ],
        "packages": packages,
        "findings": [
            _finding_json(
                f,
                result,
                judged[i] if judged is not None else None,
                baseline.comparison.is_new(i) if baseline is not None else None,
            )
            for i, f in enumerate(result.findings)
        ],
        "std": [
            {"import_path": s.import_path, "where": s.where, "targets": [t.name for t in s.targets]}
            for s in result.std
        ],
        "why": [
            {
                "package": w.package,
                "groups": [
                    {
                        "where": g.where,
                        "targets": [t.name for t in g.targets],
                        "chains": [list(c) for c in g.chains],
                    }
                    for g in w.groups
                ],
            }
            for w in result.why
        ],
        "no_header_data": [t.name for t in result.no_header_data],
        "problems": list(result.problems),
        "unresolved": list(result.unresolved),
        "summary": _summary(result, judged),
        **({"baseline": _baseline_json(baseline)} if baseline is not None else {}),
    }


def _baseline_json(view: BaselineView) -> dict[str, Any]:
    return {
        "file": view.file,
        "new": len(view.comparison.new),
        "gone": [
            {"rule": e.rule, "package": e.package, "subject": e.subject, "targets": list(e.targets)}
            for e in view.comparison.gone
        ],
    }


def format_json(
    result: ScanResult,
    *,
    judged: Sequence[Judged[Finding]] | None = None,
    baseline: BaselineView | None = None,
) -> str:
    """`to_json` as stable text."""
    return json_text(to_json(result, judged=judged, baseline=baseline))
