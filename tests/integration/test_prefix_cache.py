"""Big files the scan reads only in part (their header): their directory's scan is kept with
the digest of the bytes it read (`cache.prefix_digest`), and holds while those bytes do,
so an edit beyond them reuses it. The answer holds too, unless another reader read more of
the file (godecl reads a cgo package's Go files, the C include reader its C files,
suppressions the module's cgo files): each notes what it read (`cache.READ`), kept with
the answer, so an edit anywhere in such a file is seen. The oracle is the same scan without
the cache."""

from __future__ import annotations

import hashlib
import io
import os
import time
from contextlib import redirect_stdout
from pathlib import Path

import pytest

from cgotrap import cache
from cgotrap.cli import main as cli
from cgotrap.read import filename as fn
from tests.gofixtures import gofile, gomod, write_tree

pytestmark = pytest.mark.integration

RACY_NS = 50_000_000
BODY = "".join(f"func F{i}() int {{ return {i} }}\n" for i in range(1200))  # ~36 KB
C_BODY = "".join(f"int f{i}(void) {{ return {i}; }}\n" for i in range(1200))
PREAMBLE = "// #include <stdio.h>\n// #cgo LDFLAGS: -lm\n"


@pytest.fixture(autouse=True)
def _short_racy_window(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(cache, "RACY_NS", RACY_NS)


def _settle() -> None:
    time.sleep(2 * RACY_NS / 1e9)


def _module(root: Path) -> Path:
    files = {
        "go.mod": gomod("example.com/c", "1.22"),
        "cmd/app/main.go": gofile(
            "main", "example.com/c/a", "example.com/c/b", body="func main() {}"
        ),
        "a/big.go": f'package a\n\n{PREAMBLE}import "C"\n\n{BODY}',
        "a/x.c": f'#include "x.h"\n{C_BODY}',
        "a/x.h": "int x;\n",
        "a/use.go": "package a\n\nfunc Use() int { return F1100() }\n",  # (lost without cgo)
        "b/big.go": f'package b\n\nimport "fmt"\n\nvar _ = fmt.Sprint\n\n{BODY}',
    }
    root = write_tree(root, files)
    _settle()
    return root


def _scan(root: Path, *extra: str) -> str:
    buf = io.StringIO()
    argv = ["scan", str(root), "--targets", "linux/amd64,windows/amd64", "--format", "json"]
    with redirect_stdout(buf):
        cli.main_inner([*argv, *extra])
    return buf.getvalue()


def _scanned(monkeypatch: pytest.MonkeyPatch, root: Path) -> tuple[str, set[str]]:
    """A scan's output, and which of the module's directories it scanned (not taken from
    the cache of directory scans)."""
    out, scanned, _ = _answered(monkeypatch, root)
    return out, scanned


def _answered(monkeypatch: pytest.MonkeyPatch, root: Path) -> tuple[str, set[str], bool]:
    """`_scanned`, and whether the whole answer came from the cache (`_Answers.replay`)."""
    from cgotrap.cli import main_scan
    from cgotrap.evaluate.load import loader

    scanned: set[str] = set()
    replayed: list[bool] = []
    real = loader._Loader._scan_now
    real_replay = main_scan._Answers.replay

    def spy(self: loader._Loader, directory: str, *args: object, **kw: object) -> object:
        if directory.startswith(str(root)):
            scanned.add(os.path.relpath(directory, root))
        return real(self, directory, *args, **kw)  # type: ignore[arg-type]

    def replay(self: main_scan._Answers) -> int | None:
        code = real_replay(self)
        replayed.append(code is not None)
        return code

    with monkeypatch.context() as mp:
        mp.setattr(loader._Loader, "_scan_now", spy)
        mp.setattr(main_scan._Answers, "replay", replay)
        out = _scan(root)
    assert len(replayed) == 1
    return out, scanned, replayed[0]


def _replace(path: Path, old: str, new: str, *, settle: bool = True) -> None:
    text = path.read_text()
    assert old in text, (path, old)
    path.write_text(text.replace(old, new))
    if settle:
        _settle()


def _parts(kind: str = "scan") -> list[dict[str, cache.State]]:
    store = cache.Store(cache.default_dir())
    (scan_file,) = cache.default_dir().glob(f"{kind}-*.bin")
    parts, _ = store.get(kind, scan_file.stem.removeprefix(f"{kind}-"))
    return [cache.unpack(part) for part in parts]


def test_big_files_are_kept_with_the_digest_of_the_bytes_read(tmp_path: Path) -> None:
    """The directory scans' states: of the bytes the scan read; the answers' last part (the
    files other readers read): whole digests of the files they read whole, the cgo package's
    (godecl, the C include reader, suppressions), none of the other's."""
    root = _module(tmp_path / "m")
    _scan(root)
    for kind in ("scan", "answer"):
        *dirs, read = _parts(kind)
        states = {p: st for part in dirs for p, st in part.items()}
        for rel in ("a/big.go", "a/x.c", "b/big.go"):
            assert cache.prefix_length(states[str(root / rel)].digest) == 16384, rel
        assert len(states[str(root / "a/x.h")].digest) == 32  # read to its end
        for rel in ("a/big.go", "a/x.c", "a/use.go"):
            whole = hashlib.sha256((root / rel).read_bytes()).digest()
            assert read[str(root / rel)].digest == whole, rel
        assert str(root / "b/big.go") not in read


@pytest.mark.parametrize(
    ("rel", "old", "new", "visible"),
    [
        ("a/x.c", C_BODY, C_BODY + "#include <zlib.h>\n", True),  # the C include reader's
        ("a/big.go", "return 1100 }", "return 1 }", False),  # (godecl's)
        ("a/big.go", "func F1100()", "func Z1100()", True),  # (what a.Use needs: godecl's)
        ("a/big.go", BODY, BODY + "//cgotrap:ignore\n", True),  # (suppressions': CGO099)
        ("b/big.go", "return 1100 }", "return 1 }", False),  # (no reader's but the scan's)
    ],
)
def test_an_edit_beyond_the_bytes_read_reuses_the_scan_and_the_answer_only_if_unread(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, rel: str, old: str, new: str, *, visible: bool
) -> None:
    """The directory's scan, a function of the bytes it read, is reused; the answer is
    worked out again when another reader read the file (an include added at the end of a C
    file is a new finding), and equals the answer without the cache; it is the cached
    answer when no other reader read the file."""
    root = _module(tmp_path / "m")
    before, scanned = _scanned(monkeypatch, root)
    assert {"a", "b"} <= scanned
    assert _answered(monkeypatch, root) == (before, set(), True)  # (warm: the answer)
    _replace(root / rel, old, new)
    after, scanned, replayed = _answered(monkeypatch, root)
    assert scanned == set()  # every directory from the cache of directory scans
    assert replayed is (rel == "b/big.go")
    assert after == _scan(root, "--no-cache")
    assert (after != before) is visible
    assert ("zlib.h" in after) is (rel == "a/x.c")
    assert ("F1100" in after) is ("Z1100" not in new)  # (a.Use's undefined name)
    assert ("CGO099" in after) is ("//cgotrap:ignore" in new)
    assert _answered(monkeypatch, root) == (after, set(), True)  # (and its answer kept)


@pytest.mark.parametrize("rel", ["a/big.go", "a/x.c", "b/big.go"])
def test_a_touched_big_file_keeps_the_answer(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, rel: str
) -> None:
    """A touch (the same content) of a file the scan read in part, whether or not another
    reader read all of it: the answer comes from the cache (the file hashed again: as many
    bytes as were read)."""
    root = _module(tmp_path / "m")
    before, _ = _scanned(monkeypatch, root)
    os.utime(root / rel)
    _settle()
    assert _answered(monkeypatch, root) == (before, set(), True)


@pytest.mark.parametrize(
    ("old", "new"),
    [("-lm", "-lm -lpcap"), ("<stdio.h>", "<zlib.h>")],
)
def test_an_edit_inside_the_bytes_read_is_seen(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, old: str, new: str
) -> None:
    root = _module(tmp_path / "m")
    before = _scan(root)
    _replace(root / "a/big.go", old, new)
    after, scanned = _scanned(monkeypatch, root)
    assert scanned == {"a"}
    assert after == _scan(root, "--no-cache")
    assert after != before


def test_a_file_cut_below_the_bytes_read_is_seen(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Cut inside the bytes read (here inside the preamble, a parse error now), or right
    after its header (the same header, a file shorter than the bytes read)."""
    root = _module(tmp_path / "m")
    big = root / "a/big.go"
    content = big.read_bytes()
    before = _scan(root)
    big.write_bytes(content[: content.index(b"-lm")])
    _settle()
    after, scanned = _scanned(monkeypatch, root)
    assert scanned == {"a"}
    assert after == _scan(root, "--no-cache") != before
    big.write_bytes(content[: content.index(b"func F0")])
    _settle()
    again, scanned = _scanned(monkeypatch, root)
    assert scanned == {"a"}
    assert again == _scan(root, "--no-cache")


def test_racy_edits_of_a_big_file_are_seen(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Edits within the racy window (no time to settle in between): beyond the bytes read,
    then inside them, then beyond again; each run's answer is the uncached one."""
    root = _module(tmp_path / "m")
    x = root / "a/x.c"
    before = _scan(root)
    _replace(x, C_BODY, C_BODY + "#include <zlib.h>\n", settle=False)
    after, scanned = _scanned(monkeypatch, root)
    assert scanned == set()
    assert after == _scan(root, "--no-cache") != before
    _replace(root / "a/big.go", "-lm", "-lm -lpcap", settle=False)
    assert _scan(root) == _scan(root, "--no-cache") != after
    _replace(x, "#include <zlib.h>\n", "", settle=False)
    assert _scan(root) == _scan(root, "--no-cache")
    _settle()
    assert _scan(root) == _scan(root, "--no-cache")


def test_the_writers_open_no_file_the_scan_opened(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Every process (the writers are forked children): the files hashed whole are those
    the scan never opened (go.mod, the `.syso`s, other files of the scanned directories,
    the noted paths); no source file, big or not, of the module or of GOROOT."""
    root = _module(tmp_path / "m")
    (root / "a" / "notes.txt").write_text("notes\n")
    log = tmp_path / "hashed"
    digest = cache._file_digest

    def logged(path: str, *size: int) -> bytes | None:
        with log.open("a") as f:
            f.write(path + "\n")
        return digest(path, *size)

    monkeypatch.setattr(cache, "_file_digest", logged)
    _settle()
    _scan(root)
    cache.wait_for_writes()
    hashed = set(log.read_text().splitlines())
    assert {str(root / "go.mod"), str(root / "a" / "notes.txt")} <= hashed
    opened = [p for p in hashed if fn.file_kind(Path(p).name) not in (None, fn.FileKind.SYSO)]
    assert opened == []
    assert any("/src/runtime/" in p for p in hashed)  # (GOROOT's: its .syso, README...)


def test_a_run_never_reads_back_its_own_saved_scans(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Once a run saved its scans, the store holds what it has already: a directory first
    asked for later is scanned, not looked for in the files its writers just wrote
    (reading and unpickling them cost ~20-30 ms in each process that asked, once the
    writers were quick enough to have written them)."""
    from cgotrap import dirscans

    root = _module(tmp_path / "m")
    store = cache.Store(cache.default_dir())
    scans = dirscans.DirScans(store, "k")
    scans.entries[str(root / "a")] = (*dirscans.dir_states(str(root / "a")), "scan")
    scans.save()
    cache.wait_for_writes()
    assert store.get("dirs", "k") is not None  # (written)

    def refuse(*_: object) -> None:
        raise AssertionError("read back")

    monkeypatch.setattr(cache.Store, "get", refuse)
    assert scans.lookup(str(root / "b")) is None
