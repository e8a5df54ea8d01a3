"""SARIF from every command, validated by Microsoft's SARIF multitool and the SARIF 2.1.0
JSON schema its npm package ships (`tests.formattools.sarif_errors`: both, zero errors)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from cgotrap.cli.main import main_inner
from cgotrap.render import sarif
from cgotrap.render.findings import Command
from tests.binaries import build_all
from tests.formattools import sarif_errors
from tests.reportfixtures import every_rule_report, many_findings_report

pytestmark = pytest.mark.integration

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "cgotraps"


def _valid(text: str, tmp_path: Path, name: str) -> dict[str, object]:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    assert sarif_errors(path, tmp_path) == []
    document: dict[str, object] = json.loads(text)
    return document


@pytest.mark.parametrize("command", list(Command), ids=str)
def test_every_rule_with_hostile_names_and_a_suppression_validates(
    command: Command, tmp_path: Path
) -> None:
    report = every_rule_report(command, hostile=True, suppress_first=True)
    _valid(sarif.format_sarif(report), tmp_path, f"{command}.sarif")


def test_a_cut_log_validates_and_says_so(tmp_path: Path) -> None:
    text = sarif.format_sarif(many_findings_report(500), max_gzipped=8_000)
    document = _valid(text, tmp_path, "cut.sarif")
    assert "cgotrap/omitted" in json.dumps(document)


def test_scan_of_the_example_module_validates(tmp_path: Path) -> None:
    out = tmp_path / "scan.sarif"
    code = main_inner(["scan", str(EXAMPLE), "--format", "sarif", "-o", str(out)])
    assert code == 1  # the example has error findings
    document = _valid(out.read_text(encoding="utf-8"), tmp_path, "scan-check.sarif")
    run = document["runs"][0]  # type: ignore[index]
    rules = {r["ruleId"] for r in run["results"]}
    assert {"CGO001", "CGO004"} <= rules, rules
    # the example sits in examples/cgotraps of this repository: paths start there
    uris = {
        r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] for r in run["results"]
    }
    assert all(u.startswith("examples/cgotraps/") for u in uris), uris
    for uri in uris:
        assert (EXAMPLE.parents[1] / uri).exists(), uri


def test_inspect_of_a_release_validates(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    dist = tmp_path / "dist"
    dist.mkdir()
    for name, path in build_all().items():
        shutil.copy(path, dist / path.name)
        del name
    monkeypatch.chdir(tmp_path)
    out = tmp_path / "inspect.sarif"
    main_inner(["inspect", "dist", "--policy", "static", "--format", "sarif", "-o", str(out)])
    document = _valid(out.read_text(encoding="utf-8"), tmp_path, "inspect-check.sarif")
    run = document["runs"][0]  # type: ignore[index]
    assert run["automationDetails"]["id"] == "cgotrap/inspect/"
    located = [r for r in run["results"] if r["ruleId"] == "CGO201"]
    assert located, "the policy 'static' is violated by the cgo binaries"
    for r in located:
        uri = r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
        assert (tmp_path / uri).is_file(), uri
