"""`cgotrap list`'s exit status against `go list`'s, with the real go as the oracle.

go exits 2 for a bad command line and 1 for every other failure; cgotrap's scheme
(README "Exit status") keeps 2 for usage, says 4 where an input cannot be read (go's 1 for
`-C`: cgotrap's 1 means findings) and 5 where `go list -e` exits 0 but packages could not
be found anywhere (the output is go's; stderr names them).
"""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from cgotrap import toolchain
from cgotrap.cli import main as cli
from tests import gofixtures as fx
from tests.gofixtures import gofile, gomod

pytestmark = pytest.mark.integration


def _go(
    args: list[str], cwd: Path, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(toolchain.require("go").path), *args],
        cwd=cwd,
        env=fx.go_env(env),
        capture_output=True,
        text=True,
        check=False,
        timeout=300,
    )


def _cgotrap(
    args: list[str],
    cwd: Path,
    capsys: pytest.CaptureFixture[str],
    env: dict[str, str] | None = None,
) -> tuple[int, str, str]:
    mp = pytest.MonkeyPatch()
    try:
        for key in ("GOOS", "GOARCH", "CGO_ENABLED", "GOWORK", "GOFLAGS"):
            mp.delenv(key, raising=False)
        mp.setenv("GOENV", "off")
        for key, value in (env or {}).items():
            mp.setenv(key, value)
        mp.chdir(cwd)
        try:
            code = cli.main(args)
        except SystemExit as stop:  # argparse's usage errors
            code = int(stop.code or 0)
    finally:
        mp.undo()
    out, err = capsys.readouterr()
    return code, out, err


def _module(root: Path) -> Path:
    return fx.write_tree(
        root,
        {
            "go.mod": gomod("example.com/ex"),
            "a.go": gofile("ex", "example.com/ex/broken", "example.com/nowhere/pkg"),
            "broken/b.go": 'package broken\n\nimport "fmt\n',
            "sub/s.go": gofile("sub", "example.com/ex/missingdir"),
        },
    )


@pytest.mark.parametrize(
    "args",
    [["-bogus", "."], ["-C"]],
)
def test_usage_errors_exit_2_as_in_go(
    args: list[str], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A flag go does not know, a flag without its value: go exits 2 (usage), so does
    cgotrap."""
    root = _module(tmp_path / "m")
    assert _go(["list", *args], root).returncode == 2
    code, out, _ = _cgotrap(["list", *args], root, capsys)
    assert (code, out) == (2, "")


@pytest.mark.parametrize(
    ("goflags", "go_code"),
    [("-tags", 2), ("'-tags=a", 1), ("-mod=bogus", 1), ("-pgo", 2)],
)
def test_goflags_go_refuses_exit_2(
    goflags: str, go_code: int, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """GOFLAGS go cannot use: go stops with its message (exit 1 or 2 by where it notices);
    cgotrap stops with the same message and its usage status, 2 (the user's setting is
    wrong, as a bad option is)."""
    root = _module(tmp_path / "m")
    env = {"GOFLAGS": goflags}
    done = _go(["list", "-e", "."], root, env)
    assert done.returncode == go_code
    assert done.stdout == ""
    code, out, err = _cgotrap(["list", "-e", "."], root, capsys, env)
    assert (code, out) == (2, "")
    want = done.stderr.splitlines()[0].removeprefix("go: ")
    assert err.removeprefix("cgotrap: ").splitlines()[0] == want


def test_unresolved_packages_exit_5_where_go_list_e_exits_0(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """`go list -e` exits 0 whatever the errors; cgotrap list prints the same listing and
    exits 5 (incomplete) when packages could not be found anywhere, naming on stderr exactly
    the objects go reports with an Error and no Dir. Other errors (a syntax error) do not
    change the status."""
    root = _module(tmp_path / "m")
    plain = _go(["list", "-e", "-deps", "./..."], root)
    assert plain.returncode == 0
    code, out, err = _cgotrap(["list", "-e", "-deps", "./..."], root, capsys)
    assert code == 5
    assert out == plain.stdout
    full = _go(["list", "-e", "-deps", "-json", "./..."], root)
    assert full.returncode == 0
    objects = list(fx.iter_json_objects(full.stdout))
    missing = sorted(o["ImportPath"] for o in objects if "Error" in o and not o.get("Dir"))
    assert len(missing) == 2, missing
    assert any("Error" in o and o.get("Dir") for o in objects)  # the syntax error: not counted
    names = ", ".join(missing)
    assert err == f"cgotrap: incomplete answer: 2 packages could not be resolved: {names}\n"
    code, out, err = _cgotrap(["list", "-e", "-deps", "-json", "./..."], root, capsys)
    assert code == 5
    ours = list(fx.iter_json_objects(out))
    assert sorted(o["ImportPath"] for o in ours if "Error" in o and not o.get("Dir")) == missing
    # without the unresolved imports: exit 0 as go, the syntax error still listed
    (root / "a.go").write_text(gofile("ex", "example.com/ex/broken"))
    (root / "sub/s.go").write_text(gofile("sub"))
    assert _go(["list", "-e", "-deps", "./..."], root).returncode == 0
    code, out, err = _cgotrap(["list", "-e", "-deps", "-json", "./..."], root, capsys)
    assert (code, err) == (0, "")
    assert [o["ImportPath"] for o in fx.iter_json_objects(out) if "Error" in o] == [
        "example.com/ex/broken"
    ]
