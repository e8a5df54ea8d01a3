"""What every binary-format reader gives back, and the one error they raise.

A reader turns an open, seekable file (never executed, never read whole) into an `Image`:
the linkage facts of the format (`Linkage`) plus an address space (`AddressSpace`) in which
the Go build-info blob can be searched. ELF comes from pyelftools, PE from pefile, Mach-O from
macholib; whatever those raise on garbage is turned into `BinaryReadError` at the reader
boundary, so one bad file is one line in a report and the run goes on.
"""

from __future__ import annotations

import dataclasses
import enum
from typing import BinaryIO, Protocol

from cgotrap.errors import CgotrapError, ExitCode


class BinaryReadError(CgotrapError):
    """A file cannot be read as a binary (truncated, corrupted, hostile): one line."""

    exit_code = ExitCode.INPUT_OUTPUT


def corrupt(what: str, exc: BaseException) -> BinaryReadError:
    """A parsing library's exception on a damaged `what` ("ELF", "PE") as one line in our
    words: pyelftools and pefile raise anything on garbage (construct's StreamError with
    "expected 64, found 3", UnicodeDecodeError from a name, struct.error, IndexError ...),
    and their text names their internals, not the file's problem."""
    text = str(exc)
    if isinstance(exc, UnicodeError):
        problem = "a section or symbol name that is not text"
    elif isinstance(exc, RecursionError):
        problem = "structures nested too deep"
    elif isinstance(exc, (OverflowError, MemoryError)):
        problem = "a size or offset out of range"
    elif (
        isinstance(exc, (EOFError, IndexError))
        or (text.startswith("expected ") and ", found " in text)
        or "unpack requires a buffer" in text
        or "ran out of data" in text
    ):
        problem = "truncated, or an offset or size past the end of the file"
    elif isinstance(exc, OSError):
        problem = f"read error ({exc.strerror or 'I/O error'})"
    else:
        problem = "headers that do not parse"
    return BinaryReadError(f"corrupt {what}: {problem}")


class NotABinaryError(BinaryReadError):
    """The file is no ELF, Mach-O or PE at all (directories skip these quietly)."""


class BinaryFormat(enum.StrEnum):
    """The container format of an executable."""

    ELF = "elf"
    MACHO = "macho"
    PE = "pe"


class Endian(enum.StrEnum):
    """Byte order of the target."""

    LITTLE = "little"
    BIG = "big"


@dataclasses.dataclass(frozen=True, kw_only=True, slots=True)
class Region:
    """A range of the file mapped at a virtual address (an ELF segment, a PE section...)."""

    name: str
    """The section or segment name (".go.buildinfo", "__DATA", "PT_LOAD#3")."""
    vaddr: int
    """Virtual address the first byte is mapped at."""
    offset: int
    """File offset of the first byte."""
    size: int
    """Bytes present in the file (ELF p_filesz, PE SizeOfRawData clipped to VirtualSize)."""
    writable: bool = False
    """Whether the region is writable data (where Go's linker puts the build info)."""


# Never hand out more than this in one read: a hostile length cannot make us allocate more.
MAX_READ = 64 << 20


class AddressSpace:
    """Reads bytes by virtual address through a list of regions of one file.

    `read(addr, size)` returns at most `size` bytes from the region containing `addr`, up to
    that region's end (Go's `DataReader`), so a string can never run past its section.
    """

    __slots__ = ("_file", "_file_size", "regions")

    def __init__(self, file: BinaryIO, file_size: int, regions: tuple[Region, ...]) -> None:
        self._file = file
        self._file_size = file_size
        self.regions = regions

    def find(self, addr: int) -> Region | None:
        """The first region (in order) that contains `addr`."""
        for region in self.regions:
            if region.size > 0 and region.vaddr <= addr < region.vaddr + region.size:
                return region
        return None

    def read(self, addr: int, size: int) -> bytes:
        """Up to `size` bytes at `addr`, stopping at the end of its region and of the file."""
        region = self.find(addr)
        if region is None or size <= 0:
            return b""
        start = region.offset + (addr - region.vaddr)
        if start >= self._file_size:
            return b""
        n = min(size, region.vaddr + region.size - addr, self._file_size - start, MAX_READ)
        try:
            self._file.seek(start)
            return self._file.read(n)
        except (OSError, ValueError, OverflowError) as exc:
            raise BinaryReadError(f"cannot read at offset {start}: {exc}") from exc


@dataclasses.dataclass(frozen=True, kw_only=True, slots=True)
class VersionNeed:
    """One required symbol version of one library (ELF `.gnu.version_r`)."""

    library: str
    """The library the version is required from ("libc.so.6")."""
    version: str
    """The version name ("GLIBC_2.34")."""
    symbols: tuple[str, ...]
    """Dynamic symbols bound to this version ("pthread_create"), sorted."""


@dataclasses.dataclass(frozen=True, kw_only=True, slots=True)
class MinOS:
    """A Mach-O minimum OS version (LC_BUILD_VERSION or LC_VERSION_MIN_*)."""

    platform: str
    """"macos", "ios", ... ."""
    version: str
    """Minimum OS version, "12.0"."""
    sdk: str
    """The SDK version it was built against, "" if unknown."""


@dataclasses.dataclass(frozen=True, kw_only=True, slots=True)
class Linkage:
    """How an executable binds to the system it runs on, as the file says it."""

    format: BinaryFormat
    """ELF, Mach-O or PE."""
    os: str
    """The OS the file is for, in GOOS words where known ("linux", "freebsd", "darwin",
    "windows"); "" when the format does not say (an ELF with a SYSV OS ABI and no note)."""
    arch: str
    """The machine, in GOARCH words where known ("amd64", "arm64", "386", "arm")."""
    bits: int
    """32 or 64."""
    endian: Endian
    """Byte order."""
    static: bool
    """No dynamic loader and no needed libraries: runs without any system library."""
    interpreter: str = ""
    """ELF PT_INTERP ("/lib64/ld-linux-x86-64.so.2", "/lib/ld-musl-x86_64.so.1")."""
    needed: tuple[str, ...] = ()
    """Needed libraries in file order: ELF DT_NEEDED, Mach-O dylibs, PE imported DLLs."""
    rpath: tuple[str, ...] = ()
    """ELF DT_RPATH entries, Mach-O LC_RPATH."""
    runpath: tuple[str, ...] = ()
    """ELF DT_RUNPATH entries."""
    version_needs: tuple[VersionNeed, ...] = ()
    """Required symbol versions (ELF), in file order."""
    os_abi: str = ""
    """ELF EI_OSABI as pyelftools names it ("ELFOSABI_SYSV", "ELFOSABI_FREEBSD")."""
    abi_tag: str = ""
    """The `.note.ABI-tag` / `.note.tag` content: "Linux 3.2.0", "FreeBSD 1400097"."""
    pie: bool = False
    """Position-independent executable (ELF ET_DYN with an interpreter or DF_1_PIE; Mach-O
    MH_PIE; PE DYNAMIC_BASE)."""
    stripped: bool = False
    """No symbol table (ELF .symtab, Mach-O LC_SYMTAB entries, PE COFF symbols)."""
    min_os: MinOS | None = None
    """Mach-O minimum OS."""
    fat_arches: tuple[str, ...] = ()
    """Architectures of a Mach-O universal binary (facts above are of the first one)."""
    subsystem: str = ""
    """PE subsystem ("console", "gui")."""
    cgo_evidence: tuple[str, ...] = ()
    """Why we think cgo is linked in ("symbol x_cgo_init in .dynstr", "imports C runtime
    msvcrt.dll"). Symbol tables are only searched when the build info does not say
    CGO_ENABLED (it is stripped, or the binary predates Go 1.18)."""


@dataclasses.dataclass(frozen=True, kw_only=True, slots=True)
class Image:
    """A parsed executable: its linkage and where to look for the Go build info."""

    linkage: Linkage
    """Linkage facts."""
    space: AddressSpace
    """Every mapped region, for reading by virtual address."""
    go_start: tuple[int, int]
    """(address, size) where `go version` looks for the blob (`DataStart`); (0, 0) if none."""
    data_regions: tuple[Region, ...]
    """Further data regions to search when `go_start` has no blob (golang/go#54947)."""
    symbol_tables: tuple[tuple[str, int, int], ...] = ()
    """Symbol string tables (name, file offset, size) to search for runtime/cgo symbols."""
    pclntabs: tuple[tuple[str, int, int], ...] = ()
    """Go pclntab sections (name, file offset, size) to search for runtime/cgo functions."""


def format_of(head: bytes) -> BinaryFormat | None:
    """The format the first 16 bytes of a file start, by magic number; None if none."""
    if len(head) < 16:
        return None
    if head.startswith(b"\x7fELF"):
        return BinaryFormat.ELF
    if head.startswith(b"MZ"):
        return BinaryFormat.PE
    if (
        head[:3] == b"\xfe\xed\xfa"
        or head[1:4] == b"\xfa\xed\xfe"
        or head[:4] in (b"\xca\xfe\xba\xbe", b"\xca\xfe\xba\xbf")
    ):
        return BinaryFormat.MACHO
    return None


class FormatReader(Protocol):
    """A reader of one container format."""

    format: BinaryFormat
    """The format this reader reads."""

    def matches(self, head: bytes) -> bool:
        """Whether the first 16 bytes of a file start this format."""
        ...

    def read(self, file: BinaryIO, size: int) -> Image:
        """Parse headers of `file` (`size` bytes); raise `BinaryReadError` on any garbage."""
        ...


# Names only a binary that links runtime/cgo has: in symbol string tables (ELF .strtab/.dynstr,
# Mach-O LC_SYMTAB, PE COFF strings: "x_cgo_init", "_x_cgo_init"), and function names of the
# runtime/cgo package in the Go pclntab, which survives `-ldflags=-s`. "_cgo_init" alone is
# not one: the runtime declares it in every binary.
CGO_SYMBOL_MARKERS: tuple[bytes, ...] = (b"x_cgo_init\x00",)
CGO_PCLNTAB_MARKERS: tuple[bytes, ...] = (b"runtime/cgo.",)
_SCAN_CHUNK = 1 << 20


def find_in_file(
    file: BinaryIO, offset: int, size: int, needles: tuple[bytes, ...], *, limit: int
) -> tuple[bytes, ...]:
    """Which of `needles` occur in file bytes [offset, offset+size), reading at most `limit`
    bytes in 1 MiB chunks (never the whole range at once)."""
    overlap = max(len(n) for n in needles) - 1
    found: set[bytes] = set()
    end = offset + min(size, limit)
    pos = offset
    tail = b""
    while pos < end and len(found) < len(needles):
        try:
            file.seek(pos)
            chunk = file.read(min(_SCAN_CHUNK, end - pos))
        except (OSError, ValueError, OverflowError) as exc:
            raise BinaryReadError(f"cannot read at offset {pos}: {exc}") from exc
        if not chunk:
            break
        window = tail + chunk
        found.update(n for n in needles if n in window)
        tail = window[-overlap:] if overlap else b""
        pos += len(chunk)
    return tuple(n for n in needles if n in found)


def cgo_evidence(
    file: BinaryIO,
    symbol_tables: tuple[tuple[str, int, int], ...],
    pclntabs: tuple[tuple[str, int, int], ...],
) -> tuple[str, ...]:
    """Evidence of runtime/cgo: ("symbol x_cgo_init in .strtab", ...), bounded reads.

    Each table is (name, file offset, size).
    """
    evidence: list[str] = []
    for name, off, size in symbol_tables:
        for hit in find_in_file(file, off, size, CGO_SYMBOL_MARKERS, limit=MAX_READ):
            symbol = hit.rstrip(b"\x00").decode()
            evidence.append(f"symbol {symbol} in {name}")
    for name, off, size in pclntabs:
        hits = find_in_file(file, off, size, CGO_PCLNTAB_MARKERS, limit=MAX_READ)
        evidence.extend(f"functions {hit.decode()}* in {name}" for hit in hits)
    return tuple(dict.fromkeys(evidence))
