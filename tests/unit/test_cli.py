"""The CLI shell: version, error mapping."""

from __future__ import annotations

import subprocess
import sys

import pytest

from cgotrap.cli import main as cli


def test_version_names_go_and_zig(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        cli.main(["--version"])
    assert exit_info.value.code == 0
    out = capsys.readouterr().out
    assert out.startswith("cgotrap ")
    assert "go: go1." in out
    assert "zig: 0." in out


def test_python_dash_m_entry_point() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "cgotrap", "--version"], capture_output=True, text=True, check=False
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("cgotrap ")
