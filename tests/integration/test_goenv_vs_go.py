"""The go environment as go reads it, with the real go as the oracle: $GOROOT/go.env under
the GOENV file under the process environment; and what that environment changes in
`cgotrap list --targets` (GOFLAGS from go.env, GOEXPERIMENT from the environment or the
GOENV file) against `go list`.
"""

from __future__ import annotations

import io
import json
import subprocess
from contextlib import redirect_stdout
from pathlib import Path
from typing import Any

import pytest

from cgotrap import toolchain
from cgotrap.cli import main as cli
from cgotrap.discover.goenv import go_environment, goroot
from tests import gofixtures as fx
from tests.gofixtures import gofile, gomod

pytestmark = pytest.mark.integration

_KEYS = ("GOPROXY", "GOSUMDB", "GOTOOLCHAIN", "GOFLAGS", "GONOSUMDB", "GOPRIVATE")


def _go() -> Path:
    return toolchain.require("go").path


def _go_env_json(env: dict[str, str]) -> dict[str, str]:
    done = subprocess.run(
        [str(_go()), "env", "-json", *_KEYS],
        env=env,
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    )
    got: dict[str, str] = json.loads(done.stdout)
    return got


@pytest.mark.parametrize(
    ("case", "process", "file"),
    [
        ("go.env alone", {}, None),
        ("GOENV file over go.env", {}, "GOPROXY=off\nGOSUMDB=off\nGOTOOLCHAIN=local\n"),
        ("environment over both", {"GOPROXY": "file:///x", "GOSUMDB": "x"}, "GOPROXY=off\n"),
        ("empty in the environment: the file", {"GOPROXY": ""}, "GOPROXY=direct\n"),
        ("empty in the environment: go.env", {"GOTOOLCHAIN": ""}, None),
        ("empty in the file: not go.env", {}, "GOSUMDB=\nGOFLAGS=-mod=mod\n"),
        ("GOENV=off: go.env still read", {"GOENV": "off"}, None),
    ],
)
def test_environment_merge_against_go_env(
    case: str, process: dict[str, str], file: str | None, tmp_path: Path
) -> None:
    """`go_environment` with the real GOROOT's go.env agrees with `go env -json` on the
    variables go.env sets (GOPROXY, GOSUMDB, GOTOOLCHAIN) and others."""
    env = {k: v for k, v in fx.go_env().items() if k not in _KEYS}
    env.pop("GOROOT", None)
    env["GOENV"] = "off"
    if file is not None:
        (tmp_path / "env").write_text(file)
        env["GOENV"] = str(tmp_path / "env")
    env.update(process)
    want = _go_env_json(env)
    root = goroot(go_environment(env), _go())
    assert (root / "go.env").is_file()
    ours = go_environment(env, root)
    got = {key: ours.get(key, "") for key in _KEYS}
    assert got == want, case
    if case == "go.env alone":  # the oracle says something: go.env's own values
        assert want["GOPROXY"], want
        assert want["GOTOOLCHAIN"], want


# ------------------------------------------------------------------------------------
# GOFLAGS in a GOROOT's go.env, through `cgotrap list`


def _fake_goroot(where: Path, go_env_text: str) -> Path:
    """A GOROOT go accepts: the real one's entries as symlinks, its own go.env."""
    real = goroot(go_environment(fx.go_env()), _go())
    where.mkdir()
    for entry in real.iterdir():
        if entry.name != "go.env":
            (where / entry.name).symlink_to(entry)
    (where / "go.env").write_text(go_env_text)
    return where


def _tagged(root: Path) -> Path:
    return fx.write_tree(
        root,
        {
            "go.mod": gomod("example.com/tg"),
            "a.go": gofile("tg"),
            "foo.go": gofile("tg", "os", header="//go:build foo"),
            "bar.go": gofile("tg", "net", header="//go:build bar"),
            # a GOEXPERIMENT turns on the goexperiment.<name> tag
            "arena.go": gofile("tg", "strings", header="//go:build goexperiment.arenas"),
            "noarena.go": gofile("tg", "bytes", header="//go:build !goexperiment.arenas"),
            # an architecture level turns on amd64.v3 (from the process environment only)
            "v3.go": gofile("tg", "sort", header="//go:build amd64.v3"),
        },
    )


def _cgotrap_list(
    cwd: Path, env: dict[str, str], selectors: str, cgo: str
) -> dict[tuple[str, str, bool], list[dict[str, Any]]]:
    buf = io.StringIO()
    mp = pytest.MonkeyPatch()
    try:
        for key in ("GOOS", "GOARCH", "CGO_ENABLED", "GOWORK", "GOFLAGS", "GOROOT"):
            mp.delenv(key, raising=False)
        mp.setenv("GOENV", "off")
        for key, value in env.items():
            mp.setenv(key, value)
        with redirect_stdout(buf):
            code = cli.main_inner(
                [
                    "list",
                    "-e",
                    "-deps",
                    "-json",
                    "--targets",
                    selectors,
                    "--cgo",
                    cgo,
                    "-C",
                    str(cwd),
                ]
            )
    finally:
        mp.undo()
    assert code == 0
    out: dict[tuple[str, str, bool], list[dict[str, Any]]] = {}
    for obj in fx.iter_json_objects(buf.getvalue()):
        t = obj.pop("BuildContext")
        out.setdefault((t["GOOS"], t["GOARCH"], t["CGO_ENABLED"] == "1"), []).append(obj)
    return out


def _compare(root: Path, env: dict[str, str], tmp_path: Path) -> list[dict[str, Any]]:
    configs = [("linux", "amd64", False), ("windows", "arm64", False)]
    ours = _cgotrap_list(root, env, "linux/amd64,windows/arm64", "0")
    problems: list[str] = []
    first: list[dict[str, Any]] = []
    for goos, goarch, cgo in configs:
        want = fx.golist(root, ["."], goos=goos, goarch=goarch, cgo=cgo, root=tmp_path, env=env)
        got = ours[(goos, goarch, cgo)]
        first = first or want
        problems.extend(f"{goos}/{goarch}: {d}" for d in fx.diff_packages(want, got))
    assert problems == [], "\n".join(problems[:40])
    return first


def _files(listing: list[dict[str, Any]]) -> list[str]:
    (own,) = [p for p in listing if p["ImportPath"] == "example.com/tg"]
    files: list[str] = own["GoFiles"]
    return files


@pytest.mark.parametrize(
    ("case", "process", "file", "files"),
    [
        ("go.env's GOFLAGS", {}, None, ["a.go", "foo.go", "noarena.go"]),
        ("GOENV file over go.env", {}, "GOFLAGS=-tags=bar\n", ["a.go", "bar.go", "noarena.go"]),
        (
            "empty in the environment: go.env's",
            {"GOFLAGS": ""},
            None,
            ["a.go", "foo.go", "noarena.go"],
        ),
        ("environment's own", {"GOFLAGS": "-tags=bar"}, None, ["a.go", "bar.go", "noarena.go"]),
    ],
)
def test_goflags_from_goroot_go_env_against_golist(
    case: str, process: dict[str, str], file: str | None, files: list[str], tmp_path: Path
) -> None:
    """A GOROOT whose go.env says GOFLAGS=-tags=foo (as a distribution may ship it): go
    lists foo.go unless the GOENV file or the environment says otherwise."""
    fake = _fake_goroot(tmp_path / "goroot", "GOFLAGS=-tags=foo\nGOPROXY=off\n")
    root = _tagged(tmp_path / "fx")
    env = {"GOROOT": str(fake), **process}
    if file is not None:
        (tmp_path / "env").write_text(file)
        env["GOENV"] = str(tmp_path / "env")
    listing = _compare(root, env, tmp_path)
    assert _files(listing) == files, case


@pytest.mark.parametrize(
    ("case", "process", "file", "files"),
    [
        ("environment", {"GOEXPERIMENT": "arenas"}, None, ["a.go", "arena.go"]),
        ("GOENV file", {}, "GOEXPERIMENT=arenas\n", ["a.go", "arena.go"]),
        (
            "environment over file",
            {"GOEXPERIMENT": "noarenas"},
            "GOEXPERIMENT=arenas\n",
            ["a.go", "noarena.go"],
        ),
        (
            "GOFLAGS tags with it",
            {"GOEXPERIMENT": "arenas", "GOFLAGS": "-tags=foo"},
            None,
            ["a.go", "arena.go", "foo.go"],
        ),
        ("GOAMD64 in the environment", {"GOAMD64": "v3"}, None, ["a.go", "noarena.go", "v3.go"]),
        # `go env GOAMD64` says v3, yet go's build context reads the process environment
        ("GOAMD64 in the GOENV file", {}, "GOAMD64=v3\n", ["a.go", "noarena.go"]),
    ],
)
def test_goexperiment_with_targets_against_golist(
    case: str, process: dict[str, str], file: str | None, files: list[str], tmp_path: Path
) -> None:
    """`cgotrap list --targets` applies GOEXPERIMENT (environment or GOENV file) and
    GOFLAGS' -tags to every target, as go list does on each."""
    root = _tagged(tmp_path / "fx")
    env = dict(process)
    if file is not None:
        (tmp_path / "env").write_text(file)
        env["GOENV"] = str(tmp_path / "env")
    listing = _compare(root, env, tmp_path)
    assert _files(listing) == files, case


@pytest.mark.parametrize(
    ("process", "file"),
    [
        ({}, "GOEXPERIMENT=arenas\n"),
        ({"GOEXPERIMENT": "arenas"}, None),
        ({}, "GOAMD64=v3\n"),
        ({"GOAMD64": "v3"}, None),
        ({}, None),
    ],
    ids=["experiment-file", "experiment-env", "amd64v3-file", "amd64v3-env", "neither"],
)
def test_scan_reads_the_go_environment_as_go_list(
    process: dict[str, str],
    file: str | None,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """scan loads with the environment go reads (GOENV file, GOROOT/go.env): a package
    whose only cgo file is under an experiment or an architecture level compiles C exactly
    where go list gives it CgoFiles."""
    cgo = 'package fast\n\n// #include <stdlib.h>\nimport "C"\n\nfunc F() {}\n'
    root = fx.write_tree(
        tmp_path / "fx",
        {
            "go.mod": gomod("example.com/sx"),
            "main.go": 'package main\n\nimport "example.com/sx/fast"\n\nfunc main() { fast.F() }\n',
            "fast/exp.go": "//go:build goexperiment.arenas || amd64.v3\n\n" + cgo,
            "fast/plain.go": "//go:build !goexperiment.arenas && !amd64.v3\n\n"
            "package fast\n\nfunc F() {}\n",
        },
    )
    env = dict(process)
    if file is not None:
        (tmp_path / "env").write_text(file)
        env["GOENV"] = str(tmp_path / "env")
    (want,) = [
        p
        for p in fx.golist(
            root, ["./fast"], goos="linux", goarch="amd64", cgo=True, root=tmp_path, env=env
        )
        if p["ImportPath"] == "example.com/sx/fast"
    ]
    for key in ("GOOS", "GOARCH", "CGO_ENABLED", "GOFLAGS", "GOEXPERIMENT", "GOAMD64"):
        monkeypatch.delenv(key, raising=False)
    monkeypatch.setenv("GOENV", "off")
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    argv = ["scan", "--no-cache", str(root), "--targets", "linux/amd64", "--cgo", "1"]
    assert cli.main([*argv, "--format", "json"]) in (0, 1)
    document = json.loads(capsys.readouterr().out)
    verdicts = {
        p["import_path"]: p["targets"]["linux/amd64 cgo=1"]["verdict"] for p in document["packages"]
    }
    assert (verdicts.get("example.com/sx/fast") == "cgo") == bool(want.get("CgoFiles"))
