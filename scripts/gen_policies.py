#!/usr/bin/env python3
"""Regenerate `src/cgotrap/data/policies/{policies,run_targets}.json`.

What is generated and what is curated, honestly:

- `policies.json` is generated from the tables below: the glibc ladder (`glibc<=2.17`,
  `glibc<=2.28`, ...) pairs each glibc version with the manylinux library allow-list of
  auditwheel (`src/auditwheel/policy/manylinux-policy.json`, `lib_whitelist`), copied here;
  the policies `static` and `musl` are defined by their rule, not by data. Only the GLIBC_
  symbol version is capped: the C++ runtime versions (GLIBCXX_, CXXABI_) depend on which
  libstdc++ a system installs, which these policies do not model.
- `run_targets.json` is CURATED BY HAND in `RUN_TARGETS` below, every figure with its
  `source`: the C library and its version each distribution release ships, macOS versions
  with their Darwin numbers, the architectures each image/release is built for. No machine
  reachable from here can list them, so a person checks the sources when a release comes
  out, edits the table and reruns this script; the loader (`cgotrap.judge.policy`) validates
  the files on load.

Usage: `.venv/bin/python scripts/gen_policies.py` (writes the files) or `--check` (exit 1 if
the checked-in files differ from what the tables give).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))  # scripts/datafile.py

from datafile import write_or_check

OUT = Path(__file__).resolve().parent.parent / "src" / "cgotrap" / "data" / "policies"
FORMAT_VERSION = 1

# auditwheel manylinux-policy.json "lib_whitelist" (manylinux_2_12 and later): the libraries
# every manylinux-compatible distribution is assumed to have.
MANYLINUX_LIBRARIES = (
    "libatomic.so.1",
    "libgcc_s.so.1",
    "libstdc++.so.6",
    "libm.so.6",
    "libanl.so.1",
    "libdl.so.2",
    "librt.so.1",
    "libc.so.6",
    "libnsl.so.1",
    "libutil.so.1",
    "libpthread.so.0",
    "libX11.so.6",
    "libXext.so.6",
    "libXrender.so.1",
    "libICE.so.6",
    "libSM.so.6",
    "libGL.so.1",
    "libgobject-2.0.so.0",
    "libgthread-2.0.so.0",
    "libglib-2.0.so.0",
    "libresolv.so.2",
    "libexpat.so.1",
    "libz.so.1",
)
# The glibc ladder: (version, what has it), the manylinux_2_X tags auditwheel defines plus
# the glibc of current LTS distributions.
GLIBC_LADDER = (
    ("2.17", "manylinux2014: CentOS/RHEL 7"),
    ("2.24", "manylinux_2_24: Debian 9"),
    ("2.28", "manylinux_2_28: RHEL 8, Debian 10"),
    ("2.31", "manylinux_2_31: Debian 11, Ubuntu 20.04"),
    ("2.34", "manylinux_2_34: RHEL 9, Amazon Linux 2023"),
    ("2.35", "manylinux_2_35: Ubuntu 22.04"),
    ("2.36", "Debian 12"),
    ("2.39", "manylinux_2_39: Ubuntu 24.04"),
)
# The libc.so names a musl-linked binary may need (musl's one library, and its loader).
MUSL_LIBRARIES = ("libc.so", "libc.musl-x86_64.so.1", "libc.musl-aarch64.so.1")

_LINUX_ALL = ("386", "amd64", "arm", "arm64", "ppc64le", "riscv64", "s390x")
_GLIBC_LOADERS = (
    "/lib64/ld-linux-x86-64.so.2",
    "/lib/ld-linux-aarch64.so.1",
    "/lib/ld-linux-armhf.so.3",
    "/lib/ld-linux.so.2",
    "/lib64/ld64.so.2",
    "/lib/ld64.so.1",
    "/lib/ld-linux-riscv64-lp64d.so.1",
)
_MUSL_LOADERS = tuple(
    f"/lib/ld-musl-{a}.so.1"
    for a in ("x86_64", "aarch64", "armhf", "i386", "riscv64", "s390x", "powerpc64le")
)
_WINDOWS_DLLS = (
    "kernel32.dll",
    "ntdll.dll",
    "advapi32.dll",
    "bcrypt.dll",
    "comctl32.dll",
    "comdlg32.dll",
    "crypt32.dll",
    "dbghelp.dll",
    "dnsapi.dll",
    "gdi32.dll",
    "iphlpapi.dll",
    "mswsock.dll",
    "msvcrt.dll",
    "netapi32.dll",
    "ole32.dll",
    "oleaut32.dll",
    "powrprof.dll",
    "psapi.dll",
    "secur32.dll",
    "setupapi.dll",
    "shell32.dll",
    "shlwapi.dll",
    "ucrtbase.dll",
    "user32.dll",
    "userenv.dll",
    "version.dll",
    "winmm.dll",
    "ws2_32.dll",
    "wtsapi32.dll",
    "api-ms-win-*",
)
_DARWIN_DYLIBS = ("/usr/lib/*", "/System/Library/*")


def _linux(
    name: str,
    libc: str,
    version: str,
    source: str,
    *,
    arches: tuple[str, ...],
    libraries: tuple[str, ...] = (),
) -> dict[str, Any]:
    loaders = {"glibc": _GLIBC_LOADERS, "musl": _MUSL_LOADERS, "none": ()}[libc]
    return {
        "name": name,
        "os": "linux",
        "arches": list(arches),
        "libc": libc,
        "libc_version": version,
        "os_version": "",
        "loaders": list(loaders),
        "libraries": list(libraries),
        "source": source,
    }


_GLIBC_BASE = MANYLINUX_LIBRARIES
_DEBIAN_ARCHES = ("386", "amd64", "arm", "arm64", "ppc64le", "s390x")

# CURATED: each figure with where it comes from.
RUN_TARGETS: tuple[dict[str, Any], ...] = (
    _linux(
        "alpine",
        "musl",
        "1.2.5",
        "Alpine 3.20-3.22 ship musl 1.2.5 (pkgs.alpinelinux.org, package musl)",
        arches=_LINUX_ALL,
        libraries=MUSL_LIBRARIES,
    ),
    _linux(
        "scratch",
        "none",
        "",
        "Docker's empty image: no files at all (docs.docker.com, 'FROM scratch')",
        arches=_LINUX_ALL,
    ),
    _linux(
        "distroless-static",
        "none",
        "",
        "gcr.io/distroless/static-debian12: ca-certificates, tzdata, /etc/passwd, no libc "
        "(GoogleContainerTools/distroless base/README.md)",
        arches=("amd64", "arm", "arm64", "ppc64le", "s390x"),
    ),
    _linux(
        "distroless-base",
        "glibc",
        "2.36",
        "gcr.io/distroless/base-debian12: Debian 12 libc6 2.36 and libssl3 "
        "(GoogleContainerTools/distroless base/README.md)",
        arches=("amd64", "arm", "arm64", "ppc64le", "s390x"),
        libraries=(
            "libc.so.6",
            "libm.so.6",
            "libdl.so.2",
            "libpthread.so.0",
            "librt.so.1",
            "libresolv.so.2",
            "libutil.so.1",
            "libanl.so.1",
            "libssl.so.3",
            "libcrypto.so.3",
        ),
    ),
    _linux(
        "debian-11",
        "glibc",
        "2.31",
        "Debian 11 bullseye libc6 2.31-13 (packages.debian.org/bullseye/libc6)",
        arches=_DEBIAN_ARCHES,
        libraries=_GLIBC_BASE,
    ),
    _linux(
        "debian-12",
        "glibc",
        "2.36",
        "Debian 12 bookworm libc6 2.36-9 (packages.debian.org/bookworm/libc6)",
        arches=_DEBIAN_ARCHES,
        libraries=_GLIBC_BASE,
    ),
    _linux(
        "ubuntu-20.04",
        "glibc",
        "2.31",
        "Ubuntu 20.04 focal libc6 2.31-0ubuntu9 (packages.ubuntu.com/focal/libc6)",
        arches=("amd64", "arm", "arm64", "ppc64le", "riscv64", "s390x"),
        libraries=_GLIBC_BASE,
    ),
    _linux(
        "ubuntu-22.04",
        "glibc",
        "2.35",
        "Ubuntu 22.04 jammy libc6 2.35-0ubuntu3 (packages.ubuntu.com/jammy/libc6)",
        arches=("amd64", "arm", "arm64", "ppc64le", "riscv64", "s390x"),
        libraries=_GLIBC_BASE,
    ),
    _linux(
        "ubuntu-24.04",
        "glibc",
        "2.39",
        "Ubuntu 24.04 noble libc6 2.39-0ubuntu8 (packages.ubuntu.com/noble/libc6)",
        arches=("amd64", "arm", "arm64", "ppc64le", "riscv64", "s390x"),
        libraries=_GLIBC_BASE,
    ),
    _linux(
        "rhel-7",
        "glibc",
        "2.17",
        "RHEL/CentOS 7 glibc-2.17 (Red Hat Enterprise Linux 7 package manifest; manylinux2014)",
        arches=("amd64", "ppc64le", "s390x"),
        libraries=_GLIBC_BASE,
    ),
    _linux(
        "rhel-8",
        "glibc",
        "2.28",
        "RHEL 8 glibc-2.28 (RHEL 8 package manifest; manylinux_2_28 images are AlmaLinux 8)",
        arches=("amd64", "arm64", "ppc64le", "s390x"),
        libraries=_GLIBC_BASE,
    ),
    _linux(
        "rhel-9",
        "glibc",
        "2.34",
        "RHEL 9 glibc-2.34 (RHEL 9 package manifest; manylinux_2_34 images are AlmaLinux 9)",
        arches=("amd64", "arm64", "ppc64le", "s390x"),
        libraries=_GLIBC_BASE,
    ),
    _linux(
        "amazonlinux-2",
        "glibc",
        "2.26",
        "Amazon Linux 2 glibc-2.26 (Amazon Linux 2 package list)",
        arches=("amd64", "arm64"),
        libraries=_GLIBC_BASE,
    ),
    _linux(
        "amazonlinux-2023",
        "glibc",
        "2.34",
        "Amazon Linux 2023 glibc-2.34 (docs.aws.amazon.com/linux/al2023 package list)",
        arches=("amd64", "arm64"),
        libraries=_GLIBC_BASE,
    ),
    *(
        {
            "name": f"macos-{major}",
            "os": "darwin",
            "arches": ["amd64", "arm64"],
            "libc": "darwin",
            "libc_version": "",
            "os_version": f"{major}.0",
            "loaders": ["/usr/lib/dyld"],
            "libraries": list(_DARWIN_DYLIBS),
            "source": f"macOS {major} {codename} is Darwin {darwin} (Apple's release notes; "
            "uname -r)",
        }
        for major, codename, darwin in (
            (11, "Big Sur", 20),
            (12, "Monterey", 21),
            (13, "Ventura", 22),
            (14, "Sonoma", 23),
            (15, "Sequoia", 24),
        )
    ),
    {
        "name": "windows",
        "os": "windows",
        "arches": ["386", "amd64", "arm64"],
        "libc": "windows",
        "libc_version": "",
        "os_version": "10",
        "loaders": [],
        "libraries": list(_WINDOWS_DLLS),
        "source": "Windows 10 / Server 2016 and later (Go 1.21+ requires them, go.dev/wiki/"
        "MinimumRequirements); DLLs that ship with every Windows install, UCRT included",
    },
)


def policies() -> dict[str, Any]:
    """The generated policies document."""
    entries: list[dict[str, Any]] = [
        {
            "name": "static",
            "kind": "static",
            "glibc_max": "",
            "libraries": [],
            "description": "no dynamic loader and no needed libraries (Linux ELF)",
            "source": "definition",
        }
    ]
    entries.extend(
        {
            "name": f"glibc<={version}",
            "kind": "glibc",
            "glibc_max": version,
            "libraries": list(MANYLINUX_LIBRARIES),
            "description": f"glibc {version} or newer ({what}): highest GLIBC_ symbol version "
            f"<= {version}, needed libraries from the manylinux allow-list",
            "source": "auditwheel manylinux-policy.json lib_whitelist; glibc ladder table",
        }
        for version, what in GLIBC_LADDER
    )
    entries.append(
        {
            "name": "musl",
            "kind": "musl",
            "glibc_max": "",
            "libraries": list(MUSL_LIBRARIES),
            "description": "static, or linked against musl (musl loader, no GLIBC_ versions)",
            "source": "definition",
        }
    )
    return {
        "version": FORMAT_VERSION,
        "generated_by": "scripts/gen_policies.py",
        "policies": entries,
    }


def run_targets() -> dict[str, Any]:
    """The curated run-targets document."""
    return {
        "version": FORMAT_VERSION,
        "generated_by": "scripts/gen_policies.py (curated table RUN_TARGETS)",
        "run_targets": list(RUN_TARGETS),
    }


def main() -> int:
    """Write (or `--check`) the two data files."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="exit 1 if the files are stale")
    args = parser.parse_args()
    stale = 0
    for name, document in (("policies.json", policies()), ("run_targets.json", run_targets())):
        text = json.dumps(document, indent=2) + "\n"
        stale |= write_or_check(OUT / name, text, check=args.check, script="gen_policies.py")
    return stale


if __name__ == "__main__":
    sys.exit(main())
