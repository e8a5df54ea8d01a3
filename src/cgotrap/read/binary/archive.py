"""Release archives (`.tar.gz`, `.tgz`, `.tar`, `.zip`, as goreleaser makes them), read in place.

Members are never extracted into the examined tree: a member up to `MEMORY_LIMIT` bytes is
read into memory, a larger one is copied to an anonymous temporary file (system temp dir,
deleted on close). Members that do not start like an executable are skipped after reading
their first 16 bytes. tarfile, zipfile and tempfile are imported only when an archive is
opened (~4 ms that a folder of plain binaries does not pay).
"""

from __future__ import annotations

import contextlib
import io
import zlib
from collections.abc import Callable, Iterator
from typing import IO, BinaryIO

from cgotrap.read.binary.interface import BinaryReadError

ARCHIVE_SUFFIXES = (".tar.gz", ".tgz", ".tar", ".zip")
MEMORY_LIMIT = 32 << 20
# A member larger than this is not inspected (a decompression bomb or not a program).
MEMBER_LIMIT = 4 << 30
MAX_MEMBERS = 100_000
_COPY_CHUNK = 1 << 20


def is_archive(path: str) -> bool:
    """Whether the name says release archive."""
    return path.lower().endswith(ARCHIVE_SUFFIXES)


class Member:
    """One archive member, readable as a seekable file while the iteration is at it."""

    __slots__ = ("file", "name", "size")

    def __init__(self, name: str, file: BinaryIO, size: int) -> None:
        self.name = name
        """The member's name in the archive ("app_linux_amd64/app")."""
        self.file = file
        """A seekable file with the member's bytes."""
        self.size = size
        """Its size in bytes."""


def _spool(
    source: IO[bytes], size: int, stack: contextlib.ExitStack, head: bytes
) -> tuple[BinaryIO, int]:
    if size <= MEMORY_LIMIT:
        data = head + source.read(MEMORY_LIMIT + 1 - len(head))
        return io.BytesIO(data), len(data)
    import tempfile

    spool = stack.enter_context(tempfile.TemporaryFile())  # noqa: SIM115  # closed by the caller's ExitStack
    spool.write(head)
    copied = len(head)
    while copied <= MEMBER_LIMIT:
        chunk = source.read(_COPY_CHUNK)
        if not chunk:
            break
        spool.write(chunk)
        copied += len(chunk)
    spool.seek(0)
    return spool, copied


def iter_members(path: str, wanted: Callable[[bytes], bool]) -> Iterator[Member]:
    """The members of archive `path` whose first 16 bytes satisfy `wanted`.

    Raises `BinaryReadError` (one line) when the archive itself is unreadable.
    """
    import tarfile
    import zipfile

    try:
        if path.lower().endswith(".zip"):
            yield from _zip_members(path, wanted)
        else:
            yield from _tar_members(path, wanted)
    except BinaryReadError:
        raise
    except (tarfile.TarError, zipfile.BadZipFile, zipfile.LargeZipFile) as exc:
        raise BinaryReadError(f"unreadable archive: {exc}") from exc
    except (OSError, EOFError, ValueError, NotImplementedError, RuntimeError, zlib.error) as exc:
        text = " ".join(str(exc).split())[:200] or type(exc).__name__
        raise BinaryReadError(f"unreadable archive: {text}") from exc


def _tar_members(path: str, wanted: Callable[[bytes], bool]) -> Iterator[Member]:
    import tarfile

    with tarfile.open(path, "r:*") as tar:
        for count, info in enumerate(tar):
            if count >= MAX_MEMBERS:
                raise BinaryReadError(f"more than {MAX_MEMBERS} members")
            if not info.isfile() or info.size > MEMBER_LIMIT:
                continue
            source = tar.extractfile(info)
            if source is None:
                continue
            with contextlib.ExitStack() as stack, source:
                head = source.read(16)
                if not wanted(head):
                    continue
                file, size = _spool(source, info.size, stack, head)
                yield Member(info.name, file, size)


def _zip_members(path: str, wanted: Callable[[bytes], bool]) -> Iterator[Member]:
    import zipfile

    with zipfile.ZipFile(path) as archive:
        for count, info in enumerate(archive.infolist()):
            if count >= MAX_MEMBERS:
                raise BinaryReadError(f"more than {MAX_MEMBERS} members")
            if info.is_dir() or info.file_size > MEMBER_LIMIT:
                continue
            with contextlib.ExitStack() as stack, archive.open(info) as source:
                head = source.read(16)
                if not wanted(head):
                    continue
                file, size = _spool(source, info.file_size, stack, head)
                yield Member(info.filename, file, size)
