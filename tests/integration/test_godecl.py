"""The Go declaration reader: go/parser through cgotrap's helper, built with the real go."""

from __future__ import annotations

import os
import shutil
from pathlib import Path
from types import SimpleNamespace

import pytest

from cgotrap import toolchain
from cgotrap.cache import Store
from cgotrap.errors import ToolchainMissingError
from cgotrap.read import godecl, godeclrun, leftout
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


_METHODS = b"""\
package p

import (
	ctr "example.com/m/counter"
)

type Local struct{ a, b int }

type Emb struct{ Local }

type I interface{ M() }

type N int

type Alias = Local

func f(c *ctr.Counter, l Local, e Emb, i I, al Alias) {
	c.Add(1)
	l.Foo()
	e.Bar()
	i.M()
	al.Baz()
	x := &Local{}
	x.Baz()
	var y N
	y.Qux()
	z := new(ctr.Counter)
	z.Double()
	v := ctr.Counter{}
	v.Double()
	type T2 struct{}
	var w T2
	w.M()
	for _, r := range []Local{} {
		r.M()
	}
	k := makeLocal()
	k.M()
	h := Holder{}
	h.l.Foo()
	h.n.Qux()
	h.ext.Double()
}

type Holder struct {
	l   *Local
	n   N
	ext ctr.Counter
}

func g[P any](p P) { p.M() }
"""


def test_method_uses_only_where_the_type_is_plain(reader: GoDeclReader) -> None:
    decls = reader.read(_METHODS)
    got = {
        (m.var, m.name, m.type_name, m.import_path, m.local, m.pointer, m.line)
        for m in decls.method_uses
    }
    assert got == {
        ("c", "Add", "Counter", "example.com/m/counter", "ctr", True, 18),
        ("l", "Foo", "Local", "", "", False, 19),
        ("e", "Bar", "Emb", "", "", False, 20),
        ("i", "M", "I", "", "", False, 21),
        ("al", "Baz", "Alias", "", "", False, 22),
        ("x", "Baz", "Local", "", "", True, 24),
        ("y", "Qux", "N", "", "", False, 26),
        ("z", "Double", "Counter", "example.com/m/counter", "ctr", True, 28),
        ("v", "Double", "Counter", "example.com/m/counter", "ctr", False, 30),
        # Fields are selectors too (missing_methods skips names that are fields); x.f.M
        # is recorded on x's type, f's type is looked up in its declaration.
        ("h", "l", "Holder", "", "", False, 40),
        ("h", "n", "Holder", "", "", False, 41),
        ("h", "ext", "Holder", "", "", False, 42),
        ("h.l", "Foo", "Holder", "", "", False, 40),
        ("h.n", "Qux", "Holder", "", "", False, 41),
        ("h.ext", "Double", "Holder", "", "", False, 42),
    }  # not: a local type, a range variable, a call's result, a type parameter
    shapes = {d.name: (d.closed, d.fields) for d in decls.decls if d.kind is DeclKind.TYPE}
    assert shapes == {
        "Local": (True, ("a", "b")),
        "Emb": (False, ()),
        "I": (False, ()),
        "N": (True, ()),
        "Alias": (False, ()),
        "Holder": (True, ("l", "n", "ext")),
    }
    (holder,) = [d for d in decls.decls if d.name == "Holder"]
    assert {(f.name, f.type_name, f.pointer) for f in holder.field_types} == {
        ("l", "Local", True),
        ("n", "N", False),
    }


def test_missing_methods_skip_open_types_fields_and_kept_methods(reader: GoDeclReader) -> None:
    users = reader.read(_METHODS)
    built = reader.read(
        b"package p\n\ntype Local struct{ a, b int }\n\ntype Emb struct{ Local }\n\n"
        b"type I interface{ M() }\n\ntype N int\n\ntype Alias = Local\n\n"
        b"func (Local) Foo() {}\n\ntype Holder struct {\n\tl *Local\n\tn N\n}\n"
    )
    lost = reader.read(
        b'package p\n\nimport "C"\n\nfunc (Local) Foo() {}\n\nfunc (*Local) Baz() {}\n\n'
        b"func (Emb) Bar() {}\n\nfunc (N) Qux() {}\n\nfunc (Local) a() {}\n"
    )
    found = leftout.missing_methods({"f.go": users}, "", {"p.go": built}, {"c.go": lost})
    # Foo is kept by a built file; Bar's type embeds a field; al is an alias.
    # h.ext.Double: ext is of another package's type, not resolved.
    assert {(m.name, m.line, m.declared_line, m.message) for m in found} == {
        ("Local.Baz", 24, 7, "x.Baz undefined (type *Local has no field or method Baz)"),
        ("N.Qux", 26, 11, "y.Qux undefined (type N has no field or method Qux)"),
        ("N.Qux", 41, 11, "h.n.Qux undefined (type N has no field or method Qux)"),
    }


_BTRFS = b"""\
//go:build linux && cgo

package btrfs

import "C"

import graphdriver "example.com/storage/drivers"

func init() {
	graphdriver.MustRegister("btrfs", Init)
	if enabled {
		register(name, 1)
	}
	go func() { graphdriver.MustRegister("late", Init) }()
	C.setup()
	graphdriver.Setup()
}
"""


def test_init_registrations_and_what_replaces_them(reader: GoDeclReader) -> None:
    lost = reader.read(_BTRFS)
    got = {(c.local, c.import_path, c.function, c.key, c.text, c.line) for c in lost.init_calls}
    assert got == {
        (
            "graphdriver",
            "example.com/storage/drivers",
            "MustRegister",
            "btrfs",
            'graphdriver.MustRegister("btrfs", Init)',
            10,
        ),
        ("", "", "register", "name", "register(name, 1)", 12),
    }
    empty = reader.read(b"//go:build !linux || !cgo\n\npackage btrfs\n")
    assert [c.text for _, c in leftout.lost_registrations({"d.go": empty}, {"b.go": lost})] == [
        'graphdriver.MustRegister("btrfs", Init)',
        "register(name, 1)",
    ]
    # A !cgo file registering the same name (go-sqlite3's mock driver) loses nothing.
    mock = reader.read(
        b'package btrfs\n\nimport gd "example.com/storage/drivers"\n\n'
        b'func init() {\n\tgd.MustRegister("btrfs", unsupported)\n\tregister(name, 0)\n}\n'
    )
    assert leftout.lost_registrations({"m.go": mock}, {"b.go": lost}) == ()
    other = reader.read(
        b'package btrfs\n\nimport gd "example.com/storage/drivers"\n\n'
        b'func init() {\n\tgd.MustRegister("zfs", unsupported)\n\tregister("x", 0)\n}\n'
    )
    # Another literal name is another registration; `name` may be "x": not claimed lost.
    assert [c.key for _, c in leftout.lost_registrations({"m.go": other}, {"b.go": lost})] == [
        "btrfs"
    ]


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


def test_begin_lets_the_caller_go_on_while_the_helper_parses(
    reader: GoDeclReader, tmp_path: Path
) -> None:
    """`begin` returns with the helper started; `result` waits for it (here a helper that
    parses only once the caller has gone on: it waits for a file the test writes after
    `begin` returned, and fails after ~10 s without it)."""
    go_on = tmp_path / "go-on"
    slow = tmp_path / "slow-helper"
    slow.write_text(
        "#!/bin/sh\ni=0\n"
        f'while [ ! -e "{go_on}" ]; do i=$((i+1)); [ $i -gt 1000 ] && exit 3; sleep 0.01; done\n'
        f'exec "{reader.helper}"\n'
    )
    slow.chmod(0o755)
    sources = [_PURE, b"package p\n\nfunc A() {}\n", _PURE]
    pending = GoDeclReader(slow).begin(sources)
    go_on.touch()
    assert pending.result() == reader.read_many(sources)
    assert pending.result()[0].package == "hash"
    failing = GoDeclReader(tmp_path / "no-such-helper")
    with pytest.raises(ToolchainMissingError):
        failing.begin([_PURE]).result()


def test_without_temporary_files_the_helper_runs_through_pipes(
    reader: GoDeclReader, monkeypatch: pytest.MonkeyPatch
) -> None:
    def no_space(*args: object, **kwargs: object) -> object:
        raise OSError(28, "No space left on device")

    sources = [_PURE, b"package p\n\nfunc A() {}\n"]
    want = reader.read_many(sources)
    monkeypatch.setattr(godeclrun, "tempfile", SimpleNamespace(TemporaryFile=no_space))
    assert GoDeclReader(reader.helper).begin(sources).result() == want


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


# ------------------------------------------------------------------------------------------
# The helper's build, started early and cancelled when not needed


def _group_alive(pgid: int) -> bool:
    try:
        os.killpg(pgid, 0)
    except ProcessLookupError:
        return False
    return True


def test_helper_build_runs_in_the_background_and_cancel_leaves_nothing(
    go_tool: toolchain.Tool, tmp_path: Path
) -> None:
    version = toolchain.version("go")
    assert version is not None
    build = godecl.HelperBuild.start(go_tool.path, tmp_path, version)
    proc = build._proc  # (the running go build)
    assert proc is not None
    assert proc.poll() is None, "start waited for the build"
    build.cancel()
    assert not _group_alive(proc.pid), "go build or its compilers outlived cancel"
    home = tmp_path / "godecl" / godecl.helper_key(version)
    assert not build.binary.exists()
    assert not list(home.glob("build-*"))
    with pytest.raises(ToolchainMissingError, match="cancelled"):
        build.wait()
    # built for real: the next start finds it and runs nothing
    built = godecl.HelperBuild.start(go_tool.path, tmp_path, version).wait()
    assert built == build.binary
    assert built.is_file()
    assert not list(home.glob("build-*"))
    again = godecl.HelperBuild.start(go_tool.path, tmp_path, version)
    assert again._proc is None
    assert again.wait() == built


def test_helper_is_linked_by_go_run_and_by_go_build_without_cp(
    go_tool: toolchain.Tool, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`go run -exec cp` (go's build cache keeps the linked binary: a second cold cgotrap
    cache copies it) and, with no usable `cp`, `go build -o`: the same helper either way."""
    version = toolchain.version("go")
    assert version is not None
    assert godecl._build_command(go_tool.path, tmp_path / "x")[1] == "run"
    by_run = godecl.build_helper(go_tool.path, tmp_path / "run", version)
    monkeypatch.setattr(shutil, "which", lambda name: None)
    assert godecl._build_command(go_tool.path, tmp_path / "x")[1] == "build"
    by_build = godecl.build_helper(go_tool.path, tmp_path / "build", version)
    for helper in (by_run, by_build):
        assert os.access(helper, os.X_OK)
        reader = godecl.GoDeclReader(helper)
        assert [d.name for d in reader.read(b"package p\nfunc F() {}\n").decls] == ["F"]
