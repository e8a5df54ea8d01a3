"""Regenerate src/cgotrap/data/zig_targets.json: the `zig cc -target` triple of every cgo port.

Sources of truth, never hand-typed:
- `src/cgotrap/data/ports.json` (from `go tool dist list -json`): the ports with CgoSupported;
- `zig targets`: its `.libc` list names every target zig can provide a libc for
  ("aarch64-linux-gnu", "x86_64-macos-none", "arm-linux-musleabihf", ...).

What *is* hand-written here is the naming bridge between Go and zig (GOARCH amd64 is zig's
x86_64, GOOS darwin is zig's macos, Go's linux/arm is hard-float so its ABI is gnueabihf):
small tables below. A port whose bridged triple is not in zig's libc list gets `"triple":
null` and a reason, so `cgotrap matrix` can say why cgo cannot be cross-built there.

The Go-arch to qemu-user program table goes into the same file: which `qemu-*` runs a
foreign Linux test binary.

Usage: python scripts/gen_zig_targets.py [--check]
  --check  compare with the checked-in file and exit 1 if it differs (zig or Go changed)
"""

from __future__ import annotations

import argparse
import json
import re
import subprocess
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))
sys.path.insert(0, str(Path(__file__).resolve().parent))  # scripts/datafile.py

from datafile import write_or_check

from cgotrap import toolchain

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "src" / "cgotrap" / "data" / "zig_targets.json"
PORTS = ROOT / "src" / "cgotrap" / "data" / "ports.json"

# GOARCH -> zig CPU architecture.
ARCH = {
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

# GOOS -> zig OS.
OS = {
    "linux": "linux",
    "windows": "windows",
    "darwin": "macos",
    "ios": "ios",
    "freebsd": "freebsd",
    "netbsd": "netbsd",
    "openbsd": "openbsd",
    "dragonfly": "dragonfly",
    "illumos": "illumos",
    "solaris": "solaris",
    "android": "linux",
    "aix": "aix",
}

# GOARCH -> the ABI suffix Go's default floating-point mode means on Linux, per libc.
# (Go's GOARM defaults to 7 with hardware float; GOMIPS to hardfloat; mips64 is n64.)
LINUX_ABI = {
    "arm": {"gnu": "gnueabihf", "musl": "musleabihf"},
    "mips": {"gnu": "gnueabihf", "musl": "musleabihf"},
    "mipsle": {"gnu": "gnueabihf", "musl": "musleabihf"},
    "mips64": {"gnu": "gnuabi64", "musl": "muslabi64"},
    "mips64le": {"gnu": "gnuabi64", "musl": "muslabi64"},
}

# GOOS/GOARCH -> ABI for BSD ARM ports (zig lists them as eabi/eabihf).
BSD_ARM_ABI = {"freebsd": "eabihf", "netbsd": "eabihf", "openbsd": "eabi"}

# GOARCH -> the Debian qemu-user program that runs its Linux binaries.
QEMU = {
    "386": "qemu-i386",
    "amd64": "qemu-x86_64",
    "arm": "qemu-arm",
    "arm64": "qemu-aarch64",
    "loong64": "qemu-loongarch64",
    "mips": "qemu-mips",
    "mipsle": "qemu-mipsel",
    "mips64": "qemu-mips64",
    "mips64le": "qemu-mips64el",
    "ppc64": "qemu-ppc64",
    "ppc64le": "qemu-ppc64le",
    "riscv64": "qemu-riscv64",
    "s390x": "qemu-s390x",
}


def zig_libc_triples() -> tuple[str, set[str]]:
    """(zig version, the `.libc` list of `zig targets`), parsed from its ZON output."""
    zig = toolchain.require("zig")
    out = subprocess.run(
        [str(zig.path), "targets"], capture_output=True, text=True, check=True
    ).stdout
    block = re.search(r"\.libc = \.\{(.*?)\}", out, re.DOTALL)
    if block is None:
        raise SystemExit("zig targets: no .libc list in its output")
    triples = set(re.findall(r'"([^"]+)"', block.group(1)))
    version = toolchain.version("zig") or "unknown"
    return version, triples


def _entry(goos: str, goarch: str, libc: str | None, known: set[str]) -> dict[str, str | None]:
    entry: dict[str, str | None] = {"GOOS": goos, "GOARCH": goarch, "libc": libc}
    arch = ARCH.get(goarch)
    zig_os = OS.get(goos)
    if arch is None or zig_os is None:
        entry["triple"] = None
        entry["why"] = f"zig has no {goos}/{goarch} target"
        return entry
    if goos == "android":
        entry["triple"] = None
        entry["why"] = "zig ships no Android (bionic) libc; use the Android NDK's clang as CC"
        return entry
    if goos == "linux":
        libc = libc or "gnu"
        abi = LINUX_ABI.get(goarch, {}).get(libc, libc)
    elif goos == "windows":
        abi = "gnu"
    elif goarch == "arm" and goos in BSD_ARM_ABI:
        abi = BSD_ARM_ABI[goos]
    else:
        abi = "none"
    libc_triple = f"{arch}-{zig_os}-{abi}"
    if libc_triple not in known:
        entry["triple"] = None
        entry["why"] = f"zig ships no libc for {libc_triple}"
        return entry
    # zig spells "no ABI" by leaving it out: x86_64-macos, aarch64-freebsd.
    entry["triple"] = libc_triple.removesuffix("-none")
    return entry


def _probe(zig: str, triple: str, header: str, macro: str) -> int:
    """The value of `macro` after `#include <header>` when zig preprocesses for `triple`."""
    source = f"#include <{header}>\ncgotrap_probe {macro}\n"
    out = subprocess.run(
        [zig, "cc", "-target", triple, "-E", "-x", "c", "-"],
        input=source,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    for line in out.splitlines():
        if line.startswith("cgotrap_probe "):
            return int(line.split()[1])
    raise SystemExit(f"zig cc -target {triple} -E: no value for {macro}")


def zig_defaults() -> dict[str, str]:
    """The glibc and minimum macOS zig builds for when the triple names no version: what a
    gnu target links against without --glibc, and a darwin binary's LC_BUILD_VERSION minos
    without --macos-min (zig 0.17.1: glibc 2.31, macOS 15.0)."""
    zig = str(toolchain.require("zig").path)
    minor = _probe(zig, "x86_64-linux-gnu", "features.h", "__GLIBC_MINOR__")
    # 150000 -> "15.0" (MAC_OS_X_VERSION_MIN_REQUIRED is MMmmpp from macOS 10.10 on).
    mac = _probe(zig, "aarch64-macos", "AvailabilityMacros.h", "MAC_OS_X_VERSION_MIN_REQUIRED")
    return {"glibc": f"2.{minor}", "macos": f"{mac // 10000}.{mac // 100 % 100}"}


def generate() -> dict[str, object]:
    """The data file's content, from ports.json and the installed zig."""
    version, known = zig_libc_triples()
    ports = json.loads(PORTS.read_text(encoding="utf-8"))
    entries: list[dict[str, str | None]] = []
    for port in ports["ports"]:
        if not port["CgoSupported"]:
            continue
        goos, goarch = port["GOOS"], port["GOARCH"]
        libcs = ("gnu", "musl") if goos == "linux" else (None,)
        entries.extend(_entry(goos, goarch, libc, known) for libc in libcs)
    return {
        "version": 1,
        "generated_from": f"zig {version}, {ports['generated_from']}",
        "defaults": zig_defaults(),
        "targets": entries,
        "qemu_user": QEMU,
    }


def main() -> int:
    """Write (or with --check, compare) the data file."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="exit 1 if the file is stale")
    args = parser.parse_args()
    text = json.dumps(generate(), indent=2) + "\n"
    return write_or_check(OUT, text, check=args.check, script="gen_zig_targets.py")


if __name__ == "__main__":
    raise SystemExit(main())
