"""Build constraint parsing and evaluation, with Go's own test tables.

The tables below are go/build/constraint/expr_test.go (Go 1.27.3) as data; the expected
trees are written in Go's //go:build String() form, which is how the Go tests compare them.
"""

from __future__ import annotations

import contextlib
import time

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cgotrap.errors import CgotrapError
from cgotrap.read.constraint import (
    MAX_OLD_SIZE,
    MAX_SIZE,
    ConstraintSyntaxError,
    NotConstraintError,
    _Lexer,
    is_go_build,
    is_plus_build,
    parse,
    parse_expr,
    parse_plus_build_expr,
)

# lexTests: input -> tokens joined by spaces, "err: ..." on a lexing error.
LEX_TESTS = [
    ("", ""),
    ("x", "x"),
    ("x.y", "x.y"),
    ("x_y", "x_y"),
    ("αx", "αx"),
    ("αx²", "αx err: invalid syntax at ²"),
    ("go1.2", "go1.2"),
    ("x y", "x y"),
    ("x!y", "x ! y"),
    ("&&||!()xy yx ", "&& || ! ( ) xy yx"),
    ("x~", "x err: invalid syntax at ~"),
    ("x ~", "x err: invalid syntax at ~"),
    ("x &", "x err: invalid syntax at &"),
    ("x &y", "x err: invalid syntax at &"),
]


@pytest.mark.parametrize(("text", "want"), LEX_TESTS)
def test_lex(text: str, want: str) -> None:
    lx = _Lexer(text)
    out: list[str] = []
    while True:
        try:
            lx.lex()
        except ConstraintSyntaxError as exc:
            out.append("err: " + exc.message)
            break
        if lx.tok == "":
            break
        out.append(lx.tok)
    assert " ".join(out) == want


PARSE_EXPR_TESTS = [
    ("x", "x"),
    ("x&&y", "x && y"),
    ("x||y", "x || y"),
    ("(x)", "x"),
    ("x||y&&z", "x || (y && z)"),
    ("x&&y||z", "(x && y) || z"),
    ("x&&(y||z)", "x && (y || z)"),
    ("(x||y)&&z", "(x || y) && z"),
    ("!(x&&y)", "!(x && y)"),
]


@pytest.mark.parametrize(("text", "want"), PARSE_EXPR_TESTS)
def test_parse_expr(text: str, want: str) -> None:
    assert str(parse_expr(text)) == want


PARSE_EXPR_ERROR_TESTS = [
    ("x && ", 5, "unexpected end of expression"),
    ("x && (", 6, "missing close paren"),
    ("x && ||", 5, "unexpected token ||"),
    ("x && !", 6, "unexpected end of expression"),
    ("x && !!", 6, "double negation not allowed"),
    ("x !", 2, "unexpected token !"),
    ("x && (y", 5, "missing close paren"),
]


@pytest.mark.parametrize(("text", "offset", "message"), PARSE_EXPR_ERROR_TESTS)
def test_parse_expr_errors(text: str, offset: int, message: str) -> None:
    with pytest.raises(ConstraintSyntaxError) as info:
        parse_expr(text)
    assert (info.value.offset, info.value.message) == (offset, message)


EVAL_TESTS = [
    ("x", False, {"x"}),
    ("x && y", False, {"x", "y"}),
    ("x || y", False, {"x", "y"}),
    ("!x && yes", True, {"x", "yes"}),
    ("yes || y", True, {"y", "yes"}),
]


@pytest.mark.parametrize(("text", "ok", "tags"), EVAL_TESTS)
def test_eval_consults_every_tag(text: str, ok: bool, tags: set[str]) -> None:
    seen: set[str] = set()

    def has_tag(tag: str) -> bool:
        seen.add(tag)
        return tag == "yes"

    assert parse_expr(text).eval(has_tag) is ok
    assert seen == tags


PLUS_BUILD_TESTS = [
    ("x", "x"),
    ("x,y", "x && y"),
    ("x y", "x || y"),
    ("x y,z", "x || (y && z)"),
    ("x,y z", "(x && y) || z"),
    ("x,!y !z", "(x && !y) || !z"),
    ("!! x", "ignore || x"),
    ("!!x", "ignore"),
    ("!x", "!x"),
    ("!", "ignore"),
    ("", "ignore"),
]


@pytest.mark.parametrize(("text", "want"), PLUS_BUILD_TESTS)
def test_parse_plus_build_expr(text: str, want: str) -> None:
    assert str(parse_plus_build_expr(text)) == want


CONSTRAINT_TESTS = [
    ("//+build !", "ignore", ""),
    ("//+build", "ignore", ""),
    ("//+build x y", "x || y", ""),
    ("// +build x y \n", "x || y", ""),
    ("// +build x y \n ", "", "not a build constraint"),
    ("// +build x y \nmore", "", "not a build constraint"),
    (" //+build x y", "", "not a build constraint"),
    ("//go:build x && y", "x && y", ""),
    ("//go:build x && y\n", "x && y", ""),
    ("//go:build x && y\n ", "", "not a build constraint"),
    ("//go:build x && y\nmore", "", "not a build constraint"),
    (" //go:build x && y", "", "not a build constraint"),
    ("//go:build\n", "", "unexpected end of expression"),
]


@pytest.mark.parametrize(("line", "want", "err"), CONSTRAINT_TESTS)
def test_parse(line: str, want: str, err: str) -> None:
    if err:
        with pytest.raises((ConstraintSyntaxError, NotConstraintError)) as info:
            parse(line)
        assert err in str(info.value)
    else:
        assert str(parse(line)) == want


@pytest.mark.parametrize(
    "line",
    [
        "//go:build " + "a || " * (MAX_SIZE + 2),
        "//go:build " + "a && " * (MAX_SIZE + 2),
        "//go:build " + "(a &&" * (MAX_SIZE + 2),
        "//go:build " + "(a ||" * (MAX_SIZE + 2),
    ],
)
def test_size_limits(line: str) -> None:
    with pytest.raises(ConstraintSyntaxError, match=r"^build expression too large$"):
        parse(line)


@pytest.mark.parametrize(
    "line", ["// +build " + "a " * (MAX_OLD_SIZE + 2), "// +build " + "a," * (MAX_OLD_SIZE + 2)]
)
def test_plus_size_limits(line: str) -> None:
    with pytest.raises(ConstraintSyntaxError, match="too complex for // \\+build lines"):
        parse(line)


def test_deepest_allowed_nesting_parses_without_recursion() -> None:
    depth = MAX_SIZE - 1
    expr = parse_expr("(" * depth + "x" + ")" * depth)
    assert str(expr) == "x"
    assert parse_expr("!(" * 400 + "x" + ")" * 400).eval(lambda tag: tag == "x") is True


def test_prefix_recognition() -> None:
    assert is_go_build("//go:build linux")
    assert is_go_build("//go:build")
    assert not is_go_build("//go:buildx linux")
    assert is_plus_build("// +build linux")
    assert is_plus_build("//+build linux")
    assert not is_plus_build("// +buildx")


def test_eval_mask_matches_eval_per_context() -> None:
    expr = parse_expr("linux && (amd64 || arm64) && !cgo")
    contexts = [
        {"linux", "amd64"},
        {"linux", "arm64", "cgo"},
        {"darwin", "arm64"},
        {"linux", "arm64"},
    ]

    def tag_mask(tag: str) -> int:
        return sum(1 << i for i, tags in enumerate(contexts) if tag in tags)

    mask = expr.eval_mask(tag_mask, (1 << len(contexts)) - 1)
    for i, tags in enumerate(contexts):
        assert bool(mask >> i & 1) is expr.eval(tags.__contains__)
    assert mask == 0b1001


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet="ab!&|() \t,x1.²\x00", max_size=300))
def test_hostile_expressions_raise_only_clean_errors(text: str) -> None:
    start = time.monotonic()
    for line in ("//go:build " + text, "// +build " + text):
        with contextlib.suppress(CgotrapError):
            parse(line)
    assert time.monotonic() - start < 2


def test_huge_nesting_is_a_clean_error() -> None:
    with pytest.raises(ConstraintSyntaxError):
        parse("//go:build " + "(" * 100_000)
    with pytest.raises(ConstraintSyntaxError):
        parse("//go:build " + "!(" * 100_000 + "x")
