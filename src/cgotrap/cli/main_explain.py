"""`cgotrap explain RULE`: one rule's documentation in the terminal.

    cgotrap explain CGO004        (a rule ID or name, any case)

Exit status: 0; 2 for an unknown rule, naming the closest IDs and names.
"""

from __future__ import annotations

import argparse
import difflib
import sys
from typing import Any

from cgotrap.cli import streams
from cgotrap.cli.main_rules import terminal_width
from cgotrap.errors import ExitCode, UsageError


def register(sub: Any) -> None:
    """Add the `explain` subcommand."""
    parser: argparse.ArgumentParser = sub.add_parser(
        "explain",
        help="one rule's documentation: what, why it breaks, how to fix, an example",
        description="Print the full documentation of one rule (by ID, CGO004, or name).",
    )
    parser.add_argument("rule", metavar="RULE", help="a rule ID (CGO004) or name")
    parser.set_defaults(run=run_explain)


def run_explain(args: argparse.Namespace) -> int:
    """Run `cgotrap explain RULE`."""
    from cgotrap.judge.rules import all_rules
    from cgotrap.render.rules import format_explain

    wanted = args.rule.strip()
    registry = all_rules()
    by_key = {r.id.upper(): r for r in registry} | {r.name.lower(): r for r in registry}
    found = by_key.get(wanted.upper()) or by_key.get(wanted.lower())
    if found is None:
        close = difflib.get_close_matches(wanted.upper(), [r.id for r in registry], n=3)
        close += difflib.get_close_matches(wanted.lower(), [r.name for r in registry], n=3)
        shown = repr(wanted)
        hint = f"; did you mean {', '.join(dict.fromkeys(close))}?" if close else ""
        raise UsageError(f"unknown rule {shown}{hint} (`cgotrap rules` lists them)")
    width = min(terminal_width(), 100)
    streams.write(format_explain(found, width=width, color=sys.stdout.isatty()))
    return ExitCode.OK
