"""This machine as Go sees it: GOHOSTOS, GOHOSTARCH, and the target `go` would use here.

One table for every command (`list` without `--targets`, `matrix` deciding what runs
natively), ported from Go's own decision rather than typed from memory.
"""

from __future__ import annotations

import os
import platform
import shutil
import sys
from collections.abc import Mapping

from cgotrap.errors import UsageError
from cgotrap.targets import Target, port_table

# sys.platform prefix -> GOOS (Python appends a version to some: "freebsd14", "sunos5").
_PLATFORM_GOOS = (
    ("linux", "linux"),
    ("darwin", "darwin"),
    ("win32", "windows"),
    ("cygwin", "windows"),
    ("freebsd", "freebsd"),
    ("openbsd", "openbsd"),
    ("netbsd", "netbsd"),
    ("dragonfly", "dragonfly"),
    ("sunos", "solaris"),
    ("aix", "aix"),
)


def host_goos(system: str | None = None) -> str:
    """GOHOSTOS of this machine ("linux"), from `sys.platform` (or `system`)."""
    name = sys.platform if system is None else system
    for prefix, goos in _PLATFORM_GOOS:
        if name.startswith(prefix):
            return goos
    return name.rstrip("0123456789")


def goarch_of_machine(machine: str, *, goos: str = "linux", little_endian: bool = True) -> str:
    """The GOHOSTARCH Go's build would choose on a machine whose `uname -m` is `machine`.

    # cmd/dist/main.go: main, the "Default Unix system" switch over `uname -m` (go1.27.3)
    Left out: the probes that run more commands (`uname -a` for RELEASE_ARM64 on a macOS
    under Rosetta, `uname -p` on NetBSD/FreeBSD/OpenBSD), `isainfo` on Solaris and $objtype
    on Plan 9; the ELF endianness test of mips is `little_endian` (this interpreter's byte
    order). An unknown machine name is returned lower-cased (Go stops with "unknown
    architecture").
    """
    if goos == "aix":  # uname -m does not work there: Go says ppc64
        return "ppc64"
    out = machine.lower()
    if "x86_64" in out or "amd64" in out:
        return "amd64"
    if "86" in out:
        return "amd64" if goos == "darwin" else "386"
    if "aarch64" in out or "arm64" in out:
        return "arm64"
    if "arm" in out:
        return "arm"
    if "ppc64le" in out:
        return "ppc64le"
    if "ppc64" in out:
        return "ppc64"
    if "mips64" in out:
        return "mips64le" if little_endian else "mips64"
    if "mips" in out:
        return "mipsle" if little_endian else "mips"
    if "loongarch64" in out:
        return "loong64"
    if "riscv64" in out:
        return "riscv64"
    if "s390x" in out:
        return "s390x"
    if goos == "openbsd" and "powerpc64" in out:
        return "ppc64"
    return out


def host_goarch() -> str:
    """GOHOSTARCH of this machine ("amd64")."""
    return goarch_of_machine(
        platform.machine(), goos=host_goos(), little_endian=sys.byteorder == "little"
    )


def env_target(env: Mapping[str, str] | None = None) -> Target:
    """The one target go would use in this environment (GOOS, GOARCH, CGO_ENABLED).

    GOOS/GOARCH default to this machine; CGO_ENABLED to go's rule (cmd/go/internal/cfg:
    on for a native build when the C compiler, $CC or gcc/clang, is on PATH; off when
    cross-compiling). `env`: the go environment (default os.environ; `cgotrap list` passes
    `discover.goenv.go_environment`, which adds the `go env -w` file).
    """
    env = os.environ if env is None else env
    host_os, host_arch = host_goos(), host_goarch()
    goos = env.get("GOOS") or host_os
    goarch = env.get("GOARCH") or host_arch
    port = port_table().get(goos, goarch)
    if port is None:
        raise UsageError(f"unsupported GOOS/GOARCH pair {goos}/{goarch}")
    value = env.get("CGO_ENABLED", "")
    if value in ("0", "1"):
        cgo = value == "1"
    elif (goos, goarch) == (host_os, host_arch) and port.cgo_supported:
        default_cc = "clang" if goos in ("darwin", "ios", "freebsd", "openbsd") else "gcc"
        cc = env.get("CC") or default_cc
        cgo = bool(env.get("CC")) or shutil.which(cc) is not None
    else:
        cgo = False
    return Target(goos=goos, goarch=goarch, cgo=cgo)
