"""`cgotrap scan`: where cgo enters, per target; what it needs; what breaks without it.

    cgotrap scan [PATH] [PATTERN...] [--targets SEL] [--cgo 0|1|both] [--tags T,...]
                 [--buildmode MODE] [--why PKG]... [--include-std] [--format FORMAT]
                 [-o FILE] [--fail-on LEVEL]

PATH is the module root (default "."); PATTERNs are go package patterns (default "./...";
`cgotrap scan "$(go env GOROOT)/src" std` scans the standard library itself).
FORMAT: table, json, sarif, github, markdown, junit, codeclimate, html (`render.formats`).

Exit status (`cgotrap.errors`): 0 when no finding is at or above `--fail-on` (default:
error), 1 when one is; 2 usage; 3 go missing; 4 an input could not be read (also one file
among many) or the output not written; 5 packages could not be resolved (incomplete answer:
the report says "N imported packages could not be resolved: their cgo status is unknown;
run `go mod download`").
"""

from __future__ import annotations

import argparse
import dataclasses
import enum
import gc
import shutil
import sys
from pathlib import Path
from typing import Any, assert_never

from cgotrap.cli import output, streams
from cgotrap.config import BUILDMODES
from cgotrap.discover.project import NoModuleError
from cgotrap.errors import ExitCode, InputError, UsageError, combine
from cgotrap.evaluate.model import MatrixResult
from cgotrap.render.formats import OutputFormat, formatter, report_format
from cgotrap.targets import expand, parse_cgo_modes, with_cgo_twins

DEFAULT_TARGETS = "first-class,linux/amd64-musl,linux/arm64-musl"
"""What a release is usually built for (as `matrix` uses): Go's first-class ports and static
musl Linux. Ports that only link through cgo (android, ios) are one `--targets all` away."""


class FailOn(enum.StrEnum):
    """`--fail-on` values: the least severe finding that makes the exit status 1."""

    ERROR = "error"
    WARNING = "warning"
    NEVER = "never"


def register(sub: Any) -> None:
    """Add the `scan` subcommand to the parser."""
    parser: argparse.ArgumentParser = sub.add_parser(
        "scan",
        help="where cgo enters, per target; what it needs; what breaks without it",
        description=(
            "Find the cgo traps of a Go module for every GOOS/GOARCH x CGO_ENABLED target: "
            "packages without a CGO_ENABLED=0 fallback, silent fallbacks, C files without "
            "cgo, headers a target's libc lacks, C libraries and pkg-config needed. "
            "Exit status 0 when no finding reaches --fail-on, 1 otherwise."
        ),
    )
    parser.add_argument("path", nargs="?", default=".", help="module root (default: .)")
    parser.add_argument(
        "patterns", nargs="*", help='package patterns (default: ./...; "std" for GOROOT/src)'
    )
    parser.add_argument(
        "--targets",
        default=DEFAULT_TARGETS,
        help="targets: all, first-class, linux/*, linux/amd64, linux/arm64-musl, comma-separated "
        f"(default: {DEFAULT_TARGETS}; `--targets all` for every port)",
    )
    parser.add_argument(
        "--cgo", default="both", help="CGO_ENABLED values to report: 0, 1 or both (default)"
    )
    parser.add_argument("--tags", default="", help="comma-separated build tags")
    parser.add_argument(
        "--buildmode",
        default=None,
        choices=sorted(BUILDMODES),
        help="the -buildmode the project is built with (default: build.buildmode of "
        ".cgotrap.toml, else exe); c-shared, c-archive, plugin and shared link through cgo, "
        "so their CGO_ENABLED=0 targets are not scanned",
    )
    parser.add_argument(
        "--why",
        action="append",
        default=[],
        metavar="PKG",
        help="print the shortest import chains to PKG per target group (repeatable)",
    )
    parser.add_argument(
        "--include-std",
        action="store_true",
        help="report standard-library cgo packages (net, os/user, ...) as findings",
    )
    output.add_arguments(parser)
    parser.add_argument(
        "--fail-on",
        choices=[f.value for f in FailOn],
        default=FailOn.ERROR.value,
        help="exit 1 when a finding at this severity or worse exists (default: error)",
    )
    parser.set_defaults(run=run)


_CGO_BUILDMODES = frozenset({"c-shared", "c-archive", "plugin", "shared"})
"""Build modes go links only through cgo ("-buildmode=c-shared requires external (cgo)
linking, but cgo is not enabled")."""


def _configured_buildmode(root: Path) -> str:
    """build.buildmode of the project's .cgotrap.toml ("default" without one)."""
    from cgotrap import config

    found = config.find_at_root(root.resolve())
    return config.load(found).build.buildmode if found is not None else "default"


def _module_file_hint(root: Path) -> str:
    """For a tree whose go.mod goes by another name (moby's vendor.mod, used by its build
    scripts through -modfile): how to scan it."""
    for name in ("vendor.mod", "go.mod.in"):
        if (root / name).is_file():
            return (
                f"{name} here looks like the module file under another name: scan a copy "
                f"with {name} as go.mod (and its .sum as go.sum), as the project's scripts do"
            )
    return ""


def _empty_wildcards(patterns: tuple[str, ...], matrix: MatrixResult) -> list[str]:
    """Wildcard patterns no package of any target matched, whose directory exists (a missing
    directory is go's Error object, reported by the loader)."""
    out = []
    listed = [
        (p.import_path, p.dir)
        for tp in matrix.per_target
        for p in tp.packages
        if p.import_path in tp.roots
    ]
    root = Path(matrix.module_root)
    for pattern in patterns:
        if "..." not in pattern:
            continue
        base = pattern.split("...", 1)[0].rstrip("/")
        if pattern.startswith("."):
            where = (root / base).resolve()
            if not where.is_dir():
                continue
            hit = any(d and (Path(d) == where or where in Path(d).parents) for _, d in listed)
        else:
            hit = any(ip.startswith(base) for ip, _ in listed)
        if not hit:
            out.append(pattern)
    return out


def _fails(counts: dict[str, int], fail_on: FailOn) -> bool:
    match fail_on:
        case FailOn.ERROR:
            return counts["error"] > 0
        case FailOn.WARNING:
            return counts["error"] + counts["warning"] > 0
        case FailOn.NEVER:
            return False
        case _:
            assert_never(fail_on)


def run(args: argparse.Namespace) -> int:
    """Run `cgotrap scan`."""
    from cgotrap.evaluate.completeness import incomplete_message, unresolved
    from cgotrap.evaluate.load import load_matrix
    from cgotrap.judge.rules import Severity
    from cgotrap.judge.scan import scan
    from cgotrap.render import scan as render
    from cgotrap.render.untrusted import for_terminal

    root = Path(args.path)
    if not root.is_dir():
        raise InputError(f"{args.path}: not a directory")
    report = expand(args.targets, parse_cgo_modes(args.cgo), skip_unsupported_cgo=True)
    if not report:
        raise UsageError(f"no target left: {args.targets} with --cgo {args.cgo}")
    buildmode = args.buildmode or _configured_buildmode(root)
    if buildmode in _CGO_BUILDMODES:
        report = [t for t in report if t.cgo]
        streams.say(
            f"cgotrap: note: -buildmode={buildmode} links through cgo: "
            "CGO_ENABLED=0 targets are not scanned"
        )
        if not report:
            raise UsageError(f"no target left: -buildmode={buildmode} with --cgo {args.cgo}")
    tags = tuple(t for t in args.tags.replace(" ", ",").split(",") if t)
    patterns = tuple(args.patterns) or ("./...",)
    # Two processes scan the directories (workers=2); the cyclic collector is off while
    # the loader builds millions of long-lived objects without cycles worth collecting.
    gc_was_enabled = gc.isenabled()
    gc.disable()
    try:
        matrix = load_matrix(
            patterns, with_cgo_twins(report), root=root.resolve(), tags=tags, workers=2
        )
    except NoModuleError as exc:
        hint = _module_file_hint(root.resolve())
        if hint:
            raise NoModuleError(f"{exc}; {hint}") from None
        raise
    finally:
        if gc_was_enabled:
            gc.enable()
    from cgotrap.evaluate.sources import default_reader, read_sources

    reader, reader_problem = default_reader()
    sources = read_sources(matrix, reader)
    result = scan(
        matrix,
        report=report,
        include_std=args.include_std,
        why=tuple(args.why),
        sources=sources,
    )
    for pattern in _empty_wildcards(patterns, matrix):
        # go's own words, on stderr as go prints them (the run goes on).
        streams.say(f'cgotrap: warning: "{pattern}" matched no packages')
    extra = (*([reader_problem] if reader_problem else []), *sources.problems)
    if extra:
        result = dataclasses.replace(result, problems=(*result.problems, *extra))
    fmt = OutputFormat(args.format)
    view = report_format(fmt)
    if view is not None:
        from cgotrap.render.findings import from_scan

        output.emit(
            formatter(view)(from_scan(result, base=output.repository_base(root))), args.output
        )
    elif fmt is OutputFormat.JSON:
        output.emit(render.format_json(result), args.output)
    elif args.output is None and sys.stdout.isatty():
        from rich.console import Console

        console = Console(highlight=False, emoji=False)
        console.print(render.render(for_terminal(result), width=console.width))
    else:
        width = max(shutil.get_terminal_size((120, 24)).columns, 80)
        shown = for_terminal(result)  # names from the tree: controls shown escaped
        output.emit(render.format_table(shown, width=width), args.output)
    outcomes = []
    counts = {s.value: result.count(s) for s in Severity}
    if _fails(counts, FailOn(args.fail_on)):
        outcomes.append(ExitCode.FINDINGS)
    if result.problems:  # shown in the report itself
        outcomes.append(ExitCode.INPUT_OUTPUT)
    missing = unresolved(p for tp in matrix.per_target for p in tp.packages)
    if missing or result.unresolved:
        streams.say(f"cgotrap: {incomplete_message(missing or result.unresolved)}")
        outcomes.append(ExitCode.INCOMPLETE)
    return combine(outcomes)
