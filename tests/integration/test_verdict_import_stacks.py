"""A package that breaks because an import does not build: its evidence is what go prints.

The oracle is the real go: `go build ./P` of every package of a fixture module (its exit
status and error text, paths made relative to the module), and `go list -e -json ./P`'s
`DepsErrors[].ImportStack`. go's import stack is not simply the shortest chain: it is the
stack of the first load, depth-first over sorted imports, replaced by a later import's when
that one is shorter; errors come dependencies first. The fixture has a long first path and a
shorter later one, two packages failing to load under one importer, a compile error (go
prints the compiler's lines, no stack), and a load error hiding a compile error.
"""

from __future__ import annotations

import os
import re
import subprocess
from pathlib import Path

import pytest

from cgotrap import toolchain
from cgotrap.evaluate.load import load_matrix
from cgotrap.evaluate.sources import default_reader, read_sources
from cgotrap.judge.finding import Evidence
from cgotrap.judge.scan import scan
from cgotrap.targets import Target, with_cgo_twins
from tests.gofixtures import go_env, gofile, gomod, iter_json_objects, write_tree

pytestmark = pytest.mark.integration

MODULE = "example.com/chain"
CGO_ONLY = '//go:build cgo\n\npackage {name}\n\nimport "C"\n\nfunc F() {{}}\n'
FILES = {
    "go.mod": gomod(MODULE),
    "nocgo/nocgo.go": CGO_ONLY.format(name="nocgo"),
    "nocgo2/nocgo2.go": CGO_ONLY.format(name="nocgo2"),
    "cfile/cfile.go": gofile("cfile"),
    "cfile/helper.c": "int helper(void) { return 1; }\n",
    "beta/beta.go": gofile("beta", f"{MODULE}/nocgo"),
    "alpha/alpha.go": gofile("alpha", f"{MODULE}/beta"),
    # zed reaches nocgo in 2 steps where alpha took 3: go keeps the shorter stack
    "zed/zed.go": gofile("zed", f"{MODULE}/cfile", f"{MODULE}/nocgo", f"{MODULE}/nocgo2"),
    "undef/u.go": "package undef\n\nfunc H() int {\n\treturn fastHash(1)\n}\n",
    "undef/u_cgo.go": (
        '//go:build cgo\n\npackage undef\n\nimport "C"\n\nfunc fastHash(x int) int { return x }\n'
    ),
    "cmd/app/main.go": gofile("main", f"{MODULE}/alpha", f"{MODULE}/zed", body="func main() {}"),
    "cmd/other/main.go": gofile("main", f"{MODULE}/undef", body="func main() {}"),
    "cmd/both/main.go": gofile("main", f"{MODULE}/nocgo", f"{MODULE}/undef", body="func main() {}"),
}
PACKAGES = sorted({rel.rpartition("/")[0] for rel in FILES if rel.endswith(".go")})
TARGETS = (
    Target(goos="linux", goarch="amd64", cgo=False),
    Target(goos="linux", goarch="amd64", cgo=True),
)


def _go(root: Path, t: Target, *args: str) -> subprocess.CompletedProcess[str]:
    env = go_env({"GOOS": t.goos, "GOARCH": t.goarch, "CGO_ENABLED": str(int(t.cgo))})
    return subprocess.run(
        [str(toolchain.require("go").path), *args],
        cwd=root,
        env=env,
        capture_output=True,
        text=True,
        check=False,
        timeout=300,
    )


def _relative(text: str, root: Path) -> str:
    return text.replace(str(root) + os.sep, "").replace(str(root), ".").strip()


def _stack(text: str) -> list[str]:
    """The import stack of go's "package a\\n\\timports b: err" text."""
    head = text.split(": ", 1)[0]
    return head.removeprefix("package ").split("\n\timports ")


@pytest.fixture(scope="module")
def evidence(
    tmp_path_factory: pytest.TempPathFactory,
) -> tuple[Path, dict[str, dict[str, tuple[Evidence, ...]]]]:
    """(the fixture's root, scan's verdict evidence by target name and import path)."""
    root = write_tree(tmp_path_factory.mktemp("chain"), FILES)
    reader, problem = default_reader()
    assert reader is not None, problem
    matrix = load_matrix(["./..."], with_cgo_twins(list(TARGETS)), root=root)
    result = scan(matrix, report=TARGETS, sources=read_sources(matrix, reader))
    out: dict[str, dict[str, tuple[Evidence, ...]]] = {}
    for package in result.packages:
        for entry in package.per_target:
            out.setdefault(entry.target.name, {})[package.import_path] = entry.evidence
    return root, out


@pytest.mark.parametrize("t", TARGETS, ids=lambda t: t.name)
def test_break_through_an_import_reads_as_go_build_prints_it(
    evidence: tuple[Path, dict[str, dict[str, tuple[Evidence, ...]]]], t: Target
) -> None:
    root, by_target = evidence
    compared = 0
    for rel in PACKAGES:
        ip = f"{MODULE}/{rel}"
        built = _go(root, t, "build", "-o", os.devnull, f"./{rel}")
        said = _relative(built.stderr, root)
        got = by_target[t.name].get(ip, ())
        if said.startswith("package ") and "\n\timports " in said:
            # A load error of an import, with its import stack(s): go's text exactly.
            assert built.returncode == 1
            assert "\n".join(e.text for e in got) == said, rel
            assert all(e.file == rel and e.line is None for e in got)
            listed = next(iter_json_objects(_go(root, t, "list", "-e", "-json", f"./{rel}").stdout))
            stacks = [e["ImportStack"] for e in listed.get("DepsErrors", [])]
            assert sorted(_stack(e.text) for e in got) == sorted(stacks), rel
            compared += 1
        elif said.startswith("# ") and not t.cgo:
            # A compile error of an import: go prints the compiler's lines, no stack.
            assert built.returncode == 1
            lines = {
                (m[1], int(m[2]), m[3])
                for m in re.finditer(r"^(\S+\.go):(\d+):\d+: (.*)$", said, re.MULTILINE)
            }
            assert lines, said
            located = {(e.file, e.line, e.text) for e in got if e.text.startswith("undefined:")}
            assert located == lines, rel
            compared += 1
    assert compared == (7 if not t.cgo else 2)  # every importer that breaks


def test_the_stack_is_not_the_first_path_but_the_shortest_go_saw(
    evidence: tuple[Path, dict[str, dict[str, tuple[Evidence, ...]]]],
) -> None:
    _, by_target = evidence
    app = by_target[TARGETS[0].name][f"{MODULE}/cmd/app"]
    assert [_stack(e.text) for e in app] == [
        [f"{MODULE}/cmd/app", f"{MODULE}/zed", f"{MODULE}/nocgo"],
        [f"{MODULE}/cmd/app", f"{MODULE}/zed", f"{MODULE}/nocgo2"],
    ]
    # A load error stops go before the compile error of undef could show.
    both = by_target[TARGETS[0].name][f"{MODULE}/cmd/both"]
    assert [e.text.split(": ", 1)[1] for e in both] == [
        "build constraints exclude all Go files in nocgo"
    ]
