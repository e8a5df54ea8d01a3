"""The Go build-info decoder: both blob layouts, parsing and printing like runtime/debug.

Blobs are laid out here byte by byte as cmd/link writes them (the layout is documented in
debug/buildinfo/buildinfo.go); the real-binary oracle (`go version -m`) is in
tests/integration/test_inspect_oracles.py.
"""

from __future__ import annotations

import contextlib
import io
import string
from typing import Literal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cgotrap.gostd import quote as go_quote
from cgotrap.gostd import unquote as go_unquote
from cgotrap.read.binary.buildinfo import (
    MAGIC,
    BuildInfo,
    BuildInfoError,
    BuildInfoParseError,
    BuildSetting,
    Module,
    format_build_info,
    go_version_m_text,
    parse_build_info,
    read_build_info,
    read_raw,
)
from cgotrap.read.binary.interface import (
    AddressSpace,
    BinaryFormat,
    Endian,
    Image,
    Linkage,
    Region,
)

INFO_START = bytes.fromhex("3077af0c9274080241e1c107e6d618e6")
INFO_END = bytes.fromhex("f932433186182072008242104116d8f2")
MOD = "path\texample.com/app\nmod\texample.com/app\t(devel)\t\nbuild\tCGO_ENABLED=1\n"
BASE = 0x400000


def _image(blob: bytes, *, start: int = BASE, size: int | None = None) -> Image:
    linkage = Linkage(  # the decoder never looks at the linkage
        format=BinaryFormat.ELF, os="", arch="", bits=64, endian=Endian.LITTLE, static=True
    )
    region = Region(name="data", vaddr=BASE, offset=0, size=len(blob))
    return Image(
        linkage=linkage,
        space=AddressSpace(io.BytesIO(blob), len(blob), (region,)),
        go_start=(start, len(blob) if size is None else size),
        data_regions=(region,),
    )


def _uvarint(n: int) -> bytes:
    out = bytearray()
    while n >= 0x80:
        out.append(n & 0x7F | 0x80)
        n >>= 7
    out.append(n)
    return bytes(out)


def _inline_blob(vers: bytes, mod: bytes, *, pad: int = 0) -> bytes:
    header = MAGIC + bytes([8, 2]) + b"\x00" * 16
    return b"\x00" * pad + header + _uvarint(len(vers)) + vers + _uvarint(len(mod)) + mod


def _pointer_blob(vers: bytes, mod: bytes, *, ptr: int, big: bool) -> bytes:
    """The Go 1.13-1.17 layout: header pointers to Go string headers {data, len}."""
    order: Literal["big", "little"] = "big" if big else "little"
    header_len = 32
    vers_hdr = header_len
    mod_hdr = vers_hdr + 2 * ptr
    vers_data = mod_hdr + 2 * ptr
    mod_data = vers_data + len(vers)

    def p(n: int) -> bytes:
        return n.to_bytes(ptr, order)

    header = MAGIC + bytes([ptr, 1 if big else 0]) + p(BASE + vers_hdr) + p(BASE + mod_hdr)
    header += b"\x00" * (header_len - len(header))
    body = p(BASE + vers_data) + p(len(vers)) + p(BASE + mod_data) + p(len(mod))
    return header + body + vers + mod


def test_inline_layout() -> None:
    framed = INFO_START + MOD.encode() + INFO_END
    vers, mod = read_raw(_image(_inline_blob(b"go1.22.5", framed, pad=64)))
    assert vers == "go1.22.5"
    assert mod == MOD


@pytest.mark.parametrize(("ptr", "big"), [(8, False), (4, False), (8, True), (4, True)])
def test_pointer_layout(ptr: int, big: bool) -> None:
    framed = INFO_START + MOD.encode() + INFO_END
    info = read_build_info(_image(_pointer_blob(b"go1.16.15", framed, ptr=ptr, big=big)))
    assert info.go_version == "go1.16.15"
    assert info.path == "example.com/app"
    assert info.setting("CGO_ENABLED") == "1"


def test_unframed_module_info_is_dropped_like_go() -> None:
    vers, mod = read_raw(_image(_inline_blob(b"go1.22.5", b"short")))
    assert (vers, mod) == ("go1.22.5", "")


def test_misaligned_magic_is_skipped() -> None:
    blob = b"\x00" * 3 + MAGIC + b"\x00" * 45
    with pytest.raises(BuildInfoError, match="not a Go executable"):
        read_raw(_image(blob))


@pytest.mark.parametrize(
    "blob",
    [
        b"",
        MAGIC,  # header cut short
        MAGIC + bytes([8, 2]) + b"\x00" * 16,  # no strings after an inline header
        MAGIC + bytes([8, 2]) + b"\x00" * 16 + b"\xff" * 12,  # varint overflow
        MAGIC + bytes([8, 2]) + b"\x00" * 16 + _uvarint(1 << 40) + b"x",  # absurd length
        MAGIC + bytes([3, 0]) + b"\x00" * 16,  # pointer size 3
        MAGIC + bytes([8, 0]) + (BASE + 16).to_bytes(8, "little") * 2,  # self-reference
    ],
)
def test_hostile_blobs_are_not_go(blob: bytes) -> None:
    with pytest.raises(BuildInfoError):
        read_raw(_image(blob + b"\x00" * 16))


def test_strict_search_only_looks_where_go_looks() -> None:
    blob = b"\x00" * 64 + _inline_blob(b"go1.22.5", b"")
    image = _image(blob, start=BASE, size=32)  # go's region holds no magic
    with pytest.raises(BuildInfoError):
        read_raw(image, strict=True)
    assert read_raw(image)[0] == "go1.22.5"


# ---------------------------------------------------------------------------------------------
# ParseBuildInfo / String


GO_TEXT = (
    "path\texample.com/cmd/app\n"
    "mod\texample.com/app\tv1.2.3\th1:abc=\n"
    "dep\tgolang.org/x/sys\tv0.20.0\th1:def=\n"
    "dep\texample.com/old\tv0.1.0\n"
    "=>\t../old\t(devel)\t\n"
    "build\t-buildmode=exe\n"
    'build\t-ldflags="-s -w -X main.version=1.0"\n'
    "build\tCGO_ENABLED=1\n"
    'build\t"key with space"=x\n'
    "build\tvcs.modified=\n"
)


def test_parse_and_print_round_trip() -> None:
    info = parse_build_info(GO_TEXT)
    assert info.main == Module(path="example.com/app", version="v1.2.3", sum="h1:abc=")
    assert info.deps[1].replace == Module(path="../old", version="(devel)", sum="")
    assert info.setting("-ldflags") == "-s -w -X main.version=1.0"
    assert info.setting("key with space") == "x"
    assert info.setting("vcs.modified") == ""
    # Go's String() ends a replaced module with an empty line ("=>\t...\n\n"), as
    # `go version -m` shows; ParseBuildInfo skips it.
    printed = GO_TEXT.replace("(devel)\t\n", "(devel)\t\n\n")
    assert format_build_info(info) == printed
    assert parse_build_info(printed) == info


def test_go_version_m_text_indents_like_go() -> None:
    info = BuildInfo(go_version="go1.22.5", path="p")
    assert go_version_m_text("bin/app", info) == "bin/app: go1.22.5\n\tpath\tp\n"
    assert go_version_m_text("x", BuildInfo(go_version="go1.22.5")) == "x: go1.22.5\n"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("mod\ta\n", "line 1: expected 2 or 3 columns; got 1"),
        ("path\tp\n=>\ta\tb\tc\n", "line 2: replacement with no module on previous line"),
        ("mod\ta\tb\n=>\ta\tb\n", "line 2: expected 3 columns for replacement; got 2"),
        ("build\t\n", "line 1: build line missing '='"),
        ("build\t=x\n", "line 1: build line with missing key"),
        ("build\tkey\n", "line 1: build line missing '=' after key"),
        ('build\t"k"x\n', "line 1: unexpected character after quoted key: 'x'"),
        ('build\t"k\n', "line 1: invalid quoted key in build line"),
        ("build\tk=a b\n", 'line 1: unquoted value "a b" must be quoted'),
        ('build\tk="a\n', "line 1: invalid quoted value in build line"),
    ],
)
def test_parse_errors_are_gos(text: str, message: str) -> None:
    with pytest.raises(BuildInfoParseError, match="could not parse Go build info: " + message):
        parse_build_info(text)


@pytest.mark.parametrize(
    ("raw", "quoted"),
    [
        ("a b", '"a b"'),
        ('say "hi"', '"say \\"hi\\""'),
        ("tab\there", '"tab\\there"'),
        ("bell\a", '"bell\\a"'),
        ("\x00", '"\\x00"'),
        ("é", '"é"'),
        ("\u200b", '"\\u200b"'),
        ("\U0001f600", '"\U0001f600"'),
        ("\udcff", '"\\xff"'),  # an invalid UTF-8 byte
    ],
)
def test_quote_is_strconv_quote(raw: str, quoted: str) -> None:
    assert go_quote(raw) == quoted
    if raw != "\udcff":
        assert go_unquote(quoted) == raw


def test_unquote_forms() -> None:
    assert go_unquote("`raw\\n`") == "raw\\n"
    assert go_unquote('"\\101\\x41\\u0041"') == "AAA"
    for bad in ('"', '"abc', '"\\q"', "'ab'", '"a"b', '"\\400"'):
        with pytest.raises(ValueError):  # noqa: PT011  # _QuoteSyntaxError is private; it has no message
            go_unquote(bad)


# ---------------------------------------------------------------------------------------------
# Fuzzing: no exception but ours, and printing round-trips


@settings(max_examples=400, deadline=1000)
@given(st.binary(max_size=512), st.integers(min_value=0, max_value=600))
def test_fuzz_decoder_raises_only_build_info_errors(noise: bytes, cut: int) -> None:
    framed = INFO_START + MOD.encode() + INFO_END
    blob = bytearray(_inline_blob(b"go1.22.5", framed) + noise)
    for i, b in enumerate(noise[:64]):
        blob[(i * 7 + cut) % len(blob)] ^= b
    try:
        read_raw(_image(bytes(blob[: max(cut, 1)])))
        read_raw(_image(bytes(blob)))
    except BuildInfoError:
        pass


@settings(max_examples=400, deadline=1000)
@given(st.binary(max_size=300), st.sampled_from([4, 8]), st.booleans())
def test_fuzz_pointer_layout(noise: bytes, ptr: int, big: bool) -> None:
    blob = bytearray(_pointer_blob(b"go1.16", b"x" * 40, ptr=ptr, big=big))
    for i, b in enumerate(noise):
        blob[i % len(blob)] = b if i % 3 else blob[i % len(blob)]
    with contextlib.suppress(BuildInfoError):
        read_raw(_image(bytes(blob)))


_LINE = st.text(alphabet=string.printable + "é\u200b", max_size=40)


@settings(max_examples=300, deadline=1000)
@given(st.lists(_LINE, max_size=12))
def test_fuzz_parser_raises_only_parse_errors(lines: list[str]) -> None:
    with contextlib.suppress(BuildInfoParseError):
        parse_build_info("\n".join(lines) + "\n")


_KEY = st.text(alphabet=string.ascii_letters + string.digits + '.-_ ="`\t', min_size=1, max_size=12)
_VALUE = st.text(alphabet=string.printable + "é\u200b\U0001f600", max_size=20)


@settings(max_examples=300, deadline=1000)
@given(st.lists(st.tuples(_KEY, _VALUE), max_size=6))
def test_fuzz_settings_round_trip(pairs: list[tuple[str, str]]) -> None:
    """Go's String() output parses back to the same settings (ParseBuildInfo's contract)."""
    info = BuildInfo(
        go_version="",
        path="example.com/app",
        settings=tuple(BuildSetting(key=k, value=v) for k, v in pairs),
    )
    assert parse_build_info(format_build_info(info)) == info


@settings(max_examples=300, deadline=1000)
@given(st.text(max_size=30))
def test_fuzz_quote_round_trip(text: str) -> None:
    text = text.encode("utf-8", "surrogatepass").decode("utf-8", "replace")
    assert go_unquote(go_quote(text)) == text
