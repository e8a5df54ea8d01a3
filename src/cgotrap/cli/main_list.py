"""`cgotrap list`: `go list -e -deps -json`, for one target or the whole matrix in one run.

    cgotrap list [-e] [-deps] [-json] [-tags T] [-mod M] [-pgo P] [--targets SEL --cgo 0,1]
                 [PATTERN...]

GOFLAGS (-tags, -mod, -pgo), `go env -w` settings (the GOENV file) and $GOROOT/go.env count
as go counts them: a flag on the command line over GOFLAGS; the environment over the GOENV
file over GOROOT/go.env.

Without --targets the target comes from the environment as go reads it: GOOS/GOARCH
(default: this machine) and CGO_ENABLED (default: go's rule: on for a native build when
the C compiler is on PATH, off when cross-compiling). With --targets every selected port ×
--cgo mode (and libc variant: linux/amd64-musl, linux/amd64-gnu.2.17) is listed in one run,
each object ending with a "BuildContext" object: GOOS, GOARCH, CGO_ENABLED ("0"/"1"), and
Libc / GlibcVersion for a libc variant. (go list's own "Target" is the install path.)
"""

from __future__ import annotations

import argparse
import gc
import importlib
import os
import stat
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from cgotrap.cli import streams
from cgotrap.errors import ExitCode, InputError, UsageError, combine
from cgotrap.host import env_target
from cgotrap.targets import expand, parse_cgo_modes

if TYPE_CHECKING:
    from cgotrap.evaluate.load import ListingPlan
    from cgotrap.evaluate.model import SharedListing
    from cgotrap.output import Written


def register(sub: Any) -> None:
    """Add the `list` subcommand to the parser."""
    parser: argparse.ArgumentParser = sub.add_parser(
        "list",
        help="go list -e -deps -json for one target or every target at once",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
        allow_abbrev=False,
    )
    parser.add_argument("-e", action="store_true", help="report erroneous packages (always on)")
    parser.add_argument("-deps", action="store_true", help="also list dependencies, go's order")
    parser.add_argument("-json", action="store_true", help="go list -json objects")
    parser.add_argument(
        "-tags", default=None, help="comma-separated build tags (over GOFLAGS' -tags)"
    )
    parser.add_argument(
        "-mod",
        default=None,
        help="module download mode, as go list's -mod (over GOFLAGS' -mod)",
    )
    parser.add_argument(
        "-pgo",
        default=None,
        help="as go's -pgo (over GOFLAGS' -pgo): auto (default) lists per-program copies of "
        "the packages a main package with a default.pgo depends on; off or a file does not",
    )
    parser.add_argument("-C", dest="chdir", default=None, help="run in this directory")
    parser.add_argument("--targets", default=None, help="target selectors (all, linux/*, ...)")
    parser.add_argument("--cgo", default=None, help="CGO_ENABLED values with --targets: 0,1")
    parser.add_argument("patterns", nargs="*", help="package patterns (default .)")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    """Run `cgotrap list`."""
    from cgotrap import toolchain
    from cgotrap.discover.goenv import go_environment, goflag, goroot
    from cgotrap.evaluate.completeness import incomplete_message
    from cgotrap.evaluate.load import ListingPlan

    # Usage errors first, then a missing go, then an unreadable input (2 > 3 > 4).
    matrix = args.targets is not None
    if matrix:
        targets = expand(args.targets, parse_cgo_modes(args.cgo or "0,1"))
    elif args.cgo is not None:
        raise UsageError("--cgo needs --targets (or set CGO_ENABLED)")
    # As go: the environment, then the `go env -w` file (GOENV), then GOROOT/go.env;
    # GOFLAGS under the command line's own flags.
    go_root = goroot(go_environment(os.environ), toolchain.require("go").path)
    env = go_environment(os.environ, go_root)
    if not matrix:
        targets = [env_target(env)]
    root = Path(args.chdir) if args.chdir else Path.cwd()
    tags_flag = args.tags if args.tags is not None else goflag(env, "tags") or ""
    tags = tuple(t for t in tags_flag.replace(" ", ",").split(",") if t)
    mod = args.mod if args.mod is not None else goflag(env, "mod")
    if mod not in (None, "", "mod", "readonly", "vendor"):  # go: modload.Init (exit 1)
        raise UsageError(f"-mod={mod} not supported (can be '', 'mod', 'readonly', or 'vendor')")
    pgo = args.pgo if args.pgo is not None else goflag(env, "pgo")
    if args.chdir:
        _check_chdir(args.chdir)
    # The objects live until the output is written and hold no cycles worth collecting;
    # the cyclic collector would only rescan them (~15% of a large run). Directories are
    # scanned by two processes (the plan forks one helper when asked: workers=2).
    gc_was_enabled = gc.isenabled()
    gc.disable()
    try:
        plan = ListingPlan(
            args.patterns,
            targets,
            root=root,
            tags=tags,
            with_deps=args.deps,
            workers=2,
            env=env,
            goroot=go_root,
            mod=mod,
            pgo="auto" if pgo is None else pgo,
            embed_files=args.json,  # go list -json resolves //go:embed (EmbedFiles)
            meanwhile=_import_writer,
        )
        written = _write(plan, json=args.json, matrix=matrix)
    finally:
        if gc_was_enabled:
            # Everything built above is still tracked as young: the first collection after
            # enabling would walk all of it once more (22 ms after moby's listing). Frozen,
            # it is never walked again; it lives until the process exits anyway.
            gc.freeze()
            gc.enable()
    outcomes = []
    for problem in written.problems:
        streams.say(f"cgotrap: {problem}")
        outcomes.append(ExitCode.INPUT_OUTPUT)
    if written.unresolved:
        streams.say(f"cgotrap: {incomplete_message(written.unresolved)}")
        outcomes.append(ExitCode.INCOMPLETE)
    return combine(outcomes)


def _check_chdir(directory: str) -> None:
    """go's -C: `os.Chdir` fails on a missing directory or a file, and go stops with the
    error ("chdir x: no such file or directory", "chdir go.mod: not a directory")."""
    try:
        st = Path(directory).stat()
    except OSError as exc:
        raise InputError(f"chdir {directory}: {_errno_text(exc)}") from None
    if not stat.S_ISDIR(st.st_mode):
        raise InputError(f"chdir {directory}: not a directory")
    if not os.access(directory, os.X_OK):
        raise InputError(f"chdir {directory}: permission denied")


def _errno_text(exc: OSError) -> str:
    """Go's syscall.Errno text: C's strerror, lower-cased first letter."""
    text = os.strerror(exc.errno) if exc.errno else str(exc)
    return text[:1].lower() + text[1:]


def _import_writer() -> None:
    """What `_write` uses, imported while the plan's helper scans directories (the second
    core idle otherwise then; after, the writer's child could import it again)."""
    importlib.import_module("cgotrap.output")
    importlib.import_module("cgotrap.render.golist")


def _write(plan: ListingPlan, *, json: bool, matrix: bool) -> Written:
    """Print the listing: writev straight to stdout's descriptor when it has one (and a large
    matrix in two processes, `cgotrap.output`), else through `sys.stdout` (tests)."""
    from cgotrap import output
    from cgotrap.render import golist

    fd = _stdout_fd()
    if json and fd is not None and output.can_writev():  # (no writev on Windows)
        streams.flush()
        return output.write_listing(plan, fd, matrix=matrix, workers=2 if matrix else 1)
    listing: SharedListing = plan.listing(keep_deps=json)
    if json:
        text = b"".join(golist.iter_listing_bytes(listing, matrix=matrix))
        streams.write_bytes(text)
    else:
        lines = "".join(golist.iter_listing_lines(listing, matrix=matrix))
        streams.write_bytes(lines.encode("utf-8", "surrogateescape"))
    return output.written(listing)


def _stdout_fd() -> int | None:
    """stdout's file descriptor, or None when a test swapped in a StringIO."""
    if getattr(sys.stdout, "buffer", None) is None:
        return None
    try:
        return sys.stdout.fileno()
    except (OSError, ValueError):  # io.UnsupportedOperation is both
        return None
