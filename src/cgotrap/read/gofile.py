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
import hashlib
import io
import os
import re
import stat
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Protocol

from cgotrap.gostd import QuoteSyntaxError, unquote
from cgotrap.read import cpp
from cgotrap.read.constraint import go_trim_space, is_go_space
from cgotrap.read.fdreader import FdReader
from cgotrap.read.fileheader import (
    NO_CONSTRAINTS,
    constraints_of,
)
from cgotrap.read.filename import FileKind
from cgotrap.read.gofast import FastHeader, fast_comments_end, fast_go_header

if TYPE_CHECKING:
    # (imported where used: the exact port's reader and parser read only the headers the
    # fast path does not take, none of GOROOT std's; ~1 ms of imports before a cold scan's
    # helper forks)
    from cgotrap.read import goparse, goscan

MAX_FILE_BYTES = 64 * 1024 * 1024
"""Files are never read beyond this; a larger file that needs a full read is an error."""
_FIRST_READ = 16 * 1024
MAX_HEADER_BYTES = 16 << 20
"""A header (leading comments, package clause, imports with their cgo preambles) is never
read beyond this. go/build has no limit; real headers are a few KiB (go-sqlite3's preamble
is ~300 lines). Parsing costs ~150 bytes of memory and ~15 µs per header line, so a file
with millions of comment lines before `package` would cost minutes and gigabytes."""
MAX_HEADER_LINES = 65_536
"""Nor beyond this many lines: lines, not bytes, are what parsing costs (65k lines ~0.6 s)."""

_BOM = b"\xef\xbb\xbf"
HEADER_TOO_LARGE = (
    f"header (comments, package clause, imports and cgo preambles) over {MAX_HEADER_LINES} "
    f"lines or {MAX_HEADER_BYTES} bytes: not read by cgotrap"
)


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


# A frozen dataclass's __init__ sets each field through object.__setattr__ (~0.6 µs for a
# Position); a scan builds a Position and an ImportSpec per import (~65k on moby, and the
# Positions again where a forked helper's results are unpickled), so these two fill their
# slots directly (~0.25 µs). The unpacking fails at import if a field is added or renamed.
_new = object.__new__
_SET_FILENAME, _SET_LINE, _SET_COLUMN = (
    Position.__dict__[f.name].__set__ for f in dataclasses.fields(Position)
)


def position(filename: str, line: int, column: int) -> Position:
    """`Position(filename=filename, line=line, column=column)`, faster (also how a forked
    helper's results unpickle one: `forked.dataclass_reducers`' `rebuilders`)."""
    pos: Position = _new(Position)
    _SET_FILENAME(pos, filename)
    _SET_LINE(pos, line)
    _SET_COLUMN(pos, column)
    return pos


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


_SET_PATH, _SET_POS = (ImportSpec.__dict__[f.name].__set__ for f in dataclasses.fields(ImportSpec))


def _import_specs(full: str, found: tuple[tuple[str, int, int], ...]) -> tuple[ImportSpec, ...]:
    """The ImportSpecs of (path, line, column) triples in file `full` (`position` and
    `import_spec` inlined: this runs once per import of every file read)."""
    new = _new
    out: list[ImportSpec] = []
    for path, line, column in found:
        pos: Position = new(Position)
        _SET_FILENAME(pos, full)
        _SET_LINE(pos, line)
        _SET_COLUMN(pos, column)
        spec: ImportSpec = new(ImportSpec)
        _SET_PATH(spec, path)
        _SET_POS(spec, pos)
        out.append(spec)
    return tuple(out)


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
# Reading a file's header with go/build's importReader (`goread`).


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


class _HeaderTooLargeError(Exception):
    pass


def _read_header(
    f: Readable, data: bytes, *, go_file: bool, size: int = _FIRST_READ
) -> tuple[bytes, bytes, str]:
    """Run the import reader on the file: (header, raw bytes read so far, error text).

    `data` is what was already read from `f` (the first `size` bytes). The header is
    what go/build hands to its parser (BOM removed): the bytes up to the first byte after
    the imports, or the whole file after a syntax error. The error is a read error as go
    reports it ("" for none).
    """
    if not go_file:
        body = data[3:] if data.startswith(_BOM) else data
        fast_end = fast_comments_end(body, complete=len(data) < size)
        if fast_end >= 0:
            return body[:fast_end], data, ""
    from cgotrap.read.goread import SYNTAX, ImportReader

    while True:
        complete = len(data) < size
        body = data[3:] if data.startswith(_BOM) else data
        reader = ImportReader(body, complete=complete)
        if go_file:
            reader.read_go_info()
        else:
            reader.read_comments()
        if not reader.need_more:
            break
        if size >= MAX_HEADER_BYTES:
            raise _HeaderTooLargeError
        size = min(size * 4, MAX_HEADER_BYTES)
        data += f.read(size - len(data))
    header = body[: reader.pos]
    if not reader.err and not reader.eof:
        header = header[:-1]
    if not go_file or reader.err != SYNTAX:
        return header, data, reader.err
    # readRest: the whole file (without NUL checks), parsed for the error's position: bounded
    # like a header.
    while not complete:
        if len(data) > MAX_HEADER_BYTES:
            raise _HeaderTooLargeError
        more = f.read(MAX_HEADER_BYTES + 1 - len(data))
        data += more
        complete = not more
    if len(data) > MAX_HEADER_BYTES:
        raise _HeaderTooLargeError
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


# ---------------------------------------------------------------------------------------
# The cgo preamble.


def comment_group_text(group: goparse.CommentGroup) -> str:
    """ast.CommentGroup.Text(): markers removed, directives dropped, blank runs collapsed."""
    return _group_text(comment.text for comment in group)


def _group_text(texts: Iterable[bytes]) -> str:
    """`comment_group_text` of the comments' texts (with their markers)."""
    lines: list[str] = []
    for text in texts:
        c = text.decode("utf-8", "surrogateescape")
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
    if directory and directory[-1] not in _SEPARATORS:  # (concatenation: twice as fast)
        return directory + os.sep + name
    return os.path.join(directory, name)  # noqa: PTH118 - go's names are strings, not Paths


_SEPARATORS = os.sep + (os.altsep or "") + (":" if os.name == "nt" else "")
"""Characters after which os.path.join adds no separator (a drive's colon on Windows)."""


def read_source_file(
    directory: str,
    name: str,
    kind: FileKind,
    digests: dict[str, bytes] | None = None,
    st: os.stat_result | None = None,
) -> SourceFile:
    """Read what go/build needs from one source file (modindex's getFileInfo).

    `directory` is the directory as go names it (positions and messages use
    `directory/name`). Never raises for a bad or unreadable file: problems are recorded
    in `error` / `parse_error` with go's text. `digests`: when given, a regular file gets
    `digests[name]`, the digest of the bytes the result was computed from: the SHA-256 of
    the whole file as it was read when it was read to its end, else the `cache.prefix_digest`
    of the bytes read (the result is a function of them alone: the reads stop where what
    was read says, never at a size known beforehand); none after a failed read. `st`: the
    file's stat (symbolic links followed) when the caller has it: a regular file's is not
    taken again from the open file.
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
        if st is None or not stat.S_ISREG(st.st_mode):
            st = os.fstat(fd)
        mode = st.st_mode
        if not (stat.S_ISREG(mode) or stat.S_ISDIR(mode)):  # a pipe, device or socket
            return SourceFile(
                name=name, kind=kind, error=f"open {full}: not a regular file, not read by cgotrap"
            )
        if stat.S_ISREG(mode) and 0 < st.st_size < _FIRST_READ:
            # (most files: one read is all of it, short, at its end; the reads go on in
            # memory, its digest the whole file's; one that grew since is read anew below)
            raw = os.read(fd, _FIRST_READ)
            if len(raw) < _FIRST_READ:
                src = read_source(io.BytesIO(raw), full, name, kind)
                if digests is not None:
                    digests[name] = _sha256(raw).digest()
                return src
            os.lseek(fd, 0, os.SEEK_SET)
        reader = FdReader(fd, st.st_size if stat.S_ISREG(mode) else -1, MAX_FILE_BYTES + 1)
        src = read_source(reader, full, name, kind)
    except OSError as exc:
        return SourceFile(name=name, kind=kind, error=f"read {full}: {go_errno_text(exc)}")
    finally:
        os.close(fd)
    if digests is not None and stat.S_ISREG(mode):
        digest = reader.digest()
        if digest is not None:
            digests[name] = digest
    return src


_sha256 = hashlib.sha256


_O_CLOEXEC = getattr(os, "O_CLOEXEC", 0)
_O_NONBLOCK = getattr(os, "O_NONBLOCK", 0)


class Readable(Protocol):
    """Anything with a binary `read(size)`: an open file, io.BytesIO, a raw descriptor."""

    def read(self, size: int = -1, /) -> bytes:
        """Up to `size` bytes; fewer only at the end."""
        ...


def source_from_bytes(data: bytes, name: str, kind: FileKind, directory: str = "") -> SourceFile:
    """`read_source_file` for content in memory (tests, fuzzing, overlays)."""
    return read_source(io.BytesIO(data), go_join(directory, name), name, kind)


def read_source(f: Readable, full: str, name: str, kind: FileKind) -> SourceFile:
    """`read_source_file` on an open binary stream; `full` is the name go would use."""
    go_file = kind is FileKind.GO
    try:
        raw = f.read(_FIRST_READ)
        size = _FIRST_READ
        if go_file:
            fast = fast_go_header(raw[3:] if raw.startswith(_BOM) else raw, len(raw) < size)
            if fast is None and len(raw) == size:  # (a long doc comment: once more, further)
                size *= 4
                raw += f.read(size - len(raw))
                fast = fast_go_header(raw[3:] if raw.startswith(_BOM) else raw, len(raw) < size)
            if fast is not None:
                return _from_fast(full, name, kind, fast, lambda: _whole(f, raw))
        header, raw, err = _read_header(f, raw, go_file=go_file, size=size)
        if err:
            return SourceFile(name=name, kind=kind, error=f"read {full}: {err}")
        if header.count(b"\n") >= MAX_HEADER_LINES:
            return SourceFile(name=name, kind=kind, error=f"read {full}: {HEADER_TOO_LARGE}")
        if not go_file:
            return _comments_source(name, kind, header)
        return _from_parse(full, name, kind, header, lambda: _whole(f, raw))
    except _FileTooLargeError:
        return SourceFile(name=name, kind=kind, error=f"read {full}: file too large for cgotrap")
    except _HeaderTooLargeError:
        return SourceFile(name=name, kind=kind, error=f"read {full}: {HEADER_TOO_LARGE}")
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
    got = constraints_of(src.name, header)
    if got is None:
        return SourceFile(
            name=src.name, kind=src.kind, error=f"{src.name}: multiple //go:build comments"
        )
    if got is NO_CONSTRAINTS:
        return src
    go_build, plus_build, binary_only = got
    return dataclasses.replace(
        src, go_build=go_build, plus_build=plus_build, binary_only=binary_only
    )


def _comments_source(name: str, kind: FileKind, header: bytes) -> SourceFile:
    """The record of a non-Go source whose leading comments are `header`."""
    got = constraints_of(name, header)
    if got is None:
        return SourceFile(name=name, kind=kind, error=f"{name}: multiple //go:build comments")
    return _source(name, kind, package="", imports=(), constraints=got, embeds=())


def _from_fast(
    full: str, name: str, kind: FileKind, fast: FastHeader, whole: Callable[[], bytes]
) -> SourceFile:
    imports = _import_specs(full, fast.imports)
    embeds: tuple[EmbedPattern, ...] = ()
    if b'"embed"' in fast.header and any(path == "embed" for path, _, _ in fast.imports):
        embeds = _embed_patterns(whole(), full)
    got = constraints_of(name, fast.header)
    if got is None:
        return SourceFile(name=name, kind=kind, error=f"{name}: multiple //go:build comments")
    src = _source(name, kind, package=fast.package, imports=imports, constraints=got, embeds=embeds)
    if fast.cgo_doc:  # (`_from_parse`'s part for `import "C"`)
        doc = _group_text(text for text, _ in fast.cgo_doc)
        _SET_SOURCE_CGO_DIRECTIVES(src, tuple(extract_cgo_directives(doc)))
        _SET_SOURCE_INCLUDES(src, tuple(_includes(fast.cgo_doc)))
    return src


def _source(
    name: str,
    kind: FileKind,
    *,
    package: str,
    imports: tuple[ImportSpec, ...],
    constraints: tuple[str, tuple[str, ...], bool],
    embeds: tuple[EmbedPattern, ...],
) -> SourceFile:
    """SourceFile(name=name, kind=kind, package_name=package, ...) without a cgo preamble
    or an error, its slots filled directly (see `position`): one is built per file read."""
    src: SourceFile = _new(SourceFile)
    go_build, plus_build, binary_only = constraints
    _SET_SOURCE_NAME(src, name)
    _SET_SOURCE_KIND(src, kind)
    _SET_SOURCE_ERROR(src, "")
    _SET_SOURCE_PARSE_ERROR(src, None)
    _SET_SOURCE_PACKAGE_NAME(src, package)
    _SET_SOURCE_IMPORTS(src, imports)
    _SET_SOURCE_GO_BUILD(src, go_build)
    _SET_SOURCE_PLUS_BUILD(src, plus_build)
    _SET_SOURCE_BINARY_ONLY(src, binary_only)
    _SET_SOURCE_CGO_DIRECTIVES(src, ())
    _SET_SOURCE_INCLUDES(src, ())
    _SET_SOURCE_EMBEDS(src, embeds)
    return src


(
    _SET_SOURCE_NAME,
    _SET_SOURCE_KIND,
    _SET_SOURCE_ERROR,
    _SET_SOURCE_PARSE_ERROR,
    _SET_SOURCE_PACKAGE_NAME,
    _SET_SOURCE_IMPORTS,
    _SET_SOURCE_GO_BUILD,
    _SET_SOURCE_PLUS_BUILD,
    _SET_SOURCE_BINARY_ONLY,
    _SET_SOURCE_CGO_DIRECTIVES,
    _SET_SOURCE_INCLUDES,
    _SET_SOURCE_EMBEDS,
) = (SourceFile.__dict__[f.name].__set__ for f in dataclasses.fields(SourceFile))
# (the unpacking fails at import when a field is added; the test of the fast path against
# the exact port, when two are swapped)


def _from_parse(
    full: str, name: str, kind: FileKind, header: bytes, whole: Callable[[], bytes]
) -> SourceFile:
    """readGoInfo's parse of the header with go/parser (the exact, slower way)."""
    from cgotrap.read import goparse

    parsed = goparse.parse_header(header, full)
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


def _preamble_includes(group: goparse.CommentGroup, scanner: goscan.Scanner) -> list[Include]:
    return _includes((c.text, scanner.line_col(c.offset)[0]) for c in group)


def _includes(comments: Iterable[tuple[bytes, int]]) -> list[Include]:
    """The #includes of a preamble's comments: (text with its markers, line), in order."""
    out: list[Include] = []
    tracker = cpp.GuardTracker()  # an #if may open in one `//` comment and close in another
    for raw, line in comments:
        text = raw.decode("utf-8", "surrogateescape")
        body = text[2:] if text.startswith("//") else text[2:-2]
        out.extend(extract_includes(body, line, tracker))
    return out
