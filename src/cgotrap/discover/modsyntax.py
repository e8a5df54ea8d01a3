"""go.mod and go.work syntax: golang.org/x/mod/modfile read.go (the lexer and the line/block
grammar), read-only; the directives on top of it are `discover.gomod`.

`parse_syntax(text, name)` turns a file into statements (lines, blocks, comment blocks) with
their comments and positions, or raises `GoModError` with go's own text and position.
"""

from __future__ import annotations

import dataclasses
import enum
import re

from cgotrap.errors import InputError
from cgotrap.gostd import is_print, quote_rune


class GoModError(InputError):
    """A go.mod or go.work that cannot be parsed: "path/go.mod:3: unexpected input"."""

    def __init__(self, message: str, *, more: tuple[str, ...] = ()) -> None:
        # go's text may span lines ("usage: replace module/path [v1.2.3] => other/module
        # v1.4\n\t or replace ..."): the user's message is one line, `errors` keeps go's text.
        super().__init__(" ".join(part.strip() for part in message.splitlines()))
        self.errors = (message, *more)
        """Every error go would list, as go prints it (the message is the first)."""


class _Kind(enum.Enum):
    IDENT = "ident"
    STRING = "string"
    COMMENT = "comment"  # a whole-line comment, top level
    EOLCOMMENT = "eolcomment"  # a comment after tokens (or inside a block)
    NEWLINE = "newline"
    LPAREN = "("
    RPAREN = ")"
    PUNCT = "punct"  # [ ] { } ,
    EOF = "eof"


@dataclasses.dataclass(frozen=True, kw_only=True, slots=True)
class _Pos:
    """A position in the file: line, rune in the line, byte offset (modfile.Position)."""

    line: int
    rune: int
    offset: int


@dataclasses.dataclass(frozen=True, kw_only=True, slots=True)
class _Token:
    """A token and where it starts and ends."""

    kind: _Kind
    text: str
    pos: _Pos
    end: _Pos

    @property
    def is_eol(self) -> bool:
        return self.kind in (_Kind.EOF, _Kind.EOLCOMMENT, _Kind.NEWLINE)


class _ParseError(Exception):
    def __init__(self, pos: _Pos, message: str) -> None:
        super().__init__(message)
        self.pos = pos
        self.message = message


@dataclasses.dataclass(kw_only=True, slots=True)
class _Comments:
    """The comments before a statement and after it on its line (modfile.Comments)."""

    before: list[str] = dataclasses.field(default_factory=list)  # "" for a blank line
    suffix: list[str] = dataclasses.field(default_factory=list)


@dataclasses.dataclass(kw_only=True, slots=True)
class Line:
    """A statement on one line (modfile.Line)."""

    tokens: list[str]
    start: _Pos
    end: _Pos
    comments: _Comments = dataclasses.field(default_factory=_Comments)


@dataclasses.dataclass(kw_only=True, slots=True)
class Block:
    """A factored block: `require (...)` (modfile.LineBlock)."""

    tokens: list[str]
    start: _Pos
    lparen: _Pos
    rparen: _Pos
    lines: list[Line]
    comments: _Comments = dataclasses.field(default_factory=_Comments)


@dataclasses.dataclass(kw_only=True, slots=True)
class CommentBlock:
    """Comments alone between statements (modfile.CommentBlock)."""

    start: _Pos
    comments: _Comments = dataclasses.field(default_factory=_Comments)


Stmt = Line | Block | CommentBlock
_PUNCT = frozenset("\n()[]{},")


_ASCII_IDENT_RUN = re.compile(r"[!-'*+\-.0-Z\\^-z|~]+")
"""ASCII characters `_is_ident` accepts, but "/" (a comment may start there): printable,
not a space, not one of ()[]{},."""


def _is_ident(ch: str) -> bool:
    """read.go isIdent: printable, not space, not punctuation."""
    if ch in " ()[]{},":
        return False
    return not ch.isspace() and is_print(ord(ch))


class _Input:
    """read.go's input: a one-token-lookahead lexer that reports errors where go does."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.i = 0
        self.line = 1
        self.rune = 1
        self.suffix_comments: list[tuple[str, _Pos]] = []
        self.token = self._read_token()

    def _pos(self) -> _Pos:
        return _Pos(line=self.line, rune=self.rune, offset=self.i)

    def _advance(self) -> str:
        ch = self.text[self.i]
        self.i += 1
        if ch == "\n":
            self.line += 1
            self.rune = 1
        else:
            self.rune += 1
        return ch

    def _error(self, message: str, pos: _Pos | None = None) -> _ParseError:
        return _ParseError(pos or self._pos(), message)

    def _read_token(self) -> _Token:
        text = self.text
        n = len(text)
        while self.i < n:
            ch = text[self.i]
            if ch in " \t\r":
                self._advance()
                continue
            if text.startswith("//", self.i):
                start = self._pos()
                line_start = text.rfind("\n", 0, self.i) + 1
                suffix = bool(text[line_start : self.i].strip())
                newline = text.find("\n", self.i)
                if newline < 0:  # (the comment's runes, then its newline, as _advance counts)
                    self.rune += n - self.i
                    self.i = n
                else:
                    self.i = newline + 1
                    self.line += 1
                    self.rune = 1
                body = text[start.offset : self.i]
                kind = _Kind.EOLCOMMENT if suffix else _Kind.COMMENT
                if suffix:
                    self.suffix_comments.append((body.rstrip("\n"), start))
                return _Token(kind=kind, text=body.rstrip("\n"), pos=start, end=self._pos())
            if text.startswith("/*", self.i):
                raise self._error("mod files must use // comments (not /* */ comments)")
            break
        start = self._pos()
        if self.i >= n:
            return _Token(kind=_Kind.EOF, text="", pos=start, end=start)
        ch = text[self.i]
        if ch in _PUNCT:
            self._advance()
            kind = {"\n": _Kind.NEWLINE, "(": _Kind.LPAREN, ")": _Kind.RPAREN}.get(ch, _Kind.PUNCT)
            return _Token(kind=kind, text=ch, pos=start, end=self._pos())
        if ch in '"`':
            self._advance()
            while True:
                if self.i >= n:
                    raise self._error("unexpected EOF in string", start)
                if text[self.i] == "\n":
                    raise self._error("unexpected newline in string")
                c = self._advance()
                if c == ch:
                    break
                if c == "\\" and ch != "`":
                    if self.i >= n:
                        raise self._error("unexpected EOF in string", start)
                    self._advance()
            return _Token(
                kind=_Kind.STRING, text=text[start.offset : self.i], pos=start, end=self._pos()
            )
        if not _is_ident(ch):
            raise self._error(f"unexpected input character {quote_rune(ord(ch))}")
        at = self.i  # (no newline in an identifier: its runes are its characters)
        while at < n:
            run = _ASCII_IDENT_RUN.match(text, at)  # (a go.mod is mostly such runs)
            if run is not None:
                at = run.end()
                if at >= n:
                    break
            ch = text[at]
            if ch == "/":
                if text.startswith("//", at):
                    break
                if text.startswith("/*", at):
                    self.rune += at - self.i
                    self.i = at
                    raise self._error("mod files must use // comments (not /* */ comments)")
            elif ch < "\x80" or not _is_ident(ch):
                break
            at += 1
        self.rune += at - self.i
        self.i = at
        return _Token(
            kind=_Kind.IDENT, text=text[start.offset : self.i], pos=start, end=self._pos()
        )

    def peek(self) -> _Token:
        return self.token

    def lex(self) -> _Token:
        tok = self.token
        self.token = self._read_token()
        return tok

    # -- the grammar (parseFile, parseStmt, parseLineBlock, parseLine)

    def parse_file(self) -> list[Stmt]:
        stmts: list[Stmt] = []
        cb: CommentBlock | None = None
        while True:
            tok = self.peek()
            if tok.kind is _Kind.NEWLINE:
                self.lex()
                if cb is not None:
                    stmts.append(cb)
                    cb = None
            elif tok.kind is _Kind.COMMENT:
                self.lex()
                if cb is None:
                    cb = CommentBlock(start=tok.pos)
                cb.comments.before.append(tok.text)
            elif tok.kind is _Kind.EOF:
                if cb is not None:
                    stmts.append(cb)
                return stmts
            else:
                stmts.append(self._parse_stmt())
                if cb is not None:
                    stmts[-1].comments.before = cb.comments.before
                    cb = None

    def _parse_stmt(self) -> Line | Block:
        tok = self.lex()
        start, end = tok.pos, tok.end
        tokens = [tok.text]
        while True:
            tok = self.lex()
            if tok.is_eol:
                return Line(tokens=tokens, start=start, end=end)
            if tok.kind is _Kind.LPAREN:
                nxt = self.peek()
                if nxt.is_eol:
                    return self._parse_block(start, tokens, tok)
                if nxt.kind is _Kind.RPAREN:
                    rparen = self.lex()
                    if self.peek().is_eol:
                        self.lex()
                        return Block(
                            tokens=tokens, start=start, lparen=tok.pos, rparen=rparen.pos, lines=[]
                        )
                    tokens += [tok.text, rparen.text]
                else:
                    tokens.append(tok.text)
            else:
                tokens.append(tok.text)
                end = tok.end

    def _parse_block(self, start: _Pos, tokens: list[str], lparen: _Token) -> Block:
        block = Block(tokens=tokens, start=start, lparen=lparen.pos, rparen=start, lines=[])
        comments: list[str] = []
        while True:
            tok = self.peek()
            if tok.kind is _Kind.EOLCOMMENT:
                self.lex()
            elif tok.kind is _Kind.NEWLINE:
                self.lex()
                if (not comments and block.lines) or (comments and comments[-1] != ""):
                    comments.append("")
            elif tok.kind is _Kind.COMMENT:
                self.lex()
                comments.append(tok.text)
            elif tok.kind is _Kind.EOF:
                raise self._error(
                    f"syntax error (unterminated block started at {{file}}:{start.line}:"
                    f"{start.rune})"
                )
            elif tok.kind is _Kind.RPAREN:
                rparen = self.lex()
                block.rparen = rparen.pos
                if not self.peek().is_eol:
                    raise self._error("syntax error (expected newline after closing paren)")
                self.lex()
                return block
            else:
                line = self._parse_line()
                line.comments.before = comments
                comments = []
                block.lines.append(line)

    def _parse_line(self) -> Line:
        tok = self.lex()
        start, end = tok.pos, tok.end
        tokens = [tok.text]
        while True:
            tok = self.lex()
            if tok.is_eol:
                return Line(tokens=tokens, start=start, end=end)
            tokens.append(tok.text)
            end = tok.end


def _after(pos: _Pos) -> _Pos:
    """Position.add("(" or ")"): one rune further on the same line."""
    return _Pos(line=pos.line, rune=pos.rune + 1, offset=pos.offset + 1)


def _assign_suffix_comments(stmts: list[Stmt], suffix: list[tuple[str, _Pos]]) -> None:
    """read.go assignComments for suffix comments: each goes to the syntax just before it."""
    post: list[tuple[_Pos, _Pos, _Comments]] = []
    for stmt in stmts:
        match stmt:
            case CommentBlock():
                post.append((stmt.start, stmt.start, stmt.comments))
            case Line():
                post.append((stmt.start, stmt.end, stmt.comments))
            case Block():
                post.append((stmt.lparen, _after(stmt.lparen), _Comments()))
                post.extend((line.start, line.end, line.comments) for line in stmt.lines)
                post.append((stmt.rparen, _after(stmt.rparen), _Comments()))
                post.append((stmt.start, _after(stmt.rparen), stmt.comments))
    pending = list(suffix)
    for start, end, comments in reversed(post):
        if start.line != end.line:
            continue
        while pending and end.offset <= pending[-1][1].offset:
            comments.suffix.append(pending.pop()[0])
    for _, _, comments in post:
        comments.suffix.reverse()


def parse_syntax(text: str, name: str) -> list[Stmt]:
    inp: _Input | None = None
    try:
        inp = _Input(text)
        stmts = inp.parse_file()
    except _ParseError as exc:
        raise GoModError(located(name, exc.pos, exc.message.replace("{file}", name))) from None
    _assign_suffix_comments(stmts, inp.suffix_comments)
    return stmts


def located(name: str, pos: _Pos, message: str) -> str:
    """modfile.Error.Error's position prefix: "file:line:col: " (col only when > 1)."""
    if pos.rune > 1:
        return f"{name}:{pos.line}:{pos.rune}: {message}"
    return f"{name}:{pos.line}: {message}"
