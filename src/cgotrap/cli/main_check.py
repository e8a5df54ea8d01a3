"""`cgotrap check`: the CI gate. Scan with the project's config, fail only on what is new.

    cgotrap check [PATH] [PATTERN...] [--baseline FILE | --new-from-rev REV]
                  [--fail-on error|warning|note|never] [--format FORMAT] [-o FILE]
                  [--targets SEL] [--cgo 0|1|both] [--tags T,...] [--config FILE]

Scans like `cgotrap scan` with `.cgotrap.toml` and the `//cgotrap:ignore` comments, and
compares with `cgotrap-baseline.json` at the module root (or `--baseline FILE`; without
either every finding is new), or with what scan finds at git revision REV
(`--new-from-rev`, the tree exported with `git archive` to a temporary directory: the work
tree is never touched). A finding is new when its (rule, package, subject) is not in the
baseline or it holds on a target the baseline entry does not list. Lists the new findings
that fail the gate, the suppressed ones with their reasons, and the baseline entries that
are gone. `--format` as scan's: the table is check's own text; JSON marks each finding
`"baseline": "new"|"known"` and lists the gone entries; SARIF, Markdown, Code Climate, ...
are scan's with the suppressions, and the new findings are named on stderr.

Exit status: 0 when no new, unsuppressed finding is at or above `--fail-on` (default
error), 1 when one is (each named); 2 usage; 3 go or git missing; 4 unreadable input (also
one file among many) or unwritable output; 5 packages could not be resolved (`cgotrap.errors`).
"""

from __future__ import annotations

import argparse
import functools
from typing import Any

from cgotrap.cli import gate as gate_options
from cgotrap.cli import output, scan_args, streams
from cgotrap.errors import ExitCode, UsageError, combine


def register(sub: Any) -> None:
    """Add the `check` subcommand."""
    parser: argparse.ArgumentParser = sub.add_parser(
        "check",
        help="the CI gate: scan with the config, fail only on findings not in the baseline",
        description=(
            "Scan with .cgotrap.toml and the //cgotrap:ignore comments, compare with "
            "cgotrap-baseline.json (or --baseline FILE, or --new-from-rev REV) and exit 1 "
            "only on new findings at or above --fail-on, naming them."
        ),
    )
    scan_args.add_arguments(parser)
    gate_options.add_baseline(parser)
    parser.add_argument(
        "--new-from-rev",
        default=None,
        metavar="REV",
        help="the baseline is what scan finds at this git revision (like golangci-lint)",
    )
    gate_options.add_fail_on(parser)
    output.add_arguments(parser)
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    """Run `cgotrap check` (its scan through the cache, as `scan`'s; the cache's background
    writers joined before it returns)."""
    from cgotrap import cache

    try:
        return _run(args)
    finally:
        cache.wait_for_writes()


def _run(args: argparse.Namespace) -> int:
    from cgotrap.gate import baseline
    from cgotrap.gate.judging import FailOn, failing
    from cgotrap.gate.project import scan_project
    from cgotrap.render import gate as render_gate

    if args.baseline is not None and args.new_from_rev is not None:
        raise UsageError("--baseline and --new-from-rev are two baselines: give one")
    root, config, options = scan_args.options(args)
    scanned, inputs = scan_args.cached_scan(
        args,
        root,
        options,
        config,
        meanwhile=functools.partial(gate_options.prepare_emit, args, table=args.format == "table"),
    )
    result, judged = scanned.result, scanned.judged
    if args.new_from_rev is not None:
        from cgotrap.gate.revision import exported  # git and tarfile: only with a revision

        with exported(root, args.new_from_rev) as old_root:
            old = scan_project(old_root, options, config).judged
        accepted = baseline.entries_of(j.finding for j in old)
        view: baseline.BaselineView | None = baseline.BaselineView(
            file=f"revision {args.new_from_rev}",
            baseline=accepted,
            comparison=baseline.compare(result.findings, accepted),
        )
    else:
        view = gate_options.baseline_view(
            args.baseline, result.findings, default=root / baseline.FILE_NAME
        )
        if view is None:
            streams.say(
                f"cgotrap: no {baseline.FILE_NAME} at {render_gate.plain(str(root))}: "
                "every finding is new (cgotrap baseline writes one)"
            )
    fail_on = FailOn(args.fail_on)
    fails = failing(judged, fail_on, view.comparison.new if view is not None else None)
    table = None
    if args.format == "table":
        table = render_gate.format_check(
            result, judged, failing=fails, baseline=view, fail_on=fail_on.value
        )
    else:
        for i in fails:
            streams.say(f"cgotrap: new: {render_gate.finding_line(result, judged[i])}")
        gate_options.note_gone(view)  # the table lists them; other formats have no place
    gate_options.emit_scan(args, root, result, judged, view, table=table)
    inputs()  # (once the output is out: keeps the scan in the cache for the next run)
    outcomes = [ExitCode.FINDINGS] if fails else []
    outcomes.extend(gate_options.scan_problems(scanned))
    return combine(outcomes)
