"""`load.facts._facts` and `_node_facts` build PackageFacts slot by slot (in C): they must
equal the keyword constructor field for field, with cgo on and off, with and without
DirFacts."""

from __future__ import annotations

import dataclasses
from typing import Any

import pytest

from cgotrap.evaluate.directory import DirFacts
from cgotrap.evaluate.load.facts import _facts, _node_facts
from cgotrap.evaluate.load.fast import _NO_DEPS, _Local, _Node
from cgotrap.evaluate.model import PackageError, PackageFacts
from cgotrap.targets import Target

_CGO_ONLY = {"c_files", "cxx_files", "m_files", "swig_files", "swigcxx_files"}


def _dir_facts() -> DirFacts:
    """Every list field of DirFacts that PackageFacts shares, each with its own value (a
    field set in the wrong slot shows)."""
    values: dict[str, Any] = {
        f.name: (f"{f.name}.x", f"{f.name}.y")
        for f in dataclasses.fields(PackageFacts)
        if f.name.endswith("_files") or f.name.startswith("cgo_")
    }
    return dataclasses.replace(DirFacts(name="p", imports=("fmt",)), **values)


@pytest.mark.parametrize("cgo", [False, True])
@pytest.mark.parametrize("found", [None, _dir_facts()])
def test_facts_equal_the_keyword_constructor(*, cgo: bool, found: DirFacts | None) -> None:
    target = Target(goos="linux", goarch="amd64", cgo=cgo)
    error = PackageError(err="bad", import_stack=("a", "b"), pos="x.go:1:2")
    got = _facts(
        target,
        dir="/d",
        import_path="example.com/p",
        name="p",
        module_path="example.com",
        standard=False,
        dep_only=True,
        cgo=cgo,
        found=found,
        imports=("fmt",),
        deps=("errors", "fmt"),
        error=error,
        incomplete=True,
        deps_errors=(error,),
    )
    files = {}
    if found is not None:
        files = {
            f.name: getattr(found, f.name)
            for f in dataclasses.fields(PackageFacts)
            if f.name.endswith("_files") or f.name.startswith("cgo_") or f.name == "includes"
        }
        files.update({name: () for name in _CGO_ONLY if not cgo})
    want = PackageFacts(
        target=target,
        dir="/d",
        import_path="example.com/p",
        name="p",
        module_path="example.com",
        standard=False,
        dep_only=True,
        imports=("fmt",),
        deps=("errors", "fmt"),
        error=error,
        incomplete=True,
        deps_errors=(error,),
        **files,
    )
    assert got == want
    assert [getattr(got, f.name) for f in dataclasses.fields(PackageFacts)] == [
        getattr(want, f.name) for f in dataclasses.fields(PackageFacts)
    ]


@pytest.mark.parametrize("cgo", [False, True])
@pytest.mark.parametrize("found", [None, _dir_facts()])
def test_node_facts_equal_facts(*, cgo: bool, found: DirFacts | None) -> None:
    """`_node_facts` (straight to the slots, its fields kept on the `_Local`) gives what
    `_facts` gives, twice (the second time from the kept fields)."""
    target = Target(goos="linux", goarch="amd64", cgo=cgo)
    local = _Local()
    local.path, local.dir, local.name, local.module = "example.com/p", "/d", "p", "example.com"
    local.cgo, local.facts, local.imports = cgo, found, ("fmt",)
    node = _Node(local, _NO_DEPS, None, 0, "", face=0)
    error = PackageError(err="bad")
    want = _facts(
        target,
        dir="/d",
        import_path="example.com/p",
        name="p",
        module_path="example.com",
        standard=False,
        dep_only=False,
        cgo=cgo,
        found=found,
        imports=("fmt",),
        deps=("errors",),
        error=error,
        incomplete=True,
        deps_errors=(error,),
    )
    for _ in range(2):
        got = _node_facts(
            node, False, error, target, incomplete=True, deps_errors=(error,), deps=("errors",)
        )
        assert got == want
