"""`cgotrap` entry point: parse arguments, dispatch to a subcommand, map errors to exit codes.

`main()` catches only `CgotrapError` (and Ctrl-C, and an `OSError` no layer below turned
into one: a one-line input/output error rather than a traceback) and exits with the error's
own code; `main_inner()` raises, so tests can drive it.

Exit codes: the one scheme of `cgotrap.errors` (0 ok · 1 findings · 2 usage · 3 tool missing
· 4 input/output · 5 incomplete · 70 bundled data · 128+N signal N), combined by precedence.
"""

from __future__ import annotations

import argparse
import contextlib
import gc
import importlib
import os
import signal
import sys
from collections.abc import Sequence
from typing import TYPE_CHECKING, NoReturn

from cgotrap import __version__
from cgotrap.cli import streams
from cgotrap.errors import (
    CgotrapError,
    ExitCode,
    StoppedBySignal,
    combine,
    signal_exit_code,
)

if TYPE_CHECKING:
    from _typeshed import SupportsWrite

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
    "baseline": "cgotrap.cli.main_baseline",
    "check": "cgotrap.cli.main_check",
    "cache": "cgotrap.cli.main_cache",
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
        streams.write(_version_text() + "\n")
        parser.exit()


class _Parser(argparse.ArgumentParser):
    """argparse, except that a failed write of --help or a usage message is not ignored
    (argparse swallows OSError there: `cgotrap --help >/dev/full` exited 0)."""

    def _print_message(self, message: str, file: SupportsWrite[str] | None = None) -> None:
        if not message:
            return
        if file is sys.stdout:  # --help
            streams.write(message)
        else:  # a usage message (our own text, several lines): stderr, never stdout
            with contextlib.suppress(OSError, ValueError):
                sys.stderr.write(message)
                sys.stderr.flush()


def _command_named(argv: Sequence[str]) -> str | None:
    """The subcommand `argv` names (its first word that is not an option), if it is one."""
    for word in argv:
        if not word.startswith("-"):
            return word if word in _COMMANDS else None
    return None


def build_parser(argv: Sequence[str] = ()) -> argparse.ArgumentParser:
    """The argument parser; with `argv`, only the subcommand it names is registered."""
    parser = _Parser(
        prog="cgotrap",
        description="Find and fix the cgo traps in Go projects, for every target at once.",
    )
    parser.add_argument("--version", action=_VersionAction)
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    if argv and set(argv) == {"--version"}:
        return parser  # it prints and exits while parsing: no command to register (~0.1 s)
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
        streams.guard()
        return main_inner(argv)
    except CgotrapError as exc:
        streams.say(f"cgotrap: {exc}")
        return exc.exit_code
    except KeyboardInterrupt:
        streams.say("cgotrap: interrupted")
        return signal_exit_code(signal.SIGINT)
    except StoppedBySignal as stop:
        streams.say(f"cgotrap: stopped by {signal.Signals(stop.signum).name}")
        return signal_exit_code(stop.signum)
    except BrokenPipeError:
        # `cgotrap list ... | head`: the reader left; not an error of ours.
        with contextlib.suppress(OSError, ValueError):
            sys.stderr.close()
        return ExitCode.OK
    except OSError as exc:
        # A read or write that no layer below turned into a one-line problem (a bug to fix
        # there); still an input/output error for the user, not a traceback.
        what = exc.strerror or str(exc)
        if exc.filename is not None:
            what = f"{os.fsdecode(exc.filename)}: {what}"
        streams.say(f"cgotrap: {what}")
        return ExitCode.INPUT_OUTPUT


_GC_THRESHOLDS = (50_000, 20, 100)
"""The cyclic collector's thresholds for a command run (the interpreter's are 700, 10, 10).

A run builds objects that live until it exits (modules and their classes, the loaded
packages, the report); each young collection walks what was allocated since the last one,
every tenth also all that survived into the middle generation, and the oldest generation
is walked whole whenever it grew by a quarter, only to find it all alive. Cold scans with
these thresholds, medians of interleaved runs (user+sys): moby 4.05 -> 3.73 s CPU with the
same peak RSS (135 MB), GOROOT std 1.06 -> 1.00 s, on a loaded machine. Cycles are still
collected, less often; `main()` used as a library keeps the interpreter's thresholds."""


_KEPT: list[list[object]] = []
"""While `entry` runs a command: one list of what the command leaves for the operating
system to free (`keep_until_exit`)."""


def keep_until_exit(obj: object) -> None:
    """Under `entry` (which exits without freeing anything), keep `obj` alive until the
    process exits: dropping a cold scan's last reference (its directory scans, the
    result) freed its objects one by one, 5 ms of a GOROOT std scan after its output. When
    `main()` is used as a library (tests run many commands), nothing is kept."""
    if _KEPT:
        _KEPT[0].append(obj)


def _untranslated_argparse() -> None:
    """argparse's own texts ("usage: ", "options", its error messages) taken as they are
    where gettext can have no translation of them. argparse asks `gettext.gettext` for each
    (a few dozen while a command's options are registered), which looks for a catalog of
    the "messages" domain only under the Python installation's `share/locale` (cgotrap
    binds no domain of its own); without that folder every call still imported `locale`
    and worked out the languages to look for: ~0.9 ms of each command's start. With the
    folder, argparse asks gettext as before."""
    if os.path.isdir(os.path.join(sys.base_prefix, "share", "locale")):  # noqa: PTH112, PTH118
        return
    argparse._ = str  # type: ignore[attr-defined]  # (gettext's NullTranslations.gettext)
    argparse.ngettext = _ngettext  # type: ignore[attr-defined]


def _ngettext(singular: str, plural: str, n: int) -> str:
    """gettext's NullTranslations.ngettext: the text as it is, for `n` things."""
    return singular if n == 1 else plural


def _installation() -> str:
    """The identity of the installed package (its code and data files): what a data
    snapshot is valid for."""
    from cgotrap import cache

    return cache.code_version()


def entry() -> NoReturn:
    """The console script and `python -m cgotrap`: `main()` (with `_GC_THRESHOLDS`), then
    exit at once.

    Python's normal exit frees every object one by one; after a large run (a matrix of
    ~10^7 objects) that alone took ~1 s, after the output was complete. The operating
    system takes the memory back at once, so once the output is flushed there is nothing
    left to do (no atexit work: pools and temporary files are closed by `with` blocks).
    The code dataclasses generates for cgotrap's records is compiled once, not on every run
    (`dataclass_code`: ~36 ms of a cold scan), the standard-library modules imported but
    seldom used load on first use (`deferred`: ~9 ms before a cold scan's helper forks), the
    port table is decoded once per installation (`data.snapshots`: ~5 ms before it), and
    argparse does not look for translations that cannot exist (`_untranslated_argparse`).
    """
    from cgotrap.cli import dataclass_code, deferred

    deferred.defer()  # (before the modules that import them: `dataclasses` imports `inspect`)
    dataclass_code.install()
    from cgotrap.data import snapshots  # (after: pathlib imports urllib.parse, ipaddress)

    snapshots.enable(_installation)
    gc.set_threshold(*_GC_THRESHOLDS)
    _untranslated_argparse()
    _KEPT.append([])
    try:
        code = main()
    except SystemExit as done:  # argparse: --help, --version, a usage error (2)
        code = done.code if isinstance(done.code, int) else int(done.code is not None)
    try:
        sys.stdout.flush()
    except (BrokenPipeError, ValueError):  # `| head`: the reader left (main closed stderr)
        pass
    except OSError as exc:  # a full disk: the last output was lost
        streams.say(f"cgotrap: {streams.output_error(exc)}")
        if code in ExitCode.__members__.values():
            code = combine([ExitCode(code), ExitCode.INPUT_OUTPUT])
    with contextlib.suppress(OSError, ValueError):  # closed by main() after a broken pipe
        sys.stderr.flush()
    dataclass_code.save()  # (once the output is out; only when a record's code was new)
    os._exit(code)
