"""A small Go module for the CI-gate tests, written by the tests (stdlib only).

`ex.com/gate`: a command importing
- `procinfo`: cgo with a Linux-only header (CGO004 on darwin cgo=1) and a !cgo fallback;
- `a` and `b`: cgo without a fallback (CGO001 on every cgo=0 target).

`TARGETS` keeps the scans small: two ports, cgo on and off.
"""

from __future__ import annotations

import os
import subprocess
from collections.abc import Mapping
from pathlib import Path

from tests.gofixtures import write_tree

TARGETS = "linux/amd64,darwin/arm64"

MAIN = """package main

import (
{imports}
)

func main() {{}}
"""

PROCINFO = """//go:build cgo

package procinfo

/*
#include <unistd.h>
#include <sys/sysinfo.h>
*/
import "C"
"""

NOCGO = """//go:build !cgo

package {name}
"""


def cgo_only(name: str, directive: str = "") -> str:
    """A package that needs cgo and has no fallback; `directive` above its `import "C"`."""
    above = f"{directive}\n" if directive else ""
    return f'package {name}\n\n{above}import "C"\n'


def module_files(packages: Mapping[str, str]) -> dict[str, str]:
    """go.mod, the command importing every package of `packages` (dir -> Go source)."""
    imports = "\n".join(f'\t_ "ex.com/gate/{d}"' for d in sorted(packages))
    files = {
        "go.mod": "module ex.com/gate\n\ngo 1.22\n",
        "cmd/app/main.go": MAIN.format(imports=imports),
    }
    for directory, text in packages.items():
        files[f"{directory}/{directory}.go"] = text
    if "procinfo" in packages:
        files["procinfo/procinfo_nocgo.go"] = NOCGO.format(name="procinfo")
    return files


def write_module(root: Path, packages: Mapping[str, str]) -> Path:
    """Write the module with `packages` under `root` (a fresh directory)."""
    root.mkdir(parents=True, exist_ok=True)
    return write_tree(root, module_files(packages))


def git(root: Path, *args: str) -> str:
    """Run git in `root` with a fixed identity and no user config."""
    empty = root.parent / ".gitconfig-empty"  # not os.devnull: it need not be a device
    empty.touch()
    env = {
        **os.environ,
        "GIT_CONFIG_GLOBAL": str(empty),
        "GIT_CONFIG_NOSYSTEM": "1",
        "GIT_AUTHOR_NAME": "t",
        "GIT_AUTHOR_EMAIL": "t@example.invalid",
        "GIT_COMMITTER_NAME": "t",
        "GIT_COMMITTER_EMAIL": "t@example.invalid",
    }
    done = subprocess.run(
        ["git", "-C", str(root), *args], capture_output=True, text=True, env=env, check=False
    )
    assert done.returncode == 0, f"git {' '.join(args)}: {done.stderr}"
    return done.stdout
