"""The nodes of many targets at once, package by package (not target by target)."""

from __future__ import annotations

import operator
from collections.abc import Sequence
from itertools import compress, repeat
from typing import TYPE_CHECKING, Any, cast

from cgotrap.evaluate.load import steps
from cgotrap.evaluate.load.fast import _FastTarget, _Graph, _Local, _Node
from cgotrap.evaluate.load.resolve import _Resolved
from cgotrap.evaluate.load.steps import Steps

if TYPE_CHECKING:
    from cgotrap.evaluate.directory import DirFacts


class _Matrix:
    """The nodes of many targets at once, package by package (not target by target).

    Two passes over the packages, each visiting a package once for all its targets:
    `reach` finds on which targets each package is loaded (bit masks of targets spread from
    the roots along each target's own imports, to a fixed point), then `build` gives every
    package its node on all those targets at once: the targets are grouped by the package's
    `_Local` (its DirFacts class and traits), and within a group the targets whose children
    are the same nodes share one node, which leaves only C-level list work per target.
    A target whose packages import each other in a cycle, or that meets one of the rare
    results that depend on the importer, is left to the one-target path (`unsure`).
    """

    def __init__(self, graph: _Graph, fast: list[_FastTarget], size: int) -> None:
        self.graph = graph
        self.by_index = {ft.index: ft for ft in fast}
        self._indices = list(self.by_index)
        # (with one index itemgetter gives the item itself, not a tuple)
        self._pick = operator.itemgetter(*self._indices) if len(self._indices) > 1 else None
        self._groups: dict[int, list[int]] = {}
        """A mask of targets -> their indices (`_bits`)."""
        self.size = size
        self.all_mask = 0
        trait_masks: dict[Any, int] = {}
        for ft in fast:
            self.all_mask |= 1 << ft.index
            trait_masks[ft.trait] = trait_masks.get(ft.trait, 0) | (1 << ft.index)
        self.trait_masks = list(trait_masks.values())
        self.needed: dict[str, int] = {}
        self.res: dict[str, _Resolved] = {}
        self.vecs: dict[str, list[_Node | None]] = {}
        self.fvecs: dict[str, list[int]] = {}
        """Import path -> the face of its node per target (`_Node.face`; -1: none)."""
        self.unsure: set[int] = set()
        self._classes: dict[str, list[tuple[int, bool]]] = {}
        self._busy: set[str] = set()
        self._walk_tokens: dict[_Node | None, int] = {None: -1}
        """A node's walk token (`walk_key`); -1 for a package not loaded."""
        self._walk_kinds: dict[tuple[Any, ...], int] = {}
        self._root_paths: dict[str, str] = {}
        """A pattern match -> the import path it resolves to (`root_nodes`)."""
        self._locals: dict[tuple[str, int], _Local] = {}
        """(import path, a class's mask of `_class_masks`) -> the package's `_Local` there."""

    # ---- pass 1: which packages each target loads

    def reach(self, roots: dict[str, int]) -> None:
        """Spread target masks from `roots` (import path -> targets) to every dependency."""
        resolve = self.graph.loader.resolver.resolve
        needed = self.needed
        done: dict[str, int] = {}
        queue: list[str] = []
        for r, mask in roots.items():
            res = resolve(r, "", False)
            self._note(res)
            needed[res.path] = needed.get(res.path, 0) | mask
            queue.append(res.path)
        locals_ = self._locals
        while queue:
            path = queue.pop()
            mask = needed[path]
            delta = mask & ~done.get(path, 0)
            if not delta:
                continue
            done[path] = mask
            res = self.res[path]
            for cls, _ in self._class_masks(res):
                m = delta & cls
                if not m:
                    continue
                local = locals_.get((path, cls))
                if local is None:  # (its imports noted once: a path comes back with more targets)
                    local = self._class_local(res, cls, m)
                    for kid in local.kid_res:
                        self._note(kid)
                for kp in local.kid_paths:
                    old = needed.get(kp, 0)
                    if old | m != old:
                        needed[kp] = old | m
                        queue.append(kp)

    def _class_local(self, res: _Resolved, cls: int, m: int) -> _Local:
        """The package's `_Local` on the targets of its class `cls` (`_class_masks`: one
        DirFacts object, and one trait where it matters, so one `_Local`), asked of a
        target of `m` (some of them), kept for `build`."""
        local = self.by_index[(m & -m).bit_length() - 1]._local(res)
        self._locals[res.path, cls] = local
        return local

    def _note(self, res: _Resolved) -> None:
        seen = self.res.get(res.path)
        if seen is None:
            self.res[res.path] = res
        elif seen is not res and seen != res:  # the first importer would decide: per target
            self.unsure.update(self.by_index)

    def _class_masks(self, res: _Resolved) -> list[tuple[int, bool]]:
        """The package's target classes as (mask, facts relevant to traits)."""
        got = self._classes.get(res.path)
        if got is not None:
            return got
        loader = self.graph.loader
        scans = loader.scans(res.dir) if res.dir and not res.match_error else None
        out: list[tuple[int, bool]] = []
        if scans is None:
            out = [(m, True) for m in self.trait_masks]
        else:
            pick = self._pick
            picked = pick(scans) if pick is not None else [scans[i] for i in self._indices]
            if len(set(map(id, picked))) == 1:  # the same files on every target (most)
                groups: list[tuple[int, DirFacts]] = [(self.all_mask, picked[0])]
            else:
                by_facts: dict[int, int] = {}
                facts_of: dict[int, DirFacts] = {}
                for i, f in zip(self._indices, picked, strict=True):
                    by_facts[id(f)] = by_facts.get(id(f), 0) | (1 << i)
                    facts_of[id(f)] = f
                groups = [(fmask, facts_of[fid]) for fid, fmask in by_facts.items()]
            for fmask, facts in groups:
                if self.graph.trait_relevant(facts):
                    out.extend((fmask & tm, True) for tm in self.trait_masks if fmask & tm)
                else:
                    out.append((fmask, False))
        self._classes[res.path] = out
        return out

    # ---- pass 2: the nodes

    def build(self, path: str) -> bool:
        """Give `path` its node on every target that loads it; False while it is being built."""
        return steps.run(self._build_steps(path))

    def _build_steps(self, path: str) -> Steps[bool]:
        if path in self.vecs:
            return True
        if path in self._busy:
            return False
        self._busy.add(path)
        res = self.res[path]
        needed = self.needed[path]
        vec: list[_Node | None] = [None] * self.size
        fvec: list[int] = [-1] * self.size
        by_faces = self.graph.by_faces
        vecs = self.vecs
        fvecs = self.fvecs
        unsure = self.unsure
        for cls, _ in self._class_masks(res):
            m = needed & cls
            if not m:
                continue
            group = self._groups.get(m)
            if group is None:  # (a few masks recur for every package: all targets, ...)
                group = self._groups[m] = _bits(m)
            ft = self.by_index[group[0]]
            local = self._locals.get((path, cls)) or self._class_local(res, cls, m)
            kid_paths = local.kid_paths
            if not kid_paths:
                node = by_faces.get((local,))
                if node is None:
                    node = by_faces[(local,)] = ft._new_node(local, [])
                for t in group:
                    vec[t] = node
                    fvec[t] = node.face
                continue
            for kp in kid_paths:
                if kp in vecs:
                    continue
                # False: an import cycle here, or one across targets
                if kp in self._busy or not (yield self._build_steps(kp)):
                    unsure.update(group)
            if unsure:
                group = [t for t in group if t not in unsure]
                if not group:
                    continue
            # A node is made of its `_Local` and its children's faces (`_Node.face`): the
            # targets whose children have the same faces share it.
            kfvecs = list(map(fvecs.__getitem__, kid_paths))
            if len(group) == 1:
                t0 = group[0]
                keys: list[tuple[int, ...]] = [tuple([kv[t0] for kv in kfvecs])]
            else:
                pick = operator.itemgetter(*group)
                keys = list(zip(*[pick(kv) for kv in kfvecs], strict=True))
            memo: dict[tuple[int, ...], _Node] = {}
            for t, key in zip(group, keys, strict=True):
                node = memo.get(key)
                if node is None:
                    skey = (local, *key)
                    node = by_faces.get(skey)
                    if node is None:
                        kids = list(map(operator.itemgetter(t), map(vecs.__getitem__, kid_paths)))
                        node = by_faces[skey] = ft._new_node(local, cast("list[_Node]", kids))
                    memo[key] = node
                vec[t] = node
                fvec[t] = node.face
        self._busy.discard(path)
        vecs[path] = vec
        fvecs[path] = fvec
        return True

    def built(self, index: int) -> dict[str, _Node | None] | None:
        """One target's nodes by import path, or None when it takes the one-target path."""
        if index not in self.by_index or index in self.unsure:
            return None
        vecs = self.vecs
        return dict(zip(vecs, map(operator.itemgetter(index), vecs.values()), strict=True))

    def walk_key(self, built: dict[str, _Node | None], roots: Sequence[str]) -> tuple[Any, ...]:
        """What go's load order over a target's nodes (`built`) depends on: its roots, and
        per package its imports (path and string, in order) and its own error. Two targets
        with the same key walk the same (`_Walked.for_target`), though their nodes differ
        (other files, other Deps: the walk reads neither)."""
        tokens = self._walk_tokens
        got = list(map(tokens.get, built.values()))
        if None in got:  # (the nodes met first here: picked in C, a few per target)
            kinds = self._walk_kinds
            for node in compress(built.values(), map(operator.is_, got, repeat(None))):
                if node is not None and node not in tokens:
                    token = (id(node.local.kid_pairs), node.err, node.err_kind, node.err_pos)
                    tokens[node] = kinds.setdefault(token, len(kinds))
            got = list(map(tokens.get, built.values()))
        return (tuple(roots), tuple(got))

    def root_nodes(
        self, roots: Sequence[str], built: dict[str, _Node | None]
    ) -> list[tuple[str, _Node]] | None:
        """(pattern match, node) for a target's roots; None if one was not built."""
        paths = self._root_paths
        got = list(map(paths.get, roots))
        if None in got:  # (the roots met first here; most targets share them: looked up in C)
            resolve = self.graph.loader.resolver.resolve
            for r in roots:
                if r not in paths:
                    paths[r] = resolve(r, "", False).path
            got = list(map(paths.get, roots))
        nodes = list(map(built.get, cast("list[str]", got)))
        if None in nodes:  # every root was built: cannot happen
            return None
        return list(zip(roots, cast("list[_Node]", nodes), strict=True))


def _bits(mask: int) -> list[int]:
    """The indices of the set bits of `mask`, lowest first."""
    bits = bin(mask)[:1:-1]
    return [i for i, bit in enumerate(bits) if bit == "1"]
