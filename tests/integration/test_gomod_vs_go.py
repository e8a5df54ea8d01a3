"""go.mod / go.work parsing against the real go: `go mod edit -json`, `go work edit -json`.

Real-world shaped files (every directive of Go 1.27, comments everywhere, CRLF, quoting,
retract intervals and blocks, deprecations) are generated here; each is parsed by cgotrap
and by go, and go's JSON is compared field by field. Files go refuses are compared by the
first error line go prints. The refusals `go list` makes while loading (a `go` line newer
than the toolchain, a directory used twice in go.work) are compared with `cgotrap list`.
"""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from typing import Any

import pytest

from cgotrap.cli import main as cli
from cgotrap.discover.gomod import (
    GoMod,
    GoWork,
    Replace,
    parse_gomod_text,
    parse_gowork_text,
)
from cgotrap.discover.modsyntax import GoModError
from cgotrap.toolchain import Tool
from tests import gofixtures as fx

pytestmark = pytest.mark.integration

GOMODS = {
    "kubernetes-like": """// This is a generated file. Do not edit directly.

module k8s.io/kubernetes

go 1.24.0

godebug default=go1.23

godebug winsymlink=0

require (
	bitbucket.org/bertimus9/systemstat v0.5.0
	github.com/Azure/go-ansiterm v0.0.0-20230124172434-306776ec8161 // indirect
	github.com/blang/semver/v4 v4.0.0
	github.com/coreos/go-oidc v2.2.1+incompatible
	gopkg.in/yaml.v2 v2.4.0
	gopkg.in/check.v1 v0.0.0-20161208181325-20d25e280405 // indirect; test only
	k8s.io/api v0.0.0
	go.etcd.io/etcd/client/v3 v3.5.16
)

replace (
	k8s.io/api => ./staging/src/k8s.io/api
	k8s.io/apimachinery => ./staging/src/k8s.io/apimachinery
	github.com/coreos/go-oidc v2.2.1+incompatible => github.com/coreos/go-oidc v2.3.0+incompatible
)
""",
    "library-with-history": """// Deprecated: this module moved to example.com/lib/v2.
// It will receive no more fixes.
//
// Deprecated: a second paragraph is ignored.
module example.com/lib

go 1.21

toolchain go1.22.4

require (
	golang.org/x/sys v0.25.0
	golang.org/x/text v0.18.0 // indirect
)

retract (
	v1.0.0 // Published accidentally.
	v1.0.1 // Contains retractions only.
)

// Broken on Windows.
retract [v0.9.0, v0.9.5]

retract [v0.1.0, v0.2.0] // very old

// whole block rationale
retract (
	v0.0.1
	v0.0.2
)

retract (
	// first

	v0.3.0
)
""",
    "tools-and-ignore": """module "example.com/app"

go 1.25

tool golang.org/x/tools/cmd/stringer

tool (
	example.com/app/cmd/gen
	"golang.org/x/vuln/cmd/govulncheck"
)

ignore ./node_modules

ignore (
	./testdata/huge
	static/build
	"./with space"
)

require golang.org/x/tools v0.26.0

require (
	golang.org/x/vuln v1.1.3
)

exclude golang.org/x/tools v0.25.0

exclude (
	golang.org/x/vuln v1.0.0
	golang.org/x/vuln v1.0.1
)
""",
    "godebug-blocks": """module example.com/dbg // Deprecated: use example.com/dbg2

go 1.23rc1

godebug (
	default=go1.21
	panicnil=1 // keep old behavior
	asynctimerchan=0
)

require (
)

require ()
""",
    "replace-forms": """module example.com/r

go 1.22

replace example.com/a => ../a
replace example.com/b v1.2.3 => ../b
replace example.com/c => example.com/cfork v1.0.0
replace example.com/d v0.1.0 => example.com/dfork v0.1.1-0.20240101000000-abcdefabcdef
replace example.com/e => /abs/e
replace example.com/f => .
replace example.com/g/v2 v2.0.1 => example.com/g/v2 v2.0.2
replace gopkg.in/yaml.v3 => gopkg.in/yaml.v3 v3.0.1
""",
    "crlf-and-noncanonical": (
        "module example.com/crlf\r\n\r\ngo 1.19\r\n\r\nrequire (\r\n"
        "\texample.com/short v1.2\r\n\texample.com/meta v1.2.3+build.7\r\n"
        "\texample.com/pre v1.0.0-rc.1 // indirect\r\n)\r\n"
    ),
    "old-style": """module github.com/old/style

require (
	github.com/pkg/errors v0.8.1
	github.com/stretchr/testify v1.3.0
)

go 1.12
""",
    "comments-only-and-unicode": """// Ünïcödé comment
// another

module example.com/u // trailing ✓

go 1.16 // a go comment
""",
    "empty": "",
}

BAD_GOMODS = {
    "go-banana": "module m\n\ngo banana\n",
    "go-five-parts": "module m\n\ngo 1.2.3.4.5\n",
    "go-leading-zero": "module m\n\ngo 1.021\n",
    "go-twice": "module m\ngo 1.21\ngo 1.22\n",
    "toolchain-bad": "module m\ntoolchain 1.22\n",
    "require-usage": "module m\n\nrequire (\n\tbroken\n)\n",
    "require-bad-version": "module m\nrequire example.com/a banana\n",
    "require-major": "module m\nrequire example.com/a/v2 v1.0.0\n",
    "require-v2-no-suffix": "module m\nrequire example.com/a v2.0.0\n",
    "require-backquote": "module m\nrequire example.com/a `v1.0.0`\n",
    "require-bad-path": "module m\nrequire example.com/a/v1 v1.0.0\n",
    "replace-usage": "module m\nreplace a => b\n",
    "replace-at": "module m\nreplace a => b@v1.0.0\n",
    "replace-dir-version": "module m\nreplace a => ./b v1.0.0\n",
    "retract-open": "module m\nretract [v1.0.0,\n",
    "retract-no-close": "module m\nretract [v1.0.0, v1.1.0\n",
    "retract-trailing": "module m\nretract v1.0.0 v1.1.0\n",
    "retract-no-comma": "module m\nretract [v1.0.0 v1.1.0]\n",
    "unknown-directive": "module m\nfrobnicate x\n",
    "unknown-block": "module m\nfrob (\n\tx\n)\n",
    "block-with-args": "module m\nrequire x (\n\ty v1.0.0\n)\n",
    "c-comment": "module m\n/* c */\n",
    "newline-in-string": 'module "m\n',
    "eof-in-string": 'module m\nrequire "example.com/a',
    "unterminated-block": "module m\nrequire (\n",
    "after-paren": "module m\nrequire (\n  x v1.0.0\n) x\n",
    "control-char": "module m\nrequire x v1.0.0 \x01\n",
    "godebug-usage": "module m\ngodebug panicnil\n",
    "tool-args": "module m\ntool a b\n",
    "module-twice": "module m\nmodule n\n",
    "bad-quote": 'module "m\\q"\n',
    "two-errors": "module m\nfrob x\ngo banana\n",
}

GOWORKS = {
    "workspace": """go 1.23.0

toolchain go1.27.1

godebug (
	panicnil=1
)
godebug default=go1.21

use (
	./a
	./b // the b module
	"./with space"
)

use ./c

replace example.com/x v1.0.0 => ./x
replace (
	example.com/y => example.com/yfork v1.2.0
)
""",
    "minimal": "use .\n",
}

BAD_GOWORKS = {
    "module-in-work": "go 1.23\nmodule m\n",
    "use-usage": "go 1.23\nuse ./a ./b\n",
    "require-block": "go 1.23\nrequire (\n\tx v1.0.0\n)\n",
    "go-banana": "go banana\n",
}


def _compact(value: Any) -> Any:
    """Drop empty values (go's omitempty) recursively."""
    if isinstance(value, dict):
        out = {k: _compact(v) for k, v in value.items()}
        return {k: v for k, v in out.items() if v not in ("", None, [], {}, False)}
    if isinstance(value, list):
        return [_compact(v) for v in value]
    return value


def _replace_json(rep: Replace) -> dict[str, Any]:
    return {
        "Old": {"Path": rep.old_path, "Version": rep.old_version},
        "New": {"Path": rep.new_path, "Version": rep.new_version},
    }


def _gomod_json(mod: GoMod) -> Any:
    """A GoMod in the shape of `go mod edit -json` (modcmd/edit.go fileJSON)."""
    return _compact(
        {
            "Module": {"Path": mod.module, "Deprecated": mod.deprecated},
            "Go": mod.go,
            "Toolchain": mod.toolchain,
            "GoDebug": [{"Key": g.key, "Value": g.value} for g in mod.godebugs],
            "Require": [
                {"Path": r.path, "Version": r.version, "Indirect": r.indirect} for r in mod.requires
            ],
            "Exclude": [{"Path": r.path, "Version": r.version} for r in mod.excludes],
            "Replace": [_replace_json(r) for r in mod.replaces],
            "Retract": [
                {"Low": r.low, "High": r.high, "Rationale": r.rationale} for r in mod.retracts
            ],
            "Tool": [{"Path": t} for t in mod.tools],
            "Ignore": [{"Path": i} for i in mod.ignores],
        }
    )


def _gowork_json(work: GoWork) -> Any:
    """A GoWork in the shape of `go work edit -json` (workcmd/edit.go workfileJSON)."""
    return _compact(
        {
            "Go": work.go,
            "Toolchain": work.toolchain,
            "Godebug": [{"Key": g.key, "Value": g.value} for g in work.godebugs],
            "Use": [{"DiskPath": u.path} for u in work.uses],
            "Replace": [_replace_json(r) for r in work.replaces],
        }
    )


def _go(go_tool: Tool, cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(go_tool.path), *args],
        cwd=cwd,
        env=fx.go_env(),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


@pytest.mark.parametrize("name", sorted(GOMODS))
def test_gomod_matches_go_mod_edit_json(name: str, tmp_path: Path, go_tool: Tool) -> None:
    path = tmp_path / "go.mod"
    path.write_bytes(GOMODS[name].encode())
    done = _go(go_tool, tmp_path, "mod", "edit", "-json")
    assert done.returncode == 0, done.stderr
    want = _compact(json.loads(done.stdout))
    got = _gomod_json(parse_gomod_text(GOMODS[name], path))
    assert got == want


@pytest.mark.parametrize("name", sorted(BAD_GOMODS))
def test_bad_gomod_errors_as_go_does(name: str, tmp_path: Path, go_tool: Tool) -> None:
    path = tmp_path / "go.mod"
    path.write_bytes(BAD_GOMODS[name].encode())
    done = _go(go_tool, tmp_path, "mod", "edit", "-json")
    assert done.returncode != 0
    header, *lines = done.stderr.replace(f"{tmp_path}/", "").splitlines()
    assert header == "go: errors parsing go.mod:"
    with pytest.raises(GoModError) as info:
        parse_gomod_text(BAD_GOMODS[name], path)
    # go names the file relative to the working directory or in full, cgotrap in full
    got = [e.replace(f"{tmp_path}/", "") for e in info.value.errors]
    assert "\n".join(got) == "\n".join(lines)
    assert "\n" not in str(info.value).split("\n\t")[0]


@pytest.mark.parametrize("name", sorted(GOWORKS))
def test_gowork_matches_go_work_edit_json(name: str, tmp_path: Path, go_tool: Tool) -> None:
    path = tmp_path / "go.work"
    path.write_text(GOWORKS[name])
    done = _go(go_tool, tmp_path, "work", "edit", "-json")
    assert done.returncode == 0, done.stderr
    want = _compact(json.loads(done.stdout))
    assert _gowork_json(parse_gowork_text(GOWORKS[name], path)) == want


@pytest.mark.parametrize("name", sorted(BAD_GOWORKS))
def test_bad_gowork_errors_as_go_does(name: str, tmp_path: Path, go_tool: Tool) -> None:
    path = tmp_path / "go.work"
    path.write_text(BAD_GOWORKS[name])
    done = _go(go_tool, tmp_path, "work", "edit", "-json")
    assert done.returncode != 0
    # go work edit prints its header twice: "go: errors parsing go.work:", "errors parsing ..."
    lines = [
        line
        for line in done.stderr.replace(f"{tmp_path}/", "").splitlines()
        if "errors parsing go.work:" not in line
    ]
    with pytest.raises(GoModError) as info:
        parse_gowork_text(BAD_GOWORKS[name], path)
    got = [e.replace(f"{tmp_path}/", "") for e in info.value.errors]
    assert "\n".join(got) == "\n".join(lines)


def _go_list_error(go_tool: Tool, cwd: Path) -> str:
    done = _go(go_tool, cwd, "list", "-e", "-deps", "-json", "./...")
    assert done.returncode != 0
    return done.stderr.strip()


def _cgotrap_error(cwd: Path, capsys: pytest.CaptureFixture[str]) -> str:
    assert cli.main(["list", "-e", "-deps", "-json", "-C", str(cwd), "./..."]) != 0
    err: str = capsys.readouterr().err
    return err.strip()


@pytest.mark.parametrize(
    "go_line",
    ["banana", "1.2.3.4.5", "1.99", "1.27.4", "1.28rc1", "2.0"],
)
def test_bad_or_too_new_go_line_refused_as_go_list_does(
    go_line: str, tmp_path: Path, go_tool: Tool, capsys: pytest.CaptureFixture[str]
) -> None:
    fx.write_tree(tmp_path, {"go.mod": fx.gomod("example.com/m", go_line), "m.go": "package m\n"})
    want = _go_list_error(go_tool, tmp_path).removeprefix("go: ")
    got = _cgotrap_error(tmp_path, capsys).removeprefix("cgotrap: ")
    # go prints a parse error under a header line, a too-new version on its own
    want = want.replace("errors parsing go.mod:\n", "")
    assert got == want.replace("go.mod", f"{tmp_path}/go.mod", 1)


@pytest.mark.parametrize("second", ["./a", "./a/", "a", "./b/../a"])
def test_duplicate_use_refused_as_go_does(
    second: str, tmp_path: Path, go_tool: Tool, capsys: pytest.CaptureFixture[str]
) -> None:
    fx.write_tree(
        tmp_path,
        {
            "go.work": f"go 1.23\n\nuse ./a\nuse (\n\t{second}\n)\n",
            "a/go.mod": fx.gomod("example.com/a"),
            "a/a.go": "package a\n",
        },
    )
    want = _go_list_error(go_tool, tmp_path / "a")
    assert want.startswith("go: error loading go.work:\n../go.work:5: ")
    got = _cgotrap_error(tmp_path / "a", capsys)
    assert got == want.replace(
        "go: error loading go.work:\n../go.work", f"cgotrap: {tmp_path}/go.work"
    )
