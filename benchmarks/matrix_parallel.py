"""Speed of `cgotrap matrix` against a sequential loop of the same go builds, in one run.

    .venv/bin/python benchmarks/matrix_parallel.py [--targets SEL] [--jobs N]

1. Writes a fixture module (cgo with a !cgo fallback) to a temp dir and primes the shared
   caches (GOCACHE, zig's libc per target) with one matrix run, not measured.
2. Changes the module (so every target recompiles it and links) and runs the SAME go build
   commands the matrix runs, one target after another: per-target times t_i, sum S.
3. Changes it again and runs the matrix (no result reuse): wall time W.
   Goal: W <= 1.3 * S / cores. Also printed: the CPU time of both (a go build of a cgo
   package already runs compiles in parallel, so S/cores is below what any scheduler can
   reach when the loop itself keeps more than one core busy) and the matrix with --jobs 1
   (cgotrap's own overhead per target).
4. Runs the matrix again with nothing changed (result reuse on): wall time R, and one warm
   `go build` of a single target (linux/amd64, cgo off): G. Goal: R <= 2 * G.
"""

from __future__ import annotations

import argparse
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

from tests import matrixfixtures

from cgotrap import toolchain
from cgotrap.cli.main_matrix import _without_libc_twins
from cgotrap.crossbuild import zigcc
from cgotrap.crossbuild.results import Outcome
from cgotrap.crossbuild.runner import MatrixOptions, MatrixRunner, slug
from cgotrap.targets import Target, expand

DEFAULT = "linux/amd64,linux/arm64,linux/amd64-musl,linux/arm64-musl,windows/amd64,darwin/arm64"


def _salt(module: Path, n: int) -> None:
    (module / "lib" / "salt.go").write_text(f"package lib\n\nconst salt = {n}\n")


def _env(target: Target, zig: str) -> dict[str, str]:
    env = toolchain.go_env()
    env.update(GOOS=target.goos, GOARCH=target.goarch, CGO_ENABLED=str(int(target.cgo)))
    if target.cgo:
        triple, _ = zigcc.triple_for(target)
        if triple is None:
            raise SystemExit(f"zig cannot build cgo for {target.name}")
        env["CC"] = zigcc.cc_command(zig, triple)
        env["CXX"] = zigcc.cc_command(zig, triple, cxx=True)
    return env


def _go_build(go: str, module: Path, out: Path, env: dict[str, str]) -> float:
    started = time.perf_counter()
    subprocess.run(
        [go, "build", "-o", str(out) + os.sep, "./..."],
        cwd=module,
        env=env,
        check=True,
        capture_output=True,
    )
    return time.perf_counter() - started


def _matrix(module: Path, results: Path, targets: list[Target], *, jobs: int, reuse: bool) -> float:
    options = MatrixOptions(root=module, results_dir=results, jobs=jobs, reuse=reuse)
    started = time.perf_counter()
    report = MatrixRunner(options).run(targets)
    wall = time.perf_counter() - started
    bad = [t.target.name for t in report.targets if t.outcome is not Outcome.PASS]
    if bad:
        raise SystemExit(f"matrix failed on {bad}; see {results}")
    return wall


def _cpu() -> float:
    """CPU seconds (user + system) used by finished child processes so far."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def main() -> int:
    """Run the benchmark and print the numbers."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--targets", default=DEFAULT)
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1, help="matrix --jobs")
    args = parser.parse_args()
    go = str(toolchain.require("go").path)
    zig = str(toolchain.require("zig").path)
    targets = _without_libc_twins(expand(args.targets, (False, True), skip_unsupported_cgo=True))
    cores = os.cpu_count() or 1
    jobs = args.jobs
    with tempfile.TemporaryDirectory(prefix="cgotrap-bench-") as tmp:
        module = matrixfixtures.write(Path(tmp), "fallback")
        results = Path(tmp) / "results"
        load = os.getloadavg()[0]
        print(
            f"{len(targets)} builds, {cores} cores, load {load:.1f}, go {toolchain.version('go')}"
        )
        _salt(module, 0)
        prime = _matrix(module, results, targets, jobs=jobs, reuse=False)
        print(f"prime (caches): {prime:.1f} s")

        _salt(module, 1)
        cpu_before = _cpu()
        seq: dict[str, float] = {}
        for target in targets:
            out = Path(tmp) / "seq" / slug(target)
            seq[target.name] = _go_build(go, module, out, _env(target, zig))
        total = sum(seq.values())
        seq_cpu = _cpu() - cpu_before
        for name, seconds in seq.items():
            print(f"  sequential {name:<28} {seconds:6.2f} s")
        print(
            f"sequential loop: sum S = {total:.2f} s, CPU {seq_cpu:.2f} s: one go build at a "
            f"time already keeps {seq_cpu / total:.2f} cores busy"
        )
        _salt(module, 3)
        one = _matrix(module, results, targets, jobs=1, reuse=False)
        print(f"matrix with --jobs 1: {one:.2f} s (per-target overhead vs S: {one - total:+.2f} s)")

        _salt(module, 2)
        cpu_before = _cpu()
        wall = _matrix(module, results, targets, jobs=jobs, reuse=False)
        matrix_cpu = _cpu() - cpu_before
        print(
            f"matrix CPU {matrix_cpu:.2f} s over {wall:.2f} s: {matrix_cpu / wall:.2f} cores busy"
        )
        goal = 1.3 * total / cores
        print(
            f"matrix (parallel, jobs={jobs}): W = {wall:.2f} s; S/cores = {total / cores:.2f} s; "
            f"W / (S/cores) = {wall / (total / cores):.2f} (goal <= 1.3: "
            f"{'met' if wall <= goal else 'NOT met'})"
        )

        rerun = _matrix(module, results, targets, jobs=jobs, reuse=True)
        linux0 = Target(goos="linux", goarch="amd64", cgo=False)
        _go_build(go, module, Path(tmp) / "single", _env(linux0, zig))  # warm it
        single = _go_build(go, module, Path(tmp) / "single", _env(linux0, zig))
        print(
            f"warm re-run, nothing changed: R = {rerun:.2f} s; one warm go build "
            f"(linux/amd64 cgo=0): G = {single:.2f} s; R / G = {rerun / single:.2f} "
            f"(goal <= 2: {'met' if rerun <= 2 * single else 'NOT met'})"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
