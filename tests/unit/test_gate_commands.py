"""The project's word on matrix and inspect: `[[ignore]]`s and baselines decide whether a
failed target or a violated policy fails the command."""

from __future__ import annotations

import json
import os
import shutil
import stat
import sys
from pathlib import Path

import pytest

from cgotrap.cli import main as cli
from cgotrap.config import Config, Ignore
from cgotrap.crossbuild.results import MatrixReport, Outcome, StepResult, TargetResult
from cgotrap.gate.baseline import BaselineView, compare, entries_of
from cgotrap.gate.judging import judge_findings, matrix_failed
from cgotrap.judge.finding import Finding, Step
from cgotrap.judge.rules import get
from cgotrap.targets import Target

L1 = Target(goos="linux", goarch="amd64", cgo=True)
W1 = Target(goos="windows", goarch="amd64", cgo=True)


def missing_header(target: Target) -> Finding:
    return Finding(
        rule=get("CGO101"),
        package="ex.com/m/db",
        subject="sqlite3.h",
        targets=(target,),
        step=Step.BUILD,
        message="sqlite3.h not found",
        files=("db/db.go",),
    )


def report(*failed: tuple[Target, tuple[Finding, ...]], allowed: bool = False) -> MatrixReport:
    return MatrixReport(
        targets=tuple(
            TargetResult(
                target=t,
                steps=(StepResult(step=Step.BUILD, outcome=Outcome.FAIL, findings=found),),
                allowed_to_fail=allowed,
            )
            for t, found in failed
        ),
        steps=(Step.BUILD,),
        packages=("./...",),
        go_version="",
        zig_version="",
        results_dir="",
        glibc="2.31",
        macos_min="15.0",
    )


def view(findings: tuple[Finding, ...], accepted: tuple[Finding, ...]) -> BaselineView:
    baseline = entries_of(accepted)
    return BaselineView(file="b.json", baseline=baseline, comparison=compare(findings, baseline))


def test_matrix_fails_only_on_what_counts() -> None:
    on_windows = missing_header(W1)
    run = report((W1, (on_windows,)))
    plain = judge_findings(run.groups, Config(), root=None)
    assert matrix_failed(run, plain, None)
    assert not matrix_failed(report((W1, (on_windows,)), allowed=True), plain, None)

    ignore = Ignore(rule="CGO101", package="ex.com/m/...", path=None, reason="r", index=1)
    ignored = judge_findings(run.groups, Config(ignores=(ignore,)), root=None)
    assert ignored[0].suppression is not None
    assert not matrix_failed(run, ignored, None)

    assert not matrix_failed(run, plain, view(run.groups, (on_windows,)))
    # the same finding accepted on linux only: windows is outside the entry
    assert matrix_failed(run, plain, view(run.groups, (missing_header(L1),)))
    # a failure no finding explains always counts
    assert matrix_failed(report((W1, ())), (), view((), (on_windows,)))


@pytest.fixture
def dynamic_binary(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A dynamically linked ELF (this Python) at dist/app, the current directory tmp_path."""
    (tmp_path / "dist").mkdir()
    shutil.copy(Path(sys.executable).resolve(), tmp_path / "dist" / "app")
    monkeypatch.chdir(tmp_path)
    return tmp_path / "dist" / "app"


def test_inspect_policy_and_ignores_from_config(
    dynamic_binary: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = dynamic_binary.parent.parent / ".cgotrap.toml"
    assert cli.main(["inspect", "dist"]) == 0  # no policy
    config.write_text('[inspect]\npolicy = "static"\n')
    assert cli.main(["inspect", "dist"]) == 1  # the policy from the config, found upward
    config.write_text(
        '[inspect]\npolicy = "static"\n\n[[ignore]]\nrule = "CGO201"\npath = "dist/*"\n'
        'reason = "a test stand-in"\n'
    )
    capsys.readouterr()
    assert cli.main(["inspect", "dist", "--format", "sarif"]) == 0
    (result,) = json.loads(capsys.readouterr().out)["runs"][0]["results"]
    assert result["ruleId"] == "CGO201"
    assert [s["justification"] for s in result["suppressions"]] == ["a test stand-in"]


def test_inspect_baseline(dynamic_binary: Path, capsys: pytest.CaptureFixture[str]) -> None:
    baseline = dynamic_binary.parent.parent / "b.json"
    entry = {"rule": "CGO201", "package": "", "subject": "dist/app", "targets": []}
    baseline.write_text(json.dumps({"version": 1, "entries": [entry]}))
    assert cli.main(["inspect", "dist", "--policy", "static", "--baseline", str(baseline)]) == 0
    baseline.write_text(json.dumps({"version": 1, "entries": []}))
    assert cli.main(["inspect", "dist", "--policy", "static", "--baseline", str(baseline)]) == 1


def test_outputs_never_replace_a_device(tmp_path: Path) -> None:
    """`-o /dev/null` writes into the device; a baseline is never written over one."""
    from cgotrap.cli.output import write_atomically
    from cgotrap.config.write import write_new
    from cgotrap.errors import InputError

    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    reader = os.open(fifo, os.O_RDONLY | os.O_NONBLOCK)
    try:
        write_atomically(fifo, "through the pipe\n")
        assert os.read(reader, 100) == b"through the pipe\n"
    finally:
        os.close(reader)
    assert stat.S_ISFIFO(fifo.stat().st_mode)
    with pytest.raises(InputError, match="not a regular file"):
        write_new(fifo, "{}", force=True)
    assert stat.S_ISFIFO(fifo.stat().st_mode)
