"""Renderers of `InspectReport`: a table a person reads at a glance, and versioned JSON.

Pure functions: `render(report)` builds a rich renderable, `format_table(report)` the same as
text, `to_json`/`format_json` the machine document (schema: `schemas/inspect.schema.json`).
Names are the paths as given on the command line; nothing carries a timestamp.
"""

from __future__ import annotations

import io
import json
from typing import TYPE_CHECKING, Any, assert_never

from cgotrap.judge.finding import Finding
from cgotrap.judge.policy import (
    BinaryVerdicts,
    Fit,
    InspectReport,
    LibcKind,
    Verdict,
    glibc_needs,
    libc_of,
)
from cgotrap.judge.rules import Severity
from cgotrap.read.binary import Inspected
from cgotrap.read.binary.buildinfo import BuildInfo, Module
from cgotrap.read.binary.interface import BinaryFormat, Linkage
from cgotrap.render.common import json_text
from cgotrap.render.untrusted import json_document

if TYPE_CHECKING:  # rich costs ~40 ms to import: only the table view loads it
    from rich.console import RenderableType
    from rich.table import Table
    from rich.text import Text

SCHEMA_VERSION = 1
"""The `"version"` of the JSON document; bumped on any incompatible change."""

_FIT_MARK = {
    Fit.YES: ("yes", "green"),
    Fit.NO: ("NO", "bold red"),
    Fit.MAYBE: ("maybe", "yellow"),
    Fit.NOT_APPLICABLE: ("n/a", "dim"),
    Fit.UNKNOWN: ("?", "bold red"),
}
_SEVERITY_STYLE = {Severity.ERROR: "bold red", Severity.WARNING: "yellow", Severity.NOTE: "cyan"}


def linkage_summary(linkage: Linkage) -> str:
    """ "static", "dynamic glibc>=2.34", "dynamic musl", "macOS>=13.0", "4 DLLs"."""
    match linkage.format:
        case BinaryFormat.ELF:
            if linkage.static:
                return "static-pie" if linkage.pie else "static"
            libc = libc_of(linkage)
            if libc is LibcKind.GLIBC:
                best, name, _ = glibc_needs(linkage)
                return f"dynamic glibc>={name.removeprefix('GLIBC_')}" if best else "dynamic glibc"
            return f"dynamic {libc.value}"
        case BinaryFormat.MACHO:
            if linkage.min_os is not None:
                return f"{linkage.min_os.platform}>={linkage.min_os.version}"
            return "Mach-O"
        case BinaryFormat.PE:
            # "kernel32.dll + 7 api-ms-win-crt-*": the UCRT API sets would fill the screen
            api_sets = [d for d in linkage.needed if d.lower().startswith("api-ms-win-")]
            others = [d for d in linkage.needed if d not in api_sets]
            text = ", ".join(others) or "no imports"
            return f"{text} + {len(api_sets)} api-ms-win-*" if api_sets else text
        case _ as unreachable:
            assert_never(unreachable)


def _cgo_text(binary: Inspected) -> Text:
    from rich.text import Text

    cgo = binary.cgo
    if cgo is None:
        return Text("?", style="dim")
    return Text("cgo", style="cyan") if cgo else Text("no", style="dim")


def _fit_text(verdict: Verdict) -> Text:
    from rich.text import Text

    mark, style = _FIT_MARK[verdict.fit]
    if verdict.other_platform:
        return Text("-", style="dim")
    return Text(mark, style=style)


def _facts_table(report: InspectReport) -> Table:
    from rich import box
    from rich.table import Table
    from rich.text import Text

    table = Table(box=box.SIMPLE_HEAD, show_edge=False, pad_edge=False)
    table.add_column("binary", overflow="fold", ratio=3)
    table.add_column("go", no_wrap=True)
    table.add_column("os/arch", no_wrap=True)
    table.add_column("cgo", no_wrap=True)
    table.add_column("linkage", overflow="fold", ratio=2)
    for entry in report.binaries:
        b = entry.binary
        if b.linkage is None:
            table.add_row(
                Text(_clean(b.name)), "-", "-", "-", Text(_clean(b.error), style="bold red")
            )
            continue
        go = _clean(b.build_info.go_version) if b.build_info is not None else "-"
        table.add_row(
            Text(_clean(b.name)),
            Text(go),
            Text(f"{b.goos or '?'}/{b.goarch or '?'}"),
            _cgo_text(b),
            Text(linkage_summary(b.linkage)),
        )
    return table


def _verdict_table(report: InspectReport) -> Table:
    from rich import box
    from rich.table import Table
    from rich.text import Text

    table = Table(box=box.SIMPLE_HEAD, show_edge=False, pad_edge=False)
    table.add_column("binary", overflow="fold")
    for target in report.run_targets:
        table.add_column(target.name, justify="center", no_wrap=True)
    if report.policy is not None:
        table.add_column(f"policy {report.policy.name}", justify="center", no_wrap=True)
    for entry in report.binaries:
        cells: list[RenderableType] = [Text(_clean(entry.binary.name))]
        cells.extend(_fit_text(v) for v in entry.runs_on)
        if entry.policy is not None:
            cells.append(_fit_text(entry.policy))
        table.add_row(*cells)
    return table


def render(report: InspectReport, *, facts: bool = True) -> RenderableType:
    """The terminal view: what each binary is; where it runs (run-targets x binaries, "-"
    where it is built for another OS/arch); why not; the release's findings."""
    from rich.console import Group
    from rich.text import Text

    parts: list[RenderableType] = [_facts_table(report)] if facts else []
    if report.run_targets or report.policy is not None:
        parts.extend([Text(""), _verdict_table(report)] if parts else [_verdict_table(report)])
    notes = [line for entry in report.binaries for line in _notes(entry)]
    if notes:
        parts.append(Text(""))
        parts.extend(notes)
    if report.findings:
        parts.append(Text(""))
        for finding in report.findings:
            line = Text()
            line.append(f"{finding.rule.id} ", style=_SEVERITY_STYLE[finding.rule.severity])
            line.append(f"{finding.rule.name} ", style="bold")
            line.append(_clean(f"{finding.subject}: {finding.message}"))
            parts.append(line)
    return Group(*parts)


def _notes(entry: BinaryVerdicts) -> list[Text]:
    from rich.text import Text

    out: list[Text] = []
    verdicts = list(entry.runs_on)
    if entry.policy is not None:
        verdicts.append(entry.policy)
    for verdict in verdicts:
        if verdict.fit in (Fit.NO, Fit.MAYBE) and verdict.reasons and not verdict.other_platform:
            _, style = _FIT_MARK[verdict.fit]
            line = Text()
            line.append(f"{_clean(entry.binary.name)} ", style="bold")
            line.append(f"{verdict.subject}: ", style=style)
            line.append(_clean("; ".join(verdict.reasons)))
            out.append(line)
    return out


def format_table(
    report: InspectReport, *, width: int = 120, color: bool = False, facts: bool = True
) -> str:
    """The terminal view as text (`color` adds ANSI styles; without `facts` the first
    table is left out: its rows were shown one by one as they came)."""
    from rich.console import Console

    buffer = io.StringIO()
    console = Console(
        file=buffer,
        width=width,
        force_terminal=color,
        color_system="standard" if color else None,
        highlight=False,
        soft_wrap=False,
    )
    console.print(render(report, facts=facts))
    return buffer.getvalue()


# ---------------------------------------------------------------------------------------------
# JSON


def _clean(text: str) -> str:
    """Bytes that were not UTF-8 (file names, build info, kept as surrogate escapes) are left
    for `json_text` to escape as every format does (`render.untrusted`: the text `\\xff`)."""
    return text


def _module(m: Module | None) -> dict[str, Any] | None:
    if m is None:
        return None
    return {
        "path": _clean(m.path),
        "version": _clean(m.version),
        "sum": _clean(m.sum),
        "replace": _module(m.replace),
    }


def _build_info(info: BuildInfo | None) -> dict[str, Any] | None:
    if info is None:
        return None
    deps = [_module(d) for d in info.deps]
    return {
        "go_version": _clean(info.go_version),
        "path": _clean(info.path),
        "main": _module(info.main),
        "deps": deps,
        "settings": [{"key": _clean(s.key), "value": _clean(s.value)} for s in info.settings],
    }


def _linkage(linkage: Linkage | None) -> dict[str, Any] | None:
    if linkage is None:
        return None
    _, glibc_name, glibc_symbols = glibc_needs(linkage)
    return {
        "format": linkage.format.value,
        "os": linkage.os,
        "arch": linkage.arch,
        "bits": linkage.bits,
        "endian": linkage.endian.value,
        "static": linkage.static,
        "libc": libc_of(linkage).value,
        "interpreter": linkage.interpreter,
        "needed": list(linkage.needed),
        "rpath": list(linkage.rpath),
        "runpath": list(linkage.runpath),
        "version_needs": [
            {"library": n.library, "version": n.version, "symbols": list(n.symbols)}
            for n in linkage.version_needs
        ],
        "max_glibc": {"version": glibc_name, "symbols": list(glibc_symbols)}
        if glibc_name
        else None,
        "os_abi": linkage.os_abi,
        "abi_tag": linkage.abi_tag,
        "pie": linkage.pie,
        "stripped": linkage.stripped,
        "min_os": {
            "platform": linkage.min_os.platform,
            "version": linkage.min_os.version,
            "sdk": linkage.min_os.sdk,
        }
        if linkage.min_os is not None
        else None,
        "fat_arches": list(linkage.fat_arches),
        "subsystem": linkage.subsystem,
        "cgo_evidence": list(linkage.cgo_evidence),
    }


def _verdict(v: Verdict) -> dict[str, Any]:
    return {
        "subject": v.subject,
        "fit": v.fit.value,
        "reasons": [_clean(r) for r in v.reasons],
        "other_platform": v.other_platform,
    }


def to_json(report: InspectReport) -> dict[str, Any]:
    """The machine document (see `schemas/inspect.schema.json`)."""
    return {
        "version": SCHEMA_VERSION,
        "run_targets": [
            {
                "name": t.name,
                "os": t.os,
                "libc": t.libc.value,
                "libc_version": ".".join(str(v) for v in t.libc_version),
                "os_version": ".".join(str(v) for v in t.os_version),
                "source": t.source,
            }
            for t in report.run_targets
        ],
        "policy": report.policy.name if report.policy is not None else None,
        "binaries": [_binary(e) for e in report.binaries],
        "findings": [_finding(f) for f in report.findings],
    }


def _binary(e: BinaryVerdicts) -> dict[str, Any]:
    return {
        "name": _clean(e.binary.name),
        "size": e.binary.size,
        "error": _clean(e.binary.error) or None,
        "goos": e.binary.goos,
        "goarch": e.binary.goarch,
        "cgo": e.binary.cgo,
        "linkage": _linkage(e.binary.linkage),
        "build_info": _build_info(e.binary.build_info),
        "build_info_error": e.binary.build_info_error or None,
        "runs_on": [_verdict(v) for v in e.runs_on],
        "policy": _verdict(e.policy) if e.policy is not None else None,
    }


def _finding(f: Finding) -> dict[str, Any]:
    return {
        "rule": f.rule.id,
        "name": f.rule.name,
        "severity": f.rule.severity.value,
        "binary": _clean(f.subject),
        "message": _clean(f.message),
    }


def _jsonl(document: dict[str, Any]) -> str:
    return json_document(json.dumps(document, ensure_ascii=False, separators=(",", ":"))) + "\n"


def format_jsonl_binary(entry: BinaryVerdicts) -> str:
    """`--format jsonl`: one line per binary, written as soon as it is read:
    `{"version": ..., "binary": {...}}` (the object of the JSON document's "binaries")."""
    return _jsonl({"version": SCHEMA_VERSION, "binary": _binary(entry)})


def format_jsonl_findings(report: InspectReport) -> str:
    """`--format jsonl`, at the end: one `{"version": ..., "finding": {...}}` line per finding
    about the release as a whole (they need every binary)."""
    return "".join(
        _jsonl({"version": SCHEMA_VERSION, "finding": _finding(f)}) for f in report.findings
    )


def format_row(entry: BinaryVerdicts, *, width: int = 120) -> str:
    """One binary as a line, shown on a terminal as soon as it is read (`inspect /`):
    name, go version, os/arch, cgo and linkage; a name too long for `width` loses its
    start ("…/bin/app"), so the facts stay in view."""
    b = entry.binary
    if b.linkage is None:
        facts = _clean(b.error)
    else:
        go = _clean(b.build_info.go_version) if b.build_info is not None else "-"
        cgo = {True: "cgo", False: "no cgo", None: "cgo?"}[b.cgo]
        facts = f"{go}  {b.goos or '?'}/{b.goarch or '?'}  {cgo}  {linkage_summary(b.linkage)}"
    name = _clean(b.name)
    room = max(width - len(facts) - 3, 12)
    if len(name) > room:
        name = "…" + name[len(name) - room + 1 :]
    return f"{name}  {facts}\n"


def format_json(report: InspectReport) -> str:
    """The machine document as stable JSON text."""
    return json_text(to_json(report))
