"""SARIF 2.1.0 for GitHub code scanning (and every SARIF viewer): `format_sarif(report)`.

- `tool.driver.rules` is the whole rule registry (short and full description, the
  documentation as help text and Markdown, default level, tags), results point into it by
  `ruleId` and `ruleIndex`;
- locations are relative to the checkout (`uriBaseId` "%SRCROOT%"), with the line when known;
- `partialFingerprints` come from rule, package and subject, so a line move or a regrouping
  of targets never makes a finding look new to GitHub;
- `automationDetails.id` is "cgotrap/<command>/", so scan, inspect and matrix uploads of one
  commit keep their own alert sets;
- a finding's targets, package and subject are in `result.properties`; a suppressed finding
  carries `suppressions` (kind `inSource` for `//cgotrap:ignore`, `external` for config);
- GitHub's upload limits (25,000 results per run, 1,000 locations per result, 10 MB
  gzipped) are kept by leaving the least severe results out, which `run.properties` and a
  tool notification then say.
"""

from __future__ import annotations

import gzip
import posixpath
from typing import Any, assert_never
from urllib.parse import quote

from cgotrap.judge.finding import Rule, Severity
from cgotrap.render.findings import FindingsReport, Reported, SuppressionKind, rule_section
from cgotrap.render.jsontext import dumps

SCHEMA_URI = "https://json.schemastore.org/sarif-2.1.0.json"
INFORMATION_URI = "https://pypi.org/project/cgotrap/"
"""Where the tool is described (its package page: the project has no other home yet)."""
SRCROOT = "%SRCROOT%"
"""The base the result URIs are relative to: GitHub resolves it to the checkout."""
FINGERPRINT_KEY = "cgotrap/v1"
"""The `partialFingerprints` key; bump it when the fingerprint's inputs change."""
MAX_RESULTS = 25_000
"""GitHub code scanning: results per run it accepts."""
MAX_LOCATIONS = 1_000
"""GitHub code scanning: locations (and related locations) per result it accepts."""
MAX_GZIPPED = 10 * 1024 * 1024
"""GitHub code scanning: the largest upload, gzip-compressed."""

_AREA = {"0": "source", "1": "build", "2": "binary"}


def _level(severity: Severity) -> str:
    return severity.value  # "error", "warning", "note": SARIF's own words


def _uri(path: str) -> dict[str, str]:
    if posixpath.isabs(path):
        return {"uri": "file://" + quote(path)}
    return {"uri": quote(path.removeprefix("./")), "uriBaseId": SRCROOT}


def _physical(path: str, line: int | None) -> dict[str, Any]:
    location: dict[str, Any] = {"artifactLocation": _uri(path)}
    if line is not None and line > 0:
        location["region"] = {"startLine": line}
    return {"physicalLocation": location}


def _rule(rule: Rule) -> dict[str, Any]:
    paragraphs = [p for p in rule.doc.split("\n\n") if not p.startswith("Added in")]
    full = " ".join(" ".join(paragraphs[:2]).split())
    area = _AREA.get(rule.id[3:4], "other")
    return {
        "id": rule.id,
        "name": rule.name,
        "shortDescription": {"text": rule.summary},
        "fullDescription": {"text": full},
        "help": {"text": rule.doc, "markdown": _help_markdown(rule)},
        "defaultConfiguration": {"level": _level(rule.severity)},
        "properties": {
            "tags": ["cgo", "portability", area],
            "precision": "high",
            "problem.severity": _level(rule.severity),
            "subject": rule.subject or "package",
        },
    }


def _help_markdown(rule: Rule) -> str:
    lines = [f"**{rule.id} {rule.name}**", "", rule.doc]
    fix = rule_section(rule, "How to fix")
    if fix:
        lines += ["", f"**Fix:** {fix}"]
    return "\n".join(lines)


def _suppression_kind(kind: SuppressionKind) -> str:
    match kind:
        case SuppressionKind.INLINE:
            return "inSource"
        case SuppressionKind.CONFIG:
            return "external"
        case _:
            assert_never(kind)


def _result(found: Reported, index: dict[str, int], report: FindingsReport) -> dict[str, Any]:
    text = found.message
    if found.where:
        text += f" (on {found.where})"
    result: dict[str, Any] = {
        "ruleId": found.rule_id,
        "ruleIndex": index[found.rule_id],
        "level": _level(found.severity),
        "message": {"text": text},
    }
    if found.path:
        result["locations"] = [_physical(report.repo_path(found.path), found.line)]
    related = [
        {
            "id": i,
            **_physical(report.repo_path(e.file), e.line),
            "message": {"text": e.text[:1000] or e.file},
        }
        for i, e in enumerate((e for e in found.evidence[1:] if e.file), start=1)
        if i < MAX_LOCATIONS
    ]
    if related:
        result["relatedLocations"] = related
    result["partialFingerprints"] = {FINGERPRINT_KEY: found.fingerprint}
    properties: dict[str, Any] = {"targets": list(found.targets)}
    if found.package:
        properties["package"] = found.package
    if found.subject:
        properties["subject"] = found.subject
    if found.condition:
        properties["condition"] = found.condition
    located = sum(1 for e in found.evidence[1:] if e.file)
    if located > MAX_LOCATIONS - 1:
        properties["cgotrap/relatedLocationsOmitted"] = located - len(related)
    if found.finding.step is not None:
        properties["step"] = found.finding.step.value
    detail = "\n".join(e.text for e in found.evidence if e.text)
    if detail:
        properties["evidence"] = detail[:4000]
    result["properties"] = properties
    if found.suppression is not None:
        result["suppressions"] = [
            {
                "kind": _suppression_kind(found.suppression.kind),
                "status": "accepted",
                "justification": found.suppression.reason,
                "properties": {"where": found.suppression.where},
            }
        ]
    return result


def to_sarif(report: FindingsReport, *, keep: int | None = None) -> dict[str, Any]:
    """The SARIF log as a document; `keep` cuts the results to that many (worst first)."""
    index = {r.id: i for i, r in enumerate(report.rules)}
    shown = report.findings[: min(MAX_RESULTS, len(report.findings) if keep is None else keep)]
    run: dict[str, Any] = {
        "tool": {
            "driver": {
                "name": "cgotrap",
                "version": report.tool_version,
                "semanticVersion": report.tool_version,
                "informationUri": INFORMATION_URI,
                "rules": [_rule(r) for r in report.rules],
            }
        },
        "automationDetails": {"id": f"cgotrap/{report.command.value}/"},
        "columnKind": "unicodeCodePoints",
        "results": [_result(f, index, report) for f in shown],
    }
    left_out = report.findings[len(shown) :]
    if left_out:
        by_rule: dict[str, int] = {}
        for f in left_out:
            by_rule[f.rule_id] = by_rule.get(f.rule_id, 0) + 1
        reason = (
            f"GitHub accepts at most {MAX_RESULTS} results per run"
            if len(shown) == MAX_RESULTS
            else f"GitHub accepts at most {MAX_GZIPPED // (1024 * 1024)} MB gzipped"
        )
        text = (
            f"{len(left_out)} of {len(report.findings)} results left out ({reason}): "
            + ", ".join(f"{rule} x{n}" for rule, n in sorted(by_rule.items()))
            + "; the JSON format has them all"
        )
        run["properties"] = {
            "cgotrap/omitted": {
                "results": len(left_out),
                "total": len(report.findings),
                "reason": reason,
                "byRule": dict(sorted(by_rule.items())),
            }
        }
        run["invocations"] = [
            {
                "executionSuccessful": True,
                "toolExecutionNotifications": [
                    {
                        "level": "warning",
                        "descriptor": {"id": "cgotrap/results-left-out"},
                        "message": {"text": text},
                    }
                ],
            }
        ]
    return {"$schema": SCHEMA_URI, "version": "2.1.0", "runs": [run]}


def _text(document: dict[str, Any]) -> str:
    return dumps(document) + "\n"  # (json.dumps's text with indent=2, ensure_ascii=False)


def _gzipped_size(text: str) -> int:
    return len(gzip.compress(text.encode("utf-8", "surrogateescape"), compresslevel=6))


def format_sarif(report: FindingsReport, *, max_gzipped: int = MAX_GZIPPED) -> str:
    """The SARIF 2.1.0 log as text, within GitHub's limits (`max_gzipped`: for tests)."""
    text = _text(to_sarif(report))
    if _gzipped_size(text) <= max_gzipped:
        return text
    low, high = 0, min(len(report.findings), MAX_RESULTS)  # low fits, high does not
    while high - low > 1:
        middle = (low + high) // 2
        if _gzipped_size(_text(to_sarif(report, keep=middle))) <= max_gzipped:
            low = middle
        else:
            high = middle
    return _text(to_sarif(report, keep=low))
