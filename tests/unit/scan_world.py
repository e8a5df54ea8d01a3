"""Hand-built `MatrixResult`s for the scan tests: a tiny module `ex.com/m` with one command.

Every listing gets a main package `ex.com/m/cmd/app` that imports the packages given, so the
records look like `go list -e -deps ./...` output (dependencies first, the root last).
"""

from __future__ import annotations

import dataclasses
from typing import Any

from cgotrap.evaluate.model import MatrixResult, PackageError, PackageFacts, TargetPackages
from cgotrap.read.gofile import Include, extract_includes
from cgotrap.targets import Libc, Target

ROOT = "/src/m"
MODULE = "ex.com/m"
APP = f"{MODULE}/cmd/app"
NO_GO = "build constraints exclude all Go files in {dir}"


def target(port: str, cgo: bool, libc: Libc | None = None) -> Target:
    goos, goarch = port.split("/")
    return Target(goos=goos, goarch=goarch, cgo=cgo, libc=libc)


LINUX1 = target("linux/amd64", True)
LINUX0 = target("linux/amd64", False)
DARWIN1 = target("darwin/arm64", True)
DARWIN0 = target("darwin/arm64", False)
WINDOWS1 = target("windows/amd64", True)
JS0 = target("js/wasm", False)


def includes(*names: str) -> tuple[Include, ...]:
    """Include records: "<a.h>" and '"a.h"' as written, a bare "a.h" as `<a.h>`; a name
    with a newline is preamble text, read with its `#if`s."""
    out: list[Include] = []
    for name in names:
        if "\n" in name:
            out.extend(extract_includes(name, 1))
        elif name[:1] == '"':
            out.append(Include(header=name.strip('"'), system=False, line=1))
        else:
            out.append(Include(header=name.strip("<>"), system=True, line=1))
    return tuple(out)


def pkg(t: Target, rel: str, **fields: Any) -> PackageFacts:
    """A package of the module at directory `rel` ("sqlite"); fields as PackageFacts
    (`includes` as strings, see `includes`)."""
    fields.setdefault("name", rel.rsplit("/", 1)[-1])
    if "includes" in fields:
        fields["includes"] = includes(*fields["includes"])
    fields.setdefault("dep_only", True)
    if fields.pop("no_go", False):
        fields["error"] = PackageError(err=NO_GO.format(dir=f"{ROOT}/{rel}"))
    return PackageFacts(
        target=t,
        dir=f"{ROOT}/{rel}",
        import_path=f"{MODULE}/{rel}",
        module_path=MODULE,
        standard=False,
        **fields,
    )


def std(t: Target, path: str, **fields: Any) -> PackageFacts:
    fields.setdefault("name", path.rsplit("/", 1)[-1])
    return PackageFacts(
        target=t,
        dir=f"/goroot/src/{path}",
        import_path=path,
        module_path=None,
        standard=True,
        dep_only=True,
        **fields,
    )


def listing(t: Target, *packages: PackageFacts) -> TargetPackages:
    """One target's listing: `packages` plus the command importing all of them."""
    app = PackageFacts(
        target=t,
        dir=f"{ROOT}/cmd/app",
        import_path=APP,
        name="main",
        module_path=MODULE,
        standard=False,
        dep_only=False,
        go_files=("main.go",),
        imports=tuple(sorted(p.import_path for p in packages)),
    )
    fixed = tuple(dataclasses.replace(p, target=t) for p in packages)
    return TargetPackages(target=t, packages=(*fixed, app), roots=(APP,))


def matrix(*listings: TargetPackages) -> MatrixResult:
    return MatrixResult(module_root=ROOT, patterns=("./...",), tags=(), per_target=tuple(listings))
