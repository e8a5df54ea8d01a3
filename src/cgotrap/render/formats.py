"""The output formats of the commands that produce findings, and the formatter of each.

`table` and `json` are each command's own (`render.scan`, `render.inspect`,
`render.matrix`); every other format is a pure function over the one `FindingsReport` view
(`render.findings`), the same for scan, inspect and matrix. `formatter(fmt)` maps a format to
its function; the CLI decides where the text goes.
"""

from __future__ import annotations

import enum
from collections.abc import Callable
from typing import TYPE_CHECKING, assert_never

if TYPE_CHECKING:  # the formatters import it; `--format` parsing must not (CLI start-up)
    from cgotrap.render.findings import FindingsReport


class OutputFormat(enum.StrEnum):
    """`--format` values of scan, inspect and matrix."""

    TABLE = "table"
    JSON = "json"
    SARIF = "sarif"
    GITHUB = "github"
    MARKDOWN = "markdown"
    JUNIT = "junit"
    CODECLIMATE = "codeclimate"
    HTML = "html"


class ReportFormat(enum.StrEnum):
    """The formats written over the findings view (every `OutputFormat` but table and json)."""

    SARIF = "sarif"
    GITHUB = "github"
    MARKDOWN = "markdown"
    JUNIT = "junit"
    CODECLIMATE = "codeclimate"
    HTML = "html"


def report_format(fmt: OutputFormat) -> ReportFormat | None:
    """The findings-view format `fmt` is, or None for the command's own table and JSON."""
    match fmt:
        case OutputFormat.TABLE | OutputFormat.JSON:
            return None
        case (
            OutputFormat.SARIF
            | OutputFormat.GITHUB
            | OutputFormat.MARKDOWN
            | OutputFormat.JUNIT
            | OutputFormat.CODECLIMATE
            | OutputFormat.HTML
        ):
            return ReportFormat(fmt.value)
        case _:
            assert_never(fmt)


def formatter(fmt: ReportFormat) -> Callable[[FindingsReport], str]:
    """The pure function that writes `fmt`."""
    match fmt:
        case ReportFormat.SARIF:
            from cgotrap.render.sarif import format_sarif

            return format_sarif
        case ReportFormat.GITHUB:
            from cgotrap.render.annotations import format_github

            return format_github
        case ReportFormat.MARKDOWN:
            from cgotrap.render.markdown import format_markdown

            return format_markdown
        case ReportFormat.JUNIT:
            from cgotrap.render.junit import format_junit

            return format_junit
        case ReportFormat.CODECLIMATE:
            from cgotrap.render.codeclimate import format_codeclimate

            return format_codeclimate
        case ReportFormat.HTML:
            from cgotrap.render.html import format_html

            return format_html
        case _:
            assert_never(fmt)
