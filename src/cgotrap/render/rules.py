"""The rule registry in the terminal: `cgotrap rules` (a table) and `cgotrap explain` (one rule).

Pure functions over `Rule` records; the CLI prints what they return.
"""

from __future__ import annotations

import io
from collections.abc import Sequence

from rich import box
from rich.console import Console, Group, RenderableType
from rich.table import Table
from rich.text import Text

from cgotrap.judge.rules import Rule, Severity

_SEVERITY_STYLE = {Severity.ERROR: "red", Severity.WARNING: "yellow", Severity.NOTE: "cyan"}

# The parts of a rule's docstring (see judge/rules/source.py), shown as headings.
_SECTIONS = ("Why it breaks:", "How to fix:", "Example:")


def _console(buffer: io.StringIO, width: int, color: bool) -> Console:
    return Console(
        file=buffer,
        width=width,
        force_terminal=color,
        color_system="standard" if color else None,
        no_color=not color,
        highlight=False,
        emoji=False,
        soft_wrap=False,
        markup=False,
    )


def _text(renderable: RenderableType, width: int, color: bool) -> str:
    buffer = io.StringIO()
    _console(buffer, width, color).print(renderable)
    return buffer.getvalue()


def rules_table(rules: Sequence[Rule]) -> Table:
    """ID, name, severity, summary of every rule."""
    table = Table(box=box.SIMPLE_HEAD, pad_edge=False, show_edge=False)
    table.add_column("ID", no_wrap=True)
    table.add_column("name", no_wrap=True)
    table.add_column("severity", no_wrap=True)
    table.add_column("summary", overflow="fold")
    for r in rules:
        table.add_row(
            r.id,
            r.name,
            Text(r.severity.value, style=_SEVERITY_STYLE[r.severity]),
            r.summary,
        )
    return table


def format_rules(rules: Sequence[Rule], *, width: int = 120, color: bool = False) -> str:
    """`cgotrap rules` as text."""
    return _text(rules_table(rules), width, color)


def explain(r: Rule) -> RenderableType:
    """One rule's whole documentation: heading, then the docstring's paragraphs."""
    heading = Text.assemble(
        (f"{r.id} {r.name}", "bold"),
        "  ",
        (r.severity.value, _SEVERITY_STYLE[r.severity]),
        f"  (added in {r.added})",
    )
    parts: list[RenderableType] = [heading, Text("")]
    for paragraph in r.doc.split("\n\n"):
        flat = " ".join(paragraph.split())
        section = next((s for s in _SECTIONS if flat.startswith(s)), "")
        if section:
            parts.append(Text.assemble((section, "bold"), flat[len(section) :]))
        else:
            parts.append(Text(flat))
        parts.append(Text(""))
    return Group(*parts[:-1])


def format_explain(r: Rule, *, width: int = 100, color: bool = False) -> str:
    """`cgotrap explain ID` as text."""
    return _text(explain(r), width, color)
