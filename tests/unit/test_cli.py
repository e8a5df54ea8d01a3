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


def test_a_command_run_collects_cycles_less_often_than_a_library_caller() -> None:
    """The console entry sets the collector's thresholds before the command runs (the
    objects of a run live until it exits); `main()` in a caller's process leaves them."""
    code = (
        "import gc\n"
        "from cgotrap.cli import main as cli\n"
        "print(gc.get_threshold())\n"
        "cli.main = lambda: print(gc.get_threshold()) or 0\n"
        "cli.entry()\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    library, command = done.stdout.splitlines()
    assert library == "(700, 10, 10)"
    assert command == str(cli._GC_THRESHOLDS)
    assert cli._GC_THRESHOLDS[0] > 700


def test_version_loads_no_command() -> None:
    """`cgotrap --version` prints versions: registering every command's options first
    imported all of cgotrap (~0.1 s of a 0.3 s run)."""
    code = (
        "import sys\n"
        "from cgotrap.cli.main import main\n"
        "try:\n"
        "    main(['--version'])\n"
        "except SystemExit:\n"
        "    pass\n"
        "print('MODULES', *sorted(sys.modules))\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert "go: " in done.stdout
    loaded = set(done.stdout.rpartition("MODULES ")[2].split())
    assert "cgotrap.toolchain" in loaded
    assert not {m for m in loaded if m.startswith("cgotrap.cli.main_")}


def test_help_lists_every_command(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        cli.main(["--help"])
    assert exit_info.value.code == 0
    out = capsys.readouterr().out
    for command in ("list", "scan", "inspect", "matrix"):
        assert command in out


def test_unknown_command_is_a_usage_error_naming_the_choices(
    capsys: pytest.CaptureFixture[str],
) -> None:
    with pytest.raises(SystemExit) as exit_info:
        cli.main(["scna"])
    assert exit_info.value.code == 2
    err = capsys.readouterr().err
    assert "invalid choice: 'scna'" in err
    assert "inspect" in err


def test_only_the_command_being_run_is_imported() -> None:
    code = (
        "import sys\n"
        "from cgotrap.cli import main\n"
        "main.main(['inspect', '--format', 'json', sys.executable])\n"
        "print(sorted(m for m in sys.modules if m.startswith('cgotrap.cli.main_')))\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip().splitlines()[-1] == "['cgotrap.cli.main_inspect']"
