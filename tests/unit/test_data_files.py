"""`cgotrap.data.load`: every bundled data file is read through it; a broken one is a
`DataError` naming the file (one line from the CLI, exit 70), never a traceback."""

from __future__ import annotations

from importlib import resources
from pathlib import Path

import pytest

from cgotrap import data
from cgotrap.errors import DataError


def test_bundled_files_load() -> None:
    assert data.load("ports.json")["ports"]
    assert isinstance(data.load("policies/run_targets.json"), dict)


def test_missing_file_names_it() -> None:
    with pytest.raises(DataError, match=r"^nope\.json: "):
        data.load("nope.json")


def test_broken_json_names_the_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "bad.json").write_text('{"version": 1,', encoding="utf-8")
    (tmp_path / "latin.json").write_bytes(b'{"x": "\xff"}')
    monkeypatch.setattr(resources, "files", lambda _package: tmp_path)
    with pytest.raises(DataError, match=r"^sub/bad\.json: "):
        data.load("sub/bad.json")
    with pytest.raises(DataError, match=r"^latin\.json: "):
        data.load("latin.json")
