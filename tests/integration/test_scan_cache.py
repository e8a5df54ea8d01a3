"""The scan cache never serves a stale answer: every edit is seen on the next run.

The oracle is the same scan without the cache (`--no-cache`): after each edit the cached
run must print exactly what an uncached run prints, and where the edit changes the answer
the output must differ from before. Fixture files are fresh, so the racy-timestamp window is
narrowed (`RACY_NS`) and the tests wait past it, as a real edit would be.
"""

from __future__ import annotations

import io
import os
import re
import subprocess
import threading
import time
from contextlib import redirect_stdout
from pathlib import Path

import pytest

from cgotrap import cache, dirscans, toolchain
from cgotrap.cli import main as cli
from tests.gofixtures import gofile, gomod, write_tree

pytestmark = pytest.mark.integration

RACY_NS = 50_000_000


@pytest.fixture(autouse=True)
def _short_racy_window(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(cache, "RACY_NS", RACY_NS)


def _settle() -> None:
    """Let the files' timestamps age past the racy window."""
    time.sleep(2 * RACY_NS / 1e9)


CGO_FILE = 'package a\n\n// #include <stdio.h>\n// #cgo LDFLAGS: -lm\nimport "C"\n'


def _module(root: Path) -> Path:
    files = {
        "go.mod": gomod("example.com/c", "1.22", "require example.com/v v1.0.0"),
        "vendor/modules.txt": "# example.com/v v1.0.0\n## explicit; go 1.20\nexample.com/v/pkg\n",
        "vendor/example.com/v/pkg/p.go": gofile("pkg"),
        "cmd/app/main.go": gofile(
            "main", "example.com/c/a", "example.com/v/pkg", body="func main() {}"
        ),
        "a/a.go": CGO_FILE,
        "a/a_stub.go": gofile("a", header="//go:build !cgo"),
        "a/x.c": '#include "x.h"\n',
        "a/x.h": "int x;\n",
        "b/b.go": gofile("b"),
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


def _scan_files() -> list[Path]:
    return sorted(cache.default_dir().glob("scan-*.bin"))


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text()
    assert old in text, (path, old)
    path.write_text(text.replace(old, new))
    _settle()


def _answer_from_cached_scans(monkeypatch: pytest.MonkeyPatch, root: Path, before: str) -> None:
    """Another answer over the same directories (`--format table`) reads every directory
    from the cache of directory scans, scanning none, and equals the answer without cache."""
    from cgotrap.evaluate.load import loader

    def refuse(*_: object, **__: object) -> None:
        raise AssertionError("a directory was scanned, not read from the cache")

    monkeypatch.setattr(loader._Loader, "_scan_now", refuse)
    with_table = _scan(root, "--format", "table")  # another answer, the same directories
    assert with_table != before
    monkeypatch.undo()
    assert with_table == _scan(root, "--format", "table", "--no-cache")


EDITS = {
    "constraint": ("a/a_stub.go", "//go:build !cgo", "//go:build ignore", True),
    "preamble": ("a/a.go", "-lm", "-lm -lpcap", True),
    "import": ("cmd/app/main.go", '"example.com/c/a"', '"example.com/c/b"', True),
    "go.mod": ("go.mod", "module example.com/c", "module example.com/d", True),
    # inconsistent vendoring: the scan stops with go's error, cached or not
    "modules.txt": ("vendor/modules.txt", "v1.0.0", "v1.0.1", True),
    # scan judges the includes of the package's C files too (a new system header it needs)
    "c-include": ("a/x.c", '"x.h"', "<zlib.h>", True),
}


@pytest.mark.parametrize("name", sorted(EDITS))
def test_each_edit_is_seen_on_the_next_run(tmp_path: Path, name: str) -> None:
    root = _module(tmp_path / "m")
    rel, old, new, visible = EDITS[name]
    before = _scan(root)
    assert _scan(root) == before  # warm: answered from the cache
    assert len(_scan_files()) == 1
    key_file = _scan_files()[0]
    stored = key_file.read_bytes()
    store = cache.Store(cache.default_dir())
    key = key_file.name.removeprefix("scan-").removesuffix(".bin")
    assert store.get_answer("scan", key) is not None
    _edit(root / rel, old, new)
    assert store.get_answer("scan", key) is None
    if name == "modules.txt":
        from cgotrap.discover.vendor import VendorError

        for extra in ((), ("--no-cache",)):
            with pytest.raises(VendorError, match="inconsistent vendoring"):
                _scan(root, *extra)
        return
    after = _scan(root)
    assert after == _scan(root, "--no-cache")
    assert (after != before) is visible, name
    assert key_file.read_bytes() != stored  # rewritten with the new answer's inputs


def test_directory_scans_are_saved_in_the_background_and_used(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The directory scans are written by a forked child while the scan goes on; once the
    command returns the child is gone and its file is complete: a scan whose answer is not
    in the cache (other options) reads every directory from it, scanning none."""

    root = _module(tmp_path / "m")
    before = _scan(root)
    with pytest.raises(ChildProcessError):
        os.waitpid(-1, os.WNOHANG)  # no child left behind
    assert len(sorted(cache.default_dir().glob("dirs-*.bin"))) == 1
    _answer_from_cached_scans(monkeypatch, root, before)


def test_scans_and_states_of_two_saves_are_never_mixed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The scans ("dirs") and their files' states ("dirstates") are kept by two children
    as two files: a pair whose tokens differ (another run wrote one of them since) is not
    used, and the directories are scanned again."""
    from cgotrap.evaluate.load import loader

    root = _module(tmp_path / "m")
    _scan(root)
    store = cache.Store(cache.default_dir())
    (dirs_file,) = cache.default_dir().glob("dirs-*.bin")
    key = dirs_file.stem.removeprefix("dirs-")
    states = [store.get("dirstates", f"{key}-{i}") for i in range(dirscans._HASHERS)]
    scans = store.get("dirs", key)
    assert dirscans._dir_entries(states, scans)
    assert not dirscans._dir_entries([states[0], (b"another save", states[1][1])], scans)
    store.put("dirstates", f"{key}-1", (b"another save", states[1][1]))
    scanned: list[str] = []
    real = loader._Loader._scan_now

    def spy(self: loader._Loader, directory: str, *args: object) -> object:
        scanned.append(directory)
        return real(self, directory, *args)  # type: ignore[arg-type]

    monkeypatch.setattr(loader._Loader, "_scan_now", spy)

    def scan_patterns(*patterns: str) -> None:  # (not the scan's answer, the same scans)
        argv = ["scan", str(root), *patterns, "--targets", "linux/amd64,windows/amd64"]
        with redirect_stdout(io.StringIO()):
            cli.main_inner([*argv, "--format", "json"])

    scan_patterns("./...", "./a")
    assert scanned
    scanned.clear()
    scan_patterns("./...", "./b")  # (the pair this run kept is used)
    assert not scanned


def _wide_module(root: Path, packages: int) -> Path:
    """A module of `packages` packages (enough directories for a prefetch in two
    processes: `forked.MIN_ITEMS`), some with cgo files."""
    names = [f"p{i:03d}" for i in range(packages)]
    files = {
        "go.mod": gomod("example.com/w", "1.22"),
        "main.go": gofile(
            "main", *(f"example.com/w/{n}" for n in names[::10]), body="func main() {}"
        ),
    }
    for i, name in enumerate(names):
        files[f"{name}/{name}.go"] = gofile(
            name, *(f"example.com/w/{n}" for n in names[i + 1 : i + 3])
        )
        if i % 10 == 0:
            files[f"{name}/c.go"] = CGO_FILE.replace("package a", f"package {name}")
    root = write_tree(root, files)
    _settle()
    return root


def test_the_prefetch_helpers_scans_are_kept_as_they_came(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The scans the prefetch's helper process sent, pickled, are kept in the "dirs" file
    as those bytes (not pickled again); read back with the files' states they give every
    scanned directory's entry, and a scan with other options reads every directory from
    the cache. A damaged pickle is never trusted."""
    from cgotrap.evaluate import forked

    root = _wide_module(tmp_path / "w", forked.MIN_ITEMS + 20)
    came: list[forked.Frame] = []
    real = dirscans.DirScans.add_pickled

    def spy(self: dirscans.DirScans, directories: list[str], frames: list[forked.Frame]) -> None:
        came.extend(frames)
        real(self, directories, frames)

    monkeypatch.setattr(dirscans.DirScans, "add_pickled", spy)
    before = _scan(root)
    assert came, "the prefetch's helper sent nothing"
    store = cache.Store(cache.default_dir())
    (dirs_file,) = cache.default_dir().glob("dirs-*.bin")
    key = dirs_file.stem.removeprefix("dirs-")
    states = [store.get("dirstates", f"{key}-{i}") for i in range(dirscans._HASHERS)]
    scans = store.get("dirs", key)
    _, rows, framed = scans
    assert [data for _, data in framed] == [frame.data for frame in came]
    in_frames = {d for dirs, _ in framed for d in dirs}
    assert in_frames
    assert not in_frames & set(rows)  # (each directory kept once)
    entries = dirscans._dir_entries(states, scans)
    assert set(entries) == in_frames | set(rows)
    assert {str(root / f"p{i:03d}") for i in range(forked.MIN_ITEMS + 20)} <= set(entries)
    cut = ((framed[0][0], framed[0][1][:-3]), *framed[1:])
    assert dirscans._dir_entries(states, (scans[0], rows, cut)) == {}
    _answer_from_cached_scans(monkeypatch, root, before)


def test_a_mode_change_is_not_answered_from_the_cache(tmp_path: Path) -> None:
    root = _module(tmp_path / "m")
    before = _scan(root)
    store = cache.Store(cache.default_dir())
    key = _scan_files()[0].name.removeprefix("scan-").removesuffix(".bin")
    assert store.get_answer("scan", key) is not None
    (root / "a" / "a.go").chmod(0o755)
    _settle()
    assert store.get_answer("scan", key) is None
    assert _scan(root) == before == _scan(root, "--no-cache")


def _unpacked(parts: tuple[bytes, ...]) -> dict[str, cache.State]:
    return {path: st for part in parts for path, st in cache.unpack(part).items()}


def test_a_file_edited_between_its_state_and_its_read_is_never_served_stale(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The scan hands back the digest of each file it read to its end, for the state taken
    before the read: an edit in between leaves the state's identity the old one, and the
    digest and the answer the new content's. Edited back, the file must not match."""
    root = _module(tmp_path / "m")
    target = root / "a" / "a.go"
    original = target.read_text()
    real = dirscans.dir_states_and_entries

    def edit_after_the_state(directory: str) -> object:
        got = real(directory)
        if directory == str(root / "a"):
            target.write_text(original.replace("-lm", "-lm -lpcap"))
        return got

    monkeypatch.setattr(dirscans, "dir_states_and_entries", edit_after_the_state)
    during = _scan(root)
    monkeypatch.setattr(dirscans, "dir_states_and_entries", real)
    assert during == _scan(root, "--no-cache")  # (what the scan read: the edit)
    _settle()
    _edit(target, "-lm -lpcap", "-lm")  # back: the content the state was taken of
    after = _scan(root)
    assert after == _scan(root, "--no-cache")
    assert after != during


def test_the_writers_do_not_hash_again_what_the_scan_read_whole(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The source files the scan read to their end come with their digest; the writers hash
    only the others (go.mod, modules.txt: entries of the scanned directories it did not read)."""
    root = _module(tmp_path / "m")
    log = tmp_path / "hashed"
    with_digest = cache.with_digest

    def logged(path: str, state: cache.State) -> cache.State:
        with log.open("a") as f:  # (the writers are forked children)
            f.write(path + "\n")
        return with_digest(path, state)

    monkeypatch.setattr(cache, "with_digest", logged)
    _scan(root)
    cache.wait_for_writes()
    hashed = set(log.read_text().splitlines())
    assert str(root / "go.mod") in hashed
    for rel in ("a/a.go", "a/a_stub.go", "a/x.c", "a/x.h", "b/b.go", "cmd/app/main.go"):
        assert str(root / rel) not in hashed, rel


def test_a_touched_file_keeps_the_answer(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Same content, new timestamps: re-hashed, still a hit, with the file's new state
    (trusted again: what an answer saved from this hit keeps); past `_REHASH_FILES`
    re-hashed files the entry itself is rewritten with it."""
    root = _module(tmp_path / "m")
    before = _scan(root)
    store = cache.Store(cache.default_dir())
    key = _scan_files()[0].name.removeprefix("scan-").removesuffix(".bin")
    target = root / "a" / "a.go"
    os.utime(target)
    _settle()
    for rehash_files in (cache._REHASH_FILES, 0):
        monkeypatch.setattr(cache, "_REHASH_FILES", rehash_files)
        hit = store.get_answer("scan", key, with_states=True)
        assert hit is not None
        states = _unpacked(hit[1])
        assert states[str(target)].trusted
        assert states[str(target)].identity[3] == target.stat().st_mtime_ns
    kept, _ = store.get("scan", key)
    assert _unpacked(kept)[str(target)].identity[3] == target.stat().st_mtime_ns  # rewritten
    assert _scan(root) == before


def test_a_new_package_directory_is_seen(tmp_path: Path) -> None:
    root = _module(tmp_path / "m")
    before = _scan(root)
    write_tree(root, {"c/c.go": CGO_FILE.replace("package a", "package c")})
    _edit(root / "cmd/app/main.go", '"example.com/c/a"', '"example.com/c/c"')
    _settle()
    after = _scan(root)
    assert after != before
    assert after == _scan(root, "--no-cache")


def test_no_cache_reads_and_writes_nothing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root = _module(tmp_path / "m")
    # (nor under the XDG cache, where the Go declaration reader used to keep its records)
    go_cache = subprocess.run(
        [str(toolchain.require("go").path), "env", "GOCACHE"],
        capture_output=True,
        text=True,
        check=True,
        env=toolchain.go_env(),
    ).stdout.strip()
    monkeypatch.setenv("GOCACHE", go_cache)  # go's own build cache stays where it is
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    uncached = _scan(root, "--no-cache")
    assert not cache.default_dir().exists() or not list(cache.default_dir().iterdir())
    assert not (tmp_path / "xdg").exists()
    # The same scan with the cache keeps the reader's records (package a is read: it
    # switches on cgo) and its helper in the one store, and answers the same.
    assert _scan(root) == uncached
    assert list(cache.default_dir().glob("godecl-*.bin"))
    assert list((cache.default_dir() / "godecl").iterdir())
    assert not (tmp_path / "xdg").exists()


@pytest.mark.parametrize("damage", ["flip", "truncate", "garbage", "empty"])
def test_a_damaged_cache_is_rebuilt_never_trusted(tmp_path: Path, damage: str) -> None:
    root = _module(tmp_path / "m")
    before = _scan(root)
    for path in cache.default_dir().glob("*.bin"):
        data = bytearray(path.read_bytes())
        match damage:
            case "flip":
                data[len(data) // 2] ^= 0x40
            case "truncate":
                del data[len(data) // 3 :]
            case "garbage":
                data[:] = os.urandom(200)
            case _:
                data[:] = b""
        path.write_bytes(bytes(data))
    _edit(root / "a" / "a.go", "-lm", "-lm -lssl")
    after = _scan(root)
    assert after != before
    assert after == _scan(root, "--no-cache")
    assert _scan(root) == after  # rebuilt: a sound file again
    store = cache.Store(cache.default_dir())
    key = _scan_files()[0].name.removeprefix("scan-").removesuffix(".bin")
    assert store.get_answer("scan", key) is not None


def test_cache_clean(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    root = _module(tmp_path / "m")
    _scan(root)
    assert list(cache.default_dir().glob("*.bin"))
    assert cli.main_inner(["cache", "clean"]) == 0
    assert re.search(r"removed [1-9][0-9]* cache files", capsys.readouterr().out)
    assert not list(cache.default_dir().glob("*.bin"))
    assert not (cache.default_dir() / "godecl").exists()  # the reader's helper builds


def test_the_library_writes_no_cache_unless_asked(tmp_path: Path) -> None:
    from cgotrap.evaluate.load import load_matrix
    from cgotrap.targets import expand

    root = _module(tmp_path / "m")
    load_matrix(["./..."], expand("linux/amd64", (False, True)), root=root, workers=2)
    assert not list(cache.default_dir().iterdir())


# ------------------------------------------------------------------------------------------
# The store itself


def test_store_concurrent_writers_and_readers(tmp_path: Path) -> None:
    """Writers replace whole files: a reader sees one writer's object or nothing."""
    store = cache.Store(tmp_path / "c")
    objects = [list(range(i, i + 20_000)) for i in range(4)]
    seen: list[object] = []
    stop = threading.Event()

    def write(obj: list[int]) -> None:
        for _ in range(15):
            store.put("x", "k", obj)

    def read() -> None:
        while not stop.is_set():
            got = store.get("x", "k")
            if got is not None:
                seen.append(got)

    reader = threading.Thread(target=read)
    reader.start()
    writers = [threading.Thread(target=write, args=(o,)) for o in objects]
    for w in writers:
        w.start()
    for w in writers:
        w.join()
    stop.set()
    reader.join()
    assert all(s in objects for s in seen)
    assert store.get("x", "k") in objects
    assert not list((tmp_path / "c").glob(".tmp-*"))


def test_store_size_bound_drops_least_recently_used(tmp_path: Path) -> None:
    store = cache.Store(tmp_path / "c", max_bytes=350_000)
    blob = os.urandom(100_000)
    for i in range(3):
        store.put("x", str(i), blob)
        time.sleep(0.02)
        os.utime(store.directory / f"x-{i}.bin", (time.time() - 100 + i, time.time() - 100 + i))
    assert store.get("x", "0") == blob  # used now: the most recent
    store.put("x", "3", blob)
    names = sorted(p.name for p in store.directory.glob("*.bin"))
    assert names == ["x-0.bin", "x-2.bin", "x-3.bin"]


def test_every_kept_state_has_its_files_digest(tmp_path: Path) -> None:
    """Directory scans hash their files off the critical path (`PENDING` until then): no
    cache file keeps a state without the real digest of the file's content (of its first
    bytes, for a file the scan read only in part: GOROOT's runtime has some)."""
    import hashlib

    root = _module(tmp_path / "m")
    _scan(root)
    store = cache.Store(cache.default_dir())
    kept: list[tuple[str, cache.State]] = []
    (dirs_file,) = cache.default_dir().glob("dirs-*.bin")
    key = dirs_file.stem.removeprefix("dirs-")
    states = [store.get("dirstates", f"{key}-{i}") for i in range(dirscans._HASHERS)]
    entries = dirscans._dir_entries(states, store.get("dirs", key))
    assert entries  # (the scans and their files' states, kept apart, read back together)
    for directory, (_, named, _) in entries.items():
        kept += [(str(Path(directory, name)), st) for name, st in named]
    (scan_file,) = _scan_files()
    parts, _ = store.get("scan", scan_file.stem.removeprefix("scan-"))
    kept += list(_unpacked(parts).items())
    (answer_file,) = _answer_files()
    parts, _ = store.get("answer", answer_file.stem.removeprefix("answer-"))
    kept += list(_unpacked(parts).items())
    files = [(p, st) for p, st in kept if Path(p).is_file()]
    assert len(files) >= 3 * 9  # the module's 9 files, in each of the three
    for path, st in files:
        if st.identity[2] > cache._HASHED_MAX_BYTES:  # (go's binary: by its identity)
            assert st.digest == cache._identity_digest(st.identity), path
            continue
        if st.digest == cache._identity_digest(st.identity):  # (one the scan did not open)
            assert st.identity[2] > cache._UNREAD_HASHED_MAX_BYTES, path
            continue
        content = Path(path).read_bytes()
        read = cache.prefix_length(st.digest)
        if read >= 0:
            assert len(content) >= read >= 16384, path
            content = content[:read]
            assert st.digest == cache.prefix_digest(read, hashlib.sha256(content).digest())
            continue
        assert st.digest == hashlib.sha256(content).digest(), path


@pytest.mark.parametrize("first", ["writer", "printer"])
def test_a_cold_scan_hashes_its_files_off_the_critical_path(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, first: str
) -> None:
    """Every file of the scanned directories is hashed by the scan that read it whole
    (these are all small), or by the forked writer of the directory scans, never again by
    the process that prints the answer. The noted paths (here the --config file) are
    hashed by whichever of the two is free first: the writer once its own work is done,
    or the printer after its output, while the writer finishes. Either way every input's
    state is kept in the scan's entry, with the file's real digest; go's binary (17 MB,
    over `_HASHED_MAX_BYTES`) with its identity's, hashed by neither."""
    root = _module(tmp_path / "m")
    go = str(toolchain.require("go").path)
    hashed_here: list[str] = []
    digest = cache._file_digest

    def counting(path: str, *size: int) -> bytes | None:
        hashed_here.append(path)
        return digest(path, *size)

    if first == "writer":  # the printer waits for the writer before it asks
        consulted = dirscans.DirScans.consulted

        def after_writer(self: dirscans.DirScans, started_ns: int) -> object:
            for writer in self._writers:
                writer.join()
            return consulted(self, started_ns)

        monkeypatch.setattr(dirscans.DirScans, "consulted", after_writer)
    else:  # the writer is slow (the forked child inherits this)
        pack = dirscans._pack_entries

        def slow(*args: object) -> cache.Packed:
            time.sleep(1.0)
            return pack(*args)  # type: ignore[arg-type]

        monkeypatch.setattr(dirscans, "_pack_entries", slow)
    monkeypatch.setattr(cache, "_file_digest", counting)
    config = tmp_path / "cgotrap.toml"
    config.write_text("")
    _settle()
    _scan(root, "--config", str(config))
    assert go not in hashed_here
    if first == "writer":  # (the config is an input of the replayed answer too: hashed then)
        assert set(hashed_here) <= {str(config)}
    else:
        assert str(config) in hashed_here
        assert not [p for p in hashed_here if p.startswith(str(root / "a"))]  # scanned files
    assert not cli._KEPT  # (main() as a library keeps nothing until exit: only entry() does)
    store = cache.Store(cache.default_dir())
    parts, _ = store.get("scan", _scan_files()[0].stem.removeprefix("scan-"))
    states = _unpacked(parts)
    assert states[go].digest == cache._identity_digest(states[go].identity)
    assert states[go].identity[2] > cache._HASHED_MAX_BYTES
    assert states[str(config)].digest == digest(str(config))
    assert states[str(root / "a" / "a.go")].digest == digest(str(root / "a" / "a.go"))


@pytest.mark.parametrize("size", [0, 1, 4095, 1 << 20, (1 << 20) + 1, (1 << 24) + 5])
def test_a_files_digest_whatever_size_it_was_expected_to_have(tmp_path: Path, size: int) -> None:
    """The writer reads a file in one call of the size its stat gave (then on if there is
    more): the digest is the content's, whatever that size was."""
    import hashlib

    f = tmp_path / "f"
    f.write_bytes(os.urandom(size))
    want = hashlib.sha256(f.read_bytes()).digest()
    for expected in (size, 0, 5, size + 100, 1 << 20):
        assert cache._file_digest(str(f), expected) == want
    assert cache._file_digest(str(f)) == want


def test_a_file_changed_before_it_was_hashed_matches_nothing(tmp_path: Path) -> None:
    """A deferred digest is only taken while the file keeps the identity it had when the
    scan read it; otherwise what was read is unknown and the state never matches."""
    f = tmp_path / "a.go"
    f.write_text("package a\n")
    _settle()
    st = cache.state_of(str(f), defer=True)
    assert st.digest == cache.PENDING
    assert cache.with_digest(str(f), st) == cache.state_of(str(f))
    f.write_text("package b\n")
    changed = cache.with_digest(str(f), st)
    assert not changed.trusted
    assert not changed.same(cache.state_of(str(f)))
    assert changed != cache.state_of(str(f), changed)  # never trusted by identity


def test_a_directorys_fresh_files_are_hashed_at_once_and_never_trusted(tmp_path: Path) -> None:
    """`dir_states`: a file written within the racy window is hashed before the scan reads
    it and its identity is not trusted; one older than it is left for the writers
    (`PENDING`), trusted."""
    import hashlib

    (tmp_path / "old.go").write_text("package a\n")
    _settle()
    (tmp_path / "new.go").write_text("package b\n")
    _, files = dirscans.dir_states(str(tmp_path))
    states = dict(files)
    assert states["old.go"].trusted
    assert states["old.go"].digest == cache.PENDING
    assert states["old.go"].identity == cache.state_of(str(tmp_path / "old.go")).identity
    assert not states["new.go"].trusted
    assert states["new.go"].digest == hashlib.sha256(b"package b\n").digest()


def test_a_large_file_is_kept_by_its_identity(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A trusted file over `_HASHED_MAX_BYTES` is never read: its state is its identity,
    the same while that holds, never the same once it changed, even with the same content
    (touched): a new answer, never a stale one. A racy one is hashed as any file."""
    monkeypatch.setattr(cache, "_HASHED_MAX_BYTES", 100)
    monkeypatch.setattr(cache, "_UNREAD_HASHED_MAX_BYTES", 100)
    digest = cache._file_digest
    monkeypatch.setattr(cache, "_file_digest", lambda *a: pytest.fail(f"read {a}"))
    big = tmp_path / "big"
    big.write_bytes(b"x" * 101)
    _settle()
    kept = cache.state_of(str(big))
    pending = kept._replace(digest=cache.PENDING)  # (a scanned directory's file)
    for st in (kept, cache.with_digest(str(big), pending)):
        assert st.trusted
        assert st.digest == cache._identity_digest(st.identity)
        assert cache.state_of(str(big), st) is st
        assert st.same(cache.state_of(str(big)))
    os.utime(big)  # the same bytes, a new identity
    _settle()
    assert not st.same(cache.state_of(str(big)))
    big.write_bytes(b"y" * 101)  # racy: hashed like any file
    monkeypatch.setattr(cache, "_file_digest", digest)
    fresh = cache.state_of(str(big))
    assert not fresh.trusted
    assert len(fresh.digest) == 32


def test_state_racy_timestamps_are_rehashed(tmp_path: Path) -> None:
    path = tmp_path / "f"
    path.write_text("one")
    fresh = cache.state_of(str(path))
    assert not fresh.trusted  # just written: within the racy window
    _settle()
    again = cache.state_of(str(path), fresh)
    assert again == fresh._replace(trusted=True)
    assert cache.state_of(str(path), again) is again  # trusted: not read again
    assert cache.state_of(str(tmp_path / "absent")) == cache.MISSING


# ------------------------------------------------------------------------------------------
# Judging once per class of targets


def _judged_json(matrix: object, report: list[object], why: tuple[str, ...]) -> tuple[str, int]:
    """Scan's JSON of `matrix` and how many import graphs (`Reach`) were worked out."""
    from cgotrap.evaluate.sources import default_reader, read_sources
    from cgotrap.judge.scan import package, scan
    from cgotrap.render.scan import format_json

    made = []
    original = package.Reach.__init__

    def counting(self: package.Reach, listing: object, **memos: object) -> None:
        made.append(listing)
        original(self, listing, **memos)  # type: ignore[arg-type]

    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(package.Reach, "__init__", counting)
        reader, _ = default_reader()
        sources = read_sources(matrix, reader)  # type: ignore[arg-type]
        result = scan(matrix, report=report, sources=sources, why=why)  # type: ignore[arg-type]
    return format_json(result), len(made)


def _judged_alone(matrix: object, report: list[object], why: tuple[str, ...]) -> tuple[str, int]:
    """The same, every target its own class: the per-target path."""
    from cgotrap.judge.scan import package

    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(package, "graph_class", lambda listing: (listing.target,))
        return _judged_json(matrix, report, why)


@pytest.mark.parametrize("where", ["example", "every-port"])
def test_targets_of_one_class_are_judged_once_with_the_same_answer(
    tmp_path: Path, where: str
) -> None:
    """Targets listing the same packages with the same names, imports and roots share one
    import graph, its reverse, chains and closures (`judge.scan.package.Reach`); the answer
    is byte for byte the one of judging every target alone. On the example module with real
    go list facts, and on a module over every port with cgotrap's own loader."""
    from cgotrap.evaluate.load import load_matrix
    from cgotrap.targets import expand, with_cgo_twins
    from tests.integration.scan_golist import golist_matrix

    if where == "example":
        root = Path(__file__).resolve().parents[2] / "examples" / "cgotraps"
        report = expand("linux/*,darwin/*,windows/amd64", (False, True), skip_unsupported_cgo=True)
        matrix = golist_matrix(root, ["./..."], with_cgo_twins(report))
        why: tuple[str, ...] = ("example.com/cgotraps/sqlite", "./procinfo")
    else:
        # Imports that differ by cgo, by GOOS and by GOARCH: classes of every size.
        root = _module(tmp_path / "m")
        write_tree(
            root,
            {
                "a/a_stub.go": gofile("a", "example.com/c/b", header="//go:build !cgo"),
                "a/a_arm64.go": gofile("a", "example.com/c/l"),
                "a/a_windows.go": gofile("a", "example.com/c/w"),
                "l/l.go": CGO_FILE.replace("package a", "package l"),
                "w/w.go": gofile("w", "example.com/c/l"),
                "w/w_stub.go": gofile("w", header="//go:build !cgo"),
            },
        )
        _settle()
        report = expand("all", (False, True), skip_unsupported_cgo=True)
        matrix = load_matrix(["./..."], with_cgo_twins(report), root=root)
        why = ("example.com/c/a", "example.com/c/l", "./w")
    grouped, made = _judged_json(matrix, list(report), why)
    alone, made_alone = _judged_alone(matrix, list(report), why)
    assert made < made_alone  # some targets do share
    assert grouped == alone
    assert '"verdict": "breaks"' in grouped


def test_a_module_downloaded_after_a_scan_is_seen(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Not in the module cache, then downloaded (`go mod download`): the next scan sees it."""
    import shutil

    from tests import gofixtures as fx

    proxy, fetched, modcache = tmp_path / "proxy", tmp_path / "fetched", tmp_path / "modcache"
    fx.write_proxy(
        proxy,
        "example.com/remote",
        "v1.0.0",
        {"go.mod": gomod("example.com/remote", "1.20"), "r.go": CGO_FILE.replace("a", "remote")},
    )
    root = write_tree(
        tmp_path / "m",
        {
            "go.mod": gomod("example.com/u", "1.22", "require example.com/remote v1.0.0"),
            "main.go": gofile("main", "example.com/remote", body="func main() {}"),
        },
    )
    fx.download(root, proxy, fetched)
    modcache.mkdir()
    monkeypatch.setenv("GOMODCACHE", str(modcache))
    monkeypatch.setenv("GOFLAGS", "-mod=mod")
    _settle()
    before = _scan(root)
    assert _scan(root) == before
    shutil.copytree(fetched, modcache, dirs_exist_ok=True, symlinks=True)
    _settle()
    after = _scan(root)
    assert after != before
    assert after == _scan(root, "--no-cache")


# ------------------------------------------------------------------------------------------
# Whole answers: what a scan printed, replayed while none of its inputs changed


def _answer_files() -> list[Path]:
    return sorted(cache.default_dir().glob("answer-*.bin"))


def _scanning_forbidden(monkeypatch: pytest.MonkeyPatch) -> None:
    """From here on, a scan that does not replay its answer fails the test."""
    from cgotrap.cli import main_scan

    def refuse(*_: object, **__: object) -> None:
        raise AssertionError("scanned: the answer was not replayed")

    monkeypatch.setattr(main_scan, "_run", refuse)


def test_an_unchanged_scan_replays_its_answer(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Each format's answer is replayed as it was printed, and an edit is seen (the answer
    is then that of a scan without the cache)."""
    root = _module(tmp_path / "m")
    table, json_text = _scan(root, "--format", "table"), _scan(root)
    assert table != json_text
    with monkeypatch.context() as mp:
        _scanning_forbidden(mp)
        assert _scan(root, "--format", "table") == table
        assert _scan(root) == json_text
    _edit(root / "a" / "a.go", "-lm", "-lm -lpcap")
    after = _scan(root)
    assert after != json_text
    assert after == _scan(root, "--no-cache")


def test_a_replayed_answer_keeps_its_messages_file_and_exit_code(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """stderr lines (a pattern matching no package), `-o FILE` and the exit status come
    back."""
    root = _module(tmp_path / "m")
    write_tree(root, {"docs/readme.txt": "no Go here\n"})
    _settle()
    report = tmp_path / "report.sarif"
    argv = ["scan", str(root), "./...", "./docs/...", "--targets", "windows/amd64"]
    argv += ["--cgo", "0", "--format", "sarif", "-o", str(report), "--fail-on", "note"]
    first = cli.main_inner(argv)
    printed = capsys.readouterr()
    assert "matched no packages" in printed.err
    text = report.read_text()
    report.unlink()
    with monkeypatch.context() as mp:
        _scanning_forbidden(mp)
        assert cli.main_inner(argv) == first == 1
    assert capsys.readouterr() == printed
    assert report.read_text() == text


def test_a_baseline_edit_is_seen_by_the_answer(tmp_path: Path) -> None:
    root = _module(tmp_path / "m")
    baseline = tmp_path / "baseline.json"
    assert (
        cli.main_inner(
            ["baseline", str(root), "--targets", "linux/amd64,windows/amd64", "-o", str(baseline)]
        )
        == 0
    )
    _settle()
    with_baseline = _scan(root, "--baseline", str(baseline))
    assert _scan(root, "--baseline", str(baseline)) == with_baseline
    baseline.write_text('{"version": 1, "entries": []}\n')
    _settle()
    after = _scan(root, "--baseline", str(baseline))
    assert after != with_baseline
    assert after == _scan(root, "--baseline", str(baseline), "--no-cache")


def test_a_touched_file_is_rehashed_not_rewritten(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Same content, new timestamps: still the answer; one file is re-hashed on each run
    rather than the whole entry rewritten (it is, past `_REHASH_FILES` files)."""
    root = _module(tmp_path / "m")
    before = _scan(root)
    [answer] = _answer_files()
    stored = answer.read_bytes()
    os.utime(root / "a" / "a.go")
    _settle()
    with monkeypatch.context() as mp:
        _scanning_forbidden(mp)
        assert _scan(root) == before
        assert answer.read_bytes() == stored
        mp.setattr(cache, "_REHASH_FILES", 0)
        assert _scan(root) == before
        assert answer.read_bytes() != stored  # now trusted by its new identity
    _edit(root / "a" / "a.go", "-lm", "-lm -lz")
    assert _scan(root) == _scan(root, "--no-cache") != before


def test_a_warm_scan_imports_neither_loader_nor_judge_nor_renderers(tmp_path: Path) -> None:
    """What makes a warm scan faster than one `go list`: it stats its inputs and prints."""
    import subprocess
    import sys

    root = _module(tmp_path / "m")
    time.sleep(cache.DEFAULT_RACY_NS / 1e9)  # the children's racy window is the real one
    code = (
        "import sys\n"
        "from cgotrap.cli.main import main\n"
        f"main(['scan', {str(root)!r}, '--targets', 'linux/amd64'])\n"
        "print('MODULES', *sorted(sys.modules))\n"
    )
    runs = [
        subprocess.run(
            [sys.executable, "-c", code], capture_output=True, text=True, check=True
        ).stdout
        for _ in range(2)
    ]
    cold, warm = (set(r.rpartition("MODULES ")[2].split()) for r in runs)
    assert runs[0].rpartition("MODULES")[0] == runs[1].rpartition("MODULES")[0]
    heavy = {"cgotrap.evaluate.load", "cgotrap.judge.scan", "cgotrap.render.scan", "rich"}
    assert heavy <= cold
    assert not heavy & warm, sorted(heavy & warm)
    assert not {m for m in warm if m.startswith(("cgotrap.judge", "cgotrap.evaluate"))}


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_a_terminal_answer_is_replayed_with_its_colours(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """rich draws for the terminal it finds; the drawing is the answer, replayed for the
    same terminal (size and TERM), drawn again for another."""
    root = _module(tmp_path / "m")
    monkeypatch.setenv("TERM", "xterm-256color")
    monkeypatch.setenv("COLUMNS", "100")
    monkeypatch.delenv("NO_COLOR", raising=False)

    def draw() -> str:
        out = _Terminal()
        with redirect_stdout(out):
            cli.main_inner(["scan", str(root), "--targets", "linux/amd64,windows/amd64"])
        return out.getvalue()

    first = draw()
    assert "\x1b[" in first  # drawn in colour
    with monkeypatch.context() as mp:
        _scanning_forbidden(mp)
        assert draw() == first
    monkeypatch.setenv("NO_COLOR", "1")
    assert draw() != first  # no colours: drawn again, not replayed
    assert len(_answer_files()) == 2


def test_a_project_without_cgo_builds_no_parser_helper(tmp_path: Path) -> None:
    """Nothing's Go files change with cgo: no declarations to read, so the go/parser helper
    (~0.2 s of `go build` even with go's build cache warm) is not built; a cgo package
    then makes the next scan build it."""
    root = write_tree(
        tmp_path / "m",
        {
            "go.mod": gomod("example.com/p", "1.22"),
            "main.go": gofile("main", "fmt", body='func main() { fmt.Println("hi") }'),
        },
    )
    _scan(root)
    assert not (cache.default_dir() / "godecl").exists()
    assert not list(cache.default_dir().glob("godecl-*.bin"))
    (root / "a").mkdir()
    (root / "a" / "a.go").write_text(CGO_FILE)
    _scan(root)
    assert list((cache.default_dir() / "godecl").iterdir())


def test_the_parser_helper_builds_while_loading_and_is_stopped_when_not_needed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Directories scanned up front with cgo files start the helper's build before the
    targets are loaded (it runs meanwhile); when no package's Go files turn out to change
    with cgo (here a vendored cgo package nothing imports) the build is stopped: no binary,
    no build folder, no process left."""
    from cgotrap.evaluate import forked
    from cgotrap.evaluate import sources as sources_module
    from cgotrap.evaluate.load import plan as plan_module

    monkeypatch.setattr(forked, "MIN_ITEMS", 1)  # prefetch even this small tree
    order: list[str] = []
    started = sources_module.PendingReader.__init__
    load = plan_module.ListingPlan.matrix

    def note_start(self: object, *a: object, **k: object) -> None:
        order.append("build")
        started(self, *a, **k)  # type: ignore[arg-type]

    def note_load(self: plan_module.ListingPlan, indices: object = None) -> object:
        order.append("load")  # (a second process's load is noted in its own memory)
        return load(self, indices)  # type: ignore[arg-type]

    monkeypatch.setattr(sources_module.PendingReader, "__init__", note_start)
    monkeypatch.setattr(plan_module.ListingPlan, "matrix", note_load)
    root = _module(tmp_path / "m")
    _scan(root)
    assert order == ["build", "load"]
    assert list((cache.default_dir() / "godecl").rglob("godecl"))  # built, and used

    unused = write_tree(
        tmp_path / "u",
        {
            "go.mod": gomod("example.com/u", "1.22", "require example.com/v v1.0.0"),
            "vendor/modules.txt": "# example.com/v v1.0.0\n## explicit; go 1.20\nexample.com/v/c\n",
            "vendor/example.com/v/c/c.go": CGO_FILE.replace("package a", "package c"),
            "main.go": gofile("main", body="func main() {}"),
        },
    )
    _settle()
    monkeypatch.setenv("CGOTRAP_CACHE_DIR", str(tmp_path / "other-cache"))
    order.clear()
    _scan(unused)
    assert order == ["build", "load"]
    godecl_dir = tmp_path / "other-cache" / "godecl"
    assert not list(godecl_dir.rglob("godecl")), "built although nothing needed it"
    assert not list(godecl_dir.rglob("build-*"))
    with pytest.raises(ChildProcessError):
        os.waitpid(-1, os.WNOHANG)


def test_a_cache_directory_that_cannot_be_made_costs_only_the_cache(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """$CGOTRAP_CACHE_DIR naming a file: nothing is cached, the go/parser helper is built
    into a temporary folder, and the answer is the one a working cache gives."""
    root = _module(tmp_path / "m")
    expected = _scan(root)
    blocked = tmp_path / "a-file"
    blocked.write_text("")
    monkeypatch.setenv("CGOTRAP_CACHE_DIR", str(blocked))
    capsys.readouterr()
    assert _scan(root) == expected
    assert capsys.readouterr().err == ""
    assert blocked.read_text() == ""
