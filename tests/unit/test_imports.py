"""Every module imports on its own, whatever was imported before (no import cycles)."""

from __future__ import annotations

import pkgutil
import subprocess
import sys

import cgotrap

_CHECK = """
import importlib, sys
failed = []
for name in sys.argv[1:]:
    for loaded in [m for m in sys.modules if m == "cgotrap" or m.startswith("cgotrap.")]:
        del sys.modules[loaded]
    try:
        importlib.import_module(name)
    except Exception as exc:
        failed.append(f"{name}: {type(exc).__name__}: {exc}")
print("\\n".join(failed))
"""


def test_every_module_imports_first() -> None:
    names = [
        m.name
        for m in pkgutil.walk_packages(cgotrap.__path__, "cgotrap.")
        if m.name != "cgotrap.__main__"
    ]
    assert len(names) > 30
    done = subprocess.run(
        [sys.executable, "-c", _CHECK, *names], capture_output=True, text=True, check=True
    )
    assert done.stdout.strip() == ""
