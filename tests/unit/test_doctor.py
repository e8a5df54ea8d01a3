"""`cgotrap doctor` against the real tools: on this machine, and with tools hidden from PATH."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from cgotrap import toolchain
from cgotrap.doctor import Origin, diagnose
from cgotrap.targets import expand
from cgotrap.toolchain import Tool

TARGETS = "linux/amd64,linux/arm64-musl,windows/amd64,illumos/amd64"


def _doctor(env: dict[str, str], *args: str, cwd: Path | None = None) -> dict[str, Any]:
    done = subprocess.run(
        [sys.executable, "-m", "cgotrap", "doctor", "--format", "json", *args],
        capture_output=True,
        text=True,
        env=env,
        cwd=cwd,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    data: dict[str, Any] = json.loads(done.stdout)
    assert data["version"] == 1
    return data


def _go_env(go: Tool, env: dict[str, str], name: str) -> str:
    return subprocess.run(
        [str(go.path), "env", name], capture_output=True, text=True, env=env, check=True
    ).stdout.strip()


def _tools(data: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {t["name"]: t for t in data["tools"]}


def _targets(data: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {t["name"]: t for t in data["targets"]}


def test_this_machine(go_tool: Tool) -> None:
    env = dict(os.environ)
    env.pop("CGO_ENABLED", None)
    data = _doctor(env, "--targets", TARGETS)
    tools = _tools(data)
    assert tools["go"]["version"] == _go_env(go_tool, env, "GOVERSION")
    assert tools["go"]["path"] == str(go_tool.path)
    assert tools["zig"]["version"] == toolchain.version("zig")
    for name in ("pkg-config", "readelf", "chromium", "qemu-aarch64", "qemu-riscv64"):
        where = shutil.which(name)
        assert tools[name]["found"] is (where is not None), name
        if where:
            assert tools[name]["path"] == where
            assert tools[name]["version"], name
    host_cgo = _go_env(go_tool, env, "CGO_ENABLED")
    assert data["cgo_default"]["CGO_ENABLED"] is (host_cgo == "1")
    cc = _go_env(go_tool, env, "CC")
    assert f"CC={cc}" in data["cgo_default"]["why"]
    targets = _targets(data)
    assert list(targets) == [
        "linux/amd64 cgo=1",
        "linux/arm64-musl cgo=1",
        "windows/amd64 cgo=1",
        "illumos/amd64 cgo=1",
    ]
    assert targets["linux/arm64-musl cgo=1"]["cc"] == "zig cc -target aarch64-linux-musl"
    assert targets["windows/amd64 cgo=1"]["buildable"] is True
    assert targets["illumos/amd64 cgo=1"]["buildable"] is False
    assert "zig ships no libc" in targets["illumos/amd64 cgo=1"]["missing"][0]
    runner = targets["linux/arm64-musl cgo=1"]["runner"]
    assert runner == ("qemu-aarch64" if shutil.which("qemu-aarch64") else "")


def test_tools_hidden_from_path(tmp_path: Path, go_tool: Tool) -> None:
    empty = tmp_path / "bin"
    empty.mkdir()
    env = {"PATH": str(empty), "HOME": os.environ.get("HOME", str(tmp_path))}
    env["GOCACHE"] = os.environ.get("GOCACHE", str(tmp_path / "gocache"))
    data = _doctor(env, "--targets", "linux/amd64,linux/arm64")
    tools = _tools(data)
    for name in ("pkg-config", "readelf", "chromium", "qemu-aarch64"):
        assert tools[name]["found"] is False, name
        assert tools[name]["hint"].startswith("apt-get install"), name
    # go and zig still come from the PyPI packages of this interpreter
    assert tools["go"]["origin"] == "PyPI"
    assert tools["zig"]["origin"] == "PyPI"
    # without a C compiler on PATH, go's own answer is CGO_ENABLED=0; doctor says so and why
    assert _go_env(go_tool, env | {"GOTOOLCHAIN": "local"}, "CGO_ENABLED") == "0"
    assert data["cgo_default"]["CGO_ENABLED"] is False
    assert "is not on PATH" in data["cgo_default"]["why"]
    targets = _targets(data)
    # the native target still cross-compiles with zig; nothing runs arm64 tests here
    assert targets["linux/amd64 cgo=1"]["cc"] == "zig cc -target x86_64-linux-gnu"
    assert targets["linux/arm64 cgo=1"]["runner"] == ""


def test_cgo_enabled_from_the_environment() -> None:
    env = dict(os.environ) | {"CGO_ENABLED": "0"}
    diagnosis = diagnose(expand("linux/amd64", (True,)), env)
    assert diagnosis.cgo_default.enabled is False
    assert diagnosis.cgo_default.why == "CGO_ENABLED=0 is set in the environment"


def test_no_go_and_no_zig(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setattr(toolchain, "_from_pypi", lambda name: None)
    diagnosis = diagnose(expand("linux/arm64", (True, False)), {"PATH": str(tmp_path)})
    tools = {t.name: t for t in diagnosis.tools}
    assert tools["go"].origin is Origin.MISSING
    assert "pip install" in tools["go"].hint
    assert diagnosis.cgo_default.enabled is None
    assert diagnosis.cgo_default.why == "go is missing"
    (check,) = diagnosis.targets  # cgo=0 targets need no C compiler: not listed
    assert not check.buildable
    assert check.missing[0].startswith("zig (")


def test_targets_from_the_config(tmp_path: Path) -> None:
    (tmp_path / ".cgotrap.toml").write_text(
        '[targets]\nselect = ["linux/riscv64", "darwin/arm64"]\nlibc = ["musl"]\n'
    )
    data = _doctor(dict(os.environ), str(tmp_path))
    assert list(_targets(data)) == ["linux/riscv64-musl cgo=1", "darwin/arm64 cgo=1"]
    other = tmp_path / "other.toml"
    other.write_text('[targets]\nselect = ["freebsd/amd64"]\n')
    data = _doctor(dict(os.environ), "--config", str(other))
    assert list(_targets(data)) == ["freebsd/amd64 cgo=1"]


def test_table_view_runs(capsys: pytest.CaptureFixture[str]) -> None:
    from cgotrap.cli import main as cli

    assert cli.main(["doctor", "--targets", "illumos/amd64"]) == 0
    out = capsys.readouterr().out
    assert "zig ships no libc for x86_64-illumos-none" in out
    assert "CGO_ENABLED=" in out
