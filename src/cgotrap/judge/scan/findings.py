"""Rule hits of every target merged into findings, worded by the rules' templates."""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence

from cgotrap.judge.finding import Finding, Rule, Severity
from cgotrap.judge.rules import source as rules
from cgotrap.judge.scan.package import Hit

_SEVERITY_ORDER = {Severity.ERROR: 0, Severity.WARNING: 1, Severity.NOTE: 2}


def merge_findings(hits: Sequence[Hit]) -> tuple[Finding, ...]:
    """One finding per (rule, package, subject) over every target it holds on, errors first."""
    merged: dict[tuple[str, str, str], list[Hit]] = {}
    for h in hits:
        merged.setdefault((h.rule.id, h.package, h.subject), []).append(h)
    out: list[Finding] = []
    for (_, package, subject), group in merged.items():
        r = group[0].rule
        targets = tuple(dict.fromkeys(h.target for h in group))
        files = tuple(sorted({f for h in group for f in h.files}))
        extra = tuple(sorted({f for h in group for f in h.extra}))
        labels = tuple(sorted({lab for h in group for lab in h.labels}))
        evidence = tuple(dict.fromkeys(e for h in group for e in h.evidence))
        values = dict(group[0].values)
        conditions = sorted({h.condition for h in group if h.condition})
        condition = conditions[0] if conditions else ""
        found = r.finding(
            package=package,
            subject=subject,
            targets=targets,
            files=files,
            condition=condition,
            evidence=evidence,
            values={
                **_fields(r, subject=subject, files=files, extra=extra, labels=labels),
                **values,
            },
        )
        if condition:
            certain = sum(1 for h in group if not h.condition)
            where = "" if not certain else f" on {len(group) - certain} of these targets"
            found = dataclasses.replace(
                found,
                message=f"{found.message}; the include is compiled {condition}{where}, which "
                "cgotrap cannot decide",
            )
        out.append(found)
    out.sort(key=lambda f: (_SEVERITY_ORDER[f.severity], f.rule.id, f.package, f.subject))
    return tuple(out)


_MESSAGE_FILES = 4
"""Files named in a message before "(+N more)"; `Finding.files` has them all."""


def _names(files: Sequence[str]) -> str:
    if not files:
        return "its cgo files"
    shown = ", ".join(files[:_MESSAGE_FILES])
    more = len(files) - _MESSAGE_FILES
    return f"{shown} (+{more} more)" if more > 0 else shown


def _drop(files: Sequence[str]) -> str:
    return f"{_names(files)} {'drops' if len(files) == 1 else 'drop'} out"


def _take(files: Sequence[str]) -> str:
    return f"{_names(files)} {'takes' if len(files) == 1 else 'take'} over"


def _fields(
    r: Rule,
    *,
    subject: str,
    files: Sequence[str],
    extra: Sequence[str],
    labels: Sequence[str],
) -> dict[str, object]:
    """The fields the source rules' templates use, from a merged hit: `names` (the files),
    `dropped` / `taking_over` (files dropping out / taking over), `libcs`, `framework`."""
    # CGO002 names the files that took over in `files` and those that dropped out in
    # `extra`; every other rule names what dropped out (or is involved) in `files`.
    dropped = extra if r is rules.cgo_fallback_takes_over else files
    return {
        "names": _names(files),
        "dropped": _drop(dropped),
        "taking_over": _take(files),
        "libcs": " / ".join(labels),
        "framework": extra[0] if extra else subject.partition("/")[0],
    }


def message(
    r: Rule,
    *,
    package: str,
    subject: str,
    files: Sequence[str],
    extra: Sequence[str],
    labels: Sequence[str],
) -> str:
    """The message of a finding of source rule `r` with these merged parts."""
    fields = _fields(r, subject=subject, files=files, extra=extra, labels=labels)
    return r.message.format(package=package, subject=subject, **fields)
