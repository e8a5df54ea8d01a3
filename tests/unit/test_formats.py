"""The output formats over the findings view: every format, every rule, hostile names."""

from __future__ import annotations

import json
import re
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
    # suppressed findings are not annotated nor GitLab issues (they are accepted)
    shown = (
        report.findings[1:]
        if fmt in (ReportFormat.GITHUB, ReportFormat.CODECLIMATE)
        else report.findings
    )
    for found in shown:
        assert found.rule_id in text, (fmt, found.rule_id)
    assert {f.rule_id for f in report.findings} == {r.id for r in all_rules()}


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


def test_sarif_keeps_githubs_location_limit_and_counts_the_rest() -> None:
    import dataclasses

    from cgotrap.judge.finding import Evidence

    report = every_rule_report()
    many = tuple(Evidence(file=f"f{i}.go", line=i + 1, text="") for i in range(1500))
    first = dataclasses.replace(report.findings[0], evidence=many)
    result = _sarif(dataclasses.replace(report, findings=(first,)))["runs"][0]["results"][0]
    assert len(result["locations"]) + len(result["relatedLocations"]) == sarif.MAX_LOCATIONS
    assert result["properties"]["cgotrap/relatedLocationsOmitted"] == 1500 - sarif.MAX_LOCATIONS


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


# --- GitHub annotations -----------------------------------------------------------------


def test_annotations_escape_githubs_way() -> None:
    from cgotrap.render.annotations import escape_data, escape_property

    assert escape_data("100% a\r\nb") == "100%25 a%0D%0Ab"
    assert escape_property("a:b,c%\n") == "a%3Ab%2Cc%25%0A"


def test_annotations_are_one_command_per_finding_that_counts() -> None:
    report = every_rule_report(hostile=True, suppress_first=True)
    lines = formatter(ReportFormat.GITHUB)(report).splitlines()
    assert len(lines) == len(report.findings)  # one suppressed: a notice counts it instead
    assert lines[-1] == "::notice title=cgotrap::1 suppressed finding(s) not annotated"
    for line, found in zip(lines, report.findings[1:], strict=False):
        level = {"error": "error", "warning": "warning", "note": "notice"}[found.severity]
        assert line.startswith(f"::{level} file={found.path},")
        properties, message = line[2:].split("::", 1)
        assert "\n" not in message
        assert message.startswith(found.message.replace("%", "%25"))
        assert f"title={found.rule_id} " in properties
        if found.line is not None:
            assert f",line={found.line}," in properties


def test_annotations_neutralise_a_newline_in_a_name() -> None:
    import dataclasses

    report = every_rule_report()
    first = dataclasses.replace(report.findings[0], message="x\n::set-output name=a::b")
    text = formatter(ReportFormat.GITHUB)(dataclasses.replace(report, findings=(first,)))
    assert text.count("\n") == 1
    assert "x%0A::set-output" in text


# --- Markdown ---------------------------------------------------------------------------


def test_markdown_escapes_names_as_literal_text() -> None:
    from cgotrap.render.markdown import md

    assert md("<script>") == r"\<script\>"
    assert md("a|b @user [x](y)") == r"a\|b \@user \[x\]\(y\)"
    report = every_rule_report(hostile=True)
    text = formatter(ReportFormat.MARKDOWN)(report)
    assert "<script>" not in text.split("```")[0]  # outside code blocks only escaped
    for block in text.split("<details>")[1:]:
        assert block.count("</details>") == 1


def test_markdown_fits_a_github_comment_and_counts_what_it_left_out() -> None:
    from cgotrap.render.markdown import GITHUB_COMMENT_LIMIT

    report = many_findings_report(5000)
    text = formatter(ReportFormat.MARKDOWN)(report)
    assert len(text) <= GITHUB_COMMENT_LIMIT
    assert text.startswith("### cgotrap scan: 5000 errors")
    shown = len(re.findall(r"^- \*\*CGO001\*\* .* \\#\d+$", text, re.MULTILINE))
    assert 0 < shown < 5000
    assert f"_{5000 - shown} more finding(s) not shown" in text
    assert text.count("<details>") == text.count("</details>")


# --- JUnit ------------------------------------------------------------------------------


def junit_problems(text: str) -> list[str]:
    """What GitLab's and Jenkins' JUnit readers need, checked element by element: no
    registry package ships the Jenkins/Ant JUnit XSD (measured: junitparser and xmlschema
    wheels have none), so this is the schema's shape, written out."""
    import xml.etree.ElementTree as ET

    problems = []
    root = ET.fromstring(text)  # noqa: S314  # our own output
    if root.tag != "testsuites":
        problems.append(f"root is {root.tag}")
    total = 0
    for suite in root:
        if suite.tag != "testsuite" or not suite.get("name"):
            problems.append(f"bad suite {suite.tag} {suite.attrib}")
            continue
        cases = list(suite)
        total += len(cases)
        if int(suite.get("tests", "-1")) != len(cases):
            problems.append(f"{suite.get('name')}: tests={suite.get('tests')} != {len(cases)}")
        failures = sum(1 for c in cases if c.find("failure") is not None)
        skipped = sum(1 for c in cases if c.find("skipped") is not None)
        if int(suite.get("failures", "-1")) != failures:
            problems.append(f"{suite.get('name')}: failures miscounted")
        if int(suite.get("skipped", "-1")) != skipped:
            problems.append(f"{suite.get('name')}: skipped miscounted")
        for case in cases:
            if case.tag != "testcase" or not case.get("name") or not case.get("classname"):
                problems.append(f"bad case {case.attrib}")
            for child in case:
                if child.tag not in ("failure", "skipped", "system-out", "error"):
                    problems.append(f"unknown element {child.tag}")
                if child.tag in ("failure", "skipped") and child.get("message") is None:
                    problems.append(f"{child.tag} without message")
    if int(root.get("tests", "-1")) != total:
        problems.append("testsuites tests miscounted")
    return problems


@pytest.mark.parametrize("command", list(Command), ids=str)
def test_junit_is_a_checklist_of_the_commands_rules(command: Command) -> None:
    import xml.etree.ElementTree as ET

    report = every_rule_report(command, hostile=True, suppress_first=True)
    text = formatter(ReportFormat.JUNIT)(report)
    assert junit_problems(text) == []
    root = ET.fromstring(text)  # noqa: S314  # our own output
    failed = sum(1 for f in report.findings[1:] if f.severity.value != "note")
    assert root.get("failures") == str(failed)
    assert root.get("skipped") == "1"
    suppressed = root.find(".//skipped")
    assert suppressed is not None
    assert suppressed.get("message", "").startswith("suppressed: accepted: <script>")


# --- Code Climate -----------------------------------------------------------------------

CODECLIMATE_GITLAB = {
    # The fields GitLab's code quality report requires (docs.gitlab.com, "Code Quality"
    # report format); the Code Climate spec publishes no JSON Schema in any registry.
    "type": "array",
    "items": {
        "type": "object",
        "required": ["description", "check_name", "fingerprint", "severity", "location"],
        "properties": {
            "type": {"const": "issue"},
            "description": {"type": "string", "minLength": 1},
            "check_name": {"type": "string", "minLength": 1},
            "fingerprint": {"type": "string", "minLength": 1},
            "severity": {"enum": ["info", "minor", "major", "critical", "blocker"]},
            "categories": {"type": "array", "items": {"type": "string"}, "minItems": 1},
            "location": {
                "type": "object",
                "required": ["path", "lines"],
                "properties": {
                    "path": {"type": "string", "minLength": 1},
                    "lines": {
                        "type": "object",
                        "required": ["begin"],
                        "properties": {"begin": {"type": "integer", "minimum": 1}},
                    },
                },
            },
        },
    },
}


@pytest.mark.parametrize("command", list(Command), ids=str)
def test_codeclimate_has_what_gitlab_requires(command: Command) -> None:
    report = every_rule_report(command, hostile=True, suppress_first=True)
    issues = json.loads(formatter(ReportFormat.CODECLIMATE)(report))
    jsonschema.validate(issues, CODECLIMATE_GITLAB)
    assert len(issues) == len(report.findings) - 1  # the suppressed one is accepted
    prints = [i["fingerprint"] for i in issues]
    assert len(set(prints)) == len(prints)
    assert prints == [f.fingerprint for f in report.findings[1:]]


# --- -o FILE ----------------------------------------------------------------------------


def test_output_file_is_written_whole_with_the_usual_mode(tmp_path: Any) -> None:
    import os

    from cgotrap.cli.output import write_atomically

    target = tmp_path / "report.sarif"
    target.write_text("old", encoding="utf-8")
    write_atomically(target, "new ✓\n")
    assert target.read_text(encoding="utf-8") == "new ✓\n"
    umask = os.umask(0o022)
    os.umask(umask)
    assert target.stat().st_mode & 0o777 == 0o666 & ~umask
    assert [p.name for p in tmp_path.iterdir()] == ["report.sarif"]  # no temp file left


def test_output_file_errors_are_one_line(tmp_path: Any) -> None:
    from cgotrap.cli import main as cli

    code = cli.main(["inspect", "/bin/true", "--format", "sarif", "-o", str(tmp_path / "no/x")])
    assert code == 4
    assert not (tmp_path / "no").exists()


# --- HTML -------------------------------------------------------------------------------


def test_html_data_cannot_end_its_script_element() -> None:
    from cgotrap.render.html import script_json

    text = script_json({"name": "</script><script>alert(1)</script><!-- \u2028 &"})
    assert "<" not in text
    assert ">" not in text
    assert "&" not in text
    assert "\u2028" not in text
    assert json.loads(text) == {"name": "</script><script>alert(1)</script><!-- \u2028 &"}


def test_html_is_one_file_without_network_assets() -> None:
    import html.parser

    text = formatter(ReportFormat.HTML)(every_rule_report(hostile=True, suppress_first=True))

    class Tags(html.parser.HTMLParser):
        def __init__(self) -> None:
            super().__init__()
            self.tags: list[tuple[str, dict[str, str | None]]] = []

        def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
            self.tags.append((tag, dict(attrs)))

    parser = Tags()
    parser.feed(text)
    scripts = [attrs for tag, attrs in parser.tags if tag == "script"]
    assert scripts == [{"type": "application/json", "id": "cgotrap-data"}, {}]
    for tag, attrs in parser.tags:
        assert "src" not in attrs, tag
        assert "href" not in attrs, tag
    csp = next(
        a["content"] for t, a in parser.tags if a.get("http-equiv") == "Content-Security-Policy"
    )
    assert csp is not None
    assert csp.startswith("default-src 'none'; script-src 'sha256-")


def test_the_configs_judgements_plug_in_as_they_are() -> None:
    """`config.suppress.apply`'s `Judged` records go into the view as they are: a config
    ignore is SARIF's `external` suppression, a `[rules]` override the result's level."""
    import dataclasses

    from cgotrap.config import parse
    from cgotrap.config.suppress import apply
    from cgotrap.render.findings import _reported

    base = every_rule_report()
    findings = [f.finding for f in base.findings[:2]]
    config = parse(
        {
            "rules": {findings[1].rule_id: "note"},
            "ignore": [
                {
                    "rule": findings[0].rule_id,
                    "package": findings[0].package,
                    "reason": "vendored\x1b, upstream's",
                }
            ],
        }
    )
    judged = apply(findings, config)
    reported = _reported(
        findings, judged=judged, universe=(), columns=(), dirs={}, fallback="go.mod"
    )
    report = dataclasses.replace(base, findings=reported)
    results = _sarif(report)["runs"][0]["results"]
    suppression = results[0]["suppressions"][0]
    assert suppression["kind"] == "external"
    assert suppression["justification"] == "vendored\\x1b, upstream's"
    assert suppression["properties"]["where"] == ".cgotrap.toml ignore[1]"
    assert results[1]["level"] == "note"
    assert "suppressions" not in results[1]
