"""The directory scanner against the real `go list`, the oracle.

(a) Every package directory of GOROOT (`go list -e -json std cmd`) on all 94 contexts
    (47 ports × CGO_ENABLED 0/1): the go/build fields of each (package, context) pair must
    equal what `scan_directory` computes. go list's output per context is cached under
    ~/.cache/cgotrap-tests/golist-std/<go version>/ (about 1 s per context to regenerate).
(b) A fixture module written here, covering every constraint form, file kind, cgo
    directive shape and error the scanner knows, compared to `go list -e -json ./...` on
    a few contexts and with both of go's directory readers (module index and go/build).
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import os
import subprocess
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

import pytest

from cgotrap import toolchain
from cgotrap.evaluate.context import BuildContext, ContextSet, make_context
from cgotrap.evaluate.directory import DirErrorKind, DirFacts, ImportSemantics, scan_directory

pytestmark = pytest.mark.integration

CACHE = Path(os.environ.get("CGOTRAP_TEST_CACHE", Path.home() / ".cache" / "cgotrap-tests"))

# go list field -> DirFacts attribute, compared as exact lists (order matters).
LIST_FIELDS: dict[str, str] = {
    "GoFiles": "go_files",
    "CgoFiles": "cgo_files",
    "IgnoredGoFiles": "ignored_go_files",
    "InvalidGoFiles": "invalid_go_files",
    "IgnoredOtherFiles": "ignored_other_files",
    "CFiles": "c_files",
    "CXXFiles": "cxx_files",
    "MFiles": "m_files",
    "HFiles": "h_files",
    "FFiles": "f_files",
    "SFiles": "s_files",
    "SwigFiles": "swig_files",
    "SwigCXXFiles": "swigcxx_files",
    "SysoFiles": "syso_files",
    "TestGoFiles": "test_go_files",
    "XTestGoFiles": "xtest_go_files",
    "CgoCFLAGS": "cgo_cflags",
    "CgoCPPFLAGS": "cgo_cppflags",
    "CgoCXXFLAGS": "cgo_cxxflags",
    "CgoFFLAGS": "cgo_fflags",
    "CgoLDFLAGS": "cgo_ldflags",
    "CgoPkgConfig": "cgo_pkg_config",
    "EmbedPatterns": "embed_patterns",
    "TestEmbedPatterns": "test_embed_patterns",
    "XTestEmbedPatterns": "xtest_embed_patterns",
}
# Import lists are compared as sets with vendor/ rewriting undone (that is the loader's job).
IMPORT_FIELDS: dict[str, str] = {
    "Imports": "imports",
    "TestImports": "test_imports",
    "XTestImports": "xtest_imports",
}


def _unvendor(path: str) -> str:
    """An import as written in the source: no vendor/ prefix, no " [cmd/compile]" variant
    suffix (cmd/go's PGO variants of packages built for a main package with default.pgo)."""
    path = path.split(" [", 1)[0]
    for prefix in ("cmd/vendor/", "vendor/"):
        if path.startswith(prefix):
            return path[len(prefix) :]
    return path


def decode_stream(text: str) -> Iterator[dict[str, Any]]:
    """The concatenated JSON objects go list -json prints."""
    decoder = json.JSONDecoder()
    i = 0
    n = len(text)
    while i < n:
        while i < n and text[i].isspace():
            i += 1
        if i >= n:
            break
        obj, i = decoder.raw_decode(text, i)
        yield obj


def loaded(facts: DirFacts, ctx: BuildContext) -> DirFacts:
    """What cmd/go's loader does to go/build's lists before printing them.

    With cgo off, load.Package drops C, C++, Objective-C and SWIG sources ("just as we ignore
    go files containing import "C""); that is the loader's rule, not go/build's, so the
    scanner reports them and the comparison applies it here.
    """
    if ctx.cgo_enabled:
        return facts
    return dataclasses.replace(
        facts, c_files=(), cxx_files=(), m_files=(), swig_files=(), swigcxx_files=()
    )


def compare(pkg: Mapping[str, Any], facts: DirFacts) -> list[str]:
    """Differences between one go list package and the scanner's facts ([] if none)."""
    diffs: list[str] = []
    if pkg.get("Name", "") != facts.name:
        diffs.append(f"Name: go {pkg.get('Name', '')!r} != {facts.name!r}")
    for field, attr in LIST_FIELDS.items():
        theirs = list(pkg.get(field) or ())
        mine = list(getattr(facts, attr))
        if theirs != mine:
            diffs.append(f"{field}: go {theirs} != {mine}")
    for field, attr in IMPORT_FIELDS.items():
        theirs_set = {_unvendor(p) for p in pkg.get(field) or ()}
        mine_set = set(getattr(facts, attr))
        if theirs_set != mine_set:
            diffs.append(
                f"{field}: go-only {sorted(theirs_set - mine_set)} "
                f"mine-only {sorted(mine_set - theirs_set)}"
            )
    go_err = (pkg.get("Error") or {}).get("Err", "")
    mine_err = facts.error
    if mine_err is not None and mine_err.kind is not DirErrorKind.DIRECTORY:
        if go_err != mine_err.err:
            diffs.append(f"Error: go {go_err!r} != {mine_err.err!r}")
    elif go_err and _is_build_level(go_err):
        diffs.append(f"Error: go {go_err!r}, scanner none")
    return diffs


def _is_build_level(err: str) -> bool:
    """go list errors that come from go/build (the rest are the loader's)."""
    markers = (
        "build constraints exclude",
        "no Go files in",
        "no non-test Go files",
        "found packages",
        "parsing //go:build",
        "#cgo",
        "use of cgo in test",
        "expected ",
        "illegal ",
        "invalid import path",
    )
    return any(m in err for m in markers)


def go_list(
    go: toolchain.Tool, cwd: Path, ctx: BuildContext, args: Sequence[str], env: Mapping[str, str]
) -> str:
    """Run go list -e -json for one context; its stdout."""
    run_env = dict(toolchain.go_env())
    run_env.update(env)
    run_env.update(
        GOOS=ctx.goos,
        GOARCH=ctx.goarch,
        CGO_ENABLED="1" if ctx.cgo_enabled else "0",
        GOFLAGS="",
        GOTOOLCHAIN="local",
        GOPROXY="off",
        GOSUMDB="off",
    )
    for var in ("GOAMD64", "GOARM", "GOARM64", "GO386", "GOMIPS", "GOMIPS64", "GOPPC64"):
        run_env.pop(var, None)
    for var in ("GORISCV64", "GOWASM", "GOEXPERIMENT"):
        run_env.pop(var, None)
    done = subprocess.run(
        [str(go.path), "list", "-e", "-json", *args],
        cwd=cwd,
        env=run_env,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert done.returncode == 0, f"go list failed for {ctx.name}: {done.stderr[-2000:]}"
    return done.stdout


# ---------------------------------------------------------------------------------------
# (a) GOROOT std and cmd, every context.


@pytest.fixture(scope="module")
def matrix() -> ContextSet:
    version = toolchain.version("go")
    assert version is not None
    return ContextSet.matrix(go_version=version)


def _std_cache_dir(goroot: Path) -> Path:
    version = toolchain.version("go") or "unknown"
    key = hashlib.sha256(str(goroot).encode()).hexdigest()[:12]
    return CACHE / "golist-std" / f"{version}-{key}"


def golist_std(go: toolchain.Tool, goroot: Path, ctx: BuildContext) -> list[dict[str, Any]]:
    """go list -e -json std cmd for one context (cached by go version and GOROOT)."""
    cache = _std_cache_dir(goroot) / f"{ctx.goos}_{ctx.goarch}_{int(ctx.cgo_enabled)}.json"
    if not cache.exists():
        text = go_list(go, goroot / "src", ctx, ["std", "cmd"], {})
        cache.parent.mkdir(parents=True, exist_ok=True)
        tmp = cache.with_suffix(".tmp")
        tmp.write_text(text)
        tmp.replace(cache)
    return list(decode_stream(cache.read_text()))


def test_goroot_every_context(go_tool: toolchain.Tool, goroot: Path, matrix: ContextSet) -> None:
    by_dir: dict[str, dict[int, dict[str, Any]]] = {}
    for i, ctx in enumerate(matrix.contexts):
        for pkg in golist_std(go_tool, goroot, ctx):
            if pkg.get("Dir"):
                by_dir.setdefault(pkg["Dir"], {})[i] = pkg
    pairs = 0
    failures: list[str] = []
    for directory, per_ctx in sorted(by_dir.items()):
        facts = scan_directory(directory, matrix)
        for i, pkg in per_ctx.items():
            pairs += 1
            diffs = compare(pkg, loaded(facts[i], matrix.contexts[i]))
            if diffs:
                failures.append(f"{pkg['ImportPath']} [{matrix.contexts[i].name}]: {diffs[:3]}")
    print(f"GOROOT: {len(by_dir)} directories, {pairs} (package, context) pairs compared")
    assert pairs > 94 * 500
    assert not failures, f"{len(failures)} of {pairs} pairs differ:\n" + "\n".join(failures[:30])


def _testdata_dirs(goroot: Path) -> tuple[list[str], list[str]]:
    """GOROOT testdata directories holding .go files: (std module ones, cmd module ones),
    as ./relative patterns for go list run in src and src/cmd."""
    src = goroot / "src"
    std: list[str] = []
    cmd: list[str] = []
    for here, _dirs, files in os.walk(src):
        rel = Path(here).relative_to(src).as_posix()
        if "testdata" not in rel.split("/") or "/vendor/" in f"/{rel}/":
            continue
        if any(f.endswith(".go") for f in files):
            if rel.startswith("cmd/"):
                cmd.append("./" + rel.removeprefix("cmd/"))
            else:
                std.append("./" + rel)
    return sorted(std), sorted(cmd)


@pytest.mark.parametrize(
    ("goos", "goarch", "cgo"), [("linux", "amd64", True), ("windows", "amd64", False)]
)
def test_goroot_testdata(
    go_tool: toolchain.Tool, goroot: Path, goos: str, goarch: str, cgo: bool
) -> None:
    """GOROOT's testdata directories: odd packages, syntax errors, multiple packages."""
    version = toolchain.version("go")
    assert version is not None
    ctx = make_context(goos, goarch, cgo, go_version=version)
    contexts = ContextSet([ctx])
    std, cmd = _testdata_dirs(goroot)
    cache = _std_cache_dir(goroot) / f"testdata_{goos}_{goarch}_{int(cgo)}.json"
    if not cache.exists():
        text = go_list(go_tool, goroot / "src", ctx, std, {})
        text += go_list(go_tool, goroot / "src" / "cmd", ctx, cmd, {})
        cache.parent.mkdir(parents=True, exist_ok=True)
        cache.write_text(text)
    pairs = 0
    failures: list[str] = []
    for pkg in decode_stream(cache.read_text()):
        if not pkg.get("Dir"):
            continue
        (facts,) = scan_directory(pkg["Dir"], contexts)
        pairs += 1
        cwd = goroot / "src" / ("cmd" if pkg["ImportPath"].startswith("cmd/") else "")
        diffs = compare(pkg, loaded(facts, ctx)) + _compare_pos(pkg, facts, cwd)
        if diffs:
            failures.append(f"{pkg['ImportPath']}: {diffs[:3]}")
    print(f"GOROOT testdata, {ctx.name}: {pairs} packages compared")
    assert pairs > 250
    assert not failures, "\n".join(failures[:30])


# ---------------------------------------------------------------------------------------
# (b) A fixture module that exercises every rule.

CGO_PREAMBLE = """package cgodir

/*
#cgo CFLAGS: -DFOO -I${SRCDIR}/include -Iinc "-DQ=a b" 'single quoted' -I /abs/inc
#cgo linux,amd64 LDFLAGS: -lfoo -L lib -L${SRCDIR}/lib
#cgo !windows CPPFLAGS: -DNOTWIN
#cgo windows LDFLAGS: -lws2_32
#cgo darwin pkg-config: libfoo "libbar >= 1.0"
#cgo linux && arm64 CXXFLAGS: -std=c++17
#cgo (linux || darwin) FFLAGS: -O2
#cgo linux,cgo darwin FFLAGS: -O3
#cgo mytag CFLAGS: -DMYTAG
#cgo noescape foo
#cgo nocallback foo
#include <stdio.h>
#include "local.h"
  #  include <sys/types.h>
*/
import "C"

func F() { C.puts(nil) }
"""

CGO_GROUPED = """package cgodir

import (
	"fmt"

	// #cgo LDFLAGS: -lgrouped
	// #include <stdlib.h>
	"C"
)

var _ = fmt.Sprint
"""

FIXTURE: dict[str, str | bytes] = {
    "go.mod": "module example.com/fx\n\ngo 1.22\n",
    # Constraint forms.
    "cons/a.go": "//go:build linux && (amd64 || arm64)\n\npackage cons\n",
    "cons/b.go": '//go:build !windows\n\npackage cons\n\nimport "os"\n\nvar _ = os.Args\n',
    "cons/c.go": "// +build linux darwin\n// +build amd64\n\npackage cons\n",
    "cons/d.go": "// +build ignore\n//go:build linux\n\npackage cons\n",
    "cons/e.go": "//go:build go1.21 && !go1.99\n\npackage cons\n",
    "cons/f.go": "//go:build unix\n\npackage cons\n",
    "cons/g.go": '//go:build cgo\n\npackage cons\n\nimport "net"\n\nvar _ = net.IPv4len\n',
    "cons/h.go": "//go:build gc && goexperiment.jsonv2\n\npackage cons\n",
    "cons/i.go": "//go:build amd64.v2 || arm64.v8.0\n\npackage cons\n",
    "cons/j.go": '//go:build mytag\n\npackage cons\n\nimport "strings"\n\nvar _ = strings.Cut\n',
    "cons/k.go": "// +build linux,!cgo\npackage cons\n",
    "cons/l.go": "//go:build (linux || darwin) && !(arm64 && darwin)\n\npackage cons\n",
    "cons/m_windows.go": "package cons\n",
    "cons/m_linux_amd64.go": "package cons\n",
    "cons/m_darwin_test.go": 'package cons\n\nimport "testing"\n\nvar _ testing.T\n',
    "cons/n_wasm.go": "package cons\n",
    "cons/o_js.go": "package cons\n",
    "cons/p_android.go": "package cons\n",
    "cons/q_linux.pb.go": "package cons\n",
    "cons/r.go": "//go:build boringcrypto\n\npackage cons\n",
    "cons/s.go": "/* block */\n// +build windows\n\npackage cons\n",
    "cons/t.go": "// Doc comment.\n\n// +build plan9\n\npackage cons\n",
    "cons/u.go": "//go:build !cgo && (js || wasip1 || windows)\n\npackage cons\n",
    # Every file kind.
    "kinds/x.go": CGO_PREAMBLE.replace("package cgodir", "package kinds"),
    "kinds/y.go": "package kinds\n",
    "kinds/a.c": "int a;\n",
    "kinds/b.cc": "int b;\n",
    "kinds/c.cpp": "int c;\n",
    "kinds/d.cxx": "int d;\n",
    "kinds/e.m": "int e;\n",
    "kinds/f.h": "int f;\n",
    "kinds/g.hh": "",
    "kinds/h.hpp": "",
    "kinds/i.hxx": "",
    "kinds/j.f": "",
    "kinds/k.F": "",
    "kinds/l.for": "",
    "kinds/m.f90": "",
    "kinds/n.s": "// asm\n",
    "kinds/o.S": "// asm\n",
    "kinds/p.sx": "",
    "kinds/q.swig": "",
    "kinds/r.swigcxx": "",
    "kinds/s.syso": b"\x7fELF\x00\x00binary",
    "kinds/t.txt": "not a source",
    "kinds/u_windows.c": "int u;\n",
    "kinds/v.c": "//go:build !linux\n\nint v;\n",
    "kinds/w_arm64.s": "",
    "kinds/_hidden.go": "package nope\n",
    "kinds/.dot.go": "package nope\n",
    "kinds/testdata/z.go": "package z\n",
    # cgo directives.
    "cgodir/a.go": CGO_PREAMBLE,
    "cgodir/b.go": CGO_GROUPED,
    # Package shapes and errors.
    "multi/a.go": "package a\n",
    "multi/b.go": "package b\n",
    "multi/c.go": "package a\n",
    "nogo/README": "nothing here\n",
    "excluded/a.go": "//go:build ignore\n\npackage main\n",
    "excluded/b_windows.go": "package main\n",
    "tests/a.go": 'package tests\n\nimport "fmt"\n\nvar _ = fmt.Sprint\n',
    "tests/a_test.go": 'package tests\n\nimport (\n\t"testing"\n\t"os"\n)\n',
    "tests/b_test.go": 'package tests_test\n\nimport "example.com/fx/tests"\n',
    "onlytests/a_test.go": "package onlytests\n",
    "cgotest/a.go": "package cgotest\n",
    "cgotest/a_test.go": 'package cgotest\n\n// #cgo LDFLAGS: -lx\nimport "C"\n',
    "badsyntax/a.go": 'package badsyntax\n\nimport "fmt\n\nfunc F() {}\n',
    "badsyntax/b.go": "package badsyntax\n",
    "badheader/a.go": "packag x\n",
    "badheader/b.go": "",
    "badheader/c.go": 'package c; import "x" import "y"\n',
    "badheader/d.go": 'package d\nimport (\n\t"a" "b"\n)\n',
    "badheader/e.go": "package e\nimport ,\n",
    "badheader/f.go": "package f\n\nimport 42\n",
    "badheader/g.go": "package func\n",
    "badheader/h.go": "package h\nimport `raw` x\n",
    "badheader/i.go": 'package i\nimport "\\q"\n',
    "badheader/j.go": 'package j\nimport "ok" // fine\n/* unterminated\n',
    "badheader/k.go": "package k\n\u201cquote\u201d\n",
    "badheader/l.go": 'package l\nimport (\n\t"a"\n\t#\n)\n',
    "nonutf8/a.go": b"// caf\xe9\npackage nonutf8\n",
    "nonutf8/b.go": b"package nonutf8\n",
    "nonutf8/c.go": b"package nonutf8 // \x00\n",
    "nonutf8/d.go": b'\xef\xbb\xbfpackage nonutf8\n\nimport "os"\n',
    "nonutf8/e.go": b'package nonutf8\n\nfunc F() { _ = "\x00" }\n',
    "badcons/a.go": "//go:build linux &&\n\npackage badcons\n",
    "badcons/b.go": "package badcons\n",
    "badcons2/a_windows.go": "//go:build (linux\n\npackage badcons2\n",
    "badcons2/b.go": "package badcons2\n",
    "badcons2/c.c": "//go:build !!x\n\nint c;\n",
    "multigb/a.go": "//go:build linux\n//go:build amd64\n\npackage multigb\n",
    "multigb/b.go": "package multigb\n",
    "badcgo1/a.go": 'package badcgo1\n\n// #cgo LDFLAGS -lfoo\nimport "C"\n',
    "badcgo2/a.go": 'package badcgo2\n\n// #cgo CFLAGS: -I${SRCDIR}/a;b\nimport "C"\n',
    "badcgo3/a.go": 'package badcgo3\n\n// #cgo windows FOOFLAGS: -x\nimport "C"\n',
    "badcgo4/a.go": 'package badcgo4\n\n// #cgo CFLAGS: "unclosed\nimport "C"\n',
    "docpkg/a.go": "package documentation\n",
    "docpkg/b.go": "package docpkg\n",
    "embedpkg/a.go": (
        'package embedpkg\n\nimport _ "embed"\n\n//go:embed hello.txt "quoted name.txt"\n'
        "var s string\n\n// a //go:embed in a comment is not one\nvar t = `//go:embed raw.txt`\n"
    ),
    "embedpkg/hello.txt": "hi\n",
    "embedpkg/quoted name.txt": "hi\n",
    "aliases/a.go": 'package aliases\n\nimport (\n\tf "fmt"\n\t. "strings"\n\t_ "os"\n)\n',
    "invalidimport/a.go": 'package invalidimport\n\nimport "a b"\n',
    "invalidimport/b.go": "package invalidimport\n",
    # A symlink makes the directory unindexable: go reads it with go/build, where a bad
    # //go:build line only marks its file invalid instead of failing the whole import.
    "symlinked/a.go": "//go:build linux &&\n\npackage symlinked\n",
    "symlinked/b.go": "package symlinked\n",
}
SYMLINKS = {
    "symlinked/c.h": "../kinds/f.h",
    "symlinked/loop.go": "loop.go",  # open fails: too many levels of symbolic links
    "symlinked/broken.go": "missing.go",  # open fails: no such file or directory
    "symlinked/dirlink": "../kinds",  # a symlink to a directory is not a source file
    "linkloop/a.go": "b.go",
    "linkloop/b.go": "a.go",
    "linkloop/c.go": "../tests/a.go",
}

FIXTURE_CONTEXTS = [
    ("linux", "amd64", True),
    ("linux", "amd64", False),
    ("windows", "arm64", True),
    ("darwin", "arm64", True),
    ("js", "wasm", False),
]


def write_fixture(root: Path) -> None:
    """Write the fixture module, with file times old enough for go's module index."""
    old = 1_600_000_000
    for rel, content in FIXTURE.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content)
        os.utime(path, (old, old))
    for rel, target in SYMLINKS.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).symlink_to(target)


@pytest.fixture(scope="module")
def fixture_module(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("fxmod").resolve()
    write_fixture(root)
    return root


def _compare_pos(pkg: Mapping[str, Any], facts: DirFacts, cwd: Path) -> list[str]:
    go_pos = (pkg.get("Error") or {}).get("Pos", "")
    if facts.error is None or facts.error.kind is not DirErrorKind.PARSE:
        return []
    mine = facts.error.golist_pos(str(cwd))
    return [] if go_pos == mine else [f"Error.Pos: go {go_pos!r} != {mine!r}"]


@pytest.mark.parametrize("semantics", [ImportSemantics.AUTO, ImportSemantics.GOBUILD])
@pytest.mark.parametrize(("goos", "goarch", "cgo"), FIXTURE_CONTEXTS)
def test_fixture_module(  # noqa: PLR0917 - pytest passes fixtures and parameters positionally
    go_tool: toolchain.Tool,
    fixture_module: Path,
    goos: str,
    goarch: str,
    cgo: bool,
    semantics: ImportSemantics,
) -> None:
    version = toolchain.version("go")
    assert version is not None
    ctx = make_context(goos, goarch, cgo, go_version=version, build_tags=("mytag",))
    env = {"GODEBUG": "goindex=0"} if semantics is ImportSemantics.GOBUILD else {}
    out = go_list(
        go_tool, fixture_module, ctx, ["-tags", "mytag", "./...", "./nogo", "./excluded"], env
    )
    contexts = ContextSet([ctx])
    pairs = 0
    failures: list[str] = []
    for pkg in decode_stream(out):
        directory = pkg.get("Dir")
        if not directory:
            continue
        (facts,) = scan_directory(directory, contexts, semantics=semantics)
        pairs += 1
        diffs = compare(pkg, loaded(facts, ctx)) + _compare_pos(pkg, facts, fixture_module)
        if diffs:
            failures.append(f"{pkg['ImportPath']}: {diffs}")
    assert pairs >= 20
    assert not failures, "\n".join(failures)


# ---------------------------------------------------------------------------------------
# (c) Differential fuzzing of file headers: mutated headers, one per directory, against
# go list's package name, imports and first error (message and position).

FUZZ_TEMPLATES = [
    (
        "// Copyright.\n\n//go:build linux\n\npackage p\n\n"
        'import (\n\t"fmt"\n\tx "os"\n)\n\nfunc F() {}\n'
    ),
    'package p\n\n// #cgo LDFLAGS: -lm\n// #include <math.h>\nimport "C"\nimport "unsafe"\n',
    'package p; import ("a"; "b"); var x = 1\n',
    '/* block */ package p\nimport . `raw/path`\nimport _ "x/y"\ntype T int\n',
    'package p\n\nimport "embed"\n\n//go:embed a.txt\nvar s string\n',
]
FUZZ_INSERTS = [
    "package",
    "import",
    " ",
    "\n",
    "\t",
    ";",
    "(",
    ")",
    ".",
    "_",
    "x",
    '"',
    "`",
    "/*",
    "*/",
    "//",
    "\\",
    "'",
    "1",
    "0x",
    "1e",
    "é",
    "\xff",
    "\x00",
    "\ufeff",
    "\u201c",
    "#",
    "func",
    "//line f.go:10",
    "+",
    "{",
    "}",
    "\r",
    "\x0c",
    '"a b"',
    '"\\q"',
    "'ab'",
]


def fuzz_headers(count: int, seed: int) -> list[bytes]:
    """Mutated Go headers (deterministic)."""
    import random

    rng = random.Random(seed)  # noqa: S311 - reproducible test data, not security
    out: list[bytes] = []
    for _ in range(count):
        text = rng.choice(FUZZ_TEMPLATES)
        for _ in range(rng.randint(1, 3)):
            i = rng.randrange(len(text) + 1)
            match rng.randrange(3):
                case 0:
                    text = text[:i] + text[i + rng.randint(1, 4) :]
                case 1:
                    text = text[:i] + rng.choice(FUZZ_INSERTS) + text[i:]
                case _:
                    j = rng.randrange(len(text) + 1)
                    text = text[:i] + text[min(i, j) : max(i, j)] + text[i:]
        data = text.encode("utf-8", "surrogatepass")
        if "\xff" in text:
            data = data.replace("\xff".encode(), b"\xff")
        out.append(data)
    return out


def test_fuzzed_headers_against_go_list(go_tool: toolchain.Tool, tmp_path: Path) -> None:
    root = tmp_path.resolve()
    (root / "go.mod").write_text("module example.com/fz\n\ngo 1.22\n")
    headers = fuzz_headers(400, seed=20261125)
    # Assembly files get a mutated comment block too (go/build's readComments).
    asm = fuzz_headers(len(headers), seed=7)
    old = 1_600_000_000
    dirs = []
    for i, data in enumerate(headers):
        d = root / f"d{i:03d}"
        d.mkdir()
        (d / "a.go").write_bytes(data)
        (d / "b.go").write_text(f"package d{i:03d}\n")
        cut = asm[i].find(b"package")
        (d / "c_amd64.s").write_bytes(asm[i][: cut if cut >= 0 else None] + b"TEXT f(SB),0,$0\n")
        for f in d.iterdir():
            os.utime(f, (old, old))
        dirs.append(f"./{d.name}")
    version = toolchain.version("go")
    assert version is not None
    ctx = make_context("linux", "amd64", True, go_version=version)
    contexts = ContextSet([ctx])
    out = go_list(go_tool, root, ctx, dirs, {})
    pairs = 0
    failures: list[str] = []
    for pkg in decode_stream(out):
        if not pkg.get("Dir"):
            continue
        (facts,) = scan_directory(pkg["Dir"], contexts)
        pairs += 1
        diffs = compare(pkg, loaded(facts, ctx)) + _compare_pos(pkg, facts, root)
        go_err = (pkg.get("Error") or {}).get("Err", "")
        mine = facts.error.err if facts.error else ""
        if go_err != mine and not (mine == "" and not _is_build_level(go_err)):
            diffs.append(f"Err: go {go_err!r} != {mine!r}")
        if diffs:
            data = (Path(pkg["Dir"]) / "a.go").read_bytes()
            failures.append(f"{pkg['ImportPath']} {data[:120]!r}: {diffs[:3]}")
    print(f"fuzzed headers: {pairs} packages compared")
    assert pairs == len(headers)
    assert not failures, f"{len(failures)} differ:\n" + "\n".join(failures[:20])


# ---------------------------------------------------------------------------------------
# (d) Differential fuzzing of build constraints and #cgo lines on several contexts.

FUZZ_TAGS = [
    "linux",
    "darwin",
    "windows",
    "amd64",
    "arm64",
    "cgo",
    "unix",
    "gc",
    "gccgo",
    "ios",
    "android",
    "go1.21",
    "go1.99",
    "amd64.v1",
    "goexperiment.jsonv2",
    "mytag",
    "ignore",
    "solaris",
    "wasm",
    "js",
]
FUZZ_OPS = ["&&", "||", "!", "(", ")", " ", ",", "!!", "&", "|", "x-y", "é", "\t"]
FUZZ_VERBS = ["CFLAGS", "LDFLAGS", "CPPFLAGS", "CXXFLAGS", "FFLAGS", "pkg-config", "BADVERB"]
FUZZ_ARGS = [
    "-lfoo",
    "-I${SRCDIR}/inc",
    "-Irel",
    "-L",
    "lib",
    "'a b'",
    '"c d"',
    "-D'x'",
    "\\ ",
    "-Wl,$ORIGIN",
    "${SRCDIR}",
    "a;b",
    '"',
    "'",
    "-DX=1",
    "-I/abs",
    "@file",
    "",
]


def fuzz_constraint_sources(count: int, seed: int) -> list[dict[str, str]]:
    """Directories (file name -> content) with random constraint and #cgo lines."""
    import random

    rng = random.Random(seed)  # noqa: S311 - reproducible test data, not security

    def expr() -> str:
        return "".join(
            rng.choice(FUZZ_TAGS) if rng.random() < 0.55 else rng.choice(FUZZ_OPS)
            for _ in range(rng.randint(1, 9))
        )

    out: list[dict[str, str]] = []
    for i in range(count):
        pkg = f"p{i:03d}"
        header = ""
        if rng.random() < 0.6:
            header += f"//go:build {expr()}\n"
        for _ in range(rng.randint(0, 2)):
            header += f"// +build {expr()}\n"
        if rng.random() < 0.8:
            header += "\n"
        files = {"a.go": f"{header}package {pkg}\n", "b.go": f"package {pkg}\n"}
        cgo = []
        for _ in range(rng.randint(0, 4)):
            conds = " ".join(expr().replace(" ", "") for _ in range(rng.randint(0, 2)))
            args = " ".join(rng.choice(FUZZ_ARGS) for _ in range(rng.randint(0, 4)))
            sep = ":" if rng.random() < 0.95 else ""
            cgo.append(f"// #cgo {conds} {rng.choice(FUZZ_VERBS)}{sep} {args}")
        if cgo:
            name = rng.choice(["c.go", "c_linux.go", "c_windows.go"])
            files[name] = f"package {pkg}\n\n" + "\n".join(cgo) + '\nimport "C"\n'
        if rng.random() < 0.3:
            files["d.c"] = f"{header}int d;\n"
        out.append(files)
    return out


def test_fuzzed_constraints_against_go_list(go_tool: toolchain.Tool, tmp_path: Path) -> None:
    root = tmp_path.resolve()
    (root / "go.mod").write_text("module example.com/fc\n\ngo 1.22\n")
    old = 1_600_000_000
    dirs = []
    for i, files in enumerate(fuzz_constraint_sources(250, seed=20261125)):
        d = root / f"p{i:03d}"
        d.mkdir()
        for name, content in files.items():
            (d / name).write_text(content)
            os.utime(d / name, (old, old))
        dirs.append(f"./{d.name}")
    version = toolchain.version("go")
    assert version is not None
    pairs = 0
    failures: list[str] = []
    for goos, goarch, cgo in [
        ("linux", "amd64", True),
        ("windows", "arm64", True),
        ("darwin", "arm64", False),
    ]:
        ctx = make_context(goos, goarch, cgo, go_version=version, build_tags=("mytag",))
        contexts = ContextSet([ctx])
        for pkg in decode_stream(go_list(go_tool, root, ctx, ["-tags", "mytag", *dirs], {})):
            if not pkg.get("Dir"):
                continue
            (facts,) = scan_directory(pkg["Dir"], contexts)
            pairs += 1
            diffs = compare(pkg, loaded(facts, ctx))
            go_err = (pkg.get("Error") or {}).get("Err", "")
            mine = facts.error.err if facts.error else ""
            if go_err != mine and not (mine == "" and not _is_build_level(go_err)):
                diffs.append(f"Err: go {go_err!r} != {mine!r}")
            if diffs:
                failures.append(f"{pkg['ImportPath']} [{ctx.name}]: {diffs[:3]}")
    print(f"fuzzed constraints: {pairs} (package, context) pairs compared")
    assert pairs == 750
    assert not failures, f"{len(failures)} differ:\n" + "\n".join(failures[:20])


# ---------------------------------------------------------------------------------------
# (e) Tool tags with architecture levels and GOEXPERIMENT set, against go's context.

TOOL_TAG_CASES = [
    ("linux", "amd64", {"GOAMD64": "v3"}),
    ("linux", "arm", {"GOARM": "6,softfloat"}),
    ("linux", "arm64", {"GOARM64": "v9.2,lse"}),
    ("linux", "386", {"GO386": "softfloat"}),
    ("linux", "mips64le", {"GOMIPS64": "softfloat"}),
    ("linux", "ppc64le", {"GOPPC64": "power10"}),
    ("linux", "riscv64", {"GORISCV64": "rva22u64"}),
    ("linux", "amd64", {"GOEXPERIMENT": "nojsonv2,noregabi,arenas"}),
    ("linux", "386", {"GOEXPERIMENT": "regabi,nogreenteagc"}),
    ("darwin", "arm64", {"GOEXPERIMENT": "none"}),
]


@pytest.mark.parametrize(("goos", "goarch", "env"), TOOL_TAG_CASES)
def test_tool_tags_follow_the_environment(
    go_tool: toolchain.Tool, goroot: Path, goos: str, goarch: str, env: dict[str, str]
) -> None:
    version = toolchain.version("go")
    assert version is not None
    ctx = make_context(goos, goarch, False, go_version=version, env=env)
    run_env = dict(toolchain.go_env(), GOOS=goos, GOARCH=goarch, GOFLAGS="", **env)
    done = subprocess.run(
        [str(go_tool.path), "list", "-f", '{{join context.ToolTags " "}}', "runtime"],
        cwd=goroot / "src",
        env=run_env,
        capture_output=True,
        text=True,
        check=True,
    )
    assert set(ctx.tool_tags) == set(done.stdout.split())
