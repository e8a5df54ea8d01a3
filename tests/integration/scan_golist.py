"""A `MatrixResult` built from the real `go list -e -deps -json`, one run per target (cached).

The scan tests judge these facts so that the real go command is the oracle for the file sets,
errors and imports that `scan` reasons about. go list has no `#include` field: each cgo
file's `/* */` preamble is found here with a plain regular expression (test-only) and its
includes, with their `#if` guards, read by the reader's `extract_includes`.
Results are cached under ~/.cache/cgotrap-tests/scan-golist/ keyed by the tree's content,
the patterns, the target and the go version.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import subprocess
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from cgotrap import toolchain
from cgotrap.evaluate.model import MatrixResult, PackageError, PackageFacts, TargetPackages
from cgotrap.read.gofile import Include, extract_includes
from cgotrap.targets import Target

CACHE = Path(os.environ.get("CGOTRAP_TEST_CACHE", Path.home() / ".cache" / "cgotrap-tests"))
_PREAMBLE = re.compile(r"/\*(.*?)\*/\s*import\s+\"C\"", re.DOTALL)


def go_env(target: Target, tags: Sequence[str] = ()) -> dict[str, str]:
    env = dict(toolchain.go_env())
    env.update(
        GOOS=target.goos,
        GOARCH=target.goarch,
        CGO_ENABLED=str(int(target.cgo)),
        GOFLAGS="",
        GOPROXY="off",
        GOSUMDB="off",
        GOTOOLCHAIN="local",
    )
    if tags:
        env["GOFLAGS"] = "-tags=" + ",".join(tags)
    return env


def _tree_key(root: Path) -> str:
    digest = hashlib.sha256()
    for path in sorted(root.rglob("*")):
        if path.is_file():
            digest.update(path.relative_to(root).as_posix().encode() + b"\0")
            digest.update(path.read_bytes() + b"\0")
    return digest.hexdigest()[:20]


def golist_json(
    root: Path, patterns: Sequence[str], target: Target, *, fixed_tree: bool = False
) -> list[dict[str, Any]]:
    """`go list -e -deps -json` objects, cached by the tree (or, with `fixed_tree`, GOROOT), the
    patterns, the target and the go binary: the objects hold absolute GOROOT paths, so two
    toolchains of one version in two places never share an entry."""
    go = toolchain.require("go")
    tree = "goroot" if fixed_tree else _tree_key(root)
    key = hashlib.sha256(
        json.dumps(
            [tree, list(patterns), target.name, toolchain.version("go"), str(go.path)]
        ).encode()
    ).hexdigest()[:24]
    cached = CACHE / "scan-golist" / f"{key}.json"
    if cached.exists():
        text = cached.read_text().replace("$ROOT", str(root))
        return list(json.loads(text))
    done = subprocess.run(
        [str(go.path), "list", "-e", "-deps", "-json", *patterns],
        cwd=root,
        env=go_env(target),
        capture_output=True,
        text=True,
        check=False,
        timeout=600,
    )
    assert done.returncode == 0, done.stderr
    decoder = json.JSONDecoder()
    out: list[dict[str, Any]] = []
    text = done.stdout
    index = 0
    while index < len(text):
        while index < len(text) and text[index].isspace():
            index += 1
        if index >= len(text):
            break
        obj, index = decoder.raw_decode(text, index)
        out.append(obj)
    cached.parent.mkdir(parents=True, exist_ok=True)
    partial = cached.with_suffix(f".{os.getpid()}.tmp")
    partial.write_text(json.dumps(out).replace(str(root), "$ROOT"))
    partial.replace(cached)
    return out


def _includes(directory: str, cgo_files: Sequence[str]) -> tuple[Include, ...]:
    found: list[Include] = []
    for name in cgo_files:
        text = Path(directory, name).read_text(errors="replace")
        for preamble in _PREAMBLE.finditer(text):
            line = text.count("\n", 0, preamble.start(1)) + 1
            found.extend(extract_includes(preamble.group(1), line))
    return tuple(found)


def _facts(obj: dict[str, Any], target: Target) -> PackageFacts:
    def strings(key: str) -> tuple[str, ...]:
        return tuple(obj.get(key) or ())

    err = obj.get("Error")
    return PackageFacts(
        target=target,
        dir=obj.get("Dir", ""),
        import_path=obj["ImportPath"],
        name=obj.get("Name", ""),
        module_path=(obj.get("Module") or {}).get("Path"),
        standard=bool(obj.get("Standard")),
        dep_only=bool(obj.get("DepOnly")),
        go_files=strings("GoFiles"),
        cgo_files=strings("CgoFiles"),
        ignored_go_files=strings("IgnoredGoFiles"),
        c_files=strings("CFiles"),
        cxx_files=strings("CXXFiles"),
        m_files=strings("MFiles"),
        h_files=strings("HFiles"),
        f_files=strings("FFiles"),
        s_files=strings("SFiles"),
        swig_files=strings("SwigFiles"),
        swigcxx_files=strings("SwigCXXFiles"),
        syso_files=strings("SysoFiles"),
        imports=strings("Imports"),
        deps=strings("Deps"),
        cgo_cflags=strings("CgoCFLAGS"),
        cgo_cppflags=strings("CgoCPPFLAGS"),
        cgo_ldflags=strings("CgoLDFLAGS"),
        cgo_pkg_config=strings("CgoPkgConfig"),
        includes=_includes(obj.get("Dir", ""), strings("CgoFiles")) if obj.get("Dir") else (),
        error=None
        if err is None
        else PackageError(err=err.get("Err", ""), import_stack=tuple(err.get("ImportStack") or ())),
    )


def golist_matrix(
    root: Path, patterns: Sequence[str], targets: Sequence[Target], *, fixed_tree: bool = False
) -> MatrixResult:
    per_target = []
    for target in targets:
        objs = golist_json(root, patterns, target, fixed_tree=fixed_tree)
        listed = [_facts(obj, target) for obj in objs]
        roots = tuple(p.import_path for p in listed if not p.dep_only)
        per_target.append(TargetPackages(target=target, packages=tuple(listed), roots=roots))
    return MatrixResult(
        module_root=str(root), patterns=tuple(patterns), tags=(), per_target=tuple(per_target)
    )
