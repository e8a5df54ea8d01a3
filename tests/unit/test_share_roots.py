"""`plan._share` takes a target whose listed packages are all roots, none in error (GOROOT
std's scan), by one C-level lookup: it must give the objects and orders the general loop
gives, in the same order of creation.

Oracle: the general loop over the same evaluation (`all_roots_at_once=False`). Random
module trees (seeded): per-GOOS imports, missing imports, packages without Go files on
some targets, main packages, with and without -deps.
"""

from __future__ import annotations

import random
from pathlib import Path

import pytest

from cgotrap.evaluate.load.fast import _Walked
from cgotrap.evaluate.load.plan import ListingPlan, _share
from cgotrap.targets import Target
from tests.gofixtures import write_tree

TARGETS = [
    Target(goos="linux", goarch="amd64", cgo=False),
    Target(goos="linux", goarch="amd64", cgo=True),
    Target(goos="windows", goarch="amd64", cgo=False),
    Target(goos="darwin", goarch="arm64", cgo=True),
]


def _goroot(base: Path) -> Path:
    goroot = base / "goroot"
    for pkg in ("fmt", "os", "errors", "runtime", "runtime/cgo", "unsafe"):
        name = pkg.rsplit("/", 1)[-1]
        write_tree(goroot / "src" / pkg, {f"{name}.go": f"package {name}\n"})
    return goroot


def _tree(root: Path, rng: random.Random) -> None:
    count = rng.randint(3, 9)
    names = [f"p{i}" for i in range(count)]
    files = {"go.mod": "module example.com/m\n\ngo 1.22\n"}

    def imports(chosen: list[str]) -> str:
        return "".join(f'import _ "{c}"\n' for c in chosen)

    for i, name in enumerate(names):
        later = [f"example.com/m/{n}" for n in names[i + 1 :]]  # (no cycle)
        common = rng.sample(later, min(len(later), rng.randint(0, 2)))
        if rng.random() < 0.5:
            common.append(rng.choice(["fmt", "os", "errors"]))
        if rng.random() < 0.1:
            common.append("example.com/m/missing")
        package = "main" if rng.random() < 0.15 else name
        kind = rng.random()
        if kind < 0.15:  # Go files on linux only: an error elsewhere
            files[f"{name}/{name}_linux.go"] = f"package {package}\n\n{imports(common)}"
            continue
        files[f"{name}/{name}.go"] = f"package {package}\n\n{imports(common)}"
        if kind < 0.6:
            extra = rng.sample(later, min(len(later), 1)) or ["os"]
            goos = rng.choice(["linux", "windows", "darwin"])
            files[f"{name}/{name}_{goos}.go"] = f"package {package}\n\n{imports(extra)}"
    write_tree(root, files)


@pytest.mark.parametrize("seed", range(12))
def test_share_of_all_root_listings_is_the_general_loops(tmp_path: Path, seed: int) -> None:
    rng = random.Random(seed)  # noqa: S311 - reproducible test data, not security
    goroot = _goroot(tmp_path)
    root = tmp_path / "m"
    _tree(root, rng)
    taken = 0
    for patterns in (["./..."], ["./p0"], ["./...", "fmt"], ["errors", "fmt"]):
        for with_deps in (True, False):
            plan = ListingPlan(
                patterns,
                TARGETS,
                root=root,
                goroot=goroot,
                go_version="go1.27.3",
                with_deps=with_deps,
            )
            ev = plan.evaluate(range(len(TARGETS)))
            for keep_deps in (True, False):
                got = _share(ev, plan.targets, keep_deps=keep_deps, pgo_auto=False)
                want = _share(
                    ev, plan.targets, keep_deps=keep_deps, pgo_auto=False, all_roots_at_once=False
                )
                assert got.order == want.order
                assert got.objects == want.objects
                assert [p.dep_only for p in got.objects] == [p.dep_only for p in want.objects]
            taken += sum(
                1
                for w in ev.lists
                if isinstance(w, _Walked) and not w.errors and len(w.roots) == len(w.listed)
            )
    assert taken  # (the shortcut was taken)
