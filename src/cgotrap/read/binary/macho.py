"""Mach-O (thin and universal) through macholib: load commands only.

macholib reads every section's bytes while it parses the load commands. To keep a 200 MB
binary from being read whole, it is handed a view of the file that shows only the header
and load-command bytes of each slice; section bytes are read later, by offset, and only
where we look (the build-info blob, the symbol string table).
"""

from __future__ import annotations

import io
import struct
from typing import Any, BinaryIO

from macholib import mach_o
from macholib.MachO import MachO
from macholib.ptypes import sizeof

from cgotrap.read.binary.interface import (
    AddressSpace,
    BinaryFormat,
    BinaryReadError,
    Endian,
    Image,
    Linkage,
    MinOS,
    Region,
    format_of,
)

_CPU: dict[int, tuple[str, int]] = {
    0x01000007: ("amd64", 64),
    0x0100000C: ("arm64", 64),
    0x7: ("386", 32),
    0xC: ("arm", 32),
    0x01000012: ("ppc64", 64),
}
_PLATFORMS: dict[int, str] = {
    1: "macos",
    2: "ios",
    3: "tvos",
    4: "watchos",
    5: "bridgeos",
    6: "maccatalyst",
    7: "ios-simulator",
    8: "tvos-simulator",
    9: "watchos-simulator",
}
_VERSION_MIN: dict[int, str] = {
    mach_o.LC_VERSION_MIN_MACOSX: "macos",
    mach_o.LC_VERSION_MIN_IPHONEOS: "ios",
    mach_o.LC_VERSION_MIN_TVOS: "tvos",
    mach_o.LC_VERSION_MIN_WATCHOS: "watchos",
}
_DYLIB_LOADS = frozenset(
    {
        mach_o.LC_LOAD_DYLIB,
        mach_o.LC_LOAD_WEAK_DYLIB,
        mach_o.LC_REEXPORT_DYLIB,
        mach_o.LC_LAZY_LOAD_DYLIB,
        mach_o.LC_LOAD_UPWARD_DYLIB,
    }
)
_MAX_ARCHES = 64
_MAX_SIZEOFCMDS = 16 << 20
_MAX_NCMDS = 65_536
_VM_PROT_WRITE = 0x2


class _HeaderView(io.RawIOBase):
    """A read-only file view that shows only some byte windows of the real file.

    Reads starting outside every window return b"" (as at end of file); reads inside one
    stop at its end.
    """

    def __init__(self, file: BinaryIO, size: int, windows: tuple[tuple[int, int], ...]) -> None:
        super().__init__()
        self._file = file
        self._size = size
        self._windows = windows
        self._pos = 0

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def tell(self) -> int:
        return self._pos

    def seek(self, pos: int, whence: int = io.SEEK_SET) -> int:
        if whence == io.SEEK_SET:
            self._pos = pos
        elif whence == io.SEEK_CUR:
            self._pos += pos
        else:
            self._pos = self._size + pos
        return self._pos

    def read(self, size: int = -1) -> bytes:
        for start, end in self._windows:
            if start <= self._pos < end:
                n = end - self._pos if size < 0 else min(size, end - self._pos)
                self._file.seek(self._pos)
                data = self._file.read(n)
                self._pos += len(data)
                return data
        return b""


def _u32(raw: bytes, big: bool) -> int:
    return int.from_bytes(raw[:4], "big" if big else "little")


def _windows(file: BinaryIO, size: int) -> tuple[tuple[tuple[int, int], ...], list[int]]:
    """The header+load-command byte windows of the file, and each slice's offset."""
    file.seek(0)
    head = file.read(8)
    magic = int.from_bytes(head[:4], "big")
    slices: list[int] = []
    windows: list[tuple[int, int]] = []
    if magic in (mach_o.FAT_MAGIC, mach_o.FAT_MAGIC_64):
        nfat = int.from_bytes(head[4:8], "big")
        if not 0 < nfat <= _MAX_ARCHES:
            raise BinaryReadError(f"corrupt Mach-O: {nfat} architectures in a universal binary")
        entry = 20 if magic == mach_o.FAT_MAGIC else 32
        windows.append((0, 8 + nfat * entry))
        file.seek(8)
        table = file.read(nfat * entry)
        for i in range(nfat):
            raw = table[i * entry : (i + 1) * entry]
            if len(raw) < entry:
                raise BinaryReadError("corrupt Mach-O: truncated universal header")
            offset = int.from_bytes(raw[8:16] if entry == 32 else raw[8:12], "big")
            slices.append(offset)
    else:
        slices.append(0)
    for offset in slices:
        if offset >= size:
            raise BinaryReadError("corrupt Mach-O: architecture beyond end of file")
        file.seek(offset)
        hdr = file.read(32)
        if len(hdr) < 28:
            raise BinaryReadError("corrupt Mach-O: truncated header")
        m = int.from_bytes(hdr[:4], "big")
        big = m in (mach_o.MH_MAGIC, mach_o.MH_MAGIC_64)
        is64 = m in (mach_o.MH_MAGIC_64, mach_o.MH_CIGAM_64)
        ncmds = _u32(hdr[16:20], big)
        sizeofcmds = _u32(hdr[20:24], big)
        if ncmds > _MAX_NCMDS or sizeofcmds > _MAX_SIZEOFCMDS:
            raise BinaryReadError(f"corrupt Mach-O: {ncmds} load commands, {sizeofcmds} bytes")
        windows.append((offset, offset + (32 if is64 else 28) + sizeofcmds))
    return tuple(windows), slices


class MachOReader:
    """The Mach-O `FormatReader` (the facts are those of the first slice, as Go reads it)."""

    format = BinaryFormat.MACHO

    def matches(self, head: bytes) -> bool:
        """Thin (either byte order, 32/64-bit) or universal magic."""
        return format_of(head) is BinaryFormat.MACHO

    def read(self, file: BinaryIO, size: int) -> Image:
        """Parse the load commands; garbage becomes `BinaryReadError`."""
        try:
            return _read(file, size)
        except BinaryReadError:
            raise
        except Exception as exc:  # macholib raises anything on garbage (struct.error, ...)
            raise BinaryReadError(f"corrupt Mach-O: {_in_our_words(exc)}") from exc


def _in_our_words(exc: Exception) -> str:
    """What went wrong inside macholib, in the project's words: its own messages carry
    object reprs ("<macholib.mach_o.load_command object at 0x7f...>") and struct jargon."""
    if isinstance(exc, struct.error | EOFError):
        return "a header or load command is cut short"
    if isinstance(exc, KeyError | IndexError):
        return "a load command refers to data that is not there"
    if isinstance(exc, ValueError | OverflowError):
        return "a load command holds an impossible value"
    return f"malformed load commands ({type(exc).__name__})"


def _read(file: BinaryIO, size: int) -> Image:
    windows, slices = _windows(file, size)
    view = _HeaderView(file, size, windows)
    macho: Any = MachO.__new__(MachO)
    macho.graphident = macho.filename = "<binary>"
    macho.loader_path = ""
    macho.fat = None
    macho.headers = []
    macho.allow_unknown_load_commands = True
    macho.load(view)
    if not macho.headers:
        raise BinaryReadError("corrupt Mach-O: no architecture")
    fat_arches = tuple(
        _CPU.get(h.header.cputype, (str(h.header.cputype), 0))[0] for h in macho.headers
    )
    header = macho.headers[0]
    base = slices[0]
    arch, bits = _CPU.get(header.header.cputype, (str(header.header.cputype), 64))
    endian = Endian.BIG if header.endian == ">" else Endian.LITTLE

    segments: list[Region] = []
    data_regions: list[Region] = []
    go_start = (0, 0)
    needed: list[str] = []
    rpaths: list[str] = []
    interpreter = ""
    min_os: MinOS | None = None
    symbol_tables: list[tuple[str, int, int]] = []
    pclntabs: list[tuple[str, int, int]] = []
    stripped = True
    os_name = "darwin"
    for load, cmd, data in header.commands:
        kind = load.cmd
        if kind in (mach_o.LC_SEGMENT, mach_o.LC_SEGMENT_64):
            segname = _name(cmd.segname)
            if segname != "__PAGEZERO":
                writable = bool(cmd.initprot & _VM_PROT_WRITE)
                segments.append(
                    Region(
                        name=segname,
                        vaddr=cmd.vmaddr,
                        offset=base + cmd.fileoff,
                        size=cmd.filesize,
                        writable=writable,
                    )
                )
            for sect in data:
                sectname = _name(sect.sectname)
                if sectname == "__go_buildinfo" and go_start == (0, 0):
                    go_start = (sect.addr, sect.size)
                if sectname == "__gopclntab":
                    pclntabs.append((sectname, base + sect.offset, sect.size))
                if segname.startswith("__DATA") and sect.offset:
                    data_regions.append(
                        Region(
                            name=f"{segname},{sectname}",
                            vaddr=sect.addr,
                            offset=base + sect.offset,
                            size=sect.size,
                            writable=True,
                        )
                    )
        elif kind in _DYLIB_LOADS:
            needed.append(_lc_str(load, cmd, data, cmd.name))
        elif kind == mach_o.LC_RPATH:
            rpaths.append(_lc_str(load, cmd, data, cmd.path))
        elif kind == mach_o.LC_LOAD_DYLINKER:
            interpreter = _lc_str(load, cmd, data, cmd.name)
        elif kind == mach_o.LC_BUILD_VERSION:
            platform = _PLATFORMS.get(cmd.platform, str(cmd.platform))
            min_os = MinOS(platform=platform, version=_version(cmd.minos), sdk=_version(cmd.sdk))
        elif kind in _VERSION_MIN and min_os is None:
            min_os = MinOS(
                platform=_VERSION_MIN[kind], version=_version(cmd.version), sdk=_version(cmd.sdk)
            )
        elif kind == mach_o.LC_SYMTAB:
            stripped = cmd.nsyms == 0
            symbol_tables.append(("LC_SYMTAB strings", base + cmd.stroff, cmd.strsize))
    if min_os is not None and min_os.platform != "macos":
        os_name = "ios" if min_os.platform.startswith("ios") else min_os.platform
    data_regions.extend(r for r in segments if r.writable)
    linkage = Linkage(
        format=BinaryFormat.MACHO,
        os=os_name,
        arch=arch,
        bits=bits,
        endian=endian,
        static=not needed and not interpreter,
        interpreter=interpreter,
        needed=tuple(needed),
        rpath=tuple(rpaths),
        pie=bool(header.header.flags & mach_o.MH_PIE),
        stripped=stripped,
        min_os=min_os,
        fat_arches=fat_arches if macho.fat is not None else (),
    )
    return Image(
        linkage=linkage,
        space=AddressSpace(file, size, tuple(segments)),
        go_start=go_start,
        data_regions=tuple(data_regions),
        symbol_tables=tuple(symbol_tables),
        pclntabs=tuple(pclntabs),
    )


def _name(raw: Any) -> str:
    if isinstance(raw, bytes):
        return raw.rstrip(b"\x00").decode("utf-8", "replace")
    return str(raw).rstrip("\x00")


def _lc_str(load: Any, cmd: Any, data: bytes, offset: int) -> str:
    """A load command's string (dylib name, rpath): it starts `offset` bytes into the
    command, i.e. after the fixed structs, inside `data`."""
    start = int(offset) - sizeof(load.__class__) - sizeof(cmd.__class__)
    if start < 0 or start > len(data):
        raise BinaryReadError("corrupt Mach-O: load command string out of range")
    end = data.find(b"\x00", start)
    return data[start : end if end >= 0 else len(data)].decode("utf-8", "replace")


def _version(packed: int) -> str:
    """ "12.0" from 0x000C0000 (xxxx.yy.zz nibbles); the patch only when it is set."""
    major, minor, patch = packed >> 16, (packed >> 8) & 0xFF, packed & 0xFF
    return f"{major}.{minor}.{patch}" if patch else f"{major}.{minor}"
