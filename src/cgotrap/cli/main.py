"""`cgotrap` entry point: parse arguments, dispatch to a subcommand, map errors to exit codes.

`main()` catches only `CgotrapError` (and Ctrl-C) and exits with the error's own code;
`main_inner()` raises, so tests can drive it.

Exit codes: 0 ok; 1 the command's findings fail the gate (policy violated, a target failed);
2 usage; 3 a required tool is missing; 4 an input cannot be read; 70 broken bundled data;
130 interrupted.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from cgotrap import __version__
from cgotrap.cli import main_inspect, main_list, main_matrix, main_scan
from cgotrap.errors import CgotrapError

_COMMANDS = (main_list, main_scan, main_inspect, main_matrix)


def _version_text() -> str:
    from cgotrap import toolchain  # only --version needs it; it costs ~20 ms to import

    lines = [f"cgotrap {__version__}"]
    for name in ("go", "zig"):
        tool = toolchain.find(name)
        if tool is None:
            lines.append(f"{name}: not found (pip install 'cgotrap[toolchains]')")
        else:
            found = toolchain.version(name) or "unknown version"
            lines.append(f"{name}: {found} at {tool.path} (from {tool.origin.value})")
    return "\n".join(lines)


class _VersionAction(argparse.Action):
    def __init__(self, option_strings: Sequence[str], dest: str, **kwargs: object) -> None:
        super().__init__(option_strings, dest, nargs=0, help="print versions of cgotrap, go, zig")

    def __call__(self, parser: argparse.ArgumentParser, *_: object, **__: object) -> None:
        print(_version_text())
        parser.exit()


def build_parser() -> argparse.ArgumentParser:
    """The full argument parser (every subcommand registers its own)."""
    parser = argparse.ArgumentParser(
        prog="cgotrap",
        description="Find and fix the cgo traps in Go projects, for every target at once.",
    )
    parser.add_argument("--version", action=_VersionAction)
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for command in _COMMANDS:
        command.register(sub)
    return parser


def main_inner(argv: Sequence[str] | None = None) -> int:
    """Run one command; raises `CgotrapError` for user-facing errors."""
    parser = build_parser()
    args = parser.parse_args(argv)
    code: int = args.run(args)
    return code


def main(argv: Sequence[str] | None = None) -> int:
    """Console entry point: errors become one line on stderr and an exit code."""
    try:
        return main_inner(argv)
    except CgotrapError as exc:
        print(f"cgotrap: {exc}", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        print("cgotrap: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        # `cgotrap list ... | head`: the reader left; not an error of ours.
        sys.stderr.close()
        return 0
