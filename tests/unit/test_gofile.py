"""Reading Go file headers as go/build does, with Go's own test tables.

READ_GO_INFO_TESTS, READ_COMMENTS_TESTS, READ_FAILURES_TESTS and READ_EMBED_TESTS are
go/build/read_test.go; SHOULD_BUILD_TESTS is build_test.go's shouldBuildTests (Go 1.27.3).
In the read tables "ℙ" marks where the header must end and "𝔻" where it starts (after a
BOM), as in Go's testRead.
"""

from __future__ import annotations

import hashlib
import io
import os
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from cgotrap.read import fileheader, gofile, goparse
from cgotrap.read.constraint import parse
from cgotrap.read.filename import FileKind
from cgotrap.read.gofast import fast_go_header
from cgotrap.read.gofile import (
    comment_group_text,
    comments_header,
    go_header,
    source_from_bytes,
)

Q = "`"

READ_GO_INFO_TESTS = [
    "package p",
    'package p; import "x"',
    'package p; import . "x"',
    'package p; import "x";ℙvar x = 1',
    f"""package p

		// comment

		import "x"
		import _ "x"
		import a "x"

		/* comment */

		import (
			"x" /* comment */
			_ "x"
			a "x" // comment
			{Q}x{Q}
			_ /*comment*/ {Q}x{Q}
			a {Q}x{Q}
		)
		import (
		)
		import ()
		import()import()import()
		import();import();import()

		ℙvar x = 1
		""",
    '\ufeff𝔻package p; import "x";ℙvar x = 1',
]

READ_COMMENTS_TESTS = [
    "ℙpackage p",
    'ℙpackage p; import "x"',
    'ℙpackage p; import . "x"',
    '\ufeff𝔻ℙpackage p; import . "x"',
    """// foo

		/* bar */

		/* quux */ // baz

		/*/ zot */

		// asdf
		ℙHello, world""",
    """\ufeff𝔻// foo

		/* bar */

		/* quux */ // baz

		/*/ zot */

		// asdf
		ℙHello, world""",
]


def _split(text: str) -> tuple[bytes, bytes]:
    """Go's testRead: (input, expected header)."""
    before, _, after = text.partition("ℙ")
    data = before + after
    want = before
    if "𝔻" in before:
        d_before, _, d_after = before.partition("𝔻")
        data = d_before + d_after + after
        want = d_after
    return data.encode(), want.encode()


@pytest.mark.parametrize("text", READ_GO_INFO_TESTS)
def test_read_go_info(text: str) -> None:
    data, want = _split(text)
    assert go_header(data) == (want, "")


@pytest.mark.parametrize("text", READ_COMMENTS_TESTS)
def test_read_comments(text: str) -> None:
    data, want = _split(text)
    assert comments_header(data) == (want, "")


READ_FAILURES_TESTS = [
    ("package", "syntax error"),
    ("package p\n\x00\nimport `math`\n", "unexpected NUL in input"),
    ("package p; import", "syntax error"),
    ('package p; import "', "syntax error"),
    ("package p; import ` \n\n", "syntax error"),
    ('package p; import "x', "syntax error"),
    ("package p; import _", "syntax error"),
    ('package p; import _ "', "syntax error"),
    ('package p; import _ "x', "syntax error"),
    ("package p; import .", "syntax error"),
    ('package p; import . "', "syntax error"),
    ('package p; import . "x', "syntax error"),
    ("package p; import (", "syntax error"),
    ('package p; import ("', "syntax error"),
    ('package p; import ("x', "syntax error"),
    ('package p; import ("x"', "syntax error"),
]


@pytest.mark.parametrize(("text", "err"), READ_FAILURES_TESTS)
def test_read_failures(text: str, err: str) -> None:
    # TestReadFailuresIgnored: syntax errors are not read errors; the header is the file.
    data = text.encode()
    header, got = go_header(data)
    if "NUL" in err:
        assert got == err
    else:
        assert (header, got) == (data, "")


READ_EMBED_TESTS = [
    ("package p\n", ""),
    (
        'package p\nimport "embed"\nvar i int\n//go:embed x y z\nvar files embed.FS',
        "test:4:12:x test:4:14:y test:4:16:z",
    ),
    (
        'package p\nimport "embed"\nvar i int\n//go:embed x "\\x79" `z`\nvar files embed.FS',
        "test:4:12:x test:4:14:y test:4:21:z",
    ),
    (
        'package p\nimport "embed"\nvar i int\n//go:embed x y\n//go:embed z\nvar files embed.FS',
        "test:4:12:x test:4:14:y test:5:12:z",
    ),
    (
        (
            'package p\nimport "embed"\nvar i int\n\t //go:embed x y\n\t //go:embed z\n'
            "\t var files embed.FS"
        ),
        "test:4:14:x test:4:16:y test:5:14:z",
    ),
    (
        'package p\nimport "embed"\n//go:embed x y z\nvar files embed.FS',
        "test:3:12:x test:3:14:y test:3:16:z",
    ),
    (
        '\ufeffpackage p\nimport "embed"\n//go:embed x y z\nvar files embed.FS',
        "test:3:12:x test:3:14:y test:3:16:z",
    ),
    (
        'package p\nimport "embed"\nvar s = "/*"\n//go:embed x\nvar files embed.FS',
        "test:4:12:x",
    ),
    (
        (
            'package p\n\t\t import "embed"\n\t\t var s = "\\"\\\\\\\\"\n'
            "\t\t //go:embed x\n\t\t var files embed.FS"
        ),
        "test:4:15:x",
    ),
    (
        'package p\nimport "embed"\nvar s = `/*`\n//go:embed x\nvar files embed.FS',
        "test:4:12:x",
    ),
    (
        'package p\nimport "embed"\nvar s = z/ *y\n//go:embed pointer\nvar pointer embed.FS',
        "test:4:12:pointer",
    ),
    ("package p\n//go:embed x y z\n", ""),
    ("package p\n//go:embed x y z\nvar files embed.FS", ""),
    ("\ufeffpackage p\n//go:embed x y z\nvar files embed.FS", ""),
]


@pytest.mark.parametrize(("text", "want"), READ_EMBED_TESTS)
def test_read_embed(text: str, want: str) -> None:
    src = source_from_bytes(text.encode(), "test", FileKind.GO)
    got = " ".join(f"{e.pos}:{e.pattern}" for e in src.embeds)
    assert got == want


# shouldBuildTests: (name, content, should build with tags {"yes"}, binary-only).
SHOULD_BUILD_TESTS = [
    ("Yes", "// +build yes\n\npackage main\n", True, False),
    ("Yes2", "//go:build yes\npackage main\n", True, False),
    ("Or", "// +build no yes\n\npackage main\n", True, False),
    ("Or2", "//go:build no || yes\npackage main\n", True, False),
    ("And", "// +build no,yes\n\npackage main\n", False, False),
    ("And2", "//go:build no && yes\npackage main\n", False, False),
    (
        "Cgo",
        (
            "// +build cgo\n\n// Copyright The Go Authors.\n\n"
            "// This package implements parsing of tags like\n// +build tag1\npackage build"
        ),
        False,
        False,
    ),
    (
        "Cgo2",
        (
            "//go:build cgo\n// Copyright The Go Authors.\n\n"
            "// This package implements parsing of tags like\n// +build tag1\npackage build"
        ),
        False,
        False,
    ),
    (
        "AfterPackage",
        (
            "// Copyright The Go Authors.\n\npackage build\n\n"
            "// shouldBuild checks tags given by lines of the form\n// +build tag\n"
            "//go:build tag\nfunc shouldBuild(content []byte)\n"
        ),
        True,
        False,
    ),
    ("TooClose", "// +build yes\npackage main\n", True, False),
    ("TooClose2", "//go:build yes\npackage main\n", True, False),
    ("TooCloseNo", "// +build no\npackage main\n", True, False),
    ("TooCloseNo2", "//go:build no\npackage main\n", False, False),
    ("BinaryOnly", "//go:binary-only-package\n// +build yes\npackage main\n", True, True),
    ("BinaryOnly2", "//go:binary-only-package\n//go:build no\npackage main\n", False, True),
    ("ValidGoBuild", "// +build yes\n\n//go:build no\npackage main\n", False, False),
    ("MissingBuild2", "/* */\n// +build yes\n\n//go:build no\npackage main\n", False, False),
    ("Comment1", "/*\n//go:build no\n*/\n\npackage main\n", True, False),
    ("Comment2", "/*\ntext\n*/\n\n//go:build no\npackage main\n", False, False),
    (
        "Comment3",
        "/*/*/ /* hi *//* \ntext\n*/\n\n//go:build no\npackage main\n",
        False,
        False,
    ),
    ("Comment4", "/**///go:build no\npackage main\n", True, False),
    ("Comment5", "/**/\n//go:build no\npackage main\n", False, False),
]


@pytest.mark.parametrize(
    ("content", "should_build", "binary_only"),
    [t[1:] for t in SHOULD_BUILD_TESTS],
    ids=[t[0] for t in SHOULD_BUILD_TESTS],
)
def test_should_build(content: str, should_build: bool, binary_only: bool) -> None:
    go_build, plus_build, saw_binary_only = fileheader.get_constraints(content.encode())
    ok = True
    if go_build:
        ok = parse(go_build).eval(lambda tag: tag == "yes")
    else:
        for line in plus_build:
            if not parse(line).eval(lambda tag: tag == "yes"):
                ok = False
    assert (ok, saw_binary_only) == (should_build, binary_only)


# Header parse errors: (content, "line:col: message") as go/parser reports the first one.
PARSE_ERROR_TESTS = [
    ("", "1:1: expected 'package', found 'EOF'"),
    ("packag x\n", "1:1: expected 'package', found packag"),
    ("package func\n", "1:9: expected 'IDENT', found 'func'"),
    ('package c; import "x" import "y"\n', "1:23: expected ';', found 'import'"),
    ('package d\nimport (\n\t"a" "b"\n)\n', "3:6: expected ';', found \"b\""),
    ("package e\nimport ,\n", "2:8: missing import path"),
    ("package f\n\nimport 42\n", "3:8: import path must be a string"),
    ('package g\nimport "fmt\n', "2:8: string literal not terminated"),
    ('package h\nimport "\\q"\n', "2:10: unknown escape sequence"),
    (
        "package i\nimport (\n\t\u201cx\u201d\n)\n",
        "3:2: curly quotation mark '\u201c' (use neutral '\"')",
    ),
    ("package j\nimport (\n\t#\n)\n", "3:2: illegal character U+0023 '#'"),
    ("// caf\xe9\npackage k\n", "1:7: illegal UTF-8 encoding"),
    ('package l\nimport "a b"\n', "2:8: invalid import path: a b"),
    ("package m /* x */ import", "1:19: expected ';', found 'import'"),
    ("\xff\xfepackage n", "1:1: illegal UTF-8 encoding (got UTF-16)"),
]


@pytest.mark.parametrize(("content", "want"), PARSE_ERROR_TESTS)
def test_parse_errors(content: str, want: str) -> None:
    data = content.encode("utf-8", "surrogateescape")
    if "\xe9" in content or "\xff" in content:
        data = content.encode("latin-1")
    src = source_from_bytes(data, "x.go", FileKind.GO)
    assert src.parse_error is not None
    got = f"{src.parse_error.pos.line}:{src.parse_error.pos.column}: {src.parse_error.msg}"
    assert got == want
    assert not src.imports


def test_text_after_the_imports_is_not_parsed() -> None:
    # go/build's reader stops at the first byte that cannot start an import: what follows
    # (here a curly quote go/parser would reject) is never parsed.
    src = source_from_bytes("package i\n\u201cx\u201d\n".encode(), "x.go", FileKind.GO)
    assert src.parse_error is None
    assert src.package_name == "i"


def test_nul_is_a_read_error() -> None:
    src = source_from_bytes(b"package p // \x00\n", "x.go", FileKind.GO, "/d")
    assert src.error == "read /d/x.go: unexpected NUL in input"


def test_multiple_go_build_lines() -> None:
    src = source_from_bytes(b"//go:build a\n//go:build b\n\npackage p\n", "x.go", FileKind.GO)
    assert src.error == "x.go: multiple //go:build comments"


def test_imports_positions_and_cgo_preamble() -> None:
    text = (
        '// Package p.\npackage p\n\nimport (\n\t"fmt"\n\tx "os"\n)\n\n'
        '/*\n#cgo linux LDFLAGS: -lfoo\n#include <stdio.h>\n#include "local.h"\n*/\n'
        'import "C"\n\nfunc F() {}\n'
    )
    src = source_from_bytes(text.encode(), "p.go", FileKind.GO, "/d")
    assert src.package_name == "p"
    assert [(i.path, i.pos.line, i.pos.column) for i in src.imports] == [
        ("fmt", 5, 2),
        ("os", 6, 2),
        ("C", 14, 8),
    ]
    assert src.imports[0].pos.filename == "/d/p.go"
    assert src.cgo_directives == ("#cgo linux LDFLAGS: -lfoo",)
    assert [(i.header, i.system) for i in src.includes] == [
        ("stdio.h", True),
        ("local.h", False),
    ]


def test_include_forms() -> None:
    text = (
        'package p\n\n/*\n#import <Cocoa/Cocoa.h>\n# include_next "n.h"\n#includex <no.h>\n'
        '#define X "#include <no2.h>"\n*/\nimport "C"\n'
    )
    src = source_from_bytes(text.encode(), "p.go", FileKind.GO)
    assert [(i.header, i.system, i.line) for i in src.includes] == [
        ("Cocoa/Cocoa.h", True, 4),
        ("n.h", False, 5),
    ]


def test_detached_comment_is_not_the_preamble() -> None:
    # A blank line between the comment and import "C" detaches it (go/parser's lead
    # comment rule), so there are no #cgo lines.
    text = 'package p\n\n// #cgo LDFLAGS: -lfoo\n\nimport "C"\n'
    src = source_from_bytes(text.encode(), "p.go", FileKind.GO)
    assert src.imports_c
    assert src.cgo_directives == ()


def test_comment_group_text_matches_go() -> None:
    parsed = goparse.parse_header(
        b'package p\n\n//go:generate x\n// hello  \n//\n//\n// world\nimport "C"\n'
    )
    doc = parsed.imports[0].doc
    assert doc is not None
    assert comment_group_text(doc) == "hello\n\nworld\n"


def _fast_agrees(data: bytes) -> None:
    fast = fast_go_header(data, True)
    if fast is None:
        return
    header, err = go_header(data)
    assert err == ""
    assert fast.header == header
    parsed = goparse.parse_header(header)
    assert not parsed.errors
    assert fast.package == parsed.package_name.decode()
    slow = [
        (imp.path_lit[1:-1].decode(), *parsed.scanner.line_col(imp.spec_offset))
        for imp in parsed.imports
    ]
    assert list(fast.imports) == slow
    docs = [imp.doc for imp in parsed.imports if imp.path_lit == b'"C"' and imp.doc]
    want = [(c.text, parsed.scanner.line_col(c.offset)[0]) for doc in docs for c in doc]
    assert list(fast.cgo_doc) == want


@pytest.mark.parametrize(
    "text",
    [
        *[_split(t)[0].decode() for t in READ_GO_INFO_TESTS],
        'package p\n\nimport (\n\t"a"\n\n\t// c\n\tb "b" // t\n)\n\nfunc F() {}\n',
        '// x\n/* y\n*/ package p; import "a"; import "b"\nvar x int\n',
        'package p\nimport "a" /* c\n*/ import "b"\ntype T int\n',
        'package p\nimport "a" func F() {}\n',
        'package p;;\nimport "a"\n',
        'package p\nimport "a";;import "b"\n',
        'package p\n\nimport "a"\n\nimport2 x\n',
        'package p\nimport ("a"; "b")\nconst c = 1\n',
        # the one-match path's comments: a //line directive moves the lines after it (the
        # exact way), the same text later in a comment does not; a NUL is a read error
        'package p\n\n//line x.go:10\nimport "a"\n\nfunc F() {}\n',
        'package p\n\n\t//line x.go:10:4\nimport (\n\t"a"\n)\n\nfunc F() {}\n',
        'package p\n\n// see //line x.go:10\nimport "a" // and //line y.go:3\n\nvar v int\n',
        'package p\n\n// a \x00 b\nimport "a"\n\nvar v int\n',
        '// été\npackage p\n\nimport "a"\n\nvar v int\n',
        '// \ufeff\npackage p\n\nimport "a"\n\nvar v int\n',
    ],
)
def test_fast_path_agrees_with_exact_port(text: str) -> None:
    _fast_agrees(text.encode())
    _source_agrees(text.encode())


def _go(*lines: str) -> str:
    return "\n".join(lines) + "\n"


_F = "func F() {}"
_CGO_HEADERS = [
    # (text, whether the one-match path reads it)
    (
        _go(
            "package p",
            "",
            "/*",
            "#cgo LDFLAGS: -lm",
            "#include <math.h>",
            "*/",
            'import "C"',
            "",
            _F,
        ),
        True,
    ),
    (
        _go(
            *("package p", "", 'import "fmt"', "", "// #cgo CFLAGS: -DX", '//#include "a.h"'),
            *("//  #if X", "// #include <b.h>", "// #endif", 'import "C"', ""),
            *("import (", '\t"os"', ")", "", "var v int"),
        ),
        True,
    ),
    (
        _go(
            *(
                "// Copyright",
                "",
                "/*",
                "Package p.",
                "*/",
                "",
                "//go:build linux",
                "",
                "package p",
            ),
            *("", "/* #include <x.h> */ \t", 'import "C" // c', "", _F),
        ),
        True,
    ),
    # its doc comment is more than the lines just before it, or none: the exact way
    (
        _go(
            "package p",
            "",
            "// #cgo LDFLAGS: -lx",
            "/*",
            "#include <a.h>",
            "*/",
            'import "C"',
            "",
            _F,
        ),
        False,
    ),
    (
        _go("package p", "", "// #cgo LDFLAGS: -lx", "/* #include <a.h> */", 'import "C"', "", _F),
        False,
    ),
    (_go("package p", 'import "fmt"', "// #cgo LDFLAGS: -lx", 'import "C"', "", _F), False),
    (_go("package p", "// #cgo LDFLAGS: -lx", 'import "C"', "", _F), False),
    (_go("package p", "", "/*line x.go:10*/", 'import "C"', "", _F), False),
    (_go("package p", "", "/* #include <a.h> */ /* b */", 'import "C"', "", _F), False),
    (_go("package p", "", "/*", "#include <a.h>", "*/", "", 'import "C"', "", _F), False),
    (
        _go(
            *("package p", "", "// #include <a.h>", 'import "C"', "", "// #include <b.h>"),
            'import "C"',
        ),
        False,
    ),
    (_go("package p", "", "// #include <a.h>", 'import c "C"', "", _F), False),
    (_go("package p", "", "// #include <a.h>", "import (", '\t"C"', ")", "", _F), False),
    (_go("/* a", "*/ package p", "", "// #include <a.h>", 'import "C"', "", _F), False),
    (_go("package p", "", "/*", "#include <a.h>"), False),
]


@pytest.mark.parametrize(("text", "fast"), _CGO_HEADERS)
def test_cgo_preamble_one_match_path_agrees_with_exact_port(text: str, fast: bool) -> None:
    """`import "C"` with its preamble in the usual layouts: the one-match path's record
    (directives, includes and their lines, import positions) is the exact port's; in any
    other layout it leaves the file to the exact port."""
    data = text.encode()
    assert (fast_go_header(data, True) is not None) == fast
    _fast_agrees(data)
    _source_agrees(data)


def _source_agrees(data: bytes) -> None:
    """The file's record (positions after //line directives, errors included) is the exact
    port's, whichever path reads it."""
    header, err = go_header(data)
    got = source_from_bytes(data, "x.go", FileKind.GO, "/d")
    if err:
        assert got.error == f"read /d/x.go: {err}"
        return
    assert got == gofile._from_parse("/d/x.go", "x.go", FileKind.GO, header, lambda: data)


_GO_ALPHABET = st.sampled_from(
    [
        "package",
        "import",
        " ",
        "\n",
        "\t",
        "\r",
        ";",
        "(",
        ")",
        ".",
        "_",
        "p",
        "x",
        '"fmt"',
        '"a b"',
        '"C"',
        "`raw`",
        "//c",
        "/*c*/",
        "/*\n*/",
        "func",
        "var",
        "\\",
        '"',
        "\x00",
        "\xff",
        "\ufeff",
        "é",
        "//line x:1",
        "//go:build linux",
        "// +build !cgo",
        "#cgo LDFLAGS: -lx",
        "'",
        "1",
        "0x",
        "1e",
        "\f",
    ]
)


@settings(max_examples=400, deadline=None)
@given(st.lists(_GO_ALPHABET, max_size=40))
def test_hostile_sources_never_raise(parts: list[str]) -> None:
    data = "".join(parts).encode("utf-8", "surrogatepass")
    start = time.monotonic()
    for kind in (FileKind.GO, FileKind.C):
        src = source_from_bytes(data, "x.go" if kind is FileKind.GO else "x.c", kind)
        assert src.name
    _fast_agrees(data)
    assert time.monotonic() - start < 2


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=2000))
def test_random_bytes_never_raise(data: bytes) -> None:
    for kind in (FileKind.GO, FileKind.S):
        source_from_bytes(data, "x", kind)
    _fast_agrees(data)


def test_huge_comment_and_deep_parens_are_bounded() -> None:
    start = time.monotonic()
    data = b"package p\nimport (" + b"(" * 200_000 + b"\n"
    src = source_from_bytes(data, "x.go", FileKind.GO)
    assert src.parse_error is not None
    data = b"/*" + b"x" * 5_000_000 + b"*/\npackage p\n"
    assert source_from_bytes(data, "x.go", FileKind.GO).package_name == "p"
    assert time.monotonic() - start < 10


def test_header_of_millions_of_lines_is_refused_per_file_with_flat_memory() -> None:
    """issue 13: 2M comment lines before `package`, or a 2M-line cgo preamble, cost minutes
    and ~150 bytes per line; past the header caps the file has a one-line error instead
    (peak memory: tests/integration/test_reliability.py)."""
    start = time.monotonic()
    comments = b"//x\n" * 2_000_000 + b"package p\n"
    preamble = b"package p\n\n" + b"// #define X 1\n" * 2_000_000 + b'import "C"\n'
    block = b"/*" + b"x" * (gofile.MAX_HEADER_BYTES + 1) + b"*/\npackage p\n"
    for data in (comments, preamble, block):
        src = source_from_bytes(data, "x.go", FileKind.GO)
        assert src.error == f"read x.go: {gofile.HEADER_TOO_LARGE}"
        assert "\n" not in src.error
    just_under = b"//x\n" * (gofile.MAX_HEADER_LINES - 10) + b"package p\n"
    assert source_from_bytes(just_under, "x.go", FileKind.GO).package_name == "p"
    assert time.monotonic() - start < 30


def test_fast_path_source_file_equals_the_exact_ports() -> None:
    # The fast path builds its records without their __init__ (`_import_specs`, `position`,
    # `_from_fast`): they must be the records the exact port builds, field for field.
    text = b'//go:build linux\n\npackage p\n\nimport (\n\t"a"\n\tb "b/c"\n)\n\nfunc F() {}\n'
    embeds = (
        b'// +build !cgo\n\n//go:binary-only-package\n\npackage q\n\nimport "embed"\n\n'
        b"//go:embed a.txt b\nvar f embed.FS\n"
    )
    for data in (text, embeds):
        header, err = go_header(data)
        assert fast_go_header(data, True) is not None
        assert err == ""
        exact = gofile._from_parse("/d/x.go", "x.go", FileKind.GO, header, io.BytesIO(data).read)
        assert source_from_bytes(data, "x.go", FileKind.GO, "/d") == exact
    other = source_from_bytes(embeds, "x.go", FileKind.GO, "/d")
    assert other.plus_build == ("// +build !cgo",)
    assert other.binary_only
    assert [e.pattern for e in other.embeds] == ["a.txt", "b"]
    fast = source_from_bytes(text, "x.go", FileKind.GO, "/d")
    exact = gofile._from_parse("/d/x.go", "x.go", FileKind.GO, go_header(text)[0], lambda: text)
    assert fast.go_build == "//go:build linux"
    assert fast.imports[1] == gofile.ImportSpec(
        path="b/c", pos=gofile.Position(filename="/d/x.go", line=7, column=2)
    )
    assert repr(fast.imports) == repr(exact.imports)
    made = gofile.position("/d/x.go", 7, 2)
    assert made == fast.imports[1].pos
    assert hash(made) == hash(fast.imports[1].pos)


@pytest.mark.parametrize("directory", ["/a/b", "/", "", "rel", "/a/b/"])
def test_go_join_is_os_path_join(directory: str) -> None:
    assert gofile.go_join(directory, "x.go") == os.path.join(directory, "x.go")  # noqa: PTH118


@pytest.mark.parametrize(
    "text", ["", "package a\n", 'package a\n\nimport "fmt"\n' * 1 + "// x\n" * 5000]
)
def test_a_file_is_read_up_to_the_size_it_had_when_opened(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, text: str
) -> None:
    """A regular file read whole by its first read (its fstat's size) is not read again to
    find its end; what is read is what `source_from_bytes` reads."""
    f = tmp_path / "a.go"
    f.write_text(text)
    reads: list[int] = []
    real_read = os.read

    def counting(fd: int, size: int) -> bytes:
        reads.append(size)
        return real_read(fd, size)

    monkeypatch.setattr(os, "read", counting)
    got = gofile.read_source_file(str(tmp_path), "a.go", FileKind.GO)
    monkeypatch.undo()
    assert got == gofile.source_from_bytes(text.encode(), "a.go", FileKind.GO, str(tmp_path))
    assert len(reads) == (0 if not text else -(-len(text) // gofile._FIRST_READ))


_BIG = "// filler\n" * 2000  # (22 KB: past the first read)
_EMBED = 'package a\n\nimport _ "embed"\n\n//go:embed x.txt\nvar s string\n'


@pytest.mark.parametrize(
    ("name", "content", "read"),
    [
        ("a.go", b"package a\n", -1),
        ("a.go", b'\xef\xbb\xbfpackage a\n\nimport "C"\n', -1),  # (a BOM: of the raw bytes)
        ("x.c", b"// +build linux\n\nint x;\n", -1),
        ("a.go", ("package a\n\nvar x int\n" + _BIG).encode(), gofile._FIRST_READ),  # header
        ("a.go", (_EMBED + _BIG).encode(), -1),  # embeds: read to its end
        ("a.go", b"x" * gofile._FIRST_READ, -1),  # read on to the size it had
        ("a.go", b"", -1),  # never read (its size was 0): empty
    ],
)
def test_a_file_read_gets_the_digest_of_its_bytes(
    tmp_path: Path, name: str, content: bytes, read: int
) -> None:
    """`digests`: the SHA-256 `cache._file_digest` would give, for a file read to its end
    (`read` -1); for one read only in part, the `cache.prefix_digest` of the bytes read,
    which `cache._prefix_file_digest` gives for as many leading bytes."""
    import hashlib

    from cgotrap import cache

    (tmp_path / name).write_bytes(content)
    digests: dict[str, bytes] = {}
    kind = FileKind.GO if name.endswith(".go") else FileKind.C
    got = gofile.read_source_file(str(tmp_path), name, kind, digests)
    assert got == gofile.read_source_file(str(tmp_path), name, kind)
    if read < 0:
        want = hashlib.sha256(content).digest()
        assert digests == {name: want}
        assert cache._file_digest(str(tmp_path / name)) == want
    else:
        want = cache.prefix_digest(read, hashlib.sha256(content[:read]).digest())
        assert digests == {name: want}
        assert cache._prefix_file_digest(str(tmp_path / name), read) == want


def test_the_digest_is_of_the_bytes_read_not_of_the_file_after(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A file edited right after the scan read it: its digest is of what was read (what the
    scan's answer comes from), never of the content it has now."""
    import hashlib

    f = tmp_path / "a.go"
    f.write_bytes(b'package a\n\nimport "C"\n')
    real_read = os.read

    def read_then_edit(fd: int, size: int) -> bytes:
        data = real_read(fd, size)
        f.write_bytes(b'package a\n\nimport "fmt"\n')
        return data

    digests: dict[str, bytes] = {}
    monkeypatch.setattr(os, "read", read_then_edit)
    got = gofile.read_source_file(str(tmp_path), "a.go", FileKind.GO, digests)
    monkeypatch.undo()
    assert [imp.path for imp in got.imports] == ["C"]
    assert digests == {"a.go": hashlib.sha256(b'package a\n\nimport "C"\n').digest()}


def test_a_read_that_fails_gives_no_digest(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A read error after a short read (the file shrank, then its read failed): the answer
    is the error, which the content does not decide: no digest."""
    f = tmp_path / "a.go"
    f.write_bytes(("package a\n\n" + _BIG).encode())
    real_read = os.read
    calls: list[int] = []

    def short_then_fail(fd: int, size: int) -> bytes:
        calls.append(size)
        if len(calls) == 1:
            return real_read(fd, 10)  # (short: as if the file ended there)
        raise OSError(5, "Input/output error")

    digests: dict[str, bytes] = {}
    monkeypatch.setattr(os, "read", short_then_fail)
    got = gofile.read_source_file(str(tmp_path), "a.go", FileKind.GO, digests)
    monkeypatch.undo()
    assert got.error.endswith("input/output error"), got.error
    assert digests == {}


def _reader_end(data: bytes, *, complete: bool, go_file: bool, literal: bool) -> tuple[object, ...]:
    from cgotrap.read.goread import ImportReader

    reader = ImportReader(data, complete=complete)
    if literal:  # (byte by byte, as go's reader: what it does with a NUL in the file)
        reader.scan_nul = True
    if go_file:
        reader.read_go_info()
    else:
        reader.read_comments()
    return reader.pos, reader.peek, reader.err, reader.eof, reader.need_more


_READER_PIECES = [
    *(b" ", b"\n", b"\r", b"\t", b"\x0c", b";", b"/", b"*", b"//", b"/*", b"*/", b"// c\n"),
    *(b"/* c */", b"package", b"p", b"import", b'"a"', b"(", b")", b"_", b".", b"`b`", b"\\"),
]


@settings(max_examples=400, deadline=None)
@given(
    st.lists(st.sampled_from(_READER_PIECES), max_size=24).map(b"".join),
    st.booleans(),
    st.booleans(),
)
def test_the_reader_skips_spaces_and_comments_as_the_literal_port(
    data: bytes, complete: bool, go_file: bool
) -> None:
    """The reader's skips (one match over spaces and complete comments, a find over a
    comment's body) end where reading byte by byte ends, in the same state."""
    fast = _reader_end(data, complete=complete, go_file=go_file, literal=False)
    assert fast == _reader_end(data, complete=complete, go_file=go_file, literal=True)


def _parse_file_header_port(content: bytes) -> tuple[bytes, bytes | None, bool]:
    """go/build's parseFileHeader, line by line as Go writes it (the reference of
    `fileheader.parse_file_header`, which takes most lines a shorter way)."""
    end = p = 0
    ended = in_slash_star = saw_binary_only = False
    go_build: bytes | None = None
    while p < len(content):
        i = content.find(b"\n", p)
        line, p = (content[p:i], i + 1) if i >= 0 else (content[p:], len(content))
        line = line.strip(b" \t\n\v\f\r")
        if not line and not ended:
            end = p
            continue
        if not line.startswith(b"//"):
            ended = True
        rest = line[len(b"//go:build") :]
        if (
            not in_slash_star
            and line.startswith(b"//go:build")
            and (not rest or len(rest.strip(b" \t\n\v\f\r")) < len(rest))
        ):
            if go_build is not None:
                raise fileheader.MultipleGoBuildError
            go_build = line
        if not in_slash_star and line == b"//go:binary-only-package":
            saw_binary_only = True
        while line:
            if in_slash_star:
                j = line.find(b"*/")
                if j < 0:
                    break
                in_slash_star = False
                line = line[j + 2 :].strip(b" \t\n\v\f\r")
            elif line.startswith(b"//"):
                break
            elif line.startswith(b"/*"):
                in_slash_star = True
                line = line[2:].strip(b" \t\n\v\f\r")
            else:
                return content[:end], go_build, saw_binary_only
    return content[:end], go_build, saw_binary_only


def _header_or_error(parse: Callable[[bytes], object], content: bytes) -> object:
    try:
        return parse(content)
    except fileheader.MultipleGoBuildError:
        return "multiple"


_HEADER_PIECES = [
    *(b"\n", b" ", b"\t", b"\v", b"\r", b"//", b"/*", b"*/", b"// x", b"package p"),
    *(b"//go:build linux", b"//go:build", b"//go:buildx", b"//go:binary-only-package"),
    *(b"// +build cgo", b"x", b"/* c */"),
]


@settings(max_examples=500, deadline=None)
@given(st.lists(st.sampled_from(_HEADER_PIECES), max_size=30).map(b"".join))
@example(b"/*\n// */\npackage p\n//go:build linux\n")  # (a `//` line closing a `/*`)
@example(b"/*\n//go:build linux\n*/\n\n//go:binary-only-package\n\npackage p\n")
def test_parse_file_header_is_go_line_by_line(content: bytes) -> None:
    assert _header_or_error(fileheader.parse_file_header, content) == _header_or_error(
        _parse_file_header_port, content
    )


@pytest.mark.parametrize("comment_bytes", [16_000, 16_384, 20_000, 65_536, 70_000, 300_000])
@pytest.mark.parametrize(
    "rest",
    [
        'package p\n\nimport (\n\t"a"\n\t"b"\n)\n\nfunc F() {}\n',
        'package p\n\n// #include <a.h>\nimport "C"\n\nfunc F() {}\n',
        'package p; import "a"\nimport "b"\nvar v = 1\n',  # (not the usual layout)
        "package p\n",
        'package p\n\nimport "a" +\n',  # (a syntax error: the whole file is parsed)
    ],
)
def test_a_header_past_the_first_read_is_read_whole(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, comment_bytes: int, rest: str
) -> None:
    """A doc comment longer than the first read (GOROOT's fmt/doc.go: 18 KB) is read further
    for the fast path, once; whichever path reads the file, its record is the exact port's
    of the header go reads, and the digest is of the whole file when it was read whole."""
    line = b"// " + b"x" * 60 + b"\n"
    data = line * (comment_bytes // len(line)) + rest.encode()
    (tmp_path / "a.go").write_bytes(data)
    digests: dict[str, bytes] = {}
    header, err = go_header(data)
    if fast_go_header(data, True) is not None and len(header) < 4 * gofile._FIRST_READ:
        monkeypatch.setattr(gofile, "_from_parse", None)  # (the fast path reads it)
    got = gofile.read_source_file(str(tmp_path), "a.go", FileKind.GO, digests)
    monkeypatch.undo()
    assert not err
    full = str(tmp_path / "a.go")
    assert got == gofile._from_parse(full, "a.go", FileKind.GO, header, lambda: data)
    if "a.go" in digests:
        assert digests["a.go"] == hashlib.sha256(data).digest()


@settings(max_examples=500, deadline=None)
@given(st.lists(st.sampled_from(_HEADER_PIECES), max_size=30).map(b"".join))
@example(b"// a\n\n//go:build linux\n\npackage p\n")
@example(b"/*\n//go:build linux\n*/\npackage p\n")
@example(b"x\n//go:build linux\n")
@example(b"// a //go:build linux\n")
@example(b"//go:buildx\n")
@example(b" \t//go:build linux \r\n")
@example(b"//go:build a\n\n//go:build b\n")
def test_constraints_of_a_usual_header_are_get_constraints(content: bytes) -> None:
    """`constraints_of` takes the usual header a shorter way: the same answer."""
    got = fileheader.constraints_of("x.go", content)
    want = _header_or_error(fileheader.get_constraints, content)
    assert (got if got is not None else "multiple") == want
