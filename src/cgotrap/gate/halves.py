"""A scan's targets evaluated and judged in two processes: `scan_in_halves`.

After the directory scans (which `ListingPlan` already spreads over two processes), a
cold scan's time goes into evaluating each target's listing and judging it, O(targets x
packages) in one process. Here a forked child evaluates and judges the ports of the second
half while this process does the first half's: each port's targets (its cgo=0 target and
cgo=1 twins) stay in one process, since judging a cgo=0 target compares it with its twin.

What judging needs of the other half is small, and crosses the pipe instead of the
listings (half of moby's pickles to 25 MB): the cross-target facts (`CrossFacts`: cgo files
and packages seen anywhere...) and the cgo-dependent packages go both ways; the child reads
the source files of both halves (the files one process would read, in its order, through
the one go/parser helper, which parses them while both processes start judging), and sends
this half's part as soon as the helper is done (its lines undecoded: decoded here when
used);
at the end its judgements (`TargetJudgement`) come back and are folded in target order
into the answer one process would give. The child also sends what the cache needs: the
directories it scanned and the paths it consulted, and at the end the files it read
(`cache.READ`).

A child that fails or dies makes no difference to the answer: `scan_in_halves` returns
None and the caller evaluates and judges every target in this process.
"""

from __future__ import annotations

import contextlib
import dataclasses
from collections.abc import Callable, Iterable, Sequence
from typing import TYPE_CHECKING, Any

from cgotrap import cache
from cgotrap.errors import WorkerError
from cgotrap.evaluate import forked
from cgotrap.evaluate.completeness import unresolved
from cgotrap.evaluate.model import MatrixResult
from cgotrap.evaluate.sources import (
    GoSourcesPending,
    PendingSources,
    RawSources,
    SourceFacts,
    SourceRequest,
    begin_requested,
    cgo_dependent,
    source_request,
)
from cgotrap.judge.finding import Rule
from cgotrap.judge.headers import catalog, predefines
from cgotrap.judge.scan import ScanResult
from cgotrap.judge.scan.package import CrossFacts, ScanContext, build_context, with_cross
from cgotrap.judge.scan.report import (
    Fold,
    StartedTarget,
    TargetJudgement,
    finish_target,
    start_targets,
)
from cgotrap.targets import Target, by_port, port_table

if TYPE_CHECKING:
    from cgotrap.dirscans import DirScans
    from cgotrap.evaluate.load import ListingPlan
    from cgotrap.read.godecl import GoDeclReader

MIN_PORTS = 16
"""Fewer ports than this are judged in one process. A port's targets stay in one process,
and each process evaluates every package its targets load (the per-package half of the
work is done twice): on a few ports that costs more than it saves. Measured cold, quiet
machine, 3-4 runs each, two processes vs one: moby, default targets (8 ports) 1.57-1.78 s
vs 1.50-1.54 s; GOROOT std, default 0.47-0.53 vs 0.43-0.47 s; std `--targets all` (47
ports) 0.68 vs 0.71 s; moby `--targets all` 2.59-2.75 vs 2.97-3.02 s."""


@dataclasses.dataclass(frozen=True, kw_only=True, slots=True)
class HalvesScan:
    """What `scan_in_halves` found, as the one-process scan would have it."""

    result: ScanResult
    """The judgement (without the source-reading problems: `source_problems`)."""
    source_problems: tuple[str, ...]
    """Why the Go declaration reader is missing (if it is), then the unreadable sources."""
    unresolved: tuple[str, ...]
    """`completeness.unresolved` over every target's packages."""
    empty_wildcards: tuple[str, ...]
    """The wildcard patterns no target's packages matched."""


@dataclasses.dataclass(frozen=True, kw_only=True, slots=True)
class _Loaded:
    """The child's first message: what its half's evaluation found."""

    cross: CrossFacts
    dependent: frozenset[str]
    consulted: tuple[str, ...]
    scanned: dict[str, Any]
    """Cache entries of the directories it scanned itself (`DirScans.entries`)."""
    problems: tuple[str, ...]
    unresolved: tuple[str, ...]
    empty_wildcards: tuple[str, ...]


_FAMILY = {"android": "linux", "ios": "darwin", "illumos": "solaris"}
"""GOOS values whose builds also take the files of another (go's implied tags)."""

_UNIX = frozenset(
    (
        *("aix", "android", "darwin", "dragonfly", "freebsd", "hurd", "illumos"),
        *("ios", "linux", "netbsd", "openbsd", "solaris"),
    )
)
"""go's `unix` build tag (go/build's unixOS)."""


def split_ports(plan: ListingPlan) -> tuple[list[int], list[int]] | None:
    """The plan's target indices in two halves of whole ports (the first for this
    process), or None with fewer than `MIN_PORTS` ports.

    Each process builds a node for every distinct package situation of its targets, and
    ports whose GOOS take the same files share most of them: the linux family (android
    builds linux's files) goes in the first half, with whole GOOS that are not `unix`
    (windows, plan9, js, wasip1: they share little with anyone) while it stays within half
    of the targets; the `unix` rest (the BSDs, darwin, solaris: their `unix` files) in
    the second. On moby `--targets all` that is 44 + 50 targets and ~14k nodes per half
    instead of 19-21k (halves in `go tool dist list` order): ~0.3 s of CPU less. When
    that leaves either half under a third of the targets, the halves follow the order of
    the ports."""
    groups = by_port(plan.targets)
    if len(groups) < max(2, MIN_PORTS):
        return None
    total = len(plan.targets)
    by_goos: dict[str, list[list[int]]] = {}
    for g in groups:
        by_goos.setdefault(plan.targets[g[0]].goos, []).append(g)
    first = [g for goos, gs in by_goos.items() if _FAMILY.get(goos, goos) == "linux" for g in gs]
    size = sum(map(len, first))
    for goos, gs in by_goos.items():
        more = sum(map(len, gs))
        if goos not in _UNIX and 2 * (size + more) <= total:
            first += gs
            size += more
    if not total <= 3 * size <= 2 * total:
        first = groups[: len(groups) // 2]
    here = sorted(i for g in first for i in g)
    mine = set(here)
    there = [i for i in range(total) if i not in mine]
    return here, there


def scan_in_halves(
    plan: ListingPlan,
    *,
    report: Sequence[Target],
    include_std: bool,
    reader: Callable[[set[str]], tuple[GoDeclReader | None, str]],
    empty_wildcards: Callable[[MatrixResult], list[str]],
) -> HalvesScan | None:
    """The scan of `plan`'s targets (`report`: those shown) in two processes, or None when
    it could not be split (too few ports, no fork, a child that failed): the caller then
    scans in one process. `reader(dependent)`: the Go declaration reader (None and why
    not); `empty_wildcards(matrix)`: the wildcard patterns a matrix's packages leave empty."""
    halves = split_ports(plan)
    if halves is None:
        return None
    here, there = halves
    loaded = plan.targets
    on_here = {loaded[i] for i in here}
    on_there = {loaded[i] for i in there}
    shown = [t for t in report if t in on_here or t in on_there]
    mine = [t for t in shown if t in on_here]
    theirs = [t for t in shown if t in on_there]
    dir_scans = plan.dir_scans
    before = frozenset(dir_scans.entries) if dir_scans is not None else frozenset()

    def child(channel: forked.Channel) -> None:
        cache.READ.clear()  # (this process's files read, for the other: sent at the end)
        matrix = plan.matrix(there)
        scans = plan.dir_scans
        alone = build_context(matrix, catalog(), predefines(), port_table())
        channel.send(
            _Loaded(
                cross=alone.cross,
                dependent=frozenset(
                    cgo_dependent(matrix, facts=alone.facts, packages=alone.packages)
                ),
                consulted=tuple(plan.consulted()),
                scanned={}
                if scans is None
                else {d: e for d, e in scans.entries.items() if d not in before},
                problems=tuple(plan.problems()),
                unresolved=unresolved(p for tp in matrix.per_target for p in tp.packages),
                empty_wildcards=tuple(empty_wildcards(matrix)),
            )
        )
        dependent, cross, their_request, got_reader = channel.recv()
        # The sources of both halves, read here while the other process starts judging
        # (its request first: the files, and their order, one process would read); the
        # go/parser helper parses them while this process starts judging too.
        request = their_request.merge(source_request(matrix, dependent, packages=alone.packages))
        reading = begin_requested(request, got_reader)
        # (its targets with cgo need only the C files' facts: judged while it waits)
        channel.send(reading.c_part(their_request), reducers=_reducers())
        ctx = with_cross(alone, cross)
        show_std = include_std or ctx.project_std
        started = start_targets(ctx, theirs, show_std=show_std, order=shown)
        judging, sources = _start_while_reading(started, reading, their_request, channel)
        channel.send(_new_mains_only([finish_target(ctx, one, sources) for one in judging]))
        keys = channel.recv()
        present = {t: frozenset(ip for ip in keys if ip in ctx.facts[t]) for t in theirs}
        channel.send((present, cache.READ))  # (what it read: the answer depends on it too)

    partner = forked.partner(child, reducers=_reducers())
    if partner is None:
        return None
    finished = False
    try:
        matrix = plan.matrix(here)
        alone = build_context(matrix, catalog(), predefines(), port_table())
        own_cross = alone.cross
        own_dependent = cgo_dependent(matrix, facts=alone.facts, packages=alone.packages)
        # While the child still evaluates its half (it forked from this large process and
        # usually ends later), this half's import graphs are worked out.
        alone.prepare(mine, stop=partner.waiting)
        got: _Loaded = partner.recv()
        dependent = own_dependent | got.dependent
        got_reader, reader_problem = reader(dependent)
        cross = own_cross.merge(got.cross)
        request = source_request(matrix, dependent, packages=alone.packages)
        partner.send((dependent, cross, request, got_reader))
        # the cache of directory scans: the child's scans and the paths it consulted too
        if dir_scans is not None:
            for d, entry in got.scanned.items():
                dir_scans.entries.setdefault(d, entry)
        plan.save_scans(got.consulted)
        problems = list(dict.fromkeys((*matrix.problems, *got.problems)))
        matrix = dataclasses.replace(matrix, problems=tuple(problems))
        ctx = dataclasses.replace(with_cross(alone, cross), matrix=matrix)
        if ctx.project_std != alone.project_std:  # (the graphs prepared do not fit)
            ctx.live.clear()
        show_std = include_std or ctx.project_std
        started = list(start_targets(ctx, mine, show_std=show_std, order=shown))
        early = _finish_early(ctx, started, partner.recv(), waiting=partner.waiting)
        raw_sources, source_problems = partner.recv()
        sources = raw_sources.facts()
        judged = [early.get(one.target) or finish_target(ctx, one, sources) for one in started]
        _write_scans_while_waiting(dir_scans, partner)
        judged += partner.recv()
        position = {t: i for i, t in enumerate(shown)}
        fold = Fold(shown)
        for one in sorted(judged, key=lambda j: position[j.target]):
            fold.add(one)
        partner.send(fold.packages())
        present: dict[Target, Any] = {t: ctx.facts[t] for t in mine}
        their_present, their_read = partner.recv()
        present.update(their_present)
        cache.note_states(their_read)
        finished = True
    except WorkerError:
        return None
    finally:
        partner.close(finished=finished)
    own_missing = unresolved(p for tp in matrix.per_target for p in tp.packages)
    own_empty = empty_wildcards(matrix)
    return HalvesScan(
        result=fold.result(matrix, present),
        source_problems=(*([reader_problem] if reader_problem else []), *source_problems),
        unresolved=tuple(sorted({*own_missing, *got.unresolved})),
        empty_wildcards=tuple(p for p in own_empty if p in got.empty_wildcards),
    )


def _write_scans_while_waiting(dir_scans: DirScans | None, partner: forked.Channel) -> None:
    """The scans' "dirs" file written now if the partner still judges (nothing has come
    back yet): in time this process would spend waiting, not on the way out, where the
    run's exit waits for it. Every directory was saved before (`save_scans`)."""
    if dir_scans is not None and not partner.waiting():
        dir_scans.write_scans()


def _start_while_reading(
    started: Iterable[StartedTarget],
    reading: PendingSources,
    their_request: SourceRequest,
    channel: forked.Channel,
) -> tuple[list[StartedTarget], SourceFacts]:
    """The child's targets started while the helper parses, and the sources; the other
    process's part is sent as soon as the helper is done (undecoded: each process decodes
    the declarations its verdicts look up), since the other process waits for it."""

    def read_and_sent() -> SourceFacts:
        raw = reading.raw()
        channel.send((raw.part(their_request), raw.problems), reducers=_reducers())
        return raw.facts()

    out = []
    sources = None
    for one in started:
        out.append(one)
        if sources is None and reading.ready():
            sources = read_and_sent()
    return out, sources if sources is not None else read_and_sent()


def _finish_early(
    ctx: ScanContext,
    started: Sequence[StartedTarget],
    c_part: RawSources,
    *,
    waiting: Callable[[], bool],
) -> dict[Target, TargetJudgement]:
    """The targets with cgo judged with the C files' facts alone, while the Go files'
    declarations are not there yet (`waiting()`: they are). A verdict on a target with cgo
    needs no Go declaration (the cgo files, and the files taking over from them, are
    compared on targets without cgo); one that would asks for it (`GoSourcesPending`) and
    is judged later, from the start."""
    early: dict[Target, TargetJudgement] = {}
    partial = c_part.facts(go_pending=True)
    for one in started:
        if waiting():
            break
        if not one.target.cgo:
            continue
        with contextlib.suppress(GoSourcesPending):  # (its hits: a copy, left as they were)
            copy = dataclasses.replace(one, hits=list(one.hits))
            early[one.target] = finish_target(ctx, copy, partial)
    return early


def _new_mains_only(judged: list[TargetJudgement]) -> list[TargetJudgement]:
    """`judged` (targets in the order of the shown ones) with each judgement's `mains` but
    those of an earlier one: what `Fold` makes of them is the same (the scan's roots, each
    where it first appears), and the message is smaller (GOROOT std: ~300 roots a target,
    most the same on every target)."""
    seen: set[str] = set()
    out = []
    for one in judged:
        mains = one.mains
        if seen.isdisjoint(mains):
            out.append(one)
        else:
            out.append(dataclasses.replace(one, mains=tuple(m for m in mains if m not in seen)))
        seen.update(mains)
    return out


def _rule(rule_id: str) -> Rule:
    """The registered rule `rule_id` (how a `Rule` crosses the pipe: by its ID)."""
    from cgotrap.judge import rules

    return rules.registered(rule_id) or rules.get(rule_id)


def _by_id(rule: Rule) -> tuple[Callable[[str], Rule], tuple[str]]:
    return _rule, (rule.id,)


def _reducers() -> forked.Reducers:
    """The pickle dispatch table of the messages: judgements and Go declarations are
    thousands of small frozen records (`forked.dataclass_reducers` halves their cost)."""
    import sys

    from cgotrap.judge.finding import Evidence
    from cgotrap.judge.scan.model import PackageOnTarget
    from cgotrap.judge.scan.package import Hit
    from cgotrap.judge.scan.report import Listed
    from cgotrap.judge.scan.verdict import Decided

    godecl = sys.modules.get("cgotrap.read.godecl")  # (none to send when never imported)
    records = [
        cls
        for cls in (vars(godecl).values() if godecl is not None else ())
        if isinstance(cls, type)
        and cls.__module__ == "cgotrap.read.godecl"
        and dataclasses.is_dataclass(cls)
        and len(dataclasses.fields(cls)) >= 2
    ]
    table = dict(
        forked.dataclass_reducers(
            TargetJudgement, Listed, PackageOnTarget, Hit, Decided, Evidence, *records
        )
    )
    table[Rule] = _by_id  # (its documentation stays here)
    return table
