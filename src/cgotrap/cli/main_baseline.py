"""`cgotrap baseline`: write the findings of today as the ones the project accepts.

    cgotrap baseline [PATH] [PATTERN...] [-o FILE] [--force | --update]
                     [--targets SEL] [--cgo 0|1|both] [--tags T,...] [--config FILE]

Scans like `cgotrap scan` (with `.cgotrap.toml` and the `//cgotrap:ignore` comments) and
writes every finding that is not suppressed to `cgotrap-baseline.json` at the module root
(or FILE): sorted, versioned (`schemas/baseline.schema.json`), written atomically. An
existing file is never replaced unless asked: `--update` rewrites an existing baseline from
the current findings (and says how many entries it added and dropped), `--force` writes
whether or not one exists.

Exit status: 0 written; 2 usage (the file exists); 4 unreadable input or unwritable file;
5 packages could not be resolved (the baseline is written, from an incomplete answer).
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from cgotrap.cli import gate as gate_options
from cgotrap.cli import scan_args, streams
from cgotrap.errors import UsageError, combine


def register(sub: Any) -> None:
    """Add the `baseline` subcommand."""
    parser: argparse.ArgumentParser = sub.add_parser(
        "baseline",
        help="write today's findings to cgotrap-baseline.json (check fails only on new ones)",
        description=(
            "Scan the module and write its findings (suppressed ones left out) to "
            "cgotrap-baseline.json at the module root: `cgotrap check` then fails only on "
            "findings that are not in it."
        ),
    )
    scan_args.add_arguments(parser)
    parser.add_argument("-o", "--output", default=None, metavar="FILE", help="where to write it")
    mode = parser.add_mutually_exclusive_group()
    mode.add_argument("--force", action="store_true", help="replace an existing file")
    mode.add_argument(
        "--update", action="store_true", help="rewrite an existing baseline from today's findings"
    )
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    """Run `cgotrap baseline` (its scan through the cache, as `scan`'s; the cache's
    background writers joined before it returns)."""
    from cgotrap import cache

    try:
        return _run(args)
    finally:
        cache.wait_for_writes()


def _run(args: argparse.Namespace) -> int:
    from cgotrap.config.write import write_new
    from cgotrap.gate import baseline
    from cgotrap.render.gate import plain

    root, config, options = scan_args.options(args)
    target = Path(args.output) if args.output else root / baseline.FILE_NAME
    old = None
    if args.update:
        if not target.is_file():
            raise UsageError(f"{target}: no baseline to update (write one without --update)")
        old = baseline.load(target)
    scanned, inputs = scan_args.cached_scan(args, root, options, config)
    judged = scanned.judged
    accepted = baseline.entries_of(j.finding for j in judged if j.suppression is None)
    write_new(target, baseline.format_baseline(accepted), force=args.force or args.update)
    count = len(accepted.entries)
    line = f"cgotrap: wrote {plain(str(target))}: {count} entr{'ies' if count != 1 else 'y'}"
    if old is not None:
        before, after = set(old.entries), set(accepted.entries)
        line += (
            f" ({len(after - before)} added or widened, {len(before - after)} dropped or narrowed)"
        )
    streams.say(line)
    inputs()  # (keeps the scan in the cache for the next run)
    return combine(gate_options.scan_problems(scanned))
