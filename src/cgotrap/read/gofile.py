"""Read one source file's header exactly as go/build (and cmd/go's module index) do.

For a `.go` file that is `readGoInfo`: go/build's `importReader` reads only as far as the
package clause and the import declarations (stopping at the first other declaration),
then parses that header with go/parser (ImportsOnly|ParseComments) to get the package
name, the imports with their positions and doc comments, and the first syntax error. If
the reader hits something it does not understand, the whole file is read and parsed, so
that the error is go/parser's own. For other sources (`.c`, `.s`, ...) only the leading
comment block is read (`readComments`). `.syso` files are never opened.

From the header come the build constraint lines (`parseFileHeader`: a `//go:build` line
and `// +build` lines count only in the leading comment block, and `// +build` only when
a blank line follows that block; two `//go:build` lines are an error),
`//go:binary-only-package`, the `#cgo` directive lines and `#include`s of the `import "C"`
preamble, and (when the file imports "embed") the `//go:embed` patterns of the whole file.

Nothing here depends on a build context: the result is computed once per file and
evaluated for every target later. Files are opened read-only, in binary, and never read
beyond `MAX_FILE_BYTES`.
"""

from __future__ import annotations

import dataclasses
import errno
import io
import os
import re
import stat
from collections.abc import Callable
from typing import Protocol

from cgotrap.gostd import QuoteSyntaxError, unquote
from cgotrap.read import cpp, goscan
from cgotrap.read.constraint import go_trim_space, is_go_space, is_plus_build
from cgotrap.read.filename import FileKind

MAX_FILE_BYTES = 64 * 1024 * 1024
"""Files are never read beyond this; a larger file that needs a full read is an error."""
_FIRST_READ = 16 * 1024

_BOM = b"\xef\xbb\xbf"


@dataclasses.dataclass(frozen=True, kw_only=True, slots=True)
class Position:
    """A source position as go/token prints it: "/abs/dir/x.go:3:8"."""

    filename: str
    """The file name go uses (the directory joined with the base name)."""
    line: int
    """1-based line."""
    column: int
    """1-based column, in bytes; 0 when unknown (after a //line directive without one)."""

    def __str__(self) -> str:
        """token.Position.String(): the column is left out when unknown (0)."""
        if self.column == 0:
            return f"{self.filename}:{self.line}"
        return f"{self.filename}:{self.line}:{self.column}"


@dataclasses.dataclass(frozen=True, kw_only=True, slots=True)
class ParseError:
    """The first error go/parser reports for a file header (scanner.ErrorList[0])."""

    pos: Position
    """Where."""
    msg: str
    """go/parser's message, e.g. "expected 'package', found 'EOF'"."""
    in_error_list: bool = True
    """True for go/parser's scanner.ErrorList (go list splits off the position into
    `Error.Pos`); False for go/build's own *scanner.Error ("invalid import path"), whose
    position stays in the message."""


@dataclasses.dataclass(frozen=True, kw_only=True, slots=True)
class ImportSpec:
    """One import of a Go file."""

    path: str
    """The unquoted import path, e.g. "C" or "golang.org/x/sys/unix"."""
    pos: Position
    """ImportSpec.Pos(): the alias if there is one, else the path literal."""


@dataclasses.dataclass(frozen=True, kw_only=True, slots=True)
class Include:
    """An `#include` (or `#include_next`, `#import`) line in a cgo preamble."""

    header: str
    """The header name, e.g. "sqlite3.h" or "sys/socket.h"."""
    system: bool
    """True for `<x.h>`, False for `"x.h"`."""
    line: int
    """1-based line of the `#include` in the Go file."""
    guards: tuple[cpp.Guard, ...] = ()
    """The `#if`/`#ifdef`/`#elif`/`#else` branches it sits in, outermost first (empty:
    unconditional); evaluated per target by `cpp.guards_hold`."""


@dataclasses.dataclass(frozen=True, kw_only=True, slots=True)
class EmbedPattern:
    """One pattern of a `//go:embed` line."""

    pattern: str
    """The pattern as written (unquoted)."""
    pos: Position
    """Where it is."""


@dataclasses.dataclass(frozen=True, kw_only=True, slots=True)
class SourceFile:
    """Everything go/build learns from one source file, independent of the build context."""

    name: str
    """Base name, e.g. "sqlite3_linux.go"."""
    kind: FileKind
    """Which file list the extension selects."""
    error: str = ""
    """A read error (go's text: "read /abs/x.go: unexpected NUL in input", "open ...:
    permission denied") or "x.go: multiple //go:build comments"; "" when none."""
    parse_error: ParseError | None = None
    """The first go/parser error of a .go file's header."""
    package_name: str = ""
    """The package clause ("" when the header did not parse)."""
    imports: tuple[ImportSpec, ...] = ()
    """Imports in source order (empty when the header has a parse error, as in go/build)."""
    go_build: str = ""
    """The //go:build line of the leading comment block, "" when absent."""
    plus_build: tuple[str, ...] = ()
    """The // +build lines that count (only when there is no //go:build line)."""
    binary_only: bool = False
    """A `//go:binary-only-package` comment in the leading block."""
    cgo_directives: tuple[str, ...] = ()
    """The `#cgo ...` lines of the `import "C"` doc comment(s), trimmed, in order."""
    includes: tuple[Include, ...] = ()
    """The `#include` lines of the `import "C"` preamble(s)."""
    embeds: tuple[EmbedPattern, ...] = ()
    """`//go:embed` patterns (only looked for when the file imports "embed")."""

    @property
    def imports_c(self) -> bool:
        """Whether the file says `import "C"`."""
        return any(imp.path == "C" for imp in self.imports)


# ---------------------------------------------------------------------------------------
# go/build's importReader.

_SYNTAX = "syntax error"
_NUL = "unexpected NUL in input"


class _ImportReader:
    """A literal port of go/build's importReader over an in-memory buffer.

    `data` excludes a leading BOM (Go discards it before reading). `complete` tells whether
    `data` is the whole file; when it is not and the reader needs more, `need_more` is set
    and the caller retries with a larger buffer.
    """

    __slots__ = ("complete", "data", "eof", "err", "need_more", "peek", "pos", "scan_nul")

    def __init__(self, data: bytes, *, complete: bool) -> None:
        self.data = data
        self.complete = complete
        self.pos = 0  # bytes consumed by readByte (= len(r.buf))
        self.peek = 0
        self.err = ""
        self.eof = False
        self.need_more = False
        # Without any NUL byte, comment bodies can be skipped with bytes.find.
        self.scan_nul = b"\0" in data

    def read_byte(self) -> int:
        if self.pos < len(self.data):
            c = self.data[self.pos]
            self.pos += 1
            if c == 0 and not self.err:
                self.err = _NUL
            return c
        if not self.complete:
            self.need_more = True
            if not self.err:
                self.err = "need more"
        self.eof = True
        return 0

    def at_eof(self) -> bool:
        """Whether the last read hit the end (a method, so type narrowing does not stick)."""
        return self.eof

    def syntax_error(self) -> None:
        if not self.err:
            self.err = _SYNTAX

    def peek_byte(self, skip_space: bool) -> int:
        if self.err:
            return 0
        c = self.peek
        if c == 0:
            c = self.read_byte()
        data = self.data
        while not self.err and not self.eof:
            if skip_space:
                if c in (0x20, 0x0C, 0x09, 0x0D, 0x0A, 0x3B):
                    c = self.read_byte()
                    continue
                if c == 0x2F:
                    c = self.read_byte()
                    if c == 0x2F:
                        if not self.scan_nul:
                            end = data.find(b"\n", self.pos)
                            self.pos = len(data) if end < 0 else end
                        while c != 0x0A and not self.err and not self.eof:
                            c = self.read_byte()
                    elif c == 0x2A:
                        if not self.scan_nul:
                            end = data.find(b"*/", self.pos)
                            if end >= 0:
                                self.pos = end
                        c1 = 0
                        while (c != 0x2A or c1 != 0x2F) and not self.err:
                            if self.at_eof():
                                self.syntax_error()
                            c, c1 = c1, self.read_byte()
                    else:
                        self.syntax_error()
                    c = self.read_byte()
                    continue
            break
        self.peek = c
        return c

    def next_byte(self, skip_space: bool) -> int:
        c = self.peek_byte(skip_space)
        self.peek = 0
        return c

    def read_keyword(self, kw: bytes) -> None:
        self.peek_byte(True)
        for expected in kw:
            if self.next_byte(False) != expected:
                self.syntax_error()
                return
        if _is_ident_byte(self.peek_byte(False)):
            self.syntax_error()

    def read_ident(self) -> None:
        c = self.peek_byte(True)
        if not _is_ident_byte(c):
            self.syntax_error()
            return
        while _is_ident_byte(self.peek_byte(False)):
            self.peek = 0

    def read_string(self) -> None:
        c = self.next_byte(True)
        if c == 0x60:
            while not self.err:
                if self.next_byte(False) == 0x60:
                    break
                if self.eof:
                    self.syntax_error()
        elif c == 0x22:
            while not self.err:
                c = self.next_byte(False)
                if c == 0x22:
                    break
                if self.eof or c == 0x0A:
                    self.syntax_error()
                if c == 0x5C:
                    self.next_byte(False)
        else:
            self.syntax_error()

    def read_import(self) -> None:
        c = self.peek_byte(True)
        if c == 0x2E:
            self.peek = 0
        elif _is_ident_byte(c):
            self.read_ident()
        self.read_string()

    def read_go_info(self) -> None:
        """readGoInfo's reading loop."""
        self.read_keyword(b"package")
        self.read_ident()
        while self.peek_byte(True) == 0x69:
            self.read_keyword(b"import")
            if self.peek_byte(True) == 0x28:
                self.next_byte(False)
                while self.peek_byte(True) != 0x29 and not self.err:
                    self.read_import()
                self.next_byte(False)
            else:
                self.read_import()

    def read_comments(self) -> None:
        """readComments: skip the leading spaces and comments."""
        self.peek_byte(True)


def _is_ident_byte(c: int) -> bool:
    return 0x41 <= c <= 0x5A or 0x61 <= c <= 0x7A or 0x30 <= c <= 0x39 or c == 0x5F or c >= 0x80


def go_errno_text(exc: OSError) -> str:
    """The text Go's syscall.Errno gives (glibc's strerror, lower-cased first letter)."""
    if exc.errno is None:
        return str(exc)
    text = os.strerror(exc.errno)
    if exc.errno == errno.ENOENT:
        return "no such file or directory"
    return text[:1].lower() + text[1:]


class _FileTooLargeError(Exception):
    pass


def _read_header(f: Readable, data: bytes, *, go_file: bool) -> tuple[bytes, bytes, str]:
    """Run the import reader on the file: (header, raw bytes read so far, error text).

    `data` is what was already read from `f` (the first `_FIRST_READ` bytes). The header is
    what go/build hands to its parser (BOM removed): the bytes up to the first byte after
    the imports, or the whole file after a syntax error. The error is a read error as go
    reports it ("" for none).
    """
    size = _FIRST_READ
    if not go_file:
        body = data[3:] if data.startswith(_BOM) else data
        fast_end = _fast_comments_end(body, complete=len(data) < size)
        if fast_end >= 0:
            return body[:fast_end], data, ""
    while True:
        complete = len(data) < size
        body = data[3:] if data.startswith(_BOM) else data
        reader = _ImportReader(body, complete=complete)
        if go_file:
            reader.read_go_info()
        else:
            reader.read_comments()
        if not reader.need_more:
            break
        if size >= MAX_FILE_BYTES:
            raise _FileTooLargeError
        size = min(size * 4, MAX_FILE_BYTES)
        data += f.read(size - len(data))
    header = body[: reader.pos]
    if not reader.err and not reader.eof:
        header = header[:-1]
    if not go_file or reader.err != _SYNTAX:
        return header, data, reader.err
    # readRest: the whole file (without NUL checks).
    while not complete:
        if len(data) > MAX_FILE_BYTES:
            raise _FileTooLargeError
        more = f.read(MAX_FILE_BYTES + 1 - len(data))
        data += more
        complete = not more
    if len(data) > MAX_FILE_BYTES:
        raise _FileTooLargeError
    body = data[3:] if data.startswith(_BOM) else data
    return body, data, ""


def go_header(data: bytes) -> tuple[bytes, str]:
    """readGoInfo's reading of a whole Go file: (header, read error or "").

    The header is what go/build parses: up to the first byte after the imports, or the
    whole file after a syntax error (BOM removed either way).
    """
    f = io.BytesIO(data)
    header, _, err = _read_header(f, f.read(_FIRST_READ), go_file=True)
    return header, err


def comments_header(data: bytes) -> tuple[bytes, str]:
    """readComments: the leading comment block of a non-Go source, and the read error."""
    f = io.BytesIO(data)
    header, _, err = _read_header(f, f.read(_FIRST_READ), go_file=False)
    return header, err


_SKIP_COMMENTS = re.compile(rb"(?:[ \t\r\n\x0c;]+|//[^\n]*|/\*.*?\*/)*", re.DOTALL)


def _fast_comments_end(body: bytes, *, complete: bool) -> int:
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


@dataclasses.dataclass(frozen=True, slots=True)
class _FastHeader:
    header: bytes
    package: str
    imports: tuple[tuple[str, int, int], ...]  # (path, line, column)


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
_TAIL = rb"[ \t\r]*+(?://[^\n]*+)?\n"
_NOT_KEYWORD = rb"(?!(?:" + b"|".join(sorted(_KEYWORDS_B)) + rb")[ \t])"
_SPEC = rb"(?:" + _NOT_KEYWORD + rb"(?:" + _IDENT + rb"|\.)[ \t]++)?\"[^\"\\\n]*+\""
_CANONICAL = re.compile(
    rb"(?:" + _TAIL + rb")*+"
    rb"package[ \t]++("
    + _IDENT
    + rb")"
    + _TAIL
    + rb"(?>"
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
# In the matched block every spec starts its line (after "import " for a single import),
# so one search per spec finds them; comments and blank lines never match.
_CANONICAL_SPECS = re.compile(
    rb"^[ \t]*(?:import[ \t]+)?(?:(" + _IDENT + rb"|\.)[ \t]+)?(\"[^\"\\\n]*\")", re.MULTILINE
)
# declaration must start a line with a plain letter (const, func, type, var, a stray word).
_DECL_FIRST = frozenset(b"abcdefghjklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ_")


def _canonical_go_header(data: bytes, complete: bool) -> _FastHeader | None:
    """The one-regex path for the usual layout; None when the file is laid out otherwise."""
    m = _CANONICAL.match(data)
    if m is None:
        return None
    end = m.end()
    if end < len(data):
        if data[end] not in _DECL_FIRST:
            return None
    elif not complete:
        return None
    span = m.group()
    if not _fast_comment_ok(span):
        return None
    package = m.group(1)
    if package in _KEYWORDS_B:
        return None
    imports: list[tuple[str, int, int]] = []
    body_start = data.find(b"\n", m.end(1)) + 1  # the line after the package clause
    line = 1 + data.count(b"\n", 0, body_start)
    counted = body_start
    for item in _CANONICAL_SPECS.finditer(data, body_start, end):
        name, path = item.group(1, 2)
        if (name is not None and name in _KEYWORDS_B) or not _fast_path_ok(path):
            return None
        line += data.count(b"\n", counted, item.start())
        counted = item.start()
        at = item.start(1) if name is not None else item.start(2)
        imports.append((path[1:-1].decode("ascii"), line, at - counted + 1))
    return _FastHeader(data[:end], package.decode("ascii"), tuple(imports))


def _fast_go_header(data: bytes, complete: bool) -> _FastHeader | None:
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
    return _FastHeader(data[:end], package, tuple(imports))


_FAST_LINES = re.compile(rb"(?:[ \t\r]*(?://[^\n]*)?\n)+")
_FAST_SPEC_LINE = re.compile(
    rb'[ \t\r]*(?:([A-Za-z_][A-Za-z0-9_]*|\.)[ \t\r]+)?("[^"\\\n]*")[ \t\r]*(?://[^\n]*)?\n'
)


def _fast_comment_ok(span: bytes) -> bool:
    """No byte in these comments/spaces that go's reader or scanner treats specially."""
    if b"\0" in span or b"//line " in span:
        return False
    if span.isascii():
        return True
    try:
        return "\ufeff" not in span.decode("utf-8")
    except UnicodeDecodeError:
        return False


def _fast_path_ok(lit: bytes) -> bool:
    return _FAST_VALID_PATH.match(lit) is not None and lit != b'"C"'


# ---------------------------------------------------------------------------------------
# Constraints: parseFileHeader / getConstraints.

_GO_BUILD = b"//go:build"
_BINARY_ONLY = b"//go:binary-only-package"


def _trim_space(line: bytes) -> bytes:
    # bytes.TrimSpace: ASCII white space (and Unicode spaces, which only appear in UTF-8
    # multi-byte form and are rare enough at line ends to treat as text here).
    return line.strip(b" \t\n\v\f\r")


def _is_go_build_comment(line: bytes) -> bool:
    if not line.startswith(_GO_BUILD):
        return False
    line = _trim_space(line)
    rest = line[len(_GO_BUILD) :]
    return len(rest) == 0 or len(_trim_space(rest)) < len(rest)


class MultipleGoBuildError(Exception):
    """errMultipleGoBuild."""


def parse_file_header(content: bytes) -> tuple[bytes, bytes | None, bool]:
    """go/build's parseFileHeader: (leading block before its last blank line, the
    //go:build line or None, saw //go:binary-only-package). Raises MultipleGoBuildError."""
    end = 0
    p = 0
    n = len(content)
    ended = False
    in_slash_star = False
    go_build: bytes | None = None
    saw_binary_only = False
    while p < n:
        i = content.find(b"\n", p)
        if i >= 0:
            line, p = content[p:i], i + 1
        else:
            line, p = content[p:], n
        line = _trim_space(line)
        if not line and not ended:
            end = p
            continue
        if not line.startswith(b"//"):
            ended = True
        if not in_slash_star and _is_go_build_comment(line):
            if go_build is not None:
                raise MultipleGoBuildError
            go_build = line
        if not in_slash_star and line == _BINARY_ONLY:
            saw_binary_only = True
        stop = False
        while line:
            if in_slash_star:
                j = line.find(b"*/")
                if j >= 0:
                    in_slash_star = False
                    line = _trim_space(line[j + 2 :])
                    continue
                break
            if line.startswith(b"//"):
                break
            if line.startswith(b"/*"):
                in_slash_star = True
                line = _trim_space(line[2:])
                continue
            stop = True
            break
        if stop:
            break
    return content[:end], go_build, saw_binary_only


def get_constraints(content: bytes) -> tuple[str, tuple[str, ...], bool]:
    """modindex's getConstraints: (//go:build line, // +build lines, binary-only)."""
    trimmed, go_build, binary_only = parse_file_header(content)
    plus: list[str] = []
    if go_build is None:
        for raw in trimmed.split(b"\n"):
            line = _trim_space(raw)
            if not line.startswith(b"//") or b"+build" not in line:
                continue
            text = line.decode("utf-8", "surrogateescape")
            if is_plus_build(text):
                plus.append(text)
    go_build_text = "" if go_build is None else go_build.decode("utf-8", "surrogateescape")
    return go_build_text, tuple(plus), binary_only


# ---------------------------------------------------------------------------------------
# The cgo preamble.


def comment_group_text(group: goscan.CommentGroup) -> str:
    """ast.CommentGroup.Text(): markers removed, directives dropped, blank runs collapsed."""
    lines: list[str] = []
    for comment in group:
        c = comment.text.decode("utf-8", "surrogateescape")
        if c[1] == "/":
            c = c[2:]
            if c:
                if c[0] == " ":
                    c = c[1:]
                elif _is_directive(c):
                    continue
        else:
            c = c[2:-2]
        lines.extend(line.rstrip(" \t\n\r") for line in c.split("\n"))
    out: list[str] = []
    for line in lines:
        if line != "" or (out and out[-1] != ""):
            out.append(line)
    if out and out[-1] != "":
        out.append("")
    return "\n".join(out)


_DIRECTIVE = re.compile(r"[a-z0-9]+:[a-z0-9]")


def _is_directive(c: str) -> bool:
    if c.startswith(("line ", "extern ", "export ")):
        return True
    colon = c.find(":")
    if colon <= 0 or colon + 1 >= len(c):
        return False
    return _DIRECTIVE.match(c[: colon + 2]) is not None and len(c[: colon + 2]) == colon + 2


def extract_cgo_directives(doc: str) -> list[str]:
    """modindex's extractCgoDirectives: the trimmed `#cgo` lines of the preamble."""
    out = []
    for raw in doc.split("\n"):
        line = go_trim_space(raw)
        if len(line) < 5 or line[:4] != "#cgo" or line[4] not in " \t":
            continue
        out.append(line)
    return out


# `#include`, GNU `#include_next` and Objective-C `#import` (common in darwin preambles),
# and the conditional directives around them, found textually: a line inside a C comment
# still counts (and one inside `#if 0` carries that guard).
_PP_LINE = re.compile(
    r"^[ \t]*#[ \t]*(include_next|include|import|ifdef|ifndef|if|elifdef|elifndef|elif|else"
    r"|endif)\b(.*)$",
    re.MULTILINE,
)
_INCLUDE_NAME = re.compile(r'[ \t]*([<"])([^>"\n]*)[>"]')
_MAX_SPLICED_LINES = 64
"""Lines one directive may span through `\\`-newline splices (the rest is not followed)."""


def extract_includes(
    doc: str, first_line: int, tracker: cpp.GuardTracker | None = None
) -> list[Include]:
    """`#include <x.h>` / `#include "x.h"` lines of a preamble text, with their guards.

    `tracker` carries the open `#if`s from the previous comments of the same preamble.
    """
    if tracker is None:
        tracker = cpp.GuardTracker()
    out = []
    line = first_line
    counted = 0
    consumed = 0
    for match in _PP_LINE.finditer(doc):
        start = match.start()
        if start < consumed:
            continue  # inside the splices of the directive before
        name, rest = match.group(1), match.group(2)
        if rest.endswith(("\\", "\\\r")):
            end = match.end()
            parts = [rest.rstrip("\r")[:-1]]
            for _ in range(_MAX_SPLICED_LINES):
                nl = doc.find("\n", end + 1)
                more = doc[end + 1 : nl if nl >= 0 else len(doc)]
                end = nl if nl >= 0 else len(doc)
                if not more.rstrip("\r").endswith("\\"):
                    parts.append(more)
                    break
                parts.append(more.rstrip("\r")[:-1])
            rest = " ".join(parts)
            consumed = end
        if not name.startswith(("include", "import")):
            tracker.directive(name, rest)
            continue
        inc = _INCLUDE_NAME.match(rest)
        if inc is None:
            continue
        line += doc.count("\n", counted, start)
        counted = start
        out.append(
            Include(
                header=inc.group(2),
                system=inc.group(1) == "<",
                line=line,
                guards=tracker.guards,
            )
        )
    return out


# ---------------------------------------------------------------------------------------
# Import paths.

_ILLEGAL_IMPORT_CHARS = frozenset("!\"#$%&'()*,:;<=>?[\\]^{|}`\ufffd")


def is_valid_import(path: str) -> bool:
    """go/build's isValidImport."""
    if not path:
        return False
    for c in path:
        if c in _ILLEGAL_IMPORT_CHARS or is_go_space(c) or not _is_graphic(c):
            return False
        if "\udc80" <= c <= "\udcff":  # an undecodable byte: Go's RuneError
            return False
    return True


def _is_graphic(c: str) -> bool:
    import unicodedata

    cat = unicodedata.category(c)
    return cat[0] in "LMNPS" or cat == "Zs"


# ---------------------------------------------------------------------------------------
# Embeds.


# Go tokens that can hide a "//" (strings, runes, comments) and the code between them: enough
# to find every //go:embed comment of a file that compiles, in one regular-expression pass.
_GO_SKIM = re.compile(
    # Unterminated strings and runes end at the newline, unterminated comments and raw
    # strings at the end of the file, as go/scanner's tokens do.
    rb"//[^\n]*|/\*.*?(?:\*/|\Z)"
    rb'|"(?:[^"\\\n]|\\[^\n])*"?'
    rb"|`[^`]*`?"
    rb"|'(?:[^'\\\n]|\\[^\n])*'?"
    rb"|[^/\"`']+|.",
    re.DOTALL,
)


def _line_col(data: bytes, offset: int) -> tuple[int, int]:
    line = data.count(b"\n", 0, offset) + 1
    return line, offset - (data.rfind(b"\n", 0, offset) + 1) + 1


def _embed_patterns(data: bytes, filename: str) -> tuple[EmbedPattern, ...]:
    """The //go:embed patterns of a whole file (readGoInfo scans for them when the file
    imports "embed"); malformed lines are skipped as go does."""
    if b"//go:embed" not in data and b"\r" not in data:
        return ()
    out: list[EmbedPattern] = []
    for m in _GO_SKIM.finditer(data):
        lit = m.group()
        if lit[:2] != b"//":
            continue
        # go/scanner drops every CR from a // comment's text; positions follow the text.
        lit = lit.replace(b"\r", b"")
        if lit.startswith(b"//go:embed"):
            out.extend(_parse_go_embed(data, m.start(), lit, filename))
    return tuple(out)


def _parse_go_embed(data: bytes, pos: int, lit: bytes, filename: str) -> list[EmbedPattern]:
    """ast.ParseDirective + ParseArgs for //go:embed; bad lines yield nothing (as go)."""
    text = lit.decode("utf-8", "surrogateescape")
    rest = text[len("//go:embed") :]
    if rest and not is_go_space(rest[0]):
        return []
    offset = pos + len("//go:embed")
    out: list[EmbedPattern] = []
    i = 0
    stripped = go_trim_space("x" + rest)[1:]  # TrimRightFunc(unicode.IsSpace)
    while True:
        while i < len(stripped) and is_go_space(stripped[i]):
            i += 1
        if i >= len(stripped):
            break
        start = i
        if stripped[i] in '"`':
            quote = stripped[i]
            j = i + 1
            while j < len(stripped) and stripped[j] != quote:
                if quote == '"' and stripped[j] == "\\":
                    j += 1
                j += 1
            if j >= len(stripped):
                return []
            try:
                arg = unquote(stripped[i : j + 1])
            except QuoteSyntaxError:
                return []
            i = j + 1
            if i < len(stripped) and not is_go_space(stripped[i]):
                return []
        else:
            j = i
            while j < len(stripped) and not is_go_space(stripped[j]):
                j += 1
            arg = stripped[i:j]
            i = j
        byte_off = offset + len(rest[:start].encode("utf-8", "surrogateescape"))
        line, col = _line_col(data, byte_off)
        out.append(
            EmbedPattern(pattern=arg, pos=Position(filename=filename, line=line, column=col))
        )
    return out


# ---------------------------------------------------------------------------------------
# The entry point.


def go_join(directory: str, name: str) -> str:
    """filepath.Join for a clean directory and a base name, as a string (go's file names)."""
    return os.path.join(directory, name)  # noqa: PTH118 - go's names are strings, not Paths


def read_source_file(directory: str, name: str, kind: FileKind) -> SourceFile:
    """Read what go/build needs from one source file (modindex's getFileInfo).

    `directory` is the directory as go names it (positions and messages use
    `directory/name`). Never raises for a bad or unreadable file: problems are recorded
    in `error` / `parse_error` with go's text.
    """
    full = go_join(directory, name)
    if kind is FileKind.SYSO:
        return SourceFile(name=name, kind=kind)
    # os.open/os.read: a file object's buffering costs more than reading a header.
    # O_NONBLOCK: opening a FIFO for reading would otherwise wait for a writer forever;
    # it changes nothing for regular files, and anything else is not read at all.
    try:
        fd = os.open(full, os.O_RDONLY | _O_CLOEXEC | _O_NONBLOCK)
    except OSError as exc:
        return SourceFile(name=name, kind=kind, error=f"open {full}: {go_errno_text(exc)}")
    try:
        mode = os.fstat(fd).st_mode
        if not (stat.S_ISREG(mode) or stat.S_ISDIR(mode)):  # a pipe, device or socket
            return SourceFile(
                name=name, kind=kind, error=f"open {full}: not a regular file, not read by cgotrap"
            )
        return read_source(_FdReader(fd), full, name, kind)
    except OSError as exc:
        return SourceFile(name=name, kind=kind, error=f"read {full}: {go_errno_text(exc)}")
    finally:
        os.close(fd)


_O_CLOEXEC = getattr(os, "O_CLOEXEC", 0)
_O_NONBLOCK = getattr(os, "O_NONBLOCK", 0)


class Readable(Protocol):
    """Anything with a binary `read(size)`: an open file, io.BytesIO, a raw descriptor."""

    def read(self, size: int = -1, /) -> bytes:
        """Up to `size` bytes; fewer only at the end."""
        ...


class _FdReader:
    """`read(size)` on a raw file descriptor, looping over short reads."""

    __slots__ = ("fd",)

    def __init__(self, fd: int) -> None:
        self.fd = fd

    def read(self, size: int = -1, /) -> bytes:
        chunks: list[bytes] = []
        want = size if size >= 0 else MAX_FILE_BYTES + 1
        while want > 0:
            chunk = os.read(self.fd, want)
            if not chunk:
                break
            chunks.append(chunk)
            want -= len(chunk)
        return chunks[0] if len(chunks) == 1 else b"".join(chunks)


def source_from_bytes(data: bytes, name: str, kind: FileKind, directory: str = "") -> SourceFile:
    """`read_source_file` for content in memory (tests, fuzzing, overlays)."""
    return read_source(io.BytesIO(data), go_join(directory, name), name, kind)


def read_source(f: Readable, full: str, name: str, kind: FileKind) -> SourceFile:
    """`read_source_file` on an open binary stream; `full` is the name go would use."""
    go_file = kind is FileKind.GO
    try:
        raw = f.read(_FIRST_READ)
        if go_file:
            body = raw[3:] if raw.startswith(_BOM) else raw
            fast = _fast_go_header(body, len(raw) < _FIRST_READ)
            if fast is not None:
                return _from_fast(full, name, kind, fast, lambda: _whole(f, raw))
        header, raw, err = _read_header(f, raw, go_file=go_file)
        if err:
            return SourceFile(name=name, kind=kind, error=f"read {full}: {err}")
        if not go_file:
            return _with_constraints(SourceFile(name=name, kind=kind), header)
        return _from_parse(full, name, kind, header, lambda: _whole(f, raw))
    except _FileTooLargeError:
        return SourceFile(name=name, kind=kind, error=f"read {full}: file too large for cgotrap")
    except OSError as exc:
        return SourceFile(name=name, kind=kind, error=f"read {full}: {go_errno_text(exc)}")


def _whole(f: Readable, raw: bytes) -> bytes:
    """The whole file (BOM removed), given the `raw` bytes already read from `f`."""
    if len(raw) <= MAX_FILE_BYTES:
        raw += f.read(MAX_FILE_BYTES + 1 - len(raw))
    if len(raw) > MAX_FILE_BYTES:
        raise _FileTooLargeError
    return raw[3:] if raw.startswith(_BOM) else raw


def _with_constraints(src: SourceFile, header: bytes) -> SourceFile:
    """Add the constraint lines of `header` (or the multiple //go:build error)."""
    if b"//go:build" not in header and b"+build" not in header and _BINARY_ONLY not in header:
        return src
    try:
        go_build, plus_build, binary_only = get_constraints(header)
    except MultipleGoBuildError:
        return SourceFile(
            name=src.name, kind=src.kind, error=f"{src.name}: multiple //go:build comments"
        )
    if src.name.endswith("_test.go"):
        binary_only = False
    return dataclasses.replace(
        src, go_build=go_build, plus_build=plus_build, binary_only=binary_only
    )


def _from_fast(
    full: str, name: str, kind: FileKind, fast: _FastHeader, whole: Callable[[], bytes]
) -> SourceFile:
    imports = tuple(
        ImportSpec(path=path, pos=Position(filename=full, line=line, column=col))
        for path, line, col in fast.imports
    )
    src = SourceFile(name=name, kind=kind, package_name=fast.package, imports=imports)
    if any(imp.path == "embed" for imp in imports):
        src = dataclasses.replace(src, embeds=_embed_patterns(whole(), full))
    return _with_constraints(src, fast.header)


def _from_parse(
    full: str, name: str, kind: FileKind, header: bytes, whole: Callable[[], bytes]
) -> SourceFile:
    """readGoInfo's parse of the header with go/parser (the exact, slower way)."""
    parsed = goscan.parse_header(header, full)
    package_name = parsed.package_name.decode("utf-8", "surrogateescape")
    scanner = parsed.scanner
    if parsed.errors:
        first = parsed.errors[0]
        fname, line, col = scanner.position(first.offset)
        perr = ParseError(pos=Position(filename=fname, line=line, column=col), msg=first.msg)
        src = SourceFile(name=name, kind=kind, parse_error=perr, package_name=package_name)
        return _with_constraints(src, header)
    imports: list[ImportSpec] = []
    cgo_directives: list[str] = []
    includes: list[Include] = []
    has_embed = False
    for spec in parsed.imports:
        try:
            path = unquote(spec.path_lit.decode("utf-8", "surrogateescape"))
        except QuoteSyntaxError:
            quoted = spec.path_lit.decode("utf-8", "surrogateescape")
            return SourceFile(
                name=name,
                kind=kind,
                error=f"read {full}: parser returned invalid quoted string: <{quoted}>",
            )
        fname, line, col = scanner.position(spec.spec_offset)
        pos = Position(filename=fname, line=line, column=col)
        if not is_valid_import(path):
            perr = ParseError(pos=pos, msg="invalid import path: " + path, in_error_list=False)
            src = SourceFile(name=name, kind=kind, parse_error=perr, package_name=package_name)
            return _with_constraints(src, header)
        has_embed = has_embed or path == "embed"
        imports.append(ImportSpec(path=path, pos=pos))
        if path == "C" and spec.doc:
            doc = comment_group_text(spec.doc)
            cgo_directives.extend(extract_cgo_directives(doc))
            includes.extend(_preamble_includes(spec.doc, scanner))
    src = SourceFile(
        name=name,
        kind=kind,
        package_name=package_name,
        imports=tuple(imports),
        cgo_directives=tuple(cgo_directives),
        includes=tuple(includes),
        embeds=_embed_patterns(whole(), full) if has_embed else (),
    )
    return _with_constraints(src, header)


def _preamble_includes(group: goscan.CommentGroup, scanner: goscan.Scanner) -> list[Include]:
    out: list[Include] = []
    tracker = cpp.GuardTracker()  # an #if may open in one `//` comment and close in another
    for comment in group:
        text = comment.text.decode("utf-8", "surrogateescape")
        body = text[2:] if text.startswith("//") else text[2:-2]
        line = scanner.line_col(comment.offset)[0]
        out.extend(extract_includes(body, line, tracker))
    return out
