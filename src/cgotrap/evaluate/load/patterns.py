"""Command-line patterns to per-target root import paths, in go's order (modload.matchPackages,
matchLocalDirs, search.MatchDirs)."""

# ruff: noqa: PTH112, PTH113, PTH116, PTH117, PTH118, PTH119, PTH120

from __future__ import annotations

import operator
import os
import stat
from collections.abc import Callable, Iterator, Sequence
from itertools import chain, compress, repeat
from typing import TYPE_CHECKING, Any

from cgotrap.discover.goroot import is_standard_import_path
from cgotrap.evaluate.load.loader import _Loader, import_dir_match, scan_match
from cgotrap.evaluate.load.pkgpattern import is_local_pattern, match_pattern, tree_can_match
from cgotrap.evaluate.load.resolve import _Resolved, check_import_path
from cgotrap.evaluate.load.rules import _error_kind
from cgotrap.gostd import short_path

if TYPE_CHECKING:
    pass


_MAX_WALK_ENTRIES = 2_000_000  # bound on directory entries visited by one pattern walk


# cmd/go/internal/search: IgnorePatterns, NewIgnorePatterns, ShouldIgnore (go1.27.3)
def should_ignore(ignores: Sequence[str], rel: str) -> bool:
    """Whether go.mod's `ignore` directives (Go 1.25+) leave out the directory `rel`
    (slash-separated, relative to the module root): "./x" names x at the root, "x" any
    directory named x, each with its whole tree."""
    if not rel or not ignores:
        return False
    here = _slashed(rel)
    for pattern in ignores:
        relative = pattern.startswith("./")
        norm = _slashed(pattern.removeprefix("./"))
        if here.startswith(norm) if relative else norm in here:
            return True
    return False


def _slashed(path: str) -> str:
    """search.normalizePath: "/" before and after."""
    path = path.replace(os.sep, "/")
    return ("" if path.startswith("/") else "/") + path + ("" if path.endswith("/") else "/")


def _walk_dirs(
    root: str,
    *,
    prune_gomod: bool,
    prune_vendor: bool,
    std_root: bool = False,
    ignores: tuple[str, tuple[str, ...]] = ("", ()),
) -> Iterator[str]:
    """fsys.WalkDir order (lexical, depth-first) over package directories under `root`.

    Skips ".x", "_x" and "testdata" trees, stops at nested modules when asked, never
    follows symbolic links (so a symlink loop cannot trap it), and is bounded. `ignores`:
    (module root, its go.mod's `ignore` paths): directories they name are left out with
    their trees, the walk's own root too unless it is the module root.
    """
    budget = _MAX_WALK_ENTRIES
    stack: list[str] = [root]
    first = True
    mod_root, ignore = ignores
    while stack:
        directory = stack.pop()
        if not first and prune_gomod and os.path.isfile(os.path.join(directory, "go.mod")):
            continue
        if ignore and should_ignore(ignore, os.path.relpath(directory, mod_root)):
            first = False
            continue
        yield directory
        if prune_vendor and not first and os.path.basename(directory) == "vendor":
            first = False
            continue
        first = False
        try:
            with os.scandir(directory) as it:
                entries = sorted(it, key=lambda e: e.name)
        except OSError:
            continue
        children = []
        for entry in entries:
            budget -= 1
            if budget < 0:
                return
            name = entry.name
            if name.startswith((".", "_")) or name == "testdata":
                continue
            if std_root and directory == root and (name == "cmd" or "." in name):
                continue  # "std" is the standard library only: no cmd, no dotted paths
            try:
                if entry.is_dir(follow_symlinks=False):
                    children.append(entry.path)
            except OSError:
                continue
        stack.extend(reversed(children))


def _rel_below(directory: str, root: str) -> str:
    """`os.path.relpath(directory, root)` for a directory `_walk_dirs(root)` yielded: its
    path below the root, sliced off (relpath itself made a third of the walk over moby)."""
    if directory == root:
        return "."
    prefix = root if root.endswith(os.sep) else root + os.sep
    if directory.startswith(prefix) and root == os.path.normpath(root):
        return directory[len(prefix) :]
    return os.path.relpath(directory, root)


def _std_name(directory: str, src: str) -> str | None:
    """The import path of a directory a walk of GOROOT/src (`src`) gave, None for src
    itself and "builtin" (no package of std or cmd)."""
    if directory == src:
        return None
    name = _rel_below(directory, src).replace(os.sep, "/")
    return None if name == "builtin" else name


# cmd/go/internal/modload/init.go: findModuleRoot (go1.27.3)
def _module_root_of(directory: str) -> str:
    """The nearest directory at or above `directory` holding a go.mod that is not a
    directory ("" if none)."""
    for _ in range(4096):  # bounded: a path has far fewer components
        try:
            if not stat.S_ISDIR(os.stat(os.path.join(directory, "go.mod")).st_mode):
                return directory
        except OSError:
            pass
        parent = os.path.dirname(directory)
        if parent == directory:
            return ""
        directory = parent
    return ""


# cmd/go/internal/search: (*Match).MatchDirs, its fsys.WalkDir root (go1.27.3)
def _walk_root_error(clean: str, cwd: str) -> str:
    """The error go's walk of a local wildcard meets at its root ("lstat ./nope/: no such
    file or directory"), "" when the root is there. `clean`: the cleaned pattern, "./"
    kept ("./nope/..."); the root is filepath.Split of the part before "...", as go
    names it (relative to the working directory)."""
    head = clean[: clean.index("...")]
    root = head[: head.rindex(os.sep) + 1] if os.sep in head else ""
    try:
        os.lstat(os.path.join(cwd, root) if root else root)
    except OSError as exc:
        return f"lstat {root}: {os.strerror(exc.errno or 0).lower()}"
    return ""


class _Patterns:
    """Patterns resolved to per-target root import paths, in go's order.

    The directory walks and the directory -> import path mapping do not depend on the
    target and are done once per pattern (`_candidates`); per target only the question
    "does this directory hold a package here" is asked.
    """

    def __init__(self, loader: _Loader, patterns: Sequence[str]) -> None:
        self.loader = loader
        self.patterns = list(patterns) or ["."]
        self._walk_cache: dict[tuple[Any, ...], list[str]] = {}
        self._begun: dict[tuple[Any, ...], tuple[list[str], Iterator[str]]] = {}
        """Walks begun and not finished (`std_dirs_begun`): what they gave, and the rest."""
        self._candidates: dict[str, tuple[str, list[tuple[str, str]]]] = {}
        self._errors: dict[int, dict[str, _Resolved]] = {}
        self._dir_errors: dict[str, str] = {}
        self.gomod_files: dict[str, None] = {}
        """The dependencies' go.mod files read for their `ignore` directives."""
        """Directory -> why a wildcard's directory has no import path (candidates named "")."""
        self._walk_errors: dict[str, str] = {}
        """Local wildcard pattern -> the error of its walk's root (a missing directory)."""
        self._batch: frozenset[int] = frozenset()
        """The targets `roots_of` matches at once."""
        self._matched: dict[tuple[str, int], list[str]] = {}
        """(pattern, target) -> `_matching`'s answer, worked out with others, not yet taken."""

    def _walk(
        self,
        root: str,
        *,
        prune_gomod: bool,
        prune_vendor: bool,
        std_root: bool = False,
        ignores: tuple[str, tuple[str, ...]] | None = None,
    ) -> list[str]:
        """The directories below `root`; `ignores` (module root, `ignore` paths) default to
        those of the main module holding `root`."""
        if ignores is None:
            ignores = self._ignores(root)
        key = (root, prune_gomod, prune_vendor, std_root, ignores)
        got = self._walk_cache.get(key)
        if got is None:
            head, rest = self._begun.pop(key, ([], None))
            if rest is None:
                rest = _walk_dirs(
                    root,
                    prune_gomod=prune_gomod,
                    prune_vendor=prune_vendor,
                    std_root=std_root,
                    ignores=ignores,
                )
            got = [*head, *rest]
            self._walk_cache[key] = got
        return got

    def std_dirs_begun(self, count: int) -> tuple[list[str], Callable[[], list[str]] | None]:
        """`std_dirs` in two parts: the first `count` of them, as the standard library's
        walk finds them, and what gives them all (the walk finished; None when it ended
        within `count`: the first part has them all). Meanwhile the walk is not lost:
        whatever asks for it (`std_dirs`, the pattern "std") finishes it."""
        src = self.loader.resolver.goroot_src
        ignores = self._ignores(src)
        key = (src, False, False, True, ignores)
        if key not in self._walk_cache and key not in self._begun:
            walk = _walk_dirs(
                src, prune_gomod=False, prune_vendor=False, std_root=True, ignores=ignores
            )
            head: list[str] = []
            first: list[str] = []
            for directory in walk:
                head.append(directory)
                if _std_name(directory, src) is not None:
                    first.append(directory)
                    if len(first) == count:
                        self._begun[key] = (head, walk)
                        return first, self.std_dirs
            self._walk_cache[key] = head
        elif key in self._begun:
            head = self._begun[key][0]
            return [d for d in head if _std_name(d, src) is not None], self.std_dirs
        return self.std_dirs(), None

    def _ignores(self, directory: str) -> tuple[str, tuple[str, ...]]:
        """(root, `ignore` paths) of the main module holding `directory` (none: ("", ()))."""
        best: tuple[str, tuple[str, ...]] = ("", ())
        for main in self.loader.project.main_modules:
            root = str(main.dir)
            inside = directory == root or directory.startswith(root + os.sep)
            if inside and len(root) > len(best[0]):
                best = (root, tuple(main.gomod.ignores))
        return best if best[1] else ("", ())

    def roots(self, index: int) -> list[str]:
        """The import paths the patterns match on target `index`, each once (the first
        time: the patterns matched in order, lazily, as one after the other)."""
        matches = map(self._match, self.patterns, repeat(index))
        return list(dict.fromkeys(chain.from_iterable(matches)))  # (GOROOT std: 380 each)

    def walked(self) -> list[list[str]]:
        """The directory lists of the walks made so far."""
        return list(self._walk_cache.values())

    def candidate_dirs(self) -> list[str]:
        """The directories the patterns look at on some target (for `_Loader.prefetch`)."""
        out: list[str] = []
        for pattern in self.patterns:
            if pattern == "all" or not (
                pattern in ("std", "cmd") or is_local_pattern(pattern) or "..." in pattern
            ):
                continue
            got = self._candidates.get(pattern)
            if got is None:
                got = self._candidates[pattern] = self._make_candidates(pattern)
            out.extend(directory for directory, _ in got[1])
        return out

    def std_dirs(self) -> list[str]:
        """Every directory of the standard library (not cmd)."""
        got = self._candidates.get("std")
        if got is None:  # (kept for the pattern "std", which has the same candidates)
            got = self._candidates["std"] = self._make_candidates("std")
        return [directory for directory, _ in got[1]]

    def _match(self, pattern: str, index: int) -> list[str]:
        if pattern == "all":
            return self._match_all(index)
        if not (pattern in ("std", "cmd") or is_local_pattern(pattern) or "..." in pattern):
            return [pattern]
        got = self._candidates.get(pattern)
        if got is None:
            got = self._make_candidates(pattern)
            self._candidates[pattern] = got
        how, candidates = got
        loader = self.loader
        if how == "literal":
            return [self._literal_local(pattern, candidates[0][0], index)]
        out = self._matching(pattern, how, candidates, index)
        if how == "gopath":
            return out
        test = loader.import_dir_matches if how == "importdir" else loader.scan_matches
        if how == "sorted":
            out.sort()
        walk_error = self._walk_errors.get(pattern)
        if walk_error is not None:
            # search.MatchDirs: the walk's error is the match's, a package named after the
            # pattern (load.PackagesAndErrors), like the directory errors below
            self._errors.setdefault(index, {})[pattern] = _Resolved(
                path=pattern, dir="", module=None, goroot=False, error=walk_error, match_error=True
            )
            return [*out, pattern]
        if "" in out:
            # modload.matchLocalDirs: the match's first error becomes a package named after
            # the pattern, after the packages it did match (load.PackagesAndErrors)
            first = next(d for d, name in candidates if name == "" and test(d, index))
            out = [name for name in out if name]
            self._errors.setdefault(index, {})[pattern] = _Resolved(
                path=pattern,
                dir="",
                module=None,
                goroot=False,
                error=f"pattern {pattern}: {self._dir_errors[first]}",
                match_error=True,
            )
            out.append(pattern)
        return out

    def roots_of(self, indices: Sequence[int]) -> dict[int, list[str]]:
        """`roots` of each target of `indices`; a wildcard's directories are tested once
        per distinct facts of each directory for all of them (`_matching_columns`)."""
        self._batch = frozenset(indices)
        try:
            return {index: self.roots(index) for index in indices}
        finally:
            self._batch = frozenset()
            self._matched.clear()

    def _matching(
        self, pattern: str, how: str, candidates: list[tuple[str, str]], index: int
    ) -> list[str]:
        """The import paths of `candidates` whose directory matches on target `index`, in
        order (`_matching_columns`; with `roots_of`, worked out for all its targets)."""
        got = self._matched.pop((pattern, index), None)
        if got is None:
            batch = sorted(self._batch) if index in self._batch else [index]
            columns = _matching_columns(self.loader, how, candidates, batch)
            for i, names in zip(batch, columns, strict=True):
                self._matched[pattern, i] = names
            got = self._matched.pop((pattern, index))
        return got

    def _make_candidates(self, pattern: str) -> tuple[str, list[tuple[str, str]]]:
        """("sorted" | "importdir", [(directory, import path)]) for a pattern."""
        if pattern in ("std", "cmd"):
            return "gopath", self._std_candidates(pattern)
        if is_local_pattern(pattern):
            how = "importdir" if "..." in pattern else "literal"
            return how, self._local_candidates(pattern)
        return "sorted", self._wildcard_candidates(pattern)

    def errors(self, index: int) -> dict[str, _Resolved]:
        """Patterns that name no package on this target, as go's error packages."""
        return self._errors.get(index, {})

    def _outside_error(self, directory: str) -> str:
        """modload.resolveLocalPackage's error for a directory no module of the build list
        holds ("directory a@b outside main module or its selected dependencies")."""
        loader = self.loader
        scope = "main module or its selected dependencies"
        if loader.project.workspace is not None:
            scope = "modules listed in go.work or their selected dependencies"
        shown = short_path(directory, loader.cwd)
        dirstr = "current directory" if shown == "." else f"directory {shown}"
        return f"{dirstr} outside {scope}"

    # cmd/go/internal/modload/load.go: matchLocalDirs (go1.27.3)
    def _prefix_error(self, pattern: str) -> str:
        """The error of a local wildcard whose directory prefix lies in no module of the
        build list nor GOROOT/src ("directory prefix ../x does not contain main module or
        its selected dependencies"): go walks nothing there."""
        loader = self.loader
        head = os.path.normpath(pattern[: pattern.index("...") + 3])
        prefix = os.path.normpath(os.path.join(loader.cwd, os.path.dirname(head)))
        found = _module_root_of(prefix)
        roots = {root for _, root in loader.resolver.mains}
        src = loader.resolver.goroot_src
        if found in roots or prefix == src or prefix.startswith(src + os.sep):
            return ""
        for mpath in loader.project.requires:
            root, _, _ = loader.resolver.module_root(mpath)
            if root is not None and (prefix == root or prefix.startswith(root + os.sep)):
                return ""
        scope = "main module or its selected dependencies"
        if loader.project.workspace is not None:
            scope = "modules listed in go.work or their selected dependencies"
        return f"directory prefix {short_path(prefix, loader.cwd)} does not contain {scope}"

    def _literal_local(self, pattern: str, directory: str, index: int) -> str:
        """modload.resolveLocalPackage for "./x": the import path, or an error package."""
        loader = self.loader
        error = ""
        shown_dir = directory
        if not os.path.isdir(directory):
            error, shown_dir = f"stat {directory}: directory not found", ""
        else:
            f = loader.facts(directory, index)
            if (
                f is not None
                and f.error is not None
                and _error_kind(f) == "nogo"
                and not f.ignored_go_files
            ):
                error = f.error.err
            else:
                got = loader.resolver.dir_import_path(directory)
                if got is not None:
                    return got[0]
                error, shown_dir = self._outside_error(directory), ""
        self._errors.setdefault(index, {})[pattern] = _Resolved(
            path=pattern, dir=shown_dir, module=None, goroot=False, error=error, match_error=True
        )
        return pattern

    def _std_candidates(self, which: str) -> list[tuple[str, str]]:
        src = self.loader.resolver.goroot_src
        root = src if which == "std" else os.path.join(src, "cmd")
        out = []
        walk = self._walk(root, prune_gomod=False, prune_vendor=False, std_root=which == "std")
        for directory in walk:
            name = _std_name(directory, src)
            if name is not None:
                out.append((directory, name))
        return out

    def _main_candidates(self) -> list[tuple[str, str]]:
        loader = self.loader
        out: list[tuple[str, str]] = []
        for mpath, root in loader.resolver.mains:
            for directory in self._walk(root, prune_gomod=True, prune_vendor=True):
                rel = _rel_below(directory, root).replace(os.sep, "/")
                if loader.project.in_goroot and mpath == "std":
                    if rel != ".":
                        out.append((directory, rel))
                    continue
                out.append((directory, mpath if rel == "." else f"{mpath}/{rel}"))
        return out

    def _match_all(self, index: int) -> list[str]:
        """modload's "all": main packages, their imports, and their tests' imports."""
        loader = self.loader
        mains = [name for d, name in self._main_candidates() if loader.scan_matches(d, index)]
        main_set = set(mains)
        tools = [t for m in loader.project.main_modules for t in m.gomod.tools]
        seen: set[str] = set()
        work = [(p, "", False) for p in (*mains, *tools)]
        while work:
            path, parent, parent_std = work.pop()
            res = loader.resolver.resolve(path, parent, parent_std)
            if res.path in seen:
                continue
            seen.add(res.path)
            if not res.dir:
                continue
            f = loader.facts(res.dir, index)
            if f is None:
                continue
            std = res.goroot and is_standard_import_path(res.path)
            nexts = list(f.imports)
            if res.path in main_set:
                nexts += [*f.test_imports, *f.xtest_imports]
            work.extend((imp, res.path, std) for imp in nexts if imp != "C")
        cgo = loader.contexts.contexts[index].cgo_enabled
        # modload.computePatternAll: no package whose path module.CheckImportPath refuses
        return sorted(
            p for p in seen if (cgo or p != "runtime/cgo") and check_import_path(p) is None
        )

    def _wildcard_candidates(self, pattern: str) -> list[tuple[str, str]]:
        loader = self.loader
        match = match_pattern(pattern)
        can = tree_can_match(pattern)
        out: list[tuple[str, str]] = []
        have = {"builtin"}
        src = loader.resolver.goroot_src
        walks: list[tuple[str, str, bool, bool, tuple[str, tuple[str, ...]] | None]] = []
        if is_standard_import_path(pattern):
            walks.append((src, "", True, False, None))
            if can("cmd"):
                walks.append((os.path.join(src, "cmd"), "cmd", True, False, None))
        for mpath, root in loader.resolver.mains:
            if can(mpath):
                walks.append((root, mpath, True, True, None))
        for mpath, version in loader.project.requires.items():
            if can(mpath) and version:
                resolver = loader.resolver
                root_dir, _, is_local = resolver.module_root(mpath, full=not resolver.pruned)
                if root_dir is not None:
                    # modload.parseIgnorePatterns: a dependency's own go.mod `ignore`s
                    ignores = (root_dir, _dependency_ignores(root_dir))
                    self.gomod_files[os.path.join(root_dir, "go.mod")] = None
                    walks.append((root_dir, mpath, is_local, True, ignores))
        for root, prefix, prune_gomod, prune_vendor, ignored in walks:
            for directory in self._walk(
                root, prune_gomod=prune_gomod, prune_vendor=prune_vendor, ignores=ignored
            ):
                rel = _rel_below(directory, root).replace(os.sep, "/")
                if rel == "." and prefix == "":
                    continue
                name = prefix if rel == "." else (f"{prefix}/{rel}" if prefix else rel)
                if name in have or not can(name):
                    continue
                have.add(name)
                if match(name):
                    out.append((directory, name))
        return out

    def _local_candidates(self, pattern: str) -> list[tuple[str, str]]:
        loader = self.loader
        cwd = loader.cwd
        if "..." not in pattern:
            return [(os.path.normpath(os.path.join(cwd, pattern)), pattern)]
        clean = os.path.normpath(pattern)
        prefix = ""
        if clean != "." and pattern.startswith("./"):
            prefix = "./"
            clean = "./" + clean
        match = match_pattern(clean)
        start = os.path.dirname(clean[: clean.index("...")]) or "."
        start_abs = os.path.normpath(os.path.join(cwd, start))
        walk_error = self._prefix_error(pattern) or _walk_root_error(clean, cwd)
        if walk_error:
            self._walk_errors[pattern] = f"pattern {pattern}: {walk_error}"
            return []
        out: list[tuple[str, str]] = []
        absolute = os.path.isabs(pattern)
        for directory in self._walk(start_abs, prune_gomod=True, prune_vendor=False):
            if absolute:
                name = directory
            else:
                # the path as go's walk names it: from the pattern's own start ("../m/b"
                # for "../m/..." run inside m), not from the working directory
                name = os.path.normpath(os.path.join(start, _rel_below(directory, start_abs)))
                if prefix and name != ".":
                    name = "./" + name
            name = name.replace(os.sep, "/")
            if not match(name):
                continue
            got = loader.resolver.dir_import_path(directory)
            if got is not None:
                out.append((directory, got[0]))
            else:
                self._dir_errors[directory] = self._outside_error(directory)
                out.append((directory, ""))
        return out


def _dependency_ignores(module_dir: str) -> tuple[str, ...]:
    """The `ignore` paths of a dependency module's go.mod (goModSummary's, read laxly)."""
    from pathlib import Path

    from cgotrap.discover.gomod import parse_gomod_text
    from cgotrap.discover.modsyntax import GoModError
    from cgotrap.inputs import read_regular

    name = Path(module_dir) / "go.mod"
    try:
        text = read_regular(name, 16 << 20).decode("utf-8", "replace")
        return parse_gomod_text(text, name, strict=False).ignores
    except (OSError, GoModError):
        return ()


def _matching_columns(
    loader: _Loader, how: str, candidates: list[tuple[str, str]], indices: Sequence[int]
) -> list[list[str]]:
    """Per target of `indices`: the import paths of `candidates` whose directory matches
    there, in order: `import_dir_match` ("gopath": std or cmd, without cmd's vendored
    commands; "importdir") or `scan_match`, and runtime/cgo only with cgo. Each directory's
    test runs once per distinct facts (most directories have one or a few over ~100
    targets), and the targets' columns are picked in C."""
    n = len(indices)
    every, none = (True,) * n, (False,) * n
    pick = operator.itemgetter(*indices) if n > 1 else (lambda s: (s[indices[0]],))
    contexts = loader.contexts.contexts
    with_cgo = tuple(contexts[i].cgo_enabled for i in indices)
    test = scan_match if how not in ("gopath", "importdir") else import_dir_match
    rows: list[tuple[bool, ...]] = []
    for directory, name in candidates:
        cgo_only = name == "runtime/cgo"
        if cgo_only and not any(with_cgo):  # (not even scanned, as one by one)
            rows.append(none)
            continue
        scans = loader.scans(directory)
        if scans is None:
            rows.append(none)
            continue
        picked = pick(scans)
        vendored_command = how == "gopath" and name.startswith("cmd/vendor")
        ok = {
            fid: test(f) and not (vendored_command and f.name == "main")
            for fid, f in dict(zip(map(id, picked), picked, strict=True)).items()
        }
        if len(ok) == 1:
            row = every if next(iter(ok.values())) else none
        else:
            row = tuple(map(ok.__getitem__, map(id, picked)))
        if cgo_only:
            row = tuple(a and b for a, b in zip(row, with_cgo, strict=True))
        rows.append(row)
    if not rows:
        return [[] for _ in indices]
    names = [name for _, name in candidates]
    return [list(compress(names, column)) for column in zip(*rows, strict=True)]
