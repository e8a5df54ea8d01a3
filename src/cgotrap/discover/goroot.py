"""GOROOT: where std and cmd live, and how std's vendored imports resolve.

From cmd/go/internal/modload/load.go (stdVendor): an import of a non-standard path
("golang.org/x/net/dns/dnsmessage") from a standard package becomes
"vendor/golang.org/x/net/dns/dnsmessage" when GOROOT/src/vendor has it; from a `cmd/...`
package it becomes "cmd/vendor/..." when GOROOT/src/cmd/vendor has it.
"""

# String paths and os.path: these run once per import and pathlib is slower there.
# ruff: noqa: PTH112, PTH118

from __future__ import annotations

import functools
import os


def is_standard_import_path(path: str) -> bool:
    """search.IsStandardImportPath: the first element has no dot."""
    first = path.split("/", 1)[0]
    return "." not in first


@functools.cache
def _is_dir(path: str) -> bool:
    return os.path.isdir(path)


_HAS_GO_FILE: dict[str, bool] = {}
"""`has_go_file`'s answers (per process; a forked process inherits them)."""


def has_go_file(path: str) -> bool:
    """modindex.IsStandardPackage's test: the directory has an entry named *.go."""
    got = _HAS_GO_FILE.get(path)
    if got is None:
        got = _HAS_GO_FILE[path] = _lists_go_file(path)
    return got


def _lists_go_file(path: str) -> bool:
    try:
        with os.scandir(path) as entries:
            return any(e.name.endswith(".go") for e in entries)
    except OSError:
        return False


def note_go_file(path: str) -> None:
    """Note that the directory `path` was just listed with a *.go file in it (the loader's
    prefetch): `has_go_file` then answers without listing it again (GOROOT std
    `--targets all`: ~380 directories in each of the two judging processes, ~7 ms each).
    Only a file that was seen is noted: a directory without one is listed when asked."""
    _HAS_GO_FILE[path] = True


def std_vendor_path(goroot_src: str, importer: str, path: str) -> str:
    """The import path an import of `path` from standard package `importer` resolves to."""
    if is_standard_import_path(path):
        return path
    if importer == "cmd" or importer.startswith("cmd/"):
        vendored = f"cmd/vendor/{path}"
    else:
        vendored = f"vendor/{path}"
    if _is_dir(os.path.join(goroot_src, vendored)):
        return vendored
    return path


def is_standard_package(goroot_src: str, path: str) -> bool:
    """modindex.IsStandardPackage: a dotless path whose GOROOT/src directory has .go files."""
    return is_standard_import_path(path) and has_go_file(os.path.join(goroot_src, path))
