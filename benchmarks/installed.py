"""Run cgotrap in benchmarks as an installed tool runs: from compiled bytecode."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import cgotrap as cgotrap_package


def with_bytecode(env: dict[str, str]) -> dict[str, str]:
    """The environment for cgotrap as installed: with compiled bytecode.

    An installed package has its .pyc files; a shell with PYTHONDONTWRITEBYTECODE would make
    every run compile all of cgotrap from source first (~0.1 s). The bytecode goes to a cache
    directory (PYTHONPYCACHEPREFIX), never into the source tree, and is made before timing.
    """
    out = dict(env)
    out.pop("PYTHONDONTWRITEBYTECODE", None)
    out.setdefault("PYTHONPYCACHEPREFIX", str(Path.home() / ".cache" / "cgotrap-bench" / "pycache"))
    package = Path(cgotrap_package.__file__).parent
    subprocess.run(
        [sys.executable, "-m", "compileall", "-q", str(package)],
        env=out,
        check=True,
        stdout=subprocess.DEVNULL,
    )
    return out
