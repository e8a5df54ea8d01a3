"""The scan options `check` and `baseline` share with `scan` (what to scan, and how)."""

from __future__ import annotations

import argparse
from pathlib import Path

from cgotrap.cli import gate as gate_options
from cgotrap.config import Config
from cgotrap.discover.goenv import found_go_environment
from cgotrap.errors import InputError, UsageError
from cgotrap.gate import project
from cgotrap.targets import parse_cgo_modes


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """PATH, PATTERN..., --targets, --cgo, --tags, --config."""
    parser.add_argument("path", nargs="?", default=".", help="module root (default: .)")
    parser.add_argument("patterns", nargs="*", help="package patterns (default: ./...)")
    parser.add_argument(
        "--targets",
        default=None,
        help="targets (default: [targets] of .cgotrap.toml, else all)",
    )
    parser.add_argument("--cgo", default="both", help="CGO_ENABLED: 0, 1 or both (default)")
    parser.add_argument(
        "--tags", default="", help="comma-separated build tags (default: [build] tags)"
    )
    gate_options.add_config(parser)


def options(args: argparse.Namespace) -> tuple[Path, Config, project.ScanOptions]:
    """The module root, its config, and what to scan."""
    root = Path(args.path)
    if not root.is_dir():
        raise InputError(f"{args.path}: not a directory")
    config = project.load_config(root, Path(args.config) if args.config else None)
    report = project.report_targets(args.targets, parse_cgo_modes(args.cgo), config)
    if not report:
        raise UsageError(f"no target left: {args.targets or 'all'} with --cgo {args.cgo}")
    return (
        root,
        config,
        project.ScanOptions(
            targets=tuple(report),
            patterns=tuple(args.patterns) or ("./...",),
            tags=project.build_tags(args.tags, config),
            env=found_go_environment(),
        ),
    )
