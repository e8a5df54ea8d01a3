"""What scan's verdicts read from the project's sources beyond `go list`'s facts.

The judge is pure (no file is read while judging), so the few source facts a verdict needs
are read here, once, for the packages that need them:

- Go declarations and uses (through the go/parser helper, `read.godecl`) of every Go file
  of the packages whose file set changes with cgo (a cgo file, or a file constrained on
  `cgo`, on some target), and of the Go files of their importers: enough to predict go's
  `undefined: X`, to find `!cgo` stubs and the imports a `cgo`-tagged file carries;
- the `#include` lines of the packages' C, C++ and Objective-C files and the local headers
  they reach (`read.cinclude`), and the macros those files `#define`.

Only cgo packages and their users are parsed: go/parser costs ~3.5 s of one core for all of
GOROOT/src, so a whole large tree is never read.
"""

from __future__ import annotations

import contextlib
import dataclasses
import itertools
import shutil
import tempfile
import weakref
from collections.abc import Collection, Iterable, Iterator, Mapping
from pathlib import Path
from typing import TYPE_CHECKING

from cgotrap.evaluate.model import MatrixResult, PackageFacts

if TYPE_CHECKING:
    # The readers are imported where they read: a scan with no package whose Go files
    # change with cgo and no C file of its own (GOROOT std) uses neither (~8 ms of imports).
    from cgotrap.cache import Store
    from cgotrap.read import cinclude
    from cgotrap.read.godecl import GoDeclReader, GoDecls
    from cgotrap.read.godeclrun import PendingDecls
    from cgotrap.targets import Target


@dataclasses.dataclass(frozen=True, kw_only=True, slots=True)
class SourceFacts:
    """Source facts by absolute file path (Go) and by import path (C)."""

    decls: Mapping[str, GoDecls] = dataclasses.field(default_factory=dict)
    """Declarations of each Go file read, by absolute path."""
    c_includes: Mapping[str, tuple[cinclude.CInclude, ...]] = dataclasses.field(
        default_factory=dict
    )
    """Include lines of a package's C files (over every target's file list), by import path."""
    c_defined: Mapping[str, frozenset[str]] = dataclasses.field(default_factory=dict)
    """Macro names the package's C files and headers `#define`, by import path."""
    problems: tuple[str, ...] = ()
    """One-line messages about sources that could not be read."""
    paths: dict[tuple[str, str], str] = dataclasses.field(
        default_factory=dict, compare=False, repr=False
    )
    """Memo of `file`'s paths (every target looks up the same files)."""

    def part(self, request: SourceRequest) -> SourceFacts:
        """The facts of the files `request` names (what another process's targets need)."""
        return SourceFacts(
            decls={p: self.decls[p] for p in request.go_files if p in self.decls},
            c_includes={ip: self.c_includes[ip] for ip in request.c_files if ip in self.c_includes},
            c_defined={ip: self.c_defined[ip] for ip in request.c_files if ip in self.c_defined},
        )

    def file(self, directory: str, name: str) -> GoDecls | None:
        """The declarations of `name` in `directory`, if read."""
        key = (directory, name)
        path = self.paths.get(key)
        if path is None:
            path = self.paths[key] = str(Path(directory, name))
        return self.decls.get(path)


def _all_go(p: PackageFacts) -> set[str]:
    return {*p.go_files, *p.cgo_files}


def distinct_packages(matrix: MatrixResult) -> list[PackageFacts]:
    """Every package object of `matrix`'s listings once, in the order first listed (a
    package that reads the same on several targets is one object)."""
    listed = list(itertools.chain.from_iterable(tp.packages for tp in matrix.per_target))
    return list(dict(zip(map(id, listed), listed, strict=True)).values())


def cgo_dependent(
    matrix: MatrixResult,
    *,
    facts: Mapping[Target, Mapping[str, PackageFacts]] | None = None,
    packages: Iterable[PackageFacts] | None = None,
) -> set[str]:
    """Packages whose Go file set changes with cgo on some port (both modes loaded), or
    that compile cgo files somewhere. `facts`: each target's packages by import path, and
    `packages`: `distinct_packages(matrix)`, when the caller has them."""
    by_port: dict[tuple[str, str], dict[bool, Mapping[str, PackageFacts]]] = {}
    for tp in matrix.per_target:
        t = tp.target
        modes = by_port.setdefault((t.goos, t.goarch), {})
        if t.cgo not in modes:  # (the first target of each mode: a port's plain one)
            modes[t.cgo] = (
                facts[t] if facts is not None else {p.import_path: p for p in tp.packages}
            )
    if packages is None:
        packages = distinct_packages(matrix)
    out = {p.import_path for p in packages if p.cgo_files and not p.standard}
    for modes in by_port.values():
        if True not in modes or False not in modes:
            continue
        without = modes[False]
        for ip, on in modes[True].items():
            off = without.get(ip)
            if off is on or on.standard or ip in out:
                continue  # (one object: the same files in both modes)
            # (equal lists are equal sets: most pairs build none)
            same_lists = off is not None and (
                off.go_files == on.go_files and off.cgo_files == on.cgo_files
            )
            if off is None or (not same_lists and _all_go(off) != _all_go(on)):
                out.add(ip)
    return out


@dataclasses.dataclass(frozen=True, kw_only=True, slots=True)
class SourceRequest:
    """The files `read_sources` reads for a matrix (`source_request`): requests of two
    matrices merged (`merge`) ask for what one matrix of both's targets asks for."""

    go_files: dict[str, None]
    """Go files to read declarations from, by absolute path."""
    c_files: dict[str, tuple[str, dict[str, None]]]
    """Per package with C, C++ or Objective-C files: its directory and those files' names."""

    def merge(self, other: SourceRequest) -> SourceRequest:
        """Both requests (this one's files first)."""
        c_files = {ip: (d, dict(names)) for ip, (d, names) in self.c_files.items()}
        for ip, (directory, names) in other.c_files.items():
            c_files.setdefault(ip, (directory, {}))[1].update(names)
        return SourceRequest(go_files={**self.go_files, **other.go_files}, c_files=c_files)


def source_request(
    matrix: MatrixResult,
    dependent: Collection[str],
    *,
    packages: Iterable[PackageFacts] | None = None,
) -> SourceRequest:
    """The files to read for `matrix`'s cgo-dependent packages (`dependent`, from
    `cgo_dependent` over every target loaded) and their importers. `packages`:
    `distinct_packages(matrix)`, when the caller has them."""
    files: dict[str, None] = {}
    c_files: dict[str, tuple[str, dict[str, None]]] = {}
    joined: dict[tuple[str, str], str] = {}
    wanted_paths = dependent if isinstance(dependent, (set, frozenset)) else set(dependent)
    # (a package that reads the same on several targets is one object: seen once)
    for p in distinct_packages(matrix) if packages is None else packages:
        if p.standard or not p.dir:
            continue
        ip = p.import_path
        own = ip in wanted_paths
        if own or not wanted_paths.isdisjoint(p.imports):
            names: Iterable[str] = (*p.go_files, *p.cgo_files)
            if own:
                names = (*names, *p.ignored_go_files)
            for n in names:
                key = (p.dir, n)
                path = joined.get(key)
                if path is None:  # (the package's other objects name the same files)
                    path = joined[key] = str(Path(p.dir, n))
                files[path] = None
        if p.c_files or p.cxx_files or p.m_files:
            entry = c_files.setdefault(ip, (p.dir, {}))
            entry[1].update(dict.fromkeys((*p.c_files, *p.cxx_files, *p.m_files)))
    return SourceRequest(go_files=files, c_files=c_files)


def read_sources(
    matrix: MatrixResult, reader: GoDeclReader | None, *, dependent: set[str] | None = None
) -> SourceFacts:
    """The source facts of `matrix`'s cgo-dependent packages and their importers
    (`dependent`: `cgo_dependent(matrix)`, when the caller has it already)."""
    if dependent is None:
        dependent = cgo_dependent(matrix)
    return read_requested(source_request(matrix, dependent), reader)


def read_requested(request: SourceRequest, reader: GoDeclReader | None) -> SourceFacts:
    """The source facts of the files `request` names (Go declarations only with a reader)."""
    return begin_requested(request, reader).result()


def begin_requested(request: SourceRequest, reader: GoDeclReader | None) -> PendingSources:
    """`read_requested` begun: the Go files are read and the go/parser helper started on
    them, and it parses while the caller goes on until `PendingSources.result`."""
    problems: list[str] = []
    pending = None
    kept: list[str] = []
    if reader is not None and request.go_files:
        from cgotrap.read.fdreader import read_noted
        from cgotrap.read.godecl import MAX_FILE_BYTES

        data: list[bytes] = []
        for path in request.go_files:
            try:
                data.append(read_noted(path, MAX_FILE_BYTES + 1))
                kept.append(path)
            except FileNotFoundError:
                continue  # gone since the loader listed it: its facts are simply not read
            except OSError as exc:
                problems.append(f"{path}: {exc.strerror or exc}")
        pending = reader.begin(data)
    return PendingSources(request=request, kept=kept, decls=pending, problems=problems)


@dataclasses.dataclass(kw_only=True, slots=True)
class PendingSources:
    """What `begin_requested` returns: `result()` gives the source facts, `raw()` the same
    with the Go declarations as the helper wrote them."""

    request: SourceRequest
    kept: list[str]
    """The Go files read (their declarations are in `decls`, in this order)."""
    decls: PendingDecls | None
    problems: list[str]
    c_facts: RawSources | None = None
    """The C files' facts, once read."""

    def ready(self) -> bool:
        """Whether the helper is done (`raw` then does not wait)."""
        return self.decls is None or self.decls.ready()

    def _c_files(self) -> RawSources:
        if self.c_facts is None:
            includes: dict[str, tuple[cinclude.CInclude, ...]] = {}
            defined: dict[str, frozenset[str]] = {}
            if self.request.c_files:
                from cgotrap.read import cinclude
            for ip, (directory, names) in self.request.c_files.items():
                root = Path(directory)
                includes[ip] = cinclude.package_includes(root, sorted(names))
                defined[ip] = cinclude.defined_names(root, sorted(names))
            self.c_facts = RawSources(
                decls={}, c_includes=includes, c_defined=defined, problems=tuple(self.problems)
            )
        return self.c_facts

    def c_part(self, request: SourceRequest) -> RawSources:
        """The C files' facts of `request`'s packages (read now, if not yet), without the
        Go declarations (the helper may still be at work)."""
        return self._c_files().part(request)

    def raw(self) -> RawSources:
        """The source facts, each Go file's declarations undecoded (reads the C files,
        then waits for the helper)."""
        c_facts = self._c_files()
        if self.decls is None:
            return c_facts
        return dataclasses.replace(
            c_facts, decls=dict(zip(self.kept, self.decls.raw(), strict=True))
        )

    def result(self) -> SourceFacts:
        """The source facts (reads the C files, then waits for the helper)."""
        c_facts = self._c_files()
        decls: dict[str, GoDecls] = {}
        if self.decls is not None:
            decls = dict(zip(self.kept, self.decls.result(), strict=True))
        return SourceFacts(
            decls=decls,
            c_includes=c_facts.c_includes,
            c_defined=c_facts.c_defined,
            problems=c_facts.problems,
        )


@dataclasses.dataclass(frozen=True, kw_only=True, slots=True)
class RawSources:
    """Source facts with each Go file's declarations as the helper wrote them (a JSON line;
    decoded when known before): what one process sends another, which decodes only the
    files it uses (`facts`)."""

    decls: Mapping[str, bytes | GoDecls]
    c_includes: Mapping[str, tuple[cinclude.CInclude, ...]]
    c_defined: Mapping[str, frozenset[str]]
    problems: tuple[str, ...] = ()

    def part(self, request: SourceRequest) -> RawSources:
        """The facts of the files `request` names (without the problems)."""
        decls, includes, defined = self.decls, self.c_includes, self.c_defined
        return RawSources(
            decls={p: decls[p] for p in request.go_files if p in decls},
            c_includes={ip: includes[ip] for ip in request.c_files if ip in includes},
            c_defined={ip: defined[ip] for ip in request.c_files if ip in defined},
        )

    def facts(self, *, go_pending: bool = False) -> SourceFacts:
        """These facts, each file's declarations decoded when first looked up;
        `go_pending`: the Go declarations are yet to come (`c_part`), a lookup raises
        `GoSourcesPending`."""
        return SourceFacts(
            decls=_NotYet() if go_pending else _Decoded(self.decls),
            c_includes=self.c_includes,
            c_defined=self.c_defined,
            problems=self.problems,
        )


class GoSourcesPending(Exception):  # noqa: N818  # (not an error: a question asked early)
    """A Go file's declarations were looked up in source facts that do not have them yet
    (`RawSources.facts(go_pending=True)`)."""


class _NotYet(Mapping[str, "GoDecls"]):
    """The Go declarations of source facts whose Go files are still being read."""

    def __getitem__(self, path: str) -> GoDecls:
        raise GoSourcesPending(path)

    def __contains__(self, path: object) -> bool:
        raise GoSourcesPending(path)

    def __iter__(self) -> Iterator[str]:
        raise GoSourcesPending

    def __len__(self) -> int:
        raise GoSourcesPending


class _Decoded(Mapping[str, "GoDecls"]):
    """Go declarations by path, each decoded from its helper line when first looked up."""

    def __init__(self, raw: Mapping[str, bytes | GoDecls]) -> None:
        self._raw = raw
        self._done: dict[str, GoDecls] = {}

    def __getitem__(self, path: str) -> GoDecls:
        got = self._done.get(path)
        if got is None:
            item = self._raw[path]
            if isinstance(item, bytes):
                import json

                from cgotrap.read.godecl import decode

                item = decode(json.loads(item))
            got = self._done[path] = item
        return got

    def __contains__(self, path: object) -> bool:
        return path in self._raw

    def __iter__(self) -> Iterator[str]:
        return iter(self._raw)

    def __len__(self) -> int:
        return len(self._raw)


def default_reader(
    store: Store | None = None, *, scope: str = ""
) -> tuple[GoDeclReader | None, str]:
    """The Go declaration reader scan uses, or None and one line saying why not.

    With a `store` (the CLI's cache, unless `--no-cache`) the helper is built once into the
    store's folder and per-file results are kept in the store, one entry per `scope` (the
    module root). Without one nothing is written there: the helper is built into a
    temporary folder (~0.5 s when go's build cache is warm) removed with the reader.
    """
    return PendingReader(store, scope=scope).reader()


class PendingReader:
    """`default_reader` begun early: the helper (when not built yet) builds in the
    background from construction on, while the caller goes on loading; `reader()` waits
    for it, `cancel()` stops it when no reader is needed after all. One of the two must be
    called (no build is left running)."""

    def __init__(self, store: Store | None = None, *, scope: str = "") -> None:
        from cgotrap import toolchain
        from cgotrap.errors import ToolchainMissingError
        from cgotrap.read.godecl import HelperBuild

        self._store = store
        self._scope = scope
        self._build: HelperBuild | None = None
        self._home: Path | None = None
        self._problem = ""
        go = toolchain.find("go")
        self._version = toolchain.version("go")
        if go is None or self._version is None:
            self._problem = "go not found: names used only with cgo and stubs are not judged"
            return
        try:
            build = None
            if store is not None:
                # (a cache directory that cannot be made or written: no cache for the helper)
                with contextlib.suppress(OSError):
                    build = HelperBuild.start(go.path, store.directory, self._version)
            if build is None:
                self._home = Path(tempfile.mkdtemp(prefix="cgotrap-"))
                build = HelperBuild.start(go.path, self._home, self._version)
            self._build = build
        except ToolchainMissingError as exc:
            self._fail(str(exc))

    def _fail(self, why: str) -> None:
        self._problem = f"{why}: names used only with cgo and stubs are not judged"
        if self._home is not None:
            shutil.rmtree(self._home, ignore_errors=True)
            self._home = None

    def reader(self) -> tuple[GoDeclReader | None, str]:
        """The reader once the helper is built, or None and one line saying why not."""
        from cgotrap.cache import make_key
        from cgotrap.errors import ToolchainMissingError
        from cgotrap.read.godecl import GoDeclReader, helper_key

        build, self._build = self._build, None
        if build is None:
            return None, self._problem or "the Go declaration reader was cancelled"
        try:
            helper = build.wait()
        except ToolchainMissingError as exc:
            self._fail(str(exc))
            return None, self._problem
        assert self._version is not None  # noqa: S101  # (a build was started with it)
        key = make_key("godecl-files", helper_key(self._version), self._scope)
        reader = GoDeclReader(helper, store=self._store, key=key)
        if self._home is not None:  # removed with the reader
            weakref.finalize(reader, shutil.rmtree, self._home, ignore_errors=True)
            self._home = None
        return reader, ""

    def cancel(self) -> None:
        """Stop the build (if it runs) and remove what it wrote outside the cache."""
        build, self._build = self._build, None
        if build is not None:
            build.cancel()
        if self._home is not None:
            shutil.rmtree(self._home, ignore_errors=True)
            self._home = None
