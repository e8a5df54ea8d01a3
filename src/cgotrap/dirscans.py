"""The cache's directory scans (`DirScans`): one directory's `DirFacts` for every target,
kept with the state of the directory and of each of its entries (`cache.State`), checked
before use; written off the run's critical path (`DirScans.save`)."""

# Paths are strings here (os.stat / os.scandir on go's names, as the loader has them).
# ruff: noqa: PTH116, PTH118

from __future__ import annotations

import operator
import os
import pickle
import stat
import time
from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import TYPE_CHECKING, Any, cast

from cgotrap import cache
from cgotrap.cache import (
    MISSING,
    PENDING,
    Packed,
    State,
    Store,
    changed_since,
    pack,
    pack_columns,
    state_of,
    state_of_stat,
    unpack,
)

if TYPE_CHECKING:
    from cgotrap.evaluate.forked import Frame

_TOKEN = b"t"


DirEntry = tuple[State, tuple[tuple[str, State], ...], Any]
"""(the directory's state, its entries' states by name, the scan)."""


def dir_states(directory: str) -> tuple[State, tuple[tuple[str, State], ...]]:
    """The states a directory scan depends on: the directory (its names) and every entry in
    it that is not a directory. Taken before the scan reads anything: a file changed in
    between then differs from its state on the next run. Files with trusted timestamps are
    not hashed yet (`PENDING`): `DirScans` hashes them off the run's critical path."""
    dstate, files, _ = dir_states_and_entries(directory)
    return dstate, files


def dir_states_and_entries(
    directory: str,
) -> tuple[State, tuple[tuple[str, State], ...], list[os.DirEntry[str]] | None]:
    """`dir_states` and the directory's entries it listed (None when it could not list
    them), for the scan to list the same snapshot: each entry keeps the stat taken here
    (`os.DirEntry` caches it), so the scan's own checks cost no second system call."""
    try:
        st = os.stat(directory)
    except OSError:
        return MISSING, (), None
    if not stat.S_ISDIR(st.st_mode):
        return state_of_stat(directory, st, None), (), None
    try:
        with os.scandir(directory) as it:
            entries = list(it)
        kept = sorted((e for e in entries if not e.is_dir(follow_symlinks=False)), key=_entry_name)
    except OSError:  # unreadable: its state says so (listed again: no digest, not trusted)
        return state_of_stat(directory, st, None), (), None
    # (its digest from this listing: the names state_of would list a second time)
    dstate = state_of_stat(directory, st, None, names=[e.name for e in entries])
    # (taken before the stats: trusted here, a file is trusted by `state_of_stat` too)
    trusted_before = time.time_ns() - cache.RACY_NS
    files = [(entry.name, _entry_state(entry, trusted_before)) for entry in kept]
    return dstate, tuple(files), entries


_entry_name = operator.attrgetter("name")


def _entry_state(entry: os.DirEntry[str], trusted_before: int) -> State:
    """`state_of(entry.path, defer=True)` from the entry's (cached) stat; a regular file
    whose timestamps are older than `trusted_before` without a call (most of them)."""
    try:
        st = entry.stat(follow_symlinks=True)
    except OSError:
        return MISSING
    if stat.S_ISREG(st.st_mode) and max(st.st_mtime_ns, st.st_ctime_ns) < trusted_before:
        identity = (st.st_dev, st.st_ino, st.st_size, st.st_mtime_ns, st.st_ctime_ns, st.st_mode)
        state: State = tuple.__new__(State, (identity, PENDING, True))  # (a third of State())
        return state
    return state_of_stat(entry.path, st, None, defer=True)


def check_dir_entry(directory: str, entry: DirEntry) -> DirEntry | None:
    """`entry` (with refreshed states) when the directory and its files are unchanged."""
    dstate, files, scan = entry
    cur = state_of(directory, dstate)
    if cur is not dstate and not cur.same(dstate):
        return None
    out: list[tuple[str, State]] = []
    for name, old in files:
        now = state_of(os.path.join(directory, name), old)
        if now is not old and not now.same(old):
            return None
        out.append((name, now))
    return cur, tuple(out), scan


class DirScans:
    """Directory scans of earlier runs (for one set of build contexts), checked before use;
    new and refreshed ones are kept for `save`, which writes them once the run's own work
    is done (forked children hash their files): its owner calls `consulted` or
    `wait_for_writes` before it exits."""

    def __init__(self, store: Store, key: str) -> None:
        self.store = store
        self.key = key
        self._old: dict[str, DirEntry] | None = None
        self.entries: dict[str, DirEntry] = {}
        """This run's entries (checked or new), saved by `save`."""
        self._noted: dict[str, None] | None = None
        self.reducers: Mapping[type, Any] | None = None
        """A pickle dispatch table for the scans' records (the loader sets it)."""
        self._hashers: list[Any] = []
        """The last `save`'s hashing children (`_written` reads what they sent)."""
        self._writers: list[Any] = []
        """`save`'s children (`forked.Background`; `save` joins the earlier ones before it
        starts one, `wait_for_writes` the last)."""
        self._saved = 0
        """How many entries the last `save` wrote."""
        self._claims: list[int] = []
        """The read ends of `save`'s tokens (see there), until `consulted` closes them."""
        self._pickled: list[_Part] = []
        """Entries that came pickled (`add_pickled`): their directories, the entries, the
        pickle of their (scan, entry) pairs."""
        self._scans_write: _ScansWrite | None = None
        """The last `save`'s "dirs" file, written by this process once the run's own work
        is done (`consulted`, `cache.wait_for_writes`)."""

    def lookup(self, directory: str) -> DirEntry | None:
        """The checked entry of `directory`, or None."""
        if self._old is None:  # read on first use: a run answered whole never reads it
            states = [self.store.get("dirstates", f"{self.key}-{i}") for i in range(_HASHERS)]
            self._old = _dir_entries(states, self.store.get("dirs", self.key))
        old = self._old.get(directory)
        if old is None:
            return None
        return check_dir_entry(directory, old)

    def add_pickled(self, directories: Sequence[str], frames: Iterable[Frame]) -> None:
        """Note that each of `frames` (`forked_map`'s, of the loader's prefetch) holds,
        pickled, the (scan, entry) pairs of `directories[first:end]`, whose
        entries are those `entries` has now: `save` keeps these bytes as they came instead
        of pickling those entries again (the prefetch helper's half of a cold scan's)."""
        for first, end, data in frames:
            dirs = tuple(directories[first:end])
            self._pickled.append((dirs, tuple(map(self.entries.get, dirs)), data))

    def note(self, paths: Iterable[str]) -> None:
        """Paths besides the scanned directories the run's answer depends on (the loader's
        `ListingPlan.consulted`)."""
        if self._noted is None:
            self._noted = {}
        self._noted.update(dict.fromkeys(paths))

    def consulted(self, started_ns: int) -> tuple[Packed, ...] | None:
        """The states of every path the run's answer depends on, packed in parts (for
        `Store.put_answer`): the scanned directories and their files (taken before they were
        read, hashed and packed by `save`'s child, or here for what it did not cover) and
        the noted paths (taken now: hashed here while the child finishes, or by the child if
        it finished first; then hashed here again only when its identity changed since; go's
        binary is kept by its identity: `_HASHED_MAX_BYTES`). None when nothing was noted
        (the answer's inputs are not known), or when a noted path changed after `started_ns`
        (time.time_ns() before the run): what the run read is unknown. The last save's
        "dirs" file is written first, while its children hash."""
        if self._scans_write is not None:
            self._scans_write.join()
        if self._noted is None:
            return None
        late_paths = _late_paths(self._noted, self.entries)
        taken = None
        if self._claims and os.read(self._claims[-1], 1) == _TOKEN:
            taken = {p: state_of(p) for p in late_paths}  # while the writer finishes
        covered, parts, early = self._written()
        self._close_claims()
        if len(covered) < len(self.entries):
            rest = [(d, e) for i, (d, e) in enumerate(self.entries.items()) if i not in covered]
            parts.append(_pack_entries((d, _hashed_entry(d, e)) for d, e in rest))
        late = taken if taken is not None else {p: state_of(p, early.get(p)) for p in late_paths}
        if changed_since(late.values(), started_ns):
            return None
        parts.append(pack(late))
        return tuple(parts)

    def write_scans(self) -> None:
        """Write the last `save`'s "dirs" file now, unless written already: for a run that
        would otherwise wait idle (`consulted` and `cache.wait_for_writes` write it on the
        way out, where the run's exit waits for it)."""
        if self._scans_write is not None:
            self._scans_write.join()

    def save(self) -> None:
        """Write this run's entries so far (those of the last run with the same key are
        replaced; nothing when no entry was added since the last `save`), from two forked
        children at the lowest priority (`in_background`), which get the CPU mostly once
        the run's own work is done. Both hash the files whose digest is `PENDING` (moby's
        17k files: ~0.3 s), taking the directories from one queue (`forked.shared_queue`)
        so that they end together however the work falls, and send their states back
        packed for `consulted` (which hashes here whatever they did not cover) before they
        keep them as their "dirstates" files. The scans go into the "dirs" file from this
        process, once its own work is done (`_ScansWrite`: those the prefetch's helper
        sent, pickled already, as they came: `add_pickled`). One child doing all of it
        held the run's exit ~0.3 s on moby; a third child for the scans cost a fork of
        this process more, and ended last once the files were few. A token read back from
        every file tells they were written by the same save (`_dir_entries`). The loader
        saves once its directories known in advance are scanned (a child forked then
        holds little of the run's memory), and again at the end if it scanned more."""
        from cgotrap.evaluate.forked import Background, in_background, shared_queue, taken

        if len(self.entries) == self._saved:
            return
        self._saved = len(self.entries)
        if self._old is None:  # (from now on the store holds this run's entries: `entries`)
            self._old = {}
        for earlier in self._writers:  # (its file must not replace a later one)
            earlier.join()
        self._close_claims()
        # (each child has them as they are now, forked: nothing is copied here, on the
        # critical path; where forking is not safe the children's work is done at once)
        entries = self.entries
        noted = self._noted or {}
        framed = [p for p in self._pickled if _still(entries, p)]
        store, key = self.store, self.key
        made = os.urandom(16)
        # One token decides who hashes the noted paths (the walked directories, go.mod
        # files, the config: go's binary is kept by its identity): the first
        # child to find the queue empty, or `consulted` if it gets there first (it then
        # has nothing else to do while the children finish). Whoever reads the one byte
        # first has it.
        claim, token = os.pipe()
        os.write(token, _TOKEN)
        os.close(token)

        if self._scans_write is not None:
            self._scans_write.cancel()  # (this save's replaces its file)
        self._scans_write = _ScansWrite(
            store,
            key,
            made=made,
            items=list(entries.items()),
            framed=framed,
            reducers=self.reducers,
        )

        def writer(part: int, queue: int) -> Background:
            got: list[Packed] = []

            def hash_and_pack() -> tuple[list[int], Packed, dict[str, State]]:
                items = list(entries.items())
                mine: list[int] = []

                def hashed() -> Iterator[tuple[str, DirEntry]]:
                    for i in taken(queue):
                        mine.append(i)
                        directory, entry = items[i]
                        yield directory, _hashed_entry(directory, entry)

                got.append(_pack_entries(hashed()))
                early: dict[str, State] = {}
                if os.read(claim, 1) == _TOKEN:
                    early = {p: state_of(p) for p in _late_paths(noted, entries)}
                return mine, got[0], early

            def keep() -> None:
                store.put("dirstates", f"{key}-{part}", (made, got[0]))

            return in_background(hash_and_pack, then=keep)

        queue = shared_queue(len(entries))
        try:
            self._hashers = [writer(part, queue) for part in range(_HASHERS)]
        finally:
            os.close(queue)
        self._writers += self._hashers
        self._claims.append(claim)
        cache.WRITERS.extend(self._hashers)
        cache.WRITERS.append(self._scans_write)  # (`wait_for_writes` takes it first)

    def _close_claims(self) -> None:
        while self._claims:
            os.close(self._claims.pop())

    def _written(self) -> tuple[set[int], list[Packed], dict[str, State]]:
        """What the last `save`'s children did: (the numbers of the entries they packed,
        in `entries`' order, their packed states, the states of the noted paths they
        took); (set(), [], {}) when one of them failed (or there was none)."""
        covered: set[int] = set()
        parts: list[Packed] = []
        early: dict[str, State] = {}
        for hashed in self._hashers:
            ok, got = hashed.result()
            if not (ok and isinstance(got, tuple) and len(got) == 3):
                return set(), [], {}
            covered.update(got[0])
            parts.append(got[1])
            early.update(got[2])
        return covered, parts, early


_Part = tuple[tuple[str, ...], tuple["DirEntry | None", ...], bytes]
"""Entries that came pickled (`DirScans.add_pickled`): their directories, the entries, the
pickle."""


class _ScansWrite:
    """A `DirScans.save`'s "dirs" file: the scans that came pickled (`framed`, as they
    came) and the others, pickled by `join` in the saving process once the run's own work
    is done, while the save's children still hash (`DirScans.consulted` calls it first,
    `cache.wait_for_writes` otherwise). Not in a child: forked, every object the pickler
    touches (its reference count) copies a page of the parent's memory first (GOROOT std
    --targets all: the file took ~24 ms of the child's CPU, ~18 ms here, in time the run
    spent waiting for its children anyway)."""

    def __init__(
        self,
        store: Store,
        key: str,
        *,
        made: bytes,
        items: list[tuple[str, DirEntry]],
        framed: list[_Part],
        reducers: Mapping[type, Any] | None,
    ) -> None:
        self._args: tuple[Any, ...] | None = (store, key, made, items, framed, reducers)

    def cancel(self) -> None:
        """Write nothing (a later save's file replaces this one's)."""
        self._args = None

    def join(self) -> None:
        """Write the file (once; a failure to write is not an error)."""
        if self._args is None:
            return
        store, key, made, items, framed, reducers = self._args
        self._args = None
        covered = {d for dirs, _, _ in framed for d in dirs}
        rows = {
            d: (tuple(n for n, _ in files), scan)
            for d, (_, files, scan) in items
            if d not in covered
        }
        kept = tuple((dirs, data) for dirs, _, data in framed)
        store.put("dirs", key, (made, rows, kept), reducers=reducers)


def _still(entries: Mapping[str, DirEntry], part: _Part) -> bool:
    """Whether the entries `part` holds are still those of `entries`."""
    dirs, kept, _ = part
    return all(entries.get(d) is entry for d, entry in zip(dirs, kept, strict=True))


_HASHERS = 2
"""How many children hash a save's files (`DirScans.save`), each keeping a "dirstates"
file of its own (`{key}-0`, `{key}-1`)."""


def _dir_entries(states: Sequence[object], scans: object) -> dict[str, DirEntry]:
    """The entries `DirScans.save` kept: the files' states (each "dirstates" file:
    (token, packed)) and the scans with their files' names ("dirs": (token, {directory:
    (names, scan)}, ((directories, pickle of their (scan, entry) pairs), ...))) of one save
    (the same token); {} for anything else."""
    if not (
        isinstance(scans, tuple)
        and len(scans) == 3
        and isinstance(scans[1], dict)
        and isinstance(scans[2], tuple)
    ):
        return {}
    made, rows, framed = scans
    by_path: dict[str, State] = {}
    for part in states:
        if not (isinstance(part, tuple) and len(part) == 2 and part[0] == made):
            return {}
        if not isinstance(part[1], bytes):
            return {}
        try:
            by_path.update(unpack(part[1]))
        except Exception:  # noqa: BLE001 - not what `pack` wrote: rebuild, never trust
            return {}
    out: dict[str, DirEntry] = {}
    join = os.path.join

    def add(directory: str, names: Iterable[str], scan: object) -> None:
        dstate = by_path.get(directory)
        files = [(name, by_path.get(join(directory, name))) for name in names]
        if dstate is not None and all(st is not None for _, st in files):
            out[directory] = (dstate, cast("tuple[tuple[str, State], ...]", tuple(files)), scan)

    try:
        for dirs, data in framed:  # (their states are as the scan took them: names only)
            pairs = pickle.loads(data)  # noqa: S301 - our own file, its checksum verified
            if len(pairs) != len(dirs):
                return {}
            for directory, (_, (_, files, scan)) in zip(dirs, pairs, strict=True):
                add(directory, (n for n, _ in files), scan)
        for directory, (names, scan) in rows.items():
            add(directory, names, scan)
    except Exception:  # noqa: BLE001 - not what `save` wrote: rebuild, never trust
        return {}
    return out


def _late_paths(noted: Iterable[str], entries: Mapping[str, DirEntry]) -> list[str]:
    """The paths of `noted` that are neither a scanned directory nor one of its files."""
    names: dict[str, frozenset[str]] = {}
    out = []
    for path in noted:
        if path in entries:
            continue
        directory, name = os.path.split(path)
        entry = entries.get(directory)
        if entry is not None:
            known = names.get(directory)
            if known is None:
                known = names[directory] = frozenset(n for n, _ in entry[1])
            if name in known:
                continue
        out.append(path)
    return out


def _hashed_entry(directory: str, entry: DirEntry) -> DirEntry:
    """`entry` with the digests of its `PENDING` files taken (`with_digest`)."""
    dstate, files, scan = entry
    hashed = tuple(
        (name, cache.with_digest(os.path.join(directory, name), st) if st.digest == PENDING else st)
        for name, st in files
    )
    return dstate, hashed, scan


def _pack_entries(entries: Iterable[tuple[str, DirEntry]]) -> Packed:
    """The states of directory entries (the directory's own, then its files') as `Packed`
    columns."""
    paths: list[str] = []
    identities: list[tuple[int, ...]] = []
    digests: list[bytes] = []
    trusted = bytearray()
    for directory, (dstate, files, _) in entries:
        paths.append(directory)
        identities.append(dstate.identity)
        digests.append(dstate.digest)
        trusted.append(dstate.trusted)
        prefix = os.path.join(directory, "")  # (+ name: os.path.join(directory, name))
        for name, st in files:
            paths.append(prefix + name)
            identities.append(st.identity)
            digests.append(st.digest)
            trusted.append(st.trusted)
    return pack_columns(paths, identities, digests, bytes(trusted))
