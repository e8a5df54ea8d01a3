"""Build constraint lines, parsed exactly as Go's `go/build/constraint` does.

Both syntaxes are supported: `//go:build linux && (amd64 || arm64)` and the legacy
`// +build linux,amd64 darwin` (space = OR, comma = AND, one line per AND term).

A parsed `Constraint` is a postfix program over tags (no recursion anywhere, so hostile input
such as 1000 nested parentheses cannot exhaust the stack). It is evaluated either with a
per-tag boolean predicate (`eval`, like Go's `Expr.Eval`) or, for every build context at once,
with a per-tag *bitmask* (`eval_mask`): bit i is set when the tag holds on context i, and
`&&`, `||`, `!` become `&`, `|` and `~` over ints.

Error texts are Go's (`unexpected token )`, `missing close paren`, `build expression too
large`, `expression too complex for // +build lines`, ...).
"""

from __future__ import annotations

import dataclasses
import enum
import unicodedata
from collections.abc import Callable

from cgotrap.errors import CgotrapError

MAX_SIZE = 1000
"""Go's `maxSize`: at most this many operands in one //go:build expression."""
MAX_OLD_SIZE = 100
"""Go's `maxOldSize`: at most this many AND/OR operators in one // +build line."""


class ConstraintSyntaxError(CgotrapError):
    """A //go:build expression that does not parse (Go's `*constraint.SyntaxError`)."""

    def __init__(self, message: str, offset: int = 0) -> None:
        super().__init__(message)
        self.message = message
        """Go's `Err` text, e.g. "unexpected token )"."""
        self.offset = offset
        """Byte offset in the expression where the error was detected."""


class NotConstraintError(CgotrapError):
    """The line is neither a //go:build nor a // +build line (Go's `errNotConstraint`)."""


class Op(enum.Enum):
    """The operations of a compiled constraint program (postfix order)."""

    TAG = "tag"
    NOT = "!"
    AND = "&&"
    OR = "||"


Instr = tuple[Op, str]
"""One postfix instruction: (Op.TAG, "linux") pushes a tag; the others pop operands."""


@dataclasses.dataclass(frozen=True, kw_only=True, slots=True)
class Constraint:
    """A parsed build constraint expression, as a postfix program."""

    program: tuple[Instr, ...]
    """Postfix instructions; `linux && !cgo` is TAG linux, TAG cgo, NOT, AND."""

    @property
    def tags(self) -> frozenset[str]:
        """Every tag the expression mentions."""
        return frozenset(arg for op, arg in self.program if op is Op.TAG)

    def eval(self, ok: Callable[[str], bool]) -> bool:
        """Go's `Expr.Eval`: every tag is looked up (no short circuit), as Go does."""
        stack: list[bool] = []
        for op, arg in self.program:
            if op is Op.TAG:
                stack.append(ok(arg))
            elif op is Op.NOT:
                stack.append(not stack.pop())
            else:
                y = stack.pop()
                x = stack.pop()
                stack.append((x and y) if op is Op.AND else (x or y))
        return stack[0]

    def eval_mask(self, tag_mask: Callable[[str], int], all_mask: int) -> int:
        """The set of contexts (bitmask) where the expression holds.

        `tag_mask(tag)` gives the contexts where a tag is satisfied; `all_mask` has a bit for
        every context (so that NOT stays inside it).
        """
        stack: list[int] = []
        for op, arg in self.program:
            if op is Op.TAG:
                stack.append(tag_mask(arg))
            elif op is Op.NOT:
                stack.append(all_mask & ~stack.pop())
            else:
                y = stack.pop()
                x = stack.pop()
                stack.append((x & y) if op is Op.AND else (x | y))
        return stack[0]

    def __str__(self) -> str:
        """Go's `Expr.String()` (the //go:build form), e.g. "!(abc && def)"."""
        # Each stack entry is (text, top-level op) so parentheses follow Go's rules.
        stack: list[tuple[str, Op]] = []
        for op, arg in self.program:
            if op is Op.TAG:
                stack.append((arg, Op.TAG))
            elif op is Op.NOT:
                text, top = stack.pop()
                if top in (Op.AND, Op.OR):
                    text = f"({text})"
                stack.append(("!" + text, Op.NOT))
            else:
                y, ytop = stack.pop()
                x, xtop = stack.pop()
                other = Op.OR if op is Op.AND else Op.AND
                if xtop is other:
                    x = f"({x})"
                if ytop is other:
                    y = f"({y})"
                stack.append((f"{x} {op.value} {y}", op))
        return stack[0][0]


_IGNORE: tuple[Instr, ...] = ((Op.TAG, "ignore"),)


def _is_tag_char(c: str) -> bool:
    # unicode.IsLetter || unicode.IsDigit || '_' || '.'; a lone surrogate (an undecodable
    # byte kept by surrogateescape) is Go's RuneError, which is neither.
    if c in "_." or ("a" <= c <= "z") or ("A" <= c <= "Z") or ("0" <= c <= "9"):
        return True
    if c < "\x80":
        return False
    category = unicodedata.category(c)
    return (category.startswith("L") and category != "LC") or category == "Nd"


def is_valid_tag(word: str) -> bool:
    """Go's `isValidTag`: letters, digits, underscores or dots, not empty."""
    return word != "" and all(_is_tag_char(c) for c in word)


def _go_rune(c: str) -> str:
    """How Go prints the rune decoded at an invalid byte (U+FFFD)."""
    return "\ufffd" if "\udc80" <= c <= "\udcff" else c


def go_trim_space(text: str) -> str:
    """strings.TrimSpace (str.strip would also strip U+001C..U+001F, which Go keeps)."""
    start, end = 0, len(text)
    while start < end and is_go_space(text[start]):
        start += 1
    while end > start and is_go_space(text[end - 1]):
        end -= 1
    return text[start:end]


_GO_SPACE = frozenset("\t\n\v\f\r \x85\xa0\u1680\u2028\u2029\u202f\u205f\u3000") | frozenset(
    chr(c) for c in range(0x2000, 0x200B)
)


def is_go_space(c: str) -> bool:
    """unicode.IsSpace (Python's str.isspace also counts U+001C..U+001F)."""
    return c in _GO_SPACE


def go_fields(text: str) -> list[str]:
    """strings.Fields: split around runs of Unicode white space."""
    out: list[str] = []
    current: list[str] = []
    for c in text:
        if is_go_space(c):
            if current:
                out.append("".join(current))
                current = []
        else:
            current.append(c)
    if current:
        out.append("".join(current))
    return out


def split_go_build(line: str) -> str | None:
    """The expression of a //go:build line, or None if `line` is not one (Go's splitGoBuild)."""
    line = line.removesuffix("\n")
    if "\n" in line or not line.startswith("//go:build"):
        return None
    line = go_trim_space(line)[len("//go:build") :]
    trim = go_trim_space(line)
    if len(line) == len(trim) and line != "":
        return None
    return trim


def split_plus_build(line: str) -> str | None:
    """The expression of a // +build line, or None if `line` is not one (splitPlusBuild)."""
    line = line.removesuffix("\n")
    if "\n" in line or not line.startswith("//"):
        return None
    line = go_trim_space(line[2:])
    if not line.startswith("+build"):
        return None
    line = line[len("+build") :]
    trim = go_trim_space(line)
    if len(line) == len(trim) and line != "":
        return None
    return trim


def is_go_build(line: str) -> bool:
    """Go's `constraint.IsGoBuild`."""
    return split_go_build(line) is not None


def is_plus_build(line: str) -> bool:
    """Go's `constraint.IsPlusBuild`."""
    return split_plus_build(line) is not None


def parse(line: str) -> Constraint:
    """Go's `constraint.Parse`: a //go:build or // +build line.

    Raises `ConstraintSyntaxError` (bad //go:build expression or too complex a +build line)
    or `NotConstraintError`.
    """
    text = split_go_build(line)
    if text is not None:
        return parse_expr(text)
    text = split_plus_build(line)
    if text is not None:
        return parse_plus_build_expr(text)
    raise NotConstraintError("not a build constraint")


class _Lexer:
    """Go's exprParser lexer state."""

    __slots__ = ("i", "is_tag", "pos", "s", "tok")

    def __init__(self, s: str) -> None:
        self.s = s
        self.i = 0
        self.tok = ""
        self.is_tag = False
        self.pos = 0

    def lex(self) -> None:
        s = self.s
        n = len(s)
        self.is_tag = False
        i = self.i
        while i < n and s[i] in " \t":
            i += 1
        self.i = i
        if i >= n:
            self.tok = ""
            self.pos = i
            return
        c = s[i]
        if c in "()!":
            self.pos = i
            self.i = i + 1
            self.tok = c
            return
        if c in "&|":
            if i + 1 >= n or s[i + 1] != c:
                raise ConstraintSyntaxError("invalid syntax at " + c, i)
            self.pos = i
            self.i = i + 2
            self.tok = s[i : i + 2]
            return
        j = i
        while j < n and _is_tag_char(s[j]):
            j += 1
        if j == i:
            raise ConstraintSyntaxError("invalid syntax at " + _go_rune(s[i]), i)
        self.pos = i
        self.i = j
        self.tok = s[i:j]
        self.is_tag = True


class _K(enum.Enum):
    """Continuations of the explicit-stack recursive descent (one per Go parser function)."""

    OR = 1
    AND = 2
    NOT = 3
    PAREN = 4


def parse_expr(text: str) -> Constraint:
    """Go's `parseExpr` (the //go:build grammar), without recursion.

    The Go parser is recursive descent (or → and → not → atom → or ...); this is the same
    descent with the call stack made explicit, so errors are detected at the same token and
    carry the same text.
    """
    lx = _Lexer(text)
    # Frames: [kind, flag]. OR/AND: flag says an operand was already seen (emit the op);
    # PAREN: flag is the offset of "(".
    stack: list[list[_K | int]] = []
    try:
        program = _descend(lx, stack)
    except ConstraintSyntaxError as exc:
        # atom()'s deferred recover: inside parentheses, running out of input is reported
        # as the missing ")".
        if exc.message == "unexpected end of expression" and any(
            frame[0] is _K.PAREN for frame in stack
        ):
            raise ConstraintSyntaxError("missing close paren", exc.offset) from None
        raise
    if lx.tok != "":
        raise ConstraintSyntaxError("unexpected token " + lx.tok, lx.pos)
    return Constraint(program=tuple(program))


def _descend(lx: _Lexer, stack: list[list[_K | int]]) -> list[Instr]:
    program: list[Instr] = []
    size = 0
    call: _K | None = _K.OR
    while call is not None:
        if call is _K.OR:
            stack.append([_K.OR, 0])
            call = _K.AND
            continue
        if call is _K.AND:
            stack.append([_K.AND, 0])
            call = _K.NOT
            continue
        # not(): count the operand, then an optional "!", then atom().
        size += 1
        if size > MAX_SIZE:
            raise ConstraintSyntaxError("build expression too large", lx.pos)
        lx.lex()
        if lx.tok == "!":
            lx.lex()
            if lx.tok == "!":
                raise ConstraintSyntaxError("double negation not allowed", lx.pos)
            stack.append([_K.NOT, 0])
        if lx.tok == "(":
            stack.append([_K.PAREN, lx.pos])
            call = _K.OR
            continue
        if not lx.is_tag:
            if lx.tok == "":
                raise ConstraintSyntaxError("unexpected end of expression", lx.pos)
            raise ConstraintSyntaxError("unexpected token " + lx.tok, lx.pos)
        program.append((Op.TAG, lx.tok))
        lx.lex()
        call = _unwind(stack, lx, program)
    return program


def _unwind(stack: list[list[_K | int]], lx: _Lexer, program: list[Instr]) -> _K | None:
    """Return a produced value through the frames; the next call, or None when all done."""
    while stack:
        frame = stack[-1]
        kind = frame[0]
        if kind is _K.NOT:
            stack.pop()
            program.append((Op.NOT, ""))
        elif kind is _K.AND:
            if frame[1]:
                program.append((Op.AND, ""))
            if lx.tok == "&&":
                frame[1] = 1
                return _K.NOT
            stack.pop()
        elif kind is _K.OR:
            if frame[1]:
                program.append((Op.OR, ""))
            if lx.tok == "||":
                frame[1] = 1
                return _K.AND
            stack.pop()
            if stack and stack[-1][0] is _K.PAREN:
                offset = stack[-1][1]
                if lx.tok != ")":
                    raise ConstraintSyntaxError(
                        "missing close paren", offset if isinstance(offset, int) else 0
                    )
                lx.lex()
                stack.pop()
        else:  # pragma: no cover - PAREN frames are consumed right after their OR frame
            raise AssertionError("unbalanced constraint parser stack")
    return None


_PLAIN_CHARS = str.maketrans(
    dict.fromkeys("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_. \t()!&|", None)
)
"""Deletes the characters of a plain //go:build expression (`quick_mask`)."""

_BINARY = {"||": 1, "&&": 2}
"""The binary operators and their precedence."""


def quick_mask(text: str, tag_mask: Callable[[str], int], all_mask: int) -> int | None:
    """`parse_expr(text).eval_mask(tag_mask, all_mask)` for an expression of ASCII tags,
    operators and parentheses that parses (most are: "linux && (amd64 || arm64)"), in one
    pass over its tokens; None for any other, which `parse_expr` then reads (or rejects,
    with Go's message). The value is the same: only how it is reached differs."""
    if text.translate(_PLAIN_CHARS):
        return None
    tokens = (
        text.replace("(", " ( ")
        .replace(")", " ) ")
        .replace("!", " ! ")
        .replace("&&", " && ")
        .replace("||", " || ")
        .split()
    )
    if len(tokens) > MAX_SIZE:
        return None
    values: list[int] = []
    ops: list[str] = []  # "(", "!", "&&", "||" (a NOT is applied once its operand is made)
    operand = True  # (whether an operand comes next)
    for tok in tokens:
        if operand:
            if tok == "!":
                if ops and ops[-1] == "!":
                    return None  # "double negation not allowed"
                ops.append(tok)
                continue
            if tok == "(":
                ops.append(tok)
                continue
            if tok == ")" or "&" in tok or "|" in tok:  # (a lone "&" or "|": Go's error)
                return None
            value = tag_mask(tok)
        elif tok in _BINARY:
            rank = _BINARY[tok]
            while ops and _BINARY.get(ops[-1], 0) >= rank:
                y = values.pop()
                values.append((values.pop() & y) if ops.pop() == "&&" else (values.pop() | y))
            ops.append(tok)
            operand = True
            continue
        elif tok == ")":
            while ops and ops[-1] != "(":
                y = values.pop()
                values.append((values.pop() & y) if ops.pop() == "&&" else (values.pop() | y))
            if not ops:
                return None  # "unexpected token )"
            ops.pop()
            value = values.pop()
        else:
            return None  # two operands in a row
        while ops and ops[-1] == "!":
            ops.pop()
            value = ~value
        values.append(value)
        operand = False
    if operand:
        return None  # "unexpected end of expression"
    while ops:
        op = ops.pop()
        if op == "(":
            return None  # "missing close paren"
        y = values.pop()
        values.append((values.pop() & y) if op == "&&" else (values.pop() | y))
    return values[0] & all_mask


def parse_plus_build_expr(text: str) -> Constraint:
    """Go's `parsePlusBuildExpr`: fields are OR'ed, comma-separated terms AND'ed."""
    size = 0
    program: list[Instr] = []
    have_x = False
    for clause in go_fields(text):
        have_y = False
        for lit in clause.split(","):
            if lit.startswith("!!") or lit == "!":
                program.extend(_IGNORE)
            else:
                neg = lit.startswith("!")
                word = lit[1:] if neg else lit
                program.append((Op.TAG, word if is_valid_tag(word) else "ignore"))
                if neg:
                    program.append((Op.NOT, ""))
            if have_y:
                size += 1
                if size > MAX_OLD_SIZE:
                    raise ConstraintSyntaxError("expression too complex for // +build lines")
                program.append((Op.AND, ""))
            have_y = True
        if have_x:
            size += 1
            if size > MAX_OLD_SIZE:
                raise ConstraintSyntaxError("expression too complex for // +build lines")
            program.append((Op.OR, ""))
        have_x = True
    if not have_x:
        program.extend(_IGNORE)
    return Constraint(program=tuple(program))
