"""The oracles of the format tests: Microsoft's SARIF multitool, the SARIF schema, Chromium.

All are installed by `scripts/bootstrap` (the multitool into the project-local `.tools/`,
Debian's chromium with apt-get, Playwright from the test extra); a missing one fails the
test with what to run, it never skips.

Two things measured with multitool 5.7.0 that shape `sarif_errors`:
- `validate` exits 0 even when it reports errors: the verdict is in its log (`-o LOG`),
  as results whose `level` is "error" (JSON1002 missing property, SARIF1007, ...).
- a value outside an enum (`"level": "fatal"`) makes it report nothing at all, exit 0
  ("Analysis completed successfully"), so the log alone would pass such a file; the JSON
  schema (shipped in the multitool's package) catches it, so both are checked.
"""

from __future__ import annotations

import contextlib
import json
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
TOOLS = ROOT / ".tools"
SARIF_SCHEMA = TOOLS / "node_modules" / "@microsoft" / "sarif-multitool-linux" / "sarif-2.1.0.json"
CHROMIUM_FLAGS = (
    "--no-sandbox",
    "--headless",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
)


def multitool() -> list[str]:
    """The command that runs the SARIF multitool from `.tools/`."""
    npx = shutil.which("npx")
    assert npx is not None, "npx not found: run scripts/bootstrap"
    assert (TOOLS / "node_modules" / ".bin" / "sarif-multitool").exists(), (
        "the SARIF multitool is not in .tools/: run scripts/bootstrap"
    )
    return [npx, "--prefix", str(TOOLS), "--no-install", "sarif-multitool"]


def multitool_results(sarif: Path, work: Path) -> list[dict[str, Any]]:
    """Every result of `sarif-multitool validate` on the file (all levels)."""
    log = work / f"{sarif.name}.validation.sarif"
    done = subprocess.run(
        [*multitool(), "validate", "--log", "ForceOverwrite", "-o", str(log), str(sarif)],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    data = json.loads(log.read_text(encoding="utf-8-sig"))
    results: list[dict[str, Any]] = []
    for run in data.get("runs", []):
        results.extend(run.get("results", []))
    return results


def schema_errors(document: Any) -> list[str]:
    """Errors of the document against the SARIF 2.1.0 JSON schema (shipped with the tool)."""
    import jsonschema

    assert SARIF_SCHEMA.is_file(), f"{SARIF_SCHEMA} missing: run scripts/bootstrap"
    schema = json.loads(SARIF_SCHEMA.read_text(encoding="utf-8-sig"))
    validator = jsonschema.validators.validator_for(schema)(schema)
    return [f"{list(e.absolute_path)}: {e.message}" for e in validator.iter_errors(document)]


def sarif_errors(sarif: Path, work: Path) -> list[str]:
    """Schema errors plus the multitool's error-level results: [] for a valid file."""
    errors = schema_errors(json.loads(sarif.read_text(encoding="utf-8")))
    for result in multitool_results(sarif, work):
        if result.get("level", "warning") == "error":
            message = result.get("message", {})
            errors.append(f"{result.get('ruleId')}: {message.get('id')} {message.get('arguments')}")
    return errors


def chromium_path() -> str:
    """Debian's chromium (Playwright drives it; its own browser download is not used)."""
    for name in ("chromium", "chromium-browser"):
        found = shutil.which(name)
        if found:
            return found
    raise AssertionError("chromium not found: run scripts/bootstrap")


@dataclass
class Page:
    """A Playwright page and what its console said."""

    page: Any
    """playwright.sync_api.Page."""
    errors: list[str] = field(default_factory=list)
    """Console errors and uncaught exceptions, in order."""


@contextlib.contextmanager
def chromium_page() -> Iterator[Page]:
    """A page of a headless Chromium with a throw-away profile, no network chatter."""
    from playwright.sync_api import sync_playwright

    with (
        tempfile.TemporaryDirectory(prefix="cgotrap-chromium-") as profile,
        sync_playwright() as pw,
    ):
        context = pw.chromium.launch_persistent_context(
            user_data_dir=profile,
            executable_path=chromium_path(),
            headless=True,
            args=list(CHROMIUM_FLAGS),
        )
        try:
            page = context.new_page()
            seen = Page(page=page)
            page.on("console", lambda m: seen.errors.append(m.text) if m.type == "error" else None)
            page.on("pageerror", lambda e: seen.errors.append(str(e)))
            yield seen
        finally:
            context.close()
