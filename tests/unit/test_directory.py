"""The directory scanner: cgo directive helpers (Go's own tables), semantics choice, errors,
and hostile directories. Agreement with the real `go list` is in
tests/integration/test_directory_vs_golist.py."""

from __future__ import annotations

import os
import stat
import time
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cgotrap.evaluate.cgoflags import (
    SplitQuotedError,
    expand_src_dir,
    make_paths_absolute,
    split_quoted,
)
from cgotrap.evaluate.context import ContextSet
from cgotrap.evaluate.directory import (
    MODTIME_CUTOFF_SECONDS,
    DirErrorKind,
    DirListing,
    ImportSemantics,
    evaluate_directory,
    list_directory,
    scan_directory,
)
from cgotrap.gostd import short_path
from cgotrap.read.filename import FileKind, file_kind
from cgotrap.read.gofile import SourceFile, source_from_bytes

MATRIX = ContextSet.matrix(go_version="go1.27.3")
OLD = 1_600_000_000

# go/build build_test.go: expandSrcDirTests (SRCDIR=/projects/src/add) and TestShellSafety.
EXPAND_SRC_DIR_TESTS = [
    ("-L ${SRCDIR}/libs -ladd", "-L /projects/src/add/libs -ladd"),
    (
        "${SRCDIR}/add_linux_386.a -pthread -lstdc++",
        "/projects/src/add/add_linux_386.a -pthread -lstdc++",
    ),
    ("Nothing to expand here!", "Nothing to expand here!"),
    ("$", "$"),
    ("$$", "$$"),
    ("${", "${"),
    ("$}", "$}"),
    ("$FOO ${BAR}", "$FOO ${BAR}"),
    ("Find me the $SRCDIRECTORY.", "Find me the $SRCDIRECTORY."),
    ("$SRCDIR is missing braces", "$SRCDIR is missing braces"),
]


@pytest.mark.parametrize(("text", "want"), EXPAND_SRC_DIR_TESTS)
def test_expand_src_dir(text: str, want: str) -> None:
    assert expand_src_dir(text, "/projects/src/add")[0] == want


SHELL_SAFETY_TESTS = [
    (
        "-I${SRCDIR}/../include",
        "/projects/src/issue 11868",
        "-I/projects/src/issue 11868/../include",
        True,
    ),
    ("-I${SRCDIR}", "~wtf$@%^", "-I~wtf$@%^", True),
    (
        "-X${SRCDIR}/1,${SRCDIR}/2",
        "/projects/src/issue 11868",
        "-X/projects/src/issue 11868/1,/projects/src/issue 11868/2",
        True,
    ),
    ("-I/tmp -I/tmp", "/tmp2", "-I/tmp -I/tmp", True),
    ("-I/tmp", "/tmp/[0]", "-I/tmp", True),
    ("-I${SRCDIR}/dir", "/tmp/[0]", "-I/tmp/[0]/dir", False),
    ("-I${SRCDIR}/dir", "/tmp/go go", "-I/tmp/go go/dir", True),
    ("-I${SRCDIR}/dir dir", "/tmp/go", "-I/tmp/go/dir dir", True),
]


@pytest.mark.parametrize(("text", "srcdir", "want", "ok"), SHELL_SAFETY_TESTS)
def test_shell_safety(text: str, srcdir: str, want: str, ok: bool) -> None:
    assert expand_src_dir(text, srcdir) == (want, ok)


@pytest.mark.parametrize(
    ("text", "want"),
    [
        # go/build's splitQuoted doc example.
        ('a b:"c d" \'e\'\'f\'  "g\\""', ["a", "b:c d", "ef", 'g"']),
        ("", []),
        ("   ", []),
        ("''", [""]),
        ("a\\ b", ["a b"]),
        ("a\u3000b", ["a", "b"]),
        ("a\x1cb", ["a\x1cb"]),  # not a space for Go's unicode.IsSpace
    ],
)
def test_split_quoted(text: str, want: list[str]) -> None:
    assert split_quoted(text) == want


@pytest.mark.parametrize(
    ("text", "err"), [("'a", "unclosed quote"), ("a\\", "unfinished escaping")]
)
def test_split_quoted_errors(text: str, err: str) -> None:
    with pytest.raises(SplitQuotedError, match=err):
        split_quoted(text)


def test_make_paths_absolute() -> None:
    args = ["-I", "inc", "-Lrel/../lib", "-I/abs", "-Dx", "-L", "/abs2"]
    make_paths_absolute(args, "/src/p")
    assert args == ["-I", "/src/p/inc", "-L/src/p/lib", "-I/abs", "-Dx", "-L", "/abs2"]


def _write(root: Path, files: dict[str, str], *, old: bool = True) -> None:
    for name, text in files.items():
        path = root / name
        path.write_text(text)
        if old:
            os.utime(path, (OLD, OLD))


def test_one_result_per_context_and_sharing(tmp_path: Path) -> None:
    _write(
        tmp_path,
        {"a.go": "package a\n", "a_windows.go": "package a\n", "c.go": 'package a\nimport "C"\n'},
    )
    facts = scan_directory(tmp_path, MATRIX)
    assert len(facts) == len(MATRIX) == 94
    # windows × cgo, non-windows × cgo: four distinct results, shared between contexts.
    assert len({id(f) for f in facts}) == 4
    for ctx, f in zip(MATRIX.contexts, facts, strict=True):
        assert ("a_windows.go" in f.go_files) is (ctx.goos == "windows")
        assert f.cgo_files == (("c.go",) if ctx.cgo_enabled else ())
        assert f.imports == (("C",) if ctx.cgo_enabled else ())


def test_cgo_enabled_alone_splits_no_context_class(tmp_path: Path) -> None:
    # No file imports "C": CGO_ENABLED changes nothing but through the `cgo` tag, so a
    # context with it and one without read the same package: one import, one object.
    _write(
        tmp_path,
        {"a.go": "package a\n", "a_windows.go": "package a\n", "b.c": "int b;\n"},
    )
    facts = scan_directory(tmp_path, MATRIX)
    assert len({id(f) for f in facts}) == 2  # windows or not
    assert len(set(facts)) == 2
    # ... and the `cgo` tag still splits where a constraint names it.
    _write(tmp_path, {"t.go": "//go:build cgo\n\npackage a\n"})
    facts = scan_directory(tmp_path, MATRIX)
    assert len({id(f) for f in facts}) == 4
    for ctx, f in zip(MATRIX.contexts, facts, strict=True):
        assert ("t.go" in f.go_files) is ctx.cgo_enabled
        assert f.c_files == ("b.c",)


def test_semantics_choice(tmp_path: Path) -> None:
    (tmp_path / "old").mkdir()
    _write(tmp_path / "old", {"a.go": "package a\n"})
    assert list_directory(str(tmp_path / "old")).indexable
    (tmp_path / "fresh").mkdir()
    _write(tmp_path / "fresh", {"a.go": "package a\n"}, old=False)
    assert not list_directory(str(tmp_path / "fresh")).indexable
    assert list_directory(str(tmp_path / "fresh"), now=time.time() + 10).indexable
    (tmp_path / "old" / "link.h").symlink_to("a.go")
    assert not list_directory(str(tmp_path / "old")).indexable


def test_bad_go_build_line_per_semantics(tmp_path: Path) -> None:
    _write(tmp_path, {"a.go": "//go:build linux &&\n\npackage a\n", "b.go": "package a\n"})
    for semantics, go_files, invalid in (
        (ImportSemantics.MODINDEX, (), ()),
        (ImportSemantics.GOBUILD, ("b.go",), ("a.go",)),
    ):
        facts = scan_directory(tmp_path, MATRIX, semantics=semantics)[0]
        assert facts.error is not None
        assert facts.error.kind is DirErrorKind.CONSTRAINT
        assert facts.error.err == "a.go: parsing //go:build line: unexpected end of expression"
        assert (facts.go_files, facts.invalid_go_files) == (go_files, invalid)


def test_no_go_error_wording(tmp_path: Path) -> None:
    err = scan_directory(tmp_path, MATRIX)[0].error
    assert err is not None
    assert err.err == f"no Go files in {tmp_path}"
    _write(tmp_path, {"a_test.go": "package a\n"})
    # Only tests: go/build has no NoGoError (the package has test files).
    assert scan_directory(tmp_path, MATRIX)[0].error is None
    _write(tmp_path, {"b.go": "//go:build ignore\n\npackage a\n"})
    assert scan_directory(tmp_path, MATRIX)[0].error is None
    (tmp_path / "a_test.go").unlink()
    err = scan_directory(tmp_path, MATRIX)[0].error
    assert err is not None
    assert err.err == f"build constraints exclude all Go files in {tmp_path}"


def test_missing_directory_is_a_clean_error(tmp_path: Path) -> None:
    facts = scan_directory(tmp_path / "nope", MATRIX)
    assert facts[0].error is not None
    assert facts[0].error.kind is DirErrorKind.DIRECTORY


def test_parse_error_position(tmp_path: Path) -> None:
    _write(tmp_path, {"a.go": "package a\nimport (\n\t#\n)\n"})
    err = scan_directory(tmp_path, MATRIX)[0].error
    assert err is not None
    assert err.kind is DirErrorKind.PARSE
    assert err.err == "illegal character U+0023 '#'"
    assert err.golist_pos(str(tmp_path)) == "a.go:3:2"
    assert short_path("/x/y/z.go", "/x") == "y/z.go"
    assert short_path("/x/y/z.go", "/q/r/s/t") == "/x/y/z.go"


def test_evaluate_from_memory() -> None:
    files = [
        source_from_bytes(
            b'package p\n// #cgo linux LDFLAGS: -lfoo\nimport "C"\n', "a.go", FileKind.GO, "/d"
        ),
        source_from_bytes(b"int x;\n", "b_darwin.c", FileKind.C, "/d"),
    ]
    facts = evaluate_directory("/d", files, MATRIX)
    by_name = {ctx.name: f for ctx, f in zip(MATRIX.contexts, facts, strict=True)}
    assert by_name["linux/amd64 cgo=1"].cgo_ldflags == ("-lfoo",)
    assert by_name["android/arm64 cgo=1"].cgo_ldflags == ("-lfoo",)  # linux holds on android
    assert by_name["darwin/arm64 cgo=1"].c_files == ("b_darwin.c",)
    # saveCgo runs before the cgo check: flags are recorded even with cgo off.
    assert by_name["linux/amd64 cgo=0"].cgo_ldflags == ("-lfoo",)
    assert by_name["linux/amd64 cgo=0"].ignored_go_files == ("a.go",)


_NAMES = st.sampled_from(
    [
        "a.go",
        "b_linux.go",
        "c_windows_arm64.go",
        "d_test.go",
        "e.c",
        "f.S",
        "g.syso",
        "_h.go",
        ".i.go",
        "j.txt",
        "k_js.s",
        "l.go",
        "m_test.go",
        "n.h",
        "o_darwin.m",
    ]
)
_CONTENT = st.lists(
    st.sampled_from(
        [
            "package a\n",
            "package b\n",
            "package a_test\n",
            "//go:build linux\n\n",
            "// +build !cgo\n\n",
            "//go:build (\n",
            'import "C"\n',
            "// #cgo LDFLAGS: -lx\n",
            "// #cgo windows CFLAGS: '-DX\n",
            'import "os"\n',
            "\x00",
            "\xff",
            "package documentation\n",
            "//go:build linux\n//go:build amd64\n",
            'import "a b"\n',
            "func F() {}\n",
        ]
    ),
    max_size=6,
)


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(st.dictionaries(_NAMES, _CONTENT, max_size=8))
def test_hostile_directories_never_raise(tmp_path: Path, files: dict[str, list[str]]) -> None:
    root = tmp_path / f"d{abs(hash(tuple(sorted(files)))) % 10**9}_{time.monotonic_ns()}"
    root.mkdir()
    for name, parts in files.items():
        (root / name).write_bytes(
            "".join(parts).encode("utf-8", "surrogateescape").replace(b"\xc3\xbf", b"\xff")
        )
    for semantics in (ImportSemantics.MODINDEX, ImportSemantics.GOBUILD):
        facts = scan_directory(root, MATRIX, semantics=semantics)
        assert len(facts) == 94
        for f in facts:
            listed = set(
                f.go_files + f.cgo_files + f.ignored_go_files + f.test_go_files + f.xtest_go_files
            )
            assert listed <= set(files)


def test_named_pipes_are_never_opened(tmp_path: Path) -> None:
    # go would block opening a FIFO named like a source; cgotrap records an error instead.
    _write(tmp_path, {"a.go": "package a\n"})
    os.mkfifo(tmp_path / "b.go")
    (tmp_path / "c.go").symlink_to("b.go")
    start = time.monotonic()
    facts = scan_directory(tmp_path, MATRIX)[0]
    assert time.monotonic() - start < 5
    assert facts.go_files == ("a.go",)
    assert facts.invalid_go_files == ("b.go", "c.go")
    assert facts.error is not None
    assert facts.error.err == f"open {tmp_path}/b.go: not a regular file, not read by cgotrap"
    (tmp_path / "d.go").symlink_to("/dev/zero")
    assert "d.go" in scan_directory(tmp_path, MATRIX)[0].invalid_go_files


def test_entries_listed_for_the_cache_give_the_same_listing_states_and_scan(
    tmp_path: Path,
) -> None:
    # The loader lists a directory once (`dirscans.dir_states_and_entries`) and the scan reuses
    # those entries and their cached stats: what it sees must be what its own listing sees.
    from cgotrap import dirscans

    _write(
        tmp_path,
        {
            "a.go": "package a\n",
            "a_linux.go": '//go:build cgo\n\npackage a\n\nimport "C"\n',
            "b.c": "int x;\n",
            "_hidden.go": "package a\n",
            "README": "text\n",
        },
    )
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub.go").mkdir()
    (tmp_path / "link.go").symlink_to("a.go")
    (tmp_path / "dirlink.go").symlink_to("sub")
    (tmp_path / "broken.go").symlink_to("nowhere")
    os.mkfifo(tmp_path / "pipe.go")
    for path in tmp_path.iterdir():
        if not path.is_symlink():
            os.utime(path, (OLD, OLD))
    directory = str(tmp_path)
    dstate, files, entries = dirscans.dir_states_and_entries(directory)
    assert entries is not None
    assert (dstate, files) == dirscans.dir_states(directory)
    assert [name for name, _ in files] == [
        "README", "_hidden.go", "a.go", "a_linux.go", "b.c", "broken.go", "dirlink.go",
        "link.go", "pipe.go",
    ]  # fmt: skip
    assert list_directory(directory, entries=entries) == list_directory(directory)
    assert not list_directory(directory).indexable  # (the symbolic links)
    assert scan_directory(directory, MATRIX, entries=entries) == scan_directory(directory, MATRIX)
    assert dirscans.dir_states_and_entries(str(tmp_path / "missing"))[2] is None
    # Regular files only: indexable from the entries' cached stats, until one is fresh.
    plain = tmp_path / "plain"
    plain.mkdir()
    _write(plain, {"a.go": "package a\n", "b.go": "package a\n"})
    entries = dirscans.dir_states_and_entries(str(plain))[2]
    assert entries is not None
    assert list_directory(str(plain), entries=entries).indexable
    (plain / "b.go").write_text("package a\n")
    entries = dirscans.dir_states_and_entries(str(plain))[2]
    assert entries is not None
    assert not list_directory(str(plain), entries=entries).indexable


@pytest.mark.parametrize(
    "names",
    [
        ["a_linux.go", "b_linux.go", "a_linux.s", "x_linux_amd64_test.go", "y_linux_amd64_test.go"],
        ["x.y_linux.go", "z_linux.go", "x.y_linux.go"],  # (the stem ends at the first dot)
        ["linux.go", "_linux.go", "a__linux.go", "a_linux_.go", "a_linux_test_test.go", "a_"],
        ["a_windows_arm64.go", "b_windows_arm64.go", "c_arm64.go", "d_test.go", "e_unix.go"],
    ],
)
def test_name_rules_kept_by_name_tail_are_the_name_rules(names: list[str]) -> None:
    """`osarch_mask` keeps a mask per name from its first "_" on: each name (in any order,
    with the kept ones) gets the mask of its own `os_arch_tags`."""
    from cgotrap.evaluate.filemasks import osarch_mask
    from cgotrap.read.filename import os_arch_tags

    contexts = ContextSet.matrix(go_version="go1.27.3")
    for name in [*names, *reversed(names)]:
        want = contexts.all_mask
        for tag in os_arch_tags(name):
            want &= contexts.tag_mask(tag)
        assert osarch_mask(name, contexts) == want, name


def test_tag_masks_from_the_contexts_own_tags_are_match_tag() -> None:
    """`ContextSet.tag_mask` reads every tag that holds somewhere off the contexts' tags at
    once: the same masks as asking each context's `match_tag`."""
    from cgotrap.evaluate.context import make_context

    tagged = [
        make_context("linux", "amd64", True, go_version="go1.27.3", build_tags=["cgo", "x"]),
        make_context("windows", "arm64", False, go_version="go1.27.3", build_tags=["boringcrypto"]),
        make_context(
            "ios", "arm64", False, go_version="go1.27.3", build_tags=["goexperiment.boringcrypto"]
        ),
    ]
    for contexts in (MATRIX, ContextSet([*MATRIX.contexts[:6], *tagged])):
        tags = {"cgo", "unix", "gc", "gccgo", "linux", "solaris", "darwin", "boringcrypto", "x"}
        for ctx in contexts.contexts:
            tags.update((ctx.goos, ctx.goarch, *ctx.tool_tags, *ctx.release_tags))
        tags.update(("go1.99", "ignore", "", "amd64.v9", "goexperiment.nope"))
        for tag in sorted(tags):
            want = sum(1 << i for i, ctx in enumerate(contexts.contexts) if ctx.match_tag(tag))
            assert contexts.tag_mask(tag) == want, tag


# Directories of in-memory files: mostly one package without cgo (what `UniformFiles`
# imports by filters), with what sends a directory to the per-file import now and then.
_D_NAMES = [
    "a.go", "b_linux.go", "c_windows_arm64.go", "d_test.go", "e_linux_test.go", "f.c", "g.S",
    "h.s", "i.syso", "j.h", "k_darwin.m", "l.go", "m_test.go", "n.cc", "o_unix.go",
]  # fmt: skip
_D_CONSTRAINTS = [
    "",
    "",
    "//go:build linux\n\n",
    "//go:build cgo\n\n",
    "//go:build !cgo\n\n",
    "//go:build !windows && (amd64 || arm64)\n\n",
    "//go:build ignore\n\n",
    "// +build darwin,!cgo linux\n\n",
]
_D_RARE_CONSTRAINTS = ["//go:build (\n\n", "//go:binary-only-package\n\n"]
_D_PACKAGES = ["a", "a", "a", "a_test", "b", "documentation", "a_test_test"]
_D_IMPORTS = [
    "",
    'import "os"\n',
    'import (\n\t"io"\n\t"os"\n)\n',
    'import "io"\nimport "io"\n',
    'import "C"\n',
    '// #include <stdio.h>\n// #cgo linux LDFLAGS: -lx\n// #cgo CFLAGS: -DX\nimport "C"\n',
    '// #cgo !cgo CFLAGS: -DY\n// #cgo darwin pkg-config: z\nimport (\n\t"C"\n\t"os"\n)\n',
    'import _ "embed"\n\n//go:embed x.txt y\nvar s string\n',
    '// #cgo windows CFLAGS: \'-DX\nimport "C"\n',
]


@st.composite
def _directory(draw: st.DrawFn, *, rare: bool) -> list[SourceFile]:
    from cgotrap.read.filename import file_kind

    names = draw(st.lists(st.sampled_from(_D_NAMES), unique=True, max_size=9))
    if not draw(st.integers(0, 9)):
        names = draw(st.permutations(names))  # (not in ReadDir order: per-file import)
    else:
        names.sort()
    files: list[SourceFile] = []
    constraints = _D_CONSTRAINTS + (_D_RARE_CONSTRAINTS if rare else [])
    for name in names:
        kind = file_kind(name)
        assert kind is not None
        head = draw(st.sampled_from(constraints))
        if kind is FileKind.GO:
            packages = _D_PACKAGES if rare else _D_PACKAGES[:4]
            imports = _D_IMPORTS if rare else _D_IMPORTS[:8]
            text = f"{head}package {draw(st.sampled_from(packages))}\n\n"
            text += draw(st.sampled_from(imports))
        else:
            text = head + "int x;\n"
        files.append(source_from_bytes(text.encode(), name, kind, "/d"))
    return files


_SOME = ContextSet(
    ctx
    for ctx in MATRIX.contexts
    if f"{ctx.goos}/{ctx.goarch}"
    in ("linux/amd64", "linux/arm64", "windows/arm64", "darwin/arm64", "android/arm64", "js/wasm")
)


@settings(max_examples=250, deadline=None)
@given(st.one_of(_directory(rare=False), _directory(rare=True)))
def test_directories_imported_by_filters_read_as_file_by_file(sources: list[SourceFile]) -> None:
    """`UniformFiles`' filters give what the per-file import (`_import_class`) gives."""
    from cgotrap.evaluate.directory import _evaluate

    for semantics in (ImportSemantics.MODINDEX, ImportSemantics.GOBUILD):
        fast = _evaluate("/d", sources, MATRIX, semantics, uniform=True)
        slow = _evaluate("/d", sources, MATRIX, semantics, uniform=False)
        assert fast == slow


@settings(max_examples=120, deadline=None)
@given(st.one_of(_directory(rare=False), _directory(rare=True)))
def test_contexts_read_together_read_as_each_alone(sources: list[SourceFile]) -> None:
    """The classes (contexts no file tells apart, CGO_ENABLED only where a file that
    imports "C" builds, a #cgo line's condition only where its file builds) lose nothing:
    each context's facts are those of its import on its own."""
    for semantics in (ImportSemantics.MODINDEX, ImportSemantics.GOBUILD):
        together = evaluate_directory("/d", sources, _SOME, semantics=semantics)
        for ctx, facts in zip(_SOME.contexts, together, strict=True):
            alone = evaluate_directory("/d", sources, ContextSet([ctx]), semantics=semantics)
            assert alone == (facts,), ctx.name


def test_common_directories_are_imported_by_filters_and_share_facts() -> None:
    from cgotrap.evaluate.filemasks import UniformFiles

    def sources(files: dict[str, str]) -> list[SourceFile]:
        from cgotrap.read.filename import file_kind

        out = []
        for name, text in sorted(files.items()):
            kind = file_kind(name)
            assert kind is not None
            out.append(source_from_bytes(text.encode(), name, kind, "/d"))
        return out

    common = sources(
        {
            "a.go": 'package a\n\nimport "os"\n',
            "a_linux.go": "package a\n",
            "a_test.go": 'package a_test\n\nimport "a"\n',
            "b.s": "//go:build amd64\n\nTEXT x(SB)\n",
            "c.S": "TEXT y(SB)\n",
            "z.go": '//go:build ignore\n\npackage main\n\nimport "C"\n',
        }
    )
    assert UniformFiles.of(common, "/d", MATRIX) is not None
    facts = evaluate_directory("/d", common, MATRIX)
    # linux or not, amd64 or not: the cgo file builds nowhere, so CGO_ENABLED splits nothing.
    assert len({id(f) for f in facts}) == 4
    by_name = {ctx.name: f for ctx, f in zip(MATRIX.contexts, facts, strict=True)}
    linux = by_name["linux/amd64 cgo=1"]
    assert by_name["linux/amd64 cgo=0"] is linux
    assert linux.go_files == ("a.go", "a_linux.go")
    assert linux.xtest_go_files == ("a_test.go",)
    assert linux.s_files == ("b.s",)
    assert linux.ignored_other_files == ("c.S",)
    assert linux.ignored_go_files == ("z.go",)
    assert linux.imports == ("os",)
    assert linux.xtest_imports == ("a",)
    # a file that imports "C" where it builds: CGO_ENABLED splits there only.
    cgo = sources({"a.go": "package a\n", "c_linux.go": 'package a\n\nimport "C"\n'})
    assert UniformFiles.of(cgo, "/d", MATRIX) is not None
    facts = evaluate_directory("/d", cgo, MATRIX)
    assert len({id(f) for f in facts}) == 3
    by_name = {ctx.name: f for ctx, f in zip(MATRIX.contexts, facts, strict=True)}
    assert by_name["windows/amd64 cgo=0"] is by_name["windows/amd64 cgo=1"]
    assert by_name["linux/amd64 cgo=1"].cgo_files == ("c_linux.go",)
    assert by_name["linux/amd64 cgo=0"].ignored_go_files == ("c_linux.go",)


def _list_directory_port(directory: str, now: float) -> DirListing:
    """go/build's ReadDir loop as `list_directory` had it, one check after the other (the
    reference of its shorter way for regular files and of its sort)."""
    cutoff = now - MODTIME_CUTOFF_SECONDS
    sources: list[tuple[str, FileKind]] = []
    indexable = True
    with os.scandir(directory) as it:
        entries = sorted(it, key=lambda e: e.name.encode("utf-8", "surrogateescape"))
    pipes: set[str] = set()
    for entry in entries:
        name = entry.name
        try:
            if entry.is_dir(follow_symlinks=False):
                continue
            if entry.is_symlink():
                indexable = False
                if entry.is_dir(follow_symlinks=True):
                    continue
            elif indexable or not entry.is_file(follow_symlinks=False):
                st = entry.stat(follow_symlinks=False)
                if not stat.S_ISREG(st.st_mode) or st.st_mtime > cutoff:
                    indexable = False
            if not entry.is_file(follow_symlinks=True) and not stat.S_ISREG(
                entry.stat(follow_symlinks=True).st_mode
            ):
                pipes.add(name)
        except OSError:
            indexable = False
        kind = file_kind(name)
        if not name.startswith(("_", ".")) and kind is not None:
            sources.append((name, kind))
    return DirListing(sources=tuple(sources), indexable=indexable, pipes=frozenset(pipes))


@pytest.mark.parametrize("extra", ["", "link", "pipe", "fresh", "dir"])
def test_list_directory_is_the_read_dir_loop(tmp_path: Path, extra: str) -> None:
    """Names sort bytewise (a raw byte 0x80 before "é", not its surrogate after), and every kind of
    entry counts as go's loop counts it, whichever comes first."""
    names = ["b.go", "a.go", "_h.go", ".x.s", "c.S", "d.txt", "é.go", "z_test.go", "Z.go"]
    _write(tmp_path, dict.fromkeys(names, "package a\n"))
    raw = os.fsencode(str(tmp_path)) + b"/\x80.go"
    with open(raw, "wb") as f:  # noqa: PTH123 - a name that is not UTF-8: bytes
        f.write(b"package a\n")
    match extra:
        case "link":
            (tmp_path / "0link.go").symlink_to("a.go")
            (tmp_path / "1dirlink.go").symlink_to(tmp_path)
        case "pipe":
            os.mkfifo(tmp_path / "p.go")
        case "dir":
            (tmp_path / "sub.go").mkdir()
            os.utime(tmp_path / "sub.go", (OLD, OLD))
    for path in tmp_path.iterdir():
        if extra != "fresh" and not path.is_symlink():
            os.utime(path, (OLD, OLD))
    from cgotrap import dirscans

    directory = str(tmp_path)
    now = time.time()
    got = list_directory(directory, now=now)
    assert got == _list_directory_port(directory, now)
    entries = dirscans.dir_states_and_entries(directory)[2]
    assert list_directory(directory, now=now, entries=entries) == got
    assert [n for n, _ in got.sources][-3:] == ["z_test.go", os.fsdecode(b"\x80.go"), "é.go"]
    assert got.indexable == (extra in ("", "dir"))


def _every_position(files: list[SourceFile]) -> dict[str, list[object]]:
    """go/build's ImportPos: every position of each import path, in file order (what
    `import_table` kept before it kept only the first)."""
    table: dict[str, list[object]] = {}
    for src in files:
        for imp in src.imports:
            table.setdefault(imp.path, []).append(imp.pos)
    return table


@settings(max_examples=200, deadline=None)
@given(st.one_of(_directory(rare=False), _directory(rare=True)))
def test_an_import_table_keeps_the_first_position_of_each_path(
    sources: list[SourceFile],
) -> None:
    """Of go/build's ImportPos only the first position of each path is kept (the one go
    reports an import's error at, `rules.import_position`): the import table's paths are
    ImportPos' keys, sorted, each with the first of its positions."""
    from cgotrap.evaluate.filemasks import import_table

    go = [src for src in sources if src.name.endswith(".go")]
    every = _every_position(go)
    paths, table = import_table(go)
    assert paths == tuple(sorted(every))
    assert table == tuple((path, (every[path][0],)) for path in sorted(every))


def test_an_import_table_keeps_the_first_of_several_positions() -> None:
    from cgotrap.evaluate.filemasks import import_table

    files = [
        source_from_bytes(b'package a\n\nimport "io"\nimport "io"\n', "a.go", FileKind.GO, "/d"),
        source_from_bytes(b'package a\n\nimport (\n\t"os"\n\t"io"\n)\n', "b.go", FileKind.GO, "/d"),
    ]
    paths, table = import_table(files)
    assert paths == ("io", "os")
    assert [(p, [str(pos) for pos in ps]) for p, ps in table] == [
        ("io", ["/d/a.go:3:8"]),
        ("os", ["/d/b.go:4:2"]),
    ]
