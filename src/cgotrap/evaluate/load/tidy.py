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
from cgotrap.discover.modgraph import ModGraphError, ModuleGraph, ModuleVersion
from cgotrap.discover.project import go_mod_dirty, too_new_text
from cgotrap.gostd import compare_go_versions

if TYPE_CHECKING:
    from cgotrap.evaluate.load.fast import _Walked
    from cgotrap.evaluate.load.loader import _Loader
    from cgotrap.evaluate.load.target import _Pkg

_Loaded = list[tuple[str, str | None, tuple[str, ...]]]
"""(import path, module path or None for std, imported packages' paths) per package."""


def _packages(listed: _Walked | list[tuple[_Pkg, bool]]) -> tuple[_Loaded, set[str]]:
    """A target's loaded packages, and the import paths the patterns matched."""
    if isinstance(listed, list):
        pkgs = [p for p, _ in listed]
        loaded = [(p.path, p.module, tuple(k.path for k in p.internal or ())) for p in pkgs]
        return loaded, {p.path for p, dep_only in listed if not dep_only}
    loaded = [(n.local.path, n.local.module, tuple(n.local.kid_paths)) for n in listed.every]
    return loaded, set(listed.roots)


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
    mains = {m.path for m in project.main_modules}
    roots = {p: v for p, v in project.requires.items() if p not in mains}
    for listed in lists:
        loaded, pattern_roots = _packages(listed)
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
# updateRequirements' maxTooNew (go1.27.3)
def _check_too_new(loader: _Loader, lists: list[_Walked | list[tuple[_Pkg, bool]]]) -> None:
    """A package from a downloaded module whose go.mod declares a newer go than the
    toolchain stops go after loading, naming the newest such module: "example.com/new@v1.0.0
    requires go >= 1.99 (running go 1.27.3; GOTOOLCHAIN=local)"."""
    resolver = loader.resolver
    if not resolver.downloaded:
        return
    env = {"GOTOOLCHAIN": loader.project.gotoolchain}
    by_module: dict[str, list[tuple[str, str]]] = {}
    for (path, version), root in resolver.downloaded.items():
        by_module.setdefault(path, []).append((version, root))
    worst: tuple[str, str, str] | None = None  # (go version, module path, its version)
    for listed in lists:
        loaded, _ = _packages(listed)
        for module in {m for _, m, _ in loaded if m is not None}:
            for version, root in by_module.get(module, ()):
                go = _go_line(root)
                if not too_new_text("", go, loader.project.goroot, env):
                    continue
                if worst is None or compare_go_versions(go, worst[0]) > 0:
                    worst = (go, module, version)
    if worst is not None:
        go, module, version = worst
        shown = loader.project.replacement(module, version)
        what = f"{module}@{version}"
        if shown is not None and shown.dir is None:
            what = f"{shown.replace.new_path}@{shown.replace.new_version}"
        raise ModGraphError(too_new_text(what, go, loader.project.goroot, env))


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
