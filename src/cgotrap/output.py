"""Putting a large `cgotrap list` answer onto a file descriptor, fast and whole.

`write_listing` writes `go list -json` objects with `writev` straight to the descriptor (a
gigabyte of JSON for a large tree's matrix); with `workers=2` a forked helper lists and
renders half the targets while this process does the other half, then writes its part after
ours: the same bytes one process writes, on two cores. Forking happens only when the caller
asks for it (the CLI decides).

A write that fails (a full disk, `>/dev/full`) is an `OutputError`; `BrokenPipeError` (the
reader left) passes through unchanged.
"""

from __future__ import annotations

import dataclasses
import os
import stat
from collections.abc import Iterable
from typing import TYPE_CHECKING

from cgotrap.errors import OutputError

if TYPE_CHECKING:
    from cgotrap.evaluate.load import ListingPlan
    from cgotrap.evaluate.model import SharedListing

# A matrix this large is worth two processes.
SPLIT_MIN_TARGETS = 8
SPLIT_MIN_DIRS = 128

_IOV_MAX = 1024  # POSIX guarantees at least 16; Linux and the BSDs allow 1024
_PIPE_BYTES = 1 << 20  # Linux's default /proc/sys/fs/pipe-max-size for unprivileged users


def can_writev() -> bool:
    """Whether this system has `writev` (not Windows)."""
    return hasattr(os, "writev")


def split_targets(plan: ListingPlan, *, workers: int) -> list[range]:
    """The plan's targets in one run, or (workers=2, a large matrix) two contiguous runs."""
    n = len(plan.targets)
    if workers < 2 or n < SPLIT_MIN_TARGETS or plan.scanned < SPLIT_MIN_DIRS:
        return [range(n)]
    half = n // 2
    t = plan.targets
    while 0 < half < n and (t[half].goos, t[half].goarch) == (t[half - 1].goos, t[half - 1].goarch):
        half += 1  # both cgo modes of a port share most objects: keep them together
    if half in (0, n):
        return [range(n)]
    return [range(half), range(half, n)]


@dataclasses.dataclass(frozen=True, kw_only=True, slots=True)
class Written:
    """What a written listing met besides its objects."""

    problems: tuple[str, ...]
    """One-line messages about inputs that could not be read, each once, in order."""
    unresolved: tuple[str, ...]
    """Import paths of packages that could not be found (`evaluate.completeness`)."""


def written(listing: SharedListing) -> Written:
    from cgotrap.evaluate.completeness import unresolved

    return Written(problems=listing.problems, unresolved=unresolved(listing.objects))


def _merged(first: Written, second: Written) -> Written:
    return Written(
        problems=tuple(dict.fromkeys([*first.problems, *second.problems])),
        unresolved=tuple(sorted({*first.unresolved, *second.unresolved})),
    )


def write_listing(plan: ListingPlan, fd: int, *, matrix: bool, workers: int = 1) -> Written:
    """Write the plan's `go list -json` objects to `fd`.

    With `workers=2` on a large matrix (`split_targets`) the work is shared with a forked
    helper (POSIX fork; one process elsewhere).
    """
    from cgotrap.render import golist

    parts = split_targets(plan, workers=workers)
    widen_pipe(fd)
    if len(parts) == 1:
        listing = plan.listing()
        write_pieces(fd, golist.iter_listing_pieces(listing, matrix=matrix))
        return written(listing)
    return _write_in_two(plan, parts, fd)


def _write_in_two(plan: ListingPlan, parts: list[range], fd: int) -> Written:
    from cgotrap.evaluate import forked
    from cgotrap.render import golist

    first, second = parts
    here_done: list[Written] = []

    def here() -> None:
        listing = plan.listing(first)
        write_pieces(fd, golist.iter_listing_pieces(listing, matrix=True))
        here_done.append(written(listing))

    def there() -> tuple[list[list[bytes]], Written]:
        listing = plan.listing(second)
        return list(golist.iter_listing_pieces(listing, matrix=True)), written(listing)

    def emit(rendered: tuple[list[list[bytes]], Written]) -> Written:
        pieces, written = rendered
        write_pieces(fd, pieces)
        return written

    there_done = forked.in_turn(here, there, emit)
    return _merged(here_done[0], there_done)


def write_pieces(fd: int, pieces: Iterable[list[bytes]]) -> None:
    """Write every object's pieces, in order."""
    for object_pieces in pieces:
        writev_all(fd, object_pieces)


def writev_all(fd: int, parts: list[bytes]) -> None:
    """Write every byte of `parts`, in order, with few system calls and no joined copy."""
    try:
        for start in range(0, len(parts), _IOV_MAX):
            batch = parts[start : start + _IOV_MAX]
            written = os.writev(fd, batch)
            total = sum(map(len, batch))
            if written == total:
                continue
            rest = b"".join(batch)[written:]  # a short write (a signal, a full disk): finish it
            while rest:
                rest = rest[os.write(fd, rest) :]
    except BrokenPipeError:
        raise
    except OSError as exc:
        raise OutputError(f"standard output: {exc.strerror or exc}") from exc


def widen_pipe(fd: int) -> None:
    """Give a pipe on `fd` a 1 MiB buffer (Linux): a gigabyte through 64 KiB pieces costs
    more in context switches than producing it."""
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
