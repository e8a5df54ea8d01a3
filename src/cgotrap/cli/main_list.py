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
import stat
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from cgotrap.errors import UsageError
from cgotrap.targets import Target, expand, parse_cgo_modes, port_table

if TYPE_CHECKING:
    from collections.abc import Sequence

    from cgotrap.evaluate.load import ListingPlan
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
    from cgotrap.evaluate.load import ListingPlan

    matrix = args.targets is not None
    if matrix:
        targets = expand(args.targets, parse_cgo_modes(args.cgo or "0,1"))
    else:
        if args.cgo is not None:
            raise UsageError("--cgo needs --targets (or set CGO_ENABLED)")
        targets = [env_target()]
    root = Path(args.chdir) if args.chdir else Path.cwd()
    tags = tuple(t for t in args.tags.replace(" ", ",").split(",") if t)
    # The objects live until the output is written and hold no cycles worth collecting;
    # the cyclic collector would only rescan them (~15% of a large run). Directories are
    # scanned by two processes (the plan forks one helper when asked: workers=2).
    gc_was_enabled = gc.isenabled()
    gc.disable()
    try:
        plan = ListingPlan(
            args.patterns, targets, root=root, tags=tags, with_deps=args.deps, workers=2
        )
        parts = _parts(plan, json=args.json) if matrix else [range(len(targets))]
        if len(parts) == 1:
            result = plan.listing()
            _write(result, json=args.json, matrix=matrix)
            problems: Sequence[str] = result.problems
        else:
            problems = _write_in_two(plan, parts)
    finally:
        if gc_was_enabled:
            gc.enable()
    for problem in problems:
        print(f"cgotrap: {problem}", file=sys.stderr)
    return 0


# A matrix this large is listed by two processes (see `_write_in_two`).
_SPLIT_MIN_TARGETS = 8
_SPLIT_MIN_DIRS = 128


def _parts(plan: ListingPlan, *, json: bool) -> list[range]:
    """The targets in one run, or in two contiguous runs for two processes."""
    n = len(plan.targets)
    if n < _SPLIT_MIN_TARGETS or plan.scanned < _SPLIT_MIN_DIRS or not json:
        return [range(n)]
    if _stdout_fd() is None or not hasattr(os, "writev"):
        return [range(n)]
    half = n // 2
    t = plan.targets
    while 0 < half < n and (t[half].goos, t[half].goarch) == (t[half - 1].goos, t[half - 1].goarch):
        half += 1  # both cgo modes of a port share most objects: keep them together
    if half in (0, n):
        return [range(n)]
    return [range(half), range(half, n)]


def _write_in_two(plan: ListingPlan, parts: list[range]) -> list[str]:
    """List the first run of targets here while a forked helper lists and renders the
    second, then has it write its part after ours: the same bytes one process writes, on
    two cores. Returns the problems of both, each once, in order."""
    from cgotrap.evaluate import forked
    from cgotrap.render import golist

    first, second = parts
    here_problems: list[str] = []

    def here() -> None:
        listing = plan.listing(first)
        _write(listing, json=True, matrix=True)
        here_problems.extend(listing.problems)

    def there() -> tuple[list[list[bytes]], tuple[str, ...]]:
        listing = plan.listing(second)
        return list(golist.iter_listing_pieces(listing, matrix=True)), listing.problems

    def emit(rendered: tuple[list[list[bytes]], tuple[str, ...]]) -> tuple[str, ...]:
        pieces, problems = rendered
        fd = _stdout_fd()
        if fd is None:  # cannot happen: `_parts` checked
            raise OSError("stdout has no file descriptor")
        for target_pieces in pieces:
            _writev_all(fd, target_pieces)
        return problems

    there_problems = forked.in_turn(here, there, emit)
    return list(dict.fromkeys([*here_problems, *there_problems]))


def _write(result: SharedListing, *, json: bool, matrix: bool) -> None:
    """Print the listing: writev straight to stdout's descriptor when it has one."""
    from cgotrap.render import golist

    sys.stdout.flush()
    fd = _stdout_fd()
    if json and fd is not None and hasattr(os, "writev"):  # (no writev on Windows)
        _widen_pipe(fd)
        for parts in golist.iter_listing_pieces(result, matrix=matrix):
            _writev_all(fd, parts)
        return
    if json:
        raw_out = getattr(sys.stdout, "buffer", None)
        for chunk in golist.iter_listing_bytes(result, matrix=matrix):
            if raw_out is None:
                sys.stdout.write(chunk.decode("utf-8", "surrogateescape"))
            else:
                raw_out.write(chunk)
        if raw_out is not None:
            raw_out.flush()
        return
    raw = getattr(sys.stdout, "buffer", None)
    for line in golist.iter_listing_lines(result, matrix=matrix):
        if raw is None:
            sys.stdout.write(line)
        else:
            raw.write(line.encode("utf-8", "surrogateescape"))
    if raw is not None:
        raw.flush()


def _stdout_fd() -> int | None:
    """stdout's file descriptor, or None when a test swapped in a StringIO."""
    if getattr(sys.stdout, "buffer", None) is None:
        return None
    try:
        return sys.stdout.fileno()
    except (OSError, ValueError):  # io.UnsupportedOperation is both
        return None


_IOV_MAX = 1024  # POSIX guarantees at least 16; Linux and the BSDs allow 1024


def _writev_all(fd: int, parts: list[bytes]) -> None:
    """Write every byte of `parts`, in order, with few system calls and no joined copy."""
    for start in range(0, len(parts), _IOV_MAX):
        batch = parts[start : start + _IOV_MAX]
        written = os.writev(fd, batch)
        total = sum(map(len, batch))
        if written == total:
            continue
        rest = b"".join(batch)[written:]  # a short write (a signal, a full disk): finish it
        while rest:
            rest = rest[os.write(fd, rest) :]


_PIPE_BYTES = 1 << 20  # Linux's default /proc/sys/fs/pipe-max-size for unprivileged users


def _widen_pipe(fd: int) -> None:
    """Give a pipe on stdout a 1 MiB buffer (Linux): a gigabyte through 64 KiB pieces
    costs more in context switches than producing it."""
    try:
        import fcntl  # POSIX only
    except ImportError:
        return
    set_size = getattr(fcntl, "F_SETPIPE_SZ", None)  # Linux only
    if set_size is None:
        return
    try:
        if stat.S_ISFIFO(os.fstat(fd).st_mode):
            fcntl.fcntl(fd, set_size, _PIPE_BYTES)
    except OSError:  # over the limit or not allowed: keep the pipe as it is
        pass
