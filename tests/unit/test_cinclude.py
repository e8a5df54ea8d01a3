"""Includes of a package's own C files, local headers followed, -D macros, plain words."""

from __future__ import annotations

from pathlib import Path

from cgotrap.read import cinclude, cpp

_LINUX = cpp.Macros(defined={"__linux__": "1"}, undefined=frozenset({"__APPLE__", "_WIN32"}))
_DARWIN = cpp.Macros(defined={"__APPLE__": "1"}, undefined=frozenset({"__linux__", "_WIN32"}))


def _write(root: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text)
    return root


def test_local_header_is_followed_with_its_conditions(tmp_path: Path) -> None:
    pkg = _write(
        tmp_path,
        {
            "sysinfo.c": '#include <stdlib.h>\n#ifdef __linux__\n#include "local.h"\n#endif\n',
            "local.h": "#ifndef LOCAL_H\n#define LOCAL_H\n#include <gnu/libc-version.h>\n#endif\n",
            "unused.h": "#include <windows.h>\n",
        },
    )
    includes = cinclude.package_includes(pkg, ["sysinfo.c", "local.h", "unused.h"])
    by_header = {i.header: i for i in includes}
    assert set(by_header) == {"stdlib.h", "local.h", "gnu/libc-version.h"}
    libc = by_header["gnu/libc-version.h"]
    assert (libc.file, libc.line, libc.system, libc.via) == ("local.h", 3, True, ("sysinfo.c:3",))
    assert libc.text == "#include <gnu/libc-version.h>"
    assert by_header["local.h"].local
    # The include guard idiom is no condition; the #ifdef around the include in the .c is.
    assert [str(g) for g in libc.guards] == ["#ifdef __linux__"]
    assert libc.active(_LINUX) is cpp.Truth.TRUE
    assert libc.active(_DARWIN) is cpp.Truth.FALSE


def test_cycles_depth_and_escape_are_bounded(tmp_path: Path) -> None:
    pkg = _write(
        tmp_path / "pkg",
        {
            "a.c": '#include "x.h"\n#include "../outside.h"\n#include "/etc/passwd"\n',
            "x.h": '#include "y.h"\n#include <x_sys.h>\n',
            "y.h": '#include "x.h"\n#include <y_sys.h>\n',
        },
    )
    (tmp_path / "outside.h").write_text("#include <secret.h>\n")
    headers = [(i.file, i.header) for i in cinclude.package_includes(pkg, ["a.c"])]
    assert ("y.h", "y_sys.h") in headers
    assert ("x.h", "x_sys.h") in headers
    assert headers.count(("y.h", "x.h")) == 1  # the cycle back to x.h is listed, not followed
    assert not any(h == "secret.h" for _, h in headers)  # never reads outside the package


def test_preamble_roots_and_subdirectories(tmp_path: Path) -> None:
    pkg = _write(
        tmp_path,
        {
            "include/wrap.h": '#include "inner.h"\n',
            "include/inner.h": "#include <mach/mach_vm.h>\n",
        },
    )
    includes = cinclude.package_includes(
        pkg, [], extra_roots=[("vm_darwin.go", 5, "include/wrap.h", ())]
    )
    assert [(i.file, i.header, i.via) for i in includes] == [
        ("include/wrap.h", "inner.h", ("vm_darwin.go:5",)),
        ("include/inner.h", "mach/mach_vm.h", ("vm_darwin.go:5", "include/wrap.h:1")),
    ]


def test_cgo_cflags_macro_decides_the_guard(tmp_path: Path) -> None:
    pkg = _write(
        tmp_path,
        {
            "poller.c": "#if defined(USE_EPOLL)\n#include <sys/epoll.h>\n#else\n"
            "#include <stdio.h>\n#endif\n"
        },
    )
    epoll, stdio = cinclude.package_includes(pkg, ["poller.c"])
    # Without the -D flag the macro comes from nowhere known: undecidable, said plainly.
    assert epoll.active(_DARWIN) is cpp.Truth.UNKNOWN
    assert epoll.undecided(_DARWIN) == "only if USE_EPOLL is defined"
    assert stdio.undecided(_DARWIN) == "only if USE_EPOLL is not defined"
    # `#cgo CFLAGS: -DUSE_EPOLL` in a file built for this target decides it.
    flagged = _DARWIN.with_flags(["-I/x", "-DUSE_EPOLL"])
    assert epoll.active(flagged) is cpp.Truth.TRUE
    assert stdio.active(flagged) is cpp.Truth.FALSE
    assert epoll.undecided(flagged) == ""
    # -U and -D NAME=0 as cc reads them.
    assert epoll.active(flagged.with_flags(["-U", "USE_EPOLL"])) is cpp.Truth.FALSE


def test_describe_says_only_what_is_unknown() -> None:
    cases = {
        "defined(__linux__) && !defined(HAVE_FOO)": "HAVE_FOO is not defined",
        "!(defined(A))": "A is not defined",
        "defined(A) || B > 2": "A is defined, or B > 2",
        "!(defined(_WIN32)) && (HAVE_X)": "HAVE_X is set (non-zero)",
        "!(defined(A) && defined(B))": "not (A is defined and B is defined)",
        "__GLIBC__ >= 2 && defined(__linux__)": "__GLIBC__ >= 2",
        "defined(__APPLE__)": "",
    }
    for expression, words in cases.items():
        assert cpp.describe(expression, _LINUX) == words, expression
        assert "!defined" not in words


def test_oversized_file_is_read_up_to_the_bound(tmp_path: Path) -> None:
    body = "/*" + "x" * cinclude.MAX_C_FILE_BYTES + "*/\n#include <late.h>\n"
    pkg = _write(tmp_path, {"big.c": "#include <early.h>\n" + body})
    assert [i.header for i in cinclude.package_includes(pkg, ["big.c"])] == ["early.h"]


def test_a_macro_set_by_d_elsewhere_is_undefined_where_its_flag_is_absent(tmp_path: Path) -> None:
    pkg = _write(
        tmp_path,
        {
            "poller.c": "#if defined(USE_EPOLL)\n#include <sys/epoll.h>\n#endif\n"
            "#ifdef HAVE_CONFIG\n#include <config.h>\n#endif\n",
            "config.h": "#define HAVE_CONFIG 1\n",
        },
    )
    names = cinclude.flag_macro_names(["-O2", "-DUSE_EPOLL", "-D", "HAVE_CONFIG=1", "-DF(x)=x"])
    assert names == {"USE_EPOLL", "HAVE_CONFIG"}
    defined = cinclude.defined_names(pkg, ["poller.c"])
    assert defined == {"HAVE_CONFIG"}
    epoll, config = cinclude.package_includes(pkg, ["poller.c"])
    # On a target whose files do not set -DUSE_EPOLL, it is undefined; HAVE_CONFIG, which a
    # header of the package #defines, stays unknown.
    here = cinclude.target_macros(
        _DARWIN, ["-I/x"], package_flag_names=names, defined_in_files=defined
    )
    assert epoll.active(here) is cpp.Truth.FALSE
    assert config.active(here) is cpp.Truth.UNKNOWN
    assert config.undecided(here) == "only if HAVE_CONFIG is defined"
    there = cinclude.target_macros(
        _LINUX, ["-DUSE_EPOLL"], package_flag_names=names, defined_in_files=defined
    )
    assert epoll.active(there) is cpp.Truth.TRUE


def test_comment_heavy_file_is_read_in_linear_time(tmp_path: Path) -> None:
    # Many comments before a directive that is not an include guard: the idiom check must
    # not backtrack over them (a regular expression did, for minutes, on go-sqlite3's
    # 690 kB sqlite3-binding.h).
    text = "/* c */ // d\n" * 50_000 + "#ifndef A\nint x;\n#endif\n#include <late.h>\n"
    pkg = _write(tmp_path, {"big.c": text})
    (inc,) = cinclude.package_includes(pkg, ["big.c"])
    assert (inc.header, inc.guards) == ("late.h", ())
