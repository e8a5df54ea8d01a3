"""One target's load, step by step as go's loadImport/load (taken after an import cycle)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from cgotrap.discover.goroot import is_standard_import_path
from cgotrap.evaluate.load import steps
from cgotrap.evaluate.load.loader import _Loader
from cgotrap.evaluate.load.resolve import _Resolved
from cgotrap.evaluate.load.rules import (
    MATCH,
    PUSH,
    _linker_deps,
    _shorter_than,
    collision_error,
    fold_path,
    foreign_files_error,
    has_simd,
    implicit_imports,
    import_position,
    incomplete_and_deps_errors,
    internal_allowed,
    internal_error,
    load_error,
    local_import_error,
    program_import_error,
)
from cgotrap.evaluate.load.steps import Steps

if TYPE_CHECKING:
    from cgotrap.evaluate.directory import DirFacts


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
        "deps_errors",
        "dir",
        "error",
        "facts",
        "goroot",
        "imports",
        "incomplete",
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
        self.incomplete = False
        self.deps_errors: tuple[_Err, ...] = ()


def _err_order(err: _Err) -> tuple[int, str, str]:
    if not err.stack:
        return (0, err.err, err.pos)
    return (1, err.stack[-1], err.err + "\0" + err.pos)


class _TargetLoad:
    """One target's load: go's loadImport/load over the shared scan and resolution."""

    def __init__(self, loader: _Loader, index: int) -> None:
        self.loader = loader
        self.index = index
        self.ctx = loader.contexts.contexts[index]
        self.cache: dict[str, _Pkg] = {}
        self.fold_seen: dict[str, str] = {}  # go's foldPath: folded path -> first path

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
        if parent is None:
            return ""
        return import_position(parent.facts, path, self.loader.cwd)

    def load_import(
        self,
        path: str,
        parent: _Pkg | None,
        stk: list[str],
        root_errors: dict[str, _Resolved] | None = None,
    ) -> Steps[tuple[_Pkg, _Err | None]]:
        """loadImport, as a walk (`steps`): yields the loads of the imports."""
        loader = self.loader
        parent_path = parent.path if parent is not None else ""
        parent_std = parent.standard if parent is not None else False
        res = (root_errors or {}).get(path) or loader.resolver.resolve(
            path, parent_path, parent_std
        )
        p = self.cache.get(res.path)
        if p is not None:
            stk.append(path)
            self._reuse(p, stk)
            stk.pop()
        else:
            p = _Pkg(res.path)
            self.cache[res.path] = p
            yield self._load(p, path, parent, stk, res)
        if parent is None:
            return p, None
        perr = self._disallow_internal(parent, p, stk)
        if perr is not None:
            perr.pos = self._import_pos(parent, path)
            return p, perr
        program = program_import_error(path, name=p.name, directory=p.dir, importer_dir=parent.dir)
        if program is None:
            program = local_import_error(path)
        if program is not None:
            perr = _Err(program, list(stk))
            perr.pos = self._import_pos(parent, path)
            return p, perr
        return p, None

    def _disallow_internal(self, importer: _Pkg, p: _Pkg, stk: list[str]) -> _Err | None:
        if p.error is not None:  # disallowInternal's first test (see `internal_allowed`)
            return None
        explicit = importer.facts.imports if importer.facts is not None else ()
        if internal_allowed(
            importer_path=importer.path,
            importer_dir=importer.dir,
            importer_has_simd=has_simd(self.ctx.goarch) and "simd" in explicit,
            path=p.path,
            directory=p.dir,
            module=p.module,
        ):
            return None
        return _Err(internal_error(p.path), list(stk))

    def _load(
        self, p: _Pkg, path: str, parent: _Pkg | None, stk: list[str], res: _Resolved
    ) -> Steps[None]:
        loader = self.loader
        ctx = self.ctx
        p.dir = res.dir
        p.module = res.module
        p.goroot = res.goroot
        p.standard = res.goroot and is_standard_import_path(res.path)
        facts = loader.facts(res.dir, self.index) if res.dir and not res.match_error else None
        p.facts = facts
        top = stk[-1] if stk else None

        def set_error(message: str) -> None:
            if p.error is None:
                p.error = _Err(message, list(stk))
                if stk and stk[-1] != path:
                    p.error.pos = self._import_pos(parent, path)

        err, how, pos = load_error(res, facts, loader.cwd)
        if err is not None and how == MATCH:
            p.error = _Err(err, [])
        elif err is not None and how == PUSH:
            p.error = _Err(err, [*stk, path], pos=pos)
        elif err is not None:
            p.error = _Err(err, list(stk))
            if top is not None and path != top:
                p.error.pos = self._import_pos(parent, path)
        if facts is not None:
            p.name = facts.name
        explicit = facts.imports if facts is not None else ()
        link_deps: list[str] = []
        if p.name == "main":
            link_deps, link_err = _linker_deps(ctx)
            if link_err is not None:
                # go returns before it sets p.Module or loads any import
                p.module = None
                set_error(link_err)
                p.imports = explicit
                return
        other = self.fold_seen.setdefault(fold_path(p.path), p.path)
        if other != p.path:
            p.module = None  # go returns before it sets p.Module or loads any import
            set_error(collision_error(p.path, other))
            p.imports = explicit
            return
        if p.error is None and facts is not None:
            embed = loader.embed_error(facts, p.dir)  # load's resolveEmbed, after the push
            if embed is not None:
                p.error = _Err(embed[0], [*stk, path], pos=embed[1])
        import_paths = implicit_imports(
            explicit,
            import_path=p.path,
            standard=p.standard,
            facts=facts,
            simd=has_simd(ctx.goarch),
            link_deps=link_deps,
        )
        n_explicit = len(explicit)
        if p.error is None:  # modload's error for the package, before load's import errors
            resolve = loader.resolver.resolve
            kids = [resolve(imp, res.path, p.standard) for imp in import_paths if imp != "C"]
            implicit = loader.resolver.implicit_import_error(res, kids)
            if implicit is not None:
                set_error(implicit)

        stk.append(path)
        children: list[_Pkg] = []
        resolved = list(import_paths)
        for i, imp in enumerate(import_paths):
            if imp == "C":
                continue
            child, perr = yield self.load_import(imp, p, stk)
            if perr is not None and p.error is None:
                p.error = perr
            resolved[i] = child.path
            children.append(child)
        p.internal = children
        p.imports = tuple(resolved[:n_explicit])

        if facts is not None:
            late = foreign_files_error(facts, cgo_enabled=ctx.cgo_enabled)
            if late is not None:
                set_error(late)
        stk.pop()

    def run(
        self, roots: Sequence[str], root_errors: dict[str, _Resolved], *, with_deps: bool
    ) -> list[tuple[_Pkg, bool]]:
        root_pkgs: list[_Pkg] = []
        seen_roots: set[int] = set()
        for root in roots:
            p, _ = steps.run(self.load_import(root, None, [], root_errors))
            if id(p) not in seen_roots:
                seen_roots.add(id(p))
                root_pkgs.append(p)
        order = _post_order(root_pkgs)
        intern = self.loader.deps_intern
        for p in order:
            p.deps = _collect_deps(p, intern)
        by_id = {id(p): p for p in order}
        errors = {id(p): p.error for p in order if p.error is not None}
        if errors:
            kids = {id(p): [id(k) for k in p.internal or ()] for p in order}
            incomplete, deps_errors = incomplete_and_deps_errors(
                list(kids), kids, errors, _err_order
            )
            for key in incomplete:
                by_id[key].incomplete = True
            for key, found in deps_errors.items():
                by_id[key].deps_errors = found
        if not with_deps:
            return [(p, False) for p in root_pkgs]
        return [(p, id(p) not in seen_roots) for p in order]


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
