"""`cgotrap doctor`'s report: a terminal view and versioned JSON. Pure functions."""

from __future__ import annotations

import io
from typing import Any

from rich import box
from rich.console import Console, Group
from rich.table import Table
from rich.text import Text

from cgotrap.doctor import Diagnosis, Origin
from cgotrap.render.common import json_text

JSON_VERSION = 1


def render(diagnosis: Diagnosis) -> Group:
    """Tools, the cgo default, and the configured targets."""
    tools = Table(box=box.SIMPLE_HEAD, pad_edge=False, show_edge=False, title_justify="left")
    for column in ("tool", "found", "version", "where", "used for"):
        tools.add_column(column, overflow="fold")
    for tool in diagnosis.tools:
        missing = tool.origin is Origin.MISSING
        tools.add_row(
            tool.name,
            Text("missing", style="red") if missing else Text(tool.origin.value, style="green"),
            tool.version,
            tool.hint if missing else tool.path,
            tool.purpose,
        )
    default = diagnosis.cgo_default
    value = "unknown" if default.enabled is None else str(int(default.enabled))
    parts: list[Any] = [
        tools,
        Text(""),
        Text(f"host: {diagnosis.host or 'unknown'}; CGO_ENABLED={value}: {default.why}"),
    ]
    if diagnosis.targets:
        targets = Table(box=box.SIMPLE_HEAD, pad_edge=False, show_edge=False)
        for column in ("cgo target", "cross-compile C here", "how / what is missing", "tests run"):
            targets.add_column(column, overflow="fold")
        for check in diagnosis.targets:
            targets.add_row(
                check.target.name,
                Text("yes", style="green") if check.buildable else Text("no", style="red"),
                check.cc if check.buildable else "; ".join(check.missing),
                check.runner or "no runner here",
            )
        parts += [Text(""), targets]
    return Group(*parts)


def format_table(diagnosis: Diagnosis, *, width: int = 120, color: bool = False) -> str:
    """The terminal view as text."""
    buffer = io.StringIO()
    console = Console(
        file=buffer,
        width=width,
        force_terminal=color,
        color_system="standard" if color else None,
        no_color=not color,
        highlight=False,
        emoji=False,
        markup=False,
        soft_wrap=False,
    )
    console.print(render(diagnosis))
    return buffer.getvalue()


def to_json(diagnosis: Diagnosis) -> dict[str, Any]:
    """The report as a JSON document (`version` 1)."""
    default = diagnosis.cgo_default
    return {
        "version": JSON_VERSION,
        "tools": [
            {
                "name": t.name,
                "found": t.origin is not Origin.MISSING,
                "origin": t.origin.value,
                "path": t.path,
                "version": t.version,
                "purpose": t.purpose,
                "hint": t.hint,
            }
            for t in diagnosis.tools
        ],
        "host": diagnosis.host,
        "cgo_default": {"CGO_ENABLED": default.enabled, "why": default.why},
        "targets": [
            {
                "target": c.target.to_json(),
                "name": c.target.name,
                "buildable": c.buildable,
                "native": c.native,
                "cc": c.cc,
                "missing": list(c.missing),
                "runner": c.runner,
            }
            for c in diagnosis.targets
        ],
    }


def format_json(diagnosis: Diagnosis) -> str:
    """`to_json` as stable text."""
    return json_text(to_json(diagnosis))
