"""Fixture Go modules for `cgotrap matrix`, generated from small templates (stdlib only).

Each fixture reproduces one failure class of the build rules (CGO100-CGO199) on a known set
of targets, or passes everywhere. `write(root, name)` writes module `name` under `root` and
returns its directory; `FIXTURES` names them all.
"""

from __future__ import annotations

import os
import textwrap
from pathlib import Path

_GO_MOD = "module example.com/{name}\n\ngo 1.22\n"

_MAIN_USING_LIB = """\
package main

import (
	"fmt"

	"example.com/{name}/lib"
)

func main() {{ fmt.Println(lib.Answer()) }}
"""

_LIB_TEST = """\
package lib

import "testing"

func TestAnswer(t *testing.T) {{
	if got := lib_answer(); got != 42 {{
		t.Fatalf("Answer() = %d, want 42", got)
	}}
}}

func lib_answer() int {{ return Answer() }}
"""

# Fixture name -> {relative path: Go/C source}. "{name}" is the module's last element.
_SOURCES: dict[str, dict[str, str]] = {
    # Passes on every target, cgo on and off.
    "pure": {
        "lib/lib.go": "package lib\n\n// Answer is pure Go.\nfunc Answer() int { return 42 }\n",
        "lib/lib_test.go": _LIB_TEST,
    },
    # cgo with a correct !cgo fallback of the same API: passes in both modes everywhere
    # zig can cross-compile C.
    "fallback": {
        "lib/lib_cgo.go": """\
            //go:build cgo

            package lib

            /*
            #include <stdlib.h>
            static int answer(void) { return abs(-42); }
            */
            import "C"

            // Answer comes from C.
            func Answer() int { return int(C.answer()) }
            """,
        "lib/lib_nocgo.go": """\
            //go:build !cgo

            package lib

            // Answer is the pure-Go fallback.
            func Answer() int { return 42 }
            """,
        "lib/lib_test.go": _LIB_TEST,
    },
    # CGO100 on musl (cgo=1) only: <gnu/libc-version.h> is glibc's.
    "glibcheader": {
        "lib/lib_glibc.go": """\
            //go:build cgo && linux

            package lib

            /*
            #include <gnu/libc-version.h>
            #include <stdlib.h>
            static int answer(void) { return gnu_get_libc_version() ? 42 : 0; }
            */
            import "C"

            // Answer needs glibc.
            func Answer() int { return int(C.answer()) }
            """,
        "lib/lib_other.go": """\
            //go:build !cgo || !linux

            package lib

            // Answer is the fallback.
            func Answer() int { return 42 }
            """,
    },
    # CGO101 on every cgo=1 target: libpcap is nowhere.
    "missinglib": {
        "lib/lib_cgo.go": """\
            //go:build cgo

            package lib

            /*
            #cgo LDFLAGS: -lpcap
            int pcap_answer(void);
            */
            import "C"

            // Answer calls into libpcap.
            func Answer() int { return int(C.pcap_answer()) }
            """,
        "lib/lib_nocgo.go": "//go:build !cgo\n\npackage lib\n\nfunc Answer() int { return 42 }\n",
    },
    # CGO102 on every cgo=1 target: no such pkg-config package.
    "pkgconfig": {
        "lib/lib_cgo.go": """\
            //go:build cgo

            package lib

            /*
            #cgo pkg-config: cgotrap-no-such-package
            static int answer(void) { return 42; }
            */
            import "C"

            // Answer wants a pkg-config package.
            func Answer() int { return int(C.answer()) }
            """,
        "lib/lib_nocgo.go": "//go:build !cgo\n\npackage lib\n\nfunc Answer() int { return 42 }\n",
    },
    # CGO103 on every cgo=1 target: declared, never defined.
    "undefref": {
        "lib/lib_cgo.go": """\
            //go:build cgo

            package lib

            /*
            int cgotrap_never_defined(void);
            */
            import "C"

            // Answer calls a C function nobody defines.
            func Answer() int { return int(C.cgotrap_never_defined()) }
            """,
        "lib/lib_nocgo.go": "//go:build !cgo\n\npackage lib\n\nfunc Answer() int { return 42 }\n",
    },
    # CGO104 on every cgo=0 target: the package is only a cgo file.
    "cgoonly": {
        "lib/lib.go": """\
            package lib

            // static int answer(void) { return 42; }
            import "C"

            // Answer comes from C, with no fallback.
            func Answer() int { return int(C.answer()) }
            """,
    },
    # CGO105 on non-linux cgo=1 targets: the cgo file is linux-only, answer.c is not.
    "csource": {
        "lib/lib_cgo.go": """\
            //go:build cgo && linux

            package lib

            // int answer(void);
            import "C"

            // Answer comes from answer.c.
            func Answer() int { return int(C.answer()) }
            """,
        "lib/lib_other.go": (
            "//go:build !cgo || !linux\n\npackage lib\n\nfunc Answer() int { return 42 }\n"
        ),
        "lib/answer.c": "int answer(void) { return 42; }\n",
    },
    # CGO106 on every cgo=0 target: Answer uses a helper that only the cgo file declares.
    "cgoident": {
        "lib/lib.go": """\
            package lib

            // Answer uses cHelper from the cgo file.
            func Answer() int { return cHelper() }
            """,
        "lib/helper_cgo.go": """\
            package lib

            // static int answer(void) { return 42; }
            import "C"

            func cHelper() int { return int(C.answer()) }
            """,
    },
    # CGO108 on darwin cgo=1: the macOS SDK (frameworks) is not part of zig.
    "framework": {
        "lib/lib_darwin.go": """\
            //go:build cgo && darwin

            package lib

            /*
            #cgo LDFLAGS: -framework CoreFoundation
            #include <CoreFoundation/CoreFoundation.h>
            static int answer(void) { return CFStringGetLength(CFSTR("0123456789")) * 4 + 2; }
            */
            import "C"

            // Answer asks CoreFoundation.
            func Answer() int { return int(C.answer()) }
            """,
        "lib/lib_other.go": """\
            //go:build !cgo || !darwin

            package lib

            // Answer is the fallback.
            func Answer() int { return 42 }
            """,
    },
    # CGO109 on every non-amd64 target: the assembly body exists for amd64 only.
    "asmarch": {
        "lib/lib.go": """\
            package lib

            func add(a, b int) int

            // Answer adds in assembly.
            func Answer() int { return add(40, 2) }
            """,
        "lib/add_amd64.s": """\
            #include "textflag.h"

            TEXT ·add(SB), NOSPLIT, $0-24
            \tMOVQ a+0(FP), AX
            \tADDQ b+8(FP), AX
            \tMOVQ AX, ret+16(FP)
            \tRET
            """,
    },
    # CGO110 on every cgo=1 target: a linker flag zig's linker rejects.
    "zigflag": {
        "lib/lib_cgo.go": """\
            //go:build cgo

            package lib

            /*
            #cgo LDFLAGS: -Wl,--warn-common
            static int answer(void) { return 42; }
            */
            import "C"

            // Answer links with a flag no linker knows.
            func Answer() int { return int(C.answer()) }
            """,
        "lib/lib_nocgo.go": "//go:build !cgo\n\npackage lib\n\nfunc Answer() int { return 42 }\n",
    },
    # CGO112 (with --test) everywhere tests run: builds fine, one test fails.
    "failingtest": {
        "lib/lib.go": "package lib\n\n// Answer is off by one.\nfunc Answer() int { return 41 }\n",
        "lib/lib_test.go": _LIB_TEST,
    },
    # CGO111 (with --test and a small --timeout): the test sleeps in a child process.
    "sleepytest": {
        "lib/lib.go": "package lib\n\n// Answer is pure Go.\nfunc Answer() int { return 42 }\n",
        "lib/lib_test.go": """\
            package lib

            import (
            \t"os/exec"
            \t"testing"
            )

            func TestSleeps(t *testing.T) {
            \tif err := exec.Command("sleep", "SLEEP_SECONDS").Run(); err != nil {
            \t\tt.Fatal(err)
            \t}
            }
            """,
    },
    # CGO115 (with --vet) everywhere: a printf verb of the wrong type.
    "vetissue": {
        "lib/lib.go": """\
            package lib

            import "fmt"

            // Answer prints badly.
            func Answer() int {
            \tfmt.Printf("%d\\n", "forty-two")
            \treturn 42
            }
            """,
    },
}

# Whole modules (their own go.mod, no generated main.go): what `go build ./...` hides or
# refuses, tags, and a module that `-mod=mod` would rewrite. "{name}" as above.
_MODULES: dict[str, dict[str, str]] = {
    # One package go cannot load (an import nothing provides) and two that do not compile:
    # `go build ./...` stops at the first and says nothing of the others.
    "hidden": {
        "go.mod": _GO_MOD,
        "main.go": "package main\n\nfunc main() { println(42) }\n",
        "broken/broken.go": """\
            package broken

            import _ "example.com/nowhere/pkg"
            """,
        "b/b.go": 'package b\n\n// B is not an int.\nfunc B() int { return "b" }\n',
        "c/c.go": 'package c\n\n// C is not an int.\nfunc C() int { return "c" }\n',
    },
    # A main package that builds and a package no main imports that does not compile:
    # `go build -o DIR/ ./...` builds main packages only, and passes.
    "orphan": {
        "go.mod": _GO_MOD,
        "main.go": "package main\n\nfunc main() { println(42) }\n",
        "orphan/orphan.go": 'package orphan\n\n// O is wrong.\nfunc O() int { return "o" }\n',
    },
    # A library (no main package) that builds, with a vet issue: `go build -o DIR/ ./...`
    # refuses it ("no main packages to build").
    "library": {
        "go.mod": _GO_MOD,
        "lib/lib.go": "package lib\n\n// Answer is pure Go.\nfunc Answer() int { return 42 }\n",
        "vetbad/vetbad.go": """\
            package vetbad

            import "fmt"

            // Show prints badly.
            func Show() { fmt.Printf("%d\\n", "forty-two") }
            """,
    },
    # A library with a package go cannot load and one that does not compile.
    "brokenlibrary": {
        "go.mod": _GO_MOD,
        "broken/broken.go": 'package broken\n\nimport _ "example.com/nowhere/pkg"\n',
        "lib/lib.go": 'package lib\n\n// Answer is wrong.\nfunc Answer() int { return "42" }\n',
    },
    # Builds only with -tags cgotrapok; with netgo added it does not compile.
    "tagged": {
        "go.mod": _GO_MOD,
        "main.go": "package main\n\nfunc main() { println(answer()) }\n",
        "answer.go": "//go:build cgotrapok\n\npackage main\n\nfunc answer() int { return 42 }\n",
        "netgo.go": (
            "//go:build netgo\n\npackage main\n\n"
            'func netgoOnly() int { return "the pure-Go resolver" }\n'
        ),
    },
    # A replaced module imported but not required: `go build -mod=mod` adds the require
    # line to go.mod; -mod=readonly refuses ("is replaced but not required").
    "modmod": {
        "go.mod": _GO_MOD + "\nreplace example.com/dep => ./dep\n",
        "dep/go.mod": "module example.com/dep\n\ngo 1.22\n",
        "dep/dep.go": "package dep\n\n// F is 1.\nfunc F() int { return 1 }\n",
        "main.go": 'package main\n\nimport "example.com/dep"\n\nfunc main() { println(dep.F()) }\n',
    },
}

FIXTURES: tuple[str, ...] = (*_SOURCES, *_MODULES)

SLEEP_SECONDS = f"317.{os.getpid()}"
"""How long sleepytest's test sleeps: unique to this test run (GNU sleep takes a fraction),
so that a test looking for the sleeper's process never sees another run's."""


def write(root: Path, name: str) -> Path:
    """Write fixture module `name` under `root`/`name` (a `_SOURCES` one with a main
    package using its lib); return its dir."""
    module = root / name
    if name in _MODULES:
        files = _MODULES[name]
    else:
        files = {"go.mod": _GO_MOD, "main.go": _MAIN_USING_LIB, **_SOURCES[name]}
    for rel, template in files.items():
        path = module / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        text = textwrap.dedent(template)
        if rel == "go.mod" or template in (_MAIN_USING_LIB, _LIB_TEST):
            text = text.format(name=name)
        text = text.replace("SLEEP_SECONDS", SLEEP_SECONDS)
        path.write_text(text, encoding="utf-8")
    return module


def snapshot(tree: Path) -> dict[str, tuple[bytes, int, int]]:
    """Every file and directory under `tree` (and `tree`) with its bytes, mode and mtime:
    compare two to prove nothing was written, added, removed, chmod-ed or touched."""
    found: dict[str, tuple[bytes, int, int]] = {}
    for path in (tree, *sorted(tree.rglob("*"))):
        st = path.lstat()
        data = path.read_bytes() if path.is_file() and not path.is_symlink() else b""
        found[str(path.relative_to(tree))] = (data, st.st_mode, st.st_mtime_ns)
    return found
