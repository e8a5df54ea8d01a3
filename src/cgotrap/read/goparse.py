"""A port of the import-section subset of Go's `go/parser` over `goscan`'s tokens.

go/build parses a Go file's header with `parser.ParseFile(..., ImportsOnly|ParseComments)`:
this parses like go/parser's `parseFile` up to the end of the imports (comment groups, lead
comments, error recovery with `advance`, one error per line, bail out after ten), so the
first error is the text and position `go list` reports. Loops are bounded by the input
length, and nothing recurses.
"""

from __future__ import annotations

import dataclasses

from cgotrap.read.goscan import (
    COMMA,
    COMMENT,
    EXPR_END,
    IDENT,
    ILLEGAL,
    LITERALS,
    LPAREN,
    PERIOD,
    RBRACE,
    RPAREN,
    SEMICOLON,
    STMT_START,
    STRING,
    T_EOF,
    ScanError,
    Scanner,
)


@dataclasses.dataclass(frozen=True, kw_only=True, slots=True)
class Comment:
    """One comment token: its offset and text (with the // or /* */ markers)."""

    offset: int
    """Byte offset of the first '/'."""
    text: bytes
    """The comment as go/scanner returns it (CRs stripped)."""


CommentGroup = tuple[Comment, ...]


@dataclasses.dataclass(frozen=True, kw_only=True, slots=True)
class ParsedImport:
    """One import spec as go/parser builds it."""

    path_lit: bytes
    """The path literal with its quotes ("" when missing)."""
    offset: int
    """Offset of the path literal (ImportSpec.Pos() is the name's if it has one)."""
    spec_offset: int
    """ImportSpec.Pos(): the offset of the name if present, else of the path."""
    doc: CommentGroup | None
    """The doc comment go/build uses (spec.Doc, or the decl's Doc for a lone spec)."""


@dataclasses.dataclass(frozen=True, kw_only=True, slots=True)
class ParsedHeader:
    """What parseFile(ImportsOnly|ParseComments) gives go/build."""

    package_name: bytes
    """The package clause's name ("" when the clause did not parse; "_" if it was missing)."""
    package_offset: int
    """Offset of the `package` keyword (-1 when parsing stopped before it)."""
    imports: tuple[ParsedImport, ...]
    """The import specs, in order."""
    comments: tuple[CommentGroup, ...]
    """Every comment group the parser collected."""
    errors: tuple[ScanError, ...]
    """Errors, sorted as go's ErrorList.Sort (by position, then message)."""
    scanner: Scanner
    """The scanner (its line table maps offsets to positions)."""


class _Bailout(Exception):  # noqa: N818 - go/parser's name for the panic value
    """go/parser's bailout panic: more than ten errors."""


class Parser:
    """go/parser's parseFile for the package clause and import declarations."""

    def __init__(self, src: bytes, filename: str = "") -> None:
        self.errors: list[ScanError] = []
        self.scanner = Scanner(src, self.errors, filename)
        self.pos = 0
        self.tok = ILLEGAL
        self.lit = b""
        self.lead_comment: CommentGroup | None = None
        self.line_comment: CommentGroup | None = None
        self.comments: list[CommentGroup] = []
        self.sync_pos = -1
        self.sync_cnt = 0
        self.next()

    def _line(self, offset: int) -> int:
        return self.scanner.line_col(offset)[0]

    def next0(self) -> None:
        self.pos, self.tok, self.lit = self.scanner.scan()

    def _consume_comment(self) -> tuple[Comment, int]:
        endline = self._line(self.pos)
        if self.lit[1:2] == b"*":
            endline += self.lit.count(b"\n")
        comment = Comment(offset=self.pos, text=self.lit)
        self.next0()
        return comment, endline

    def _consume_comment_group(self, n: int) -> tuple[CommentGroup, int]:
        group: list[Comment] = []
        endline = self._line(self.pos)
        while self.tok == COMMENT and self._line(self.pos) <= endline + n:
            comment, endline = self._consume_comment()
            group.append(comment)
        result = tuple(group)
        self.comments.append(result)
        return result, endline

    def next(self) -> None:
        self.lead_comment = None
        self.line_comment = None
        prev = self.pos
        self.next0()
        if self.tok == COMMENT:
            comment: CommentGroup | None = None
            if self._line(self.pos) == self._line(prev):
                comment, endline = self._consume_comment_group(0)
                if self._line(self.pos) != endline or self.tok in (SEMICOLON, T_EOF):
                    self.line_comment = comment
            endline = -1
            while self.tok == COMMENT:
                comment, endline = self._consume_comment_group(1)
            if endline + 1 == self._line(self.pos):
                self.lead_comment = comment

    def error(self, offset: int, msg: str) -> None:
        position = self.scanner.position
        line = position(offset)[1]
        if self.errors and position(self.errors[-1].offset)[1] == line:
            return
        if len(self.errors) > 10:
            raise _Bailout
        self.errors.append(ScanError(offset=offset, msg=msg))

    def error_expected(self, offset: int, msg: str) -> None:
        msg = "expected " + msg
        if offset == self.pos:
            if self.tok == SEMICOLON and self.lit == b"\n":
                msg += ", found newline"
            elif self.tok in LITERALS:
                msg += ", found " + self.lit.decode("utf-8", "replace")
            else:
                msg += ", found '" + self.tok + "'"
        self.error(offset, msg)

    def expect(self, tok: str) -> int:
        pos = self.pos
        if self.tok != tok:
            self.error_expected(pos, "'" + tok + "'")
        self.next()
        return pos

    def expect_semi(self) -> None:
        if self.tok in (RPAREN, RBRACE):
            return
        if self.tok == COMMA:
            self.error_expected(self.pos, "';'")
            self.next()
            return
        if self.tok == SEMICOLON:
            self.next()
            return
        self.error_expected(self.pos, "';'")
        self.advance(STMT_START)

    def advance(self, to: frozenset[str]) -> None:
        while self.tok != T_EOF:
            if self.tok in to:
                if self.pos == self.sync_pos and self.sync_cnt < 10:
                    self.sync_cnt += 1
                    return
                if self.pos > self.sync_pos:
                    self.sync_pos = self.pos
                    self.sync_cnt = 0
                    return
            self.next()

    def parse_ident(self) -> bytes:
        if self.tok == IDENT:
            name = self.lit
            self.next()
            return name
        self.expect(IDENT)
        return b"_"

    def parse_import_spec(self, doc: CommentGroup | None) -> ParsedImport:
        spec_offset = -1
        if self.tok == IDENT:
            spec_offset = self.pos
            self.parse_ident()
        elif self.tok == PERIOD:
            spec_offset = self.pos
            self.next()
        pos = self.pos
        path = b""
        if self.tok == STRING:
            path = self.lit
            self.next()
        elif self.tok in LITERALS:
            self.error(pos, "import path must be a string")
            self.next()
        else:
            self.error(pos, "missing import path")
            self.advance(EXPR_END)
        self.expect_semi()
        return ParsedImport(
            path_lit=path,
            offset=pos,
            spec_offset=pos if spec_offset < 0 else spec_offset,
            doc=doc,
        )

    def parse_import_decl(self, imports: list[ParsedImport]) -> None:
        doc = self.lead_comment
        self.expect("import")
        if self.tok == LPAREN:
            self.next()
            specs: list[ParsedImport] = []
            while self.tok not in (RPAREN, T_EOF):
                specs.append(self.parse_import_spec(self.lead_comment))
            self.expect(RPAREN)
            self.expect_semi()
            # go/build: "doc = spec.Doc; if doc == nil && len(d.Specs) == 1 { doc = d.Doc }"
            if len(specs) == 1 and specs[0].doc is None:
                specs[0] = dataclasses.replace(specs[0], doc=doc)
            imports.extend(specs)
        else:
            spec = self.parse_import_spec(None)
            # go/build: "doc = spec.Doc; if doc == nil && len(d.Specs) == 1 { doc = d.Doc }"
            imports.append(dataclasses.replace(spec, doc=doc))

    def parse_file(self) -> tuple[bytes, int, list[ParsedImport]]:
        imports: list[ParsedImport] = []
        if self.errors:
            return b"", -1, imports
        pos = self.expect("package")
        name = self.parse_ident()
        self.expect_semi()
        if self.errors:
            return b"", -1, imports
        while self.tok == "import":
            self.parse_import_decl(imports)
        return name, pos, imports


def parse_header(src: bytes, filename: str = "") -> ParsedHeader:
    """Parse a Go file header as go/parser does with ImportsOnly|ParseComments."""
    parser = Parser(src, filename)
    name = b""
    package_offset = -1
    imports: list[ParsedImport] = []
    try:
        name, package_offset, imports = parser.parse_file()
    except _Bailout:
        name, package_offset, imports = b"", -1, []
    scanner = parser.scanner
    # scanner.ErrorList.Sort: by (adjusted) file name, line, column, then message.
    errors = sorted(parser.errors, key=lambda e: (*scanner.position(e.offset), e.msg))
    return ParsedHeader(
        package_name=name,
        package_offset=package_offset,
        imports=tuple(imports),
        comments=tuple(parser.comments),
        errors=tuple(errors),
        scanner=scanner,
    )
