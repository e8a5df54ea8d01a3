"""A module as a project: its `.cgotrap.toml`, its targets, its scan with the config applied.

What `scan`, `check`, `baseline` and `scan --baseline` share: the config found at the module
root (or named), the targets (`--targets` when given, else the config's `[targets]`, else
`DEFAULT_TARGETS`), the tags (`--tags`, else `[build] tags`), and `scan_project`, which scans and
then applies the config and the inline directives (`judging.judge_scan`).
"""

from __future__ import annotations

import dataclasses
import functools
import importlib
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from cgotrap import config as project_config
from cgotrap.config import Config
from cgotrap.targets import Target, expand, port_table, with_cgo_twins
from cgotrap.vocabulary import DEFAULT_TARGETS

if TYPE_CHECKING:
    from cgotrap.cache import Store
    from cgotrap.config.suppress import Judged
    from cgotrap.dirscans import DirScans
    from cgotrap.evaluate.model import MatrixResult
    from cgotrap.judge.finding import Finding
    from cgotrap.judge.scan import ScanResult
    from cgotrap.read.godecl import GoDeclReader

# The judge's modules (~15 ms of imports: `_JUDGING`) and its header and macro catalogs
# (~9 ms) are made ready while the loader's helper process scans the directories
# (`ListingPlan`'s `meanwhile`), not before it starts (the second core was idle then) nor
# after the judging partner has forked (each of the two processes loaded the catalogs).
_JUDGING = (
    "cgotrap.judge.scan",
    "cgotrap.gate.judging",
    "cgotrap.gate.halves",
    "cgotrap.evaluate.sources",
    "cgotrap.evaluate.completeness",
)


def _prepare_judging(meanwhile: Callable[[], object] | None) -> None:
    for name in _JUDGING:
        importlib.import_module(name)
    from cgotrap.judge import rules
    from cgotrap.judge.headers import catalog, predefines

    catalog()
    predefines()
    rules.all_rules()  # (every rule module imported: the registry the findings read)
    if meanwhile is not None:
        meanwhile()


def load_config(root: Path, named: Path | None = None) -> Config:
    """The config `named`, else `.cgotrap.toml` at `root`, else the defaults."""
    path = named if named is not None else project_config.find_at_root(root)
    return project_config.load(path) if path is not None else Config()


def module_path(root: Path) -> str:
    """The module path of `root/go.mod` ("" when there is none or it cannot be read)."""
    from cgotrap.discover.gomod import parse_gomod
    from cgotrap.errors import InputError

    try:
        return parse_gomod(root / "go.mod").module
    except (InputError, OSError):
        return ""


def report_targets(
    selectors: str | None, cgo_modes: Sequence[bool], config: Config
) -> list[Target]:
    """`--targets` when given, else the config's `[targets]` (libc variants, glibc floor),
    else `DEFAULT_TARGETS`; cgo=1 left out where Go has no cgo."""
    if selectors is not None or not config.targets.select:
        return expand(selectors or DEFAULT_TARGETS, cgo_modes, skip_unsupported_cgo=True)
    table = port_table()
    out = []
    for t in config.targets.expand(tuple(cgo_modes)):
        port = table.get(t.goos, t.goarch)
        if t.cgo and (port is None or not port.cgo_supported):
            continue
        out.append(t)
    return out


def build_tags(option: str, config: Config) -> tuple[str, ...]:
    """`--tags a,b` when given, else `[build] tags`."""
    given = tuple(t for t in option.replace(" ", ",").split(",") if t)
    return given or config.build.tags


@dataclasses.dataclass(frozen=True, kw_only=True, slots=True)
class ScanOptions:
    """What to scan, besides the module root."""

    targets: tuple[Target, ...]
    """The reported targets."""
    patterns: tuple[str, ...] = ("./...",)
    """Package patterns."""
    tags: tuple[str, ...] = ()
    """Build tags."""
    include_std: bool = False
    """Report standard-library cgo packages as findings."""
    why: tuple[str, ...] = ()
    """`--why` packages."""
    workers: int = 1
    """Processes the loader may use (`evaluate.load`'s `workers`; 1 forks none)."""
    dir_scans: DirScans | None = dataclasses.field(default=None, compare=False, repr=False)
    """The cache of directory scans to read and fill (`cgotrap.cache`); None: no cache."""
    store: Store | None = dataclasses.field(default=None, compare=False, repr=False)
    """The cache store for the Go declaration reader's helper and per-file records
    (`evaluate.sources.default_reader`); None: nothing is written to the cache."""
    env: Mapping[str, str] | None = dataclasses.field(default=None, compare=False, repr=False)
    """The go environment as go reads it (`go_environment`: GOENV file, GOROOT/go.env,
    GOEXPERIMENT, GOAMD64, GOWORK, ...); None: os.environ and go's defaults."""


@dataclasses.dataclass(frozen=True, kw_only=True, slots=True)
class ProjectScan:
    """A scan with the project's word on its findings."""

    result: ScanResult
    """The scan (with CGO099 findings for the directives that suppress nothing)."""
    judged: tuple[Judged[Finding], ...]
    """One per finding of `result`, in order."""
    unresolved: tuple[str, ...]
    """Import paths no module, vendor directory or GOROOT provides (an incomplete answer)."""
    empty_wildcards: tuple[str, ...] = ()
    """Wildcard patterns that matched no package (go: `matched no packages`)."""


def scan_project(
    root: Path,
    options: ScanOptions,
    config: Config,
    *,
    meanwhile: Callable[[], object] | None = None,
) -> ProjectScan:
    """Scan the module at `root`, then apply `config` and the inline directives.
    `meanwhile`: the caller's own preparation (imports of what renders the scan), called
    once while the directories are scanned."""
    from cgotrap.evaluate.load import ListingPlan

    resolved = root.resolve()
    plan = ListingPlan(
        options.patterns,
        with_cgo_twins(options.targets),
        root=resolved,
        tags=options.tags,
        workers=options.workers,
        dir_scans=options.dir_scans,
        env=options.env,
        meanwhile=functools.partial(_prepare_judging, meanwhile),
    )
    from cgotrap.evaluate import forked
    from cgotrap.evaluate.completeness import unresolved
    from cgotrap.evaluate.sources import PendingReader, cgo_dependent, read_sources
    from cgotrap.gate.halves import scan_in_halves
    from cgotrap.gate.judging import judge_scan
    from cgotrap.judge.scan import scan

    # The go/parser helper is built (~0.2 s even with go's build cache warm) only when a
    # package's Go files change with cgo: GOROOT's std, or a project without cgo, needs
    # none. When the directories scanned up front have cgo files, its build (if it is not
    # built yet) starts now and runs while the targets are loaded.
    pending = None
    if plan.cgo_files_seen():
        pending = PendingReader(options.store, scope=str(resolved))
    taken: list[tuple[GoDeclReader | None, str]] = []

    def reader(dependent: set[str]) -> tuple[GoDeclReader | None, str]:
        nonlocal pending
        if not taken:
            if not dependent:
                return None, ""
            pending = pending or PendingReader(options.store, scope=str(resolved))
            taken.append(pending.reader())
        return taken[0]

    wildcards = functools.partial(empty_wildcards, options.patterns)
    try:
        halves = None
        if options.workers > 1 and not options.why and plan.scanned >= forked.MIN_ITEMS:
            halves = scan_in_halves(
                plan,
                report=options.targets,
                include_std=options.include_std,
                reader=reader,
                empty_wildcards=wildcards,
            )
        if halves is not None:
            result, missing, empty = halves.result, halves.unresolved, halves.empty_wildcards
            extra = halves.source_problems
        else:
            matrix = plan.matrix()
            dependent = cgo_dependent(matrix)
            got_reader, reader_problem = reader(dependent)
            sources = read_sources(matrix, got_reader, dependent=dependent)
            result = scan(
                matrix,
                report=options.targets,
                include_std=options.include_std,
                why=options.why,
                sources=sources,
            )
            extra = (*([reader_problem] if reader_problem else []), *sources.problems)
            missing = unresolved(p for tp in matrix.per_target for p in tp.packages)
            empty = tuple(wildcards(matrix))
    finally:
        if pending is not None:
            pending.cancel()  # (nothing to stop once its reader was taken)
    if extra:
        result = dataclasses.replace(result, problems=(*result.problems, *extra))
    # The module path only anchors `[[ignore]] package = "./..."` patterns; reading it
    # parses go.mod again (~25 ms for moby's).
    anchor = module_path(resolved) if config.ignores else ""
    result, judged = judge_scan(result, config, root=resolved, module_path=anchor)
    return ProjectScan(
        result=result,
        judged=judged,
        unresolved=missing or result.unresolved,
        empty_wildcards=empty,
    )


def empty_wildcards(patterns: Sequence[str], matrix: MatrixResult) -> list[str]:
    """Wildcard patterns no package of any target matched, whose directory exists (a missing
    directory is go's Error object, reported by the loader)."""
    out: list[str] = []
    if not any("..." in pattern for pattern in patterns):
        return out  # ("std",), ("./cmd/app",): no wildcard, no package to look through
    listed = []
    for tp in matrix.per_target:
        roots = set(tp.roots)  # (a tuple: `in` on it made this quadratic in the packages)
        listed += [(p.import_path, p.dir) for p in tp.packages if p.import_path in roots]
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
