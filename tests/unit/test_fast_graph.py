"""The matrix loader's shortcuts over its shared graph must answer as go's own rules do.

`_Graph.errors_below` reads Incomplete and DepsErrors off the Deps bit masks; the oracle is
`rules.incomplete_and_deps_errors`, which follows cmd/go's collectDepsErrors import by
import. Random import graphs (acyclic, as on the fast path), random errors, some equal.
"""

from __future__ import annotations

import random
from typing import cast

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cgotrap.evaluate.load.fast import (
    _INTERNAL,
    _NO_DEPS,
    _Deps,
    _FastTarget,
    _Graph,
    _Local,
    _Node,
    _Walked,
)
from cgotrap.evaluate.load.loader import _Loader
from cgotrap.evaluate.load.rules import (
    PUSH,
    incomplete_and_deps_errors,
    internal_allowed,
    package_error_order,
)
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


def _walked(walked: _Walked) -> tuple[object, ...]:
    return (
        [n.local.path for n in walked.every],
        [n.local.path for n in walked.listed],
        walked.root_order,
        walked.roots,
        walked.errors,
        walked.incomplete,
        walked.deps_errors,
    )


@pytest.mark.parametrize("seed", range(40))
def test_a_walk_without_errors_is_the_walk_keeping_stacks(seed: int) -> None:
    """Where no node has an error the walk keeps no import stacks (`_walk_clean`); an
    error node nothing reaches makes it keep them: the same order either way."""
    rng = random.Random(seed)  # noqa: S311 - reproducible test data, not security
    graph, nodes = _random_graph(rng, rng.randint(1, 40))
    for n in nodes:
        n.local.kid_strs = n.local.kid_paths
    built: dict[str, _Node | None] = {n.local.path: n for n in nodes}
    picked = [rng.choice(nodes) for _ in range(rng.randint(1, 2 * len(nodes)))]
    root_nodes = [(n.local.path, n) for n in picked]
    ft = object.__new__(_FastTarget)
    ft.graph = graph
    clean = ft.walk(root_nodes, built, with_deps=True)
    broken = _Local()
    broken.path = "example.com/broken"
    broken.kid_paths = ()
    graph.err_nodes.add(_Node(broken, _NO_DEPS, "broken", PUSH, "", face=1))
    kept = ft.walk(root_nodes, {**built, broken.path: next(iter(graph.err_nodes))}, with_deps=True)
    assert _walked(clean) == _walked(kept)
    assert [n.local.path for n in clean.every] == _postorder(picked, built)


def _postorder(roots: list[_Node], by_path: dict[str, _Node | None]) -> list[str]:
    """go's load order, written plainly: each root's imports first, depth first, once."""
    seen: set[str] = set()
    out: list[str] = []

    def visit(node: _Node) -> None:
        for kp in node.local.kid_paths:
            if kp not in seen:
                seen.add(kp)
                visit(cast("_Node", by_path[kp]))
        out.append(node.local.path)

    for n in roots:
        if n.local.path not in seen:
            seen.add(n.local.path)
            visit(n)
    return out


_ELEMENTS = ["internal", "internals", "xinternal", "a", "crypto", "fips140", "simd", "bridge"]


@settings(max_examples=500, deadline=None)
@given(
    path=st.lists(st.sampled_from(_ELEMENTS), min_size=1, max_size=4).map("/".join),
    importer=st.lists(st.sampled_from(_ELEMENTS), min_size=1, max_size=4).map("/".join),
    simd=st.booleans(),
    module=st.sampled_from([None, "example.com/m", "internal"]),
    directory=st.sampled_from(["", "/r/x", "/r/internal/y"]),
)
def test_a_path_without_internal_is_allowed_unasked(
    path: str, importer: str, simd: bool, module: str | None, directory: str
) -> None:
    """`_resolve_imports` asks `internal_allowed` only of a path holding `_INTERNAL`: it
    allows every other one, whoever imports it."""
    allowed = internal_allowed(
        importer_path=importer,
        importer_dir="/r/" + importer,
        importer_has_simd=simd,
        path=path,
        directory=directory,
        module=module,
    )
    if _INTERNAL not in path:
        assert allowed
