"""`_Resolver.resolve` looks a path found up once for every importer (a standard package a
pattern matches and standard packages import), while an error stays worded for its own."""

from __future__ import annotations

from pathlib import Path

import pytest

from cgotrap.discover.project import find_project
from cgotrap.evaluate.load.resolve import _Resolved, _Resolver


def _resolver(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[_Resolver, list[str]]:
    goroot = tmp_path / "goroot"
    for pkg in ("fmt", "os"):
        (goroot / "src" / pkg).mkdir(parents=True)
        (goroot / "src" / pkg / f"{pkg}.go").write_text(f"package {pkg}\n")
    root = tmp_path / "m"
    root.mkdir()
    (root / "go.mod").write_text(
        "module example.com/m\n\ngo 1.22\n\nrequire example.com/dep v1.0.0\n"
    )
    monkeypatch.setenv("GOMODCACHE", str(tmp_path / "empty-cache"))
    monkeypatch.setenv("GOPROXY", "off")
    monkeypatch.setenv("GOFLAGS", "")
    resolver = _Resolver(find_project(root, goroot))
    looked_up: list[str] = []
    original = resolver._import_from_modules

    def counting(path: str, parent_path: str) -> _Resolved:
        looked_up.append(path)
        return original(path, parent_path)

    monkeypatch.setattr(resolver, "_import_from_modules", counting)
    return resolver, looked_up


def test_a_found_path_is_looked_up_once_for_every_importer(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    resolver, looked_up = _resolver(tmp_path, monkeypatch)
    as_root = resolver.resolve("fmt", "", False)
    from_std = resolver.resolve("fmt", "os", True)
    from_project = resolver.resolve("fmt", "example.com/m", False)
    assert as_root.error is None
    assert as_root.goroot
    assert from_std is as_root
    assert from_project is as_root
    assert looked_up == ["fmt"]


def test_an_error_is_worded_for_each_importer(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    resolver, looked_up = _resolver(tmp_path, monkeypatch)
    a = resolver.resolve("example.com/dep/x", "example.com/m/a", False)
    b = resolver.resolve("example.com/dep/x", "example.com/m/b", False)
    assert a.error is not None
    assert "(imported by example.com/m/a)" in a.error
    assert b.error is not None
    assert "(imported by example.com/m/b)" in b.error
    assert looked_up == ["example.com/dep/x", "example.com/dep/x"]
