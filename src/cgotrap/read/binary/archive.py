"""Release archives (`.tar.gz`, `.tgz`, `.tar`, `.zip`, as goreleaser makes them), read in place.

Members are never extracted into the examined tree: a member up to `MEMORY_LIMIT` bytes is
read into memory, a larger one is copied to an anonymous temporary file (system temp dir,
deleted on close) when it is at most `MEMBER_LIMIT` bytes and the temporary folder has room
for it; otherwise the member is reported as not inspected, and why. Members that do not
start like an executable are skipped after reading their first 16 bytes. tarfile, zipfile
and tempfile are imported only when an archive is opened (~4 ms that a folder of plain
binaries does not pay).

Archive metadata is bounded before it is read: a tar pax or GNU long-name header larger than
`MAX_HEADER_BYTES` (Go's archive/tar `maxSpecialFileSize`), more than `MAX_METADATA_BYTES` of
such headers in all, a zip central directory larger than `MAX_METADATA_BYTES` or with more
than `MAX_MEMBERS` entries make the archive unreadable (one line), as more than
`MAX_MEMBERS` tar members do. Errors are said in our words, one line, never a library's
multi-line text or an object's repr.
"""

from __future__ import annotations

import contextlib
import io
import re
import struct
import zlib
from collections.abc import Callable, Iterator
from typing import IO, Any, BinaryIO

from cgotrap.inputs import open_regular
from cgotrap.read.binary.interface import BinaryReadError

ARCHIVE_SUFFIXES = (".tar.gz", ".tgz", ".tar", ".zip")
MEMORY_LIMIT = 32 << 20
# A member larger than this is not inspected (a decompression bomb or not a program).
MEMBER_LIMIT = 4 << 30
MAX_MEMBERS = 100_000
MAX_HEADER_BYTES = 1 << 20
"""One pax or GNU long-name header at most (Go's archive/tar maxSpecialFileSize)."""
MAX_METADATA_BYTES = 64 << 20
"""All pax/long-name headers of a tar, or a zip's central directory, at most."""
_FREE_SPACE_MARGIN = 64 << 20
"""Left free in the temporary folder after copying a member there."""
_COPY_CHUNK = 1 << 20


def is_archive(path: str) -> bool:
    """Whether the name says release archive."""
    return path.lower().endswith(ARCHIVE_SUFFIXES)


class Member:
    """One archive member, readable as a seekable file while the iteration is at it."""

    __slots__ = ("error", "file", "name", "size")

    def __init__(self, name: str, file: BinaryIO, size: int, error: str = "") -> None:
        self.name = name
        """The member's name in the archive ("app_linux_amd64/app")."""
        self.file = file
        """A seekable file with the member's bytes (empty when `error`)."""
        self.size = size
        """Its size in bytes."""
        self.error = error
        """Why a member that looks like a binary was not inspected ("" when it was)."""


def _too_big(name: str, size: int) -> str:
    """Why member `name` of `size` bytes cannot be copied out, or ""."""
    if size > MEMBER_LIMIT:
        return f"{size} bytes: over the {MEMBER_LIMIT >> 30} GiB cgotrap reads from an archive"
    if size <= MEMORY_LIMIT:
        return ""
    import shutil
    import tempfile

    folder = tempfile.gettempdir()
    try:
        free = shutil.disk_usage(folder).free
    except OSError:
        return ""
    if size + _FREE_SPACE_MARGIN > free:
        return f"{size} bytes: no room to copy it to {folder} ({free} bytes free)"
    return ""


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
        with open_regular(path) as raw:
            if path.lower().endswith(".zip"):
                yield from _zip_members(raw, wanted)
            else:
                yield from _tar_members(raw, wanted)
    except BinaryReadError:
        raise
    except tarfile.ReadError as exc:
        raise BinaryReadError(f"unreadable archive: {_tar_words(exc)}") from exc
    except zipfile.BadZipFile as exc:
        raise BinaryReadError(f"unreadable archive: {_zip_words(exc)}") from exc
    except (tarfile.TarError, zipfile.LargeZipFile) as exc:
        raise BinaryReadError(f"unreadable archive: {_one_line(exc)}") from exc
    except (EOFError, struct.error) as exc:
        raise BinaryReadError("unreadable archive: cut short") from exc
    except zlib.error as exc:
        raise BinaryReadError("unreadable archive: corrupt compressed data") from exc
    except OSError as exc:
        raise BinaryReadError(f"unreadable archive: {exc.strerror or _one_line(exc)}") from exc
    except (ValueError, NotImplementedError, RuntimeError, OverflowError) as exc:
        raise BinaryReadError(f"unreadable archive: {_one_line(exc)}") from exc


_REPR = re.compile(r"<[^<>]* at 0x[0-9a-fA-F]+>")


def _one_line(exc: BaseException) -> str:
    """A library's exception as one short line without object reprs."""
    text = _REPR.sub("an object", " ".join(str(exc).split()))[:200]
    return text or type(exc).__name__


def _tar_words(exc: BaseException) -> str:
    text = str(exc)
    if "could not be opened successfully" in text:  # tarfile's one line per method tried
        return "not a tar archive (plain, gzip, bzip2 or xz)"
    if text == "empty file":
        return "empty file"
    return f"corrupt tar archive ({_one_line(exc)})"


def _zip_words(exc: BaseException) -> str:
    if str(exc) == "File is not a zip file":
        return "not a zip archive"
    return f"corrupt zip archive ({_one_line(exc)})"


def _bounded_tarinfo() -> type[Any]:
    """A TarInfo that refuses oversized pax and GNU long-name headers before reading them.

    (Overrides tarfile's `_proc_pax`/`_proc_gnulong`, the only readers of such headers,
    stable since Python 3.2; without it a 100-byte .tar.gz can describe a gigabyte name.)
    """
    import tarfile

    class BoundedTarInfo(tarfile.TarInfo):
        def _check(self, tar: Any) -> None:
            if self.size > MAX_HEADER_BYTES:
                raise BinaryReadError(
                    f"unreadable archive: a {self.size}-byte tar header "
                    f"(at most {MAX_HEADER_BYTES} read)"
                )
            total = getattr(tar, "_cgotrap_metadata", 0) + self.size
            if total > MAX_METADATA_BYTES:
                raise BinaryReadError(
                    f"unreadable archive: more than {MAX_METADATA_BYTES} bytes of tar headers"
                )
            tar._cgotrap_metadata = total  # our own counter on the TarFile

        def _proc_pax(self, tarfile: Any) -> Any:
            self._check(tarfile)
            return super()._proc_pax(tarfile)  # type: ignore[misc]  # private API

        def _proc_gnulong(self, tarfile: Any) -> Any:
            self._check(tarfile)
            return super()._proc_gnulong(tarfile)  # type: ignore[misc]  # private API

    return BoundedTarInfo


def _tar_members(raw: BinaryIO, wanted: Callable[[bytes], bool]) -> Iterator[Member]:
    import tarfile

    with tarfile.open(fileobj=raw, mode="r:*", tarinfo=_bounded_tarinfo()) as tar:
        seen: list[Any] = getattr(tar, "members", [])  # tarfile keeps every TarInfo read
        count = 0
        while (info := tar.next()) is not None:
            seen.clear()  # one member's metadata in memory at a time
            count += 1
            if count > MAX_MEMBERS:
                raise BinaryReadError(f"unreadable archive: more than {MAX_MEMBERS} members")
            if not info.isfile():
                continue
            source = tar.extractfile(info)
            if source is None:
                continue
            with contextlib.ExitStack() as stack, source:
                head = source.read(16)
                if not wanted(head):
                    continue
                if why := _too_big(info.name, info.size):
                    yield Member(info.name, io.BytesIO(), info.size, error=f"not inspected: {why}")
                    continue
                file, size = _spool(source, info.size, stack, head)
                yield Member(info.name, file, size)


def _zip_directory_size(raw: BinaryIO) -> tuple[int, int] | None:
    """(entries, central directory bytes) from the end records, before zipfile reads them."""
    import zipfile

    end_record = getattr(zipfile, "_EndRecData", None)  # private, stable since Python 2
    if end_record is None:
        return None
    found = end_record(raw)
    if not found:
        return None
    raw.seek(0)
    return int(found[4]), int(found[5])  # _ECD_ENTRIES_TOTAL, _ECD_SIZE


def _zip_members(raw: BinaryIO, wanted: Callable[[bytes], bool]) -> Iterator[Member]:
    import zipfile

    sizes = _zip_directory_size(raw)
    if sizes is not None:
        entries, directory = sizes
        if entries > MAX_MEMBERS:
            raise BinaryReadError(f"unreadable archive: {entries} members (at most {MAX_MEMBERS})")
        if directory > MAX_METADATA_BYTES:
            raise BinaryReadError(
                f"unreadable archive: a {directory}-byte zip directory "
                f"(at most {MAX_METADATA_BYTES} read)"
            )
    with zipfile.ZipFile(raw) as archive:
        for count, info in enumerate(archive.infolist()):
            if count >= MAX_MEMBERS:
                raise BinaryReadError(f"unreadable archive: more than {MAX_MEMBERS} members")
            if info.is_dir():
                continue
            with contextlib.ExitStack() as stack, archive.open(info) as source:
                head = source.read(16)
                if not wanted(head):
                    continue
                if why := _too_big(info.filename, info.file_size):
                    yield Member(
                        info.filename, io.BytesIO(), info.file_size, error=f"not inspected: {why}"
                    )
                    continue
                file, size = _spool(source, info.file_size, stack, head)
                yield Member(info.filename, file, size)
