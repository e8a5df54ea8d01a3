"""Classifying real go / cgo / zig / lld output (captured from this machine's builds)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from cgotrap.judge.buildfail import Step, classify, failed_tests, group, libc_name
from cgotrap.judge.finding import Finding
from cgotrap.judge.rules import Severity, all_rules, get
from cgotrap.targets import Libc, Target

LINUX0 = Target(goos="linux", goarch="amd64", cgo=False)
MUSL1 = Target(goos="linux", goarch="amd64", cgo=True, libc=Libc.MUSL)
DARWIN1 = Target(goos="darwin", goarch="arm64", cgo=True)
WIN1 = Target(goos="windows", goarch="amd64", cgo=True)
ARM0 = Target(goos="linux", goarch="arm64", cgo=False)

ZIG_LINK_LINE = (
    "/go/pkg/tool/linux_amd64/link: running /venv/bin/python failed: exit status 1\n"
    "/venv/bin/python -m cgotrap.crossbuild.zigcc /z/zig cc x86_64-linux-musl -m64 -o "
    "$WORK/b001/exe/a.out -rdynamic /tmp/go-link-1/go.o -lpcap\n"
)

# (output, target, expected rule, expected file, expected line, words in the message)
CASES: list[tuple[str, Target, str, str, int | None, list[str]]] = [
    (
        (
            "# example.com/glibcheader/lib\n"
            "lib/lib_glibc.go:6:10: fatal error: 'gnu/libc-version.h' file not found\n"
            "    6 | #include <gnu/libc-version.h>\n"
            "      |          ^~~~~~~~~~~~~~~~~~~~\n1 error generated.\n"
        ),
        MUSL1,
        "CGO100",
        "lib/lib_glibc.go",
        6,
        ["<gnu/libc-version.h>", "musl", "(glibc has it)"],
    ),
    (
        "# example.com/m/lib\nlib/x.go:3:10: fatal error: pcap.h: No such file or directory\n",
        MUSL1,
        "CGO100",
        "lib/x.go",
        3,
        ["<pcap.h>", "no libc ships it"],
    ),
    (
        "# example.com/missinglib\n" + ZIG_LINK_LINE + "error: unable to find dynamic system "
        'library "pcap" using strategy paths_first. searched paths: none\n',
        MUSL1,
        "CGO101",
        "",
        None,
        ["-lpcap"],
    ),
    ("/usr/bin/ld: cannot find -lusb-1.0\n", MUSL1, "CGO101", "", None, ["-lusb-1.0"]),
    (
        (
            "# example.com/pkgconfig/lib\n# [pkg-config --cflags  -- cgotrap-no-such-package]\n"
            "Package cgotrap-no-such-package was not found in the pkg-config search path.\n"
            "Perhaps you should add the directory containing `cgotrap-no-such-package.pc'\n"
        ),
        MUSL1,
        "CGO102",
        "",
        None,
        ["cgotrap-no-such-package"],
    ),
    (
        'pkg-config: exec: "pkg-config": executable file not found in $PATH\n',
        MUSL1,
        "CGO102",
        "",
        None,
        ["apt-get install pkg-config"],
    ),
    (
        "# example.com/undefref\n" + ZIG_LINK_LINE + "ld.lld: error: undefined symbol: "
        "cgotrap_never_defined\n>>> referenced by cgo-gcc-prolog:54\n",
        MUSL1,
        "CGO103",
        "",
        None,
        ["cgotrap_never_defined"],
    ),
    (
        "error: undefined symbol: _cgotrap_never_defined\n",
        DARWIN1,
        "CGO103",
        "",
        None,
        ["C symbol cgotrap_never_defined "],
    ),
    (
        (
            "package example.com/cgoonly\n\timports example.com/cgoonly/lib: build constraints "
            "exclude all Go files in /tmp/x/cgoonly/lib\n"
        ),
        LINUX0,
        "CGO104",
        "/tmp/x/cgoonly/lib",
        None,
        ["example.com/cgoonly/lib", "!cgo"],
    ),
    (
        (
            "package example.com/csource/lib: C source files not allowed when not using cgo or "
            "SWIG: answer.c\n"
        ),
        WIN1,
        "CGO105",
        "answer.c",
        None,
        ["answer.c", "constraint"],
    ),
    (
        "# example.com/asmarch/lib\nlib/lib.go:3:6: missing function body\n",
        ARM0,
        "CGO109",
        "lib/lib.go",
        3,
        ["arm64"],
    ),
    (
        '# example.com/m/lib\nlib/add.s:4: unrecognized instruction "MOVQ"\n',
        ARM0,
        "CGO109",
        "lib/add.s",
        4,
        ["arm64"],
    ),
    (
        "# example.com/zigflag\n" + ZIG_LINK_LINE + "error: unsupported linker arg: "
        "--warn-common\n",
        WIN1,
        "CGO110",
        "",
        None,
        ["--warn-common"],
    ),
    (
        (
            "# example.com/fallback\nlink: ARM64 external linker must be ld.bfd (issue "
            "#35197), please install devel/binutils\n"
        ),
        Target(goos="freebsd", goarch="arm64", cgo=True),
        "CGO110",
        "",
        None,
        ["GNU ld", "issue #35197", "--cc freebsd/arm64="],
    ),
    (
        (
            "example.com/zigflag/lib: invalid flag in #cgo LDFLAGS: -Wl,--bogus (see "
            "https://go.dev/s/invalidflag)\n"
        ),
        MUSL1,
        "CGO114",
        "",
        None,
        ["-Wl,--bogus"],
    ),
    (
        "# example.com/m/lib\nlib/x.go:9:12: error: use of undeclared identifier 'EPOLLIN'\n",
        DARWIN1,
        "CGO116",
        "lib/x.go",
        9,
        ["EPOLLIN"],
    ),
    (
        "# example.com/m/lib\nlib/k.go:5:10: undefined: syscall.Kill\n",
        Target(goos="windows", goarch="amd64", cgo=False),
        "CGO107",
        "lib/k.go",
        5,
        ["syscall.Kill", "windows/amd64"],
    ),
    (
        "# example.com/m/lib\nlib/k.go:5:10: cannot use x (variable of type int) as string\n",
        LINUX0,
        "CGO107",
        "lib/k.go",
        5,
        ["cannot use x"],
    ),
    (
        "lib/lib_darwin.go:7:10: fatal error: 'CoreFoundation/CoreFoundation.h' file not found\n",
        DARWIN1,
        "CGO108",
        "lib/lib_darwin.go",
        7,
        ["CoreFoundation"],
    ),
]


Case = tuple[str, Target, str, str, int | None, list[str]]


@pytest.mark.parametrize("case", CASES, ids=[c[2] for c in CASES])
def test_real_outputs_classify(case: Case) -> None:
    output, target, rule_id, file, line, words = case
    findings = classify(output, target=target, step=Step.BUILD, root=None)
    assert [f.rule_id for f in findings] == [rule_id]
    (found,) = findings
    assert found.file == file
    assert found.line == line
    for word in words:
        assert word in found.message
    assert found.targets == (target,)
    assert found.detail


def test_cgo_only_identifier_needs_the_cgo_file(tmp_path: Path) -> None:
    lib = tmp_path / "lib"
    lib.mkdir()
    (lib / "lib.go").write_text("package lib\n\nfunc Answer() int { return cHelper() }\n")
    (lib / "helper.go").write_text(
        'package lib\n\n// static int a(void) { return 1; }\nimport "C"\n\n'
        "func cHelper() int { return int(C.a()) }\n"
    )
    output = "# example.com/m/lib\nlib/lib.go:3:35: undefined: cHelper\n"
    (found,) = classify(output, target=LINUX0, step=Step.BUILD, root=tmp_path)
    assert found.rule_id == "CGO106"
    assert "lib/helper.go" in found.message
    # The same error with cgo on is not a cgo-only identifier.
    linux1 = Target(goos="linux", goarch="amd64", cgo=True)
    (other,) = classify(output, target=linux1, step=Step.BUILD, root=tmp_path)
    assert other.rule_id == "CGO107"


def test_locates_the_cgo_directive_in_the_project(tmp_path: Path) -> None:
    (tmp_path / "lib").mkdir()
    (tmp_path / "lib" / "a.go").write_text('package lib\n\n// #cgo LDFLAGS: -lpcap\nimport "C"\n')
    (found,) = classify("cannot find -lpcap\n", target=MUSL1, step=Step.BUILD, root=tmp_path)
    assert (found.file, found.line) == ("lib/a.go", 3)


def test_vet_lines_are_vet_reports() -> None:
    output = (
        "# example.com/vetissue/lib\n"
        'lib/lib.go:7:14: fmt.Printf format %d has arg "forty-two" of wrong type string\n'
    )
    (found,) = classify(output, target=LINUX0, step=Step.VET, root=None)
    assert found.rule_id == "CGO115"
    assert get("CGO115").severity is Severity.WARNING


def test_unknown_output_is_kept_whole() -> None:
    output = "something odd happened\nand then more\n\twith detail\n"
    (found,) = classify(output, target=LINUX0, step=Step.BUILD, root=None)
    assert found.rule_id == "CGO199"
    assert found.detail == output
    assert "something odd happened" in found.message


def test_many_errors_are_bounded() -> None:
    output = "".join(f"lib/x.go:{i}:1: undefined: v{i}\n" for i in range(1, 500))
    assert len(classify(output, target=ARM0, step=Step.BUILD, root=None)) == 20


def test_group_merges_identical_findings_across_targets() -> None:
    def f(target: Target, message: str = "m") -> Finding:
        return Finding(rule=get("CGO101"), targets=(target,), step=Step.BUILD, message=message)

    groups = group([f(MUSL1), f(WIN1), f(DARWIN1, "other"), f(MUSL1)])
    assert [(g.message, g.targets) for g in groups] == [
        ("m", (MUSL1, WIN1)),
        ("other", (DARWIN1,)),
    ]


def _event(**fields: object) -> str:
    return json.dumps(fields)


def test_go_test_json_failures_are_test_failures() -> None:
    events = [
        _event(Action="start", Package="example.com/m/lib"),
        _event(Action="run", Package="example.com/m/lib", Test="TestAnswer"),
        _event(
            Action="output",
            Package="example.com/m/lib",
            Test="TestAnswer",
            Output="    lib_test.go:7: Answer() = 41, want 42\n",
        ),
        _event(Action="fail", Package="example.com/m/lib", Test="TestAnswer", Elapsed=0),
        _event(Action="fail", Package="example.com/m/lib", Elapsed=0.003),
    ]
    findings, build_text = failed_tests(events, target=ARM0, root=None)
    assert build_text == ""
    (found,) = findings
    assert found.rule_id == "CGO112"
    assert found.step is Step.TEST
    assert (found.file, found.line) == ("lib_test.go", 7)
    assert found.message == "TestAnswer failed: Answer() = 41, want 42"


def test_go_test_json_build_output_is_returned_for_classification() -> None:
    events = [
        _event(
            ImportPath="example.com/m/lib",
            Action="build-output",
            Output="# example.com/m/lib\n",
        ),
        _event(
            ImportPath="example.com/m/lib",
            Action="build-output",
            Output="lib/lib.go:3:6: missing function body\n",
        ),
        _event(ImportPath="example.com/m/lib", Action="build-fail"),
        "not json at all",
    ]
    findings, build_text = failed_tests(events, target=ARM0, root=None)
    assert findings == []
    assert "missing function body" in build_text
    assert "not json at all" in build_text


def test_libc_names() -> None:
    assert libc_name(MUSL1) == "musl"
    assert libc_name(Target(goos="linux", goarch="amd64", cgo=True)) == "glibc"
    assert libc_name(WIN1) == "mingw-w64"
    assert libc_name(Target(goos="freebsd", goarch="amd64", cgo=True)) == "the freebsd libc"


def test_build_rules_are_documented_and_in_range() -> None:
    build_rules = [r for r in all_rules() if r.id.startswith("CGO1")]
    assert len(build_rules) >= 19
    for rule in build_rules:
        assert 100 <= int(rule.id[3:]) <= 199
        assert "Why" in rule.doc
        assert "fix" in rule.doc.lower()
        assert "Example" in rule.doc
