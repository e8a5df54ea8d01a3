"""`cli.deferred`: a deferred module runs its code on the first read of one of its
attributes, once, and is then the module an import would have made; an `import` statement
alone (and `from`'s package probe) runs nothing."""

from __future__ import annotations

import importlib
import sys
import types
from collections.abc import Iterator
from pathlib import Path

import pytest

from cgotrap.cli import deferred

_SOURCE = """
import sys
sys.modules["{counter}"].runs.append("{name}")
VALUE = 42

def double(x):
    return 2 * x
"""


@pytest.fixture
def modules(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[types.ModuleType]:
    """Modules `deferred_a` and `deferred_b` in tmp_path, which record each run of their
    code in the returned counter module's `runs`."""
    counter = types.ModuleType("deferred_counter")
    counter.runs = []  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "deferred_counter", counter)
    for name in ("deferred_a", "deferred_b"):
        (tmp_path / f"{name}.py").write_text(_SOURCE.format(counter="deferred_counter", name=name))
    (tmp_path / "deferred_pkg").mkdir()
    (tmp_path / "deferred_pkg" / "__init__.py").write_text("X = 1\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    importlib.invalidate_caches()
    yield counter
    for name in ("deferred_a", "deferred_b", "deferred_pkg"):
        sys.modules.pop(name, None)


def test_an_import_runs_nothing_until_an_attribute_is_read(modules: types.ModuleType) -> None:
    deferred.defer(("deferred_a",))
    import deferred_a  # type: ignore[import-not-found]

    assert modules.runs == []
    assert deferred.is_deferred("deferred_a")
    assert deferred_a.double(deferred_a.VALUE) == 84
    assert deferred_a.double(1) == 2
    assert modules.runs == ["deferred_a"]  # (once)
    assert type(deferred_a) is types.ModuleType
    assert sys.modules["deferred_a"] is deferred_a
    assert not deferred.is_deferred("deferred_a")


def test_from_import_probes_for_a_package_without_running_it(
    modules: types.ModuleType,
) -> None:
    deferred.defer(("deferred_a", "deferred_b"))
    module = sys.modules["deferred_b"]
    assert not hasattr(module, "__path__")  # what `from deferred_b import x` asks first
    assert modules.runs == []
    from deferred_a import VALUE

    assert VALUE == 42
    assert modules.runs == ["deferred_a"]
    with pytest.raises(AttributeError):
        _ = module.missing
    assert modules.runs == ["deferred_a", "deferred_b"]


def test_packages_and_imported_modules_are_left_to_the_import_system(
    modules: types.ModuleType,
) -> None:
    import deferred_b  # type: ignore[import-not-found]

    deferred.defer(("deferred_pkg", "deferred_b", "_json"))  # (a package, loaded, a C module)
    assert sys.modules["deferred_b"] is deferred_b
    assert modules.runs == ["deferred_b"]  # (imported above, not again)
    assert not deferred.is_deferred("deferred_pkg")
    assert "deferred_pkg" not in sys.modules
    assert not deferred.is_deferred("_json")


def test_a_module_that_reads_itself_while_it_runs_sees_itself_partial(
    modules: types.ModuleType, tmp_path: Path
) -> None:
    """As in a circular import (no second run of its code)."""
    (tmp_path / "deferred_self.py").write_text(
        "import sys\n"
        "try:\n"
        "    sys.modules[__name__].LATER\n"
        "    SEEN = 'whole'\n"
        "except AttributeError:\n"
        "    SEEN = 'partial'\n"
        "LATER = 1\n"
    )
    importlib.invalidate_caches()
    deferred.defer(("deferred_self",))
    try:
        import deferred_self  # type: ignore[import-not-found]

        assert (deferred_self.SEEN, deferred_self.LATER) == ("partial", 1)
    finally:
        sys.modules.pop("deferred_self", None)


def test_a_module_whose_c_part_is_missing_is_not_deferred(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """On a Python built without liblzma, `import lzma` must still fail where shutil and
    tarfile ask it (they then do without), not on its first use."""
    monkeypatch.delitem(sys.modules, "lzma", raising=False)
    real = importlib.util.find_spec

    def without_lzma(name: str, package: str | None = None) -> object:
        return None if name == "_lzma" else real(name, package)

    monkeypatch.setattr(importlib.util, "find_spec", without_lzma)
    deferred.defer(("lzma",))
    assert "lzma" not in sys.modules


def test_a_thread_reading_while_another_runs_the_code_waits_for_it(
    modules: types.ModuleType, tmp_path: Path
) -> None:
    """A function of a half-run module would find the globals defined after it missing:
    a second thread's read waits until the module has run whole."""
    import threading

    started, go_on = threading.Event(), threading.Event()
    modules.started, modules.go_on = started, go_on  # type: ignore[attr-defined]
    (tmp_path / "deferred_slow.py").write_text(
        "import sys\n"
        "def later():\n"
        "    return LATER\n"
        'sys.modules["deferred_counter"].started.set()\n'
        'sys.modules["deferred_counter"].go_on.wait(10)\n'
        "LATER = 7\n"
    )
    importlib.invalidate_caches()
    deferred.defer(("deferred_slow",))
    try:
        module = sys.modules["deferred_slow"]
        loader = threading.Thread(target=lambda: module.LATER)
        loader.start()
        assert started.wait(10)  # (the loader thread is inside the module's code)
        got: list[int] = []
        reader = threading.Thread(target=lambda: got.append(module.later()))
        reader.start()
        reader.join(0.2)
        assert got == []  # (waiting, not calling a half-run module's function)
        go_on.set()
        loader.join(10)
        reader.join(10)
        assert got == [7]
    finally:
        go_on.set()
        sys.modules.pop("deferred_slow", None)
