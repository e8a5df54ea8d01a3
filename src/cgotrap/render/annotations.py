"""GitHub Actions workflow commands, one annotation per finding: `format_github(report)`.

    ::error file=db/db.go,line=3,title=CGO004 needs-system-header::db: includes <sys/...>

Errors and warnings are `::error`/`::warning`, notes `::notice`; suppressed findings are
not annotated (they are accepted), a last `::notice` counts them. GitHub's escaping: in the
message `%`, CR and LF become `%25`, `%0D`, `%0A`; in the properties also `:` and `,`
(`%3A`, `%2C`), so a name from the scanned world can never end the command early or start
another one (`\\n::set-output`).
"""

from __future__ import annotations

from typing import assert_never

from cgotrap.judge.finding import Severity
from cgotrap.render.findings import FindingsReport, Reported


def escape_data(text: str) -> str:
    """GitHub's escaping of a workflow command's message."""
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(text: str) -> str:
    """GitHub's escaping of a workflow command's property value."""
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")


def _command(severity: Severity) -> str:
    match severity:
        case Severity.ERROR:
            return "error"
        case Severity.WARNING:
            return "warning"
        case Severity.NOTE:
            return "notice"
        case _:
            assert_never(severity)


def _line(found: Reported, report: FindingsReport) -> str:
    properties = []
    if found.path:
        properties.append(f"file={escape_property(report.repo_path(found.path))}")
        if found.line is not None:
            properties.append(f"line={found.line}")
    properties.append(f"title={escape_property(f'{found.rule_id} {found.rule.name}')}")
    message = found.message + (f" (on {found.where})" if found.where else "")
    return f"::{_command(found.severity)} {','.join(properties)}::{escape_data(message)}"


def format_github(report: FindingsReport) -> str:
    """One workflow command per finding that counts, and a notice of the suppressed ones."""
    lines = [_line(f, report) for f in report.findings if f.suppression is None]
    if report.suppressed:
        lines.append(
            f"::notice title=cgotrap::{report.suppressed} suppressed finding(s) not annotated"
        )
    return "".join(line + "\n" for line in lines)
