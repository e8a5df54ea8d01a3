"""vendor/modules.txt, and go's rule for when vendor mode is on.

Mirrors cmd/go/internal/modload/vendor.go (readVendorList) and init.go
(setDefaultBuildMod): without a -mod flag, vendor mode is on when the go version in go.mod
(go.work in a workspace) is at least 1.14, a vendor/ directory exists, and modules.txt was
written for the same mode ("## workspace" on its first line for a workspace).
"""

from __future__ import annotations

import dataclasses
import os
import re
from pathlib import Path

from cgotrap.errors import InputError
from cgotrap.gostd import compare_go_versions, compare_semver, short_path
from cgotrap.inputs import NotRegularFileError, read_regular

_MAX_MODULES_TXT = 64 << 20
# golang.org/x/mod/semver.IsValid, close enough for modules.txt lines ("v1.2.3", "v0.0.0-...").
_SEMVER = re.compile(
    r"^v(0|[1-9]\d*)(\.(0|[1-9]\d*)(\.(0|[1-9]\d*)(-[0-9A-Za-z.-]+)?(\+[0-9A-Za-z.-]+)?)?)?$"
)


@dataclasses.dataclass(frozen=True, kw_only=True, slots=True)
class VendoredModule:
    """One `# path version` block of modules.txt."""

    path: str
    """Module path."""
    version: str
    """Version ("" for a wildcard replacement line)."""
    explicit: bool
    """`## explicit`: required directly by a main module's go.mod."""
    go_version: str
    """`## go 1.x` annotation ("" when absent)."""
    replacement: str
    """`=> path [version]` as written, or ""."""


@dataclasses.dataclass(frozen=True, kw_only=True, slots=True)
class VendorList:
    """vendor/modules.txt: which module provides each vendored package."""

    modules: tuple[VendoredModule, ...]
    """Module blocks in file order."""
    package_module: dict[str, str]
    """Vendored package import path -> module path."""
    for_workspace: bool
    """The first line carries `## workspace`."""
    explicit: frozenset[tuple[str, str]] = frozenset()
    """(path, version) of the module lines marked `## explicit` (on any of their blocks)."""
    replacements: dict[tuple[str, str], tuple[str, str]] = dataclasses.field(default_factory=dict)
    """(path, version) -> the (path, version) modules.txt says replaces it ("" version: a
    directory); version "" on the left: a wildcard replacement line."""
    replaced: tuple[tuple[str, str], ...] = ()
    """The replaced modules in file order (readVendorList's vendorReplaced)."""
    provided: tuple[tuple[str, str], ...] = ()
    """The modules that provide a package, each path once (readVendorList's vendorList)."""
    go_versions: tuple[tuple[str, str], ...] = ()
    """(module path, version) of every `## go 1.x` annotation, in file order."""


def is_semver(version: str) -> bool:
    """golang.org/x/mod/semver.IsValid."""
    return bool(_SEMVER.match(version))


def parse_modules_txt(text: str) -> VendorList:
    """Parse modules.txt the way readVendorList does (unknown lines are ignored)."""
    first, _, _ = text.partition("\n")
    for_workspace = first.startswith("## ") and any(
        entry.strip() == "workspace" for entry in first[3:].split(";")
    )
    modules: list[VendoredModule] = []
    package_module: dict[str, str] = {}
    current: VendoredModule | None = None
    explicit: set[tuple[str, str]] = set()
    replacements: dict[tuple[str, str], tuple[str, str]] = {}
    replaced: list[tuple[str, str]] = []
    provided: list[tuple[str, str]] = []
    provided_version: dict[str, str] = {}
    go_versions: list[tuple[str, str]] = []

    def flush() -> None:
        if current is not None:
            modules.append(current)

    for line in text.split("\n"):
        if line.startswith("# "):
            flush()
            fields = line.split()
            current = None
            if len(fields) < 3:
                continue
            if is_semver(fields[2]):
                path, version, rest = fields[1], fields[2], fields[3:]
            elif fields[2] == "=>":
                path, version, rest = fields[1], "", fields[2:]
            else:
                continue
            replacement = " ".join(rest[1:]) if len(rest) >= 2 and rest[0] == "=>" else ""
            if len(rest) == 2 and rest[0] == "=>":
                replacements[path, version] = (rest[1], "")
                replaced.append((path, version))
            elif len(rest) == 3 and rest[0] == "=>" and is_semver(rest[2]):
                replacements[path, version] = (rest[1], rest[2])
                replaced.append((path, version))
            current = VendoredModule(
                path=path, version=version, explicit=False, go_version="", replacement=replacement
            )
            continue
        if current is None:
            continue
        if line.startswith("## "):
            for raw in line[3:].split(";"):
                entry = raw.strip()
                if entry == "explicit":
                    current = dataclasses.replace(current, explicit=True)
                    explicit.add((current.path, current.version))
                elif entry.startswith("go "):
                    current = dataclasses.replace(current, go_version=entry[3:])
                    go_versions.append((current.path, entry[3:]))
            continue
        fields = line.split()
        if len(fields) == 1 and "." not in fields[0][:1]:
            package_module[fields[0]] = current.path
            seen = provided_version.get(current.path)
            # (the same version: every package of a module after its first)
            if seen is None or (
                seen != current.version and compare_semver(seen, current.version) < 0
            ):
                provided.append((current.path, current.version))
                provided_version[current.path] = current.version
    flush()
    return VendorList(
        modules=tuple(modules),
        package_module=package_module,
        for_workspace=for_workspace,
        explicit=frozenset(explicit),
        replacements=replacements,
        replaced=tuple(replaced),
        provided=tuple(provided),
        go_versions=tuple(go_versions),
    )


def read_modules_txt(vendor_dir: Path) -> VendorList:
    """Read vendor/modules.txt; an empty list when it does not exist.

    # cmd/go/internal/modload/vendor.go: readVendorList (go1.27.3)
    Like go, any other failure stops the run: a directory with go's text (VendorError,
    "read DIR/vendor/modules.txt: is a directory"); a FIFO or a device is refused without
    being opened for reading (InputError, one line), where go would wait on it.
    """
    path = vendor_dir / "modules.txt"
    try:
        data = read_regular(path, _MAX_MODULES_TXT)
    except (FileNotFoundError, NotADirectoryError):
        return VendorList(modules=(), package_module={}, for_workspace=False)
    except NotRegularFileError as exc:
        if path.is_dir():
            raise VendorError(f"read {path}: is a directory") from None
        raise InputError(f"{path}: {exc.strerror or exc}") from exc
    except OSError as exc:
        raise InputError(f"{path}: {exc.strerror or exc}") from exc
    return parse_modules_txt(data.decode("utf-8", errors="replace"))


class VendorError(InputError):
    """go refuses the vendor directory (modules.txt unreadable, inconsistent vendoring)."""


@dataclasses.dataclass(frozen=True, kw_only=True, slots=True)
class VendorCheckModule:
    """What the consistency check needs of one main module's go.mod."""

    root: Path
    """The module's directory."""
    requires: tuple[tuple[str, str], ...]
    """(path, version) of its `require` lines, in file order."""
    replaces: tuple[tuple[tuple[str, str], tuple[str, str]], ...]
    """((old path, old version), (new path, new version)) of its `replace` lines."""


# cmd/go/internal/modload/vendor.go: checkVendorConsistency (go1.27.3)
def check_vendor_consistency(
    vendor: VendorList,
    vendor_dir: Path,
    mains: list[VendorCheckModule],
    *,
    go_version: str,
    work_file: Path | None,
    work_replaces: tuple[tuple[tuple[str, str], tuple[str, str]], ...],
    cwd: Path,
) -> None:
    """Raise VendorError with go's text when modules.txt contradicts go.mod / go.work."""
    workspace = work_file is not None
    pre114 = not workspace and compare_go_versions(go_version, "1.14") < 0
    version_of = dict(vendor.provided)
    errors: list[str] = []

    def fail(mod: tuple[str, str], detail: str) -> None:
        name = f"{mod[0]}@{mod[1]}" if mod[1] else mod[0]
        errors.append(f"\n\t{name}: {detail}")

    def describe(mod: tuple[str, str]) -> str:
        return f"{mod[0]}@{mod[1]}" if mod[1] else mod[0]

    for main in mains:
        for req in main.requires:
            if req in vendor.explicit:
                continue
            if pre114:
                vv = version_of.get(req[0])
                if vv is not None and vv != req[1]:
                    fail(
                        req,
                        f"is explicitly required in go.mod, but vendor/modules.txt indicates "
                        f"{req[0]}@{vv}",
                    )
            else:
                fail(
                    req,
                    "is explicitly required in go.mod, but not marked as explicit in "
                    "vendor/modules.txt",
                )
    work_map = dict(work_replaces)

    def replacement_from(old: tuple[str, str]) -> tuple[tuple[str, str] | None, Path | None]:
        """modload.replacementFrom: (replacement, file it comes from)."""
        got = work_map.get(old) or work_map.get((old[0], ""))
        if got is not None:
            return got, work_file
        found: tuple[str, str] | None = None
        source_file: Path | None = None
        for main in mains:
            table = dict(main.replaces)
            got = table.get(old) or table.get((old[0], ""))
            if got is not None:
                found, source_file = got, main.root / "go.mod"
        return found, source_file

    def canonical(new: tuple[str, str], source: Path | None) -> tuple[str, str]:
        """modload.canonicalizeReplacePath: a main module's relative directory replacement
        seen from the go.work directory."""
        if work_file is None or source is None or source == work_file:
            return new
        if new[1] or Path(new[0]).is_absolute():
            return new
        absolute = os.path.normpath(source.parent / new[0])
        rel = os.path.relpath(absolute, work_file.parent)
        return (_directory_path(rel), new[1])

    seen: set[tuple[str, str]] = set()
    all_replaces = [r for m in mains for r in m.replaces] + list(work_replaces)
    for old, _ in all_replaces:
        if old in seen:
            continue
        seen.add(old)
        new, source = replacement_from(old)
        vr = vendor.replacements.get(old)
        shown = short_path(str(source), str(cwd)) if source is not None else ""
        if vr is None:
            if new is None:
                continue
            if pre114 and (not old[1] or version_of.get(old[0]) != old[1]):
                continue
            fail(old, f"is replaced in {shown}, but not marked as replaced in vendor/modules.txt")
        elif new is not None and vr != canonical(new, source):
            fail(
                old,
                f"is replaced by {describe(new)} in {shown}, but marked as replaced by "
                f"{describe(vr)} in vendor/modules.txt",
            )

    required = {req for m in mains for req in m.requires}
    for mod in vendor.provided:
        if mod in vendor.explicit and mod not in required:
            article = "a " if workspace else ""
            fail(
                mod,
                f"is marked as explicit in vendor/modules.txt, but not explicitly required in "
                f"{article}go.mod",
            )

    for mod in vendor.replaced:
        new, _ = replacement_from(mod)
        if new is None:
            where = "the workspace" if workspace else "go.mod"
            fail(mod, f"is marked as replaced in vendor/modules.txt, but not replaced in {where}")

    if errors:
        sub = "work" if workspace else "mod"
        raise VendorError(
            f"inconsistent vendoring in {vendor_dir.parent}:{''.join(errors)}\n\n"
            "\tTo ignore the vendor directory, use -mod=readonly or -mod=mod.\n"
            f"\tTo sync the vendor directory, run:\n\t\tgo {sub} vendor"
        )


def _directory_path(path: str) -> str:
    """modload.ToDirectoryPath: a relative path starts with ./ or ../ (slashes)."""
    path = path.replace(os.sep, "/")
    if path.startswith(("./", "../")) or path in (".", "..") or Path(path).is_absolute():
        return path
    return "./" + path


def vendor_mode(go_version: str, vendor_dir: Path, *, workspace: bool) -> tuple[bool, str]:
    """setDefaultBuildMod without -mod: (is `-mod=vendor` the default, cfg.BuildModReason)."""
    source = "go.work" if workspace else "go.mod"
    if not vendor_dir.is_dir():
        return False, ""
    if not go_version:
        return False, f"Go version in {source} is unspecified, so vendor directory was not used."
    if compare_go_versions(go_version, "1.14") < 0:
        return False, f"Go version in {source} is {go_version}, so vendor directory was not used."
    try:  # modulesTextIsForWorkspace: an unreadable modules.txt stops go here
        for_workspace = read_modules_txt(vendor_dir).for_workspace
    except VendorError as exc:
        raise VendorError(f"reading modules.txt for vendor directory: {exc}") from None
    if for_workspace != workspace:
        if for_workspace:
            return False, "Outside workspace mode, but vendor directory is for a workspace."
        return False, "In workspace mode, but vendor directory is not for a workspace"
    return True, f"Go version in {source} is at least 1.14 and vendor directory exists."
