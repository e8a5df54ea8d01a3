"""`CrossFacts.twin_took_over` looks only at the packages with cgo files somewhere (a package
uses cgo on a target only through its cgo files): it must be what the loop over every
package of every cgo=0 target gave (kept here as the oracle), keys included (a key with no
file still tells `with_cross` not to guess from `left_out`).

Random module trees (seeded): cgo files under `cgo` / `linux` constraints, fallbacks under
`!cgo`, Go files of every target, on ports with both modes, cgo only, and no cgo.
"""

from __future__ import annotations

import random
from collections.abc import Mapping
from pathlib import Path

import pytest

from cgotrap.evaluate.load import load_matrix
from cgotrap.evaluate.model import PackageFacts
from cgotrap.judge.headers import catalog, predefines
from cgotrap.judge.scan.package import build_context, twin_of
from cgotrap.targets import Target, port_table
from tests.gofixtures import write_tree
from tests.unit.test_share_roots import _goroot

TARGETS = [
    Target(goos="linux", goarch="amd64", cgo=False),
    Target(goos="linux", goarch="amd64", cgo=True),
    Target(goos="windows", goarch="amd64", cgo=False),
    Target(goos="windows", goarch="amd64", cgo=True),
    Target(goos="darwin", goarch="arm64", cgo=True),
    Target(goos="js", goarch="wasm", cgo=False),
]


def _every_package_loop(
    facts: Mapping[Target, Mapping[str, PackageFacts]],
) -> dict[str, set[str]]:
    """The computation as it was: every package of every cgo=0 target with a twin."""
    took_over: dict[str, set[str]] = {}
    loaded = tuple(facts)
    for target in loaded:
        twin = None if target.cgo else twin_of(target, loaded)
        if twin is None:
            continue
        there = facts[twin]
        for ip, p in facts[target].items():
            with_cgo = there.get(ip)
            if with_cgo is not None and with_cgo.uses_cgo:
                built_there = set(with_cgo.go_files) | set(with_cgo.cgo_files)
                took_over.setdefault(ip, set()).update(set(p.go_files) - built_there)
    return took_over


def _tree(root: Path, rng: random.Random) -> None:
    files = {"go.mod": "module example.com/m\n\ngo 1.22\n"}
    for i in range(rng.randint(2, 7)):
        name = f"p{i}"
        files[f"{name}/{name}.go"] = f"package {name}\n"
        if rng.random() < 0.7:
            build = rng.choice(["cgo", "linux && cgo", "!windows"])
            files[f"{name}/c_{name}.go"] = (
                f'//go:build {build}\n\npackage {name}\n\n// #include <stdio.h>\nimport "C"\n'
            )
        if rng.random() < 0.6:
            files[f"{name}/stub.go"] = f"//go:build !cgo\n\npackage {name}\n"
        if rng.random() < 0.3:
            files[f"{name}/other_linux.go"] = f"package {name}\n"
    write_tree(root, files)


@pytest.mark.parametrize("seed", range(10))
def test_twin_took_over_is_the_every_package_loops(tmp_path: Path, seed: int) -> None:
    rng = random.Random(seed)  # noqa: S311 - reproducible test data, not security
    root = tmp_path / "m"
    _tree(root, rng)
    matrix = load_matrix(
        ["./..."], TARGETS, root=root, goroot=_goroot(tmp_path), go_version="go1.27.3"
    )
    ctx = build_context(matrix, catalog(), predefines(), port_table())
    want = _every_package_loop(ctx.facts)
    assert ctx.cross.twin_took_over == {k: frozenset(v) for k, v in want.items()}
    assert set(ctx.took_over) >= set(want)


def test_the_oracle_sees_files_taking_over(tmp_path: Path) -> None:
    """(the random trees give the oracle something to find: keys, and files in them)"""
    found = []
    for seed in range(10):
        root = tmp_path / str(seed) / "m"
        _tree(root, random.Random(seed))  # noqa: S311 - reproducible test data, not security
        matrix = load_matrix(
            ["./..."],
            TARGETS,
            root=root,
            goroot=_goroot(tmp_path / str(seed)),
            go_version="go1.27.3",
        )
        ctx = build_context(matrix, catalog(), predefines(), port_table())
        found.append(_every_package_loop(ctx.facts))
    assert any(found)
    assert any(v for f in found for v in f.values())
