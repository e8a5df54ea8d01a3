"""A scan in two processes (`gate.halves`) answers exactly what one process answers.

Oracle: `scan_project` with one process (`workers=1`: one matrix of every target, judged
in order). The two-process scan is forced on small modules (the CLI only splits a run that
scanned many directories) and must give an equal `ProjectScan`: every verdict, finding,
evidence, chain, group, problem, unresolved package and empty pattern. The modules are the
verdict fixtures (each checked against real go builds in test_verdict_scan), the bundled
example with every target, and a module with an unresolved import, an empty wildcard and a
standard-library root. A child that fails changes nothing either, and leaves no process.
"""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pytest

from cgotrap.cache import Store
from cgotrap.config import Config
from cgotrap.evaluate import forked
from cgotrap.gate import halves, project
from cgotrap.judge.scan import located
from cgotrap.judge.scan.package import ScanContext, build_context
from cgotrap.targets import Target, by_port, expand, with_cgo_twins
from tests import verdictfixtures
from tests.gofixtures import gofile, gomod, write_tree
from tests.integration import verdict_truth as vt

pytestmark = pytest.mark.integration

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "cgotraps"


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Store:
    """One cache for the module's scans: the go/parser helper is built once."""
    return Store(tmp_path_factory.mktemp("cache"))


@pytest.fixture
def split_always(monkeypatch: pytest.MonkeyPatch) -> list[bool]:
    """Split every scan (however few directories it scanned); yields, per scan, whether
    it was answered in two processes."""
    monkeypatch.setattr(forked, "MIN_ITEMS", 0)
    monkeypatch.setattr(halves, "MIN_PORTS", 2)
    answered: list[bool] = []
    real = halves.scan_in_halves

    def spy(*args: object, **kwargs: object) -> halves.HalvesScan | None:
        got = real(*args, **kwargs)  # type: ignore[arg-type]
        answered.append(got is not None)
        return got

    monkeypatch.setattr(halves, "scan_in_halves", spy)
    return answered


def _scan(
    root: Path,
    targets: tuple[Target, ...],
    store: Store,
    *,
    workers: int,
    patterns: tuple[str, ...] = ("./...",),
) -> project.ProjectScan:
    options = project.ScanOptions(targets=targets, patterns=patterns, workers=workers, store=store)
    return project.scan_project(root, options, Config())


def _same(a: project.ProjectScan, b: project.ProjectScan) -> None:
    assert a.result.verdicts == b.result.verdicts
    assert a.result.findings == b.result.findings
    assert a.result.packages == b.result.packages
    assert a == b


@pytest.mark.parametrize("name", sorted(verdictfixtures.FIXTURES))
def test_verdict_fixtures_in_two_processes(
    name: str, tmp_path: Path, store: Store, split_always: list[bool]
) -> None:
    root = verdictfixtures.write(tmp_path, name)
    one = _scan(root, vt.TARGETS, store, workers=1)
    two = _scan(root, vt.TARGETS, store, workers=2)
    assert split_always == [True]
    _same(one, two)


def test_the_example_with_every_target_in_two_processes(
    store: Store, split_always: list[bool]
) -> None:
    targets = tuple(expand("all", (False, True), skip_unsupported_cgo=True))
    one = _scan(EXAMPLE, targets, store, workers=1)
    two = _scan(EXAMPLE, targets, store, workers=2)
    assert split_always == [True]
    assert one.result.findings  # (the example is full of traps: a real comparison)
    _same(one, two)


def test_the_example_with_the_halves_swapped(
    store: Store, split_always: list[bool], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The first ports judged by the child: what it sends back (hits whose rule the fold
    tells apart by identity, e.g. CGO002's dropped and taking-over files) reads as it does
    in this process. Once, only the halves' default order gave one process's answer."""
    real = halves.split_ports

    def swapped(plan: Any) -> tuple[list[int], list[int]] | None:
        got = real(plan)
        return None if got is None else (got[1], got[0])

    monkeypatch.setattr(halves, "split_ports", swapped)
    targets = tuple(expand("all", (False, True), skip_unsupported_cgo=True))
    one = _scan(EXAMPLE, targets, store, workers=1)
    two = _scan(EXAMPLE, targets, store, workers=2)
    assert split_always == [True]
    assert any(f.rule.id == "CGO002" for f in one.result.findings)
    _same(one, two)


def _odd_module(tmp_path: Path) -> Path:
    root = tmp_path / "odd"
    write_tree(
        root,
        {
            "go.mod": gomod("example.com/odd") + "\nrequire example.com/missing v1.0.0\n",
            "main.go": gofile(
                "main", "example.com/odd/c", "example.com/odd/flags", "example.com/missing/x"
            ),
            "c/c.go": gofile("c", "C"),
            "c/c_other.go": "//go:build !cgo\n\npackage c\n",
            "c/lib.c": "#include <sys/epoll.h>\nint f(void) { return 0; }\n",
            # A macro only linux's flags define: elsewhere it is known undefined (the
            # package's flags on every target, `CrossFacts.cgo_flags`), so no header.
            "flags/flags.go": 'package flags\n\n// #cgo linux CFLAGS: -DUSE_EPOLL\nimport "C"\n',
            "flags/poll.c": (
                "#ifdef USE_EPOLL\n#include <sys/epoll.h>\n#endif\nint g(void) { return 1; }\n"
            ),
            "empty/README": "no Go here\n",
        },
    )
    return root


@pytest.mark.parametrize(
    "order",
    [
        "linux/amd64,darwin/arm64,windows/amd64,js/wasm",
        # linux, whose flags define the macro, judged in the other process than darwin's
        "darwin/arm64,js/wasm,linux/amd64,windows/amd64",
        # ports interleaved: the second process's targets come between the first's
        "linux/amd64 cgo=0,darwin/arm64 cgo=1,linux/amd64 cgo=1,darwin/arm64 cgo=0",
    ],
)
def test_unresolved_empty_wildcards_and_std_roots_in_two_processes(
    order: str, tmp_path: Path, store: Store, split_always: list[bool]
) -> None:
    root = _odd_module(tmp_path)
    if "cgo=" in order:
        by_name = {t.name: t for t in expand("linux/amd64,darwin/arm64", (False, True))}
        targets = tuple(by_name[name] for name in order.split(","))
    else:
        targets = tuple(expand(order, (False, True), skip_unsupported_cgo=True))
    patterns = ("./...", "./empty/...", "net", "runtime/cgo")
    one = _scan(root, targets, store, workers=1, patterns=patterns)
    two = _scan(root, targets, store, workers=2, patterns=patterns)
    assert split_always == [True]
    assert one.unresolved == ("example.com/missing/x",)
    assert one.empty_wildcards == ("./empty/...",)
    epoll = {
        (f.package.rsplit("/", 1)[-1], t.goos)
        for f in one.result.findings
        if f.subject == "sys/epoll.h"
        for t in f.targets
    }
    assert ("c", "darwin") in epoll
    assert ("flags", "darwin") not in epoll  # (known undefined there)
    _same(one, two)


def test_a_child_that_fails_changes_nothing(
    tmp_path: Path, store: Store, split_always: list[bool], monkeypatch: pytest.MonkeyPatch
) -> None:
    root = verdictfixtures.write(tmp_path, min(verdictfixtures.FIXTURES))
    one = _scan(root, vt.TARGETS, store, workers=1)
    parent = os.getpid()

    def failing_in_the_child(*args: object) -> object:
        if os.getpid() != parent:
            raise RuntimeError("the child fails")
        return build_context(*args)  # type: ignore[arg-type]

    monkeypatch.setattr("cgotrap.gate.halves.build_context", failing_in_the_child)
    two = _scan(root, vt.TARGETS, store, workers=2)
    assert split_always == [False]  # (answered in one process after all)
    _same(one, two)
    with pytest.raises(ChildProcessError):
        os.waitpid(-1, os.WNOHANG)


class _Plan:
    """What `split_ports` reads of a `ListingPlan`."""

    def __init__(self, targets: Sequence[Target]) -> None:
        self.targets = tuple(targets)


def _split(plan: _Plan) -> tuple[list[int], list[int]]:
    """`split_ports` of `plan`, which splits it: every target in one half."""
    got = halves.split_ports(plan)  # type: ignore[arg-type]
    assert got is not None
    assert sorted(got[0] + got[1]) == list(range(len(plan.targets)))
    return got


def test_the_split_keeps_each_port_in_one_process(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(halves, "MIN_PORTS", 2)
    targets = [
        dataclasses.replace(t, cgo=cgo)
        for t in expand("linux/amd64,linux/arm64,darwin/arm64,windows/amd64,js/wasm", (False,))
        for cgo in (False, True)
    ]

    plan = _Plan(targets)
    here, there = _split(plan)
    ports_here = {targets[i].port for i in here}
    ports_there = {targets[i].port for i in there}
    assert ports_here
    assert ports_there
    assert not ports_here & ports_there
    plan.targets = tuple(t for t in targets if t.goos == "linux" and t.goarch == "amd64")
    assert halves.split_ports(plan) is None  # type: ignore[arg-type]  # (one port: no split)


def test_the_split_keeps_goos_families_together() -> None:
    """`--targets all`: the linux family (android too) and whole non-`unix` GOOS in the
    first half, within half of the targets; the `unix` rest in the second. Without linux
    the non-`unix` GOOS alone are too few: the halves follow the order of the ports."""
    targets = with_cgo_twins(expand("all", (False, True), skip_unsupported_cgo=True))

    plan = _Plan(targets)
    here, there = _split(plan)
    first = {targets[i].goos for i in here}
    assert {"linux", "android"} <= first
    assert first <= {"linux", "android", "windows", "plan9", "js", "wasip1"}
    assert {targets[i].goos for i in there} >= {"darwin", "ios", "freebsd", "openbsd"}
    assert len(targets) <= 3 * len(here) <= 2 * len(targets)
    plan.targets = tuple(t for t in targets if t.goos not in ("linux", "android"))
    ports = by_port(plan.targets)
    assert _split(plan)[0] == sorted(i for g in ports[: len(ports) // 2] for i in g)


@pytest.mark.parametrize("selection", ["linux/amd64,js/wasm", "js/wasm,linux/amd64"])
def test_a_port_without_cgo_judged_apart_from_the_cgo_ports(
    selection: str, store: Store, split_always: list[bool]
) -> None:
    """js/wasm has no cgo twin: what drops out there is known from linux's cgo files only
    (`CrossFacts`), and linux is judged in the other process; in either order."""
    targets = tuple(expand(selection, (False, True), skip_unsupported_cgo=True))
    one = _scan(EXAMPLE, targets, store, workers=1)
    two = _scan(EXAMPLE, targets, store, workers=2)
    assert split_always == [True]
    js = [t for t in targets if t.goos == "js"]
    assert any(set(f.targets) & set(js) for f in one.result.findings)
    _same(one, two)


def test_a_few_ports_are_judged_in_one_process(
    tmp_path: Path, store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Below `MIN_PORTS` (the default targets' 8 ports) the per-package half of the work
    done twice costs more than the split saves: one process."""
    monkeypatch.setattr(forked, "MIN_ITEMS", 0)
    called: list[object] = []
    real = halves.scan_in_halves

    def spy(*args: object, **kwargs: object) -> halves.HalvesScan | None:
        got = real(*args, **kwargs)  # type: ignore[arg-type]
        called.append(got)
        return got

    monkeypatch.setattr(halves, "scan_in_halves", spy)
    targets = tuple(expand("first-class", (False, True), skip_unsupported_cgo=True))
    _scan(EXAMPLE, targets, store, workers=2)
    assert called == [None]


def test_the_graph_without_the_standard_library_answers_as_the_whole_graph(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Chains, importers and reach are worked out in each class's graph without the
    standard library (`package.Reach`'s `apart`): the same scan as in the whole graph."""
    targets = tuple(expand("all", (False, True), skip_unsupported_cgo=True))
    apart = _scan(EXAMPLE, targets, store, workers=1)
    monkeypatch.setattr(ScanContext, "_standard_paths", lambda self: None)
    whole = _scan(EXAMPLE, targets, store, workers=1)
    assert any(p.chain for p in apart.result.packages)
    _same(apart, whole)


@pytest.mark.parametrize("module", ["example", "verdicts"])
def test_graphs_prepared_while_the_child_evaluates_answer_the_same(
    module: str,
    tmp_path: Path,
    store: Store,
    split_always: list[bool],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """This process works out its classes' import graphs while the child's first message
    is not there (`ScanContext.prepare`): here all of them, as if it never came early."""
    prepared: list[int] = []
    real = ScanContext.prepare

    def spy(self: ScanContext, *args: Any, **kwargs: Any) -> None:
        real(self, *args, **kwargs)
        prepared.append(len(self.live))

    monkeypatch.setattr(forked.Channel, "waiting", lambda self: False)
    monkeypatch.setattr(ScanContext, "prepare", spy)
    if module == "example":
        root, targets = EXAMPLE, tuple(expand("all", (False, True), skip_unsupported_cgo=True))
    else:  # (a package only some ports have)
        root, targets = verdictfixtures.write(tmp_path, "linuxonly"), vt.TARGETS
    one = _scan(root, targets, store, workers=1)
    two = _scan(root, targets, store, workers=2)
    assert split_always == [True]
    assert prepared
    assert prepared[0] > 1
    _same(one, two)


@pytest.mark.parametrize("asks_go", [False, True])
def test_targets_with_cgo_judged_before_the_go_sources_answer_the_same(
    asks_go: bool, store: Store, split_always: list[bool], monkeypatch: pytest.MonkeyPatch
) -> None:
    """This process judges its targets with cgo with the C files' facts alone while the Go
    declarations are on their way (`halves._finish_early`: here as if they always were);
    a target whose verdicts would look one up (`asks_go`: made to) is judged afterwards."""
    early: list[int] = []
    real_early = halves._finish_early
    real_evidence = located.with_evidence

    def spy(ctx: Any, started: Any, *args: Any, **kwargs: Any) -> Any:
        hits_before = [list(one.hits) for one in started]
        got = real_early(ctx, started, *args, **kwargs)
        early.append(len(got))
        assert [list(one.hits) for one in started] == hits_before  # (judged afresh later)
        return got

    def evidence(hits: Any, target: Any, packages: Any, sources: Any) -> Any:
        if asks_go:  # (last in `decide`: after it changed the target's hits)
            sources.file("/nowhere", "x.go")
        return real_evidence(hits, target, packages, sources)

    monkeypatch.setattr(forked.Channel, "waiting", lambda self: False)
    monkeypatch.setattr(halves, "_finish_early", spy)
    monkeypatch.setattr(located, "with_evidence", evidence)
    targets = tuple(expand("all", (False, True), skip_unsupported_cgo=True))
    one = _scan(EXAMPLE, targets, store, workers=1)
    two = _scan(EXAMPLE, targets, store, workers=2)
    assert split_always == [True]
    assert len(early) == 1
    assert early[0] == 0 if asks_go else early[0] > 10  # (of its 45 targets, 22 have cgo)
    _same(one, two)
