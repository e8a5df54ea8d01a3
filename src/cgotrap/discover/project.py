"""Find the main module or workspace a directory belongs to, as `go` does.

cmd/go/internal/modload/init.go: GOWORK=off disables workspaces, GOWORK=path names one,
otherwise go.work is searched upwards from the directory (never crossing GOROOT); the main
module is the nearest go.mod upwards. Inside GOROOT/src the main module is "std".
"""

from __future__ import annotations

import dataclasses
import os
import stat
from collections.abc import Mapping
from pathlib import Path

from cgotrap.discover import modcache
from cgotrap.discover.goenv import goflag
from cgotrap.discover.gomod import (
    GoMod,
    GoWork,
    Replace,
    parse_gomod,
    parse_gowork,
)
from cgotrap.discover.modsyntax import GoModError
from cgotrap.discover.vendor import (
    VendorCheckModule,
    VendorError,
    VendorList,
    check_vendor_consistency,
    read_modules_txt,
    vendor_mode,
)
from cgotrap.errors import InputError
from cgotrap.gostd import compare_go_versions, compare_semver, short_path
from cgotrap.inputs import NotRegularFileError

NO_GO_MOD = (
    "go.mod file not found in current directory or any parent directory; see 'go help modules'"
)


class NoModuleError(InputError):
    """No go.mod above the directory (the patterns need a main module)."""


@dataclasses.dataclass(frozen=True, kw_only=True, slots=True)
class MainModule:
    """A module whose packages are "the main module" (several in a workspace)."""

    path: str
    """Module path ("std" for GOROOT/src)."""
    dir: Path
    """Module root directory."""
    gomod: GoMod
    """Its go.mod."""


@dataclasses.dataclass(frozen=True, kw_only=True, slots=True)
class LocalReplacement:
    """A resolved replace directive."""

    replace: Replace
    """The directive."""
    dir: Path | None
    """Absolute directory for a directory replacement, else None."""


@dataclasses.dataclass(frozen=True, kw_only=True, slots=True)
class Project:
    """Everything the package loader needs to resolve imports from one directory."""

    cwd: Path
    """The directory patterns are interpreted in."""
    goroot: Path
    """GOROOT."""
    main_modules: tuple[MainModule, ...]
    """Main modules (empty when there is no go.mod: only std patterns work)."""
    workspace: GoWork | None
    """The go.work in effect, if any."""
    go_version: str
    """The go version governing defaults (go.work's in a workspace, else go.mod's)."""
    vendor: bool
    """Vendor mode (`-mod=vendor` by default)."""
    vendor_dir: Path | None
    """The vendor directory consulted in vendor mode."""
    vendor_list: VendorList | None
    """modules.txt, in vendor mode."""
    requires: dict[str, str]
    """Module path -> selected version (the requirement graph of the main modules)."""
    replaces: tuple[LocalReplacement, ...]
    """Replace directives in effect (go.work's take precedence)."""
    modcache: Path
    """GOMODCACHE."""
    build_mod_reason: str = ""
    """cfg.BuildModReason: why vendor mode is or is not on ("" when no vendor/ is involved)."""
    build_mod_explicit: bool = False
    """cfg.BuildModExplicit: -mod was given (on the command line or in GOFLAGS)."""
    build_mod: str = "readonly"
    """cfg.BuildMod: "vendor", "readonly" or "mod" (cgotrap never writes go.mod either way)."""
    gotoolchain: str = ""
    """GOTOOLCHAIN as set ("local", "auto", ""), for go's "requires go >= ..." texts."""

    @property
    def in_goroot(self) -> bool:
        """True when the main module is GOROOT/src's "std" or GOROOT/src/cmd's "cmd"."""
        src = self.goroot / "src"
        return any(
            (m.path == "std" and m.dir == src) or (m.path == "cmd" and m.dir == src / "cmd")
            for m in self.main_modules
        )

    def replacement(self, path: str, version: str) -> LocalReplacement | None:
        """The replace directive that applies to path@version, if any."""
        wildcard = None
        for rep in self.replaces:
            if rep.replace.old_path != path:
                continue
            if rep.replace.old_version == version:
                return rep
            if not rep.replace.old_version and wildcard is None:
                wildcard = rep
        return wildcard


def _replace_pairs(
    replaces: tuple[Replace, ...],
) -> tuple[tuple[tuple[str, str], tuple[str, str]], ...]:
    return tuple(((r.old_path, r.old_version), (r.new_path, r.new_version)) for r in replaces)


def _vendor_check_module(main: MainModule) -> VendorCheckModule:
    return VendorCheckModule(
        root=main.dir,
        requires=tuple((r.path, r.version) for r in main.gomod.requires),
        replaces=_replace_pairs(main.gomod.replaces),
    )


def _find_up(start: Path, name: str, *, stop_at: Path | None) -> Path | None:
    """The nearest `name` in `start` or above it.

    # cmd/go/internal/modload/init.go: findModuleRoot, findWorkspaceFile (go1.27.3)
    Any non-directory counts as found, as for go (a go.mod that is a FIFO is then refused
    with one line by the reader, rather than skipped for another go.mod further up).
    """
    directory = start
    for _ in range(4096):  # bounded: a path has far fewer components
        candidate = directory / name
        try:
            if not stat.S_ISDIR(candidate.stat().st_mode):
                return candidate
        except OSError:
            pass
        parent = directory.parent
        if parent == directory or (stop_at is not None and parent == stop_at):
            return None
        directory = parent
    return None


def _refuse_unless_regular(path: Path) -> None:
    """`InputError` when `path` exists and is a FIFO, socket, device or directory.

    go stops on a go.sum it cannot read (cmd/go/internal/modfetch: initGoSum); reading a
    FIFO would wait forever, so such a file is refused before anything opens it.
    """
    try:
        mode = path.stat().st_mode
    except OSError:
        return
    if not stat.S_ISREG(mode):
        raise InputError(f"{path}: {NotRegularFileError(path, mode).strerror}")


CONTROL_FILES = ("go.mod", "go.sum", "go.work", "go.work.sum", "vendor/modules.txt")
"""The files go reads whole in a module root before building anything."""


def refuse_special_control_files(root: Path) -> None:
    """`InputError` when a control file of `root` (go.mod, go.sum, ...) exists but is no
    regular file: `go build` there would wait forever reading a FIFO."""
    for name in CONTROL_FILES:
        _refuse_unless_regular(root / name)


def _resolve_replaces(replaces: tuple[Replace, ...], base: Path) -> list[LocalReplacement]:
    out = []
    for rep in replaces:
        directory = None
        if rep.is_local:
            directory = Path(os.path.normpath(base / rep.new_path))
        out.append(LocalReplacement(replace=rep, dir=directory))
    return out


def _max_version(a: str, b: str) -> str:
    """The higher of two module versions (semver's order; the first when equal)."""
    from cgotrap.gostd import compare_semver

    return a if compare_semver(a, b) >= 0 else b


def local_go_version(goroot: Path) -> str:
    """gover.Local: the toolchain's version from GOROOT/VERSION ("1.27.3"; "" if unknown)."""
    try:
        with (goroot / "VERSION").open("rb") as f:
            first = f.read(256).split(b"\n", 1)[0].decode("utf-8", errors="replace").strip()
    except OSError:
        return ""
    return first.removeprefix("go") if first.startswith("go1") else ""


def too_new_text(what: str, version: str, goroot: Path, env: Mapping[str, str]) -> str:
    """gover.TooNewError's text when `version` is newer than the toolchain, else "".

    "go.mod requires go >= 1.99 (running go 1.27.3; GOTOOLCHAIN=local)". With GOTOOLCHAIN
    auto go would fetch a newer toolchain; cgotrap never downloads, so it refuses the same way.
    """
    local = local_go_version(goroot)
    if not version or not local or compare_go_versions(version, local) <= 0:
        return ""
    setting = env.get("GOTOOLCHAIN", "")
    explain = f"; GOTOOLCHAIN={setting}" if setting not in ("", "auto") else ""
    return f"{what} requires go >= {version} (running go {local}{explain})"


def _check_not_too_new(file: Path, version: str, goroot: Path, env: Mapping[str, str]) -> None:
    """modload's gover.TooNewError for a go.mod / go.work newer than the toolchain."""
    text = too_new_text(str(file), version, goroot, env)
    if text:
        raise GoModError(text)


# cmd/go/internal/modload/vendor.go: readVendorList (go1.27.3)
def _check_vendor_go_versions(
    vendor_list: VendorList, vendor_dir: Path, cwd: Path, goroot: Path, env: Mapping[str, str]
) -> None:
    """A `## go` annotation newer than the toolchain stops go while it reads modules.txt:
    "example.com/a in vendor/modules.txt requires go >= 1.99 (running go 1.27.3; ...)"."""
    local = local_go_version(goroot)  # (read once, not once per module: moby has 274)
    if not local:
        return
    for path, version in vendor_list.go_versions:
        if version and compare_go_versions(version, local) > 0:
            where = short_path(str(vendor_dir / "modules.txt"), str(cwd))
            raise VendorError(too_new_text(f"{path} in {where}", version, goroot, env))


def go_mod_dirty(project: Project) -> str:
    """modload's goModDirtyError: go.mod would need changes that the -mod mode forbids."""
    mode = "vendor" if project.vendor else "readonly"
    if project.build_mod_explicit:
        return f"updates to go.mod needed, disabled by -mod={mode}; to update it:\n\tgo mod tidy"
    if project.build_mod_reason:
        return (
            f"updates to go.mod needed, disabled by -mod={mode}\n\t({project.build_mod_reason})"
            "\n\tto update it:\n\tgo mod tidy"
        )
    return "updates to go.mod needed; to update it:\n\tgo mod tidy"


# cmd/go/internal/modload/buildlist.go: Requirements.initVendor, updateUnprunedRoots (go1.27.3)
def _check_vendored_roots(project: Project) -> None:
    """In vendor mode modules.txt stands for the module graph, and go.mod must agree.

    With a pruned graph (go >= 1.17, one main module) every module that provides a vendored
    package must be required at that version by go.mod; otherwise go stops: "vendored
    module example.com/a@v1.1.0 should be required explicitly in go.mod" (one line per
    module), then "updates to go.mod needed ...". Unpruned (go < 1.17), a requirement below
    the version modules.txt provides stops it with the second message alone. A workspace
    is exempt.
    """
    if project.workspace is not None or project.vendor_list is None:
        return
    main = project.main_modules[0]
    provided = project.vendor_list.provided
    if compare_go_versions(main.gomod.go or "1.16", "1.17") < 0:
        for path, root in project.requires.items():
            if any(p == path and compare_semver(v, root) > 0 for p, v in provided):
                raise VendorError(go_mod_dirty(project))
        return
    lines = []
    for path, version in provided:
        selected = "" if path == main.path else project.requires.get(path)
        if selected != version:
            name = f"{path}@{version}" if version else path
            lines.append(f"vendored module {name} should be required explicitly in go.mod")
    if lines:
        raise VendorError("\ngo: ".join([*lines, go_mod_dirty(project)]))


def _check_consistency(  # noqa: PLR0917  # find_project's state, passed along
    vendor_list: VendorList,
    vendor_dir: Path,
    mains: list[MainModule],
    work_file: Path | None,
    workspace: GoWork | None,
    go_version: str,
    cwd: Path,
) -> None:
    """checkVendorConsistency for the main modules (and go.work) found."""
    check_vendor_consistency(
        vendor_list,
        vendor_dir,
        [_vendor_check_module(m) for m in mains],
        go_version=go_version,
        work_file=work_file,
        work_replaces=_replace_pairs(workspace.replaces) if workspace else (),
        cwd=cwd,
    )


def find_project(
    cwd: Path,
    goroot: Path,
    env: Mapping[str, str] | None = None,
    *,
    require_module: bool = True,
    mod: str | None = None,
) -> Project:
    """Discover the main module(s) for `cwd` (raises `NoModuleError` / `GoModError`).

    `mod`: the -mod flag of the command line (it overrides GOFLAGS' -mod).
    """
    env = os.environ if env is None else env
    cwd = cwd.absolute()
    gowork_env = env.get("GOWORK", "")
    work_file: Path | None = None
    if gowork_env == "off":
        work_file = None
    elif gowork_env:
        work_file = Path(gowork_env)
        if not work_file.is_file():
            raise InputError(f"GOWORK file {gowork_env} does not exist")
    else:
        work_file = _find_up(cwd, "go.work", stop_at=goroot)

    mains: list[MainModule] = []
    workspace: GoWork | None = None
    replaces: list[LocalReplacement] = []
    if work_file is not None:
        workspace = parse_gowork(work_file)
        _check_not_too_new(work_file, workspace.go, goroot, env)
        base = work_file.parent
        replaces.extend(_resolve_replaces(workspace.replaces, base))
        seen: set[Path] = set()
        for use in workspace.uses:
            # modload.LoadWorkFile: filepath.Join cleans, so "./a" and "./a/" are one path
            mod_dir = Path(os.path.normpath(base / use.path))
            if mod_dir in seen:
                raise GoModError(
                    f"{work_file}:{use.line}: path {mod_dir} appears multiple times in workspace"
                )
            seen.add(mod_dir)
        for use in workspace.uses:
            mod_dir = Path(os.path.normpath(base / use.path))
            gomod_file = mod_dir / "go.mod"
            if not gomod_file.is_file():
                raise GoModError(f"{work_file}: use {use.path}: no go.mod in {mod_dir}")
            gomod = parse_gomod(gomod_file)
            _check_not_too_new(gomod_file, gomod.go, goroot, env)
            mains.append(MainModule(path=gomod.module, dir=mod_dir, gomod=gomod))
        go_version = workspace.go
    else:
        found = _find_up(cwd, "go.mod", stop_at=None)
        if found is None:
            if require_module:
                raise NoModuleError(NO_GO_MOD)
            go_version = ""
        else:
            gomod = parse_gomod(found)
            _check_not_too_new(found, gomod.go, goroot, env)
            if not gomod.module:
                raise GoModError(f"{found}: no module declaration in go.mod")
            mains.append(MainModule(path=gomod.module, dir=found.parent, gomod=gomod))
            go_version = gomod.go

    sums = [main.dir / "go.sum" for main in mains]
    if work_file is not None:
        sums.append(Path(f"{work_file}.sum"))
    for sum_file in sums:
        _refuse_unless_regular(sum_file)

    requires: dict[str, str] = {}
    for main in mains:
        replaces.extend(_resolve_replaces(main.gomod.replaces, main.dir))
        for req in main.gomod.requires:
            old = requires.get(req.path)
            requires[req.path] = req.version if old is None else _max_version(old, req.version)

    vendor_dir: Path | None = None
    vendor = False
    vendor_list = None
    reason = ""
    if mains:
        vendor_dir = (work_file.parent if work_file is not None else mains[0].dir) / "vendor"
        mod = goflag(env, "mod") if mod is None else mod
        if mod == "vendor":
            vendor, reason = True, ""
        elif mod in ("mod", "readonly"):
            vendor, reason = False, ""
        else:  # setDefaultBuildMod: only without -mod
            vendor, reason = vendor_mode(go_version, vendor_dir, workspace=work_file is not None)
        if vendor:
            vendor_list = read_modules_txt(vendor_dir)
            _check_vendor_go_versions(vendor_list, vendor_dir, cwd, goroot, env)
            _check_consistency(
                vendor_list, vendor_dir, mains, work_file, workspace, go_version, cwd
            )
    project = Project(
        cwd=cwd,
        goroot=goroot,
        main_modules=tuple(mains),
        workspace=workspace,
        go_version=go_version,
        vendor=vendor,
        vendor_dir=vendor_dir if vendor else None,
        vendor_list=vendor_list,
        requires=requires,
        replaces=tuple(replaces),
        modcache=modcache.gomodcache(env),
        build_mod_reason=reason,
        build_mod_explicit=bool(mod),
        build_mod="vendor" if vendor else ("mod" if mod == "mod" else "readonly"),
        gotoolchain=env.get("GOTOOLCHAIN", ""),
    )
    if vendor:
        _check_vendored_roots(project)
    return project
