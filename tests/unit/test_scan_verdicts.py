"""scan's verdict layer on hand-built facts: reach, propagation, unresolved imports, labels,
the std line and the table at any width (the go-build agreement is in
tests/integration/test_verdict_scan.py)."""

from __future__ import annotations

import dataclasses

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cgotrap.evaluate.model import PackageError, PackageFacts, TargetPackages
from cgotrap.judge import scan as judge
from cgotrap.judge.scan import labels
from cgotrap.render import scan as render
from cgotrap.targets import Libc, Target, expand
from tests.unit.scan_world import APP, LINUX0, LINUX1, MODULE, listing, matrix, pkg, std


def _verdicts(result: judge.ScanResult) -> dict[str, tuple[str, ...]]:
    return {ip.removeprefix(f"{MODULE}/"): tuple(v.value for v in vs) for ip, vs in result.verdicts}


def test_a_package_no_main_reaches_is_not_built_and_raises_nothing() -> None:
    # cmd/app imports nothing; "tool" (a wildcard root) has no Go file without cgo.
    tool0 = pkg(LINUX0, "tool", no_go=True, ignored_go_files=("t.go",), dep_only=False)
    tool1 = pkg(LINUX1, "tool", cgo_files=("t.go",), dep_only=False)

    def only_app(t: Target, *extra: PackageFacts) -> TargetPackages:
        base = listing(t)
        return dataclasses.replace(
            base, packages=(*extra, *base.packages), roots=(APP, f"{MODULE}/tool")
        )

    result = judge.scan(matrix(only_app(LINUX1, tool1), only_app(LINUX0, tool0)))
    assert _verdicts(result)["tool"] == ("not-built", "not-built")
    assert result.findings == ()


def test_a_library_module_judges_every_package() -> None:
    lib1 = pkg(LINUX1, "lib", cgo_files=("l.go",), dep_only=False)
    lib0 = pkg(LINUX0, "lib", no_go=True, ignored_go_files=("l.go",), dep_only=False)
    world = matrix(
        TargetPackages(target=LINUX1, packages=(lib1,), roots=(lib1.import_path,)),
        TargetPackages(target=LINUX0, packages=(lib0,), roots=(lib0.import_path,)),
    )
    result = judge.scan(world)
    assert _verdicts(result)["lib"] == ("cgo", "breaks")
    assert {f.rule.id for f in result.findings} == {"CGO001"}


def test_unresolved_imports_are_counted_and_break_nothing() -> None:
    missing = dataclasses.replace(
        std(LINUX0, "example.invalid/x"),
        standard=False,
        dir="",
        module_path=None,
        error=PackageError(err="module example.invalid/x@v1.0.0 is not in the module cache"),
    )
    result = judge.scan(matrix(listing(LINUX0, missing)))
    assert result.unresolved == ("example.invalid/x",)
    assert result.findings == ()
    assert _verdicts(result)["cmd/app"] == ("pure",)
    assert render.coverage_line(result).startswith(
        "1 imported package could not be resolved: its cgo status is unknown; run `go mod download`"
    )


def test_labels_never_read_wider_than_the_selection() -> None:
    first = expand("first-class", (False,), skip_unsupported_cgo=True)
    label = judge.compact_targets(first, [*first, Target(goos="js", goarch="wasm", cgo=False)])
    assert "*/*" not in label
    every = expand("all", (False,), skip_unsupported_cgo=True)
    assert judge.compact_targets(every, [*every, LINUX1]) == "*/* cgo=0"


def test_group_keys_after_z() -> None:
    from cgotrap.judge.scan.report import _column_key

    assert [_column_key(i) for i in (0, 25, 26, 27, 51, 52)] == ["A", "Z", "AA", "AB", "AZ", "BA"]


def test_std_line_says_which_package_needs_what() -> None:
    world = matrix(
        listing(
            LINUX1,
            std(LINUX1, "net", cgo_files=("cgo_unix.go",)),
            std(LINUX1, "plugin", cgo_files=("plugin_dlopen.go",)),
        )
    )
    text = render.format_table(judge.scan(world), width=120)
    assert "net on linux/amd64 cgo=1: the libc resolver" in text
    assert "plugin on linux/amd64 cgo=1: dlopen: nothing replaces it" in text


@pytest.mark.parametrize("width", [80, 120, 200])
def test_table_shows_every_group_complete_at_any_width(width: int) -> None:
    targets = expand("all", (False, True), skip_unsupported_cgo=True)
    listings = []
    for index, t in enumerate(targets):
        # a different library per target: as many groups as targets
        facts = pkg(t, "sqlite", cgo_files=("s.go",), cgo_ldflags=(f"-lx{index}",))
        listings.append(listing(t, facts))
    result = judge.scan(matrix(*listings))
    assert len(result.groups) > 26
    text = render.format_table(result, width=width)
    assert "…" not in text
    for group in result.groups:
        assert f"\n{group.key} " in text or text.startswith(f"{group.key} ")
    assert max(len(line) for line in text.splitlines()) <= width
    assert "G27" not in text


@pytest.mark.parametrize("name", ["./sqlite", "sqlite", f"{MODULE}/sqlite"])
def test_why_accepts_names_as_the_tables_print_them(name: str) -> None:
    s1 = pkg(LINUX1, "sqlite", cgo_files=("s.go",))
    result = judge.scan(matrix(listing(LINUX1, s1)), why=(name,))
    (answer,) = result.why
    assert answer.package == f"{MODULE}/sqlite"
    assert answer.groups[0].chains == ((APP, f"{MODULE}/sqlite"),)


def test_why_accepts_a_vendor_directory() -> None:
    vendored = dataclasses.replace(
        pkg(LINUX1, "vendor/github.com/x/y", cgo_files=("y.go",)),
        import_path="github.com/x/y",
        module_path="github.com/x/y",
    )
    result = judge.scan(matrix(listing(LINUX1, vendored)), why=("vendor/github.com/x/y",))
    assert result.why[0].package == "github.com/x/y"


@settings(max_examples=200, deadline=None)
@given(st.data())
def test_a_label_of_the_last_universe_asked_reads_as_one_worked_out_afresh(
    data: st.DataObject,
) -> None:
    """`labels._universe` keeps the last tuple of targets asked of: a label against it, or
    against another one after it, is the label worked out with nothing kept."""
    musl = Target(goos="linux", goarch="amd64", cgo=True, libc=Libc.MUSL)
    every = (*expand("all", (False, True), skip_unsupported_cgo=True), musl)
    for _ in range(3):
        universe = tuple(data.draw(st.lists(st.sampled_from(every), min_size=1, unique=True)))
        for _ in range(3):
            some = st.lists(st.sampled_from(universe), unique=True)
            chosen = data.draw(st.one_of(st.just(list(universe)), some))
            kept = judge.compact_targets(chosen, universe)
            labels._last.clear()
            assert kept == judge.compact_targets(chosen, list(universe))
            judge.compact_targets(chosen, universe)  # (kept again for the next one)


def test_a_root_a_pattern_names_is_built_and_what_it_does_not_reach_is_not() -> None:
    # No main package anywhere: the named root alone is built (`decide` skips the roots
    # only when none is named main and no pattern names one).
    lib = pkg(LINUX1, "lib", go_files=("l.go",), dep_only=False)
    other = pkg(LINUX1, "other", cgo_files=("o.go",), dep_only=False)
    roots = (lib.import_path, other.import_path)
    world = dataclasses.replace(
        matrix(TargetPackages(target=LINUX1, packages=(lib, other), roots=roots)),
        patterns=(lib.import_path, "./..."),
    )
    assert _verdicts(judge.scan(world))["other"] == ("not-built",)
    wildcard = dataclasses.replace(world, patterns=("./...",))
    assert _verdicts(judge.scan(wildcard))["other"] == ("cgo",)
