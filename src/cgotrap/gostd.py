"""Ports of the Go standard library's small functions that cgotrap needs in many places.

One home for each: strconv's quoting (Quote, QuoteRune, Unquote, QuotedPrefix), cmd/go's
base.ShortPath, and the two version orders Go uses (internal/gover for Go versions,
golang.org/x/mod/semver for module versions). Each port is headed by the Go function and
version it mirrors.

Text that came from bytes (file names, binary strings) is a `str` decoded with
"surrogateescape": a byte that is not valid UTF-8 is the code point U+DC80 + byte. The
ports keep that convention on the way in and out.
"""

from __future__ import annotations

import os
import unicodedata
from pathlib import Path

MAX_RUNE = 0x10FFFF
"""unicode.MaxRune."""


class QuoteSyntaxError(ValueError):
    """strconv.ErrSyntax: the text is not a valid Go quoted string."""


def _is_escaped_byte(code: int) -> bool:
    """A byte that was not valid UTF-8, kept by "surrogateescape" (U+DC80..U+DCFF)."""
    return 0xDC80 <= code <= 0xDCFF


# strconv/quote.go: IsPrint (go1.27.3), as unicode.IsPrint decides it.
def is_print(ch: int) -> bool:
    """Letters, marks, numbers, punctuation, symbols and U+0020."""
    if ch == 0x20:
        return True
    if ch < 0 or ch > MAX_RUNE or 0xD800 <= ch <= 0xDFFF:
        return False
    return unicodedata.category(chr(ch))[0] in "LMNPS"


_ESCAPES = {7: "\\a", 8: "\\b", 12: "\\f", 10: "\\n", 13: "\\r", 9: "\\t", 11: "\\v"}


# strconv/quote.go: Quote (appendQuotedWith, appendEscapedRune) (go1.27.3)
def quote(s: str) -> str:
    """Go's `strconv.Quote`, i.e. `%q` of a string (an invalid byte becomes \\xNN)."""
    out = ['"']
    for ch in s:
        code = ord(ch)
        if _is_escaped_byte(code):
            out.append(f"\\x{code - 0xDC00:02x}")
        elif ch in ('"', "\\"):
            out.append("\\" + ch)
        elif is_print(code):
            out.append(ch)
        elif code in _ESCAPES:
            out.append(_ESCAPES[code])
        elif code < 0x20 or code == 0x7F:
            out.append(f"\\x{code:02x}")
        elif 0xD800 <= code <= 0xDFFF:
            out.append("\\ufffd")
        elif code < 0x10000:
            out.append(f"\\u{code:04x}")
        else:
            out.append(f"\\U{code:08x}")
    out.append('"')
    return "".join(out)


# strconv/quote.go: QuoteRune (go1.27.3), i.e. fmt's %q of a rune or a byte
def quote_rune(ch: int) -> str:
    """'x', '\\n', '\\x00', '\\u00a0' ...; an invalid rune is quoted as U+FFFD."""
    if ch == 0x27:
        return "'\\''"
    if ch == 0x5C:
        return "'\\\\'"
    if ch in _ESCAPES:
        return f"'{_ESCAPES[ch]}'"
    if ch < 0 or ch > MAX_RUNE or 0xD800 <= ch <= 0xDFFF:
        return "'\ufffd'"
    if is_print(ch):
        return f"'{chr(ch)}'"
    if ch < 0x80:
        return f"'\\x{ch:02x}'"
    if ch < 0x10000:
        return f"'\\u{ch:04x}'"
    return f"'\\U{ch:08x}'"


# fmt/format.go: fmtUnicode with the sharp flag, i.e. %#U (go1.27.3)
def format_u(ch: int) -> str:
    """Go's %#U: "U+0023 '#'" (without the quoted char when not printable)."""
    text = f"U+{ch:04X}"
    if ch >= 0 and is_print(ch):
        text += f" '{chr(ch)}'"
    return text


_SIMPLE_UNESCAPES = {
    "a": b"\a",
    "b": b"\b",
    "f": b"\f",
    "n": b"\n",
    "r": b"\r",
    "t": b"\t",
    "v": b"\v",
    "\\": b"\\",
}
_HEX = frozenset("0123456789abcdefABCDEF")
_RUNE_ERROR = "\ufffd".encode()


# strconv/quote.go: UnquoteChar after the backslash (go1.27.3)
def _unescape(s: str, i: int, quote_char: str) -> tuple[int, bytes]:
    """The escape at s[i:] (after a backslash): (next index, the bytes it stands for)."""
    if i >= len(s):
        raise QuoteSyntaxError
    c = s[i]
    if c in _SIMPLE_UNESCAPES:
        return i + 1, _SIMPLE_UNESCAPES[c]
    if c in "xuU":
        n = {"x": 2, "u": 4, "U": 8}[c]
        digits = s[i + 1 : i + 1 + n]
        if len(digits) < n or any(d not in _HEX for d in digits):
            raise QuoteSyntaxError
        v = int(digits, 16)
        if c == "x":  # one byte, possibly not UTF-8
            return i + 1 + n, bytes([v])
        if v > MAX_RUNE or 0xD800 <= v <= 0xDFFF:
            raise QuoteSyntaxError
        return i + 1 + n, chr(v).encode()
    if c in "01234567":
        digits = s[i : i + 3]
        if len(digits) < 3 or any(d not in "01234567" for d in digits):
            raise QuoteSyntaxError
        v = int(digits, 8)
        if v > 255:
            raise QuoteSyntaxError
        return i + 3, bytes([v])
    if c in "'\"":
        if c != quote_char:
            raise QuoteSyntaxError
        return i + 1, c.encode()
    raise QuoteSyntaxError


# strconv/quote.go: unquote(in, unescape=true) (go1.27.3)
def unquote_prefix(s: str) -> tuple[str, str]:
    """The quoted string at the start of `s`, unquoted, and the rest: (value, rest).

    Raises `QuoteSyntaxError`. Bytes that \\x and octal escapes write join into UTF-8
    where they form it ("\\xc3\\xa9" is "é"); an invalid byte outside an escape is
    U+FFFD, as Go decodes it.
    """
    if len(s) < 2:
        raise QuoteSyntaxError
    q = s[0]
    end = s.find(q, 1)
    if end < 0:
        raise QuoteSyntaxError
    end += 1
    if q == "`":
        return s[1 : end - 1].replace("\r", ""), s[end:]
    if q not in "\"'":
        raise QuoteSyntaxError
    body = s[1 : end - 1]
    if "\\" not in body and "\n" not in body:
        valid = not any(_is_escaped_byte(ord(c)) for c in body)
        if q == '"' and valid:
            return body, s[end:]
        if q == "'" and len(body) == 1 and valid:
            return body, s[end:]
    out = bytearray()
    i = 1
    while i < len(s) and s[i] != q:
        c = s[i]
        if c == "\n":
            raise QuoteSyntaxError
        if c != "\\":
            out += _RUNE_ERROR if _is_escaped_byte(ord(c)) else c.encode()
            i += 1
        else:
            i, piece = _unescape(s, i + 1, q)
            out += piece
        if q == "'":
            break
    if i >= len(s) or s[i] != q:
        raise QuoteSyntaxError
    return out.decode("utf-8", "surrogateescape"), s[i + 1 :]


# strconv/quote.go: Unquote (go1.27.3)
def unquote(s: str) -> str:
    """Go's `strconv.Unquote`; raises `QuoteSyntaxError` (a ValueError)."""
    value, rest = unquote_prefix(s)
    if rest:
        raise QuoteSyntaxError
    return value


# strconv/quote.go: QuotedPrefix (go1.27.3)
def quoted_prefix(s: str) -> str:
    """The quoted string at the start of `s`, as written; raises `QuoteSyntaxError`."""
    _, rest = unquote_prefix(s)
    return s[: len(s) - len(rest)]


# cmd/go/internal/base/path.go: ShortPath (go1.27.3)
# Left out: the check that the relative path names the same file (os.SameFile): cgotrap's
# paths are already clean and absolute.
def short_path(path: str, cwd: str | None = None) -> str:
    """`path` relative to `cwd` (default: the working directory) when that is shorter."""
    base = cwd if cwd is not None else str(Path.cwd())
    try:
        rel = os.path.relpath(path, base)
    except ValueError:  # another drive on Windows
        return path
    return rel if len(rel) < len(path) else path


# --------------------------------------------------------------------------------------
# Version orders


def _cut_int(x: str) -> tuple[str, str] | None:
    """internal/gover.cutInt: (decimal, rest), or None (no digits, or a leading zero)."""
    i = 0
    while i < len(x) and "0" <= x[i] <= "9":
        i += 1
    if i == 0 or (x[0] == "0" and i != 1):
        return None
    return x[:i], x[i:]


def _cmp_int(x: str, y: str) -> int:
    """internal/gover.CmpInt (and semver's compareInt): decimal strings by value."""
    if x == y:
        return 0
    if len(x) != len(y):
        return -1 if len(x) < len(y) else 1
    return -1 if x < y else 1


def _cmp(x: str, y: str) -> int:
    return (x > y) - (x < y)


_NO_VERSION = ("", "", "", "", "")


# internal/gover/gover.go: Parse (go1.27.3)
def _parse_go_version(x: str) -> tuple[str, str, str, str, str]:
    """(major, minor, patch, kind, pre); all "" for an invalid version."""
    got = _cut_int(x)
    if got is None:
        return _NO_VERSION
    major, x = got
    if not x:
        return major, "0", "0", "", ""  # "1" is "1.0.0"
    if x[0] != ".":
        return _NO_VERSION
    got = _cut_int(x[1:])
    if got is None:
        return _NO_VERSION
    minor, x = got
    if not x:
        # before Go 1.21 "1.20" is "1.20.0"; from 1.21 on "1.21" is the language version,
        # before 1.21rc1 and 1.21.0
        return major, minor, "0" if _cmp_int(minor, "21") < 0 else "", "", ""
    if x[0] == ".":
        got = _cut_int(x[1:])
        if got is None or got[1]:
            return _NO_VERSION  # no prereleases of patch releases
        return major, minor, got[0], "", ""
    i = 0
    while i < len(x) and not "0" <= x[i] <= "9":
        if not "a" <= x[i] <= "z":
            return _NO_VERSION
        i += 1
    if i == 0:
        return _NO_VERSION
    kind, x = x[:i], x[i:]
    if not x:
        return major, minor, "", kind, ""
    got = _cut_int(x)
    if got is None or got[1]:
        return _NO_VERSION
    return major, minor, "", kind, got[0]


# internal/gover/gover.go: Compare (go1.27.3), which cmd/go/internal/gover.Compare uses
def compare_go_versions(x: str, y: str) -> int:
    """-1, 0 or +1 as Go orders Go versions without the "go" prefix ("1.21" < "1.21rc1" <
    "1.21.0" < "1.21.1"; "1.20" is "1.20.0"); an invalid or empty version sorts first."""
    vx, vy = _parse_go_version(x), _parse_go_version(y)
    for i, (a, b) in enumerate(zip(vx, vy, strict=True)):
        c = _cmp(a, b) if i == 3 else _cmp_int(a, b)  # kind: "" < alpha < beta < rc
        if c:
            return c
    return 0


def _is_ident_char(c: str) -> bool:
    return c.isascii() and (c.isalnum() or c == "-")


def _is_bad_num(v: str) -> bool:
    return v.isascii() and v.isdigit() and len(v) > 1 and v[0] == "0"


def _semver_tail(v: str, lead: str, *, numbers: bool) -> tuple[str, str] | None:
    """semver's parsePrerelease (`lead` "-") or parseBuild ("+"): (part, rest) or None."""
    if not v or v[0] != lead:
        return None
    i = start = 1
    while i < len(v) and not (numbers and v[i] == "+"):
        c = v[i]
        if not _is_ident_char(c) and c != ".":
            return None
        if c == ".":
            if start == i or (numbers and _is_bad_num(v[start:i])):
                return None
            start = i + 1
        i += 1
    if start == i or (numbers and _is_bad_num(v[start:i])):
        return None
    return v[:i], v[i:]


# golang.org/x/mod/semver/semver.go: parse (x/mod as vendored in go1.27.3)
def _parse_semver(v: str) -> tuple[str, str, str, str] | None:
    """(major, minor, patch, prerelease), or None for an invalid version."""
    if not v or v[0] != "v":
        return None
    got = _cut_int(v[1:])
    if got is None:
        return None
    major, v = got
    if not v:
        return major, "0", "0", ""
    if v[0] != ".":
        return None
    got = _cut_int(v[1:])
    if got is None:
        return None
    minor, v = got
    if not v:
        return major, minor, "0", ""
    if v[0] != ".":
        return None
    got = _cut_int(v[1:])
    if got is None:
        return None
    patch, v = got
    prerelease = ""
    if v and v[0] == "-":
        tail = _semver_tail(v, "-", numbers=True)
        if tail is None:
            return None
        prerelease, v = tail
    if v and v[0] == "+":
        tail = _semver_tail(v, "+", numbers=False)
        if tail is None:
            return None
        v = tail[1]
    if v:
        return None
    return major, minor, patch, prerelease


# golang.org/x/mod/semver/semver.go: comparePrerelease (x/mod as vendored in go1.27.3)
def _compare_prerelease(x: str, y: str) -> int:
    if x == y:
        return 0
    if not x:
        return 1
    if not y:
        return -1
    xs, ys = x[1:].split("."), y[1:].split(".")
    for dx, dy in zip(xs, ys, strict=False):
        if dx == dy:
            continue
        ix, iy = dx.isascii() and dx.isdigit(), dy.isascii() and dy.isdigit()
        if ix != iy:
            return -1 if ix else 1
        if ix and len(dx) != len(dy):
            return -1 if len(dx) < len(dy) else 1
        return -1 if dx < dy else 1
    return (len(xs) > len(ys)) - (len(xs) < len(ys))


# golang.org/x/mod/semver/semver.go: Compare (x/mod as vendored in go1.27.3)
def compare_semver(v: str, w: str) -> int:
    """-1, 0 or +1 as semver orders module versions ("v1.2.3", "v0.0.0-2020...-abc");
    an invalid version sorts before every valid one, and two invalid ones are equal."""
    pv, pw = _parse_semver(v), _parse_semver(w)
    if pv is None or pw is None:
        return (pv is not None) - (pw is not None)
    for a, b in zip(pv[:3], pw[:3], strict=True):
        c = _cmp_int(a, b)
        if c:
            return c
    return _compare_prerelease(pv[3], pw[3])
