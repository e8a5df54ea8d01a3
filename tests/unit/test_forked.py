"""`forked_map` (a forked helper sharing a work queue) and the loader's prefetch built on it.

Oracle: the plain sequential map, and the loader with prefetching off. The helper really
takes part (results carry the pid that computed them), a helper that dies or whose results
are lost costs only time, an error in this process leaves no child behind.
"""

from __future__ import annotations

import contextlib
import dataclasses
import errno
import functools
import os
import pickle
import threading
import time
from pathlib import Path
from typing import cast

import pytest

from cgotrap.errors import WorkerError
from cgotrap.evaluate import forked
from cgotrap.evaluate.directory import DirError, DirErrorKind, DirFacts
from cgotrap.evaluate.load import load_listing
from cgotrap.read.gofile import Include, Position
from cgotrap.render import golist
from cgotrap.targets import Target
from tests.gofixtures import gofile, gomod, write_tree


def _square_with_pid(x: int) -> tuple[int, int]:
    if x % 7 == 0:
        time.sleep(0.0005)  # uneven items: the queue balances them
    return x * x, os.getpid()


def _no_children_left() -> bool:
    try:
        os.waitpid(-1, os.WNOHANG)
    except ChildProcessError:
        return True
    return False


def test_same_results_in_order_and_the_helper_takes_part(tmp_path: Path) -> None:
    parent = os.getpid()
    helper_started = tmp_path / "helper-started"

    def square(x: int) -> tuple[int, int]:
        # Each side waits (up to 10 s) until the other has taken an item: on a loaded
        # machine one process could otherwise empty the queue before the other starts.
        mine, theirs = (helper_started.with_suffix(".parent"), helper_started)
        if os.getpid() != parent:
            mine, theirs = theirs, mine
        mine.touch()
        deadline = time.monotonic() + 10
        while not theirs.exists() and time.monotonic() < deadline:
            time.sleep(0.001)
        return _square_with_pid(x)

    items = list(range(1000))
    got = forked.forked_map(items, square)
    assert [v for v, _ in got] == [x * x for x in items]
    pids = {pid for _, pid in got}
    assert os.getpid() in pids
    assert len(pids) == 2, "the forked helper computed none of the items"
    assert _no_children_left()


def test_more_items_found_after_the_fork_are_shared_too(tmp_path: Path) -> None:
    """`more` runs here while the helper works on the first items (its results wait in
    the helper, however large, instead of stopping it); then both take `more`'s."""
    parent = os.getpid()

    def work(x: int) -> tuple[int, int, bytes]:
        if os.getpid() != parent:
            (tmp_path / f"helper-{x}").touch()
        if x >= 300:  # both sides take part in `more`'s items (as in the test above)
            mine, theirs = tmp_path / "later-parent", tmp_path / "later-helper"
            if os.getpid() != parent:
                mine, theirs = theirs, mine
            mine.touch()
            deadline = time.monotonic() + 10
            while not theirs.exists() and time.monotonic() < deadline:
                time.sleep(0.001)
        return x * x, os.getpid(), b"r" * 20_000  # a few fill the pipe

    def more() -> list[int]:
        deadline = time.monotonic() + 10
        while len(list(tmp_path.glob("helper-*"))) < 50:  # the helper works meanwhile
            assert time.monotonic() < deadline, "the helper stopped while `more` ran"
            time.sleep(0.005)
        return list(range(300, 1000))

    got = forked.forked_map(list(range(300)), work, more=more)
    assert [v for v, _, _ in got] == [x * x for x in range(1000)]
    assert {pid for _, pid, _ in got[300:]} == {parent, next(p for _, p, _ in got if p != parent)}
    assert _no_children_left()


def test_more_failing_propagates_and_reaps_the_helper() -> None:
    def more() -> list[int]:
        raise RuntimeError("walk failed")

    with pytest.raises(RuntimeError, match="walk failed"):
        forked.forked_map(list(range(500)), _square_with_pid, more=more)
    assert _no_children_left()


def test_more_items_of_a_helper_that_dies_are_done_here() -> None:
    parent = os.getpid()

    def dies_later(x: int) -> int:
        if os.getpid() != parent and x >= 400:
            os._exit(3)
        return x + 1

    got = forked.forked_map(list(range(300)), dies_later, more=lambda: list(range(300, 900)))
    assert got == [x + 1 for x in range(900)]
    assert _no_children_left()


def _chained(x: int) -> list[int]:
    """Every third item below 1000 leads to 1000 + x, which leads to 2000 + x."""
    if x < 1000:
        return [x + 1000] if x % 3 == 0 else []
    return [x + 1000] if x < 2000 else []


def test_items_that_results_lead_to_are_mapped_too(tmp_path: Path) -> None:
    """`follow` gives further items for each result, this process's and the helper's
    (even once the queue is empty and only the helper is still at work); every one is
    mapped once, by either process, and the helper ends."""
    parent = os.getpid()

    def work(x: int) -> tuple[int, int, bytes]:
        if x % 100 == 1:
            time.sleep(0.01)  # (one side is still at work when the other finds the queue empty)
        return x, os.getpid(), b"r" * 5_000

    given: list[int] = []

    def follow(result: tuple[int, int, bytes]) -> list[int]:
        assert os.getpid() == parent
        given.extend(_chained(result[0]))
        return _chained(result[0])

    got = forked.forked_map(list(range(600)), work, follow=follow)
    assert [x for x, _, _ in got] == [*range(600), *given]
    assert sorted(given) == [x + 1000 for x in range(0, 600, 3)] + [
        x + 2000 for x in range(0, 600, 3)
    ]
    assert len({pid for _, pid, _ in got}) == 2
    assert _no_children_left()


def test_followed_items_of_a_helper_that_dies_are_done_here() -> None:
    parent = os.getpid()

    def dies_later(x: int) -> int:
        if os.getpid() != parent and x >= 1000:
            os._exit(3)
        return x

    got = forked.forked_map(list(range(300)), dies_later, follow=_chained)
    assert got[:300] == list(range(300))
    assert set(got[300:]) <= {x + 1000 for x in range(0, 300, 3)} | {
        x + 2000 for x in range(0, 300, 3)
    }
    assert set(got[300:]) >= {x + 1000 for x in range(0, 300, 3)}
    assert _no_children_left()


def test_few_items_followed_stay_in_this_process() -> None:
    got = forked.forked_map(
        [0, 1, 3], _square_with_pid, follow=lambda r: _chained(int(r[0] ** 0.5))
    )
    assert [x for x, _ in got] == [0, 1, 9, 1000**2, 1003**2, 2000**2, 2003**2]
    assert {pid for _, pid in got} == {os.getpid()}


def test_few_items_and_more_stay_in_this_process() -> None:
    got = forked.forked_map(list(range(10)), _square_with_pid, more=lambda: [10, 11])
    assert got == [(x * x, os.getpid()) for x in range(12)]


def test_few_items_stay_in_this_process() -> None:
    got = forked.forked_map(list(range(10)), _square_with_pid)
    assert {pid for _, pid in got} == {os.getpid()}


def test_with_other_threads_running_it_does_not_fork() -> None:
    stop = threading.Event()
    thread = threading.Thread(target=stop.wait)
    thread.start()
    try:
        got = forked.forked_map(list(range(500)), _square_with_pid)
    finally:
        stop.set()
        thread.join()
    assert {pid for _, pid in got} == {os.getpid()}


def test_a_helper_that_dies_costs_only_time() -> None:
    parent = os.getpid()

    def dies_in_helper(x: int) -> int:
        if os.getpid() != parent and x > 50:
            os._exit(3)  # the helper vanishes mid-queue, results unsent
        return x + 1

    assert forked.forked_map(list(range(800)), dies_in_helper) == [x + 1 for x in range(800)]
    assert _no_children_left()


def test_results_that_cannot_pickle_are_computed_here() -> None:
    def unpicklable(x: int) -> object:
        return (lambda: x) if os.getpid() != parent else x  # a lambda does not pickle

    parent = os.getpid()
    assert forked.forked_map(list(range(300)), unpicklable) == list(range(300))
    assert _no_children_left()


def test_an_error_here_propagates_and_reaps_the_helper() -> None:
    parent = os.getpid()

    def fails_here(x: int) -> int:
        if os.getpid() == parent:
            raise RuntimeError("boom")
        time.sleep(0.002)  # a slow helper: this process surely takes some of the items
        return x

    with pytest.raises(RuntimeError, match="boom"):
        forked.forked_map(list(range(2000)), fails_here)
    assert _no_children_left()


def test_dataclass_reducers_round_trip() -> None:
    pos = Position(filename="/m/a.go", line=3, column=8)
    facts = DirFacts(
        name="a",
        go_files=("a.go",),
        imports=("fmt",),
        import_pos=(("fmt", (pos,)),),
        includes=(Include(header="stdio.h", system=True, line=4),),
        error=DirError(kind=DirErrorKind.FILE, err="bad", file="a.go"),
    )
    table = forked.dataclass_reducers(DirFacts, DirError, Position, Include)
    for cls in (DirFacts, DirError, Position, Include):
        assert cls in table
    import io

    out = io.BytesIO()
    pickler = pickle.Pickler(out)
    pickler.dispatch_table = table
    pickler.dump((facts, facts))
    back = pickle.loads(out.getvalue())  # noqa: S301  # written just above
    assert back[0] == facts
    assert back[0] is back[1], "sharing between equal results is kept"


@dataclasses.dataclass(frozen=True)
class _Plain:
    """No slots: its fields are set by name."""

    a: int
    b: str


@dataclasses.dataclass(frozen=True, slots=True)
class _Base:
    a: int
    b: str


@dataclasses.dataclass(frozen=True, slots=True)
class _Derived(_Base):
    """Slots of its own and its base's."""

    c: tuple[int, ...] = ()


def test_dataclass_reducers_round_trip_any_frozen_dataclass() -> None:
    import io

    values = [_Plain(a=1, b="x"), _Base(a=2, b="y"), _Derived(a=3, b="z", c=(4, 5))]
    table = forked.dataclass_reducers(_Plain, _Base, _Derived)
    out = io.BytesIO()
    pickler = pickle.Pickler(out)
    pickler.dispatch_table = table
    pickler.dump(values)
    back = pickle.loads(out.getvalue())  # noqa: S301  # written just above
    assert back == values
    assert [type(v) for v in back] == [_Plain, _Base, _Derived]


def test_dataclass_reducers_with_a_rebuilder_pickle_one_call() -> None:
    from cgotrap.read.gofile import position

    pos = Position(filename="/m/a.go", line=3, column=8)
    facts = DirFacts(name="a", import_pos=(("fmt", (pos, pos)), ("os", (pos,))))
    table = forked.dataclass_reducers(DirFacts, rebuilders={Position: position})
    assert set(table) == {DirFacts, Position}
    import io

    out = io.BytesIO()
    pickler = pickle.Pickler(out)
    pickler.dispatch_table = table
    pickler.dump(facts)
    data = out.getvalue()
    assert b"position" in data
    assert b"filename" not in data, "the values alone, positionally"
    back = pickle.loads(data)  # noqa: S301  # written just above
    assert back == facts
    assert back.import_pos[0][1][0] is back.import_pos[1][1][0], "one object stays one"


TARGETS = [
    Target(goos="linux", goarch="amd64", cgo=True),
    Target(goos="windows", goarch="arm64", cgo=False),
    Target(goos="darwin", goarch="arm64", cgo=True),
]


def _fake_goroot(goroot: Path) -> Path:
    """A GOROOT with the few std packages the wide module and cgo need."""
    for pkg in ("fmt", "os", "unsafe", "runtime", "runtime/cgo", "syscall", "math"):
        name = pkg.rsplit("/", 1)[-1]
        write_tree(goroot / "src" / pkg, {f"{name}.go": f"package {name}\n"})
    return goroot


def _wide_module(root: Path, packages: int) -> Path:
    files: dict[str, str] = {"go.mod": gomod("example.com/w")}
    names = [f"p{i:03d}" for i in range(packages)]
    imports = [f"example.com/w/{n}" for n in names]
    files["main.go"] = gofile("main", *imports[:40], body="func main() {}\n")
    for i, name in enumerate(names):
        kids = imports[i + 1 : i + 3]
        files[f"{name}/{name}.go"] = gofile(name, *kids)
        files[f"{name}/{name}_windows.go"] = gofile(name, "unsafe")
        if i % 10 == 0:
            files[f"{name}/c.go"] = (
                f'//go:build linux\n\npackage {name}\n\n// #include <stdio.h>\nimport "C"\n'
            )
            files[f"{name}/c.c"] = "int x;\n"
        if i % 13 == 0:
            files[f"{name}/bad.go"] = "package other\n"
    write_tree(root, files)
    os.mkfifo(root / names[5] / "fifo.go")  # never opened, by either process
    return root


def test_prefetch_in_two_processes_lists_exactly_what_one_process_lists(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    goroot = _fake_goroot(tmp_path / "goroot")
    root = _wide_module(tmp_path / "w", 300)

    def listing() -> tuple[bytes, tuple[str, ...]]:
        got = load_listing(
            ["./..."], TARGETS, root=root, goroot=goroot, go_version="go1.27.3", workers=2
        )
        return b"".join(golist.iter_listing_bytes(got, matrix=True)), got.problems

    calls: list[int] = []
    real = forked.forked_map

    def counting(items, fn, **kw):  # type: ignore[no-untyped-def]  # a spy
        calls.append(len(items))
        return real(items, fn, **kw)

    monkeypatch.setattr(forked, "forked_map", counting)
    two = listing()
    assert calls, "the prefetch did not run"
    assert calls[0] >= 300
    monkeypatch.setattr(forked, "MIN_ITEMS", 10**9)
    one = listing()
    assert two == one
    assert b"example.com/w/p299" in two[0]


def _vendoring_module(root: Path, packages: int) -> Path:
    """A module whose `packages` dependencies are vendored (vendor/modules.txt)."""
    dep = "example.com/dep"
    names = [f"p{i:03d}" for i in range(packages)]
    files: dict[str, str] = {
        "go.mod": gomod("example.com/v", "1.22", f"require {dep} v1.0.0"),
        "vendor/modules.txt": "\n".join(
            [f"# {dep} v1.0.0", "## explicit; go 1.22", *(f"{dep}/{n}" for n in names), ""]
        ),
        "main.go": gofile("main", *(f"{dep}/{n}" for n in names[::7]), body="func main() {}\n"),
    }
    for i in range(20):
        files[f"own{i:02d}/own.go"] = gofile(f"own{i:02d}", f"{dep}/{names[i]}", "fmt")
    for i, name in enumerate(names):
        files[f"vendor/{dep}/{name}/{name}.go"] = gofile(
            name, *(f"{dep}/{n}" for n in names[i + 1 : i + 3]), *(["os"] if i == 300 else [])
        )
        if i % 10 == 0:
            files[f"vendor/{dep}/{name}/c.go"] = (
                f'//go:build linux\n\npackage {name}\n\n// #include <stdio.h>\nimport "C"\n'
            )
    return write_tree(root, files)


def test_prefetch_walks_while_the_helper_scans_the_vendored_packages(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """With many vendored packages (known from modules.txt at once) the helper starts on
    them while this process walks the patterns' directories; the listing is the same."""
    goroot = _fake_goroot(tmp_path / "goroot")
    root = _vendoring_module(tmp_path / "v", 320)

    def listing() -> tuple[bytes, tuple[str, ...]]:
        got = load_listing(
            ["./..."], TARGETS, root=root, goroot=goroot, go_version="go1.27.3", workers=2
        )
        return b"".join(golist.iter_listing_bytes(got, matrix=True)), got.problems

    calls: list[tuple[int, list[str], list[str]]] = []
    real = forked.forked_map

    def spying(items, fn, *, more=None, follow=None, **kw):  # type: ignore[no-untyped-def]  # a spy
        walked: list[str] = []
        followed: list[str] = []

        def walk() -> list[str]:
            walked.extend(more())
            return walked

        def imported(result):  # type: ignore[no-untyped-def]  # (as the spy)
            got = follow(result)
            followed.extend(got)
            return got

        got = real(
            items,
            fn,
            more=None if more is None else walk,
            follow=None if follow is None else imported,
            **kw,
        )
        calls.append((len(items), walked, followed))
        return got

    monkeypatch.setattr(forked, "forked_map", spying)
    two = listing()
    assert calls, "the prefetch did not run"
    first, later, followed = calls[0]
    assert first == 320  # the vendored packages
    assert str(root / "own07") in later  # the walk's
    # GOROOT's, as imported (by the module, a vendored package, cgo), not the whole of it
    src = goroot / "src"
    assert sorted(followed) == sorted(str(src / p) for p in ("fmt", "os", "runtime/cgo"))
    monkeypatch.setattr(forked, "MIN_ITEMS", 10**9)
    one = listing()
    assert len(calls) == 1, "scanned in two processes again"
    assert two == one
    assert b"example.com/dep/p319" in two[0]
    assert b"example.com/v/own19" in two[0]


def test_in_turn_order_and_result() -> None:
    read_fd, write_fd = os.pipe()
    parent = os.getpid()

    def here() -> None:
        os.write(write_fd, b"first;")

    def there() -> bytes:
        time.sleep(0.05)  # ready after `here`: must still wait for its turn
        return f"second from {os.getpid() != parent};".encode()

    def emit(data: bytes) -> str:
        os.write(write_fd, data)
        return "sent"

    assert forked.in_turn(here, there, emit) == "sent"
    os.close(write_fd)
    assert os.read(read_fd, 100) == b"first;second from True;"
    os.close(read_fd)
    assert _no_children_left()


def test_in_turn_helper_failing_before_its_turn_is_redone_here() -> None:
    parent = os.getpid()
    out: list[str] = []

    def there() -> str:
        if os.getpid() != parent:
            raise MemoryError  # the helper's part fails before it writes anything
        return "computed here"

    got = forked.in_turn(lambda: out.append("here"), there, lambda v: v)
    assert got == "computed here"
    assert out == ["here"]
    assert _no_children_left()


def test_in_turn_error_while_emitting_is_raised_here() -> None:
    def emit(_: int) -> None:
        raise BrokenPipeError(32, "Broken pipe")

    with pytest.raises(BrokenPipeError):
        forked.in_turn(lambda: None, lambda: 1, emit)
    assert _no_children_left()


def test_cli_list_in_two_processes_writes_what_one_process_writes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capfd: pytest.CaptureFixture[str]
) -> None:
    from cgotrap.cli import main as cli
    from cgotrap.targets import expand, parse_cgo_modes

    goroot = _fake_goroot(tmp_path / "goroot")
    root = _wide_module(tmp_path / "w", 200)
    monkeypatch.setenv("GOROOT", str(goroot))
    selector = "linux/*,windows/*,darwin/*"
    calls: list[str] = []
    real = forked.in_turn

    def spy(*args, **kw):  # type: ignore[no-untyped-def]  # a spy
        calls.append("in_turn")
        return real(*args, **kw)

    monkeypatch.setattr(forked, "in_turn", spy)
    argv = ["list", "-e", "-deps", "-json", "-C", str(root), "--targets", selector, "./..."]
    assert cli.main(argv) == 0
    two = capfd.readouterr().out
    assert calls == ["in_turn"], "the matrix was not listed by two processes"
    targets = expand(selector, parse_cgo_modes("0,1"))
    one = load_listing(["./..."], targets, root=root, goroot=goroot)
    want = b"".join(golist.iter_listing_bytes(one, matrix=True)).decode()
    assert two == want
    assert _no_children_left()


@pytest.mark.parametrize("two_processes", [False, True])
def test_a_reader_that_leaves_early_is_no_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, two_processes: bool
) -> None:
    """`cgotrap list ... | head -c 100`: exit 0, nothing on stderr, no process left."""
    import subprocess
    import sys

    goroot = _fake_goroot(tmp_path / "goroot")
    root = _wide_module(tmp_path / "w", 200 if two_processes else 20)
    env = dict(os.environ, GOROOT=str(goroot))
    argv = [sys.executable, "-m", "cgotrap", "list", "-e", "-deps", "-json"]
    argv += ["-C", str(root), "--targets", "linux/*,windows/*", "./..."]
    proc = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env)
    assert proc.stdout is not None
    assert proc.stdout.read(100)
    proc.stdout.close()  # the reader leaves
    _, err = proc.communicate(timeout=120)
    assert proc.returncode == 0, err
    assert err == b""


# ------------------------------------------------------------------------------------------
# in_background: a function run by a forked child while this process goes on


def test_in_background_runs_in_a_child_and_join_reaps_it(tmp_path: Path) -> None:
    out = tmp_path / "pid"

    def work() -> tuple[int, list[int]]:
        time.sleep(0.3)
        out.write_text(str(os.getpid()))
        return os.getpid(), list(range(100_000))  # a result larger than a pipe holds

    started = time.monotonic()
    handle = forked.in_background(work)
    assert time.monotonic() - started < 0.25, "in_background waited for the child"
    ok, value = handle.join()
    assert ok
    assert value == (int(out.read_text()), list(range(100_000)))
    assert int(out.read_text()) != os.getpid()
    assert _no_children_left()
    assert handle.join() == (True, value)  # joined already: nothing to wait for


def test_in_background_sends_its_value_before_then_runs(tmp_path: Path) -> None:
    """`result` has the function's value while the child still runs `then` (the cache
    writer's states, before it pickles the scans); `join` waits for `then` too."""
    out = tmp_path / "then"
    go_on = tmp_path / "go-on"

    def then() -> None:
        deadline = time.monotonic() + 30
        while not go_on.exists():  # held until this process has the value
            assert time.monotonic() < deadline
            time.sleep(0.01)
        out.write_text("written")

    handle = forked.in_background(lambda: list(range(100_000)), then=then)
    assert handle.result() == (True, list(range(100_000)))
    assert not out.exists()
    go_on.touch()
    assert handle.join() == (True, list(range(100_000)))
    assert out.read_text() == "written"
    assert _no_children_left()


def test_in_background_a_failing_then_fails_the_join_not_the_value() -> None:
    def then() -> None:
        raise RuntimeError("boom")

    handle = forked.in_background(lambda: 7, then=then)
    assert handle.result() == (True, 7)
    assert handle.join() == (False, None)
    assert _no_children_left()


def test_in_background_failure_is_the_childs_alone() -> None:
    def boom() -> None:
        raise RuntimeError("boom")

    assert forked.in_background(boom).join() == (False, None)
    assert _no_children_left()


def test_in_background_with_other_threads_running_runs_here(tmp_path: Path) -> None:
    stop = threading.Event()
    thread = threading.Thread(target=stop.wait)
    thread.start()
    try:
        ran: list[int] = []
        handle = forked.in_background(os.getpid, then=lambda: ran.append(os.getpid()))
    finally:
        stop.set()
        thread.join()
    assert handle.result() == (True, os.getpid())  # computed by this process
    assert ran == [os.getpid()]  # `then` too
    assert handle.join() == (True, os.getpid())


@pytest.mark.skipif(os.uname().sysname != "Linux", reason="the lifelines are Linux's")
def test_children_die_with_their_parent(tmp_path: Path) -> None:
    """A parent killed by SIGKILL (no chance to join) leaves no child working on: not
    the first background child (its siblings forked after it, a partner and an `in_turn`
    helper, hold no part of its lifeline), not a busy one, not the partner."""
    import signal
    import subprocess
    import sys

    pids = tmp_path / "pids"
    pids.mkdir()
    code = (
        "import os, time, pathlib\n"
        "from cgotrap.evaluate import forked\n"
        f"p = pathlib.Path({str(pids)!r})\n"
        "def mark(name):\n"
        "    (p / (name + '.tmp')).write_text(str(os.getpid()))\n"
        "    (p / (name + '.tmp')).rename(p / name)\n"
        "def busy():\n"
        "    mark('busy')\n"
        "    end = time.monotonic() + 60\n"
        "    while time.monotonic() < end:\n"
        "        sum(range(1000))\n"
        "forked.in_background(lambda: (mark('sleeping'), time.sleep(60)))\n"
        "forked.in_background(busy)\n"
        "forked.partner(lambda channel: (mark('partner'), channel.recv()))\n"
        "forked.in_turn(lambda: time.sleep(60), lambda: (mark('turn'), time.sleep(60)), id)\n"
    )
    names = ("sleeping", "busy", "partner")
    parent = subprocess.Popen([sys.executable, "-c", code])
    try:
        deadline = time.monotonic() + 20
        while not all((pids / name).exists() for name in (*names, "turn")):
            assert time.monotonic() < deadline, "the children never started"
            time.sleep(0.01)
        parent.send_signal(signal.SIGKILL)
        parent.wait()
        for name in names:
            child = int((pids / name).read_text())
            deadline = time.monotonic() + 10
            while Path(f"/proc/{child}").exists():
                state = Path(f"/proc/{child}/stat").read_text().split(")")[-1].split()[0]
                if state == "Z":  # dead, waiting for init to reap it
                    break
                assert time.monotonic() < deadline, f"the {name} child outlived its parent"
                time.sleep(0.01)
    finally:
        parent.kill()
        parent.wait()
        for name in (*names, "turn"):  # (`in_turn`'s helper has no lifeline: it sleeps on)
            with contextlib.suppress(OSError, ValueError):
                os.kill(int((pids / name).read_text()), signal.SIGKILL)


def test_a_reaped_childs_lifeline_is_closed() -> None:
    """Each child's lifeline is held here until the child is reaped, then closed (no
    descriptor left open per child)."""
    fds = Path("/proc/self/fd")
    before = len(list(fds.iterdir())) if fds.is_dir() else None
    assert forked.in_background(lambda: 1).join() == (True, 1)
    partner = forked.partner(lambda channel: channel.send(2))
    assert partner is not None
    assert partner.recv() == 2
    partner.close(finished=True)
    assert forked._LIFELINES == {}
    if before is not None:
        assert len(list(fds.iterdir())) == before
    assert _no_children_left()


def test_a_shared_queue_gives_each_item_to_one_process() -> None:
    """Children forked after a `shared_queue` take its items run by run: every item
    once, by one of them, whatever their pace (one is slowed down)."""

    def take(queue: int, slow: bool) -> list[int]:
        got = []
        for i in forked.taken(queue):
            got.append(i)
            if slow:
                time.sleep(0.0002)
        return got

    count = 5000
    queue = forked.shared_queue(count)
    try:
        handles = [
            forked.in_background(functools.partial(take, queue, slow)) for slow in (True, False)
        ]
    finally:
        os.close(queue)
    parts = [h.join() for h in handles]
    assert all(ok for ok, _ in parts)
    every = [i for _, got in parts for i in cast("list[int]", got)]
    assert sorted(every) == list(range(count))
    assert _no_children_left()


def test_partner_talks_in_turn_and_ends() -> None:
    """Messages go both ways in order, large ones too (more than a pipe holds)."""

    def child(channel: forked.Channel) -> None:
        first = channel.recv()
        channel.send((os.getpid(), [x * 2 for x in first]))
        channel.send(b"x" * (1 << 20))

    partner = forked.partner(child)
    assert partner is not None
    try:
        partner.send(list(range(100_000)))
        pid, doubled = partner.recv()
        big = partner.recv()
    finally:
        partner.close(finished=True)
    assert pid != os.getpid()
    assert doubled == [x * 2 for x in range(100_000)]
    assert big == b"x" * (1 << 20)
    assert _no_children_left()


def test_partner_failing_is_a_worker_error_here() -> None:
    def child(channel: forked.Channel) -> None:
        channel.recv()
        raise RuntimeError("boom")

    partner = forked.partner(child)
    assert partner is not None
    try:
        partner.send(1)
        with pytest.raises(WorkerError):
            partner.recv()
    finally:
        partner.close()
    assert _no_children_left()


def test_partner_is_killed_when_this_side_gives_up() -> None:
    def child(channel: forked.Channel) -> None:
        time.sleep(60)

    started = time.monotonic()
    partner = forked.partner(child)
    assert partner is not None
    partner.close()  # (not finished: killed, then reaped)
    assert time.monotonic() - started < 30
    assert _no_children_left()


def test_partner_not_forked_with_threads_running() -> None:
    stop = threading.Event()
    thread = threading.Thread(target=stop.wait)
    thread.start()
    try:
        assert forked.partner(lambda channel: None) is None
    finally:
        stop.set()
        thread.join()


def test_in_background_runs_at_the_lowest_priority() -> None:
    """A background child waits while the run keeps the cores busy (nice 19)."""
    done = forked.in_background(lambda: os.nice(0))
    ok, niceness = done.join()
    assert ok
    assert niceness == 19 or os.nice(0) == 19


def test_the_scan_reducers_carry_cache_states() -> None:
    """The prefetch helper's results carry its cache entries: their `State`s come back
    equal, as `State`s, with shared identities kept shared."""
    import io

    from cgotrap import cache
    from cgotrap.evaluate.load.loader import _scan_reducers

    identity = (1, 2, 3, 4, 5, 0o100644)
    entry = (
        cache.State(identity=identity, digest=b"d" * 32, trusted=True),
        (("a.go", cache.State(identity=identity, digest=cache.PENDING, trusted=True)),),
        cache.MISSING,
    )
    out = io.BytesIO()
    pickler = pickle.Pickler(out, protocol=pickle.HIGHEST_PROTOCOL)
    pickler.dispatch_table = _scan_reducers()
    pickler.dump(entry)
    back = pickle.loads(out.getvalue())  # noqa: S301  # written just above
    assert back == entry
    assert type(back[0]) is cache.State
    assert back[1][0][1].digest == cache.PENDING
    assert back[1][0][1].identity is back[0].identity
    assert back[2].mode == -1


@pytest.mark.parametrize("memfd", ["missing", "refused"])
def test_items_found_later_reach_the_helper_without_a_memfd(
    monkeypatch: pytest.MonkeyPatch, memfd: str
) -> None:
    """Where `os.memfd_create` is missing or refused, the file of the items found later is
    an unlinked temporary file (`_scratch_file`), and the helper still takes some of them."""
    if memfd == "missing":
        monkeypatch.delattr(os, "memfd_create", raising=False)
    else:

        def refuse(name: str, flags: int = 0) -> int:
            raise OSError(errno.ENOSYS, "memfd_create refused")

        monkeypatch.setattr(os, "memfd_create", refuse, raising=False)
    parent = os.getpid()
    got = forked.forked_map(list(range(200)), _square_with_pid, more=lambda: list(range(200, 900)))
    assert [v for v, _ in got] == [x * x for x in range(900)]
    assert {pid for _, pid in got[200:]} - {parent}  # (the helper read the file too)
    assert _no_children_left()


def test_a_thread_started_and_ended_lets_it_fork_again() -> None:
    """`_can_fork` counts the threads running now (`_thread._count`): one that ended is no
    reason not to fork, one still running is (the test above)."""
    thread = threading.Thread(target=lambda: None)
    thread.start()
    thread.join()
    deadline = time.monotonic() + 10
    while not forked._can_fork():  # (its thread state goes just after `join` returns)
        assert time.monotonic() < deadline
        time.sleep(0.001)
    got = forked.forked_map(list(range(300)), _square_with_pid)
    assert len({pid for _, pid in got}) == 2
