"""The verdict fixtures do, under the real `go build` and run, what each pattern claims.

This checks the fixtures and the truth harness (`verdict_truth`) against go itself; the
comparison of scan's verdicts with `truth_verdict` builds on it. The first run builds every
fixture for every target (minutes: zig builds a libc per target); later runs read the
cached table (keyed on the fixture content and the go/zig versions).
"""

from __future__ import annotations

import shutil

import pytest

from tests import verdictfixtures
from tests.integration import verdict_truth as vt
from tests.integration.verdict_truth import TruthTable

pytestmark = pytest.mark.integration

GNU0 = vt.target("linux/amd64-gnu cgo=0")
GNU1 = vt.target("linux/amd64-gnu cgo=1")
MUSL1 = vt.target("linux/amd64-musl cgo=1")
ARM0 = vt.target("linux/arm64-musl cgo=0")
ARM1 = vt.target("linux/arm64-musl cgo=1")
DARWIN1 = vt.target("darwin/arm64 cgo=1")
WINDOWS1 = vt.target("windows/amd64 cgo=1")
FREEBSD1 = vt.target("freebsd/amd64 cgo=1")
CGO0 = tuple(t for t in vt.TARGETS if not t.cgo)
CGO_PORTS1 = (GNU1, MUSL1, ARM1, DARWIN1, WINDOWS1, FREEBSD1)


@pytest.fixture(scope="session")
def tables() -> dict[str, TruthTable]:
    return {name: vt.truth(name) for name in verdictfixtures.FIXTURES}


def _verdicts(table: TruthTable, package: str) -> dict[str, str]:
    return {t.name: vt.truth_verdict(table, table.cell(t, package)) for t in vt.TARGETS}


def test_every_cell_is_recorded(tables: dict[str, TruthTable]) -> None:
    for name, fixture in verdictfixtures.FIXTURES.items():
        assert len(tables[name].cells) == len(fixture.packages) * len(vt.TARGETS)
        for cell in tables[name].cells:
            assert cell.builds == (cell.error == ""), (cell.target, cell.package, cell.error)


def test_stub_builds_without_cgo_and_the_binary_prints_the_stub_error(
    tables: dict[str, TruthTable],
) -> None:
    table = tables["stub"]
    marker = verdictfixtures.FIXTURES["stub"].marker
    for t in (GNU0, ARM0) if shutil.which("qemu-aarch64") else (GNU0,):
        app = table.cell(t, "cmd/app")
        assert app.builds
        assert app.run_output is not None
        assert marker in app.run_output
        assert vt.truth_verdict(table, app) == "degrades"
        assert vt.truth_verdict(table, table.cell(t, "db")) == "degrades"
    real = table.cell(GNU1, "cmd/app")
    assert real.run_output == "42 <nil>\n"
    assert vt.truth_verdict(table, table.cell(GNU1, "db")) == "cgo"
    assert vt.truth_verdict(table, real) == "pure"


def test_cgo_only_name_breaks_the_package_without_cgo(tables: dict[str, TruthTable]) -> None:
    table = tables["cgoname"]
    for t in CGO0:
        cell = table.cell(t, "hash")
        assert "undefined: fastHash" in cell.error, t.name
        assert vt.truth_verdict(table, cell) == "breaks"
        assert vt.truth_verdict(table, table.cell(t, "cmd/app")) == "breaks"
    assert table.cell(GNU1, "cmd/app").run_output == "207\n"


def test_cgo_only_name_breaks_the_importer(tables: dict[str, TruthTable]) -> None:
    table = tables["orphanc"]
    for t in CGO0:
        assert "undefined: orphanc.Twice" in table.cell(t, "cmd/app").error, t.name
        # The package itself builds without its cgo file.
        assert vt.truth_verdict(table, table.cell(t, "orphanc")) == "fallback"
    assert vt.truth_verdict(table, table.cell(GNU1, "orphanc")) == "cgo"


def test_cgo_tag_switch_drops_the_feature(tables: dict[str, TruthTable]) -> None:
    table = tables["tagswitch"]
    assert table.cell(GNU1, "cmd/app").run_output == "features: [feature]\n"
    assert table.cell(GNU0, "cmd/app").run_output == "features: []\n"
    verdicts = {
        p: vt.truth_verdict(table, table.cell(GNU0, p)) for p in ("cmd/app", "plugins", "feature")
    }
    assert verdicts == {"cmd/app": "degrades", "plugins": "degrades", "feature": "not-built"}
    assert vt.truth_verdict(table, table.cell(GNU1, "feature")) == "pure"


def test_c_file_include_of_a_glibc_header(tables: dict[str, TruthTable]) -> None:
    table = tables["cinclude"]
    assert table.cell(GNU1, "cmd/app").run_output == "2\n"
    for t in (MUSL1, ARM1, DARWIN1, WINDOWS1, FREEBSD1):
        cell = table.cell(t, "sysinfo")
        assert "gnu/libc-version.h" in cell.error, t.name
        assert vt.truth_verdict(table, cell) == "breaks"


def test_d_macro_under_a_tag_decides_a_linux_only_include(tables: dict[str, TruthTable]) -> None:
    table = tables["dmacro"]
    assert table.cell(GNU1, "cmd/app").run_output == "1\n"
    for t in (DARWIN1, FREEBSD1):
        assert "sys/epoll.h" in table.cell(t, "poller").error, t.name
    # Not unix: the macro is not set, the portable branch compiles.
    assert table.cell(WINDOWS1, "poller").builds


def test_linux_only_cgo_file_on_ports_without_cgo(tables: dict[str, TruthTable]) -> None:
    table = tables["linuxonly"]
    for name in ("js/wasm cgo=0", "wasip1/wasm cgo=0"):
        cell = table.cell(vt.target(name), "osinfo")
        assert cell.builds
        assert vt.truth_verdict(table, cell) == "pure"
    assert vt.truth_verdict(table, table.cell(GNU1, "osinfo")) == "cgo"
    assert vt.truth_verdict(table, table.cell(vt.target("darwin/arm64 cgo=1"), "osinfo")) == "pure"


def test_c_shared_main_needs_cgo(tables: dict[str, TruthTable]) -> None:
    table = tables["cshared"]
    assert table.cell(GNU1, "cmd/libadd").builds
    cell = table.cell(GNU0, "cmd/libadd")
    assert not cell.builds
    assert vt.truth_verdict(table, cell) == "breaks"


def test_library_packages_are_roots(tables: dict[str, TruthTable]) -> None:
    table = tables["library"]
    for t in CGO0:
        cell = table.cell(t, "clib")
        assert "build constraints exclude all Go files" in cell.error, t.name
        assert vt.truth_verdict(table, cell) == "breaks"
        assert vt.truth_verdict(table, table.cell(t, "pure")) == "pure"


def test_orphaned_c_file_breaks_only_with_cgo(tables: dict[str, TruthTable]) -> None:
    table = tables["cfiles"]
    for t in vt.TARGETS:
        cell = table.cell(t, "orphan")
        if t.cgo:
            # go ignores C files with cgo off, and refuses them without a cgo file with it on.
            assert "C source files not allowed when not using cgo or SWIG: helper.c" in cell.error
            assert vt.truth_verdict(table, cell) == "breaks"
        else:
            assert cell.builds, t.name
            assert vt.truth_verdict(table, cell) == "pure"


def test_cgo_only_method_breaks_the_package_and_the_importer(
    tables: dict[str, TruthTable],
) -> None:
    table = tables["cgomethod"]
    for t in CGO0:
        cell = table.cell(t, "counter")
        assert "c.FastAdd undefined (type *Counter has no field or method FastAdd)" in cell.error
        assert vt.truth_verdict(table, cell) == "breaks"
        assert vt.truth_verdict(table, table.cell(t, "cmd/count")) == "breaks"
        app = table.cell(t, "cmd/meter")
        assert "g.Double undefined (type *meter.Gauge has no field or method Double)" in app.error
        # The package itself builds without its cgo file.
        assert vt.truth_verdict(table, table.cell(t, "meter")) == "fallback", t.name
    assert table.cell(GNU1, "cmd/count").run_output == "3\n"
    assert table.cell(GNU1, "cmd/meter").run_output == "42\n"


def test_driver_registered_in_a_dropped_cgo_init_is_missing_at_run_time(
    tables: dict[str, TruthTable],
) -> None:
    table = tables["initreg"]
    assert table.cell(GNU1, "cmd/app").run_output == "drivers: [btrfs vfs]\n"
    for t in (GNU0, ARM0) if shutil.which("qemu-aarch64") else (GNU0,):
        app = table.cell(t, "cmd/app")
        # It builds and runs: the driver is silently absent.
        assert (app.exit_code, app.run_exit, app.run_output) == (0, 0, "drivers: [vfs]\n")
        assert vt.truth_verdict(table, app) == "degrades"
        assert vt.truth_verdict(table, table.cell(t, "drivers/btrfs")) == "degrades"
    # Not Linux: there is no btrfs driver with cgo either; nothing is lost to cgo.
    for t in (vt.target("darwin/arm64 cgo=0"), vt.target("windows/amd64 cgo=0")):
        assert vt.truth_verdict(table, table.cell(t, "cmd/app")) == "pure"
        assert vt.truth_verdict(table, table.cell(t, "drivers/btrfs")) == "not-built"
