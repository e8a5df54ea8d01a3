"""The matrix loader shares work across targets; sharing must never change a target's listing.

Oracle: each target listed on its own (nothing to share) must read exactly like its part of
the matrix run, for the `cgotrap list` path (`load_listing` + `iter_listing_bytes`) and the
`load_matrix` path alike. The fixture has per-target files, an import cycle on one target
only, an error package and a pattern that names no package on some targets.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from cgotrap.evaluate.load import load_listing, load_matrix
from cgotrap.render import golist
from cgotrap.targets import Target
from tests.gofixtures import write_tree

TARGETS = [
    Target(goos="linux", goarch="amd64", cgo=False),
    Target(goos="windows", goarch="amd64", cgo=True),
    Target(goos="linux", goarch="arm64", cgo=True),
    Target(goos="darwin", goarch="arm64", cgo=False),
]


@pytest.fixture
def tree(tmp_path: Path) -> tuple[Path, Path]:
    goroot = tmp_path / "goroot"
    for pkg in ("fmt", "os", "unsafe", "runtime", "runtime/cgo", "syscall", "math", "errors"):
        (goroot / "src" / pkg).mkdir(parents=True)
        name = pkg.rsplit("/", 1)[-1]
        (goroot / "src" / pkg / f"{name}.go").write_text(f'package {name}\n\nimport "errors"\n')
    (goroot / "src" / "errors" / "errors.go").write_text("package errors\n")
    (goroot / "src" / "os" / "os_windows.go").write_text('package os\n\nimport "syscall"\n')
    root = tmp_path / "m"
    files = {
        "go.mod": "module example.com/m\n\ngo 1.22\n",
        "main.go": 'package main\n\nimport (\n\t"fmt"\n\t"example.com/m/a"\n)\n',
        "a/a.go": 'package a\n\nimport "example.com/m/b"\n',
        "a/a_linux.go": 'package a\n\nimport "os"\n',
        "b/b.go": "package b\n",
        # b imports a on windows only: an import cycle there and nowhere else
        "b/b_windows.go": 'package b\n\nimport "example.com/m/a"\n',
        "c/c.go": '//go:build linux\n\npackage c\n\n/*\n#include <stdio.h>\n*/\nimport "C"\n',
        "c/c_other.go": "//go:build !linux\n\npackage c\n",
        "d/d_darwin.go": "package d\n",
        "e/e.go": 'package e\n\nimport "example.com/m/missing"\n',
        "f/f.go": 'package f\n\nimport "example.com/m/internal/x"\n',
        "internal/x/x.go": 'package x\n\nimport "example.com/m/c"\n',
    }
    write_tree(root, files)
    return root, goroot


@pytest.mark.parametrize("patterns", [["./..."], ["./...", "./d", "./nothing"], ["./e", "."]])
@pytest.mark.parametrize("with_deps", [True, False])
def test_matrix_reads_like_each_target_alone(
    tree: tuple[Path, Path], patterns: list[str], with_deps: bool
) -> None:
    root, goroot = tree
    kw = {"root": root, "goroot": goroot, "go_version": "go1.27.3", "with_deps": with_deps}
    shared = load_listing(patterns, TARGETS, **kw)  # type: ignore[arg-type]  # kw is typed loosely
    alone = [load_listing(patterns, [t], **kw) for t in TARGETS]  # type: ignore[arg-type]
    together = list(golist.iter_listing_bytes(shared, matrix=True))
    assert together == [b"".join(golist.iter_listing_bytes(a, matrix=True)) for a in alone]
    matrix = load_matrix(patterns, TARGETS, **kw)  # type: ignore[arg-type]
    assert b"".join(together) == b"".join(golist.iter_json_bytes(matrix, matrix=True))
    lines = "".join(golist.iter_listing_lines(shared, matrix=True))
    assert lines == golist.format_lines(matrix, matrix=True)
    if with_deps or "./..." in patterns:
        assert b"import cycle not allowed" in together[1]  # windows: the cycle
    assert b"import cycle" not in together[0] + together[2] + together[3]


def test_the_loader_forks_and_changes_interpreter_state_only_when_asked(
    tree: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    """No fork without workers=2, and never gc.disable or a new recursion limit: the CLI
    decides those (STYLE 12)."""
    import gc
    import os
    import sys

    root, goroot = tree
    calls: list[str] = []

    def refuse(name: str) -> Callable[..., None]:
        def call(*_args: object) -> None:
            calls.append(name)

        return call

    for module, name in ((gc, "disable"), (sys, "setrecursionlimit"), (os, "fork")):
        monkeypatch.setattr(module, name, refuse(name))
    kw = {"root": root, "goroot": goroot, "go_version": "go1.27.3"}
    assert load_listing(["./..."], TARGETS, **kw).objects  # type: ignore[arg-type]
    assert load_matrix(["./..."], TARGETS, **kw).per_target  # type: ignore[arg-type]
    assert calls == []


@pytest.mark.parametrize("cycle", [False, True])
def test_an_import_chain_deeper_than_the_recursion_limit(
    tree: tuple[Path, Path], tmp_path: Path, cycle: bool
) -> None:
    """Both loaders walk imports without Python recursion: a chain of more packages than
    the recursion limit loads (with a cycle at its end: the one-target loader's path)."""
    import sys

    _, goroot = tree
    depth = sys.getrecursionlimit() + 100
    root = tmp_path / "chain"
    names = [f"p{i:05d}" for i in range(depth)]
    files = {"go.mod": "module example.com/c\n\ngo 1.22\n"}
    for i, name in enumerate(names):
        kid = names[i + 1] if i + 1 < depth else (names[0] if cycle else "")
        imports = f'\n\nimport _ "example.com/c/{kid}"\n' if kid else "\n"
        files[f"{name}/{name}.go"] = f"package {name}{imports}"
    write_tree(root, files)
    got = load_matrix(
        ["./" + names[0]], TARGETS[:1], root=root, goroot=goroot, go_version="go1.27.3"
    )
    (listed,) = got.per_target
    assert len(listed.packages) == depth
    top = next(p for p in listed.packages if p.import_path == "example.com/c/" + names[0])
    assert len(top.deps) == depth - (0 if cycle else 1)
    errors = [p.error.err for p in listed.packages if p.error is not None]
    assert bool(errors) is cycle
    assert all("import cycle not allowed" in e for e in errors)


def test_writev_all_writes_every_piece_in_order() -> None:
    import os
    import threading

    from cgotrap.output import writev_all

    parts = [f"{i:05d}-".encode() * (i % 7 + 1) for i in range(5000)]  # > IOV_MAX pieces
    parts.append(b"x" * (3 << 20))  # more than any pipe holds: writes block and resume
    read_fd, write_fd = os.pipe()
    got: list[bytes] = []

    def drain() -> None:
        while chunk := os.read(read_fd, 1 << 16):
            got.append(chunk)

    reader = threading.Thread(target=drain)
    reader.start()
    try:
        writev_all(write_fd, parts)
    finally:
        os.close(write_fd)
        reader.join(timeout=60)
        os.close(read_fd)
    assert b"".join(got) == b"".join(parts)


def test_targets_share_a_node_only_when_its_imports_fail_alike(tree: tuple[Path, Path]) -> None:
    """The matrix gives two targets one node for a package when its imports have the same
    Deps (their faces), and keeps them apart when an import is a main package on one target
    only (go: "is a program") or has an error on one target only (go checks internal/ only
    for imports without an error): each target still reads as listed alone."""
    root, goroot = tree
    files = {
        "g/g.go": 'package g\n\nimport "example.com/m/h/internal/y"\n',
        "h/internal/y/y_linux.go": "package y\n",  # no Go file elsewhere: an error there
        "q/q_linux.go": "package main\n",
        "q/q_other.go": "//go:build !linux\n\npackage q\n",
        "r/r.go": 'package r\n\nimport "example.com/m/q"\n',
    }
    write_tree(root, files)
    kw = {"root": root, "goroot": goroot, "go_version": "go1.27.3"}
    patterns = ["./g", "./r"]
    shared = load_listing(patterns, TARGETS, **kw)  # type: ignore[arg-type]  # kw is typed loosely
    alone = [load_listing(patterns, [t], **kw) for t in TARGETS]  # type: ignore[arg-type]
    together = list(golist.iter_listing_bytes(shared, matrix=True))
    assert together == [b"".join(golist.iter_listing_bytes(a, matrix=True)) for a in alone]
    linux = together[0] + together[2]
    other = together[1] + together[3]
    for message in (b"is a program, not an importable package", b"use of internal package"):
        assert linux.count(message) == 2
        assert message not in other
    assert b"build constraints exclude all Go files" in other
