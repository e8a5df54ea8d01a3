"""go/build's file-name rules and matchTag, with Go's own test tables.

GOOD_FILE_TESTS is go/build/syslist_test.go with thisOS/thisArch = linux/amd64 and
otherOS/otherArch = darwin/386; MATCH_FILE_TESTS is build_test.go's matchFileTests.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from cgotrap.errors import UsageError
from cgotrap.evaluate.context import (
    BuildContext,
    ContextSet,
    apply_goexperiment,
    arch_level_tags,
    make_context,
    release_tags,
)
from cgotrap.evaluate.directory import ImportSemantics, scan_directory
from cgotrap.read.filename import FileKind, file_kind, is_hidden, name_ext, os_arch_tags

LINUX_AMD64 = make_context("linux", "amd64", True, go_version="go1.27.3")

GOOD_FILE_TESTS = [
    ("file.go", True),
    ("file.c", True),
    ("file_foo.go", True),
    ("file_amd64.go", True),
    ("file_386.go", False),
    ("file_linux.go", True),
    ("file_darwin.go", False),
    ("file_linux_amd64.go", True),
    ("file_darwin_amd64.go", False),
    ("file_linux_386.go", False),
    ("file_darwin_386.go", False),
    ("file_foo_amd64.go", True),
    ("file_foo_386.go", False),
    ("file_linux.c", True),
    ("file_darwin.c", False),
]


def _name_ok(ctx: BuildContext, name: str) -> bool:
    return all(ctx.match_tag(tag) for tag in os_arch_tags(name))


@pytest.mark.parametrize(("name", "ok"), GOOD_FILE_TESTS)
def test_good_os_arch_file(name: str, ok: bool) -> None:
    assert _name_ok(LINUX_AMD64, name) is ok


def test_good_os_arch_file_uses_match_tag() -> None:
    # TestGoodOSArchFile: a user tag "linux" makes _linux files build on darwin.
    ctx = BuildContext(goos="darwin", goarch="amd64", cgo_enabled=False, build_tags=("linux",))
    assert _name_ok(ctx, "hello_linux.go")


@pytest.mark.parametrize(
    ("name", "tags"),
    [
        ("x_linux_arm64_test.go", ("arm64", "linux")),
        ("x_windows.go", ("windows",)),
        ("linux.go", ()),
        ("x_test.go", ()),
        ("x_linux.pb.go", ("linux",)),  # everything after the first dot is ignored
        ("x_unix.go", ()),  # unix is a tag, not a GOOS
        ("x_arm64_linux.go", ("linux",)),  # GOARCH_GOOS is not a pair: only the last counts
        ("_linux.go", ("linux",)),
    ],
)
def test_os_arch_tags(name: str, tags: tuple[str, ...]) -> None:
    assert os_arch_tags(name) == tags


@pytest.mark.parametrize(
    ("name", "kind"),
    [
        ("a.go", FileKind.GO),
        ("a.c", FileKind.C),
        ("a.cc", FileKind.CXX),
        ("a.cpp", FileKind.CXX),
        ("a.cxx", FileKind.CXX),
        ("a.m", FileKind.M),
        ("a.h", FileKind.H),
        ("a.hh", FileKind.H),
        ("a.hpp", FileKind.H),
        ("a.hxx", FileKind.H),
        ("a.f", FileKind.F),
        ("a.F", FileKind.F),
        ("a.for", FileKind.F),
        ("a.f90", FileKind.F),
        ("a.s", FileKind.S),
        ("a.S", FileKind.S_CPP),
        ("a.sx", FileKind.S_CPP),
        ("a.swig", FileKind.SWIG),
        ("a.swigcxx", FileKind.SWIGCXX),
        ("a.syso", FileKind.SYSO),
        ("a.txt", None),
        ("a.C", None),
        ("Makefile", None),
        ("a.go.orig", None),
    ],
)
def test_file_kind(name: str, kind: FileKind | None) -> None:
    assert file_kind(name) is kind


def test_name_ext_and_hidden() -> None:
    assert name_ext("a.b.c") == ".c"
    assert name_ext("abc") == ""
    assert is_hidden("_x.go")
    assert is_hidden(".x.go")
    assert not is_hidden("x_.go")


P9 = BuildContext(goos="plan9", goarch="arm", cgo_enabled=False)
ANDROID = BuildContext(goos="android", goarch="arm", cgo_enabled=False, unix=True)

MATCH_FILE_TESTS = [
    (P9, "foo_arm.go", "", True),
    (P9, "foo1_arm.go", "// +build linux\n\npackage main\n", False),
    (P9, "foo_darwin.go", "", False),
    (P9, "foo.go", "", True),
    (P9, "foo1.go", "// +build linux\n\npackage main\n", False),
    (P9, "foo.badsuffix", "", False),
    (ANDROID, "foo_linux.go", "", True),
    (ANDROID, "foo_android.go", "", True),
    (ANDROID, "foo_plan9.go", "", False),
    (ANDROID, "android.go", "", True),
    (ANDROID, "plan9.go", "", True),
    (ANDROID, "plan9_test.go", "", True),
    (ANDROID, "arm.s", "", True),
    (ANDROID, "amd64.s", "", True),
]


@pytest.mark.parametrize(("ctx", "name", "data", "match"), MATCH_FILE_TESTS)
def test_match_file(tmp_path: Path, ctx: BuildContext, name: str, data: str, match: bool) -> None:
    (tmp_path / name).write_text(data)
    (facts,) = scan_directory(tmp_path, ContextSet([ctx]), semantics=ImportSemantics.GOBUILD)
    built = (
        facts.go_files
        + facts.cgo_files
        + facts.test_go_files
        + facts.xtest_go_files
        + facts.s_files
    )
    assert (name in built) is match


@pytest.mark.parametrize(
    ("ctx", "tag", "ok"),
    [
        (ANDROID, "linux", True),
        (ANDROID, "android", True),
        (ANDROID, "unix", True),
        (BuildContext(goos="illumos", goarch="amd64", cgo_enabled=False), "solaris", True),
        (BuildContext(goos="solaris", goarch="amd64", cgo_enabled=False), "illumos", False),
        (BuildContext(goos="ios", goarch="arm64", cgo_enabled=False), "darwin", True),
        (BuildContext(goos="darwin", goarch="arm64", cgo_enabled=False), "ios", False),
        (BuildContext(goos="linux", goarch="amd64", cgo_enabled=False), "android", False),
        (P9, "unix", False),
        (P9, "cgo", False),
        (BuildContext(goos="plan9", goarch="arm", cgo_enabled=True), "cgo", True),
        (P9, "gc", True),
        (P9, "gccgo", False),
        (
            BuildContext(
                goos="linux",
                goarch="amd64",
                cgo_enabled=False,
                tool_tags=("goexperiment.boringcrypto",),
            ),
            "boringcrypto",
            True,
        ),
        (LINUX_AMD64, "go1.27", True),
        (LINUX_AMD64, "go1.1", True),
        (LINUX_AMD64, "go1.28", False),
        (LINUX_AMD64, "amd64.v1", True),
        (LINUX_AMD64, "amd64.v2", False),
        (LINUX_AMD64, "goexperiment.regabiargs", True),
    ],
)
def test_match_tag(ctx: BuildContext, tag: str, ok: bool) -> None:
    assert ctx.match_tag(tag) is ok


def test_release_tags() -> None:
    assert release_tags("go1.27.3") == tuple(f"go1.{i}" for i in range(1, 28))
    assert release_tags("go1.21rc2")[-1] == "go1.21"


def test_matrix_masks() -> None:
    cs = ContextSet.matrix(go_version="go1.27.3", build_tags=("mytag",))
    assert len(cs) == 94
    linux = cs.tag_mask("linux")
    android = cs.tag_mask("android")
    assert android & linux == android  # android satisfies "linux"
    assert cs.tag_mask("cgo") == cs.cgo_mask
    assert cs.cgo_mask.bit_count() == 47
    assert cs.tag_mask("mytag") == cs.all_mask
    assert cs.tag_mask("nosuchtag") == 0


@pytest.mark.parametrize(
    ("goarch", "value", "tags"),
    [
        ("amd64", "v3", ("amd64.v1", "amd64.v2", "amd64.v3")),
        ("arm", "6,softfloat", ("arm.5", "arm.6")),
        ("arm64", "v8.2,lse", ("arm64.v8.0", "arm64.v8.1", "arm64.v8.2")),
        ("386", "sse2", ("386.sse2",)),
        ("riscv64", "rva23u64", ("riscv64.rva20u64", "riscv64.rva22u64", "riscv64.rva23u64")),
        ("ppc64", "power9", ("ppc64.power8", "ppc64.power9")),
        ("wasm", "anything", ()),
    ],
)
def test_arch_level_tags(goarch: str, value: str, tags: tuple[str, ...]) -> None:
    assert arch_level_tags(goarch, value) == tags


@pytest.mark.parametrize(("goarch", "value"), [("amd64", "v5"), ("arm", "8"), ("arm64", "v9.7")])
def test_arch_level_rejects_what_go_rejects(goarch: str, value: str) -> None:
    with pytest.raises(UsageError):
        arch_level_tags(goarch, value)


def test_environment_changes_tool_tags() -> None:
    ctx = make_context(
        "linux",
        "amd64",
        True,
        go_version="go1.27.3",
        env={"GOAMD64": "v2", "GOEXPERIMENT": "nojsonv2"},
    )
    assert ctx.match_tag("amd64.v2")
    assert not ctx.match_tag("amd64.v3")
    assert not ctx.match_tag("goexperiment.jsonv2")
    assert ctx.match_tag("goexperiment.regabiargs")  # always on for amd64
    assert apply_goexperiment(("goexperiment.x", "amd64.v1"), "none", "386") == ("amd64.v1",)
