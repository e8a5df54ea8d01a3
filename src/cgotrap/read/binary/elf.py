"""ELF through pyelftools: headers, program headers, dynamic section, symbol versions, notes.

pyelftools reads lazily from the stream (a section's bytes only when asked), which is why it
was chosen over LIEF: on a 155 MB Go binary it peaks at ~15 MB RSS where LIEF, which loads the
whole file, peaks at ~211 MB.
"""

from __future__ import annotations

import array
import dataclasses
import io
import sys
from collections.abc import Callable, Iterator
from typing import Any, BinaryIO, ClassVar

from cgotrap.read.binary.deferred import ELFTOOLS, import_deferring

import_deferring(ELFTOOLS)  # first: without the DWARF/EHABI packages (see its docstring)

from elftools.elf.dynamic import DynamicSection, DynamicSegment  # noqa: E402
from elftools.elf.elffile import ELFFile  # noqa: E402
from elftools.elf.gnuversions import GNUVerNeedSection, GNUVerSymSection  # noqa: E402
from elftools.elf.notes import iter_notes  # noqa: E402
from elftools.elf.sections import StringTableSection  # noqa: E402
from elftools.elf.segments import InterpSegment  # noqa: E402
from elftools.elf.structs import ELFStructs  # noqa: E402

from cgotrap.read.binary.flat import FlatStruct, Strings  # noqa: E402
from cgotrap.read.binary.interface import (  # noqa: E402
    AddressSpace,
    BinaryFormat,
    BinaryReadError,
    Endian,
    Image,
    Linkage,
    Region,
    VersionNeed,
    corrupt,
    format_of,
)

# e_machine -> GOARCH (the names Go uses; others pass through as pyelftools names them).
_MACHINES: dict[tuple[str, int], str] = {
    ("EM_X86_64", 64): "amd64",
    ("EM_386", 32): "386",
    ("EM_AARCH64", 64): "arm64",
    ("EM_ARM", 32): "arm",
    ("EM_RISCV", 64): "riscv64",
    ("EM_PPC64", 64): "ppc64",
    ("EM_S390", 64): "s390x",
    ("EM_MIPS", 32): "mips",
    ("EM_MIPS", 64): "mips64",
    ("EM_LOONGARCH", 64): "loong64",
}
_OSABI: dict[str, str] = {
    "ELFOSABI_LINUX": "linux",
    "ELFOSABI_FREEBSD": "freebsd",
    "ELFOSABI_NETBSD": "netbsd",
    "ELFOSABI_OPENBSD": "openbsd",
    "ELFOSABI_SOLARIS": "solaris",
}
_NOTE_OS: dict[str, str] = {"FreeBSD": "freebsd", "NetBSD": "netbsd", "OpenBSD": "openbsd"}
_GNU_ABI_OS: dict[str, str] = {
    "ELF_NOTE_OS_LINUX": "Linux",
    "ELF_NOTE_OS_GNU": "GNU",
    "ELF_NOTE_OS_SOLARIS2": "Solaris",
    "ELF_NOTE_OS_FREEBSD": "FreeBSD",
}
_DF_1_PIE = 0x08000000
_SHF_WRITE = 0x1
_SHF_ALLOC = 0x2
_PF_W = 0x2
# Sections with more entries than this are hostile or not worth reading symbol by symbol.
_MAX_DYNSYMS = 200_000
_MAX_NOTES_BYTES = 1 << 16
# e_phnum/e_shnum are 16-bit (extended numbering can claim more): never walk more headers.
_MAX_HEADERS = 65_536
# Tables read in one piece (header tables, string tables, .dynsym) up to this size; a larger
# (hostile) one is read record by record through pyelftools, as before.
_MAX_TABLE_READ = 8 << 20


class ElfReader:
    """The ELF `FormatReader`."""

    format = BinaryFormat.ELF

    def matches(self, head: bytes) -> bool:
        """ELF magic."""
        return format_of(head) is BinaryFormat.ELF

    def read(self, file: BinaryIO, size: int) -> Image:
        """Parse the ELF headers; garbage becomes `BinaryReadError`."""
        try:
            return _read(file, size)
        except BinaryReadError:
            raise
        # pyelftools raises arbitrary types on garbage (construct's errors, struct.error ...)
        except Exception as exc:
            raise corrupt("ELF", exc) from exc


class _ELFFile(ELFFile):
    """pyelftools' `ELFFile` that reuses its struct parsers across files.

    `ELFFile.__init__` builds ~50 construct parsers per file (half the cost of reading a Go
    binary's headers); they depend only on the byte order, class, type, machine and OS ABI,
    and parse without state, so one set per combination serves every file. This mirrors
    `ELFFile.__init__` of pyelftools 0.31-0.33 line by line; tests/unit/test_inspect_readers.py
    checks that it sets the same attributes as the library's own constructor.
    """

    # (little endian, class, e_type, e_machine, EI_OSABI) -> parsers; the last three None for
    # the basic set that parses the ELF header itself
    _structs: ClassVar[dict[tuple[bool, int, Any, Any, Any], ELFStructs]] = {}

    def __init__(self, stream: BinaryIO) -> None:  # replaces ELFFile.__init__, see above
        self.stream = stream
        self.stream.seek(0, io.SEEK_END)
        self.stream_len = self.stream.tell()
        self._identify_file()
        self.structs = self._cached((self.little_endian, self.elfclass, None, None, None))
        self.header = self._parse_elf_header()
        self.structs = self._cached(
            (
                self.little_endian,
                self.elfclass,
                self["e_type"],
                self["e_machine"],
                self["e_ident"]["EI_OSABI"],
            )
        )
        self.stream.seek(0)
        self.e_ident_raw = self.stream.read(16)
        self.stream_loader = None

    # id(parsers) -> (parsers, their flat forms by record name: see flat.py)
    _flats: ClassVar[dict[int, tuple[ELFStructs, dict[str, FlatStruct | None]]]] = {}

    def flat(self, record: str) -> FlatStruct | None:
        """The flat form of pyelftools' parser of `record` ("Elf_Shdr"); None if not flat."""
        found = self._flats.get(id(self.structs))
        if found is None or found[0] is not self.structs:
            found = (self.structs, {})
            if len(self._flats) < 256:
                self._flats[id(self.structs)] = found
        flats = found[1]
        if record not in flats:
            construct = getattr(self.structs, record, None)
            flats[record] = FlatStruct.of(construct, prefix=record == "Elf_Sym")
        return flats[record]

    @classmethod
    def _cached(cls, key: tuple[bool, int, Any, Any, Any]) -> ELFStructs:
        found = cls._structs.get(key)
        if found is None:
            little, elfclass, e_type, e_machine, osabi = key
            found = ELFStructs(little_endian=little, elfclass=elfclass)
            found.create_basic_structs()
            if e_type is not None:
                found.create_advanced_structs(e_type, e_machine, osabi)
            if len(cls._structs) < 256:  # hostile files cannot grow it without bound
                cls._structs[key] = found
        return found


def _read(file: BinaryIO, size: int) -> Image:
    elf = _ELFFile(file)
    header = elf.header
    bits = elf.elfclass
    endian = Endian.LITTLE if elf.little_endian else Endian.BIG
    machine = str(header["e_machine"])
    arch = _MACHINES.get((machine, bits), machine)
    if machine == "EM_PPC64" and elf.little_endian:
        arch = "ppc64le"
    elif machine == "EM_MIPS" and elf.little_endian:
        arch += "le"
    os_abi = str(header["e_ident"]["EI_OSABI"])

    # Headers are parsed raw and a section/segment object is made only where its contents are
    # needed (interpreter, dynamic table, version tables, notes): pyelftools' objects resolve
    # their linked sections on creation, which made every file cost 2-3x more.
    segments, interpreter, dynamic_segment = _segments(elf, size)
    found = _sections(elf, size)
    dynamic = found.dynamic
    if dynamic is None and dynamic_segment >= 0:
        # no section headers (sstrip): the dynamic table through its segment
        made_segment = elf.get_segment(dynamic_segment)
        if isinstance(made_segment, DynamicSegment):
            dynamic = made_segment
    needed, rpath, runpath, pie = _dynamic_entries(elf, dynamic, header["e_type"] == "ET_DYN")
    version_needs = _version_needs(elf, found.version_needs, found.versym)

    os_name = _OSABI.get(os_abi, "") or found.note_os
    if not os_name and ("ld-linux" in interpreter or "ld-musl" in interpreter):
        os_name = "linux"
    if not os_name and found.abi_tag.startswith("Linux"):
        os_name = "linux"

    data_segments = tuple(r for r in segments if r.writable)
    linkage = Linkage(
        format=BinaryFormat.ELF,
        os=os_name,
        arch=arch,
        bits=bits,
        endian=endian,
        static=not interpreter and not needed,
        interpreter=interpreter,
        needed=tuple(needed),
        rpath=tuple(rpath),
        runpath=tuple(runpath),
        version_needs=version_needs,
        os_abi=os_abi,
        abi_tag=found.abi_tag,
        pie=pie,
        stripped=not found.has_symtab,
    )
    return Image(
        linkage=linkage,
        space=AddressSpace(file, size, tuple(segments)),
        go_start=found.go_start,
        data_regions=tuple(found.data_sections) + data_segments,
        symbol_tables=tuple(found.symbol_tables),
        pclntabs=tuple(found.pclntabs),
    )


def _segments(elf: _ELFFile, size: int) -> tuple[list[Region], str, int]:
    """The program headers as regions, the interpreter, and the PT_DYNAMIC index (or -1)."""
    segments: list[Region] = []
    interpreter = ""
    dynamic_segment = -1
    segment_headers = _headers(
        elf,
        "Elf_Phdr",
        count=min(elf.num_segments(), _MAX_HEADERS),
        offset=elf["e_phoff"],
        entsize=elf["e_phentsize"],
        parse_one=elf._get_segment_header,  # raw header (private, stable since 0.2x)
    )
    for i, seg in enumerate(segment_headers):
        ptype = seg["p_type"]
        filesz = min(seg["p_filesz"], max(size - seg["p_offset"], 0))
        segments.append(
            Region(
                name=f"{ptype}#{i}",
                vaddr=seg["p_vaddr"],
                offset=seg["p_offset"],
                size=filesz,
                writable=bool(seg["p_flags"] & _PF_W) and ptype == "PT_LOAD",
            )
        )
        if ptype == "PT_INTERP":
            interp = elf.get_segment(i)
            if isinstance(interp, InterpSegment):
                interpreter = interp.get_interp_name()
        elif ptype == "PT_DYNAMIC":
            dynamic_segment = i
    return segments, interpreter, dynamic_segment


@dataclasses.dataclass(kw_only=True, slots=True)
class _Sections:
    """What one pass over the section headers collects (filled in by `_sections`)."""

    go_start: tuple[int, int] = (0, 0)
    data_sections: list[Region] = dataclasses.field(default_factory=list)
    symbol_tables: list[tuple[str, int, int]] = dataclasses.field(default_factory=list)
    pclntabs: list[tuple[str, int, int]] = dataclasses.field(default_factory=list)
    version_needs: GNUVerNeedSection | None = None
    versym: GNUVerSymSection | None = None
    dynamic: Any = None
    has_symtab: bool = False
    abi_tag: str = ""
    note_os: str = ""


def _sections(elf: _ELFFile, size: int) -> _Sections:
    """One pass over the section headers: Go's sections, string and version tables, notes."""
    found = _Sections()
    section_headers = _headers(
        elf,
        "Elf_Shdr",
        count=min(elf.num_sections(), _MAX_HEADERS),
        offset=elf["e_shoff"],
        entsize=elf["e_shentsize"],
        parse_one=elf._get_section_header,  # raw header (private, stable since 0.2x)
    )
    names: Strings | None = None
    for i, sec in enumerate(section_headers):
        if names is None:
            # .shstrtab, as `elf._get_section_name` finds it (and raises if it cannot)
            names = _strings(elf, elf._section_header_stringtable)
        name = names.get(sec["sh_name"])
        stype = sec["sh_type"]
        if stype != "SHT_NOBITS" and sec["sh_size"] and sec["sh_offset"] + sec["sh_size"] > size:
            raise BinaryReadError(
                f"truncated: section {name or i} ends at {sec['sh_offset'] + sec['sh_size']}, "
                f"the file has {size} bytes"
            )
        if name == ".go.buildinfo" and found.go_start == (0, 0):
            found.go_start = (sec["sh_addr"], sec["sh_size"])
        if stype == "SHT_PROGBITS" and sec["sh_flags"] & _SHF_ALLOC:
            if sec["sh_flags"] & _SHF_WRITE:
                found.data_sections.append(
                    Region(
                        name=name,
                        vaddr=sec["sh_addr"],
                        offset=sec["sh_offset"],
                        size=sec["sh_size"],
                        writable=True,
                    )
                )
            if name in (".gopclntab", ".data.rel.ro.gopclntab"):
                found.pclntabs.append((name, sec["sh_offset"], sec["sh_size"]))
        elif stype == "SHT_STRTAB" and name in (".strtab", ".dynstr"):
            found.symbol_tables.append((name, sec["sh_offset"], sec["sh_size"]))
        elif stype == "SHT_SYMTAB":
            found.has_symtab = True
        elif stype in ("SHT_DYNAMIC", "SHT_GNU_verneed", "SHT_GNU_versym"):
            made = elf.get_section(i)
            if isinstance(made, DynamicSection):
                found.dynamic = made
            elif isinstance(made, GNUVerNeedSection):
                found.version_needs = made
            elif isinstance(made, GNUVerSymSection):
                found.versym = made
        elif stype == "SHT_NOTE" and sec["sh_size"] <= _MAX_NOTES_BYTES:
            for note in iter_notes(elf, sec["sh_offset"], sec["sh_size"]):
                tag, os_name = _note(note)
                found.abi_tag = found.abi_tag or tag
                found.note_os = found.note_os or os_name
    return found


def _dynamic_entries(
    elf: _ELFFile, dynamic: Any, pie: bool
) -> tuple[list[str], list[str], list[str], bool]:
    """DT_NEEDED, DT_RPATH, DT_RUNPATH and whether DT_FLAGS_1 marks a PIE (`pie` so far)."""
    needed: list[str] = []
    rpath: list[str] = []
    runpath: list[str] = []
    if dynamic is None:
        return needed, rpath, runpath, pie
    for count, (kind, value, text) in enumerate(_dynamic_tags(elf, dynamic)):
        if count > 100_000:
            raise BinaryReadError("corrupt ELF: dynamic section without end")
        if kind == "DT_NEEDED":
            needed.append(text)
        elif kind == "DT_RPATH":
            rpath.extend(p for p in text.split(":") if p)
        elif kind == "DT_RUNPATH":
            runpath.extend(p for p in text.split(":") if p)
        elif kind == "DT_FLAGS_1" and value & _DF_1_PIE:
            pie = True
        elif kind == "DT_NULL":
            break
    return needed, rpath, runpath, pie


def _headers(
    elf: _ELFFile,
    record: str,
    *,
    count: int,
    offset: int,
    entsize: int,
    parse_one: Callable[[int], Any],
) -> Iterator[Any]:
    """Headers 0..count-1 of a header table: the table read in one piece and unpacked flat
    when it is whole, else each header through pyelftools (`parse_one`), which raises what it
    always raised on a bad table."""
    flat = elf.flat(record)
    if flat is not None and count and entsize == flat.size and count * entsize <= _MAX_TABLE_READ:
        elf.stream.seek(offset)
        raw = elf.stream.read(count * entsize)
        if len(raw) == count * entsize:
            yield from flat.iter_unpack(raw)
            return
    for i in range(count):
        yield parse_one(i)


# Dynamic tags whose value is a string we report, and how much of a dynamic table is read in
# one piece (a table that does not end within it is read tag by tag through pyelftools).
_STRING_TAGS = frozenset({"DT_NEEDED", "DT_RPATH", "DT_RUNPATH"})
_DYNAMIC_CHUNK = 64 << 10


def _dynamic_tags(elf: _ELFFile, dynamic: Any) -> Iterator[tuple[str, int, str]]:
    """(d_tag, d_val, the string of a DT_NEEDED/DT_RPATH/DT_RUNPATH else "") of each tag of
    a pyelftools dynamic section or segment, up to DT_NULL: what `dynamic.iter_tags()` gives,
    from the table read in one piece when it ends within `_DYNAMIC_CHUNK`."""
    flat = elf.flat("Elf_Dyn")
    offset = getattr(dynamic, "_offset", None)  # private, as set by pyelftools' Dynamic
    if flat is not None and isinstance(offset, int) and not getattr(dynamic, "_empty", True):
        elf.stream.seek(offset)
        raw = elf.stream.read(_DYNAMIC_CHUNK - _DYNAMIC_CHUNK % flat.size)
        tags: list[dict[str, Any]] = []
        for record in flat.iter_unpack(raw[: len(raw) - len(raw) % flat.size]):
            tags.append(record)
            if record["d_tag"] == "DT_NULL":
                break
        table = dynamic._get_stringtable() if tags and tags[-1]["d_tag"] == "DT_NULL" else None
        if table is not None:  # else pyelftools, which raises what it raises
            strings: Strings | None = None
            for record in tags:
                kind, value = record["d_tag"], record["d_val"]
                text = ""
                if kind in _STRING_TAGS:
                    if not isinstance(table, StringTableSection):
                        text = table.get_string(value)  # located through DT_STRTAB
                    else:
                        strings = strings or _strings(elf, table)
                        text = strings.get(value)
                yield kind, value, text
            return
    for tag in dynamic.iter_tags():
        kind = tag.entry.d_tag
        text = getattr(tag, kind[3:].lower()) if kind in _STRING_TAGS else ""
        yield kind, tag.entry.d_val, text


def _strings(elf: _ELFFile, table: Any) -> Strings:
    """A pyelftools string table section, read once (see `Strings`)."""
    fallback = table.get_string
    elf.stream.seek(table["sh_offset"])
    return Strings(elf.stream.read(min(table["sh_size"], _MAX_TABLE_READ)), fallback)


def _note(note: Any) -> tuple[str, str]:
    """(ABI tag text, OS) of one note: ("Linux 3.2.0", "linux"), ("FreeBSD 1400097", ...)."""
    name = str(note["n_name"])
    if name == "GNU" and note["n_type"] == "NT_GNU_ABI_TAG":
        desc = note["n_desc"]
        os_word = _GNU_ABI_OS.get(str(desc["abi_os"]), str(desc["abi_os"]))
        text = f"{os_word} {desc['abi_major']}.{desc['abi_minor']}.{desc['abi_tiny']}"
        return text, "linux" if os_word == "Linux" else ""
    if name in _NOTE_OS:
        desc = note["n_desc"]
        raw = desc if isinstance(desc, bytes) else str(desc).encode("latin-1", "replace")
        version = int.from_bytes(raw[:4], "little") if len(raw) >= 4 else 0
        return f"{name} {version}", _NOTE_OS[name]
    return "", ""


def _symbol_names(elf: _ELFFile, table: Any, wanted: list[int]) -> Iterator[str]:
    """The names of symbols `wanted` (indexes, ascending) of a pyelftools symbol table:
    `table.get_symbol(i).name`, from the table and its strings each read in one piece."""
    flat = elf.flat("Elf_Sym")
    entsize = table["sh_entsize"]
    if wanted and flat is not None and entsize == flat.size:
        length = (wanted[-1] + 1) * entsize
        if length <= _MAX_TABLE_READ:
            elf.stream.seek(table["sh_offset"])
            raw = elf.stream.read(length)
            if len(raw) == length:
                strings = _strings(elf, table.stringtable)
                for i in wanted:
                    yield strings.get(flat.unpack(raw, i * entsize)["st_name"])
                return
    for i in wanted:
        yield table.get_symbol(i).name


def _version_needs(
    elf: _ELFFile, needs: GNUVerNeedSection | None, versym: GNUVerSymSection | None
) -> tuple[VersionNeed, ...]:
    if needs is None:
        return ()
    # version index (vna_other) -> (library, version name); "GLIBC_2.34" from libc.so.6
    by_index: dict[int, tuple[str, str]] = {}
    order: list[int] = []
    for count, (verneed, auxiliaries) in enumerate(needs.iter_versions()):
        if count > 10_000:
            raise BinaryReadError("corrupt ELF: too many version needs")
        for aux_count, aux in enumerate(auxiliaries):
            if aux_count > 10_000:
                raise BinaryReadError("corrupt ELF: too many version needs")
            index = aux.entry.vna_other
            by_index[index] = (verneed.name or "", aux.name)
            order.append(index)
    symbols: dict[int, set[str]] = {i: set() for i in by_index}
    if versym is not None:
        # .gnu.version is an array of 16-bit version indexes, one per .dynsym entry: read it
        # as such and have pyelftools parse only the symbols bound to a needed version.
        elf.stream.seek(versym["sh_offset"])
        raw = elf.stream.read(min(versym["sh_size"], 2 * _MAX_DYNSYMS))
        indexes = array.array("H", raw[: len(raw) - len(raw) % 2])
        if (sys.byteorder == "little") != elf.little_endian:
            indexes.byteswap()
        table = versym.symboltable
        wanted = [i for i, index in enumerate(indexes) if (index & 0x7FFF) in symbols]
        for i, name in zip(wanted, _symbol_names(elf, table, wanted), strict=True):
            if name:
                symbols[indexes[i] & 0x7FFF].add(name)
    return tuple(
        VersionNeed(
            library=by_index[i][0], version=by_index[i][1], symbols=tuple(sorted(symbols[i]))
        )
        for i in dict.fromkeys(order)
    )
