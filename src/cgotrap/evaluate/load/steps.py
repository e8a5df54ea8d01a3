"""Recursive walks run without Python recursion.

go's loader recurses over imports (loadImport -> load -> loadImport); a Go tree can nest
imports deeper than Python's recursion limit allows, and the library must not raise that
limit. A walk is written as a generator that yields the walk of a child (another such
generator) where it would have called itself, and receives the child's result; `run`
keeps the generators on a list, so the depth is bounded by the heap (and by the number
of packages, each visited once), not by the interpreter's stack.
"""

from __future__ import annotations

from collections.abc import Generator
from typing import Any, TypeVar

_T = TypeVar("_T")

Steps = Generator[Any, Any, _T]
"""A walk: yields child walks (`Steps` of their own), receives their results, returns `_T`."""


def run(walk: Steps[_T]) -> _T:
    """The result of `walk`, with its nested walks run in order, depth first."""
    stack: list[Steps[Any]] = [walk]
    value: Any = None
    while True:
        try:
            child = stack[-1].send(value)
        except StopIteration as done:
            stack.pop()
            if not stack:
                return done.value  # type: ignore[no-any-return]  # the outer walk's _T
            value = done.value
            continue
        stack.append(child)
        value = None
