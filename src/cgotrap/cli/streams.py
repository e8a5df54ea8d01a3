"""The standard streams, as every command writes them.

- stdout and stderr may be closed (`>&-`, `2>&-`): a closed descriptor gets /dev/null put on
  it before anything is opened (otherwise the first file cgotrap opens would become "stdout"
  and receive the output), a closed stdout is an `OutputError` (exit 4), a closed stderr
  silences messages (they never go to stdout instead).
- A write that fails (`>/dev/full`: ENOSPC) is an `OutputError`, one line; a reader that
  left (`| head`) is not an error: `BrokenPipeError` passes through for `main` to end quietly.
"""

from __future__ import annotations

import contextlib
import os
import sys
from collections.abc import Iterator
from typing import TextIO

from cgotrap.errors import OutputError


class Recording:
    """What a command wrote, in order, for replaying it later (`recorded`): ("out", text)
    for stdout, ("err", line) for a message line as `say` printed it, ("file", path, text)
    for `-o FILE`. `replayable` is False once something else was written (bytes, a rich
    console): the record would not be the whole output."""

    def __init__(self) -> None:
        self.events: list[tuple[str, ...]] = []
        self.replayable = True


_recording: Recording | None = None


@contextlib.contextmanager
def recorded() -> Iterator[Recording]:
    """Record what `say`, `write` and `output.emit` write while the block runs (they still
    write it)."""
    global _recording  # noqa: PLW0603 - the CLI's one output channel, as sys.stdout is
    outer, _recording = _recording, Recording()
    try:
        yield _recording
    finally:
        _recording = outer


def note(event: tuple[str, ...]) -> None:
    """Add `event` to the recording, if one is running."""
    if _recording is not None:
        _recording.events.append(event)


def unreplayable() -> None:
    """Something was written that a recording cannot hold."""
    if _recording is not None:
        _recording.replayable = False


def replay(events: list[tuple[str, ...]]) -> None:
    """Write a recording's stdout and stderr events again (`-o FILE` events are the
    caller's: `output.emit` writes them)."""
    for event in events:
        if event[0] == "out":
            write(event[1])
        elif event[0] == "err":
            _err_line(event[1])


def _is_open(fd: int) -> bool:
    try:
        os.fstat(fd)
    except OSError:
        return False
    return True


def guard() -> None:
    """Put /dev/null on closed standard descriptors; raise `OutputError` if stdout was closed.

    Must run before any file is opened: `open()` takes the lowest free descriptor.
    """
    closed = [fd for fd in (0, 1, 2) if not _is_open(fd)]
    for fd in closed:
        null = os.open(os.devnull, os.O_RDWR)
        if null != fd:
            os.dup2(null, fd)
            os.close(null)
    # (Python sets a stream to None when its descriptor was closed at start-up.)
    if 2 in closed or sys.stderr is None:
        sys.stderr = os.fdopen(2, "w", encoding="utf-8", closefd=False)
    if 0 in closed or sys.stdin is None:
        sys.stdin = os.fdopen(0, encoding="utf-8", closefd=False)
    if 1 in closed or sys.stdout is None:
        sys.stdout = os.fdopen(1, "w", encoding="utf-8", closefd=False)
        raise OutputError("standard output is closed: nowhere to write the answer")


def say(line: str) -> None:
    """Print one message line on stderr, never stdout; the names in it come from the scanned
    world, so controls are shown escaped (`render.untrusted.terminal`): one line stays one."""
    from cgotrap.render.untrusted import terminal

    shown = terminal(line)
    note(("err", shown))
    _err_line(shown)


def _err_line(shown: str) -> None:
    err: TextIO | None = sys.stderr
    if err is None:
        return
    with contextlib.suppress(OSError, ValueError):  # stderr full or closed: nothing to do
        err.write(shown + "\n")
        err.flush()


def output_error(exc: OSError) -> OutputError:
    """The one-line error of a failed write to stdout."""
    return OutputError(f"standard output: {exc.strerror or exc}")


def flush() -> None:
    """Flush stdout (before writing to its descriptor directly)."""
    try:
        sys.stdout.flush()
    except BrokenPipeError:
        raise
    except OSError as exc:
        raise output_error(exc) from exc


def write(text: str) -> None:
    """Write `text` to stdout and flush it; a failed write is an `OutputError`."""
    note(("out", text))
    try:
        sys.stdout.write(text)
        sys.stdout.flush()
    except BrokenPipeError:
        raise
    except OSError as exc:
        raise output_error(exc) from exc


def write_bytes(data: bytes) -> None:
    """Write `data` to stdout's binary buffer (or as text in tests) and flush it."""
    unreplayable()
    try:
        sys.stdout.flush()
        raw = getattr(sys.stdout, "buffer", None)
        if raw is None:
            sys.stdout.write(data.decode("utf-8", "surrogateescape"))
            sys.stdout.flush()
        else:
            raw.write(data)
            raw.flush()
    except BrokenPipeError:
        raise
    except OSError as exc:
        raise output_error(exc) from exc
