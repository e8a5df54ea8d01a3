"""Options and steps that scan, check, baseline, inspect and matrix share for the CI gate:
`--config FILE`, `--baseline FILE`, `--fail-on`, and reading those."""

from __future__ import annotations

import argparse
import shutil
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from cgotrap.vocabulary import FAIL_ON_LEVELS

if TYPE_CHECKING:  # imported where used: a scan answered from the cache needs none of them
    from cgotrap.config.suppress import Judged
    from cgotrap.errors import ExitCode
    from cgotrap.gate.baseline import BaselineView
    from cgotrap.gate.project import ProjectScan
    from cgotrap.judge.finding import Finding
    from cgotrap.judge.scan import ScanResult


def add_config(parser: argparse.ArgumentParser, *, where: str = "the module root") -> None:
    """`--config FILE`."""
    parser.add_argument(
        "--config",
        default=None,
        metavar="FILE",
        help=f"the project config (default: .cgotrap.toml at {where})",
    )


def add_baseline(parser: argparse.ArgumentParser) -> None:
    """`--baseline FILE`."""
    parser.add_argument(
        "--baseline",
        default=None,
        metavar="FILE",
        help="only findings not in this baseline (cgotrap baseline) fail the gate",
    )


def add_fail_on(parser: argparse.ArgumentParser) -> None:
    """`--fail-on error|warning|note|never`."""
    parser.add_argument(
        "--fail-on",
        choices=list(FAIL_ON_LEVELS),
        default=FAIL_ON_LEVELS[0],
        help="exit 1 when a finding at this severity or worse counts (default: error)",
    )


def baseline_view(
    option: str | None, findings: Sequence[Finding], *, default: Path | None = None
) -> BaselineView | None:
    """The comparison with `--baseline FILE` (or `default` when it exists), or None."""
    path = Path(option) if option is not None else default
    if path is None or (option is None and not path.is_file()):
        return None
    from cgotrap.gate.baseline import BaselineView, compare, load

    accepted = load(path)
    return BaselineView(file=str(path), baseline=accepted, comparison=compare(findings, accepted))


def note_gone(view: BaselineView | None) -> None:
    """One stderr line when baseline entries are gone (the file can be tightened)."""
    from cgotrap.cli import streams
    from cgotrap.render.untrusted import terminal

    if view is not None and view.comparison.gone:
        count = len(view.comparison.gone)
        streams.say(
            f"cgotrap: {terminal(view.file)}: {count} entr{'ies' if count != 1 else 'y'} no "
            "longer found (cgotrap baseline --update tightens it)"
        )


def scan_problems(scanned: ProjectScan) -> list[ExitCode]:
    """The exit outcomes of a scan besides its findings: unreadable inputs (shown in the
    report itself), unresolved packages (said here, one line)."""
    from cgotrap.cli import streams
    from cgotrap.errors import ExitCode
    from cgotrap.evaluate.completeness import incomplete_message

    outcomes = []
    if scanned.result.problems:
        outcomes.append(ExitCode.INPUT_OUTPUT)
    if scanned.unresolved:
        streams.say(f"cgotrap: {incomplete_message(scanned.unresolved)}")
        outcomes.append(ExitCode.INCOMPLETE)
    return outcomes


def prepare_emit(args: argparse.Namespace, *, table: bool = False) -> None:
    """Import what `emit_scan` will use for `args.format` (for JSON ~5 ms; rich for a
    terminal's table ~25 ms): a scan does it while its directories are scanned in two
    processes (`scan_project`'s `meanwhile`), not alone at its end. `table`: a command's
    own text replaces scan's table."""
    import importlib

    from cgotrap.render.formats import OutputFormat, formatter, report_format

    fmt = OutputFormat(args.format)
    wanted = report_format(fmt)
    modules = ["cgotrap.render.gate", "cgotrap.render.scan", "cgotrap.render.untrusted"]
    if wanted is not None:
        modules.append("cgotrap.render.findings")
        formatter(wanted)  # (imports its module)
    elif fmt is OutputFormat.TABLE and not table and args.output is None and _tty():
        modules.append("rich.console")
    for name in modules:
        importlib.import_module(name)


def _tty() -> bool:
    try:
        return sys.stdout.isatty()
    except (AttributeError, ValueError):
        return False


def emit_scan(
    args: argparse.Namespace,
    root: Path,
    result: ScanResult,
    judged: Sequence[Judged[Finding]],
    view: BaselineView | None,
    *,
    table: str | None = None,
) -> None:
    """A judged scan in `--format` to stdout or `-o FILE`: the findings-view formats
    (SARIF, Markdown, ...) with each finding's judgement, scan's JSON with the judgements
    and the baseline comparison, or the table (`table`: a command's own text instead of
    scan's table and the suppressions under it)."""
    from cgotrap.cli import output
    from cgotrap.render import gate as gate_text
    from cgotrap.render import scan as render
    from cgotrap.render.formats import OutputFormat, formatter, report_format
    from cgotrap.render.untrusted import for_terminal

    fmt = OutputFormat(args.format)
    wanted = report_format(fmt)
    if wanted is not None:
        from cgotrap.render.findings import from_scan

        report = from_scan(result, judged=judged, base=output.repository_base(root))
        output.emit(formatter(wanted)(report), args.output)
    elif fmt is OutputFormat.JSON:
        output.emit(render.format_json(result, judged=judged, baseline=view), args.output)
    elif table is not None:
        output.emit(table, args.output)
    elif args.output is None and sys.stdout.isatty():
        from rich.console import Console

        from cgotrap.cli import streams

        console = Console(highlight=False, emoji=False)
        # Captured, then written: the text (with the terminal's colours) is the answer a
        # warm run replays.
        with console.capture() as captured:
            console.print(render.render(for_terminal(result), width=console.width))
        streams.write(captured.get())
        streams.write(gate_text.format_judgements(result, judged))
    else:
        width = max(shutil.get_terminal_size((120, 24)).columns, 80)
        shown = for_terminal(result)  # names from the tree: controls shown escaped
        text = render.format_table(shown, width=width)
        output.emit(text + gate_text.format_judgements(result, judged), args.output)
