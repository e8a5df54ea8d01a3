"""The directory scans' round trip through what moves them between processes and into the
cache: the prefetch helper's frames (`forked.forked_map`, pickled with the loader's scan
reducers, loaded by this process and kept as they came in the "dirs" file) and the "dirs"
file itself (`DirScans.save`, read back by `DirScans.lookup`), on real directories: GOROOT
std packages (cgo files with includes, embeds), go/build's testdata (error records),
GOROOT's two vendored trees and the example module. Each mutant of the encoding below
fails the same check."""

from __future__ import annotations

import dataclasses
import io
import operator
import pickle
import time
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from typing import Any

import pytest

from cgotrap import cache, dirscans
from cgotrap.evaluate import forked
from cgotrap.evaluate.context import ContextSet
from cgotrap.evaluate.directory import DirError, DirFacts, scan_directory
from cgotrap.evaluate.load.loader import _scan_reducers
from cgotrap.read.gofile import Include, Position, position

CONTEXTS = ContextSet.matrix(go_version="go1.27.3")

_STD = (
    "net",
    "os/user",
    "runtime/cgo",
    "cmd/cgo/internal/test",
    "crypto/x509",
    "encoding/json/internal/jsontest",
    "go/build/testdata/bads",
    "go/build/testdata/multi",
    "go/build/testdata/empty",
    "go/build/testdata/cgo_disabled",
    "go/build/testdata/directives",
    "go/parser/testdata/goversion",
    "go/parser/testdata/issue42951/not_a_file.go",
    "vendor/golang.org/x/net/dns/dnsmessage",
    "vendor/golang.org/x/crypto/chacha20",
    "cmd/vendor/golang.org/x/tools/go/analysis/passes/defers",
)
_EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "cgotraps"

Pair = tuple[Any, dirscans.DirEntry]
"""A directory's scan (its `DirFacts` per context, a problem) and its cache entry, as the
loader's `_scan_entry` gives them."""


def _scan(directory: str) -> Pair:
    dstate, files, entries = dirscans.dir_states_and_entries(directory)
    got = (scan_directory(directory, CONTEXTS, entries=entries), "")
    return got, (dstate, files, got)


@pytest.fixture(scope="module")
def scanned(goroot: Path) -> dict[str, Pair]:
    """The sample's scans, by directory."""
    dirs = [str(goroot / "src" / d) for d in _STD]
    dirs += sorted(str(p.parent) for p in _EXAMPLE.rglob("*.go"))
    for d in dirs:
        assert Path(d).is_dir(), d
    return {d: _scan(d) for d in dict.fromkeys(dirs)}


def _facts(pairs: Mapping[str, Pair]) -> Iterator[DirFacts]:
    for got, _ in pairs.values():
        yield from got[0]


def test_the_sample_holds_every_kind_of_record(scanned: dict[str, Pair]) -> None:
    """What the mutants below change is there to be changed."""
    facts = list(_facts(scanned))
    assert any(f.error is not None and f.error.pos is not None for f in facts)
    assert any(f.error is not None and f.error.file for f in facts)
    assert any(f.includes for f in facts)
    assert any(i.guards for f in facts for i in f.includes)
    assert any(f.embed_pos for f in facts)
    assert any(f.import_pos for f in facts)
    assert any(f.cgo_files for f in facts)
    assert any("/vendor/" in d for d in scanned)
    assert any(d.startswith(str(_EXAMPLE)) for d in scanned)


def _frames(pairs: list[Pair], reducers: forked.Reducers) -> list[bytes]:
    """The pickles the prefetch's helper sends of these results (`forked._helper`), four
    directories each."""
    out = []
    for at in range(0, len(pairs), 4):
        buf = io.BytesIO()
        pickler = pickle.Pickler(buf, protocol=pickle.HIGHEST_PROTOCOL)
        pickler.dispatch_table = reducers
        pickler.dump(pairs[at : at + 4])
        out.append(buf.getvalue())
    return out


def _through_frames(scanned: dict[str, Pair], reducers: forked.Reducers) -> list[Pair]:
    return [p for data in _frames(list(scanned.values()), reducers) for p in pickle.loads(data)]  # noqa: S301


def test_the_helpers_frames_give_back_equal_scans_and_entries(scanned: dict[str, Pair]) -> None:
    back = _through_frames(scanned, _scan_reducers())
    assert back == list(scanned.values())
    for (got, entry), (orig, _) in zip(back, scanned.values(), strict=True):
        assert entry[2] is got, "the entry's scan stays the scan"
        assert [type(f) for f in got[0]] == [type(f) for f in orig[0]]
        # (a directory's contexts share a few DirFacts: they still do)
        assert len({id(f) for f in got[0]}) == len({id(f) for f in orig[0]})


def test_the_forked_map_frames_are_those_scans(scanned: dict[str, Pair]) -> None:
    """Through a real helper: what it sent loads back equal to a scan here."""
    dirs = list(scanned)
    frames: list[forked.Frame] = []
    got = forked.forked_map(dirs, _scan, reducers=_scan_reducers(), min_items=1, frames=frames)
    assert got == [scanned[d] for d in dirs]
    for first, end, data in frames:
        assert pickle.loads(data) == [scanned[d] for d in dirs[first:end]]  # noqa: S301


def _save_and_read(tmp_path: Path, scanned: dict[str, Pair], reducers: forked.Reducers) -> Any:
    """Save the sample (half as the helper's frames, half pickled by the save) and read it
    back as another run does: {directory: the scan its entry holds}."""
    store = cache.Store(tmp_path / "cache")
    saving = dirscans.DirScans(store, "k")
    saving.reducers = reducers
    saving.note([])
    dirs = list(scanned)
    for d, (_, entry) in scanned.items():
        saving.entries[d] = entry
    half = len(dirs) // 2
    frames = _frames([scanned[d] for d in dirs[:half]], reducers)
    saving.add_pickled(
        dirs,
        [forked.Frame(first=i * 4, end=min(i * 4 + 4, half), data=f) for i, f in enumerate(frames)],
    )
    saving.save()
    assert store.get("dirs", "k") is None, "written by this process, once its work is done"
    saving.consulted(time.time_ns())
    cache.wait_for_writes()
    reading = dirscans.DirScans(store, "k")
    out = {}
    for d in dirs:
        found = reading.lookup(d)
        out[d] = None if found is None else found[2]
    return out


def test_the_dirs_file_gives_back_equal_scans(tmp_path: Path, scanned: dict[str, Pair]) -> None:
    back = _save_and_read(tmp_path, scanned, _scan_reducers())
    assert back == {d: got for d, (got, _) in scanned.items()}


def test_a_later_save_replaces_an_earlier_saves_dirs_file(
    tmp_path: Path, scanned: dict[str, Pair]
) -> None:
    """The first save's file is never written: the second's has every entry."""
    store = cache.Store(tmp_path / "cache")
    saving = dirscans.DirScans(store, "k")
    saving.reducers = _scan_reducers()
    items = list(scanned.items())
    for d, (_, entry) in items[:3]:
        saving.entries[d] = entry
    saving.save()
    for d, (_, entry) in items[3:]:
        saving.entries[d] = entry
    saving.save()
    cache.wait_for_writes()
    _, rows, framed = store.get("dirs", "k")
    assert set(rows) == set(scanned)
    assert framed == ()


def test_write_scans_writes_the_last_saves_file_now_and_once(
    tmp_path: Path, scanned: dict[str, Pair], monkeypatch: pytest.MonkeyPatch
) -> None:
    """`write_scans` (a run waiting for its judging partner) writes the last save's "dirs"
    file at once; the way out (`consulted`, `wait_for_writes`) does not write it again."""
    store = cache.Store(tmp_path / "cache")
    saving = dirscans.DirScans(store, "k")
    saving.reducers = _scan_reducers()
    saving.note([])
    for d, (_, entry) in scanned.items():
        saving.entries[d] = entry
    saving.save()
    assert store.get("dirs", "k") is None
    saving.write_scans()
    _, rows, _ = store.get("dirs", "k")
    assert set(rows) == set(scanned)
    puts: list[str] = []
    real_put = cache.Store.put

    def counted(self: cache.Store, kind: str, *args: Any, **kwargs: Any) -> None:
        puts.append(kind)
        real_put(self, kind, *args, **kwargs)

    monkeypatch.setattr(cache.Store, "put", counted)
    saving.write_scans()
    saving.consulted(time.time_ns())
    cache.wait_for_writes()
    assert "dirs" not in puts


def _mutant(cls: type, change: Callable[[Any], tuple[Any, ...]]) -> forked.Reducers:
    return {**_scan_reducers(), cls: change}


def _facts_reducer(**changes: Callable[[Any], Any]) -> Callable[[DirFacts], tuple[Any, ...]]:
    names = tuple(f.name for f in dataclasses.fields(DirFacts))
    values = operator.attrgetter(*names)

    def reduce(facts: DirFacts) -> tuple[Any, ...]:
        got = dict(zip(names, values(facts), strict=True))
        for name, change in changes.items():
            got[name] = change(got[name])
        return forked._rebuild, (DirFacts, names, tuple(got.values()))

    return reduce


def _rebuilt(cls: type, *values: object) -> Any:
    """A `cls` of these field values, in order."""
    names = tuple(f.name for f in dataclasses.fields(cls))
    return forked._rebuild(cls, names, values)


_MUTANTS: dict[str, forked.Reducers] = {
    "position: line and column swapped": _mutant(
        Position, lambda p: (position, (p.filename, p.column, p.line))
    ),
    "include: guards dropped": _mutant(
        Include, lambda i: (_rebuilt, (Include, i.header, i.system, i.line, ()))
    ),
    "dir error: position dropped": _mutant(
        DirError, lambda e: (_rebuilt, (DirError, e.kind, e.err, None, e.file))
    ),
    "facts: embed positions dropped": _mutant(DirFacts, _facts_reducer(embed_pos=lambda _: ())),
    "facts: includes reversed": _mutant(DirFacts, _facts_reducer(includes=lambda v: v[::-1])),
    "facts: error dropped": _mutant(DirFacts, _facts_reducer(error=lambda _: None)),
    "state: digest dropped": _mutant(
        cache.State,
        lambda s: (tuple.__new__, (cache.State, (s.identity, cache.PENDING, s.trusted))),
    ),
}


@pytest.mark.parametrize("name", sorted(_MUTANTS))
def test_a_mutant_of_the_encoding_fails_the_round_trip(
    name: str, tmp_path: Path, scanned: dict[str, Pair]
) -> None:
    mutant = _MUTANTS[name]
    assert _through_frames(scanned, mutant) != list(scanned.values())
    if not name.startswith("state"):  # (the file's states are the writers', not these)
        back = _save_and_read(tmp_path, scanned, mutant)
        assert back != {d: got for d, (got, _) in scanned.items()}


def test_a_damaged_dirs_file_is_rebuilt(tmp_path: Path, scanned: dict[str, Pair]) -> None:
    """A file whose bytes changed fails its checksum: no entry is trusted, it is removed."""
    _save_and_read(tmp_path, scanned, _scan_reducers())
    (path,) = (tmp_path / "cache").glob("dirs-*.bin")
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0xFF
    path.write_bytes(bytes(data))
    reading = dirscans.DirScans(cache.Store(tmp_path / "cache"), "k")
    assert all(reading.lookup(d) is None for d in scanned)
    assert not path.exists()
