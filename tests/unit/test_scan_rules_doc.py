"""docs/rules.md is generated from the rule registry and checked in: it must be current."""

from __future__ import annotations

import importlib.util
import textwrap
from pathlib import Path

from cgotrap.judge.rules import all_rules

ROOT = Path(__file__).resolve().parents[2]


def _generator() -> object:
    spec = importlib.util.spec_from_file_location(
        "gen_rules_doc", ROOT / "scripts" / "gen_rules_doc.py"
    )
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_checked_in_rules_doc_is_current() -> None:
    text = _generator().render()  # type: ignore[attr-defined]  # module loaded from a path
    checked_in = (ROOT / "docs" / "rules.md").read_text()
    assert checked_in == text, "docs/rules.md is stale: run python scripts/gen_rules_doc.py"


def test_rules_doc_has_every_rule_with_its_fix() -> None:
    text = (ROOT / "docs" / "rules.md").read_text()
    for r in all_rules():
        assert f"## {r.id} {r.name}" in text
    assert "*How to fix:*" in text


def _literal_block(doc: str) -> str:
    """The indented block after "Example::" in a rule docstring, dedented."""
    after = doc.split("Example::", 1)[1].splitlines()[1:]
    block = []
    for line in after:
        if line.strip() and not line.startswith(" "):
            break
        block.append(line)
    return textwrap.dedent("\n".join(block)).strip("\n")


def test_example_code_blocks_are_fenced_with_their_lines_kept() -> None:
    text = (ROOT / "docs" / "rules.md").read_text()
    with_code = [r for r in all_rules() if "Example::" in r.doc]
    # Multi-line examples, so flattening would show.
    assert sum("\n" in _literal_block(r.doc) for r in with_code) >= 10
    for r in with_code:
        block = _literal_block(r.doc)
        section = text.split(f"## {r.id} {r.name}", 1)[1].split("\n## ", 1)[0]
        assert f"*Example:*\n\n```\n{block}\n```\n" in section, r.id
    assert "*Example:*:" not in text


def test_generator_keeps_prose_and_code_apart() -> None:
    body = (
        "Why it breaks: one\n    two.\n\nExample::\n\n    int a;\n\n      indented\n"
        "    last\n\nAdded in 0.1.0."
    )
    lines = _generator().markdown(body)  # type: ignore[attr-defined]  # loaded from a path
    assert lines == [
        "*Why it breaks:* one two.",
        "",
        "*Example:*",
        "",
        "```",
        "int a;",
        "",
        "  indented",
        "last",
        "```",
        "",
    ]
