"""Go module fixtures written by the tests, and `go list` as the oracle (cached).

Fixtures are small templates expanded into a directory (`write_tree`). `golist` runs the
real `go list -e -deps -json` for one configuration and caches its output under
~/.cache/cgotrap-tests/golist/<go version>/, keyed by the tree's content, the patterns and
the environment, with the fixture's own directory replaced by "$ROOT" so a fresh temporary
copy of the same fixture hits the cache.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import subprocess
import zipfile
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path
from typing import Any

from cgotrap import toolchain
from cgotrap.discover.modcache import escape

CACHE = Path(os.environ.get("CGOTRAP_TEST_CACHE", Path.home() / ".cache" / "cgotrap-tests"))

# The go list fields cgotrap promises to match.
FIELDS = (
    "Dir",
    "ImportPath",
    "Name",
    "Module",
    "Standard",
    "DepOnly",
    "Incomplete",
    "GoFiles",
    "CgoFiles",
    "IgnoredGoFiles",
    "CFiles",
    "CXXFiles",
    "MFiles",
    "HFiles",
    "SFiles",
    "SwigFiles",
    "SysoFiles",
    "TestGoFiles",
    "XTestGoFiles",
    "Imports",
    "Deps",
    "CgoCFLAGS",
    "CgoCPPFLAGS",
    "CgoCXXFLAGS",
    "CgoLDFLAGS",
    "CgoPkgConfig",
    "Error",
    "DepsErrors",
)


def write_tree(root: Path, files: Mapping[str, str | bytes]) -> Path:
    """Write `files` (relative path -> text or bytes) under root; return root."""
    for rel, content in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content)
    return root


def gomod(module: str, go: str = "1.22", *extra: str) -> str:
    """A go.mod text."""
    return "\n".join([f"module {module}", "", f"go {go}", *extra, ""])


def gofile(package: str, *imports: str, header: str = "", body: str = "") -> str:
    """A Go file: optional header (constraints, cgo preamble), package clause, imports."""
    lines = []
    if header:
        lines += [header, ""]
    lines.append(f"package {package}")
    if imports:
        lines.append("")
        lines.append("import (")
        lines += [f'\t_ "{imp}"' if imp != "C" else '\t"C"' for imp in imports]
        lines.append(")")
    if body:
        lines += ["", body]
    return "\n".join(lines) + "\n"


def go_env(extra: Mapping[str, str] | None = None) -> dict[str, str]:
    """The environment the oracle runs in: local toolchain, no network."""
    env = toolchain.go_env()
    # GOENV=off: no `go env -w` file of the machine's user (a test gives its own)
    env.update(
        {"GOTOOLCHAIN": "local", "GOPROXY": "off", "GOSUMDB": "off", "GOFLAGS": "", "GOENV": "off"}
    )
    env.pop("GOOS", None)
    env.pop("GOARCH", None)
    env.pop("CGO_ENABLED", None)
    env.pop("GOWORK", None)
    if extra:
        env.update(extra)
    return env


def tree_digest(root: Path) -> str:
    """A digest of every file under root (names, contents, symlink targets)."""
    h = hashlib.sha256()
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames.sort()
        for name in sorted(filenames):
            full = Path(dirpath) / name
            h.update(str(full.relative_to(root)).encode("utf-8", "surrogateescape") + b"\0")
            if full.is_symlink():
                h.update(b"link:" + str(full.readlink()).encode("utf-8", "surrogateescape"))
            elif full.is_file():
                h.update(full.read_bytes())
            h.update(b"\0")
    return h.hexdigest()


def iter_json_objects(text: str) -> Iterator[dict[str, Any]]:
    """The objects of a stream of concatenated JSON values (go list -json output)."""
    decoder = json.JSONDecoder()
    i = 0
    n = len(text)
    while True:
        while i < n and text[i] in " \t\r\n":
            i += 1
        if i >= n:
            return
        obj, i = decoder.raw_decode(text, i)
        yield obj


def golist(
    cwd: Path,
    patterns: Iterable[str],
    *,
    goos: str,
    goarch: str,
    cgo: bool,
    root: Path | None = None,
    env: Mapping[str, str] | None = None,
    digest: str | None = None,
    flags: Iterable[str] = (),
    full_json: bool = False,
) -> list[dict[str, Any]]:
    """`go list -e -deps -json=FIELDS [flags] patterns` in cwd for one configuration (cached).

    `full_json`: a plain `-json` instead (go then resolves //go:embed patterns, as it does
    whenever the output needs EmbedFiles).

    `root` (default cwd) is replaced by "$ROOT" in the cached text; `digest` identifies the
    tree's content (default: computed from root).
    """
    go = toolchain.require("go")
    version = toolchain.version("go") or "unknown"
    root = root or cwd
    pats = list(patterns)
    flag_list = list(flags)
    full_env = go_env(env)
    full_env.update({"GOOS": goos, "GOARCH": goarch, "CGO_ENABLED": "1" if cgo else "0"})
    key_env = dict(sorted((env or {}).items()))
    key = json.dumps(
        [
            digest or tree_digest(root),
            os.path.relpath(cwd, root),
            pats,
            goos,
            goarch,
            cgo,
            key_env,
            str(go.path),
            FIELDS,
            flag_list,
            full_json,
        ],
        sort_keys=True,
    ).replace(str(root), "$ROOT")
    name = hashlib.sha256(key.encode()).hexdigest()[:32]
    cache_file = CACHE / "golist" / version / f"{name}.json"
    if cache_file.is_file():
        text = cache_file.read_text(encoding="utf-8").replace("$ROOT", str(root))
    else:
        done = subprocess.run(
            [
                str(go.path),
                "list",
                "-e",
                "-deps",
                "-json" if full_json else "-json=" + ",".join(FIELDS),
                *flag_list,
                *pats,
            ],
            cwd=cwd,
            env=full_env,
            capture_output=True,
            text=True,
            timeout=600,
            check=False,
        )
        if done.returncode != 0:
            raise RuntimeError(f"go list failed ({done.returncode}): {done.stderr}")
        text = done.stdout
        cache_file.parent.mkdir(parents=True, exist_ok=True)
        tmp = cache_file.with_suffix(".tmp")
        tmp.write_text(text.replace(str(root), "$ROOT"), encoding="utf-8")
        tmp.replace(cache_file)
    return list(iter_json_objects(text))


def comparable(obj: Mapping[str, Any]) -> dict[str, Any]:
    """The fields compared with go list (Module reduced to its Path)."""
    out: dict[str, Any] = {}
    for key in FIELDS:
        if key not in obj:
            continue
        value = obj[key]
        if key == "Module":
            value = {"Path": value.get("Path")}
        if key == "DepsErrors":  # go's order among errors of one package is random
            value = sorted(value, key=lambda e: (_deps_error_key(e), json.dumps(e)))
        out[key] = value
    return out


def _deps_error_key(err: Mapping[str, Any]) -> tuple[int, str]:
    """go list's DepsErrors order (cmd/go/internal/list.collectDepsErrors)."""
    stack = err.get("ImportStack") or []
    return (1, stack[-1]) if stack else (0, err["Err"])


def diff_packages(want: list[dict[str, Any]], got: list[dict[str, Any]]) -> list[str]:
    """Human-readable differences: order, missing/extra packages, per-field values."""
    out: list[str] = []
    want_paths = [w["ImportPath"] for w in want]
    got_paths = [g["ImportPath"] for g in got]
    if want_paths != got_paths:
        missing = sorted(set(want_paths) - set(got_paths))
        extra = sorted(set(got_paths) - set(want_paths))
        if missing:
            out.append(f"missing packages: {missing[:10]}")
        if extra:
            out.append(f"extra packages: {extra[:10]}")
        if not missing and not extra:
            first = next(
                i for i, (a, b) in enumerate(zip(want_paths, got_paths, strict=False)) if a != b
            )
            out.append(
                f"order differs at {first}: go {want_paths[first]} cgotrap {got_paths[first]}"
            )
    got_by_path = {g["ImportPath"]: g for g in got}
    for w in want:
        g = got_by_path.get(w["ImportPath"])
        if g is None:
            continue
        keys = [_deps_error_key(e) for e in g.get("DepsErrors", [])]
        if keys != sorted(keys):
            out.append(f"{w['ImportPath']}: DepsErrors not in go's order: {keys}")
        cw, cg = comparable(w), comparable(g)
        out.extend(
            f"{w['ImportPath']}: {key}: go {cw.get(key)!r} cgotrap {cg.get(key)!r}"
            for key in FIELDS
            if cw.get(key) != cg.get(key)
        )
    return out


# ------------------------------------------------------------------------------------
# A file:// module proxy


def write_proxy(proxy: Path, module: str, version: str, files: Mapping[str, str]) -> None:
    """Add module@version (with `files`, which must include go.mod) to a file:// GOPROXY."""
    base = proxy / escape(module) / "@v"
    base.mkdir(parents=True, exist_ok=True)
    with (base / "list").open("a") as f:
        f.write(version + "\n")
    (base / f"{escape(version)}.info").write_text(json.dumps({"Version": version}))
    (base / f"{escape(version)}.mod").write_text(files["go.mod"])
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        for rel, content in sorted(files.items()):
            z.writestr(f"{module}@{version}/{rel}", content)
    (base / f"{escape(version)}.zip").write_bytes(buf.getvalue())


def download(module_dir: Path, proxy: Path, modcache: Path) -> None:
    """`go mod tidy` against the file:// proxy into a private GOMODCACHE (writes go.sum)."""
    go = toolchain.require("go")
    env = go_env(
        {
            "GOPROXY": proxy.as_uri(),
            "GOMODCACHE": str(modcache),
            "GOFLAGS": "-mod=mod",
            "GONOSUMDB": "*",
            "GOPRIVATE": "",
        }
    )
    subprocess.run(
        [str(go.path), "mod", "tidy"],
        cwd=module_dir,
        env=env,
        check=True,
        capture_output=True,
        timeout=300,
    )
