"""`cgotrap scan` (not yet implemented)."""

from __future__ import annotations

import argparse
from typing import Any

from cgotrap.errors import UsageError


def register(sub: Any) -> None:
    """Add the `scan` subcommand to the parser."""
    parser: argparse.ArgumentParser = sub.add_parser("scan", help="(not yet implemented)")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    """Run `cgotrap scan`."""
    raise UsageError("scan is not implemented yet")
