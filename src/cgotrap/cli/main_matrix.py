"""`cgotrap matrix` (not yet implemented)."""

from __future__ import annotations

import argparse
from typing import Any

from cgotrap.errors import UsageError


def register(sub: Any) -> None:
    """Add the `matrix` subcommand to the parser."""
    parser: argparse.ArgumentParser = sub.add_parser("matrix", help="(not yet implemented)")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    """Run `cgotrap matrix`."""
    raise UsageError("matrix is not implemented yet")
