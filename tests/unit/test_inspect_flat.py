"""Flat struct parsing gives exactly what pyelftools' construct parsing gives.

The oracle is pyelftools itself: every record of real binaries, and random bytes for every
byte order / class / machine, parsed both ways. If a pyelftools release makes a record we
read non-flat, `test_the_records_cgotrap_reads_are_flat` fails (reading still works through
construct, only slower).
"""

from __future__ import annotations

import io
import shutil
import sys
from pathlib import Path
from typing import Any

import pytest
from elftools.elf.elffile import ELFFile
from elftools.elf.sections import StringTableSection, SymbolTableSection
from elftools.elf.structs import ELFStructs
from hypothesis import given, settings
from hypothesis import strategies as st

from cgotrap.read.binary import elf as elf_reader
from cgotrap.read.binary.flat import FlatStruct, Strings

SYSTEM = [Path(p) for p in {shutil.which("true"), shutil.which("ls"), sys.executable} if p]
RECORDS = ("Elf_Shdr", "Elf_Phdr", "Elf_Dyn", "Elf_Verneed", "Elf_Vernaux")
CONFIGS = [
    (little, bits, e_type, machine, osabi)
    for little in (True, False)
    for bits in (32, 64)
    for e_type in ("ET_EXEC", "ET_DYN")
    for machine in ("EM_X86_64", "EM_AARCH64", "EM_ARM", "EM_MIPS", "EM_RISCV", "EM_PPC64")
    for osabi in ("ELFOSABI_SYSV", "ELFOSABI_SOLARIS")
]


def _structs(config: tuple[bool, int, str, str, str]) -> ELFStructs:
    little, bits, e_type, machine, osabi = config
    structs = ELFStructs(little_endian=little, elfclass=bits)
    structs.create_basic_structs()
    structs.create_advanced_structs(e_type, machine, osabi)
    return structs


def _construct(record: Any, raw: bytes) -> dict[str, Any]:
    return dict(record.parse_stream(io.BytesIO(raw)))


@pytest.mark.parametrize("config", CONFIGS[:4])
def test_the_records_cgotrap_reads_are_flat(config: tuple[bool, int, str, str, str]) -> None:
    structs = _structs(config)
    for name in RECORDS:
        assert FlatStruct.of(getattr(structs, name)) is not None, name
    symbol = FlatStruct.of(structs.Elf_Sym, prefix=True)
    assert symbol is not None
    assert symbol.size == structs.Elf_Sym.sizeof()
    assert FlatStruct.of(structs.Elf_Sym) is None  # st_info is a bit struct: not flat


@settings(max_examples=300, deadline=None)
@given(config=st.sampled_from(CONFIGS), record=st.sampled_from(RECORDS), data=st.data())
def test_random_records_parse_the_same(
    config: tuple[bool, int, str, str, str], record: str, data: st.DataObject
) -> None:
    construct = getattr(_structs(config), record)
    flat = FlatStruct.of(construct)
    assert flat is not None
    raw = data.draw(st.binary(min_size=flat.size, max_size=flat.size))
    assert flat.unpack(raw) == _construct(construct, raw)
    assert list(flat.iter_unpack(raw * 3)) == [_construct(construct, raw)] * 3


@settings(max_examples=100, deadline=None)
@given(config=st.sampled_from(CONFIGS), data=st.data())
def test_random_symbols_have_the_same_name_offset(
    config: tuple[bool, int, str, str, str], data: st.DataObject
) -> None:
    construct = _structs(config).Elf_Sym
    flat = FlatStruct.of(construct, prefix=True)
    assert flat is not None
    raw = data.draw(st.binary(min_size=flat.size, max_size=flat.size))
    assert flat.unpack(raw)["st_name"] == _construct(construct, raw)["st_name"]


@pytest.mark.parametrize("path", SYSTEM, ids=lambda p: p.name)
def test_every_header_of_real_binaries_parses_the_same(path: Path) -> None:
    with path.open("rb") as file:
        elf = ELFFile(file)
        structs = elf.structs
        for record, count, header in (
            ("Elf_Shdr", elf.num_sections(), elf._get_section_header),
            ("Elf_Phdr", elf.num_segments(), elf._get_segment_header),
        ):
            flat = FlatStruct.of(getattr(structs, record))
            assert flat is not None
            entsize = flat.size
            base = elf["e_shoff"] if record == "Elf_Shdr" else elf["e_phoff"]
            file.seek(base)
            raw = file.read(count * entsize)
            assert list(flat.iter_unpack(raw)) == [dict(header(i)) for i in range(count)]
        symbol = FlatStruct.of(structs.Elf_Sym, prefix=True)
        assert symbol is not None
        for section in elf.iter_sections():
            if isinstance(section, SymbolTableSection):
                file.seek(section["sh_offset"])
                raw = file.read(section["sh_size"])
                strings = Strings(
                    _table_bytes(file, section.stringtable), section.stringtable.get_string
                )
                for i, sym in enumerate(section.iter_symbols()):
                    name_offset = symbol.unpack(raw, i * symbol.size)["st_name"]
                    assert strings.get(name_offset) == sym.name


def _table_bytes(file: Any, table: StringTableSection) -> bytes:
    file.seek(table["sh_offset"])
    data: bytes = file.read(table["sh_size"])
    return data


def test_strings_match_get_string_everywhere() -> None:
    path = SYSTEM[0]
    with path.open("rb") as file:
        elf = ELFFile(file)
        table = elf.get_section_by_name(".dynstr")
        assert isinstance(table, StringTableSection)
        raw = _table_bytes(file, table)
        offsets = [*range(len(raw)), len(raw), len(raw) + 5, 10**9]
        # the last string cut off: found only by reading on past the bytes given
        strings = Strings(raw[:-3], table.get_string)
        for offset in offsets:
            assert strings.get(offset) == table.get_string(offset), offset


@pytest.mark.parametrize("path", SYSTEM, ids=lambda p: p.name)
def test_fast_and_library_paths_read_the_same(path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    size = path.stat().st_size
    with path.open("rb") as file:
        fast = elf_reader.ElfReader().read(file, size)
    monkeypatch.setattr(elf_reader._ELFFile, "flat", lambda self, record: None)
    with path.open("rb") as file:
        slow = elf_reader.ElfReader().read(file, size)
    assert fast.linkage == slow.linkage
    assert fast.linkage.needed  # a dynamic binary: the dynamic table and versions were read
    assert fast.space.regions == slow.space.regions
    assert (fast.go_start, fast.data_regions, fast.symbol_tables) == (
        slow.go_start,
        slow.data_regions,
        slow.symbol_tables,
    )


def _both_paths(data: bytes, monkeypatch: pytest.MonkeyPatch) -> tuple[str, str]:
    """The one-line error (or "") of reading `data` flat, and through pyelftools only."""
    from cgotrap.read.binary import inspect_file

    fast = inspect_file("x", io.BytesIO(data), len(data))
    with monkeypatch.context() as patch:
        patch.setattr(elf_reader._ELFFile, "flat", lambda self, record: None)
        slow = inspect_file("x", io.BytesIO(data), len(data))
    assert fast == slow
    return fast.error, slow.error


@pytest.mark.parametrize("path", SYSTEM[:1], ids=lambda p: p.name)
def test_damaged_tables_fail_the_same_on_both_paths(
    path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    data = path.read_bytes()
    with path.open("rb") as file:
        elf = ELFFile(file)
        shoff, phoff = elf["e_shoff"], elf["e_phoff"]
        dynamic = next(s for s in elf.iter_sections() if s["sh_type"] == "SHT_DYNAMIC")
        dyn_offset, dyn_size = dynamic["sh_offset"], dynamic["sh_size"]
        dynstr = elf.get_section_by_name(".dynstr")
        assert dynstr is not None
        strings_at = dynstr["sh_offset"]
    errors = [
        _both_paths(data[: shoff + 100], monkeypatch),  # section headers cut short
        _both_paths(data[: phoff + 30], monkeypatch),  # program headers cut short
        # a dynamic table without DT_NULL, running on into what follows it
        _both_paths(
            data[:dyn_offset] + b"\x01" * dyn_size + data[dyn_offset + dyn_size :], monkeypatch
        ),
        # string table bytes without any NUL: names run past the table
        _both_paths(
            data[:strings_at] + b"A" * dynstr["sh_size"] + data[strings_at + dynstr["sh_size"] :],
            monkeypatch,
        ),
    ]
    assert errors[0][0]  # the cut-short tables are errors (the same, checked above)
    assert errors[1][0]
