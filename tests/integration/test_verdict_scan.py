"""Acceptance of issue 9: scan's verdict of every package x target agrees with real builds.

For every verdict fixture (`tests/verdictfixtures.py`) and every target of the truth
harness (linux glibc, linux musl amd64/arm64, darwin/arm64, windows/amd64, freebsd/amd64 with
cgo off and on, js/wasm and wasip1/wasm without cgo), `scan`'s verdict must equal
`truth_verdict`, which is derived from go's own exit status and error text and from running
the built binaries (natively and under qemu-aarch64) - never from cgotrap's classifier. Then
the findings that explain the verdicts carry go's words, the stub's message and the include
line as evidence, and the CLI's gate passes a clean project.
"""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest

from cgotrap import schemas
from cgotrap.evaluate.load import load_matrix
from cgotrap.evaluate.sources import default_reader, read_sources
from cgotrap.judge.finding import Evidence
from cgotrap.judge.scan import ScanResult, scan
from cgotrap.targets import with_cgo_twins as with_twins
from tests import verdictfixtures
from tests.integration import verdict_truth as vt

pytestmark = pytest.mark.integration


def _scan(tmp_path: Path, name: str) -> ScanResult:
    root = verdictfixtures.write(tmp_path, name)
    reader, problem = default_reader()
    assert reader is not None, problem
    matrix = load_matrix(["./..."], with_twins(list(vt.TARGETS)), root=root)
    return scan(matrix, report=vt.TARGETS, sources=read_sources(matrix, reader))


@pytest.mark.parametrize("name", sorted(verdictfixtures.FIXTURES))
def test_scan_verdicts_agree_with_go_build(name: str, tmp_path: Path) -> None:
    table = vt.truth(name)
    result = _scan(tmp_path, name)
    got = dict(result.verdicts)
    disagree = []
    cells = 0
    for package in sorted({c.package for c in table.cells}):
        for index, t in enumerate(vt.TARGETS):
            want = vt.truth_verdict(table, table.cell(t, package))
            have = got[package][index].value if package in got else "missing"
            cells += 1
            if want != have:
                disagree.append(f"{package} on {t.name}: go says {want}, scan says {have}")
    assert cells == len(table.cells)
    # Where go refuses a package because an import fails to load, scan quotes go's text.
    quoted = {
        (p.import_path, e.target.name): e.evidence for p in result.packages for e in p.per_target
    }
    for cell in table.cells:
        if cell.error.startswith("package ") and "\n\timports " in cell.error:
            said = "\n".join(e.text for e in quoted.get((cell.package, cell.target), ()))
            if said != cell.error.strip():
                disagree.append(
                    f"{cell.package} on {cell.target}: go says {cell.error!r}, scan {said!r}"
                )
    assert disagree == []
    # Packages with a non-trivial verdict are in the report, with the same verdicts.
    for shown in result.packages:
        assert tuple(e.verdict for e in shown.per_target) == got[shown.import_path]


def _findings(result: ScanResult, rule: str) -> list[tuple[str, str, str]]:
    return [(f.package, f.subject, f.message) for f in result.findings if f.rule.id == rule]


def test_cgo_only_names_name_the_identifier_declaration_and_use(tmp_path: Path) -> None:
    result = _scan(tmp_path / "a", "cgoname")
    (finding,) = [f for f in result.findings if f.rule.id == "CGO015"]
    assert finding.subject == "fastHash"
    assert finding.package == "example.com/cgoname/hash"
    assert "declared only in hash/hash_cgo.go:8, used in hash/hash.go:7" in finding.message
    assert finding.evidence[0].text == "undefined: fastHash"  # go's words
    assert len(finding.targets) == len([t for t in vt.TARGETS if not t.cgo])

    result = _scan(tmp_path / "b", "orphanc")
    (finding,) = [f for f in result.findings if f.rule.id == "CGO015"]
    assert (finding.package, finding.subject) == ("example.com/orphanc/cmd/app", "orphanc.Twice")
    assert (finding.evidence[0].file, finding.evidence[0].line) == ("cmd/app/main.go", 9)
    assert (finding.evidence[1].file, finding.evidence[1].line) == ("orphanc/twice.go", 9)
    table = vt.truth("orphanc")
    assert (
        "undefined: orphanc.Twice"
        in table.cell(vt.target("linux/amd64-gnu cgo=0"), "cmd/app").error
    )


def test_cgo_only_methods_quote_go_and_name_declaration_and_use(tmp_path: Path) -> None:
    result = _scan(tmp_path, "cgomethod")
    found = {f.package: f for f in result.findings if f.rule.id == "CGO015"}
    assert set(found) == {"example.com/cgomethod/counter", "example.com/cgomethod/cmd/meter"}
    own, importer = found["example.com/cgomethod/counter"], found["example.com/cgomethod/cmd/meter"]
    assert own.subject == "Counter.FastAdd"
    assert own.evidence[0].text == (
        "c.FastAdd undefined (type *Counter has no field or method FastAdd)"
    )
    assert (own.evidence[1].file, own.evidence[1].line) == ("counter/counter_cgo.go", 9)
    assert importer.subject == "meter.Gauge.Double"
    assert (importer.evidence[0].file, importer.evidence[0].line) == ("cmd/meter/main.go", 12)
    table = vt.truth("cgomethod")
    gnu0 = vt.target("linux/amd64-gnu cgo=0")
    # go's own words, at the line scan names ("cmd/meter/main.go:12:7: g.Double ...").
    for cell, e in (
        (table.cell(gnu0, "cmd/meter"), importer.evidence[0]),
        (table.cell(gnu0, "counter"), own.evidence[0]),
    ):
        assert any(
            line.startswith(f"{e.file}:{e.line}:") and line.endswith(f": {e.text}")
            for line in cell.error.splitlines()
        ), cell.error
    assert all(not t.cgo for t in own.targets)


def test_lost_init_registration_names_the_call(tmp_path: Path) -> None:
    result = _scan(tmp_path, "initreg")
    (finding,) = [f for f in result.findings if f.rule.id == "CGO018"]
    assert finding.severity.value == "warning"
    assert finding.package == "example.com/initreg/drivers/btrfs"
    assert finding.evidence == (
        Evidence(
            file="drivers/btrfs/btrfs.go", line=13, text='drivers.MustRegister("btrfs", Init)'
        ),
    )
    # Only Linux has the driver with cgo: only Linux loses it without.
    assert {t.goos for t in finding.targets} == {"linux"}
    assert all(not t.cgo for t in finding.targets)


def test_file_set_findings_cite_the_files_lines_and_go_words(tmp_path: Path) -> None:
    from cgotrap.render.findings import from_scan
    from cgotrap.render.sarif import to_sarif

    result = _scan(tmp_path / "a", "library")
    (finding,) = [f for f in result.findings if f.rule.id == "CGO001"]
    assert finding.evidence == (
        Evidence(file="clib/clib.go", line=7, text='import "C"'),
        Evidence(file="", text="build constraints exclude all Go files in clib"),
    )
    table = vt.truth("library")
    gnu0 = vt.target("linux/amd64-gnu cgo=0")
    assert finding.evidence[1].text in table.cell(gnu0, "clib").error
    log = to_sarif(from_scan(result))
    (sarif,) = [r for r in log["runs"][0]["results"] if r["ruleId"] == "CGO001"]
    region = sarif["locations"][0]["physicalLocation"]
    assert (region["artifactLocation"]["uri"], region["region"]["startLine"]) == (
        "clib/clib.go",
        7,
    )

    result = _scan(tmp_path / "b", "cfiles")
    (finding,) = [f for f in result.findings if f.rule.id == "CGO003"]
    (evidence,) = finding.evidence
    assert evidence.file == "orphan/helper.c"
    gnu1 = vt.target("linux/amd64-gnu cgo=1")
    assert evidence.text in vt.truth("cfiles").cell(gnu1, "orphan").error

    result = _scan(tmp_path / "c", "initreg")
    (finding,) = [f for f in result.findings if f.rule.id == "CGO002"]
    assert finding.evidence == (
        Evidence(file="drivers/btrfs/btrfs.go", line=8, text='import "C"'),
        Evidence(
            file="drivers/btrfs/dummy_unsupported.go", line=1, text="//go:build !linux || !cgo"
        ),
    )


def test_stub_fallback_quotes_the_message(tmp_path: Path) -> None:
    result = _scan(tmp_path, "stub")
    (finding,) = [f for f in result.findings if f.rule.id == "CGO016"]
    assert finding.subject == verdictfixtures.FIXTURES["stub"].marker
    assert finding.severity.value == "warning"
    assert "Open only fails at run time" in finding.message
    assert finding.evidence[0].file == "db/db_stub.go"


def test_a_platform_stub_that_replaces_no_cgo_file_is_not_a_cgo_stub(tmp_path: Path) -> None:
    root = tmp_path / "m"
    (root / "plat").mkdir(parents=True)
    (root / "go.mod").write_text("module example.com/m\n\ngo 1.21\n")
    (root / "plat" / "plat_linux.go").write_text(
        "package plat\n\nfunc Open() error { return nil }\n"
    )
    (root / "plat" / "plat_other.go").write_text(
        '//go:build !linux\n\npackage plat\n\nimport "errors"\n\n'
        'func Open() error { return errors.New("not supported on this platform") }\n'
    )
    reader, _ = default_reader()
    matrix = load_matrix(["./..."], with_twins(list(vt.TARGETS)), root=root)
    result = scan(matrix, report=vt.TARGETS, sources=read_sources(matrix, reader))
    assert result.findings == ()
    assert all(v.value == "pure" for _, vs in result.verdicts for v in vs)


def test_cgo_tag_switch_names_the_import_and_the_main_that_loses_it(tmp_path: Path) -> None:
    result = _scan(tmp_path, "tagswitch")
    (finding,) = [f for f in result.findings if f.rule.id == "CGO017"]
    assert finding.subject == "example.com/tagswitch/feature"
    assert "example.com/tagswitch/cmd/app" in finding.message
    assert finding.evidence[0].text == 'import "example.com/tagswitch/feature"'
    assert all(not t.cgo for t in finding.targets)


def test_c_file_includes_are_judged_per_target_with_their_line(tmp_path: Path) -> None:
    result = _scan(tmp_path / "a", "cinclude")
    (finding,) = [f for f in result.findings if f.rule.id == "CGO004"]
    assert finding.subject == "gnu/libc-version.h"
    assert (finding.evidence[0].file, finding.evidence[0].line) == ("sysinfo/local.h", 3)
    assert vt.target("linux/amd64-gnu cgo=1") not in finding.targets
    assert vt.target("linux/amd64-musl cgo=1") in finding.targets
    # The C file's system headers are part of what the package needs (through local.h too).
    (sysinfo,) = [p for p in result.packages if p.import_path.endswith("/sysinfo")]
    on_glibc = sysinfo.on(vt.target("linux/amd64-gnu cgo=1"))
    assert {"stdlib.h", "gnu/libc-version.h"} <= set(on_glibc.system_headers)
    assert "gnu/libc-version.h" in sysinfo.needs.system_headers

    result = _scan(tmp_path / "b", "dmacro")
    (finding,) = [f for f in result.findings if f.rule.id == "CGO004"]
    # -DUSE_EPOLL is set under //go:build unix: darwin and freebsd include <sys/epoll.h>,
    # windows takes the portable branch.
    names = {t.name for t in finding.targets}
    assert names == {"darwin/arm64 cgo=1", "freebsd/amd64 cgo=1"}


def test_json_carries_verdicts_and_evidence(tmp_path: Path) -> None:
    from cgotrap.render.scan import to_json

    document = to_json(_scan(tmp_path, "cgoname"))
    jsonschema.validate(document, schemas.load("scan"))
    (hash_pkg,) = [p for p in document["packages"] if p["import_path"].endswith("/hash")]
    cell = hash_pkg["targets"]["linux/amd64-gnu cgo=0"]
    assert cell["verdict"] == "breaks"
    assert {"file": "hash/hash.go", "line": 7, "text": "undefined: fastHash"} in cell["evidence"]
    assert hash_pkg["targets"]["linux/amd64-gnu cgo=1"]["verdict"] == "cgo"


def _hello(root: Path) -> Path:
    root.mkdir(parents=True)
    (root / "go.mod").write_text("module example.com/hello\n\ngo 1.21\n")
    (root / "main.go").write_text(
        'package main\n\nimport "fmt"\n\nfunc main() { fmt.Println("hello") }\n'
    )
    return root


def test_default_gate_passes_a_fmt_only_hello_world(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from cgotrap.cli import main as cli

    root = _hello(tmp_path / "hello")
    assert cli.main(["scan", str(root)]) == 0
    capsys.readouterr()
    # All ports: android/ios link only through cgo, a note about the port, never an error.
    assert cli.main(["scan", str(root), "--targets", "all", "--format", "json"]) == 0
    document = json.loads(capsys.readouterr().out)
    assert document["summary"]["errors"] == 0
    assert any(f["rule"] == "CGO012" and f["severity"] == "note" for f in document["findings"])


def test_unresolved_imports_give_a_coverage_line_and_exit_5(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from cgotrap.cli import main as cli

    root = tmp_path / "m"
    root.mkdir()
    (root / "go.mod").write_text(
        "module example.com/m\n\ngo 1.21\n\nrequire example.invalid/absent v1.0.0\n"
    )
    (root / "main.go").write_text(
        'package main\n\nimport "example.invalid/absent/lib"\n\nfunc main() { lib.F() }\n'
    )
    assert cli.main(["scan", str(root), "--targets", "linux/amd64"]) == 5
    out = capsys.readouterr().out
    assert (
        "1 imported package could not be resolved: its cgo status is unknown; "
        "run `go mod download`" in out
    )
    assert cli.main(["scan", str(root), "--targets", "linux/amd64", "--format", "json"]) == 5
    document = json.loads(capsys.readouterr().out)
    assert document["unresolved"] == ["example.invalid/absent/lib"]
    assert document["summary"]["errors"] == 0


def test_patterns_matching_nothing_behave_as_go(
    tmp_path: Path, go_tool: object, capsys: pytest.CaptureFixture[str]
) -> None:
    import subprocess

    from cgotrap import toolchain
    from cgotrap.cli import main as cli

    root = _hello(tmp_path / "m")
    (root / "empty").mkdir()
    go = toolchain.require("go").path
    listed = subprocess.run(
        [str(go), "list", "-e", "./empty/...", "./missing"],
        cwd=root,
        capture_output=True,
        text=True,
        check=False,
        env=toolchain.go_env(),
    )
    assert 'go: warning: "./empty/..." matched no packages' in listed.stderr  # the oracle
    assert cli.main(["scan", str(root), "./empty/...", "--targets", "linux/amd64"]) == 0
    assert 'warning: "./empty/..." matched no packages' in capsys.readouterr().err
    # A missing directory: go's Error object (the package is refused), not a silent pass.
    argv = ["scan", str(root), "./missing", "--targets", "linux/amd64", "--format", "json"]
    assert cli.main(argv) == 1
    document = json.loads(capsys.readouterr().out)
    assert "./missing" in {p["import_path"] for p in document["packages"]}


def test_a_tree_with_vendor_mod_gets_a_hint(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from cgotrap.cli import main as cli

    (tmp_path / "vendor.mod").write_text("module github.com/docker/docker\n\ngo 1.21\n")
    (tmp_path / "a.go").write_text("package a\n")
    assert cli.main(["scan", str(tmp_path)]) == 4
    err = capsys.readouterr().err
    assert err.count("\n") == 1
    assert "vendor.mod here looks like the module file under another name" in err


def test_c_shared_buildmode_scans_only_cgo_targets(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from cgotrap.cli import main as cli

    root = verdictfixtures.write(tmp_path, "cshared")
    # As an exe, go refuses cmd/libadd without cgo (the truth table says so) ...
    table = vt.truth("cshared")
    assert not table.cell(vt.target("linux/amd64-gnu cgo=0"), "cmd/libadd").builds
    assert cli.main(["scan", str(root)]) == 1
    capsys.readouterr()
    # ... but a c-shared library is never built without cgo: no error of the project.
    assert cli.main(["scan", str(root), "--buildmode", "c-shared", "--format", "json"]) == 0
    captured = capsys.readouterr()
    assert "-buildmode=c-shared links through cgo" in captured.err
    document = json.loads(captured.out)
    assert all(t["CGO_ENABLED"] == "1" for t in document["targets"])
    assert document["summary"]["errors"] == 0
    # The project's config says the same.
    (root / ".cgotrap.toml").write_text('[build]\nbuildmode = "c-shared"\n')
    assert cli.main(["scan", str(root)]) == 0
