"""JUnit XML over findings, for CI test-report views (GitLab, Jenkins): `format_junit`.

One `<testsuite>` per rule of the command's area (scan: CGO0xx, matrix: CGO1xx, inspect:
CGO2xx), so the report reads as a checklist: a rule without findings is one passing
`<testcase>`; each finding is a test case, failed for errors and warnings, passed with its
message in `<system-out>` for notes, `<skipped>` with the reason when suppressed. Only the
elements and attributes of the Jenkins/Ant JUnit schema that GitLab reads are used
(testsuites/testsuite/testcase with name and classname; failure, skipped, system-out).
`cgotrap matrix` keeps its own JUnit (a suite per target, a case per go command).
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from typing import assert_never

from cgotrap.judge.finding import Rule, Severity
from cgotrap.render.findings import Command, FindingsReport, Reported, rule_section

_AREA = {Command.SCAN: "0", Command.MATRIX: "1", Command.INSPECT: "2"}


def _in_area(rule: Rule, command: Command) -> bool:
    return rule.id[3:4] == _AREA[command]


def _case(suite: ET.Element, found: Reported, report: FindingsReport) -> str:
    """Add the test case of one finding; its outcome ("failure", "skipped", "passed")."""
    place = report.repo_path(found.path) + (f":{found.line}" if found.line else "")
    name = f"{found.rule_id} {found.subject or found.package or place}"
    if found.where:
        name += f" on {found.where}"
    case = ET.SubElement(
        suite,
        "testcase",
        name=name,
        classname=found.package or found.subject or report.title,
        time="0",
    )
    body = "\n".join(
        part
        for part in (
            found.message,
            f"at {place}" if place else "",
            f"on {found.where}" if found.where else "",
            "\n".join(e.text for e in found.evidence if e.text),
            "How to fix: " + rule_section(found.rule, "How to fix"),
        )
        if part
    )
    if found.suppression is not None:
        ET.SubElement(case, "skipped", message=f"suppressed: {found.suppression.reason}")
        return "skipped"
    match found.severity:
        case Severity.ERROR | Severity.WARNING:
            failure = ET.SubElement(
                case, "failure", message=found.message[:1000], type=found.severity.value
            )
            failure.text = body
            return "failure"
        case Severity.NOTE:
            ET.SubElement(case, "system-out").text = body
            return "passed"
        case _:
            assert_never(found.severity)


def format_junit(report: FindingsReport) -> str:
    """The JUnit XML document."""
    suites = ET.Element("testsuites", name=f"cgotrap {report.command.value}")
    by_rule: dict[str, list[Reported]] = {}
    for f in report.findings:
        by_rule.setdefault(f.rule_id, []).append(f)
    rules = [r for r in report.rules if _in_area(r, report.command) or r.id in by_rule]
    totals = {"tests": 0, "failures": 0, "skipped": 0}
    for rule in rules:
        suite = ET.SubElement(suites, "testsuite", name=f"{rule.id} {rule.name}")
        counts = {"failure": 0, "skipped": 0, "passed": 0}
        found = by_rule.get(rule.id, [])
        for f in found:
            counts[_case(suite, f, report)] += 1
        if not found:
            ET.SubElement(suite, "testcase", name=f"{rule.id}: no findings", classname=rule.id)
            counts["passed"] += 1
        tests = sum(counts.values())
        suite.set("tests", str(tests))
        suite.set("failures", str(counts["failure"]))
        suite.set("errors", "0")
        suite.set("skipped", str(counts["skipped"]))
        suite.set("time", "0")
        totals["tests"] += tests
        totals["failures"] += counts["failure"]
        totals["skipped"] += counts["skipped"]
    for key, value in totals.items():
        suites.set(key, str(value))
    suites.set("errors", "0")
    ET.indent(suites)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(suites, "unicode") + "\n"
