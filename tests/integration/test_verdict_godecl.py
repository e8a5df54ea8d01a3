"""Names declared only in files left out of a build predict go's `undefined:` errors exactly.

For every verdict fixture, target and package: the files go builds come from cgotrap's
evaluator, the declarations and uses from the go/parser reader (`godecl`), and the
prediction (`missing_in_package`, `missing_through_import`, `missing_methods`) must equal
the `undefined: X` and `x.M undefined (type T has no field or method M)` lines (file,
first line, go's words) of the real `go build` in the truth table; a package with
no file left must be one go refuses, and every "build constraints exclude all Go files" of
go must be a package with no file left.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from cgotrap import toolchain
from cgotrap.evaluate.load import load_matrix
from cgotrap.read import godecl, leftout
from cgotrap.read.godecl import GoDeclReader, GoDecls
from tests import verdictfixtures
from tests.integration import verdict_truth as vt

pytestmark = pytest.mark.integration

# go's error lines (go's output, not Go source): "hash/hash.go:7:18: undefined: fastHash",
# "counter/counter.go:15:5: c.FastAdd undefined (type *Counter has no field or method FastAdd)".
_UNDEFINED = re.compile(
    r"^(?P<file>\S+\.go):(?P<line>\d+):\d+: (?P<name>undefined: \S+"
    r"|\S+ undefined \(type \S+ has no field or method \S+\))$",
    re.MULTILINE,
)


@pytest.fixture(scope="module")
def reader(go_tool: toolchain.Tool, tmp_path_factory: pytest.TempPathFactory) -> GoDeclReader:
    version = toolchain.version("go")
    assert version is not None
    helper = godecl.build_helper(go_tool.path, tmp_path_factory.mktemp("godecl"), version)
    return GoDeclReader(helper)


def _observed(error: str, directory: str) -> set[tuple[str, int, str]]:
    first: dict[tuple[str, str], int] = {}
    for m in _UNDEFINED.finditer(error):
        if m.group("file").startswith(directory + "/"):
            key = (m.group("file"), m.group("name"))
            first[key] = min(first.get(key, 1 << 30), int(m.group("line")))
    return {(file, line, name) for (file, name), line in first.items()}


@pytest.mark.parametrize("name", sorted(verdictfixtures.FIXTURES))
def test_undefined_names_match_go(name: str, reader: GoDeclReader, tmp_path: Path) -> None:
    fixture = verdictfixtures.FIXTURES[name]
    root = verdictfixtures.write(tmp_path, name)
    table = vt.truth(name)
    matrix = load_matrix(["./..."], vt.TARGETS, root=root)
    dirs = {fixture.import_path(p): p.dir for p in fixture.packages}
    compared = 0
    for per_target in matrix.per_target:
        t = per_target.target
        facts = {p.import_path: p for p in per_target.packages if p.import_path in dirs}
        decls: dict[str, tuple[dict[str, GoDecls], dict[str, GoDecls]]] = {}
        for path, directory in dirs.items():
            every = sorted(
                f.name for f in (root / directory).glob("*.go") if not f.name.endswith("_test.go")
            )
            p = facts.get(path)
            in_build = {*p.go_files, *p.cgo_files} if p is not None else set()
            read = dict(
                zip(
                    every,
                    reader.read_many([(root / directory / f).read_bytes() for f in every]),
                    strict=True,
                )
            )
            decls[path] = (
                {f: d for f, d in read.items() if f in in_build},
                {f: d for f, d in read.items() if f not in in_build},
            )
        for path, directory in dirs.items():
            cell = table.cell(t, path)
            built, left_out = decls[path]
            excluded = f"build constraints exclude all Go files in {directory}"
            # No file left: go refuses the package (with this message, unless it stops
            # earlier: "-buildmode=c-shared not supported on js/wasm").
            assert built or not cell.builds, (t.name, path)
            if excluded in cell.error:
                assert not built, (t.name, path)
            deps = [d for d in dirs if d != path and cell.listed and d in cell.listed.deps]
            if not built or any(not table.cell(t, d).builds for d in deps):
                continue  # go stops before type-checking this package
            predicted = list(leftout.missing_in_package(built, left_out))
            predicted += leftout.missing_methods(built, "", built, left_out)
            for dep in deps:
                predicted += leftout.missing_through_import(built, dep, *decls[dep])
                predicted += leftout.missing_methods(built, dep, *decls[dep])
            got = {(f"{directory}/{m.file}", m.line, m.message) for m in predicted}
            assert got == _observed(cell.error, directory), (t.name, path, cell.error)
            compared += 1
    assert compared > 0
