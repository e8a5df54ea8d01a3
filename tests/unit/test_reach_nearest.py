"""`reach.nearest_sources`: what the scan reports of `reach.import_chains` (the sources
reaching a package, nearest first, and the first chain), without a chain per source."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from cgotrap.evaluate import reach
from cgotrap.evaluate.model import TargetPackages
from tests.unit.scan_world import LINUX1, pkg

_NAMES = [f"p{i}" for i in range(9)]


@st.composite
def _graphs(draw: st.DrawFn) -> tuple[dict[str, tuple[str, ...]], list[str], str]:
    nodes = draw(st.lists(st.sampled_from(_NAMES), min_size=1, unique=True))
    graph = {}
    for n in nodes:
        others = [m for m in [*nodes, "gone"] if m != n]
        graph[n] = tuple(sorted(draw(st.sets(st.sampled_from(others)))))
    sources = draw(st.lists(st.sampled_from([*_NAMES, "other"])))
    goal = draw(st.sampled_from([*nodes, "gone", "other"]))
    return graph, sources, goal


@settings(max_examples=400, deadline=None)
@given(_graphs())
def test_nearest_sources_is_what_the_chains_say(
    case: tuple[dict[str, tuple[str, ...]], list[str], str],
) -> None:
    graph, sources, goal = case  # (cycles too: a listing with an import cycle has them)
    chains = reach.import_chains(graph, sources, goal)
    got = reach.nearest_sources(graph, frozenset(sources), goal, reverse=reach.reverse_graph(graph))
    assert got == (tuple(c[0] for c in chains), chains[0] if chains else ())


def test_nearest_sources_ties_go_by_import_path() -> None:
    graph = {"b": ("x",), "a": ("y",), "x": ("g",), "y": ("g",), "far": ("b",), "g": ()}
    reverse = reach.reverse_graph(graph)
    got = reach.nearest_sources(graph, frozenset({"far", "b", "a", "g"}), "g", reverse=reverse)
    assert got == (("g", "a", "b", "far"), ("g",))
    got = reach.nearest_sources(graph, frozenset({"far", "b", "a"}), "g", reverse=reverse)
    assert got == (("a", "b", "far"), ("a", "y", "g"))
    assert reach.nearest_sources(graph, frozenset({"x"}), "a", reverse=reverse) == ((), ())


@st.composite
def _listings(draw: st.DrawFn) -> list[TargetPackages]:
    """Listings sharing package objects, and imports tuples between packages (interned)."""
    tuples = draw(st.lists(st.lists(st.sampled_from([*_NAMES, "C"]), unique=True), min_size=1))
    imports = [tuple(t) for t in tuples]
    pool = [
        pkg(LINUX1, f"p{i}", imports=draw(st.sampled_from(imports)))
        for i in range(draw(st.integers(1, 8)))
    ]
    return [
        TargetPackages(
            target=LINUX1,
            packages=tuple(draw(st.lists(st.sampled_from(pool), unique_by=id))),
            roots=(),
        )
        for _ in range(draw(st.integers(1, 4)))
    ]


@settings(max_examples=300, deadline=None)
@given(_listings())
def test_import_graph_with_its_memo_is_the_graph_without(listings: list[TargetPackages]) -> None:
    """The memo (by package, and by imports tuple across packages) answers as each
    listing's graph built alone: its imports sorted, "C" left out."""
    rows: reach.GraphRows = {}
    for listing in listings:
        alone = reach.import_graph(listing)
        assert alone == {
            p.import_path: tuple(sorted(i for i in p.imports if i != "C")) for p in listing.packages
        }
        assert reach.import_graph(listing, rows) == alone
