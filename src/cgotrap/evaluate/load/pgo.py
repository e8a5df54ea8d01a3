"""Per-program package copies for main packages with a `default.pgo`, as go list shows them.

A port of cmd/go/internal/load/pkg.go: setPGOProfilePath (-pgo=auto, go1.27.3) and the
renaming in cmd/go/internal/list (runList: "distinguish between p compiled with different
PGO profiles"). With more than one package on the command line, every main package among
them whose directory holds a `default.pgo` gets its own copy of each package it depends on,
listed as "path [main]" (DepOnly), and its Imports and Deps name the copies. With one
package on the command line the profile is attached in place and nothing is renamed.
"""

# ruff: noqa: PTH110, PTH118

from __future__ import annotations

import dataclasses
import os
from collections.abc import Mapping, Sequence

from cgotrap.evaluate.load.rules import incomplete_and_deps_errors, package_error_order
from cgotrap.evaluate.model import PackageError, PackageFacts

_Key = tuple[str, str]
"""(import path, the main package it is copied for; "" for the package itself)."""


def pgo_mains(roots: Sequence[PackageFacts]) -> list[str]:
    """The roots setPGOProfilePath splits for: main packages with a default.pgo, when more
    than one package was named (else none)."""
    if len(roots) <= 1:
        return []
    return [
        r.import_path
        for r in roots
        if r.name == "main" and r.dir and os.path.exists(os.path.join(r.dir, "default.pgo"))
    ]


def split_for_pgo(
    packages: Mapping[str, PackageFacts],
    kids: Mapping[str, Sequence[str]],
    roots: Sequence[str],
    mains: Sequence[str],
    *,
    with_deps: bool,
) -> list[PackageFacts]:
    """The listing after the split: `packages` (every package loaded, by import path, as
    listed without the split) and `kids` (each one's loaded imports, Internal.Imports)."""
    graph: dict[_Key, list[_Key]] = {(p, ""): [(k, "") for k in kids.get(p, ())] for p in packages}
    for main in mains:
        visited: dict[str, _Key] = {}
        _split(main, main, graph, kids, visited)
    # Deps, DepsErrors and Incomplete over the new graph, bottom-up (PackageList order)
    order = _post_order([(r, "") for r in roots], graph)
    every = order  # PackageList from the roots: every package go lists with -deps
    deps: dict[_Key, tuple[str, ...]] = {}
    for key in every:
        found: set[str] = set()
        for kid in graph[key]:
            found.add(_name(kid))
            found.update(deps[kid])
        deps[key] = tuple(sorted(found))
    errors: dict[_Key, PackageError] = {}
    for key in every:
        err = packages[key[0]].error
        if err is not None:
            errors[key] = err
    incomplete, deps_errors = incomplete_and_deps_errors(every, graph, errors, package_error_order)
    root_set = set(roots)
    listed = order if with_deps else [(r, "") for r in roots]
    out: list[PackageFacts] = []
    for key in listed:
        base = packages[key[0]]
        renamed = {kid[0]: _name(kid) for kid in graph[key] if kid[1]}
        out.append(
            dataclasses.replace(
                base,
                import_path=_name(key),
                dep_only=bool(key[1]) or key[0] not in root_set,
                imports=tuple(renamed.get(i, i) for i in base.imports),
                deps=deps[key],
                incomplete=key in incomplete,
                deps_errors=deps_errors.get(key, ()),
            )
        )
    return out


def _name(key: _Key) -> str:
    """Package.Desc: "path [main]" for a copy."""
    return f"{key[0]} [{key[1]}]" if key[1] else key[0]


def _split(
    path: str,
    main: str,
    graph: dict[_Key, list[_Key]],
    kids: Mapping[str, Sequence[str]],
    visited: dict[str, _Key],
) -> _Key:
    """setPGOProfilePath's split, iteratively: the main package keeps its key, every package
    below it becomes (path, main), its imports pointing to the copies."""
    root_key: _Key = (path, "")
    visited[path] = root_key
    stack: list[tuple[_Key, int]] = [(root_key, 0)]
    while stack:
        key, i = stack.pop()
        below = graph[key]
        if i >= len(below):
            continue
        stack.append((key, i + 1))
        child = below[i]
        got = visited.get(child[0])
        if got is None:
            got = (child[0], main)
            visited[child[0]] = got
            graph[got] = [(k, "") for k in kids.get(child[0], ())]
            stack.append((got, 0))
        below[i] = got
    return root_key


def _post_order(roots: Sequence[_Key], graph: Mapping[_Key, Sequence[_Key]]) -> list[_Key]:
    """load.PackageList over the keys: depth-first post-order, each key once."""
    seen: set[_Key] = set()
    out: list[_Key] = []
    for root in roots:
        if root in seen:
            continue
        seen.add(root)
        stack: list[tuple[_Key, int]] = [(root, 0)]
        while stack:
            key, i = stack[-1]
            below = graph[key]
            if i < len(below):
                stack[-1] = (key, i + 1)
                child = below[i]
                if child not in seen:
                    seen.add(child)
                    stack.append((child, 0))
                continue
            stack.pop()
            out.append(key)
    return out
