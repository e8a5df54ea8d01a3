"""A pattern's roots for many targets at once (`_Patterns.roots_of`): each directory tested
once per distinct facts, the same roots as testing it on each target one by one."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cgotrap.evaluate.load import ListingPlan
from cgotrap.evaluate.load.patterns import _Patterns
from cgotrap.targets import Target
from tests.gofixtures import gofile, gomod, write_tree

TARGETS = [
    Target(goos="linux", goarch="amd64", cgo=False),
    Target(goos="linux", goarch="amd64", cgo=True),
    Target(goos="windows", goarch="amd64", cgo=True),
    Target(goos="darwin", goarch="arm64", cgo=False),
    Target(goos="linux", goarch="arm64", cgo=True),  # (linux/amd64's roots, other nodes)
]


def _goroot(goroot: Path) -> Path:
    files: dict[str, str] = {"src/go.mod": "module std\n\ngo 1.27\n"}
    for pkg in ("fmt", "os", "unsafe", "runtime", "runtime/cgo", "syscall"):
        files[f"src/{pkg}/{pkg.rsplit('/', 1)[-1]}.go"] = gofile(pkg.rsplit("/", 1)[-1])
    files["src/fmt/fmt_windows.go"] = gofile("fmt")
    files["src/fmt/fmt_arm64.go"] = gofile("fmt")
    files["src/onlylinux/a_linux.go"] = gofile("onlylinux")
    files["src/onlywindows/b_windows.go"] = gofile("onlywindows")
    files["src/tests/t_test.go"] = gofile("tests")
    files["src/cmd/go/main.go"] = gofile("main", body="func main() {}\n")
    files["src/cmd/vendor/x/tool/main.go"] = gofile("main", body="func main() {}\n")
    files["src/cmd/vendor/x/lib/lib.go"] = gofile("lib")
    files["src/cmd/vendor/x/mixed/m_linux.go"] = gofile("main", body="func main() {}\n")
    files["src/cmd/vendor/x/mixed/m_other.go"] = gofile("mixed", header="//go:build !linux")
    return write_tree(goroot, files)


def _module(root: Path) -> Path:
    return write_tree(
        root,
        {
            "go.mod": gomod("example.com/m"),
            "a.go": gofile("m"),
            "l/l_linux.go": gofile("l"),
            "w/w_windows.go": gofile("w"),
            "c/c.go": gofile("c", "C"),
            "c/c_nocgo.go": gofile("c", header="//go:build !cgo"),
            "t/t_test.go": gofile("t"),
        },
    )


def _one_by_one(matcher: _Patterns, pattern: str, index: int) -> list[str]:
    """`_match`'s filter as it was: each candidate directory tested on the target."""
    how, candidates = matcher._candidates[pattern]
    loader = matcher.loader
    cgo = loader.contexts.contexts[index].cgo_enabled
    test = loader.scan_matches if how == "sorted" else loader.import_dir_matches
    out = []
    for directory, name in candidates:
        if not (cgo or name != "runtime/cgo") or not test(directory, index):
            continue
        f = loader.facts(directory, index)
        if how == "gopath" and name.startswith("cmd/vendor") and f is not None and f.name == "main":
            continue
        out.append(name)
    return sorted(out) if how == "sorted" else out


@pytest.mark.parametrize("pattern", ["std", "cmd", "./...", "example.com/m/..."])
def test_roots_of_many_targets_are_those_of_each(tmp_path: Path, pattern: str) -> None:
    goroot = _goroot(tmp_path / "goroot")
    root = goroot / "src" if pattern in ("std", "cmd") else _module(tmp_path / "m")
    plan = ListingPlan([pattern], TARGETS, root=root, goroot=goroot, go_version="go1.27.3")
    indices = range(len(TARGETS))
    got = plan._matcher.roots_of(indices)
    for index in indices:
        assert got[index] == _one_by_one(plan._matcher, pattern, index), TARGETS[index]
    assert plan._matcher.roots_of([2]) == {2: got[2]}  # (one target: the same)
    assert len({tuple(r) for r in got.values()}) > 1  # (the targets differ here)


def test_the_std_roots_differ_as_go_says(tmp_path: Path) -> None:
    goroot = _goroot(tmp_path / "goroot")
    plan = ListingPlan(["std"], TARGETS, root=goroot / "src", goroot=goroot)
    got = plan._matcher.roots_of(range(len(TARGETS)))
    assert "runtime/cgo" not in got[0]
    assert "runtime/cgo" in got[1]
    assert "onlylinux" in got[0]
    assert "onlylinux" not in got[2]
    assert "onlywindows" in got[2]
    assert "onlywindows" not in got[3]
    cmd = ListingPlan(["cmd"], TARGETS, root=goroot / "src", goroot=goroot)
    roots = cmd._matcher.roots_of(range(len(TARGETS)))
    assert "cmd/vendor/x/tool" not in roots[0]
    assert "cmd/vendor/x/lib" in roots[0]
    assert "cmd/vendor/x/mixed" not in roots[0]  # (a command on linux, a library elsewhere)
    assert "cmd/vendor/x/mixed" in roots[3]


def test_root_nodes_are_each_targets_own(tmp_path: Path) -> None:
    """`_Matrix.root_nodes` keeps the roots' import paths across targets, not their nodes."""
    from cgotrap.evaluate.load.fast import _Graph
    from cgotrap.evaluate.load.matrix import _Matrix

    goroot = _goroot(tmp_path / "goroot")
    plan = ListingPlan(["std"], TARGETS, root=goroot / "src", goroot=goroot)
    indices = list(range(len(TARGETS)))
    roots = plan._matcher.roots_of(indices)
    graph = _Graph(plan._loader)
    shared = _Matrix(graph, [graph.target(i) for i in indices], len(TARGETS))
    masks: dict[str, int] = {}
    for i in indices:
        for r in roots[i]:
            masks[r] = masks.get(r, 0) | (1 << i)
    shared.reach(masks)
    for path in shared.res:
        shared.build(path)
    assert roots[1] == roots[4]
    seen = set()
    for i in indices:
        built = shared.built(i)
        assert built is not None
        got = shared.root_nodes(roots[i], built)
        assert got == [(r, built[r]) for r in roots[i]]
        seen.add(id(dict(got)["fmt"]))
    assert len(seen) > 1  # (the targets' nodes differ: a node kept would be caught)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.lists(st.sampled_from(["a", "b", "c", "d", "e/f", "g"])), max_size=4))
def test_roots_are_each_match_once_in_first_order(matches: list[list[str]]) -> None:
    """`roots`: the patterns' matches in order, each path once where first met, and each
    pattern matched once, in order (a match may note the pattern's errors)."""
    patterns = object.__new__(_Patterns)
    patterns.patterns = [f"pattern{i}" for i in range(len(matches))]
    asked: list[tuple[str, int]] = []

    def match(pattern: str, index: int) -> list[str]:
        asked.append((pattern, index))
        return matches[int(pattern.removeprefix("pattern"))]

    patterns._match = match  # type: ignore[method-assign]
    expected: list[str] = []
    for got in matches:
        expected.extend(p for p in got if p not in expected)
    assert patterns.roots(3) == expected
    assert asked == [(p, 3) for p in patterns.patterns]
