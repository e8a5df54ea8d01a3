"""Benchmark: `go list -e -deps -json` looped over the matrix vs one `cgotrap list` run.

    python benchmarks/list_matrix.py [--dir DIR] [--targets all] [--cgo 0,1] [PATTERN...]

Defaults: GOROOT/src and the pattern `std`. For a module tree pass its directory and
`./...`. Both tools run as child processes on the same input; the script prints each
wall time, the ratio and the peak RSS of each child (from wait4's rusage), and checks that
cgotrap printed as many package objects as the go loop did. Output is read from the pipe
in 1 MiB pieces and counted, not stored (for both tools alike).

The go loop (94 runs) is run once; cgotrap `--repeat` times (default 3) and its median is
used for the ratio. cgotrap is also timed with its output to /dev/null: its own time,
without the reader's (a gigabyte through a pipe and a Python reader costs ~0.5 s).
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.installed import with_bytecode  # after the path setup above
from cgotrap import toolchain
from cgotrap.targets import expand, parse_cgo_modes

_OBJECT = b'\n\t"ImportPath": '


def _to_devnull(argv: list[str], cwd: Path, env: dict[str, str]) -> float:
    """Wall seconds of one run with stdout on /dev/null."""
    start = time.perf_counter()
    with open(os.devnull, "wb") as sink:  # noqa: PTH123  # a plain file object for Popen
        done = subprocess.run(argv, cwd=cwd, env=env, stdout=sink, check=False)
    elapsed = time.perf_counter() - start
    if done.returncode != 0:
        raise SystemExit(f"{argv[0]} failed with exit code {done.returncode}")
    return elapsed


def _run(argv: list[str], cwd: Path, env: dict[str, str]) -> tuple[float, int, int]:
    """Run a child; return (wall seconds, peak RSS in KiB, package objects printed).

    The output is read in 1 MiB pieces and counted on the fly, not kept or copied: the reader
    must not be what is measured (holding a gigabyte and growing it costs seconds, and a
    reader busy copying takes a core from a tool that uses two).
    """
    start = time.perf_counter()
    proc = subprocess.Popen(argv, cwd=cwd, env=env, stdout=subprocess.PIPE)
    stdout = proc.stdout
    if stdout is None:  # cannot happen with stdout=PIPE; keeps the type checker honest
        raise SystemExit("no stdout pipe")
    fd = stdout.fileno()
    objects = 0
    carry = b""  # the last len(_OBJECT) - 1 bytes read: too short to hold a match
    keep = len(_OBJECT) - 1
    buffer = bytearray(1 << 20)  # one buffer, reused: no fresh megabyte (page faults) per read
    view = memoryview(buffer)
    while (n := os.readv(fd, [buffer])) > 0:
        objects += buffer.count(_OBJECT, 0, n)
        edge = carry + view[: min(keep, n)].tobytes()
        objects += edge.count(_OBJECT)  # only matches across the two pieces: none fits in one
        carry = edge[-keep:] if n < keep else view[n - keep : n].tobytes()
    view.release()
    stdout.close()
    _, status, usage = os.wait4(proc.pid, 0)  # this child's own rusage
    proc.returncode = os.waitstatus_to_exitcode(status)
    elapsed = time.perf_counter() - start
    if proc.returncode != 0:
        raise SystemExit(f"{argv[0]} failed with exit code {proc.returncode}")
    return elapsed, usage.ru_maxrss, objects


def main() -> int:
    """Run both, print the comparison."""
    go = toolchain.require("go")
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dir", type=Path, default=None, help="directory to list in")
    parser.add_argument("--targets", default="all")
    parser.add_argument("--cgo", default="0,1")
    parser.add_argument("--repeat", type=int, default=3, help="cgotrap runs (median used)")
    parser.add_argument("patterns", nargs="*")
    args = parser.parse_args()
    goroot = go.path.resolve().parent.parent
    directory: Path = args.dir or goroot / "src"
    patterns = args.patterns or (["std"] if args.dir is None else ["./..."])
    targets = expand(args.targets, parse_cgo_modes(args.cgo))

    env = toolchain.go_env()
    env.update({"GOTOOLCHAIN": "local", "GOPROXY": "off", "GOSUMDB": "off", "GOFLAGS": ""})
    for key in ("GOOS", "GOARCH", "CGO_ENABLED"):
        env.pop(key, None)

    cgotrap = [sys.executable, "-m", "cgotrap", "list", "-e", "-deps", "-json"]
    cgotrap += ["--targets", args.targets, "--cgo", args.cgo, *patterns]
    installed = with_bytecode(env)
    runs = [_run(cgotrap, directory, installed) for _ in range(max(1, args.repeat))]
    ours_times = sorted(t for t, _, _ in runs)
    ours_time = statistics.median(ours_times)
    ours_rss = max(r for _, r, _ in runs)
    ours_objects = runs[0][2]
    if any(n != ours_objects for _, _, n in runs):
        print("WARNING: cgotrap's runs printed different numbers of objects")
        return 1
    devnull_times = sorted(
        _to_devnull(cgotrap, directory, installed) for _ in range(max(1, args.repeat))
    )

    go_time = 0.0
    go_rss = 0
    go_objects = 0
    for t in targets:
        target_env = dict(env, GOOS=t.goos, GOARCH=t.goarch, CGO_ENABLED=str(int(t.cgo)))
        argv = [str(go.path), "list", "-e", "-deps", "-json", *patterns]
        elapsed, rss, objects = _run(argv, directory, target_env)
        go_time += elapsed
        go_rss = max(go_rss, rss)
        go_objects += objects

    print(f"input: {directory} {' '.join(patterns)}; {len(targets)} configurations")
    print(f"command: {' '.join(cgotrap[1:])}  (in {directory})")
    for label, secs, rss, objects in (
        ("go list loop", go_time, go_rss, go_objects),
        ("cgotrap list", ours_time, ours_rss, ours_objects),
    ):
        print(f"{label} : {secs:8.2f} s  peak RSS {rss / 1024:7.1f} MiB  {objects} objects")
    print(f"speed-up     : {go_time / ours_time:8.1f}x  (cgotrap's median of {len(runs)} runs)")
    print(f"cgotrap runs : {' '.join(f'{t:.2f}' for t in ours_times)} s (through the pipe)")
    devnull = " ".join(f"{t:.2f}" for t in devnull_times)
    print(f"cgotrap runs : {devnull} s (stdout on /dev/null)")
    if ours_objects != go_objects:
        print("WARNING: object counts differ")
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
