"""`goroot.has_go_file` (modindex.IsStandardPackage's test) and the directories the loader's
prefetch notes for it, so that the judging processes do not list them again."""

from __future__ import annotations

from pathlib import Path

import pytest

from cgotrap.discover import goroot
from cgotrap.evaluate import forked
from cgotrap.evaluate.directory import DirFacts
from cgotrap.evaluate.load import load_listing
from cgotrap.evaluate.load.loader import _note_go_files
from cgotrap.render import golist
from tests.gofixtures import write_tree
from tests.unit.test_plan_prefetch import TARGETS, _large_goroot


def test_has_go_file_is_any_entry_named_go(tmp_path: Path) -> None:
    write_tree(tmp_path, {"under/_x.go": "package x\n", "c/a.c": "int x;\n", "d/x.go/a.c": ""})
    assert goroot.has_go_file(str(tmp_path / "under")), "go's test: any name, even ignored"
    assert goroot.has_go_file(str(tmp_path / "d")), "a directory named x.go counts too"
    assert not goroot.has_go_file(str(tmp_path / "c"))
    assert not goroot.has_go_file(str(tmp_path / "missing"))


def test_only_directories_a_go_file_was_seen_in_are_noted(tmp_path: Path) -> None:
    d = {k: str(tmp_path / k) for k in ("built", "ignored", "none", "failed", "test")}
    _note_go_files(
        {
            d["built"]: ((DirFacts(), DirFacts(go_files=("a.go",))), ""),
            d["ignored"]: ((DirFacts(ignored_go_files=("a_windows.go",)),), ""),
            d["test"]: ((DirFacts(xtest_go_files=("a_test.go",)),), ""),
            d["none"]: ((DirFacts(),), ""),
            d["failed"]: (None, "unreadable"),
        }
    )
    # (none of them exists: a noted one answers True without being listed)
    assert goroot.has_go_file(d["built"])
    assert goroot.has_go_file(d["ignored"])
    assert goroot.has_go_file(d["test"])
    assert not goroot.has_go_file(d["none"]), "listed: a directory without a Go file seen"
    assert not goroot.has_go_file(d["failed"])


def test_the_prefetched_std_directories_are_not_listed_again(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    fake = _large_goroot(tmp_path / "goroot", 200)
    listed: list[str] = []
    real = goroot._lists_go_file

    def counting(path: str) -> bool:
        listed.append(path)
        return real(path)

    monkeypatch.setattr(goroot, "_lists_go_file", counting)
    calls: list[int] = []
    real_map = forked.forked_map

    def spy(items, fn, **kw):  # type: ignore[no-untyped-def]  # a spy
        calls.append(len(items))
        return real_map(items, fn, **kw)

    monkeypatch.setattr(forked, "forked_map", spy)
    got = load_listing(
        ["std"], TARGETS, root=fake / "src", goroot=fake, go_version="go1.27.3", workers=2
    )
    assert calls, "the prefetch did not run"
    text = b"".join(golist.iter_listing_bytes(got, matrix=True))
    assert b'"syscall"' in text, "the standard library's imports were resolved"
    assert not listed, "directories the prefetch listed were listed again"
