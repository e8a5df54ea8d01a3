"""`cgotrap` entry point: parse arguments, dispatch to a subcommand, map errors to exit codes.

`main()` catches only `CgotrapError` (and Ctrl-C) and exits with the error's own code;
`main_inner()` raises, so tests can drive it.

Exit codes: 0 ok; 1 the command's findings fail the gate (policy violated, a target failed);
2 usage; 3 a required tool is missing; 4 an input cannot be read; 70 broken bundled data;
130 interrupted.
"""

from __future__ import annotations

import argparse
import contextlib
import importlib
import os
import sys
from collections.abc import Sequence
from typing import NoReturn

from cgotrap import __version__
from cgotrap.errors import CgotrapError

# Subcommand -> the module that registers and runs it. Only the module of the command being
# run is imported (each costs 5-15 ms; `cgotrap inspect` over a release folder is dominated
# by start-up); `cgotrap --help` and an unknown command import them all.
_COMMANDS = {
    "list": "cgotrap.cli.main_list",
    "scan": "cgotrap.cli.main_scan",
    "inspect": "cgotrap.cli.main_inspect",
    "matrix": "cgotrap.cli.main_matrix",
    "rules": "cgotrap.cli.main_rules",
    "explain": "cgotrap.cli.main_explain",
    "doctor": "cgotrap.cli.main_doctor",
    "init": "cgotrap.cli.main_init",
}


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


def _command_named(argv: Sequence[str]) -> str | None:
    """The subcommand `argv` names (its first word that is not an option), if it is one."""
    for word in argv:
        if not word.startswith("-"):
            return word if word in _COMMANDS else None
    return None


def build_parser(argv: Sequence[str] = ()) -> argparse.ArgumentParser:
    """The argument parser; with `argv`, only the subcommand it names is registered."""
    parser = argparse.ArgumentParser(
        prog="cgotrap",
        description="Find and fix the cgo traps in Go projects, for every target at once.",
    )
    parser.add_argument("--version", action=_VersionAction)
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    wanted = _command_named(argv)
    for name, module in _COMMANDS.items():
        if wanted is None or name == wanted:
            importlib.import_module(module).register(sub)
    return parser


def main_inner(argv: Sequence[str] | None = None) -> int:
    """Run one command; raises `CgotrapError` for user-facing errors."""
    words = sys.argv[1:] if argv is None else list(argv)
    parser = build_parser(words)
    args = parser.parse_args(words)
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


def entry() -> NoReturn:
    """The console script and `python -m cgotrap`: `main()`, then exit at once.

    Python's normal exit frees every object one by one; after a large run (a matrix of
    ~10^7 objects) that alone took ~1 s, after the output was complete. The operating
    system takes the memory back at once, so once the output is flushed there is nothing
    left to do (no atexit work: pools and temporary files are closed by `with` blocks).
    """
    code = main()
    try:
        sys.stdout.flush()
    except (BrokenPipeError, ValueError):  # `| head`: the reader left (main closed stderr)
        pass
    except OSError:  # a full disk: the last output was lost
        code = code or 1
    with contextlib.suppress(OSError, ValueError):  # closed by main() after a broken pipe
        sys.stderr.flush()
    os._exit(code)
