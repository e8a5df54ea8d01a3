"""`cache.code_version`: every cache key holds it, so any change to a file of the installed
package (code or data) must change it, and nothing else (bytecode, `__pycache__`) may."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

import cgotrap
from cgotrap import cache


@pytest.fixture
def package(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A copy of a package's shape that `code_version` reads as cgotrap's."""
    root = tmp_path / "cgotrap"
    (root / "data" / "records").mkdir(parents=True)
    (root / "__pycache__").mkdir()
    (root / "__init__.py").write_text('__version__ = "0.1.0"\n')
    (root / "scan.py").write_text("X = 1\n")
    (root / "data" / "ports.json").write_text('{"ports": []}\n')
    (root / "data" / "records" / "libc.json").write_text("{}\n")
    monkeypatch.setattr(cgotrap, "__file__", str(root / "__init__.py"))
    cache.code_version.cache_clear()
    yield root
    cache.code_version.cache_clear()


def _version() -> str:
    cache.code_version.cache_clear()
    return cache.code_version()


def test_the_version_is_stable_while_nothing_changes(package: Path) -> None:
    assert _version() == _version()


def test_an_edit_that_keeps_the_size_and_the_mtime_changes_it(package: Path) -> None:
    before = _version()
    path = package / "data" / "records" / "libc.json"
    st = path.stat()
    path.write_text("[]\n")  # (same size)
    os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns))  # (as `cp -p` or an unpacker leaves it)
    assert path.stat().st_size == st.st_size
    assert _version() != before


@pytest.mark.parametrize("relpath", ["scan.py", "data/ports.json", "data/records/libc.json"])
def test_a_file_edited_at_any_depth_changes_it(package: Path, relpath: str) -> None:
    before = _version()
    with (package / relpath).open("a") as f:
        f.write(" ")
    assert _version() != before


def test_a_file_replaced_added_removed_or_renamed_changes_it(package: Path) -> None:
    seen = {_version()}
    replacement = package / "scan.py.new"
    replacement.write_text("X = 2\n")
    seen.add(_version())  # added
    replacement.replace(package / "scan.py")
    seen.add(_version())  # replaced (same size)
    (package / "scan.py").rename(package / "scan2.py")
    seen.add(_version())  # renamed
    (package / "scan2.py").unlink()
    seen.add(_version())  # removed
    assert len(seen) == 5


def test_bytecode_does_not_change_it(package: Path) -> None:
    before = _version()
    (package / "__pycache__" / "scan.cpython-311.pyc").write_bytes(b"\0" * 16)
    (package / "scan.pyc").write_bytes(b"\0" * 16)
    assert _version() == before
