"""Package patterns: the cases of cmd/internal/pkgpattern/pat_test.go, and directory walks."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from cgotrap.evaluate.load import match_pattern, short_path, tree_can_match
from cgotrap.evaluate.load.patterns import _rel_below, _walk_dirs

# pattern, names that match, names that do not (from pkgpattern's TestMatchPattern)
MATCH_CASES = [
    ("...", ["foo"], []),
    ("net", ["net"], ["net/http"]),
    ("net/http", ["net/http"], ["net"]),
    ("net...", ["net", "net/http", "netchan"], ["not/http", "not/net/http"]),
    ("net/...", ["net", "net/http"], ["not/http", "not/net/http", "netchan"]),
    ("./...", ["./vendor", "./mycode/vendor"], ["./vendor/foo", "./mycode/vendor/foo"]),
    ("./vendor/...", ["./vendor/foo", "./vendor/foo/vendor"], ["./vendor/foo/vendor/bar"]),
    (
        "mycode/vendor/...",
        ["mycode/vendor", "mycode/vendor/foo", "mycode/vendor/foo/vendor"],
        ["mycode/vendor/foo/vendor/bar"],
    ),
    ("x/vendor/y", ["x/vendor/y"], ["x/vendor"]),
    (
        "x/vendor/y/...",
        ["x/vendor/y", "x/vendor/y/z", "x/vendor/y/vendor", "x/vendor/y/z/vendor"],
        ["x/vendor/y/vendor/z"],
    ),
    (".../vendor/...", ["x/vendor/y", "x/vendor/y/z", "x/vendor/y/vendor"], []),
    ("a.b/...", ["a.b", "a.b/c"], ["aXb", "aXb/c"]),
]

TREE_CASES = [
    ("...", ["foo"], []),
    ("net", ["net"], ["net/http"]),
    ("net/http", ["net", "net/http"], []),
    ("net...", ["net", "netchan", "net/http"], ["not/http", "not/net/http"]),
    ("net/...", ["net", "net/http"], ["not/http", "netchan"]),
    ("abc.../def", ["abcxyz"], ["xyzabc"]),
    ("x/y/z/...", ["x", "x/y", "x/y/z", "x/y/z/w"], []),
    ("x/y/z", ["x", "x/y", "x/y/z"], ["x/y/z/w"]),
    ("x/.../y/z", ["x/a/b/c"], ["y/x/a/b/c"]),
]


@pytest.mark.parametrize(("pattern", "yes", "no"), MATCH_CASES)
def test_match_pattern(pattern: str, yes: list[str], no: list[str]) -> None:
    match = match_pattern(pattern)
    for name in yes:
        assert match(name), (pattern, name)
    for name in no:
        assert not match(name), (pattern, name)


@pytest.mark.parametrize(("pattern", "yes", "no"), TREE_CASES)
def test_tree_can_match(pattern: str, yes: list[str], no: list[str]) -> None:
    can = tree_can_match(pattern)
    for name in yes:
        assert can(name), (pattern, name)
    for name in no:
        assert not can(name), (pattern, name)


def test_walk_prunes_like_go(tmp_path: Path) -> None:
    for d in ("a/b", "a-c", "_x/y", ".git/z", "testdata/t", "nested/in", "vendor/v", "a/vendor/w"):
        (tmp_path / d).mkdir(parents=True)
    (tmp_path / "nested" / "go.mod").write_text("module nested\n")
    (tmp_path / "link").symlink_to(tmp_path / "a")
    (tmp_path / "loop").symlink_to(tmp_path / "loop")  # a symlink loop is never followed
    rel = [
        os.path.relpath(d, tmp_path)
        for d in _walk_dirs(str(tmp_path), prune_gomod=True, prune_vendor=True)
    ]
    # lexical depth-first order ("a", "a/b", then "a-c"), as fsys.WalkDir visits
    assert rel == [".", "a", "a/b", "a/vendor", "a-c", "vendor"]
    rel = [
        os.path.relpath(d, tmp_path)
        for d in _walk_dirs(str(tmp_path), prune_gomod=False, prune_vendor=False)
    ]
    assert {"nested/in", "vendor/v", "a/vendor/w"} <= set(rel)


def test_short_path() -> None:
    assert short_path("/a/b/c.go", "/a/b") == "c.go"
    assert short_path("/a/b/c.go", "/a/b/d") == "../c.go"
    assert short_path("/x.go", "/very/deep/dir/here") == "/x.go"


@pytest.mark.parametrize("root", [".", "a", "/t", "/t/", "t/../u", "./t", "/"])
def test_rel_below_is_relpath_for_what_the_walk_yields(
    tmp_path: Path, root: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The walk's directories are sliced below their root instead of os.path.relpath: the
    # same text, also for roots that are relative, "/", or not clean (relpath's way then).
    (tmp_path / "t" / "x" / "y").mkdir(parents=True)
    (tmp_path / "u" / "z").mkdir(parents=True)
    (tmp_path / "a").mkdir()
    monkeypatch.chdir(tmp_path)
    base = str(tmp_path) + root if root.startswith("/") else root
    walked = list(_walk_dirs(base, prune_gomod=False, prune_vendor=False))
    assert walked
    for directory in [*walked, "/elsewhere", str(tmp_path), str(tmp_path / "t")]:
        assert _rel_below(directory, base) == os.path.relpath(directory, base)
    assert _rel_below("/x/y", "/") == os.path.relpath("/x/y", "/")
