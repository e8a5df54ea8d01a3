"""`data.snapshots`: the port table as this installation decoded it, kept beside the bytecode.

The oracle is the decoding it replaces (`parse_port_table` of ports.json): the table read
back from a snapshot has every field of every record the decoded one has; a snapshot is
used only by the installation that wrote it, and never one that is damaged or foreign.
"""

from __future__ import annotations

import dataclasses
import marshal
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from cgotrap import data, targets
from cgotrap.cli import main as cli
from cgotrap.data import snapshots


def _deep(table: targets.PortTable) -> dict[str, Any]:
    """Every field of the table and of its records (`Port`'s equality compares only GOOS and
    GOARCH; a frozenset's order is no part of its value)."""
    out = {f.name: getattr(table, f.name) for f in dataclasses.fields(table)}
    out["ports"] = [dataclasses.astuple(p) for p in table.ports]
    out["arch_levels"] = {k: dataclasses.astuple(v) for k, v in table.arch_levels.items()}
    return out


@pytest.fixture
def kept(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """Snapshots on, under a bytecode folder of the test's own; the table not cached."""
    monkeypatch.setattr(sys, "pycache_prefix", str(tmp_path / "pyc"))
    monkeypatch.setattr(sys, "dont_write_bytecode", False)
    snapshots.enable(lambda: "installation-1")
    targets.port_table.cache_clear()
    yield tmp_path / "pyc"
    snapshots.disable()
    targets.port_table.cache_clear()


def _decoded() -> targets.PortTable:
    return targets.parse_port_table(data.load("ports.json"))


def _files(folder: Path) -> list[Path]:
    return sorted(folder.rglob("*.snapshot")) if folder.exists() else []


def test_the_plain_table_is_the_decoded_table() -> None:
    decoded = _decoded()
    plain = marshal.loads(marshal.dumps(targets.plain_table(decoded)))  # noqa: S302 - ours
    assert _deep(targets.table_from_plain(plain)) == _deep(decoded)


def test_a_snapshot_kept_is_read_instead_of_the_data_file(
    kept: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    first = targets.port_table()
    (snapshot,) = _files(kept)
    assert snapshot.name == f"ports.json.{sys.implementation.cache_tag}.snapshot"
    assert _deep(first) == _deep(_decoded())
    targets.port_table.cache_clear()

    def no_file(name: str) -> object:
        raise AssertionError(f"{name} decoded again")

    monkeypatch.setattr(data, "load", no_file)
    assert _deep(targets.port_table()) == _deep(first)


def test_a_snapshot_of_another_installation_is_decoded_again(
    kept: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    targets.port_table()
    targets.port_table.cache_clear()
    snapshots.enable(lambda: "installation-2")  # (a file of the package changed)
    expected = _deep(_decoded())
    loads: list[str] = []
    real = data.load

    def load(name: str) -> Any:
        loads.append(name)
        return real(name)

    monkeypatch.setattr(data, "load", load)
    assert _deep(targets.port_table()) == expected
    assert loads == ["ports.json"]
    assert len(_files(kept)) == 1  # rewritten for this one
    targets.port_table.cache_clear()
    assert _deep(targets.port_table()) == expected
    assert loads == ["ports.json"]


@pytest.mark.parametrize(
    "damage",
    [
        lambda b: b[:-7],  # cut short
        lambda b: b"\0\0\0\0" + b[4:],  # another Python's magic number
        lambda b: b[: len(snapshots._HEADER)] + marshal.dumps(("installation-1", (1, 2))),
        lambda b: b[: len(snapshots._HEADER)] + marshal.dumps(("installation-1",)),
        lambda b: b"",
    ],
    ids=["cut", "magic", "shape", "no value", "empty"],
)
def test_a_damaged_snapshot_is_decoded_again_and_rewritten(
    kept: Path, damage: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    targets.port_table()
    (snapshot,) = _files(kept)
    whole = snapshot.read_bytes()
    snapshot.write_bytes(damage(whole))
    targets.port_table.cache_clear()
    assert _deep(targets.port_table()) == _deep(_decoded())
    assert snapshot.read_bytes() == whole


def test_nothing_is_kept_unless_the_cli_asks(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(sys, "pycache_prefix", str(tmp_path))
    monkeypatch.setattr(sys, "dont_write_bytecode", False)
    snapshots.disable()
    targets.port_table.cache_clear()
    try:
        assert _deep(targets.port_table()) == _deep(_decoded())
        assert not _files(tmp_path)
        snapshots.enable(lambda: "installation-1")
        monkeypatch.setattr(sys, "dont_write_bytecode", True)  # PYTHONDONTWRITEBYTECODE
        targets.port_table.cache_clear()
        targets.port_table()
        assert not _files(tmp_path)
    finally:
        snapshots.disable()
        targets.port_table.cache_clear()


def test_the_cli_keeps_snapshots_for_its_installation() -> None:
    """The identity the console script gives is `cache.code_version` (every file of the
    package: `test_scan_cache` has it change with any of them)."""
    from cgotrap import cache

    assert cli._installation() == cache.code_version()


def test_the_plain_header_catalogs_are_the_decoded_ones() -> None:
    from cgotrap.judge import headers

    found = headers.parse_catalog(data.load("libc_headers.json"))
    plain = marshal.loads(marshal.dumps(headers.plain_catalog(found)))  # noqa: S302 - ours
    back = headers.catalog_from_plain(plain)
    assert back == found  # (every field but the targets' header sets built so far)
    assert back.doc == found.doc
    assert back.by_key == found.by_key
    macros = headers.parse_predefines(data.load("c_predefines.json"))
    plain = marshal.loads(marshal.dumps(headers.plain_predefines(macros)))  # noqa: S302 - ours
    assert headers.predefines_from_plain(plain) == macros


def test_the_header_catalogs_are_kept_and_read(kept: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from cgotrap.judge import headers

    headers.catalog.cache_clear()
    headers.predefines.cache_clear()
    try:
        real = data.load
        first, macros = headers.catalog(), headers.predefines()
        names = {p.name for p in _files(kept)}
        assert {f"{n}.{sys.implementation.cache_tag}.snapshot" for n in _JSON} <= names
        headers.catalog.cache_clear()
        headers.predefines.cache_clear()

        def no_file(name: str) -> object:
            raise AssertionError(f"{name} decoded again")

        monkeypatch.setattr(data, "load", no_file)
        assert headers.catalog() == first
        assert headers.catalog().doc == first.doc
        assert headers.predefines() == macros
        snapshots.enable(lambda: "installation-2")  # (the kept ones are another's now)
        headers.catalog.cache_clear()
        headers.predefines.cache_clear()
        loads: list[str] = []

        def load(name: str) -> Any:
            loads.append(name)
            return real(name)

        monkeypatch.setattr(data, "load", load)
        assert headers.catalog() == first
        assert headers.predefines() == macros
        assert sorted(loads) == sorted(_JSON)
    finally:
        headers.catalog.cache_clear()
        headers.predefines.cache_clear()


_JSON = ("libc_headers.json", "c_predefines.json")


@pytest.mark.parametrize(
    "value", [(), ("not", "a", "table"), {"a": 1}, (1, 2, 3, 4, 5, 6, 7, 8, 9)]
)
def test_a_kept_value_of_another_shape_is_decoded_again(kept: Path, value: Any) -> None:
    """A snapshot with this installation's header and identity but a value no
    `table_from_plain` of this code reads (an older or newer shape) is decoded again and
    rewritten, never an error (`snapshots.kept_or_decoded`)."""
    snapshots.write("ports.json", value)
    targets.port_table.cache_clear()
    assert _deep(targets.port_table()) == _deep(_decoded())
    assert snapshots.read("ports.json") == targets.plain_table(_decoded())
