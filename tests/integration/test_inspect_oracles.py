"""`cgotrap inspect` against the real tools, on real binaries built with go and `zig cc`.

Oracles: `go version -m` (byte-equal `--go-version-m` output, errors and exit status),
`readelf -d` (needed libraries, RPATH/RUNPATH), `readelf -l` (interpreter), `readelf -V` and
`readelf --dyn-syms` (required symbol versions and the symbols bound to them), `readelf -h`
(OS ABI), `readelf -S` (stripped). Nothing is a hand-written expectation where a tool answers.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
import tarfile
import zipfile
from pathlib import Path

import jsonschema
import pytest

from cgotrap import toolchain
from cgotrap.judge import policy as policies
from cgotrap.read.binary import Inspected, go_version_m, inspect_inputs
from cgotrap.read.binary.interface import BinaryFormat
from cgotrap.schemas import load
from tests import binaries

pytestmark = pytest.mark.integration


@pytest.fixture(scope="session")
def built() -> dict[str, Path]:
    """Every spec of tests/binaries.py, built (or from the cache)."""
    return binaries.build_all()


@pytest.fixture(scope="session")
def release(built: dict[str, Path], tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A release directory: every binary, plus files that are not Go binaries."""
    root = tmp_path_factory.mktemp("release")
    for path in built.values():
        shutil.copyfile(path, root / path.name)
        (root / path.name).chmod(0o755)
    sub = root / "docs"
    sub.mkdir()
    (sub / "README.md").write_text("# app\n", encoding="utf-8")
    (root / "empty").write_bytes(b"")
    truncated = root / "truncated"
    truncated.write_bytes(built["linux-amd64-pure"].read_bytes()[:4096])
    truncated.chmod(0o755)
    script = root / "install.sh"
    script.write_text("#!/bin/sh\necho hi\n", encoding="utf-8")
    script.chmod(0o755)
    return root


def _go(go_tool: toolchain.Tool, *args: str) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run(
        [str(go_tool.path), *args], capture_output=True, check=False, env=toolchain.go_env()
    )


def _readelf(*args: str) -> str:
    return subprocess.run(
        ["readelf", "-W", *args], capture_output=True, text=True, check=True
    ).stdout


def _one(path: Path) -> Inspected:
    (result,) = inspect_inputs([str(path)])
    return result


# ---------------------------------------------------------------------------------------------
# go version -m


@pytest.mark.parametrize("name", [s.name for s in binaries.SPECS])
def test_go_version_m_is_byte_equal(
    name: str, built: dict[str, Path], go_tool: toolchain.Tool
) -> None:
    path = str(built[name])
    want = _go(go_tool, "version", "-m", path)
    got = go_version_m([path])
    assert want.returncode == 0, want.stderr
    assert got.stdout == want.stdout
    assert got.stderr == want.stderr
    assert got.exit_code == want.returncode


def test_go_version_m_directory_and_errors_through_the_cli(
    release: Path, go_tool: toolchain.Tool
) -> None:
    args = [
        str(release),
        str(release / "truncated"),
        str(release / "install.sh"),
        str(release / "empty"),
        str(release / "nope"),
        str(release / "linux-amd64-glibc"),
    ]
    want = _go(go_tool, "version", "-m", *args)
    got = subprocess.run(
        [sys.executable, "-m", "cgotrap", "inspect", "--go-version-m", *args],
        capture_output=True,
        check=False,
    )
    assert want.stdout.count(b": go1.") == len(binaries.SPECS) + 1
    assert got.stdout == want.stdout
    assert got.stderr == want.stderr
    assert got.returncode == want.returncode == 1


def test_build_info_is_found_where_go_does_not_look(
    built: dict[str, Path], tmp_path: Path, go_tool: toolchain.Tool
) -> None:
    """golang/go#54947: a linker that does not keep `.go.buildinfo` by name."""
    data = bytearray(built["linux-amd64-glibc"].read_bytes())
    at = data.find(b".go.buildinfo\x00")
    assert at > 0
    data[at : at + 13] = b".data.moved.x"
    moved = tmp_path / "moved"
    moved.write_bytes(bytes(data))
    moved.chmod(0o755)
    go_says = _go(go_tool, "version", "-m", str(moved))
    assert b"not a Go executable" in go_says.stderr
    assert go_version_m([str(moved)]).stderr == go_says.stderr  # strict mode agrees with go
    ours = _one(moved)
    original = _go(go_tool, "version", "-m", str(built["linux-amd64-glibc"]))
    assert ours.build_info is not None
    from cgotrap.read.binary.buildinfo import go_version_m_text

    text = go_version_m_text(str(built["linux-amd64-glibc"]), ours.build_info)
    assert text.encode() == original.stdout


def test_cgo_is_seen_without_build_info(built: dict[str, Path], tmp_path: Path) -> None:
    for name in ("linux-amd64-glibc-sw", "linux-amd64-musl", "windows-amd64-cgo"):
        data = bytearray(built[name].read_bytes())
        at = data.find(b"\xff Go buildinf:")
        assert at > 0
        data[at : at + 14] = b"\x00" * 14
        path = tmp_path / name
        path.write_bytes(bytes(data))
        result = _one(path)
        assert result.build_info is None
        assert result.build_info_error == "not a Go executable"
        assert result.linkage is not None
        assert result.linkage.cgo_evidence, name
        assert result.cgo is True
    pure = bytearray(built["linux-amd64-pure"].read_bytes())
    at = pure.find(b"\xff Go buildinf:")
    pure[at : at + 14] = b"\x00" * 14
    (tmp_path / "pure").write_bytes(bytes(pure))
    result = _one(tmp_path / "pure")
    assert result.linkage is not None
    assert result.linkage.cgo_evidence == ()


# ---------------------------------------------------------------------------------------------
# readelf


def _elf_specs() -> list[str]:
    return [s.name for s in binaries.SPECS if s.goos in ("linux", "freebsd")]


@pytest.mark.parametrize("name", _elf_specs())
def test_linkage_agrees_with_readelf(name: str, built: dict[str, Path]) -> None:
    path = built[name]
    result = _one(path)
    linkage = result.linkage
    assert linkage is not None
    assert linkage.format is BinaryFormat.ELF

    dynamic = _readelf("-d", str(path))
    assert list(linkage.needed) == re.findall(r"\(NEEDED\)\s+Shared library: \[(.+?)\]", dynamic)
    rpath = re.findall(r"\(RPATH\)\s+Library rpath: \[(.+?)\]", dynamic)
    runpath = re.findall(r"\(RUNPATH\)\s+Library runpath: \[(.+?)\]", dynamic)
    assert ":".join(linkage.rpath) == ":".join(rpath)
    assert ":".join(linkage.runpath) == ":".join(runpath)

    program = _readelf("-l", str(path))
    interp = re.findall(r"\[Requesting program interpreter: (.+?)\]", program)
    assert linkage.interpreter == (interp[0] if interp else "")
    assert linkage.static == (not interp and not linkage.needed)

    versions = _readelf("-V", str(path))
    want_needs: list[tuple[str, str]] = []
    library = ""
    for line in versions.splitlines():
        file_match = re.search(r"File: (\S+)\s+Cnt:", line)
        if file_match:
            library = file_match.group(1)
        name_match = re.search(r"Name: (\S+)\s+Flags:", line)
        if name_match and library:
            want_needs.append((library, name_match.group(1)))
    assert [(n.library, n.version) for n in linkage.version_needs] == want_needs

    dynsyms = _readelf("--dyn-syms", str(path))
    want_symbols: dict[str, set[str]] = {}
    for match in re.finditer(r"\sUND\s+(\S+?)@(\S+?)(?:\s|$)", dynsyms):
        want_symbols.setdefault(match.group(2), set()).add(match.group(1))
    got_symbols: dict[str, set[str]] = {}
    for need in linkage.version_needs:  # readelf names the version, not the library
        if need.symbols:
            got_symbols.setdefault(need.version, set()).update(need.symbols)
    assert got_symbols == want_symbols

    header = _readelf("-h", str(path))
    abi = re.search(r"OS/ABI:\s+(.+)", header)
    assert abi is not None
    readelf_abi = abi.group(1).strip()
    assert ("FreeBSD" in readelf_abi) == (linkage.os_abi == "ELFOSABI_FREEBSD")
    sections = _readelf("-S", str(path))
    assert linkage.stripped == (" .symtab " not in sections)
    elf_type = re.search(r"Type:\s+(\w+)", header)
    assert elf_type is not None
    assert linkage.pie == (elf_type.group(1) == "DYN")

    notes = _readelf("-n", str(path))
    tag = re.search(r"NT_GNU_ABI_TAG.*?OS: (\w+), ABI: ([0-9.]+)", notes)
    assert linkage.abi_tag == (f"{tag.group(1)} {tag.group(2)}" if tag else linkage.abi_tag)
    if tag is None:
        assert not linkage.abi_tag.startswith("Linux")


def test_musl_dynamic_runs_on_alpine_only(built: dict[str, Path]) -> None:
    result = _one(built["linux-amd64-musl-dynamic"])
    assert result.linkage is not None
    assert result.linkage.interpreter.startswith("/lib/ld-musl-")  # readelf-checked above
    targets = policies.run_targets()
    assert policies.judge_run_target(result, targets["alpine"]).fit is policies.Fit.YES
    debian = policies.judge_run_target(result, targets["debian-12"])
    assert debian.fit is policies.Fit.NO
    assert debian.reasons == (f"dynamic, needs {result.linkage.interpreter}, debian-12 has glibc",)
    assert policies.judge_policy(result, policies.get_policy("musl")).fit is policies.Fit.YES
    assert policies.judge_policy(result, policies.get_policy("static")).fit is policies.Fit.NO


def test_glibc_pin_is_what_readelf_shows(built: dict[str, Path]) -> None:
    """The 2.17 pin needs nothing newer than GLIBC_2.17; the 2.36 build needs GLIBC_2.34."""
    for name, ceiling, fits_rhel7 in (
        ("linux-amd64-glibc217", (2, 17), True),
        ("linux-amd64-glibc", (2, 36), False),
    ):
        versions = re.findall(r"Name: GLIBC_([0-9.]+)", _readelf("-V", str(built[name])))
        highest = max(policies.dotted_version(v) for v in versions)
        assert highest <= ceiling
        result = _one(built[name])
        assert result.linkage is not None
        best, _, symbols = policies.glibc_needs(result.linkage)
        assert best == highest
        assert symbols
        verdict = policies.judge_run_target(result, policies.run_targets()["rhel-7"])
        assert (verdict.fit is policies.Fit.YES) == fits_rhel7
        if not fits_rhel7:
            dotted = ".".join(str(v) for v in highest)
            assert f"needs GLIBC_{dotted} (" in verdict.reasons[0]
            assert "rhel-7 has 2.17" in verdict.reasons[0]


# ---------------------------------------------------------------------------------------------
# whole runs


def _fat(slices: list[bytes]) -> bytes:
    """A universal (fat) Mach-O: big-endian fat_header + fat_arch entries, 16 KiB aligned."""
    import struct

    align = 14
    header = struct.pack(">II", 0xCAFEBABE, len(slices))
    offset = 1 << align
    entries = b""
    body = b""
    for data in slices:
        cputype, cpusubtype = struct.unpack("<ii", data[4:12])
        entries += struct.pack(">iiIII", cputype, cpusubtype, offset + len(body), len(data), align)
        body += data + b"\x00" * (-len(data) % (1 << align))
    return (header + entries).ljust(offset, b"\x00") + body


def test_universal_mach_o(built: dict[str, Path], tmp_path: Path, go_tool: toolchain.Tool) -> None:
    fat = tmp_path / "universal"
    fat.write_bytes(
        _fat([built["darwin-arm64-pure"].read_bytes(), built["darwin-amd64-pure"].read_bytes()])
    )
    fat.chmod(0o755)
    result = _one(fat)
    assert result.linkage is not None
    assert result.linkage.fat_arches == ("arm64", "amd64")
    assert result.linkage.arch == "arm64"  # the first slice, as go reads it
    want = _go(go_tool, "version", "-m", str(fat))
    assert want.returncode == 0, want.stderr
    assert go_version_m([str(fat)]).stdout == want.stdout


def test_every_format_and_fact(built: dict[str, Path]) -> None:
    facts = {name: _one(path) for name, path in built.items()}
    for name, result in facts.items():
        spec = binaries.BY_NAME[name]
        assert result.error == ""
        assert result.build_info is not None
        assert result.goos == spec.goos
        assert result.goarch == spec.goarch
        assert result.cgo is spec.cgo
        assert result.build_info.setting("CGO_ENABLED") == ("1" if spec.cgo else "0")
        dep = result.build_info.deps[0]
        assert dep.path == "example.com/dep"
        assert dep.replace is not None
        assert dep.replace.path == "./dep"
    darwin = facts["darwin-arm64-pure"].linkage
    assert darwin is not None
    assert darwin.format is BinaryFormat.MACHO
    assert darwin.min_os is not None
    assert darwin.min_os.platform == "macos"
    assert "/usr/lib/libSystem.B.dylib" in darwin.needed
    windows = facts["windows-amd64-cgo"].linkage
    assert windows is not None
    assert windows.format is BinaryFormat.PE
    assert windows.subsystem == "console"
    assert any(e.startswith("imports C runtime") for e in windows.cgo_evidence)
    pure_windows = facts["windows-amd64-pure"].linkage
    assert pure_windows is not None
    assert pure_windows.cgo_evidence == ()
    vcs = facts["linux-amd64-vcs"].build_info
    assert vcs is not None
    assert vcs.setting("vcs") == "git"
    assert len(vcs.setting("vcs.revision") or "") == 40
    flags = facts["linux-amd64-flags"].build_info
    assert flags is not None
    assert flags.setting("-trimpath") == "true"
    assert flags.setting("-tags") == "netgo,osusergo"
    assert facts["linux-amd64-cgo-static"].linkage is not None
    assert facts["linux-amd64-cgo-static"].linkage.static


def test_directory_with_bad_files_reports_every_binary(release: Path) -> None:
    results = list(inspect_inputs([str(release)]))
    names = {Path(r.name).name: r for r in results}
    assert "README.md" not in names
    assert "install.sh" not in names
    assert "empty" not in names
    assert names["truncated"].error.startswith("truncated: section ")
    assert "\n" not in names["truncated"].error
    good = [r for r in results if not r.error]
    assert len(good) == len(binaries.SPECS)


def test_archives_are_read_in_place(built: dict[str, Path], tmp_path: Path) -> None:
    tgz = tmp_path / "app.tar.gz"
    zipped = tmp_path / "app.zip"
    with tarfile.open(tgz, "w:gz") as tar, zipfile.ZipFile(zipped, "w") as archive:
        for name in ("linux-amd64-glibc", "windows-amd64-cgo", "darwin-arm64-pure"):
            tar.add(built[name], arcname=f"app/{built[name].name}")
            archive.write(built[name], arcname=f"app/{built[name].name}")
        tar.add(Path(__file__), arcname="app/test.py")
    before = sorted(p.name for p in tmp_path.iterdir())
    for archive_path in (tgz, zipped):
        results = list(inspect_inputs([str(archive_path)]))
        assert len(results) == 3
        for result in results:
            member = result.name.split("!", 1)[1]
            direct = _one(built[Path(member).name.removesuffix(".exe")])
            assert result.linkage == direct.linkage
            assert result.build_info == direct.build_info
    assert sorted(p.name for p in tmp_path.iterdir()) == before


def test_cli_json_is_valid_and_policy_sets_exit_status(
    release: Path, built: dict[str, Path]
) -> None:
    def cli(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "cgotrap", "inspect", *args],
            capture_output=True,
            text=True,
            check=False,
            cwd=cwd,
        )

    done = cli(str(release), "--runs-on", "all", "--policy", "glibc<=2.17", "--format", "json")
    assert done.returncode == 4  # one file unreadable (4) outranks the policy violated (1)
    document = json.loads(done.stdout)
    jsonschema.validate(document, load("inspect"))
    assert done.stderr.splitlines() == [
        f"cgotrap: {release}/truncated: {_one(release / 'truncated').error}"
    ]
    rules = {f["rule"] for f in document["findings"]}
    assert {"CGO200", "CGO201"} <= rules
    ok = cli(str(built["linux-amd64-glibc217"]), "--policy", "glibc<=2.17", "--format", "json")
    assert ok.returncode == 0, ok.stderr
    static_bin = built["linux-amd64-cgo-static"]
    static = cli(static_bin.name, "--policy", "static", "--format", "table", cwd=static_bin.parent)
    assert static.returncode == 0
    assert "linux-amd64-cgo-static" in static.stdout
    dynamic_bin = built["linux-amd64-glibc"]
    dynamic = cli(
        dynamic_bin.name, "--policy", "static", "--format", "table", cwd=dynamic_bin.parent
    )
    assert dynamic.returncode == 1
    assert "dynamic, needs /lib64/ld-linux-x86-64.so.2" in dynamic.stdout


def test_odd_one_out_of_a_release(built: dict[str, Path], tmp_path: Path) -> None:
    for name in (
        "linux-amd64-pure",
        "linux-arm64-pure",
        "freebsd-amd64-pure",
        "windows-amd64-pure",
        "linux-amd64-glibc",
    ):
        shutil.copyfile(built[name], tmp_path / built[name].name)
    report = policies.build_report(list(inspect_inputs([str(tmp_path)])), (), None)
    by_rule = {(f.rule.id, Path(f.subject).name) for f in report.findings}
    assert ("CGO210", "linux-amd64-glibc") in by_rule
    assert ("CGO213", "linux-amd64-glibc") in by_rule
    assert all(Path(b).name == "linux-amd64-glibc" for _, b in by_rule)


_FILE_ARCH = {"x86-64": "amd64", "ARM aarch64": "arm64", "arm64": "arm64", "x86_64": "amd64"}


@pytest.mark.parametrize("name", [s.name for s in binaries.SPECS])
def test_format_arch_and_linking_agree_with_file(name: str, built: dict[str, Path]) -> None:
    """`file -b` (libmagic) names the format, the machine, and static vs dynamic."""
    said = subprocess.run(
        ["file", "-b", str(built[name])], capture_output=True, text=True, check=True
    ).stdout
    linkage = _one(built[name]).linkage
    assert linkage is not None
    expected_format = {"ELF": BinaryFormat.ELF, "Mach-O": BinaryFormat.MACHO}.get(
        said.split()[0], BinaryFormat.PE if said.startswith("PE32") else None
    )
    assert linkage.format is expected_format
    arches = [go for word, go in _FILE_ARCH.items() if re.search(rf"\b{word}\b", said)]
    assert arches
    assert linkage.arch == arches[0]
    assert linkage.bits == (64 if "64-bit" in said or "PE32+" in said else 32)
    if linkage.format is BinaryFormat.ELF:
        assert linkage.static == ("statically linked" in said)
        assert linkage.pie == ("pie executable" in said)
        assert ("(FreeBSD)" in said) == (linkage.os == "freebsd")
    if linkage.format is BinaryFormat.PE:
        assert f"({linkage.subsystem})" in said


def test_go_version_m_orders_and_prints_names_as_bytes(
    built: dict[str, Path], tmp_path: Path, go_tool: toolchain.Tool
) -> None:
    """Go sorts a directory by bytes and prints names raw, UTF-8 or not."""
    import os

    data = built["linux-amd64-pure"].read_bytes()
    for raw in (b"a\xff", "aé".encode(), b"b", b"A"):
        (Path(os.fsdecode(bytes(tmp_path) + b"/" + raw))).write_bytes(data)
    want = _go(go_tool, "version", "-m", str(tmp_path))
    got = go_version_m([str(tmp_path)])
    assert want.stdout.count(b": go1.") == 4
    assert got.stdout == want.stdout
    assert got.stderr == want.stderr
