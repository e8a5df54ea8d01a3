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
    So is the code of cgotrap's dataclasses, which the CLI keeps beside the bytecode on its
    first run (`cgotrap.cli.dataclass_code`): every module is imported once that way here.
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
    subprocess.run([sys.executable, "-c", _DATACLASS_CODE], env=out, check=True)
    return out


_DATACLASS_CODE = """
import importlib, pkgutil
import cgotrap
from cgotrap.cli import dataclass_code
dataclass_code.install()
for module in pkgutil.walk_packages(cgotrap.__path__, "cgotrap."):
    if not module.name.endswith("__main__"):  # (that one runs the CLI)
        importlib.import_module(module.name)
dataclass_code.save()
"""
