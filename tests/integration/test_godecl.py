"""The Go declaration reader: go/parser through cgotrap's helper, built with the real go."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from cgotrap import toolchain
from cgotrap.cache import Store
from cgotrap.errors import ToolchainMissingError
from cgotrap.read import godecl
from cgotrap.read.godecl import DeclKind, GoDeclReader

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def reader(go_tool: toolchain.Tool, tmp_path_factory: pytest.TempPathFactory) -> GoDeclReader:
    cache = tmp_path_factory.mktemp("godecl-cache")
    version = toolchain.version("go")
    assert version is not None
    helper = godecl.build_helper(go_tool.path, cache, version)
    return GoDeclReader(helper)


_PURE = b"""\
//go:build !cgo

package hash

import (
	"errors"
	str "strings"
	"example.com/m/orphanc"
)

type Table struct{ n int }

var shared, _ = 1, 2

const Limit = 10

func init() {}

func (t *Table) Size() int { return t.n }

func Sum(xs []int) int {
	total := 0
	for _, x := range xs {
		total += fastHash(x) + len(xs)
	}
	p := Table{n: total}
	_ = str.ToUpper("a")
	_ = errors.New("x")
	return orphanc.Twice(p.n) + Limit
}
"""


def test_declarations_and_lines(reader: GoDeclReader) -> None:
    decls = reader.read(_PURE)
    assert decls.package == "hash"
    assert decls.error == ""
    got = {(d.kind, d.name, d.receiver, d.line) for d in decls.decls}
    assert got == {
        (DeclKind.TYPE, "Table", "", 11),
        (DeclKind.VAR, "shared", "", 13),
        (DeclKind.CONST, "Limit", "", 15),
        (DeclKind.METHOD, "Size", "Table", 19),
        (DeclKind.FUNC, "Sum", "", 21),
    }
    # Methods are not in package scope; init and _ declare nothing.
    assert decls.package_names() == {"Table", "shared", "Limit", "Sum"}


def test_uses_are_names_not_declared_in_the_file(reader: GoDeclReader) -> None:
    decls = reader.read(_PURE)
    names = {u.name: u.line for u in decls.uses}
    assert names["fastHash"] == 24
    assert "len" in names  # universe names are kept: the approximation is conservative
    # Locals, parameters, file-level names, field keys and selectors are not uses.
    for declared in ("total", "x", "xs", "p", "Table", "Limit", "n", "ToUpper", "Twice"):
        assert declared not in names
    # Import names go to qualified uses.
    assert not {"str", "errors", "orphanc"} & names.keys()


def test_qualified_uses_name_their_import(reader: GoDeclReader) -> None:
    decls = reader.read(_PURE)
    got = {(q.local, q.import_path, q.name, q.line) for q in decls.qualified}
    assert got == {
        ("str", "strings", "ToUpper", 27),
        ("errors", "errors", "New", 28),
        ("orphanc", "example.com/m/orphanc", "Twice", 29),
    }


_SQLITE_STUB = b"""\
//go:build !cgo

package sqlite3

import (
	"database/sql/driver"
	"errors"
)

var errorMsg = errors.New("MESSAGE")

type SQLiteDriver struct{}

func (SQLiteDriver) Open(s string) (driver.Conn, error) { return nil, errorMsg }

func Version() (string, int, string) { return "", 0, "" }
""".replace(
    b"MESSAGE",
    b"Binary was compiled with 'CGO_ENABLED=0', go-sqlite3 requires cgo to work. This is a stub",
)


def test_go_sqlite3_stub(reader: GoDeclReader) -> None:
    decls = reader.read(_SQLITE_STUB)
    (stub,) = godecl.stubs(decls)
    assert stub.qualified_name == "SQLiteDriver.Open"
    assert stub.line == 14
    assert "requires cgo to work. This is a stub" in stub.message
    assert stub.message_line == 10
    assert stub.message_in_file


def test_panic_and_cross_file_reference(reader: GoDeclReader) -> None:
    values = reader.read(
        b'package p\n\nimport "errors"\n\nvar errNotImplemented = errors.New("not implemented")\n'
        b"\nvar ErrQuota = errQuota{}\n\ntype errQuota struct{}\n\n"
        b'func (errQuota) Error() string { return "quota not supported" }\n'
    )
    users = reader.read(
        b"""package p

import (
	"errors"
	"fmt"
)

func Open() (int, error) { return 0, errNotImplemented }

func Must() { panic("p: Must requires cgo") }

func Parse(s string) error { return fmt.Errorf("bad input %q", s) }

func Real(s string) (int, error) {
	if s == "" {
		return 0, errors.New("empty: not supported")
	}
	return len(s), nil
}

func Unsupported() error { return errors.ErrUnsupported }

type protoErr struct{}

func (protoErr) Error() string { return "protocol not supported" }

func unsupportedVersionError(v int) error { return fmt.Errorf("unsupported version %d", v) }

func Close() error { return nil }

func SetQuota(n int) error { return ErrQuota }
"""
    )
    found = {
        s.function: (s.message, s.message_line, s.message_in_file)
        for s in godecl.stubs(users, godecl.package_error_values([values, users]))
    }
    assert found == {
        "Open": ("not implemented", 5, False),
        "Must": ("p: Must requires cgo", 10, True),
        "Unsupported": ("unsupported operation", 21, True),
        "SetQuota": ("quota not supported", 7, False),
    }
    # An Error() string method returns a message, not a failure; an error constructor, a
    # nil error: neither is a stub. Without the other file a reference stays unknown.
    assert "Open" not in {s.function for s in godecl.stubs(users)}


def test_syntax_error_keeps_what_parsed(reader: GoDeclReader) -> None:
    decls = reader.read(b"package p\n\nfunc A() {}\n\nfunc B( {\n")
    assert decls.error
    assert "A" in decls.package_names()


def test_bounds_and_cache(reader: GoDeclReader, tmp_path: Path) -> None:
    huge = b"package p\n" + b"//" + b"x" * godecl.MAX_FILE_BYTES + b"\n"
    assert "too large" in reader.read(huge).error
    store = Store(tmp_path / "cache")
    first = GoDeclReader(reader.helper, store=store, key="k")
    assert first.read(_PURE).package == "hash"
    # A second reader whose helper cannot run answers from the content-keyed store entry.
    second = GoDeclReader(tmp_path / "no-such-helper", store=store, key="k")
    assert second.read(_PURE) == first.read(_PURE)
    with pytest.raises(ToolchainMissingError):
        second.read(_PURE + b"\n")
    # Everything is in the one store: cache files only, no folder of its own.
    assert [p.name for p in store.directory.iterdir()] == [f"{godecl.STORE_KIND}-k.bin"]


def test_no_store_writes_nothing(reader: GoDeclReader, tmp_path: Path) -> None:
    home = tmp_path / "home"
    home.mkdir()
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("HOME", str(home))
        mp.setenv("XDG_CACHE_HOME", str(home / "xdg"))
        assert GoDeclReader(reader.helper).read(_PURE).package == "hash"
    assert list(home.iterdir()) == []


def test_store_entry_keeps_the_size_bound(reader: GoDeclReader, tmp_path: Path) -> None:
    store = Store(tmp_path / "cache", max_bytes=60_000)
    store.put("scan", "old", os.urandom(50_000))
    sources = [_PURE + b"\n// %d\n" % i for i in range(40)]
    GoDeclReader(reader.helper, store=store, key="k").read_many(sources)
    sizes = {p.name: p.stat().st_size for p in store.directory.glob("*.bin")}
    assert sum(sizes.values()) <= store.max_bytes
    assert f"{godecl.STORE_KIND}-k.bin" in sizes  # the newest entry stays, the oldest went
    assert "scan-old.bin" not in sizes


@pytest.mark.parametrize("damage", ["flip", "truncate", "garbage"])
def test_a_damaged_entry_is_rebuilt(reader: GoDeclReader, tmp_path: Path, damage: str) -> None:
    store = Store(tmp_path / "cache")
    want = GoDeclReader(reader.helper, store=store, key="k").read(_PURE)
    path = store.directory / f"{godecl.STORE_KIND}-k.bin"
    data = bytearray(path.read_bytes())
    if damage == "flip":
        data[len(data) // 2] ^= 0x01
    elif damage == "truncate":
        del data[len(data) // 2 :]
    else:
        data[:] = os.urandom(len(data))
    path.write_bytes(bytes(data))
    # Not trusted: a reader that cannot run its helper finds nothing to answer from ...
    with pytest.raises(ToolchainMissingError):
        GoDeclReader(tmp_path / "no-such-helper", store=store, key="k").read(_PURE)
    # ... and a working one rebuilds the entry, which is sound again.
    assert GoDeclReader(reader.helper, store=store, key="k").read(_PURE) == want
    assert GoDeclReader(tmp_path / "no-such-helper", store=store, key="k").read(_PURE) == want


def test_default_import_names() -> None:
    assert godecl.default_name("math/rand/v2") == "rand"
    assert godecl.default_name("gopkg.in/yaml.v3") == "yaml"
    assert godecl.default_name("github.com/mattn/go-sqlite3") == "sqlite3"
    assert godecl.default_name("example.com/m/orphanc") == "orphanc"
