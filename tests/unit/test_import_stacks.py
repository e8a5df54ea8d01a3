"""go's import stacks replayed over an import graph (`judge.scan.stacks`); the integration
test `test_verdict_import_stacks` holds them against the real go build and go list."""

from __future__ import annotations

from cgotrap.judge.scan import stacks

GRAPH = {
    "app": ("alpha", "zed"),
    "alpha": ("beta",),
    "beta": ("bad",),
    "zed": ("bad", "bad2", "fine"),
    "fine": (),
    "bad": (),
    "bad2": (),
}
EVERY = frozenset(GRAPH)


def test_a_shorter_later_import_replaces_the_first_stack() -> None:
    got = stacks.load_order("app", GRAPH, {"bad", "bad2"}, EVERY)
    assert got == [("bad", ("app", "zed", "bad")), ("bad2", ("app", "zed", "bad2"))]


def test_the_first_stack_stays_when_no_import_is_shorter() -> None:
    assert stacks.load_order("alpha", GRAPH, {"bad"}, EVERY) == [("bad", ("alpha", "beta", "bad"))]


def test_packages_outside_relevant_are_not_walked() -> None:
    relevant = EVERY - {"zed"}
    assert stacks.load_order("app", GRAPH, {"bad", "bad2"}, relevant) == [
        ("bad", ("app", "alpha", "beta", "bad"))
    ]


def test_error_text_as_go_prints_it() -> None:
    assert stacks.error_text(("a", "b", "c"), "no Go files in c") == (
        "package a\n\timports b\n\timports c: no Go files in c"
    )
    assert stacks.error_text(("a", "b"), "bad import", "a/x.go:3:8") == "a/x.go:3:8: bad import"
    assert stacks.error_text((), "oops") == "oops"
