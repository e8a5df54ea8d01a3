"""`reach.nearest_sources`: what the scan reports of `reach.import_chains` (the sources
reaching a package, nearest first, and the first chain), without a chain per source."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from cgotrap.evaluate import reach

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
