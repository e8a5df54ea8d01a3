"""`zig cc` as Go's cross C compiler: the target table, and the wrapper Go runs as CC.

Go runs CC for cgo (preprocess, compile, probe flags) and, for external linking, the Go
linker runs it as the linker driver. `zig cc -target TRIPLE` is a cross clang with a libc for
every target zig lists, but a few flags Go passes break it; like cargo-zigbuild does for Rust,
a wrapper smooths them: darwin's `-lresolv` and `--print-prog-name dsymutil|strip`,
openbsd's `-Wl,-nopie` and `-Wl,--no-execute-only`, MIPS's `-mhard-float` and its DWARF
section types, mips64 musl's `-fno-PIC` (each found by building; the full story is in
`cgotrap.crossbuild.ccwrap`).

The wrapper program is `cgotrap/crossbuild/ccwrap.py` (the flag rules live there, stdlib only):
Go's CC is set to `<python> -S -I <path>/ccwrap.py <zig> <cc|c++> <triple>` (Go splits CC
into fields with shell-like quoting), and it replaces itself with
`zig cc -target <triple> <args>`. `python -m cgotrap.crossbuild.zigcc` runs the same program.
"""

from __future__ import annotations

import dataclasses
import functools
import sys
from pathlib import Path
from typing import Any

from cgotrap.crossbuild import ccwrap
from cgotrap.crossbuild.ccwrap import prog_name_reply, rewrite_args
from cgotrap.errors import DataError
from cgotrap.targets import Libc, Target, port_table

__all__ = ["ZigTable", "ZigTarget", "cc_command", "prog_name_reply", "rewrite_args"]


@dataclasses.dataclass(frozen=True, kw_only=True, slots=True)
class ZigTarget:
    """How (and whether) zig cross-compiles C for one port and libc."""

    goos: str
    """GOOS."""
    goarch: str
    """GOARCH."""
    libc: Libc | None
    """The Linux libc variant; None elsewhere."""
    triple: str | None
    """The `zig cc -target` triple without a glibc pin ("aarch64-linux-musl"); None if zig
    cannot provide a libc for this port."""
    why: str
    """Why `triple` is None ("zig ships no libc for x86_64-illumos-none"); "" otherwise."""


@dataclasses.dataclass(frozen=True, kw_only=True, slots=True)
class ZigTable:
    """The data file `data/zig_targets.json`, validated."""

    generated_from: str
    """Versions of zig and Go the file was generated from ("zig 0.17.1, go1.27.3")."""
    targets: tuple[ZigTarget, ...]
    """One entry per cgo-capable port (and per libc on Linux)."""
    qemu_user: dict[str, str]
    """GOARCH -> the qemu-user program that runs its Linux binaries ("arm64": "qemu-aarch64")."""
    default_glibc: str
    """The glibc a gnu triple without a version links against ("2.31" for zig 0.17.1)."""
    default_macos: str
    """The minimum macOS of a darwin triple without a version ("15.0" for zig 0.17.1)."""

    def lookup(self, goos: str, goarch: str, libc: Libc | None) -> ZigTarget | None:
        """The entry for a port (Linux: `libc`, default gnu), None if the port has no cgo."""
        if goos == "linux" and libc is None:
            libc = Libc.GNU
        if goos != "linux":
            libc = None
        for entry in self.targets:
            if (entry.goos, entry.goarch, entry.libc) == (goos, goarch, libc):
                return entry
        return None


def parse_zig_table(data: Any) -> ZigTable:
    """Decode zig_targets.json and check it against the ports (raises `DataError`)."""
    from cgotrap import data as data_files
    from cgotrap.data.records.zig import ZigTargetsFile

    doc = data_files.decode(data, ZigTargetsFile)
    if not doc.targets:
        raise DataError("zig_targets.json: 'targets' must be a non-empty list")
    ports = port_table()
    for entry in doc.targets:
        where = f"zig_targets.json: {entry.goos}/{entry.goarch}"
        if ports.get(entry.goos, entry.goarch) is None:
            raise DataError(f"{where} is not a Go port")
        if (entry.goos == "linux") != (entry.libc is not None):
            raise DataError(f"{where}: a libc is named exactly for linux, not {entry.libc!r}")
        if entry.triple is None and not entry.why:
            raise DataError(f"{where} has no triple and no reason")
    return ZigTable(
        generated_from=doc.generated_from,
        targets=tuple(
            ZigTarget(
                goos=e.goos,
                goarch=e.goarch,
                libc=e.libc,
                triple=e.triple,
                why=e.why if e.triple is None else "",
            )
            for e in doc.targets
        ),
        qemu_user=dict(doc.qemu_user),
        default_glibc=doc.defaults.glibc,
        default_macos=doc.defaults.macos,
    )


@functools.cache
def zig_table() -> ZigTable:
    """The bundled table (from `data/zig_targets.json`)."""
    from cgotrap import data

    return parse_zig_table(data.load("zig_targets.json"))


def triple_for(
    target: Target, glibc: str | None = None, macos_min: str | None = None
) -> tuple[str | None, str]:
    """(`zig cc -target` triple, "") for a cgo target, or (None, why zig cannot build it).

    A glibc pin comes from the target (`linux/amd64-gnu.2.17`) or, for glibc targets
    without one, from `glibc` (`--glibc 2.17`): "x86_64-linux-gnu.2.17". A darwin target
    gets `macos_min` as zig's OS version (`--macos-min 11.0`): "aarch64-macos.11.0", the
    minos of the binary's LC_BUILD_VERSION. Without a pin zig picks its defaults
    (`ZigTable.default_glibc`, `default_macos`).
    """
    entry = zig_table().lookup(target.goos, target.goarch, target.libc)
    if entry is None:
        return None, f"Go has no cgo on {target.port}"
    if entry.triple is None:
        return None, entry.why
    pin = target.glibc_version or glibc
    if entry.libc is Libc.GNU and pin:
        return f"{entry.triple}.{pin}", ""
    if target.goos == "darwin" and macos_min:
        return f"{entry.triple}.{macos_min}", ""
    return entry.triple, ""


def _quote(field: str) -> str:
    """Quote one field of Go's CC variable (cmd/internal/quoted: '...' or "...")."""
    if not any(ch in field for ch in " \t\n'\""):
        return field
    if "'" not in field:
        return f"'{field}'"
    if '"' not in field:
        return f'"{field}"'
    raise ValueError(f"cannot quote {field!r} for Go's CC: it holds both quote characters")


def cc_command(zig: str, triple: str, *, cxx: bool = False, python: str | None = None) -> str:
    """The CC (or CXX) value that runs the wrapper program (`ccwrap.py`) for `triple`.

    The wrapper runs as a file with `python -S -I`: no site packages, no cgotrap package
    import, stdlib `os`/`sys`/`shutil` only; Go runs it dozens of times per cgo package,
    and this start costs ~20 ms instead of ~120 ms for `python -m cgotrap.crossbuild.zigcc`.
    """
    script = str(Path(ccwrap.__file__).resolve())
    lang = "c++" if cxx else "cc"
    fields = [python or sys.executable, "-S", "-I", script, zig, lang, triple]
    return " ".join(_quote(f) for f in fields)


if __name__ == "__main__":
    raise SystemExit(ccwrap.main())
