"""Import resolution as modload.importFromModules and stdVendor do it: target-independent."""

# ruff: noqa: PTH112, PTH113, PTH117, PTH118, PTH120

from __future__ import annotations

import dataclasses
import os
from collections.abc import Sequence
from typing import TYPE_CHECKING

from cgotrap.discover import modcache
from cgotrap.discover.goroot import (
    is_standard_import_path,
    is_standard_package,
    std_vendor_path,
)
from cgotrap.discover.project import Project
from cgotrap.evaluate.load.pkgpattern import _has_path_prefix
from cgotrap.gostd import compare_go_versions, quote, quote_rune
from cgotrap.inputs import read_regular

if TYPE_CHECKING:
    pass

_MAX_GO_SUM_BYTES = 64 << 20  # go.sum of a large module graph is a few MiB


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
    malformed: bool = False
    """load.loadPackageData refused the path itself ("mod/...", "@"): go makes a package of
    the path alone and puts the path on the error's import stack."""
    version: str = ""
    """The module's version ("" for a main module, a directory or std)."""


class _Resolver:
    """modload.importFromModules + stdVendor, memoized (nothing here depends on the target)."""

    def __init__(self, project: Project) -> None:
        self.project = project
        self.goroot_src = str(project.goroot / "src")
        self._memo: dict[tuple[str, str], _Resolved] = {}
        self._found: dict[str, _Resolved] = {}
        """The paths found (no error) by the path looked up, whoever imports them."""
        self._gomod_memo: dict[str, bool] = {}
        self._godir_memo: dict[str, bool] = {}
        self._probed_roots: dict[str, None] = {}
        self._sums: frozenset[str] | None = None
        self.in_goroot = project.in_goroot
        """`Project.in_goroot` (a property worked out from paths: asked once per import)."""
        self.importer_dependent = False
        """Some result depends on the importer (then the first importer go meets decides)."""
        self.mains = [(m.path, str(m.dir)) for m in project.main_modules]
        # before go 1.17 go reads the whole module graph first, and refuses the run when a
        # go.mod in it is unreadable (ModGraphError, go's text)
        self.graph = None
        if not (project.vendor or project.in_goroot or not project.main_modules):
            # (where `load_for_packages` reads none, its module is not even imported: GOROOT
            # std and vendored trees save ~2 ms)
            from cgotrap.discover.modgraph import load_for_packages

            self.graph = load_for_packages(project)
        self.pruned = self.graph is not None and self.graph.pruning == "pruned"
        self.graph_paths: set[str] = set()
        """Import paths found only by looking past the roots into the full module graph."""
        self.downloaded: dict[tuple[str, str], str] = {}
        """(module path, version) -> its directory in the module cache, for the modules
        that provided a package (modfetch.Download's)."""
        cwd = str(project.cwd)
        self.cwd_module = ""
        for path, root in self.mains:
            if cwd == root or cwd.startswith(root + os.sep):
                self.cwd_module = path

    def resolve(self, path: str, parent_path: str, parent_std: bool) -> _Resolved:
        importer_class = ""
        if parent_std:  # (`_has_path_prefix(parent_path, "cmd")`, per import: inlined)
            cmd = parent_path == "cmd" or parent_path.startswith("cmd/")
            importer_class = "cmd" if cmd else "std"
        key = (importer_class, path)
        got = self._memo.get(key)
        if got is None:
            real = path
            if parent_std:
                real = std_vendor_path(self.goroot_src, parent_path, path)
            # (the importer only words errors: a path found is found for every importer,
            # such as a standard package a pattern matched and standard packages import)
            got = self._found.get(real)
            if got is None:
                got = self._import_from_modules(real, parent_path)
                if got.error is None:
                    self._found[real] = got
            if got.error is None or not got.error.startswith("missing go.sum entry"):
                self._memo[key] = got  # go.sum errors name the importer: not shared
            else:
                self.importer_dependent = True
        return got

    # cmd/go/internal/modload/load.go: updateRequirements (go1.27.3)
    def implicit_import_error(self, importer: _Resolved, kids: Sequence[_Resolved]) -> str | None:
        """DirectImportFromImplicitDependencyError: a main module's package importing from a
        module go.mod does not require at the selected version (the first such import);
        in a workspace, from a module whose go.mod the graph did not read (the last one).

        With a pruned graph outside a workspace go refuses the whole run instead (`tidy`).
        Never with -mod=mod or in vendor mode.
        """
        graph = self.graph
        project = self.project
        if graph is None or graph.pruning == "pruned" or project.build_mod == "mod":
            return None
        mains = {m for m, _ in self.mains}
        if importer.error is not None or importer.module not in mains:
            return None
        found = None
        for kid in kids:
            if kid.error is not None or kid.module is None or kid.module in mains:
                continue
            if graph.pruning == "workspace":
                from cgotrap.discover.modgraph import ModuleVersion

                missing = ModuleVersion(path=kid.module, version=kid.version) not in graph.required
            else:
                missing = project.requires.get(kid.module) != kid.version
            if missing:
                found = (
                    f"package {importer.path} imports {kid.path} from implicitly required "
                    "module; to add missing requirements, run:\n\tgo get "
                    f"{kid.module}@{kid.version}"
                )
                if graph.pruning != "workspace":
                    break
        return found

    def probed_gomod(self) -> list[str]:
        """The directories whose go.mod (or its absence) decided something so far."""
        return list(self._gomod_memo)

    def probed_dirs(self) -> list[str]:
        """The directories looked into for Go files so far (fsys.IsGoDir), and the module
        cache directories whose presence decided whether a module was downloaded."""
        return [*self._godir_memo, *self._probed_roots]

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
        refused = load_package_data_refusal(path)
        if refused is not None:
            return _Resolved(
                path=path, dir="", module=None, goroot=False, error=refused, malformed=True
            )
        if path.startswith(("./", "../")) or path in (".", ".."):
            return self._invalid(
                path,
                f'"{path}" is relative, but relative import paths are not supported in module mode',
            )
        if os.path.isabs(path):
            return self._invalid(path, f"\"{path}\" is not a package path; see 'go help packages'")
        bad_path = check_import_path(path)
        if bad_path is not None:
            return self._invalid(path, bad_path)
        project = self.project
        found: list[tuple[str, str | None, bool]] = []  # (dir, module, goroot)
        if is_standard_package(self.goroot_src, path):
            found.append((os.path.join(self.goroot_src, path), None, True))
            if self.in_goroot:
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
                if module is not None or compare_go_versions(project.go_version, "1.23") < 0:
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

        # modload.importFromModules: with a pruned graph, the roots first, then the graph
        got = self._from_modules(path, parent_path, found, full=not self.pruned)
        if got is None:
            self.graph_paths.add(path)
            graph = self.graph
            if graph is not None and graph.error:
                return self._invalid(path, graph.error)
            got = self._from_modules(path, parent_path, found, full=True)
        if got is None:
            got = _Resolved(
                path=path, dir="", module=None, goroot=False, error=self._missing(path, parent_path)
            )
        return got

    def _from_modules(
        self, path: str, parent_path: str, found: list[tuple[str, str | None, bool]], *, full: bool
    ) -> _Resolved | None:
        """One pass of importFromModules' loop (roots only, or the `full` graph); None when
        no module provides the package."""
        modules: list[tuple[str, str, str]] = []  # (module path, version, dir)
        sum_missing: list[str] = []
        prefix = path
        while prefix not in (".", ""):
            mod_root, version, is_local = self.module_root(prefix, full=full)
            if mod_root is not None:
                if not is_local:
                    sum_mod = self._sum_module(prefix, version)
                    if sum_mod not in self._go_sum():
                        sum_missing.append(prefix)
                        prefix = os.path.dirname(prefix)
                        continue
                    self._probed_roots[mod_root] = None
                    if not os.path.isdir(mod_root):
                        return self._invalid(path, self._not_downloaded(prefix, version))
                directory, ok = self._dir_in_module(path, prefix, mod_root, is_local=is_local)
                if ok:
                    modules.append((prefix, version, directory))
                    if not is_local:
                        self.downloaded[prefix, version] = mod_root
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
            mpath, version, directory = modules[0]
            return _Resolved(
                path=path, dir=directory, module=mpath, goroot=False, error=None, version=version
            )
        return None

    def module_root(self, prefix: str, *, full: bool = True) -> tuple[str | None, str, bool]:
        """(root directory, version, is_local) of module `prefix` in the build list (the
        roots only, with `full` false: rs.rootSelected rather than mg.Selected)."""
        for mpath, root in self.mains:
            if mpath == prefix:
                return root, "", True
        version = self.project.requires.get(prefix)
        if full and self.graph is not None:
            # mg.Selected: a module reached only through a dependency's requirements counts
            version = self.graph.selected(prefix) or None
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
                    text = read_regular(name, _MAX_GO_SUM_BYTES).decode("utf-8", "replace")
                    for line in text.splitlines():
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
            # modload.resolveLocalPackage: a directory with "@" below the module root is not
            # the module's (the module cache's old layout looked like that)
            if inside and "@" in directory[len(root) :]:
                continue
            if inside and (best is None or len(root) > len(best[1])):
                best = (mpath, root)
        if best is not None:
            mpath, root = best
            rel = os.path.relpath(directory, root).replace(os.sep, "/")
            if self.in_goroot and mpath == "std":
                return ("" if rel == "." else rel), None, True
            if self.in_goroot and mpath == "cmd":
                return ("cmd" if rel == "." else f"cmd/{rel}"), None, True
            return (mpath if rel == "." else f"{mpath}/{rel}"), mpath, False
        if directory.startswith(self.goroot_src + os.sep):
            rel = os.path.relpath(directory, self.goroot_src).replace(os.sep, "/")
            if "@" not in rel:
                return rel, None, True
        return None


# cmd/go/internal/load/pkg.go: loadPackageData's first checks (go1.27.3), made before any
# lookup, for an import and a package a pattern matched alike
def load_package_data_refusal(path: str) -> str | None:
    """The error of a path go will not even look up, or None."""
    if path.startswith("mod/"):
        return f"disallowed import path {quote(path)}"
    if "@" in path:
        return (
            "can only use path@version syntax with 'go get' and 'go install' in module-aware mode"
        )
    return None


_BAD_WINDOWS_NAMES = frozenset(
    {"CON", "PRN", "AUX", "NUL"}
    | {f"COM{i}" for i in range(1, 10)}
    | {f"LPT{i}" for i in range(1, 10)}
)


# golang.org/x/mod/module: CheckImportPath, checkPath, checkElem, importPathOK (as vendored
# in go1.27.3's cmd/vendor); the error as modload.invalidImportError prints it
def check_import_path(path: str) -> str | None:
    """go's "malformed import path" error for `path`, or None when go accepts it."""
    problem = _check_path(path, file_path=False)
    return None if problem is None else f"malformed import path {quote(path)}: {problem}"


def check_file_path(path: str) -> str | None:
    """module.CheckFilePath's error for `path` ("malformed file path ..."), or None."""
    problem = _check_path(path, file_path=True)
    return None if problem is None else f"malformed file path {quote(path)}: {problem}"


def _check_path(path: str, *, file_path: bool) -> str | None:
    if not path.isascii() and any("\udc80" <= ch <= "\udcff" for ch in path):
        return "invalid UTF-8"  # (undecodable bytes)
    if not path:
        return "empty string"
    if path[0] == "-" and not file_path:
        return "leading dash"
    if "//" in path:
        return "double slash"
    if path[-1] == "/":
        return "trailing slash"
    for elem in path.split("/"):
        problem = _check_elem(elem, file_path=file_path)
        if problem is not None:
            return problem
    return None


_ALNUM = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
"""`string.ascii_letters + string.digits` (`string` is first needed after a scan's helper
forks, by the judge: the CLI defers it)."""
_IMPORT_PATH_CHARS = frozenset(_ALNUM + "-._~+")
"""The characters `_import_path_ok` accepts."""
_FILE_NAME_ASCII = frozenset(_ALNUM + "!#$%&()+,-.=@[]^_{}~ ")
"""The ASCII characters `_file_name_ok` accepts."""


def _import_path_ok(ch: str) -> bool:
    return ch.isascii() and (ch.isalnum() or ch in "-._~+")


def _file_name_ok(ch: str) -> bool:
    if ch.isascii():
        return ch.isalnum() or ch in "!#$%&()+,-.=@[]^_{}~ "
    return ch.isalpha()


def _check_elem(elem: str, *, file_path: bool) -> str | None:
    if not elem:
        return "empty path element"
    if elem.count(".") == len(elem):
        return f"invalid path element {quote(elem)}"
    if elem[-1] == ".":
        return "trailing dot in path element"
    # (most paths have only plain characters: checked as a set, in C, before one by one)
    if not (_FILE_NAME_ASCII if file_path else _IMPORT_PATH_CHARS).issuperset(elem):
        ok = _file_name_ok if file_path else _import_path_ok
        for ch in elem:
            if not ok(ch):
                return f"invalid char {quote_rune(ord(ch))}"
    short = elem.split(".", 1)[0]
    if short.upper() in _BAD_WINDOWS_NAMES:
        return f"{quote(short)} disallowed as path element component on Windows"
    if file_path:
        return None
    tilde = short.rfind("~")
    suffix = short[tilde + 1 :]
    if 0 <= tilde < len(short) - 1 and suffix.isascii() and suffix.isdigit():
        return "trailing tilde and digits in path element"
    return None
