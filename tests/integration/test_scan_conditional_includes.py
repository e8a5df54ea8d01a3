"""Header findings under `#if` guards, on the real loader, with `zig cc` as the oracle.

A fixture module (written here) has a cgo package whose preamble includes `<sys/sysinfo.h>`
under `#ifdef __linux__` and `<mach/mach.h>` under `#ifdef __APPLE__`, and one that includes
`<sys/sysinfo.h>` unguarded. The oracle is the C compiler itself: `zig cc -target T -c` on
the very preamble text, for each target's triple. Six small compiles (no linking), cached
by zig's own cache.
"""

from __future__ import annotations

import re
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from cgotrap import toolchain
from cgotrap.evaluate.load import load_matrix
from cgotrap.evaluate.model import MatrixResult, PackageFacts
from cgotrap.judge.headers import catalog
from cgotrap.judge.scan import ScanResult, scan
from cgotrap.read import cpp
from cgotrap.targets import Target, expand

pytestmark = pytest.mark.integration

MODULE = "example.com/guarded"
TARGETS = tuple(expand("linux/amd64,darwin/arm64,windows/amd64", (True,)))

_GUARDED = """\
package sysx

/*
#include <stdlib.h>
#ifdef __linux__
#include <sys/sysinfo.h>
static long uptime(void) { struct sysinfo s; sysinfo(&s); return s.uptime; }
#elif defined(__APPLE__) && defined(__MACH__)
#include <mach/mach.h>
static long uptime(void) { return (long)mach_task_self(); }
#else
static long uptime(void) { return 0; }
#endif
*/
import "C"

func Uptime() int64 { return int64(C.uptime()) }
"""

_UNGUARDED = """\
package plain

/*
#include <sys/sysinfo.h>
static long uptime(void) { struct sysinfo s; sysinfo(&s); return s.uptime; }
*/
import "C"

func Uptime() int64 { return int64(C.uptime()) }
"""

_FLAGGED = """\
package flagged

/*
#cgo linux CFLAGS: -DHAVE_SYSINFO
#ifdef HAVE_SYSINFO
#include <sys/sysinfo.h>
#endif
*/
import "C"

func Zero() int { return 0 }
"""

_MAIN = f"""\
package main

import (
\t"fmt"

\t"{MODULE}/flagged"
\t"{MODULE}/plain"
\t"{MODULE}/sysx"
)

func main() {{ fmt.Println(sysx.Uptime(), plain.Uptime(), flagged.Zero()) }}
"""


def _write(root: Path) -> Path:
    files = {
        "go.mod": f"module {MODULE}\n\ngo 1.22\n",
        "sysx/sysx.go": _GUARDED,
        "plain/plain.go": _UNGUARDED,
        "flagged/flagged.go": _FLAGGED,
        "cmd/app/main.go": _MAIN,
    }
    for rel, text in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text))
    return root


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, MatrixResult, ScanResult]:
    root = _write(tmp_path_factory.mktemp("guarded"))
    matrix = load_matrix(["./..."], TARGETS, root=root)
    return root, matrix, scan(matrix)


def _preamble(path: Path) -> str:
    match = re.search(r"/\*(.*?)\*/\s*import \"C\"", path.read_text(), re.DOTALL)
    assert match is not None
    return "\n".join(line for line in match.group(1).splitlines() if not line.startswith("#cgo"))


def _zig_compiles(target: Target, text: str, workdir: Path) -> bool:
    """The oracle: `zig cc -target T -c` of the preamble (what cgo's C compile sees first)."""
    libc = catalog().for_target(target)
    assert libc is not None
    zig = toolchain.require("zig")
    source = workdir / "preamble.c"
    source.write_text(text + "\nint cgotrap_probe;\n")
    done = subprocess.run(
        # -c rather than -fsyntax-only: zig 0.17 reports a spurious "failed to rename" error
        # when no object file is written.
        [
            *(str(zig.path), "cc", "-target", libc.zig_target),
            *("-c", str(source), "-o", str(workdir / "preamble.o")),
        ],
        capture_output=True,
        text=True,
        check=False,
        timeout=300,
    )
    return done.returncode == 0


def _facts(matrix: MatrixResult, target: Target, name: str) -> PackageFacts:
    for tp in matrix.per_target:
        if tp.target == target:
            for p in tp.packages:
                if p.import_path == f"{MODULE}/{name}":
                    return p
    raise AssertionError(name)


def _cgo004(result: ScanResult, name: str) -> set[Target]:
    return {
        t
        for f in result.findings
        if f.rule.id == "CGO004" and f.package == f"{MODULE}/{name}"
        for t in f.targets
    }


def test_guarded_platform_headers_fire_nowhere_and_zig_agrees(
    world: tuple[Path, MatrixResult, ScanResult], tmp_path: Path
) -> None:
    root, matrix, result = world
    assert _cgo004(result, "sysx") == set()
    text = _preamble(root / "sysx" / "sysx.go")
    for t in TARGETS:
        assert _zig_compiles(t, text, tmp_path), t.name
        # the reader kept the guards: the include is judged off where zig skips it
        entry = next(p for p in result.packages if p.import_path.endswith("/sysx")).on(t)
        states = {i.header: i.active for i in entry.includes}
        assert states["sys/sysinfo.h"] is (cpp.Truth.TRUE if t.goos == "linux" else cpp.Truth.FALSE)
        assert states["mach/mach.h"] is (cpp.Truth.TRUE if t.goos == "darwin" else cpp.Truth.FALSE)
        assert _facts(matrix, t, "sysx").includes[1].guards[0].text == "__linux__"


def test_an_unguarded_linux_header_still_fires_exactly_where_zig_fails(
    world: tuple[Path, MatrixResult, ScanResult], tmp_path: Path
) -> None:
    root, _, result = world
    fired = _cgo004(result, "plain")
    assert {t.goos for t in fired} == {"darwin", "windows"}
    text = _preamble(root / "plain" / "plain.go")
    for t in TARGETS:
        assert _zig_compiles(t, text, tmp_path) == (t not in fired), t.name


def test_a_per_goos_define_decides_linux_and_leaves_the_rest_conditional(
    world: tuple[Path, MatrixResult, ScanResult],
) -> None:
    _, matrix, result = world
    linux = next(t for t in TARGETS if t.goos == "linux")
    assert _facts(matrix, linux, "flagged").cgo_cflags == ("-DHAVE_SYSINFO",)
    entry = next(p for p in result.packages if p.import_path.endswith("/flagged")).on(linux)
    assert [(i.header, i.active) for i in entry.includes] == [("sys/sysinfo.h", cpp.Truth.TRUE)]
    # Elsewhere nothing defines HAVE_SYSINFO for sure (a header might): kept, but conditional.
    (finding,) = [f for f in result.findings if f.package == f"{MODULE}/flagged"]
    assert finding.rule.id == "CGO004"
    assert {t.goos for t in finding.targets} == {"darwin", "windows"}
    assert finding.condition == "only if HAVE_SYSINFO is defined"
    assert "cannot decide" in finding.message


def test_checked_in_predefines_are_current() -> None:
    script = Path(__file__).resolve().parents[2] / "scripts" / "gen_c_predefines.py"
    done = subprocess.run(
        [sys.executable, str(script), "--check"],
        capture_output=True,
        text=True,
        check=False,
        timeout=600,
    )
    assert done.returncode == 0, done.stderr
