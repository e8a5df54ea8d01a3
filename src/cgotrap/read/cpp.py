"""The C preprocessor conditions of a cgo preamble, and a small evaluator for them.

A preamble often guards its includes per platform:

    #ifdef __linux__
    #include <sys/sysinfo.h>
    #elif defined(__APPLE__)
    #include <mach/mach.h>
    #endif

`GuardTracker` follows the `#if`/`#ifdef`/`#ifndef`/`#elif`/`#else`/`#endif` lines of a text
and gives, for any line, the branches enclosing it (`Guard`s, outermost first).
`evaluate` computes one `#if` expression over a target's macros, and `guards_hold` a whole
stack, three-valued: TRUE, FALSE, or UNKNOWN where the answer depends on something not
known here (a macro no compiler predefines, such as `HAVE_FOO` or `__GLIBC__`, which comes
from features.h; `__has_include(...)`; a malformed or oversized expression).

Everything is bounded: nesting beyond `MAX_DEPTH`, expressions beyond `MAX_EXPRESSION`
characters or `MAX_TOKENS` tokens, macro expansion beyond `MAX_EXPANSION` levels all give
UNKNOWN, never an exception. Integer arithmetic is C's `intmax_t` (64-bit, wrapping); the
unsigned conversions of `u`-suffixed numbers are not modelled.
"""

from __future__ import annotations

import dataclasses
import enum
import re
from collections.abc import Iterable, Mapping

MAX_DEPTH = 32
"""`#if` nesting deeper than this is tracked as UNKNOWN guards."""
MAX_EXPRESSION = 2048
"""Characters of one `#if` expression (after line splices); longer is UNKNOWN."""
MAX_TOKENS = 512
"""Tokens of one expression, after macro expansion; more is UNKNOWN."""
MAX_EXPANSION = 16
"""Nesting of object-like macro expansion (`__BYTE_ORDER__` -> `__ORDER_LITTLE_ENDIAN__`)."""
_MAX_TEXT = 160
"""Characters of a directive kept for messages."""
_INT_BITS = 64


class Truth(enum.StrEnum):
    """A three-valued answer: does a condition hold on a target?"""

    TRUE = "true"
    """Holds."""
    FALSE = "false"
    """Does not hold."""
    UNKNOWN = "unknown"
    """Depends on something not known here (a macro from a header or the build system)."""


@dataclasses.dataclass(frozen=True, kw_only=True, slots=True)
class Guard:
    """One level of conditional compilation around a line: the branch the line is in."""

    directive: str
    """The directive that opened the branch: "if", "ifdef", "ifndef", "elif", "elifdef",
    "elifndef" or "else"."""
    text: str
    """Its operand as written, comments and splices removed ("__linux__", "defined(A) && B");
    "" for #else."""
    expression: str
    """The branch's own condition as a `#if` expression ("defined(__linux__)"; "1" for
    #else; "" when unknowable: too deep, too long, #elif after #else)."""
    previous: tuple[str, ...] = ()
    """Conditions of the earlier branches of the same #if chain: all of them must be false."""

    def __str__(self) -> str:
        """The directive as a person reads it: "#ifdef __linux__", "#else (of #if A)"."""
        if self.directive == "else":
            return "#else" + (f" (not {' / '.join(self.previous)})" if self.previous else "")
        return f"#{self.directive} {self.text}".rstrip()

    def condition(self) -> str:
        """The whole condition of the branch as one `#if` expression."""
        parts = [f"!({p})" for p in self.previous]
        if self.expression != "1" or not parts:
            parts.append(f"({self.expression})" if self.previous else self.expression)
        return " && ".join(parts)


def condition_text(guards: Iterable[Guard]) -> str:
    """The condition of a guard stack as one expression ("" when unconditional)."""
    parts = [g.condition() for g in guards]
    if len(parts) == 1:
        return parts[0]
    return " && ".join(f"({p})" if ("&&" in p or "||" in p) else p for p in parts)


# ---------------------------------------------------------------------------------------------
# Directive tracking

_COMMENT = re.compile(r"/\*.*?\*/|//.*$", re.DOTALL)
_IDENT = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


def _clean(text: str) -> str:
    """The operand without comments, whitespace runs collapsed ("defined(A) && B")."""
    return " ".join(_COMMENT.sub(" ", text).split())


@dataclasses.dataclass(slots=True)
class _Open:
    """One open `#if` chain."""

    guard: Guard
    conditions: list[str]
    seen_else: bool = False


class GuardTracker:
    """Follows conditional directives line by line; `guards` is the current stack.

    `directive(name, rest)` takes one directive line (`name` "ifdef", `rest` its operand,
    possibly with comments); other directives are ignored. Unbalanced `#endif`s are ignored;
    nesting beyond `MAX_DEPTH` is counted so that `#endif`s still match.
    """

    __slots__ = ("_overflow", "_stack", "guards")

    def __init__(self) -> None:
        self._stack: list[_Open] = []
        self._overflow = 0
        self.guards: tuple[Guard, ...] = ()
        """The branches enclosing the current line, outermost first."""

    def directive(self, name: str, rest: str) -> None:
        """Feed one directive line."""
        if name in ("if", "ifdef", "ifndef"):
            if len(self._stack) >= MAX_DEPTH or self._overflow:
                if not self._overflow:
                    self.guards += (Guard(directive=name, text="…", expression=""),)
                self._overflow += 1
                return
            expression, text = _branch(name, rest)
            guard = Guard(directive=name, text=text, expression=expression)
            self._stack.append(_Open(guard=guard, conditions=[expression]))
        elif name in ("elif", "elifdef", "elifndef", "else"):
            if self._overflow or not self._stack:
                return
            top = self._stack[-1]
            if top.seen_else:
                expression, text = "", _clean(rest)[:_MAX_TEXT]
            elif name == "else":
                expression, text = "1", ""
            else:
                expression, text = _branch(name, rest)
            top.seen_else = top.seen_else or name == "else"
            top.guard = Guard(
                directive=name,
                text=text,
                expression=expression,
                previous=tuple(top.conditions),
            )
            top.conditions.append(expression)
        elif name == "endif":
            if self._overflow:
                self._overflow -= 1
                if not self._overflow:
                    self.guards = self.guards[:-1]
                return
            if self._stack:
                self._stack.pop()
        else:
            return
        self.guards = tuple(o.guard for o in self._stack)


def _branch(name: str, rest: str) -> tuple[str, str]:
    """(expression, text) of an opening or #elif directive."""
    if len(rest) > MAX_EXPRESSION:
        return "", rest[:_MAX_TEXT].strip() + "…"
    text = _clean(rest)
    if name in ("ifdef", "ifndef", "elifdef", "elifndef"):
        match = _IDENT.match(text)
        if match is None:
            return "", text[:_MAX_TEXT]
        ident = match.group(0)
        return (f"!defined({ident})" if name.endswith("ndef") else f"defined({ident})"), ident
    if len(text) > _MAX_TEXT:
        return text, text[:_MAX_TEXT] + "…"
    return text, text


# ---------------------------------------------------------------------------------------------
# Macros and evaluation


@dataclasses.dataclass(frozen=True, kw_only=True, slots=True)
class Macros:
    """What the preprocessor knows on one target."""

    defined: Mapping[str, str]
    """Object-like macros and their bodies ("__linux__" -> "1")."""
    undefined: frozenset[str] = frozenset()
    """Names known not to be defined here (predefined on some other target, or `-U`)."""

    def with_flags(self, flags: Iterable[str]) -> Macros:
        """These macros after the `-D`/`-U` options among `flags` (cgo's CFLAGS, CPPFLAGS)."""
        defined = dict(self.defined)
        undefined = set(self.undefined)
        pending = ""
        changed = False
        for flag in flags:
            if pending:
                option, value, pending = pending, flag, ""
            elif flag in ("-D", "-U"):
                pending = flag
                continue
            elif flag.startswith(("-D", "-U")):
                option, value = flag[:2], flag[2:]
            else:
                continue
            name, eq, body = value.partition("=")
            if _IDENT.fullmatch(name) is None:
                continue  # "-DF(x)=x": a function-like macro, not modelled
            changed = True
            if option == "-D":
                defined[name] = body if eq else "1"
                undefined.discard(name)
            else:
                defined.pop(name, None)
                undefined.add(name)
        if not changed:
            return self
        return Macros(defined=defined, undefined=frozenset(undefined))


_TOKEN = re.compile(
    r"""
    (?P<space>\s+)
    |(?P<num>(?:0[xX][0-9a-fA-F]+|0[bB][01]+|[0-9]+)[uUlL]*(?![.\w]))
    |(?P<id>[A-Za-z_][A-Za-z0-9_]*)
    |(?P<char>'(?:[^\\'\n]|\\[^\n]{1,4})')
    |(?P<op>&&|\|\||<<|>>|<=|>=|==|!=|[-+*/%<>&^|!~?:(),])
    |(?P<junk>.)
    """,
    re.VERBOSE | re.DOTALL,
)

_UNKNOWN = object()
"""A value token whose value is not known."""

_Token = int | str | object
"""An int (a known value), an operator string, or `_UNKNOWN`."""


class _UnknowableError(Exception):
    """The expression cannot be evaluated here (malformed, too big, needs a header)."""


def _lex(text: str) -> list[tuple[str, str]]:
    out: list[tuple[str, str]] = []
    for match in _TOKEN.finditer(text):
        kind = match.lastgroup or "junk"
        if kind != "space":
            out.append((kind, match.group(0)))
            if len(out) > MAX_TOKENS:
                raise _UnknowableError
    return out


def _number(text: str) -> int:
    digits = text.rstrip("uUlL")
    if digits[:2].lower() in ("0x", "0b"):
        value = int(digits, 0)
    elif len(digits) > 1 and digits[0] == "0":
        if any(c in "89" for c in digits):
            raise _UnknowableError
        value = int(digits, 8)
    else:
        value = int(digits)
    return _wrap(value)


def _char(text: str) -> int:
    body = text[1:-1]
    if len(body) == 1:
        return ord(body)
    raise _UnknowableError  # escapes and multi-character constants: not worth modelling


def _wrap(value: int) -> int:
    value &= (1 << _INT_BITS) - 1
    return value - (1 << _INT_BITS) if value >> (_INT_BITS - 1) else value


def _expand(
    tokens: list[tuple[str, str]], macros: Macros, depth: int, busy: frozenset[str]
) -> list[_Token]:
    """Values and operators: `defined` resolved, macros expanded, unknown names marked."""
    if depth > MAX_EXPANSION:
        raise _UnknowableError
    out: list[_Token] = []
    i = 0
    n = len(tokens)
    while i < n:
        kind, text = tokens[i]
        i += 1
        if kind == "num":
            out.append(_number(text))
        elif kind == "char":
            out.append(_char(text))
        elif kind == "op":
            out.append(text)
        elif kind == "junk":
            raise _UnknowableError
        elif text == "defined":
            if i < n and tokens[i] == ("op", "("):
                if i + 2 >= n or tokens[i + 1][0] != "id" or tokens[i + 2] != ("op", ")"):
                    raise _UnknowableError
                name = tokens[i + 1][1]
                i += 3
            elif i < n and tokens[i][0] == "id":
                name = tokens[i][1]
                i += 1
            else:
                raise _UnknowableError
            out.append(_defined(name, macros))
        elif text in macros.defined and text not in busy:
            body = _lex(macros.defined[text])
            out.extend(_expand(body, macros, depth + 1, busy | {text}))
        elif i < n and tokens[i] == ("op", "("):
            # A function-like macro or builtin (`__has_include(<x.h>)`): skip its arguments.
            level = 0
            while i < n:
                if tokens[i] == ("op", "("):
                    level += 1
                elif tokens[i] == ("op", ")"):
                    level -= 1
                    if level == 0:
                        break
                i += 1
            if level != 0:
                raise _UnknowableError
            i += 1
            out.append(_UNKNOWN)
        elif text in macros.undefined or text in ("true", "false"):
            out.append(1 if text == "true" else 0)
        else:
            out.append(_UNKNOWN)  # HAVE_FOO, __GLIBC__: defined (or not) by a header
        if len(out) > MAX_TOKENS:
            raise _UnknowableError
    return out


def _defined(name: str, macros: Macros) -> _Token:
    if name in macros.defined:
        return 1
    if name in macros.undefined:
        return 0
    return _UNKNOWN


_BINARY = {
    "*": 10,
    "/": 10,
    "%": 10,
    "+": 9,
    "-": 9,
    "<<": 8,
    ">>": 8,
    "<": 7,
    ">": 7,
    "<=": 7,
    ">=": 7,
    "==": 6,
    "!=": 6,
    "&": 5,
    "^": 4,
    "|": 3,
    "&&": 2,
    "||": 1,
}


class _Parser:
    """Precedence climbing over expanded tokens; a value is an int or `_UNKNOWN`."""

    __slots__ = ("depth", "pos", "tokens")

    def __init__(self, tokens: list[_Token]) -> None:
        self.tokens = tokens
        self.pos = 0
        self.depth = 0

    def peek(self) -> _Token | None:
        return self.tokens[self.pos] if self.pos < len(self.tokens) else None

    def take(self) -> _Token:
        if self.pos >= len(self.tokens):
            raise _UnknowableError
        token = self.tokens[self.pos]
        self.pos += 1
        return token

    def expression(self) -> _Token:
        self.depth += 1
        if self.depth > MAX_TOKENS:
            raise _UnknowableError
        cond = self.binary(1)
        if self.peek() == "?":
            self.pos += 1
            yes = self.expression()
            if self.take() != ":":
                raise _UnknowableError
            no = self.expression()
            self.depth -= 1
            if cond is _UNKNOWN:
                return yes if yes == no and yes is not _UNKNOWN else _UNKNOWN
            return yes if cond else no
        self.depth -= 1
        return cond

    def binary(self, level: int) -> _Token:
        left = self.unary()
        while True:
            op = self.peek()
            if not isinstance(op, str) or _BINARY.get(op, 0) < level:
                return left
            self.pos += 1
            right = self.binary(_BINARY[op] + 1)
            left = _combine(op, left, right)

    def unary(self) -> _Token:
        self.depth += 1
        if self.depth > MAX_TOKENS:
            raise _UnknowableError
        token = self.take()
        if token == "(":  # noqa: S105 - an operator, not a password
            value = self.expression()
            if self.take() != ")":
                raise _UnknowableError
        elif token in ("!", "~", "-", "+"):
            operand = self.unary()
            value = _unary(str(token), operand)
        elif isinstance(token, int) or token is _UNKNOWN:
            value = token
        else:
            raise _UnknowableError
        self.depth -= 1
        return value


def _unary(op: str, value: _Token) -> _Token:
    if not isinstance(value, int):
        return _UNKNOWN
    if op == "!":
        return int(value == 0)
    if op == "~":
        return _wrap(~value)
    if op == "-":
        return _wrap(-value)
    return value


def _combine(op: str, left: _Token, right: _Token) -> _Token:
    if op == "&&":
        if left == 0 or right == 0:
            return 0
        return _UNKNOWN if _UNKNOWN in (left, right) else 1
    if op == "||":
        if (isinstance(left, int) and left != 0) or (isinstance(right, int) and right != 0):
            return 1
        return _UNKNOWN if _UNKNOWN in (left, right) else 0
    if not isinstance(left, int) or not isinstance(right, int):
        return _UNKNOWN
    match op:
        case "*":
            return _wrap(left * right)
        case "/" | "%":
            if right == 0:
                return _UNKNOWN
            quotient = abs(left) // abs(right) * (1 if (left < 0) == (right < 0) else -1)
            return _wrap(quotient if op == "/" else left - quotient * right)
        case "+":
            return _wrap(left + right)
        case "-":
            return _wrap(left - right)
        case "<<":
            return _wrap(left << right) if 0 <= right < _INT_BITS else _UNKNOWN
        case ">>":
            return left >> right if 0 <= right < _INT_BITS else _UNKNOWN
        case "<":
            return int(left < right)
        case ">":
            return int(left > right)
        case "<=":
            return int(left <= right)
        case ">=":
            return int(left >= right)
        case "==":
            return int(left == right)
        case "!=":
            return int(left != right)
        case "&":
            return left & right
        case "^":
            return left ^ right
        case "|":
            return left | right
    raise _UnknowableError


def evaluate(expression: str, macros: Macros) -> Truth:
    """Whether `#if expression` holds with `macros` (UNKNOWN when it cannot be known)."""
    if not expression or len(expression) > MAX_EXPRESSION:
        return Truth.UNKNOWN
    try:
        tokens = _expand(_lex(expression), macros, 0, frozenset())
        parser = _Parser(tokens)
        value = parser.expression()
        if parser.pos != len(tokens):
            return Truth.UNKNOWN
    except (_UnknowableError, RecursionError, ValueError):
        return Truth.UNKNOWN
    if value is _UNKNOWN:
        return Truth.UNKNOWN
    return Truth.TRUE if value else Truth.FALSE


def both(left: Truth, right: Truth) -> Truth:
    """Three-valued AND."""
    if Truth.FALSE in (left, right):
        return Truth.FALSE
    if Truth.UNKNOWN in (left, right):
        return Truth.UNKNOWN
    return Truth.TRUE


def negate(value: Truth) -> Truth:
    """Three-valued NOT."""
    if value is Truth.TRUE:
        return Truth.FALSE
    if value is Truth.FALSE:
        return Truth.TRUE
    return Truth.UNKNOWN


def guard_holds(guard: Guard, macros: Macros) -> Truth:
    """Whether the branch `guard` is the one taken with `macros`."""
    result = Truth.TRUE
    for earlier in guard.previous:
        result = both(result, negate(evaluate(earlier, macros)))
        if result is Truth.FALSE:
            return result
    return both(result, evaluate(guard.expression, macros))


def guards_hold(guards: Iterable[Guard], macros: Macros) -> Truth:
    """Whether a line under `guards` is compiled with `macros`."""
    result = Truth.TRUE
    for guard in guards:
        result = both(result, guard_holds(guard, macros))
        if result is Truth.FALSE:
            return result
    return result


def first_unknown(guards: Iterable[Guard], macros: Macros) -> Guard | None:
    """The outermost guard whose answer is UNKNOWN with `macros` (for messages)."""
    for guard in guards:
        if guard_holds(guard, macros) is Truth.UNKNOWN:
            return guard
    return None


# ---------------------------------------------------------------------------------------------
# Plain words for a condition that stays undecidable


def _split_top(tokens: list[tuple[str, str]], op: str) -> list[list[tuple[str, str]]]:
    """`tokens` split on the operator `op` outside parentheses."""
    parts: list[list[tuple[str, str]]] = [[]]
    level = 0
    for token in tokens:
        if token == ("op", "("):
            level += 1
        elif token == ("op", ")"):
            level -= 1
        if level == 0 and token == ("op", op):
            parts.append([])
        else:
            parts[-1].append(token)
    return parts


def _strip_parens(tokens: list[tuple[str, str]]) -> list[tuple[str, str]]:
    while len(tokens) >= 2 and tokens[0] == ("op", "(") and tokens[-1] == ("op", ")"):
        level = 0
        for i, token in enumerate(tokens):
            level += {("op", "("): 1, ("op", ")"): -1}.get(token, 0)
            if level == 0 and i < len(tokens) - 1:
                return tokens
        tokens = tokens[1:-1]
    return tokens


def _text(tokens: list[tuple[str, str]]) -> str:
    """Tokens back to text, spaced as people write it ("B > 2", "defined(A)")."""
    out = " ".join(text for _, text in tokens)
    for ugly, nice in (("( ", "("), (" )", ")"), ("! ", "!"), ("defined (", "defined(")):
        out = out.replace(ugly, nice)
    return out


def _atom_words(tokens: list[tuple[str, str]]) -> str:
    """One operand of && / || in words: "HAVE_FOO is defined", "__GLIBC__ is not defined"."""
    tokens = _strip_parens(tokens)
    negated = False
    while tokens and tokens[0] == ("op", "!"):
        negated = not negated
        tokens = _strip_parens(tokens[1:])
    names = [text for kind, text in tokens if kind == "id" and text != "defined"]
    is_defined = bool(tokens) and tokens[0] == ("id", "defined") and len(names) == 1
    if is_defined:
        return f"{names[0]} is {'not ' if negated else ''}defined"
    if len(tokens) == 1 and tokens[0][0] == "id":
        return f"{names[0]} is {'zero or undefined' if negated else 'set (non-zero)'}"
    text = _text(tokens)
    return f"not ({text})" if negated else text


def describe(expression: str, macros: Macros) -> str:
    """The part of a `#if` expression that is unknown with `macros`, in plain words.

    "defined(__linux__) && !defined(HAVE_FOO)" on Linux -> "HAVE_FOO is not defined";
    "!(defined(A))" -> "A is not defined"; "defined(A) || B > 2" -> "A is defined, or B > 2".
    Operands known to hold are left out; "" when nothing is unknown.
    """
    if evaluate(expression, macros) is not Truth.UNKNOWN:
        return ""
    try:
        tokens = _strip_parens(_lex(expression))
    except _UnknowableError:
        return expression[:_MAX_TEXT]
    ors = _split_top(tokens, "||")
    if len(ors) > 1:
        words = [describe(_text(part), macros) for part in ors]
        return ", or ".join(w for w in words if w)
    ands = _split_top(tokens, "&&")
    if len(ands) > 1:
        words = [describe(_text(part), macros) for part in ands]
        return " and ".join(w for w in words if w)
    stripped = _strip_parens(tokens)
    if stripped[:1] == [("op", "!")]:
        inner = _strip_parens(stripped[1:])
        if len(_split_top(inner, "&&")) > 1 or len(_split_top(inner, "||")) > 1:
            return f"not ({describe(_text(inner), macros)})"
    return _atom_words(stripped)


def describe_guards(guards: Iterable[Guard], macros: Macros) -> str:
    """What decides whether a line under `guards` is compiled, in plain words ("" when
    `guards_hold` is not UNKNOWN): "only if HAVE_EPOLL is defined"."""
    if guards_hold(guards, macros) is not Truth.UNKNOWN:
        return ""
    words = [describe(g.condition(), macros) for g in guards]
    return "only if " + " and ".join(w for w in words if w)
