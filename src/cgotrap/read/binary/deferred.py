"""Import a binary-format library without the modules it imports for features we never use.

`elftools.elf.elffile` imports pyelftools' whole DWARF and ARM EHABI packages at its top (for
`get_dwarf_info()` / `get_ehabi_infos()`), its vendored construct imports `pdb` and `traceback`
(for a debugging aid) and `pprint` (for reprs); pefile imports `uuid` (with `platform`) and
`hashlib` (which loads OpenSSL) for the debug directory and file hashes, and `ordlookup` for
functions imported by ordinal. None of it runs when a
binary's headers are read, yet it was ~20 ms of every `cgotrap inspect` start, a third of a run
over a release folder.

`import_deferring(LIBRARY)` imports the library while each of those modules is a stand-in in
`sys.modules`:

- a name the library imports with `from module import name` becomes a `Forward`, a callable
  that imports the real module and calls the real object (every such name the libraries
  import is only ever called: a class instantiated, a function called);
- any other attribute of the stand-in (`uuid.UUID` of `import uuid`) is the real module's,
  imported on first use (PEP 562 module `__getattr__`).

The stand-ins leave `sys.modules` as soon as the library is imported, so later imports of those
modules (by anyone) get the real ones. Nothing else changes: a feature that needs a deferred
module still works, it only pays for the import when used. If a library release ever imports
something new from a deferred module, or the import fails in any way with the stand-ins, the
library is imported again plainly (correct, only slower), and `tests/unit/test_inspect_deferred.py`
fails: it checks, in a fresh interpreter, that no deferred module is loaded by reading binaries
and that the deferred features still work.
"""

from __future__ import annotations

import importlib
import sys
import types
from typing import Any

# Library module -> {deferred module: names the library imports from it with `from ... import`}.
ELFTOOLS: dict[str, dict[str, tuple[str, ...]]] = {
    "elftools.elf.elffile": {
        "elftools.dwarf.dwarfinfo": ("DWARFInfo", "DebugSectionDescriptor", "DwarfConfig"),
        "elftools.dwarf.dwarf_util": ("_file_crc32",),
        "elftools.ehabi.ehabiinfo": ("EHABIInfo",),
        "pdb": (),
        "traceback": (),
        "pprint": ("pformat",),
    },
}
PEFILE: dict[str, dict[str, tuple[str, ...]]] = {
    "pefile": {
        "uuid": (),
        "hashlib": ("md5", "sha1", "sha256", "sha512"),
        "ordlookup": (),  # names of imports by ordinal: we read DLL names only
    },
}


class Forward:
    """Stands in for `module.name`: calling it imports `module` and calls the real `name`."""

    __slots__ = ("module", "name")

    def __init__(self, module: str, name: str) -> None:
        self.module = module
        """The deferred module ("elftools.dwarf.dwarfinfo")."""
        self.name = name
        """The name in it ("DWARFInfo")."""

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        """Call the real object."""
        return getattr(_real(self.module), self.name)(*args, **kwargs)

    def __repr__(self) -> str:
        return f"<deferred {self.module}.{self.name}>"


class _StandIn(types.ModuleType):
    """A deferred module while its library is imported (and afterwards, where the library
    bound it with `import module`)."""

    def __getattr__(self, name: str) -> Any:
        # only for names the stand-in does not have: those of the real module
        if name.startswith("__"):
            raise AttributeError(name)
        return getattr(_real(self.__name__), name)


def _real(module: str) -> types.ModuleType:
    """The real `module`, imported now if it was not (never the stand-in)."""
    found = sys.modules.get(module)
    if isinstance(found, _StandIn):
        del sys.modules[module]
    return importlib.import_module(module)


def import_deferring(library: dict[str, dict[str, tuple[str, ...]]]) -> None:
    """Import the library's modules (keys of `library`) with their deferred modules stood in.

    A module already imported, or a deferred module already imported by someone else, is left
    as it is.
    """
    for module, deferred in library.items():
        if module in sys.modules:
            continue
        stand_ins: dict[str, _StandIn] = {}
        for name, names in deferred.items():
            if name in sys.modules:
                continue
            stand_in = _StandIn(name, f"Stand-in for {name} (cgotrap.read.binary.deferred).")
            for attr in names:
                setattr(stand_in, attr, Forward(name, attr))
            stand_ins[name] = stand_in
        before = set(sys.modules)
        sys.modules.update(stand_ins)
        try:
            importlib.import_module(module)
        except Exception:  # noqa: BLE001  # whatever went wrong, the plain import decides
            _forget(stand_ins, before, module)
            importlib.import_module(module)
        else:
            _forget(stand_ins, set(), module)


def _forget(stand_ins: dict[str, _StandIn], before: set[str], module: str) -> None:
    """Take the stand-ins out of `sys.modules`; after a failed import (`before` given) also
    every module of the library's package imported since, so the plain import starts clean."""
    for name, stand_in in stand_ins.items():
        if sys.modules.get(name) is stand_in:
            del sys.modules[name]
    if before:
        package = module.partition(".")[0]
        for name in set(sys.modules) - before:
            if name == package or name.startswith(package + "."):
                del sys.modules[name]
