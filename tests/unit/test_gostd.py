"""gostd: the ports of Go standard-library functions, against Go's own test tables."""

from __future__ import annotations

import pytest

from cgotrap.gostd import (
    QuoteSyntaxError,
    compare_go_versions,
    compare_semver,
    format_u,
    quote,
    quote_rune,
    quoted_prefix,
    short_path,
    unquote,
)


def _go_bytes(raw: bytes) -> str:
    """A Go string value as cgotrap keeps it (bytes decoded with surrogateescape)."""
    return raw.decode("utf-8", "surrogateescape")


# strconv/quote_test.go: unquotetests (go1.27.3)
UNQUOTE = [
    ('""', ""),
    ('"a"', "a"),
    ('"abc"', "abc"),
    ('"☺"', "☺"),
    ('"hello world"', "hello world"),
    ('"\\xFF"', _go_bytes(b"\xff")),
    ('"\\377"', _go_bytes(b"\xff")),
    ('"\\u1234"', "\u1234"),
    ('"\\U00010111"', "\U00010111"),
    ('"\\U0001011111"', "\U0001011111"),
    ('"\\a\\b\\f\\n\\r\\t\\v\\\\\\""', '\a\b\f\n\r\t\v\\"'),
    ('"\'"', "'"),
    ("'a'", "a"),
    ("'☹'", "☹"),
    ("'\\a'", "\a"),
    ("'\\x10'", "\x10"),
    ("'\\377'", _go_bytes(b"\xff")),
    ("'\\u1234'", "\u1234"),
    ("'\\U00010111'", "\U00010111"),
    ("'\\t'", "\t"),
    ("' '", " "),
    ("'\\''", "'"),
    ("'\"'", '"'),
    ("``", ""),
    ("`a`", "a"),
    ("`abc`", "abc"),
    ("`☺`", "☺"),
    ("`hello world`", "hello world"),
    ("`\\xFF`", "\\xFF"),
    ("`\\377`", "\\377"),
    ("`\\`", "\\"),
    ("`\n`", "\n"),
    ("`\t`", "\t"),
    ("` `", " "),
    ("`a\rb`", "ab"),
    # and bytes from escapes join into UTF-8, as Go's []byte result does
    ('"\\xc3\\xa9"', "é"),
    ('"\\303\\251"', "é"),
]

# strconv/quote_test.go: misquoted (go1.27.3)
MISQUOTED = [
    "",
    '"',
    '"a',
    "\"'",
    'b"',
    '"\\"',
    '"\\9"',
    '"\\19"',
    '"\\129"',
    "'\\'",
    "'\\9'",
    "'\\19'",
    "'\\129'",
    "'ab'",
    '"\\x1!"',
    '"\\U12345678"',
    '"\\z"',
    "`",
    "`xxx",
    "``x\r",
    '`"',
    '"\\\'"',
    "'\\\"'",
    '"\n"',
    '"\\n\n"',
    "'\n'",
    '"\\udead"',
    '"\\ud83d\\ude4f"',
]


@pytest.mark.parametrize(("quoted", "value"), UNQUOTE)
def test_unquote_is_strconv_unquote(quoted: str, value: str) -> None:
    assert unquote(quoted) == value
    assert quoted_prefix(quoted + "rest") == quoted


@pytest.mark.parametrize("bad", MISQUOTED)
def test_unquote_rejects_what_strconv_rejects(bad: str) -> None:
    with pytest.raises(QuoteSyntaxError):
        unquote(bad)


def test_an_invalid_byte_in_an_escaped_string_is_the_replacement_char() -> None:
    # Go decodes the byte as utf8.RuneError once the string has an escape
    assert unquote('"' + _go_bytes(b"\xff") + '\\n"') == "\ufffd\n"
    assert unquote('"' + _go_bytes(b"\xff") + '"') == "\ufffd"


def test_quote_and_quote_rune() -> None:
    assert quote('a\tb"\\' + _go_bytes(b"\x80")) == '"a\\tb\\"\\\\\\x80"'
    assert quote("\u200b") == '"\\u200b"'
    assert [quote_rune(c) for c in (0x61, 0x27, 0x5C, 0x0A, 0x00, 0x80, 0x1F600)] == [
        "'a'",
        "'\\''",
        "'\\\\'",
        "'\\n'",
        "'\\x00'",
        "'\\u0080'",
        "'\U0001f600'",
    ]
    assert quote_rune(0xD800) == "'\ufffd'"
    assert format_u(0x23) == "U+0023 '#'"
    assert format_u(0x0A) == "U+000A"


def test_short_path() -> None:
    assert short_path("/a/b/c.go", "/a/b") == "c.go"
    assert short_path("/x.go", "/very/deep/dir/here") == "/x.go"


# internal/gover/gover_test.go: compareTests (go1.27.3)
GOVER = [
    ("", "", 0),
    ("x", "x", 0),
    ("", "x", 0),
    ("1", "1.1", -1),
    ("1.5", "1.6", -1),
    ("1.5", "1.10", -1),
    ("1.6", "1.6.1", -1),
    ("1.19", "1.19.0", 0),
    ("1.19rc1", "1.19", -1),
    ("1.20", "1.20.0", 0),
    ("1.20rc1", "1.20", -1),
    ("1.21", "1.21.0", -1),
    ("1.21", "1.21rc1", -1),
    ("1.21rc1", "1.21.0", -1),
    ("1.6", "1.19", -1),
    ("1.19", "1.19.1", -1),
    ("1.19rc1", "1.19", -1),
    ("1.19rc1", "1.19.1", -1),
    ("1.19rc1", "1.19rc2", -1),
    ("1.19.0", "1.19.1", -1),
    ("1.19rc1", "1.19.0", -1),
    ("1.19alpha3", "1.19beta2", -1),
    ("1.19beta2", "1.19rc1", -1),
    ("1.1", "1.99999999999999998", -1),
    ("1.99999999999999998", "1.99999999999999999", -1),
]


@pytest.mark.parametrize(("x", "y", "want"), GOVER)
def test_compare_go_versions_is_gover_compare(x: str, y: str, want: int) -> None:
    assert compare_go_versions(x, y) == want
    assert compare_go_versions(y, x) == -want


# The semver order (semver.org's example, and golang.org/x/mod/semver's pseudo-versions)
SEMVER_ASCENDING = [
    "bad",
    "v0.0.0-20190101000000-aaaaaaaaaaaa",
    "v0.0.0-20200101000000-aaaaaaaaaaaa",
    "v0.1.0",
    "v1.0.0-alpha",
    "v1.0.0-alpha.1",
    "v1.0.0-alpha.beta",
    "v1.0.0-beta",
    "v1.0.0-beta.2",
    "v1.0.0-beta.11",
    "v1.0.0-rc.1",
    "v1.0.0",
    "v1.2.3",
    "v1.10.0",
    "v2.0.0+incompatible",
]


def test_compare_semver_orders_module_versions() -> None:
    for i, lower in enumerate(SEMVER_ASCENDING):
        for higher in SEMVER_ASCENDING[i + 1 :]:
            assert compare_semver(lower, higher) == -1, (lower, higher)
            assert compare_semver(higher, lower) == 1, (higher, lower)
        assert compare_semver(lower, lower) == 0
    assert compare_semver("v1.2", "v1.2.0") == 0
    assert compare_semver("v2.0.0+incompatible", "v2.0.0") == 0
    assert compare_semver("x", "y") == 0
    assert compare_semver("v01.0.0", "v1.0.0") == -1  # a leading zero: invalid
