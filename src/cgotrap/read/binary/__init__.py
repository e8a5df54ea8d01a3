"""Binaries: what a built Go executable is (format, linkage, Go build info), from any host.

`inspect_inputs(["dist", "app.exe", "app.tar.gz"])` yields one `Inspected` per binary: files,
directories (recursive, lexical order; non-binaries skipped quietly) and release archives
(members read in place). A file that cannot be read is an `Inspected` with a one-line
`error`, and the run goes on.

Paths are plain strings through `os` here, not `pathlib` (whose import, ~3 ms, was a tenth of
what a run over a release folder spends starting up).
"""

from __future__ import annotations

import dataclasses
import functools
import os
import stat
from collections.abc import Callable, Iterable, Iterator
from typing import BinaryIO, assert_never

from cgotrap.inputs import NotRegularFileError, open_regular
from cgotrap.read.binary.archive import is_archive, iter_members
from cgotrap.read.binary.buildinfo import BuildInfo, BuildInfoError, read_build_info
from cgotrap.read.binary.interface import (
    BinaryFormat,
    BinaryReadError,
    FormatReader,
    Image,
    Linkage,
    NotABinaryError,
    cgo_evidence,
    format_of,
)

# Bound on directory walking: entries visited, and depth.
MAX_DIR_ENTRIES = 1_000_000
MAX_DEPTH = 64


@dataclasses.dataclass(frozen=True, kw_only=True, slots=True)
class WalkBounds:
    """How far `inspect DIR` walks (`inspect /` would otherwise read every file for minutes)."""

    max_depth: int = MAX_DEPTH
    """Directories deeper than this below the named one are not entered."""
    max_files: int = 200_000
    """Files looked at (a few bytes each for non-binaries); the walk stops after this many."""
    max_bytes: int = 64 << 30
    """Total size of the files looked at; the walk stops when it is passed."""
    cross_filesystems: bool = False
    """Enter directories on another filesystem (`/proc`, `/sys`, mounts), as `find -xdev` not."""


class WalkLog:
    """What a walk saw and what it cut, filled as it goes (read by the caller afterwards).

    `on_file`, when given, is called with every file path before it is read: the CLI
    shows progress with it (the walk itself never prints).
    """

    def __init__(self, on_file: Callable[[str], None] | None = None) -> None:
        self.on_file = on_file
        self.files = 0
        self.bytes = 0
        self.cuts: list[str] = []
        """One line per cut, in the project's words ("/: stopped after 200000 files ...")."""
        self.incomplete = False
        """A depth, file-count or byte bound cut the walk (not only other filesystems)."""


@functools.cache
def reader(fmt: BinaryFormat) -> FormatReader:
    """The reader of `fmt`, imported on first use (each library costs ~40 ms to import)."""
    match fmt:
        case BinaryFormat.ELF:
            from cgotrap.read.binary.elf import ElfReader

            return ElfReader()
        case BinaryFormat.MACHO:
            from cgotrap.read.binary.macho import MachOReader

            return MachOReader()
        case BinaryFormat.PE:
            from cgotrap.read.binary.pe import PeReader

            return PeReader()
        case _ as unreachable:
            assert_never(unreachable)


def reader_for(head: bytes) -> FormatReader | None:
    """The reader whose magic starts `head` (the first 16 bytes of a file)."""
    fmt = format_of(head)
    return None if fmt is None else reader(fmt)


def is_binary_head(head: bytes) -> bool:
    """Whether 16 bytes start an ELF, Mach-O or PE file."""
    return format_of(head) is not None


def read_image(file: BinaryIO, size: int) -> Image:
    """Parse the headers of an open binary; `NotABinaryError` if it is none of our formats."""
    file.seek(0)
    head = file.read(16)
    reader = reader_for(head)
    if reader is None:
        raise NotABinaryError("not an ELF, Mach-O or PE file")
    return reader.read(file, size)


@dataclasses.dataclass(frozen=True, kw_only=True, slots=True)
class Inspected:
    """One inspected binary (or a file that failed to read as one)."""

    name: str
    """As the user named it: "dist/app", or "dist/app.tar.gz!app/app" for an archive member."""
    size: int = 0
    """File size in bytes."""
    linkage: Linkage | None = None
    """Linkage facts; None when the file could not be read."""
    build_info: BuildInfo | None = None
    """Go build info; None for a non-Go binary or stripped build info."""
    build_info_error: str = ""
    """Why there is no build info ("not a Go executable"); "" when there is."""
    error: str = ""
    """One-line reason the file could not be read at all; "" when it was."""

    @property
    def goos(self) -> str:
        """GOOS: the build info's, else what the file format says ("" if unknown)."""
        if self.build_info is not None:
            found = self.build_info.setting("GOOS")
            if found:
                return found
        return self.linkage.os if self.linkage is not None else ""

    @property
    def goarch(self) -> str:
        """GOARCH: the build info's, else the file's machine."""
        if self.build_info is not None:
            found = self.build_info.setting("GOARCH")
            if found:
                return found
        return self.linkage.arch if self.linkage is not None else ""

    @property
    def cgo(self) -> bool | None:
        """Whether cgo is linked in: the build info's CGO_ENABLED, else symbol evidence.

        None when neither says (a stripped non-Go binary has no verdict).
        """
        if self.build_info is not None:
            found = self.build_info.setting("CGO_ENABLED")
            if found is not None:
                return found == "1"
        if self.linkage is None:
            return None
        if self.linkage.cgo_evidence:
            return True
        return False if self.build_info is not None else None


def inspect_file(name: str, file: BinaryIO, size: int) -> Inspected:
    """Inspect one open file; every read problem becomes `Inspected.error`."""
    try:
        image = read_image(file, size)
    except BinaryReadError as exc:
        return Inspected(name=name, size=size, error=str(exc))
    try:
        info: BuildInfo | None = read_build_info(image)
        info_error = ""
    except BuildInfoError as exc:
        info, info_error = None, str(exc)
    linkage = image.linkage
    # Symbols are read unless the build info says CGO_ENABLED=0: with CGO_ENABLED=1 they
    # say whether runtime/cgo is really linked (a program importing no cgo package has none).
    if info is None or info.setting("CGO_ENABLED") != "0":
        try:
            found = cgo_evidence(file, image.symbol_tables, image.pclntabs)
        except BinaryReadError as exc:
            return Inspected(name=name, size=size, error=str(exc))
        linkage = dataclasses.replace(linkage, cgo_evidence=linkage.cgo_evidence + found)
    return Inspected(
        name=name,
        size=size,
        linkage=linkage,
        build_info=info,
        build_info_error=info_error,
    )


def _inspect_path(name: str, *, quiet: bool) -> Iterator[Inspected]:
    try:
        mode = os.stat(name).st_mode  # noqa: PTH116  # str paths, see the module docstring
    except OSError as exc:
        yield Inspected(name=name, error=exc.strerror or str(exc))
        return
    if not stat.S_ISREG(mode):  # a FIFO, socket or device named on the command line
        if not quiet:
            yield Inspected(name=name, error=NotRegularFileError(name, mode).strerror or "")
        return
    if is_archive(name):
        try:
            for member in iter_members(name, is_binary_head):
                member_name = f"{name}!{member.name}"
                if member.error:
                    yield Inspected(name=member_name, size=member.size, error=member.error)
                else:
                    yield inspect_file(member_name, member.file, member.size)
        except BinaryReadError as exc:
            yield Inspected(name=name, error=str(exc))
        return
    try:
        with open_regular(name) as file:
            size = os.fstat(file.fileno()).st_size
            result = inspect_file(name, file, size)
    except OSError as exc:
        yield Inspected(name=name, error=exc.strerror or str(exc))
        return
    if quiet and result.error and result.linkage is None and _not_binary(result):
        return
    yield result


def _not_binary(result: Inspected) -> bool:
    return result.error == "not an ELF, Mach-O or PE file"


def walk(root: str, bounds: WalkBounds | None = None, log: WalkLog | None = None) -> Iterator[str]:
    """Regular files (and symlinks to them) under `root`, in Go's `filepath.WalkDir` order:
    lexical within a directory, a subdirectory's files where its name sorts.

    Without `bounds` the walk is go's (`go version -m DIR`: depth and entries capped only
    against loops). With them it stops where they say and records each cut in `log`.
    """
    log = log if log is not None else WalkLog()
    count = 0
    deep: list[str] = []
    other_fs: list[str] = []
    max_depth = bounds.max_depth if bounds is not None else MAX_DEPTH
    try:
        root_dev = os.stat(root).st_dev  # noqa: PTH116  # str paths
    except OSError:
        return
    stopped = ""

    def visit(directory: str, depth: int) -> Iterator[str]:
        nonlocal count, stopped
        try:
            # byte order, as Go sorts (a non-UTF-8 name is a surrogate escape in a str)
            names = sorted(os.listdir(directory), key=os.fsencode)  # noqa: PTH208  # str paths
        except OSError:
            return
        for entry in names:
            count += 1
            if count > MAX_DIR_ENTRIES:
                stopped = stopped or f"stopped after {MAX_DIR_ENTRIES} directory entries"
            if stopped:
                return
            # Go's filepath.Join cleans: WalkDir(".") yields "app", WalkDir("d/") "d/app"
            path = os.path.normpath(os.path.join(directory, entry))  # noqa: PTH118  # str, cleaned
            try:
                st = os.lstat(path)
            except OSError:
                continue
            if stat.S_ISDIR(st.st_mode):
                if bounds is not None and not bounds.cross_filesystems and st.st_dev != root_dev:
                    other_fs.append(path)
                elif depth + 1 > max_depth:
                    deep.append(path)
                else:
                    yield from visit(path, depth + 1)
            elif stat.S_ISREG(st.st_mode) or stat.S_ISLNK(st.st_mode):
                if bounds is not None:
                    if log.files >= bounds.max_files:
                        stopped = f"stopped after {bounds.max_files} files (--max-files)"
                        return
                    if log.bytes + st.st_size > bounds.max_bytes:
                        stopped = f"stopped after {log.bytes} bytes of files (--max-bytes)"
                        return
                log.files += 1
                log.bytes += st.st_size
                if log.on_file is not None:
                    log.on_file(path)
                yield path

    yield from visit(root, 0)
    if bounds is None:
        return
    if stopped:
        log.cuts.append(f"{root}: {stopped}; the rest was not inspected")
        log.incomplete = True
    if deep:
        log.cuts.append(
            f"{root}: {_directories(len(deep))} deeper than {max_depth} levels not walked "
            f"(first: {deep[0]}; --max-depth)"
        )
        log.incomplete = True
    if other_fs:
        shown = ", ".join(other_fs[:3]) + (", ..." if len(other_fs) > 3 else "")
        log.cuts.append(
            f"{root}: {_directories(len(other_fs))} on other filesystems not walked "
            f"({shown}; --cross-filesystems)"
        )


def _directories(n: int) -> str:
    return "1 directory" if n == 1 else f"{n} directories"


# Below this many files a worker pool costs more than it saves.
PARALLEL_THRESHOLD = 24


def _tasks(inputs: Iterable[str], bounds: WalkBounds, log: WalkLog) -> Iterator[tuple[str, bool]]:
    """(path, quiet) for every file to inspect; a missing input as (name, False)."""
    for name in inputs:
        if os.path.isdir(name):  # noqa: PTH112  # str paths, see the module docstring
            for file in walk(name, bounds, log):
                if os.path.isfile(file):  # noqa: PTH113  # str paths
                    yield file, True
        else:
            yield name, False


def _run_task(task: tuple[str, bool]) -> list[Inspected]:
    name, quiet = task
    try:
        os.stat(name)  # noqa: PTH116  # str paths, see the module docstring
    except OSError as exc:  # "no such file or directory", "file name too long", ...
        return [Inspected(name=name, error=(exc.strerror or str(exc)).lower())]
    return list(_inspect_path(name, quiet=quiet))


def default_jobs() -> int:
    """Worker processes to use: the CPUs this process may run on, at most 8."""
    try:
        cpus = len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        cpus = os.cpu_count() or 1
    return max(1, min(cpus, 8))


def inspect_inputs(
    inputs: Iterable[str],
    *,
    jobs: int = 1,
    bounds: WalkBounds | None = None,
    log: WalkLog | None = None,
) -> Iterator[Inspected]:
    """Inspect files, directories and archives, in the order given.

    Directories are walked within `bounds` (default `WalkBounds()`); `log` gets the counts
    and what was cut. With `jobs` 1 results come as the walk finds them; with `jobs` > 1
    and many files, files are read by a pool of forked worker processes (results still come
    in input order); parsing is CPU-bound Python, so threads would not help.
    """
    lazy = _tasks(inputs, bounds or WalkBounds(), log if log is not None else WalkLog())
    if jobs <= 1:
        for task in lazy:
            yield from _run_task(task)
        return
    tasks = list(lazy)
    if len(tasks) >= PARALLEL_THRESHOLD and _can_fork():
        import concurrent.futures
        import multiprocessing

        for fmt in BinaryFormat:  # import the libraries once, before forking
            reader(fmt)
        context = multiprocessing.get_context("fork")
        with concurrent.futures.ProcessPoolExecutor(jobs, mp_context=context) as pool:
            chunk = max(1, len(tasks) // (jobs * 4))
            for results in pool.map(_run_task, tasks, chunksize=chunk):
                yield from results
        return
    for task in tasks:
        yield from _run_task(task)


def _can_fork() -> bool:
    import multiprocessing

    return "fork" in multiprocessing.get_all_start_methods()


@dataclasses.dataclass(frozen=True, kw_only=True, slots=True)
class GoVersionM:
    """What `go version -m ARGS...` writes, byte for byte, and its exit status."""

    stdout: bytes
    """Standard output."""
    stderr: bytes
    """Standard error."""
    exit_code: int
    """0, or 1 when a file argument was no readable Go binary."""


def _go_candidate(name: str, st: os.stat_result) -> bool:
    # cmd/go/internal/version.isGoBinaryCandidate
    if stat.S_ISREG(st.st_mode) and st.st_mode & 0o111:
        return True
    lower = name.lower()
    return lower.endswith((".so", ".exe", ".dll")) or ".so." in lower


def _go_scan_file(name: str, must_print: bool, out: list[str], err: list[str]) -> bool:
    """cmd/go's scanFile: append what go prints, return whether it was a Go binary."""
    from cgotrap.read.binary.buildinfo import go_version_m_text

    try:
        st = os.stat(name)  # noqa: PTH116  # the name exactly as go is given it
    except OSError:
        if must_print:
            err.append(f"{name}: symlink\n")
        return False
    if not stat.S_ISREG(st.st_mode):
        if must_print and os.path.islink(name):  # noqa: PTH114  # the name as go is given it
            err.append(f"{name}: symlink\n")
        return False
    try:
        with open_regular(name) as file:  # the name as go is given it; a FIFO swapped in: refused
            try:
                image = read_image(file, st.st_size)
                info = read_build_info(image, strict=True)
            except NotABinaryError:
                message = "unrecognized file format"
            except BuildInfoError as exc:
                message = str(exc)
            except BinaryReadError:
                message = "unrecognized file format"
            else:
                out.append(go_version_m_text(name, info))
                return True
    except OSError:
        if must_print:
            err.append(f"{name}\n")
        return False
    if must_print and _go_candidate(name, st):
        err.append(f"{name}: could not read Go build info from {name}: {message}\n")
    return False


def go_version_m(args: Iterable[str]) -> GoVersionM:
    """Emulate `go version -m ARGS...` (cmd/go/internal/version.runVersion)."""
    out: list[str] = []
    err: list[str] = []
    code = 0
    for arg in args:
        try:
            st = os.stat(arg)  # noqa: PTH116  # the name exactly as go is given it
        except OSError as exc:
            err.append(f"stat {arg}: {(exc.strerror or str(exc)).lower()}\n")
            code = 1
            continue
        if stat.S_ISDIR(st.st_mode):
            for file in walk(arg):
                _go_scan_file(file, False, out, err)
        elif not _go_scan_file(arg, True, out, err):
            code = 1
    return GoVersionM(
        stdout="".join(out).encode("utf-8", "surrogateescape"),
        stderr="".join(err).encode("utf-8", "surrogateescape"),
        exit_code=code,
    )
