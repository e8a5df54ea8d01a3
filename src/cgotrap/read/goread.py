"""go/build's importReader (go/build/read.go), ported literally over an in-memory buffer:
the state machine that finds where a Go file's header (package clause and imports) or a
non-Go file's leading comment block ends, with go's read errors."""

from __future__ import annotations

import re

SYNTAX = "syntax error"
_NUL = "unexpected NUL in input"


class ImportReader:
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
        # Without any NUL byte, comment bodies can be skipped with bytes.find, and whole
        # runs of spaces and complete comments with one match (`_SKIP`).
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
            self.err = SYNTAX

    def peek_byte(self, skip_space: bool) -> int:
        if self.err:
            return 0
        c = self.peek
        if c == 0:
            c = self.read_byte()
        data = self.data
        if skip_space and c in _SKIP_FIRST and not self.scan_nul and not self.eof:
            # What the loop below does byte by byte for spaces and complete comments (`c`
            # is the byte before `pos`): then it reads the byte after them, and goes on
            # with whatever they end at (a token, a lone "/", an unterminated comment).
            skipped = _SKIP(data, self.pos - 1)  # (a starred group: it always matches)
            if skipped is not None and skipped.end() >= self.pos:
                self.pos = skipped.end()
                c = self.read_byte()
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
                        if not self.scan_nul:  # (unterminated: to the end at once)
                            end = data.find(b"*/", self.pos)
                            self.pos = end if end >= 0 else len(data)
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


_SKIP = re.compile(rb"(?:[ \x0c\t\r\n;]++|//[^\n]*+|/\*.*?\*/)*+", re.DOTALL).match
"""Spaces, semicolons and complete comments: what `peek_byte` skips (no NUL among them)."""
_SKIP_FIRST = frozenset(b" \x0c\t\r\n;/")


def _is_ident_byte(c: int) -> bool:
    return 0x41 <= c <= 0x5A or 0x61 <= c <= 0x7A or 0x30 <= c <= 0x39 or c == 0x5F or c >= 0x80
