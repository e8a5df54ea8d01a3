"""Every registered rule is raised by some test.

The test session watches `Rule.finding` (the one way detection code makes a finding) and
records the rules raised. When the whole suite ran (every test file collected, nothing
deselected, no `-k`, nothing failed) a rule no test raised fails the session: a rule whose
detection no test exercises is documentation without a check behind it. A finding a test
builds by hand (`Finding(rule=...)`) does not count: only detection code calls `finding`
(a test of the record itself that calls it, `test_finding.py`, uses rules that detection
tests raise anyway).
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

import pytest

from cgotrap.judge.finding import Evidence, Finding, Rule, Step
from cgotrap.judge.rules import all_rules
from cgotrap.targets import Target

TESTS = Path(__file__).resolve().parent

RAISED: set[str] = set()
"""IDs of the rules detection code raised in this session."""

DESELECTED: list[pytest.Item] = []
"""Tests deselected (`-m`, `--deselect`): the session then is not the whole suite."""


def watch(mp: pytest.MonkeyPatch) -> None:
    """Record every rule whose `finding` is called, for the rest of `mp`'s life."""
    original = Rule.finding

    def finding(
        self: Rule,
        *,
        package: str = "",
        subject: str = "",
        targets: tuple[Target, ...] = (),
        evidence: tuple[Evidence, ...] = (),
        files: tuple[str, ...] = (),
        condition: str = "",
        step: Step | None = None,
        template: str | None = None,
        values: Mapping[str, object] | None = None,
        **fields: object,
    ) -> Finding:
        RAISED.add(self.id)
        return original(
            self,
            package=package,
            subject=subject,
            targets=targets,
            evidence=evidence,
            files=files,
            condition=condition,
            step=step,
            template=template,
            values=values,
            **fields,
        )

    mp.setattr(Rule, "finding", finding)


def whole_suite(session: pytest.Session) -> bool:
    """Whether this session ran every test of the suite (and none failed)."""
    if session.testsfailed or DESELECTED or session.config.option.keyword:
        return False
    collected = {Path(item.path) for item in session.items}
    return all(path in collected for path in TESTS.rglob("test_*.py"))


def missing() -> list[str]:
    """Registered rules no detection code raised in this session, by ID."""
    return [r.id for r in all_rules() if r.id not in RAISED]
