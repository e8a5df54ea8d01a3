"""Bundled data as this installation decoded it before, kept beside its bytecode.

Decoding ports.json into the port table (importing `json`, the decoder and the records,
then the checks: ~5 ms) comes before a cold scan's helper process forks, while the second
core idles, and gives the same table whenever the installed package is the same. So the
CLI keeps what it decoded: in marshal's format, in a file beside `cgotrap.data`'s bytecode
(`importlib.util.cache_from_source`: its `__pycache__` folder, or under
PYTHONPYCACHEPREFIX), with the identity of the installation that decoded it
(`cache.code_version`: every file of the package, its code and its data files, by size,
times and inode). Any change to either, and the file is decoded and checked again.

The file is read as a `.pyc` is: one with another Python's magic number, another
installation's identity or damaged is not used (and is rewritten); with
PYTHONDONTWRITEBYTECODE nothing is written. Like `cli.dataclass_code`, only the CLI turns
it on (`enable`): the library writes no file of its own accord.
"""

from __future__ import annotations

import contextlib
import importlib.util
import marshal
import os
import sys
from collections.abc import Callable
from typing import Any, TypeVar

_T = TypeVar("_T")

_HEADER = importlib.util.MAGIC_NUMBER + b"cgotrap-data-snapshot:1\0"

_identity: list[Callable[[], str]] = []
"""What gives the installation's identity, once `enable` was called (else nothing is kept)."""


def enable(identity: Callable[[], str]) -> None:
    """Keep and use snapshots, each valid for the installation `identity()` names."""
    _identity[:] = [identity]


def disable() -> None:
    """Neither keep nor use snapshots (the library's default)."""
    _identity.clear()


def _path(name: str) -> str:
    """Where the snapshot of the data file `name` ("ports.json") is kept ("" if nowhere)."""
    here = os.path.join(os.path.dirname(__file__), "__init__.py")  # noqa: PTH118, PTH120
    try:
        folder = os.path.dirname(importlib.util.cache_from_source(here))  # noqa: PTH120
    except (NotImplementedError, ValueError):  # (no cache tag: no bytecode either)
        return ""
    tag = sys.implementation.cache_tag
    return os.path.join(folder, f"{name.replace('/', '-')}.{tag}.snapshot")  # noqa: PTH118


def read(name: str) -> Any:
    """The value `write` kept for the data file `name` on this installation, or None (none
    kept, kept by another, unreadable, or snapshots not enabled)."""
    if not _identity:
        return None
    path = _path(name)
    if not path:
        return None
    try:
        with open(path, "rb") as f:  # noqa: PTH123 - importlib's path string
            data = f.read()
    except OSError:
        return None
    if not data.startswith(_HEADER):
        return None
    try:
        # (the trust of a .pyc beside it: Python runs the bytecode of that same folder)
        kept = marshal.loads(memoryview(data)[len(_HEADER) :])  # noqa: S302
    except (EOFError, ValueError, TypeError):
        return None
    if not (isinstance(kept, tuple) and len(kept) == 2 and kept[0] == _identity[0]()):
        return None
    return kept[1]


def write(name: str, value: Any) -> None:
    """Keep `value` (marshal's types only), what this installation decoded from the data
    file `name`, for `read`. Never an error: a snapshot not kept is decoded again."""
    if not _identity or sys.dont_write_bytecode:
        return
    path = _path(name)
    if not path:
        return
    with contextlib.suppress(OSError, ValueError):
        data = _HEADER + marshal.dumps((_identity[0](), value))
        os.makedirs(os.path.dirname(path), exist_ok=True)  # noqa: PTH103, PTH120
        temporary = f"{path}.{os.getpid()}.tmp"
        try:
            fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
            with os.fdopen(fd, "wb") as f:
                f.write(data)
            os.replace(temporary, path)  # noqa: PTH105 - whole or not at all, for a reader
        except BaseException:
            with contextlib.suppress(OSError):
                os.unlink(temporary)  # noqa: PTH108
            raise


def kept_or_decoded(
    name: str,
    decode: Callable[[], _T],
    to_plain: Callable[[_T], Any],
    from_plain: Callable[[Any], _T],
) -> _T:
    """What this installation decoded from the data file `name` before (`read`, rebuilt by
    `from_plain`), else `decode()`'s value, kept (`to_plain`: in marshal's types) for the
    next run. A kept value `from_plain` refuses (TypeError, ValueError, KeyError: not one
    this code wrote) is decoded again."""
    kept = read(name)
    if kept is not None:
        try:
            return from_plain(kept)
        except (TypeError, ValueError, KeyError):
            pass
    found = decode()
    write(name, to_plain(found))
    return found
