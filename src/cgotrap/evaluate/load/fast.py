"""The fast path: what does not depend on the target is computed once and shared (`_Local`,
`_Node`), and per target only go's load order is walked."""

from __future__ import annotations

import functools
import operator
from collections.abc import Callable, Iterator, Mapping, Sequence
from itertools import compress, filterfalse
from typing import TYPE_CHECKING, Any, cast, overload

from cgotrap.discover.goroot import is_standard_import_path
from cgotrap.evaluate.load import steps
from cgotrap.evaluate.load.loader import _Loader
from cgotrap.evaluate.load.resolve import _Resolved
from cgotrap.evaluate.load.rules import (
    IMPORTER,
    LINK,
    MATCH,
    PUSH,
    _linker_deps,
    _shorter_than,
    foreign_files_error,
    has_fold_collision,
    has_simd,
    implicit_imports,
    import_position,
    incomplete_and_deps_errors,
    internal_allowed,
    internal_error,
    load_error,
    local_import_error,
    package_error_order,
    program_import_error,
    trait_relevant,
)
from cgotrap.evaluate.load.steps import Steps
from cgotrap.evaluate.model import PackageError

if TYPE_CHECKING:
    from cgotrap.evaluate.context import BuildContext
    from cgotrap.evaluate.directory import DirFacts


class _CycleError(Exception):
    """An import cycle, or import paths that differ only in case: this target takes the
    step-by-step path (`_TargetLoad`), whose load order decides the errors."""


class _Local:
    """A package as its own files make it, shared by every target that reads it the same.

    Keyed on (import path, DirFacts object, the target traits that matter to it): the
    resolved imports, the children to load, and the errors that do not depend on the
    children.
    """

    __slots__ = (
        "cgo",
        "dir",
        "err",
        "err_kind",
        "err_pos",
        "facts",
        "imports",
        "internal_bad",
        "kid_pairs",
        "kid_paths",
        "kid_res",
        "kid_strs",
        "late_err",
        "listed_fields",
        "local_imports",
        "module",
        "name",
        "path",
        "standard",
    )

    def __init__(self) -> None:
        self.path = ""
        self.dir = ""
        self.name = ""
        self.module: str | None = None
        self.standard = False
        self.cgo = False
        self.facts: DirFacts | None = None
        self.kid_paths: tuple[str, ...] = ()
        self.kid_res: tuple[_Resolved, ...] = ()  # how each child resolved from here
        self.kid_pairs: tuple[tuple[str, str], ...] = ()  # (kid_paths[i], kid_strs[i])
        self.kid_strs: tuple[str, ...] = ()
        self.imports: tuple[str, ...] = ()
        self.internal_bad: frozenset[int] = frozenset()
        self.err: str | None = None
        self.err_kind = 0
        self.err_pos = ""
        self.late_err: str | None = None  # C files without cgo: after the imports
        self.local_imports = False  # a relative import ("./x"): an error at the import
        self.listed_fields: tuple[tuple[Any, ...], tuple[Any, ...]] | None = None
        """PackageFacts' file and flag fields from `facts` (`facts._node_facts`)."""

    def import_string(self, kid_path: str) -> str:
        """The import string of the first import resolving to `kid_path`."""
        return self.kid_strs[self.kid_paths.index(kid_path)]


class _Deps(Sequence[str]):
    """A package's Deps as a shared graph: its children's import paths, and their `_Deps`.

    go's Deps is the sorted transitive closure of the imports; kept as a tuple per package
    it costs the square of an import chain's depth (a 10,000-deep chain: 50 million
    pointers, 1.5 GB). Here each package holds only its children, and the closure is worked
    out when it is read: `in` walks the graph (stopping at the first hit), iterating gives
    the sorted tuple (not kept; `cgotrap list -json`, which renders them all, keeps them
    with `_Graph.deps_tuple`). Walks are iterative. Equal closures are one object
    (`_Graph.new_deps`, by a bit mask: one bit per package and dependency, a 64th of the
    tuples, ~6 MB for that chain). Pickled as the plain tuple.
    """

    __slots__ = ("kid_paths", "kids")

    def __init__(self, kid_paths: tuple[str, ...], kids: tuple[_Deps, ...]) -> None:
        self.kid_paths = kid_paths
        """The children's import paths (without "C")."""
        self.kids = kids
        """The children's own Deps, in import order (repeats and `_NO_DEPS` included:
        the walks below skip what they met)."""

    def _walk(self) -> Iterator[_Deps]:
        """Every `_Deps` reachable from here (this one first), each once."""
        seen = {id(self)}
        stack = [self]
        while stack:
            d = stack.pop()
            yield d
            for kid in d.kids:
                if id(kid) not in seen:
                    seen.add(id(kid))
                    stack.append(kid)

    def closure(self) -> tuple[str, ...]:
        """The sorted import paths (go's Deps)."""
        found: set[str] = set()
        for d in self._walk():
            found.update(d.kid_paths)
        return tuple(sorted(found))

    def __contains__(self, value: object) -> bool:
        return any(value in d.kid_paths for d in self._walk())

    def __len__(self) -> int:
        return len(self.closure())

    def __bool__(self) -> bool:
        return bool(self.kid_paths)

    def __iter__(self) -> Iterator[str]:
        return iter(self.closure())

    @overload
    def __getitem__(self, index: int) -> str: ...
    @overload
    def __getitem__(self, index: slice) -> tuple[str, ...]: ...
    def __getitem__(self, index: int | slice) -> str | tuple[str, ...]:
        return self.closure()[index]

    def __eq__(self, other: object) -> bool:
        if self is other:
            return True
        if isinstance(other, _Deps):
            return self.closure() == other.closure()
        if isinstance(other, tuple):
            return self.closure() == other
        return NotImplemented

    def __hash__(self) -> int:
        return hash(self.closure())

    def __repr__(self) -> str:
        return repr(self.closure())

    def __reduce__(self) -> tuple[Any, ...]:
        return (tuple, (self.closure(),))


_NO_DEPS = _Deps((), ())


class _Node:
    """A package on some targets: its `_Local`, its Deps and its error (shared when equal)."""

    __slots__ = ("deps", "err", "err_kind", "err_pos", "face", "local")

    def __init__(
        self, local: _Local, deps: _Deps, err: str | None, kind: int, pos: str, *, face: int
    ) -> None:
        self.local = local
        self.deps = deps
        self.err = err
        self.err_kind = kind
        self.err_pos = pos
        self.face = face
        """What an importer's node depends on (`_FastTarget._new_node`): equal for nodes
        with the same Deps, both with or both without an error, and both not main
        packages (or main packages in the same directory)."""


class _Graph:
    """The shared tables: locals, nodes, interned tuples."""

    def __init__(self, loader: _Loader) -> None:
        self.loader = loader
        self.locals: dict[tuple[Any, ...], _Local] = {}
        self.nodes: dict[tuple[Any, ...], _Node] = {}
        self.by_kids: dict[tuple[Any, ...], _Node] = {}
        """(`_Local`, the children's nodes) -> the node (`_FastTarget`)."""
        self.by_faces: dict[tuple[Any, ...], _Node] = {}
        """(`_Local`, the children's `_Node.face`) -> the node (`_Matrix`)."""
        self.faces: dict[tuple[Any, ...], int] = {}
        """(id of the Deps, no error, main's directory) -> its `_Node.face`."""
        self.deps: dict[tuple[Any, ...], _Deps] = {}
        """(children's paths, ids of their `_Deps`) -> the `_Deps` (`new_deps`, past the
        masks' budget)."""
        self.tuples: dict[tuple[str, ...], tuple[str, ...]] = {}
        self.pairs: dict[tuple[tuple[str, str], ...], tuple[tuple[str, str], ...]] = {}
        """Interned `_Local.kid_pairs`."""
        self.bits: dict[str, int] = {}
        """Import path -> its bit in the Deps masks."""
        self.bit_names: list[str] = []
        self._masks: dict[int, int] = {id(_NO_DEPS): 0}
        """id of a `_Deps` -> the mask of its closure."""
        self._by_mask: dict[int, _Deps] = {0: _NO_DEPS}
        self._path_masks: dict[int, int] = {}
        self._mask_bytes = 0
        """What the masks take; past `MASK_BUDGET` new Deps get none (see `new_deps`)."""
        self._deps_tuples: dict[int, tuple[str, ...]] = {id(_NO_DEPS): _EMPTY}
        """id of a `_Deps` -> its closure, interned by content."""
        self.roots_memo: dict[str, _Resolved] = {}
        self.err_nodes: set[_Node] = set()
        """The nodes with an error."""
        self.mains: set[_Node] = set()
        """The nodes of main packages."""
        self._relevant: dict[int, bool] = {}
        self._facts_kept: list[DirFacts] = []
        self.kids_memo: dict[tuple[Any, ...], _Kids] = {}
        """(id of the `_Resolved`, standard, simd, explicit count, imports) -> `_Kids`."""

    def trait_relevant(self, facts: DirFacts) -> bool:
        """`rules.trait_relevant`, once per DirFacts object (asked per package and target
        class, by `_Matrix` and `_FastTarget._local`)."""
        got = self._relevant.get(id(facts))
        if got is None:
            got = self._relevant[id(facts)] = trait_relevant(facts)
            self._facts_kept.append(facts)  # (keyed by id: kept alive with the memo)
        return got

    def intern(self, t: tuple[str, ...]) -> tuple[str, ...]:
        return self.tuples.setdefault(t, t)

    def new_deps(self, kid_paths: tuple[str, ...], kids: Sequence[_Node]) -> _Deps:
        """The one `_Deps` of that content: children's paths `kid_paths` (interned) and
        their nodes' `_Deps`. Contents are compared as bit masks of import paths (a union is
        a few big-int ORs): one bit per (Deps, path), where a tuple took a pointer, so two
        targets whose packages import each other differently but reach the same packages
        share their nodes (across a matrix most do)."""
        masks = self._masks
        if self._mask_bytes <= MASK_BUDGET:
            union = functools.reduce(
                operator.or_,
                map(masks.__getitem__, map(id, map(_DEPS, kids))),
                self._paths_mask(kid_paths),
            )
            got = self._by_mask.get(union)
            if got is None:  # (most closures were met before: the kids are read only here)
                got = self._by_mask[union] = _Deps(kid_paths, tuple(map(_DEPS, kids)))
                masks[id(got)] = union  # (every `_Deps` lives as long as the graph)
                self._mask_bytes += union.bit_length() // 8 + 32
            return got
        # The masks grow with (packages x dependencies)/8 bytes: past the budget (a chain
        # over ~20,000 deep) equal closures are no longer merged, memory stays linear in
        # the graph (more nodes, the same answers): one `_Deps` per (children's paths,
        # their `_Deps`).
        kid_deps = _once(kids)
        dkey = (kid_paths, *map(id, kid_deps))
        got = self.deps.get(dkey)
        if got is None:
            # (every `_Deps` lives as long as the graph, so the ids in dkey stay unique)
            got = self.deps[dkey] = _Deps(kid_paths, kid_deps)
        return got

    def deps_tuple(self, top: _Deps) -> tuple[str, ...]:
        """`top`'s closure as a sorted tuple, kept (each content is one `_Deps`, so one
        tuple: `cgotrap list` renders each once). Bottom-up over the `_Deps` graph,
        iteratively: the largest child's tuple is already sorted, what the others add (the
        difference of the masks) is sorted in."""
        tuples = self._deps_tuples
        got = tuples.get(id(top))
        if got is not None:
            return got
        masks = self._masks
        names = self.bit_names
        stack: list[tuple[_Deps, bool]] = [(top, False)]
        while stack:
            d, ready = stack.pop()
            if id(d) in tuples:
                continue
            if not ready:
                stack.append((d, True))
                stack.extend((k, False) for k in d.kids if id(k) not in tuples)
                continue
            if id(d) not in masks:  # made past the mask budget: a plain union
                found = set(d.kid_paths)
                for kid in d.kids:
                    found.update(tuples[id(kid)])
                tuples[id(d)] = tuple(sorted(found))
                continue
            if d.kids:
                largest = max(d.kids, key=lambda k: len(tuples[id(k)]))
                big, extra = tuples[id(largest)], masks[id(d)] & ~masks[id(largest)]
            else:
                big, extra = _EMPTY, masks[id(d)]
            added = []
            while extra:
                low = extra & -extra
                added.append(names[low.bit_length() - 1])
                extra ^= low
            tuples[id(d)] = tuple(sorted([*big, *added])) if added else big
        return tuples[id(top)]

    def errors_below(
        self, order: Sequence[_Node], errors: Mapping[str, PackageError]
    ) -> tuple[set[str], dict[str, tuple[PackageError, ...]]] | None:
        """`incomplete_and_deps_errors` of a walk's `order` (no cycle: every package's
        imports come before it) from the Deps masks: a package's DepsErrors are the errors
        of the packages its Deps close over. None when a Deps has no mask (past the
        budget), or when two different errors sort equal (the order go met them in
        decides: equal ones, as the link error of several main packages, read the same)."""
        keys = {package_error_order(e) for e in errors.values()}
        if len(keys) != len(set(errors.values())):
            return None
        bits = self.bits
        err_mask = 0
        by_bit: list[tuple[int, PackageError]] = []
        for p, e in errors.items():
            bit = bits.get(p)  # (none: no package imports it)
            if bit is not None:
                err_mask |= 1 << bit
                by_bit.append((1 << bit, e))
        incomplete = set(errors)
        out: dict[str, tuple[PackageError, ...]] = {}
        memo: dict[int, tuple[PackageError, ...]] = {}
        dep_masks = list(map(self._masks.get, map(id, map(_DEPS, order))))
        if None in dep_masks:
            return None
        hits = list(map(err_mask.__and__, cast("list[int]", dep_masks)))
        # (in C: most packages reach no error)
        for n, hit in compress(zip(order, hits, strict=True), hits):
            got = memo.get(hit)
            if got is None:
                found = [e for b, e in by_bit if hit & b]
                got = memo[hit] = tuple(sorted(found, key=package_error_order))
            out[n.local.path] = got
            incomplete.add(n.local.path)
        return incomplete, out

    def _paths_mask(self, paths: tuple[str, ...]) -> int:
        """The bits of `paths` (an interned tuple: kept by its id)."""
        got = self._path_masks.get(id(paths))
        if got is None:
            bits = self.bits
            got = 0
            for path in paths:
                bit = bits.get(path)
                if bit is None:
                    bit = bits[path] = len(self.bit_names)
                    self.bit_names.append(path)
                got |= 1 << bit
            self._path_masks[id(paths)] = got
        return got

    def target(self, index: int) -> _FastTarget:
        return _FastTarget(self, index)


_EMPTY: tuple[str, ...] = ()


_DEPS = operator.attrgetter("deps")


def _once(kids: Sequence[_Node]) -> tuple[_Deps, ...]:
    """The children's non-empty `_Deps`, each once, in order (by identity: == would read
    the closure)."""
    deps = list(map(_DEPS, kids))
    # (in C; of equal keys the first keeps its place)
    once = dict(zip(map(id, deps), deps, strict=True))
    once.pop(id(_NO_DEPS), None)  # (the one empty `_Deps`: new_deps makes none)
    return tuple(once.values())


MASK_BUDGET = 64 * 1024 * 1024
"""Bytes of Deps masks a graph keeps at most (`_Graph.new_deps`)."""


_Kids = tuple[
    _Resolved,
    tuple[str, ...],
    tuple[_Resolved, ...],
    tuple[tuple[str, str], ...],
    tuple[str, ...],
    tuple[str, ...],
    frozenset[int],
    bool,
    str | None,
]
"""`_FastTarget._resolve_imports`: the package's `_Resolved`; a `_Local`'s kid_paths,
kid_res, kid_pairs, kid_strs, imports, internal_bad and local_imports; the
implicit-import error."""


class _Walked:
    """One target's listing on the fast path: the nodes in go's order (only the roots
    without -deps), the import paths the patterns matched, and errors with their stacks."""

    __slots__ = (
        "deps_errors",
        "errors",
        "every",
        "import_positions",
        "incomplete",
        "listed",
        "root_order",
        "roots",
    )

    def __init__(
        self,
        *,
        listed: list[_Node],
        roots: set[str],
        errors: dict[str, PackageError],
        incomplete: set[str] | None = None,
        deps_errors: dict[str, tuple[PackageError, ...]] | None = None,
        every: list[_Node] | None = None,
        root_order: list[str] | None = None,
    ) -> None:
        self.listed = listed
        self.every = every if every is not None else listed
        """Every package loaded, in PackageList order (what -deps lists)."""
        self.root_order = root_order if root_order is not None else []
        """The roots' import paths in command-line order."""
        self.roots = roots
        self.errors = errors
        self.incomplete = incomplete if incomplete is not None else set()
        """Import paths go marks Incomplete (an error here or in a dependency)."""
        self.deps_errors = deps_errors if deps_errors is not None else {}
        """Import path -> its DepsErrors (only the non-empty ones)."""
        self.import_positions = False
        """An error's position came from an importer's files (then the walk is this
        target's own: another target's importer may have other files)."""

    def for_target(self, built: dict[str, _Node | None]) -> _Walked:
        """This walk for another target whose nodes walk the same (`_Matrix.walk_key`):
        the same paths in the same order and the same errors, with that target's nodes."""
        listed = [built[n.local.path] for n in self.listed]
        every = listed if self.every is self.listed else [built[n.local.path] for n in self.every]
        return _Walked(
            listed=cast("list[_Node]", listed),
            roots=self.roots,
            errors=self.errors,
            incomplete=self.incomplete,
            deps_errors=self.deps_errors,
            every=cast("list[_Node]", every),
            root_order=self.root_order,
        )

    def entries(self) -> list[tuple[_Node, bool, PackageError | None]]:
        """(node, DepOnly, error) in order."""
        roots, errors = self.roots, self.errors
        return [
            (n, n.local.path not in roots, errors[n.local.path] if n.err else None)
            for n in self.listed
        ]


_INTERNAL = "internal"
"""What an import path holds if it may have an internal element: `internal_allowed` allows
every other path, whoever imports it (not asked: ~3/4 of GOROOT std's imports)."""


class _FastTarget:
    """One target on the fast path: nodes bottom-up, then go's load order and stacks."""

    def __init__(self, graph: _Graph, index: int) -> None:
        self.graph = graph
        self.loader = graph.loader
        self.index = index
        ctx = graph.loader.contexts.contexts[index]
        self.ctx = ctx
        self.simd = has_simd(ctx.goarch)
        self.link = _linker_deps(ctx)
        self.trait = (self.simd, ctx.cgo_enabled, tuple(self.link[0]), self.link[1])
        self.built: dict[str, _Node | None] = {}  # None: being built (a cycle if seen)

    def node(self, res: _Resolved) -> _Node:
        """The package's node on this target, its imports' nodes built first."""
        return steps.run(self._node_steps(res))

    def _node_steps(self, res: _Resolved) -> Steps[_Node]:
        built = self.built
        path = res.path
        if path in built:
            got = built[path]
            if got is None:
                raise _CycleError(path)
            return got
        built[path] = None
        local = self._local(res)
        graph = self.graph
        resolved_kids = local.kid_paths
        kids: list[_Node] = []
        if resolved_kids:
            resolve = self.loader.resolver.resolve
            std = local.standard
            for kp, imp in zip(resolved_kids, local.kid_strs, strict=True):
                child = built.get(kp)
                if child is None:
                    child = yield self._node_steps(resolve(imp, path, std))
                kids.append(child)
        # Same package, same children: same node (the common case across targets)
        skey = (local, *kids)
        node = graph.by_kids.get(skey)
        if node is None:
            node = self._new_node(local, kids)
            graph.by_kids[skey] = node
        built[path] = node
        return node

    def _new_node(self, local: _Local, kids: list[_Node]) -> _Node:
        """The node of `local` over children `kids`. Of a child it reads only what its
        `_Node.face` stands for (its Deps, whether it has an error, a main package's
        directory) and its import path: `_Matrix` keys the nodes by the faces."""
        graph = self.graph
        resolved_kids = local.kid_paths
        # Deps: one `_Deps` per (children's paths, their `_Deps`), its closure left unread
        deps = graph.new_deps(resolved_kids, kids) if kids else _NO_DEPS
        err, kind, pos = local.err, local.err_kind, local.err_pos
        if (
            err is None
            and kids
            and (local.internal_bad or local.local_imports or not graph.mains.isdisjoint(kids))
        ):
            for i, kid in enumerate(kids):
                kl = kid.local
                if i in local.internal_bad and kid.err is None:
                    err, kind = internal_error(kl.path), PUSH
                    pos = self._import_pos_in(local, local.kid_strs[i])
                    break
                imp = local.kid_strs[i]
                program = program_import_error(
                    imp, name=kl.name, directory=kl.dir, importer_dir=local.dir
                )
                if program is None and local.local_imports:
                    program = local_import_error(imp)
                if program is not None:
                    err, kind = program, PUSH
                    pos = self._import_pos_in(local, imp)
                    break
        if err is None and local.late_err is not None:
            err, kind = local.late_err, PUSH
        nkey = (id(local), id(deps), err, kind, pos)
        node = graph.nodes.get(nkey)
        if node is None:
            fkey = (id(deps), err is None, local.dir if local.name == "main" else None)
            face = graph.faces.setdefault(fkey, len(graph.faces))
            node = _Node(local, deps, err, kind, pos, face=face)
            graph.nodes[nkey] = node
            if err is not None:
                graph.err_nodes.add(node)
            if local.name == "main":
                graph.mains.add(node)
        return node

    def _local(self, res: _Resolved) -> _Local:
        loader = self.loader
        ctx = self.ctx
        facts = loader.facts(res.dir, self.index) if res.dir and not res.match_error else None
        relevant = facts is None or self.graph.trait_relevant(facts)
        key = (res.path, id(facts), res.error, self.trait if relevant else None)
        got = self.graph.locals.get(key)
        if got is not None:
            return got
        local = self._make_local(res, facts, ctx)
        self.graph.locals[key] = local
        return local

    def _make_local(self, res: _Resolved, facts: DirFacts | None, ctx: BuildContext) -> _Local:
        loader = self.loader
        graph = self.graph
        local = _Local()
        local.path = res.path
        local.dir = res.dir
        local.facts = facts
        local.cgo = ctx.cgo_enabled
        standard = res.goroot and is_standard_import_path(res.path)
        local.standard = standard
        name = facts.name if facts is not None else ""
        local.name = name
        explicit = facts.imports if facts is not None else ()
        link_deps: list[str] = []
        link_err: str | None = None
        if name == "main":
            link_deps, link_err = self.link
        import_paths = implicit_imports(
            explicit,
            import_path=res.path,
            standard=standard,
            facts=facts,
            simd=self.simd,
            link_deps=link_deps if link_err is None else [],
        )
        n_explicit = len(explicit)

        local.err, local.err_kind, local.err_pos = load_error(res, facts, loader.cwd)
        if local.err is None and link_err is None and facts is not None:
            embed = loader.embed_error(facts, res.dir)  # load's resolveEmbed, after the push
            if embed is not None:
                local.err, local.err_kind, local.err_pos = embed[0], PUSH, embed[1]

        if link_err is not None:
            if local.err is None:
                local.err, local.err_kind = link_err, LINK
            local.module = None
            local.imports = graph.intern(tuple(import_paths[:n_explicit]))
            return local

        local.module = res.module
        importer_has_simd = self.simd and "simd" in explicit
        key = (id(res), standard, importer_has_simd, n_explicit, tuple(import_paths))
        kids = graph.kids_memo.get(key)
        if kids is None:
            kids = graph.kids_memo[key] = self._resolve_imports(
                res, import_paths, n_explicit, standard=standard, has_simd=importer_has_simd
            )
        (
            _,
            local.kid_paths,
            local.kid_res,
            local.kid_pairs,
            local.kid_strs,
            local.imports,
            local.internal_bad,
            local.local_imports,
            implicit,
        ) = kids
        if local.err is None and implicit is not None:
            local.err, local.err_kind, local.err_pos = implicit, IMPORTER, ""
        if facts is not None:
            local.late_err = foreign_files_error(facts, cgo_enabled=ctx.cgo_enabled)
        return local

    def _resolve_imports(
        self,
        res: _Resolved,
        import_paths: list[str],
        n_explicit: int,
        *,
        standard: bool,
        has_simd: bool,
    ) -> _Kids:
        """What a package's imports resolve to (the same for every `_Local` of the package
        with these imports: its other files, or other targets, do not change it)."""
        graph = self.graph
        resolver = self.loader.resolver
        kid_paths: list[str] = []
        kid_strs: list[str] = []
        kid_res: list[_Resolved] = []
        bad: set[int] = set()
        resolved = list(import_paths)
        for i, imp in enumerate(import_paths):
            if imp == "C":
                continue
            child = resolver.resolve(imp, res.path, standard)
            resolved[i] = child.path
            if _INTERNAL in child.path and not internal_allowed(
                importer_path=res.path,
                importer_dir=res.dir,
                importer_has_simd=has_simd,
                path=child.path,
                directory=child.dir,
                module=child.module,
            ):
                bad.add(len(kid_paths))
            kid_paths.append(child.path)
            kid_res.append(child)
            kid_strs.append(imp)
        pairs = tuple(zip(kid_paths, kid_strs, strict=True))
        return (
            res,  # (kept alive: the memo is keyed by its id)
            graph.intern(tuple(kid_paths)),
            tuple(kid_res),
            graph.pairs.setdefault(pairs, pairs),  # (its id stands for it)
            graph.intern(tuple(kid_strs)),
            graph.intern(tuple(resolved[:n_explicit])),
            frozenset(bad),
            any(map(local_import_error, kid_strs)),
            resolver.implicit_import_error(res, kid_res),
        )

    def run(
        self, roots: Sequence[str], root_errors: dict[str, _Resolved], *, with_deps: bool
    ) -> _Walked:
        """Build this target's nodes, then `walk`."""
        resolver = self.loader.resolver
        root_nodes = [
            (r, self.node(root_errors.get(r) or resolver.resolve(r, "", False))) for r in roots
        ]
        return self.walk(root_nodes, self.built, with_deps=with_deps)

    def walk(
        self,
        root_nodes: list[tuple[str, _Node]],
        built: dict[str, _Node | None],
        *,
        with_deps: bool,
        folds_checked: bool = False,
    ) -> _Walked:
        """Go's load and PackageList over the nodes (`built`: this target's, by import
        path): order, DepOnly, errors with stacks. `folds_checked`: no two import paths of
        the graph differ only in case (`has_fold_collision` of the whole matrix)."""
        errs: dict[str, list[Any]] = {}  # import path -> [stack, pos, frozen]
        seen: set[str] = set()
        order: list[_Node] = []
        root_set: set[str] = set()
        root_list: list[_Node] = []
        positions: list[str] = []
        path: list[str] = []
        # The packages with an error here: only an import of one of them needs a look when
        # it was seen already (a shorter stack); the other imports seen are skipped in C.
        err_paths = {n.local.path for n in self.graph.err_nodes.intersection(built.values())}

        def first_load(node: _Node, path: list[str], s: str, parent: _Node | None) -> None:
            if node.err_kind == MATCH:
                errs[node.local.path] = [[], "", True]
            elif node.err_kind == PUSH:
                errs[node.local.path] = [[*path, s], node.err_pos, False]
            else:
                pos = ""
                if parent is not None:
                    pos = self._import_pos(parent, s)
                    positions.append(pos)
                errs[node.local.path] = [list(path), pos, node.err_kind == LINK]

        def revisit(path: list[str], kp: str, s: str) -> None:
            rec = errs[kp]
            if not rec[2]:
                cand = [*path, s]
                if _shorter_than(cand, rec[0]):
                    rec[0] = cand

        def near_errors(local: _Local) -> Iterator[str]:
            """The imports not seen yet, in order; a shorter stack for those with errors."""
            for kp, cs in local.kid_pairs:
                if kp in seen:
                    if kp in errs:  # (every package with an error is in errs)
                        revisit(path, kp, cs)
                    continue
                yield kp

        def unseen(local: _Local) -> Iterator[str]:
            kid_paths = local.kid_paths
            if err_paths and not err_paths.isdisjoint(kid_paths):
                return near_errors(local)
            return filterfalse(seen.__contains__, kid_paths)  # (lazy: tests when reached)

        add = seen.add
        emit = order.append
        for s, root in root_nodes:
            rpath = root.local.path
            if rpath not in root_set:
                root_set.add(rpath)
                root_list.append(root)
            if rpath in seen:
                if rpath in errs:
                    revisit([], rpath, s)
                continue
            add(rpath)
            if root.err is not None:
                first_load(root, [], s, None)
            elif not err_paths:
                # No package of this graph has an error: no stacks to keep (GOROOT std's
                # ~380 packages a target), the same order in fewer steps.
                _walk_clean(root, built, add, seen.__contains__, emit)
                continue
            path[:] = [s]
            stack: list[tuple[_Node, Iterator[str]]] = [(root, unseen(root.local))]
            while stack:
                node, kids = stack[-1]
                for kp in kids:
                    add(kp)
                    child = built[kp]
                    if child is None:  # cannot happen after a complete build
                        raise _CycleError(kp)
                    local = node.local
                    # (the first import naming kp: a later one found it seen)
                    cs = kp if local.kid_strs is local.kid_paths else local.import_string(kp)
                    if child.err is not None:
                        first_load(child, path, cs, node)
                    path.append(cs)
                    stack.append((child, unseen(child.local)))
                    break
                else:
                    stack.pop()
                    path.pop()
                    emit(node)

        if not folds_checked and has_fold_collision(n.local.path for n in order):
            raise _CycleError("case-insensitive import collision")  # load order decides
        errors, incomplete, deps_errors = self._errors(errs, built, order)
        walked = _Walked(
            listed=order if with_deps else root_list,
            roots=root_set,
            errors=errors,
            incomplete=incomplete,
            deps_errors=deps_errors,
            every=order,
            root_order=[n.local.path for n in root_list],
        )
        walked.import_positions = bool(positions)
        return walked

    def _errors(
        self, errs: dict[str, list[Any]], built: dict[str, _Node | None], order: list[_Node]
    ) -> tuple[dict[str, PackageError], set[str], dict[str, tuple[PackageError, ...]]]:
        """`walk`'s errors with their stacks (`errs`: [stack, pos, frozen] by import path),
        the Incomplete packages and the DepsErrors."""
        errors: dict[str, PackageError] = {}
        for p, (stk, pos, _) in errs.items():
            got = built[p]
            if got is not None and got.err is not None:
                errors[p] = PackageError(err=got.err, import_stack=tuple(stk), pos=pos)
        incomplete: set[str] = set()
        deps_errors: dict[str, tuple[PackageError, ...]] = {}
        if errors:
            below = self.graph.errors_below(order, errors)
            if below is None:
                kid_map = {n.local.path: n.local.kid_paths for n in order}
                below = incomplete_and_deps_errors(
                    [n.local.path for n in order], kid_map, errors, package_error_order
                )
            incomplete, deps_errors = below
        return errors, incomplete, deps_errors

    def _import_pos(self, parent: _Node, path: str) -> str:
        return self._import_pos_in(parent.local, path)

    def _import_pos_in(self, local: _Local, path: str) -> str:
        return import_position(local.facts, path, self.loader.cwd)


def _walk_clean(
    root: _Node,
    built: dict[str, _Node | None],
    add: Callable[[str], None],
    seen: Callable[[str], bool],
    emit: Callable[[_Node], None],
) -> None:
    """`_FastTarget.walk`'s depth-first walk from `root` (seen already) where no node has
    an error: every import not `seen` yet is `add`ed and walked, each node `emit`ted after
    its imports, with no import stack kept (it only ever words an error)."""
    stack: list[tuple[_Node, Iterator[str]]] = [(root, filterfalse(seen, root.local.kid_paths))]
    push = stack.append
    while stack:
        node, kids = stack[-1]
        for kp in kids:
            add(kp)
            child = built[kp]
            if child is None:  # cannot happen after a complete build
                raise _CycleError(kp)
            push((child, filterfalse(seen, child.local.kid_paths)))
            break
        else:
            stack.pop()
            emit(node)
