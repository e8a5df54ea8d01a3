"""Reachability over one target's import graph: who reaches a package, and by which chain.

`go mod why` answers "why is this package in my build" with the shortest import chain from a
main package; `import_chains` does the same for every root that reaches the package, on one
target. The graph is `PackageFacts.imports` of one `TargetPackages` ("C" left out).
"""

from __future__ import annotations

import collections
from collections.abc import Collection, Iterable, Mapping
from collections.abc import Set as AbstractSet
from typing import cast

from cgotrap.evaluate.model import PackageFacts, TargetPackages

ImportGraph = Mapping[str, tuple[str, ...]]
"""import path -> the import paths it imports (sorted, without "C")."""


GraphRows = dict[int, tuple[str, tuple[str, ...]]]
"""Memo of `import_graph` over listings that share PackageFacts objects: id of a package
-> (import path, sorted imports); minus the id of a package's imports tuple -> ("", it
sorted), for the packages of the same imports (the loader interns them: GOROOT std's
~1,800 package objects of a process have ~500). The caller keeps the packages alive as
long as it."""


def import_graph(
    listing: TargetPackages, rows: GraphRows | None = None
) -> dict[str, tuple[str, ...]]:
    """The import graph of one target's listing (`rows`: a memo shared between listings,
    whose packages are mostly the same objects: the graph is then built in C)."""
    if rows is None:
        return {p.import_path: _sorted_without_c(p.imports) for p in listing.packages}
    ids = list(map(id, listing.packages))
    got = list(map(rows.get, ids))
    if None in got:
        for p in [p for p, row in zip(listing.packages, got, strict=True) if row is None]:
            imports = p.imports
            done = rows.get(-id(imports))
            if done is None:
                done = rows[-id(imports)] = ("", _sorted_without_c(imports))
            rows[id(p)] = (p.import_path, done[1])
        got = list(map(rows.get, ids))
    return dict(cast("list[tuple[str, tuple[str, ...]]]", got))


def _sorted_without_c(imports: tuple[str, ...]) -> tuple[str, ...]:
    got = sorted(imports)  # (C-level work only: this runs for every package and target)
    if "C" in imports:
        got = [i for i in got if i != "C"]
    return tuple(got)


def main_roots(
    listing: TargetPackages,
    packages: Mapping[str, PackageFacts] | None = None,
    *,
    named_main: AbstractSet[str] | None = None,
) -> tuple[str, ...]:
    """The roots that are main packages; all roots when none is (a library module).
    `packages`: the listing's packages by import path, when the caller has them;
    `named_main`: import paths of every package named main (on any target), when the
    caller knows them (most roots of a large library are then not looked at)."""
    if named_main is not None and named_main.isdisjoint(listing.roots):
        return listing.roots
    if packages is None:
        packages = {p.import_path: p for p in listing.packages}
    mains = tuple(r for r in listing.roots if r in packages and packages[r].name == "main")
    return mains or listing.roots


def reverse_graph(graph: ImportGraph) -> dict[str, list[str]]:
    """import path -> the packages that import it (to reuse over many `import_chains`)."""
    reverse: dict[str, list[str]] = collections.defaultdict(list)
    for pkg, imports in graph.items():
        for imp in imports:
            reverse[imp].append(pkg)
    return reverse


def import_chains(
    graph: ImportGraph,
    sources: Iterable[str],
    goal: str,
    *,
    limit: int = 0,
    reverse: Mapping[str, list[str]] | None = None,
) -> list[tuple[str, ...]]:
    """Shortest import chain from each source that reaches `goal`, shortest first.

    One breadth-first search backwards from `goal` gives every package's distance to it;
    each source's chain follows, at every step, the smallest import path one step closer,
    so the answer is deterministic. `limit` > 0 keeps only that many chains.
    """
    if reverse is None:
        reverse = reverse_graph(graph)
    distance = {goal: 0}
    queue = collections.deque([goal])
    while queue:
        node = queue.popleft()
        for importer in reverse.get(node, ()):
            if importer not in distance:
                distance[importer] = distance[node] + 1
                queue.append(importer)
    chains: list[tuple[str, ...]] = []
    for source in dict.fromkeys(sources):
        if source not in distance:
            continue
        chain = [source]
        node = source
        while node != goal:
            step = min(i for i in graph.get(node, ()) if distance.get(i) == distance[node] - 1)
            chain.append(step)
            node = step
        chains.append(tuple(chain))
    chains.sort(key=lambda c: (len(c), c))
    return chains[:limit] if limit > 0 else chains


def nearest_sources(
    graph: ImportGraph,
    sources: Collection[str],
    goal: str,
    *,
    reverse: Mapping[str, list[str]],
) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """What `import_chains(graph, sources, goal)` tells of the sources, without building a
    chain per source: the sources reaching `goal`, nearest first (ties by import path: the
    chains' order), and the shortest chain (the first one), () when none reaches it.
    `reverse`: `reverse_graph(graph)`."""
    distance = {goal: 0}
    queue = collections.deque([goal])
    while queue:
        node = queue.popleft()
        step = distance[node] + 1
        for importer in reverse.get(node, ()):
            if importer not in distance:
                distance[importer] = step
                queue.append(importer)
    if len(distance) < len(sources):
        found = sorted((d, s) for s, d in distance.items() if s in sources)
    else:
        found = sorted((distance[s], s) for s in set(sources) if s in distance)
    if not found:
        return (), ()
    node = found[0][1]
    chain = [node]
    while node != goal:
        closer = distance[node] - 1
        node = min(i for i in graph.get(node, ()) if distance.get(i) == closer)
        chain.append(node)
    return tuple(s for _, s in found), tuple(chain)


def reached_from(graph: ImportGraph, sources: Iterable[str], goal: str) -> tuple[str, ...]:
    """The sources that import `goal` directly or indirectly (or are it), in source order."""
    wanted = list(dict.fromkeys(sources))
    found = {c[0] for c in import_chains(graph, wanted, goal)}
    return tuple(s for s in wanted if s in found)
