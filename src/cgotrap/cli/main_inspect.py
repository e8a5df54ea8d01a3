"""`cgotrap inspect`: what a built Go binary is and where it will run.

    cgotrap inspect PATH... [--runs-on alpine,rhel-7|all] [--policy NAME]
                    [--format FORMAT] [-o FILE] [--jobs N] [--go-version-m]
                    [--config FILE] [--baseline FILE]

PATHs are binaries, directories (recursive; non-binaries skipped quietly) and release
archives (.tar.gz, .tgz, .tar, .zip; members read in place, never extracted).

`--go-version-m` prints exactly what `go version -m PATH...` prints, and exits like it.

`--config FILE`, else the nearest `.cgotrap.toml` from the current directory upward, gives
`[inspect]`'s policy and run-targets when the options do not, and severities and ignores
(`path` globs match the binary's path).

Exit status (`cgotrap.errors`): 0; 1 when `--policy` is violated by a finding that counts
(not suppressed; with `--baseline FILE`, not in the baseline); 2 usage; 4 when a file could
not be read (one named file, or one among many: the others are still reported) or the
output not written.
"""

from __future__ import annotations

import argparse
import contextlib
import shutil
import sys
from pathlib import Path
from typing import Any

from cgotrap.cli import gate as gate_options
from cgotrap.cli import output, streams
from cgotrap.errors import ExitCode, InputError, UsageError, combine
from cgotrap.render.formats import OutputFormat, formatter, report_format


def register(sub: Any) -> None:
    """Add the `inspect` subcommand to the parser."""
    parser: argparse.ArgumentParser = sub.add_parser(
        "inspect",
        help="what a built Go binary is (build info, linkage, libc) and where it runs",
        description=(
            "Read Go binaries (ELF, Mach-O, PE; files, directories, release archives) from "
            "any host, without running them: Go build info, cgo, static or dynamic, loader, "
            "needed libraries, required glibc symbol versions, minimum macOS; judge them "
            "against run-targets (--runs-on) and a policy (--policy), and flag the odd one "
            "out of a release."
        ),
    )
    parser.add_argument("paths", nargs="+", metavar="PATH", help="binaries, dirs, archives")
    parser.add_argument(
        "--runs-on",
        default="",
        metavar="TARGETS",
        help="run-targets to judge, comma-separated or 'all' (alpine, distroless-static, "
        "scratch, debian-12, ubuntu-22.04, rhel-7, macos-12, windows, ...)",
    )
    parser.add_argument(
        "--policy",
        default="",
        metavar="NAME",
        help="exit 1 when a Linux binary violates it: static, glibc<=2.17, glibc<=2.28, ..., musl",
    )
    output.add_arguments(parser)
    parser.add_argument(
        "--jobs",
        type=int,
        default=1,
        metavar="N",
        help="worker processes for directories of 24+ files; 0 = the CPUs available "
        "(default: 1; a pool pays off only on an idle multi-core machine)",
    )
    parser.add_argument(
        "--go-version-m",
        action="store_true",
        help="print exactly what `go version -m PATH...` prints",
    )
    gate_options.add_config(parser, where="the current directory or above")
    gate_options.add_baseline(parser)
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    """Run `cgotrap inspect`."""
    from cgotrap.read.binary import default_jobs, go_version_m, inspect_inputs

    if args.go_version_m:
        result = go_version_m(args.paths)
        streams.write_bytes(result.stdout)
        with contextlib.suppress(OSError, ValueError):  # stderr closed or full: nothing to do
            sys.stderr.buffer.write(result.stderr)
            sys.stderr.buffer.flush()
        return result.exit_code  # go's own: 1 when a named file is no readable Go binary

    from cgotrap import config as project_config
    from cgotrap.gate.judging import FailOn, failing, judge_findings
    from cgotrap.judge import policy as policies
    from cgotrap.render import inspect as renderer
    from cgotrap.render.untrusted import for_terminal

    found = Path(args.config) if args.config else project_config.find_upward(Path.cwd())
    config = project_config.load(found) if found is not None else project_config.Config()
    runs_on = args.runs_on or ",".join(config.inspect.runs_on)
    policy_name = args.policy or config.inspect.policy or ""
    targets = policies.select_run_targets(runs_on) if runs_on else ()
    policy = policies.get_policy(policy_name) if policy_name else None
    if args.jobs < 0:
        raise UsageError("--jobs must be 0 (the CPUs available) or more")
    binaries = list(inspect_inputs(args.paths, jobs=args.jobs or default_jobs()))
    if len(args.paths) == 1 and len(binaries) == 1 and binaries[0].linkage is None:
        # one file named, and it cannot be read: an input error, not a report
        raise InputError(f"{binaries[0].name}: {binaries[0].error}")
    report = policies.build_report(binaries, targets, policy)
    judged = judge_findings(report.findings, config, root=None)
    baseline = gate_options.baseline_view(args.baseline, report.findings)

    fmt = OutputFormat(args.format)
    view = report_format(fmt)
    if view is not None:
        from cgotrap.render.findings import from_inspect

        as_findings = from_inspect(report, judged=judged, base=output.repository_base(Path()))
        text = formatter(view)(as_findings)
    elif fmt is OutputFormat.JSON:
        text = renderer.format_json(report)
    else:
        width = shutil.get_terminal_size((120, 24)).columns
        color = args.output is None and sys.stdout.isatty()
        shown = for_terminal(report)  # names from the files: controls shown escaped
        text = renderer.format_table(shown, width=width, color=color)
    output.emit(text, args.output)
    if not binaries:
        streams.say("cgotrap: no binaries found")
    gate_options.note_gone(baseline)
    counted = failing(judged, FailOn.ERROR, baseline.comparison.new if baseline else None)
    violated = report.policy_violated and (counted or not report.findings)
    outcomes = [ExitCode.FINDINGS] if violated else []
    for entry in binaries:
        if entry.error:
            streams.say(f"cgotrap: {entry.name}: {entry.error}")
            outcomes.append(ExitCode.INPUT_OUTPUT)
    return combine(outcomes)
