"""The loader's packages as PackageFacts records (go list's fields)."""

from __future__ import annotations

import dataclasses
import operator
from collections import deque
from collections.abc import Callable, Sequence
from itertools import repeat
from typing import TYPE_CHECKING, Any

from cgotrap.evaluate.load.fast import _Node
from cgotrap.evaluate.load.target import _Err, _Pkg
from cgotrap.evaluate.model import (
    PackageError,
    PackageFacts,
)
from cgotrap.targets import Target

if TYPE_CHECKING:
    from cgotrap.evaluate.directory import DirFacts


def _package_error(e: _Err) -> PackageError:
    return PackageError(err=e.err, import_stack=tuple(e.stack), pos=e.pos)


def _to_facts(p: _Pkg, dep_only: bool, target: Target) -> PackageFacts:
    err = None if p.error is None else _package_error(p.error)
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
        incomplete=p.incomplete,
        deps_errors=tuple(map(_package_error, p.deps_errors)),
    )


def _node_facts(
    n: _Node,
    dep_only: bool,
    err: PackageError | None,
    target: Target,
    *,
    incomplete: bool = False,
    deps_errors: tuple[PackageError, ...] = (),
    deps: Sequence[str] | None = None,
) -> PackageFacts:
    """`deps`: the Deps to give (`_Graph.deps_tuple`'s), default the node's lazy `_Deps`."""
    local = n.local
    found = local.facts
    if found is not None:  # (the common case, straight to the slots)
        fields = local.listed_fields
        if fields is None:
            fields = local.listed_fields = _file_fields(found, cgo=local.cgo)
        files, flags = fields
        return _build(
            (
                target,
                local.dir,
                local.path,
                local.name,
                local.module,
                local.standard,
                dep_only,
                *files,
                local.imports,
                n.deps if deps is None else deps,
                *flags,
                err,
                incomplete,
                deps_errors,
            )
        )
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
        deps=n.deps if deps is None else deps,
        error=err,
        incomplete=incomplete,
        deps_errors=deps_errors,
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
    deps: Sequence[str],
    error: PackageError | None,
    incomplete: bool = False,
    deps_errors: tuple[PackageError, ...] = (),
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
            incomplete=incomplete,
            deps_errors=deps_errors,
        )
    files, flags = _file_fields(found, cgo=cgo)
    return _build(
        (
            target,
            dir,
            import_path,
            name,
            module_path,
            standard,
            dep_only,
            *files,
            imports,
            deps,
            *flags,
            error,
            incomplete,
            deps_errors,
        )
    )


# PackageFacts' fields in order, as `_facts` gives them: the files (from DirFacts), Imports,
# Deps, the flags and includes (from DirFacts), the errors.
_HEAD = ("target", "dir", "import_path", "name", "module_path", "standard", "dep_only")
_FILE_FIELDS = (
    "go_files",
    "cgo_files",
    "ignored_go_files",
    "c_files",
    "cxx_files",
    "m_files",
    "h_files",
    "f_files",
    "s_files",
    "swig_files",
    "swigcxx_files",
    "syso_files",
    "test_go_files",
    "xtest_go_files",
)
_CGO_ONLY = tuple(
    _FILE_FIELDS.index(f)
    for f in ("c_files", "cxx_files", "m_files", "swig_files", "swigcxx_files")
)
"""The files go lists only with cgo on."""
_FLAG_FIELDS = (
    "cgo_cflags",
    "cgo_cppflags",
    "cgo_cxxflags",
    "cgo_fflags",
    "cgo_ldflags",
    "cgo_pkg_config",
    "includes",
)
_ORDER = (
    *_HEAD,
    *_FILE_FIELDS,
    "imports",
    "deps",
    *_FLAG_FIELDS,
    "error",
    "incomplete",
    "deps_errors",
)
_FILES = operator.attrgetter(*_FILE_FIELDS)
_FLAGS = operator.attrgetter(*_FLAG_FIELDS)


def _file_fields(found: DirFacts, *, cgo: bool) -> tuple[tuple[Any, ...], tuple[Any, ...]]:
    """The values of `_FILE_FIELDS` and `_FLAG_FIELDS` (C, C++, ObjC and SWIG files only
    with cgo on)."""
    files: list[Any] = list(_FILES(found))
    if not cgo:
        for i in _CGO_ONLY:
            files[i] = ()
    return tuple(files), _FLAGS(found)


def _setters() -> tuple[Callable[[Any, Any], None], ...]:
    names = tuple(f.name for f in dataclasses.fields(PackageFacts))
    if names != _ORDER:  # (a field added to PackageFacts must be added above)
        raise RuntimeError(f"PackageFacts' fields changed: {names}")
    return tuple(getattr(PackageFacts, name).__set__ for name in names)


_SETTERS = _setters()


def _build(values: tuple[Any, ...]) -> PackageFacts:
    """PackageFacts of the field values in order: each slot set in C (the keyword
    constructor of a frozen dataclass sets its 33 fields one Python call each, 2.5 times
    as long; scan makes ~20,000 of them per process on moby)."""
    obj: PackageFacts = object.__new__(PackageFacts)
    deque(map(operator.call, _SETTERS, repeat(obj), values), 0)
    return obj
