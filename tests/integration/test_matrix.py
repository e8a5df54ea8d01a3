"""`cgotrap matrix` on fixture modules with the real go, zig and qemu-user.

Each fixture (tests/matrixfixtures.py) reproduces one failure class; the test asserts that
exactly that rule is reported on exactly the targets where the real toolchain fails, and
that every other target passes. Costs: the first run builds zig's libcs (windows ~90 s)
and the standard library per target into the shared caches; later runs take seconds.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from cgotrap import toolchain
from cgotrap.cli.main_matrix import _without_libc_twins
from cgotrap.crossbuild import zigcc
from cgotrap.crossbuild.results import MatrixReport, Outcome
from cgotrap.crossbuild.runner import MatrixOptions, MatrixRunner
from cgotrap.errors import ToolchainMissingError
from cgotrap.judge.finding import Step
from cgotrap.targets import Target, expand
from tests import matrixfixtures

pytestmark = pytest.mark.integration

ROOT = Path(__file__).resolve().parents[2]
BASE = "linux/amd64,linux/amd64-musl,windows/amd64,darwin/arm64"
ALL_CGO1 = {
    "linux/amd64 cgo=1",
    "linux/amd64-musl cgo=1",
    "windows/amd64 cgo=1",
    "darwin/arm64 cgo=1",
}
ALL_CGO0 = {"linux/amd64 cgo=0", "windows/amd64 cgo=0", "darwin/arm64 cgo=0"}
SLEEP_MARK = b"sleep\x00" + matrixfixtures.SLEEP_SECONDS.encode() + b"\x00"


@pytest.fixture(scope="module")
def modules(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("matrixfixtures")
    for name in matrixfixtures.FIXTURES:
        matrixfixtures.write(root, name)
    return root


def _run(
    module: Path,
    results: Path,
    targets: str,
    *,
    cgo: tuple[bool, ...] = (False, True),
    steps: tuple[Step, ...] = (Step.BUILD,),
    timeout: float = 600,
    tags: tuple[str, ...] = (),
    variants: tuple[tuple[str, ...], ...] = ((),),
    macos_min: str | None = None,
) -> MatrixReport:
    selected = _without_libc_twins(expand(targets, cgo, skip_unsupported_cgo=True))
    options = MatrixOptions(
        root=module,
        steps=steps,
        results_dir=results,
        jobs=2,
        timeout=timeout,
        tags=tags,
        variants=variants,
        macos_min=macos_min,
    )
    before = matrixfixtures.snapshot(module)
    report = MatrixRunner(options).run(selected)
    assert matrixfixtures.snapshot(module) == before, "the project tree was written"
    return report


def _rules_by_target(report: MatrixReport) -> dict[str, set[str]]:
    return {t.target.name: {f.rule_id for f in t.findings} for t in report.targets}


# fixture -> (targets, {target: rule it must fail with}); every other target must pass.
EXPECTED: dict[str, tuple[str, dict[str, str]]] = {
    "pure": (BASE, {}),
    "fallback": (BASE + ",freebsd/amd64", {}),
    "glibcheader": (BASE, {"linux/amd64-musl cgo=1": "CGO100"}),
    "missinglib": (BASE, dict.fromkeys(ALL_CGO1, "CGO101")),
    "pkgconfig": (BASE, dict.fromkeys(ALL_CGO1, "CGO102")),
    "undefref": (BASE, dict.fromkeys(ALL_CGO1, "CGO103")),
    "cgoonly": (BASE, dict.fromkeys(ALL_CGO0, "CGO104")),
    "csource": (BASE, {"windows/amd64 cgo=1": "CGO105", "darwin/arm64 cgo=1": "CGO105"}),
    "cgoident": (BASE, dict.fromkeys(ALL_CGO0, "CGO106")),
    "framework": (BASE, {"darwin/arm64 cgo=1": "CGO108"}),
    "asmarch": (
        "linux/amd64,linux/arm64,darwin/arm64",
        dict.fromkeys(
            ["linux/arm64 cgo=0", "linux/arm64 cgo=1", "darwin/arm64 cgo=0", "darwin/arm64 cgo=1"],
            "CGO109",
        ),
    ),
    "zigflag": (BASE, dict.fromkeys(ALL_CGO1, "CGO110")),
}


@pytest.mark.parametrize("name", list(EXPECTED))
def test_each_failure_class_on_exactly_its_targets(
    name: str, modules: Path, tmp_path: Path
) -> None:
    targets, expected = EXPECTED[name]
    report = _run(modules / name, tmp_path / "results", targets)
    got = _rules_by_target(report)
    assert set(expected) <= set(got), f"targets missing from the run: {set(expected) - set(got)}"
    for result in report.targets:
        want = expected.get(result.target.name)
        if want is None:
            assert result.outcome is Outcome.PASS, (result.target.name, result.findings)
        else:
            assert result.outcome is Outcome.FAIL, result.target.name
            assert got[result.target.name] == {want}, (result.target.name, result.findings)
    # Binaries of passing targets are in the results folder, not in the module.
    for result in report.targets:
        if result.outcome is Outcome.PASS:
            bins = list((tmp_path / "results").glob(f"*/bin/{name}*"))
            assert bins


def test_vet_reports_are_vet_findings(modules: Path, tmp_path: Path) -> None:
    report = _run(
        modules / "vetissue",
        tmp_path / "r",
        "linux/amd64,windows/amd64",
        steps=(Step.BUILD, Step.VET),
    )
    for result in report.targets:
        build, vet = result.steps
        assert build.outcome is Outcome.PASS
        assert vet.outcome is Outcome.FAIL
        assert {f.rule_id for f in vet.findings} == {"CGO115"}
    (group,) = report.groups
    assert (group.file, group.line) == ("lib/lib.go", 7)
    assert len(group.targets) == 4


def test_arm64_tests_really_run_under_qemu(modules: Path, tmp_path: Path) -> None:
    report = _run(
        modules / "fallback",
        tmp_path / "r",
        "linux/arm64,linux/arm64-musl",
        steps=(Step.BUILD, Step.TEST),
    )
    by_name = {t.target.name: t for t in report.targets}
    assert list(by_name) == ["linux/arm64 cgo=0", "linux/arm64 cgo=1", "linux/arm64-musl cgo=1"]
    # A cgo test binary on dynamic glibc cannot run under qemu without a sysroot: compiled.
    glibc = by_name.pop("linux/arm64 cgo=1")
    assert glibc.steps[1].outcome is Outcome.NOT_RUN
    assert "-musl" in glibc.findings[0].message
    for result in by_name.values():
        test = result.steps[1]
        assert test.outcome is Outcome.PASS, result.findings
        assert "-exec" in test.command
        assert any("qemu-aarch64" in part for part in test.command)
        log = (tmp_path / "r" / test.log).read_text()
        assert '"Action":"pass","Package":"example.com/fallback/lib"' in log.replace(" ", "")


def test_failing_test_is_a_test_failure_not_a_build_failure(modules: Path, tmp_path: Path) -> None:
    report = _run(
        modules / "failingtest",
        tmp_path / "r",
        "linux/amd64,linux/arm64",
        cgo=(False,),
        steps=(Step.BUILD, Step.TEST),
    )
    for result in report.targets:
        build, test = result.steps
        assert build.outcome is Outcome.PASS
        assert test.outcome is Outcome.FAIL
        (finding,) = test.findings
        assert finding.rule_id == "CGO112"
        assert finding.message == "TestAnswer failed: Answer() = 41, want 42"
        assert (finding.file, finding.line) == ("lib/lib_test.go", 7)


def _sleepers() -> list[int]:
    """Pids of processes running the fixture's `sleep 317.<this run's pid>`."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            cmdline = (entry / "cmdline").read_bytes()
        except OSError:
            continue
        if cmdline.startswith(SLEEP_MARK):
            found.append(int(entry.name))
    return found


def test_timeout_kills_every_process(modules: Path, tmp_path: Path) -> None:
    assert _sleepers() == []
    started = time.monotonic()
    report = _run(
        modules / "sleepytest",
        tmp_path / "r",
        "linux/amd64",
        cgo=(False,),
        steps=(Step.BUILD, Step.TEST),
        timeout=25,
    )
    assert time.monotonic() - started < 60
    (result,) = report.targets
    assert result.outcome is Outcome.TIMEOUT
    assert [f.rule_id for f in result.findings] == ["CGO111"]
    assert "TestSleeps" in result.findings[0].message
    assert _sleepers() == []


def test_ctrl_c_stops_every_process(modules: Path, tmp_path: Path) -> None:
    argv = [
        sys.executable,
        "-m",
        "cgotrap",
        "matrix",
        str(modules / "sleepytest"),
        "--targets",
        "linux/amd64",
        "--cgo",
        "0",
        "--test",
        "--no-reuse",
        "--results",
        str(tmp_path / "r"),
    ]
    proc = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        deadline = time.monotonic() + 120
        while not _sleepers():
            assert proc.poll() is None, proc.communicate()
            assert time.monotonic() < deadline, "the test never started"
            time.sleep(0.2)
        proc.send_signal(signal.SIGINT)
        _, err = proc.communicate(timeout=60)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.communicate()
    assert proc.returncode == 130, err
    assert b"interrupted" in err
    time.sleep(0.5)
    assert _sleepers() == []


def test_tests_under_qemu_without_qemu_is_a_missing_tool(
    modules: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))
    with pytest.raises(ToolchainMissingError) as info:
        _run(
            modules / "pure",
            tmp_path / "r",
            "linux/arm64",
            cgo=(False,),
            steps=(Step.BUILD, Step.TEST),
        )
    assert "qemu-aarch64 not found" in str(info.value)
    assert "apt-get install qemu-user" in str(info.value)
    assert not (tmp_path / "r").exists()  # refused before anything ran
    # a cgo test on dynamic glibc would not run under qemu anyway: no qemu needed, a note
    report = _run(
        modules / "pure", tmp_path / "r", "linux/arm64", cgo=(True,), steps=(Step.BUILD, Step.TEST)
    )
    (result,) = report.targets
    assert result.steps[1].outcome is Outcome.NOT_RUN
    (note,) = result.steps[1].findings
    assert note.rule_id == "CGO113"


def test_missing_pkg_config_says_what_to_install(
    modules: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))
    report = _run(modules / "pkgconfig", tmp_path / "r", "linux/amd64-musl", cgo=(True,))
    (result,) = report.targets
    (finding,) = result.findings
    assert finding.rule_id == "CGO102"
    assert "apt-get install pkg-config" in finding.message


def test_no_zig_libc_is_a_note_without_building(modules: Path, tmp_path: Path) -> None:
    report = _run(modules / "pure", tmp_path / "r", "linux/ppc64,android/arm64", cgo=(True,))
    for result in report.targets:
        assert result.outcome is Outcome.SKIPPED
        assert [f.rule_id for f in result.findings] == ["CGO117"]
    assert not report.failed


def test_second_run_reuses_results(modules: Path, tmp_path: Path) -> None:
    first = _run(modules / "glibcheader", tmp_path / "r", "linux/amd64,linux/amd64-musl")
    assert not any(t.cached for t in first.targets)
    started = time.monotonic()
    second = _run(modules / "glibcheader", tmp_path / "r", "linux/amd64,linux/amd64-musl")
    assert time.monotonic() - started < 5
    assert all(t.cached for t in second.targets)
    assert _rules_by_target(second) == _rules_by_target(first)
    # A changed file invalidates: the project is built again.
    module = modules / "glibcheader"
    extra = module / "lib" / "extra.go"
    extra.write_text("package lib\n")
    try:
        third = _run(module, tmp_path / "r", "linux/amd64")
    finally:
        extra.unlink()
    assert not any(t.cached for t in third.targets)


def test_cli_json_and_exit_code(modules: Path, tmp_path: Path) -> None:
    import jsonschema

    from cgotrap.schemas import load

    argv = [
        sys.executable,
        "-m",
        "cgotrap",
        "matrix",
        str(modules / "glibcheader"),
        "--targets",
        "linux/amd64-musl",
        "--cgo",
        "both",
        "--format",
        "json",
        "--results",
        str(tmp_path / "r"),
    ]
    done = subprocess.run(argv, capture_output=True, text=True, check=False)
    assert done.returncode == 1, done.stderr
    import json

    document = json.loads(done.stdout)
    jsonschema.validate(document, load("matrix"))
    assert [f["rule"] for f in document["findings"]] == ["CGO100"]
    allowed = subprocess.run(
        [*argv, "--allow-fail", "linux/amd64-musl"], capture_output=True, text=True, check=False
    )
    assert allowed.returncode == 0, allowed.stderr


def test_zig_targets_data_is_current() -> None:
    done = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "gen_zig_targets.py"), "--check"],
        capture_output=True,
        text=True,
        check=False,
        env=dict(os.environ),
    )
    assert done.returncode == 0, done.stderr


def test_glibc_pin_links_against_old_symbol_versions(modules: Path, tmp_path: Path) -> None:
    import re

    report = _run(modules / "fallback", tmp_path / "r", "linux/amd64-gnu.2.17", cgo=(True,))
    (result,) = report.targets
    assert result.outcome is Outcome.PASS, result.findings
    assert result.cc == "zig cc -target x86_64-linux-gnu.2.17"
    (binary,) = (tmp_path / "r").glob("*/bin/fallback")
    # readelf is the oracle: every GLIBC_x.y the binary needs is at most 2.17.
    out = subprocess.run(
        ["readelf", "--version-info", "--wide", str(binary)],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    versions = {tuple(int(p) for p in v.split(".")) for v in re.findall(r"GLIBC_(\d+\.\d+)", out)}
    assert versions
    assert max(versions) <= (2, 17)


# --- nothing hidden: every failing package, libraries, tag variants, versions, read-only --------


def _go(
    module: Path, *args: str, target: Target | None = None, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    """The real go, as the oracle (GOOS/GOARCH/CGO_ENABLED of `target`)."""
    run_env = toolchain.go_env()
    if target is not None:
        run_env.update(GOOS=target.goos, GOARCH=target.goarch, CGO_ENABLED=str(int(target.cgo)))
    run_env.update(env or {})
    go = str(toolchain.require("go").path)
    return subprocess.run(
        [go, *args], cwd=module, env=run_env, capture_output=True, text=True, check=False
    )


def _failing_files(module: Path, target: Target, out: Path) -> set[str]:
    """Files of the packages that `go build` fails on when each is built on its own."""
    listed = _go(module, "list", "-e", "-f", "{{.Dir}}", "./...", target=target).stdout
    failing: set[str] = set()
    for directory in listed.split():
        done = _go(module, "build", "-o", str(out / "x"), directory, target=target)
        if done.returncode != 0:
            failing |= {
                p.relative_to(module).as_posix()
                for p in Path(directory).glob("*.go")
                if p.relative_to(module).as_posix() in done.stderr or "./" + p.name in done.stderr
            }
    return failing


CGO0_TARGETS = "linux/amd64,windows/amd64,darwin/arm64"


def test_one_package_that_fails_to_load_hides_no_other(modules: Path, tmp_path: Path) -> None:
    module = modules / "hidden"
    # What go itself does: `go build ./...` names only the package it cannot load ...
    whole = _go(module, "build", "-o", str(tmp_path / "whole") + os.sep, "./...")
    assert whole.returncode != 0
    assert "broken/broken.go" in whole.stderr
    assert "b/b.go" not in whole.stderr
    assert "c/c.go" not in whole.stderr
    report = _run(module, tmp_path / "r", CGO0_TARGETS, cgo=(False,))
    assert len(report.targets) == 3
    for result in report.targets:
        # ... while each package built on its own shows three failing ones: matrix reports
        # all three, on every target.
        expected = _failing_files(module, result.target, tmp_path / "oracle")
        assert expected == {"broken/broken.go", "b/b.go", "c/c.go"}
        assert result.outcome is Outcome.FAIL
        assert {f.file for f in result.findings} == expected, result.findings
        assert "CGO199" not in {f.rule_id for f in result.findings}
    # The main package, which loads and compiles, was built anyway.
    assert sorted(p.name for p in (tmp_path / "r").glob("*/bin/hidden*")) == [
        "hidden",
        "hidden",
        "hidden.exe",
    ]


def test_a_package_no_main_imports_is_built_too(modules: Path, tmp_path: Path) -> None:
    module = modules / "orphan"
    # The oracle: `go build -o DIR/ ./...` passes (it builds main packages only) ...
    assert _go(module, "build", "-o", str(tmp_path / "o") + os.sep, "./...").returncode == 0
    report = _run(module, tmp_path / "r", "linux/amd64,windows/amd64", cgo=(False,))
    for result in report.targets:
        # ... though `go build ./orphan` fails.
        assert _failing_files(module, result.target, tmp_path / "oracle") == {"orphan/orphan.go"}
        assert result.outcome is Outcome.FAIL
        assert {f.file for f in result.findings} == {"orphan/orphan.go"}
    assert len(list((tmp_path / "r").glob("*/bin/orphan*"))) == 2


def test_a_library_builds_and_vets(modules: Path, tmp_path: Path) -> None:
    module = modules / "library"
    # The oracle: go builds it (no binary to write: `go build -o DIR/` refuses) and vet fails.
    refused = _go(module, "build", "-o", str(tmp_path / "out") + os.sep, "./...")
    assert "no main packages to build" in refused.stderr
    assert _go(module, "build", "./...").returncode == 0
    vet = _go(module, "vet", "./...")
    assert vet.returncode != 0
    report = _run(
        module,
        tmp_path / "r",
        "linux/amd64,windows/amd64",
        steps=(Step.BUILD, Step.VET),
    )
    assert len(report.targets) == 4
    for result in report.targets:
        build, vet_step = result.steps
        assert build.outcome is Outcome.PASS, (result.target.name, build.findings)
        assert build.command == ("go", "build", "./...")
        assert vet_step.outcome is Outcome.FAIL
        assert {(f.rule_id, f.file) for f in vet_step.findings} == {("CGO115", "vetbad/vetbad.go")}


def test_a_library_that_fails_reports_every_failing_package(modules: Path, tmp_path: Path) -> None:
    module = modules / "brokenlibrary"
    report = _run(module, tmp_path / "r", "linux/amd64,windows/amd64", cgo=(False,))
    for result in report.targets:
        expected = _failing_files(module, result.target, tmp_path / "oracle")
        assert expected == {"broken/broken.go", "lib/lib.go"}
        assert result.outcome is Outcome.FAIL
        assert {f.file for f in result.findings} == expected, result.findings


def test_tags_and_variants_side_by_side(modules: Path, tmp_path: Path) -> None:
    import jsonschema

    from cgotrap.render.matrix import to_json
    from cgotrap.schemas import load

    module = modules / "tagged"
    # The oracle: it builds with -tags cgotrapok, and not with netgo,osusergo added.
    assert _go(module, "build", "-o", str(tmp_path / "o"), ".").returncode != 0
    assert _go(module, "build", "-tags=cgotrapok", "-o", str(tmp_path / "o"), ".").returncode == 0
    netgo = _go(module, "build", "-tags=cgotrapok,netgo,osusergo", "-o", str(tmp_path / "o"), ".")
    assert netgo.returncode != 0
    assert "netgo.go" in netgo.stderr
    report = _run(
        module,
        tmp_path / "r",
        "linux/amd64,darwin/arm64",
        cgo=(False,),
        tags=("cgotrapok",),
        variants=((), ("netgo", "osusergo")),
    )
    got = {(t.target.name, t.variant): t for t in report.targets}
    assert len(got) == 4
    for name in ("linux/amd64 cgo=0", "darwin/arm64 cgo=0"):
        base, variant = got[name, ()], got[name, ("netgo", "osusergo")]
        assert base.outcome is Outcome.PASS, base.findings
        assert base.tags == ("cgotrapok",)
        assert base.steps[0].command[:3] == ("go", "build", "-tags=cgotrapok")
        assert variant.outcome is Outcome.FAIL
        assert variant.tags == ("cgotrapok", "netgo", "osusergo")
        assert {f.file for f in variant.findings} == {"netgo.go"}
    document = to_json(report)
    jsonschema.validate(document, load("matrix"))
    assert document["variants"] == [[], ["netgo", "osusergo"]]
    assert document["findings"]
    assert all(f["variant"] == ["netgo", "osusergo"] for f in document["findings"])
    # Each variant keeps its own results (and reuse cache).
    assert len(list((tmp_path / "r").glob("*/bin/tagged"))) == 2


def test_cli_variant_and_versions_shown(modules: Path, tmp_path: Path) -> None:
    argv = [
        sys.executable,
        "-m",
        "cgotrap",
        "matrix",
        str(modules / "tagged"),
        "--targets",
        "linux/amd64",
        "--cgo",
        "0",
        "--tags",
        "cgotrapok",
        "--variant",
        "netgo,osusergo",
        "--results",
        str(tmp_path / "r"),
    ]
    done = subprocess.run(argv, capture_output=True, text=True, check=False)
    assert done.returncode == 1, done.stderr
    table = zigcc.zig_table()
    assert "linux/amd64 +netgo,osusergo" in done.stdout
    assert f"glibc {table.default_glibc} (zig's default; pin with --glibc)" in done.stdout
    assert f"macOS >= {table.default_macos} (zig's default" in done.stdout
    pinned = subprocess.run(
        [*argv, "--glibc", "2.17", "--macos-min", "11.0"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert "glibc 2.17 (pinned)" in pinned.stdout
    assert "macOS >= 11.0 (pinned)" in pinned.stdout


def _minos(binary: Path) -> str:
    """LC_BUILD_VERSION's minos of a Mach-O file ("11.0"), read with macholib."""
    from macholib.MachO import MachO

    for header in MachO(str(binary)).headers:
        for _load, command, _data in header.commands:
            if type(command).__name__ == "build_version_command":
                minos = int(command.minos)
                return f"{minos >> 16}.{(minos >> 8) & 0xFF}"
    raise AssertionError(f"{binary}: no LC_BUILD_VERSION")


@pytest.mark.parametrize("macos_min", [None, "11.0"])
def test_macos_min_is_the_binarys_minimum_macos(
    macos_min: str | None, modules: Path, tmp_path: Path
) -> None:
    report = _run(
        modules / "fallback", tmp_path / "r", "darwin/arm64", cgo=(True,), macos_min=macos_min
    )
    (result,) = report.targets
    assert result.outcome is Outcome.PASS, result.findings
    default = zigcc.zig_table().default_macos
    want = macos_min or default
    assert report.macos_min == want
    assert report.macos_min_pinned is (macos_min is not None)
    suffix = f".{macos_min}" if macos_min else ""
    assert result.cc == f"zig cc -target aarch64-macos{suffix}"
    (binary,) = (tmp_path / "r").glob("*/bin/fallback")
    assert _minos(binary) == want


@pytest.mark.parametrize("how", ["environment", "go env -w"])
def test_builds_never_write_the_project_even_with_mod_mod(
    how: str, modules: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import shutil

    module = modules / "modmod"
    # The oracle: with -mod=mod go rewrites go.mod (on a copy); -mod=readonly refuses.
    copy = tmp_path / "copy"
    shutil.copytree(module, copy)
    written = _go(copy, "build", "-o", str(tmp_path / "o"), ".", env={"GOFLAGS": "-mod=mod"})
    assert written.returncode == 0, written.stderr
    assert (copy / "go.mod").read_text() != (module / "go.mod").read_text()
    assert _go(module, "build", "-mod=readonly", "-o", str(tmp_path / "o"), ".").returncode != 0
    if how == "environment":
        monkeypatch.setenv("GOFLAGS", "-mod=mod")
    else:
        goenv = tmp_path / "goenv"
        monkeypatch.setenv("GOENV", str(goenv))
        monkeypatch.delenv("GOFLAGS", raising=False)
        assert _go(module, "env", "-w", "GOFLAGS=-mod=mod").returncode == 0
        assert _go(module, "env", "GOFLAGS").stdout.strip() == "-mod=mod"
    # _run asserts the tree (bytes, modes, mtimes) is unchanged.
    report = _run(module, tmp_path / "r", "linux/amd64", cgo=(False,))
    (result,) = report.targets
    assert result.outcome is Outcome.FAIL
    assert {f.file for f in result.findings} == {"main.go"}
