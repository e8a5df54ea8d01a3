"""`FdReader`: a source file's reads on a raw file descriptor, with the digest of what was
read (`cache`'s state of the file: the SHA-256 of the whole file, or the
`cache.prefix_digest` of the bytes read when the reads stopped before its end); and
`read_noted`, how every reader of source files besides the directory scan reads one, so
that the cache's answers depend on what it read (`cache.READ`)."""

from __future__ import annotations

import enum
import hashlib
import os
import stat

from cgotrap.cache import note_read, prefix_digest


class Reads(enum.Enum):
    """What the reads so far tell of the file."""

    PART = enum.auto()
    """Every read was given all it asked for: what was read is a prefix of the file, and
    what the reader did with it depends on those bytes alone."""
    ENDED = enum.auto()
    """The last read ended the file: it came back short (a regular file's read is short only
    at its end, as `cache._file_digest` reads it too) or reached the size it had when it
    was opened."""
    FAILED = enum.auto()
    """A read failed, or one came back short before the last (the file grew while read)."""


_PART, _ENDED, _FAILED = Reads.PART, Reads.ENDED, Reads.FAILED
_sha256 = hashlib.sha256


class FdReader:
    """`read(size)` on a raw file descriptor, looping over short reads. `left`: the bytes
    the file held when it was opened (its stat's size; -1 unknown): once they are read it
    is at its end, and no read is made to find that out (one system call per file). `most`:
    what `read()` without a size reads at most.

    It keeps what tells whether all that was read is the whole file, or a prefix of it
    whose bytes alone decided the reads (`state`), and its digest: the first bytes read
    (`first`), the SHA-256 of everything read once there is more than one read (`more`),
    and how many bytes were read (`got`)."""

    __slots__ = ("fd", "first", "got", "left", "more", "most", "state")

    def __init__(self, fd: int, left: int = -1, most: int = 1 << 26) -> None:
        self.fd = fd
        self.left = left
        self.most = most
        self.first = b""
        self.more: hashlib._Hash | None = None
        self.got = 0
        self.state = _PART

    def read(self, size: int = -1, /) -> bytes:
        chunks: list[bytes] = []
        want = size if size >= 0 else self.most
        while want > 0:
            state = self.state
            if not self.left:
                if state is _PART:
                    self.state = _ENDED
                break
            self.state = _FAILED  # (a read that fails is no end)
            chunk = os.read(self.fd, want)
            if state is _PART:
                self.state = _ENDED if len(chunk) < want else _PART
            elif state is _ENDED and not chunk:
                self.state = _ENDED  # (still at its end; more would be a file that grew)
            if not chunk:
                break
            if self.more is not None:
                self.more.update(chunk)
            elif self.first:
                self.more = _sha256(self.first)
                self.more.update(chunk)
            else:
                self.first = chunk
            chunks.append(chunk)
            want -= len(chunk)
            self.got += len(chunk)
            if self.left > 0:
                self.left = max(0, self.left - len(chunk))
        return chunks[0] if len(chunks) == 1 else b"".join(chunks)

    def digest(self) -> bytes | None:
        """The digest of what was read: the whole file's SHA-256 (`ENDED`), the
        `cache.prefix_digest` of the bytes read (`PART`), None (`FAILED`)."""
        state = self.state
        if state is _FAILED:
            return None
        more = self.more
        sha = _sha256(self.first).digest() if more is None else more.digest()
        return sha if state is _ENDED else prefix_digest(self.got, sha)


_O_CLOEXEC = getattr(os, "O_CLOEXEC", 0)
_O_NONBLOCK = getattr(os, "O_NONBLOCK", 0)
_O_NOCTTY = getattr(os, "O_NOCTTY", 0)


def read_noted(path: str | os.PathLike[str], limit: int, *, regular: bool = False) -> bytes:
    """At most `limit` bytes of the file `path` (symbolic links followed; fewer only at its
    end), noted in the cache's `READ` with the digest of the bytes read (`cache.note_read`).
    Every reader of a source file other than the directory scan reads through here: the
    scan's state of a file it read in part is of those bytes only (`cache.prefix_digest`),
    so an answer computed from more of it must depend on more.

    Raises OSError as `open` and `read` do. `regular`: anything but a regular file is
    refused (`inputs.NotRegularFileError`), as `inputs.read_regular` does (a FIFO would
    block the read); else a FIFO is opened as `open` would (waiting for a writer)."""
    name = os.fspath(path)
    if regular:
        from cgotrap.inputs import NotRegularFileError

        mode = os.stat(name).st_mode  # noqa: PTH116 - str paths too
        if not stat.S_ISREG(mode):
            raise NotRegularFileError(name, mode)
        fd = os.open(name, os.O_RDONLY | _O_CLOEXEC | _O_NONBLOCK | _O_NOCTTY)
    else:
        fd = os.open(name, os.O_RDONLY | _O_CLOEXEC)
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode):
            if regular:
                from cgotrap.inputs import NotRegularFileError

                raise NotRegularFileError(name, st.st_mode)
            return _read_other(fd, limit)
        reader = FdReader(fd, st.st_size, limit)
        try:
            data = reader.read(limit)
        except OSError:
            note_read(name, st, None)
            raise
    finally:
        os.close(fd)
    note_read(name, st, reader.digest())
    return data


def _read_other(fd: int, limit: int) -> bytes:
    """What `open(...).read(limit)` reads of anything but a regular file (a directory
    raises IsADirectoryError)."""
    chunks = []
    while limit > 0 and (chunk := os.read(fd, min(limit, 1 << 16))):
        chunks.append(chunk)
        limit -= len(chunk)
    return b"".join(chunks)
