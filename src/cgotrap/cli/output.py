"""`--format` and `-o FILE` of the commands that produce findings, and the atomic write.

The text goes to stdout, or with `-o FILE` into FILE, written whole or not at all: into a
temporary file beside it, then renamed over it (a CI step reading the SARIF file never sees
half of one; a failed run never leaves a truncated report behind).
"""

from __future__ import annotations

import argparse
import contextlib
import os
import tempfile
from pathlib import Path

from cgotrap.cli import streams
from cgotrap.errors import InputError
from cgotrap.render.formats import OutputFormat


def add_arguments(parser: argparse.ArgumentParser, *, extra_formats: tuple[str, ...] = ()) -> None:
    """Add `--format` and `-o/--output` to a command's parser (`extra_formats`: formats only
    that command writes, such as inspect's jsonl)."""
    parser.add_argument(
        "--format",
        choices=[*(f.value for f in OutputFormat), *extra_formats],
        default=OutputFormat.TABLE.value,
        help="output format (default: table; json is versioned; sarif for code scanning, "
        "github annotations, markdown for a PR comment, junit, codeclimate for GitLab, "
        "html a single-file report)",
    )
    parser.add_argument(
        "-o",
        "--output",
        default=None,
        metavar="FILE",
        help="write the output into FILE (atomically) instead of stdout",
    )


def write_atomically(path: Path, text: str) -> None:
    """Write `text` into `path` whole or not at all (temporary file, then rename).

    A `path` that exists and is no regular file (`-o /dev/null`, `/dev/stdout`, a FIFO) is
    written into as it is: renaming over it would replace the device with a file."""
    if path.exists() and not path.is_file():
        try:
            with path.open("w", encoding="utf-8", errors="surrogateescape", newline="") as out:
                out.write(text)
        except OSError as exc:
            raise InputError(f"{path}: cannot write: {exc.strerror or exc}") from exc
        return
    directory = path.parent if str(path.parent) else Path()
    try:
        fd, name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=directory)
    except OSError as exc:
        raise InputError(f"{path}: cannot write: {exc.strerror or exc}") from exc
    temp = Path(name)
    try:
        umask = os.umask(0o022)
        os.umask(umask)
        os.fchmod(fd, 0o666 & ~umask)  # as open() would have made it, not mkstemp's 0600
        with os.fdopen(fd, "w", encoding="utf-8", errors="surrogateescape", newline="") as out:
            out.write(text)
            out.flush()
            os.fsync(out.fileno())
        temp.replace(path)
    except OSError as exc:
        with contextlib.suppress(OSError):
            temp.unlink()
        raise InputError(f"{path}: cannot write: {exc.strerror or exc}") from exc
    except BaseException:
        with contextlib.suppress(OSError):
            temp.unlink()
        raise


def repository_base(directory: Path) -> str:
    """`directory` relative to the root of the git checkout it is in ("examples/m"; "" at
    the root, or outside any checkout): the reports' paths must start from the checkout's
    root for GitHub and GitLab to place them. Found by looking for `.git` upwards."""
    here = directory.resolve()
    for parent in (here, *here.parents):
        if (parent / ".git").exists():
            relative = here.relative_to(parent).as_posix()
            return "" if relative == "." else relative
    return ""


def emit(text: str, output: str | None) -> None:
    """`text` to stdout, or into the file `output`."""
    if output is None:
        streams.write(text)  # a full or closed stdout: one line, exit 4
    else:
        streams.note(("file", output, text))
        write_atomically(Path(output), text)


def replay(events: list[tuple[str, ...]]) -> None:
    """Write a recording (`streams.recorded`) again: stdout, stderr and `-o FILE`, in order."""
    for event in events:
        if event[0] == "file":
            write_atomically(Path(event[1]), event[2])
        else:
            streams.replay([event])
