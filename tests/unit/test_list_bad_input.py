"""`cgotrap list` on hostile or broken trees: never a traceback, never a hang, never a write.

These run the package loader against a tiny fake GOROOT (so no Go toolchain is needed) and
check behaviour, not go's exact text (the integration tests compare texts with go list).
"""

from __future__ import annotations

import hashlib
import os
import signal
from collections.abc import Iterator
from pathlib import Path
from types import FrameType

import pytest

from cgotrap.cli import main as cli
from cgotrap.discover.modsyntax import GoModError
from cgotrap.discover.project import NoModuleError
from cgotrap.evaluate.load import load_matrix
from cgotrap.render import golist
from cgotrap.targets import Target

LINUX = Target(goos="linux", goarch="amd64", cgo=False)
WINDOWS = Target(goos="windows", goarch="amd64", cgo=True)


@pytest.fixture
def fake_goroot(tmp_path: Path) -> Path:
    root = tmp_path / "goroot"
    for pkg in ("fmt", "os", "unsafe", "runtime", "runtime/cgo", "syscall"):
        (root / "src" / pkg).mkdir(parents=True)
        name = pkg.rsplit("/", 1)[-1]
        (root / "src" / pkg / f"{name}.go").write_text(f"package {name}\n")
    return root


@pytest.fixture
def deadline() -> Iterator[None]:
    """Fail (not hang) when a test runs longer than 60 s."""

    def on_alarm(signum: int, frame: FrameType | None) -> None:
        raise TimeoutError("cgotrap list hung")

    old = signal.signal(signal.SIGALRM, on_alarm)
    signal.alarm(60)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, old)


def _module(root: Path, files: dict[str, str]) -> Path:
    root.mkdir(parents=True, exist_ok=True)
    (root / "go.mod").write_text("module example.com/m\n\ngo 1.22\n")
    for rel, text in files.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(text)
    return root


def _snapshot(root: Path) -> dict[str, tuple[float, str]]:
    out: dict[str, tuple[float, str]] = {}
    for dirpath, dirnames, filenames in os.walk(root):
        for name in dirnames + filenames:
            full = Path(dirpath) / name
            st = full.lstat()
            digest = ""
            if full.is_file() and not full.is_symlink():
                digest = hashlib.sha256(full.read_bytes()).hexdigest()
            out[str(full)] = (st.st_mtime, digest)
    return out


def _paths(result_text: str) -> list[str]:
    return [line.split('"')[3] for line in result_text.splitlines() if '"ImportPath"' in line]


def test_hostile_entries_do_not_hang_or_crash(
    tmp_path: Path, fake_goroot: Path, deadline: None
) -> None:
    root = _module(
        tmp_path / "m",
        {
            "a.go": 'package m\n\nimport (\n\t"fmt"\n\t"example.com/m/sub"\n)\n',
            "sub/s.go": "package sub\n",
            "weird/w.go": 'package weird\n\nvar s = "\xff"\n',
        },
    )
    os.mkfifo(root / "sub" / "fifo.go")  # reading it would block forever
    (root / "sub" / "dangling.go").symlink_to(root / "nowhere.go")
    (root / "loop").symlink_to(root)  # a directory symlink loop
    (root / "sub" / "self").symlink_to(root / "sub")
    bad_dir = Path(os.fsdecode(os.fsencode(root) + b"/bad\xffname"))
    bad_dir.mkdir()
    (bad_dir / "x.go").write_bytes(b"package bad\n\n// \xfe\xff not UTF-8\n")
    (root / "nul").mkdir()
    (root / "nul" / "n.go").write_bytes(b"package nul\x00\n")
    before = _snapshot(root)
    result = load_matrix(
        ["./..."], [LINUX, WINDOWS], root=root, goroot=fake_goroot, go_version="go1.27.3"
    )
    text = golist.format_json(result, matrix=True)
    assert _snapshot(root) == before, "the scanned tree changed"
    paths = _paths(text)
    assert "example.com/m" in paths
    assert "example.com/m/sub" in paths
    assert any(p.startswith("example.com/m/bad") for p in paths)
    assert "\\ufffd" in text  # the undecodable byte is rendered as go does
    assert len(result.per_target) == 2


def test_missing_go_mod_is_one_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "x.go").write_text("package x\n")
    with pytest.raises(NoModuleError) as info:
        cli.main_inner(["list", "-C", str(tmp_path), "./..."])
    assert "go.mod file not found" in str(info.value)
    assert cli.main(["list", "-C", str(tmp_path), "./..."]) == 4
    err = capsys.readouterr().err
    assert err.count("\n") == 1
    assert err.startswith("cgotrap: ")


def test_malformed_go_mod_names_file_and_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "go.mod").write_text("module m\n\nrequire (\n\tbroken\n)\n")
    with pytest.raises(GoModError):
        cli.main_inner(["list", "-C", str(tmp_path), "./..."])
    assert cli.main(["list", "-C", str(tmp_path), "./..."]) == 4
    err = capsys.readouterr().err
    assert f"{tmp_path}/go.mod:4:2: usage: require" in err  # go's line:column
    assert err.count("\n") == 1


def test_dependency_not_downloaded(
    tmp_path: Path, fake_goroot: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = _module(tmp_path / "m", {"u.go": 'package m\n\nimport _ "example.com/dep/x"\n'})
    (root / "go.mod").write_text(
        "module example.com/m\n\ngo 1.22\n\nrequire example.com/dep v1.0.0\n"
    )
    monkeypatch.setenv("GOMODCACHE", str(tmp_path / "empty-cache"))
    monkeypatch.setenv("GOPROXY", "off")
    result = load_matrix(["./..."], [LINUX], root=root, goroot=fake_goroot, go_version="go1.27.3")
    errors = {p.import_path: p.error for p in result.per_target[0].packages if p.error}
    assert "missing go.sum entry" in errors["example.com/dep/x"].err
    (root / "go.sum").write_text("example.com/dep v1.0.0 h1:x=\n")
    result = load_matrix(["./..."], [LINUX], root=root, goroot=fake_goroot, go_version="go1.27.3")
    errors = {p.import_path: p.error for p in result.per_target[0].packages if p.error}
    assert errors["example.com/dep/x"].err == "module lookup disabled by GOPROXY=off"
    assert not (tmp_path / "empty-cache").exists()  # nothing downloaded or created


def test_reader_does_not_block_on_a_fifo(tmp_path: Path, deadline: None) -> None:
    from cgotrap.read.filename import FileKind
    from cgotrap.read.gofile import read_source_file

    os.mkfifo(tmp_path / "x.go")  # no writer: a blocking open would wait forever
    src = read_source_file(str(tmp_path), "x.go", FileKind.GO)
    assert src.error == f"open {tmp_path}/x.go: not a regular file, not read by cgotrap"
    (tmp_path / "y.go").write_text("package y\n")
    assert read_source_file(str(tmp_path), "y.go", FileKind.GO).package_name == "y"


def test_a_multi_line_go_mod_error_is_one_line_for_the_user(tmp_path: Path) -> None:
    # go's replace usage spans two lines ("...other/module v1.4\n\t or replace ..."); the
    # user gets one line, the oracle tests read go's own text from `errors`.
    from cgotrap.discover.gomod import parse_gomod_text

    with pytest.raises(GoModError) as info:
        parse_gomod_text("module m\nreplace \n", tmp_path / "go.mod")
    assert "\n" not in str(info.value)
    assert "or replace module/path" in str(info.value)
    assert "\n\t or replace" in info.value.errors[0]


def test_usage_errors_win_over_a_bad_chdir(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """2 > 4 (README "Exit status"): a bad --targets or -mod is reported before -C's missing
    directory; -C alone is 4."""
    missing = str(tmp_path / "missing")
    assert cli.main(["list", "--targets", "plan10/amd64", "-C", missing, "."]) == 2
    assert cli.main(["list", "-mod=bogus", "-C", missing, "."]) == 2
    assert "not supported" in capsys.readouterr().err
    assert cli.main(["list", "-C", missing, "."]) == 4
    assert capsys.readouterr().err.startswith(f"cgotrap: chdir {missing}: no such file")
