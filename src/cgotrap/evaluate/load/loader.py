"""State shared by every target of a run: the build contexts, the directory scans, the resolver."""

# ruff: noqa: PTH112, PTH116, PTH118

from __future__ import annotations

import functools
import os
import stat
from collections.abc import Callable, Iterable, Iterator, Mapping
from typing import TYPE_CHECKING, Any

from cgotrap.discover.goroot import is_standard_import_path, note_go_file
from cgotrap.discover.project import Project
from cgotrap.evaluate import forked
from cgotrap.evaluate.load.resolve import _Resolver
from cgotrap.evaluate.load.rules import _error_kind
from cgotrap.gostd import short_path

if TYPE_CHECKING:
    from cgotrap.cache import State
    from cgotrap.dirscans import DirEntry, DirScans
    from cgotrap.evaluate.context import ContextSet
    from cgotrap.evaluate.directory import DirFacts


@functools.cache
def _scan_reducers() -> forked.Reducers:
    from cgotrap.cache import State
    from cgotrap.evaluate.directory import DirError, DirFacts
    from cgotrap.read.gofile import Include, Position, position

    rebuilders: dict[type, Callable[..., Any]] = {Position: position}
    records = forked.dataclass_reducers(DirFacts, DirError, Include, rebuilders=rebuilders)
    return {**records, State: _reduce_state}  # (the cache entries' states)


def _reduce_state(state: State) -> tuple[Any, ...]:
    """A pickle reducer for a cache `State`: unpickled by `tuple.__new__` in C, not by the
    NamedTuple's `__new__` (half the time both ways; the helper's entries hold one a file)."""
    return tuple.__new__, (type(state), tuple(state))


def _with_read_digests(
    files: tuple[tuple[str, State], ...], digests: Mapping[str, bytes]
) -> tuple[tuple[str, State], ...]:
    """`files` (`dirscans.dir_states`) with the `PENDING` digests of the files the scan read
    replaced by the digest of what it read (`digests`, by name: the whole file's, or a
    `cache.prefix_digest` of the bytes read of a file read in part). Sound whether or
    not a file changed between its state and the read: the digest is of the bytes the
    scan's result was computed from, so a later run reuses that result only for that
    content. (A change after the state was taken changes the identity too: its content is
    compared.)"""
    from cgotrap.cache import PENDING, State

    if not digests:
        return files
    out = []
    for name, st in files:
        digest = digests.get(name) if st.digest == PENDING else None
        if digest is not None:
            st = tuple.__new__(State, (st.identity, digest, st.trusted))  # noqa: PLW2901
        out.append((name, st))
    return tuple(out)


_Scanned = tuple[tuple["DirFacts", ...] | None, str]
"""A directory's scans (None: not a directory) and a problem to report ("" if none)."""


class _Loader:
    """State shared by all targets: contexts, the directory scans, import resolution."""

    def __init__(
        self, project: Project, contexts: ContextSet, dir_scans: DirScans | None = None
    ) -> None:
        from cgotrap.evaluate.directory import scan_directory

        self.dir_scans = dir_scans
        if dir_scans is not None:
            dir_scans.reducers = _scan_reducers()
        self.project = project
        self.contexts = contexts
        self.cwd = str(project.cwd)
        self.resolver = _Resolver(project)
        self._scan = scan_directory
        self._scans: dict[str, tuple[DirFacts, ...] | None] = {}
        self._prefetched: dict[str, tuple[tuple[DirFacts, ...] | None, str]] = {}
        self.deps_intern: dict[tuple[Any, ...], tuple[str, ...]] = {}
        self.problems: list[str] = []
        self.resolve_embeds = False
        """Resolve //go:embed patterns as go list does when its output needs EmbedFiles."""
        self._embed_memo: dict[tuple[str, tuple[str, ...]], tuple[str, str] | None] = {}

    def embed_error(self, facts: DirFacts, directory: str) -> tuple[str, str] | None:
        """(error text, Pos) of the package's //go:embed patterns, when resolving them is
        asked for and one fails (load's resolveEmbed: "pattern x: no matching files found")."""
        if not self.resolve_embeds or not facts.embed_patterns:
            return None
        key = (directory, facts.embed_patterns)
        if key not in self._embed_memo:
            from cgotrap.evaluate.load.embed import embed_error

            self._embed_memo[key] = embed_error(directory, facts.embed_patterns)
        got = self._embed_memo[key]
        if got is None:
            return None
        pattern, text = got
        positions = dict(facts.embed_pos).get(pattern, ())
        pos = ""
        if positions:
            first = positions[0]
            pos = f"{short_path(first.filename, self.cwd)}:{first.line}:{first.column}"
        return text, pos

    def scans(self, directory: str) -> tuple[DirFacts, ...] | None:
        if directory in self._scans:
            return self._scans[directory]
        pre = self._prefetched.pop(directory, None)
        got, problem = pre if pre is not None else self._scan_checked(directory)
        if problem:
            self.problems.append(problem)
        self._scans[directory] = got
        return got

    def scanned_so_far(self) -> Iterator[tuple[str, tuple[DirFacts, ...] | None]]:
        """(directory, its scans) of every directory scanned or prefetched so far."""
        yield from self._scans.items()
        for directory, (scans, _) in self._prefetched.items():
            yield directory, scans

    @property
    def scanned(self) -> int:
        """Directories scanned so far (or prefetched)."""
        return len(self._scans) + len(self._prefetched)

    def _scan_checked(self, directory: str) -> _Scanned:
        """(The directory's scans or None when it is none, a problem to report or "")."""
        if self.dir_scans is None:
            return self._scan_now(directory)
        got, entry = self._scan_entry(directory)
        self.dir_scans.entries[directory] = entry
        return got

    def _scan_entry(self, directory: str) -> tuple[_Scanned, DirEntry]:
        """`_scan_checked` through the cache of directory scans, with the cache's entry."""
        from cgotrap.dirscans import dir_states_and_entries

        entry = self.dir_scans.lookup(directory) if self.dir_scans is not None else None
        if entry is not None:
            return entry[2], entry
        # before reading (see `dir_states`); the scan lists the entries listed there, and
        # hands back the digests of what it read of each file (their writers need not)
        dstate, files, entries = dir_states_and_entries(directory)
        digests: dict[str, bytes] = {}
        got = self._scan_now(directory, entries, digests)
        return got, (dstate, _with_read_digests(files, digests), got)

    def _scan_now(
        self,
        directory: str,
        entries: list[os.DirEntry[str]] | None = None,
        digests: dict[str, bytes] | None = None,
    ) -> _Scanned:
        """`entries`: the directory's, listed just now (it is one: not asked again);
        `digests`: see `scan_directory`."""
        try:
            if entries is None and not stat.S_ISDIR(os.stat(directory).st_mode):
                return None, ""
            return self._scan(directory, self.contexts, entries=entries, digests=digests), ""
        except OSError as exc:
            return None, f"{directory}: {exc.strerror or exc}"

    def prefetch(
        self,
        directories: Iterable[str],
        later: Callable[[], Iterable[str]] | None = None,
        *,
        std_imports: bool = False,
    ) -> None:
        """Scan `directories` now, in two processes (see `forked`), for `scans` to use later;
        `later`: what gives more of them, called while the helper process has started on
        the first (with `directories` known at once, before a walk finds the rest);
        `std_imports`: the standard library's directories the scanned packages import are
        scanned too, and those they import, as they are found (on some target: a guess of
        what the run will ask for, which is all a prefetch is).

        Whatever is asked for later and was not prefetched is scanned then, as before; the
        problems of a prefetched directory are reported when it is first asked for, so the
        order of the messages does not change.
        """
        todo = self._not_scanned(directories)
        if later is not None and len(todo) < forked.MIN_ITEMS:
            todo = self._not_scanned([*todo, *later()])  # (too few to start on: all at once)
            later = None
        if later is None and len(todo) < forked.MIN_ITEMS:
            return  # not worth a second process: scanned when asked for
        added: list[str] = []
        known = set(todo)
        more_dirs = None
        if later is not None:
            walk = later

            def more_dirs() -> list[str]:
                found = [d for d in self._not_scanned(walk()) if d not in known]
                known.update(found)
                added.extend(found)
                return found

        follow = None
        if std_imports:
            imported = _StdImports(self, known)

            def follow(result: Any) -> list[str]:
                found = imported.dirs(result if self.dir_scans is None else result[0])
                added.extend(found)
                return found

        reducers = _scan_reducers()
        if self.dir_scans is None:
            scanned = forked.forked_map(
                todo, self._scan_now, reducers=reducers, more=more_dirs, follow=follow
            )
            for d, got in zip([*todo, *added], scanned, strict=True):
                self._prefetched[d] = got
            _note_go_files(self._prefetched)
            return
        # the helper's cache entries come back with its results (pickled: kept as they are)
        frames: list[forked.Frame] = []
        pairs = forked.forked_map(
            todo, self._scan_entry, reducers=reducers, more=more_dirs, follow=follow, frames=frames
        )
        every = [*todo, *added]
        for d, (got, entry) in zip(every, pairs, strict=True):
            self._prefetched[d] = got
            self.dir_scans.entries[d] = entry
        self.dir_scans.add_pickled(every, frames)
        _note_go_files(self._prefetched)

    def _not_scanned(self, directories: Iterable[str]) -> list[str]:
        """`directories` neither scanned nor prefetched yet, each once, in order."""
        return [
            d
            for d in dict.fromkeys(directories)
            if d not in self._scans and d not in self._prefetched
        ]

    def facts(self, directory: str, index: int) -> DirFacts | None:
        scans = self.scans(directory)
        return None if scans is None else scans[index]

    # ---- pattern matching

    def scan_matches(self, directory: str, index: int) -> bool:
        """imports.ScanDir(dir, tags) != ErrNoGo for this target."""
        f = self.facts(directory, index)
        return f is not None and scan_match(f)

    def import_dir_matches(self, directory: str, index: int) -> bool:
        """search.MatchDirs' test: ImportDir did not fail with NoGoError."""
        f = self.facts(directory, index)
        return f is not None and import_dir_match(f)


def _note_go_files(prefetched: Mapping[str, _Scanned]) -> None:
    """`goroot.note_go_file` for each prefetched directory a Go file was seen in (any
    context's facts list each of its .go files: built, ignored or invalid)."""
    for directory, (scans, _) in prefetched.items():
        if scans and any(
            f.go_files
            or f.cgo_files
            or f.ignored_go_files
            or f.test_go_files
            or f.xtest_go_files
            or f.invalid_go_files
            for f in scans
        ):
            note_go_file(directory)


def scan_match(f: DirFacts) -> bool:
    """`_Loader.scan_matches` of a directory's facts on a target."""
    return bool(
        f.go_files or f.cgo_files or f.test_go_files or f.xtest_go_files or f.invalid_go_files
    )


def import_dir_match(f: DirFacts) -> bool:
    """`_Loader.import_dir_matches` of a directory's facts on a target."""
    return not (f.error is not None and _error_kind(f) == "nogo" and not f.invalid_go_files)


class _StdImports:
    """The standard library's directories scanned packages import (`_Loader.prefetch`)."""

    def __init__(self, loader: _Loader, known: set[str]) -> None:
        self.src = str(loader.project.goroot / "src")
        self.known = known
        """Directories prefetched already (or given to be): each is given once."""
        self.paths: set[str] = {"C"}
        """Import paths looked at."""

    def dirs(self, scanned: _Scanned) -> list[str]:
        """The new directories of the standard library `scanned`'s packages import on some
        target: "net" (GOROOT/src/net), "golang.org/x/net/dns/dnsmessage" when GOROOT's
        vendor directory has it, and runtime/cgo for a package with cgo files."""
        scans, _ = scanned
        found: list[str] = []
        seen = self.paths
        # (one per distinct facts: a directory's ~100 contexts share a few)
        for facts in dict(zip(map(id, scans or ()), scans or (), strict=True)).values():
            paths = (*facts.imports, "runtime/cgo") if facts.cgo_files else facts.imports
            if seen.issuperset(paths):  # (most, once the common packages are seen)
                continue
            for path in [p for p in paths if p not in seen]:
                seen.add(path)
                if is_standard_import_path(path):
                    directory = os.path.join(self.src, path)
                elif path.startswith("golang.org/x/"):  # (what GOROOT vendors)
                    directory = os.path.join(self.src, "vendor", path)
                else:
                    continue
                if directory not in self.known and os.path.isdir(directory):
                    self.known.add(directory)
                    found.append(directory)
        return found
