"""The zig cc wrapper: target table, flag rewriting, and the wrapper program itself."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from cgotrap.crossbuild import zigcc
from cgotrap.errors import DataError
from cgotrap.targets import Libc, Target


def _t(goos: str, goarch: str, libc: Libc | None = None, pin: str | None = None) -> Target:
    return Target(goos=goos, goarch=goarch, cgo=True, libc=libc, glibc_version=pin)


@pytest.mark.parametrize(
    ("target", "glibc", "triple"),
    [
        (_t("linux", "amd64"), None, "x86_64-linux-gnu"),
        (_t("linux", "amd64", Libc.GNU, "2.17"), None, "x86_64-linux-gnu.2.17"),
        (_t("linux", "arm64"), "2.28", "aarch64-linux-gnu.2.28"),
        (_t("linux", "arm64", Libc.MUSL), "2.28", "aarch64-linux-musl"),
        (_t("linux", "arm"), None, "arm-linux-gnueabihf"),
        (_t("windows", "amd64"), None, "x86_64-windows-gnu"),
        (_t("darwin", "arm64"), None, "aarch64-macos"),
        (_t("freebsd", "amd64"), None, "x86_64-freebsd"),
        (_t("openbsd", "arm64"), None, "aarch64-openbsd"),
    ],
)
def test_triples(target: Target, glibc: str | None, triple: str) -> None:
    assert zigcc.triple_for(target, glibc) == (triple, "")


@pytest.mark.parametrize(
    ("target", "why"),
    [
        (_t("android", "arm64"), "bionic"),
        (_t("linux", "ppc64"), "powerpc64-linux-gnu"),
        (_t("illumos", "amd64"), "x86_64-illumos-none"),
        (_t("js", "wasm"), "Go has no cgo on js/wasm"),
    ],
)
def test_targets_zig_cannot_build_say_why(target: Target, why: str) -> None:
    triple, reason = zigcc.triple_for(target)
    assert triple is None
    assert why in reason


def test_every_cgo_port_has_an_entry() -> None:
    from cgotrap.targets import port_table

    table = zigcc.zig_table()
    for port in port_table().ports:
        if not port.cgo_supported:
            continue
        libcs = (Libc.GNU, Libc.MUSL) if port.goos == "linux" else (None,)
        for libc in libcs:
            assert table.lookup(port.goos, port.goarch, libc) is not None, port.name


@pytest.mark.parametrize(
    "bad",
    [
        {},
        {"version": 2, "targets": [], "qemu_user": {}},
        {"version": 1, "targets": [], "qemu_user": {}},
        {"version": 1, "targets": [{"GOOS": "plan10", "GOARCH": "amd64"}], "qemu_user": {}},
        {
            "version": 1,
            "targets": [{"GOOS": "linux", "GOARCH": "amd64", "libc": "uclibc", "triple": "x"}],
            "qemu_user": {},
        },
        {
            "version": 1,
            "targets": [{"GOOS": "darwin", "GOARCH": "arm64", "libc": None, "triple": None}],
            "qemu_user": {},
        },
        {
            "version": 1,
            "targets": [{"GOOS": "darwin", "GOARCH": "arm64", "libc": None, "triple": "a-b"}],
            "qemu_user": {"arm64": 7},
        },
    ],
)
def test_bad_table_is_a_data_error(bad: object) -> None:
    with pytest.raises(DataError):
        zigcc.parse_zig_table(bad)


def test_macos_min_goes_into_darwin_triples_only() -> None:
    assert zigcc.triple_for(_t("darwin", "arm64"), None, "11.0") == ("aarch64-macos.11.0", "")
    assert zigcc.triple_for(_t("darwin", "amd64"), "2.17", "12.3") == ("x86_64-macos.12.3", "")
    assert zigcc.triple_for(_t("linux", "amd64"), None, "11.0") == ("x86_64-linux-gnu", "")
    assert zigcc.triple_for(_t("freebsd", "amd64"), None, "11.0") == ("x86_64-freebsd", "")


def test_zig_defaults_are_recorded() -> None:
    table = zigcc.zig_table()
    # Probed by scripts/gen_zig_targets.py (test_zig_targets_data_is_current re-probes).
    assert table.default_glibc.startswith("2.")
    assert table.default_glibc != "2.17"
    assert table.default_macos.count(".") == 1


def test_a_versioned_darwin_triple_is_still_darwin() -> None:
    assert zigcc.rewrite_args(["-o", "a.out", "-lresolv"], "aarch64-macos.11.0") == [
        "-o",
        "a.out",
    ]


def test_rewrite_drops_what_zig_rejects_only_where_needed() -> None:
    go_darwin = ["-arch", "arm64", "-o", "a.out", "x.o", "-lresolv", "-framework", "Security"]
    assert zigcc.rewrite_args(go_darwin, "aarch64-macos") == [
        "-arch",
        "arm64",
        "-o",
        "a.out",
        "x.o",
        "-framework",
        "Security",
    ]
    go_openbsd = ["-m64", "-pthread", "-Wl,-nopie", "-o", "a.out", "-no-pie"]
    assert zigcc.rewrite_args(go_openbsd, "x86_64-openbsd") == [
        "-m64",
        "-pthread",
        "-fno-PIE",
        "-o",
        "a.out",
        "-no-pie",
    ]
    # Elsewhere the same flags pass untouched: -lresolv is real on Linux.
    linux = ["-lresolv", "-Wl,-nopie"]
    assert zigcc.rewrite_args(linux, "x86_64-linux-gnu") == linux


def test_print_prog_name_answers_apple_tools_only() -> None:
    assert zigcc.prog_name_reply(["-arch", "arm64", "--print-prog-name", "dsymutil"])
    assert zigcc.prog_name_reply(["--print-prog-name=strip"])
    assert zigcc.prog_name_reply(["--print-prog-name", "ld"]) is None
    assert zigcc.prog_name_reply(["-c", "x.c"]) is None


def _go_split(value: str) -> list[str]:
    """cmd/internal/quoted.Split: whitespace-separated, '...' or "..." quote, no escapes."""
    out: list[str] = []
    i = 0
    while i < len(value):
        if value[i].isspace():
            i += 1
            continue
        if value[i] in "'\"":
            end = value.index(value[i], i + 1)
            out.append(value[i + 1 : end])
            i = end + 1
            continue
        end = i
        while end < len(value) and not value[end].isspace():
            end += 1
        out.append(value[i:end])
        i = end
    return out


def test_cc_command_survives_go_splitting_with_spaces() -> None:
    cc = zigcc.cc_command("/opt/my zig/zig", "x86_64-linux-musl", python="/usr/bin/python3")
    fields = _go_split(cc)
    assert fields[:3] == ["/usr/bin/python3", "-S", "-I"]
    assert Path(fields[3]).name == "ccwrap.py"
    assert Path(fields[3]).is_file()
    assert fields[4:] == ["/opt/my zig/zig", "cc", "x86_64-linux-musl"]
    cxx = zigcc.cc_command("/z/zig", "aarch64-macos", cxx=True, python="/p/py")
    assert _go_split(cxx)[-2:] == ["c++", "aarch64-macos"]


def test_cc_command_runs_the_wrapper_without_the_package(tmp_path: Path) -> None:
    """Go runs CC by splitting it into fields: the result must work with no cgotrap import."""
    fake = _fake_zig(tmp_path)
    fields = _go_split(zigcc.cc_command(str(fake), "x86_64-openbsd"))
    done = subprocess.run(
        [*fields, "-Wl,-nopie", "-c", "x.c"], capture_output=True, text=True, check=False
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines() == ["cc", "-target", "x86_64-openbsd", "-fno-PIE", "-c", "x.c"]


def _fake_zig(tmp_path: Path) -> Path:
    fake = tmp_path / "zig"
    fake.write_text('#!/bin/sh\nfor a in "$@"; do echo "$a"; done\n', encoding="utf-8")
    fake.chmod(fake.stat().st_mode | stat.S_IXUSR)
    return fake


def _wrapper(*args: str) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ)
    return subprocess.run(
        [sys.executable, "-m", "cgotrap.crossbuild.zigcc", *args],
        capture_output=True,
        text=True,
        check=False,
        env=env,
    )


def test_wrapper_program_execs_zig_with_target_and_filtered_args(tmp_path: Path) -> None:
    fake = _fake_zig(tmp_path)
    done = _wrapper(str(fake), "cc", "x86_64-openbsd", "-Wl,-nopie", "-c", "a b.c")
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines() == [
        "cc",
        "-target",
        "x86_64-openbsd",
        "-fno-PIE",
        "-c",
        "a b.c",
    ]
    done = _wrapper(str(fake), "c++", "aarch64-macos", "-lresolv", "-o", "x")
    assert done.stdout.splitlines() == ["c++", "-target", "aarch64-macos", "-o", "x"]


def test_wrapper_answers_print_prog_name_without_running_zig(tmp_path: Path) -> None:
    missing = tmp_path / "no-zig-here"
    done = _wrapper(str(missing), "cc", "aarch64-macos", "--print-prog-name", "dsymutil")
    assert done.returncode == 0
    tool = done.stdout.strip()
    assert Path(tool).name == "true"
    assert subprocess.run([tool, "-f", "x", "-o", "y"], check=False).returncode == 0


def test_wrapper_usage_error() -> None:
    done = _wrapper("zig", "cpp", "x86_64-linux-gnu")
    assert done.returncode == 2
    assert "usage" in done.stderr


def test_mips_drops_hard_float_and_strips_debug_only_when_linking() -> None:
    compile_args = ["-mabi=32", "-march=mips32", "-mhard-float", "-g", "-c", "x.c", "-o", "x.o"]
    assert zigcc.rewrite_args(compile_args, "mips-linux-gnueabihf") == [
        "-mabi=32",
        "-march=mips32",
        "-g",
        "-c",
        "x.c",
        "-o",
        "x.o",
    ]
    link = ["-mabi=64", "-o", "a.out", "go.o", "-mhard-float"]
    assert zigcc.rewrite_args(link, "mips64el-linux-gnuabi64") == [
        "-mabi=64",
        "-o",
        "a.out",
        "go.o",
        "-Wl,--strip-debug",
    ]
    # Other architectures keep their debug info and flags.
    assert zigcc.rewrite_args(link, "aarch64-linux-gnu") == link


def test_openbsd_arm64_no_execute_only_is_dropped() -> None:
    args = ["-Wl,-z,nobtcfi", "-Wl,--no-execute-only", "-o", "a.out"]
    assert zigcc.rewrite_args(args, "aarch64-openbsd") == ["-Wl,-z,nobtcfi", "-o", "a.out"]
    assert zigcc.rewrite_args(args, "aarch64-linux-gnu") == args


def test_mips64_musl_says_pic() -> None:
    args = ["-mabi=64", "-Werror", "-c", "gcc_linux.c"]
    assert zigcc.rewrite_args(args, "mips64el-linux-muslabi64") == [*args, "-fPIC"]
    assert zigcc.rewrite_args(args, "mips64el-linux-gnuabi64") == args
