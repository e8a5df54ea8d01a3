"""`scan` over real go list facts of examples/cgotraps and of fixture modules the tests write.

Oracles: go's own package errors ("build constraints exclude all Go files", "C source files
not allowed", "requires external (cgo) linking"), `go build` with CGO_ENABLED=0, and `zig cc
-c` of a one-line file for header findings. go list runs are cached (see scan_golist).
"""

from __future__ import annotations

import functools
import json
import re
import subprocess
import sys
import textwrap
from collections.abc import Sequence
from pathlib import Path

import jsonschema
import pytest

from cgotrap import schemas, toolchain
from cgotrap.evaluate.model import MatrixResult, PackageFacts
from cgotrap.judge.headers import catalog
from cgotrap.judge.rules import Severity
from cgotrap.judge.scan import ScanResult, scan
from cgotrap.render.scan import format_json, format_table
from cgotrap.targets import Target, expand, with_cgo_twins
from tests.integration.scan_golist import go_env, golist_json, golist_matrix

pytestmark = pytest.mark.integration

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "cgotraps"
MODULE = "example.com/cgotraps"
# One port per libc family and the special cases: cgo-less (js), cgo-linked-only (android).
SELECTION = (
    "linux/amd64,linux/arm64,darwin/arm64,windows/amd64,freebsd/amd64,openbsd/amd64,"
    "android/amd64,js/wasm"
)
REPORT = tuple(expand(SELECTION, (False, True), skip_unsupported_cgo=True))


@functools.cache
def _example() -> tuple[MatrixResult, ScanResult]:
    from cgotrap.evaluate.sources import default_reader, read_sources

    matrix = golist_matrix(EXAMPLE, ["./..."], with_cgo_twins(list(REPORT)))
    reader, _ = default_reader()
    return matrix, scan(matrix, report=REPORT, sources=read_sources(matrix, reader))


def _facts(matrix: MatrixResult, target: Target, import_path: str) -> PackageFacts | None:
    for tp in matrix.per_target:
        if tp.target == target:
            for p in tp.packages:
                if p.import_path == import_path:
                    return p
    return None


def _go_error_targets(matrix: MatrixResult, import_path: str, text: str) -> set[Target]:
    out = set()
    for t in REPORT:
        p = _facts(matrix, t, import_path)
        if p is not None and p.error is not None and text in p.error.err:
            out.add(t)
    return out


def _rule_targets(result: ScanResult, rule_id: str, package: str, subject: str = "") -> set[Target]:
    return {
        t
        for f in result.findings
        if f.rule.id == rule_id and f.package == package and f.subject == subject
        for t in f.targets
    }


def test_no_fallback_is_exactly_where_go_finds_no_go_files() -> None:
    _, result = _example()
    # The oracle: `go list -e ./sqlite` on each target (a wildcard would skip it silently).
    no_files = set()
    for t in REPORT:
        objs = golist_json(EXAMPLE, ["./sqlite"], t)
        (obj,) = [o for o in objs if o["ImportPath"] == f"{MODULE}/sqlite"]
        if "build constraints exclude all Go files" in (obj.get("Error") or {}).get("Err", ""):
            no_files.add(t)
    js = Target(goos="js", goarch="wasm", cgo=False)
    assert js in no_files
    assert Target(goos="android", goarch="amd64", cgo=False) in no_files
    assert _rule_targets(result, "CGO001", f"{MODULE}/sqlite") == no_files - {js}
    assert _rule_targets(result, "CGO007", f"{MODULE}/sqlite") == {js}
    assert all(not t.cgo for t in no_files)


def test_c_files_without_cgo_is_exactly_where_go_refuses_them() -> None:
    matrix, result = _example()
    refused = _go_error_targets(matrix, f"{MODULE}/hashx", "C source files not allowed")
    assert refused == {t for t in REPORT if t.cgo}
    assert _rule_targets(result, "CGO003", f"{MODULE}/hashx") == refused


def test_ports_that_link_only_through_cgo_match_go() -> None:
    matrix, result = _example()
    refused = _go_error_targets(matrix, f"{MODULE}/cmd/trapd", "requires external (cgo) linking")
    assert refused == {Target(goos="android", goarch="amd64", cgo=False)}
    assert _rule_targets(result, "CGO012", f"{MODULE}/cmd/trapd") == refused


def test_dropped_cgo_file_without_replacement_matches_go_list() -> None:
    matrix, result = _example()
    expected = set()
    for t in REPORT:
        p = _facts(matrix, t, f"{MODULE}/cpuinfo")
        # every cgo=0 target is loaded with its cgo=1 twin, ports without cgo too
        port_has_cgo = any(o.cgo and o.port == t.port for o in with_cgo_twins(list(REPORT)))
        if p is not None and not t.cgo and port_has_cgo:
            # go's view: only doc.go is left, the cgo file is ignored
            assert p.go_files == ("doc.go",)
            assert "cpuinfo_cgo.go" in p.ignored_go_files
            expected.add(t)
    assert expected
    assert _rule_targets(result, "CGO008", f"{MODULE}/cpuinfo") == expected


def test_fallbacks_name_the_files_that_take_over() -> None:
    _, result = _example()
    by_package = {f.package: f for f in result.findings if f.rule.id == "CGO002"}
    assert by_package[f"{MODULE}/pcapcap"].files == ("pcapcap/pcap_nocgo.go",)
    assert by_package[f"{MODULE}/procinfo"].files == ("procinfo/procinfo_nocgo.go",)
    assert f"{MODULE}/sqlite" not in by_package


def _zig_accepts(zig_target: str, header: str, workdir: Path) -> bool:
    zig = toolchain.require("zig")
    source = workdir / "probe.c"
    source.write_text(f"#include <{header}>\nint probe;\n")
    done = subprocess.run(
        # -c rather than -fsyntax-only: zig 0.17 reports a spurious "failed to rename" error
        # when no object file is written.
        [str(zig.path), "cc", "-target", zig_target, "-c", str(source), "-o", str(workdir / "p.o")],
        capture_output=True,
        text=True,
        check=False,
        timeout=300,
    )
    return done.returncode == 0


def zig_has_include(zig_target: str, headers: Sequence[str], workdir: Path) -> set[str]:
    """The headers `zig cc -target T` finds, by `__has_include` in one preprocessor run."""
    zig = toolchain.require("zig")
    source = workdir / "has.c"
    lines = []
    for index, header in enumerate(headers):
        lines += [f"#if __has_include(<{header}>)", f"FOUND {index}", "#endif"]
    source.write_text("\n".join(lines) + "\n")
    done = subprocess.run(
        [str(zig.path), "cc", "-target", zig_target, "-E", "-P", str(source)],
        capture_output=True,
        text=True,
        check=True,
        timeout=300,
    )
    return {headers[int(n)] for n in re.findall(r"^FOUND (\d+)$", done.stdout, re.MULTILINE)}


def test_header_findings_match_zig_cc(tmp_path: Path) -> None:
    _, result = _example()
    missing = _rule_targets(result, "CGO004", f"{MODULE}/procinfo", "sys/sysinfo.h")
    assert {t.goos for t in missing} == {"darwin", "windows", "freebsd", "openbsd"}
    data = catalog()
    for t in (t for t in REPORT if t.cgo):
        libc = data.for_target(t)
        if libc is None:
            assert t.goos == "android"
            continue
        accepted = _zig_accepts(libc.zig_target, "sys/sysinfo.h", tmp_path)
        assert accepted == (t not in missing), t.name
        # Presence, not compilability (<sys/event.h> of OpenBSD needs <sys/types.h> first):
        sample = ("unistd.h", "sys/epoll.h", "sys/event.h", "windows.h", "pthread.h")
        found = zig_has_include(libc.zig_target, sample, tmp_path)
        assert found == {h for h in sample if libc.has_header(h)}, t.name


def test_json_is_valid_stable_and_has_no_absolute_paths() -> None:
    _, result = _example()
    text = format_json(result)
    document = json.loads(text)
    jsonschema.validate(document, schemas.load("scan"))
    assert format_json(_example()[1]) == text
    assert str(EXAMPLE) not in text
    assert document["summary"]["errors"] > 0


def test_table_reads_at_a_glance() -> None:
    _, result = _example()
    text = format_table(result, width=120)
    for expected in ("CGO001", "CGO003", "CGO004", "sqlite", "BREAKS", "fallback", "fix:"):
        assert expected in text
    assert "← cmd/trapd" in text  # where each cgo package is reached from
    assert "…" not in text
    assert str(EXAMPLE) not in text


# --- a fixture module: dropped cgo files, and the fixed form ---------------------------------

_DB_CGO = """\
package db

/*
#include <stdlib.h>
static int answer(void) { return abs(-42); }
*/
import "C"

// Open is the cgo-backed entry point.
func Open() int { return int(C.answer()) }
"""
_DB_NOCGO = """\
//go:build !cgo

package db

// Open is the pure-Go twin.
func Open() int { return 42 }
"""
_APP = """\
package main

import (
	"fmt"

	"example.com/dropped/db"
)

func main() { fmt.Println(db.Open()) }
"""


def _write(root: Path, files: dict[str, str]) -> Path:
    for rel, text in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text))
    return root


def _go_build(root: Path, target: Target) -> subprocess.CompletedProcess[str]:
    go = toolchain.require("go")
    return subprocess.run(
        [str(go.path), "build", "-o", "/dev/null", "./cmd/app"],
        cwd=root,
        env=go_env(target),
        capture_output=True,
        text=True,
        check=False,
        timeout=600,
    )


@pytest.mark.parametrize("fixed", [False, True], ids=["dropped", "fixed"])
def test_dropped_cgo_files_match_go_build(tmp_path: Path, fixed: bool) -> None:
    files = {
        "go.mod": "module example.com/dropped\n\ngo 1.22\n",
        "db/doc.go": "// Package db has a cgo entry point.\npackage db\n",
        "db/db_cgo.go": _DB_CGO,
        "cmd/app/main.go": _APP,
    }
    if fixed:
        files["db/db_nocgo.go"] = _DB_NOCGO
    root = _write(tmp_path / "m", files)
    linux0 = Target(goos="linux", goarch="amd64", cgo=False)
    linux1 = Target(goos="linux", goarch="amd64", cgo=True)
    result = scan(golist_matrix(root, ["./..."], [linux1, linux0]), report=[linux0])
    rules = {(f.rule.id, f.package) for f in result.findings}
    built = _go_build(root, linux0)
    if fixed:
        assert rules == {("CGO002", "example.com/dropped/db")}
        assert built.returncode == 0, built.stderr
    else:
        assert rules == {("CGO008", "example.com/dropped/db")}
        assert built.returncode != 0
        assert "undefined: db.Open" in built.stderr


def test_libc_header_data_matches_zig_for_every_header_and_target(tmp_path: Path) -> None:
    """The whole data file against zig: every header of every libc, on every target."""
    raw = json.loads(_data_path().read_text())
    every = sorted({h for headers in raw["header_dirs"].values() for h in headers})
    compiler = set(raw["compiler_headers"])
    for key, entry in raw["targets"].items():
        expected = compiler.union(*(set(raw["header_dirs"][d]) for d in entry["dirs"]))
        found = zig_has_include(entry["zig_target"], every, tmp_path)
        assert found == {h for h in every if h in expected}, key


def _data_path() -> Path:
    import cgotrap.data

    return Path(cgotrap.data.__file__).parent / "libc_headers.json"


# --- the CLI on the real loader ----------------------------------------------------------------


def _finding_keys(document: dict[str, object]) -> set[tuple[str, str, str, tuple[str, ...]]]:
    findings = document["findings"]
    assert isinstance(findings, list)
    return {(f["rule"], f["package"], f["subject"], tuple(sorted(f["targets"]))) for f in findings}


def test_cli_on_the_example_agrees_with_go_list_and_is_stable(
    capsys: pytest.CaptureFixture[str],
) -> None:
    from cgotrap.cli import main as cli

    argv = ["scan", str(EXAMPLE), "--targets", SELECTION, "--format", "json"]
    assert cli.main(argv) == 1
    first = capsys.readouterr().out
    assert cli.main(argv) == 1
    assert capsys.readouterr().out == first, "two runs are byte-equal"
    document = json.loads(first)
    jsonschema.validate(document, schemas.load("scan"))
    assert str(EXAMPLE) not in first
    _, oracle = _example()
    assert _finding_keys(document) == _finding_keys(json.loads(format_json(oracle)))


def test_cli_table_on_the_example(capsys: pytest.CaptureFixture[str]) -> None:
    from cgotrap.cli import main as cli

    assert cli.main(["scan", str(EXAMPLE)]) == 1
    out = capsys.readouterr().out
    for expected in ("Target groups", "sqlite", "BREAKS", "CGO001", "CGO004", "macOS libc"):
        assert expected in out
    assert cli.main(["scan", str(EXAMPLE), "--fail-on", "never"]) == 0
    capsys.readouterr()


def test_scan_of_std_agrees_with_go_list(goroot: Path) -> None:
    """GOROOT/src std through the real loader and through go list: the same findings."""
    from cgotrap.evaluate.load import load_matrix

    report = expand(
        "linux/amd64,darwin/arm64,windows/amd64,js/wasm", (False, True), skip_unsupported_cgo=True
    )
    loaded = with_cgo_twins(list(report))
    src = goroot / "src"
    ours = scan(load_matrix(["std"], loaded, root=src), report=report)
    oracle = scan(golist_matrix(src, ["std"], loaded, fixed_tree=True), report=report)
    ours_doc = json.loads(format_json(ours))
    assert _finding_keys(ours_doc) == _finding_keys(json.loads(format_json(oracle)))
    packages = {p["import_path"] for p in ours_doc["packages"]}
    assert {"net", "os/user", "runtime/cgo", "plugin"} <= packages
    net = {f["rule"] for f in ours_doc["findings"] if f["package"] == "net"}
    assert "CGO002" in net, "net falls back to the pure-Go resolver"
    assert str(goroot) not in format_json(ours)


def test_checked_in_libc_header_data_is_current() -> None:
    script = Path(__file__).resolve().parents[2] / "scripts" / "gen_libc_headers.py"
    done = subprocess.run(
        [sys.executable, str(script), "--check"], capture_output=True, text=True, check=False
    )
    assert done.returncode == 0, done.stderr


# --- a fixture module: traps done right give no error, on exactly the expected targets --------

_GUARDED = {
    "go.mod": "module example.com/guarded\n\ngo 1.22\n",
    # A Linux-only header in a file constrained to Linux, with a fallback for the rest.
    "lx/lx_linux.go": """\
        package lx

        /*
        #include <sys/sysinfo.h>
        static long uptime(void) { struct sysinfo si; sysinfo(&si); return si.uptime; }
        */
        import "C"

        // Uptime in seconds.
        func Uptime() int64 { return int64(C.uptime()) }
        """,
    "lx/lx_other.go": """\
        //go:build !linux || !cgo

        package lx

        // Uptime in seconds (unknown here).
        func Uptime() int64 { return -1 }
        """,
    # C file plus cgo file plus a !cgo fallback: go drops the C file silently without cgo.
    "cx/cx_cgo.go": """\
        //go:build cgo

        package cx

        // int twice(int x);
        import "C"

        // Twice doubles x in C.
        func Twice(x int) int { return int(C.twice(C.int(x))) }
        """,
    "cx/twice.c": "int twice(int x) { return 2 * x; }\n",
    "cx/cx_nocgo.go": """\
        //go:build !cgo

        package cx

        // Twice doubles x.
        func Twice(x int) int { return 2 * x }
        """,
    "cmd/app/main.go": """\
        package main

        import (
            "fmt"

            "example.com/guarded/cx"
            "example.com/guarded/lx"
        )

        func main() { fmt.Println(lx.Uptime(), cx.Twice(21)) }
        """,
}


def test_guarded_traps_give_notes_only_and_exactly_where_expected(tmp_path: Path) -> None:
    root = _write(tmp_path / "g", _GUARDED)
    report = expand("linux/amd64,linux/arm64,darwin/arm64,windows/amd64", (False, True))
    matrix = golist_matrix(root, ["./..."], report)
    result = scan(matrix, report=report)
    assert result.count(Severity.ERROR) == 0, [f.message for f in result.findings]
    assert result.count(Severity.WARNING) == 0, [f.message for f in result.findings]
    fallbacks = {
        f.package.rsplit("/", 1)[-1]: (set(f.targets), f.files)
        for f in result.findings
        if f.rule.id == "CGO002"
    }
    linux0 = {t for t in report if t.goos == "linux" and not t.cgo}
    assert fallbacks["lx"] == (linux0, ("lx/lx_other.go",))
    assert fallbacks["cx"] == ({t for t in report if not t.cgo}, ("cx/cx_nocgo.go",))
    # the real loader gives the same judgement
    from cgotrap.evaluate.load import load_matrix

    ours = scan(load_matrix(["./..."], report, root=root), report=report)
    assert _finding_keys(json.loads(format_json(ours))) == _finding_keys(
        json.loads(format_json(result))
    )
    # the oracle: the program builds with CGO_ENABLED=0 on every port
    for t in report:
        if not t.cgo:
            built = _go_build(root, t)
            assert built.returncode == 0, (t.name, built.stderr)


# --- a vendored dependency with go-sqlite3's stub pattern ------------------------------------

_VENDORED = {
    "go.mod": "module example.com/app\n\ngo 1.22\n\nrequire github.com/fake/sqlite3 v1.0.0\n",
    "vendor/modules.txt": (
        "# github.com/fake/sqlite3 v1.0.0\n## explicit; go 1.22\ngithub.com/fake/sqlite3\n"
    ),
    "vendor/github.com/fake/sqlite3/sqlite3.go": """\
        //go:build cgo

        package sqlite3

        /*
        #cgo LDFLAGS: -lsqlite3
        #include <sqlite3.h>
        */
        import "C"

        // Open opens a database.
        func Open() error { C.sqlite3_initialize(); return nil }
        """,
    "vendor/github.com/fake/sqlite3/sqlite3_stub.go": """\
        //go:build !cgo

        package sqlite3

        import "errors"

        // Open fails: "this is a stub".
        func Open() error { return errors.New("sqlite3 requires cgo to work. This is a stub") }
        """,
    "main.go": """\
        package main

        import "github.com/fake/sqlite3"

        func main() { _ = sqlite3.Open() }
        """,
}


def test_vendored_stub_fallback_is_named(tmp_path: Path) -> None:
    from cgotrap.evaluate.load import load_matrix

    root = _write(tmp_path / "v", _VENDORED)
    report = expand("linux/amd64,windows/amd64", (False, True))
    oracle = scan(golist_matrix(root, ["./..."], report), report=report)
    ours = scan(load_matrix(["./..."], report, root=root), report=report)
    document = json.loads(format_json(ours))
    assert _finding_keys(document) == _finding_keys(json.loads(format_json(oracle)))
    stub = [f for f in ours.findings if f.rule.id == "CGO002"]
    assert [f.files for f in stub] == [("vendor/github.com/fake/sqlite3/sqlite3_stub.go",)]
    assert {t.cgo for t in stub[0].targets} == {False}
    assert [p.dir for p in ours.packages] == ["vendor/github.com/fake/sqlite3"]
    assert ours.packages[0].reached_from == ("example.com/app",)
    assert str(tmp_path) not in format_json(ours)
