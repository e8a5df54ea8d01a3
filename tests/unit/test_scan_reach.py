"""A class's import graph without the standard library (`package.Reach` with `apart`).

Chains, importers and reach of a project package are the same in the graph of the other
packages as in the whole graph, as long as no standard package imports one of them: the
graph is only set apart then, and each answer is checked against the whole graph's.
"""

from __future__ import annotations

import dataclasses

from cgotrap.evaluate.model import TargetPackages
from cgotrap.judge.headers import catalog, predefines
from cgotrap.judge.scan import scan
from cgotrap.judge.scan.package import Reach, ScanContext, build_context
from cgotrap.targets import port_table
from tests.unit.scan_world import APP, LINUX0, LINUX1, MODULE, listing, matrix, pkg, std


def _context(*listings: TargetPackages) -> ScanContext:
    return build_context(matrix(*listings), catalog(), predefines(), port_table())


def _same_answers(got: Reach, project: list[str]) -> None:
    whole = got.whole()
    assert whole.apart is None
    for goal in project:
        assert got.nearest(goal) == whole.nearest(goal)
        assert got.reverse.get(goal, []) == whole.reverse.get(goal, [])
    for start in ([APP], [f"{MODULE}/a"], [APP, "net"]):
        reached = got.downward(start)
        assert {p for p in project if p in reached} == {
            p for p in project if p in whole.downward(start)
        }


def _world(weird_imports: tuple[str, ...] = ()) -> list[TargetPackages]:
    out = []
    for t in (LINUX1, LINUX0):
        fmt = std(t, "fmt")
        net = std(t, "net", imports=("C", "fmt"), cgo_files=("cgo.go",) if t.cgo else ())
        weird = std(t, "weird", imports=("fmt", *weird_imports))
        c = pkg(t, "c", go_files=("c.go",), imports=("fmt",))
        b = pkg(t, "b", go_files=("b.go",), imports=(f"{MODULE}/c", "net", "weird"))
        a = pkg(t, "a", go_files=("a.go",), imports=(f"{MODULE}/b", "fmt"))
        out.append(listing(t, fmt, net, weird, c, b, a))
    return out


def test_the_standard_library_is_set_apart_and_answers_stay_the_same() -> None:
    ctx = _context(*_world())
    got = ctx.reach(LINUX1)
    assert got.apart == frozenset({"fmt", "net", "weird"})
    assert set(got.graph) == {f"{MODULE}/{d}" for d in "abc"} | {APP}
    assert got.graph[f"{MODULE}/b"] == (f"{MODULE}/c",)
    project = [f"{MODULE}/{d}" for d in "abc"]
    _same_answers(got, project)
    assert got.reverse[f"{MODULE}/c"] == [f"{MODULE}/b", APP]
    # a standard goal is chained in the whole graph
    assert got.nearest("net") == ((APP,), (APP, "net"))
    assert "net" not in got.reverse


def test_a_standard_package_importing_another_keeps_the_whole_graph() -> None:
    # "weird" (standard) imports the project's c: a chain may pass through it
    ctx = _context(*_world(weird_imports=(f"{MODULE}/c",)))
    got = ctx.reach(LINUX1)
    assert got.apart is None
    assert got.reverse[f"{MODULE}/c"] == ["weird", f"{MODULE}/b", APP]


def test_a_path_both_standard_and_not_keeps_the_whole_graph() -> None:
    world = _world()
    odd = dataclasses.replace(pkg(LINUX0, "d", go_files=("d.go",)), import_path="fmt")
    lin0 = world[1]
    world[1] = TargetPackages(target=LINUX0, packages=(odd, *lin0.packages[1:]), roots=lin0.roots)
    ctx = _context(*world)
    assert ctx.reach(LINUX1).apart is None


def test_the_project_standard_library_is_judged_in_the_whole_graph() -> None:
    net = std(LINUX1, "net", imports=("fmt",), cgo_files=("cgo.go",))
    world = matrix(
        TargetPackages(target=LINUX1, packages=(std(LINUX1, "fmt"), net), roots=("net",))
    )
    ctx = build_context(world, catalog(), predefines(), port_table())
    assert ctx.project_std
    assert ctx.reach(LINUX1).apart is None
    assert scan(world).packages[0].import_path == "net"
