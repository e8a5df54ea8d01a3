"""The matrix loader's shortcuts over its shared graph must answer as go's own rules do.

`_Graph.errors_below` reads Incomplete and DepsErrors off the Deps bit masks; the oracle is
`rules.incomplete_and_deps_errors`, which follows cmd/go's collectDepsErrors import by
import. Random import graphs (acyclic, as on the fast path), random errors, some equal.
"""

from __future__ import annotations

import random
from typing import cast

import pytest

from cgotrap.evaluate.load.fast import _NO_DEPS, _Deps, _Graph, _Local, _Node
from cgotrap.evaluate.load.loader import _Loader
from cgotrap.evaluate.load.rules import incomplete_and_deps_errors, package_error_order
from cgotrap.evaluate.model import PackageError


def _random_graph(rng: random.Random, size: int) -> tuple[_Graph, list[_Node]]:
    """`size` packages, each importing some earlier ones: the list is a valid load order."""
    graph = _Graph(cast("_Loader", None))
    nodes: list[_Node] = []
    for i in range(size):
        local = _Local()
        local.path = f"example.com/p{i}"
        kids = rng.sample(nodes, rng.randint(0, min(4, len(nodes)))) if nodes else []
        local.kid_paths = graph.intern(tuple(k.local.path for k in kids))
        deps: _Deps = _NO_DEPS
        if kids:
            deps = graph.new_deps(local.kid_paths, kids)
        nodes.append(_Node(local, deps, None, 0, "", face=0))
    return graph, nodes


@pytest.mark.parametrize("seed", range(40))
def test_errors_below_agrees_with_collect_deps_errors(seed: int) -> None:
    rng = random.Random(seed)  # noqa: S311 - reproducible test data, not security
    graph, order = _random_graph(rng, rng.randint(1, 40))
    errors: dict[str, PackageError] = {}
    for n in rng.sample(order, rng.randint(1, min(6, len(order)))):
        # Some errors read alike (the link error of several main packages): equal objects.
        text = rng.choice(["same error", f"error in {n.local.path}"])
        stack = () if rng.random() < 0.3 else ("example.com/root", n.local.path)
        errors[n.local.path] = PackageError(err=text, import_stack=stack)
    expected = incomplete_and_deps_errors(
        [n.local.path for n in order],
        {n.local.path: n.local.kid_paths for n in order},
        errors,
        package_error_order,
    )
    got = graph.errors_below(order, errors)
    if got is None:  # two different errors sorting equal: the caller asks the rule itself
        keys = [package_error_order(e) for e in set(errors.values())]
        assert len(set(keys)) < len(keys)
        return
    assert got == expected


def test_errors_below_declines_when_different_errors_sort_equal() -> None:
    rng = random.Random(7)  # noqa: S311 - reproducible test data, not security
    graph, order = _random_graph(rng, 5)
    errors = {
        order[0].local.path: PackageError(err="x", import_stack=("a", "top"), pos="p"),
        order[1].local.path: PackageError(err="x", import_stack=("b", "top"), pos="p"),
    }
    assert graph.errors_below(order, errors) is None
