"""Benchmark: the directory scanner on every directory of a tree, for the whole matrix.

    python benchmarks/scan_dirs.py [--dir DIR] [--loop] [--targets all] [--cgo 0,1]

Defaults to the standard library: GOROOT/src without cmd/ (--all-src adds cmd/).
cgotrap's side scans every directory under DIR (skipping testdata, `_`/`.` names) with
`scan_directory` for all selected contexts (94 by default) in this process, reading each
file once. The anchor is `go list -e -json std` (or `./...`
with --dir) run as a child for one context; with --loop it runs once per context, which
is what a matrix costs without cgotrap. Both times and their ratio are printed.

The scanner is only the file-reading layer of `cgotrap list`; `benchmarks/list_matrix.py`
measures the whole command against `go list -deps` in a loop.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
from pathlib import Path

from cgotrap import toolchain
from cgotrap.evaluate.context import ContextSet
from cgotrap.evaluate.directory import scan_directory
from cgotrap.targets import expand, parse_cgo_modes


def _directories(root: Path, *, skip_cmd: bool) -> list[str]:
    out: list[str] = []
    for here, dirs, _files in os.walk(root):
        dirs[:] = sorted(d for d in dirs if d != "testdata" and not d.startswith(("_", ".")))
        if skip_cmd and Path(here) == root and "cmd" in dirs:
            dirs.remove("cmd")
        out.append(here)
    return out


def main() -> int:
    """Run both sides and print the comparison."""
    go = toolchain.require("go")
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dir", type=Path, default=None, help="tree to scan")
    parser.add_argument("--loop", action="store_true", help="run go list once per context")
    parser.add_argument("--all-src", action="store_true", help="GOROOT/src with cmd/ too")
    parser.add_argument("--targets", default="all")
    parser.add_argument("--cgo", default="0,1")
    args = parser.parse_args()
    goroot = Path(
        subprocess.run(
            [str(go.path), "env", "GOROOT"],
            capture_output=True,
            text=True,
            check=True,
            env=toolchain.go_env(),
        ).stdout.strip()
    )
    root: Path = (args.dir or goroot / "src").resolve()
    pattern = "./..." if args.dir is not None else ("std cmd" if args.all_src else "std")
    targets = expand(args.targets, parse_cgo_modes(args.cgo))
    contexts = ContextSet.for_targets(targets, go_version=toolchain.version("go"))

    start = time.perf_counter()
    cpu = time.process_time()
    directories = _directories(root, skip_cmd=args.dir is None and not args.all_src)
    files = 0
    classes = 0
    for directory in directories:
        facts = scan_directory(directory, contexts)
        classes += len({id(f) for f in facts})
        files += sum(len(f.go_files) for f in facts[:1])
    ours = time.perf_counter() - start
    ours_cpu = time.process_time() - cpu

    env = toolchain.go_env()
    env.update({"GOTOOLCHAIN": "local", "GOPROXY": "off", "GOSUMDB": "off", "GOFLAGS": ""})
    runs = contexts.contexts if args.loop else contexts.contexts[:1]
    start = time.perf_counter()
    for ctx in runs:
        run_env = dict(env, GOOS=ctx.goos, GOARCH=ctx.goarch, CGO_ENABLED=str(int(ctx.cgo_enabled)))
        subprocess.run(
            [str(go.path), "list", "-e", "-json", *pattern.split()],
            cwd=root,
            env=run_env,
            stdout=subprocess.DEVNULL,
            check=True,
        )
    anchor = time.perf_counter() - start

    n = len(contexts)
    print(f"tree: {root} ({len(directories)} directories)")
    print(
        f"cgotrap scan_directory, {n} contexts: {ours:.2f} s wall, {ours_cpu:.2f} s CPU "
        f"({classes} distinct results for {len(directories) * n} directory×context pairs)"
    )
    if args.loop:
        print(f"go list -e -json {pattern}, looped over {n} contexts: {anchor:.2f} s")
        print(f"ratio (go loop / cgotrap): {anchor / ours:.1f}x")
    else:
        print(f"go list -e -json {pattern}, one context: {anchor:.2f} s")
        print(f"ratio (one go list / cgotrap for all {n}): {anchor / ours:.2f}x")
        print(f"ratio (go list × {n}, extrapolated / cgotrap): {anchor * n / ours:.1f}x")
    return 0


if __name__ == "__main__":
    sys.exit(main())
