"""A file the scan read only in part keeps the digest of the bytes it read
(`cache.prefix_digest`), which is sound only if the scan's result is a function of those
bytes alone: any file with the same leading bytes reads the same, whatever follows them
(nothing, or anything), on every reader path (Go headers, cgo preambles, `//go:embed`,
the comment headers of .s/.c/.h files, headers longer than the first read)."""

from __future__ import annotations

import hashlib
import os
import time
from pathlib import Path

import pytest

from cgotrap import cache
from cgotrap.inputs import NotRegularFileError
from cgotrap.read import filename as fn
from cgotrap.read import gofile
from cgotrap.read.fdreader import read_noted

_FIRST = gofile._FIRST_READ
_BODY = "func f() int { return 1 }\n" * 2000  # (52 KB of code after a header)
_PREAMBLE = "".join(f"// #define M{i} {i}\n" for i in range(1500))  # (~30 KB: a second read)


def _read(directory: Path, name: str) -> tuple[gofile.SourceFile, dict[str, bytes]]:
    kind = fn.file_kind(name)
    assert kind is not None, name
    digests: dict[str, bytes] = {}
    return gofile.read_source_file(str(directory), name, kind, digests), digests


def _same_for_any_rest(tmp_path: Path, name: str, content: bytes) -> int:
    """Read `content` as `name`; when only a prefix was read, the same file with that prefix
    and another rest (none, a NUL, more lines, a header-breaking line) reads the same with
    the same digest, and one a byte shorter differs in digest. The prefix's length, or -1
    when it was read whole (with the whole file's SHA-256)."""
    path = tmp_path / name
    path.write_bytes(content)
    got, digests = _read(tmp_path, name)
    digest = digests[name]
    read = cache.prefix_length(digest)
    if read < 0:
        assert digest == hashlib.sha256(content).digest(), name
        return -1
    prefix = content[:read]
    assert digest == cache.prefix_digest(read, hashlib.sha256(prefix).digest())
    assert cache._prefix_file_digest(str(path), read) == digest
    for rest in (b"", b"\0", b'\nimport "os"\n' * 3000, b"\n}\n//go:embed x\n" + content):
        path.write_bytes(prefix + rest)
        assert _read(tmp_path, name) == (got, {name: digest}), (name, rest[:20])
    path.write_bytes(prefix[:-1])
    assert cache._prefix_file_digest(str(path), read) != digest
    return read


@pytest.mark.parametrize(
    ("name", "content", "read"),
    [
        ("a.go", 'package a\n\nimport "fmt"\n\n' + _BODY, _FIRST),  # the fast path
        ("a.go", '// x\npackage a\n\nimport (\n\t. "fmt"\n)\n\n' + _BODY, _FIRST),
        ("c.go", "package a\n\n" + _PREAMBLE + 'import "C"\n\n' + _BODY, 4 * _FIRST),
        ("c.go", 'package a\n\n/*\n#include <x.h>\n*/\nimport "C"\n\n' + _BODY, _FIRST),
        ("e.go", 'package a\n\nimport _ "embed"\n\n' + _BODY, -1),  # embeds: the whole file
        ("x.s", '// +build amd64\n\n#include "textflag.h"\n' + _BODY, _FIRST),
        ("x.c", "/* c */\n// +build linux\n\nint x;\n" + _BODY, _FIRST),
        ("x.h", _PREAMBLE + "\nint x;\n" + _BODY, 4 * _FIRST),
        ("a.go", "package a\n" + "x" * (_FIRST - 10), _FIRST),  # all of it, no end seen
        ("a.go", "x" * _FIRST, -1),  # read on to the size it had: whole
        ("a.go", "package a\n\nimport 5\n" + _BODY, -1),  # a syntax error: whole
    ],
)
def test_a_prefix_read_decides_the_result(
    tmp_path: Path, name: str, content: str, read: int
) -> None:
    assert _same_for_any_rest(tmp_path, name, content.encode()) == read


def test_every_big_source_file_of_goroot_reads_the_same_for_any_rest(
    tmp_path: Path, goroot: Path
) -> None:
    """The real corpus: GOROOT's sources over the first read (Go, assembly, C; a third of
    them, ~400, in a fixed sample)."""
    big: list[Path] = []
    for directory, _, names in os.walk(goroot / "src"):
        for name in names:
            path = Path(directory, name)
            if fn.file_kind(name) not in (None, fn.FileKind.SYSO) and path.stat().st_size > _FIRST:
                big.append(path)
    kinds: dict[str, int] = {}
    for path in sorted(big)[::3]:
        if _same_for_any_rest(tmp_path, path.name, path.read_bytes()) >= 0:
            ext = path.suffix
            kinds[ext] = kinds.get(ext, 0) + 1
    assert kinds.keys() >= {".go", ".s"}, kinds
    assert sum(kinds.values()) > 300


def test_a_read_that_grew_past_its_end_gives_no_digest(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A short read, then more bytes (the file grew while read): what the result was computed
    from is neither a prefix nor the whole file: no digest."""
    f = tmp_path / "e.go"
    head, tail = b'package a\n\nimport _ "embed"\n', b"//go:embed x\nvar s string\n"
    f.write_bytes(head + tail + b"\n" * _FIRST)
    st = f.stat()  # (a size it had: no file of one read, `FdReader` reads it)
    f.write_bytes(head)
    real_read = os.read
    calls: list[int] = []

    def grows(fd: int, size: int) -> bytes:
        calls.append(size)
        data = real_read(fd, size)
        if len(calls) == 1:
            with f.open("ab") as out:
                out.write(tail)
        return data

    monkeypatch.setattr(os, "read", grows)
    digests: dict[str, bytes] = {}
    got = gofile.read_source_file(str(tmp_path), "e.go", fn.FileKind.GO, digests, st)
    monkeypatch.undo()
    assert [e.pattern for e in got.embeds] == ["x"]  # (read on: the bytes that came after)
    assert digests == {}


@pytest.fixture(autouse=True)
def _short_racy_window(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(cache, "RACY_NS", 20_000_000)


def _aged(_: Path) -> None:
    """Let the file's timestamps age past the racy window."""
    time.sleep(2 * cache.RACY_NS / 1e9)


def _prefix_state(path: Path, read: int) -> cache.State:
    st = cache.state_of(str(path))
    sha = hashlib.sha256(path.read_bytes()[:read]).digest()
    return st._replace(digest=cache.prefix_digest(read, sha))


def test_a_prefix_state_holds_while_its_bytes_do(tmp_path: Path) -> None:
    """`state_of` with an old prefix state hashes as many leading bytes: the same after a
    touch or an edit beyond them, not after one inside them or a cut below them."""
    f = tmp_path / "a.go"
    f.write_bytes(b"0123456789" * 10)
    _aged(f)
    old = _prefix_state(f, 40)
    assert cache.state_of(str(f), old) is old  # (trusted, the same identity: not read)
    for content, same in [
        (b"0123456789" * 10, True),  # touched
        (b"0123456789" * 4 + b"x" * 100, True),  # edited beyond
        (b"0123456789" * 4, True),  # cut at the prefix's end
        (b"0123456789" * 3 + b"012345678x" + b"0" * 60, False),  # edited inside
        (b"0123456789" * 3 + b"012345678", False),  # cut below
    ]:
        f.write_bytes(content)
        _aged(f)
        now = cache.state_of(str(f), old)
        assert now.identity != old.identity
        assert now.trusted
        assert now.same(old) is same, content
        assert cache.prefix_length(now.digest) == (40 if same else cache.prefix_length(now.digest))


def test_a_racy_file_gets_an_untrusted_prefix_state(tmp_path: Path) -> None:
    f = tmp_path / "a.go"
    f.write_bytes(b"0123456789" * 10)
    _aged(f)
    old = _prefix_state(f, 40)
    f.write_bytes(b"0123456789" * 4 + b"y" * 60)  # just written: racy
    now = cache.state_of(str(f), old)
    assert now.same(old)
    assert not now.trusted


def test_prefix_digests_equal_no_other_digest() -> None:
    sha = hashlib.sha256(b"").digest()
    for length in (0, 1, 16384, 1 << 40):
        digest = cache.prefix_digest(length, sha)
        assert cache.prefix_length(digest) == length
        assert digest not in (sha, cache.PENDING, b"", cache._identity_digest((1, 2, 3, 4, 5, 6)))
    for other in (sha, cache.PENDING, b"", cache._identity_digest((1, 2, 3, 4, 5, 6))):
        assert cache.prefix_length(other) == -1


@pytest.mark.parametrize("noted", [False, True])
@pytest.mark.parametrize("change", ["touched", "edited beyond", "edited inside", "untrusted"])
def test_an_answer_checks_a_prefix_state_by_its_prefix_unless_a_reader_read_more(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, change: str, *, noted: bool
) -> None:
    """An answer whose directory scan read a file in part holds after a touch or an edit
    beyond the bytes read; once another reader read the file (`read_noted`: its state is
    kept with the answer, `cache.READ`), an edit beyond them misses too. An edit inside
    them always misses; a touch never does."""
    monkeypatch.setattr(cache, "READ", {})
    f = tmp_path / "big.c"
    f.write_bytes(b"int x;\n" * 100)
    _aged(f)
    state = _prefix_state(f, 70)
    if change == "untrusted":
        state = state._replace(trusted=False)
    if noted:
        assert read_noted(f, 1 << 20) == f.read_bytes()
        assert cache.READ[str(f)].digest == hashlib.sha256(f.read_bytes()).digest()
    store = cache.Store(tmp_path / "cache")
    parts = (cache.pack({str(f): state}), cache.pack(cache.READ))  # (as the CLI keeps them)
    store.put_answer("scan", "k", "answer", parts)
    assert store.get_answer("scan", "k") == "answer"
    if change == "touched":
        os.utime(f)
    elif change == "edited beyond":
        f.write_bytes(b"int x;\n" * 10 + b"int y;\n" * 90)
    elif change == "edited inside":
        f.write_bytes(b"int y;\n" * 100)
    _aged(f)
    holds = change in ("touched", "untrusted") or (change == "edited beyond" and not noted)
    assert cache.state_of(str(f), state).same(state) == (change != "edited inside")
    assert store.get_answer("scan", "k") == ("answer" if holds else None)


def test_a_file_noted_twice_keeps_what_vouches_for_more(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Two reads of the same unchanged file: the longer one's digest; of a file that changed
    in between (another identity), or with racy timestamps: a state no content matches."""
    monkeypatch.setattr(cache, "READ", {})
    f = tmp_path / "a.go"
    f.write_bytes(b"package a\n" * 100)
    _aged(f)
    path = str(f)
    read_noted(f, 100)
    part = cache.READ[path]
    assert cache.prefix_length(part.digest) == 100
    assert part.trusted
    read_noted(f, 1 << 20)
    whole = cache.READ[path]
    assert whole.digest == hashlib.sha256(f.read_bytes()).digest()
    read_noted(f, 50)  # (a shorter read again: the whole file's digest stays)
    assert cache.READ[path] == whole
    cache.note_states({path: part})
    assert cache.READ[path] == whole
    f.write_bytes(b"package b\n" * 100)
    read_noted(f, 1 << 20)
    assert cache.READ[path].digest == b""
    assert not cache.READ[path].trusted
    assert not cache.state_of(path, cache.READ[path]).same(cache.READ[path])
    cache.READ.clear()
    read_noted(f, 1 << 20)  # (racy: written just now)
    racy = cache.READ[path]
    assert not racy.trusted
    cache.note_states({path: racy._replace(digest=cache.prefix_digest(5, b"x" * 32))})
    assert cache.READ[path].digest == b""


def test_read_noted_reads_as_open_does(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The bytes `open(path, "rb").read(limit)` gives (a relative path noted as an absolute
    one); the errors it raises; `regular=True`: a FIFO refused as `inputs.read_regular`
    refuses it, and nothing noted for a file not read."""
    monkeypatch.setattr(cache, "READ", {})
    monkeypatch.chdir(tmp_path)
    content = os.urandom(100_000)
    Path("f.bin").write_bytes(content)
    for limit in (0, 1, 4096, 99_999, 100_000, 100_001, 1 << 20):
        with Path("f.bin").open("rb") as fh:
            assert read_noted("f.bin", limit) == fh.read(limit)
    assert list(cache.READ) == [str(tmp_path / "f.bin")]
    with pytest.raises(FileNotFoundError):
        read_noted(tmp_path / "missing", 10)
    with pytest.raises(IsADirectoryError):
        read_noted(tmp_path, 10)
    os.mkfifo(tmp_path / "fifo")
    with pytest.raises(NotRegularFileError):
        read_noted(tmp_path / "fifo", 10, regular=True)
    assert list(cache.READ) == [str(tmp_path / "f.bin")]


def test_a_big_file_the_scan_did_not_open_is_kept_by_its_identity(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The writers' `PENDING` files (a .syso, a data file) over `_UNREAD_HASHED_MAX_BYTES`:
    kept by their identity, not read; smaller ones hashed."""
    big, small = tmp_path / "race.syso", tmp_path / "notes.txt"
    big.write_bytes(b"\0" * (cache._UNREAD_HASHED_MAX_BYTES + 1))
    small.write_bytes(b"\0" * cache._UNREAD_HASHED_MAX_BYTES)
    _aged(big)
    digest = cache._file_digest
    read: list[str] = []

    def logged(path: str, *size: int) -> bytes | None:
        read.append(path)
        return digest(path, *size)

    monkeypatch.setattr(cache, "_file_digest", logged)
    for path in (big, small):
        pending = cache.state_of(str(path), defer=True)
        assert pending.digest == cache.PENDING
        got = cache.with_digest(str(path), pending)
        assert got.trusted
        if path is big:
            assert got.digest == cache._identity_digest(got.identity)
        else:
            assert got.digest == hashlib.sha256(path.read_bytes()).digest()
    assert read == [str(small)]


@pytest.mark.parametrize("length", [0, 1, (1 << 20) - 1, 1 << 20, (5 << 19) + 3, 3 << 20])
def test_a_prefix_digest_of_any_length(tmp_path: Path, length: int) -> None:
    """Read in bounded chunks; a file shorter than `length` gives the digest of what it
    holds, tagged with its own length."""
    f = tmp_path / "f"
    content = os.urandom(3 << 20)
    f.write_bytes(content)
    want = cache.prefix_digest(length, hashlib.sha256(content[:length]).digest())
    assert cache._prefix_file_digest(str(f), length) == want
    longer = cache._prefix_file_digest(str(f), len(content) + 10)
    assert longer == cache.prefix_digest(len(content), hashlib.sha256(content).digest())


def test_the_finding_locator_notes_what_it_read(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`gate.judging._header_lines` (a finding's file whose suppressions were not read):
    noted whole, though it keeps only the lines up to `import "C"`."""
    from cgotrap.gate import judging

    monkeypatch.setattr(cache, "READ", {})
    content = b'package a\n\n// #include <stdio.h>\nimport "C"\n\n' + _BODY.encode()
    (tmp_path / "a.go").write_bytes(content)
    assert judging._header_lines(tmp_path, "a.go")[-1] == 'import "C"'
    assert cache.READ[str(tmp_path / "a.go")].digest == hashlib.sha256(content).digest()


@pytest.mark.parametrize("now", [100, _FIRST - 50, _FIRST, 3 * _FIRST])
def test_a_file_read_with_an_older_stat_is_kept_with_the_digest_of_what_was_read(
    tmp_path: Path, now: int
) -> None:
    """`read_source_file` given the stat of a small file (one read is all of it) that has
    grown since (to `now` bytes and more): a file still small reads as it is now; any
    record is that of the bytes its digest is of (a whole file's digest: the bytes the
    stat's size said, as `FdReader` reads them; the directory's state has that stat's
    identity, which the file no longer has: its next scan hashes it again)."""
    old = tmp_path / "old.go"
    old.write_bytes(b"package a\n")
    st = old.stat()
    content = b"package a\n\n" + b"// x\n" * (now // 5) + b"var _ = 1\n"
    (tmp_path / "a.go").write_bytes(content)
    digests: dict[str, bytes] = {}
    got = gofile.read_source_file(str(tmp_path), "a.go", fn.FileKind.GO, digests, st)
    digest = digests["a.go"]
    length = cache.prefix_length(digest)
    if length < 0:  # (a whole file's: of how many leading bytes?)
        sizes = {len(content), st.st_size, _FIRST, 4 * _FIRST}  # (what its reads ask for)
        (length,) = [n for n in sizes if n <= len(content) and sha(content[:n]) == digest]
    assert got == gofile.source_from_bytes(content[:length], "a.go", fn.FileKind.GO)
    if len(content) < _FIRST:
        assert (got, digests) == _read(tmp_path, "a.go")


def sha(data: bytes) -> bytes:
    return hashlib.sha256(data).digest()
