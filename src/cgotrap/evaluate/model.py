"""The records the evaluate stage hands to judging and rendering: one package on one target.

`PackageFacts` carries exactly the `go list -json` fields cgotrap promises to match (Go's own
field names in `cgotrap.render.golist`), so `cgotrap list` is a drop-in and every later stage
(scan, fix, check) reads the same facts.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from typing import TYPE_CHECKING

from cgotrap.targets import Target

if TYPE_CHECKING:  # only an annotation here: importing the reader costs every CLI start
    from cgotrap.read.gofile import Include


@dataclasses.dataclass(frozen=True, kw_only=True, slots=True)
class PackageError:
    """A package-level error, as go list's `Error` object."""

    err: str
    """The message, exactly as go prints it ("build constraints exclude all Go files in DIR")."""
    import_stack: tuple[str, ...] = ()
    """`ImportStack`: the import path chain that led to the package."""
    pos: str = ""
    """`Pos`: "file.go:3:8" where go gives one, else empty."""


@dataclasses.dataclass(frozen=True, kw_only=True, slots=True)
class PackageFacts:
    """One package as seen on one target: the go-list-compatible facts."""

    target: Target
    """The configuration these facts hold for: the first one, when the loader shares one
    object between the targets it reads the same on (`TargetPackages.target` is the one a
    listing is for)."""
    dir: str
    """`Dir`: absolute directory ("" when the package was not found)."""
    import_path: str
    """`ImportPath`."""
    name: str
    """`Name`: the package clause ("" when there are no Go files)."""
    module_path: str | None
    """`Module.Path`; None for standard-library packages and GOPATH-less misses."""
    standard: bool
    """`Standard`: part of GOROOT's standard library (or cmd)."""
    dep_only: bool
    """`DepOnly`: listed only because a matched package depends on it (with -deps)."""
    go_files: tuple[str, ...] = ()
    """`GoFiles`: buildable .go files that do not import "C" (and are not tests)."""
    cgo_files: tuple[str, ...] = ()
    """`CgoFiles`: buildable .go files that import "C"."""
    ignored_go_files: tuple[str, ...] = ()
    """`IgnoredGoFiles`: .go files excluded by constraints on this target."""
    c_files: tuple[str, ...] = ()
    """`CFiles`."""
    cxx_files: tuple[str, ...] = ()
    """`CXXFiles`."""
    m_files: tuple[str, ...] = ()
    """`MFiles` (Objective-C)."""
    h_files: tuple[str, ...] = ()
    """`HFiles`."""
    f_files: tuple[str, ...] = ()
    """`FFiles` (Fortran)."""
    s_files: tuple[str, ...] = ()
    """`SFiles`."""
    swig_files: tuple[str, ...] = ()
    """`SwigFiles`."""
    swigcxx_files: tuple[str, ...] = ()
    """`SwigCXXFiles`."""
    syso_files: tuple[str, ...] = ()
    """`SysoFiles`."""
    test_go_files: tuple[str, ...] = ()
    """`TestGoFiles`."""
    xtest_go_files: tuple[str, ...] = ()
    """`XTestGoFiles`."""
    imports: tuple[str, ...] = ()
    """`Imports`: sorted, "C" included, after vendor/module resolution as go reports it."""
    deps: Sequence[str] = ()
    """`Deps`: the sorted transitive closure of imports (without "C"), as go reports it. A
    tuple, or (from `load_matrix`) a read-only sequence that works the closure out from a
    graph shared by every package when it is read: kept per package, Deps grow with the
    square of an import chain's depth, and scan reads few of them (`in` is cheap on it)."""
    cgo_cflags: tuple[str, ...] = ()
    """`CgoCFLAGS` from `#cgo CFLAGS:` directives that apply on this target."""
    cgo_cppflags: tuple[str, ...] = ()
    """`CgoCPPFLAGS`."""
    cgo_cxxflags: tuple[str, ...] = ()
    """`CgoCXXFLAGS`."""
    cgo_fflags: tuple[str, ...] = ()
    """`CgoFFLAGS`."""
    cgo_ldflags: tuple[str, ...] = ()
    """`CgoLDFLAGS`."""
    cgo_pkg_config: tuple[str, ...] = ()
    """`CgoPkgConfig`."""
    includes: tuple[Include, ...] = ()
    """The `#include`s of the cgo preambles of `cgo_files`, in file order, each with its
    delimiter (`<x.h>` or `"x.h"`) and the `#if` branches around it (not a go list field)."""
    error: PackageError | None = None
    """`Error`, where go reports one."""
    incomplete: bool = False
    """`Incomplete`: this package or one of its dependencies has an error."""
    deps_errors: tuple[PackageError, ...] = ()
    """`DepsErrors`: the errors of the dependencies, sorted by the package each is for."""

    @property
    def uses_cgo(self) -> bool:
        """True when the package compiles cgo code on this target."""
        return bool(self.cgo_files)


@dataclasses.dataclass(frozen=True, kw_only=True, slots=True)
class TargetPackages:
    """Every package listed for one target, in go list's order."""

    target: Target
    """The configuration."""
    packages: tuple[PackageFacts, ...]
    """Packages in the order `go list -e -deps` prints them (dependencies first). A package
    that reads the same on several targets is the same object in each of their listings."""
    roots: tuple[str, ...]
    """Import paths the patterns matched (the non-DepOnly packages), in pattern order."""
    shape: int = -1
    """Targets of one evaluation with the same shape >= 0 list the same import paths with
    the same names and imports, in the same order, and the same roots: their import graphs
    are equal (reachability is worked out once per shape); -1: not known to equal another."""


@dataclasses.dataclass(frozen=True, kw_only=True, slots=True)
class MatrixResult:
    """The whole evaluation: one `TargetPackages` per target, from one pass over the files."""

    module_root: str
    """The directory the patterns were resolved in (main module root, or GOROOT/src)."""
    patterns: tuple[str, ...]
    """The package patterns as given ("./...", "std")."""
    tags: tuple[str, ...]
    """User build tags (-tags)."""
    per_target: tuple[TargetPackages, ...]
    """Results, in target order."""
    problems: tuple[str, ...] = ()
    """One-line messages about inputs that could not be read (file, problem); never fatal."""


@dataclasses.dataclass(frozen=True, kw_only=True, slots=True)
class SharedListing:
    """`go list` results of every target with each distinct package object stored once.

    What `cgotrap list` renders: across a matrix most targets list the same package with the
    same facts, so a target's listing is a sequence of indices into `objects`.
    """

    objects: tuple[PackageFacts, ...]
    """The distinct package objects. Each object's `target` is the first target listing it;
    every go-list field reads the same on all targets whose `order` names it."""
    targets: tuple[Target, ...]
    """The configurations, in matrix order."""
    order: tuple[tuple[int, ...], ...]
    """Per target: indices into `objects`, in the order `go list -e -deps` prints them."""
    problems: tuple[str, ...] = ()
    """One-line messages about inputs that could not be read (file, problem); never fatal."""
