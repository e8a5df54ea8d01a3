"""docs/rules.md is generated from the rule registry and checked in: it must be current."""

from __future__ import annotations

import importlib.util
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
