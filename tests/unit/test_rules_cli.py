"""`cgotrap rules` and `cgotrap explain`: the registry in the terminal."""

from __future__ import annotations

import pytest

from cgotrap.cli import main as cli
from cgotrap.judge.rules import Rule, all_rules


def test_rules_lists_every_rule_once(capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["rules"]) == 0
    out = capsys.readouterr().out
    lines = out.splitlines()
    for r in all_rules():
        rows = [line for line in lines if line.startswith(f"{r.id} ")]
        assert len(rows) == 1, r.id
        assert r.name in rows[0]
        assert r.severity.value in rows[0]
    assert "CGO099" in out


@pytest.mark.parametrize("rule", all_rules(), ids=lambda r: r.id)
def test_explain_prints_the_whole_documentation(
    rule: Rule, capsys: pytest.CaptureFixture[str]
) -> None:
    assert cli.main(["explain", rule.id.lower()]) == 0
    out = capsys.readouterr().out
    assert out.startswith(f"{rule.id} {rule.name}")
    # every word of the docstring, in order (the terminal view only re-wraps it)
    assert " ".join(out.split()[6:]) == " ".join(rule.doc.split())


def test_explain_by_name(capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["explain", "header-missing-on-target"]) == 0
    assert capsys.readouterr().out.startswith("CGO004 header-missing-on-target")


@pytest.mark.parametrize(
    ("word", "suggestions"),
    [("CGO04", ["CGO004"]), ("header-missing", ["header-missing-on-target"]), ("zzz", [])],
)
def test_unknown_rule_is_exit_2_with_close_matches(
    word: str, suggestions: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    assert cli.main(["explain", word]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    err = captured.err.strip()
    assert err.startswith(f"cgotrap: unknown rule {word!r}")
    assert "\n" not in err
    for suggestion in suggestions:
        assert suggestion in err
    assert ("did you mean" in err) is bool(suggestions)


def test_explain_escapes_control_characters(capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["explain", "CGO\x1b[31m"]) == 2
    assert "\x1b" not in capsys.readouterr().err
