"""The preamble's `#if` guards: the directive tracker, the three-valued evaluator, the reader."""

from __future__ import annotations

import json
from importlib import resources
from typing import Any

import pytest

from cgotrap.errors import DataError
from cgotrap.judge.headers import parse_predefines, predefines
from cgotrap.read import cpp
from cgotrap.read.filename import FileKind
from cgotrap.read.gofile import extract_includes, source_from_bytes
from cgotrap.targets import Libc, Target

T, F, U = cpp.Truth.TRUE, cpp.Truth.FALSE, cpp.Truth.UNKNOWN

LINUX = cpp.Macros(
    defined={
        "__linux__": "1",
        "__x86_64__": "1",
        "__SIZEOF_POINTER__": "8",
        "__BYTE_ORDER__": "__ORDER_LITTLE_ENDIAN__",
        "__ORDER_LITTLE_ENDIAN__": "1234",
        "__ORDER_BIG_ENDIAN__": "4321",
        "LOOP": "LOOP",
    },
    undefined=frozenset({"__APPLE__", "_WIN32", "__aarch64__"}),
)


@pytest.mark.parametrize(
    ("expression", "expected"),
    [
        ("defined(__linux__)", T),
        ("defined __linux__", T),
        ("defined(__APPLE__)", F),
        ("!defined(_WIN32)", T),
        ("defined(__linux__) && !defined(__APPLE__)", T),
        ("defined(__APPLE__) || defined(_WIN32)", F),
        ("(defined(__APPLE__) || defined(__linux__)) && __x86_64__", T),
        ("__SIZEOF_POINTER__ == 8", T),
        ("__SIZEOF_POINTER__ * 8 >= 64 && __SIZEOF_POINTER__ < 16", T),
        ("__BYTE_ORDER__ == __ORDER_BIG_ENDIAN__", F),
        ("0x10 == 16 && 010 == 8 && 0b11 == 3 && 10UL == 10", T),
        ("1 ? 2 : 0", T),
        ("-1 < 0", T),
        ("~0 == -1", T),
        ("7 / 2 == 3 && -7 / 2 == -3 && -7 % 2 == -1", T),
        ("1 << 3 == 8 && 16 >> 2 == 4", T),
        ("(1 & 3) == 1 && (1 | 2) == 3 && (3 ^ 1) == 2", T),
        ("'a' == 97", T),
        ("__aarch64__", F),  # a name another target predefines: 0 here
        # Unknown: macros from headers or the build system
        ("defined(HAVE_SYSINFO)", U),
        ("HAVE_SYSINFO", U),
        ("__GLIBC__ >= 2", U),
        ("!HAVE_SYSINFO", U),
        # ... unless short-circuit logic decides anyway
        ("defined(__APPLE__) && defined(HAVE_SYSINFO)", F),
        ("defined(__linux__) || HAVE_SYSINFO", T),
        ("HAVE_SYSINFO && 0", F),
        ("HAVE_SYSINFO || 1", T),
        ("HAVE_SYSINFO ? 1 : 1", T),
        ("HAVE_SYSINFO ? 1 : 0", U),
        ("__has_include(<sys/sysinfo.h>)", U),
        ("__has_include(<sys/sysinfo.h>) && defined(_WIN32)", F),
        ("__GNUC_PREREQ(4, 8)", U),
        # Malformed or undefined behaviour: unknown, never an exception
        ("", U),
        ("(1", U),
        ("1)", U),
        ("1 +", U),
        ("defined(", U),
        ("defined", U),
        ("1 / 0", U),
        ("1 % 0", U),
        ("1 << 99", U),
        ('"text"', U),
        ("1.5 > 1", U),
        ("09", U),
        ("LOOP", U),  # expands to itself: a plain identifier, not known
        ("1 ? 2", U),
        ("@", U),
        ("0 && (1 / 0)", F),
    ],
)
def test_evaluate(expression: str, expected: cpp.Truth) -> None:
    assert cpp.evaluate(expression, LINUX) is expected


@pytest.mark.parametrize(
    "expression",
    [
        "(" * 10_000 + "1" + ")" * 10_000,  # huge
        "(" * 200 + "1" + ")" * 200,  # deep but short
        "!" * 600 + "1",
        "-" * 2000 + "1",
        "1" + " + 1" * 1000,
        "defined(" * 300,
        "\x00\xff\n#if",
        "a" * 100_000,
    ],
)
def test_hostile_expressions_are_unknown_or_answered_never_raised(expression: str) -> None:
    assert cpp.evaluate(expression, LINUX) in (T, F, U)


def test_nested_parentheses_within_bounds_are_evaluated() -> None:
    assert cpp.evaluate("(" * 100 + "1" + ")" * 100, LINUX) is T
    assert cpp.evaluate("(" * 10_000 + "1" + ")" * 10_000, LINUX) is U


def test_self_referencing_macros_are_bounded() -> None:
    macros = cpp.Macros(defined={"A": "B + 1", "B": "A + 1", "C": "C"})
    assert cpp.evaluate("A > 0", macros) is U
    assert cpp.evaluate("defined(C)", macros) is T


def test_flags_define_and_undefine() -> None:
    macros = LINUX.with_flags(["-DHAVE_X", "-D", "LEVEL=3", "-U__linux__", "-DF(x)=x", "-O2"])
    assert cpp.evaluate("defined(HAVE_X) && HAVE_X == 1", macros) is T
    assert cpp.evaluate("LEVEL > 2", macros) is T
    assert cpp.evaluate("defined(__linux__)", macros) is F
    assert cpp.evaluate("defined(F)", macros) is U
    assert LINUX.with_flags(["-O2", "-Wall"]) is LINUX


def _guards(text: str) -> list[tuple[str, list[str]]]:
    return [(i.header, [str(g) for g in i.guards]) for i in extract_includes(text, 1)]


def test_tracker_records_nested_branches() -> None:
    text = """
#include <stdlib.h>
#if defined(__linux__) /* linux */
#  include <sys/sysinfo.h>
#  ifdef HAVE_EPOLL
#    include <sys/epoll.h>
#  endif
#elif defined(__APPLE__)
#include <mach/mach.h>
#elifdef _WIN32
#include <windows.h>
#else
#ifndef __unix__
#include <none.h>
#endif
#endif
#include "after.h"
"""
    assert _guards(text) == [
        ("stdlib.h", []),
        ("sys/sysinfo.h", ["#if defined(__linux__)"]),
        ("sys/epoll.h", ["#if defined(__linux__)", "#ifdef HAVE_EPOLL"]),
        ("mach/mach.h", ["#elif defined(__APPLE__)"]),
        ("windows.h", ["#elifdef _WIN32"]),
        (
            "none.h",
            [
                "#else (not defined(__linux__) / defined(__APPLE__) / defined(_WIN32))",
                "#ifndef __unix__",
            ],
        ),
        ("after.h", []),
    ]
    includes = extract_includes(text, 1)
    win = includes[4].guards[0]
    assert win.condition() == "!(defined(__linux__)) && !(defined(__APPLE__)) && (defined(_WIN32))"
    assert cpp.guards_hold(includes[1].guards, LINUX) is T
    assert cpp.guards_hold(includes[2].guards, LINUX) is U
    assert cpp.guards_hold(includes[3].guards, LINUX) is F
    assert cpp.guards_hold(includes[4].guards, LINUX) is F
    assert cpp.guards_hold(includes[5].guards, LINUX) is F
    assert cpp.first_unknown(includes[2].guards, LINUX) == includes[2].guards[1]
    assert cpp.condition_text(includes[5].guards) == (
        "(!(defined(__linux__)) && !(defined(__APPLE__)) && !(defined(_WIN32)))"
        " && !defined(__unix__)"
    )


def test_line_splices_and_line_numbers() -> None:
    text = "#if defined(__linux__) && \\\n    defined(__x86_64__)\n#include <a.h>\n#endif\n"
    (inc,) = extract_includes(text, 10)
    assert inc.line == 12
    assert inc.guards[0].text == "defined(__linux__) && defined(__x86_64__)"
    assert cpp.guards_hold(inc.guards, LINUX) is T


def test_unbalanced_and_malformed_directives_do_not_raise() -> None:
    text = "#endif\n#else\n#elif 1\n#include <a.h>\n#if 1\n#else\n#elif 0\n#include <b.h>\n"
    a, b = extract_includes(text, 1)
    assert a.guards == ()
    assert [g.expression for g in b.guards] == [""]  # #elif after #else: unknowable ...
    assert cpp.guards_hold(b.guards, LINUX) is F  # ... but after an #else nothing is taken


def test_deep_nesting_is_bounded_and_balanced() -> None:
    depth = cpp.MAX_DEPTH + 20
    text = "#if 1\n" * depth + "#include <deep.h>\n" + "#endif\n" * depth + "#include <top.h>\n"
    deep, top = extract_includes(text, 1)
    assert len(deep.guards) == cpp.MAX_DEPTH + 1
    assert cpp.guards_hold(deep.guards, LINUX) is U
    assert top.guards == ()


def test_huge_directive_line_is_unknown() -> None:
    text = "#if " + "1 && " * 5000 + "1\n#include <a.h>\n#endif\n"
    (inc,) = extract_includes(text, 1)
    assert cpp.guards_hold(inc.guards, LINUX) is U
    assert len(str(inc.guards[0])) < 300


def test_reader_records_guards_across_the_comments_of_a_preamble() -> None:
    source = b"""package p

// #include <stdlib.h>
// #ifdef __linux__
// #include <sys/sysinfo.h>
// #else
// #include "own.h"
// #endif
import "C"
"""
    src = source_from_bytes(source, "p.go", FileKind.GO, "/x")
    assert [(i.header, i.system, i.line) for i in src.includes] == [
        ("stdlib.h", True, 3),
        ("sys/sysinfo.h", True, 5),
        ("own.h", False, 7),
    ]
    assert [str(g) for g in src.includes[1].guards] == ["#ifdef __linux__"]
    assert [str(g) for g in src.includes[2].guards] == ["#else (not defined(__linux__))"]


# --- the predefined-macro data -----------------------------------------------------------------


def _target(port: str, libc: Libc | None = None) -> Target:
    goos, goarch = port.split("/")
    return Target(goos=goos, goarch=goarch, cgo=True, libc=libc)


def test_bundled_predefines_know_the_platform_macros() -> None:
    data = predefines()
    linux = data.for_target(_target("linux/arm64", Libc.MUSL))
    darwin = data.for_target(_target("darwin/amd64"))
    windows = data.for_target(_target("windows/386"))
    android = data.for_target(_target("android/arm64"))
    assert linux is not None
    assert darwin is not None
    assert windows is not None
    assert android is not None
    assert cpp.evaluate("defined(__linux__) && defined(__aarch64__) && __LP64__", linux) is T
    assert cpp.evaluate("defined(__APPLE__) || defined(_WIN32) || defined(__ANDROID__)", linux) is F
    assert cpp.evaluate("defined(__APPLE__) && defined(__MACH__) && __x86_64__", darwin) is T
    assert (
        cpp.evaluate("defined(_WIN32) && !defined(_WIN64) && __SIZEOF_POINTER__ == 4", windows) is T
    )
    assert cpp.evaluate("defined(__ANDROID__) && defined(__linux__)", android) is T
    # From headers or the compiler in use, not the target: unknown.
    for name in ("__GLIBC__", "__GLIBC_MINOR__", "__clang__", "__GNUC__", "__PIC__"):
        assert cpp.evaluate(f"defined({name})", linux) is U, name
    assert data.for_target(_target("aix/ppc64")) is None
    assert "aix/ppc64" in data.missing


def _data() -> dict[str, Any]:
    text = resources.files("cgotrap.data").joinpath("c_predefines.json").read_text("utf-8")
    data: dict[str, Any] = json.loads(text)
    return data


@pytest.mark.parametrize(
    ("mutate", "message"),
    [
        (lambda d: d.update(version=2), "version 1"),
        (lambda d: d.update(targets={}), "no targets"),
        (lambda d: d.update(common=[]), "must be an object"),
        (lambda d: d["targets"]["linux/amd64-gnu"]["macros"].update({"a b": "1"}), "not a macro"),
        (lambda d: d["targets"]["linux/amd64-gnu"]["macros"].update(X=1), "not a macro"),
    ],
)
def test_predefines_are_validated_on_load(mutate: Any, message: str) -> None:
    data = _data()
    mutate(data)
    with pytest.raises(DataError, match=message):
        parse_predefines(data)
