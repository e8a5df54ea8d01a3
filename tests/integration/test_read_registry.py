"""Every file a scan reads further than the directory scan's state of it vouches for is in
the answer with a digest that does (`cache.READ`): the fail-safe for a reader that forgets
to note what it read (`read.fdreader.read_noted`). strace sees every process's reads (the
prefetch helper, the judging partner, the cache's writers), whatever Python call made them;
the answers kept in the cache must vouch for as many bytes of each file as any one open of
it read. Plus: each reader, alone in noting, makes an edit beyond the scan's bytes seen."""

# Paths are strings here, as strace prints them.
# ruff: noqa: PTH113, PTH118, PTH119

from __future__ import annotations

import collections
import hashlib
import io
import os
import re
import shutil
import subprocess
import sys
import time
from collections.abc import Callable
from contextlib import redirect_stdout
from pathlib import Path

import pytest

from cgotrap import cache
from cgotrap.cli import main as cli
from cgotrap.evaluate import forked
from tests.gofixtures import gofile, gomod, write_tree

pytestmark = pytest.mark.integration

RACY_NS = 50_000_000
BODY = "".join(f"func F{i}() int {{ return {i} }}\n" for i in range(1200))  # ~36 KB
C_BODY = "".join(f"int f{i}(void) {{ return {i}; }}\n" for i in range(1200))
PREAMBLE = "// #include <stdio.h>\n// #cgo LDFLAGS: -lm\n"


def _module(root: Path) -> Path:
    """Big files (beyond the scan's first read) of every kind a reader reads: a cgo file
    with findings and a suppression, its package's C file, another file of it, a package
    without cgo that imports one with, its assembly file."""
    files = {
        "go.mod": gomod("example.com/c", "1.22"),
        "cmd/app/main.go": gofile(
            "main",
            "example.com/c/a",
            "example.com/c/b",
            body="func main() {}",
        ),
        "a/big.go": (
            f"package a\n\n{PREAMBLE}//cgotrap:ignore CGO004 vendored\n// #include <zlib.h>\n"
            f'import "C"\n\n{BODY}'
        ),
        "a/x.c": f'#include "x.h"\n{C_BODY}',
        "a/x.h": "int x;\n",
        "a/more.go": f"package a\n\n{BODY.replace('func F', 'func G')}",
        "a/use.go": "package a\n\nfunc Use() int { return F1100() }\n",
        "b/big.go": f'package b\n\nimport "example.com/c/a"\n\nvar _ = a.Use\n\n{BODY}',
        "b/asm_amd64.s": "// +build amd64\n" + "// comment\n" * 2000,
    }
    # (enough directories scanned up front for two judging processes: forked.MIN_ITEMS)
    files.update({f"many/p{i}/p.go": f"package p{i}\n" for i in range(forked.MIN_ITEMS)})
    root = write_tree(root, files)
    time.sleep(2 * RACY_NS / 1e9)
    return root


_OPEN = re.compile(r'^open(?:at)?\((?:AT_FDCWD, )?"((?:[^"\\]|\\.)*)", ([A-Z_|]+)[^)]*\)\s*= (\d+)')
_READ = re.compile(r"^(?:read|pread64|readv|preadv|preadv2)\((\d+),.*\)\s*= (\d+)")
_CLOSE = re.compile(r"^close\((\d+)\)")
_DUP = re.compile(r"^(?:dup[23]?\((\d+)|fcntl\((\d+), F_DUPFD)")


def _reads(prefix: Path, root: Path) -> dict[str, list[tuple[int, int]]]:
    """For each file under `root` (by real path), (pid, bytes read) of each time it was
    opened for reading, from strace's per-process logs."""
    out: dict[str, list[tuple[int, int]]] = collections.defaultdict(list)
    real_root = os.path.realpath(root)
    for log in prefix.parent.glob(prefix.name + ".*"):
        pid = int(log.suffix[1:])
        names: dict[int, str] = {}  # (the open descriptors of the module's files)
        got: dict[int, int] = {}
        for line in log.read_text(errors="replace").splitlines():
            if m := _OPEN.match(line):
                fd = int(m.group(3))
                path = os.path.realpath(os.path.join(root, m.group(1)))
                reading = "O_WRONLY" not in m.group(2) and "O_DIRECTORY" not in m.group(2)
                names.pop(fd, None)
                if reading and path.startswith(real_root + os.sep) and os.path.isfile(path):
                    names[fd], got[fd] = path, 0
            elif (m := _READ.match(line)) and int(m.group(1)) in names:
                got[int(m.group(1))] += int(m.group(2))
            elif (m := _DUP.match(line)) and int(m.group(1) or m.group(2)) in names:
                raise AssertionError(f"a source file's descriptor duplicated: {line}")
            elif (m := _CLOSE.match(line)) and int(m.group(1)) in names:
                fd = int(m.group(1))
                out[names.pop(fd)].append((pid, got[fd]))
        for fd, path in names.items():
            out[path].append((pid, got[fd]))
    return out


def _vouched(state: cache.State, content: bytes) -> int:
    """How many leading bytes of `content` (the file now, unchanged since the run) the
    state's digest vouches for: all of them (a whole file's SHA-256, an identity digest), as
    many as a prefix digest's, none (b"", `PENDING`)."""
    length = cache.prefix_length(state.digest)
    if length >= 0:
        want = cache.prefix_digest(length, hashlib.sha256(content[:length]).digest())
        assert state.digest == want
        return length
    if state.digest == hashlib.sha256(content).digest():
        return len(content)
    if state.digest.startswith(b"identity"):
        return len(content)
    return 0


def _answers() -> dict[str, list[dict[str, cache.State]]]:
    """The parts (path -> state) of each answer kept in the cache, by kind."""
    store = cache.Store(cache.default_dir())
    out = {}
    for kind in ("scan", "answer"):
        (path,) = cache.default_dir().glob(f"{kind}-*.bin")
        parts, _ = store.get(kind, path.stem.removeprefix(f"{kind}-"))
        out[kind] = [cache.unpack(part) for part in parts]
    return out


def _unvouched(
    reads: dict[str, list[tuple[int, int]]], parts: list[dict[str, cache.State]]
) -> dict[str, tuple[int, int]]:
    """The files some open read more of than the answer's states vouch for: (bytes read,
    bytes vouched for)."""
    by_file: dict[str, list[cache.State]] = collections.defaultdict(list)
    for part in parts:
        for path, state in part.items():
            by_file[os.path.realpath(path)].append(state)
    out = {}
    for path, opened in reads.items():
        content = Path(path).read_bytes()
        most = max(got for _, got in opened)
        vouched = max((_vouched(st, content) for st in by_file.get(path, [])), default=-1)
        if most > vouched:
            out[os.path.basename(path)] = (most, vouched)
    return out


def test_every_file_read_beyond_the_scans_bytes_is_in_the_answer(tmp_path: Path) -> None:
    """A cold `--targets all` scan (two judging processes) under strace: each answer
    vouches for every byte any process read of the module's files. Without the states the
    readers noted (the answers' last part) it would not: the fixture's readers do read
    beyond the scan's bytes, the judging partner among them."""
    strace = shutil.which("strace")
    assert strace is not None, "strace is not installed (scripts/bootstrap installs it)"
    probe = subprocess.run(
        [strace, "-o", os.devnull, "true"], capture_output=True, check=False, timeout=60
    )
    assert probe.returncode == 0, f"strace cannot trace: {probe.stderr.decode(errors='replace')}"
    root = _module(tmp_path / "m")
    time.sleep(cache.DEFAULT_RACY_NS / 1e9)  # (the run's own window: a racy file is hashed)
    prefix = tmp_path / "trace" / "t"
    prefix.parent.mkdir()
    syscalls = "open,openat,read,pread64,readv,preadv,preadv2,close,dup,dup2,dup3,fcntl"
    argv = [sys.executable, "-m", "cgotrap", "scan", ".", "--targets", "all", "--format", "json"]
    traced = [strace, "-f", "-ff", "-qq", "-s", "0", "-e", f"trace={syscalls}", "-o", str(prefix)]
    done = subprocess.run(
        [*traced, *argv],
        cwd=root,
        capture_output=True,
        check=False,
        timeout=600,
    )
    assert done.returncode in (0, 1), done.stderr.decode(errors="replace")
    assert b'"suppressed": 1' in done.stdout  # (the suppression reader read it)
    reads = _reads(prefix, root)
    read_by = {p: {pid for pid, _ in r} for p, r in reads.items()}
    assert len({pid for pids in read_by.values() for pid in pids}) >= 2
    answers = _answers()
    for kind, parts in answers.items():
        assert _unvouched(reads, parts) == {}, kind
    # the answers' last part: what the readers noted; without it, files read whole by them
    # (of the cgo package and its importer: godecl's, the C include reader's) are not
    # vouched for, some of them read by the judging partner only
    unvouched = _unvouched(reads, answers["answer"][:-1])
    assert {"big.go", "x.c", "more.go"} <= set(unvouched)
    big = {p for p in reads if p.endswith(("a/big.go", "a/more.go", "a/x.c", "b/big.go"))}
    assert len({pid for p in big for pid in read_by[p]}) >= 2


def _scan(root: Path, *extra: str) -> str:
    buf = io.StringIO()
    argv = ["scan", str(root), "--targets", "all", "--format", "json"]
    with redirect_stdout(buf):
        cli.main_inner([*argv, *extra])
    return buf.getvalue()


def _only_noting(monkeypatch: pytest.MonkeyPatch, module: str) -> None:
    """Only reads made from `module` are noted (`cache.note_read`, in every process)."""
    real = cache.note_read

    def note_read(path: str, st: os.stat_result, digest: bytes | None) -> None:
        caller = sys._getframe(2).f_globals.get("__name__", "")  # (read_noted's caller)
        if caller == module:
            real(path, st, digest)

    monkeypatch.setattr(cache, "note_read", note_read)
    from cgotrap.read import fdreader

    monkeypatch.setattr(fdreader, "note_read", note_read)


_Edit = Callable[[Path], None]


def _append(rel: str, text: str) -> _Edit:
    def edit(root: Path) -> None:
        with (root / rel).open("a") as f:
            f.write(text)

    return edit


@pytest.mark.parametrize(
    ("module", "edit", "seen"),
    [
        # godecl's (evaluate/sources): a name a.Use needs, renamed beyond the bytes read
        (
            "cgotrap.evaluate.sources",
            lambda root: (root / "a/big.go").write_text(
                (root / "a/big.go").read_text().replace("func F1100()", "func Z1100()")
            ),
            "F1100",
        ),
        # the C include reader's: an include at the end of a big C file
        ("cgotrap.read.cinclude", _append("a/x.c", "#include <pcap.h>\n"), "pcap.h"),
        # suppressions': a malformed directive at the end of a big cgo file (CGO099)
        ("cgotrap.read.suppressions", _append("a/big.go", "//cgotrap:ignore\n"), "CGO099"),
    ],
)
def test_each_reader_alone_makes_an_edit_beyond_the_scans_bytes_seen(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, module: str, edit: _Edit, seen: str
) -> None:
    """With only `module`'s reads noted, an edit beyond the scan's bytes of a file it reads
    is seen on the next run (equal to the answer without the cache); with none noted, the
    stale answer would be served (the test's own control)."""
    monkeypatch.setattr(cache, "RACY_NS", RACY_NS)
    for noting in (module, "nothing"):
        root = _module(tmp_path / noting)
        with monkeypatch.context() as mp:
            _only_noting(mp, noting)
            before = _scan(root)
            assert _scan(root) == before
            edit(root)
            time.sleep(2 * RACY_NS / 1e9)
            after = _scan(root)
        fresh = _scan(root, "--no-cache")
        assert (seen in fresh) is not (seen in before)
        if noting == module:
            assert after == fresh
        else:
            assert after == before != fresh
