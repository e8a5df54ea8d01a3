"""What judging works out once per target or class instead of once per package: each answer
the same as asking afresh (`ScanContext.twin`, `cgo_supported`, `reach.main_roots` given
the packages named main anywhere; `_fill_verdicts` keeping an entry that would read the
same made again)."""

from __future__ import annotations

import dataclasses

from hypothesis import given, settings
from hypothesis import strategies as st

from cgotrap.evaluate import reach
from cgotrap.evaluate.model import TargetPackages
from cgotrap.judge.finding import Evidence
from cgotrap.judge.headers import catalog, predefines
from cgotrap.judge.scan.model import PackageOnTarget, Status, Verdict
from cgotrap.judge.scan.package import build_context, twin_of
from cgotrap.judge.scan.report import _fill_verdicts, _package_record
from cgotrap.judge.scan.verdict import Decided
from cgotrap.targets import Libc, Target, port_table
from tests.unit.scan_world import (
    APP,
    JS0,
    LINUX0,
    LINUX1,
    MODULE,
    WINDOWS1,
    listing,
    matrix,
    pkg,
    target,
)

MUSL1 = target("linux/amd64", True, Libc.MUSL)
WINDOWS0 = target("windows/amd64", False)
PLAN0 = target("plan9/amd64", False)
TARGETS = (LINUX0, MUSL1, LINUX1, WINDOWS1, WINDOWS0, JS0, PLAN0)


def test_twins_and_cgo_support_are_those_of_each_target() -> None:
    ctx = build_context(
        matrix(*(listing(t, pkg(t, "a")) for t in TARGETS)), catalog(), predefines(), port_table()
    )
    for _ in range(2):  # (asked again: the memo's answer)
        for t in TARGETS:
            assert ctx.twin(t) == (None if t.cgo else twin_of(t, TARGETS)), t
            port = port_table().get(t.goos, t.goarch)
            assert port is not None
            assert ctx.cgo_supported(t) is port.cgo_supported, t
    assert ctx.twin(LINUX0) == LINUX1  # (the plain libc first, not the first listed)
    assert ctx.twin(WINDOWS0) == WINDOWS1
    assert ctx.twin(PLAN0) is None
    assert not ctx.cgo_supported(JS0)
    assert not ctx.cgo_supported(PLAN0)
    assert ctx.cgo_supported(LINUX0)


def test_main_roots_with_the_packages_named_main_anywhere() -> None:
    tool = dataclasses.replace(pkg(LINUX1, "tool", name="main"), dep_only=False)
    lib = dataclasses.replace(pkg(LINUX1, "lib"), dep_only=False)
    base = listing(LINUX1, lib, tool)
    roots = (f"{MODULE}/lib", f"{MODULE}/tool", APP)
    with_tool = TargetPackages(target=LINUX1, packages=base.packages, roots=roots)
    named = frozenset({APP, f"{MODULE}/tool"})
    assert reach.main_roots(with_tool, named_main=named) == (f"{MODULE}/tool", APP)
    assert reach.main_roots(with_tool, named_main=named) == reach.main_roots(with_tool)
    library = TargetPackages(target=LINUX1, packages=base.packages, roots=roots[:1])
    assert reach.main_roots(library, named_main=named) == roots[:1]
    assert reach.main_roots(library) == roots[:1]
    # a name main on another target only: looked at here, and not main here
    assert reach.main_roots(library, named_main=frozenset(roots[:1])) == roots[:1]
    ctx = build_context(matrix(with_tool), catalog(), predefines(), port_table())
    assert ctx.reach(LINUX1).mains == (f"{MODULE}/tool", APP)


def test_the_folded_entries_keep_every_field_judged() -> None:
    from cgotrap.evaluate.sources import SourceFacts
    from cgotrap.judge.scan.report import Fold, judge_targets

    s1 = pkg(
        LINUX1,
        "sqlite",
        go_files=("a.go",),
        cgo_files=("s.go",),
        c_files=("s.c",),
        h_files=("s.h",),
        includes=("<sqlite3.h>", '"s.h"'),
        cgo_ldflags=("-lsqlite3",),
        cgo_pkg_config=("sqlite3",),
    )
    s0 = pkg(LINUX0, "sqlite", go_files=("a.go", "pure.go"), ignored_go_files=("s.go",))
    world = matrix(listing(LINUX1, s1), listing(LINUX0, s0))
    ctx = build_context(world, catalog(), predefines(), port_table())
    shown = (LINUX1, LINUX0)
    judged = judge_targets(ctx, shown, SourceFacts(), show_std=False)
    fold = Fold(shown)
    for one in judged:
        fold.add(one)
    result = fold.result(world, {t: ctx.facts[t] for t in shown})
    (package,) = result.packages
    kept = [
        f.name
        for f in dataclasses.fields(package.per_target[0])
        if f.name not in ("verdict", "evidence", "system_headers")
    ]
    for one in judged:
        (item,) = one.listed
        folded = package.on(one.target)
        assert [getattr(folded, k) for k in kept] == [getattr(item.entry, k) for k in kept]
        assert folded.verdict is one.decided[item.import_path].verdict
    on_cgo = package.on(LINUX1)
    assert on_cgo.cgo_files
    assert on_cgo.other_files
    assert on_cgo.libs == ("sqlite3",)
    assert package.on(LINUX0).fallback_files


def test_the_packages_worth_judging_are_those_the_loop_took() -> None:
    import random

    from cgotrap.evaluate.model import PackageError
    from cgotrap.judge.scan.report import _worth_judging
    from tests.unit.scan_world import std

    for seed in range(100):
        rng = random.Random(seed)  # noqa: S311  # (a test case generator)
        packages = []
        for i in range(rng.randint(0, 12)):
            make = std if rng.random() < 0.5 else pkg
            fields: dict[str, object] = {}
            if rng.random() < 0.3:
                fields["cgo_files"] = ("c.go",)
            if rng.random() < 0.3:
                fields["error"] = PackageError(err="bad")
            packages.append(make(LINUX1, f"p{i}", **fields))
        interesting = frozenset(p.import_path for p in packages if rng.random() < 0.3)
        for show_std in (True, False):
            want, want_std = [], []
            for p in packages:  # (`_start_target`'s loop as it was)
                if p.standard and not show_std:
                    if p.uses_cgo:
                        want_std.append(p.import_path)
                    continue
                if p.error is None and p.import_path not in interesting:
                    continue
                want.append(p)
            std_uses: list[str] = []
            got = list(_worth_judging(packages, interesting, show_std=show_std, std_uses=std_uses))
            assert got == want, seed
            assert std_uses == want_std, seed


_VERDICTS = list(Verdict)[:4]
_HEADERS = ["a.h", "b.h", "c.h"]
_EVIDENCE = [(), (Evidence(file="x.go", text="no"),), (Evidence(file="y.go", text="no"),)]


@st.composite
def _folded(
    draw: st.DrawFn,
) -> tuple[dict[str, dict[Target, PackageOnTarget]], dict[Target, dict[str, Decided]]]:
    verdicts: dict[str, dict[Target, PackageOnTarget]] = {}
    decided: dict[Target, dict[str, Decided]] = {t: {} for t in _SHOWN}
    for ip in ["p0", "p1", "p2"]:
        verdicts[ip] = {}
        for t in _SHOWN:
            verdicts[ip][t] = PackageOnTarget(
                target=t,
                status=draw(st.sampled_from(list(Status))),
                verdict=draw(st.sampled_from(_VERDICTS)),
                evidence=draw(st.sampled_from(_EVIDENCE)),
                system_headers=tuple(draw(st.lists(st.sampled_from(_HEADERS)))),
                cgo_files=("p.go",),
            )
            if draw(st.booleans()):
                decided[t][ip] = Decided(
                    verdict=draw(st.sampled_from(_VERDICTS)),
                    evidence=draw(st.sampled_from(_EVIDENCE)),
                    c_headers=tuple(draw(st.lists(st.sampled_from(_HEADERS)))),
                )
    return verdicts, decided


_SHOWN = (LINUX1, LINUX0)


@settings(max_examples=300, deadline=None)
@given(_folded())
def test_fill_verdicts_keeps_an_entry_only_as_it_would_be_made_again(
    case: tuple[dict[str, dict[Target, PackageOnTarget]], dict[Target, dict[str, Decided]]],
) -> None:
    """`_fill_verdicts` leaves an entry that reads as its rebuilt one would (verdict,
    evidence, headers): every entry equals the rebuilt one."""
    verdicts, decided = case
    present = {t: frozenset(verdicts) for t in _SHOWN}
    expected = {
        ip: {
            t: dataclasses.replace(
                e,
                verdict=decided[t].get(ip, _NOT_BUILT).verdict,
                evidence=decided[t].get(ip, _NOT_BUILT).evidence,
                system_headers=tuple(
                    sorted({*e.system_headers, *decided[t].get(ip, _NOT_BUILT).c_headers})
                ),
            )
            for t, e in entries.items()
        }
        for ip, entries in verdicts.items()
    }
    _fill_verdicts(present, _SHOWN, verdicts, decided)
    assert verdicts == expected


_NOT_BUILT = Decided(verdict=Verdict.NOT_BUILT)


_FILES = ["a.c", "b.cc", "c.m", "d.s", "e.syso", "f.h", "a.c"]


@settings(max_examples=300, deadline=None)
@given(st.data())
def test_a_package_record_reads_each_entry_or_absent_and_every_union_sorted(
    data: st.DataObject,
) -> None:
    """`_package_record`'s entries (absent where a shown target has none) and needs: the
    sorted union over the entries, as read one entry at a time."""
    shown = (LINUX1, LINUX0, WINDOWS1, JS0)
    names = st.lists(st.sampled_from(_FILES + _HEADERS))
    verdicts = {
        t: PackageOnTarget(
            target=t,
            status=data.draw(st.sampled_from(list(Status))),
            system_headers=tuple(data.draw(names)),
            local_headers=tuple(data.draw(names)),
            libs=tuple(data.draw(names)),
            pkg_config=tuple(data.draw(names)),
            other_files=tuple(data.draw(names)),
        )
        for t in data.draw(st.lists(st.sampled_from(shown), unique=True))
    }
    got = _package_record(
        "p", directory="p", is_std=False, verdicts=verdicts, shown=shown, reached={}, chains={}
    )
    per_target = tuple(
        verdicts.get(t, PackageOnTarget(target=t, status=Status.ABSENT)) for t in shown
    )
    assert got.per_target == per_target
    using = [e for e in per_target if e.status is Status.CGO]

    def union(
        attr: str, entries: list[PackageOnTarget] | tuple[PackageOnTarget, ...]
    ) -> tuple[str, ...]:
        seen: dict[str, None] = {}
        for e in entries:
            seen.update(dict.fromkeys(getattr(e, attr)))
        return tuple(sorted(seen))

    assert got.needs.system_headers == union("system_headers", using)
    assert got.needs.local_headers == union("local_headers", using)
    assert got.needs.libs == union("libs", using)
    assert got.needs.pkg_config == union("pkg_config", using)
    everywhere = union("other_files", per_target)
    assert got.needs.c_files == tuple(f for f in everywhere if f.endswith(".c"))
    assert got.needs.syso_files == tuple(f for f in everywhere if f.endswith(".syso"))
