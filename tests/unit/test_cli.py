"""The CLI shell: version, error mapping."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

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


_ARGPARSE_TEXTS = [
    ["scan", "--help"],
    ["--help"],
    ["scan", "--targets"],  # "expected one argument" (ngettext)
    ["scan", "--format", "nope"],  # "invalid choice"
    ["nope"],
    ["scan", "--no-such-option"],  # "unrecognized arguments"
    [],  # "the following arguments are required"
]

_TEXTS_RUN = """
import os, sys
from cgotrap.cli import main as cli
if sys.argv[1] == "entry":
    sys.argv = ["cgotrap", *sys.argv[2:]]
    cli.entry()
try:
    code = cli.main(sys.argv[2:])
except SystemExit as done:
    code = done.code
sys.stdout.flush()
sys.stderr.flush()
os._exit(code)
"""


@pytest.mark.parametrize("argv", _ARGPARSE_TEXTS, ids=" ".join)
def test_argparse_says_what_gettext_would_have_it_say(argv: list[str]) -> None:
    """The console script takes argparse's texts as they are where there can be no
    translation of them (`_untranslated_argparse`): help, usage and errors read as they do
    through gettext (`main()` used as a library leaves argparse asking it), in a language
    gettext would look for."""
    import os

    env = dict(os.environ, LANG="de_DE.UTF-8", LANGUAGE="de:fr", COLUMNS="100")
    runs = [
        subprocess.run(
            [sys.executable, "-c", _TEXTS_RUN, how, *argv],
            capture_output=True,
            text=True,
            env=env,
            check=False,
        )
        for how in ("entry", "library")
    ]
    entry, library = ((r.returncode, r.stdout, r.stderr) for r in runs)
    assert entry == library
    assert entry[0] in (0, 2)
    assert "usage: cgotrap" in entry[1] + entry[2]


def test_argparse_asks_gettext_where_a_translation_could_be(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import argparse
    import gettext

    monkeypatch.setattr(argparse, "_", gettext.gettext)
    monkeypatch.setattr(argparse, "ngettext", gettext.ngettext)
    monkeypatch.setattr(sys, "base_prefix", str(tmp_path))
    cli._untranslated_argparse()
    assert argparse.__dict__["_"] is str  # no share/locale under the installation
    ngettext = argparse.__dict__["ngettext"]
    assert ngettext("one", "many", 1) == "one"
    assert ngettext("one", "many", 2) == "many"
    assert ngettext("one", "many", 0) == gettext.NullTranslations().ngettext("one", "many", 0)
    monkeypatch.setattr(argparse, "_", gettext.gettext)
    monkeypatch.setattr(argparse, "ngettext", gettext.ngettext)
    (tmp_path / "share" / "locale").mkdir(parents=True)
    cli._untranslated_argparse()
    assert argparse.__dict__["_"] is gettext.gettext
    assert argparse.__dict__["ngettext"] is gettext.ngettext
