"""Regenerate src/cgotrap/data/c_predefines.json: the C compiler's predefined macros per port.

Source of truth: the real compiler, `zig cc -target <triple> -dM -E -x c /dev/null` (clang's
predefines for that target), run for every cgo port of `ports.json` (and both libcs on
Linux). The GOOS/GOARCH -> zig triple bridge is `scripts/gen_zig_targets.py`'s tables; ports
zig ships no libc for (android, ios, illumos, dragonfly) are still preprocessed with their
bare triple (`aarch64-linux-android`): predefined macros need no libc headers. Ports zig
cannot target at all (aix, solaris) are listed under "missing" with zig's error.

Only macros that are platform facts are kept (OS, architecture, ABI, data model, byte order,
CPU features: `__linux__`, `_WIN32`, `__aarch64__`, `__LP64__`, `__BYTE_ORDER__`,
`__SIZEOF_POINTER__`, `__ARM_ARCH`). Left out, so that they evaluate as "unknown":
- compiler identity and version (`__clang__`, `__GNUC__`, `__VERSION__`, `__llvm__`): Go's
  CC may be gcc or clang;
- what depends on flags rather than the target (`__PIC__`, `__OPTIMIZE__`, `__SSP_STRONG__`,
  `__NO_INLINE__`), and zig's own additions (`__GLIBC_MINOR__`: with gcc it comes from
  features.h, not from the compiler);
- numeric limits and type names (`__INT_MAX__`, `__FLT_*`, `__UINT64_TYPE__`, atomics).
Macros identical on every target go under "common", the rest per target.

Usage: python scripts/gen_c_predefines.py [--check]
"""

from __future__ import annotations

import argparse
import importlib.util
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
OUT = ROOT / "src" / "cgotrap" / "data" / "c_predefines.json"
PORTS = ROOT / "src" / "cgotrap" / "data" / "ports.json"


def _bridge() -> object:
    """`scripts/gen_zig_targets.py` as a module (its GOOS/GOARCH -> zig tables)."""
    path = ROOT / "scripts" / "gen_zig_targets.py"
    spec = importlib.util.spec_from_file_location("gen_zig_targets", path)
    if spec is None or spec.loader is None:
        raise SystemExit(f"cannot load {path}")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


_DROP = re.compile(
    r"""^(?:
    __clang.*|__GNUC.*|__GCC.*|__GXX.*|__VERSION__|__llvm__|__zig.*|__APPLE_CC__
    |__STDC.*|__OBJC.*|__OPENCL.*|__MEMORY_SCOPE.*|__CLANG.*|__BITINT.*|__FPCLASS.*
    |__PIC__|__pic__|__PIE__|__pie__|__OPTIMIZE.*|__NO_INLINE__|__SSP.*|__FINITE_MATH_ONLY__
    |__NO_MATH_INLINES|__GLIBC.*|__USER_LABEL_PREFIX__|__REGISTER_PREFIX__
    |__(?:U?INT|FLT|DBL|LDBL|FLT16|BF16|PTRDIFF|SIZE|WCHAR|WINT|SIG_ATOMIC|INTMAX|UINTMAX
        |INTPTR|UINTPTR|CHAR|SCHAR|SHRT|LONG|LLONG|BOOL|DECIMAL|BIGGEST|ATOMIC|POINTER)[_0-9].*
    )$""",
    re.VERBOSE,
)
"""Names left out (see the module docstring); `__SIZEOF_*` stays. So do macros whose body is a
compiler builtin or attribute (ppc64's `__fence` -> `__builtin_ppc_fence`, mingw's `__cdecl`):
no `#if` tests them."""

_DEFINE = re.compile(r"#define ([A-Za-z_][A-Za-z0-9_]*)(?: (.*))?$")


def predefines(zig: Path, triple: str) -> tuple[dict[str, str] | None, str]:
    """The kept predefined macros of `triple` (name -> body), or None and zig's error."""
    run = subprocess.run(
        [str(zig), "cc", "-target", triple, "-dM", "-E", "-x", "c", "/dev/null"],
        capture_output=True,
        text=True,
        check=False,
    )
    if run.returncode != 0:
        return None, run.stderr.strip().splitlines()[0] if run.stderr.strip() else "failed"
    out: dict[str, str] = {}
    for line in run.stdout.splitlines():
        match = _DEFINE.match(line)
        if match is None or _DROP.match(match.group(1)):
            continue
        if "__builtin" in (match.group(2) or "") or "__attribute__" in (match.group(2) or ""):
            continue
        out[match.group(1)] = match.group(2) or ""
    return out, ""


def _triple(bridge: object, goos: str, goarch: str, libc: str | None) -> str | None:
    arch = getattr(bridge, "ARCH").get(goarch)  # noqa: B009 - a module loaded at run time
    zig_os = getattr(bridge, "OS").get(goos)  # noqa: B009 - likewise
    if arch is None or zig_os is None:
        return None
    if goos == "android":
        return f"{arch}-linux-android" + ("eabi" if goarch == "arm" else "")
    if goos == "linux":
        abi = getattr(bridge, "LINUX_ABI").get(goarch, {}).get(libc or "gnu", libc or "gnu")  # noqa: B009
        return f"{arch}-linux-{abi}"
    if goos == "windows":
        return f"{arch}-windows-gnu"
    bsd_arm: dict[str, str] = getattr(bridge, "BSD_ARM_ABI")  # noqa: B009 - likewise
    if goarch == "arm" and goos in bsd_arm:
        return f"{arch}-{zig_os}-{bsd_arm[goos]}"
    return f"{arch}-{zig_os}"


def generate() -> dict[str, object]:
    """The data file's content, from ports.json and the installed zig."""
    zig = toolchain.require("zig").path
    bridge = _bridge()
    ports = json.loads(PORTS.read_text(encoding="utf-8"))
    found: dict[str, tuple[str, dict[str, str]]] = {}
    missing: dict[str, str] = {}
    for port in ports["ports"]:
        if not port["CgoSupported"]:
            continue
        goos, goarch = port["GOOS"], port["GOARCH"]
        for libc in ("gnu", "musl") if goos == "linux" else (None,):
            key = f"{goos}/{goarch}" + (f"-{libc}" if libc else "")
            triple = _triple(bridge, goos, goarch, libc)
            if triple is None:
                missing[key] = f"no zig target for {goos}/{goarch}"
                continue
            macros, error = predefines(zig, triple)
            if macros is None:
                missing[key] = f"zig cc -target {triple}: {error}"
                continue
            found[key] = (triple, macros)
    tables = [m for _, m in found.values()]
    common = {
        name: value
        for name, value in sorted(tables[0].items())
        if all(t.get(name) == value for t in tables[1:])
    }
    return {
        "version": 1,
        "generated_from": f"zig {toolchain.version('zig') or 'unknown'}, {ports['generated_from']}",
        "note": "android: zig ships no bionic libc, but preprocesses for it (predefines only)",
        "common": common,
        "targets": {
            key: {
                "zig_target": triple,
                "macros": {n: v for n, v in sorted(macros.items()) if n not in common},
            }
            for key, (triple, macros) in sorted(found.items())
        },
        "missing": dict(sorted(missing.items())),
    }


def main() -> int:
    """Write (or with --check, compare) the data file."""
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--check", action="store_true", help="exit 1 if the file is stale")
    args = parser.parse_args()
    text = json.dumps(generate(), indent=1) + "\n"
    return write_or_check(OUT, text, check=args.check, script="gen_c_predefines.py")


if __name__ == "__main__":
    raise SystemExit(main())
