"""`FdReader`: a source file's reads on a raw file descriptor, with the digest of what was
read (`cache`'s state of the file: the SHA-256 of the whole file, or the
`cache.prefix_digest` of the bytes read when the reads stopped before its end)."""

from __future__ import annotations

import enum
import hashlib
import os

from cgotrap.cache import prefix_digest


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
