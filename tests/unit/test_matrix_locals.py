"""`_Matrix` keeps one `_Local` per package and target class (`_class_masks`), asked of one
target of the class: it must be the `_Local` every target of the class that loads the
package has (`_FastTarget._local`, the computation it stands for).

Random module trees (seeded, as in test_share_roots) on targets whose files, cgo and traits
differ.
"""

from __future__ import annotations

import random
from pathlib import Path

import pytest

from cgotrap.evaluate.load.fast import _Graph
from cgotrap.evaluate.load.matrix import _bits, _Matrix
from cgotrap.evaluate.load.plan import ListingPlan
from cgotrap.targets import Target
from tests.unit.test_share_roots import _goroot, _tree

TARGETS = [
    Target(goos="linux", goarch="amd64", cgo=False),
    Target(goos="linux", goarch="amd64", cgo=True),
    Target(goos="linux", goarch="arm", cgo=True),
    Target(goos="windows", goarch="amd64", cgo=False),
    Target(goos="darwin", goarch="arm64", cgo=True),
    Target(goos="js", goarch="wasm", cgo=False),
]


@pytest.mark.parametrize("seed", range(10))
def test_a_class_local_is_each_of_its_targets_local(tmp_path: Path, seed: int) -> None:
    rng = random.Random(seed)  # noqa: S311 - reproducible test data, not security
    goroot = _goroot(tmp_path)
    root = tmp_path / "m"
    _tree(root, rng)
    plan = ListingPlan(["./...", "fmt"], TARGETS, root=root, goroot=goroot, go_version="go1.27.3")
    graph = _Graph(plan._loader)
    indices = range(len(TARGETS))
    roots = plan._matcher.roots_of(indices)
    fast = [graph.target(i) for i in indices]
    shared = _Matrix(graph, fast, len(TARGETS))
    root_targets: dict[str, int] = {}
    for ft in fast:
        for r in roots[ft.index]:
            root_targets[r] = root_targets.get(r, 0) | (1 << ft.index)
    shared.reach(root_targets)
    for path in shared.res:
        shared.build(path)
    checked = 0
    several = 0
    for (path, cls), local in shared._locals.items():
        res = shared.res[path]
        targets = _bits(cls & shared.needed[path])
        several += len(targets) > 1
        for t in targets:
            assert shared.by_index[t]._local(res) is local
            checked += 1
    assert checked
    assert several  # (a class of more than one target)
