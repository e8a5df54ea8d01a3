"""go list output from package facts: `-json` objects and plain import-path lines.

Byte-compatible with `go list -json` for the fields cgotrap keeps: Go's encoding/json
MarshalIndent with a tab indent, field order of cmd/go's PackagePublic, Go's string
escaping (HTML-safe `\\u003c`, `\\u003e`, `\\u0026`; `\\u2028`/`\\u2029`; invalid UTF-8 as
`\\ufffd`; `\\b`, `\\f`, `\\n`, `\\r`, `\\t`, other controls as `\\u00XX`). In matrix mode each
object ends with a `"BuildContext"` object (GOOS, GOARCH, CGO_ENABLED, and Libc /
GlibcVersion for a libc variant); not `"Target"`, which go list uses for the install path.

Pure functions: nothing is printed here; `iter_json` yields text so the CLI can stream.
"""

from __future__ import annotations

import operator
import re
from collections.abc import Iterator, Sequence
from typing import Any

from cgotrap.evaluate.model import MatrixResult, PackageError, PackageFacts, SharedListing
from cgotrap.targets import Target

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


_NOT_PLAIN = bytes(range(0x20)) + b'"\\<>&'


def _plain(text: str) -> bool:
    """No character of `text` needs escaping (C-speed checks; False may be conservative)."""
    if not text.isascii():  # O(1) in CPython
        return False
    raw = text.encode("ascii")
    return len(raw.translate(None, _NOT_PLAIN)) == len(raw)


def go_json_string(text: str) -> str:
    """A JSON string literal exactly as Go's encoding/json writes it (HTML-safe)."""
    if _plain(text) or _NEEDS_ESCAPE.search(text) is None:
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


class _Cache:
    """Rendered pieces, keyed by the identity of the (shared) values they come from.

    The evaluation shares equal tuples and strings between targets, so a package that reads
    the same on many targets is rendered once; each cache entry keeps its value alive so
    an id is never reused while the cache lives.
    """

    def __init__(self) -> None:
        self.strings: dict[str, str] = {}
        self.lists: dict[tuple[str, int], tuple[Sequence[str], str]] = {}
        self.objects: dict[tuple[Any, ...], tuple[PackageFacts, bytes]] = {}

    def string(self, text: str) -> str:
        got = self.strings.get(text)
        if got is None:
            got = go_json_string(text)
            self.strings[text] = got
        return got

    def list(self, key: str, values: Sequence[str]) -> str:
        slot = (key, id(values))
        hit = self.lists.get(slot)
        if hit is not None and hit[0] is values:
            return hit[1]
        text = _list_text(key, values)
        if key != "Deps":  # Deps are long and rarely shared outside a cached object
            self.lists[slot] = (values, text)
        return text


def _list_text(key: str, values: Sequence[str]) -> str:
    # One C-speed check for the common case where no element needs escaping ("|" is not
    # in the escape class, so it cannot create a false match).
    if _plain("|".join(values)):
        items = '",\n\t\t"'.join(values)
        return f'\t"{key}": [\n\t\t"{items}"\n\t]'
    items = ",\n\t\t".join(go_json_string(v) for v in values)
    return f'\t"{key}": [\n\t\t{items}\n\t]'


# Every field the object's text depends on, except the error (compared by value).
_KEY_FIELDS = operator.attrgetter(
    "import_path",
    "dir",
    "name",
    "module_path",
    "standard",
    "dep_only",
    *(attr for _, attr in _LIST_FIELDS_BEFORE_IMPORTS),
    "test_go_files",
    "xtest_go_files",
)


def _object_key(p: PackageFacts) -> tuple[Any, ...]:
    """Identity of the values the object's text is made of (the cache keeps them alive)."""
    err = p.error
    ids = tuple(map(id, _KEY_FIELDS(p)))
    if err is None and not p.incomplete:
        return ids
    return (ids, err, p.incomplete, p.deps_errors)


def _head_parts(p: PackageFacts, cache: _Cache) -> list[str]:
    """The object's fields before its file lists: Dir, ImportPath, Name, Module, flags."""
    parts: list[str] = []
    if p.dir:
        parts.append(f'\t"Dir": {cache.string(p.dir)}')
    parts.append(f'\t"ImportPath": {cache.string(p.import_path)}')
    if p.name:
        parts.append(f'\t"Name": {cache.string(p.name)}')
    if p.module_path is not None:
        parts.append(f'\t"Module": {{\n\t\t"Path": {cache.string(p.module_path)}\n\t}}')
    if p.standard:
        parts.append('\t"Standard": true')
    if p.dep_only:
        parts.append('\t"DepOnly": true')
    if p.incomplete:
        parts.append('\t"Incomplete": true')
    return parts


def _body(p: PackageFacts, cache: _Cache) -> str:
    """The object's text up to (not including) its closing brace."""
    parts = _head_parts(p, cache)
    for key, attr in _LIST_FIELDS_BEFORE_IMPORTS:
        values: Sequence[str] = getattr(p, attr)
        if values:
            parts.append(cache.list(key, values))
    if p.error is not None:
        parts.append(f'\t"Error": {_error_text(p.error, 1)}')
    if p.deps_errors:
        parts.append(_deps_errors_text(p.deps_errors))
    if p.test_go_files:
        parts.append(cache.list("TestGoFiles", p.test_go_files))
    if p.xtest_go_files:
        parts.append(cache.list("XTestGoFiles", p.xtest_go_files))
    return "{\n" + ",\n".join(parts)


def _error_text(error: PackageError, depth: int) -> str:
    """A PackageError object at `depth` tabs of indentation (its closing brace's)."""
    tab = "\t" * depth
    stack = error.import_stack
    if stack:
        items = f",\n{tab}\t\t".join(go_json_string(s) for s in stack)
        stack_text = f"[\n{tab}\t\t{items}\n{tab}\t]"
    else:
        stack_text = "[]"
    return (
        f'{{\n{tab}\t"ImportStack": {stack_text},\n'
        f'{tab}\t"Pos": {go_json_string(error.pos)},\n'
        f'{tab}\t"Err": {go_json_string(error.err)}\n{tab}}}'
    )


def _deps_errors_text(errors: tuple[PackageError, ...]) -> str:
    items = ",\n\t\t".join(_error_text(e, 2) for e in errors)
    return f'\t"DepsErrors": [\n\t\t{items}\n\t]'


def _object_body(p: PackageFacts, cache: _Cache) -> bytes:
    """The object's UTF-8 text up to its closing part, rendered once per distinct object."""
    key = _object_key(p)
    hit = cache.objects.get(key)
    if hit is not None:
        return hit[1]
    body = _body(p, cache).encode("utf-8", "surrogateescape")
    cache.objects[key] = (p, body)
    return body


def _target_text(t: Target) -> str:
    """The closing `"BuildContext"` field of a matrix object, and the closing brace."""
    libc = ""
    if t.libc is not None:
        libc = f',\n\t\t"Libc": {go_json_string(t.libc.value)}'
        if t.glibc_version:
            libc += f',\n\t\t"GlibcVersion": {go_json_string(t.glibc_version)}'
    return (
        f',\n\t"BuildContext": {{\n\t\t"GOOS": {go_json_string(t.goos)},\n'
        f'\t\t"GOARCH": {go_json_string(t.goarch)},\n'
        f'\t\t"CGO_ENABLED": "{int(t.cgo)}"{libc}\n\t}}\n}}\n'
    )


def iter_json_bytes(result: MatrixResult, *, matrix: bool) -> Iterator[bytes]:
    """go list -json objects as UTF-8, one chunk per target ("BuildContext" added when `matrix`).

    Equal objects are encoded once and joined as bytes: the whole matrix of a large tree
    is a gigabyte of JSON, so nothing is copied or encoded twice.
    """
    cache = _Cache()
    close = b"\n}\n"
    for tp in result.per_target:
        tail = _target_text(tp.target).encode() if matrix else close
        parts: list[bytes] = []
        for p in tp.packages:
            parts.append(_object_body(p, cache))
            parts.append(tail)
        yield b"".join(parts)


class _PieceCache:
    """Encoded pieces of objects, each piece made once: a package's head (Dir to DepOnly)
    by value, each file or import list by the identity of its (shared) tuple."""

    def __init__(self) -> None:
        self.text = _Cache()
        self.heads: dict[tuple[Any, ...], bytes] = {}
        self.lists: dict[tuple[str, int], tuple[Sequence[str], bytes]] = {}
        self.files: dict[tuple[int, ...], tuple[tuple[Any, ...], tuple[bytes, ...]]] = {}

    def head(self, p: PackageFacts) -> bytes:
        key = (p.dir, p.import_path, p.name, p.module_path, p.standard, p.dep_only, p.incomplete)
        got = self.heads.get(key)
        if got is None:
            parts = _head_parts(p, self.text)
            got = ("{\n" + ",\n".join(parts)).encode("utf-8", "surrogateescape")
            self.heads[key] = got
        return got

    def list(self, key: str, values: Sequence[str]) -> bytes:
        slot = (key, id(values))
        hit = self.lists.get(slot)
        if hit is not None and hit[0] is values:
            return hit[1]
        text = (",\n" + _list_text(key, values)).encode("utf-8", "surrogateescape")
        self.lists[slot] = (values, text)
        return text


_FILE_FIELDS = _LIST_FIELDS_BEFORE_IMPORTS[:-2]  # GoFiles .. CgoPkgConfig
_FILE_VALUES = operator.attrgetter(*(attr for _, attr in _FILE_FIELDS))


def _pieces(p: PackageFacts, cache: _PieceCache) -> tuple[bytes, ...]:
    """`_body` as encoded pieces (shared between objects where the values are)."""
    out = [cache.head(p)]
    files = _FILE_VALUES(p)
    key = tuple(map(id, files))
    hit = cache.files.get(key)
    if hit is None:
        pieces = tuple(
            cache.list(name, values)
            for (name, _), values in zip(_FILE_FIELDS, files, strict=True)
            if values
        )
        cache.files[key] = (files, pieces)  # the values stay alive: their ids stay unique
    else:
        pieces = hit[1]
    out.extend(pieces)
    if p.imports:
        out.append(cache.list("Imports", p.imports))
    if p.deps:
        out.append(cache.list("Deps", p.deps))
    if p.error is not None:
        err = f',\n\t"Error": {_error_text(p.error, 1)}'
        out.append(err.encode("utf-8", "surrogateescape"))
    if p.deps_errors:
        out.append((",\n" + _deps_errors_text(p.deps_errors)).encode("utf-8", "surrogateescape"))
    if p.test_go_files:
        out.append(cache.list("TestGoFiles", p.test_go_files))
    if p.xtest_go_files:
        out.append(cache.list("XTestGoFiles", p.xtest_go_files))
    return tuple(out)


def iter_listing_pieces(listing: SharedListing, *, matrix: bool) -> Iterator[list[bytes]]:
    """go list -json objects as UTF-8 pieces, one list per target (joined: the target's
    text). Every distinct object is rendered once, as pieces that equal values share (a
    Deps list is often the same across targets), so a writer can hand the lists to
    writev without copying a gigabyte of text into chunks first."""
    cache = _PieceCache()
    pieces = [_pieces(p, cache) for p in listing.objects]
    for target, order in zip(listing.targets, listing.order, strict=True):
        if not order:
            continue
        tail = _target_text(target).encode() if matrix else b"\n}\n"
        parts: list[bytes] = []
        extend = parts.extend
        append = parts.append
        for i in order:
            extend(pieces[i])
            append(tail)
        yield parts


def iter_listing_bytes(listing: SharedListing, *, matrix: bool) -> Iterator[bytes]:
    """`iter_json_bytes` for a shared listing: one chunk per target."""
    for parts in iter_listing_pieces(listing, matrix=matrix):
        yield b"".join(parts)


def iter_listing_lines(listing: SharedListing, *, matrix: bool) -> Iterator[str]:
    """`iter_lines` for a shared listing."""
    objects = listing.objects
    for t, order in zip(listing.targets, listing.order, strict=True):
        prefix = f"{t.name}\t" if matrix else ""
        for i in order:
            yield f"{prefix}{objects[i].import_path}\n"


def iter_json(result: MatrixResult, *, matrix: bool) -> Iterator[str]:
    """go list -json objects as text, one chunk per target."""
    for chunk in iter_json_bytes(result, matrix=matrix):
        yield chunk.decode("utf-8", "surrogateescape")


def format_json(result: MatrixResult, *, matrix: bool) -> str:
    """All objects as one string."""
    return "".join(iter_json(result, matrix=matrix))


def iter_lines(result: MatrixResult, *, matrix: bool) -> Iterator[str]:
    """Plain `go list` output: one import path per line (prefixed by the target in a matrix)."""
    for tp in result.per_target:
        prefix = f"{tp.target.name}\t" if matrix else ""
        for p in tp.packages:
            yield f"{prefix}{p.import_path}\n"


def format_lines(result: MatrixResult, *, matrix: bool) -> str:
    """Plain output as one string."""
    return "".join(iter_lines(result, matrix=matrix))
