"""The escaping of untrusted text (names, paths, tool output) used by the report formats.

One helper, so that when `cgotrap.render.untrusted` (the project-wide escaping) lands, the
formats switch to it in this one place. `visible` shows every character a viewer would act
on or hide (C0/C1 controls, DEL, bidi controls, line separators, undecodable bytes) as text:
an ANSI colour code in a package name reads as `\\x1b[31m` in SARIF, Markdown and HTML alike,
never as a colour or an invisible byte.
"""

from __future__ import annotations

import re

_SHOWN_ESCAPED = (
    "\x00-\x1f\x7f-\x9f"  # C0, DEL, C1
    "\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069"  # bidi controls
    "\u2028\u2029"  # line and paragraph separators
)
_UNSAFE = re.compile(f"[{_SHOWN_ESCAPED}\ud800-\udfff]")


def _char(match: re.Match[str]) -> str:
    code = ord(match.group())
    if 0xDC80 <= code <= 0xDCFF:  # a byte that was not UTF-8 (os.fsdecode's surrogate)
        return f"\\x{code - 0xDC00:02x}"
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def visible(text: str) -> str:
    """`text` on one line, every control and invisible character shown as an escape."""
    return _UNSAFE.sub(_char, text)


def visible_lines(text: str) -> str:
    """`visible` for each line of a tool's whole output (the newlines are kept)."""
    return "\n".join(visible(line) for line in text.split("\n"))
