"""The rule registry: every finding cgotrap reports cites one rule from here.

A rule's docstring *is* its user documentation (what, why it breaks, how to fix, an example);
every output format draws from this one registry. ID ranges per area, so areas never collide:

- CGO001-CGO099  source scan (`scan`, `fix`): `judge/rules/source.py`
- CGO100-CGO199  real builds (`matrix`): `judge/rules/build.py`
- CGO200-CGO299  binaries (`inspect`): `judge/rules/binary.py`

Define a rule with the `rule` decorator on a documentation-only function::

    @rule("CGO001", "cgo-without-fallback", Severity.ERROR, added="0.1.0")
    def _() -> None:
        '''A package uses cgo and has no Go files left with CGO_ENABLED=0. ...'''
"""

from __future__ import annotations

import dataclasses
import enum
import inspect
from collections.abc import Callable


class Severity(enum.StrEnum):
    """How bad a finding is."""

    ERROR = "error"
    WARNING = "warning"
    NOTE = "note"


@dataclasses.dataclass(frozen=True, kw_only=True, slots=True)
class Rule:
    """One kind of finding, with a stable ID and its documentation."""

    id: str
    """Stable identifier, "CGO001"; never reused for another meaning."""
    name: str
    """Short kebab-case name, "cgo-without-fallback"."""
    severity: Severity
    """Default severity."""
    summary: str
    """First line of the documentation."""
    doc: str
    """The full documentation: what, why it breaks, how to fix, example."""
    added: str
    """The cgotrap version that introduced the rule."""


_REGISTRY: dict[str, Rule] = {}


def rule(
    rule_id: str, name: str, severity: Severity, *, added: str = "0.1.0"
) -> Callable[[Callable[[], None]], Rule]:
    """Register the decorated function's docstring as rule `rule_id`."""

    def register(fn: Callable[[], None]) -> Rule:
        doc = inspect.cleandoc(fn.__doc__ or "")
        if not doc:
            raise ValueError(f"rule {rule_id} has no documentation")
        if rule_id in _REGISTRY:
            raise ValueError(f"rule id {rule_id} registered twice")
        registered = Rule(
            id=rule_id,
            name=name,
            severity=severity,
            summary=doc.splitlines()[0],
            doc=doc,
            added=added,
        )
        _REGISTRY[rule_id] = registered
        return registered

    return register


def all_rules() -> tuple[Rule, ...]:
    """Every registered rule, by ID."""
    _load_all()
    return tuple(_REGISTRY[k] for k in sorted(_REGISTRY))


def get(rule_id: str) -> Rule:
    """The rule with this ID (KeyError if unknown)."""
    _load_all()
    return _REGISTRY[rule_id]


def _load_all() -> None:
    # Importing the area modules registers their rules.
    from cgotrap.judge.rules import (  # noqa: F401  # imported to register
        binary,
        build,
        source,
        suppression,
    )
