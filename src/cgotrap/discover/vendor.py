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

from cgotrap.discover.gomod import version_tuple

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
    current: dict[str, object] | None = None

    def flush() -> None:
        if current is not None:
            modules.append(VendoredModule(**current))  # type: ignore[arg-type]  # keys are the fields

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
            current = {
                "path": path,
                "version": version,
                "explicit": False,
                "go_version": "",
                "replacement": replacement,
            }
            continue
        if current is None:
            continue
        if line.startswith("## "):
            for raw in line[3:].split(";"):
                entry = raw.strip()
                if entry == "explicit":
                    current["explicit"] = True
                elif entry.startswith("go "):
                    current["go_version"] = entry[3:]
            continue
        fields = line.split()
        if len(fields) == 1 and "." not in fields[0][:1]:
            package_module[fields[0]] = str(current["path"])
    flush()
    return VendorList(
        modules=tuple(modules), package_module=package_module, for_workspace=for_workspace
    )


def read_modules_txt(vendor_dir: Path) -> VendorList:
    """Read vendor/modules.txt; an empty list when it is missing or unreadable."""
    try:
        with (vendor_dir / "modules.txt").open("rb") as f:
            data = f.read(_MAX_MODULES_TXT)
    except OSError:
        return VendorList(modules=(), package_module={}, for_workspace=False)
    return parse_modules_txt(data.decode("utf-8", errors="replace"))


def vendor_mode(go_version: str, vendor_dir: Path, *, workspace: bool) -> bool:
    """setDefaultBuildMod without -mod: is `-mod=vendor` the default here?"""
    if not vendor_dir.is_dir() or not go_version:
        return False
    if version_tuple(go_version) < (1, 14):
        return False
    return read_modules_txt(vendor_dir).for_workspace == workspace
