"""`cli.dataclass_code`: the code dataclasses generates for cgotrap's records is compiled on
the first run and read back on the next, and is the very code dataclasses makes itself.

Each run is a fresh interpreter with a bytecode folder of its own (PYTHONPYCACHEPREFIX)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

_RUN = """
import dataclasses, hashlib, json, sys, types
if sys.argv[1] == "cached":
    from cgotrap.cli import dataclass_code
    dataclass_code.install()
import cgotrap.config, cgotrap.judge.scan.model, cgotrap.targets

@dataclasses.dataclass(frozen=True)
class Local:  # (not cgotrap's: compiled as dataclasses does, never kept)
    x: int

def shape(code):
    consts = tuple(shape(c) if isinstance(c, types.CodeType) else repr(c) for c in code.co_consts)
    return repr((code.co_code, code.co_names, code.co_varnames, code.co_freevars, consts))

def methods(cls):
    for name in ("__init__", "__repr__", "__eq__", "__hash__", "__setattr__", "__delattr__"):
        fn = getattr(cls.__dict__.get(name), "__wrapped__", cls.__dict__.get(name))
        if isinstance(fn, types.FunctionType):
            made = shape(fn.__code__) + repr(fn.__annotations__) + repr(fn.__kwdefaults__)
            digest = hashlib.sha256(made.encode()).hexdigest()
            yield f"{cls.__qualname__}.{name}", digest

out = {}
for module in (cgotrap.config, cgotrap.judge.scan.model, cgotrap.targets):
    for cls in vars(module).values():
        if dataclasses.is_dataclass(cls) and cls.__module__ == module.__name__:
            out.update(methods(cls))
compiled = -1
if sys.argv[1] == "cached":
    compiled = len(dataclass_code.compiled)
    dataclass_code.save()
print(json.dumps({"compiled": compiled, "methods": out}))
"""


def _run(tmp_path: Path, mode: str, **env: str) -> tuple[int, dict[str, str]]:
    run_env = dict(os.environ, PYTHONPYCACHEPREFIX=str(tmp_path / "pyc"), **env)
    if "PYTHONDONTWRITEBYTECODE" not in env:
        run_env.pop("PYTHONDONTWRITEBYTECODE", None)
    done = subprocess.run(
        [sys.executable, "-c", _RUN, mode],
        capture_output=True,
        text=True,
        env=run_env,
        check=True,
    )
    got = json.loads(done.stdout)
    return got["compiled"], got["methods"]


def _kept(tmp_path: Path) -> list[Path]:
    return sorted((tmp_path / "pyc").rglob("*.dataclasses"))


def test_records_compile_once_into_the_code_dataclasses_makes(tmp_path: Path) -> None:
    compiled, first = _run(tmp_path, "cached")
    assert compiled > 3 * 10  # every method of the three modules' records
    kept = _kept(tmp_path)
    assert {"__init__", "model", "targets"} <= {p.name.split(".")[0] for p in kept}
    assert all("cgotrap" in p.parts for p in kept)  # (no file beside another package's)
    again, second = _run(tmp_path, "cached")
    assert again == 0
    _, plain = _run(tmp_path, "plain")
    assert first == second == plain
    assert len(plain) > 3 * 10


def test_a_damaged_file_is_compiled_again_and_rewritten(tmp_path: Path) -> None:
    _run(tmp_path, "cached")
    for path in _kept(tmp_path):
        data = bytearray(path.read_bytes())
        data[len(data) // 2 :] = b"\x00garbage"
        path.write_bytes(bytes(data))
    compiled, methods = _run(tmp_path, "cached")
    assert compiled > 0
    assert methods == _run(tmp_path, "plain")[1]
    assert _run(tmp_path, "cached")[0] == 0


def test_nothing_is_written_without_bytecode(tmp_path: Path) -> None:
    compiled, _ = _run(tmp_path, "cached", PYTHONDONTWRITEBYTECODE="1")
    assert compiled > 0
    assert not _kept(tmp_path)
