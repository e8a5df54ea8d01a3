"""Fixture Go modules for scan's verdicts (issue 9), one per pattern, generated in code.

Each fixture is a small stdlib-only module reproducing one way a package × target can end:
compiles C, pure, a real fallback, degrades to a stub, breaks, or is not built. The truth of
every cell comes from the real `go build` (and, for Linux, running the binary), recorded by
`tests/integration/verdict_truth.py`; scan's verdicts are compared with that truth.

`FIXTURES` maps a name to its `Fixture`; `write(root, name)` writes the module under `root`.
"""

from __future__ import annotations

import dataclasses
import hashlib
import textwrap
from pathlib import Path


@dataclasses.dataclass(frozen=True, kw_only=True, slots=True)
class Package:
    """One package of a fixture that the harness builds on its own."""

    dir: str
    """Directory relative to the module root ("cmd/app", "lib")."""
    main: bool = False
    """A main package (its binary is kept, and run on Linux when `run` is set)."""
    buildmode: str = "exe"
    """`-buildmode` of its build ("exe", "c-shared")."""
    run: bool = False
    """Run the built binary on Linux targets (natively, or under qemu)."""


@dataclasses.dataclass(frozen=True, kw_only=True, slots=True)
class Fixture:
    """A fixture module: its files and what the harness builds."""

    name: str
    """The fixture's name, also the module's last path element."""
    pattern: str
    """The issue 9 pattern it reproduces, in words."""
    files: dict[str, str]
    """Relative path -> content ("{module}" is replaced by the module path)."""
    packages: tuple[Package, ...]
    """The packages the harness builds, each on its own, per target."""
    marker: str = ""
    """Text whose presence in a run's output shows the degraded behaviour (the stub's
    message); "" if the fixture has none."""

    @property
    def module(self) -> str:
        """The module path ("example.com/stub")."""
        return f"example.com/{self.name}"

    def import_path(self, package: Package) -> str:
        """The import path of one of its packages."""
        return f"{self.module}/{package.dir}" if package.dir != "." else self.module

    def rendered(self) -> dict[str, str]:
        """The files with the module path filled in, go.mod included."""
        out = {"go.mod": f"module {self.module}\n\ngo 1.22\n"}
        for path, text in self.files.items():
            out[path] = textwrap.dedent(text).replace("{module}", self.module)
        return out

    def digest(self) -> str:
        """A hash of the fixture's content and build plan (the truth cache key)."""
        h = hashlib.sha256()
        for path, text in sorted(self.rendered().items()):
            h.update(f"{path}\0{text}\0".encode())
        h.update(repr(self.packages).encode())
        return h.hexdigest()


_STUB_MESSAGE = (
    "Binary was compiled with 'CGO_ENABLED=0', stubdb requires cgo to work. This is a stub"
)

_MAIN_CALLS = """\
    package main

    import (
        "fmt"

        "{module}/{pkg}"
    )

    func main() { fmt.Println({call}) }
    """


def _main(pkg: str, call: str) -> str:
    return _MAIN_CALLS.replace("{pkg}", pkg).replace("{call}", call)


_FIXTURES: tuple[Fixture, ...] = (
    Fixture(
        name="stub",
        pattern="!cgo stub returning a 'requires cgo' error; main prints it",
        marker=_STUB_MESSAGE,
        files={
            "db/db_cgo.go": """\
                //go:build cgo

                package db

                /*
                static int answer(void) { return 42; }
                */
                import "C"

                // Open opens the database.
                func Open() (int, error) { return int(C.answer()), nil }
                """,
            "db/db_stub.go": f"""\
                //go:build !cgo

                package db

                import "errors"

                var errorMsg = errors.New("{_STUB_MESSAGE}")

                // Open is a stub without cgo.
                func Open() (int, error) {{ return 0, errorMsg }}
                """,
            "cmd/app/main.go": _main("db", "db.Open()"),
        },
        packages=(Package(dir="db"), Package(dir="cmd/app", main=True, run=True)),
    ),
    Fixture(
        name="cgoname",
        pattern="a name declared only in a cgo file, used by the package's other files",
        files={
            "hash/hash_cgo.go": """\
                package hash

                /*
                static int mix(int x) { return x * 31 + 7; }
                */
                import "C"

                func fastHash(x int) int { return int(C.mix(C.int(x))) }
                """,
            "hash/hash.go": """\
                package hash

                // Sum hashes xs.
                func Sum(xs []int) int {
                    total := 0
                    for _, x := range xs {
                        total += fastHash(x)
                    }
                    return total
                }
                """,
            "cmd/app/main.go": _main("hash", "hash.Sum([]int{1, 2, 3})"),
        },
        packages=(Package(dir="hash"), Package(dir="cmd/app", main=True, run=True)),
    ),
    Fixture(
        name="orphanc",
        pattern="a name declared only in a cgo file, used by an importer",
        files={
            "orphanc/twice.go": """\
                package orphanc

                /*
                static int twice(int x) { return 2 * x; }
                */
                import "C"

                // Twice doubles x in C.
                func Twice(x int) int { return int(C.twice(C.int(x))) }
                """,
            "orphanc/once.go": """\
                package orphanc

                // Once is pure Go.
                func Once(x int) int { return x }
                """,
            "cmd/app/main.go": _main("orphanc", "orphanc.Twice(21)"),
        },
        packages=(Package(dir="orphanc"), Package(dir="cmd/app", main=True, run=True)),
    ),
    Fixture(
        name="tagswitch",
        pattern='a //go:build cgo file (no import "C") imports a feature package',
        marker="features: []",
        files={
            "registry/registry.go": """\
                package registry

                var names []string

                // Register adds a feature.
                func Register(name string) { names = append(names, name) }

                // Names lists the registered features.
                func Names() []string { return names }
                """,
            "feature/feature.go": """\
                package feature

                import "{module}/registry"

                func init() { registry.Register("feature") }
                """,
            "plugins/register_cgo.go": """\
                //go:build !no_feature && cgo

                package plugins

                import _ "{module}/feature"
                """,
            "plugins/plugins.go": """\
                // Package plugins links the optional features in.
                package plugins
                """,
            "cmd/app/main.go": """\
                package main

                import (
                    "fmt"

                    _ "{module}/plugins"
                    "{module}/registry"
                )

                func main() { fmt.Printf("features: %v\\n", registry.Names()) }
                """,
        },
        packages=(
            Package(dir="plugins"),
            Package(dir="feature"),
            Package(dir="cmd/app", main=True, run=True),
        ),
    ),
    Fixture(
        name="cinclude",
        pattern=".c file including a glibc-only header (through a local header)",
        files={
            "sysinfo/sysinfo.go": """\
                package sysinfo

                // int libc_major(void);
                import "C"

                // LibcMajor is glibc's major version.
                func LibcMajor() int { return int(C.libc_major()) }
                """,
            "sysinfo/sysinfo_nocgo.go": """\
                //go:build !cgo

                package sysinfo

                // LibcMajor is unknown without cgo.
                func LibcMajor() int { return 0 }
                """,
            "sysinfo/local.h": """\
                #ifndef LOCAL_H
                #define LOCAL_H
                #include <gnu/libc-version.h>
                #endif
                """,
            "sysinfo/sysinfo.c": """\
                #include <stdlib.h>
                #include "local.h"

                int libc_major(void) { return atoi(gnu_get_libc_version()); }
                """,
            "cmd/app/main.go": _main("sysinfo", "sysinfo.LibcMajor()"),
        },
        packages=(Package(dir="sysinfo"), Package(dir="cmd/app", main=True, run=True)),
    ),
    Fixture(
        name="dmacro",
        pattern="#cgo CFLAGS: -DUSE_EPOLL under //go:build unix guards a Linux-only include",
        files={
            "poller/flags_unix.go": """\
                //go:build unix

                package poller

                // #cgo CFLAGS: -DUSE_EPOLL
                import "C"
                """,
            "poller/poller.go": """\
                package poller

                // int backend(void);
                import "C"

                // Backend names the C backend: 1 epoll, 0 portable.
                func Backend() int { return int(C.backend()) }
                """,
            "poller/poller.c": """\
                #if defined(USE_EPOLL)
                #include <sys/epoll.h>
                int backend(void) { return EPOLLIN ? 1 : 1; }
                #else
                #include <stdio.h>
                int backend(void) { return 0; }
                #endif
                """,
            "cmd/app/main.go": _main("poller", "poller.Backend()"),
        },
        packages=(Package(dir="poller"), Package(dir="cmd/app", main=True, run=True)),
    ),
    Fixture(
        name="linuxonly",
        pattern="a linux-only cgo file; ports without cgo (js/wasm, wasip1) build pure Go",
        files={
            "osinfo/osinfo_linux.go": """\
                //go:build linux

                package osinfo

                /*
                #include <unistd.h>
                static long pagesize(void) { return sysconf(_SC_PAGESIZE); }
                */
                import "C"

                // PageSize from sysconf.
                func PageSize() int { return int(C.pagesize()) }
                """,
            "osinfo/osinfo_other.go": """\
                //go:build !linux

                package osinfo

                // PageSize is a constant elsewhere.
                func PageSize() int { return 4096 }
                """,
            "cmd/app/main.go": _main("osinfo", "osinfo.PageSize() > 0"),
        },
        packages=(Package(dir="osinfo"), Package(dir="cmd/app", main=True, run=True)),
    ),
    Fixture(
        name="cshared",
        pattern="a main built with -buildmode=c-shared",
        files={
            "cmd/libadd/main.go": """\
                package main

                import "C"

                //export Add
                func Add(a, b C.int) C.int { return a + b }

                func main() {}
                """,
        },
        packages=(Package(dir="cmd/libadd", main=True, buildmode="c-shared"),),
    ),
    Fixture(
        name="library",
        pattern="a library-only module (no main): every package is a root",
        files={
            "clib/clib.go": """\
                package clib

                /*
                #include <stdlib.h>
                #include <string.h>
                */
                import "C"

                import "unsafe"

                // Len is strlen.
                func Len(s string) int {
                    cs := C.CString(s)
                    defer C.free(unsafe.Pointer(cs))
                    return int(C.strlen(cs))
                }
                """,
            "pure/pure.go": "// Package pure is pure Go.\npackage pure\n\n"
            "// Len is len.\nfunc Len(s string) int { return len(s) }\n",
        },
        packages=(Package(dir="clib"), Package(dir="pure")),
    ),
    Fixture(
        name="cfiles",
        pattern="an orphaned .c file: C files in a package without any cgo file",
        files={
            "orphan/orphan.go": """\
                // Package orphan has a C file but no import "C".
                package orphan

                // Answer is pure Go.
                func Answer() int { return 42 }
                """,
            "orphan/helper.c": "int helper(void) { return 1; }\n",
            "cmd/app/main.go": _main("orphan", "orphan.Answer()"),
        },
        packages=(Package(dir="orphan"), Package(dir="cmd/app", main=True, run=True)),
    ),
)

_FIXTURES += (
    Fixture(
        name="cgomethod",
        pattern="a method declared only in a cgo file, used in the package and by an importer",
        files={
            "counter/counter.go": """\
                package counter

                // Counter counts.
                type Counter struct{ n int }

                // Add adds x.
                func (c *Counter) Add(x int) { c.n += x }

                // Total is the sum so far.
                func (c *Counter) Total() int { return c.n }

                // AddAll adds every x, in C.
                func AddAll(c *Counter, xs []int) int {
                    for _, x := range xs {
                        c.FastAdd(x)
                    }
                    return c.Total()
                }

                // Tally keeps a counter.
                type Tally struct{ c *Counter }

                // Bump adds one, in C.
                func (t *Tally) Bump() { t.c.FastAdd(1) }
                """,
            "counter/counter_cgo.go": """\
                package counter

                /*
                static int twice(int x) { return 2 * x; }
                */
                import "C"

                // FastAdd adds x in C.
                func (c *Counter) FastAdd(x int) { c.n += int(C.twice(C.int(x))) / 2 }
                """,
            "meter/meter.go": """\
                package meter

                // Gauge holds a value.
                type Gauge struct{ v int }

                // Set sets the value.
                func (g *Gauge) Set(v int) { g.v = v }

                // Value is the value.
                func (g Gauge) Value() int { return g.v }
                """,
            "meter/meter_cgo.go": """\
                package meter

                /*
                static int twice(int x) { return 2 * x; }
                */
                import "C"

                // Double doubles the value in C.
                func (g *Gauge) Double() { g.v = int(C.twice(C.int(g.v))) }
                """,
            "cmd/count/main.go": """\
                package main

                import (
                    "fmt"

                    "{module}/counter"
                )

                func main() { fmt.Println(counter.AddAll(&counter.Counter{}, []int{1, 2})) }
                """,
            "cmd/meter/main.go": """\
                package main

                import (
                    "fmt"

                    "{module}/meter"
                )

                func main() {
                    g := &meter.Gauge{}
                    g.Set(21)
                    g.Double()
                    fmt.Println(g.Value())
                }
                """,
        },
        packages=(
            Package(dir="counter"),
            Package(dir="meter"),
            Package(dir="cmd/count", main=True, run=True),
            Package(dir="cmd/meter", main=True, run=True),
        ),
    ),
    Fixture(
        name="initreg",
        pattern=(
            "a linux && cgo file registers a driver in its init; without cgo the package "
            "builds from an empty file and the program lacks the driver"
        ),
        marker="drivers: [vfs]",
        files={
            "drivers/drivers.go": """\
                // Package drivers is a registry of storage drivers.
                package drivers

                import "sort"

                var registry = map[string]func() string{}

                // MustRegister adds a driver.
                func MustRegister(name string, init func() string) {
                    if _, dup := registry[name]; dup {
                        panic("driver registered twice: " + name)
                    }
                    registry[name] = init
                }

                // Names lists the registered drivers.
                func Names() []string {
                    out := []string{}
                    for name := range registry {
                        out = append(out, name)
                    }
                    sort.Strings(out)
                    return out
                }
                """,
            "drivers/vfs/vfs.go": """\
                package vfs

                import "{module}/drivers"

                func init() { drivers.MustRegister("vfs", Init) }

                // Init starts the driver.
                func Init() string { return "vfs" }
                """,
            "drivers/btrfs/btrfs.go": """\
                //go:build linux && cgo

                package btrfs

                /*
                static int subvolumes(void) { return 1; }
                */
                import "C"

                import "{module}/drivers"

                func init() {
                    drivers.MustRegister("btrfs", Init)
                }

                // Init starts the driver.
                func Init() string { return "btrfs" + string(rune('0'+C.subvolumes())) }
                """,
            "drivers/btrfs/dummy_unsupported.go": """\
                //go:build !linux || !cgo

                package btrfs
                """,
            "drivers/register/register_btrfs.go": """\
                //go:build !exclude_graphdriver_btrfs && linux

                package register

                import (
                    // register the btrfs driver
                    _ "{module}/drivers/btrfs"
                )
                """,
            "drivers/register/register_vfs.go": """\
                package register

                import (
                    // register the vfs driver
                    _ "{module}/drivers/vfs"
                )
                """,
            "cmd/app/main.go": """\
                package main

                import (
                    "fmt"

                    "{module}/drivers"
                    _ "{module}/drivers/register"
                )

                func main() { fmt.Printf("drivers: %v\\n", drivers.Names()) }
                """,
        },
        packages=(
            Package(dir="drivers"),
            Package(dir="drivers/vfs"),
            Package(dir="drivers/btrfs"),
            Package(dir="drivers/register"),
            Package(dir="cmd/app", main=True, run=True),
        ),
    ),
)

FIXTURES: dict[str, Fixture] = {f.name: f for f in _FIXTURES}
"""Every fixture, by name."""


def write(root: Path, name: str) -> Path:
    """Write fixture `name` as a module under `root`; return its directory."""
    fixture = FIXTURES[name]
    base = root / name
    for path, text in fixture.rendered().items():
        target = base / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text)
    return base
