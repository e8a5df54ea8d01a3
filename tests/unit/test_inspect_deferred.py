"""The binary-format libraries are imported without the modules they never use for us.

If a pyelftools or pefile release changes how it imports them, the first test fails (reading
still works, only start-up is slower again): update `cgotrap.read.binary.deferred` then.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from pathlib import Path

import pytest

from cgotrap.read.binary import deferred

TRUE = Path(shutil.which("true") or "/bin/true")
DEFERRED = sorted(
    name for library in (deferred.ELFTOOLS, deferred.PEFILE) for d in library.values() for name in d
)


def _fresh(code: str) -> str:
    """Run `code` in a fresh interpreter (nothing imported yet); its stdout."""
    done = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    return done.stdout


def test_reading_binaries_loads_no_deferred_module() -> None:
    out = _fresh(
        f"""
        import json, sys
        from cgotrap.read.binary import BinaryFormat, inspect_inputs, reader
        for fmt in BinaryFormat:
            reader(fmt)
        found = list(inspect_inputs([{str(TRUE)!r}]))
        assert found[0].linkage is not None, found
        print(json.dumps(sorted(m for m in {DEFERRED!r} if m in sys.modules)))
        """
    )
    assert json.loads(out) == []


def test_deferred_features_still_work() -> None:
    out = _fresh(
        f"""
        import hashlib, sys
        import cgotrap.read.binary.elf, cgotrap.read.binary.pe
        import pefile
        from elftools.construct.lib.container import Container
        from elftools.elf.elffile import ELFFile
        with open({str(TRUE)!r}, "rb") as f:
            info = ELFFile(f).get_dwarf_info()  # DwarfConfig, DWARFInfo: forwarded
        from elftools.dwarf.dwarfinfo import DWARFInfo
        assert type(info) is DWARFInfo, type(info)
        assert repr(Container(a=1)) == "Container({{'a': 1}})", repr(Container(a=1))
        assert pefile.md5(b"x").hexdigest() == hashlib.md5(b"x").hexdigest()
        assert pefile.sha256(b"x").hexdigest() == hashlib.sha256(b"x").hexdigest()
        assert str(pefile.uuid.UUID(int=1)).endswith("0001")
        assert pefile.ordlookup.ordLookup(b"ws2_32.dll", 1) == b"accept"
        import elftools.construct.debug as debug
        assert callable(debug.traceback.format_exception)
        assert callable(debug.pdb.post_mortem)
        for name in {DEFERRED!r}:  # no stand-in is left in sys.modules
            assert type(sys.modules.get(name, sys)).__name__ == "module", name
        print("ok")
        """
    )
    assert out.strip() == "ok"


@pytest.fixture
def fake_libraries(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """fakedep (a module to defer) and three libraries importing it in different ways."""
    (tmp_path / "fakedep.py").write_text(
        "class Thing:\n    def __init__(self, x=0):\n        self.x = x\n\n"
        "def helper():\n    return 'helped'\n",
        encoding="utf-8",
    )
    (tmp_path / "fakelib_calls.py").write_text(
        "from fakedep import Thing\n\ndef make(x):\n    return Thing(x)\n", encoding="utf-8"
    )
    (tmp_path / "fakelib_more.py").write_text(
        "from fakedep import Thing, helper\n", encoding="utf-8"
    )
    (tmp_path / "fakelib_subclass.py").write_text(
        "from fakedep import Thing\n\nclass Sub(Thing):\n    pass\n", encoding="utf-8"
    )
    monkeypatch.syspath_prepend(str(tmp_path))
    names = ("fakedep", "fakelib_calls", "fakelib_more", "fakelib_subclass")
    for name in names:
        monkeypatch.delitem(sys.modules, name, raising=False)
    yield tmp_path
    for name in names:
        sys.modules.pop(name, None)


def test_forwarded_names_call_the_real_ones(fake_libraries: Path) -> None:
    deferred.import_deferring({"fakelib_calls": {"fakedep": ("Thing",)}})
    assert "fakedep" not in sys.modules
    import fakelib_calls  # type: ignore[import-not-found]  # written by the fixture

    made = fakelib_calls.make(3)
    assert "fakedep" in sys.modules
    assert type(made) is sys.modules["fakedep"].Thing
    assert made.x == 3


def test_a_name_not_listed_loads_the_real_module(fake_libraries: Path) -> None:
    deferred.import_deferring({"fakelib_more": {"fakedep": ("Thing",)}})
    import fakelib_more  # type: ignore[import-not-found]  # written by the fixture

    assert fakelib_more.helper() == "helped"
    assert type(sys.modules["fakedep"]).__name__ == "module"


def test_a_library_that_breaks_with_a_stand_in_is_imported_plainly(
    fake_libraries: Path,
) -> None:
    deferred.import_deferring({"fakelib_subclass": {"fakedep": ("Thing",)}})
    import fakelib_subclass  # type: ignore[import-not-found]  # written by the fixture

    assert fakelib_subclass.Sub.__mro__[1] is sys.modules["fakedep"].Thing
    assert fakelib_subclass.Sub(5).x == 5
