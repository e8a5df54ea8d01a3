"""The inspect renderers and CLI: JSON valid against the checked-in schema, every format."""

from __future__ import annotations

import dataclasses
import json
import shutil
from pathlib import Path

import jsonschema
import pytest

from cgotrap.cli import main as cli
from cgotrap.judge import policy as policies
from cgotrap.judge.rules import Severity, all_rules
from cgotrap.judge.rules.binary import check_release
from cgotrap.read.binary import Inspected
from cgotrap.read.binary.buildinfo import BuildInfo, BuildSetting, Module
from cgotrap.read.binary.interface import BinaryFormat, Endian, Linkage, VersionNeed
from cgotrap.render import inspect as renderer
from cgotrap.render.formats import OutputFormat
from cgotrap.render.untrusted import for_terminal
from cgotrap.schemas import load

TRUE = Path(shutil.which("true") or "/bin/true")


def _go_binary(name: str, cgo: str, goarch: str = "amd64") -> Inspected:
    linkage = Linkage(
        format=BinaryFormat.ELF,
        os="linux",
        arch=goarch,
        bits=64,
        endian=Endian.LITTLE,
        static=cgo == "0",
        interpreter="" if cgo == "0" else "/lib64/ld-linux-x86-64.so.2",
        needed=() if cgo == "0" else ("libc.so.6",),
        version_needs=()
        if cgo == "0"
        else (VersionNeed(library="libc.so.6", version="GLIBC_2.34", symbols=("pthread_create",)),),
        cgo_evidence=() if cgo == "0" else ("symbol x_cgo_init in .dynsym",),
    )
    info = BuildInfo(
        go_version="go1.22.5",
        path="example.com/app",
        main=Module(path="example.com/app", version="(devel)"),
        deps=(
            Module(
                path="example.com/dep",
                version="v0.1.0",
                replace=Module(path="./dep", version="(devel)"),
            ),
        ),
        settings=(
            BuildSetting(key="CGO_ENABLED", value=cgo),
            BuildSetting(key="GOOS", value="linux"),
            BuildSetting(key="GOARCH", value=goarch),
            BuildSetting(key="-ldflags", value="bad \udcff byte"),
        ),
    )
    return Inspected(name=name, size=10, linkage=linkage, build_info=info)


def _report() -> policies.InspectReport:
    binaries = [
        _go_binary("dist/a", "0"),
        _go_binary("dist/b", "0", "arm64"),
        _go_binary("dist/c", "1"),
        Inspected(name="dist/broken", error="corrupt ELF: truncated"),
    ]
    return policies.build_report(
        binaries, policies.select_run_targets("all"), policies.get_policy("glibc<=2.17")
    )


def test_json_is_valid_against_the_schema() -> None:
    document = json.loads(renderer.format_json(_report()))
    jsonschema.Draft202012Validator(load("inspect")).validate(document)
    assert document["version"] == renderer.SCHEMA_VERSION
    assert {f["rule"] for f in document["findings"]} == {"CGO200", "CGO201", "CGO210", "CGO213"}
    c = document["binaries"][2]
    assert c["linkage"]["max_glibc"] == {"version": "GLIBC_2.34", "symbols": ["pthread_create"]}
    assert c["build_info"]["settings"][-1]["value"] == "bad \\xff byte"  # as every format says it


def test_table_shows_facts_verdicts_reasons_and_findings() -> None:
    text = renderer.format_table(_report(), width=200)
    assert "dynamic glibc>=2.34" in text
    assert "dist/c rhel-7: needs GLIBC_2.34 (pthread_create@GLIBC_2.34); rhel-7 has 2.17" in text
    assert "CGO210 inconsistent-cgo dist/c: CGO_ENABLED 1, while 2 other binaries have 0" in text
    assert "corrupt ELF: truncated" in text
    assert "\x1b[" not in text
    assert "\x1b[" in renderer.format_table(_report(), width=200, color=True)


def test_every_binary_rule_is_documented() -> None:
    ids = [r.id for r in all_rules() if r.id.startswith("CGO2")]
    assert ids == sorted(ids)
    assert {"CGO200", "CGO201", "CGO210", "CGO211", "CGO212", "CGO213", "CGO214"} <= set(ids)
    for rule_id in ids:
        rule = next(r for r in all_rules() if r.id == rule_id)
        assert "How to fix:" in rule.doc
        assert "Example:" in rule.doc


@pytest.mark.parametrize("output_format", list(OutputFormat))
def test_every_output_format_through_the_cli(
    output_format: OutputFormat, capsys: pytest.CaptureFixture[str]
) -> None:
    code = cli.main(["inspect", str(TRUE), "--runs-on", "alpine", "--format", output_format])
    out = capsys.readouterr().out
    assert code == 0
    if output_format in (OutputFormat.TABLE, OutputFormat.JSON):
        assert str(TRUE) in out
    elif output_format is OutputFormat.GITHUB:
        assert out == ""  # no finding, no annotation
    else:
        assert out  # no finding here: the findings formats are checked in test_formats


def test_cli_errors_are_one_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "text").write_text("hello", encoding="utf-8")
    assert cli.main(["inspect", str(tmp_path / "text")]) == 4
    err = capsys.readouterr().err
    assert err == f"cgotrap: {tmp_path}/text: not an ELF, Mach-O or PE file\n"
    assert cli.main(["inspect", str(TRUE), "--runs-on", "nowhere"]) == 2
    assert "unknown run-target 'nowhere'" in capsys.readouterr().err
    assert cli.main(["inspect", str(TRUE), "--policy", "static", "--format", "json"]) == 1


def test_go_version_m_mode_for_a_non_go_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert cli.main(["inspect", "--go-version-m", str(TRUE)]) == 1
    err = capsys.readouterr().err
    assert err == f"{TRUE}: could not read Go build info from {TRUE}: not a Go executable\n"


def test_non_utf8_names_render_as_valid_utf8() -> None:
    binaries = [_go_binary("dist/a\udcff", "0"), Inspected(name="b\udcfe", error="bad \udcfd")]
    report = policies.build_report(binaries, policies.select_run_targets("alpine"), None)
    shown = for_terminal(report)  # what the CLI gives a table renderer
    document = renderer.format_json(report)
    table = renderer.format_table(shown, width=200)
    for text in (document, table):
        text.encode("utf-8")  # strict: no lone surrogate left
    # the undecodable byte reads the same in every format: the text \xff
    assert json.loads(document)["binaries"][0]["name"] == "dist/a\\xff"
    assert "dist/a\\xff" in table


def _with(binary: Inspected, *, go: str = "", settings: tuple[BuildSetting, ...] = ()) -> Inspected:
    """`binary` with another Go version and/or more build settings."""
    info = binary.build_info
    assert info is not None
    info = dataclasses.replace(
        info, go_version=go or info.go_version, settings=(*info.settings, *settings)
    )
    return dataclasses.replace(binary, build_info=info)


def test_release_rules_flag_the_odd_one_out() -> None:
    revision = (BuildSetting(key="vcs.revision", value="1a2b3c"),)
    release = [
        _with(_go_binary("dist/a", "0"), settings=revision),
        _with(_go_binary("dist/b", "0", "arm64"), settings=revision),
        _with(_go_binary("dist/c", "0"), settings=revision),
        _with(
            _go_binary("dist/d", "0", "arm64"),
            go="go1.22.1",
            settings=(
                BuildSetting(key="-tags", value="netgo"),
                BuildSetting(key="vcs.revision", value="9f8e7d"),
            ),
        ),
    ]
    found = {(f.rule.id, f.subject, f.message) for f in check_release(release)}
    assert found == {
        ("CGO211", "dist/d", "Go version go1.22.1, while 3 other binaries have go1.22.5"),
        ("CGO212", "dist/d", "-tags netgo, while 3 other binaries have none"),
        ("CGO214", "dist/d", "revision 9f8e7d, while 3 other binaries have 1a2b3c"),
    }


def test_cgo_without_build_info_is_a_note() -> None:
    stripped = _go_binary("dist/stripped", "1")
    assert stripped.linkage is not None
    linkage = dataclasses.replace(stripped.linkage, cgo_evidence=("symbol x_cgo_init in .dynstr",))
    stripped = dataclasses.replace(stripped, linkage=linkage, build_info=None)
    (finding,) = check_release([stripped])
    assert finding.rule.id == "CGO215"
    assert finding.severity is Severity.NOTE
    assert finding.subject == "dist/stripped"
    assert finding.message == "cgo linked in (symbol x_cgo_init in .dynstr), no Go build info"


def test_cgo_enabled_1_without_runtime_cgo_is_a_pure_go_binary_for_consistency() -> None:
    from cgotrap.judge.rules.binary import check_release

    pure = [_go_binary(f"dist/p{i}", "0") for i in range(3)]
    # Built with CGO_ENABLED=1, but nothing imports a cgo package: static, no runtime/cgo.
    odd = _go_binary("dist/native", "1")
    assert odd.linkage is not None
    odd = dataclasses.replace(
        odd,
        linkage=dataclasses.replace(
            odd.linkage, static=True, interpreter="", needed=(), version_needs=(), cgo_evidence=()
        ),
    )
    assert {f.rule_id for f in check_release([*pure, odd])} == set()
    # With runtime/cgo linked it is the odd one, and a dynamic one among static ones.
    real = _go_binary("dist/cgo", "1")
    found = {f.rule_id: f.message for f in check_release([*pure, real])}
    assert found["CGO210"] == "CGO_ENABLED 1, while 3 other binaries have 0"
    assert found["CGO213"] == "dynamically linked, while 3 other Linux binaries are static"


def test_a_static_binary_among_dynamic_ones_is_not_flagged() -> None:
    from cgotrap.judge.rules.binary import check_release

    dynamic = [_go_binary(f"dist/c{i}", "1") for i in range(3)]
    static = _go_binary("dist/s", "0")
    assert "CGO213" not in {f.rule_id for f in check_release([*dynamic, static])}
