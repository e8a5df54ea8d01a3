"""Cold, warm and touched `cgotrap scan GOROOT/src std` runs on a COPY of GOROOT's src
(never the real GOROOT: its files' timestamps must not change), for `src` trees of cgotrap
interleaved (each through one installed cgotrap, `PYTHONPATH=SRC`).

    python benchmarks/touch_copy.py [--rounds 5] [--targets all] [--touch strings/strings.go]
        [--cgotrap /work/main/.venv/bin/cgotrap] SRC...

The copy: GOROOT's src, VERSION and go.env copied, its bin, pkg, lib and misc linked; go
runs with GOROOT set to it. Each round and SRC: an empty cache, a cold run, a warm run, the
touched file's timestamps changed (the same content), a run. Medians of wall and CPU (the
run's processes), and touch/warm (the acceptance asks <= 1.2x)."""

# ruff: noqa: PTH102, PTH110, PTH111, PTH118, PTH123, PTH211

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time


def _goroot(go: str) -> str:
    env = {**os.environ, "GOFLAGS": ""}
    return subprocess.run(
        [go, "env", "GOROOT"], capture_output=True, text=True, check=True, env=env
    ).stdout.strip()


def _run(argv: list[str], cwd: str, env: dict[str, str]) -> tuple[float, float]:
    start = time.perf_counter()
    with open(os.devnull, "wb") as sink:
        proc = subprocess.Popen(argv, cwd=cwd, env=env, stdout=sink, stderr=sink)
        _, status, usage = os.wait4(proc.pid, 0)
    code = os.waitstatus_to_exitcode(status)
    if code not in (0, 1, 5):
        raise SystemExit(f"{argv} failed: exit code {code}")
    return time.perf_counter() - start, usage.ru_utime + usage.ru_stime


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("srcs", nargs="+")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--targets", default="all")
    parser.add_argument("--touch", default="strings/strings.go")
    parser.add_argument("--cgotrap", default=shutil.which("cgotrap") or "cgotrap")
    args = parser.parse_args()
    go = shutil.which("go")
    if go is None:
        raise SystemExit("no go on PATH")
    real = _goroot(go)
    with tempfile.TemporaryDirectory(prefix="touch-copy-") as tmp:
        root = os.path.join(tmp, "go")
        os.mkdir(root)
        shutil.copytree(os.path.join(real, "src"), os.path.join(root, "src"), symlinks=True)
        for name in ("VERSION", "go.env"):
            if os.path.exists(os.path.join(real, name)):
                shutil.copy2(os.path.join(real, name), os.path.join(root, name))
        for name in ("bin", "pkg", "lib", "misc"):
            if os.path.exists(os.path.join(real, name)):
                os.symlink(os.path.join(real, name), os.path.join(root, name))
        time.sleep(2.5)  # (past the cache's racy window, as an old installation is)
        src = os.path.join(root, "src")
        touched = os.path.join(src, args.touch)
        base = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
        base.update(GOROOT=root, PATH=os.path.join(root, "bin") + os.pathsep + base["PATH"])
        base.update(GOTOOLCHAIN="local", GOPROXY="off", GOFLAGS="")
        argv = [args.cgotrap, "scan", src, "std", "--format", "json"]
        if args.targets != "default":
            argv += ["--targets", args.targets]
        rows: dict[str, dict[str, list[tuple[float, float]]]] = {
            s: {"cold": [], "warm": [], "touch": []} for s in args.srcs
        }
        for _ in range(args.rounds):
            for s in args.srcs:
                with tempfile.TemporaryDirectory(prefix="touch-copy-cache-") as cache:
                    env = {
                        **base,
                        "PYTHONPATH": s,
                        "CGOTRAP_CACHE_DIR": cache,
                        "PYTHONPYCACHEPREFIX": os.path.expanduser(
                            "~/.cache/cgotrap-bench/pyc-" + s.replace("/", "_")
                        ),
                    }
                    time.sleep(2.1)  # (the last touch out of the racy window: trusted)
                    rows[s]["cold"].append(_run(argv, src, env))
                    rows[s]["warm"].append(_run(argv, src, env))
                    os.utime(touched)  # new mtime and ctime, the same content
                    time.sleep(0.05)
                    rows[s]["touch"].append(_run(argv, src, env))
        for s, by in rows.items():
            med = {
                k: (statistics.median(w for w, _ in v), statistics.median(c for _, c in v))
                for k, v in by.items()
            }
            line = "  ".join(f"{k} {w:.3f}s/{c:.3f}cpu" for k, (w, c) in med.items())
            ratio = med["touch"][0] / med["warm"][0]
            print(f"{s}: {line}  touch/warm {ratio:.2f}x (n={args.rounds})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
