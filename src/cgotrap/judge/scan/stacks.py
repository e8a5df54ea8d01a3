"""What `go build P` prints when P imports a package that does not build.

A package that fails to *load* (build constraints exclude all its Go files, C files without
cgo, ...) stops `go build` before anything compiles: go prints the error of every such
package P depends on, each with the import stack its loader recorded, e.g. (tabs before
"imports") "package example.com/m/cmd/app / imports example.com/m/b / imports
example.com/m/c: build constraints exclude all Go files in c" on three lines.

When nothing fails to load, go compiles, and a package that fails to *compile* (`undefined:
fastHash`, a missing header) prints its compiler errors; packages that import it are never
compiled. `load_order` replays go's load from one root to give both the stacks and the order.
"""

from __future__ import annotations

from collections.abc import Container, Iterator, Mapping, Sequence

from cgotrap.evaluate.load.rules import _shorter_than


# cmd/go/internal/load/pkg.go: loadImport, reusePackage (the stack a package's error keeps)
# and PackageList (the order CheckPackageErrors prints errors in) (go1.27.3)
def load_order(
    root: str,
    graph: Mapping[str, Sequence[str]],
    marked: Container[str],
    relevant: Container[str],
) -> list[tuple[str, tuple[str, ...]]]:
    """(package, import stack) for each of `marked` that go loads from `root`, in the order
    `go build root` prints their errors (dependencies first: PackageList's order).

    go loads depth-first, each package's imports in sorted order (`graph`'s); a package's
    error keeps the stack of its first load, replaced by a later import's stack when that
    one is shorter (`shorterThan`: shorter, or as long and smaller path by path). Only
    packages of `relevant` are walked: give every package that reaches one of `marked` (the
    others cannot change a stack or the order).
    """
    stacks: dict[str, list[str]] = {}
    order: list[str] = []
    seen = {root}
    path = [root]
    work: list[tuple[str, Iterator[str]]] = [(root, iter(graph.get(root, ())))]
    while work:
        node, kids = work[-1]
        for kid in kids:
            if kid not in relevant:
                continue
            if kid in seen:
                old = stacks.get(kid)
                if old is not None and _shorter_than([*path, kid], old):
                    stacks[kid] = [*path, kid]
                continue
            seen.add(kid)
            if kid in marked:
                stacks[kid] = [*path, kid]
            path.append(kid)
            work.append((kid, iter(graph.get(kid, ()))))
            break
        else:
            work.pop()
            path.pop()
            if node in marked and node != root:
                order.append(node)
    return [(ip, tuple(stacks[ip])) for ip in order]


# cmd/go/internal/load/pkg.go: (*PackageError).Error (go1.27.3)
def error_text(stack: Sequence[str], err: str, pos: str = "") -> str:
    """A load error as go prints it: `pos: err` when it has a position, else the import
    stack ("package a\\n\\timports b\\n\\timports c: err")."""
    if pos:
        return f"{pos}: {err}"
    if not stack:
        return err
    return "package " + "\n\timports ".join(stack) + ": " + err
