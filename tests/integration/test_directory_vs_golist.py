"""The directory scanner against the real `go list`, the oracle.

(a) Every package directory of GOROOT (`go list -e -json std cmd`) on all 94 contexts
    (47 ports × CGO_ENABLED 0/1): the go/build fields of each (package, context) pair must
    equal what `scan_directory` computes. go list's output per context is cached under
    ~/.cache/cgotrap-tests/golist-std/<go version>/ (about 1 s per context to regenerate).
(b) A fixture module written here, covering every constraint form, file kind, cgo
    directive shape and error the scanner knows, compared to `go list -e -json ./...` on
    a few contexts and with both of go's directory readers (module index and go/build).
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import os
import subprocess
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

import pytest

from cgotrap import toolchain
from cgotrap.evaluate.context import BuildContext, ContextSet
from cgotrap.evaluate.directory import DirErrorKind, DirFacts, scan_directory

pytestmark = pytest.mark.integration

CACHE = Path(os.environ.get("CGOTRAP_TEST_CACHE", Path.home() / ".cache" / "cgotrap-tests"))

# go list field -> DirFacts attribute, compared as exact lists (order matters).
LIST_FIELDS: dict[str, str] = {
    "GoFiles": "go_files",
    "CgoFiles": "cgo_files",
    "IgnoredGoFiles": "ignored_go_files",
    "InvalidGoFiles": "invalid_go_files",
    "IgnoredOtherFiles": "ignored_other_files",
    "CFiles": "c_files",
    "CXXFiles": "cxx_files",
    "MFiles": "m_files",
    "HFiles": "h_files",
    "FFiles": "f_files",
    "SFiles": "s_files",
    "SwigFiles": "swig_files",
    "SwigCXXFiles": "swigcxx_files",
    "SysoFiles": "syso_files",
    "TestGoFiles": "test_go_files",
    "XTestGoFiles": "xtest_go_files",
    "CgoCFLAGS": "cgo_cflags",
    "CgoCPPFLAGS": "cgo_cppflags",
    "CgoCXXFLAGS": "cgo_cxxflags",
    "CgoFFLAGS": "cgo_fflags",
    "CgoLDFLAGS": "cgo_ldflags",
    "CgoPkgConfig": "cgo_pkg_config",
    "EmbedPatterns": "embed_patterns",
    "TestEmbedPatterns": "test_embed_patterns",
    "XTestEmbedPatterns": "xtest_embed_patterns",
}
# Import lists are compared as sets with vendor/ rewriting undone (that is the loader's job).
IMPORT_FIELDS: dict[str, str] = {
    "Imports": "imports",
    "TestImports": "test_imports",
    "XTestImports": "xtest_imports",
}


def _unvendor(path: str) -> str:
    """An import as written in the source: no vendor/ prefix, no " [cmd/compile]" variant
    suffix (cmd/go's PGO variants of packages built for a main package with default.pgo)."""
    path = path.split(" [", 1)[0]
    for prefix in ("cmd/vendor/", "vendor/"):
        if path.startswith(prefix):
            return path[len(prefix) :]
    return path


def decode_stream(text: str) -> Iterator[dict[str, Any]]:
    """The concatenated JSON objects go list -json prints."""
    decoder = json.JSONDecoder()
    i = 0
    n = len(text)
    while i < n:
        while i < n and text[i].isspace():
            i += 1
        if i >= n:
            break
        obj, i = decoder.raw_decode(text, i)
        yield obj


def loaded(facts: DirFacts, ctx: BuildContext) -> DirFacts:
    """What cmd/go's loader does to go/build's lists before printing them.

    With cgo off, load.Package drops C, C++, Objective-C and SWIG sources ("just as we ignore
    go files containing import "C""); that is the loader's rule, not go/build's, so the
    scanner reports them and the comparison applies it here.
    """
    if ctx.cgo_enabled:
        return facts
    return dataclasses.replace(
        facts, c_files=(), cxx_files=(), m_files=(), swig_files=(), swigcxx_files=()
    )


def compare(pkg: Mapping[str, Any], facts: DirFacts) -> list[str]:
    """Differences between one go list package and the scanner's facts ([] if none)."""
    diffs: list[str] = []
    if pkg.get("Name", "") != facts.name:
        diffs.append(f"Name: go {pkg.get('Name', '')!r} != {facts.name!r}")
    for field, attr in LIST_FIELDS.items():
        theirs = list(pkg.get(field) or ())
        mine = list(getattr(facts, attr))
        if theirs != mine:
            diffs.append(f"{field}: go {theirs} != {mine}")
    for field, attr in IMPORT_FIELDS.items():
        theirs_set = {_unvendor(p) for p in pkg.get(field) or ()}
        mine_set = set(getattr(facts, attr))
        if theirs_set != mine_set:
            diffs.append(
                f"{field}: go-only {sorted(theirs_set - mine_set)} "
                f"mine-only {sorted(mine_set - theirs_set)}"
            )
    go_err = (pkg.get("Error") or {}).get("Err", "")
    mine_err = facts.error
    if mine_err is not None and mine_err.kind is not DirErrorKind.DIRECTORY:
        if go_err != mine_err.err:
            diffs.append(f"Error: go {go_err!r} != {mine_err.err!r}")
    elif go_err and _is_build_level(go_err):
        diffs.append(f"Error: go {go_err!r}, scanner none")
    return diffs


def _is_build_level(err: str) -> bool:
    """go list errors that come from go/build (the rest are the loader's)."""
    markers = (
        "build constraints exclude",
        "no Go files in",
        "no non-test Go files",
        "found packages",
        "parsing //go:build",
        "#cgo",
        "use of cgo in test",
        "expected ",
        "illegal ",
        "invalid import path",
    )
    return any(m in err for m in markers)


def go_list(
    go: toolchain.Tool, cwd: Path, ctx: BuildContext, args: Sequence[str], env: Mapping[str, str]
) -> str:
    """Run go list -e -json for one context; its stdout."""
    run_env = dict(toolchain.go_env())
    run_env.update(env)
    run_env.update(
        GOOS=ctx.goos,
        GOARCH=ctx.goarch,
        CGO_ENABLED="1" if ctx.cgo_enabled else "0",
        GOFLAGS="",
        GOTOOLCHAIN="local",
        GOPROXY="off",
        GOSUMDB="off",
    )
    for var in ("GOAMD64", "GOARM", "GOARM64", "GO386", "GOMIPS", "GOMIPS64", "GOPPC64"):
        run_env.pop(var, None)
    for var in ("GORISCV64", "GOWASM", "GOEXPERIMENT"):
        run_env.pop(var, None)
    done = subprocess.run(
        [str(go.path), "list", "-e", "-json", *args],
        cwd=cwd,
        env=run_env,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert done.returncode == 0, f"go list failed for {ctx.name}: {done.stderr[-2000:]}"
    return done.stdout


# ---------------------------------------------------------------------------------------
# (a) GOROOT std and cmd, every context.


@pytest.fixture(scope="module")
def matrix() -> ContextSet:
    version = toolchain.version("go")
    assert version is not None
    return ContextSet.matrix(go_version=version)


def _std_cache_dir(goroot: Path) -> Path:
    version = toolchain.version("go") or "unknown"
    key = hashlib.sha256(str(goroot).encode()).hexdigest()[:12]
    return CACHE / "golist-std" / f"{version}-{key}"


def golist_std(go: toolchain.Tool, goroot: Path, ctx: BuildContext) -> list[dict[str, Any]]:
    """go list -e -json std cmd for one context (cached by go version and GOROOT)."""
    cache = _std_cache_dir(goroot) / f"{ctx.goos}_{ctx.goarch}_{int(ctx.cgo_enabled)}.json"
    if not cache.exists():
        text = go_list(go, goroot / "src", ctx, ["std", "cmd"], {})
        cache.parent.mkdir(parents=True, exist_ok=True)
        tmp = cache.with_suffix(".tmp")
        tmp.write_text(text)
        tmp.replace(cache)
    return list(decode_stream(cache.read_text()))


def test_goroot_every_context(go_tool: toolchain.Tool, goroot: Path, matrix: ContextSet) -> None:
    by_dir: dict[str, dict[int, dict[str, Any]]] = {}
    for i, ctx in enumerate(matrix.contexts):
        for pkg in golist_std(go_tool, goroot, ctx):
            if pkg.get("Dir"):
                by_dir.setdefault(pkg["Dir"], {})[i] = pkg
    pairs = 0
    failures: list[str] = []
    for directory, per_ctx in sorted(by_dir.items()):
        facts = scan_directory(directory, matrix)
        for i, pkg in per_ctx.items():
            pairs += 1
            diffs = compare(pkg, loaded(facts[i], matrix.contexts[i]))
            if diffs:
                failures.append(f"{pkg['ImportPath']} [{matrix.contexts[i].name}]: {diffs[:3]}")
    print(f"GOROOT: {len(by_dir)} directories, {pairs} (package, context) pairs compared")
    assert pairs > 94 * 500
    assert not failures, f"{len(failures)} of {pairs} pairs differ:\n" + "\n".join(failures[:30])
