"""The output formats over the findings view: every format, every rule, hostile names."""

from __future__ import annotations

import json
from typing import Any

import jsonschema
import pytest

from cgotrap.judge.rules import all_rules
from cgotrap.render import sarif
from cgotrap.render.findings import Command
from cgotrap.render.formats import OutputFormat, ReportFormat, formatter, report_format
from tests.reportfixtures import HOSTILE, every_rule_report, many_findings_report


@pytest.mark.parametrize("fmt", list(OutputFormat), ids=str)
def test_every_output_format_is_the_commands_own_or_a_findings_format(fmt: OutputFormat) -> None:
    view = report_format(fmt)
    if fmt in (OutputFormat.TABLE, OutputFormat.JSON):
        assert view is None
    else:
        assert view is not None
        assert view.value == fmt.value


@pytest.mark.parametrize("fmt", list(ReportFormat), ids=str)
@pytest.mark.parametrize("command", list(Command), ids=str)
def test_every_format_renders_every_rule(fmt: ReportFormat, command: Command) -> None:
    report = every_rule_report(command, hostile=True, suppress_first=True)
    text = formatter(fmt)(report)
    assert text == formatter(fmt)(report), "a format is a pure function of the report"
    assert "\x1b" not in text, "an ANSI escape from a name reached the output raw"
    for rule in all_rules():
        assert rule.id in text, (fmt, rule.id)


def _sarif(report: Any, **kwargs: Any) -> dict[str, Any]:
    document: dict[str, Any] = json.loads(sarif.format_sarif(report, **kwargs))
    return document


def test_sarif_rules_come_from_the_registry_and_results_point_into_them() -> None:
    report = every_rule_report(suppress_first=True)
    run = _sarif(report)["runs"][0]
    rules = run["tool"]["driver"]["rules"]
    assert [r["id"] for r in rules] == [r.id for r in all_rules()]
    for r in rules:
        assert r["shortDescription"]["text"]
        assert r["fullDescription"]["text"]
        assert r["help"]["markdown"].startswith(f"**{r['id']} ")
        assert r["defaultConfiguration"]["level"] in ("error", "warning", "note")
        assert "cgo" in r["properties"]["tags"]
    assert run["automationDetails"]["id"] == "cgotrap/scan/"
    results = run["results"]
    assert len(results) == len(report.findings)
    for result, found in zip(results, report.findings, strict=True):
        assert rules[result["ruleIndex"]]["id"] == result["ruleId"] == found.rule_id
        assert result["properties"]["targets"] == list(found.targets)
        location = result["locations"][0]["physicalLocation"]
        assert location["artifactLocation"]["uriBaseId"] == "%SRCROOT%"
        assert ("region" in location) == (found.line is not None)
    assert results[0]["suppressions"][0]["kind"] == "inSource"
    assert all("suppressions" not in r for r in results[1:])


def test_sarif_fingerprints_survive_line_moves_and_target_regrouping() -> None:
    import dataclasses

    report = every_rule_report()
    moved = dataclasses.replace(
        report,
        findings=tuple(
            dataclasses.replace(f, line=(f.line or 0) + 40, targets=f.targets[:1])
            for f in report.findings
        ),
    )
    prints = [r["partialFingerprints"] for r in _sarif(report)["runs"][0]["results"]]
    assert prints == [r["partialFingerprints"] for r in _sarif(moved)["runs"][0]["results"]]
    assert len({p["cgotrap/v1"] for p in prints}) == len(prints)


def test_sarif_paths_start_at_the_repository_root() -> None:
    import dataclasses

    report = dataclasses.replace(every_rule_report(), base="examples/m")
    uris = [
        r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
        for r in _sarif(report)["runs"][0]["results"]
    ]
    assert all(u.startswith("examples/m/") for u in uris), uris


def test_sarif_keeps_githubs_result_limit_and_says_what_was_left_out() -> None:
    report = many_findings_report(sarif.MAX_RESULTS + 7)
    run = _sarif(report)["runs"][0]
    assert len(run["results"]) == sarif.MAX_RESULTS
    omitted = run["properties"]["cgotrap/omitted"]
    assert omitted["results"] == 7
    assert omitted["byRule"] == {report.findings[0].rule_id: 7}
    note = run["invocations"][0]["toolExecutionNotifications"][0]
    assert note["level"] == "warning"
    assert "7 of 25007 results left out" in note["message"]["text"]


def test_sarif_keeps_the_gzipped_size_limit() -> None:
    import gzip

    report = many_findings_report(3000)
    limit = 40_000
    text = sarif.format_sarif(report, max_gzipped=limit)
    assert len(gzip.compress(text.encode(), compresslevel=6)) <= limit
    run = json.loads(text)["runs"][0]
    kept = len(run["results"])
    assert 0 < kept < 3000
    assert run["properties"]["cgotrap/omitted"]["results"] == 3000 - kept
    # and not needlessly: one more result would not fit
    bigger = sarif._text(sarif.to_sarif(report, keep=kept + 1))
    assert len(gzip.compress(bigger.encode(), compresslevel=6)) > limit


def test_sarif_shows_hostile_names_escaped() -> None:
    text = sarif.format_sarif(every_rule_report(hostile=True))
    document = json.loads(text)
    messages = [r["message"]["text"] for r in document["runs"][0]["results"]]
    assert any("\\x1b[31m" in m for m in messages)
    assert not any("\x1b" in m for m in messages)
    assert HOSTILE.replace("\x1b", "\\x1b") in messages[0]


def test_sarif_validates_against_its_schema_shape() -> None:
    # The full SARIF schema (shipped in the multitool's npm package) and the multitool
    # itself check the output in tests/integration/test_sarif.py; here: the required keys.
    schema = {
        "type": "object",
        "required": ["version", "runs"],
        "properties": {
            "runs": {
                "type": "array",
                "items": {"type": "object", "required": ["tool", "results"]},
            }
        },
    }
    jsonschema.validate(_sarif(every_rule_report()), schema)
