"""Regenerate src/cgotrap/data/libc_headers.json from the libc header trees zig ships.

Source of truth: `<zig lib_dir>/libc/include/` (what `zig cc -target T` really compiles
against) and `<zig lib_dir>/include/` (clang's own headers: stddef.h, immintrin.h, ...), plus
`std/zig/target.zig` (`isLibCLibName`: the `-l` names a libc provides, such as -lm, -lpthread)
and the MinGW import-library definitions (`libc/mingw/lib-common/*.def`: -lws2_32, ...).

Which directories a target searches is zig's own rule (`std/zig/LibCDirs.zig`,
`detectFromBuilding`): `<arch>-<os>-<abi>`, `generic-<libc>`, `<osarch>-<os>-any`,
`any-<os>-any`; darwin uses `any-darwin-any` only. The GOARCH -> zig arch-name tables below
restate `glibcArchNameHeaders`, `muslArchNameHeaders`, ... for the arches Go supports; the
script fails if a directory they name is missing, so a zig upgrade that moves things is caught.

Usage: python scripts/gen_libc_headers.py [--check]
"""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))
sys.path.insert(0, str(Path(__file__).resolve().parent))  # scripts/datafile.py

from datafile import write_or_check

from cgotrap import toolchain
from cgotrap.targets import port_table

OUT = Path(__file__).resolve().parents[1] / "src" / "cgotrap" / "data" / "libc_headers.json"

# Display names of the libc families (what a finding says: "not available on musl").
FAMILY_LABELS = {
    "glibc": "glibc",
    "musl": "musl",
    "darwin": "macOS libc",
    "mingw": "Windows (MinGW-w64)",
    "freebsd": "FreeBSD libc",
    "netbsd": "NetBSD libc",
    "openbsd": "OpenBSD libc",
}

# GOARCH -> zig's cpu arch tag.
ZIG_ARCH = {
    "386": "x86",
    "amd64": "x86_64",
    "arm": "arm",
    "arm64": "aarch64",
    "loong64": "loongarch64",
    "mips": "mips",
    "mipsle": "mipsel",
    "mips64": "mips64",
    "mips64le": "mips64el",
    "ppc64": "powerpc64",
    "ppc64le": "powerpc64le",
    "riscv64": "riscv64",
    "s390x": "s390x",
}

# std/zig/target.zig osArchName (linux), glibcArchNameHeaders, muslArchNameHeaders.
LINUX_OS_ARCH = {
    "x86": "x86",
    "x86_64": "x86",
    "arm": "arm",
    "aarch64": "aarch64",
    "loongarch64": "loongarch",
    "mips": "mips",
    "mipsel": "mips",
    "mips64": "mips",
    "mips64el": "mips",
    "powerpc64": "powerpc",
    "powerpc64le": "powerpc",
    "riscv64": "riscv",
    "s390x": "s390x",
}
GLIBC_ARCH = {**LINUX_OS_ARCH, "powerpc64": "powerpc64", "s390x": "s390x"}
MUSL_ARCH = {
    "x86": "x86",
    "x86_64": "x86_64",
    "arm": "arm",
    "aarch64": "aarch64",
    "loongarch64": "loongarch64",
    "mips": "mips",
    "mipsel": "mips",
    "mips64": "mips64",
    "mips64el": "mips64",
    "powerpc64": "powerpc64",
    "powerpc64le": "powerpc64",
    "riscv64": "riscv64",
    "s390x": "s390x",
}
# The ABI of the zig triple where Go's default is not zig's plain one: Go's arm is GOARM=7
# hard-float, its mips/mipsle GOMIPS=hardfloat, its mips64/mips64le the n64 ABI.
LINUX_ABI = {
    "arm": ("gnueabihf", "musleabihf"),
    "mips": ("gnueabihf", "musleabihf"),
    "mipsel": ("gnueabihf", "musleabihf"),
    "mips64": ("gnuabi64", "muslabi64"),
    "mips64el": ("gnuabi64", "muslabi64"),
}
BSD_ABI = {
    ("freebsd", "arm"): ("eabihf", "eabihf"),  # (triple ABI, header directory ABI)
    ("netbsd", "arm"): ("eabihf", "eabi"),  # netbsdAbiNameHeaders: eabihf -> "eabi"
    ("openbsd", "arm"): ("eabi", "eabi"),
}
# std/zig/target.zig isLibCLibName: condition text of each block -> the families it covers.
LIB_BLOCKS = {
    "target.isMinGW()": ("mingw",),
    "target.abi.isGnu() or target.abi.isMusl()": ("glibc", "musl"),
    "target.abi.isMusl()": ("musl",),
    "target.os.tag.isDarwin()": ("darwin",),
    "target.isFreeBSDLibC()": ("freebsd",),
    "target.isNetBSDLibC()": ("netbsd",),
    "target.isOpenBSDLibC()": ("openbsd",),
}


def _zig_lib_dir() -> Path:
    zig = toolchain.require("zig")
    done = subprocess.run(
        [str(zig.path), "env"], capture_output=True, text=True, check=True, cwd="/"
    )
    # `zig env` prints ZON (0.15+) or JSON (older): both have `lib_dir = "..."`/`"lib_dir": ...`.
    found = re.search(r'lib_dir"?\s*[=:]\s*"([^"]+)"', done.stdout)
    if found is None:
        raise SystemExit("zig env: no lib_dir")
    return Path(found.group(1))


def _headers(root: Path) -> list[str]:
    return sorted(
        p.relative_to(root).as_posix()
        for p in root.rglob("*")
        if p.is_file() and not p.name.startswith(".")
    )


def _target_dirs(goos: str, goarch: str, libc: str) -> tuple[str, list[str]] | None:
    """(zig target, header directories in search order) or None when zig has no libc there."""
    arch = ZIG_ARCH.get(goarch)
    if arch is None:
        return None
    if goos == "linux":
        gnu_abi, musl_abi = LINUX_ABI.get(arch, ("gnu", "musl"))
        if libc == "glibc":
            return f"{arch}-linux-{gnu_abi}", [
                f"{GLIBC_ARCH[arch]}-linux-gnu",
                "generic-glibc",
                f"{LINUX_OS_ARCH[arch]}-linux-any",
                "any-linux-any",
            ]
        return f"{arch}-linux-{musl_abi}", [
            f"{MUSL_ARCH[arch]}-linux-musl",
            "generic-musl",
            f"{LINUX_OS_ARCH[arch]}-linux-any",
            "any-linux-any",
        ]
    if goos == "darwin":
        # (ios: zig ships no libc for iOS, so it has no header data.)
        return f"{arch}-macos", ["any-darwin-any"]
    if goos == "windows":
        return f"{arch}-windows-gnu", [
            f"{arch}-windows-gnu",
            "generic-mingw",
            f"{arch}-windows-any",
            "any-windows-any",
        ]
    if goos in ("freebsd", "netbsd", "openbsd"):
        abi, dir_abi = BSD_ABI.get((goos, arch), ("none", "none"))
        return f"{arch}-{goos}-{abi}", [
            f"{arch}-{goos}-{dir_abi}",
            f"generic-{goos}",
            f"{arch}-{goos}-any",
            f"any-{goos}-any",
        ]
    return None


def _family(goos: str, libc: str) -> str:
    if goos == "linux":
        return libc
    return {"darwin": "darwin", "windows": "mingw"}.get(goos, goos)


def _libc_libs(lib_dir: Path) -> dict[str, list[str]]:
    text = (lib_dir / "std" / "zig" / "target.zig").read_text()
    body = re.search(r"pub fn isLibCLibName\(.*?\n\}\n", text, re.DOTALL)
    if body is None:
        raise SystemExit("std/zig/target.zig: isLibCLibName not found")
    libs: dict[str, set[str]] = {family: {"c"} for family in FAMILY_LABELS}
    current: tuple[str, ...] = ()
    depth = 0
    for line in body.group(0).splitlines()[1:]:
        stripped = line.strip()
        block = re.fullmatch(r"if \((.*)\) \{", stripped)
        if block and depth == 0:
            current = LIB_BLOCKS.get(block.group(1), ())
        for name in re.findall(r'eqlIgnoreCase\(ignore_case, name, "([^"]+)"\)', stripped):
            # Nested blocks (wasi under musl, macOS-only "mx") are narrower than the family.
            if depth == 1:
                for family in current:
                    libs[family].add(name)
        depth += stripped.count("{") - stripped.count("}")
        if depth == 0:
            current = ()
    mingw = lib_dir / "libc" / "mingw"
    for sub in ("lib-common", "lib64", "lib32", "libarm64"):
        for path in (mingw / sub).glob("*.def*"):
            libs["mingw"].add(path.name.split(".def")[0].lower())
    return {family: sorted(names) for family, names in sorted(libs.items())}


def generate() -> dict[str, object]:
    lib_dir = _zig_lib_dir()
    include = lib_dir / "libc" / "include"
    zig_version = toolchain.version("zig") or "unknown"
    targets: dict[str, dict[str, object]] = {}
    used_dirs: set[str] = set()
    for port in port_table().ports:
        libcs = ("glibc", "musl") if port.goos == "linux" else ("",)
        for libc in libcs:
            found = _target_dirs(port.goos, port.goarch, libc)
            if found is None:
                continue
            zig_target, dirs = found
            existing = [d for d in dirs if (include / d).is_dir()]
            # zig builds a libc only where the arch-specific (or darwin/windows any-) dir is
            # there; e.g. no powerpc64 (big-endian) glibc headers.
            if port.goos not in ("darwin", "windows") and dirs[0] not in existing:
                continue
            if not existing:
                continue
            key = port.name + (f"-{'gnu' if libc == 'glibc' else 'musl'}" if libc else "")
            targets[key] = {
                "family": _family(port.goos, libc),
                "zig_target": zig_target,
                "dirs": existing,
            }
            used_dirs.update(existing)
    return {
        "version": 1,
        "generated_from": f"zig {zig_version}",
        "families": {name: {"label": label} for name, label in sorted(FAMILY_LABELS.items())},
        "libc_libs": _libc_libs(lib_dir),
        "compiler_headers": _headers(lib_dir / "include"),
        "header_dirs": {d: _headers(include / d) for d in sorted(used_dirs)},
        "targets": dict(sorted(targets.items())),
    }


def dump(data: dict[str, object]) -> str:
    """Stable JSON with each list on one line: compact, and still diffs per directory."""

    def value(v: object, indent: int) -> str:
        pad = " " * indent
        if isinstance(v, dict):
            if not v:
                return "{}"
            items = [f"{pad} {json.dumps(k)}: {value(x, indent + 1)}" for k, x in v.items()]
            return "{\n" + ",\n".join(items) + f"\n{pad}}}"
        return json.dumps(v, separators=(",", ":"))

    return value(data, 0) + "\n"


def main() -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--check", action="store_true", help="fail if the checked-in copy differs")
    args = parser.parse_args()
    text = dump(generate())
    return write_or_check(OUT, text, check=args.check, script="gen_libc_headers.py")


if __name__ == "__main__":
    os.environ.setdefault("GOTOOLCHAIN", "local")
    raise SystemExit(main())
