"""Bad input never escapes the readers: empty, truncated, corrupted, hostile, non-binary.

Every case must end as an `Inspected` with a one-line `error` (or a result), never an
exception, and within a small time bound (hypothesis `deadline`).
"""

from __future__ import annotations

import io
import shutil
import struct
import tarfile
import time
import zipfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cgotrap.read.binary import Inspected, inspect_file, inspect_inputs, walk

TRUE = Path(shutil.which("true") or "/bin/true")


def _inspect(data: bytes) -> Inspected:
    started = time.monotonic()
    result = inspect_file("x", io.BytesIO(data), len(data))
    assert time.monotonic() - started < 5
    assert "\n" not in result.error
    assert (result.linkage is None) == bool(result.error)
    return result


def _elf64(**fields: int) -> bytes:
    """An ELF64 little-endian executable header with the given fields overridden."""
    values = {
        "e_type": 2,
        "e_machine": 62,
        "e_version": 1,
        "e_entry": 0x401000,
        "e_phoff": 64,
        "e_shoff": 0,
        "e_flags": 0,
        "e_ehsize": 64,
        "e_phentsize": 56,
        "e_phnum": 0,
        "e_shentsize": 64,
        "e_shnum": 0,
        "e_shstrndx": 0,
    }
    values.update(fields)
    ident = b"\x7fELF" + bytes([2, 1, 1, 0]) + b"\x00" * 8
    return ident + struct.pack(
        "<HHIQQQIHHHHHH",
        values["e_type"],
        values["e_machine"],
        values["e_version"],
        values["e_entry"],
        values["e_phoff"],
        values["e_shoff"],
        values["e_flags"],
        values["e_ehsize"],
        values["e_phentsize"],
        values["e_phnum"],
        values["e_shentsize"],
        values["e_shnum"],
        values["e_shstrndx"],
    )


def test_real_system_binary_reads() -> None:
    result = _inspect(TRUE.read_bytes())
    assert result.linkage is not None
    assert result.build_info is None
    assert result.build_info_error == "not a Go executable"


@pytest.mark.parametrize(
    "data",
    [
        b"",
        b"\x7fELF",
        b"MZ",
        b"\xcf\xfa\xed\xfe",
        b"\xca\xfe\xba\xbe",
        b"hello world, this is text\n" * 3,
        _elf64(e_phnum=0xFFFF, e_phoff=0),  # program headers overlapping the header
        _elf64(e_phnum=0xFFFF, e_phoff=1 << 62),  # far beyond the end
        _elf64(e_shnum=0xFFFF, e_shoff=64, e_shstrndx=0xFFFE),
        _elf64(e_shnum=3, e_shoff=1 << 40),
        _elf64(e_phnum=1, e_phentsize=0),
        _elf64(e_shnum=0, e_shoff=64, e_shstrndx=0xFFFF),  # extended section numbering
        # Mach-O 64 with 2^31 load commands / absurd sizeofcmds
        struct.pack("<IiiIIIII", 0xFEEDFACF, 0x01000007, 3, 2, 0x7FFFFFFF, 0x7FFFFFFF, 0, 0),
        struct.pack("<IiiIIIII", 0xFEEDFACF, 0x01000007, 3, 2, 1, 8, 0, 0)
        + struct.pack("<II", 0x19, 0),  # LC_SEGMENT_64 with cmdsize 0
        struct.pack(">II", 0xCAFEBABE, 0x7FFFFFFF),  # universal binary, 2^31 slices
        struct.pack(">II", 0xCAFEBABE, 1) + struct.pack(">iiIII", 7, 3, 1 << 31, 10, 0),
        # PE: e_lfanew beyond the end; then a header with 65535 sections
        b"MZ" + b"\x00" * 58 + struct.pack("<I", 1 << 30),
        b"MZ"
        + b"\x00" * 58
        + struct.pack("<I", 64)
        + b"PE\x00\x00"
        + struct.pack("<HHIIIHH", 0x8664, 0xFFFF, 0, 0, 0, 0xF0, 0x22),
    ],
)
def test_hostile_files_are_one_line_errors(data: bytes) -> None:
    result = _inspect(data + b"\x00" * max(0, 16 - len(data)))
    if result.linkage is None:
        assert result.error


@settings(max_examples=150, deadline=2000, suppress_health_check=[HealthCheck.too_slow])
@given(st.data())
def test_fuzz_mutated_system_binary(data: st.DataObject) -> None:
    original = bytearray(TRUE.read_bytes())
    edits = data.draw(
        st.lists(st.tuples(st.integers(0, len(original) - 1), st.integers(0, 255)), max_size=40)
    )
    for at, value in edits:
        original[at] = value
    cut = data.draw(st.integers(16, len(original)))
    _inspect(bytes(original[:cut]))


@settings(max_examples=200, deadline=2000)
@given(
    st.sampled_from(
        [
            b"\x7fELF\x02\x01\x01",
            b"\x7fELF\x01\x02\x01",
            b"MZ",
            b"\xcf\xfa\xed\xfe",
            b"\xca\xfe\xba\xbe",
            b"\xfe\xed\xfa\xce",
        ]
    ),
    st.binary(min_size=0, max_size=600),
)
def test_fuzz_random_bytes_behind_a_magic(magic: bytes, rest: bytes) -> None:
    _inspect(magic + rest)


def test_directory_skips_non_binaries_and_reports_the_rest(tmp_path: Path) -> None:
    (tmp_path / "b").mkdir()
    (tmp_path / "b" / "true").write_bytes(TRUE.read_bytes())
    (tmp_path / "a.txt").write_text("text", encoding="utf-8")
    (tmp_path / "c").write_bytes(TRUE.read_bytes()[:100])
    (tmp_path / "empty").write_bytes(b"")
    (tmp_path / "link").symlink_to(tmp_path / "b" / "true")
    (tmp_path / "dangling").symlink_to(tmp_path / "missing")
    results = list(inspect_inputs([str(tmp_path)]))
    names = [Path(r.name).name for r in results]
    assert names == ["true", "c", "link"]
    assert results[1].error
    assert not results[0].error
    assert list(walk(str(tmp_path))) == [
        f"{tmp_path}/{n}" for n in ("a.txt", "b/true", "c", "dangling", "empty", "link")
    ]


def test_missing_path_is_one_line(tmp_path: Path) -> None:
    (result,) = inspect_inputs([str(tmp_path / "nope")])
    assert result.error == "no such file or directory"


def test_bad_archives_are_one_line(tmp_path: Path) -> None:
    (tmp_path / "bad.tar.gz").write_bytes(b"\x1f\x8b\x08\x00garbage")
    (tmp_path / "bad.zip").write_bytes(b"PK\x03\x04garbage")
    for name in ("bad.tar.gz", "bad.zip"):
        (result,) = inspect_inputs([str(tmp_path / name)])
        assert result.error.startswith("unreadable archive")
        assert "\n" not in result.error


def test_archives_skip_non_binaries_and_do_not_extract(tmp_path: Path) -> None:
    tgz = tmp_path / "r.tgz"
    with tarfile.open(tgz, "w:gz") as tar:
        tar.add(TRUE, arcname="../escape/true")
        info = tarfile.TarInfo("README")
        info.size = 5
        tar.addfile(info, io.BytesIO(b"hello"))
    zipped = tmp_path / "r.zip"
    with zipfile.ZipFile(zipped, "w") as archive:
        archive.write(TRUE, arcname="bin/true")
        archive.writestr("notes.txt", "x")
    before = sorted(p.name for p in tmp_path.rglob("*"))
    results = list(inspect_inputs([str(tgz), str(zipped)]))
    assert [r.name for r in results] == [f"{tgz}!../escape/true", f"{zipped}!bin/true"]
    assert all(r.linkage is not None for r in results)
    assert sorted(p.name for p in tmp_path.rglob("*")) == before


def test_worker_pool_gives_the_same_answers_in_order(tmp_path: Path) -> None:
    data = TRUE.read_bytes()
    for i in range(30):
        (tmp_path / f"{i:02d}").write_bytes(data if i % 3 else data[:200])
    (tmp_path / "zz.txt").write_text("not a binary", encoding="utf-8")
    serial = list(inspect_inputs([str(tmp_path)], jobs=1))
    parallel = list(inspect_inputs([str(tmp_path)], jobs=2))
    assert parallel == serial
    assert len(serial) == 30
    assert [bool(r.error) for r in serial] == [i % 3 == 0 for i in range(30)]


def test_struct_reusing_elffile_matches_pyelftools() -> None:
    """`_ELFFile` mirrors pyelftools' constructor; a library change must show up here."""
    from elftools.elf.elffile import ELFFile

    from cgotrap.read.binary.elf import _ELFFile

    with TRUE.open("rb") as a, TRUE.open("rb") as b:
        theirs, ours = ELFFile(a), _ELFFile(b)
        assert set(vars(ours)) == set(vars(theirs))
        assert ours.header == theirs.header
        assert [s.name for s in ours.iter_sections()] == [s.name for s in theirs.iter_sections()]
        again = _ELFFile(b)
        assert again.structs is ours.structs


def test_archives_inside_a_directory_are_opened(tmp_path: Path) -> None:
    with zipfile.ZipFile(tmp_path / "release.zip", "w") as archive:
        archive.write(TRUE, arcname="app/true")
    (tmp_path / "true").write_bytes(TRUE.read_bytes())
    names = [r.name for r in inspect_inputs([str(tmp_path)])]
    assert names == [f"{tmp_path}/release.zip!app/true", f"{tmp_path}/true"]


def test_large_members_are_spooled_to_an_anonymous_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from cgotrap.read.binary import archive

    tgz = tmp_path / "r.tar.gz"
    with tarfile.open(tgz, "w:gz") as tar:
        tar.add(TRUE, arcname="bin/true")
    in_memory = list(inspect_inputs([str(tgz)]))
    monkeypatch.setattr(archive, "MEMORY_LIMIT", 1024)
    spooled = list(inspect_inputs([str(tgz)]))
    assert spooled == in_memory
    assert spooled[0].linkage is not None
    assert sorted(p.name for p in tmp_path.iterdir()) == ["r.tar.gz"]


def _lc_str(cmd: int, fixed: bytes, text: str) -> bytes:
    """A load command whose string follows its fixed fields (padded to 8 bytes)."""
    raw = text.encode() + b"\x00"
    raw += b"\x00" * (-(8 + len(fixed) + len(raw)) % 8)
    return struct.pack("<II", cmd, 8 + len(fixed) + len(raw)) + fixed + raw


def test_mach_o_load_commands() -> None:
    """LC_LOAD_DYLIB, LC_RPATH, LC_VERSION_MIN_MACOSX, LC_SYMTAB, MH_PIE, laid out by hand."""
    segment = struct.pack("<II16sQQQQiiII", 0x19, 72, b"__TEXT", 0x1000, 0x1000, 0, 0, 5, 5, 0, 0)
    dylib = _lc_str(
        0xC, struct.pack("<IIII", 24, 2, 0x10000, 0x10000), "/usr/lib/libSystem.B.dylib"
    )
    rpath = _lc_str(0x8000001C, struct.pack("<I", 12), "@executable_path/../lib")
    extra = _lc_str(
        0xC, struct.pack("<IIII", 24, 2, 0x10000, 0x10000), "/opt/homebrew/lib/libz.dylib"
    )
    version = struct.pack("<IIII", 0x24, 16, 0x000B0000, 0x000E0200)  # 11.0, SDK 14.2
    symtab = struct.pack("<IIIIII", 0x2, 24, 0, 0, 0, 0)
    commands = segment + dylib + rpath + extra + version + symtab
    header = struct.pack("<IiiIIIII", 0xFEEDFACF, 0x01000007, 3, 2, 6, len(commands), 0x200000, 0)
    result = _inspect(header + commands + b"\x00" * 64)
    linkage = result.linkage
    assert linkage is not None
    assert linkage.arch == "amd64"
    assert linkage.needed == ("/usr/lib/libSystem.B.dylib", "/opt/homebrew/lib/libz.dylib")
    assert linkage.rpath == ("@executable_path/../lib",)
    assert linkage.min_os is not None
    assert (linkage.min_os.platform, linkage.min_os.version, linkage.min_os.sdk) == (
        "macos",
        "11.0",
        "14.2",
    )
    assert linkage.pie
    assert linkage.stripped
    assert result.build_info_error == "not a Go executable"
