"""The module graph and minimal version selection, as cmd/go builds them.

Mirrors cmd/go/internal/modload (buildlist.go readModGraph, modfile.go goModSummary,
rawGoModSummary, summaryFromModFile) and cmd/go/internal/mvs (Graph, FindPath,
BuildListError), Go 1.27:

- A main module declaring go < 1.17 (or no go line: go 1.16) has an *unpruned* graph: the
  go.mod of every module version reachable through requirements is read.
- From go 1.17 the graph is *pruned*: the main module's requirements are the roots; a root's
  go.mod is read and its requirements enter the graph, but their own go.mod files are read
  only below a root whose go.mod declares go < 1.17 (which is then walked unpruned).
- In a workspace every `use`d module is a root and the graph is reloaded until the selected
  versions of everything the main modules depend on have had their go.mod read.
- `exclude` (of every main module) drops requirements on excluded versions; a replaced
  module's requirements come from its replacement's go.mod (a directory or module@version).
- The selected version of a path is the highest version anywhere in the graph.

go.mod files of dependencies are read from GOMODCACHE/cache/download/<module>/@v/<v>.mod,
then from the GOPROXY list: `file://` proxies are read, `off` ends the search with go's
"module lookup disabled by GOPROXY=off"; cgotrap never downloads, so a network proxy or
`direct` ends it with a cgotrap message saying so. Nothing is written anywhere.
"""

from __future__ import annotations

import dataclasses
import functools
import os
from collections import deque
from collections.abc import Mapping
from pathlib import Path
from urllib.parse import unquote, urlsplit

from cgotrap.discover import modcache, semver
from cgotrap.discover.gomod import GoMod, parse_gomod_text
from cgotrap.discover.modsyntax import GoModError
from cgotrap.discover.project import Project, go_mod_dirty, local_go_version
from cgotrap.errors import InputError
from cgotrap.gostd import compare_go_versions
from cgotrap.inputs import read_regular

_MAX_MODULES = 200_000  # module versions whose go.mod is read: bounded for hostile graphs
_MAX_GOMOD_BYTES = 16 << 20
_EXPLICIT_INDIRECT_VERSION = "1.17"  # gover.ExplicitIndirectVersion: graph pruning starts
_GO_STRICT_VERSION = "1.21"  # gover.GoStrictVersion: a dependency's go line is enforced
_DEFAULT_GO_MOD_VERSION = "1.16"  # gover.DefaultGoModVersion: a go.mod without a go line
DEFAULT_GOPROXY = "https://proxy.golang.org,direct"


class ModGraphError(InputError):
    """go refuses to load the module graph: "example.com/a@v1.0.0 requires ...: ..."."""


@dataclasses.dataclass(frozen=True, kw_only=True, slots=True, order=True)
class ModuleVersion:
    """module.Version: a module path and version ("" for a main module or a directory)."""

    path: str
    """Module path (or a directory, for a directory replacement)."""
    version: str
    """Version ("v1.2.3"), "" for a main module or a directory replacement."""

    def __str__(self) -> str:
        """module.Version.String: "path@version", or "path" without a version."""
        return f"{self.path}@{self.version}" if self.version else self.path


@dataclasses.dataclass(frozen=True, kw_only=True, slots=True)
class BuildModule:
    """One module of the build list (`go list -m all`)."""

    path: str
    """Module path."""
    version: str
    """Selected version ("" for a main module)."""
    main: bool
    """A main module."""
    indirect: bool
    """Not required directly (without "// indirect") by a main module's go.mod."""
    replace: ModuleVersion | None
    """The replacement in effect (version "" for a directory), if any."""


@dataclasses.dataclass(frozen=True, kw_only=True, slots=True)
class ModuleGraph:
    """The module graph of a project's main module(s) and its build list."""

    pruning: str
    """"unpruned" (go < 1.17), "pruned", or "workspace"."""
    build_list: tuple[BuildModule, ...]
    """Main modules first, then every other selected module sorted by path."""
    error: str
    """go's error for the graph (mvs.BuildListError text), "" when every go.mod was read."""
    required: Mapping[ModuleVersion, tuple[ModuleVersion, ...]] = dataclasses.field(
        default_factory=dict
    )
    """The requirements of every module version whose go.mod was read (after exclude; a
    replaced module's from its replacement)."""
    too_new: tuple[str, str] = ("", "")
    """When `error` is a go.mod declaring a go newer than the toolchain: (that version,
    gover.TooNewError's own text "module example.com/x@v1.0.0 requires go >= 1.99 ...")."""

    def selected(self, path: str) -> str:
        """The selected version of a module path ("" when it is not in the graph)."""
        for mod in self.build_list:
            if mod.path == path:
                return mod.version
        return ""


class _SummaryError(Exception):
    """A go.mod that could not be read: the module.Version it names and go's message."""

    def __init__(self, module: ModuleVersion, message: str, *, too_new: str = "") -> None:
        super().__init__(message)
        self.module = module
        self.message = message
        self.too_new = too_new  # the go version of a gover.TooNewError


@dataclasses.dataclass(frozen=True, kw_only=True, slots=True)
class _Summary:
    """A module's go.mod as the graph needs it: its requirements, whether it is pruned."""

    requires: tuple[ModuleVersion, ...]
    pruned: bool


def _pruned(go_version: str) -> bool:
    """modload.pruningForGoVersion."""
    return compare_go_versions(go_version, _EXPLICIT_INDIRECT_VERSION) >= 0


def _proxy_entries(goproxy: str) -> list[str]:
    """GOPROXY's entries: "a,b|c" -> [a, b, c].

    "," falls through on "not found" only, "|" on any error; a missing file in a file://
    proxy is "not found", and every other entry ends the search here, so both read alike.
    """
    return [e.strip() for e in goproxy.replace("|", ",").split(",") if e.strip()]


class GoModFetcher:
    """modfetch.GoMod without a network: the module cache, then file:// proxies."""

    def __init__(self, cache: Path, goproxy: str) -> None:
        self.cache = cache
        self.goproxy = goproxy

    def read(self, mod: ModuleVersion) -> bytes:
        """The go.mod of mod (raises `_SummaryError` with go's message)."""
        rel = Path(modcache.escape(mod.path)) / "@v" / f"{modcache.escape(mod.version)}.mod"
        data = _read_bounded(self.cache / "cache" / "download" / rel)
        if data is not None:
            return data
        message = "module lookup disabled by GOPROXY=off"
        for entry in _proxy_entries(self.goproxy):
            if entry == "off":
                message = "module lookup disabled by GOPROXY=off"
                break
            if entry in ("direct", "noproxy") or not entry.startswith("file://"):
                message = (
                    f"cgotrap does not download modules (GOPROXY={self.goproxy}); "
                    f"run 'go mod download {mod.path}' first"
                )
                break
            root = Path(unquote(urlsplit(entry).path))
            data = _read_bounded(root / rel)
            if data is not None:
                return data
            url = entry.rstrip("/") + "/" + str(rel).replace(os.sep, "/")
            message = f"reading {url}: no such file or directory"
        raise _SummaryError(mod, message)


def _read_bounded(path: Path) -> bytes | None:
    try:
        return read_regular(path, _MAX_GOMOD_BYTES)  # a FIFO would block: refused
    except OSError:
        return None


def _go_sum_gomod_entries(project: Project, env: Mapping[str, str]) -> frozenset[str] | None:
    """The "path version/go.mod" lines of go.sum, or None when go does not check them.

    modload.mustHaveSums: only a single main module in -mod=readonly mode checks them.
    """
    if project.workspace is not None or len(project.main_modules) != 1:
        return None
    flags = env.get("GOFLAGS", "").split()
    if "-mod=mod" in flags:
        return None
    entries: set[str] = set()
    data = _read_bounded(project.main_modules[0].dir / "go.sum")
    for line in (data or b"").decode("utf-8", errors="replace").splitlines():
        fields = line.split()
        if len(fields) == 3 and fields[1].endswith("/go.mod"):  # "path v1.2.3/go.mod h1:..."
            entries.add(f"{fields[0]} {fields[1]}")
    return frozenset(entries)


class _Loader:
    """readModGraph's state: summaries (loadCache), the mvs.Graph edges and selections."""

    def __init__(self, project: Project, fetcher: GoModFetcher, env: Mapping[str, str]) -> None:
        self.project = project
        self.fetcher = fetcher
        self.env = env
        self.local = local_go_version(project.goroot)
        self.sums = _go_sum_gomod_entries(project, env)
        self.excludes = {
            ModuleVersion(path=e.path, version=e.version)
            for main in project.main_modules
            for e in main.gomod.excludes
        }
        self.summaries: dict[ModuleVersion, _Summary | _SummaryError] = {}
        self.required: dict[ModuleVersion, tuple[ModuleVersion, ...]] = {}
        self.selected: dict[str, str] = {}
        self.roots: list[ModuleVersion] = []
        self.first_failure: _SummaryError | None = None

    # -- goModSummary

    def replacement(self, mod: ModuleVersion) -> ModuleVersion | None:
        rep = self.project.replacement(mod.path, mod.version)
        if rep is None:
            return None
        return ModuleVersion(path=rep.replace.new_path, version=rep.replace.new_version)

    def summary(self, mod: ModuleVersion) -> _Summary:
        got = self.summaries.get(mod)
        if got is None:
            try:
                got = self._summary(mod)
            except _SummaryError as exc:
                got = exc
            self.summaries[mod] = got
        if isinstance(got, _SummaryError):
            raise got
        return got

    def _summary(self, mod: ModuleVersion) -> _Summary:
        actual = self.replacement(mod) or mod
        sum_key = f"{actual.path} {actual.version}/go.mod"
        if self.sums is not None and actual.version and sum_key not in self.sums:
            raise _SummaryError(
                actual,
                f"missing go.sum entry for go.mod file; to add it:\n\tgo mod download {mod.path}",
            )
        rep = self.project.replacement(mod.path, mod.version)
        gomod = self._raw_summary(actual, rep.dir if rep is not None else None)
        if actual.version:
            if not gomod.module:
                raise _SummaryError(actual, "parsing go.mod: missing module line")
            if gomod.module not in (mod.path, actual.path):
                raise _SummaryError(
                    actual,
                    f"parsing go.mod:\n\tmodule declares its path as: {gomod.module}\n"
                    f"\t        but was required as: {mod.path}",
                )
        go_version = gomod.go
        if (
            go_version
            and compare_go_versions(go_version, _GO_STRICT_VERSION) >= 0
            and self.local
            and compare_go_versions(go_version, self.local) > 0
        ):
            setting = self.env.get("GOTOOLCHAIN", "")
            explain = f"; GOTOOLCHAIN={setting}" if setting not in ("", "auto") else ""
            raise _SummaryError(
                actual,
                f"module {actual} requires go >= {go_version} (running go {self.local}{explain})",
                too_new=go_version,
            )
        requires = tuple(
            r
            for r in (ModuleVersion(path=q.path, version=q.version) for q in gomod.requires)
            if r not in self.excludes
        )
        return _Summary(requires=requires, pruned=bool(go_version) and _pruned(go_version))

    def _raw_summary(self, actual: ModuleVersion, directory: Path | None) -> GoMod:
        """rawGoModSummary: parse (laxly) the go.mod of a module version or directory."""
        if directory is not None:
            name = directory / "go.mod"
            try:
                data = read_regular(name, _MAX_GOMOD_BYTES)
            except OSError as exc:
                raise _SummaryError(
                    actual, f"reading {name}: open {name}: {exc.strerror or exc}"
                ) from None
        else:
            name = Path("go.mod")
            data = self.fetcher.read(actual)
        try:
            return parse_gomod_text(data.decode("utf-8", errors="replace"), name, strict=False)
        except GoModError as exc:
            raise _SummaryError(actual, f"parsing {name}: {exc}") from None

    # -- mvs.Graph

    def require(self, mod: ModuleVersion, reqs: tuple[ModuleVersion, ...]) -> None:
        self.required[mod] = reqs
        for dep in reqs:
            if semver.compare(self.selected.get(dep.path, "none"), dep.version) < 0:
                self.selected[dep.path] = dep.version

    def load_one(self, mod: ModuleVersion) -> _Summary:
        """loadOne: the summary, its requirements recorded in the graph (once)."""
        if mod not in self.summaries and len(self.summaries) >= _MAX_MODULES:
            raise ModGraphError(f"module graph larger than {_MAX_MODULES} module versions")
        summary = self.summary(mod)
        if mod not in self.required:
            self.require(mod, summary.requires)
        return summary

    def read_graph(self, pruning: str, roots: list[ModuleVersion]) -> None:
        """readModGraph: a work queue instead of go's parallel one (the result is the same)."""
        queue: deque[tuple[ModuleVersion, str]] = deque()
        seen: set[tuple[ModuleVersion, str]] = set()

        def enqueue(mod: ModuleVersion, how: str) -> None:
            if mod.version == "none" or (mod, how) in seen:
                return
            seen.add((mod, how))
            queue.append((mod, how))

        def drain() -> None:
            while queue:
                mod, how = queue.popleft()
                try:
                    summary = self.load_one(mod)
                except _SummaryError:
                    continue  # findError reports it
                next_how = "unpruned" if how == "unpruned" or not summary.pruned else "pruned"
                for req in summary.requires:
                    if how != "pruned" or not summary.pruned:
                        enqueue(req, next_how)

        for mod in roots:
            enqueue(mod, pruning)
        drain()
        if pruning != "workspace":
            return
        has_deps_in_all = {m.path for m in roots}
        done: set[ModuleVersion] = set()
        for _ in range(_MAX_MODULES):
            needs: set[ModuleVersion] = set()
            for path in sorted(has_deps_in_all):
                mod = ModuleVersion(path=path, version=self._selected(path))
                if mod not in done:
                    needs.add(mod)
                    continue
                for req in self.required.get(mod, ()):
                    sel = ModuleVersion(path=req.path, version=self._selected(req.path))
                    if semver.compare(sel.version, req.version) > 0 and sel not in done:
                        needs.add(sel)
            if not needs:
                return
            for mod in sorted(needs):
                enqueue(mod, "workspace")
                done.add(mod)
                has_deps_in_all.add(mod.path)
            drain()

    def _selected(self, path: str) -> str:
        mains = {m.path for m in self.project.main_modules}
        if path in mains:
            return ""
        return self.selected.get(path, "none")

    def find_error(self) -> str:
        """mvs.Graph.FindPath + BuildListError: the first failing module, breadth first
        (kept in `first_failure`)."""
        first: dict[ModuleVersion, ModuleVersion | None] = dict.fromkeys(self.roots)
        queue = deque(self.roots)
        while queue:
            mod = queue.popleft()
            failed = self.summaries.get(mod)
            if isinstance(failed, _SummaryError):
                self.first_failure = failed
                path = [mod]
                parent = first[mod]
                while parent is not None:
                    path.append(parent)
                    parent = first[parent]
                path.reverse()
                return _build_list_error(path, failed)
            for req in self.required.get(mod, ()):
                if req not in first:
                    first[req] = mod
                    queue.append(req)
        return ""


def _build_list_error(stack: list[ModuleVersion], err: _SummaryError) -> str:
    """mvs.BuildListError.Error: "a@v1 requires\\n\\tb@v1 requires\\n\\tc@v1: problem"."""
    while stack and not stack[0].version:
        stack = stack[1:]
    if not stack:
        return err.message
    head = "".join(f"{m} requires\n\t" for m in stack[:-1])
    last = stack[-1]
    if err.module == last:
        return f"{head}{last}: {err.message}"
    return f"{head}{last} (replaced by {err.module}): {err.message}"


def load_module_graph(project: Project, env: Mapping[str, str] | None = None) -> ModuleGraph:
    """Read the module graph of the project's main modules (never fetches, never writes)."""
    env = os.environ if env is None else env
    goproxy = env.get("GOPROXY", DEFAULT_GOPROXY) or DEFAULT_GOPROXY
    loader = _Loader(project, GoModFetcher(project.modcache, goproxy), env)
    mains = [ModuleVersion(path=m.path, version="") for m in project.main_modules]
    direct: set[str] = set()
    if project.workspace is not None:
        pruning = "workspace"
        roots = list(mains)
        loader.roots = roots
        for main in project.main_modules:
            direct.update(r.path for r in main.gomod.requires if not r.indirect)
            loader.summaries[ModuleVersion(path=main.path, version="")] = _Summary(
                requires=tuple(
                    ModuleVersion(path=r.path, version=r.version)
                    for r in main.gomod.requires
                    if ModuleVersion(path=r.path, version=r.version) not in loader.excludes
                ),
                pruned=_pruned(main.gomod.go or _DEFAULT_GO_MOD_VERSION),
            )
        loader.read_graph(pruning, roots)
    else:
        main = project.main_modules[0]
        pruning = "pruned" if _pruned(main.gomod.go or _DEFAULT_GO_MOD_VERSION) else "unpruned"
        roots = sorted(
            {
                ModuleVersion(path=r.path, version=r.version)
                for r in main.gomod.requires
                if ModuleVersion(path=r.path, version=r.version) not in loader.excludes
            },
            key=functools.cmp_to_key(_mod_compare),
        )
        direct.update(r.path for r in main.gomod.requires if not r.indirect)
        loader.roots = [mains[0]]
        loader.summaries[mains[0]] = _Summary(requires=tuple(roots), pruned=pruning == "pruned")
        loader.require(mains[0], tuple(roots))
        loader.read_graph(pruning, roots)
    main_paths = {m.path for m in mains}
    out = [
        BuildModule(path=m.path, version="", main=True, indirect=False, replace=None) for m in mains
    ]
    for path in sorted(loader.selected, key=lambda p: (p, "")):
        if path in main_paths:
            continue
        mod = ModuleVersion(path=path, version=loader.selected[path])
        out.append(
            BuildModule(
                path=path,
                version=mod.version,
                main=False,
                indirect=path not in direct,
                replace=loader.replacement(mod),
            )
        )
    error = loader.find_error()
    failure = loader.first_failure
    return ModuleGraph(
        pruning=pruning,
        build_list=tuple(out),
        error=error,
        required=dict(loader.required),
        too_new=(failure.too_new, failure.message) if failure and failure.too_new else ("", ""),
    )


def _mod_compare(a: ModuleVersion, b: ModuleVersion) -> int:
    """gover.ModSort's order: by path, then by version (semver order)."""
    if a.path != b.path:
        return -1 if a.path < b.path else 1
    return semver.compare(a.version, b.version)


def load_for_packages(project: Project, env: Mapping[str, str] | None = None) -> ModuleGraph | None:
    """The module graph package loading consults, or None when go reads none.

    go reads no graph in vendor mode (modules.txt stands for it), inside GOROOT (std, cmd)
    or without a main module. A main module before go 1.17 has its whole graph loaded before
    any package: when a go.mod in it cannot be read, go refuses the run, and so does this
    (`ModGraphError` with go's text, e.g. "github.com/vishvananda/netlink@v1.1.0: module
    lookup disabled by GOPROXY=off"). From go 1.17 the graph is consulted lazily, for an
    import no root module provides, so its error is the caller's to report there.
    """
    if project.vendor or project.in_goroot or not project.main_modules:
        return None
    graph = load_module_graph(project, env)
    if graph.pruning == "unpruned" and graph.error:
        raise ModGraphError(graph.error)
    if graph.pruning == "unpruned":
        _check_unpruned_roots(project, graph)
    return graph


# cmd/go/internal/modload/buildlist.go: updateUnprunedRoots (go1.27.3)
def _check_unpruned_roots(project: Project, graph: ModuleGraph) -> None:
    """Before go 1.17, a requirement of go.mod below the version the graph selects needs a
    go.mod update, which go refuses outside -mod=mod ("updates to go.mod needed; ...")."""
    if project.build_mod == "mod":
        return
    main = project.main_modules[0]
    for req in main.gomod.requires:
        if req.path != main.path and graph.selected(req.path) != req.version:
            raise ModGraphError(go_mod_dirty(project))
