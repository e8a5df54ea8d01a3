"""Standard-library modules the CLI's start imports and does not use, loaded on first use.

A cold scan's helper process forks ~70 ms after the interpreter starts; until then one core
works and the other idles, and most of that time is imports. Some of them are imported by
other modules that use them only now and then: `dataclasses` imports `inspect` (with `ast`,
`dis`, `tokenize`: ~6 ms) to write a docstring for a record that has none; `urllib.parse`
(under `pathlib`) imports `ipaddress` (~1 ms) for IPv6 host names; `shutil` imports `bz2`
and `lzma` (~1 ms, with their C libraries) for archives; `dataclasses` imports `copy` for
`asdict`; `cgotrap.judge.finding` imports `string` to read its message templates, after
the fork; a scan answered whole from the cache (~70 ms) starts no process (`subprocess`,
with `threading` and `selectors`: ~3 ms) and writes no temporary file (`tempfile`, with
`random`: ~1.5 ms). `defer` puts a module object in `sys.modules` for each that runs the
module's code the first time one of its attributes is read: an `import` statement binds it
and nothing runs until it is used, and then it is the module it would have been.

Like `dataclass_code`, only the CLI installs it (`cli.main.entry`): a library changes no
interpreter state.
"""

from __future__ import annotations

import _thread
import importlib.util
import sys
import types
from typing import Any

DEFERRED = (
    "inspect",
    "ipaddress",
    "bz2",
    "lzma",
    "copy",
    "string",
    "fnmatch",
    # (a scan answered whole from the cache starts no process and writes no temporary file)
    "subprocess",
    "selectors",
    "threading",
    "tempfile",
    "random",
    "bisect",
)
"""What `entry` defers: pure-Python modules, none of them a package. (Not one a cold scan
first uses after it forks: each process would then run it; `signal`, which `subprocess`
imports, is used only in the processes it forks.)"""

_NEEDS = {"bz2": "_bz2", "lzma": "_lzma"}
"""The C module a deferred module imports first: a Python built without it keeps the
module's import failing where it is imported (shutil, tarfile ask `import lzma` whether
they may use it), not later on its first use."""

_LOCK = _thread.RLock()
_loading: set[str] = set()


_AS_SET = frozenset(
    {"__name__", "__spec__", "__loader__", "__file__", "__cached__", "__package__", "__path__"}
)
"""What import set before the module's code runs (and `import` reads: `__spec__`; `from m
import x` first asks for `__path__`, which a module that is not a package lacks)."""


class _Deferred(types.ModuleType):
    """A module whose code has not run yet (its spec, file and name are set, as import sets
    them before running it)."""

    def __getattribute__(self, name: str) -> Any:
        if name not in _AS_SET:
            # (every other read runs the code first, or waits while another thread runs
            # it: a function of a half-run module could find its globals missing)
            _load(self)
        return types.ModuleType.__getattribute__(self, name)


def _load(module: types.ModuleType) -> None:
    """Run `module`'s code in it (once; a reentrant read while it runs sees the partial
    module, as a circular import would)."""
    with _LOCK:
        name = types.ModuleType.__getattribute__(module, "__name__")
        if type(module) is not _Deferred or name in _loading:
            return
        spec = types.ModuleType.__getattribute__(module, "__spec__")
        loader = spec.loader if spec is not None else None
        if loader is None:  # (`defer` made none such)
            return
        _loading.add(name)
        try:
            loader.exec_module(module)
        finally:
            _loading.discard(name)
        plain: types.ModuleType = module
        plain.__class__ = types.ModuleType


def defer(names: tuple[str, ...] = DEFERRED) -> None:
    """Make each module of `names` not imported yet load on first use (a module that is
    not a plain source module is left to the import system)."""
    for name in names:
        if name in sys.modules or "." in name:
            continue
        needed = _NEEDS.get(name)
        if needed is not None and importlib.util.find_spec(needed) is None:
            continue
        spec = importlib.util.find_spec(name)
        if (
            spec is None
            or spec.loader is None
            or spec.submodule_search_locations is not None
            or not (spec.origin or "").endswith(".py")
            or not hasattr(spec.loader, "exec_module")
        ):
            continue
        module = importlib.util.module_from_spec(spec)
        module.__class__ = _Deferred
        sys.modules[name] = module


def is_deferred(name: str) -> bool:
    """Whether the module `name` is deferred and has not been used yet."""
    return type(sys.modules.get(name)) is _Deferred
