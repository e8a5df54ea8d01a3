"""Every source rule fires on its trap and stays quiet on the fixed form (hand-built facts)."""

from __future__ import annotations

import dataclasses
from typing import Any

import pytest

from cgotrap.evaluate.model import TargetPackages
from cgotrap.judge import scan as judge
from cgotrap.judge.headers import catalog
from cgotrap.judge.rules import Severity, all_rules
from cgotrap.judge.rules import source as rules
from cgotrap.read import cpp
from cgotrap.targets import Libc
from tests.unit.scan_world import (
    DARWIN0,
    DARWIN1,
    JS0,
    LINUX0,
    LINUX1,
    MODULE,
    WINDOWS1,
    includes,
    listing,
    matrix,
    pkg,
    std,
    target,
)


def _ids(result: judge.ScanResult) -> set[tuple[str, str]]:
    return {(f.rule.id, f.package.removeprefix(f"{MODULE}/")) for f in result.findings}


def _finding(result: judge.ScanResult, rule_id: str) -> judge.Finding:
    found = [f for f in result.findings if f.rule.id == rule_id]
    assert len(found) == 1, [f.message for f in result.findings]
    return found[0]


# --- CGO001 / CGO002 / CGO008: what happens with CGO_ENABLED=0 ------------------------------


def _sqlite(fallback: bool) -> judge.ScanResult:
    with_cgo = pkg(LINUX1, "sqlite", cgo_files=("sqlite.go",), includes=("<stdlib.h>",))
    if fallback:
        without = pkg(
            LINUX0, "sqlite", go_files=("sqlite_nocgo.go",), ignored_go_files=("sqlite.go",)
        )
        with_cgo = pkg(
            LINUX1,
            "sqlite",
            cgo_files=("sqlite.go",),
            ignored_go_files=("sqlite_nocgo.go",),
            includes=("<stdlib.h>",),
        )
    else:
        without = pkg(LINUX0, "sqlite", ignored_go_files=("sqlite.go",), no_go=True)
    return judge.scan(matrix(listing(LINUX1, with_cgo), listing(LINUX0, without)))


def test_cgo001_fires_when_nothing_is_left_without_cgo() -> None:
    result = _sqlite(fallback=False)
    finding = _finding(result, "CGO001")
    assert finding.targets == (LINUX0,)
    assert finding.files == ("sqlite/sqlite.go",)
    assert "build constraints exclude all Go files" in finding.message
    assert finding.severity is Severity.ERROR
    assert ("CGO011", "sqlite") not in _ids(result), "go's own error is explained by CGO001"
    app, package = result.packages
    assert package.on(LINUX0).status is judge.Status.BROKEN
    assert package.on(LINUX1).status is judge.Status.CGO
    assert package.on(LINUX0).verdict is judge.Verdict.BREAKS
    assert package.on(LINUX1).verdict is judge.Verdict.CGO
    # The command importing it breaks too, and says why.
    assert app.import_path == f"{MODULE}/cmd/app"
    assert app.on(LINUX0).verdict is judge.Verdict.BREAKS
    assert "ex.com/m/sqlite" in app.on(LINUX0).evidence[0].text


def test_cgo001_quiet_and_cgo002_fires_with_a_nocgo_file() -> None:
    result = _sqlite(fallback=True)
    assert ("CGO001", "sqlite") not in _ids(result)
    finding = _finding(result, "CGO002")
    assert finding.files == ("sqlite/sqlite_nocgo.go",)
    assert "sqlite/sqlite.go drops out; sqlite/sqlite_nocgo.go takes over" in finding.message
    (package,) = result.packages
    entry = package.on(LINUX0)
    assert entry.status is judge.Status.FALLBACK
    assert entry.fallback_files == ("sqlite/sqlite_nocgo.go",)
    assert entry.dropped_files == ("sqlite/sqlite.go",)


def test_cgo002_quiet_for_a_pure_go_package() -> None:
    pure1 = pkg(LINUX1, "pure", go_files=("a.go",))
    pure0 = pkg(LINUX0, "pure", go_files=("a.go",))
    result = judge.scan(matrix(listing(LINUX1, pure1), listing(LINUX0, pure0)))
    assert result.findings == ()
    assert result.packages == ()


def test_cgo008_fires_when_cgo_files_drop_and_nothing_takes_over() -> None:
    db1 = pkg(LINUX1, "db", go_files=("doc.go",), cgo_files=("db_cgo.go",))
    db0 = pkg(LINUX0, "db", go_files=("doc.go",), ignored_go_files=("db_cgo.go",))
    result = judge.scan(matrix(listing(LINUX1, db1), listing(LINUX0, db0)))
    finding = _finding(result, "CGO008")
    assert finding.files == ("db/db_cgo.go",)
    assert finding.targets == (LINUX0,)
    assert result.packages[0].on(LINUX0).status is judge.Status.DROPPED


def test_cgo008_quiet_when_a_nocgo_file_replaces_them() -> None:
    db1 = pkg(
        LINUX1,
        "db",
        go_files=("doc.go",),
        cgo_files=("db_cgo.go",),
        ignored_go_files=("db_nocgo.go",),
    )
    db0 = pkg(LINUX0, "db", go_files=("db_nocgo.go", "doc.go"), ignored_go_files=("db_cgo.go",))
    result = judge.scan(matrix(listing(LINUX1, db1), listing(LINUX0, db0)))
    assert {f.rule.id for f in result.findings} == {"CGO002"}


def test_files_constrained_to_cgo_count_as_dropped() -> None:
    # pure-Go file with //go:build cgo, next to the cgo file
    p1 = pkg(LINUX1, "p", go_files=("helper_cgo.go",), cgo_files=("p.go",))
    p0 = pkg(LINUX0, "p", ignored_go_files=("helper_cgo.go", "p.go"), no_go=True)
    result = judge.scan(matrix(listing(LINUX1, p1), listing(LINUX0, p0)))
    assert _finding(result, "CGO001").files == ("p/helper_cgo.go", "p/p.go")


# --- CGO003: C files without cgo ----------------------------------------------------------


def test_cgo003_fires_on_cgo_targets_for_c_files_without_a_cgo_file() -> None:
    h1 = pkg(LINUX1, "hashx", go_files=("hashx.go",), c_files=("fast.c",))
    h0 = pkg(LINUX0, "hashx", go_files=("hashx.go",))  # go drops C files when cgo is off
    result = judge.scan(matrix(listing(LINUX1, h1), listing(LINUX0, h0)))
    finding = _finding(result, "CGO003")
    assert finding.targets == (LINUX1,)
    assert finding.files == ("hashx/fast.c",)
    assert "C source files not allowed when not using cgo or SWIG" in finding.message
    app, package = result.packages
    assert package.on(LINUX1).status is judge.Status.ERROR
    assert package.on(LINUX0).status is judge.Status.PURE
    assert (package.on(LINUX1).verdict, package.on(LINUX0).verdict) == (
        judge.Verdict.BREAKS,
        judge.Verdict.PURE,
    )
    assert app.on(LINUX1).verdict is judge.Verdict.BREAKS


def test_cgo003_quiet_when_a_cgo_file_uses_the_c_files() -> None:
    h1 = pkg(LINUX1, "hashx", cgo_files=("hashx.go",), c_files=("fast.c",))
    result = judge.scan(matrix(listing(LINUX1, h1)))
    assert "CGO003" not in {f.rule.id for f in result.findings}
    assert result.packages[0].needs.c_files == ("hashx/fast.c",)


def test_cgo003_quiet_for_swig_packages() -> None:
    s1 = pkg(LINUX1, "sw", go_files=("a.go",), c_files=("x.c",), swig_files=("x.swig",))
    result = judge.scan(matrix(listing(LINUX1, s1)))
    assert "CGO003" not in {f.rule.id for f in result.findings}


# --- CGO004 / CGO009: headers --------------------------------------------------------------


def _procinfo(includes: tuple[str, ...], **fields: Any) -> judge.ScanResult:
    listings = [
        listing(t, pkg(t, "procinfo", cgo_files=("procinfo.go",), includes=includes, **fields))
        for t in (LINUX1, DARWIN1, WINDOWS1, target("linux/arm64", True, Libc.MUSL))
    ]
    return judge.scan(matrix(*listings))


def test_cgo004_fires_for_a_linux_header_on_darwin_and_windows() -> None:
    result = _procinfo(("<unistd.h>", "<sys/sysinfo.h>"))
    finding = _finding(result, "CGO004")
    assert finding.subject == "sys/sysinfo.h"
    assert set(finding.targets) == {DARWIN1, WINDOWS1}
    assert "macOS libc" in finding.message
    assert "Windows" in finding.message
    assert result.where(finding) == "darwin/arm64, windows/amd64 cgo=1"


def test_cgo004_quiet_for_headers_every_libc_has() -> None:
    result = _procinfo(("<unistd.h>", "<stdlib.h>", "<stdint.h>"))
    assert "CGO004" not in {f.rule.id for f in result.findings}
    # unistd.h is not in mingw: check the portable subset only
    result = _procinfo(("<stdlib.h>", "<stdint.h>", "<string.h>"))
    assert result.findings == ()


def test_cgo004_windows_header_is_case_insensitive_there_and_missing_elsewhere() -> None:
    result = _procinfo(("<Windows.h>",))
    finding = _finding(result, "CGO004")
    assert WINDOWS1 not in finding.targets
    assert LINUX1 in finding.targets


def test_cgo009_fires_for_library_headers_and_not_for_libc_ones() -> None:
    result = _procinfo(("<sqlite3.h>", "<stdio.h>", '"local.h"'), h_files=("local.h",))
    finding = _finding(result, "CGO009")
    assert finding.subject == "sqlite3.h"
    assert len(finding.targets) == 4
    entry = result.packages[0].on(LINUX1)
    assert entry.system_headers == ("sqlite3.h", "stdio.h")
    assert entry.local_headers == ("local.h",)


def _hostinfo(targets: tuple[Any, ...], header: str, **fields: Any) -> judge.ScanResult:
    listings = [
        listing(t, pkg(t, "hostinfo", cgo_files=("hostinfo.go",), includes=(header,), **fields))
        for t in targets
    ]
    return judge.scan(matrix(*listings))


def test_cgo014_for_apple_framework_headers_instead_of_cgo009() -> None:
    ios = target("ios/arm64", True)
    result = _hostinfo((DARWIN1, ios), "<CoreFoundation/CoreFoundation.h>")
    finding = _finding(result, "CGO014")
    assert finding.subject == "CoreFoundation/CoreFoundation.h"
    assert set(finding.targets) == {DARWIN1, ios}
    assert "CoreFoundation framework of Apple's SDK" in finding.message
    assert "CGO009" not in {f.rule.id for f in result.findings}


def test_cgo014_for_a_framework_the_package_links_itself() -> None:
    linked = _hostinfo((DARWIN1,), "<Acme/acme.h>", cgo_ldflags=("-framework", "Acme"))
    assert _finding(linked, "CGO014").message.count("Acme framework") == 1
    unlinked = _hostinfo((DARWIN1,), "<Acme/acme.h>")
    assert {f.rule.id for f in unlinked.findings} == {"CGO009"}


def test_framework_headers_are_external_libraries_off_apple_targets() -> None:
    result = _hostinfo((LINUX1,), "<CoreFoundation/CoreFoundation.h>")
    assert {f.rule.id for f in result.findings} == {"CGO009"}


def test_framework_data_is_validated_and_fresh() -> None:
    import subprocess
    import sys
    from pathlib import Path

    from cgotrap.errors import DataError
    from cgotrap.judge.headers import apple_frameworks, parse_frameworks

    assert {"CoreFoundation", "IOKit", "Security", "Foundation"} <= apple_frameworks()
    bads: list[object] = [
        [],
        {"version": 2, "frameworks": []},
        {"version": 1, "frameworks": ["A/B"]},
    ]
    for bad in bads:
        with pytest.raises(DataError, match=r"apple_frameworks\.json"):
            parse_frameworks(bad)
    script = Path(__file__).resolve().parents[2] / "scripts" / "gen_apple_frameworks.py"
    done = subprocess.run(
        [sys.executable, str(script), "--check"], capture_output=True, text=True, check=False
    )
    assert done.returncode == 0, done.stderr


def test_headers_not_judged_where_no_libc_data_exists() -> None:
    android = target("android/arm64", True)
    p = pkg(android, "procinfo", cgo_files=("procinfo.go",), includes=("<sys/sysinfo.h>",))
    result = judge.scan(matrix(listing(android, p)))
    assert result.findings == ()
    assert result.no_header_data == (android,)


# --- CGO005 / CGO006: libraries and pkg-config ---------------------------------------------


def test_cgo005_fires_for_a_non_libc_library() -> None:
    p = pkg(LINUX1, "pcap", cgo_files=("pcap.go",), cgo_ldflags=("-lpcap", "-lm", "-l", "z"))
    result = judge.scan(matrix(listing(LINUX1, p)))
    subjects = {f.subject for f in result.findings if f.rule.id == "CGO005"}
    assert subjects == {"pcap", "z"}
    assert result.packages[0].needs.libs == ("m", "pcap", "z")


def test_cgo005_quiet_for_libc_and_windows_system_libraries() -> None:
    p1 = pkg(LINUX1, "sys", cgo_files=("a.go",), cgo_ldflags=("-lpthread", "-ldl", "-lrt"))
    pw = pkg(WINDOWS1, "sys", cgo_files=("a.go",), cgo_ldflags=("-lws2_32", "-lKernel32"))
    result = judge.scan(matrix(listing(LINUX1, p1), listing(WINDOWS1, pw)))
    assert result.findings == ()


def test_cgo006_fires_for_pkg_config_only_where_it_applies() -> None:
    p1 = pkg(LINUX1, "sqlite", cgo_files=("s.go",), cgo_pkg_config=("sqlite3",))
    pd = pkg(DARWIN1, "sqlite", cgo_files=("s.go",))
    result = judge.scan(matrix(listing(LINUX1, p1), listing(DARWIN1, pd)))
    finding = _finding(result, "CGO006")
    assert finding.targets == (LINUX1,)
    assert finding.subject == "sqlite3"


# --- CGO007: ports without cgo --------------------------------------------------------------


def test_cgo007_fires_instead_of_cgo001_on_a_port_without_cgo() -> None:
    s1 = pkg(LINUX1, "sqlite", cgo_files=("sqlite.go",))
    s0 = pkg(LINUX0, "sqlite", ignored_go_files=("sqlite.go",), no_go=True)
    sj = pkg(JS0, "sqlite", ignored_go_files=("sqlite.go",), no_go=True)
    result = judge.scan(matrix(listing(LINUX1, s1), listing(LINUX0, s0), listing(JS0, sj)))
    assert _finding(result, "CGO007").targets == (JS0,)
    assert _finding(result, "CGO001").targets == (LINUX0,)


def test_cgo007_quiet_with_a_fallback() -> None:
    s1 = pkg(LINUX1, "p", cgo_files=("p_cgo.go",), ignored_go_files=("p_nocgo.go",))
    sj = pkg(JS0, "p", go_files=("p_nocgo.go",), ignored_go_files=("p_cgo.go",))
    result = judge.scan(matrix(listing(LINUX1, s1), listing(JS0, sj)))
    assert "CGO007" not in {f.rule.id for f in result.findings}
    assert _finding(result, "CGO002").files == ("p/p_nocgo.go",)


# --- CGO010: the standard library -----------------------------------------------------------


def _net() -> list[TargetPackages]:
    return [
        listing(LINUX1, std(LINUX1, "net", go_files=("net.go",), cgo_files=("cgo_unix.go",))),
        listing(LINUX0, std(LINUX0, "net", go_files=("net.go", "cgo_stub.go"))),
    ]


def test_cgo010_only_with_include_std() -> None:
    world = matrix(*_net())
    quiet = judge.scan(world)
    assert quiet.findings == ()
    assert [(s.import_path, s.where) for s in quiet.std] == [("net", "linux/amd64 cgo=1")]
    loud = judge.scan(world, include_std=True)
    assert _finding(loud, "CGO010").targets == (LINUX1,)
    assert loud.std == ()


def test_std_is_the_project_when_the_roots_are_std() -> None:
    net1 = std(LINUX1, "net", cgo_files=("cgo_unix.go",))
    net0 = std(LINUX0, "net", go_files=("cgo_stub.go",), ignored_go_files=("cgo_unix.go",))
    world = matrix(
        TargetPackages(target=LINUX1, packages=(net1,), roots=("net",)),
        TargetPackages(target=LINUX0, packages=(net0,), roots=("net",)),
    )
    result = judge.scan(world)
    assert {f.rule.id for f in result.findings} == {"CGO002"}
    assert result.packages[0].dir == "$GOROOT/src/net"


# --- CGO011: go's other errors --------------------------------------------------------------


def test_cgo011_reports_other_package_errors_with_relative_paths() -> None:
    from cgotrap.evaluate.model import PackageError

    bad = pkg(
        LINUX1,
        "bad",
        go_files=("a.go",),
        error=PackageError(err="/src/m/bad/a.go:3:8: package ex.com/gone is not in std"),
    )
    result = judge.scan(matrix(listing(LINUX1, bad)))
    finding = _finding(result, "CGO011")
    assert finding.message == f"{MODULE}/bad: bad/a.go:3:8: package ex.com/gone is not in std"
    fixed = pkg(LINUX1, "bad", go_files=("a.go",))
    assert judge.scan(matrix(listing(LINUX1, fixed))).findings == ()


def test_cgo011_quiet_for_a_wildcard_match_excluded_on_this_goos() -> None:
    only_linux = pkg(DARWIN0, "lx", ignored_go_files=("lx_linux.go",), no_go=True, dep_only=False)
    result = judge.scan(matrix(listing(DARWIN0, only_linux)))
    assert result.findings == ()


# --- the registry ---------------------------------------------------------------------------


def test_every_source_rule_is_registered_documented_and_in_range() -> None:
    registered = {r.id: r for r in all_rules()}
    assert len(rules.SOURCE_RULES) >= 11
    for r in rules.SOURCE_RULES:
        assert registered[r.id] is r
        assert 1 <= int(r.id.removeprefix("CGO")) <= 99
        for part in ("Why it breaks:", "How to fix:", "Example:", "Added in"):
            assert part in r.doc, (r.id, part)
        assert rules.fix_line(r)
        assert r.name == r.name.lower()
        assert " " not in r.name


@pytest.mark.parametrize("rule", rules.SOURCE_RULES, ids=lambda r: r.id)
def test_every_rule_has_a_message(rule: object) -> None:
    from cgotrap.judge.rules import Rule

    assert isinstance(rule, Rule)
    text = judge.message(rule, package="p", subject="s", files=("f",), extra=(), labels=("x",))
    assert text.startswith("p")
    assert rule.summary not in text or rule is rules.go_package_error


# --- small readers ----------------------------------------------------------------------------


def test_quoted_headers_are_searched_like_the_c_compiler_does() -> None:
    data = catalog()
    p = pkg(LINUX1, "p", cgo_files=("p.go",), h_files=("own.h",))

    def local(written: str, *, dirs: bool = False) -> bool:
        (inc,) = includes(written)
        return judge.is_local_header(inc, p, data, has_include_dirs=dirs)

    assert local('"own.h"')
    assert local("<own.h>")  # found with -I${SRCDIR}; not the libc's business either way
    assert not local("<sqlite3.h>", dirs=True)  # <x.h> is a system header
    assert not local('"stdio.h"')  # the package lacks it: the system one is found
    assert not local('"sqlite3.h"')  # nothing but the system search is left
    assert local('"sqlite3.h"', dirs=True)  # may be in an -I directory
    assert local('"../common/x.h"')  # a path relative to the package


def test_quoted_header_the_package_lacks_is_judged_like_a_system_one() -> None:
    result = _procinfo(('"sqlite3.h"',))
    assert _finding(result, "CGO009").subject == "sqlite3.h"
    assert result.packages[0].on(LINUX1).system_headers == ("sqlite3.h",)
    with_dirs = _procinfo(('"sqlite3.h"',), cgo_cflags=("-I/opt/sqlite/include",))
    assert with_dirs.findings == ()
    assert with_dirs.packages[0].on(LINUX1).local_headers == ("sqlite3.h",)


# --- conditional includes ---------------------------------------------------------------------

_GUARDED = """
#include <stdlib.h>
#ifdef __linux__
#include <sys/sysinfo.h>
#elif defined(__APPLE__) && defined(__MACH__)
#include <mach/mach.h>
#elif defined(_WIN32)
#include <windows.h>
#endif
"""


def test_guarded_platform_headers_fire_nowhere() -> None:
    result = _procinfo((_GUARDED,))
    assert result.findings == ()
    entry = result.packages[0].on(DARWIN1)
    assert entry.system_headers == ("mach/mach.h", "stdlib.h")
    states = {i.header: i.active for i in entry.includes}
    assert states["sys/sysinfo.h"] is cpp.Truth.FALSE
    assert states["mach/mach.h"] is cpp.Truth.TRUE
    mach = next(i for i in entry.includes if i.header == "mach/mach.h")
    assert mach.condition == "!(defined(__linux__)) && (defined(__APPLE__) && defined(__MACH__))"
    assert result.packages[0].on(WINDOWS1).system_headers == ("stdlib.h", "windows.h")
    assert result.packages[0].needs.system_headers == (
        "mach/mach.h",
        "stdlib.h",
        "sys/sysinfo.h",
        "windows.h",
    )


def test_ifndef_and_else_branches() -> None:
    text = "#ifndef _WIN32\n#include <sys/sysinfo.h>\n#else\n#include <windows.h>\n#endif\n"
    finding = _finding(_procinfo((text,)), "CGO004")
    assert finding.subject == "sys/sysinfo.h"
    assert finding.targets == (DARWIN1,)  # not windows: #ifndef _WIN32 is false there
    assert finding.condition == ""


def test_unknown_condition_keeps_the_finding_and_says_so() -> None:
    text = "#ifdef HAVE_SYSINFO\n#include <sys/sysinfo.h>\n#endif\n#include <stdlib.h>\n"
    finding = _finding(_procinfo((text,)), "CGO004")
    assert set(finding.targets) == {DARWIN1, WINDOWS1}
    assert finding.condition == "only if HAVE_SYSINFO is defined"
    assert "compiled only if HAVE_SYSINFO is defined" in finding.message
    assert "cannot decide" in finding.message


def test_a_define_from_cgo_cflags_decides_the_condition() -> None:
    text = "#ifdef HAVE_SYSINFO\n#include <sys/sysinfo.h>\n#endif\n"
    quiet = _procinfo((text,), cgo_cflags=("-UHAVE_SYSINFO",))
    assert quiet.findings == ()
    loud = _finding(_procinfo((text,), cgo_cppflags=("-D", "HAVE_SYSINFO")), "CGO004")
    assert loud.condition == ""
    assert set(loud.targets) == {DARWIN1, WINDOWS1}


def test_an_unguarded_copy_of_a_guarded_header_still_fires() -> None:
    text = "#ifdef __linux__\n#include <sys/sysinfo.h>\n#endif\n"
    finding = _finding(_procinfo((text, "<sys/sysinfo.h>")), "CGO004")
    assert set(finding.targets) == {DARWIN1, WINDOWS1}


def test_if_zero_switches_an_external_header_off() -> None:
    result = _procinfo(("#if 0\n#include <sqlite3.h>\n#endif\n",))
    assert result.findings == ()
    assert result.packages[0].needs.system_headers == ()


def test_targets_without_predefine_data_leave_guards_unknown() -> None:
    aix = target("aix/ppc64", True)
    text = "#ifdef __linux__\n#include <sqlite3.h>\n#endif\n"
    p = pkg(aix, "procinfo", cgo_files=("procinfo.go",), includes=(text,))
    result = judge.scan(matrix(listing(aix, p)))
    finding = _finding(result, "CGO009")
    assert finding.condition == "only if __linux__ is defined"


def test_bare_include_of_the_packages_own_header_is_local() -> None:
    p = pkg(LINUX1, "p", cgo_files=("p.go",), h_files=("own.h",), includes=("own.h", "stdio.h"))
    result = judge.scan(matrix(listing(LINUX1, p)))
    assert result.findings == ()
    assert result.packages[0].needs.local_headers == ("own.h",)


def test_ldflags_libs() -> None:
    flags = ["-L/opt/lib", "-lsqlite3", "-l", "z", "-Wl,-rpath,/x", "-lsqlite3", "-pthread"]
    assert judge.ldflags_libs(flags) == ("sqlite3", "z")


def test_cgo001_for_a_library_root_that_the_wildcard_skips_without_cgo() -> None:
    # go list ./... with CGO_ENABLED=0 matches no package in a cgo-only library: it vanishes.
    lib1 = pkg(LINUX1, "sqlite", cgo_files=("sqlite.go",), dep_only=False)
    with_cgo = TargetPackages(target=LINUX1, packages=(lib1,), roots=(lib1.import_path,))
    without = TargetPackages(target=LINUX0, packages=(), roots=())
    result = judge.scan(matrix(with_cgo, without), report=[LINUX0])
    finding = _finding(result, "CGO001")
    assert finding.targets == (LINUX0,)
    assert finding.files == ("sqlite/sqlite.go",)
    assert result.packages[0].on(LINUX0).status is judge.Status.BROKEN


def test_a_dependency_outside_the_module_is_named_by_import_path() -> None:
    from cgotrap.evaluate.model import PackageFacts

    dep = PackageFacts(
        target=LINUX0,
        dir="/home/u/go/pkg/mod/github.com/mattn/go-sqlite3@v1.14.22",
        import_path="github.com/mattn/go-sqlite3",
        name="sqlite3",
        module_path="github.com/mattn/go-sqlite3",
        standard=False,
        dep_only=True,
        go_files=("doc.go", "sqlite3_stub.go"),
        ignored_go_files=("sqlite3.go",),
    )
    dep1 = dataclasses.replace(
        dep,
        target=LINUX1,
        go_files=("doc.go",),
        cgo_files=("sqlite3.go",),
        ignored_go_files=("sqlite3_stub.go",),
    )
    result = judge.scan(matrix(listing(LINUX1, dep1), listing(LINUX0, dep)))
    finding = _finding(result, "CGO002")
    assert finding.files == ("github.com/mattn/go-sqlite3/sqlite3_stub.go",)
    assert result.packages[0].dir is None
    assert "/home/u" not in repr(result.findings)


def test_cgo013_for_a_bsd_header_zigs_macos_subset_lacks() -> None:
    p = pkg(DARWIN1, "res", cgo_files=("res.go",), includes=("<resolv.h>", "<sys/sysinfo.h>"))
    result = judge.scan(matrix(listing(DARWIN1, p)))
    assert _finding(result, "CGO013").subject == "resolv.h"
    assert _finding(result, "CGO004").subject == "sys/sysinfo.h"
    fixed = pkg(DARWIN1, "res", cgo_files=("res.go",), includes=("<netdb.h>",))
    assert judge.scan(matrix(listing(DARWIN1, fixed))).findings == ()
