"""Text from the scanned world, made safe for each output: the one escaping of cgotrap.

File and directory names, module paths, `#include` and `#cgo` text, binary paths and
build-info strings come from the project or the binary, not from us. On a terminal a raw
ESC starts an escape sequence (colours, window titles, OSC 8 links), a newline splits a
table row and a bidi control reorders what the reader sees; a name that is not UTF-8 (held
in Python as a lone surrogate, `os.fsdecode`) cannot be written as UTF-8 at all.

One rule everywhere:

- a byte of a name that is not UTF-8 is shown as the text `\\xff` (on the terminal and as
  the value of a JSON string alike), so every output is valid UTF-8 and names read the same
  in every format;
- terminal text (`terminal`): C0 and C1 controls, DEL, the Unicode line and paragraph
  separators and the bidi controls are shown as `\\x1b` / `\\u202e`;
- JSON (`json_document`): json.dumps already escapes C0 controls; C1 controls, DEL, line
  separators and bidi controls become `\\u` escapes too (JSON escapes, the same string).

A backslash itself is left alone, so Windows-looking paths and C flags read as written.
"""

from __future__ import annotations

import dataclasses
import re
from typing import Any, TypeVar

_T = TypeVar("_T")

_SHOWN_ESCAPED = (
    "\x00-\x1f\x7f-\x9f"  # C0, DEL, C1
    "\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069"  # bidi controls
    "\u2028\u2029"  # line and paragraph separators
)
_TERMINAL_UNSAFE = re.compile(f"[{_SHOWN_ESCAPED}\ud800-\udfff]")
_JSON_UNSAFE = re.compile(f"[{_SHOWN_ESCAPED[3:]}\ud800-\udfff]")  # (C0: json.dumps)


def _undecodable(char: str) -> str | None:
    """`\\xNN` for a surrogate escape of byte NN (os.fsdecode), else None."""
    code = ord(char)
    if 0xDC80 <= code <= 0xDCFF:
        return f"\\x{code - 0xDC00:02x}"
    return None


def _terminal_char(match: re.Match[str]) -> str:
    char = match.group()
    byte = _undecodable(char)
    if byte is not None:
        return byte
    code = ord(char)
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def terminal(text: str) -> str:
    """`text` with every character a terminal would act on shown escaped (one line)."""
    return _TERMINAL_UNSAFE.sub(_terminal_char, text)


def _json_char(match: re.Match[str]) -> str:
    char = match.group()
    byte = _undecodable(char)
    if byte is not None:
        return "\\" + byte  # the text \xff, as a JSON string spells it: "\\xff"
    return f"\\u{ord(char):04x}"


def json_document(text: str) -> str:
    """A JSON document (from json.dumps with ensure_ascii=False) made valid UTF-8 with every
    invisible control escaped; the structure is ASCII, so only strings change."""
    if text.isascii() and "\x7f" not in text:  # (the only ASCII it escapes: DEL)
        return text  # (the regex's walk: ~1.8 ms over GOROOT std's 384 KB --targets all)
    return _JSON_UNSAFE.sub(_json_char, text)


_OWN_RECORDS = frozenset({"Rule", "Target", "Port", "Policy", "RunTarget"})
"""cgotrap's own records (the rule registry, platform and policy data): their text is ours
(a rule's multi-line documentation), not the scanned world's, and is left as written."""

_KEEP_LINES = frozenset({"detail", "log_tail", "output"})
"""Record fields that hold a tool's whole output (go build's log): lines are kept there."""


def _terminal_keep_lines(text: str) -> str:
    return "\n".join(terminal(line) for line in text.split("\n"))


def for_terminal(value: _T) -> _T:
    """A copy of a report (frozen dataclasses, tuples, lists, dicts of them) with every
    string escaped by `terminal` (a tool's whole output keeps its lines): what a table
    renderer may then print as it is. Untouched parts are shared, not copied."""
    return _walk(value, keep_lines=False)  # type: ignore[no-any-return]  # same type back


def _walk(value: Any, *, keep_lines: bool) -> Any:
    kind = type(value)
    if kind is str:
        if not _TERMINAL_UNSAFE.search(value):
            return value
        return _terminal_keep_lines(value) if keep_lines else terminal(value)
    if kind is tuple or kind is list or kind is frozenset:
        if all(type(v) in _leaf_kinds for v in value):
            return value  # a verdict per target: (Verdict.PURE, Verdict.CGO, ...)
        items = [_walk(v, keep_lines=keep_lines) for v in value]
        if all(a is b for a, b in zip(items, value, strict=True)):
            return value
        return kind(items)
    if kind is dict:
        pairs = [
            (_walk(k, keep_lines=False), _walk(v, keep_lines=keep_lines)) for k, v in value.items()
        ]
        if all(k is k0 and v is v0 for (k, v), (k0, v0) in zip(pairs, value.items(), strict=True)):
            return value
        return dict(pairs)
    names = _record_fields.get(kind, _UNSEEN)
    if names is _UNSEEN:
        names = _record_fields[kind] = _fields_to_walk(kind)
    if names is None:
        _leaf_kinds.add(kind)
        return value  # numbers, enums, None, frozensets of enums, our own records
    changes = {}
    for name, keep in names:
        old = getattr(value, name)
        new = _walk(old, keep_lines=keep)
        if new is not old:
            changes[name] = new
    return dataclasses.replace(value, **changes) if changes else value


_UNSEEN: Any = object()
_record_fields: dict[type, tuple[tuple[str, bool], ...] | None] = {}
"""Per class: the fields `_walk` escapes, with whether they keep their lines; None for a
value that is left as it is (a report walks ~10^5 records of a dozen classes)."""

_leaf_kinds: set[type] = set()
"""The classes `_record_fields` holds None for: a sequence of only these is left as it is
without a call per item (moby's scan has a tuple of verdicts per package: 45k values)."""


def _fields_to_walk(kind: type) -> tuple[tuple[str, bool], ...] | None:
    if not dataclasses.is_dataclass(kind):
        return None
    if kind.__name__ in _OWN_RECORDS and kind.__module__.startswith("cgotrap."):
        return None
    return tuple((f.name, f.name in _KEEP_LINES) for f in dataclasses.fields(kind) if f.init)
