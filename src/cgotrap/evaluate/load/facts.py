"""The loader's packages as PackageFacts records (go list's fields)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

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
        incomplete=incomplete,
        deps_errors=deps_errors,
    )
