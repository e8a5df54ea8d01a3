"""`cgotrap scan`: where cgo enters, per target; what it needs; what breaks without it.

    cgotrap scan [PATH] [PATTERN...] [--targets SEL] [--cgo 0|1|both] [--tags T,...]
                 [--buildmode MODE] [--why PKG]... [--include-std] [--format FORMAT]
                 [-o FILE] [--fail-on LEVEL] [--config FILE] [--baseline FILE]

PATH is the module root (default "."); PATTERNs are go package patterns (default "./...";
`cgotrap scan "$(go env GOROOT)/src" std` scans the standard library itself).
FORMAT: table, json, sarif, github, markdown, junit, codeclimate, html (`render.formats`).
`.cgotrap.toml` at PATH (or `--config FILE`) gives the targets and tags when the options do
not, severities and ignores; `//cgotrap:ignore` comments suppress findings (kept, marked).

Exit status (`cgotrap.errors`): 0 when no counted finding (not suppressed; with `--baseline`,
new) is at or above `--fail-on` (default: error), 1 when one is; 2 usage; 3 go missing; 4 an
input could not be read (also one file among many) or the output not written; 5 packages
could not be resolved (incomplete answer: the report says "N imported packages could not be
resolved: their cgo status is unknown; run `go mod download`").

A pattern that matches nothing does as go does: one naming a missing directory (`./nope`,
`./nope/...`) is go's Error object, a package named after the pattern that breaks (CGO011,
go's text: exit 1 at the default --fail-on); a wildcard matching no package in a directory
that is there prints go's warning `"./x/..." matched no packages` on stderr (exit 0).
"""

from __future__ import annotations

import argparse
import functools
import os
import shutil
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from cgotrap.cli import gate as gate_options
from cgotrap.cli import output, streams
from cgotrap.cli.main import keep_until_exit
from cgotrap.discover.goenv import found_go_environment
from cgotrap.errors import ExitCode, InputError, UsageError, combine
from cgotrap.vocabulary import BUILDMODES, DEFAULT_TARGETS

# Everything else is imported where it is used: a scan answered whole from the cache
# (`_Answers`) registers its options, checks the cache and prints; each module of
# the loader, the judge or the renderers it imported would cost it (a warm scan of GOROOT
# std has ~0.1 s to beat one `go list` by 3x).

__all__ = ["DEFAULT_TARGETS", "register", "run"]


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
        default=None,
        help="targets: all, first-class, linux/*, linux/amd64, linux/arm64-musl, comma-separated "
        f"(default: [targets] of .cgotrap.toml, else {DEFAULT_TARGETS}; `all` for every port)",
    )
    parser.add_argument(
        "--cgo", default="both", help="CGO_ENABLED values to report: 0, 1 or both (default)"
    )
    parser.add_argument(
        "--tags", default="", help="comma-separated build tags (default: [build] tags)"
    )
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
        "--no-cache",
        action="store_true",
        help="neither read nor write the cache ($XDG_CACHE_HOME/cgotrap; `cgotrap cache clean`)",
    )
    gate_options.add_fail_on(parser)
    gate_options.add_config(parser)
    gate_options.add_baseline(parser)
    parser.set_defaults(run=run)


_CGO_BUILDMODES = frozenset({"c-shared", "c-archive", "plugin", "shared"})
"""Build modes go links only through cgo ("-buildmode=c-shared requires external (cgo)
linking, but cgo is not enabled")."""


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


def run(args: argparse.Namespace) -> int:
    """Run `cgotrap scan`: the recorded answer of an earlier run when none of its inputs
    changed (`_Answers`), else the scan (its directories and its judgement may still
    come from the cache: `_scan_cached`), recorded for the next run."""
    root = Path(args.path)
    if not root.is_dir():
        raise InputError(f"{args.path}: not a directory")
    answers = _Answers.of(args, root)
    if answers is not None:
        code = answers.replay()
        if code is not None:
            return code
    from cgotrap import toolchain  # (a scan answered whole above does not need it)

    # (read by the loader's build contexts; ~6 ms of go that now run beside the imports)
    toolchain.start_version("go")
    started = time.time_ns()
    try:
        with streams.recorded() as recording:
            code, inputs = _run(args, root)
        keep_until_exit(inputs)  # (it holds the scan and its directory scans)
        states = inputs()  # (after the output: the cache's writer had the time to finish)
        if answers is not None and states is not None and recording.replayable:
            answers.save(recording.events, code, states, started)
    finally:
        from cgotrap import cache

        cache.wait_for_writes()  # the directory scans' background write, if any
        toolchain.version("go")  # (waits for the query started above, if nothing read it)
    return code


class _Answers:
    """The whole answer of a scan (what it printed, wrote and returned), kept in the cache
    with the state of every input it was computed from: the scan's inputs, the config file,
    the baseline. Its key is everything else the output depends on: the arguments, the
    working directory, the environment go and cgotrap read, the terminal width the table is
    cut to, the checkout root the report paths start from; for a terminal, what rich reads
    to draw for it (its size, TERM, COLORTERM, NO_COLOR, FORCE_COLOR, ...)."""

    def __init__(self, store: Any, key: str, extra: list[str]) -> None:
        self.store = store
        self.key = key
        self.extra = extra

    @classmethod
    def of(cls, args: argparse.Namespace, root: Path) -> _Answers | None:
        if args.no_cache:
            return None
        from cgotrap import cache

        resolved = root.resolve()
        options = sorted((k, repr(v)) for k, v in vars(args).items() if k != "run")
        width = shutil.get_terminal_size((120, 24)).columns
        terminal = None
        if _tty():
            terminal = (
                tuple(shutil.get_terminal_size((0, 0))),
                sorted((k, v) for k, v in os.environ.items() if k.startswith(_TERMINAL_ENV)),
            )
        key = cache.make_key(
            "answer",
            str(resolved),
            options,
            str(Path.cwd()),
            cache.env_key(found_go_environment()),  # with the GOENV file, GOROOT/go.env
            os.environ.get("PATH", ""),
            sys.prefix,  # the installation (its bundled go when PATH has none)
            width,
            terminal,
            output.repository_base(resolved),
        )
        extra = [str(resolved / ".cgotrap.toml")]
        extra += [str(Path(f).absolute()) for f in (args.config, args.baseline) if f is not None]
        return cls(cache.Store(cache.default_dir()), key, extra)

    def replay(self) -> int | None:
        """The exit code after writing the recorded answer again, or None (no answer, or an
        input changed)."""
        got = self.store.get_answer("answer", self.key)
        if not (isinstance(got, tuple) and len(got) == 2 and isinstance(got[1], int)):
            return None
        events, code = got
        output.replay(events)
        return int(code)

    def save(
        self, events: list[tuple[str, ...]], code: int, states: tuple[bytes, ...], started: int
    ) -> None:
        """Keep the answer (`states`: the scan's inputs, `cache.Packed` parts; `started`:
        time.time_ns() before the run: an input changed since, or just before, may not be
        what the run read)."""
        from cgotrap import cache

        extra = {path: cache.state_of(path) for path in self.extra}
        if cache.changed_since(extra.values(), started):
            return  # edited while we ran: what was read is unknown
        # (and what the run's readers read: `cache.READ`; those of a scan from the cache are
        # in `states`)
        parts = (*states, cache.pack(extra), cache.pack(cache.READ))
        self.store.put_answer("answer", self.key, (events, int(code)), parts)


_TERMINAL_ENV = (
    "TERM",
    "COLORTERM",
    "NO_COLOR",
    "FORCE_COLOR",
    "COLUMNS",
    "LINES",
    "TTY_",
    "JUPYTER_",
    "CLICOLOR",
)
"""What rich reads to decide colours and size (prefixes of environment variable names)."""


def _tty() -> bool:
    try:
        return sys.stdout.isatty()
    except (AttributeError, ValueError):
        return False


def _run(
    args: argparse.Namespace, root: Path
) -> tuple[int, Callable[[], tuple[bytes, ...] | None]]:
    """The scan, judged and emitted: (exit code, what gives the states of its inputs, when
    known: `_scan_cached`)."""
    from cgotrap.cli import scan_args
    from cgotrap.discover.project import NoModuleError
    from cgotrap.gate import project
    from cgotrap.targets import parse_cgo_modes

    config = project.load_config(root, Path(args.config) if args.config else None)
    report = project.report_targets(args.targets, parse_cgo_modes(args.cgo), config)
    if not report:
        raise UsageError(f"no target left: {args.targets or DEFAULT_TARGETS} with --cgo {args.cgo}")
    buildmode = args.buildmode or config.build.buildmode
    if buildmode in _CGO_BUILDMODES:
        report = [t for t in report if t.cgo]
        streams.say(
            f"cgotrap: note: -buildmode={buildmode} links through cgo: "
            "CGO_ENABLED=0 targets are not scanned"
        )
        if not report:
            raise UsageError(f"no target left: -buildmode={buildmode} with --cgo {args.cgo}")
    options = project.ScanOptions(
        targets=tuple(report),
        patterns=tuple(args.patterns) or ("./...",),
        tags=project.build_tags(args.tags, config),
        include_std=args.include_std,
        why=tuple(args.why),
        workers=2,
        env=found_go_environment(),
    )
    try:
        scanned, inputs = scan_args.cached_scan(
            args,
            root,
            options,
            config,
            meanwhile=functools.partial(gate_options.prepare_emit, args),
        )
    except NoModuleError as exc:
        hint = _module_file_hint(root.resolve())
        if hint:
            raise NoModuleError(f"{exc}; {hint}") from None
        raise
    for pattern in scanned.empty_wildcards:
        # go's own words, on stderr as go prints them (the run goes on).
        streams.say(f'cgotrap: warning: "{pattern}" matched no packages')
    from cgotrap.gate.judging import FailOn, failing

    result, judged = scanned.result, scanned.judged
    view = gate_options.baseline_view(args.baseline, result.findings)
    gate_options.emit_scan(args, root, result, judged, view)
    gate_options.note_gone(view)
    outcomes = []
    if failing(judged, FailOn(args.fail_on), view.comparison.new if view else None):
        outcomes.append(ExitCode.FINDINGS)
    outcomes.extend(gate_options.scan_problems(scanned))
    return combine(outcomes), inputs
