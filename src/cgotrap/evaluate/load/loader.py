"""State shared by every target of a run: the build contexts, the directory scans, the resolver."""

# ruff: noqa: PTH116

from __future__ import annotations

import functools
import os
import stat
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from cgotrap.discover.project import Project
from cgotrap.evaluate import forked
from cgotrap.evaluate.load.resolve import _Resolver
from cgotrap.evaluate.load.rules import _error_kind
from cgotrap.gostd import short_path

if TYPE_CHECKING:
    from cgotrap.evaluate.context import ContextSet
    from cgotrap.evaluate.directory import DirFacts


@functools.cache
def _scan_reducers() -> forked.Reducers:
    from cgotrap.evaluate.directory import DirError, DirFacts
    from cgotrap.read.gofile import Include, Position

    return forked.dataclass_reducers(DirFacts, DirError, Position, Include)


class _Loader:
    """State shared by all targets: contexts, the directory scans, import resolution."""

    def __init__(self, project: Project, contexts: ContextSet) -> None:
        from cgotrap.evaluate.directory import scan_directory

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

    @property
    def scanned(self) -> int:
        """Directories scanned so far (or prefetched)."""
        return len(self._scans) + len(self._prefetched)

    def _scan_checked(self, directory: str) -> tuple[tuple[DirFacts, ...] | None, str]:
        """(The directory's scans or None when it is none, a problem to report or "")."""
        try:
            st = os.stat(directory)
            if not stat.S_ISDIR(st.st_mode):
                return None, ""
            return self._scan(directory, self.contexts), ""
        except OSError as exc:
            return None, f"{directory}: {exc.strerror or exc}"

    def prefetch(self, directories: Iterable[str]) -> None:
        """Scan `directories` now, in two processes (see `forked`), for `scans` to use later.

        Whatever is asked for later and was not prefetched is scanned then, as before; the
        problems of a prefetched directory are reported when it is first asked for, so the
        order of the messages does not change.
        """
        todo = [d for d in dict.fromkeys(directories) if d not in self._scans]
        todo = [d for d in todo if d not in self._prefetched]
        if len(todo) < forked.MIN_ITEMS:
            return  # not worth a second process: scanned when asked for
        scanned = forked.forked_map(todo, self._scan_checked, reducers=_scan_reducers())
        for d, got in zip(todo, scanned, strict=True):
            self._prefetched[d] = got

    def facts(self, directory: str, index: int) -> DirFacts | None:
        scans = self.scans(directory)
        return None if scans is None else scans[index]

    # ---- pattern matching

    def scan_matches(self, directory: str, index: int) -> bool:
        """imports.ScanDir(dir, tags) != ErrNoGo for this target."""
        f = self.facts(directory, index)
        if f is None:
            return False
        return bool(
            f.go_files or f.cgo_files or f.test_go_files or f.xtest_go_files or f.invalid_go_files
        )

    def import_dir_matches(self, directory: str, index: int) -> bool:
        """search.MatchDirs' test: ImportDir did not fail with NoGoError."""
        f = self.facts(directory, index)
        if f is None:
            return False
        return not (f.error is not None and _error_kind(f) == "nogo" and not f.invalid_go_files)


def _is_main(loader: _Loader, directory: str, index: int) -> bool:
    f = loader.facts(directory, index)
    return f is not None and f.name == "main"
