"""`cgotrap inspect`: what a built Go binary is and where it will run.

    cgotrap inspect PATH... [--runs-on alpine,rhel-7|all] [--policy NAME]
                    [--format FORMAT|jsonl] [-o FILE] [--jobs N] [--go-version-m]
                    [--config FILE] [--baseline FILE]
                    [--max-depth N] [--max-files N] [--max-bytes SIZE] [--cross-filesystems]

PATHs are binaries, directories (recursive; non-binaries skipped quietly) and release
archives (.tar.gz, .tgz, .tar, .zip; members read in place, never extracted).

A directory is walked within bounds (depth, files, total bytes; other filesystems such as
/proc are not entered), and what was cut is said on stderr, one line each (exit 5 when a
bound stopped the walk). On a terminal, progress goes to stderr and each binary's row is
shown as soon as it is read; `--format jsonl` streams one JSON object per binary (machine
formats otherwise stay one document, written at the end).

`--go-version-m` prints exactly what `go version -m PATH...` prints, and exits like it.

`--config FILE`, else the nearest `.cgotrap.toml` from the current directory upward, gives
`[inspect]`'s policy and run-targets when the options do not, and severities and ignores
(`path` globs match the binary's path).

Exit status (`cgotrap.errors`): 0; 1 when `--policy` is violated by a finding that counts
(not suppressed; with `--baseline FILE`, not in the baseline); 2 usage; 4 when a file could
not be read (one named file, or one among many: the others are still reported) or the
output not written; 5 when a walk bound cut a directory short.
"""

from __future__ import annotations

import argparse
import contextlib
import shutil
import sys
import time
from pathlib import Path
from typing import Any, TextIO

from cgotrap.cli import gate as gate_options
from cgotrap.cli import output, streams
from cgotrap.errors import ExitCode, InputError, UsageError, combine
from cgotrap.read.binary import WalkBounds
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
    output.add_arguments(parser, extra_formats=(JSONL,))
    defaults = WalkBounds()
    parser.add_argument(
        "--max-depth",
        type=_count,
        default=defaults.max_depth,
        metavar="N",
        help=f"directory levels walked below a named directory (default: {defaults.max_depth})",
    )
    parser.add_argument(
        "--max-files",
        type=_count,
        default=defaults.max_files,
        metavar="N",
        help=f"files looked at per run before the walk stops (default: {defaults.max_files})",
    )
    parser.add_argument(
        "--max-bytes",
        type=_size,
        default=defaults.max_bytes,
        metavar="SIZE",
        help="total size of the files looked at before the walk stops, e.g. 500M, 64G "
        f"(default: {defaults.max_bytes >> 30}G)",
    )
    parser.add_argument(
        "--cross-filesystems",
        action="store_true",
        help="enter directories on other filesystems (/proc, /sys, mounts; default: not)",
    )
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


JSONL = "jsonl"
_SUFFIXES = {"": 1, "K": 1 << 10, "M": 1 << 20, "G": 1 << 30, "T": 1 << 40}


def _count(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a whole number: {text!r}") from None
    if value < 0:
        raise argparse.ArgumentTypeError(f"must be 0 or more: {text!r}")
    return value


def _size(text: str) -> int:
    """ "64G" -> bytes (K, M, G, T are powers of 1024)."""
    unit = text[-1:].upper() if text[-1:].isalpha() else ""
    factor = _SUFFIXES.get(unit)
    if factor is None:
        raise argparse.ArgumentTypeError(f"not a size (like 500M or 64G): {text!r}")
    return _count(text[: len(text) - len(unit)]) * factor


class _Progress:
    """ "cgotrap: 12345 files, 3 binaries: /usr/lib/x" on a terminal's stderr, rewritten at
    most 5 times a second and erased before anything else is printed."""

    def __init__(self, stream: TextIO | None) -> None:
        self.stream = stream
        self.binaries = 0
        self.files = 0
        self._last = 0.0
        self._shown = False

    def on_file(self, path: str) -> None:
        from cgotrap.render.untrusted import terminal

        self.files += 1
        now = time.monotonic()
        if self.stream is None or now - self._last < 0.2:
            return
        self._last = now
        width = shutil.get_terminal_size((120, 24)).columns
        line = f"cgotrap: {self.files} files, {self.binaries} binaries: {terminal(path)}"
        with contextlib.suppress(OSError, ValueError):
            self.stream.write("\r\x1b[K" + line[: max(width - 1, 1)])
            self.stream.flush()
            self._shown = True

    def clear(self) -> None:
        if self.stream is not None and self._shown:
            with contextlib.suppress(OSError, ValueError):
                self.stream.write("\r\x1b[K")
                self.stream.flush()
            self._shown = False


def _stderr_terminal() -> TextIO | None:
    try:
        return sys.stderr if sys.stderr.isatty() else None
    except (AttributeError, ValueError):
        return None


def run(args: argparse.Namespace) -> int:
    """Run `cgotrap inspect`."""
    from cgotrap.read.binary import Inspected, WalkLog, default_jobs, go_version_m, inspect_inputs

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
    bounds = WalkBounds(
        max_depth=args.max_depth,
        max_files=args.max_files,
        max_bytes=args.max_bytes,
        cross_filesystems=args.cross_filesystems,
    )
    jsonl = args.format == JSONL
    fmt = OutputFormat.JSON if jsonl else OutputFormat(args.format)
    width = shutil.get_terminal_size((120, 24)).columns
    # Rows as they come: on a terminal (the table), or one JSON line per binary (jsonl).
    live = args.output is None and (jsonl or (fmt is OutputFormat.TABLE and sys.stdout.isatty()))
    single = len(args.paths) == 1
    progress = _Progress(_stderr_terminal())
    log = WalkLog(on_file=progress.on_file)
    binaries: list[Inspected] = []
    lines: list[str] = []  # jsonl into -o FILE: written whole at the end
    try:
        for binary in inspect_inputs(
            args.paths, jobs=args.jobs or default_jobs(), bounds=bounds, log=log
        ):
            binaries.append(binary)
            progress.binaries += 1
            if not (jsonl or live) or (single and binary.linkage is None):
                continue  # (one named unreadable file: the error below, not a row)
            entry = policies.build_report([binary], targets, policy).binaries[0]
            if jsonl:
                lines.append(renderer.format_jsonl_binary(entry))
                if live:
                    progress.clear()
                    streams.write(lines.pop())
            else:
                progress.clear()
                streams.write(renderer.format_row(for_terminal(entry), width=width))
    finally:
        progress.clear()
    if single and len(binaries) == 1 and binaries[0].linkage is None:
        # one file named, and it cannot be read: an input error, not a report
        raise InputError(f"{binaries[0].name}: {binaries[0].error}")
    report = policies.build_report(binaries, targets, policy)
    judged = judge_findings(report.findings, config, root=None)
    baseline = gate_options.baseline_view(args.baseline, report.findings)

    view = report_format(fmt)
    if jsonl:
        text = "".join(lines) + renderer.format_jsonl_findings(report)
    elif view is not None:
        from cgotrap.render.findings import from_inspect

        as_findings = from_inspect(report, judged=judged, base=output.repository_base(Path()))
        text = formatter(view)(as_findings)
    elif fmt is OutputFormat.JSON:
        text = renderer.format_json(report)
    else:
        color = args.output is None and sys.stdout.isatty()
        shown = for_terminal(report)  # names from the files: controls shown escaped
        text = renderer.format_table(shown, width=width, color=color, facts=not live)
    if text.strip() or not live:
        output.emit(text, args.output)
    if not binaries:
        streams.say("cgotrap: no binaries found")
    gate_options.note_gone(baseline)
    counted = failing(judged, FailOn.ERROR, baseline.comparison.new if baseline else None)
    violated = report.policy_violated and (counted or not report.findings)
    outcomes = [ExitCode.FINDINGS] if violated else []
    for cut in log.cuts:
        streams.say(f"cgotrap: {cut}")
    if log.incomplete:
        outcomes.append(ExitCode.INCOMPLETE)
    for binary in binaries:
        if binary.error:
            streams.say(f"cgotrap: {binary.name}: {binary.error}")
            outcomes.append(ExitCode.INPUT_OUTPUT)
    return combine(outcomes)
