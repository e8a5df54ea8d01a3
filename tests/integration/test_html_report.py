"""The HTML report in a real headless Chromium (Debian's, driven by Playwright).

What is checked is what a reader relies on: it draws without console errors, a click on a
cell shows exactly that cell's findings, each filter hides exactly what it should, the
theme follows the system and the toggle, and names with `<script>`, quotes or ANSI escapes
are shown as text and never run.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from cgotrap.cli.main import main_inner
from cgotrap.render.findings import FindingsReport
from cgotrap.render.html import format_html
from tests.formattools import Page, chromium_page
from tests.reportfixtures import HOSTILE, every_rule_report

pytestmark = pytest.mark.integration

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "cgotraps"


@pytest.fixture(scope="module")
def report() -> FindingsReport:
    return every_rule_report(hostile=True, suppress_first=True)


@pytest.fixture(scope="module")
def browser() -> Iterator[Page]:
    """One Chromium page for the module (a launch costs ~2 s); each test loads its file."""
    with chromium_page() as seen:
        yield seen


def _load(seen: Page, path: Path) -> Page:
    seen.errors.clear()
    seen.page.goto(path.as_uri())
    seen.page.wait_for_selector("body[data-ready='1']", timeout=20_000)
    return seen


@pytest.fixture
def page(report: FindingsReport, browser: Page, tmp_path: Path) -> Page:
    path = tmp_path / "report.html"
    path.write_text(format_html(report), encoding="utf-8")
    return _load(browser, path)


def _ids(page: Any, selector: str) -> list[int]:
    ids: list[int] = page.eval_on_selector_all(
        selector, "nodes => nodes.map(n => Number(n.dataset.id))"
    )
    return ids


def _reset(page: Any) -> None:
    for name in ("error", "warning", "note", "suppressed"):
        page.check(f"#filter-{name}")
    page.select_option("#filter-target", "")
    page.select_option("#filter-rule", "")


def test_it_renders_without_console_errors(page: Page, report: FindingsReport) -> None:
    assert page.errors == []
    assert _ids(page.page, "#all-findings .finding") == list(range(len(report.findings)))
    rows = page.page.eval_on_selector_all("#heatmap-body tr", "n => n.map(r => r.dataset.row)")
    assert rows == [r.name for r in report.rows]


def test_names_are_text_never_markup(page: Page, report: FindingsReport) -> None:
    p = page.page
    assert p.evaluate("window.__pwned") is None
    assert p.evaluate("document.scripts.length") == 2  # the data and the report's own
    assert p.evaluate("document.querySelectorAll('body script').length") == 2
    first = p.locator("#heatmap-body th.row").first.text_content()
    assert first == report.rows[0].name
    assert "<script>window.__pwned=1</script>" in (first or "")
    assert "\\x1b[31m" in (first or "")
    assert "\x1b" not in (first or "")
    assert HOSTILE.split("\x1b")[0] in (
        p.locator("#all-findings .message").first.text_content() or ""
    )


def test_a_click_on_a_cell_shows_exactly_its_findings(page: Page, report: FindingsReport) -> None:
    p = page.page
    _reset(p)
    columns = [c.key for c in report.columns]
    for row_index, row in enumerate(report.rows):
        for key in columns:
            p.click(f'.cell[data-row-index="{row_index}"][data-column="{key}"]')
            expected = [
                i for i, f in enumerate(report.findings) if f.row == row.name and key in f.columns
            ]
            assert _ids(p, "#cell-findings .finding") == expected, (row.name, key)
            title = p.locator("#cell-title").text_content() or ""
            assert title.startswith(row.name + " × " + key)
    assert page.errors == []


def test_each_filter_hides_exactly_what_it_should(page: Page, report: FindingsReport) -> None:
    p = page.page
    everything = list(range(len(report.findings)))

    def visible_rows() -> list[str]:
        rows: list[str] = p.eval_on_selector_all(
            "#heatmap-body tr:not([hidden])", "n => n.map(r => r.dataset.row)"
        )
        return rows

    def cell_total() -> int:
        total: int = p.eval_on_selector_all(
            "#heatmap-body tr:not([hidden]) .cell",
            "n => n.reduce((s, c) => s + Number(c.dataset.count), 0)",
        )
        return total

    for severity in ("error", "warning", "note"):
        _reset(p)
        p.uncheck(f"#filter-{severity}")
        kept = [i for i in everything if report.findings[i].severity.value != severity]
        assert _ids(p, "#all-findings .finding") == kept, severity
        assert cell_total() == sum(len(report.findings[i].columns) for i in kept)
    _reset(p)
    p.uncheck("#filter-suppressed")
    kept = [i for i in everything if report.findings[i].suppression is None]
    assert _ids(p, "#all-findings .finding") == kept
    for rule_id in sorted({f.rule_id for f in report.findings}):
        _reset(p)
        p.select_option("#filter-rule", rule_id)
        kept = [i for i in everything if report.findings[i].rule_id == rule_id]
        assert _ids(p, "#all-findings .finding") == kept, rule_id
        assert visible_rows() == list(dict.fromkeys(report.findings[i].row for i in kept))
    for column in report.columns:
        _reset(p)
        p.select_option("#filter-target", column.key)
        heads = p.eval_on_selector_all(
            "#heatmap-head th[data-column]", "n => n.map(h => h.dataset.column)"
        )
        assert heads == [column.key]
        kept = [i for i in everything if column.key in report.findings[i].columns]
        assert _ids(p, "#all-findings .finding") == kept, column.key
        assert cell_total() == len(kept)
    _reset(p)
    assert _ids(p, "#all-findings .finding") == everything
    assert page.errors == []


def test_dark_and_light(page: Page) -> None:
    p = page.page

    def background() -> str:
        color: str = p.evaluate("getComputedStyle(document.body).backgroundColor")
        return color

    p.emulate_media(color_scheme="light")
    assert p.locator("#theme").text_content() == "theme: auto"
    light = background()
    p.emulate_media(color_scheme="dark")
    dark = background()
    assert light == "rgb(255, 255, 255)"
    assert dark != light
    p.click("#theme")  # auto -> dark
    p.emulate_media(color_scheme="light")
    assert p.evaluate("document.documentElement.dataset.theme") == "dark"
    assert background() == dark
    p.click("#theme")  # dark -> light
    p.emulate_media(color_scheme="dark")
    assert background() == light
    p.click("#theme")  # back to auto
    assert page.errors == []


@pytest.mark.parametrize("command", ["matrix", "inspect"])
def test_matrix_and_inspect_reports_open_their_cells(
    command: str, browser: Page, tmp_path: Path
) -> None:
    from cgotrap.render.findings import from_inspect, from_matrix
    from tests.unit.test_inspect_render import _report as inspect_report
    from tests.unit.test_matrix import _report as matrix_report

    report = from_matrix(matrix_report()) if command == "matrix" else from_inspect(inspect_report())
    assert report.findings
    path = tmp_path / "report.html"
    path.write_text(format_html(report), encoding="utf-8")
    p = _load(browser, path).page
    for row_index, row in enumerate(report.rows):
        for column in report.columns:
            p.click(f'.cell[data-row-index="{row_index}"][data-column="{column.key}"]')
            expected = [
                i
                for i, f in enumerate(report.findings)
                if f.row == row.name and column.key in f.columns
            ]
            assert _ids(p, "#cell-findings .finding") == expected, (row.name, column.key)
    assert browser.errors == []


def test_the_scan_of_the_example_renders(tmp_path: Path, browser: Page) -> None:
    out = tmp_path / "scan.html"
    assert main_inner(["scan", str(EXAMPLE), "--format", "html", "-o", str(out)]) == 1
    seen = _load(browser, out)
    assert seen.errors == []
    assert seen.page.locator("#heatmap-body tr").count() >= 4
    first = seen.page.locator(".cell.worst-error").first
    first.click()
    assert seen.page.locator("#cell-findings .finding").count() == int(
        first.get_attribute("data-count") or "0"
    )
    assert "sqlite" in (seen.page.locator("body").text_content() or "")
