"""PE (Windows) through pefile: machine, subsystem, sections, imported DLLs.

pefile wants the whole image as a buffer; it gets an `mmap` of the file (pages are read only
where pefile looks: headers and the import directory), or the bytes of a small archive member.
"""

from __future__ import annotations

import mmap
from typing import Any, BinaryIO

from cgotrap.read.binary.deferred import PEFILE, import_deferring

import_deferring(PEFILE)  # first: without uuid and hashlib (see its docstring)

import pefile  # noqa: E402  # after import_deferring

from cgotrap.read.binary.interface import (  # noqa: E402
    AddressSpace,
    BinaryFormat,
    BinaryReadError,
    Endian,
    Image,
    Linkage,
    Region,
    corrupt,
    format_of,
)

_MACHINES: dict[int, tuple[str, int]] = {
    0x8664: ("amd64", 64),
    0x14C: ("386", 32),
    0xAA64: ("arm64", 64),
    0x1C4: ("arm", 32),
}
_SUBSYSTEMS: dict[int, str] = {1: "native", 2: "gui", 3: "console", 10: "efi-application"}
_SCN_CNT_INITIALIZED_DATA = 0x40
_SCN_MEM_READ = 0x40000000
_SCN_MEM_WRITE = 0x80000000
_SCN_ALIGN_32BYTES = 0x600000
_DYNAMIC_BASE = 0x40
# The C runtimes a cgo (mingw / zig windows-gnu) binary imports and a pure Go one does not.
_C_RUNTIMES = ("msvcrt.dll", "ucrtbase.dll", "api-ms-win-crt-")
_MAX_IMPORTS = 4096


class PeReader:
    """The PE `FormatReader`."""

    format = BinaryFormat.PE

    def matches(self, head: bytes) -> bool:
        """The DOS stub's "MZ"."""
        return format_of(head) is BinaryFormat.PE

    def read(self, file: BinaryIO, size: int) -> Image:
        """Parse PE headers and imports; garbage becomes `BinaryReadError`."""
        try:
            buffer: Any
            mapped: mmap.mmap | None = None
            try:
                buffer = mapped = mmap.mmap(file.fileno(), 0, access=mmap.ACCESS_READ)
            except (OSError, ValueError, AttributeError):  # BytesIO, empty file
                file.seek(0)
                buffer = file.read(size)
            try:
                pe = pefile.PE(data=buffer, fast_load=True)
                return _read(pe, file, size)
            finally:
                if mapped is not None:
                    mapped.close()
        except BinaryReadError:
            raise
        except (
            Exception
        ) as exc:  # pefile raises anything on garbage (PEFormatError, struct.error, IndexError ...)
            raise corrupt("PE", exc) from exc


def _read(pe: Any, file: BinaryIO, size: int) -> Image:
    machine = pe.FILE_HEADER.Machine
    arch, bits = _MACHINES.get(machine, (f"machine-{machine:#x}", 32))
    image_base = pe.OPTIONAL_HEADER.ImageBase
    regions: list[Region] = []
    data_regions: list[Region] = []
    go_start = (0, 0)
    for sect in pe.sections:
        raw = min(sect.SizeOfRawData, max(size - sect.PointerToRawData, 0))
        region = Region(
            name=sect.Name.rstrip(b"\x00").decode("utf-8", "replace"),
            vaddr=image_base + sect.VirtualAddress,
            offset=sect.PointerToRawData,
            size=raw,
            writable=bool(sect.Characteristics & _SCN_MEM_WRITE),
        )
        regions.append(region)
        chars = sect.Characteristics & ~_SCN_ALIGN_32BYTES
        wanted = _SCN_CNT_INITIALIZED_DATA | _SCN_MEM_READ | _SCN_MEM_WRITE
        if go_start == (0, 0) and sect.VirtualAddress and sect.SizeOfRawData and chars == wanted:
            go_start = (image_base + sect.VirtualAddress, sect.Misc_VirtualSize)
        if sect.Characteristics & (_SCN_MEM_WRITE | _SCN_CNT_INITIALIZED_DATA):
            data_regions.append(region)

    # the DLL names only: the imported functions are not reported (~1 ms a file less)
    pe.parse_data_directories(
        directories=[pefile.DIRECTORY_ENTRY["IMAGE_DIRECTORY_ENTRY_IMPORT"]],
        import_dllnames_only=True,
    )
    imports = getattr(pe, "DIRECTORY_ENTRY_IMPORT", [])[:_MAX_IMPORTS]
    needed = [entry.dll.decode("utf-8", "replace") for entry in imports]

    symoff = pe.FILE_HEADER.PointerToSymbolTable
    nsyms = pe.FILE_HEADER.NumberOfSymbols
    tables: list[tuple[str, int, int]] = []
    if symoff and nsyms:
        strtab = symoff + nsyms * 18
        if strtab + 4 <= size:
            file.seek(strtab)
            length = int.from_bytes(file.read(4), "little")
            tables.append(("COFF string table", strtab, min(length, size - strtab)))
    evidence = [f"imports C runtime {dll}" for dll in needed if dll.lower().startswith(_C_RUNTIMES)]
    linkage = Linkage(
        format=BinaryFormat.PE,
        os="windows",
        arch=arch,
        bits=bits,
        endian=Endian.LITTLE,
        static=False,
        needed=tuple(needed),
        pie=bool(pe.OPTIONAL_HEADER.DllCharacteristics & _DYNAMIC_BASE),
        stripped=not (symoff and nsyms),
        subsystem=_SUBSYSTEMS.get(pe.OPTIONAL_HEADER.Subsystem, str(pe.OPTIONAL_HEADER.Subsystem)),
        cgo_evidence=tuple(evidence),
    )
    return Image(
        linkage=linkage,
        space=AddressSpace(file, size, tuple(regions)),
        go_start=go_start,
        data_regions=tuple(data_regions),
        symbol_tables=tuple(tables),
    )
