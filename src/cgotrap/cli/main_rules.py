"""`cgotrap rules`: the rule registry as a table (ID, name, severity, summary).

Exit status: 0. `cgotrap explain RULE` (`main_explain`) shows one rule whole.
"""

from __future__ import annotations

import argparse
import shutil
import sys
from typing import Any

from cgotrap.cli import streams
from cgotrap.errors import ExitCode


def register(sub: Any) -> None:
    """Add the `rules` subcommand."""
    parser: argparse.ArgumentParser = sub.add_parser(
        "rules",
        help="the rule registry: ID, name, severity, summary",
        description="List every rule cgotrap reports, by stable ID.",
    )
    parser.set_defaults(run=run_rules)


def terminal_width() -> int:
    return shutil.get_terminal_size((100, 24)).columns


def run_rules(args: argparse.Namespace) -> int:
    """Run `cgotrap rules`."""
    from cgotrap.judge.rules import all_rules
    from cgotrap.render.rules import format_rules

    del args
    streams.write(format_rules(all_rules(), width=terminal_width(), color=sys.stdout.isatty()))
    return ExitCode.OK
