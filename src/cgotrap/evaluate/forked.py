"""Run a function over many items with this process and one forked helper, sharing a queue.

Directory scanning is pure-Python CPU work (reading a file's header, evaluating its
constraints for every target), so threads would not help; a second process does. The helper
is forked: it starts with everything this process has (contexts, caches) at no copy cost and
needs none of its inputs pickled. The two take work from one queue, a pipe of fixed-size
records (a run of item numbers) written before the fork (a read of one record's size from
a pipe that holds whole records gets one whole record, so each goes to exactly one
process), which balances them however uneven the items are; items known only later (a
directory walk's) are added while the helper has started on the others. The helper sends
each result as soon as it has it (a length-prefixed pickle); between its own items this
process takes in what has arrived, so at the end little is left to wait for.

Anything unusual makes it a plain sequential map: no `os.fork` (Windows), threads running
(forking then is unsafe), few items, or a helper that dies (whatever it had not sent is then
computed here).
"""

from __future__ import annotations

import _thread
import contextlib
import dataclasses
import functools
import io
import operator
import os
import pickle
import select
import signal
import struct
import sys
import types
from collections.abc import Callable, Iterator, Mapping, Sequence
from typing import Any, NamedTuple, NoReturn, TypeVar

from cgotrap.errors import WorkerError

_T = TypeVar("_T")
_R = TypeVar("_R")

MIN_ITEMS = 128
"""Fewer items than this are not worth a fork (~10 ms with a large heap) and the pickling."""

# Queue records, (first item, end) each: at most this many, so that the queue fits a 16 KiB
# pipe (the smallest default, macOS's) and writing it can never block. Those of `more`'s
# items (at most `_MAX_LATER_RECORDS` of the lot) are written after the fork, by writes of
# at most PIPE_BUF bytes (512 or more): each reaches the pipe whole, so a reader of one
# record never sees part of one.
_RECORD = struct.Struct("=II")
_MAX_RECORDS = 2047
_MAX_LATER_RECORDS = 512
_PIPE_BUF_RECORDS = 64
_MIN_CHUNK = 4
"""Items per queue record at least: the helper's results come back as one pickle per record,
and each pickle costs its own setup on both sides (moby's 1.3k directory scans taken from
the helper: 53 ms to load one by one in this process, 38 ms by fours), while a record of a
few items leaves the two processes finishing as evenly as one item did."""
# A result frame: (first item number, byte length) then the pickle of the chunk's results.
_FRAME = struct.Struct("=IQ")

Reducers = Mapping[type, Callable[[Any], tuple[Any, ...]]]


def dataclass_reducers(
    *classes: type, rebuilders: Mapping[type, Callable[..., Any]] | None = None
) -> Reducers:
    """A pickle dispatch table for frozen slotted dataclasses: their field values as one
    tuple (read in C), about twice as fast both ways as dataclasses' own per-field state.

    `rebuilders`: for a class with many small instances (a source position), a module-level
    function that takes the field values in order and returns the object; it is pickled
    as that one call, which halves the cost again on both sides."""
    table: dict[type, Callable[[Any], tuple[Any, ...]]] = {}
    rebuilders = rebuilders or {}
    for cls in (*classes, *rebuilders):
        names = tuple(f.name for f in dataclasses.fields(cls))
        if len(names) < 2:  # attrgetter gives a tuple for two names or more
            raise ValueError(f"{cls.__name__}: a dataclass of two fields or more is expected")
        values = operator.attrgetter(*names)
        rebuild = rebuilders.get(cls)
        table[cls] = (
            _reducer(cls, names, values) if rebuild is None else _call_reducer(rebuild, values)
        )
    return table


def _call_reducer(
    rebuild: Callable[..., Any], values: Callable[[Any], Any]
) -> Callable[[Any], tuple[Any, ...]]:
    def reduce(obj: Any) -> tuple[Any, ...]:
        return rebuild, values(obj)

    return reduce


def _reducer(
    cls: type, names: tuple[str, ...], values: Callable[[Any], Any]
) -> Callable[[Any], tuple[Any, ...]]:
    def reduce(obj: Any) -> tuple[Any, ...]:
        return _rebuild, (cls, names, values(obj))  # (names: pickled once, then a reference)

    return reduce


def _rebuild(cls: type, names: tuple[str, ...], values: tuple[Any, ...]) -> Any:
    obj: Any = object.__new__(cls)
    for set_field, value in zip(_setters(cls, names), values, strict=True):
        set_field(obj, value)
    return obj


@functools.cache
def _setters(cls: type, names: tuple[str, ...]) -> tuple[Callable[[Any, Any], None], ...]:
    """How `_rebuild` sets each field of a `cls` (frozen: the class's own __setattr__
    refuses): a slot's descriptor, called straight (~1/3 faster than object.__setattr__
    by name: DirFacts' 35 fields, 2.2 instead of 3.4 us an object), else
    object.__setattr__."""
    out: list[Callable[[Any, Any], None]] = []
    for name in names:
        slot = next((k.__dict__[name] for k in cls.__mro__ if name in k.__dict__), None)
        if isinstance(slot, types.MemberDescriptorType):
            out.append(slot.__set__)
        else:
            out.append(functools.partial(_set_by_name, name))
    return tuple(out)


def _set_by_name(name: str, obj: object, value: object) -> None:
    object.__setattr__(obj, name, value)


def forked_map(
    items: Sequence[_T],
    fn: Callable[[_T], _R],
    *,
    reducers: Reducers | None = None,
    min_items: int = MIN_ITEMS,
    more: Callable[[], Sequence[_T]] | None = None,
    follow: Callable[[_R], Sequence[_T]] | None = None,
    frames: list[Frame] | None = None,
) -> list[_R]:
    """`[fn(x) for x in items]`, computed by this process and a forked helper together.

    `fn` must not rely on side effects in this process (the helper's are lost), and its
    results must pickle (`reducers`: a dispatch table for the helper's pickler). Results
    come back in item order. Further items (which must pickle) are mapped too, their
    results after those of `items`, in the order they were added: those `more` gives,
    called here once the helper has started on `items` (a directory walk, while the helper
    scans what was known before it), and those `follow` gives for a result, called here on
    each as it comes (the directories a scanned package imports; it never gives an item
    twice: that is the caller's to keep). `frames`: where the helper's results go as they
    came, pickled (`Frame`), for a caller that keeps them pickled (a cache file) and need
    not pickle them again.
    """
    if len(items) < min_items or not _can_fork():
        every = [*items, *(more() if more is not None else ())]
        if len(every) >= min_items and _can_fork():  # (enough with `more`'s)
            return forked_map(
                every, fn, reducers=reducers, min_items=min_items, follow=follow, frames=frames
            )
        out: list[_R] = []
        while len(out) < len(every):  # (what `follow` gives is appended as it goes)
            out.append(fn(every[len(out)]))
            if follow is not None:
                every.extend(follow(out[-1]))
        return out
    growing = more is not None or follow is not None
    queue_r, queue_w = os.pipe()
    result_r, result_w = os.pipe()
    os.write(queue_w, _queue_records(0, len(items), _MAX_RECORDS))
    if not growing:
        os.close(queue_w)  # readers see the end of the queue once it is empty
    # The helper reads the items added later from this file (written before their records).
    later = _scratch_file() if growing else None
    sys.stdout.flush()
    sys.stderr.flush()
    pid = os.fork()
    if pid == 0:  # the helper: Ctrl-C ends it at once (the parent handles the interrupt)
        signal.signal(signal.SIGINT, signal.SIG_DFL)
        _drop_lifelines()
        os.close(result_r)
        if growing:
            os.close(queue_w)
        _helper(
            items,
            fn,
            queue_r=queue_r,
            result_w=result_w,
            reducers=reducers or {},
            later=later,
        )  # never returns
    os.close(result_w)
    results: dict[int, _R] = {}
    inbox = _Inbox(result_r, frames)
    every = list(items)
    finished = False
    try:
        queue = _Growing(queue_w, later) if later is not None else None
        if more is not None and queue is not None:
            queue.add(every, list(more()))
        if follow is None:
            if queue is not None:
                queue.close()
            for start, end in _records(queue_r):
                for i in range(start, end):
                    results[i] = fn(every[i])
                inbox.take(results, block=False)
            inbox.take(results, block=True)
        elif queue is not None:
            _follow_map(
                every, fn, follow, queue_r=queue_r, queue=queue, inbox=inbox, results=results
            )
        finished = True
    finally:
        os.close(queue_r)
        os.close(result_r)
        if later is not None:
            with contextlib.suppress(OSError):  # (closed already unless something failed)
                os.close(queue_w)
            os.close(later)
        if not finished:  # interrupted: the helper's work is of no use now
            _kill(pid)
        _reap(pid)
    # what a failed helper took and did not send is done here
    return [results[i] if i in results else fn(every[i]) for i in range(len(every))]


class _Growing:
    """The writing end of a queue that items are added to after the fork: each batch is
    appended to the file the helper reads them from, then queued."""

    def __init__(self, queue_w: int, later_fd: int) -> None:
        self.queue_w = queue_w
        self.later_fd = later_fd
        self.size = 0

    def add(self, every: list[Any], new: Sequence[Any]) -> None:
        """Append `new` to `every` and queue them."""
        if not new:
            return
        first = len(every)
        every.extend(new)
        data = pickle.dumps(list(new), protocol=pickle.HIGHEST_PROTOCOL)
        frame = memoryview(_LENGTH.pack(len(data)) + data)
        at = 0
        while at < len(frame):
            at += os.pwrite(self.later_fd, frame[at:], self.size + at)
        self.size += len(frame)
        records = _queue_records(first, len(every), _MAX_LATER_RECORDS)
        step = _PIPE_BUF_RECORDS * _RECORD.size
        for at in range(0, len(records), step):
            os.write(self.queue_w, records[at : at + step])

    def close(self) -> None:
        os.close(self.queue_w)
        self.queue_w = -1


def _follow_map(
    every: list[Any],
    fn: Callable[[Any], Any],
    follow: Callable[[Any], Sequence[Any]],
    *,
    queue_r: int,
    queue: _Growing,
    inbox: _Inbox,
    results: dict[int, Any],
) -> None:
    """This process's side of `forked_map` with `follow`: the queue is read without
    waiting (the helper waits for records on it); when it is empty and the helper still
    has items, their results are waited for, and what `follow` gives for them queued. Once
    every item has its result and nothing new came, the queue is closed: the helper ends."""
    os.set_blocking(queue_r, False)  # (the helper's end too: it waits with select)
    while True:
        record = _take_record(queue_r)
        fresh: list[int] = []
        if record is not None:
            for i in range(*record):
                results[i] = fn(every[i])
                fresh.append(i)
            inbox.take(results, block=False, fresh=fresh)
        elif len(results) < len(every) and not inbox.closed:
            select.select([inbox.fd], [], [])  # the helper's items: their results come
            inbox.take(results, block=False, fresh=fresh)
        else:
            break  # everything has come (or the helper died: the rest is done here)
        new: list[Any] = []
        for i in fresh:
            new.extend(follow(results[i]))
        queue.add(every, new)
    queue.close()
    inbox.take(results, block=True)


def _take_record(queue_r: int) -> tuple[int, int] | None:
    """The next queue record, None when the queue is empty now (or ended)."""
    try:
        record = os.read(queue_r, _RECORD.size)
    except BlockingIOError:
        return None
    if len(record) != _RECORD.size:
        return None
    got: tuple[int, int] = _RECORD.unpack(record)
    return got


def _queue_records(first: int, end: int, most: int) -> bytes:
    """The queue records of items first..end-1: at most `most` records of `_MIN_CHUNK`
    items or more."""
    chunk = max(_MIN_CHUNK, -(-(end - first) // most))
    return b"".join(_RECORD.pack(s, min(s + chunk, end)) for s in range(first, end, chunk))


def shared_queue(count: int) -> int:
    """A queue of the item numbers 0..`count - 1` for processes forked after it to share
    (`taken`): the read end of a pipe that holds all of them, in runs (`forked_map`'s
    records), its write end closed. Each run goes to the one process that reads it. The
    caller closes it once the processes are forked (or have run here)."""
    queue_r, queue_w = os.pipe()
    try:
        os.write(queue_w, _queue_records(0, count, _MAX_RECORDS))
    finally:
        os.close(queue_w)
    return queue_r


def taken(queue: int) -> Iterator[int]:
    """The item numbers this process takes from `queue` (`shared_queue`) until it is
    empty, run by run as they are asked for."""
    while True:
        record = os.read(queue, _RECORD.size)
        if len(record) != _RECORD.size:
            return
        yield from range(*_RECORD.unpack(record))


def in_turn(here: Callable[[], None], there: Callable[[], _T], emit: Callable[[_T], _R]) -> _R:
    """Run `here()` while a forked helper computes `there()`; once `here()` has returned,
    the helper runs `emit` on its value (writing its output after this process's) and what
    `emit` returns comes back. If the helper fails before its turn, this process does its
    part; an exception `emit` raises in the helper (BrokenPipeError...) is raised here.
    """
    if not _can_fork():
        here()
        return emit(there())
    go_r, go_w = os.pipe()
    status_r, status_w = os.pipe()
    sys.stdout.flush()
    sys.stderr.flush()
    pid = os.fork()
    if pid == 0:  # the helper
        signal.signal(signal.SIGINT, signal.SIG_DFL)
        _drop_lifelines()
        os.close(go_w)
        os.close(status_r)
        _take_turn(there, emit, go_r, status_w)  # never returns
    os.close(go_r)
    os.close(status_w)
    finished = False
    try:
        here()
        sys.stdout.flush()
        with contextlib.suppress(BrokenPipeError):  # it died before its turn: done here
            os.write(go_w, b"g")
        status = _read_all(status_r)
        finished = True
    finally:
        os.close(go_w)
        os.close(status_r)
        if not finished:  # interrupted, or `here` failed: the helper must not write now
            _kill(pid)
        _reap(pid)
    if not status.startswith(_STARTED):  # it failed before its turn: its part is done here
        return emit(there())
    try:
        kind, value = pickle.loads(status[len(_STARTED) :])  # noqa: S301  # our helper's
    except Exception as exc:  # it died while writing: the output is cut
        raise WorkerError("the helper process died while writing its part") from exc
    if kind == "error":
        raise value
    return value  # type: ignore[no-any-return]  # emit's result, pickled


_STARTED = b"S"


def _take_turn(
    there: Callable[[], _T], emit: Callable[[_T], _R], go_r: int, status_w: int
) -> NoReturn:
    code = 1
    try:
        if _turn(there, emit, go_r, status_w):
            code = 0
    except BaseException:  # noqa: BLE001, S110  # the parent sees no status and does the part
        pass
    finally:
        os._exit(code)  # no atexit handlers, no flushing of inherited buffers


def _turn(there: Callable[[], _T], emit: Callable[[_T], _R], go_r: int, status_w: int) -> bool:
    """The helper's side of `in_turn`; False when the parent gave up before its turn."""
    value = there()
    if os.read(go_r, 1) != b"g":  # the parent gave up: write nothing
        return False
    os.write(status_w, _STARTED)
    try:
        report: tuple[str, Any] = ("ok", emit(value))
    except Exception as exc:  # noqa: BLE001  # raised in the parent instead
        report = ("error", exc)
    sys.stdout.flush()
    try:
        data = pickle.dumps(report, protocol=pickle.HIGHEST_PROTOCOL)
    except Exception as exc:  # noqa: BLE001  # an unpicklable result or exception
        data = pickle.dumps(("error", WorkerError(f"{type(exc).__name__}: {exc}")))
    view = memoryview(data)
    while view:
        view = view[os.write(status_w, view) :]
    return True


def _read_all(fd: int) -> bytes:
    parts: list[bytes] = []
    while chunk := os.read(fd, 1 << 16):
        parts.append(chunk)
    return b"".join(parts)


def _can_fork() -> bool:
    """This process may fork: it can, and runs no thread but the main one (`_thread._count`:
    the threads `_thread` and so `threading` started and still running; a fork copies only
    the calling thread, and another's locks would stay held in the child). Unlike
    `threading.active_count` it does not import `threading` (~0.6 ms before a cold scan's
    helper forks)."""
    return hasattr(os, "fork") and _thread._count() == 0


def _scratch_file() -> int:
    """A new anonymous file's descriptor (the items added later: `_Growing` writes them by
    position, the helper reads them by position): a memfd where there is one (no `tempfile`
    import before a cold scan's helper forks: ~1.5 ms), else an unlinked temporary file."""
    memfd_create = getattr(os, "memfd_create", None)
    if memfd_create is not None:
        with contextlib.suppress(OSError):  # (a kernel without it, a sandbox refusing it)
            return int(memfd_create("cgotrap-items", os.MFD_CLOEXEC))
    import tempfile

    with tempfile.TemporaryFile() as f:
        return os.dup(f.fileno())


def _records(
    queue_r: int, pending: bytearray | None = None, result_w: int = -1
) -> Iterator[tuple[int, int]]:
    """Queue records, taken one at a time (the other process takes the others). An empty
    queue that has not ended (items are still being added) is waited for; meanwhile the
    results in `pending` go out on `result_w` as the pipe takes them."""
    while True:
        try:
            record = os.read(queue_r, _RECORD.size)
        except BlockingIOError:  # (the queue's reader may not wait: see `_follow_map`)
            writing = [result_w] if pending else []
            _, ready, _ = select.select([queue_r], writing, [])
            if ready and pending is not None:
                _send_some(result_w, pending)
            continue
        if len(record) != _RECORD.size:
            return
        yield _RECORD.unpack(record)


def _send_some(fd: int, pending: bytearray) -> None:
    """Write what the pipe takes of `pending` now, without waiting."""
    with contextlib.suppress(BlockingIOError):
        while pending:
            del pending[: os.write(fd, pending)]


def _helper(
    items: Sequence[_T],
    fn: Callable[[_T], _R],
    *,
    queue_r: int,
    result_w: int,
    reducers: Reducers,
    later: int | None,
) -> NoReturn:
    code = 1
    try:
        # Results are sent without ever waiting for the reader: while it is busy elsewhere
        # (`more`), they wait here, and the work goes on.
        os.set_blocking(result_w, False)
        pending = bytearray()
        every = list(items)
        read = 0  # (of the file of items added later)
        for start, end in _records(queue_r, pending, result_w):
            if end > len(every) and later is not None:  # added later: in the file by now
                got, read = _added(later, read)
                every.extend(got)
            done = [fn(every[i]) for i in range(start, end)]
            out = io.BytesIO()
            out.write(_FRAME.pack(start, 0))
            pickler = pickle.Pickler(out, protocol=pickle.HIGHEST_PROTOCOL)
            pickler.dispatch_table = reducers
            pickler.dump(done)
            frame = out.getbuffer()
            _FRAME.pack_into(frame, 0, start, len(frame) - _FRAME.size)
            pending += frame
            del frame
            _send_some(result_w, pending)
        os.set_blocking(result_w, True)
        while pending:
            del pending[: os.write(result_w, pending)]
        code = 0
    except BaseException:  # noqa: BLE001, S110  # the parent redoes whatever is missing
        pass
    finally:
        os._exit(code)  # no atexit handlers, no flushing of inherited buffers


def _added(fd: int, offset: int) -> tuple[list[Any], int]:
    """The items appended to the file since `offset` (`_Growing.add`'s frames), and the
    new offset."""
    size = os.fstat(fd).st_size
    parts: list[bytes] = []
    at = offset
    while at < size:
        chunk = os.pread(fd, size - at, at)
        if not chunk:
            break
        parts.append(chunk)
        at += len(chunk)
    data = b"".join(parts)
    out: list[Any] = []
    pos = 0
    while len(data) - pos >= _LENGTH.size:
        (length,) = _LENGTH.unpack_from(data, pos)
        if pos + _LENGTH.size + length > len(data):
            break
        out.extend(pickle.loads(data[pos + _LENGTH.size : pos + _LENGTH.size + length]))  # noqa: S301  # ours
        pos += _LENGTH.size + length
    return out, offset + pos


class Frame(NamedTuple):
    """Results of `forked_map`'s helper as it sent them: the pickle of the list of the
    results of items `first`..`end - 1` (loaded with `pickle.loads`; what it holds of the
    reducers are module-level functions)."""

    first: int
    end: int
    data: bytes


class _Inbox:
    """The helper's frames as they arrive on the result pipe (kept in `frames`, if given)."""

    def __init__(self, fd: int, frames: list[Frame] | None = None) -> None:
        self.fd = fd
        self.buffer = bytearray()
        self.closed = False
        self.frames = frames
        os.set_blocking(fd, False)

    def take(self, results: dict[int, Any], *, block: bool, fresh: list[int] | None = None) -> None:
        """Add every complete frame that has arrived (with `block`: all, to the end);
        `fresh`: where the item numbers of what was added go."""
        if block:
            os.set_blocking(self.fd, True)
        while not self.closed:
            try:
                data = os.read(self.fd, 1 << 20)
            except BlockingIOError:
                break
            if not data:
                self.closed = True
            self.buffer += data
            self._unpack(results, fresh)

    def _unpack(self, results: dict[int, Any], fresh: list[int] | None) -> None:
        buffer = self.buffer
        at = 0
        while len(buffer) - at >= _FRAME.size:
            start, size = _FRAME.unpack_from(buffer, at)
            end = at + _FRAME.size + size
            if end > len(buffer):
                break
            with memoryview(buffer) as view, view[at + _FRAME.size : end] as data:
                try:
                    done = pickle.loads(data)  # noqa: S301  # our helper's
                except Exception:  # noqa: BLE001  # cannot happen short of a bug: redo them here
                    done = []
                if self.frames is not None and done:
                    stop = start + len(done)
                    self.frames.append(Frame(first=start, end=stop, data=data.tobytes()))
            for offset, value in enumerate(done):
                results[start + offset] = value
            if fresh is not None:
                fresh.extend(range(start, start + len(done)))
            at = end
        del buffer[:at]


def _kill(pid: int) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.kill(pid, signal.SIGKILL)


def _reap(pid: int) -> int | None:
    """Wait for the child to end: its wait status (None: not this process's child)."""
    try:
        _, status = os.waitpid(pid, 0)
    except ChildProcessError:
        status = None
    lifeline = _LIFELINES.pop(pid, None)
    if lifeline is not None:  # (it has ended: closing its lifeline kills nothing)
        os.close(lifeline)
    return status


class Background:
    """A function running in a forked child (`in_background`); `result` takes what it
    returned as soon as it is sent, `join` waits for the child to end."""

    def __init__(self, pid: int | None, result_r: int | None, value: object = None) -> None:
        self.pid = pid
        self.result_r = result_r
        self.value = value
        self.ok = pid is None
        self._sent = pid is None
        """The value is here (computed in this process, or received whole)."""

    def result(self) -> tuple[bool, object]:
        """(Whether the function's value came, the value): once the child has sent it, which
        may be before it ends (`in_background`'s `then`); at once when it ran here."""
        if self.result_r is not None:
            try:
                data = _read_all(self.result_r)  # (to its end: the child closed the pipe)
            finally:
                os.close(self.result_r)
                self.result_r = None
            try:
                self.value = pickle.loads(data) if data else None  # noqa: S301  # our child's
                self._sent = bool(data)
            except Exception:  # noqa: BLE001  # cannot happen short of a bug: no result
                self.value, self._sent = None, False
        return self._sent, self.value if self._sent else None

    def join(self) -> tuple[bool, object]:
        """Wait for the child: (whether it succeeded, what the function returned); at once
        when it ran in this process or was joined before."""
        sent, value = self.result()  # (before waiting: it may fill the pipe)
        pid, self.pid = self.pid, None
        if pid is None:
            return self.ok, self.value if self.ok else None
        status = _reap(pid)
        self.ok = sent and status is not None and os.waitstatus_to_exitcode(status) == 0
        return self.ok, value if self.ok else None


def in_background(
    fn: Callable[[], object], *, then: Callable[[], object] | None = None
) -> Background:
    """Run `fn()` in a forked child while this process goes on: its side effects on files
    happen, those in memory are lost, its return value (pickled) comes back with `join`.
    `then`: run by the child after it has sent that value (`Background.result` has it
    while `then` still runs; `join` waits for both). Where forking is not safe, both run
    here. The caller must `join` the handle before it exits (no child outlives its
    parent's run; on Linux the kernel kills the child if the parent dies first). Ctrl-C
    ends the child at once with its work undone: `fn` and `then` must leave nothing torn
    behind (an atomic write). The child runs at the lowest CPU priority (nice 19): while
    the run keeps every core busy it waits, and it works in the gaps and once the run is
    done, instead of slowing the run down."""
    if not _can_fork():
        try:
            done = Background(None, None, fn())
            if then is not None:
                then()
        except Exception:  # noqa: BLE001  # as in a child: the run goes on without it
            done = Background(None, None)
            done.ok = done._sent = False
        return done
    result_r, result_w = os.pipe()

    def body() -> None:
        with contextlib.suppress(OSError):  # (it takes what the run leaves idle)
            os.nice(19)
        data = pickle.dumps(fn(), protocol=pickle.HIGHEST_PROTOCOL)
        view = memoryview(data)
        while view:
            view = view[os.write(result_w, view) :]
        if then is not None:
            os.close(result_w)  # the value is whole: this process's `result` has it now
            then()

    pid = _fork_child(body, closed=(result_r,))
    os.close(result_w)
    return Background(pid, result_r)


def _fork_child(body: Callable[[], None], *, closed: Sequence[int]) -> int:
    """Fork a child that closes `closed` (this process's ends of its pipes), dies with
    this process (Linux: `_die_with`), ends at once on Ctrl-C, runs `body` and exits with
    `os._exit` (0 when `body` returned; no atexit handler, no inherited buffer flushed);
    its pid. The caller reaps it with `_reap`."""
    sys.stdout.flush()
    sys.stderr.flush()
    lifeline = os.pipe() if _LINUX else None
    try:
        pid = os.fork()
    except BaseException:
        for fd in lifeline or ():
            os.close(fd)
        raise
    if pid == 0:  # the child
        code = 1
        try:
            signal.signal(signal.SIGINT, signal.SIG_DFL)
            for fd in closed:
                os.close(fd)
            _drop_lifelines()
            if lifeline is not None:
                os.close(lifeline[1])
                _die_with(lifeline[0])
            body()
            code = 0
        except BaseException:  # noqa: BLE001, S110  # the parent goes on without it
            pass
        finally:
            os._exit(code)
    if lifeline is not None:
        os.close(lifeline[0])
        _LIFELINES[pid] = lifeline[1]
    return pid


_LINUX = sys.platform.startswith("linux")

_LIFELINES: dict[int, int] = {}
"""The write ends of this process's children's lifelines, by child pid (`_die_with`):
held here alone until the child is reaped (`_reap`)."""


def _drop_lifelines() -> None:
    """In a child just forked: close the lifelines of its parent's other children (it
    must not keep them alive: they die when their parent does, not when it does)."""
    while _LIFELINES:
        os.close(_LIFELINES.popitem()[1])


def _die_with(lifeline: int) -> None:
    """Have the kernel kill this child when its parent dies, even by SIGKILL: `lifeline`
    is the read end of a pipe whose write end only the parent holds (`_LIFELINES`), and
    the kernel signals its owner when the last writer goes, which is SIGKILL here
    (F_SETOWN, F_SETSIG, O_ASYNC). A parent already gone shows as the pipe's end: the
    child ends at once. (PR_SET_PDEATHSIG does the same, but only through ctypes, whose
    import cost each child ~5 ms of CPU.) Elsewhere than Linux the child ends once its
    bounded work is done."""
    import fcntl

    try:
        fcntl.fcntl(lifeline, fcntl.F_SETOWN, os.getpid())
        fcntl.fcntl(lifeline, fcntl.F_SETSIG, signal.SIGKILL)
        fcntl.fcntl(lifeline, fcntl.F_SETFL, fcntl.fcntl(lifeline, fcntl.F_GETFL) | os.O_ASYNC)
    except OSError:
        return
    ended = select.poll()  # (not select: a descriptor past 1023 is fine)
    ended.register(lifeline, select.POLLIN)
    if ended.poll(0):  # its parent died before the request (the pipe's writer is gone)
        os._exit(1)


_LENGTH = struct.Struct("=Q")


class Channel:
    """One end of a two-way pipe between this process and a forked partner (`partner`):
    whole pickled messages, sent and received in turn (neither end sends while the other
    does, so a full pipe never blocks both)."""

    def __init__(self, read_fd: int, write_fd: int, reducers: Reducers | None = None) -> None:
        self._read_fd = read_fd
        self._write_fd = write_fd
        self._reducers = reducers or {}

    def send(self, value: object, *, reducers: Reducers | None = None) -> None:
        """Send `value`, pickled with `reducers` (default: the channel's)."""
        out = io.BytesIO()
        out.write(_LENGTH.pack(0))
        pickler = pickle.Pickler(out, protocol=pickle.HIGHEST_PROTOCOL)
        pickler.dispatch_table = self._reducers if reducers is None else reducers
        pickler.dump(value)
        frame = out.getbuffer()
        _LENGTH.pack_into(frame, 0, len(frame) - _LENGTH.size)
        view = memoryview(frame)
        try:
            while view:
                view = view[os.write(self._write_fd, view) :]
        except BrokenPipeError as exc:
            raise WorkerError("the helper process ended early") from exc
        finally:
            del view, frame

    def recv(self) -> Any:
        """The next message; WorkerError when the other end ended without sending it."""
        size = _LENGTH.unpack(self._read_exactly(_LENGTH.size))[0]
        try:
            return pickle.loads(self._read_exactly(size))  # noqa: S301  # our partner's
        except WorkerError:
            raise
        except Exception as exc:  # cannot happen short of a bug
            raise WorkerError(f"a message from the helper process was unreadable: {exc}") from exc

    def waiting(self) -> bool:
        """Whether `recv` would not block: a message is (at least partly) there, or the
        other end has ended."""
        import select

        return bool(select.select([self._read_fd], [], [], 0)[0])

    def _read_exactly(self, size: int) -> bytes:
        parts: list[bytes] = []
        left = size
        while left:
            chunk = os.read(self._read_fd, min(left, 1 << 20))
            if not chunk:
                raise WorkerError("the helper process ended early")
            parts.append(chunk)
            left -= len(chunk)
        return b"".join(parts)

    def close(self) -> None:
        for fd in (self._read_fd, self._write_fd):
            with contextlib.suppress(OSError):
                os.close(fd)


class Partner(Channel):
    """This process's end of `partner`: `close` ends the child (killed unless it
    finished) and reaps it."""

    def __init__(self, pid: int, read_fd: int, write_fd: int, reducers: Reducers | None) -> None:
        super().__init__(read_fd, write_fd, reducers)
        self.pid: int | None = pid

    def close(self, *, finished: bool = False) -> None:
        """Close the pipes and reap the child; kill it first unless it `finished` (it then
        ends on its own once its last message is read)."""
        super().close()
        pid, self.pid = self.pid, None
        if pid is None:
            return
        if not finished:
            _kill(pid)
        _reap(pid)


def partner(fn: Callable[[Channel], None], *, reducers: Reducers | None = None) -> Partner | None:
    """Fork a child that runs `fn` with its end of a two-way channel, and return this
    process's end; None where forking is not safe (the caller then does the work alone).

    The child starts with everything this process has (no input is pickled), ends with
    `os._exit` (no atexit handler, no inherited buffer flushed), dies with this process
    (Linux), and ends at once on Ctrl-C; when `fn` fails, the child ends and this
    process's next `recv` raises WorkerError. The caller must `close` the partner.
    """
    if not _can_fork():
        return None
    down_r, down_w = os.pipe()  # parent -> child
    up_r, up_w = os.pipe()  # child -> parent
    pid = _fork_child(lambda: fn(Channel(down_r, up_w, reducers)), closed=(down_w, up_r))
    os.close(down_r)
    os.close(up_w)
    return Partner(pid, up_r, down_w, reducers)
