"""A go.mod with a retracted version interval (go-sqlite3's) is read like go reads it."""

from __future__ import annotations

from pathlib import Path

from cgotrap.discover import gomod


def test_retract_interval_is_accepted(tmp_path: Path) -> None:
    path = tmp_path / "go.mod"
    path.write_text(
        "module github.com/mattn/go-sqlite3\n\ngo 1.21\n\nretract (\n"
        "\t[v2.0.0+incompatible, v2.0.7+incompatible] // Accidental.\n)\n"
    )
    parsed = gomod.parse_gomod(path)
    assert parsed.module == "github.com/mattn/go-sqlite3"
