"""`cgotrap list`: `go list -e -deps -json`, for one target or the whole matrix in one run.

    cgotrap list [-e] [-deps] [-json] [-tags T] [--targets SEL --cgo 0,1] [PATTERN...]

Without --targets the target comes from the environment as go reads it: GOOS/GOARCH
(default: this machine) and CGO_ENABLED (default: go's rule: on for a native build when
the C compiler is on PATH, off when cross-compiling). With --targets every selected port ×
--cgo mode is listed in one run, each object carrying a "Target" object.
"""

from __future__ import annotations

import argparse
import gc
import os
import platform
import shutil
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from cgotrap.errors import UsageError
from cgotrap.targets import Target, expand, parse_cgo_modes, port_table

if TYPE_CHECKING:
    from cgotrap.evaluate.model import SharedListing

# runtime.GOARCH for platform.machine() values
_HOST_ARCH = {
    "x86_64": "amd64",
    "amd64": "amd64",
    "aarch64": "arm64",
    "arm64": "arm64",
    "i386": "386",
    "i686": "386",
    "armv7l": "arm",
    "armv6l": "arm",
    "riscv64": "riscv64",
    "ppc64le": "ppc64le",
    "s390x": "s390x",
    "loongarch64": "loong64",
}


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
    parser.add_argument("-tags", default="", help="comma-separated build tags")
    parser.add_argument("-C", dest="chdir", default=None, help="run in this directory")
    parser.add_argument("--targets", default=None, help="target selectors (all, linux/*, ...)")
    parser.add_argument("--cgo", default=None, help="CGO_ENABLED values with --targets: 0,1")
    parser.add_argument("patterns", nargs="*", help="package patterns (default .)")
    parser.set_defaults(run=run)


def _host() -> tuple[str, str]:
    goos = {"linux": "linux", "darwin": "darwin", "win32": "windows"}.get(sys.platform)
    if goos is None:
        goos = sys.platform.rstrip("0123456789")
    return goos, _HOST_ARCH.get(platform.machine().lower(), platform.machine().lower())


def env_target() -> Target:
    """The one target go would use in this environment (GOOS, GOARCH, CGO_ENABLED)."""
    host_os, host_arch = _host()
    goos = os.environ.get("GOOS") or host_os
    goarch = os.environ.get("GOARCH") or host_arch
    port = port_table().get(goos, goarch)
    if port is None:
        raise UsageError(f"unsupported GOOS/GOARCH pair {goos}/{goarch}")
    value = os.environ.get("CGO_ENABLED", "")
    if value in ("0", "1"):
        cgo = value == "1"
    elif (goos, goarch) == (host_os, host_arch) and port.cgo_supported:
        cc = os.environ.get("CC") or (
            "clang" if goos in ("darwin", "ios", "freebsd", "openbsd") else "gcc"
        )
        cgo = bool(os.environ.get("CC")) or shutil.which(cc) is not None
    else:
        cgo = False
    return Target(goos=goos, goarch=goarch, cgo=cgo)


def run(args: argparse.Namespace) -> int:
    """Run `cgotrap list`."""
    from cgotrap.evaluate.packages import load_listing

    matrix = args.targets is not None
    if matrix:
        targets = expand(args.targets, parse_cgo_modes(args.cgo or "0,1"))
    else:
        if args.cgo is not None:
            raise UsageError("--cgo needs --targets (or set CGO_ENABLED)")
        targets = [env_target()]
    root = Path(args.chdir) if args.chdir else Path.cwd()
    tags = tuple(t for t in args.tags.replace(" ", ",").split(",") if t)
    # The objects live until the output is written; the cyclic collector would only
    # rescan them (~10% of a large run).
    gc_was_enabled = gc.isenabled()
    gc.disable()
    try:
        result = load_listing(args.patterns, targets, root=root, tags=tags, with_deps=args.deps)
        _write(result, json=args.json, matrix=matrix)
    finally:
        if gc_was_enabled:
            gc.enable()
    for problem in result.problems:
        print(f"cgotrap: {problem}", file=sys.stderr)
    return 0


def _write(result: SharedListing, *, json: bool, matrix: bool) -> None:
    """Print the listing: bytes straight to stdout's buffer when it has one."""
    from cgotrap.render import golist

    sys.stdout.flush()
    raw = getattr(sys.stdout, "buffer", None)  # absent when a test swaps in a StringIO

    def write(data: bytes) -> None:
        if raw is None:
            sys.stdout.write(data.decode("utf-8", "surrogateescape"))
        else:
            raw.write(data)

    if json:
        for chunk in golist.iter_listing_bytes(result, matrix=matrix):
            write(chunk)
    else:
        for line in golist.iter_listing_lines(result, matrix=matrix):
            write(line.encode("utf-8", "surrogateescape"))
    if raw is not None:
        raw.flush()
