#!/usr/bin/env python3
"""`cgotrap scan` against ONE `go list -deps -json` configuration, cold, warm and touched.

    python benchmarks/scan_speed.py [--tree DIR] [--std] [--repeat 3] [--targets default,all]

For each input (a module tree, copied to a temporary directory so that a file can be
touched; and/or GOROOT std) and each target selection (scan's default, `--targets all`),
the anchor and cgotrap run interleaved, `--repeat` rounds:

    anchor  go list -deps -json ./...   (std: `go list -deps -json std` in GOROOT/src),
            GOFLAGS=-mod=vendor when the tree has vendor/modules.txt, the host's one
            configuration, output to /dev/null
    cold    cgotrap scan with an empty cache directory (CGOTRAP_CACHE_DIR)
    warm    the same again, nothing changed
    touch   one Go file's timestamps changed (same content), then the same again

Printed: the median wall time and CPU time (user+sys, children included) of each, the
ratios the acceptance asks for (cold / anchor <= 2, anchor / warm >= 3, touch / warm <=
1.2) and peak RSS beside go's. The machine may be shared: medians of interleaved runs, and
CPU time beside wall time, are the honest figures.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.installed import with_bytecode  # after the path setup above
from cgotrap import toolchain


def _measure(argv: list[str], cwd: Path, env: dict[str, str]) -> tuple[float, float, int]:
    """(wall s, CPU s, peak RSS KiB) of one child with its output on /dev/null."""
    start = time.perf_counter()
    with open(os.devnull, "wb") as sink:  # noqa: PTH123  # a plain file object for Popen
        proc = subprocess.Popen(argv, cwd=cwd, env=env, stdout=sink)
        _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode not in (0, 1, 5):  # scan: 1 = findings, 5 = unresolved imports
        raise SystemExit(f"{argv[0]} {argv[1]} failed with exit code {proc.returncode}")
    # (ru_maxrss covers this child alone; scan's forked helper is smaller than its parent)
    return wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss


def _touch_target(tree: Path) -> Path:
    """A Go file of a package the scan reads (the first non-test one, in name order)."""
    for directory, dirs, files in os.walk(tree):
        dirs[:] = sorted(d for d in dirs if not d.startswith((".", "_")) and d != "testdata")
        for name in sorted(files):
            if name.endswith(".go") and not name.endswith("_test.go"):
                return Path(directory) / name
    raise SystemExit(f"{tree}: no Go file to touch")


def _bench(
    name: str,
    *,
    cwd: Path,
    anchor: list[str],
    scan: list[str],
    touch: Path,
    env: dict[str, str],
    repeat: int,
) -> dict[str, float]:
    cgotrap = [_cgotrap()]
    rows: dict[str, list[tuple[float, float, int]]] = {
        k: [] for k in ("anchor", "cold", "warm", "touch")
    }
    for _ in range(repeat):
        with tempfile.TemporaryDirectory(prefix="cgotrap-bench-cache-") as cache_dir:
            cenv = {**env, "CGOTRAP_CACHE_DIR": cache_dir}
            rows["anchor"].append(_measure(anchor, cwd, env))
            rows["cold"].append(_measure([*cgotrap, *scan], cwd, cenv))
            rows["anchor"].append(_measure(anchor, cwd, env))
            rows["warm"].append(_measure([*cgotrap, *scan], cwd, cenv))
            st = touch.stat()
            os.utime(touch)  # new mtime and ctime, same content
            try:
                rows["touch"].append(_measure([*cgotrap, *scan], cwd, cenv))
            finally:
                os.utime(touch, ns=(st.st_atime_ns, st.st_mtime_ns))
    med = {
        k: (
            statistics.median(r[0] for r in v),
            statistics.median(r[1] for r in v),
            max(r[2] for r in v),
        )
        for k, v in rows.items()
    }
    print(f"\n== {name}  ({repeat} rounds, medians; anchor run twice per round)")
    for k, (wall, cpu, rss) in med.items():
        print(f"  {k:7} wall {wall:6.2f} s   cpu {cpu:6.2f} s   peak RSS {rss / 1024:7.1f} MiB")
    a, c, w, t = (med[k] for k in ("anchor", "cold", "warm", "touch"))
    for label, i in (("wall", 0), ("cpu", 1)):
        print(
            f"  {label:4}: cold/anchor {c[i] / a[i]:5.2f}x (<= 2; moonshot <= 1)   "
            f"anchor/warm {a[i] / w[i]:5.2f}x (>= 3)   touch/warm {t[i] / w[i]:5.2f}x (<= 1.2)"
        )
    return {"cold": c[0] / a[0], "warm": a[0] / w[0], "touch": t[0] / w[0]}


def _cgotrap() -> str:
    found = shutil.which("cgotrap", path=str(Path(sys.executable).parent))
    if found is None:
        raise SystemExit("cgotrap is not installed beside this interpreter")
    return found


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--tree", type=Path, help="a module tree (copied, never written)")
    parser.add_argument("--std", action="store_true", help="also GOROOT std")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument(
        "--targets", default="default,all", help="comma-separated: default (scan's), all"
    )
    args = parser.parse_args()
    go = toolchain.require("go")
    env = with_bytecode(toolchain.go_env())
    env.update(GOTOOLCHAIN="local", GOPROXY="off", GOSUMDB="off", GOFLAGS="")
    selections = [s for s in args.targets.split(",") if s]
    if args.tree is None and not args.std:
        parser.error("give --tree DIR and/or --std")
    if args.tree is not None:
        with tempfile.TemporaryDirectory(prefix="cgotrap-bench-tree-") as tmp:
            tree = Path(tmp) / args.tree.name
            shutil.copytree(args.tree, tree, symlinks=True, ignore=shutil.ignore_patterns(".git"))
            time.sleep(2.5)  # past the cache's racy-timestamp window, as an old checkout is
            aenv = dict(env)
            if (tree / "vendor" / "modules.txt").is_file():
                aenv["GOFLAGS"] = "-mod=vendor"
            for sel in selections:
                extra = [] if sel == "default" else ["--targets", sel]
                _bench(
                    f"{args.tree.name} ({sel} targets)",
                    cwd=tree,
                    anchor=[str(go.path), "list", "-deps", "-json", "./..."],
                    scan=["scan", ".", *extra],
                    touch=_touch_target(tree),
                    env=aenv,
                    repeat=args.repeat,
                )
    if args.std:
        goroot = Path(
            subprocess.run(
                [str(go.path), "env", "GOROOT"], capture_output=True, text=True, check=True, env=env
            ).stdout.strip()
        )
        src = goroot / "src"
        for sel in selections:
            extra = [] if sel == "default" else ["--targets", sel]
            _bench(
                f"GOROOT std ({sel} targets)",
                cwd=src,
                anchor=[str(go.path), "list", "-deps", "-json", "std"],
                scan=["scan", str(src), "std", *extra],
                touch=src / "strings" / "strings.go",
                env=env,
                repeat=args.repeat,
            )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
