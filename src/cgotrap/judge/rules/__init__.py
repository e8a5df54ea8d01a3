"""The rule registry: every finding cgotrap reports cites one rule from here.

A rule's docstring *is* its user documentation (what, why it breaks, how to fix, an example);
every output format draws from this one registry. ID ranges per area, so areas never collide:

- CGO001-CGO099  source scan (`scan`, `fix`): `judge/rules/source.py`
- CGO100-CGO199  real builds (`matrix`): `judge/rules/build.py`
- CGO200-CGO299  binaries (`inspect`): `judge/rules/binary.py`

A rule's findings are made through it, `rule.finding(package=..., subject=..., targets=...,
**fields)`, worded by its message template (`cgotrap.judge.finding`). Define a rule with the
`rule` decorator on a documentation-only function::

    @rule(
        "CGO005",
        "needs-system-library",
        Severity.WARNING,
        message="{package}: links -l{subject}, which is not part of the target's libc",
        subject="library",
    )
    def _() -> None:
        '''A cgo package links a C library (`-lNAME`) that is not part of the target's libc. ...'''
"""

from __future__ import annotations

import sys
from collections.abc import Callable

from cgotrap.judge.finding import RESERVED, Rule, Severity

__all__ = ["Rule", "Severity", "all_rules", "get", "rule"]

_REGISTRY: dict[str, Rule] = {}


def _cleandoc(doc: str) -> str:
    """`inspect.cleandoc`, as documented: tabs expanded; the first line's leading
    whitespace removed, and the indentation the other lines share; blank lines at both ends
    dropped. (Not `inspect` itself: importing it, with ast, dis and tokenize, was ~5 ms of a
    cold scan, for this alone.)"""
    lines = doc.expandtabs().split("\n")
    margin = min(
        (len(line) - len(line.lstrip()) for line in lines[1:] if line.lstrip()),
        default=sys.maxsize,
    )
    lines[0] = lines[0].lstrip()
    if margin < sys.maxsize:
        lines[1:] = [line[margin:] for line in lines[1:]]
    while lines and not lines[-1]:
        lines.pop()
    while lines and not lines[0]:
        lines.pop(0)
    return "\n".join(lines)


def rule(
    rule_id: str,
    name: str,
    severity: Severity,
    *,
    message: str,
    subject: str = "",
    added: str = "0.1.0",
) -> Callable[[Callable[[], None]], Rule]:
    """Register the decorated function's docstring as rule `rule_id`, its findings worded by
    the template `message` (named fields; `package` and `subject` always available) and
    about a `subject` of the kind named ("header", "library", "binary"; "" for the package)."""

    def register(fn: Callable[[], None]) -> Rule:
        doc = _cleandoc(fn.__doc__ or "")
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
            message=message,
            subject=subject,
        )
        if clash := RESERVED.intersection(registered.fields()):
            raise ValueError(f"rule {rule_id}'s message uses reserved fields {sorted(clash)}")
        _REGISTRY[rule_id] = registered
        return registered

    return register


def all_rules() -> tuple[Rule, ...]:
    """Every registered rule, by ID."""
    _load_all()
    return tuple(_REGISTRY[k] for k in sorted(_REGISTRY))


def registered(rule_id: str) -> Rule | None:
    """The rule registered as `rule_id` so far, or None (no module is imported)."""
    return _REGISTRY.get(rule_id)


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
