"""A single-file HTML report: `format_html(report)`.

The packages × target-groups heatmap (a cell per package and group, coloured by its worst
finding), each cell opening its findings with evidence, the rule's fix and the package's
import chain; filters by severity, target group and rule; dark and light (the system's
`prefers-color-scheme`, and a toggle). No network: the CSS and JavaScript are inline
(`report.css`, `report.js` beside this file), and a Content-Security-Policy allows nothing
else, only the exact inline script and style (by their SHA-256).

The report's data is JSON inside `<script type="application/json">`, with `<`, `>`, `&`
and the line separators written as `\\u` escapes, so no name can close the element; the
script puts every text into the page with `textContent`, never as markup.
"""

from __future__ import annotations

import base64
import hashlib
import html
import json
from functools import cache
from importlib import resources
from typing import Any

from cgotrap.render.findings import FindingsReport, rule_section

DATA_VERSION = 1
"""The `"version"` of the embedded data."""


@cache
def _asset(name: str) -> str:
    return resources.files(__package__).joinpath(name).read_text(encoding="utf-8")


def _sha256(text: str) -> str:
    return "sha256-" + base64.b64encode(hashlib.sha256(text.encode("utf-8")).digest()).decode()


def to_data(report: FindingsReport) -> dict[str, Any]:
    """The data the page draws from."""
    fired = {f.rule_id: f.rule for f in report.findings}
    return {
        "version": DATA_VERSION,
        "command": report.command.value,
        "title": report.title,
        "tool": report.tool_version,
        "columns": [
            {"key": c.key, "label": c.label, "targets": list(c.targets)} for c in report.columns
        ],
        "rows": [
            {"name": r.name, "chain": list(r.chain), "statuses": list(r.statuses)}
            for r in report.rows
        ],
        "rules": {
            rule_id: {
                "name": rule.name,
                "summary": rule.summary,
                "fix": rule_section(rule, "How to fix"),
            }
            for rule_id, rule in sorted(fired.items())
        },
        "findings": [
            {
                "rule": f.rule_id,
                "severity": f.severity.value,
                "message": f.message,
                "row": f.row,
                "path": report.repo_path(f.path),
                "line": f.line,
                "where": f.where,
                "condition": f.condition,
                "columns": list(f.columns),
                "evidence": [{"file": e.file, "line": e.line, "text": e.text} for e in f.evidence],
                "suppressed": (
                    {"reason": f.suppression.reason, "where": f.suppression.where}
                    if f.suppression is not None
                    else None
                ),
            }
            for f in report.findings
        ],
    }


def script_json(document: Any) -> str:
    """JSON that is safe inside `<script type="application/json">`: nothing in it can end
    the element or open a comment (`<`, `>`, `&` escaped), and U+2028/9 are escaped."""
    text = json.dumps(document, ensure_ascii=False, separators=(",", ":"))
    for char, escape in (
        ("<", "\\u003c"),
        (">", "\\u003e"),
        ("&", "\\u0026"),
        ("\u2028", "\\u2028"),
        ("\u2029", "\\u2029"),
    ):
        text = text.replace(char, escape)
    return text


_PAGE = """<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; script-src '{script_hash}'; style-src '{style_hash}'; img-src data:">
<title>{title}</title>
<style>{style}</style>
</head>
<body>
<header>
<h1 id="title"></h1>
<span id="tool" class="muted"></span>
<div id="counts" class="counts"></div>
</header>
<div id="controls" role="group" aria-label="filters"></div>
<div id="legend" class="muted"></div>
<div class="layout">
<section>
<h2>Packages × target groups</h2>
<div class="scroll"><table class="heatmap"><thead id="heatmap-head"></thead><tbody id="heatmap-body"></tbody></table></div>
</section>
<section class="panel" aria-live="polite">
<h2 id="cell-title">Click a cell to see its findings</h2>
<div id="cell-chain" class="chain muted"></div>
<div id="cell-findings"></div>
</section>
</div>
<h2>All findings <span id="all-count" class="muted"></span></h2>
<div id="all-findings" class="panel"></div>
<script type="application/json" id="cgotrap-data">{data}</script>
<script>{script}</script>
<noscript>This report needs JavaScript to draw; the same findings are in cgotrap's JSON and SARIF formats.</noscript>
</body>
</html>
"""  # noqa: E501  # the CSP meta line is one attribute


def format_html(report: FindingsReport) -> str:
    """The report as one self-contained HTML page."""
    script = _asset("report.js")
    style = _asset("report.css")
    return _PAGE.format(
        script_hash=_sha256(script),
        style_hash=_sha256(style),
        title=html.escape(f"cgotrap {report.command.value}: {report.title}"),
        style=style,
        data=script_json(to_data(report)),
        script=script,
    )
