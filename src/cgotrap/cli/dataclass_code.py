"""The code `dataclasses` generates for cgotrap's records, compiled once and kept beside each
module's bytecode.

Creating a frozen, keyword-only, slotted dataclass costs ~0.45 ms, 70% of it compiling the
source text of the methods it generates (`__init__`, `__repr__`, `__eq__`, `__hash__`,
`__setattr__`, `__delattr__`: `dataclasses._create_fn` execs each one's text). A cold scan
of GOROOT std creates ~100 records: ~36 ms of compiling, each run the same texts. So the
compiled code of each text is kept in a marshal file beside the module's `.pyc`
(`importlib.util.cache_from_source`: the `__pycache__` folder, or under
PYTHONPYCACHEPREFIX), and a text is compiled only when it is new (a record that changed).

Nothing else changes: the same text compiles to the same code object (`compile` with the
flags `exec` gives it there: none inherited), which `exec` runs as it would have; the
classes, their methods and what they do are dataclasses' own. The file is read like a
`.pyc` is: a damaged or foreign one (another Python's magic number, another -O level) is
ignored and rewritten; with PYTHONDONTWRITEBYTECODE nothing is written.

Only the CLI installs it (`cli.main.entry`, as it sets the collector's thresholds): the
library changes no interpreter state, and only modules of cgotrap are served.
"""

from __future__ import annotations

import builtins
import contextlib
import importlib.util
import marshal
import os
import sys
from types import CodeType
from typing import Any

_SUFFIX = ".dataclasses"
_HEADER = importlib.util.MAGIC_NUMBER + b"dataclasses:" + str(sys.flags.optimize).encode()

_modules: dict[str, tuple[str, dict[str, CodeType], dict[str, CodeType]]] = {}
"""Module name -> (its cache file, the codes read from it, the codes this run used)."""

compiled: list[str] = []
"""The texts compiled by this process (what the next run will not compile again)."""


def install() -> None:
    """Have `dataclasses` take its generated methods' code from the files (and `save`
    them): the CLI calls this before importing the commands' modules."""
    import dataclasses

    dataclasses.exec = _exec  # type: ignore[attr-defined]  # its `exec(txt, globals, ns)`


def _exec(source: Any, globals_: Any = None, locals_: Any = None) -> None:
    module = globals_.get("__name__") if isinstance(globals_, dict) else None
    if not (
        isinstance(source, str)
        and isinstance(module, str)
        and (module == "cgotrap" or module.startswith("cgotrap."))
    ):
        builtins.exec(source, globals_, locals_)  # noqa: S102 - dataclasses' own call
        return
    known = _modules.get(module)
    if known is None:
        known = _modules[module] = _read(globals_.get("__file__"))
    _, stored, used = known
    code = stored.get(source)
    if code is None:
        code = compile(source, "<string>", "exec", dont_inherit=True)  # as `exec` compiles it
        compiled.append(source)
    used[source] = code
    builtins.exec(code, globals_, locals_)  # noqa: S102 - the code of dataclasses' text


def _read(source_file: object) -> tuple[str, dict[str, CodeType], dict[str, CodeType]]:
    """(The cache file of the module at `source_file`, its codes, an empty dict); ("", {},
    {}) when the module has no file."""
    if not isinstance(source_file, str):
        return "", {}, {}
    try:
        path = importlib.util.cache_from_source(source_file) + _SUFFIX
    except (NotImplementedError, ValueError):
        return "", {}, {}
    try:
        with open(path, "rb") as f:  # noqa: PTH123 - importlib's path string
            data = f.read()
        # (the trust of a .pyc beside it: Python runs the bytecode of that same folder)
        stored = marshal.loads(memoryview(data)[len(_HEADER) :])  # noqa: S302
    except (OSError, EOFError, ValueError, TypeError):
        return path, {}, {}  # none yet, or damaged: compiled again, then rewritten
    valid = (
        data.startswith(_HEADER)
        and isinstance(stored, dict)
        and all(isinstance(k, str) and isinstance(v, CodeType) for k, v in stored.items())
    )
    return path, stored if valid else {}, {}


def save() -> None:
    """Write the files of the modules that compiled a text this run (each with the codes
    the run used: a record that changed leaves its old texts behind). Never an error."""
    if sys.dont_write_bytecode:
        return
    import tempfile

    for path, stored, used in _modules.values():
        if not path or used.keys() <= stored.keys():
            continue
        with contextlib.suppress(OSError, ValueError):
            os.makedirs(os.path.dirname(path), exist_ok=True)  # noqa: PTH103, PTH120
            fd, tmp = tempfile.mkstemp(dir=os.path.dirname(path), prefix=".tmp-")  # noqa: PTH120
            try:
                with os.fdopen(fd, "wb") as f:
                    f.write(_HEADER + marshal.dumps(used))
                os.replace(tmp, path)  # noqa: PTH105
            except BaseException:
                with contextlib.suppress(OSError):
                    os.unlink(tmp)  # noqa: PTH108
                raise
