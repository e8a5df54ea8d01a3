"""The fast path over a Go file's header: a well-formed header (package clause, imports of
plain ASCII paths, comments) recognised with regular expressions and a small state machine.

Anything unusual returns None and `gofile` runs the exact port of go/build's reader and
go/parser instead, so both give the same answer on every file (tests/unit/test_gofile.py
compares them).
"""

from __future__ import annotations

import re
from typing import NamedTuple

from cgotrap.read import goscan

_SKIP_COMMENTS = re.compile(rb"(?:[ \t\r\n\x0c;]+|//[^\n]*|/\*.*?\*/)*", re.DOTALL)


def fast_comments_end(body: bytes, *, complete: bool) -> int:
    """readComments' header length for a plain leading comment block, or -1 (go slow).

    The reader skips spaces, semicolons and comments; its header ends before the first
    other byte, or at the end of the file. A NUL on the way, a lone or unterminated "/",
    or a block that reaches the end of a partial buffer need the exact reader.
    """
    match = _SKIP_COMMENTS.match(body)
    end = match.end() if match is not None else 0  # (a starred group always matches)
    if end >= len(body):
        return end if complete else -1
    if body[end] in b"/\x00" or b"\x00" in body[:end]:
        return -1
    return end


# The fast path: a well-formed header (package clause, imports of plain ASCII paths, comments)
# is recognised with one regular expression per token. Anything unusual - a byte go's
# reader or scanner would treat specially, an escape in a path, import "C" (whose doc
# comment matters), a possible syntax error - returns None and the exact port runs instead.
_FAST_TOKEN = re.compile(
    rb"""
    (?P<ws>[ \t\r]+)
    |(?P<nl>\n)
    |(?P<lc>//[^\n]*)
    |(?P<bc>/\*.*?\*/)
    |(?P<id>[A-Za-z_][A-Za-z0-9_]*)
    |(?P<str>"[^"\\\n]*")
    |(?P<p>[;().])
    """,
    re.VERBOSE | re.DOTALL,
)


_FAST_VALID_PATH = re.compile(rb'"[+\-./0-9@A-Z_a-z~]+"\Z')


_FAST_STOP = frozenset(b"/\x0c\x00i")


class FastHeader(NamedTuple):
    """What the fast path reads of a header (a NamedTuple: one is made per Go file read,
    by `tuple.__new__`, a fifth of a frozen dataclass's __init__)."""

    header: bytes
    package: str
    imports: tuple[tuple[str, int, int], ...]  # (path, line, column)
    cgo_doc: tuple[tuple[bytes, int], ...] = ()
    """The comments of `import "C"`'s doc comment: (text with its markers, line)."""


_new_tuple = tuple.__new__


_KEYWORDS_B = frozenset(k.encode() for k in goscan.KEYWORDS)


# States of the fast parser.
_P_PACKAGE, _P_NAME, _P_AFTER_DECL, _P_AFTER_SEMI, _P_IMPORT, _P_GROUP = range(6)


_P_SPEC_PATH, _P_GROUP_SEP = 6, 7


# The usual layout in one match: whole lines of comments, the package clause, then lines
# that are blank, comments, single imports or parenthesised import groups with one spec
# per line. What follows must be a declaration keyword at the start of a line.
_IDENT = rb"[A-Za-z_][A-Za-z0-9_]*"


# Possessive quantifiers and atomic groups: every piece consumes whole, unambiguous units
# (spaces, a comment to the end of the line, a whole line), so never backtracking into
# them changes nothing but the speed.
# A comment holds no NUL and is no //line directive (`_fast_comment_ok`'s checks but for
# the UTF-8 one, here: a header with such a comment does not match).
_TAIL = rb"[ \t\r]*+(?://(?!line )[^\n\x00]*+)?\n"


_NOT_KEYWORD = rb"(?!(?:" + b"|".join(sorted(_KEYWORDS_B)) + rb")[ \t])"


# A spec's path as `_fast_path_ok` accepts it (plain ASCII, not "C"): a header with any other
# path does not match at all, so the specs found in a match need no further checks.
# (the lookahead's 25 keywords tried only before a name: most specs have none)
_SPEC = (
    rb"(?:(?=[A-Za-z_.])"
    + _NOT_KEYWORD
    + rb"(?:"
    + _IDENT
    + rb'|\.)[ \t]++)?"(?!C")[+\-./0-9@A-Z_a-z~]++"'
)


_IMPORTS = (
    rb"(?>"
    + _TAIL
    + rb"|[ \t]*+import[ \t]++"
    + _SPEC
    + _TAIL
    + rb"|[ \t]*+import[ \t]*+\("
    + _TAIL
    + rb"(?>[ \t]*+(?:"
    + _SPEC
    + rb")?"
    + _TAIL
    + rb")*+"
    + rb"[ \t]*+\)"
    + _TAIL
    + rb")*+"
)
"""Import declarations, blank lines and comment lines, each a line of its own."""
_BLOCK_LINE = rb"[ \t\r]*+/\*(?!line )[^\x00*]*+\*++(?:[^\x00*/][^\x00*]*+\*++)*+/" + _TAIL
"""A line that a /* */ comment starts (no NUL, no /*line directive), perhaps ending
lines later: before the package clause (a package's doc, go:generate notes)."""
_CANONICAL = re.compile(
    rb"(?:" + _TAIL + rb"|" + _BLOCK_LINE + rb")*+"
    rb"package[ \t]++(" + _IDENT + rb")" + _TAIL + _IMPORTS
)
_MORE_IMPORTS = re.compile(_IMPORTS)


# In the matched block every line ends with a newline and every spec starts its line
# (after "import " for a single import): one match per line finds them (comments, blank
# lines and the group's parentheses match with empty groups).
_CANONICAL_LINES = re.compile(
    rb"(?:([ \t]*(?:import[ \t]+)?)(?:(?:" + _IDENT + rb'|\.)[ \t]+)?"([^"\\\n]*)")?[^\n]*\n'
)
"""Group 1: the line up to the spec (its length is the spec's column - 1); group 2: the path
(empty on a line without a spec)."""


# declaration must start a line with a plain letter (const, func, type, var, a stray word).
_DECL_FIRST = frozenset(b"abcdefghjklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ_")


def _canonical_go_header(data: bytes, complete: bool) -> FastHeader | None:
    """The one-regex path for the usual layout; None when the file is laid out otherwise."""
    m = _CANONICAL.match(data)
    if m is None:
        return None
    end = m.end()
    if end < len(data) and data[end] in b"i/":  # (perhaps `import "C"` and its preamble)
        return _canonical_cgo_header(data, complete, m)
    if end < len(data):
        if data[end] not in _DECL_FIRST:
            return None
    elif not complete:
        return None
    span = m.group()
    if not span.isascii() and not _utf8_ok(span):  # (the rest of `_fast_comment_ok`: `_TAIL`)
        return None
    package = m.group(1)
    if package in _KEYWORDS_B:
        return None
    imports: list[tuple[str, int, int]] = []
    body_start = data.find(b"\n", m.end(1)) + 1  # the line after the package clause
    line = data.count(b"\n", 0, body_start)
    for lead, path in _CANONICAL_LINES.findall(data, body_start, end):
        line += 1
        if path:  # (a spec's path is never empty here: `_SPEC`)
            imports.append((path.decode("ascii"), line, len(lead) + 1))
    fields = (span, package.decode("ascii"), tuple(imports), ())
    header: FastHeader = _new_tuple(FastHeader, fields)
    return header


_IMPORT_C = re.compile(rb'import "C"' + _TAIL)
_BLOCK_END = re.compile(rb"[ \t]*+\n")


def _canonical_cgo_header(data: bytes, complete: bool, m: re.Match[bytes]) -> FastHeader | None:
    """`_canonical_go_header` where its match stops before `import "C"` (a lone spec at the
    start of a line, with no name) or before the `/*` of its preamble. The preamble is the
    `//` lines right before it, or one `/* */` comment that starts a line and ends the line
    before it; with a blank line before, so that it is the whole comment group go/parser
    makes the declaration's doc (a lead comment: the group that ends on the line before).
    None for any other layout: the exact port decides it."""
    body_start = data.find(b"\n", m.end(1)) + 1
    doc_end = m.end()
    if data.startswith(b"/*", doc_end):  # one /* */ comment, then `import "C"` on the next line
        close = data.find(b"*/", doc_end + 2)
        if close < 0:
            return None
        line_end = _BLOCK_END.match(data, close + 2)
        if line_end is None:
            return None
        doc_start, doc_end = doc_end, line_end.end()
        comments = [data[doc_start : close + 2]]
    else:  # the `//` lines right before it
        doc_start = doc_end
        while doc_start > body_start:
            prev = data.rfind(b"\n", 0, doc_start - 1) + 1
            if not data[prev:doc_start].lstrip(b" \t").startswith(b"//"):
                break
            doc_start = prev
        comments = [line.lstrip(b" \t") for line in data[doc_start:doc_end].split(b"\n")[:-1]]
    blank = data.rfind(b"\n", 0, doc_start - 1) + 1
    c_import = _IMPORT_C.match(data, doc_end)
    if (
        not comments
        or c_import is None
        or data[blank:doc_start].strip(b" \t\n")
        or b"\r" in data[doc_start:doc_end]
        or b"\0" in data[doc_start:doc_end]
        or comments[0].startswith(b"/*line ")
    ):
        return None
    end = _MORE_IMPORTS.match(data, c_import.end()).end()  # type: ignore[union-attr]
    if end < len(data):
        if data[end] not in _DECL_FIRST:
            return None
    elif not complete:
        return None
    span = data[:end]
    if not span.isascii() and not _utf8_ok(span):
        return None
    package = m.group(1)
    if package in _KEYWORDS_B:
        return None
    line = data.count(b"\n", 0, body_start)
    imports = _spec_lines(data, body_start, doc_start, line)
    doc_line = line + data.count(b"\n", body_start, doc_start) + 1
    imports += _spec_lines(data, doc_end, end, line + data.count(b"\n", body_start, doc_end))
    cgo_doc = tuple((text, doc_line + i) for i, text in enumerate(comments))
    return FastHeader(span, package.decode("ascii"), tuple(imports), cgo_doc)


def _spec_lines(data: bytes, start: int, end: int, line: int) -> list[tuple[str, int, int]]:
    """The (path, line, column) of the specs on the lines from `start` to `end` (the line
    before `start` is line `line`)."""
    imports: list[tuple[str, int, int]] = []
    for lead, path in _CANONICAL_LINES.findall(data, start, end):
        line += 1
        if path:
            imports.append((path.decode("ascii"), line, len(lead) + 1))
    return imports


# go/build/read.go: readGoInfo's header part (readPackage and readImport over
# importReader), with go/scanner's tokens, as one state machine over the file's bytes
# (go1.27.3); kept in one function as the reader it mirrors (exempt from the 120-line rule).
# It decides only the common case and returns None for anything the exact ports
# (`goread`, `goscan`, `goparse`) must decide.
def fast_go_header(data: bytes, complete: bool) -> FastHeader | None:
    """Header, package name and imports of a canonical Go file, or None to go the slow way.

    `data` is the file (BOM removed) or its first part (`complete` False).
    """
    canonical = _canonical_go_header(data, complete)
    if canonical is not None:
        return canonical
    match_at = _FAST_TOKEN.match
    n = len(data)
    pos = 0
    line = 1
    line_start = 0
    insert_semi = False
    state = _P_PACKAGE
    group = False
    package = ""
    imports: list[tuple[str, int, int]] = []
    spec_pos: tuple[int, int] | None = None
    end = -1
    while end < 0:
        if not insert_semi and pos < n:
            # Whole blank or //-comment lines carry no token here: skip them in one match.
            lines_m = _FAST_LINES.match(data, pos)
            if lines_m is not None:
                span = lines_m.group()
                if not _fast_comment_ok(span):
                    return None
                line += span.count(b"\n")
                pos = lines_m.end()
                line_start = pos
            if state == _P_GROUP and pos < n:
                spec_m = _FAST_SPEC_LINE.match(data, pos)
                if spec_m is not None:
                    name_b, path_b = spec_m.group(1, 2)
                    if (
                        (name_b is not None and name_b in _KEYWORDS_B)
                        or not _fast_path_ok(path_b)
                        or not _fast_comment_ok(spec_m.group())
                    ):
                        return None
                    at = spec_m.start(1) if name_b is not None else spec_m.start(2)
                    imports.append((path_b[1:-1].decode("ascii"), line, at - line_start + 1))
                    line += 1
                    pos = spec_m.end()
                    line_start = pos
                    continue
        if pos >= n:
            if not complete or state not in (_P_AFTER_DECL, _P_AFTER_SEMI):
                return None
            end = n
            break
        m = match_at(data, pos)
        if m is None:
            # A byte >= 0x80 may continue the identifier before it for go's reader.
            if (
                state not in (_P_AFTER_DECL, _P_AFTER_SEMI)
                or data[pos] in _FAST_STOP
                or data[pos] >= 0x80
            ):
                return None
            end = pos
            break
        kind = m.lastgroup
        start, pos = m.span()
        if kind == "ws":
            continue
        tok: bytes
        if kind == "nl":
            line += 1
            line_start = pos
            if not insert_semi:
                continue
            insert_semi = False
            tok = b";"
        elif kind in ("lc", "bc"):
            text = m.group()
            if not text.isascii():
                try:
                    decoded = text.decode("utf-8")
                except UnicodeDecodeError:
                    return None
                if "\ufeff" in decoded:
                    return None
            if b"\0" in text or text[2:7] == b"line ":
                return None
            if kind == "lc":
                continue
            newlines = text.count(b"\n")
            if not newlines:
                continue
            line += newlines
            line_start = start + text.rfind(b"\n") + 1
            if not insert_semi:
                continue
            insert_semi = False
            tok = b";"
        elif kind == "id":
            insert_semi = True
            tok = m.group()
        elif kind == "str":
            insert_semi = True
            tok = b'"'
        else:
            tok = m.group()
            insert_semi = tok == b")"
        # The parser, one token at a time.
        if state == _P_PACKAGE:
            if tok != b"package":
                return None
            state = _P_NAME
        elif state == _P_NAME:
            if tok[:1] in b'";().' or tok in _KEYWORDS_B:
                return None
            package = tok.decode("ascii")
            state = _P_AFTER_DECL
        elif state in (_P_AFTER_DECL, _P_AFTER_SEMI):
            if tok == b";":
                if state == _P_AFTER_SEMI:
                    return None  # a stray ";" ends go/parser's import loop: the slow way
                state = _P_AFTER_SEMI
            elif tok == b"import":
                if state == _P_AFTER_DECL:
                    return None
                state = _P_IMPORT
            elif tok[:1] == b"i":
                return None
            else:
                end = start
        elif state in (_P_IMPORT, _P_GROUP):
            if state == _P_IMPORT and tok == b"(":
                group = True
                state = _P_GROUP
            elif state == _P_GROUP and tok == b")":
                group = False
                state = _P_AFTER_DECL
            elif tok == b'"':
                if not _fast_path_ok(m.group()):
                    return None
                imports.append((m.group()[1:-1].decode("ascii"), line, start - line_start + 1))
                state = _P_GROUP_SEP if group else _P_AFTER_DECL
                if state == _P_AFTER_DECL:
                    group = False
            elif tok == b"." or (tok[:1] not in b'";()' and tok not in _KEYWORDS_B):
                spec_pos = (line, start - line_start + 1)
                state = _P_SPEC_PATH
            else:
                return None
        elif state == _P_SPEC_PATH:
            if tok != b'"' or spec_pos is None or not _fast_path_ok(m.group()):
                return None
            imports.append((m.group()[1:-1].decode("ascii"), *spec_pos))
            spec_pos = None
            state = _P_GROUP_SEP if group else _P_AFTER_DECL
        elif state == _P_GROUP_SEP:
            if tok == b";":
                state = _P_GROUP
            elif tok == b")":
                group = False
                state = _P_AFTER_DECL
            else:
                return None
    return FastHeader(data[:end], package, tuple(imports))


_FAST_LINES = re.compile(rb"(?:[ \t\r]*(?://[^\n]*)?\n)+")


_FAST_SPEC_LINE = re.compile(
    rb'[ \t\r]*(?:([A-Za-z_][A-Za-z0-9_]*|\.)[ \t\r]+)?("[^"\\\n]*")[ \t\r]*(?://[^\n]*)?\n'
)


def _fast_comment_ok(span: bytes) -> bool:
    """No byte in these comments/spaces that go's reader or scanner treats specially."""
    if b"\0" in span or b"//line " in span:
        return False
    return span.isascii() or _utf8_ok(span)


def _utf8_ok(span: bytes) -> bool:
    """Valid UTF-8 without a BOM (which go's scanner rejects after the start)."""
    try:
        return "\ufeff" not in span.decode("utf-8")
    except UnicodeDecodeError:
        return False


def _fast_path_ok(lit: bytes) -> bool:
    return _FAST_VALID_PATH.match(lit) is not None and lit != b'"C"'
