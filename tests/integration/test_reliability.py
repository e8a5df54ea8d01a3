"""Reliability of `cgotrap matrix` with the real go and qemu-user: signals stop every process
and leave no temporary folder; names that are not UTF-8 build like any other.

Each case runs cgotrap as a child process in a temporary directory and checks /proc for
what it left running.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests import matrixfixtures

pytestmark = pytest.mark.integration

SLEEP_MARK = b"sleep\x00" + matrixfixtures.SLEEP_SECONDS.encode() + b"\x00"


@pytest.fixture(scope="module")
def sleepy(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return matrixfixtures.write(tmp_path_factory.mktemp("reliability"), "sleepytest")


def _ours(marks: tuple[bytes, ...]) -> list[tuple[int, bytes]]:
    """(pid, cmdline) of every process whose command line holds one of `marks`."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit() or int(entry.name) == os.getpid():
            continue
        try:
            cmdline = (entry / "cmdline").read_bytes()
        except OSError:
            continue
        if any(mark in cmdline for mark in marks):
            found.append((int(entry.name), cmdline))
    return found


def _matrix(
    module: Path, results: Path, target: str, tmpdir: Path, *extra: str
) -> subprocess.Popen[bytes]:
    argv = [
        sys.executable,
        "-m",
        "cgotrap",
        "matrix",
        str(module),
        "--targets",
        target,
        "--cgo",
        "0",
        "--test",
        "--no-reuse",
        "--results",
        str(results),
        *extra,
    ]
    env = dict(os.environ, TMPDIR=str(tmpdir))
    return subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env)


def _no_go_build_left(results: Path, tmpdir: Path) -> None:
    assert list(tmpdir.glob("go-build*")) == []
    assert list(results.glob("*/tmp")) == []


@pytest.mark.parametrize("target", ["linux/amd64", "linux/arm64"], ids=["native", "qemu"])
@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM, signal.SIGHUP])
def test_a_termination_signal_stops_every_process(
    sleepy: Path, tmp_path: Path, target: str, signum: signal.Signals
) -> None:
    results = tmp_path / "r"
    tmpdir = tmp_path / "tmp"
    tmpdir.mkdir()
    marks = (SLEEP_MARK, str(results).encode())
    assert _ours(marks) == []
    before = matrixfixtures.snapshot(sleepy)
    proc = _matrix(sleepy, results, target, tmpdir)
    try:
        deadline = time.monotonic() + 240
        while not _ours((SLEEP_MARK,)):
            assert proc.poll() is None, proc.communicate()
            assert time.monotonic() < deadline, "the test never started"
            time.sleep(0.2)
        if target == "linux/arm64":  # the test binary really runs under qemu
            assert any(b"qemu-aarch64" in cmd for _, cmd in _ours(marks))
        proc.send_signal(signum)
        _, err = proc.communicate(timeout=60)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.communicate()
    assert proc.returncode == 128 + signum, err
    words = "interrupted" if signum == signal.SIGINT else f"stopped by {signum.name}"
    assert err.decode().splitlines()[-1] == f"cgotrap: {words}"
    assert b"Traceback" not in err
    time.sleep(0.5)
    assert _ours(marks) == []
    _no_go_build_left(results, tmpdir)
    assert matrixfixtures.snapshot(sleepy) == before


def test_a_target_timeout_leaves_no_go_build_folder(sleepy: Path, tmp_path: Path) -> None:
    results = tmp_path / "r"
    tmpdir = tmp_path / "tmp"
    tmpdir.mkdir()
    proc = _matrix(sleepy, results, "linux/amd64", tmpdir, "--timeout", "20")
    _, err = proc.communicate(timeout=240)
    assert proc.returncode == 1, err
    _no_go_build_left(results, tmpdir)
    assert _ours((SLEEP_MARK, str(results).encode())) == []


def test_names_that_are_not_utf8_build_like_any_other(tmp_path: Path) -> None:
    module = matrixfixtures.write(tmp_path, "sleepytest")
    odd = Path(os.fsdecode(os.fsencode(module) + b"/data\xff\x1b[2J"))
    odd.mkdir()
    (odd / "notes.txt").write_text("x")
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "cgotrap",
            "matrix",
            str(module),
            "--targets",
            "linux/amd64",
            "--cgo",
            "0",
            "--results",
            str(tmp_path / "r"),
            "--format",
            "json",
        ],
        capture_output=True,
        timeout=240,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert b"Traceback" not in done.stderr
    done.stdout.decode("utf-8")  # valid UTF-8


@pytest.mark.parametrize(("extra", "expected"), [((), 124), (("--preserve-status",), 128 + 15)])
def test_timeout_3_cgotrap_matrix_leaves_no_process(
    sleepy: Path, tmp_path: Path, extra: tuple[str, ...], expected: int
) -> None:
    """`timeout 3 cgotrap matrix ...` as a user types it: timeout(1) sends SIGTERM to the
    process group at 3 s and reports 124 (143 with --preserve-status); nothing of ours may
    outlive it, and no go-build folder either."""
    timeout = shutil.which("timeout")
    if timeout is None:
        pytest.skip("no timeout(1) here")
    results = tmp_path / "r"
    tmpdir = tmp_path / "tmp"
    tmpdir.mkdir()
    before = matrixfixtures.snapshot(sleepy)
    argv = [timeout, *extra, "3", sys.executable, "-m", "cgotrap", "matrix", str(sleepy)]
    argv += ["--targets", "linux/amd64,linux/arm64", "--cgo", "0", "--test", "--no-reuse"]
    argv += ["--results", str(results)]
    env = dict(os.environ, TMPDIR=str(tmpdir))
    start = time.monotonic()
    done = subprocess.run(argv, capture_output=True, timeout=120, check=False, env=env)
    assert done.returncode == expected, done.stderr
    assert time.monotonic() - start < 60  # stopped, not run to the end
    assert b"Traceback" not in done.stderr
    assert done.stderr.decode().splitlines()[-1:] == ["cgotrap: stopped by SIGTERM"]
    time.sleep(0.5)
    assert _ours((SLEEP_MARK, str(results).encode())) == []
    _no_go_build_left(results, tmpdir)
    assert matrixfixtures.snapshot(sleepy) == before
