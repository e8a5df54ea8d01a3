#!/usr/bin/env python3
"""What a cgotrap command's imports cost: the modules one cold run imports, imported again.

    python benchmarks/start_up.py [--repeat 21] [--src DIR]... [--cwd DIR] -- scan DIR std

The command runs once, cold (an empty cache directory), in a child that writes down the
modules it imported, in order. Then a fresh interpreter imports exactly those modules
`--repeat` times: the median and minimum wall and CPU time of that are the start-up cost
of the run, steadier on a shared machine than timing whole runs (a run of GOROOT std
is ~0.6 s, its imports ~0.12 s). With `--src DIR` (repeatable) the command runs from
that source tree instead (PYTHONPATH=DIR: another checkout's `src`), rounds interleaved:
an A/B of two branches.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.installed import with_bytecode  # after the path setup above

_RECORD = """
import os, sys
before = set(sys.modules)
from cgotrap.cli.main import main
code = main(sys.argv[2:])
sys.stdout.flush()
with open(sys.argv[1], "w") as out:
    out.write("\\n".join(m for m in sys.modules if m not in before and m != "__main__"))
os._exit(code)
"""

_IMPORT = """
import sys, time
names = open(sys.argv[1]).read().split()
wall, cpu = time.perf_counter(), time.process_time()
try:  # as the CLI's entry() does, in a tree that has it
    from cgotrap.cli import dataclass_code
except ImportError:
    dataclass_code = None
else:
    dataclass_code.install()
for name in names:
    try:
        __import__(name)  # the import statement's path, as the run took it
    except ImportError:
        pass  # a module the run tried and did not find (an optional dependency)
print(time.perf_counter() - wall, time.process_time() - cpu)
if dataclass_code is not None:
    dataclass_code.save()  # (new code only on the untimed first import, as on a first run)
"""


def _modules(src: str | None, argv: list[str], cwd: Path, env: dict[str, str]) -> Path:
    """The file listing the modules `cgotrap argv` imported (run cold from `src`)."""
    listing = Path(tempfile.mkstemp(prefix="cgotrap-modules-", suffix=".txt")[1])
    with tempfile.TemporaryDirectory(prefix="cgotrap-cache-") as cache:
        run_env = dict(env, CGOTRAP_CACHE_DIR=cache)
        if src is not None:
            run_env["PYTHONPATH"] = src
        subprocess.run(
            [sys.executable, "-c", _RECORD, str(listing), *argv],
            cwd=cwd,
            env=run_env,
            stdout=subprocess.DEVNULL,
            check=False,
        )
    if not listing.read_text().strip():
        raise SystemExit(f"cgotrap {' '.join(argv)} imported nothing: did it start?")
    return listing


def _time_imports(src: str | None, listing: Path, env: dict[str, str]) -> tuple[float, float]:
    run_env = dict(env)
    if src is not None:
        run_env["PYTHONPATH"] = src
    done = subprocess.run(
        [sys.executable, "-c", _IMPORT, str(listing)],
        env=run_env,
        capture_output=True,
        text=True,
        check=True,
    )
    wall, cpu = done.stdout.split()
    return float(wall), float(cpu)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeat", type=int, default=21)
    parser.add_argument("--src", action="append", default=[], help="a source tree (repeatable)")
    parser.add_argument("--cwd", default=".", help="where the command runs (default: .)")
    parser.add_argument("command", nargs=argparse.REMAINDER, help="-- then cgotrap's arguments")
    args = parser.parse_args()
    argv = [a for a in args.command if a != "--"] if args.command[:1] == ["--"] else args.command
    if not argv:
        parser.error("give the cgotrap command after --")
    env = with_bytecode(dict(os.environ))
    sources: list[str | None] = list(args.src) or [None]
    listings = {src: _modules(src, argv, Path(args.cwd), env) for src in sources}
    times: dict[str | None, list[tuple[float, float]]] = {src: [] for src in sources}
    for src in sources:  # a first import of each writes its bytecode: not timed
        _time_imports(src, listings[src], env)
    for _ in range(args.repeat):
        for src in sources:
            times[src].append(_time_imports(src, listings[src], env))
    for src in sources:
        count = len(listings[src].read_text().split())
        walls = [w for w, _ in times[src]]
        cpus = [c for _, c in times[src]]
        print(
            f"{src or 'installed'}: {count} modules imported; importing them again "
            f"({args.repeat} runs): wall median {statistics.median(walls) * 1000:.1f} ms "
            f"(min {min(walls) * 1000:.1f}), CPU median {statistics.median(cpus) * 1000:.1f} ms "
            f"(min {min(cpus) * 1000:.1f})"
        )
        listings[src].unlink()


if __name__ == "__main__":
    main()
