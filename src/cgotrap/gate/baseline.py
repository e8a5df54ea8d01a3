"""`cgotrap-baseline.json`: the findings a project has accepted, and what is new against it.

An entry is (rule, package, subject, targets); each rule documents what its subject is
(`Rule.subject`: the header, the library, the binary...). A finding matches the entry with
the same rule, package and subject, and is *new* when it holds on a target outside the
entry's: a line move or a regrouping of targets never makes a finding new, a package that
starts using cgo or a header that breaks one more target does. An entry no finding matches
any more is *gone* (the file can be tightened).

The file is stable and diff-friendly: entries sorted by (rule, package, subject), targets
sorted by name, one entry per key, two-space indented JSON with a final newline, no
timestamps and no absolute paths::

    {
      "version": 1,
      "entries": [
        {"rule": "CGO004", "package": "example.com/m/procinfo", "subject": "sys/sysinfo.h",
         "targets": ["darwin/amd64 cgo=1", ...]}
      ]
    }

(the real file puts each target on its own line). `schemas/baseline.schema.json` describes
it; `load` checks the same on read, without a schema library.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from cgotrap.errors import InputError
from cgotrap.judge.finding import Finding

VERSION = 1
"""The version of the file format (`"version"`); a reader refuses other versions."""

FILE_NAME = "cgotrap-baseline.json"
"""Its name at the module root."""

MAX_BYTES = 64 << 20
"""A baseline larger than this is refused (a real one is a few hundred kilobytes)."""


class BaselineError(InputError):
    """The baseline file cannot be read or is not a baseline (the message names the file)."""


Key = tuple[str, str, str]
"""(rule, package, subject): what matches a finding to an entry."""


@dataclasses.dataclass(frozen=True, kw_only=True, slots=True)
class Entry:
    """One accepted finding."""

    rule: str
    """The rule ID ("CGO004")."""
    package: str
    """The import path ("" when the finding is about no package, e.g. a binary)."""
    subject: str
    """What it is about, of the kind the rule documents ("sys/sysinfo.h"); "" for the
    package itself."""
    targets: tuple[str, ...]
    """Target names it was accepted on ("linux/amd64 cgo=1"), sorted; () when the rule is
    not about targets (inspect)."""

    @property
    def key(self) -> Key:
        """(rule, package, subject)."""
        return (self.rule, self.package, self.subject)


@dataclasses.dataclass(frozen=True, kw_only=True, slots=True)
class Baseline:
    """A baseline file's content."""

    entries: tuple[Entry, ...] = ()
    """One per key, sorted by key."""

    def by_key(self) -> dict[Key, Entry]:
        """Entries by (rule, package, subject)."""
        return {e.key: e for e in self.entries}


def entries_of(findings: Iterable[Finding]) -> Baseline:
    """The baseline that accepts exactly `findings` (same keys merged, targets united)."""
    merged: dict[Key, set[str]] = {}
    for f in findings:
        merged.setdefault((f.rule.id, f.package, f.subject), set()).update(
            t.name for t in f.targets
        )
    return Baseline(
        entries=tuple(
            Entry(rule=k[0], package=k[1], subject=k[2], targets=tuple(sorted(merged[k])))
            for k in sorted(merged)
        )
    )


def format_baseline(baseline: Baseline) -> str:
    """The file's text: sorted, indented, newline-terminated (diff-friendly)."""
    doc = {
        "version": VERSION,
        "entries": [
            {"rule": e.rule, "package": e.package, "subject": e.subject, "targets": list(e.targets)}
            for e in sorted(baseline.entries, key=lambda e: e.key)
        ],
    }
    return json.dumps(doc, indent=2, ensure_ascii=False) + "\n"


def _fail(path: Path, problem: str) -> BaselineError:
    return BaselineError(f"{path}: {problem}")


def _string(path: Path, value: Any, where: str) -> str:
    if not isinstance(value, str):
        raise _fail(path, f"{where} must be a string")
    return value


def parse(path: Path, text: str) -> Baseline:
    """Validate a baseline file's text (what the schema says, checked by hand)."""
    try:
        doc = json.loads(text)
    except json.JSONDecodeError as exc:
        raise _fail(path, f"not JSON: {exc.msg} at line {exc.lineno}") from None
    if not isinstance(doc, dict):
        raise _fail(path, "not a cgotrap baseline (expected a JSON object)")
    if doc.get("version") != VERSION:
        raise _fail(path, f"baseline version {doc.get('version')!r}; this cgotrap reads {VERSION}")
    unknown = sorted(set(doc) - {"version", "entries"})
    if unknown:
        raise _fail(path, f"unknown key {unknown[0]!r}")
    raw = doc.get("entries")
    if not isinstance(raw, list):
        raise _fail(path, "entries must be a list")
    entries: dict[Key, Entry] = {}
    for i, item in enumerate(raw):
        where = f"entries[{i}]"
        if not isinstance(item, dict):
            raise _fail(path, f"{where} must be an object")
        extra = sorted(set(item) - {"rule", "package", "subject", "targets"})
        if extra:
            raise _fail(path, f"{where}: unknown key {extra[0]!r}")
        targets = item.get("targets", [])
        if not isinstance(targets, list):
            raise _fail(path, f"{where}.targets must be a list of target names")
        entry = Entry(
            rule=_string(path, item.get("rule"), f"{where}.rule"),
            package=_string(path, item.get("package", ""), f"{where}.package"),
            subject=_string(path, item.get("subject", ""), f"{where}.subject"),
            targets=tuple(
                sorted(_string(path, t, f"{where}.targets[{j}]") for j, t in enumerate(targets))
            ),
        )
        old = entries.get(entry.key)
        if old is not None:  # a hand-merged file: one entry per key, targets united
            entry = dataclasses.replace(
                entry, targets=tuple(sorted({*old.targets, *entry.targets}))
            )
        entries[entry.key] = entry
    return Baseline(entries=tuple(entries[k] for k in sorted(entries)))


def load(path: Path) -> Baseline:
    """Read and validate the baseline at `path` (raises `BaselineError`)."""
    try:
        with path.open("rb") as f:
            data = f.read(MAX_BYTES + 1)
    except OSError as exc:
        raise _fail(path, f"cannot read: {exc.strerror or exc}") from None
    if len(data) > MAX_BYTES:
        raise _fail(path, f"larger than {MAX_BYTES} bytes")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        raise _fail(path, "not UTF-8") from None
    return parse(path, text)


# ---------------------------------------------------------------------------------------------
# Comparing


@dataclasses.dataclass(frozen=True, kw_only=True, slots=True)
class Comparison:
    """A report's findings against a baseline."""

    new: tuple[int, ...]
    """Indexes (into the findings compared) of the new findings."""
    gone: tuple[Entry, ...]
    """Entries no finding matches any more."""

    def is_new(self, index: int) -> bool:
        """Whether finding `index` is new."""
        return index in self.new


def compare(findings: Sequence[Finding], baseline: Baseline) -> Comparison:
    """Which `findings` are new against `baseline`, and which of its entries are gone.

    A finding is new when no entry has its (rule, package, subject), or when it holds on a
    target the entry does not list. A finding about no targets (inspect) is new only when
    its key has no entry.
    """
    entries = baseline.by_key()
    seen: set[Key] = set()
    new: list[int] = []
    for index, f in enumerate(findings):
        key = (f.rule.id, f.package, f.subject)
        entry = entries.get(key)
        if entry is None:
            new.append(index)
            continue
        seen.add(key)
        accepted = set(entry.targets)
        if any(t.name not in accepted for t in f.targets):
            new.append(index)
    gone = tuple(e for k, e in sorted(entries.items()) if k not in seen)
    return Comparison(new=tuple(new), gone=gone)


@dataclasses.dataclass(frozen=True, kw_only=True, slots=True)
class BaselineView:
    """A comparison as a report shows it: against which file."""

    file: str
    """The baseline file as the user named it, or "revision REV" for `--new-from-rev`."""
    baseline: Baseline
    """What it accepts."""
    comparison: Comparison
    """New findings and gone entries."""
