"""Real Go binaries for the inspect tests, built with the real go and `zig cc`, and cached.

`build(spec)` returns the path of a binary built from a small generated module (a main
package, a dependency replaced by a local directory so the build info has a `=>` line, and
for cgo specs a C function). Binaries are cached under `~/.cache/cgotrap-tests/binaries/`
keyed by the go and zig versions, the generated sources and the spec, so only the first run
pays (zig builds a libc per target once: windows ~90 s, musl ~40 s, glibc stubs ~10 s).
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import os
import shutil
import subprocess
import tempfile
from pathlib import Path

from cgotrap import toolchain

CACHE = Path(os.environ.get("CGOTRAP_TEST_CACHE", Path.home() / ".cache" / "cgotrap-tests"))

GO_MOD = """module example.com/app

go 1.22

require example.com/dep v0.1.0

replace example.com/dep => ./dep
"""
DEP_MOD = "module example.com/dep\n\ngo 1.22\n"
DEP_GO = """package dep

// Greeting is what the program prints.
func Greeting() string { return "hello" }
"""
MAIN_PURE = """package main

import (
	"fmt"
	"os"

	"example.com/dep"
)

func main() { fmt.Fprintln(os.Stdout, dep.Greeting()) }
"""
MAIN_CGO = """package main

/*
#include <stdlib.h>
static int add(int a, int b) { return a + b; }
*/
import "C"

import (
	"fmt"

	"example.com/dep"
)

func main() { fmt.Println(dep.Greeting(), C.add(1, 2)) }
"""


@dataclasses.dataclass(frozen=True, kw_only=True, slots=True)
class Spec:
    """One binary to build."""

    name: str
    """File name (".exe" added for windows)."""
    goos: str
    """GOOS."""
    goarch: str
    """GOARCH."""
    zig_target: str = ""
    """`zig cc -target` triple for a cgo build ("x86_64-linux-gnu.2.17"); "" = CGO_ENABLED=0."""
    flags: tuple[str, ...] = ()
    """Extra `go build` flags ("-trimpath", "-tags=netgo", "-ldflags=-s -w")."""
    cc_flags: str = ""
    """Extra flags in CC after the target ("-dynamic": musl linked dynamically)."""
    vcs: bool = False
    """Build inside a git repository with -buildvcs=true."""

    @property
    def cgo(self) -> bool:
        """CGO_ENABLED."""
        return bool(self.zig_target)

    @property
    def filename(self) -> str:
        """The output file name."""
        return self.name + (".exe" if self.goos == "windows" else "")


# The set the integration tests use: every format, cgo on/off, glibc/musl, version pin,
# static cgo, and the flag variants (kept small: each zig libc costs on a cold cache).
SPECS: tuple[Spec, ...] = (
    Spec(name="linux-amd64-pure", goos="linux", goarch="amd64"),
    Spec(
        name="linux-amd64-flags",
        goos="linux",
        goarch="amd64",
        flags=("-trimpath", "-tags=netgo,osusergo", "-ldflags=-s -w"),
    ),
    Spec(name="linux-amd64-vcs", goos="linux", goarch="amd64", vcs=True),
    Spec(name="linux-arm64-pure", goos="linux", goarch="arm64"),
    Spec(
        name="linux-amd64-glibc", goos="linux", goarch="amd64", zig_target="x86_64-linux-gnu.2.36"
    ),
    Spec(
        name="linux-amd64-glibc-sw",
        goos="linux",
        goarch="amd64",
        zig_target="x86_64-linux-gnu.2.36",
        flags=("-ldflags=-s -w",),
    ),
    Spec(
        name="linux-amd64-glibc217",
        goos="linux",
        goarch="amd64",
        zig_target="x86_64-linux-gnu.2.17",
        flags=("-ldflags=-extldflags=-Wl,-rpath,/opt/app/lib",),
    ),
    Spec(
        name="linux-arm64-glibc",
        goos="linux",
        goarch="arm64",
        zig_target="aarch64-linux-gnu.2.28",
    ),
    Spec(name="linux-amd64-musl", goos="linux", goarch="amd64", zig_target="x86_64-linux-musl"),
    Spec(
        name="linux-amd64-musl-dynamic",
        goos="linux",
        goarch="amd64",
        zig_target="x86_64-linux-musl",
        cc_flags="-dynamic",
    ),
    Spec(
        name="linux-amd64-cgo-static",
        goos="linux",
        goarch="amd64",
        zig_target="x86_64-linux-musl",
        flags=("-ldflags=-linkmode external -extldflags -static",),
    ),
    Spec(name="windows-amd64-pure", goos="windows", goarch="amd64"),
    Spec(
        name="windows-amd64-cgo",
        goos="windows",
        goarch="amd64",
        zig_target="x86_64-windows-gnu",
    ),
    Spec(name="linux-amd64-pie", goos="linux", goarch="amd64", flags=("-buildmode=pie",)),
    Spec(name="darwin-arm64-pure", goos="darwin", goarch="arm64"),
    Spec(name="darwin-amd64-pure", goos="darwin", goarch="amd64"),
    Spec(name="freebsd-amd64-pure", goos="freebsd", goarch="amd64"),
)
BY_NAME = {spec.name: spec for spec in SPECS}


def _sources(spec: Spec) -> dict[str, str]:
    return {
        "go.mod": GO_MOD,
        "main.go": MAIN_CGO if spec.cgo else MAIN_PURE,
        "dep/go.mod": DEP_MOD,
        "dep/dep.go": DEP_GO,
    }


def _key(spec: Spec) -> str:
    material = {
        "go": toolchain.version("go"),
        "zig": toolchain.version("zig") if spec.cgo else "",
        "sources": _sources(spec),
        "spec": dataclasses.asdict(spec),
    }
    return hashlib.sha256(json.dumps(material, sort_keys=True).encode()).hexdigest()[:20]


def _git(cwd: Path, *args: str) -> None:
    env = dict(os.environ)
    env.update(
        GIT_AUTHOR_NAME="t",
        GIT_AUTHOR_EMAIL="t@example.com",
        GIT_COMMITTER_NAME="t",
        GIT_COMMITTER_EMAIL="t@example.com",
        GIT_AUTHOR_DATE="2024-01-01T00:00:00Z",
        GIT_COMMITTER_DATE="2024-01-01T00:00:00Z",
    )
    subprocess.run(["git", *args], cwd=cwd, env=env, check=True, capture_output=True)


def build(spec: Spec) -> Path:
    """The binary for `spec`, built on a cache miss."""
    out_dir = CACHE / "binaries" / _key(spec)
    out = out_dir / spec.filename
    if out.is_file():
        return out
    go = toolchain.require("go")
    with tempfile.TemporaryDirectory(prefix="cgotrap-bin-") as tmp:
        src = Path(tmp) / "src"
        for rel, text in _sources(spec).items():
            path = src / rel
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")
        env = toolchain.go_env()
        env.update(
            GOOS=spec.goos,
            GOARCH=spec.goarch,
            CGO_ENABLED="1" if spec.cgo else "0",
            GOTOOLCHAIN="local",
            GOPROXY="off",
            GOSUMDB="off",
            GOFLAGS="-buildvcs=true" if spec.vcs else "-buildvcs=false",
        )
        if spec.cgo:
            zig = toolchain.require("zig")
            env["CC"] = f"{zig.path} cc -target {spec.zig_target} {spec.cc_flags}".strip()
            env["CXX"] = f"{zig.path} c++ -target {spec.zig_target}"
        if spec.vcs:
            _git(src, "init", "-q")
            _git(src, "add", ".")
            _git(src, "commit", "-q", "-m", "fixture")
        tmp_out = Path(tmp) / spec.filename
        done = subprocess.run(
            [str(go.path), "build", *spec.flags, "-o", str(tmp_out), "."],
            cwd=src,
            env=env,
            capture_output=True,
            text=True,
            timeout=900,
            check=False,
        )
        if done.returncode != 0:
            raise RuntimeError(f"building {spec.name} failed:\n{done.stderr}")
        out_dir.mkdir(parents=True, exist_ok=True)
        partial = out_dir / (spec.filename + ".partial")
        shutil.copyfile(tmp_out, partial)
        partial.chmod(0o755)
        partial.replace(out)
    return out


def build_all() -> dict[str, Path]:
    """Every spec, by name."""
    return {spec.name: build(spec) for spec in SPECS}


if __name__ == "__main__":
    for name, path in build_all().items():
        print(name, path)
