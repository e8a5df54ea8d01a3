#!/usr/bin/env python3
"""`cgotrap inspect DIR` against the shell pipeline people run today, on the same directory.

The directory: the test binaries of tests/binaries.py (ELF/Mach-O/PE, cgo and not), the Go
toolchain's own binaries (GOROOT/bin, GOROOT/pkg/tool/*: real, large Go programs), cmd/go
built here, and one large binary (a Go program embedding a 150 MB blob) so that memory can be
compared with the largest file. The anchor is what people combine today, once per file:

    go version -m FILE; readelf -d FILE; readelf -V FILE

Both run in one invocation of this script, each `--repeat` times (best time kept); printed:
both times, the ratio, cgotrap's peak RSS and the largest file's size, and the floors under
cgotrap's time: the interpreter starting and exiting (`python -c pass`), and cgotrap on an
empty directory (start-up: its imports, the report of nothing).

    .venv/bin/python benchmarks/inspect_dir.py [--repeat 3] [--copies 1] [--jobs 1]
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests import binaries  # noqa: E402  # the test binaries and their cache

from benchmarks.installed import with_bytecode  # noqa: E402  # after the path setup above
from cgotrap import toolchain  # noqa: E402  # after the path setup above

BENCH_CACHE = binaries.CACHE / "bench"
BLOB_MB = 150


def _go_env() -> dict[str, str]:
    env = toolchain.go_env()
    env.update(GOTOOLCHAIN="local", GOPROXY="off", GOSUMDB="off", GOFLAGS="-buildvcs=false")
    return env


def _large_binary() -> Path:
    """A Go binary embedding a 150 MB blob (built once, cached)."""
    out = BENCH_CACHE / f"embed-{BLOB_MB}mb-{toolchain.version('go')}"
    if out.is_file():
        return out
    go = toolchain.require("go")
    with tempfile.TemporaryDirectory() as tmp:
        src = Path(tmp)
        (src / "go.mod").write_text("module example.com/big\n\ngo 1.22\n", encoding="utf-8")
        (src / "main.go").write_text(
            'package main\n\nimport (\n\t_ "embed"\n\t"fmt"\n)\n\n//go:embed blob.bin\n'
            "var blob []byte\n\nfunc main() { fmt.Println(len(blob)) }\n",
            encoding="utf-8",
        )
        with (src / "blob.bin").open("wb") as f:
            for _ in range(BLOB_MB):
                f.write(os.urandom(1 << 20))
        env = _go_env() | {"CGO_ENABLED": "0"}
        subprocess.run(
            [str(go.path), "build", "-o", str(src / "big"), "."], cwd=src, env=env, check=True
        )
        BENCH_CACHE.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(src / "big", out.with_suffix(".partial"))
        out.with_suffix(".partial").replace(out)
    return out


def _cmd_go() -> Path:
    out = BENCH_CACHE / f"cmd-go-{toolchain.version('go')}"
    if not out.is_file():
        go = toolchain.require("go")
        BENCH_CACHE.mkdir(parents=True, exist_ok=True)
        subprocess.run(
            [str(go.path), "build", "-o", str(out.with_suffix(".partial")), "cmd/go"],
            env=_go_env(),
            check=True,
        )
        out.with_suffix(".partial").replace(out)
    return out


def _goroot_binaries() -> list[Path]:
    go = toolchain.require("go")
    goroot = subprocess.run(
        [str(go.path), "env", "GOROOT"], capture_output=True, text=True, check=True, env=_go_env()
    ).stdout.strip()
    found = sorted(p for p in (Path(goroot) / "bin").iterdir() if p.is_file())
    tools = Path(goroot) / "pkg" / "tool"
    found += sorted(p for p in tools.glob("*/*") if p.is_file() and os.access(p, os.X_OK))
    return found


def _assemble(directory: Path, copies: int) -> list[Path]:
    sources = [*binaries.build_all().values(), *_goroot_binaries(), _cmd_go(), _large_binary()]
    files: list[Path] = []
    for copy in range(copies):
        for index, source in enumerate(sources):
            link = directory / f"{copy:02d}-{index:02d}-{source.name}"
            link.symlink_to(source)
            files.append(link)
    return files


def _pipeline_script(directory: Path, go: Path) -> str:
    return (
        f'for f in "{directory}"/*; do\n'
        f'  "{go}" version -m "$f"\n'
        '  readelf -d "$f"\n'
        '  readelf -V "$f"\n'
        "done >/dev/null 2>&1\n"
    )


_CHILD = """
import resource, subprocess, sys, time
started = time.perf_counter()
subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL, check=False)
elapsed = time.perf_counter() - started
print(elapsed, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)
"""


def _timed(argv: list[str], env: dict[str, str] | None = None) -> tuple[float, int]:
    """(wall seconds, peak RSS in KiB) of one run of argv, measured in a fresh process."""
    done = subprocess.run(
        [sys.executable, "-c", _CHILD, *argv], capture_output=True, text=True, check=True, env=env
    )
    seconds, rss = done.stdout.split()
    return float(seconds), int(rss)


def main() -> int:
    """Run both, print the numbers."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3, help="runs of each (best kept)")
    parser.add_argument("--copies", type=int, default=1, help="copies of the set in the dir")
    parser.add_argument("--jobs", type=int, default=1, help="cgotrap --jobs (0: the CPUs)")
    args = parser.parse_args()
    go = toolchain.require("go").path
    with tempfile.TemporaryDirectory(prefix="cgotrap-bench-") as tmp:
        directory = Path(tmp)
        files = _assemble(directory, args.copies)
        sizes = [f.stat().st_size for f in files]
        script = _pipeline_script(directory, go)
        anchor = ["bash", "-c", script]
        ours = [sys.executable, "-m", "cgotrap", "inspect", str(directory), "--format", "json"]
        ours += ["--jobs", str(args.jobs)]
        anchor_runs = [_timed(anchor) for _ in range(args.repeat)]
        installed = with_bytecode(dict(os.environ))
        our_runs = [_timed(ours, installed) for _ in range(args.repeat)]
        empty = directory / "empty"
        empty.mkdir()
        start_up = [sys.executable, "-m", "cgotrap", "inspect", str(empty), "--format", "json"]
        floors = [
            min(_timed(argv, installed)[0] for _ in range(args.repeat))
            for argv in ([sys.executable, "-c", "pass"], start_up)
        ]
    anchor_best = min(t for t, _ in anchor_runs)
    ours_best = min(t for t, _ in our_runs)
    ours_rss = max(r for _, r in our_runs)
    print(f"directory: {len(files)} binaries, {sum(sizes) / 1e6:.0f} MB, ", end="")
    print(f"largest {max(sizes) / 1e6:.0f} MB")
    print(f"anchor  (go version -m + readelf -d + readelf -V per file): {anchor_best:.3f} s")
    print(f"cgotrap inspect DIR --format json:                         {ours_best:.3f} s")
    print(f"ratio: {anchor_best / ours_best:.1f}x faster")
    print(f"cgotrap peak RSS: {ours_rss / 1024:.0f} MB (largest file {max(sizes) / 1e6:.0f} MB)")
    print(f"floors: python -c pass {floors[0]:.3f} s; cgotrap inspect EMPTY_DIR {floors[1]:.3f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
