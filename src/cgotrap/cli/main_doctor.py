"""`cgotrap doctor`: what this machine can build, run and check for the project's targets.

    cgotrap doctor [PATH] [--config FILE] [--targets SEL] [--format table|json]

The targets are `--targets`, else those of `.cgotrap.toml` (`--config`, else PATH's module
root), else Go's first-class ports. Exit status: 0 (it only reports); 2 usage; 4 a bad
config file.
"""

from __future__ import annotations

import argparse
import enum
import shutil
import sys
from pathlib import Path
from typing import Any, assert_never

from cgotrap.cli import streams
from cgotrap.errors import ExitCode


class OutputFormat(enum.StrEnum):
    """`--format` values."""

    TABLE = "table"
    JSON = "json"


def register(sub: Any) -> None:
    """Add the `doctor` subcommand."""
    parser: argparse.ArgumentParser = sub.add_parser(
        "doctor",
        help="what this machine can build: go, zig, qemu, pkg-config, readelf; cgo per target",
        description=(
            "Report the tools cgotrap uses (found or not, version, where from), this host's "
            "default CGO_ENABLED and why, and for each cgo target whether C can be "
            "cross-compiled here and what is missing."
        ),
    )
    parser.add_argument("path", nargs="?", default=".", help="module root (default: .)")
    parser.add_argument("--config", metavar="FILE", help="a .cgotrap.toml to take targets from")
    parser.add_argument(
        "--targets", default="", help="target selectors (default: the config's, or first-class)"
    )
    parser.add_argument(
        "--format",
        choices=[f.value for f in OutputFormat],
        default=OutputFormat.TABLE.value,
        help="output format (default: table; json is versioned)",
    )
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    """Run `cgotrap doctor`."""
    from cgotrap import config as project_config
    from cgotrap.doctor import diagnose
    from cgotrap.render import doctor as renderer
    from cgotrap.targets import expand

    if args.targets:
        targets = expand(args.targets, (True,))
    else:
        path = Path(args.config) if args.config else project_config.find_at_root(Path(args.path))
        config = project_config.load(path) if path is not None else None
        if config is not None and config.targets.select:
            targets = config.targets.expand((True,))
        else:
            targets = expand("first-class", (True,))
    diagnosis = diagnose(targets)
    output_format = OutputFormat(args.format)
    match output_format:
        case OutputFormat.TABLE:
            width = shutil.get_terminal_size((120, 24)).columns
            text = renderer.format_table(diagnosis, width=width, color=sys.stdout.isatty())
        case OutputFormat.JSON:
            text = renderer.format_json(diagnosis)
        case _ as unreachable:
            assert_never(unreachable)
    streams.write(text)
    return ExitCode.OK
