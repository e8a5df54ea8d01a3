"""The program Go runs as CC for a zig cross-build: fix the arguments, then exec `zig cc`.

    python -S -I ccwrap.py ZIG cc|c++ TRIPLE ARGS...

Only the standard library's `os` and `sys` (`shutil` on a rare path): it starts in ~30 ms
under `python -S -I` (`python -m cgotrap...` took ~120 ms), and Go runs it for every C
compile, flag probe and link. The rules, each found by cross-building every cgo port:

- macOS: drop `-lresolv` (zig ships no libresolv stub; runtime/cgo needs no symbol of it);
- macOS: answer `--print-prog-name dsymutil|strip` (the Go linker runs what it gets to
  merge DWARF) with `true`: no Apple tools on Linux, and the linker skips merging when
  dsymutil made no file;
- OpenBSD: the Go linker's `-Wl,-nopie` ("unsupported linker arg: -nopie") becomes the
  driver flag `-fno-PIE`, and openbsd/arm64's `-Wl,--no-execute-only` is dropped (upstream
  lld is not execute-only by default; zig rejects the flag);
- MIPS: go's `-mhard-float` (GOMIPS=hardfloat) is dropped: zig knows no "hard-float" CPU
  feature, and the hard-float ABI is already in the triple (mips-linux-gnueabihf);
- MIPS: the final link gets `-Wl,--strip-debug`: lld refuses to mix clang's
  SHT_MIPS_DWARF debug sections with Go's SHT_PROGBITS ones ("section type mismatch for
  .debug_line"); the compiles keep `-g`, since cgo reads DWARF from its probe objects;
- mips64 musl: `-fPIC` is added: zig's static-musl `-fno-PIC` is "ignored" on the N64 ABI
  with a warning that runtime/cgo's `-Werror` turns into an error.
"""

from __future__ import annotations

import os
import sys

TYPE_CHECKING = False  # not typing's: importing typing would cost ~20 ms of start-up
if TYPE_CHECKING:  # names for annotations only: nothing more is imported at run time
    from collections.abc import Sequence
    from typing import NoReturn

# Tools the Go linker looks up with `CC --print-prog-name NAME` on darwin (cmd/link
# findExtLinkTool): Apple's, absent on Linux, and only needed to merge DWARF.
_APPLE_ONLY_TOOLS = frozenset({"dsymutil", "strip"})


def _os_of(triple: str) -> str:
    """The OS of a zig triple, without its version: "aarch64-macos.11.0" -> "macos"."""
    return triple.split("-")[1].split(".", maxsplit=1)[0] if "-" in triple else ""


def prog_name_reply(args: Sequence[str]) -> str | None:
    """What to print for `--print-prog-name NAME` (or `=NAME`) of an Apple-only tool."""
    for i, arg in enumerate(args):
        name = None
        if arg == "--print-prog-name" and i + 1 < len(args):
            name = args[i + 1]
        elif arg.startswith("--print-prog-name="):
            name = arg.partition("=")[2]
        if name in _APPLE_ONLY_TOOLS:
            import shutil  # rare path; shutil costs ~20 ms of start-up

            return shutil.which("true") or "true"
    return None


def rewrite_args(args: Sequence[str], triple: str) -> list[str]:
    """The compiler/linker arguments Go passed, minus the ones zig rejects for `triple`."""
    target_os = _os_of(triple)
    out: list[str] = []
    for arg in args:
        if target_os == "macos" and arg == "-lresolv":
            continue  # zig ships no libresolv.tbd for macOS; runtime/cgo needs no symbol of it
        if target_os == "openbsd" and arg == "-Wl,-nopie":
            # zig: "unsupported linker arg: -nopie"; dropped, lld links a PIE and fails on
            # Go's absolute relocations ("R_X86_64_64 cannot be used ... recompile with
            # -fPIC"). The driver flag that means the same, and zig takes, is -fno-PIE.
            out.append("-fno-PIE")
            continue
        if target_os == "openbsd" and arg == "-Wl,--no-execute-only":
            # openbsd/arm64 (Go issue #59615): "unsupported linker arg: --no-execute-only".
            # Upstream lld, unlike OpenBSD's, is not execute-only by default: nothing to undo.
            continue
        if triple.startswith("mips") and arg == "-mhard-float":
            # Go's GOMIPS=hardfloat flag; zig: 'target architecture mips has no LLVM CPU
            # feature named "hard-float"'. The eabihf / abi64 triple already means it.
            continue
        out.append(arg)
    if triple.startswith("mips64") and "-musl" in triple:
        # zig builds static musl code with -fno-PIC, which clang ignores on N64 ("ignoring
        # '-fno-PIC' option ... N64 ABI"), an error under runtime/cgo's -Werror. N64 with
        # abicalls is PIC anyway: say so.
        out.append("-fPIC")
    if triple.startswith("mips") and _is_link(args):
        # lld: "section type mismatch for .debug_line" (clang's SHT_MIPS_DWARF C objects vs
        # Go's SHT_PROGBITS DWARF in go.o): the final link drops the debug sections. (The
        # compiles keep -g: cgo reads the DWARF of its probe objects.)
        out.append("-Wl,--strip-debug")
    return out


def _is_link(args: Sequence[str]) -> bool:
    """True when the driver is asked to link (no -c/-E/-S; Go's links end in -o FILE)."""
    return "-o" in args and not any(a in ("-c", "-E", "-S", "-M", "-MM") for a in args)


def main(argv: Sequence[str] | None = None) -> int:
    """`ZIG cc|c++ TRIPLE ARGS...`: exec zig with fixed args (or answer a tool query)."""
    argv = list(sys.argv[1:] if argv is None else argv)
    if len(argv) < 3 or argv[1] not in ("cc", "c++"):
        sys.stderr.write("usage: ccwrap.py ZIG cc|c++ TRIPLE [ARGS...]\n")
        return 2
    zig, lang, triple, args = argv[0], argv[1], argv[2], argv[3:]
    reply = prog_name_reply(args)
    if reply is not None:
        sys.stdout.write(reply + "\n")
        return 0
    return _exec([zig, lang, "-target", triple, *rewrite_args(args, triple)])


def _exec(argv: list[str]) -> NoReturn:
    # Replace this process: Go waits on (and cgotrap kills) the process group it started.
    os.execv(argv[0], argv)  # noqa: S606  # an argv list, no shell


if __name__ == "__main__":
    raise SystemExit(main())
