"""Code Climate JSON for GitLab's code quality report (`artifacts:reports:codequality`).

A JSON array of issues with what GitLab requires of each: `description`, `check_name`,
`fingerprint`, `severity` (info, minor, major, critical, blocker) and `location.path` with
`location.lines.begin`; plus Code Climate's `type`, `categories` and `content.body` (the
rule's documentation). GitLab compares fingerprints between the base and the merge request,
so they are the same stable ones as SARIF's (rule, package, subject). A finding without a
known line is placed at line 1 of its file (GitLab requires a line). Suppressed findings
are left out: GitLab has no notion of an accepted issue and would show them as new.
"""

from __future__ import annotations

from typing import Any, assert_never

from cgotrap.judge.finding import Severity
from cgotrap.render.findings import FindingsReport, Reported
from cgotrap.render.jsontext import dumps


def _severity(severity: Severity) -> str:
    match severity:
        case Severity.ERROR:
            return "critical"
        case Severity.WARNING:
            return "major"
        case Severity.NOTE:
            return "info"
        case _:
            assert_never(severity)


def _issue(found: Reported, report: FindingsReport) -> dict[str, Any]:
    description = found.message + (f" (on {found.where})" if found.where else "")
    return {
        "type": "issue",
        "check_name": found.rule_id,
        "description": description,
        "content": {"body": found.rule.doc},
        "categories": ["Compatibility"],
        "location": {
            "path": report.repo_path(found.path) or ".",
            "lines": {"begin": found.line or 1},
        },
        "severity": _severity(found.severity),
        "fingerprint": found.fingerprint,
    }


def format_codeclimate(report: FindingsReport) -> str:
    """The Code Climate issues, as JSON text."""
    issues = [_issue(f, report) for f in report.findings if f.suppression is None]
    return dumps(issues) + "\n"  # (json.dumps's text with indent=2, ensure_ascii=False)
