"""Package patterns as cmd/internal/pkgpattern matches them (MatchPattern, TreeCanMatchPattern)."""

# ruff: noqa: PTH117

from __future__ import annotations

import os
import re
from collections.abc import Callable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    pass


def _replace_vendor(x: str, repl: str) -> str:
    if "vendor" not in x:
        return x
    elems = x.split("/")
    for i in range(len(elems) - 1):
        if elems[i] == "vendor":
            elems[i] = repl
    return "/".join(elems)


def match_pattern(pattern: str) -> Callable[[str], bool]:
    """pkgpattern.MatchPattern: `...` matches any string, but not into vendor/ elements."""
    vendor_char = "\x00"
    if vendor_char in pattern:
        return lambda _name: False
    regex = re.escape(_replace_vendor(pattern, vendor_char))
    # re.escape leaves "/" alone and escapes "." as "\."
    dots = r"\.\.\."
    wild = f"[^{vendor_char}]*"
    if regex.endswith(f"/{vendor_char}/{dots}"):
        regex = regex[: -len(f"/{vendor_char}/{dots}")] + f"(/vendor|/{vendor_char}/{dots})"
    elif regex == f"{vendor_char}/{dots}":
        regex = f"(/vendor|/{vendor_char}/{dots})"
    if regex.endswith(f"/{dots}"):
        regex = regex[: -len(f"/{dots}")] + f"(/{dots})?"
    regex = regex.replace(dots, wild)
    compiled = re.compile(f"^{regex}$", re.DOTALL)

    def match(name: str) -> bool:
        if vendor_char in name:
            return False
        return compiled.match(_replace_vendor(name, vendor_char)) is not None

    return match


def _has_path_prefix(s: str, prefix: str) -> bool:
    if len(s) == len(prefix):
        return s == prefix
    if len(s) > len(prefix):
        if prefix and prefix.endswith("/"):
            return s.startswith(prefix)
        return s[len(prefix)] == "/" and s.startswith(prefix)
    return False


def tree_can_match(pattern: str) -> Callable[[str], bool]:
    """pkgpattern.TreeCanMatchPattern."""
    wildcard = "..." in pattern
    if wildcard:
        pattern = pattern[: pattern.index("...")]

    def can(name: str) -> bool:
        return (len(name) <= len(pattern) and _has_path_prefix(pattern, name)) or (
            wildcard and name.startswith(pattern)
        )

    return can


def is_local_pattern(pattern: str) -> bool:
    """build.IsLocalImport or an absolute path."""
    return pattern in (".", "..") or pattern.startswith(("./", "../")) or os.path.isabs(pattern)
