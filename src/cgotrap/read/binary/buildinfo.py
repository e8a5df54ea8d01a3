"""Go build info: found in a binary's address space, decoded, parsed and printed like Go.

This is a port of Go's `debug/buildinfo` (finding and decoding the blob) and of
`runtime/debug` (`ParseBuildInfo`, `BuildInfo.String`), faithful to their edge cases so that
`cgotrap inspect --go-version-m` prints byte for byte what `go version -m` prints.

The blob (every format since Go 1.13) is a 32-byte header, 16-byte aligned::

    magic "\\xff Go buildinf:" (14) | ptrSize (1) | flags (1) | versPtr | modPtr

`flags & 2` set (Go 1.18+): the version and the module info follow the header inline, each as
a uvarint length and its bytes. Otherwise (Go 1.13-1.17): `versPtr`/`modPtr` are pointers
(`ptrSize` bytes, endianness `flags & 1`) to Go string headers {data pointer, length}.

Go itself only looks where its linker puts the blob (`.go.buildinfo`, `__go_buildinfo`, the
first writable PE data section). Other linkers move it (golang/go#54947, binaries linked by
`zig cc` or `lld`), so the non-strict search goes on through every data region, bounded.

Strings are kept as `str` decoded with "surrogateescape": every byte round-trips, and the
printer writes back exactly the bytes Go would.
"""

from __future__ import annotations

import dataclasses
from typing import Literal

from cgotrap.gostd import QuoteSyntaxError, quote, quote_rune, quoted_prefix, unquote
from cgotrap.read.binary.interface import MAX_READ, BinaryReadError, Image

MAGIC = b"\xff Go buildinf:"
ALIGN = 16
HEADER_SIZE = 32
SEARCH_CHUNK = 1 << 20
# The non-strict search reads at most this many bytes of further data regions in total.
FALLBACK_SEARCH_BUDGET = 256 << 20

_FLAGS_ENDIAN_BIG = 0x1
_FLAGS_VERSION_INLINE = 0x2


class BuildInfoError(BinaryReadError):
    """No usable Go build info; the message is Go's ("not a Go executable")."""


class NotGoError(BuildInfoError):
    """A valid binary without Go build info (Go's errNotGoExe)."""

    def __init__(self) -> None:
        super().__init__("not a Go executable")


@dataclasses.dataclass(frozen=True, kw_only=True, slots=True)
class Module:
    """A module line of the build info (`mod`, `dep`, or its `=>` replacement)."""

    path: str
    """Module path, "golang.org/x/sys"."""
    version: str
    """Version, "v0.20.0" or "(devel)"."""
    sum: str = ""
    """Checksum "h1:..." ("" when absent, e.g. a replaced or main module)."""
    replace: Module | None = None
    """The replacement (`=>` line), if any."""


@dataclasses.dataclass(frozen=True, kw_only=True, slots=True)
class BuildSetting:
    """A `build` line: "-tags=netgo", "CGO_ENABLED=1", "vcs.revision=..."."""

    key: str
    """The key, "CGO_ENABLED"."""
    value: str
    """The value, "1"."""


@dataclasses.dataclass(frozen=True, kw_only=True, slots=True)
class BuildInfo:
    """What `go version -m` shows about a binary."""

    go_version: str
    """"go1.22.5" (Go 1.13+ binaries always have it)."""
    path: str = ""
    """The main package path, "example.com/cmd/tool"."""
    main: Module | None = None
    """The main module; None for binaries built outside module mode."""
    deps: tuple[Module, ...] = ()
    """Dependency modules, in the order the binary lists them."""
    settings: tuple[BuildSetting, ...] = ()
    """Build settings in order (Go 1.18+)."""

    def setting(self, key: str) -> str | None:
        """The value of build setting `key` (the last one if repeated), None if absent."""
        found = None
        for s in self.settings:
            if s.key == key:
                found = s.value
        return found


# ---------------------------------------------------------------------------------------------
# Finding and decoding the blob (debug/buildinfo.readRawBuildInfo)


def _search_magic(image: Image, start: int, size: int, budget: list[int]) -> int | None:
    """The aligned address of the first magic in [start, start+size), or None.

    Follows Go's `searchMagic`; `budget` (a one-item list) counts bytes read, so a hostile
    size cannot make us scan forever.
    """
    end = start + size
    start = (start + ALIGN - 1) & ~(ALIGN - 1)
    while start < end:
        remaining = end - start
        chunk = min(SEARCH_CHUNK, remaining)
        if budget[0] <= 0:
            return None
        data = image.space.read(start, chunk)
        budget[0] -= max(len(data), 1)
        if not data:
            return None
        pos = 0
        while True:
            i = data.find(MAGIC, pos)
            if i < 0:
                break
            if remaining - i < HEADER_SIZE:
                return None
            if i % ALIGN != 0:
                pos = (i + ALIGN - 1) & ~(ALIGN - 1)
                if pos > len(data):
                    return None
                continue
            return start + i
        start += chunk
    return None


def _uvarint(buf: bytes) -> tuple[int, int]:
    """Go's `binary.Uvarint`: (value, bytes used); n == 0 short buffer, n < 0 overflow."""
    x = 0
    shift = 0
    for i, b in enumerate(buf[:10]):
        if b < 0x80:
            if i == 9 and b > 1:
                return 0, -(i + 1)
            return x | b << shift, i + 1
        x |= (b & 0x7F) << shift
        shift += 7
    if len(buf) >= 10:
        return 0, -11
    return 0, 0


def _decode_inline(image: Image, addr: int) -> tuple[bytes, int]:
    head = image.space.read(addr, 10)
    if not head:
        raise NotGoError
    length, n = _uvarint(head)
    if n <= 0 or length > MAX_READ:
        raise NotGoError
    addr += n
    data = image.space.read(addr, length)
    if len(data) < length:
        raise NotGoError
    return data, addr + length


def _read_go_string(image: Image, ptr_size: int, big: bool, addr: int) -> bytes:
    hdr = image.space.read(addr, 2 * ptr_size)
    if len(hdr) < 2 * ptr_size:
        return b""
    order: Literal["big", "little"] = "big" if big else "little"
    data_addr = int.from_bytes(hdr[:ptr_size], order)
    data_len = int.from_bytes(hdr[ptr_size:], order)
    if data_len > MAX_READ:
        return b""
    data = image.space.read(data_addr, data_len)
    return data if len(data) >= data_len else b""


def _decode_at(image: Image, addr: int) -> tuple[bytes, bytes]:
    header = image.space.read(addr, HEADER_SIZE)
    if len(header) < HEADER_SIZE:
        raise NotGoError
    flags = header[15]
    if flags & _FLAGS_VERSION_INLINE:
        vers, nxt = _decode_inline(image, addr + HEADER_SIZE)
        mod, _ = _decode_inline(image, nxt)
    else:
        ptr_size = header[14]
        if ptr_size not in (4, 8):
            raise NotGoError
        big = bool(flags & _FLAGS_ENDIAN_BIG)
        order: Literal["big", "little"] = "big" if big else "little"
        vers_ptr = int.from_bytes(header[16 : 16 + ptr_size], order)
        mod_ptr = int.from_bytes(header[16 + ptr_size : 16 + 2 * ptr_size], order)
        vers = _read_go_string(image, ptr_size, big, vers_ptr)
        mod = _read_go_string(image, ptr_size, big, mod_ptr)
    if not vers:
        raise NotGoError
    # Strip the sentinel strings cmd/go frames the module info with.
    mod = mod[16:-16] if len(mod) >= 33 and mod[-17] == 0x0A else b""
    return vers, mod


def read_raw(image: Image, *, strict: bool = False) -> tuple[str, str]:
    """(Go version, module info text) of the binary; raise `BuildInfoError` when absent.

    `strict` searches only where `go version` does; otherwise the search goes on through the
    other data regions when that finds nothing (binaries linked by zig, lld, ...).
    """
    budget = [FALLBACK_SEARCH_BUDGET]
    start, size = image.go_start
    first_error: BuildInfoError = NotGoError()
    if size:
        addr = _search_magic(image, start, size, budget)
        if addr is not None:
            try:
                vers, mod = _decode_at(image, addr)
            except BuildInfoError as exc:
                first_error = exc
            else:
                return _text(vers), _text(mod)
    if strict:
        raise first_error
    for region in image.data_regions:
        if budget[0] <= 0:
            break
        addr = _search_magic(image, region.vaddr, region.size, budget)
        if addr is None:
            continue
        try:
            vers, mod = _decode_at(image, addr)
        except BuildInfoError:
            continue
        return _text(vers), _text(mod)
    raise first_error


def read_build_info(image: Image, *, strict: bool = False) -> BuildInfo:
    """The parsed build info of the binary (see `read_raw`)."""
    vers, mod = read_raw(image, strict=strict)
    return dataclasses.replace(parse_build_info(mod), go_version=vers)


def _text(raw: bytes) -> str:
    return raw.decode("utf-8", "surrogateescape")


# ---------------------------------------------------------------------------------------------
# runtime/debug.ParseBuildInfo and BuildInfo.String


class BuildInfoParseError(BuildInfoError):
    """The module info text is malformed (Go: "could not parse Go build info: line N: ...")."""


def _quote_key(key: str) -> bool:
    return not key or any(c in key for c in '= \t\r\n"`')


def _quote_value(value: str) -> bool:
    return any(c in value for c in ' \t\r\n"`')


def _module_line(elem: list[str]) -> Module:
    if len(elem) not in (2, 3):
        raise ValueError(f"expected 2 or 3 columns; got {len(elem)}")
    return Module(path=elem[0], version=elem[1], sum=elem[2] if len(elem) == 3 else "")


def _replacement_line(elem: list[str], last: tuple[str, int] | None) -> Module:
    if len(elem) != 3:
        raise ValueError(f"expected 3 columns for replacement; got {len(elem)}")
    if last is None:
        raise ValueError("replacement with no module on previous line")
    return Module(path=elem[0], version=elem[1], sum=elem[2])


def parse_build_info(data: str) -> BuildInfo:
    """Go's `debug.ParseBuildInfo` (the Go version is not part of this text)."""
    path = ""
    main: Module | None = None
    deps: list[Module] = []
    settings: list[BuildSetting] = []
    # which module the next "=>" line replaces: ("main", -1) or ("dep", index)
    last: tuple[str, int] | None = None
    line_num = 1
    try:
        while data:
            line, sep, data = data.partition("\n")
            if not sep:
                break
            if line.startswith("path\t"):
                path = line[5:]
            elif line.startswith("mod\t"):
                main = _module_line(line[4:].split("\t"))
                last = ("main", -1)
            elif line.startswith("dep\t"):
                deps.append(_module_line(line[4:].split("\t")))
                last = ("dep", len(deps) - 1)
            elif line.startswith("=>\t"):
                elem = line[3:].split("\t")
                rep = _replacement_line(elem, last)
                if last is not None and last[0] == "main" and main is not None:
                    main = dataclasses.replace(main, replace=rep)
                elif last is not None:
                    deps[last[1]] = dataclasses.replace(deps[last[1]], replace=rep)
                last = None
            elif line.startswith("build\t"):
                settings.append(_build_line(line[6:]))
            line_num += 1
    except ValueError as exc:
        raise BuildInfoParseError(
            f"could not parse Go build info: line {line_num}: {exc}"
        ) from None
    return BuildInfo(
        go_version="", path=path, main=main, deps=tuple(deps), settings=tuple(settings)
    )


def _build_line(kv: str) -> BuildSetting:
    if not kv:
        raise ValueError("build line missing '='")
    if kv[0] == "=":
        raise ValueError("build line with missing key")
    if kv[0] in '`"':
        try:
            raw_key = quoted_prefix(kv)
        except QuoteSyntaxError:
            raise ValueError("invalid quoted key in build line") from None
        if len(kv) == len(raw_key):
            raise ValueError("build line missing '=' after quoted key")
        if kv[len(raw_key)] != "=":
            raise ValueError(
                f"unexpected character after quoted key: {_go_quote_rune(kv[len(raw_key)])}"
            )
        key = unquote(raw_key)
        raw_value = kv[len(raw_key) + 1 :]
    else:
        key, sep, raw_value = kv.partition("=")
        if not sep:
            raise ValueError("build line missing '=' after key")
        if _quote_key(key):
            raise ValueError(f"unquoted key {quote(key)} must be quoted")
    value = ""
    if raw_value:
        if raw_value[0] in '`"':
            try:
                value = unquote(raw_value)
            except QuoteSyntaxError:
                raise ValueError("invalid quoted value in build line") from None
        else:
            value = raw_value
            if _quote_value(value):
                raise ValueError(f"unquoted value {quote(value)} must be quoted")
    return BuildSetting(key=key, value=value)


def _go_quote_rune(ch: str) -> str:
    """fmt's %q of the byte Go indexes here (kv[i]): a rune literal ('=' -> "'='")."""
    return quote_rune(ch.encode("utf-8", "surrogateescape")[0])


def format_build_info(bi: BuildInfo) -> str:
    """Go's `BuildInfo.String()`."""
    out: list[str] = []
    if bi.go_version:
        out.append(f"go\t{bi.go_version}\n")
    if bi.path:
        out.append(f"path\t{bi.path}\n")

    def module(word: str, m: Module) -> None:
        out.append(f"{word}\t{m.path}\t{m.version}")
        if m.replace is None:
            out.append(f"\t{m.sum}")
        else:
            out.append("\n")
            module("=>", m.replace)
        out.append("\n")

    if bi.main is not None and bi.main != Module(path="", version=""):
        module("mod", bi.main)
    for dep in bi.deps:
        module("dep", dep)
    for s in bi.settings:
        key = quote(s.key) if _quote_key(s.key) else s.key
        value = quote(s.value) if _quote_value(s.value) else s.value
        out.append(f"build\t{key}={value}\n")
    return "".join(out)


def go_version_m_text(display: str, bi: BuildInfo) -> str:
    """What `go version -m FILE` prints on stdout for one binary."""
    text = f"{display}: {bi.go_version}\n"
    mod = format_build_info(dataclasses.replace(bi, go_version=""))
    if mod:
        text += "\t" + mod[:-1].replace("\n", "\n\t") + "\n"
    return text
