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

from cgotrap.cli.main_matrix import _without_libc_twins
from cgotrap.crossbuild.results import MatrixReport, Outcome
from cgotrap.crossbuild.runner import MatrixOptions, MatrixRunner
from cgotrap.errors import ToolchainMissingError
from cgotrap.judge.finding import Step
from cgotrap.targets import expand
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
) -> MatrixReport:
    selected = _without_libc_twins(expand(targets, cgo, skip_unsupported_cgo=True))
    options = MatrixOptions(root=module, steps=steps, results_dir=results, jobs=2, timeout=timeout)
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
