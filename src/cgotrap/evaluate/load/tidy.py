"""The go.mod checks go makes after loading packages, when it may not update go.mod.

Mirrors cmd/go/internal/modload/buildlist.go updatePrunedRoots and spotCheckRoots
(go1.27.3), called from load.go updateRequirements with -mod=readonly (the default): with
a pruned graph (go >= 1.17, one main module, no vendor mode) every module providing a
package "in all" (transitively imported by a main module's package) or named on the
command line must be a root (required by go.mod), and the roots must be the versions the
graph selects. Otherwise go stops with "updates to go.mod needed; to update it: go mod tidy"
and lists nothing. Which packages are loaded depends on the target's build constraints, so
the check runs per target; cgotrap refuses the run when one target fails it.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING

from cgotrap.discover import semver
from cgotrap.discover.project import go_mod_dirty, too_new_text
from cgotrap.gostd import compare_go_versions

# (cgotrap.discover.modgraph is imported where a module graph is at hand: GOROOT std and
# vendored trees read none, and skip its import)

if TYPE_CHECKING:
    from cgotrap.discover.modgraph import ModuleGraph, ModuleVersion
    from cgotrap.evaluate.load.fast import _Walked
    from cgotrap.evaluate.load.loader import _Loader
    from cgotrap.evaluate.load.target import _Pkg

_Loaded = list[tuple[str, str | None, tuple[str, ...]]]
"""(import path, module path or None for std, imported packages' paths) per package."""


def _packages(listed: _Walked | list[tuple[_Pkg, bool]]) -> tuple[_Loaded, list[str]]:
    """A target's loaded packages, and the import paths the patterns matched (in order)."""
    if isinstance(listed, list):
        pkgs = [p for p, _ in listed]
        loaded = [(p.path, p.module, tuple(k.path for k in p.internal or ())) for p in pkgs]
        return loaded, [p.path for p, dep_only in listed if not dep_only]
    loaded = [(n.local.path, n.local.module, tuple(n.local.kid_paths)) for n in listed.every]
    return loaded, listed.root_order or sorted(listed.roots)


def check_requirements(loader: _Loader, lists: Iterable[_Walked | list[tuple[_Pkg, bool]]]) -> None:
    """Raise `ModGraphError` with go's text when a target's packages come from a module too
    new for the toolchain, or need a go.mod update."""
    lists = list(lists)
    _check_too_new(loader, lists)
    resolver = loader.resolver
    project = loader.project
    graph = resolver.graph
    if graph is None or not resolver.pruned or project.build_mod == "mod":
        return
    if project.workspace is not None or len(project.main_modules) != 1:
        return
    from cgotrap.discover.modgraph import ModGraphError

    mains = {m.path for m in project.main_modules}
    roots = {p: v for p, v in project.requires.items() if p not in mains}
    for listed in lists:
        loaded, root_order = _packages(listed)
        pattern_roots = set(root_order)
        if _needs_update(
            loaded,
            pattern_roots=pattern_roots,
            mains=mains,
            roots=roots,
            graph_paths=resolver.graph_paths,
            graph=graph,
        ):
            raise ModGraphError(go_mod_dirty(project))


def _needs_update(
    loaded: _Loaded,
    *,
    pattern_roots: set[str],
    mains: set[str],
    roots: dict[str, str],
    graph_paths: set[str],
    graph: ModuleGraph,
) -> bool:
    """updatePrunedRoots' verdict for one target: would go.mod change?"""
    kids = {path: imports for path, _, imports in loaded}
    module_of = {path: module for path, module, _ in loaded}
    # pkgInAll: the main modules' packages and everything they import, transitively
    in_all = {path for path, module, _ in loaded if module in mains}
    queue = deque(in_all)
    while queue:
        for kid in kids.get(queue.popleft(), ()):
            if kid not in in_all:
                in_all.add(kid)
                queue.append(kid)
    spot: set[str] = set()
    for path in sorted(in_all | pattern_roots):
        module = module_of.get(path)
        if module is None or module in mains:
            continue  # std, or a main module's own package
        if module not in roots:
            return True  # the module would become a root: rootsUpgraded
        spot.add(module)
    full = any(path in graph_paths for path in module_of)  # rs.graph was loaded
    if not full and _spot_check(spot, roots, mains, graph.required):
        return False
    return any(graph.selected(path) != version for path, version in roots.items())


def _spot_check(
    modules: set[str],
    roots: dict[str, str],
    mains: set[str],
    required: Mapping[ModuleVersion, tuple[ModuleVersion, ...]],
) -> bool:
    """spotCheckRoots: no root is below what a module providing a loaded package requires."""
    from cgotrap.discover.modgraph import ModuleVersion

    for path in modules:
        reqs = required.get(ModuleVersion(path=path, version=roots[path]))
        if reqs is None:  # its go.mod could not be read
            return False
        for req in reqs:
            have = "" if req.path in mains else roots.get(req.path)
            if have is not None and semver.compare(have, req.version) < 0:
                return False
    return True


# cmd/go/internal/modfetch/fetch.go: Fetcher.Download, and modload/load.go:
# updateRequirements' maxTooNew, buildStacks (go1.27.3)
def _check_too_new(loader: _Loader, lists: list[_Walked | list[tuple[_Pkg, bool]]]) -> None:
    """A package from a module whose go.mod declares a newer go than the toolchain stops go
    after loading. The newest such version is named, the first package in load order
    (breadth first from the roots) deciding between equals: a downloaded module's check,
    "example.com/new@v1.0.0 requires go >= 1.99 (running go 1.27.3; GOTOOLCHAIN=local)",
    or, for an import that made go read the whole graph, the graph's go.mod check,
    "module example.com/new@v1.0.0 requires go >= 1.99 (...)"."""
    resolver = loader.resolver
    graph = resolver.graph
    graph_too_new = graph.too_new if graph is not None else ("", "")
    if not resolver.downloaded and not graph_too_new[0]:
        return
    project = loader.project
    env = {"GOTOOLCHAIN": project.gotoolchain}
    module_too_new: dict[str, tuple[str, str]] = {}  # module path -> (go version, text)
    for (path, version), root in resolver.downloaded.items():
        go = _go_line(root)
        if too_new_text("", go, project.goroot, env):
            rep = project.replacement(path, version)
            what = f"{path}@{version}"
            if rep is not None and rep.dir is None:
                what = f"{rep.replace.new_path}@{rep.replace.new_version}"
            module_too_new[path] = (go, too_new_text(what, go, project.goroot, env))
    if not module_too_new and not graph_too_new[0]:
        return
    from cgotrap.discover.modgraph import ModGraphError

    for listed in lists:
        loaded, roots = _packages(listed)
        worst: tuple[str, str] | None = None
        for path, module in _load_order(loaded, roots):
            if graph_too_new[0] and path in resolver.graph_paths:
                got: tuple[str, str] | None = graph_too_new
            else:
                got = module_too_new.get(module) if module is not None else None
            if got is not None and (worst is None or compare_go_versions(got[0], worst[0]) > 0):
                worst = got
        if worst is not None:
            raise ModGraphError(worst[1])


def _load_order(loaded: _Loaded, roots: list[str]) -> list[tuple[str, str | None]]:
    """buildStacks' pld.pkgs: the roots, then each package's imports, breadth first."""
    info = {path: (module, kids) for path, module, kids in loaded}
    order = [r for r in roots if r in info]
    seen = set(order)
    i = 0
    while i < len(order):
        for kid in info[order[i]][1]:
            if kid in info and kid not in seen:
                seen.add(kid)
                order.append(kid)
        i += 1
    return [(path, info[path][0]) for path in order]


def _go_line(module_dir: str) -> str:
    """gover.GoModLookup(go.mod, "go"): the module's go version ("" without one)."""
    from cgotrap.discover.gomod import parse_gomod_text
    from cgotrap.discover.modsyntax import GoModError
    from cgotrap.inputs import read_regular

    name = Path(module_dir) / "go.mod"
    try:
        data = read_regular(name, 16 << 20)
        return parse_gomod_text(data.decode("utf-8", "replace"), name, strict=False).go
    except (OSError, GoModError):
        return ""
