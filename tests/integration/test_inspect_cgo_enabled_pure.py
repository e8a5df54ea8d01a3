"""A binary built with CGO_ENABLED=1 whose program imports no cgo package links no
runtime/cgo: for release consistency it is a pure-Go binary (issue 9), checked on binaries
the real go builds."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from cgotrap import toolchain
from cgotrap.judge import policy as policies
from cgotrap.read.binary import inspect_inputs

pytestmark = pytest.mark.integration


def _build(go: toolchain.Tool, root: Path, out: Path, cgo: str) -> None:
    env = {**toolchain.go_env(), "CGO_ENABLED": cgo, "GOOS": "linux", "GOARCH": "amd64"}
    env.pop("GOFLAGS", None)
    done = subprocess.run(
        [str(go.path), "build", "-o", str(out), "."],
        cwd=root,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr


def test_cgo_enabled_1_without_runtime_cgo_is_not_the_odd_one(
    go_tool: toolchain.Tool, tmp_path: Path
) -> None:
    src = tmp_path / "src"
    src.mkdir()
    (src / "go.mod").write_text("module example.com/hello\n\ngo 1.21\n")
    (src / "main.go").write_text(
        'package main\n\nimport "fmt"\n\nfunc main() { fmt.Println("hello") }\n'
    )
    dist = tmp_path / "dist"
    dist.mkdir()
    for index in range(3):
        _build(go_tool, src, dist / f"pure{index}", "0")
    _build(go_tool, src, dist / "native", "1")
    inspected = {Path(i.name).name: i for i in inspect_inputs([str(dist)])}
    native = inspected["native"]
    assert native.build_info is not None
    assert native.build_info.setting("CGO_ENABLED") == "1"  # what go recorded
    assert native.linkage is not None
    assert native.linkage.cgo_evidence == ()  # but no runtime/cgo is linked
    assert native.linkage.static
    report = policies.build_report(list(inspected.values()), (), None)
    assert [f.rule.id for f in report.findings] == []
