"""`scan(matrix)`: the whole judgement, from the evaluate stage's `MatrixResult` to a
`ScanResult` (packages, verdicts per target, findings, target groups, `--why` chains)."""

from __future__ import annotations

import dataclasses
import functools
import itertools
import operator
import posixpath
from collections.abc import Container, Iterator, Mapping, Sequence
from itertools import chain, compress, repeat
from typing import cast

from cgotrap.evaluate import reach
from cgotrap.evaluate.model import MatrixResult, PackageFacts
from cgotrap.evaluate.sources import SourceFacts
from cgotrap.judge.finding import Finding
from cgotrap.judge.headers import HeaderCatalog, PredefineCatalog, catalog, predefines
from cgotrap.judge.rules import source as rules
from cgotrap.judge.scan.facts import rel_files, relative_dir
from cgotrap.judge.scan.findings import merge_findings
from cgotrap.judge.scan.labels import compact_targets
from cgotrap.judge.scan.model import (
    CgoPackage,
    Needs,
    PackageOnTarget,
    ScanResult,
    Status,
    StdCgo,
    TargetGroup,
    Verdict,
    WhyAnswer,
    WhyGroup,
)
from cgotrap.judge.scan.package import (
    Hit,
    ScanContext,
    build_context,
    is_unresolved,
    judge_package,
    skipped_roots,
)
from cgotrap.judge.scan.verdict import Decided, decide
from cgotrap.targets import PortTable, Target, port_table


def scan(
    matrix: MatrixResult,
    *,
    report: Sequence[Target] | None = None,
    include_std: bool = False,
    why: Sequence[str] = (),
    headers: HeaderCatalog | None = None,
    macros: PredefineCatalog | None = None,
    ports: PortTable | None = None,
    sources: SourceFacts | None = None,
) -> ScanResult:
    """Judge a matrix evaluation: cgo packages, their needs and verdicts, findings, chains.

    `report` limits the shown targets (default: every target of `matrix`); the other
    targets still serve as cgo=1 twins. Standard-library packages are summarised in `std`
    unless `include_std` (or the patterns are the standard library itself). `sources`: the
    source facts (`evaluate.sources.read_sources`) the verdicts on cgo-only names, stubs,
    dropped imports and C-file includes need; without them those are not judged.
    """
    ctx = build_context(matrix, headers or catalog(), macros or predefines(), ports or port_table())
    loaded = tuple(tp.target for tp in matrix.per_target)
    shown = tuple(t for t in (tuple(report) if report is not None else loaded) if t in ctx.facts)
    show_std = include_std or ctx.project_std
    judged = judge_targets(ctx, shown, sources or SourceFacts(), show_std=show_std)
    fold = Fold(shown)
    for one in judged:
        fold.add(one)
    present = {t: ctx.facts[t] for t in shown}
    return fold.result(matrix, present, why=tuple(_why(ctx, w, shown) for w in why))


@dataclasses.dataclass(frozen=True, kw_only=True, slots=True)
class Listed:
    """A package `TargetJudgement` reports on: its directory (relative to the module root,
    or None), whether it is standard, its entry on the target, and (when it is present)
    the main roots reaching it there and the shortest import chain (`Reach.nearest`)."""

    import_path: str
    directory: str | None
    standard: bool
    entry: PackageOnTarget
    reached_from: tuple[str, ...] | None = None
    """The main roots reaching it, nearest first (None: absent here)."""
    chain: tuple[str, ...] = ()
    """The shortest import chain from the first of them (): none reaches it)."""


@dataclasses.dataclass(frozen=True, kw_only=True, slots=True)
class TargetJudgement:
    """Everything judging one target finds (`judge_targets`), before it is folded into the
    scan's answer in target order (`Fold`); it pickles, for a second process's targets."""

    target: Target
    mains: tuple[str, ...]
    """The main packages its import graph starts from."""
    no_header_data: bool
    std_uses: tuple[str, ...]
    """Standard-library packages compiling C code here (when the standard library is not shown)."""
    unresolved: tuple[str, ...]
    listed: tuple[Listed, ...]
    """The interesting packages listed here, in listing order."""
    vanished: tuple[Listed, ...]
    """cgo packages a wildcard matches with cgo on but not here (`_vanished`)."""
    hits: tuple[Hit, ...]
    decided: dict[str, Decided]
    """The verdict of every non-standard package here (`verdict.decide`)."""
    notable: dict[str, tuple[str | None, bool]]
    """(directory, standard) of each package with a non-trivial verdict here."""


def judge_targets(
    ctx: ScanContext,
    targets: Sequence[Target],
    sources: SourceFacts,
    *,
    show_std: bool,
    order: Sequence[Target] | None = None,
) -> list[TargetJudgement]:
    """Judge `targets` (of `ctx`), one after the other. `order`: every shown target of the
    run, in order (default: `targets`), of which `targets` are some, in that order (another
    process may judge the others): `decide` treats the packages unresolved on the shown
    targets before each one (`ctx.cross.unresolved`) as unknown."""
    return [
        finish_target(ctx, started, sources)
        for started in start_targets(ctx, targets, show_std=show_std, order=order)
    ]


@dataclasses.dataclass(frozen=True, kw_only=True, slots=True)
class StartedTarget:
    """A target judged as far as it goes without the source facts (`start_targets`):
    `finish_target` decides its verdicts."""

    target: Target
    judged: dict[str, PackageOnTarget]
    hits: list[Hit]
    listed: tuple[Listed, ...]
    vanished: tuple[Listed, ...]
    std_uses: tuple[str, ...]
    unknown: dict[str, None]
    """The packages unresolved here or on a shown target before this one."""
    unresolved: tuple[str, ...]
    """Those unresolved here."""
    mains: tuple[str, ...]


def start_targets(
    ctx: ScanContext,
    targets: Sequence[Target],
    *,
    show_std: bool,
    order: Sequence[Target] | None = None,
) -> Iterator[StartedTarget]:
    """`judge_targets` up to the source facts, one target at a time (each is to be
    finished, in turn, before the import graph of its class is freed)."""
    order = tuple(order) if order is not None else tuple(targets)
    ctx.group(targets)  # targets of one class share their import graph (`Reach`)
    before: dict[str, None] = {}
    at = 0
    for target in targets:
        until = order.index(target)
        for earlier in order[at:until]:
            before.update(dict.fromkeys(ctx.cross.unresolved.get(earlier, ())))
        started = _start_target(ctx, target, show_std=show_std, before=before)
        before.update(dict.fromkeys(started.unresolved))
        at = max(at, until + 1)
        yield started


def _start_target(
    ctx: ScanContext, target: Target, *, show_std: bool, before: dict[str, None]
) -> StartedTarget:
    judged: dict[str, PackageOnTarget] = {}
    hits: list[Hit] = []
    listed: list[Listed] = []
    std_uses: list[str] = []
    unknown = dict(before)
    own_unresolved: list[str] = []
    reached_here = ctx.reach(target)  # shared by the targets of its class
    interesting = ctx.interesting  # (read once per target)
    packages = ctx.listing[target].packages
    for p in _worth_judging(packages, interesting, show_std=show_std, std_uses=std_uses):
        ip = p.import_path
        if p.error is not None and is_unresolved(p):
            unknown[ip] = None
            own_unresolved.append(ip)
            continue
        directory = ctx.relative(p)
        # Files of a dependency outside the module are named by its import path.
        entry, found = judge_package(ctx, target, p, directory or ip)
        hits.extend(found)
        if not p.standard:
            judged[ip] = entry
        if ip not in interesting:
            continue
        sources: tuple[str, ...] | None = None
        chain: tuple[str, ...] = ()
        if entry.status is not Status.ABSENT:
            sources, chain = reached_here.nearest(ip)
        listed.append(
            Listed(
                import_path=ip,
                directory=directory,
                standard=p.standard,
                entry=entry,
                reached_from=sources,
                chain=chain,
            )
        )
    vanished = []
    for ip, p1, directory, entry in _vanished(ctx, target, hits):
        judged[ip] = entry
        vanished.append(
            Listed(import_path=ip, directory=directory, standard=p1.standard, entry=entry)
        )
    return StartedTarget(
        target=target,
        judged=judged,
        hits=hits,
        listed=tuple(listed),
        vanished=tuple(vanished),
        std_uses=tuple(std_uses),
        unknown=unknown,
        unresolved=tuple(own_unresolved),
        mains=tuple(reached_here.mains),
    )


def _worth_judging(
    packages: Sequence[PackageFacts],
    interesting: frozenset[str],
    show_std: bool,
    std_uses: list[str],
) -> Iterator[PackageFacts]:
    """The packages of a listing `_start_target` judges, in order: those with an error or
    that are `interesting`, and unless `show_std` not the standard ones (whose import
    paths, when they compile C code, go to `std_uses`). Most packages are none of these
    (every target lists them): they are left out in C, not one by one."""
    if not show_std:
        standard = list(map(_STANDARD, packages))
        std_uses.extend(p.import_path for p in compress(packages, standard) if p.uses_cgo)
        packages = list(compress(packages, map(operator.not_, standard)))
    failed = compress(packages, map(operator.is_not, map(_ERROR, packages), repeat(None)))
    wanted = interesting.union(map(_IMPORT_PATH, failed))
    return compress(packages, map(wanted.__contains__, map(_IMPORT_PATH, packages)))


_STANDARD = operator.attrgetter("standard")
_ERROR = operator.attrgetter("error")
_IMPORT_PATH = operator.attrgetter("import_path")


def finish_target(
    ctx: ScanContext, started: StartedTarget, sources: SourceFacts
) -> TargetJudgement:
    """The judgement of a started target, with the source facts."""
    target, hits = started.target, started.hits
    decided = decide(ctx, target, started.judged, sources, hits, unknown=started.unknown)
    ctx.done(target)
    notable: dict[str, tuple[str | None, bool]] = {}
    for ip, d in decided.items():
        if d.verdict in _NON_TRIVIAL:
            known = ctx.facts[target].get(ip)
            notable[ip] = (
                ctx.relative(known) if known else None,
                known.standard if known else False,
            )
    return TargetJudgement(
        target=target,
        mains=started.mains,
        no_header_data=target.cgo and ctx.headers.for_target(target) is None,
        std_uses=started.std_uses,
        unresolved=started.unresolved,
        listed=started.listed,
        vanished=started.vanished,
        hits=tuple(hits),
        decided=decided,
        notable=notable,
    )


class Fold:
    """`TargetJudgement`s folded into one answer, in the order of the shown targets."""

    def __init__(self, shown: Sequence[Target]) -> None:
        self.shown = tuple(shown)
        self.verdicts: dict[str, dict[Target, PackageOnTarget]] = {}
        self.hits: list[Hit] = []
        self.dirs: dict[str, str | None] = {}
        self.standard: dict[str, bool] = {}
        self.std_uses: dict[str, list[Target]] = {}
        self.reached: dict[str, dict[str, None]] = {}
        self.chains: dict[str, tuple[str, ...]] = {}
        self.all_roots: dict[str, None] = {}
        self.no_data: list[Target] = []
        self.unresolved: dict[str, None] = {}
        self.decided: dict[Target, dict[str, Decided]] = {}

    def add(self, one: TargetJudgement) -> None:
        """Fold the next target's judgement in."""
        target = one.target
        self.all_roots.update(dict.fromkeys(one.mains))
        if one.no_header_data:
            self.no_data.append(target)
        for ip in one.std_uses:
            self.std_uses.setdefault(ip, []).append(target)
        self.unresolved.update(dict.fromkeys(one.unresolved))
        verdicts, dirs, standard, chains = self.verdicts, self.dirs, self.standard, self.chains
        for item in one.listed:
            ip = item.import_path
            dirs.setdefault(ip, item.directory)
            standard[ip] = item.standard
            verdicts.setdefault(ip, {})[target] = item.entry
            if item.reached_from is not None:
                self.reached.setdefault(ip, {}).update(dict.fromkeys(item.reached_from))
                if item.chain and (ip not in chains or item.entry.status is Status.CGO):
                    best = item.chain
                    old = chains.get(ip)
                    if old is None or (len(best), best) < (len(old), old):
                        chains[ip] = best
        for item in one.vanished:
            ip = item.import_path
            dirs.setdefault(ip, item.directory)
            standard[ip] = item.standard
            verdicts.setdefault(ip, {})[target] = item.entry
        self.hits.extend(one.hits)
        self.decided[target] = one.decided
        for ip, (directory, is_std) in one.notable.items():
            if ip not in verdicts:
                dirs[ip] = directory
                standard[ip] = is_std
                verdicts.setdefault(ip, {})

    def packages(self) -> list[str]:
        """The packages reported so far (what `result`'s `present` must answer for)."""
        return list(self.verdicts)

    def result(
        self,
        matrix: MatrixResult,
        present: Mapping[Target, Container[str]],
        *,
        why: tuple[WhyAnswer, ...] = (),
    ) -> ScanResult:
        """The answer, once every shown target is folded in; `present`: per shown target,
        which of `packages()` are listed there."""
        shown, verdicts = self.shown, self.verdicts
        _fill_verdicts(present, shown, verdicts, self.decided)
        for ip in verdicts:
            self.dirs.setdefault(ip, None)
            self.standard.setdefault(ip, False)
        record = functools.partial(
            _package_record, shown=shown, reached=self.reached, chains=self.chains
        )
        packages = tuple(
            record(ip, directory=self.dirs[ip], is_std=self.standard[ip], verdicts=verdicts[ip])
            for ip in sorted(verdicts)
        )
        findings = merge_findings(self.hits)
        return ScanResult(
            patterns=matrix.patterns,
            tags=matrix.tags,
            targets=shown,
            roots=tuple(self.all_roots),
            groups=_groups(packages, findings, shown),
            packages=packages,
            findings=findings,
            std=_std(self.std_uses, shown),
            why=why,
            problems=_relative_problems(matrix),
            no_header_data=tuple(self.no_data),
            unresolved=tuple(sorted(self.unresolved)),
            verdicts=_all_verdicts(self.decided, shown),
        )


def _relative_problems(matrix: MatrixResult) -> tuple[str, ...]:
    root = matrix.module_root.rstrip("/") + "/"
    return tuple(pr.replace(root, "") if matrix.module_root else pr for pr in matrix.problems)


def _std(std_uses: dict[str, list[Target]], shown: Sequence[Target]) -> tuple[StdCgo, ...]:
    return tuple(
        StdCgo(import_path=ip, targets=tuple(ts), where=compact_targets(ts, shown))
        for ip, ts in sorted(std_uses.items())
    )


def _vanished(
    ctx: ScanContext, target: Target, hits: list[Hit]
) -> list[tuple[str, PackageFacts, str | None, PackageOnTarget]]:
    """cgo packages `./...` matches with cgo on but not here: `go list ./...` (and `go build
    ./...`) without cgo matches no package where no Go file is left, so the package vanishes
    without a word; built alone it fails (CGO001 hits appended to `hits`)."""
    out = []
    for ip, p1, directory in skipped_roots(ctx, target):
        dropped = rel_files(directory or ip, sorted({*p1.go_files, *p1.cgo_files}))
        hits.append(
            Hit(
                rule=rules.cgo_without_fallback,
                package=ip,
                subject="",
                target=target,
                files=dropped,
            )
        )
        entry = PackageOnTarget(target=target, status=Status.BROKEN, dropped_files=dropped)
        out.append((ip, p1, directory, entry))
    return out


def _fill_verdicts(
    present: Mapping[Target, Container[str]],
    shown: Sequence[Target],
    verdicts: dict[str, dict[Target, PackageOnTarget]],
    decided: dict[Target, dict[str, Decided]],
) -> None:
    """Every reported package's entry on every shown target, with its verdict, evidence and
    the system headers of its C files."""
    not_built = Decided(verdict=Verdict.NOT_BUILT)
    for target in shown:
        here = present[target]
        for ip, found_entries in verdicts.items():
            d = decided[target].get(ip, not_built)
            entry = found_entries.get(target)
            if entry is None:
                status = Status.PURE if ip in here else Status.ABSENT
                found_entries[target] = PackageOnTarget(
                    target=target,
                    status=status,
                    verdict=d.verdict,
                    evidence=d.evidence,
                    system_headers=tuple(sorted(set(d.c_headers))),
                )
                continue
            headers = tuple(sorted({*entry.system_headers, *d.c_headers}))
            if (
                entry.verdict is d.verdict
                and entry.system_headers == headers
                and entry.evidence == d.evidence
            ):
                continue  # (it reads as it would be made again: GOROOT std's 610 of 704)
            # (`dataclasses.replace`, without its walk over the fields: ~700 entries on std)
            found_entries[target] = PackageOnTarget(
                **dict(zip(_KEPT, _KEPT_VALUES(entry), strict=True)),
                verdict=d.verdict,
                evidence=d.evidence,
                system_headers=headers,
            )


_KEPT = tuple(
    f.name
    for f in dataclasses.fields(PackageOnTarget)
    if f.name not in ("verdict", "evidence", "system_headers")
)
"""The fields of an entry `_fill_verdicts` keeps."""
_KEPT_VALUES = operator.attrgetter(*_KEPT)


def _all_verdicts(
    decided: dict[Target, dict[str, Decided]], shown: Sequence[Target]
) -> tuple[tuple[str, tuple[Verdict, ...]], ...]:
    """Every judged package with its verdict per shown target, in target order."""
    names = sorted(set().union(*decided.values()))
    if not shown:
        return tuple((ip, ()) for ip in names)
    none = itertools.repeat(Decided(verdict=Verdict.NOT_BUILT))
    verdict = operator.attrgetter("verdict")
    # One column per target, read in C (each Target hashed once, not once per package)
    columns = [list(map(verdict, map(decided[t].get, names, none))) for t in shown]
    return tuple(zip(names, zip(*columns, strict=True), strict=True))


_NON_TRIVIAL = frozenset({Verdict.BREAKS, Verdict.DEGRADES, Verdict.FALLBACK})


def _package_record(
    ip: str,
    *,
    directory: str | None,
    is_std: bool,
    verdicts: dict[Target, PackageOnTarget],
    shown: Sequence[Target],
    reached: dict[str, dict[str, None]],
    chains: dict[str, tuple[str, ...]],
) -> CgoPackage:
    # (`_fill_verdicts` gave every shown target an entry: the absent one is made if not)
    got = tuple(map(verdicts.get, shown))
    per_target = (
        tuple(
            PackageOnTarget(target=t, status=Status.ABSENT) if e is None else e
            for t, e in zip(shown, got, strict=True)
        )
        if None in got
        else cast("tuple[PackageOnTarget, ...]", got)
    )
    using = [e for e in per_target if e.status is Status.CGO]

    def union(attr: str, entries: Sequence[PackageOnTarget]) -> tuple[str, ...]:
        # (in C: ~88 entries of each of GOROOT std's packages on --targets all)
        return tuple(sorted(set(chain.from_iterable(map(operator.attrgetter(attr), entries)))))

    everywhere = union("other_files", per_target)

    def of_kind(*suffixes: str) -> tuple[str, ...]:
        return tuple(f for f in everywhere if f.endswith(suffixes))

    needs = Needs(
        system_headers=union("system_headers", using),
        local_headers=union("local_headers", using),
        libs=union("libs", using),
        pkg_config=union("pkg_config", using),
        c_files=of_kind(".c"),
        cxx_files=of_kind(".cc", ".cpp", ".cxx"),
        m_files=of_kind(".m"),
        s_files=of_kind(".s", ".S", ".sx"),
        syso_files=of_kind(".syso"),
    )
    return CgoPackage(
        import_path=ip,
        dir=directory,
        standard=is_std,
        reached_from=tuple(reached.get(ip, {})),
        chain=chains.get(ip, ()),
        needs=needs,
        per_target=per_target,
    )


def _groups(
    packages: Sequence[CgoPackage], findings: Sequence[Finding], shown: Sequence[Target]
) -> tuple[TargetGroup, ...]:
    signature: dict[Target, tuple[object, ...]] = {}
    hits: dict[Target, list[tuple[str, str, str]]] = {t: [] for t in shown}
    for f in findings:
        for t in dict.fromkeys(f.targets):
            if t in hits:
                hits[t].append((f.rule.id, f.package, f.subject))
    for i, t in enumerate(shown):
        # (a package's entries are in the order of `shown`: `_package_record`)
        statuses = tuple(
            p.per_target[i].verdict if p.per_target[i].target == t else p.on(t).verdict
            for p in packages
        )
        signature[t] = (statuses, tuple(hits[t]))
    by_sig: dict[tuple[object, ...], list[Target]] = {}
    for t in shown:
        by_sig.setdefault(signature[t], []).append(t)
    out = []
    for index, members in enumerate(by_sig.values()):
        out.append(
            TargetGroup(
                key=_column_key(index),
                label=compact_targets(members, shown),
                targets=tuple(members),
            )
        )
    return tuple(out)


def _column_key(index: int) -> str:
    """ "A".."Z", then "AA", "AB", ... (spreadsheet columns)."""
    letters = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
    key = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        key = letters[rest] + key
    return key


def _why(ctx: ScanContext, wanted: str, shown: Sequence[Target]) -> WhyAnswer:
    package = _resolve_why(ctx, wanted, shown)
    answers: dict[tuple[tuple[str, ...], ...], list[Target]] = {}
    for t in shown:
        r = ctx.reach(t).whole()  # (the package asked about may be a standard one)
        found = reach.import_chains(r.graph, r.mains, package, limit=5, reverse=r.reverse)
        answers.setdefault(tuple(found), []).append(t)
    groups = tuple(
        WhyGroup(where=compact_targets(ts, shown), targets=tuple(ts), chains=chains)
        for chains, ts in answers.items()
    )
    return WhyAnswer(package=package, groups=groups)


def _resolve_why(ctx: ScanContext, wanted: str, shown: Sequence[Target]) -> str:
    """The package `--why` asks about, named as the tables print it: an import path, or a
    directory relative to the module root ("./sqlite", "sqlite", "vendor/github.com/x/y",
    "." for the root)."""
    known = {p.import_path for t in shown for p in ctx.listing[t].packages}
    if wanted in known:
        return wanted
    rel = posixpath.normpath(wanted.lstrip("/") if wanted.startswith("/") else wanted)
    for t in shown:
        for p in ctx.listing[t].packages:
            if relative_dir(p, ctx.matrix.module_root) == rel:
                return p.import_path
    if rel.startswith("vendor/") and rel[len("vendor/") :] in known:
        return rel[len("vendor/") :]
    return wanted
