"""Every output format of real reports: `scan` of examples/cgotraps through the CLI (every
source rule the example triggers), and a matrix report of classified build failures;
each output checked by its format's oracle."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from pathlib import Path

import jsonschema
import pytest

from cgotrap.cli.main import main_inner
from cgotrap.render.findings import from_matrix
from cgotrap.render.formats import OutputFormat, ReportFormat, formatter
from tests.formattools import sarif_errors
from tests.unit.test_formats import CODECLIMATE_GITLAB, junit_problems
from tests.unit.test_matrix import _report as matrix_report

pytestmark = pytest.mark.integration

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "cgotraps"
SELECTION = "linux/amd64,linux/arm64,darwin/arm64,windows/amd64,freebsd/amd64,js/wasm"


def _check(fmt: OutputFormat | ReportFormat, text: str, tmp_path: Path) -> None:
    match fmt.value:
        case "table":
            assert "CGO" in text
        case "json":
            assert json.loads(text)["version"]
        case "sarif":
            path = tmp_path / "out.sarif"
            path.write_text(text, encoding="utf-8")
            assert sarif_errors(path, tmp_path) == []
        case "github":
            assert all(line.startswith("::") for line in text.splitlines())
        case "markdown":
            assert text.startswith("### cgotrap ")
            assert text.count("<details>") == text.count("</details>")
        case "junit":
            ET.fromstring(text)  # noqa: S314  # our own output
            assert junit_problems(text) == []
        case "codeclimate":
            jsonschema.validate(json.loads(text), CODECLIMATE_GITLAB)
        case "html":
            assert text.startswith("<!DOCTYPE html>")
        case other:
            raise AssertionError(f"no oracle for {other}")


@pytest.mark.parametrize("fmt", list(OutputFormat), ids=str)
def test_scan_of_the_example_in_every_format(fmt: OutputFormat, tmp_path: Path) -> None:
    out = tmp_path / f"scan.{fmt.value}"
    argv = ["scan", str(EXAMPLE), "--targets", SELECTION, "--format", fmt.value, "-o", str(out)]
    assert main_inner(argv) == 1
    text = out.read_text(encoding="utf-8")
    _check(fmt, text, tmp_path)
    if fmt not in (OutputFormat.TABLE, OutputFormat.JSON):
        for rule_id in ("CGO001", "CGO004", "CGO005"):
            assert rule_id in text, (fmt, rule_id)


@pytest.mark.parametrize("fmt", list(ReportFormat), ids=str)
def test_a_matrix_report_in_every_format(fmt: ReportFormat, tmp_path: Path) -> None:
    report = from_matrix(matrix_report())
    text = formatter(fmt)(report)
    _check(fmt, text, tmp_path)
    for found in report.findings:
        assert found.rule_id in text
