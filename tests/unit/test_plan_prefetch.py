"""What a plan's prefetch starts on before its helper forks, and what it leaves for after.

The pattern "std" hands the helper the first directories of GOROOT/src's walk and walks the
rest once the helper has started; the caller's `meanwhile` runs then too. The listing must
be what one process lists, and the walk the plan reports (`consulted`) the whole walk.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from cgotrap.evaluate import forked
from cgotrap.evaluate.load import ListingPlan, load_listing
from cgotrap.render import golist
from cgotrap.targets import Target
from tests.gofixtures import gofile, gomod, write_tree

TARGETS = [
    Target(goos="linux", goarch="amd64", cgo=False),
    Target(goos="linux", goarch="amd64", cgo=True),
    Target(goos="windows", goarch="amd64", cgo=False),
]


def _large_goroot(goroot: Path, packages: int) -> Path:
    """A GOROOT whose std has `packages` packages besides the few cgo needs (some nested,
    some only on windows), and what the pattern std leaves out: cmd, testdata, builtin."""
    files: dict[str, str] = {"src/go.mod": "module std\n\ngo 1.27\n"}
    for pkg in ("fmt", "os", "unsafe", "runtime", "runtime/cgo", "syscall"):
        files[f"src/{pkg}/{pkg.rsplit('/', 1)[-1]}.go"] = gofile(pkg.rsplit("/", 1)[-1])
    names = [f"z{i // 50:02d}/p{i:03d}" for i in range(packages)]
    for i, name in enumerate(names):
        short = name.rsplit("/", 1)[-1]
        files[f"src/{name}/{short}.go"] = gofile(short, *names[i + 1 : i + 3], "fmt")
        if i % 7 == 0:
            files[f"src/{name}/{short}_windows.go"] = gofile(short, "syscall")
    files["src/builtin/builtin.go"] = gofile("builtin")
    files["src/cmd/go/main.go"] = gofile("main", body="func main() {}\n")
    files["src/z00/testdata/t/t.go"] = gofile("t")
    return write_tree(goroot, files)


def _listing(goroot: Path, **options: Any) -> tuple[bytes, tuple[str, ...]]:
    got = load_listing(
        ["std"], TARGETS, root=goroot / "src", goroot=goroot, go_version="go1.27.3", **options
    )
    return b"".join(golist.iter_listing_bytes(got, matrix=True)), got.problems


def _spy(
    monkeypatch: pytest.MonkeyPatch, events: list[str]
) -> list[tuple[list[str], list[str], bool]]:
    """forked_map, recording (its first items, what `more` gave, whether it had `follow`)
    and in `events` when the helper was started ("fork")."""
    calls: list[tuple[list[str], list[str], bool]] = []
    real = forked.forked_map
    real_fork = os.fork

    def fork() -> int:
        events.append("fork")
        return real_fork()

    def spying(items, fn, *, more=None, follow=None, **kw):  # type: ignore[no-untyped-def]  # a spy
        given: list[str] = []

        def walk() -> list[str]:
            given.extend(more())
            return given

        calls.append((list(items), given, follow is not None))
        return real(items, fn, more=None if more is None else walk, follow=follow, **kw)

    monkeypatch.setattr(forked, "forked_map", spying)
    monkeypatch.setattr(os, "fork", fork)
    return calls


def test_the_helper_starts_on_the_first_of_std_while_the_rest_is_walked(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    goroot = _large_goroot(tmp_path / "goroot", 400)
    events: list[str] = []
    calls = _spy(monkeypatch, events)
    two = _listing(goroot, workers=2)
    assert calls, "the prefetch did not run"
    first, later, follows = calls[0]
    assert len(first) == forked.MIN_ITEMS  # the first directories of the walk
    src = goroot / "src"
    # every directory of std (with those that only hold others), each once
    every = {
        str(d)
        for d in src.rglob("*")
        if d.is_dir() and not {"cmd", "testdata", "builtin"} & set(d.relative_to(src).parts)
    }
    assert set(first) | set(later) == every
    assert not set(first) & set(later)
    assert not follows  # (std's imports never leave it)
    monkeypatch.setattr(forked, "MIN_ITEMS", 10**9)
    one = _listing(goroot, workers=2)
    assert two == one
    assert b'"ImportPath": "z07/p399"' in two[0]


def test_a_large_module_hands_its_directories_first_and_std_is_walked_after(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A large module that is not vendored: the helper starts on its directories while
    this process walks GOROOT/src (all of it is prefetched, as before)."""
    goroot = _large_goroot(tmp_path / "goroot", 40)
    names = [f"p{i:03d}" for i in range(310)]
    files = {"go.mod": gomod("example.com/w")}
    for i, name in enumerate(names):
        files[f"{name}/{name}.go"] = gofile(
            name, *(f"example.com/w/{n}" for n in names[i + 1 : i + 2])
        )
    root = write_tree(tmp_path / "w", files)
    events: list[str] = []
    calls = _spy(monkeypatch, events)

    def listing() -> bytes:
        got = load_listing(
            ["./..."], TARGETS, root=root, goroot=goroot, go_version="go1.27.3", workers=2
        )
        return b"".join(golist.iter_listing_bytes(got, matrix=True))

    two = listing()
    first, later, follows = calls[0]
    assert set(first) == {str(root), *(str(root / n) for n in names)}
    src = goroot / "src"
    assert {str(src / "z00" / "p039"), str(src / "fmt"), str(src / "runtime" / "cgo")} <= set(later)
    assert not set(first) & set(later)
    assert not follows
    monkeypatch.setattr(forked, "MIN_ITEMS", 10**9)
    assert listing() == two


def test_a_plan_reports_the_whole_std_walk_it_streamed(tmp_path: Path) -> None:
    goroot = _large_goroot(tmp_path / "goroot", 300)

    def consulted(workers: int) -> list[str]:
        plan = ListingPlan(["std"], TARGETS, root=goroot / "src", goroot=goroot, workers=workers)
        plan.matrix()
        return sorted(plan.consulted())

    streamed = consulted(2)
    assert str(goroot / "src" / "z05" / "p299") in streamed
    assert streamed == consulted(1)


def test_a_begun_walk_is_finished_by_whatever_asks_for_it(tmp_path: Path) -> None:
    goroot = _large_goroot(tmp_path / "goroot", 60)
    plan = ListingPlan(["std"], TARGETS, root=goroot / "src", goroot=goroot, workers=1)
    matcher = plan._matcher  # (the walk's two parts, asked directly)
    first, rest = matcher.std_dirs_begun(10)
    assert rest is not None
    assert len(first) <= 10
    whole = matcher.std_dirs()  # (not through `rest`: the pattern's own ask)
    assert whole[: len(first)] == first
    assert rest() == whole
    assert len(matcher.walked()) == 1
    assert str(goroot / "src" / "z01" / "p059") in matcher.walked()[0]
    # a walk that ends within the count has no rest: the first part is all of it
    small = ListingPlan(["std"], TARGETS, root=goroot / "src", goroot=goroot)._matcher
    every, none = small.std_dirs_begun(10_000)
    assert none is None
    assert every == whole


@pytest.mark.parametrize("workers", [1, 2])
@pytest.mark.parametrize("packages", [20, 300])
def test_meanwhile_is_called_once_after_the_helper_started(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, workers: int, packages: int
) -> None:
    goroot = _large_goroot(tmp_path / "goroot", packages)
    events: list[str] = []
    _spy(monkeypatch, events)
    meanwhile: Callable[[], None] = lambda: events.append("meanwhile")  # noqa: E731
    ListingPlan(
        ["std"],
        TARGETS,
        root=goroot / "src",
        goroot=goroot,
        workers=workers,
        meanwhile=meanwhile,
    )
    if workers == 2 and packages == 300:  # a helper: it started first
        assert events == ["fork", "meanwhile"]
    else:
        assert events == ["meanwhile"]
