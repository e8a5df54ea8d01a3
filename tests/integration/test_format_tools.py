"""The format tests' oracles work here: the SARIF multitool, the SARIF schema, Chromium."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest

from tests.formattools import chromium_page, multitool_results, sarif_errors, schema_errors

pytestmark = pytest.mark.integration

TINY: dict[str, Any] = {
    "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
    "version": "2.1.0",
    "runs": [
        {
            "tool": {
                "driver": {
                    "name": "cgotrap",
                    "version": "0.1.0",
                    "informationUri": "https://example.com/cgotrap",
                    "rules": [{"id": "CGO004", "shortDescription": {"text": "header missing"}}],
                }
            },
            "results": [
                {
                    "ruleId": "CGO004",
                    "level": "error",
                    "message": {"text": "<sys/sysinfo.h> is missing on darwin"},
                    "locations": [
                        {
                            "physicalLocation": {
                                "artifactLocation": {"uri": "db/db.go", "uriBaseId": "SRCROOT"},
                                "region": {"startLine": 3},
                            }
                        }
                    ],
                }
            ],
        }
    ],
}


def _write(tmp_path: Path, name: str, document: dict[str, Any]) -> Path:
    path = tmp_path / name
    path.write_text(json.dumps(document))
    return path


def test_a_valid_sarif_file_has_no_errors(tmp_path: Path) -> None:
    assert sarif_errors(_write(tmp_path, "ok.sarif", TINY), tmp_path) == []


def test_the_multitool_reports_errors_in_its_log(tmp_path: Path) -> None:
    bad = copy.deepcopy(TINY)
    result = bad["runs"][0]["results"][0]
    del result["message"]
    result["locations"][0]["physicalLocation"]["region"]["startLine"] = 0
    found = multitool_results(_write(tmp_path, "bad.sarif", bad), tmp_path)
    errors = {r["ruleId"] for r in found if r.get("level", "warning") == "error"}
    assert {"JSON1002", "JSON1008"} <= errors  # missing property; value below minimum


def test_an_enum_error_needs_the_schema(tmp_path: Path) -> None:
    bad = copy.deepcopy(TINY)
    bad["runs"][0]["results"][0]["level"] = "fatal"
    path = _write(tmp_path, "enum.sarif", bad)
    # measured: the multitool says nothing about it (and exits 0) ...
    assert multitool_results(path, tmp_path) == []
    # ... the schema does, so sarif_errors does
    assert any("'fatal' is not one of" in e for e in schema_errors(bad))
    assert sarif_errors(path, tmp_path)


def test_chromium_runs_a_page_headless() -> None:
    with chromium_page() as seen:
        seen.page.set_content(
            "<p id=out></p><script>"
            "document.getElementById('out').textContent = String(6 * 7);"
            "console.error('seen');"
            "</script>"
        )
        assert seen.page.text_content("#out") == "42"
        assert seen.errors == ["seen"]
        # text from the scanned world is shown, never run
        seen.page.evaluate(
            "s => { document.getElementById('out').textContent = s }",
            "<script>window.pwned = 1</script>",
        )
        assert seen.page.evaluate("window.pwned === undefined")
        assert seen.page.text_content("#out") == "<script>window.pwned = 1</script>"
