"""`cli.gate.prepare_emit`: what a scan imports for its output while its directories are
scanned is what `emit_scan` then uses, for every `--format`."""

from __future__ import annotations

import subprocess
import sys

import pytest

from cgotrap.render.formats import OutputFormat

_PREPARE = """
import argparse, sys
before = set(sys.modules)
from cgotrap.cli import gate
gate.prepare_emit(argparse.Namespace(format=sys.argv[1], output=None))
print(*sorted(set(sys.modules) - before))
"""

_MODULES = {
    OutputFormat.TABLE: set(),  # (not a terminal: the plain table, scan's renderer)
    OutputFormat.JSON: set(),
    OutputFormat.SARIF: {"cgotrap.render.sarif", "cgotrap.render.findings"},
    OutputFormat.GITHUB: {"cgotrap.render.annotations", "cgotrap.render.findings"},
    OutputFormat.MARKDOWN: {"cgotrap.render.markdown", "cgotrap.render.findings"},
    OutputFormat.JUNIT: {"cgotrap.render.junit", "cgotrap.render.findings"},
    OutputFormat.CODECLIMATE: {"cgotrap.render.codeclimate", "cgotrap.render.findings"},
    OutputFormat.HTML: {"cgotrap.render.html", "cgotrap.render.findings"},
}


@pytest.mark.parametrize("fmt", list(OutputFormat))
def test_prepare_emit_imports_the_formats_renderer(fmt: OutputFormat) -> None:
    done = subprocess.run(
        [sys.executable, "-c", _PREPARE, fmt.value], capture_output=True, text=True, check=True
    )
    imported = set(done.stdout.split())
    assert {"cgotrap.render.scan", "cgotrap.render.gate", *_MODULES[fmt]} <= imported
    assert not {m for m in imported if m == "rich" or m.startswith("rich.")}  # no terminal
