"""A pattern that matches nothing: scan (and list) do as go does, with `go list` the oracle.

- a literal naming a missing directory (`./missing`), a wildcard under one
  (`./missing/...`, `./main.go/...`), a wildcard whose prefix lies outside every module
  (`../elsewhere/...`): go lists an Error object for a package named after the pattern;
  `cgotrap list` gives the same object, `scan` a package of that name that breaks, quoting
  go's text (a CGO011 error: exit 1 at the default `--fail-on`), never "could not be
  resolved" (nothing to download would fill it) nor a problem line of its own;
- a wildcard matching no package in a directory that is there (`./empty/...`): go's warning
  `matched no packages` on stderr, exit 0.
"""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from cgotrap import toolchain
from cgotrap.cli import main as cli
from tests.gofixtures import go_env, iter_json_objects

pytestmark = pytest.mark.integration

ERROR_PATTERNS = (
    "./missing",
    "./missing/...",
    "./main.go/...",
    "./sub/none/...",
    "../elsewhere/...",
)


def _module(tmp_path: Path) -> Path:
    root = tmp_path / "m"
    (root / "empty").mkdir(parents=True)
    (root / "sub").mkdir()
    (root / "go.mod").write_text("module example.com/hello\n\ngo 1.21\n")
    (root / "main.go").write_text(
        'package main\n\nimport "fmt"\n\nfunc main() { fmt.Println("hello") }\n'
    )
    return root


def _go_list(root: Path, pattern: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(toolchain.require("go").path), "list", "-e", "-json", pattern],
        cwd=root,
        env=go_env({"GOOS": "linux", "GOARCH": "amd64", "CGO_ENABLED": "0"}),
        capture_output=True,
        text=True,
        check=False,
    )


@pytest.mark.parametrize("pattern", ERROR_PATTERNS)
def test_a_pattern_naming_no_directory_is_gos_error_object(
    pattern: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    root = _module(tmp_path)
    go = _go_list(root, pattern)
    assert go.returncode == 0
    (want,) = list(iter_json_objects(go.stdout))  # the oracle: one Error object
    assert want["ImportPath"] == pattern
    assert want["Error"]["Err"]
    # cgotrap list: the same object.
    monkeypatch.chdir(root)
    argv = ["list", "-e", "-json", "--targets", "linux/amd64", "--cgo", "0", pattern]
    assert cli.main(argv) == 0
    (got,) = list(iter_json_objects(capsys.readouterr().out))
    assert got["ImportPath"] == pattern
    assert got["Error"] == want["Error"]
    # cgotrap scan: a package of that name that breaks, in go's words; not "unresolved".
    argv = ["scan", str(root), pattern, "--targets", "linux/amd64", "--format", "json"]
    assert cli.main(argv) == 1
    captured = capsys.readouterr()
    assert "could not be resolved" not in captured.err
    document = json.loads(captured.out)
    assert document["unresolved"] == []
    assert document["problems"] == []
    (package,) = document["packages"]
    assert package["import_path"] == pattern
    for cell in package["targets"].values():
        assert cell["verdict"] == "breaks"
        assert [e["text"] for e in cell["evidence"]] == [want["Error"]["Err"]]
    (finding,) = document["findings"]
    assert finding["rule"] == "CGO011"
    assert cli.main([*argv, "--fail-on", "never"]) == 0
    capsys.readouterr()


def test_an_empty_wildcard_is_gos_warning(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = _module(tmp_path)
    go = _go_list(root, "./empty/...")
    assert go.returncode == 0
    assert list(iter_json_objects(go.stdout)) == []
    assert go.stderr.strip() == 'go: warning: "./empty/..." matched no packages'  # the oracle
    argv = ["scan", str(root), "./empty/...", "--targets", "linux/amd64", "--format", "json"]
    assert cli.main(argv) == 0
    captured = capsys.readouterr()
    assert captured.err.strip() == 'cgotrap: warning: "./empty/..." matched no packages'
    document = json.loads(captured.out)
    assert document["packages"] == []
    assert document["findings"] == []


@pytest.mark.parametrize("pattern", ["../m/...", "./../m/...", "../m/c...", "./..."])
def test_a_wildcard_walking_up_and_back_matches_as_go(
    pattern: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """go matches the walked path as the pattern names it ("../m/cmd"), not as a path from
    the working directory ("cmd"): run inside m, "../m/..." is every package of m."""
    root = _module(tmp_path)
    (root / "cmd" / "tool").mkdir(parents=True)
    (root / "cmd" / "tool" / "main.go").write_text("package main\n\nfunc main() {}\n")
    go = _go_list(root, pattern)
    want = [o["ImportPath"] for o in iter_json_objects(go.stdout)]
    assert want  # the oracle matched something
    monkeypatch.chdir(root)
    assert cli.main(["list", "-e", "-json", "--targets", "linux/amd64", "--cgo", "0", pattern]) == 0
    assert [o["ImportPath"] for o in iter_json_objects(capsys.readouterr().out)] == want


@pytest.mark.parametrize(
    "patterns",
    [("./missing", "./..."), ("./...", "./missing"), ("./lib", "./..."), ("./...",)],
)
def test_a_package_a_pattern_names_is_built_beside_a_wildcard(
    patterns: tuple[str, ...], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """`go build ./lib ./...` compiles lib although no main imports it, and fails on a
    missing directory; `go build ./...` skips a package no main needs only when a wildcard
    alone matched it. scan's gate fails exactly where go build does (linux/amd64, cgo off)."""
    root = _module(tmp_path)
    (root / "lib").mkdir()
    (root / "lib" / "lib.go").write_text(
        'package lib\n\n// #include <stdio.h>\nimport "C"\n\nfunc F() {}\n'
    )
    (tmp_path / "out").mkdir()
    go = subprocess.run(
        [str(toolchain.require("go").path), "build", "-o", f"{tmp_path / 'out'}/", *patterns],
        cwd=root,
        env=go_env({"GOOS": "linux", "GOARCH": "amd64", "CGO_ENABLED": "0"}),
        capture_output=True,
        text=True,
        check=False,
    )
    argv = ["scan", "--no-cache", str(root), *patterns, "--targets", "linux/amd64", "--cgo", "0"]
    assert (cli.main(argv) == 1) == (go.returncode != 0), go.stderr
    capsys.readouterr()


def test_the_header_counts_the_packages_go_lists_with_cgo_files(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A main that breaks only through its cgo import is affected, not a cgo package: the
    count is what `go list` gives CgoFiles to, and the needs table lists only those."""
    root = _module(tmp_path)
    (root / "lib").mkdir()
    (root / "lib" / "lib.go").write_text(
        'package lib\n\n// #include <stdio.h>\nimport "C"\n\nfunc F() {}\n'
    )
    (root / "main.go").write_text(
        'package main\n\nimport "example.com/hello/lib"\n\nfunc main() { lib.F() }\n'
    )
    go = subprocess.run(
        [str(toolchain.require("go").path), "list", "-e", "-deps", "-json", "./..."],
        cwd=root,
        env=go_env({"GOOS": "linux", "GOARCH": "amd64", "CGO_ENABLED": "1"}),
        capture_output=True,
        text=True,
        check=True,
    )
    with_cgo = [
        o["ImportPath"]
        for o in iter_json_objects(go.stdout)
        if o.get("CgoFiles") and not o.get("Standard")
    ]
    assert with_cgo == ["example.com/hello/lib"]  # the oracle
    argv = ["scan", "--no-cache", str(root), "--targets", "linux/amd64"]
    assert cli.main(argv) == 1  # cmd breaks with cgo off
    out = capsys.readouterr().out
    needs = out.split("What each cgo package needs", 1)[1].split("Findings", 1)[0]
    assert f"{len(with_cgo)} cgo package(s) · 1 other package(s) affected" in out
    rows = [
        line.split()[0]
        for line in needs.splitlines()
        if line.startswith("  ") and line.split() and line.split()[0] not in {"package", "←"}
    ]
    assert rows == ["lib"]  # not "." (the main, which only breaks through lib)
