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
import os
import re
from pathlib import Path

from cgotrap.read import goscan
from cgotrap.read.constraint import is_plus_build
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
    """1-based column, in bytes."""

    def __str__(self) -> str:
        return f"{self.filename}:{self.line}:{self.column}"


@dataclasses.dataclass(frozen=True, kw_only=True, slots=True)
class ParseError:
    """The first error go/parser reports for a file header (scanner.ErrorList[0])."""

    pos: Position
    """Where."""
    msg: str
    """go/parser's message, e.g. "expected 'package', found 'EOF'"."""


@dataclasses.dataclass(frozen=True, kw_only=True, slots=True)
class ImportSpec:
    """One import of a Go file."""

    path: str
    """The unquoted import path, e.g. "C" or "golang.org/x/sys/unix"."""
    pos: Position
    """ImportSpec.Pos(): the alias if there is one, else the path literal."""


@dataclasses.dataclass(frozen=True, kw_only=True, slots=True)
class Include:
    """An `#include` line in a cgo preamble."""

    header: str
    """The header name, e.g. "sqlite3.h" or "sys/socket.h"."""
    system: bool
    """True for `<x.h>`, False for `"x.h"`."""
    line: int
    """1-based line in the Go file (approximate for multi-line /* */ preambles: the line of
    the preamble comment plus the line inside it)."""


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
    constraint_error_detail: str = ""
    """Reserved: filled by the evaluation when the //go:build line fails to parse."""

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


def _go_errno_text(exc: OSError) -> str:
    """The text Go's syscall.Errno gives (glibc's strerror, lower-cased first letter)."""
    if exc.errno is None:
        return str(exc)
    text = os.strerror(exc.errno)
    if exc.errno == errno.ENOENT:
        return "no such file or directory"
    return text[:1].lower() + text[1:]


class _FileTooLargeError(Exception):
    pass


def _read_prefix(f: object, size: int) -> bytes:
    read = f.read  # type: ignore[attr-defined]  # a binary file object
    data: bytes = read(size)
    return data


def _read_header(path: str, *, go_file: bool) -> tuple[bytes, bytes, str]:
    """Run the import reader on the file: (header, whole data read, error text).

    The header is what go/build hands to its parser (BOM removed): the bytes up to the first
    byte after the imports, or the whole file after a syntax error. The error is a read
    error as go reports it ("" for none).
    """
    with Path(path).open("rb") as f:
        size = _FIRST_READ
        data = f.read(size)
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
        if not go_file:
            header = body[: reader.pos]
            if not reader.err and not reader.eof:
                header = header[:-1]
            return header, body, reader.err
        header = body[: reader.pos]
        if not reader.err and not reader.eof:
            header = header[:-1]
        if reader.err == _SYNTAX:
            # readRest: the whole file (without NUL checks).
            while not complete:
                if len(data) >= MAX_FILE_BYTES:
                    raise _FileTooLargeError
                more = f.read(MAX_FILE_BYTES + 1 - len(data))
                data += more
                complete = not more or len(data) > MAX_FILE_BYTES
            if len(data) > MAX_FILE_BYTES:
                raise _FileTooLargeError
            body = data[3:] if data.startswith(_BOM) else data
            return body, body, ""
        return header, body, reader.err


def _read_all(path: str) -> bytes:
    with Path(path).open("rb") as f:
        data = f.read(MAX_FILE_BYTES + 1)
    if len(data) > MAX_FILE_BYTES:
        raise _FileTooLargeError
    return data[3:] if data.startswith(_BOM) else data


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
        line = raw.strip(" \t\n\v\f\r\x85\xa0")
        if len(line) < 5 or line[:4] != "#cgo" or line[4] not in " \t":
            continue
        out.append(line)
    return out


_INCLUDE = re.compile(r'^[ \t]*#[ \t]*include[ \t]*([<"])([^>"\n]*)[>"]', re.MULTILINE)


def extract_includes(doc: str, first_line: int) -> list[Include]:
    """`#include <x.h>` / `#include "x.h"` lines of a preamble text."""
    out = []
    for match in _INCLUDE.finditer(doc):
        line = first_line + doc.count("\n", 0, match.start())
        out.append(Include(header=match.group(2), system=match.group(1) == "<", line=line))
    return out


# ---------------------------------------------------------------------------------------
# Import paths.

_ILLEGAL_IMPORT_CHARS = frozenset("!\"#$%&'()*,:;<=>?[\\]^{|}`\ufffd")


def is_valid_import(path: str) -> bool:
    """go/build's isValidImport."""
    if not path:
        return False
    for c in path:
        if c in _ILLEGAL_IMPORT_CHARS or c.isspace() or not _is_graphic(c):
            return False
        if "\udc80" <= c <= "\udcff":  # an undecodable byte: Go's RuneError
            return False
    return True


def _is_graphic(c: str) -> bool:
    import unicodedata

    cat = unicodedata.category(c)
    return cat[0] in "LMNPS" or cat == "Zs"


class _UnquoteError(Exception):
    pass


_SIMPLE_ESCAPES = {
    "a": "\a",
    "b": "\b",
    "f": "\f",
    "n": "\n",
    "r": "\r",
    "t": "\t",
    "v": "\v",
    "\\": "\\",
    '"': '"',
}


def go_unquote(lit: bytes) -> str:
    """strconv.Unquote for a string literal the scanner accepted."""
    text = lit.decode("utf-8", "surrogateescape")
    if len(text) < 2 or text[0] != text[-1] or text[0] not in '"`':
        raise _UnquoteError
    body = text[1:-1]
    if text[0] == "`":
        if "`" in body:
            raise _UnquoteError
        return body.replace("\r", "")
    if "\\" not in body:
        if '"' in body or "\n" in body:
            raise _UnquoteError
        return body
    out: list[str] = []
    raw = bytearray()  # pending \x / octal bytes (they form UTF-8 together)

    def flush() -> None:
        if raw:
            out.append(raw.decode("utf-8", "surrogateescape"))
            raw.clear()

    i = 0
    while i < len(body):
        c = body[i]
        if c != "\\":
            flush()
            out.append(c)
            i += 1
            continue
        if i + 1 >= len(body):
            raise _UnquoteError
        e = body[i + 1]
        if e in _SIMPLE_ESCAPES:
            flush()
            out.append(_SIMPLE_ESCAPES[e])
            i += 2
        elif e == "x":
            raw.append(int(body[i + 2 : i + 4], 16))
            i += 4
        elif e in "01234567":
            raw.append(int(body[i + 1 : i + 4], 8))
            i += 4
        elif e in "uU":
            n = 4 if e == "u" else 8
            flush()
            out.append(chr(int(body[i + 2 : i + 2 + n], 16)))
            i += 2 + n
        else:
            raise _UnquoteError
    flush()
    return "".join(out)


# ---------------------------------------------------------------------------------------
# Embeds.


def _embed_patterns(data: bytes, filename: str) -> tuple[EmbedPattern, ...]:
    errors: list[goscan.ScanError] = []
    scanner = goscan.Scanner(data, errors)
    out: list[EmbedPattern] = []
    for _ in range(len(data) + 2):
        pos, tok, lit = scanner.scan()
        if tok == goscan.T_EOF:
            break
        if tok == goscan.COMMENT and lit.startswith(b"//go:embed"):
            out.extend(_parse_go_embed(scanner, pos, lit, filename))
    return tuple(out)


def _parse_go_embed(
    scanner: goscan.Scanner, pos: int, lit: bytes, filename: str
) -> list[EmbedPattern]:
    """ast.ParseDirective + ParseArgs for //go:embed; bad lines yield nothing (as go)."""
    text = lit.decode("utf-8", "surrogateescape")
    rest = text[len("//go:embed") :]
    if rest and not rest[0].isspace():
        return []
    offset = pos + len("//go:embed")
    out: list[EmbedPattern] = []
    i = 0
    stripped = rest.rstrip()
    while True:
        while i < len(stripped) and stripped[i].isspace():
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
                arg = go_unquote(stripped[i : j + 1].encode("utf-8", "surrogateescape"))
            except (_UnquoteError, ValueError):
                return []
            i = j + 1
            if i < len(stripped) and not stripped[i].isspace():
                return []
        else:
            j = i
            while j < len(stripped) and not stripped[j].isspace():
                j += 1
            arg = stripped[i:j]
            i = j
        byte_off = offset + len(rest[:start].encode("utf-8", "surrogateescape"))
        line, col = scanner.line_col(byte_off)
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
    go_file = kind is FileKind.GO
    try:
        header, data, err = _read_header(full, go_file=go_file)
    except _FileTooLargeError:
        return SourceFile(name=name, kind=kind, error=f"read {full}: file too large for cgotrap")
    except OSError as exc:
        verb = "open" if not isinstance(exc, IsADirectoryError) else "read"
        return SourceFile(name=name, kind=kind, error=f"{verb} {full}: {_go_errno_text(exc)}")
    if err:
        return SourceFile(name=name, kind=kind, error=f"read {full}: {err}")

    parse_error: ParseError | None = None
    package_name = ""
    imports: list[ImportSpec] = []
    cgo_directives: list[str] = []
    includes: list[Include] = []
    embeds: tuple[EmbedPattern, ...] = ()
    if go_file:
        parsed = goscan.parse_header(header)
        package_name = parsed.package_name.decode("utf-8", "surrogateescape")
        scanner = parsed.scanner
        if parsed.errors:
            first = parsed.errors[0]
            line, col = scanner.line_col(first.offset)
            parse_error = ParseError(
                pos=Position(filename=full, line=line, column=col), msg=first.msg
            )
        else:
            has_embed = False
            for spec in parsed.imports:
                try:
                    path = go_unquote(spec.path_lit)
                except (_UnquoteError, ValueError):
                    quoted = spec.path_lit.decode("utf-8", "surrogateescape")
                    return SourceFile(
                        name=name,
                        kind=kind,
                        error=f"read {full}: parser returned invalid quoted string: <{quoted}>",
                    )
                line, col = scanner.line_col(spec.spec_offset)
                pos = Position(filename=full, line=line, column=col)
                if not is_valid_import(path):
                    line, col = scanner.line_col(spec.spec_offset)
                    parse_error = ParseError(pos=pos, msg="invalid import path: " + path)
                    imports = []
                    break
                if path == "embed":
                    has_embed = True
                imports.append(ImportSpec(path=path, pos=pos))
                if path == "C" and spec.doc:
                    doc = comment_group_text(spec.doc)
                    cgo_directives.extend(extract_cgo_directives(doc))
                    first_line = scanner.line_col(spec.doc[0].offset)[0]
                    includes.extend(_preamble_includes(spec.doc, scanner))
                    del first_line
            if parse_error is None and has_embed:
                try:
                    whole = _read_all(full)
                except (OSError, _FileTooLargeError):
                    whole = data
                embeds = _embed_patterns(whole, full)

    try:
        go_build, plus_build, binary_only = get_constraints(header)
    except MultipleGoBuildError:
        return SourceFile(name=name, kind=kind, error=f"{name}: multiple //go:build comments")
    if go_file and name.endswith("_test.go"):
        binary_only = False
    return SourceFile(
        name=name,
        kind=kind,
        parse_error=parse_error,
        package_name=package_name,
        imports=tuple(imports),
        go_build=go_build,
        plus_build=plus_build,
        binary_only=binary_only,
        cgo_directives=tuple(cgo_directives),
        includes=tuple(includes),
        embeds=embeds,
    )


def _preamble_includes(group: goscan.CommentGroup, scanner: goscan.Scanner) -> list[Include]:
    out: list[Include] = []
    for comment in group:
        text = comment.text.decode("utf-8", "surrogateescape")
        body = text[2:] if text.startswith("//") else text[2:-2]
        line = scanner.line_col(comment.offset)[0]
        out.extend(extract_includes(body, line))
    return out
