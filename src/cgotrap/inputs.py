"""Opening an input file: regular files only, never blocking, never a device.

Any file cgotrap reads can be a FIFO, a socket or a device (a `vendor/modules.txt` made with
mkfifo, `inspect /dev/zero`): opening a FIFO for reading waits for a writer forever, a
device may never end or may act on being opened. `open_regular` looks first (`stat`), then
opens with O_NONBLOCK and checks the open file again (`fstat`: the name may have changed in
between), and refuses anything but a regular file with `NotRegularFileError`, an `OSError`,
so every caller's `except OSError` turns it into its usual one-line problem.
"""

from __future__ import annotations

import errno
import os
import stat
from typing import BinaryIO

_O_CLOEXEC = getattr(os, "O_CLOEXEC", 0)
_O_NONBLOCK = getattr(os, "O_NONBLOCK", 0)
_O_NOCTTY = getattr(os, "O_NOCTTY", 0)


def kind_of(mode: int) -> str:
    """What a non-regular file is, in words ("a FIFO")."""
    if stat.S_ISDIR(mode):
        return "a directory"
    if stat.S_ISFIFO(mode):
        return "a FIFO"
    if stat.S_ISSOCK(mode):
        return "a socket"
    if stat.S_ISCHR(mode):
        return "a character device"
    if stat.S_ISBLK(mode):
        return "a block device"
    return "not a regular file"


class NotRegularFileError(OSError):
    """The input is a FIFO, socket, device or directory: not read."""

    def __init__(self, path: str | os.PathLike[str], mode: int) -> None:
        super().__init__(
            errno.EINVAL, f"not a regular file ({kind_of(mode)}), not read by cgotrap", path
        )


def _refuse_unless_regular(path: str | os.PathLike[str], mode: int) -> None:
    if not stat.S_ISREG(mode):
        raise NotRegularFileError(path, mode)


def open_regular(path: str | os.PathLike[str]) -> BinaryIO:
    """Open `path` for binary reading if it is a regular file (symlinks followed).

    Raises `NotRegularFileError` for anything else and `OSError` as `open` does.
    """
    _refuse_unless_regular(path, os.stat(path).st_mode)  # noqa: PTH116  # str paths too
    fd = os.open(path, os.O_RDONLY | _O_CLOEXEC | _O_NONBLOCK | _O_NOCTTY)
    try:
        _refuse_unless_regular(path, os.fstat(fd).st_mode)
        if _O_NONBLOCK:
            os.set_blocking(fd, True)  # (regular files ignore it; reads stay ordinary)
        return os.fdopen(fd, "rb")
    except BaseException:
        os.close(fd)
        raise


def read_regular(path: str | os.PathLike[str], limit: int) -> bytes:
    """At most `limit` bytes of the regular file `path` (see `open_regular`)."""
    with open_regular(path) as f:
        return f.read(limit)
