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
    quick_mask,
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


# quick_mask: the one-pass evaluation of plain //go:build expressions.
_QUICK_TAGS = ("a", "b", "c", "go1.2", "x_y")
_QUICK_CONTEXTS: tuple[set[str], ...] = (
    {"a"},
    {"a", "b"},
    {"b", "c", "go1.2"},
    {"x_y", "a", "c"},
    set(),
    {"c"},
)


def _quick_tag_mask(tag: str) -> int:
    return sum(1 << i for i, tags in enumerate(_QUICK_CONTEXTS) if tag in tags)


_QUICK_ALL = (1 << len(_QUICK_CONTEXTS)) - 1


def _well_formed() -> st.SearchStrategy[str]:
    spaced = st.sampled_from(["", " ", "\t", "  "])
    leaf = st.sampled_from(_QUICK_TAGS)
    return st.recursive(
        leaf,
        lambda inner: st.one_of(
            st.tuples(spaced, inner, spaced).map(lambda t: f"({t[0]}{t[1]}{t[2]})"),
            inner.map(lambda x: "!" + x if not x.startswith("!") else "!(" + x + ")"),
            st.tuples(inner, st.sampled_from(["&&", "||", " && ", " || "]), inner).map("".join),
        ),
        max_leaves=12,
    )


@settings(max_examples=400, deadline=None)
@given(_well_formed())
def test_quick_mask_of_well_formed_expressions_is_eval_mask(text: str) -> None:
    want = parse_expr(text).eval_mask(_quick_tag_mask, _QUICK_ALL)
    assert quick_mask(text, _quick_tag_mask, _QUICK_ALL) == want


@settings(max_examples=600, deadline=None)
@given(
    st.lists(
        st.sampled_from(
            [*_QUICK_TAGS, "!", "!!", "&&", "||", "&", "|", "(", ")", " ", "\t", "αx", "\v", ","]
        ),
        max_size=14,
    ).map("".join)
)
def test_quick_mask_is_eval_mask_or_leaves_it_to_the_parser(text: str) -> None:
    got = quick_mask(text, _quick_tag_mask, _QUICK_ALL)
    try:
        expr = parse_expr(text)
    except ConstraintSyntaxError:
        assert got is None  # the parser's error stands
        return
    assert got is None or got == expr.eval_mask(_quick_tag_mask, _QUICK_ALL)


@pytest.mark.parametrize(
    "text",
    ["", "a b", "!!a", "! !a", "a &&", "(a", "a)", "()", "a & b", "a ||| b", "a!b", "x\vy"],
)
def test_quick_mask_leaves_errors_to_the_parser(text: str) -> None:
    with pytest.raises(ConstraintSyntaxError):
        parse_expr(text)
    assert quick_mask(text, _quick_tag_mask, _QUICK_ALL) is None


def test_quick_mask_precedence_and_negation() -> None:
    # a || b && !c: AND binds tighter; NOT stays inside the contexts.
    want = parse_expr("a || b && !c").eval_mask(_quick_tag_mask, _QUICK_ALL)
    assert quick_mask("a || b && !c", _quick_tag_mask, _QUICK_ALL) == want
    assert quick_mask("!(a || c)", _quick_tag_mask, _QUICK_ALL) == 0b010000
    assert quick_mask("!a", _quick_tag_mask, _QUICK_ALL) == 0b110100
