"""`cgotrap matrix`: really build (vet, test) every target, cgo on and off, and say why not.

    cgotrap matrix [PATH] [PACKAGES...] [--targets SEL] [--cgo 0|1|both] [--glibc 2.17]
                   [--macos-min 11.0] [--variant T,...]... [--vet] [--test]
                   [--jobs N] [--timeout S] [--format FORMAT] [-o FILE]
                   [--results DIR] [--cc PORT=CC]... [--allow-fail SEL]... [--no-fail]
                   [--no-reuse] [--tags T,...] [--config FILE] [--baseline FILE]

PATH is the Go module root (default "."); PACKAGES are go package patterns (default
"./..."). CGO_ENABLED=1 targets are cross-compiled with `zig cc`; foreign Linux tests run
under qemu-user. Logs and binaries go to --results (default: a folder under
~/.cache/cgotrap/matrix), never into the project, and go never edits go.mod or go.sum
(`-mod=mod` in GOFLAGS becomes `-mod=readonly`). Each `--variant netgo,osusergo` builds
(and tests) the same targets again with those tags added, shown beside the base build.
`.cgotrap.toml` at PATH (or `--config`) gives the targets, glibc floor, tags and buildmode
when the options do not, `[matrix]`'s C compilers and allowed failures, severities and
ignores.

Exit status (`cgotrap.errors`): 0 when every target (not allowed to fail) passed, or every
finding of the failed ones is suppressed (with `--baseline`: known on that target), 1 when
one failed; 2 usage; 3 a tool missing (go, zig, qemu-user for --test, a --cc compiler);
4 unreadable input or unwritable results; 128+N stopped by signal N (130: Ctrl-C).
"""

from __future__ import annotations

import argparse
import contextlib
import os
import re
import sys
import threading
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from cgotrap.cli import gate as gate_options
from cgotrap.cli import output, streams
from cgotrap.errors import ExitCode, InputError, UsageError, combine
from cgotrap.targets import Target, expand, parse_cgo_modes

if TYPE_CHECKING:
    from cgotrap.config import Config
    from cgotrap.crossbuild.config import MatrixConfig

DEFAULT_TARGETS = "first-class,linux/amd64-musl,linux/arm64-musl"


def register(sub: Any) -> None:
    """Add the `matrix` subcommand to the parser."""
    parser: argparse.ArgumentParser = sub.add_parser(
        "matrix",
        help="really build / vet / test every target, cgo on and off, and say why not",
        description=(
            "Run go build (and go vet, go test) for every selected GOOS/GOARCH x CGO_ENABLED "
            "target in parallel, with zig cc as the cross C compiler and qemu-user for "
            "foreign Linux tests; classify every failure with a rule ID and a fix. "
            "Exit status 1 when a target fails."
        ),
    )
    parser.add_argument("path", nargs="?", default=".", help="module root (default: .)")
    parser.add_argument("packages", nargs="*", help="package patterns (default: ./...)")
    parser.add_argument(
        "--targets",
        default=None,
        help=f"targets (all, first-class, linux/*, linux/arm64-musl, ...; default: "
        f"[targets] of .cgotrap.toml, else {DEFAULT_TARGETS})",
    )
    parser.add_argument("--cgo", default="both", help="CGO_ENABLED: 0, 1 or both (default)")
    parser.add_argument(
        "--glibc",
        default=None,
        metavar="VERSION",
        help="glibc version gnu targets link against, e.g. 2.17 (default: zig's, "
        f"{_zig_default('glibc')}; shown in the output)",
    )
    parser.add_argument(
        "--macos-min",
        default=None,
        metavar="VERSION",
        help="minimum macOS of darwin cgo builds, e.g. 11.0: zig's -target "
        f"aarch64-macos.11.0 and MACOSX_DEPLOYMENT_TARGET (default: zig's, "
        f"{_zig_default('macos')})",
    )
    parser.add_argument(
        "--variant",
        action="append",
        default=[],
        metavar="T,...",
        help="also build (vet, test) every target with these tags added to --tags, e.g. "
        "netgo,osusergo (repeatable; results side by side)",
    )
    parser.add_argument("--vet", action="store_true", help="also run go vet per target")
    parser.add_argument("--test", action="store_true", help="also run go test per target")
    parser.add_argument("--jobs", type=int, default=0, help="targets at once (default: cores)")
    parser.add_argument(
        "--timeout", type=float, default=900.0, help="seconds per target (default: 900)"
    )
    output.add_arguments(parser)
    parser.add_argument(
        "--results", default=None, metavar="DIR", help="folder for logs and binaries"
    )
    parser.add_argument(
        "--cc",
        action="append",
        default=[],
        metavar="PORT=CC",
        help="C compiler for a port instead of zig (linux/arm64=aarch64-linux-gnu-gcc)",
    )
    parser.add_argument(
        "--allow-fail",
        action="append",
        default=[],
        metavar="SEL",
        help="targets whose failure does not fail the run (repeatable)",
    )
    parser.add_argument("--no-fail", action="store_true", help="exit 0 even when targets fail")
    parser.add_argument(
        "--no-reuse", action="store_true", help="rebuild targets even if nothing changed"
    )
    parser.add_argument(
        "--tags", default="", help="comma-separated build tags (default: [build] tags)"
    )
    gate_options.add_config(parser)
    gate_options.add_baseline(parser)
    parser.set_defaults(run=run)


def _zig_default(what: str) -> str:
    """zig's default glibc or minimum macOS, from the bundled zig table ("2.31")."""
    from cgotrap.crossbuild import zigcc

    table = zigcc.zig_table()
    return table.default_glibc if what == "glibc" else table.default_macos


def _tag_list(option: str, value: str) -> tuple[str, ...]:
    """ "netgo,osusergo" -> ("netgo", "osusergo"); go's build tags are words."""
    tags = tuple(t for t in value.split(",") if t)
    for tag in tags:
        if not re.fullmatch(r"[A-Za-z0-9_.]+", tag):
            raise UsageError(f"{option} takes comma-separated build tags, not {value!r}")
    return tags


def _split_positionals(path: str, packages: list[str]) -> tuple[Path, tuple[str, ...]]:
    """PATH is optional: `cgotrap matrix ./...` means packages ./... in the current dir."""
    items = [path, *packages]
    if "..." not in path and Path(path).is_dir():
        return Path(path), tuple(packages) or ("./...",)
    if path == ".":
        return Path(), tuple(packages) or ("./...",)
    return Path(), tuple(items)


def _without_libc_twins(targets: list[Target]) -> list[Target]:
    """Drop `linux/X-musl cgo=0` when `linux/X cgo=0` is there: without cgo, libc is moot."""
    plain = {(t.goos, t.goarch) for t in targets if not t.cgo and t.libc is None}
    return [t for t in targets if t.cgo or t.libc is None or (t.goos, t.goarch) not in plain]


class _Progress:
    """Per-run state shown live on a terminal (rich), or as plain lines otherwise: one line
    per target and tag variant ("linux/amd64 cgo=0 +netgo,osusergo")."""

    def __init__(
        self, targets: list[Target], variants: Sequence[tuple[str, ...]], *, live: bool
    ) -> None:
        self._states = {(t, v): "queued" for v in variants for t in targets}
        self._lock = threading.Lock()
        self._live = live

    @staticmethod
    def label(target: Target, variant: tuple[str, ...]) -> str:
        """The run's name: the target's, then the variant's tags."""
        return target.name + (f" +{','.join(variant)}" if variant else "")

    def update(self, target: Target, variant: tuple[str, ...], state: str) -> None:
        with self._lock:
            if self._states.get((target, variant)) == state:
                return
            self._states[(target, variant)] = state
        if not self._live and state != "queued":
            print(f"cgotrap: {self.label(target, variant)}: {state}", file=sys.stderr, flush=True)

    def renderable(self) -> Any:
        from rich.table import Table

        styles = {"pass": "green", "fail": "bold red", "timeout": "bold red", "queued": "dim"}
        table = Table(show_header=False, box=None, pad_edge=False)
        with self._lock:
            items = list(self._states.items())
        done = sum(s not in ("queued", "build", "vet", "test") for _, s in items)
        table.title = f"cgotrap matrix: {done}/{len(items)} done"
        for (target, variant), state in items:
            name = self.label(target, variant)
            style = styles.get(state, "cyan" if state in ("build", "vet", "test") else "yellow")
            table.add_row(name, f"[{style}]{state}[/]")
        return table

    @contextlib.contextmanager
    def shown(self) -> Iterator[None]:
        if not self._live:
            yield
            return
        from rich.console import Console
        from rich.live import Live

        console = Console(file=sys.stderr)
        with Live(
            get_renderable=self.renderable, console=console, refresh_per_second=4, transient=True
        ):
            yield


def run(args: argparse.Namespace) -> int:
    """Run `cgotrap matrix`."""
    from cgotrap.crossbuild import config as matrix_config
    from cgotrap.crossbuild.runner import MatrixOptions, MatrixRunner, default_results_dir
    from cgotrap.judge.finding import Step
    from cgotrap.render.formats import OutputFormat, formatter, report_format
    from cgotrap.render.matrix import MatrixFormat, format_json, format_report
    from cgotrap.render.untrusted import for_terminal

    root, packages = _split_positionals(args.path, list(args.packages))
    if not root.is_dir():
        raise InputError(f"{root}: not a directory")
    if args.jobs < 0 or args.timeout <= 0:
        raise UsageError("--jobs must be >= 0 and --timeout > 0")
    if args.glibc is not None and not re.fullmatch(r"2\.[0-9]{1,2}", args.glibc):
        raise UsageError(f"--glibc takes a glibc version such as 2.17, not {args.glibc!r}")
    if args.macos_min is not None and not re.fullmatch(
        r"[1-9][0-9]\.[0-9]{1,2}(\.[0-9]{1,2})?", args.macos_min
    ):
        raise UsageError(f"--macos-min takes a macOS version such as 11.0, not {args.macos_min!r}")
    variants: list[tuple[str, ...]] = [()]
    for value in args.variant:
        variant = _tag_list("--variant", value)
        if not variant:
            raise UsageError("--variant takes build tags such as netgo,osusergo")
        if variant not in variants:
            variants.append(variant)
    from cgotrap.gate import project

    config = project.load_config(root, Path(args.config) if args.config else None)
    cgo_modes = parse_cgo_modes(args.cgo)
    if args.targets is None and config.targets.select:
        targets = project.report_targets(None, cgo_modes, config)
    else:
        selectors = args.targets or DEFAULT_TARGETS
        targets = expand(selectors, cgo_modes, skip_unsupported_cgo=True)
    if not targets:
        raise UsageError(
            f"no target left: {args.targets or 'the configured targets'} with --cgo {args.cgo}"
        )
    targets = _without_libc_twins(targets)
    settings = matrix_config.with_command_line(
        _matrix_settings(root, config), args.cc, args.allow_fail
    )
    steps = [Step.BUILD]
    if args.vet:
        steps.append(Step.VET)
    if args.test:
        steps.append(Step.TEST)
    if args.results is not None and not args.results.strip():
        raise UsageError("--results needs a folder name ('' would mean the current directory)")
    results = Path(args.results) if args.results else default_results_dir(root)
    if results.resolve().is_relative_to(root.resolve()):
        raise UsageError(
            f"--results {results}: inside the project {root}: cgotrap never writes into the "
            "tree it builds; name a folder outside it"
        )
    options = MatrixOptions(
        root=root,
        packages=packages,
        steps=tuple(steps),
        results_dir=results.resolve(),
        jobs=args.jobs,
        timeout=args.timeout,
        glibc=args.glibc or config.targets.glibc,
        macos_min=args.macos_min,
        variants=tuple(variants),
        config=settings,
        reuse=not args.no_reuse,
        tags=project.build_tags(args.tags, config),
        buildmode=config.build.buildmode,
    )
    progress = _Progress(targets, options.variants, live=sys.stderr.isatty())
    runner = MatrixRunner(options, progress=progress.update)
    with progress.shown():
        report = runner.run(targets)
    outcomes = []
    try:
        (options.results_dir / "matrix.json").write_text(format_json(report), encoding="utf-8")
    except OSError as exc:
        streams.say(f"cgotrap: {options.results_dir}/matrix.json: {exc.strerror or exc}")
        outcomes.append(ExitCode.INPUT_OUTPUT)
    from cgotrap.gate.judging import judge_findings, matrix_failed

    findings = report.groups
    judged = judge_findings(findings, config, root=root.resolve())
    baseline = gate_options.baseline_view(args.baseline, findings)
    own = {f.value: f for f in MatrixFormat}  # table, json and matrix's own JUnit
    # go's output quotes the project's names: controls shown escaped (JSON escapes its own)
    shown = report if args.format == MatrixFormat.JSON.value else for_terminal(report)
    view = None if args.format in own else report_format(OutputFormat(args.format))
    if view is not None:
        from cgotrap.render.findings import from_matrix

        as_findings = from_matrix(report, judged=judged, base=output.repository_base(root))
        output.emit(formatter(view)(as_findings), args.output)
    elif own[args.format] is MatrixFormat.TABLE and args.output is None and sys.stdout.isatty():
        from rich.console import Console

        from cgotrap.render.matrix import render

        Console(highlight=False, emoji=False).print(render(shown))
    else:
        output.emit(format_report(shown, own[args.format]), args.output)
    gate_options.note_gone(baseline)
    suppressed = sum(1 for j in judged if j.suppression is not None)
    if suppressed:
        streams.say(f"cgotrap: {suppressed} findings suppressed by the project")
    if matrix_failed(report, judged, baseline) and not args.no_fail:
        outcomes.append(ExitCode.FINDINGS)
    return combine(outcomes)


def _matrix_settings(root: Path, config: Config) -> MatrixConfig:
    """`[matrix]` of `.cgotrap.toml`; the deprecated `cgotrap.toml`/pyproject place with a
    note on stderr."""
    from cgotrap.crossbuild import config as matrix_config

    legacy = matrix_config.load_legacy(root)
    if legacy is None:
        return matrix_config.from_table(config.matrix)
    settings, where = legacy
    if config.matrix.cc or config.matrix.allow_fail:
        streams.say(f"cgotrap: {where}: [matrix] ignored, .cgotrap.toml has one")
        return matrix_config.from_table(config.matrix)
    streams.say(f"cgotrap: {where}: [matrix] here is deprecated; move it into .cgotrap.toml")
    return settings


if os.name != "posix":  # pragma: no cover - process groups are POSIX
    raise ImportError("cgotrap matrix needs a POSIX system (process groups)")
