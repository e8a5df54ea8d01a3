"""cmd/go's load rules, each in one function that both loaders call (`target` and `fast`)."""

from __future__ import annotations

import os
from typing import TYPE_CHECKING, assert_never

from cgotrap.evaluate.load.pkgpattern import _has_path_prefix
from cgotrap.evaluate.load.resolve import _Resolved

if TYPE_CHECKING:
    from cgotrap.evaluate.context import BuildContext
    from cgotrap.evaluate.directory import DirFacts


def _must_link_external(goos: str, goarch: str) -> bool:
    # internal/platform.MustLinkExternal without cgo: android but arm64, and ios/arm64
    return (goos == "android" and goarch != "arm64") or (goos == "ios" and goarch == "arm64")


def _default_pie(goos: str) -> bool:
    # internal/platform.DefaultPIE without -race
    return goos in ("android", "ios", "windows", "darwin")


_INTERNAL_LINK_PIE = frozenset(
    {
        "android/arm64",
        "darwin/amd64",
        "darwin/arm64",
        "linux/amd64",
        "linux/arm64",
        "linux/loong64",
        "linux/ppc64",
        "linux/ppc64le",
        "linux/s390x",
        "windows/386",
        "windows/amd64",
        "windows/arm64",
    }
)


def _linker_deps(ctx: BuildContext) -> tuple[list[str], str | None]:
    """load.LinkerDeps for a main package in default build mode: (deps, error)."""
    deps = ["runtime"]
    what = ""
    if _must_link_external(ctx.goos, ctx.goarch):
        what = f"{ctx.goos}/{ctx.goarch}"
    elif _default_pie(ctx.goos) and f"{ctx.goos}/{ctx.goarch}" not in _INTERNAL_LINK_PIE:
        what = "default PIE binary"
    if what:
        if not ctx.cgo_enabled:
            return [], f"{what} requires external (cgo) linking, but cgo is not enabled"
        deps.append("runtime/cgo")
    if ctx.goarch == "arm":
        deps.append("math")
    return deps, None


def _find_internal(path: str) -> int | None:
    if path.endswith("/internal"):
        return len(path) - len("internal")
    if "/internal/" in path:
        return path.rindex("/internal/") + 1
    if path == "internal" or path.startswith("internal/"):
        return 0
    return None


def short_path(path: str, cwd: str) -> str:
    """base.ShortPath: the path relative to cwd when that is shorter."""
    try:
        rel = os.path.relpath(path, cwd)
    except ValueError:
        return path
    return rel if len(rel) < len(path) else path


def _shorter_than(s: list[str], t: list[str]) -> bool:
    if len(s) != len(t):
        return len(s) < len(t)
    for a, b in zip(s, t, strict=True):
        if a != b:
            return a < b
    return False


def _error_kind(facts: DirFacts) -> str:
    """How go list files a go/build error: "nogo", "scan" (a parse error with a position:
    the package joins the stack) or "other" (reported at the importing position)."""
    from cgotrap.evaluate.directory import DirErrorKind

    err = facts.error
    if err is None:
        return "none"
    match err.kind:
        case DirErrorKind.NO_GO:
            return "nogo"
        case DirErrorKind.PARSE:
            return "scan"
        case (
            DirErrorKind.MULTIPLE_PACKAGES
            | DirErrorKind.FILE
            | DirErrorKind.CONSTRAINT
            | DirErrorKind.DIRECTORY
        ):
            return "other"
        case _:
            assert_never(err.kind)


def _relevant(facts: DirFacts) -> bool:
    """Whether the package's `_Local` depends on the target traits (see `_FastTarget._local`)."""
    return bool(
        facts.name == "main"
        or facts.cgo_files
        or facts.swig_files
        or facts.swigcxx_files
        or facts.c_files
        or facts.cxx_files
        or facts.m_files
        or "simd" in facts.imports
    )


def _internal_allowed(res: _Resolved, child: _Resolved, i: int) -> bool:
    """disallowInternal's rule (for a child without an error) as a static check."""
    if i > 0:
        i -= 1
    importer_path = res.path
    if _has_path_prefix(importer_path, "crypto") and _has_path_prefix(
        child.path, "crypto/internal/fips140"
    ):
        return True
    if _has_path_prefix(importer_path, "crypto/internal/fips140"):
        return _has_path_prefix(child.path, "crypto/internal")
    if child.module is None:
        if not child.dir:
            return True
        parent_dir = os.path.normpath(child.dir[: i + len(child.dir) - len(child.path)])
        src = os.path.normpath(res.dir)
        return src == parent_dir or src.startswith(parent_dir.rstrip(os.sep) + os.sep)
    return _has_path_prefix(importer_path, child.path[:i])
