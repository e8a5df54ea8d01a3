"""go list output from package facts: `-json` objects and plain import-path lines.

Byte-compatible with `go list -json` for the fields cgotrap keeps: Go's encoding/json
MarshalIndent with a tab indent, field order of cmd/go's PackagePublic, Go's string
escaping (HTML-safe `\\u003c`, `\\u003e`, `\\u0026`; `\\u2028`/`\\u2029`; invalid UTF-8 as
`\\ufffd`; `\\b`, `\\f`, `\\n`, `\\r`, `\\t`, other controls as `\\u00XX`). In matrix mode each
object ends with a `"Target"` object (GOOS, GOARCH, CGO_ENABLED).

Pure functions: nothing is printed here; `iter_json` yields text so the CLI can stream.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from cgotrap.evaluate.model import MatrixResult, PackageFacts

_ESCAPES = {
    "\\": "\\\\",
    '"': '\\"',
    "\b": "\\b",
    "\f": "\\f",
    "\n": "\\n",
    "\r": "\\r",
    "\t": "\\t",
    "<": "\\u003c",
    ">": "\\u003e",
    "&": "\\u0026",
    "\u2028": "\\u2028",
    "\u2029": "\\u2029",
}
_NEEDS_ESCAPE = re.compile('[\\\\"\x00-\x1f<>&\u2028\u2029\udc80-\udcff]')


def _escape_char(match: re.Match[str]) -> str:
    ch = match.group(0)
    got = _ESCAPES.get(ch)
    if got is not None:
        return got
    if "\udc80" <= ch <= "\udcff":  # an undecodable byte kept by surrogateescape
        return "\\ufffd"
    return f"\\u{ord(ch):04x}"


def go_json_string(text: str) -> str:
    """A JSON string literal exactly as Go's encoding/json writes it (HTML-safe)."""
    if _NEEDS_ESCAPE.search(text) is None:
        return f'"{text}"'
    return '"' + _NEEDS_ESCAPE.sub(_escape_char, text) + '"'


_LIST_FIELDS_BEFORE_IMPORTS = (
    ("GoFiles", "go_files"),
    ("CgoFiles", "cgo_files"),
    ("IgnoredGoFiles", "ignored_go_files"),
    ("CFiles", "c_files"),
    ("CXXFiles", "cxx_files"),
    ("MFiles", "m_files"),
    ("HFiles", "h_files"),
    ("FFiles", "f_files"),
    ("SFiles", "s_files"),
    ("SwigFiles", "swig_files"),
    ("SwigCXXFiles", "swigcxx_files"),
    ("SysoFiles", "syso_files"),
    ("CgoCFLAGS", "cgo_cflags"),
    ("CgoCPPFLAGS", "cgo_cppflags"),
    ("CgoCXXFLAGS", "cgo_cxxflags"),
    ("CgoFFLAGS", "cgo_fflags"),
    ("CgoLDFLAGS", "cgo_ldflags"),
    ("CgoPkgConfig", "cgo_pkg_config"),
    ("Imports", "imports"),
    ("Deps", "deps"),
)


class _ListCache:
    """Encoded string lists, keyed by the identity of the (shared) tuples."""

    def __init__(self) -> None:
        self._by_id: dict[int, tuple[tuple[str, ...], str]] = {}

    def get(self, key: str, values: tuple[str, ...]) -> str:
        hit = self._by_id.get(id(values))
        if hit is not None and hit[0] is values:
            return hit[1]
        items = ",\n\t\t".join(go_json_string(v) for v in values)
        text = f"\t{go_json_string(key)}: [\n\t\t{items}\n\t]"
        self._by_id[id(values)] = (values, text)
        return text


def _object(p: PackageFacts, cache: _ListCache, *, with_target: bool) -> str:
    parts: list[str] = []
    if p.dir:
        parts.append(f'\t"Dir": {go_json_string(p.dir)}')
    parts.append(f'\t"ImportPath": {go_json_string(p.import_path)}')
    if p.name:
        parts.append(f'\t"Name": {go_json_string(p.name)}')
    if p.module_path is not None:
        parts.append(f'\t"Module": {{\n\t\t"Path": {go_json_string(p.module_path)}\n\t}}')
    if p.standard:
        parts.append('\t"Standard": true')
    if p.dep_only:
        parts.append('\t"DepOnly": true')
    for key, attr in _LIST_FIELDS_BEFORE_IMPORTS:
        values: tuple[str, ...] = getattr(p, attr)
        if values:
            parts.append(cache.get(key, values))
    if p.error is not None:
        stack = p.error.import_stack
        if stack:
            items = ",\n\t\t\t".join(go_json_string(s) for s in stack)
            stack_text = f"[\n\t\t\t{items}\n\t\t]"
        else:
            stack_text = "[]"
        parts.append(
            f'\t"Error": {{\n\t\t"ImportStack": {stack_text},\n'
            f'\t\t"Pos": {go_json_string(p.error.pos)},\n'
            f'\t\t"Err": {go_json_string(p.error.err)}\n\t}}'
        )
    if p.test_go_files:
        parts.append(cache.get("TestGoFiles", p.test_go_files))
    if p.xtest_go_files:
        parts.append(cache.get("XTestGoFiles", p.xtest_go_files))
    if with_target:
        t = p.target
        parts.append(
            f'\t"Target": {{\n\t\t"GOOS": {go_json_string(t.goos)},\n'
            f'\t\t"GOARCH": {go_json_string(t.goarch)},\n'
            f'\t\t"CGO_ENABLED": "{int(t.cgo)}"\n\t}}'
        )
    return "{\n" + ",\n".join(parts) + "\n}\n"


def iter_json(result: MatrixResult, *, matrix: bool) -> Iterator[str]:
    """go list -json objects, target by target (with "Target" when `matrix`)."""
    cache = _ListCache()
    for tp in result.per_target:
        for p in tp.packages:
            yield _object(p, cache, with_target=matrix)


def format_json(result: MatrixResult, *, matrix: bool) -> str:
    """All objects as one string."""
    return "".join(iter_json(result, matrix=matrix))


def iter_lines(result: MatrixResult, *, matrix: bool) -> Iterator[str]:
    """Plain `go list` output: one import path per line (prefixed by the target in a matrix)."""
    for tp in result.per_target:
        prefix = f"{tp.target.goos}/{tp.target.goarch} cgo={int(tp.target.cgo)}\t" if matrix else ""
        for p in tp.packages:
            yield f"{prefix}{p.import_path}\n"


def format_lines(result: MatrixResult, *, matrix: bool) -> str:
    """Plain output as one string."""
    return "".join(iter_lines(result, matrix=matrix))
