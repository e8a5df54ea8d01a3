"""vendor/modules.txt, and go's rule for when vendor mode is on.

Mirrors cmd/go/internal/modload/vendor.go (readVendorList) and init.go
(setDefaultBuildMod): without a -mod flag, vendor mode is on when the go version in go.mod
(go.work in a workspace) is at least 1.14, a vendor/ directory exists, and modules.txt was
written for the same mode ("## workspace" on its first line for a workspace).
"""

from __future__ import annotations

import dataclasses
import re
from pathlib import Path

from cgotrap.errors import InputError
from cgotrap.gostd import compare_go_versions
from cgotrap.inputs import read_regular

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
                elif entry.startswith("go "):
                    current = dataclasses.replace(current, go_version=entry[3:])
            continue
        fields = line.split()
        if len(fields) == 1 and "." not in fields[0][:1]:
            package_module[fields[0]] = current.path
    flush()
    return VendorList(
        modules=tuple(modules), package_module=package_module, for_workspace=for_workspace
    )


def read_modules_txt(vendor_dir: Path) -> VendorList:
    """Read vendor/modules.txt; an empty list when it does not exist.

    # cmd/go/internal/modload/vendor.go: readVendorList (go1.27.3)
    Like go, any other failure stops the run (`InputError`, one line): a modules.txt that is
    a FIFO, a device or a directory is refused without being opened for reading.
    """
    path = vendor_dir / "modules.txt"
    try:
        data = read_regular(path, _MAX_MODULES_TXT)
    except (FileNotFoundError, NotADirectoryError):
        return VendorList(modules=(), package_module={}, for_workspace=False)
    except OSError as exc:
        raise InputError(f"{path}: {exc.strerror or exc}") from exc
    return parse_modules_txt(data.decode("utf-8", errors="replace"))


def vendor_mode(go_version: str, vendor_dir: Path, *, workspace: bool) -> tuple[bool, str]:
    """setDefaultBuildMod without -mod: (is `-mod=vendor` the default, cfg.BuildModReason)."""
    source = "go.work" if workspace else "go.mod"
    if not vendor_dir.is_dir():
        return False, ""
    if not go_version:
        return False, f"Go version in {source} is unspecified, so vendor directory was not used."
    if compare_go_versions(go_version, "1.14") < 0:
        return False, f"Go version in {source} is {go_version}, so vendor directory was not used."
    for_workspace = read_modules_txt(vendor_dir).for_workspace
    if for_workspace != workspace:
        if for_workspace:
            return False, "Outside workspace mode, but vendor directory is for a workspace."
        return False, "In workspace mode, but vendor directory is not for a workspace"
    return True, f"Go version in {source} is at least 1.14 and vendor directory exists."
