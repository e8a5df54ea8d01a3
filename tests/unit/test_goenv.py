"""discover.goenv: go's configuration file, GOFLAGS, and their precedence."""

from __future__ import annotations

from pathlib import Path

import pytest

from cgotrap.discover import goenv
from cgotrap.errors import UsageError


def test_env_file_location() -> None:
    assert goenv.env_file({"GOENV": "off", "HOME": "/h"}) is None
    assert goenv.env_file({"GOENV": "/x/env"}) == Path("/x/env")
    assert goenv.env_file({"HOME": "/h"}) == Path("/h/.config/go/env")
    assert goenv.env_file({"HOME": "/h", "XDG_CONFIG_HOME": "/c"}) == Path("/c/go/env")
    assert goenv.env_file({"XDG_CONFIG_HOME": "relative"}) is None  # go: an error, no file


def test_read_env_file_skips_what_go_skips(tmp_path: Path) -> None:
    f = tmp_path / "env"
    f.write_bytes(b"# comment\nGOFLAGS=-tags=a -mod=mod\n\nlower=x\nnoequals\nGOOS=\nCC=cc=1")
    assert goenv.read_env_file(f) == {"GOFLAGS": "-tags=a -mod=mod", "GOOS": "", "CC": "cc=1"}
    assert goenv.read_env_file(tmp_path / "missing") == {}


def test_environment_wins_unless_empty(tmp_path: Path) -> None:
    f = tmp_path / "env"
    f.write_text("GOOS=windows\nGOARCH=arm64\nGOFLAGS=-tags=x\n")
    (tmp_path / "go.env").write_text("GOPROXY=https://proxy.golang.org\nGOOS=plan9\n")
    got = goenv.go_environment({"GOENV": str(f), "GOARCH": "386", "GOFLAGS": ""}, tmp_path)
    assert (got["GOOS"], got["GOARCH"], got["GOFLAGS"]) == ("windows", "386", "-tags=x")
    assert got["GOPROXY"] == "https://proxy.golang.org"


def test_goflags_parse_like_go() -> None:
    env = {"GOFLAGS": "  -tags=a  '--mod=vendor' \"-tags=b c\" -x"}
    assert goenv.goflags(env) == {"tags": "b c", "mod": "vendor", "x": None}
    assert goenv.goflag(env, "tags") == "b c"
    assert goenv.goflag(env, "trimpath") is None
    for bad in ("tags=a", "-", "--", "---x", "-=a", "--=a"):
        with pytest.raises(UsageError, match="non-flag"):
            goenv.goflags({"GOFLAGS": bad})
    with pytest.raises(UsageError, match="unterminated"):
        goenv.goflags({"GOFLAGS": "'-tags=a"})
    with pytest.raises(UsageError, match="needs an argument"):
        goenv.goflag({"GOFLAGS": "-tags"}, "tags")


def test_goroot_from_the_environment_else_above_the_binary(tmp_path: Path) -> None:
    go = tmp_path / "sdk" / "bin" / "go"
    go.parent.mkdir(parents=True)
    go.write_text("")
    assert goenv.goroot({}, go) == tmp_path / "sdk"
    assert goenv.goroot({"GOROOT": ""}, go) == tmp_path / "sdk"
    assert goenv.goroot({"GOROOT": "/opt/go"}, go) == Path("/opt/go")
