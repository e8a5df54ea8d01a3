"""One package on one target: its verdict (`Status`) and the rule hits it raises.

`judge_package` reads the facts of one package as the evaluate stage loaded them for one
target, compares a cgo=0 target with its cgo=1 twin (what drops out, what takes over),
and matches the cgo preambles' headers and `-l` libraries against the target's libc.
"""

from __future__ import annotations

import dataclasses
import functools
import operator
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import TypeVar

from cgotrap.evaluate import reach
from cgotrap.evaluate.model import MatrixResult, PackageFacts, TargetPackages
from cgotrap.evaluate.sources import distinct_packages
from cgotrap.judge.finding import Evidence, Rule
from cgotrap.judge.headers import HeaderCatalog, PredefineCatalog, framework_of
from cgotrap.judge.rules import source as rules
from cgotrap.judge.scan.facts import (
    c_like_files,
    includes_on_target,
    ldflags_libs,
    rel_files,
    relative_dir,
)
from cgotrap.judge.scan.model import IncludeOnTarget, PackageOnTarget, Status
from cgotrap.read import cpp
from cgotrap.targets import Libc, PortTable, Target

_NO_GO_FILES = "build constraints exclude all Go files"


_NEEDS_EXTERNAL_LINK = "requires external (cgo) linking, but cgo is not enabled"


_APPLE_GOOS = frozenset({"darwin", "ios"})


# `-l` names every C library provides, for targets whose libc the data does not cover.
_UNIVERSAL_LIBS = frozenset({"c", "m", "pthread", "dl", "rt"})


_NO_MACROS = cpp.Macros(defined={})
"""Where the compiler's predefines are unknown (aix): every condition is UNKNOWN."""


@dataclasses.dataclass(frozen=True, kw_only=True, slots=True)
class Hit:
    """One rule's finding on one package and target, before the targets are merged."""

    rule: Rule
    package: str
    subject: str
    target: Target
    files: tuple[str, ...] = ()
    labels: tuple[str, ...] = ()
    extra: tuple[str, ...] = ()
    condition: str = ""
    evidence: tuple[Evidence, ...] = ()
    values: tuple[tuple[str, str], ...] = ()
    """Template fields of the rule beyond the ones `findings` derives, (name, value)."""


class Reach:
    """The import graph of one class of targets, its reverse, its main roots, and what
    reaches the packages asked of it (`nearest`): targets listing the same packages with
    the same names and imports, and the same roots, have one (`ScanContext.reach`).

    With `apart` (the standard library's import paths, when no standard package of the
    listing imports anything else: `ScanContext.reach` checks) the graph holds only the
    other packages and their imports of each other: every chain to such a package, every
    importer of one and every one of them a package reaches is then the same as in the
    whole graph, for half the edges on a large module (moby: 8,091 of 19,545). Chains to
    a standard package are asked of the whole graph (`whole`)."""

    def __init__(
        self,
        listing: TargetPackages,
        *,
        rows: reach.GraphRows | None = None,
        packages: Mapping[str, PackageFacts] | None = None,
        apart: frozenset[str] | None = None,
        graph: dict[str, tuple[str, ...]] | None = None,
        named_main: frozenset[str] | None = None,
    ) -> None:
        """`rows`: `reach.import_graph`'s memo; `packages`: the listing's by import path;
        `apart`: the standard packages left out of `graph` (`ScanContext.reach`'s);
        `named_main`: the packages named main on some target (`CrossFacts.mains`)."""
        self._listing = listing
        self._rows = rows
        self.apart = apart
        """The import paths left out of `graph` (None: the whole graph)."""
        self.graph = reach.import_graph(listing, rows) if graph is None else graph
        """(Each package's imports sorted: go's load order follows them.)"""
        self.mains = reach.main_roots(listing, packages, named_main=named_main)
        self._named_main = named_main
        self._reverse: dict[str, list[str]] | None = None
        self._nearest: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {}
        self._downward: dict[tuple[str, ...], frozenset[str]] = {}
        self._whole: Reach | None = None
        self._main_set = frozenset(self.mains)

    def whole(self) -> Reach:
        """This class's `Reach` over the whole graph (this one when it is)."""
        if self.apart is None:
            return self
        if self._whole is None:
            self._whole = Reach(self._listing, rows=self._rows, named_main=self._named_main)
        return self._whole

    @property
    def reverse(self) -> dict[str, list[str]]:
        """`reach.reverse_graph` of the graph (worked out when first asked: a target where
        nothing breaks and nothing is chained never needs it)."""
        if self._reverse is None:
            self._reverse = reach.reverse_graph(self.graph)
        return self._reverse

    def downward(self, start: Sequence[str]) -> frozenset[str]:
        """`start` and every package they import, transitively (with `apart`: of the
        packages not apart, those; ask only about them)."""
        key = tuple(start)
        got = self._downward.get(key)
        if got is None:
            seen = set(key)
            stack = list(key)
            while stack:
                for imp in self.graph.get(stack.pop(), ()):
                    if imp not in seen:
                        seen.add(imp)
                        stack.append(imp)
            got = self._downward[key] = frozenset(seen)
        return got

    def nearest(self, goal: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
        """`reach.nearest_sources` from the main roots to `goal` (worked out once): the
        main roots reaching it, nearest first, and the shortest chain (what the scan
        reports of `reach.import_chains`' chains, without a chain per root)."""
        if self.apart is not None and goal in self.apart:
            return self.whole().nearest(goal)
        got = self._nearest.get(goal)
        if got is None:
            got = self._nearest[goal] = reach.nearest_sources(
                self.graph, self._main_set, goal, reverse=self.reverse
            )
        return got


def _graph_apart(
    listing: TargetPackages, apart: frozenset[str], rows: dict[int, tuple[str, ...]]
) -> dict[str, tuple[str, ...]] | None:
    """The import graph of `listing`'s packages outside `apart` (the standard library's),
    each one's imports outside it, sorted; None when a standard package imports a package
    outside it (a chain could then pass through the standard library). `rows`: a memo by
    imports tuple (the packages of a matrix share a few thousand: moby's 27,520 objects
    2,275)."""
    graph: dict[str, tuple[str, ...]] = {}
    for p in listing.packages:
        imports = p.imports
        row = rows.get(id(imports))
        if row is None:
            kept = [i for i in imports if i not in apart and i != "C"]
            row = rows[id(imports)] = tuple(sorted(kept))
        if not p.standard:
            graph[p.import_path] = row
        elif row:
            return None
    return graph


def graph_class(listing: TargetPackages) -> tuple[object, ...]:
    """What a target's import graph and main roots are made of: equal for targets that
    share a `Reach`. The loader's `shape` says it where it knows it (hashing every
    package's imports per target cost more than the rest of grouping)."""
    if listing.shape >= 0:
        return ("shape", listing.shape)
    return (
        tuple([(p.import_path, p.name, p.imports) for p in listing.packages]),
        listing.roots,
    )


@dataclasses.dataclass(frozen=True, kw_only=True, slots=True)
class ScanContext:
    """What the rules of a scan read: the matrix, each target's facts and listing, the cgo files."""

    matrix: MatrixResult
    facts: dict[Target, dict[str, PackageFacts]]
    packages: Sequence[PackageFacts]
    """Every package object of `matrix` once (`sources.distinct_packages`)."""
    listing: dict[Target, TargetPackages]
    known_cgo_files: dict[str, frozenset[str]]
    took_over: dict[str, frozenset[str]]
    interesting: frozenset[str]
    """Packages that compile C code, or carry C files, on some loaded target."""
    headers: HeaderCatalog
    predefines: PredefineCatalog
    ports: PortTable
    project_std: bool
    cross: CrossFacts
    """The facts of every loaded target (`matrix` may hold only some of them)."""
    class_of: dict[Target, int] = dataclasses.field(default_factory=dict)
    """The class of each target `group` was given (equal `graph_class`, equal number)."""
    pending: dict[int, int] = dataclasses.field(default_factory=dict)
    """Per class: the targets `group` was given that are not `done` yet."""
    live: dict[int, Reach] = dataclasses.field(default_factory=dict)
    """The `Reach` of each class in use (dropped when its last target is done: on moby
    `--targets all` 81 classes of 88 targets, ~0.3 MB each)."""
    relative_dirs: dict[tuple[str, bool, str], str | None] = dataclasses.field(default_factory=dict)
    """Memo of `relative`."""
    graph_rows: reach.GraphRows = dataclasses.field(default_factory=dict)
    """Memo of the import graphs (`reach.import_graph`; `matrix` keeps the packages)."""
    apart_rows: dict[int, tuple[str, ...]] = dataclasses.field(default_factory=dict)
    """Memo of the graphs without the standard library (`_graph_apart`)."""
    standard_paths: list[frozenset[str] | None] = dataclasses.field(default_factory=list)
    """Once worked out: the import paths of the standard packages, or None when one of
    them is also the path of a package that is not standard (`_standard_paths`)."""
    twins: dict[Target, Target | None] = dataclasses.field(default_factory=dict)
    """Memo of `twin`."""
    cgo_ports: dict[Target, bool] = dataclasses.field(default_factory=dict)
    """Memo of `cgo_supported`."""

    def twin(self, target: Target) -> Target | None:
        """`twin_of` a cgo=0 target among the targets of `facts`, None for a cgo=1 one
        (worked out once per target: every package of the target asks)."""
        if target.cgo:
            return None
        got = self.twins.get(target, target)
        if got is target:
            got = self.twins[target] = twin_of(target, tuple(self.facts))
        return got

    def cgo_supported(self, target: Target) -> bool:
        """Whether Go supports cgo on `target`'s port (True for a port it does not know),
        worked out once per target."""
        got = self.cgo_ports.get(target)
        if got is None:
            port = self.ports.get(target.goos, target.goarch)
            got = self.cgo_ports[target] = port.cgo_supported if port is not None else True
        return got

    def group(self, targets: Sequence[Target]) -> None:
        """Sort `targets` into classes (`graph_class`) before they are judged one by one;
        each is then `done` once."""
        new = [t for t in targets if t not in self.class_of]
        if new:
            members: dict[int, Target] = {}
            for t, n in self.class_of.items():  # one member names each known class
                members.setdefault(n, t)
            numbers = {graph_class(self.listing[t]): n for n, t in members.items()}
            for t in new:
                self.class_of[t] = numbers.setdefault(graph_class(self.listing[t]), len(numbers))
        self.pending.clear()
        for t in targets:
            n = self.class_of[t]
            self.pending[n] = self.pending.get(n, 0) + 1

    def prepare(self, targets: Sequence[Target], *, stop: Callable[[], bool]) -> None:
        """Work out the import graphs of `targets`' classes ahead (their reverses, and what
        their main packages reach), one class at a time until `stop()` (for a process with
        time on its hands: `group` and `reach` then find them)."""
        self.group(targets)
        for t in targets:
            if stop():
                return
            got = self.reach(t)
            _ = got.reverse
            got.downward(got.mains)  # (what `decide` asks, unless a pattern names a package)

    def reach(self, target: Target) -> Reach:
        """The import graph, main roots and chains of `target`, shared by every target of
        its class (`group` first, `done` after)."""
        n = self.class_of.get(target)
        if n is None:
            self.group([target])
            n = self.class_of[target]
        got = self.live.get(n)
        if got is None:
            listing = self.listing[target]
            # The standard library's packages set apart, unless they are the project's
            # (then its packages are judged and chained, as with `--include-std`).
            apart = None if self.project_std else self._standard_paths()
            graph = None if apart is None else _graph_apart(listing, apart, self.apart_rows)
            got = self.live[n] = Reach(
                listing,
                rows=self.graph_rows,
                packages=self.facts[target],
                apart=apart if graph is not None else None,
                graph=graph,
                named_main=self.cross.mains,
            )
        return got

    def _standard_paths(self) -> frozenset[str] | None:
        if not self.standard_paths:
            standard = frozenset(p.import_path for p in self.packages if p.standard)
            other = {p.import_path for p in self.packages if not p.standard}
            self.standard_paths.append(None if standard & other else standard)
        return self.standard_paths[0]

    def done(self, target: Target) -> None:
        """`target` needs its `Reach` no more (the last of its class frees it)."""
        n = self.class_of.get(target)
        if n is None or n not in self.pending:
            return
        self.pending[n] -= 1
        if self.pending[n] <= 0:
            del self.pending[n]
            self.live.pop(n, None)

    def relative(self, p: PackageFacts) -> str | None:
        """`facts.relative_dir` of `p` against the module root (worked out once per
        directory: every package is judged on every target)."""
        key = (p.dir, p.standard, p.import_path)
        if key in self.relative_dirs:
            return self.relative_dirs[key]
        got = self.relative_dirs[key] = relative_dir(p, self.matrix.module_root)
        return got


def twin_of(target: Target, loaded: Sequence[Target]) -> Target | None:
    """The cgo=1 target of the same port (the plain one first) for a cgo=0 target."""
    candidates = [t for t in loaded if t.cgo and t.port == target.port]
    candidates.sort(key=lambda t: (t.libc is not None, t.libc or Libc.GNU, t.glibc_version or ""))
    return candidates[0] if candidates else None


@dataclasses.dataclass(frozen=True, kw_only=True, slots=True)
class CrossFacts:
    """What judging one target needs to know of the other loaded targets: read off a matrix
    (`cross_facts`), or off two matrices of disjoint targets and merged (`merge`), which
    gives what one matrix of all of them gives when each port's targets (a cgo=0 target
    and its cgo=1 twins) are in the same one. Sets of import paths and file names only:
    small next to the matrix, and cheap to send to another process."""

    known_cgo_files: dict[str, frozenset[str]]
    """The cgo files of each package, over every loaded target."""
    twin_took_over: dict[str, frozenset[str]]
    """Files seen taking over from cgo files on a port with both modes loaded."""
    left_out: dict[str, frozenset[str]]
    """Per package: the files every cgo build of it leaves out (`//go:build !cgo`)."""
    c_like: frozenset[str]
    """Packages that carry C, C++, Objective-C or Fortran files on some target."""
    roots: frozenset[str]
    """The packages the patterns matched, on some target."""
    standard: frozenset[str]
    """The standard-library packages listed on some target."""
    mains: frozenset[str]
    """Packages named main on some target."""
    cgo_flags: dict[str, frozenset[tuple[str, ...]]]
    """Per package: its cgo CPPFLAGS then CFLAGS on each target (the distinct ones), for
    the macro names they define anywhere (`cinclude.flag_macro_names`)."""
    unresolved: dict[Target, tuple[str, ...]]
    """Per target: the packages go could not find (`report.is_unresolved`), in order."""

    def merge(self, other: CrossFacts) -> CrossFacts:
        """The facts of both matrices' targets."""

        left_out = dict(self.left_out)
        for k, v in other.left_out.items():
            left_out[k] = left_out[k] & v if k in left_out else v
        return CrossFacts(
            known_cgo_files=_union(self.known_cgo_files, other.known_cgo_files),
            twin_took_over=_union(self.twin_took_over, other.twin_took_over),
            left_out=left_out,
            c_like=self.c_like | other.c_like,
            roots=self.roots | other.roots,
            standard=self.standard | other.standard,
            mains=self.mains | other.mains,
            cgo_flags=_union(self.cgo_flags, other.cgo_flags),
            unresolved={**self.unresolved, **other.unresolved},
        )


_V = TypeVar("_V")


def _union(
    a: Mapping[str, frozenset[_V]], b: Mapping[str, frozenset[_V]]
) -> dict[str, frozenset[_V]]:
    out = dict(a)
    for k, v in b.items():
        out[k] = out[k] | v if k in out else v
    return out


def cross_facts(
    matrix: MatrixResult,
    facts: Mapping[Target, Mapping[str, PackageFacts]] | None = None,
    packages: Sequence[PackageFacts] | None = None,
) -> CrossFacts:
    """The `CrossFacts` of `matrix`'s targets (`facts`: each target's packages by import
    path, and `packages`: `sources.distinct_packages(matrix)`, when the caller has them)."""
    if facts is None:
        facts = {tp.target: {p.import_path: p for p in tp.packages} for tp in matrix.per_target}
    distinct = distinct_packages(matrix) if packages is None else packages
    known: dict[str, set[str]] = {}
    for p in distinct:
        if p.cgo_files:
            known.setdefault(p.import_path, set()).update(p.cgo_files)
    took_over = _twin_took_over(facts, known)
    left_out: dict[str, frozenset[str]] = {}
    for pkgs in facts.values():
        for ip in known:
            q = pkgs.get(ip)
            if q is not None and q.uses_cgo:
                here = frozenset(q.ignored_go_files)
                left_out[ip] = left_out[ip] & here if ip in left_out else here
    cgo_flags: dict[str, frozenset[tuple[str, ...]]] = {}
    for p in distinct:
        if p.cgo_cppflags or p.cgo_cflags:
            flags = (*p.cgo_cppflags, *p.cgo_cflags)
            cgo_flags[p.import_path] = cgo_flags.get(p.import_path, frozenset()) | {flags}
    return CrossFacts(
        known_cgo_files={k: frozenset(v) for k, v in known.items()},
        twin_took_over={k: frozenset(v) for k, v in took_over.items()},
        left_out=left_out,
        c_like=frozenset(p.import_path for p in distinct if c_like_files(p)),
        roots=frozenset(r for tp in matrix.per_target for r in tp.roots),
        standard=frozenset(p.import_path for p in distinct if p.standard),
        mains=frozenset(p.import_path for p in distinct if p.name == "main"),
        cgo_flags=cgo_flags,
        unresolved=_unresolved(matrix, distinct),
    )


def _twin_took_over(
    facts: Mapping[Target, Mapping[str, PackageFacts]], known: Mapping[str, object]
) -> dict[str, set[str]]:
    """`CrossFacts.twin_took_over`: per package that uses cgo on a cgo=1 target, the Go
    files its cgo=0 twin builds and it does not. `known`: the packages with cgo files on
    some target (only they use cgo anywhere: GOROOT std, ~10 of ~380 per target)."""
    took_over: dict[str, set[str]] = {}
    loaded = tuple(facts)
    for target in loaded:
        twin = None if target.cgo else twin_of(target, loaded)
        if twin is None:
            continue
        there = facts[twin]
        here = facts[target]
        for ip in known:
            p = here.get(ip)
            with_cgo = there.get(ip)
            if p is not None and with_cgo is not None and with_cgo.uses_cgo:
                built_there = set(with_cgo.go_files) | set(with_cgo.cgo_files)
                took_over.setdefault(ip, set()).update(set(p.go_files) - built_there)
    return took_over


def _unresolved(
    matrix: MatrixResult, distinct: Iterable[PackageFacts]
) -> dict[Target, tuple[str, ...]]:
    """`CrossFacts.unresolved` (looked for among the distinct objects first: most runs have
    none, and the targets' listings are then not walked again)."""
    bad = {id(p) for p in distinct if is_unresolved(p)}
    if not bad:
        return {}
    return {
        tp.target: tuple(p.import_path for p in tp.packages if id(p) in bad)
        for tp in matrix.per_target
    }


def is_unresolved(p: PackageFacts) -> bool:
    """An imported package go could not find (its module not downloaded, or not required):
    its files, and so its cgo status, are unknown."""
    return p.dep_only and not p.dir and not p.standard and p.error is not None


_IMPORT_PATH = operator.attrgetter("import_path")


def build_context(
    matrix: MatrixResult,
    headers: HeaderCatalog,
    macros: PredefineCatalog,
    ports: PortTable,
    cross: CrossFacts | None = None,
) -> ScanContext:
    """The context to judge `matrix`'s targets in; `cross`: the facts of every target
    loaded (`CrossFacts.merge`) when `matrix` holds only some of them (default: its own;
    `with_cross` swaps them later)."""
    facts: dict[Target, dict[str, PackageFacts]] = {}
    listing: dict[Target, TargetPackages] = {}
    for tp in matrix.per_target:
        listing[tp.target] = tp
        facts[tp.target] = dict(zip(map(_IMPORT_PATH, tp.packages), tp.packages, strict=True))
    packages = distinct_packages(matrix)
    ctx = ScanContext(
        matrix=matrix,
        facts=facts,
        packages=packages,
        listing=listing,
        known_cgo_files={},
        took_over={},
        interesting=frozenset(),
        headers=headers,
        predefines=macros,
        ports=ports,
        project_std=False,
        cross=cross or cross_facts(matrix, facts, packages),
    )
    return with_cross(ctx, ctx.cross)


def with_cross(ctx: ScanContext, cross: CrossFacts) -> ScanContext:
    """`ctx` with the facts of every loaded target `cross` (its own listings unchanged)."""
    # Files seen taking over from cgo files on a port with both modes loaded: on ports
    # without cgo (no cgo=1 twin) these are the candidates for "what takes over".
    took_over = dict(cross.twin_took_over)
    # No twin anywhere: files every cgo build of the package leaves out (`//go:build !cgo`).
    for ip in cross.known_cgo_files:
        if ip not in took_over:
            took_over[ip] = cross.left_out.get(ip, frozenset())
    roots = cross.roots
    return dataclasses.replace(
        ctx,
        known_cgo_files=cross.known_cgo_files,
        took_over=took_over,
        interesting=frozenset(cross.known_cgo_files) | cross.c_like,
        project_std=bool(roots) and roots <= cross.standard,
        cross=cross,
    )


@dataclasses.dataclass(frozen=True, kw_only=True, slots=True)
class _Hits:
    """The rule hits of one package on one target, as they are found."""

    package: str
    target: Target
    found: list[Hit] = dataclasses.field(default_factory=list)

    def __call__(
        self,
        r: Rule,
        subject: str = "",
        *,
        files: tuple[str, ...] = (),
        extra: tuple[str, ...] = (),
        labels: tuple[str, ...] = (),
        condition: str = "",
    ) -> None:
        self.found.append(
            Hit(
                rule=r,
                package=self.package,
                subject=subject,
                target=self.target,
                files=files,
                extra=extra,
                labels=labels,
                condition=condition,
            )
        )


def judge_package(
    ctx: ScanContext, target: Target, p: PackageFacts, directory: str | None
) -> tuple[PackageOnTarget, list[Hit]]:
    """The verdict on package `p` on `target`, and the rule hits it raises there."""
    hit = _Hits(package=p.import_path, target=target)
    cgo_supported = ctx.cgo_supported(target)
    other = rel_files(
        directory,
        (*c_like_files(p), *p.s_files, *p.h_files, *p.syso_files),
    )
    if p.uses_cgo:
        entry = _judge_cgo(ctx, target, p, directory, hit, cgo_supported=cgo_supported)
        return entry(other_files=other), hit.found
    c_like = c_like_files(p)
    if target.cgo and c_like and not p.swig_files and not p.swigcxx_files:
        hit(rules.c_files_without_cgo, files=rel_files(directory, c_like))
        return PackageOnTarget(target=target, status=Status.ERROR, other_files=other), hit.found
    entry = _judge_without_cgo(ctx, target, p, directory, hit, cgo_supported=cgo_supported)
    return entry(other_files=other), hit.found


def _judge_cgo(
    ctx: ScanContext,
    target: Target,
    p: PackageFacts,
    directory: str | None,
    hit: _Hits,
    *,
    cgo_supported: bool,
) -> functools.partial[PackageOnTarget]:
    """A package that compiles C code here: what its preambles include and link (its entry
    but for `other_files`, the caller's)."""
    macros = (ctx.predefines.for_target(target) or _NO_MACROS).with_flags(
        (*p.cgo_cppflags, *p.cgo_cflags)
    )
    includes = includes_on_target(p, macros, ctx.headers)
    maybe = [i for i in includes if i.active is not cpp.Truth.FALSE]
    libs = ldflags_libs(p.cgo_ldflags)
    cgo_files = rel_files(directory, p.cgo_files)
    if target.cgo and not cgo_supported:
        hit(rules.cgo_required_on_port_without_cgo, files=cgo_files)
    _judge_headers(ctx, target, p, hit, maybe=maybe, cgo_files=cgo_files)
    libc = ctx.headers.for_target(target)
    for lib in libs:
        if libc is not None:
            provided = libc.has_lib(lib)
        elif target.goos == "linux":  # a Linux port zig has no glibc for (linux/ppc64)
            provided = lib in ctx.headers.family_libs.get("glibc", _UNIVERSAL_LIBS)
        else:
            provided = lib in _UNIVERSAL_LIBS
        if not provided:
            hit(rules.needs_system_library, lib, files=cgo_files)
    for name in p.cgo_pkg_config:
        hit(rules.needs_pkg_config, name, files=cgo_files)
    if ctx.project_std is False and p.standard:
        hit(rules.std_package_uses_cgo, files=cgo_files)
    if p.error is not None:
        hit(rules.go_package_error, _relative_message(p.error.err, p.dir, directory))
    return functools.partial(
        PackageOnTarget,
        target=target,
        status=Status.CGO,
        cgo_files=cgo_files,
        system_headers=tuple(sorted({i.header for i in maybe if not i.local})),
        local_headers=tuple(sorted({i.header for i in maybe if i.local})),
        includes=includes,
        libs=libs,
        pkg_config=p.cgo_pkg_config,
    )


def _judge_headers(
    ctx: ScanContext,
    target: Target,
    p: PackageFacts,
    hit: _Hits,
    *,
    maybe: Sequence[IncludeOnTarget],
    cgo_files: tuple[str, ...],
) -> None:
    """Hits for the system headers a preamble may include here that the target lacks."""
    libc = ctx.headers.for_target(target)
    judged: set[str] = set()
    for inc in maybe:
        header = inc.header
        if inc.local or header in judged:
            continue
        judged.add(header)
        guard = inc.unknown_guard
        framework = ""
        if target.goos in _APPLE_GOOS and not ctx.headers.is_libc_header(header):
            framework = framework_of(header, p.cgo_ldflags)
        if framework:
            hit(
                rules.header_from_apple_framework,
                header,
                files=cgo_files,
                extra=(framework,),
                condition=guard,
            )
        elif not ctx.headers.is_libc_header(header):
            hit(rules.header_from_external_library, header, files=cgo_files, condition=guard)
        elif libc is not None and not libc.has_header(header):
            if libc.family == "darwin" and header in ctx.headers.bsd_headers:
                hit(
                    rules.header_missing_in_zig_macos_headers,
                    header,
                    files=cgo_files,
                    condition=guard,
                )
            else:
                hit(
                    rules.header_missing_on_target,
                    header,
                    files=cgo_files,
                    labels=(libc.label,),
                    condition=guard,
                )


def _judge_without_cgo(
    ctx: ScanContext,
    target: Target,
    p: PackageFacts,
    directory: str | None,
    hit: _Hits,
    *,
    cgo_supported: bool,
) -> functools.partial[PackageOnTarget]:
    """A package without cgo here: what dropped out, and what took over? (Its entry but
    for `other_files`, the caller's.)"""
    ip = p.import_path
    explained = False
    lost: set[str] = set()
    gained: set[str] = set()
    twin = ctx.twin(target)
    with_cgo = ctx.facts[twin].get(ip) if twin is not None else None
    built_here = set(p.go_files) | set(p.cgo_files)
    if with_cgo is not None:
        if with_cgo.uses_cgo:
            built_there = set(with_cgo.go_files) | set(with_cgo.cgo_files)
            lost = built_there - built_here
            gained = set(p.go_files) - built_there
    elif not target.cgo and twin is None:
        # A port without cgo (or loaded without its twin): cgo files known from other
        # targets are what drops out; what took over elsewhere is what takes over here.
        lost = set(p.ignored_go_files) & ctx.known_cgo_files.get(ip, frozenset())
        gained = set(p.go_files) & ctx.took_over.get(ip, frozenset())
    status = Status.PURE
    dropped = rel_files(directory, sorted(lost))
    took_over = rel_files(directory, sorted(gained))
    if lost:
        if not built_here:
            status = Status.BROKEN
            explained = True
            if cgo_supported:
                hit(rules.cgo_without_fallback, files=dropped)
            else:
                hit(rules.cgo_required_on_port_without_cgo, files=dropped)
        elif gained:
            status = Status.FALLBACK
            hit(rules.cgo_fallback_takes_over, files=took_over, extra=dropped)
        elif with_cgo is None:
            # No twin to compare with: the cgo files may be excluded by GOOS as much as
            # by cgo (net's cgo_linux.go on plan9); claim nothing.
            pass
        else:
            status = Status.DROPPED
            hit(rules.cgo_files_dropped_without_replacement, files=dropped)
    if p.error is not None and not explained:
        message = _relative_message(p.error.err, p.dir, directory)
        # A package matched by a wildcard and excluded on this GOOS is skipped by go build;
        # imported, it is a real failure.
        if _NEEDS_EXTERNAL_LINK in message:
            hit(rules.port_requires_cgo_linking)
        elif _NO_GO_FILES not in message or p.dep_only:
            hit(rules.go_package_error, message)
            if status is Status.PURE:
                status = Status.ERROR
    return functools.partial(
        PackageOnTarget,
        target=target,
        status=status,
        dropped_files=dropped,
        fallback_files=took_over,
    )


def _relative_message(message: str, absolute: str, relative: str | None) -> str:
    if absolute and relative is not None:
        return message.replace(absolute, relative)
    return message


def skipped_roots(ctx: ScanContext, target: Target) -> list[tuple[str, PackageFacts, str | None]]:
    """cgo packages a wildcard matched with cgo on this port but not without it."""
    twin = ctx.twin(target)
    if twin is None:
        return []
    here = ctx.facts[target]
    there = ctx.facts[twin]
    out = []
    for ip in ctx.listing[twin].roots:
        p1 = there.get(ip)
        if ip in here or p1 is None or not p1.uses_cgo:
            continue
        if p1.standard and not ctx.project_std:
            continue
        out.append((ip, p1, relative_dir(p1, ctx.matrix.module_root)))
    return out
