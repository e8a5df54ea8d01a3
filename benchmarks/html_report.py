"""Benchmark: the single-file HTML report of a large scan (2,000 packages by default).

    python benchmarks/html_report.py [--packages 2000] [--groups 12] [--per-package 3]

Builds a findings report of that many packages (findings made from the real rules, spread
over target groups), renders it with `format_html`, and opens it in Debian's headless
Chromium (Playwright, as the tests do). Prints the file size, the render time in Python,
the time to first render (navigation start to the report drawn, as the page measures it,
and the wall time of `goto` until drawn), and the time to open a cell (click to the next
painted frame), median of 20 cells. Not a test: numbers depend on the machine's load.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

from cgotrap.judge.finding import Evidence, Finding
from cgotrap.judge.rules import all_rules
from cgotrap.render.findings import Column, Command, FindingsReport, Row, _reported
from cgotrap.render.html import format_html
from cgotrap.targets import Target, expand

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.formattools import chromium_page  # noqa: E402  # the tests' Chromium launcher


def make_report(packages: int, groups: int, per_package: int) -> FindingsReport:
    """A scan-like report: `packages` rows, `groups` columns, findings from every rule."""
    targets = list(expand("all", (False, True), skip_unsupported_cgo=True))
    size = max(1, len(targets) // groups)
    chunks = [targets[i * size : (i + 1) * size] for i in range(groups)]
    columns = tuple(
        (
            Column(key=chr(65 + i), label=f"group {i}", targets=tuple(t.name for t in c)),
            frozenset(c),
        )
        for i, c in enumerate(chunks)
    )
    rules = [r for r in all_rules() if r.id[3] == "0"]
    findings: list[Finding] = []
    for p in range(packages):
        name = f"example.com/big/pkg{p:04d}"
        for k in range(per_package):
            rule = rules[(p + k) % len(rules)]
            values = {n: f"v{k}" for n in rule.fields() if n not in ("package", "subject")}
            chosen: list[Target] = chunks[(p + k) % groups] + chunks[(p * 7 + k) % groups]
            findings.append(
                Finding(
                    rule=rule,
                    package=name,
                    subject=f"s{k}.h",
                    targets=tuple(dict.fromkeys(chosen)),
                    message=rule.format(package=name, subject=f"s{k}.h", **values),
                    evidence=(Evidence(file=f"pkg{p:04d}/f{k}.go", line=10 + k, text="x" * 80),),
                )
            )
    reported = _reported(
        findings, judged=None, universe=targets, columns=columns, dirs={}, fallback="go.mod"
    )
    return FindingsReport(
        command=Command.SCAN,
        tool_version="bench",
        title="./...",
        findings=reported,
        columns=tuple(c for c, _ in columns),
        rows=tuple(
            Row(name=f"example.com/big/pkg{p:04d}", statuses=("cgo",) * groups)
            for p in range(packages)
        ),
        rules=all_rules(),
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--packages", type=int, default=2000)
    parser.add_argument("--groups", type=int, default=12)
    parser.add_argument("--per-package", type=int, default=3)
    args = parser.parse_args()

    report = make_report(args.packages, args.groups, args.per_package)
    started = time.perf_counter()
    text = format_html(report)
    rendered = time.perf_counter() - started
    print(
        f"{args.packages} packages x {len(report.columns)} groups, "
        f"{len(report.findings)} findings: {len(text) / 1e6:.1f} MB HTML, "
        f"format_html {rendered * 1000:.0f} ms"
    )
    with tempfile.TemporaryDirectory(prefix="cgotrap-bench-") as folder:
        path = Path(folder) / "report.html"
        path.write_text(text, encoding="utf-8")
        with chromium_page() as seen:
            page = seen.page
            started = time.perf_counter()
            page.goto(path.as_uri())
            page.wait_for_selector("body[data-ready='1']", timeout=120_000)
            wall = time.perf_counter() - started
            first = page.evaluate("performance.now()")
            print(f"first render: {first:.0f} ms in the page, {wall * 1000:.0f} ms wall (goto)")
            opened = []
            cells = page.locator(".cell")
            count = cells.count()
            for i in range(20):
                index = (i * 997) % count
                ms = page.evaluate(
                    """index => new Promise(done => {
                        const cell = document.querySelectorAll('.cell')[index];
                        const t = performance.now();
                        cell.click();
                        requestAnimationFrame(() => requestAnimationFrame(
                            () => done(performance.now() - t)));
                    })""",
                    index,
                )
                opened.append(float(ms))
            print(
                f"open a cell: median {statistics.median(opened):.0f} ms, "
                f"max {max(opened):.0f} ms (20 cells of {count})"
            )
            if seen.errors:
                print(f"console errors: {seen.errors}")


if __name__ == "__main__":
    main()
