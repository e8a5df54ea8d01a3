"""A persistent cache of scan work, under `$XDG_CACHE_HOME/cgotrap` (default ~/.cache/cgotrap).

Two layers, each checked against the file system before it is used, never trusted blindly:

- directory scans (`dirscans.DirScans`, in their own module): one directory's `DirFacts` for
  every target, keyed by the directory and the state of each of its entries;
- whole results (`Store.get_answer` / `put_answer`): a scan's result, or a command's whole
  answer, with the state of every path the run consulted (`Packed` columns);
- the Go declaration reader's per-file records (`read.godecl.GoDeclReader`), content-keyed
  (a file's SHA-256), one entry per project; its helper binary is built into the `godecl`
  folder beside the cache files.

A path's `State` is its identity `(dev, inode, size, mtime_ns, ctime_ns, mode)` plus a digest
of its content (a file's bytes, a directory's entry names). When the identity is unchanged and
the timestamps were older than `RACY_NS` when the state was taken, the digest is not
recomputed (git's racy-timestamp rule: a file changed within the clock's granularity right
after it was read could keep its identity). Otherwise the content is hashed again, so a touched
file with the same content keeps its entries valid and an edited one never does. A file the
scan read only in part (a big file's header) has the digest of the bytes it read
(`prefix_digest`): its directory's scan holds while they do. The run's other readers of
source files (the Go declaration reader's sources, the C include reader, suppressions, the
finding locator) read through `read.fdreader.read_noted`, which notes each file with the
digest of what it read (`READ`, `note_read`); every answer is kept with those states too,
so an edit anywhere in a file one of them read misses, while a touch, or an edit beyond the
scan's bytes of a file none of them read, keeps the answer.

Cache files are written atomically (a temporary file, then `os.replace`) and carry a SHA-256
of their payload: a torn, truncated, corrupted or foreign file is detected, removed and rebuilt.
The store keeps under `max_bytes`, dropping the least recently used files. Nothing here writes
unless the caller made a `Store` (the CLI decides; `--no-cache` makes none).
"""

# Paths are strings here (os.stat / os.scandir on go's names, as the loader has them).
# ruff: noqa: PTH105, PTH108, PTH109, PTH116, PTH117, PTH118, PTH208

from __future__ import annotations

import contextlib
import copyreg
import functools
import hashlib
import io
import os
import pickle
import shutil
import stat
import tempfile
import time
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple

import cgotrap

if TYPE_CHECKING:
    pass

CACHE_FORMAT = 4
"""Bumped when what is stored changes shape (old files then simply miss)."""

DEFAULT_RACY_NS = 2_000_000_000
RACY_NS = DEFAULT_RACY_NS
"""A timestamp this close to the moment a state was taken is not trusted (2 s: FAT's
granularity, far above ext4/APFS/NTFS's)."""

DEFAULT_MAX_BYTES = 512 * 1024 * 1024
"""The store's default size bound."""

FOLDERS = ("godecl", "godecl-files")
"""Folders of the cache directory `Store.clean` removes besides the cache files: the Go
declaration reader's helper builds (`read.godecl.build_helper`), and the per-file folder
cgotrap kept before its records moved into the store."""

_REHASH_FILES = 64
_REHASH_BYTES = 4 << 20
"""Re-hashed files (and their bytes) of an answer beyond which `get_answer` rewrites it."""

_HASHED_MAX_BYTES = 8 << 20
"""A regular file larger than this, with trusted timestamps, is kept by its identity alone
(`_identity_digest`), not hashed: go's binary is 17 MB, ~17 ms of CPU to hash on each cold
run for a file that changes only when go is reinstalled. Touching one (a new identity,
the same content) then costs a new answer rather than a hit: never a stale one, since a
write always changes a trusted identity (the same guarantee a trusted identity's
shortcut relies on everywhere)."""

_UNREAD_HASHED_MAX_BYTES = 256 << 10
"""A `PENDING` file (one of a scanned directory the scan did not open: a .syso, a data file)
larger than this, with trusted timestamps, is kept by its identity too (`with_digest`):
GOROOT's 16 such files (race detector and boringcrypto .syso, the trace viewer's page)
are 16 MB, ~15 ms of the cache writers' CPU to hash on each cold run. Touching one costs
its directory's scan and the answer, never a stale one."""

_MAGIC = b"CGTRAPC1"
_DIGEST = 32


def default_dir(env: Mapping[str, str] | None = None) -> Path:
    """`$CGOTRAP_CACHE_DIR` (for CI and tests), else `$XDG_CACHE_HOME/cgotrap`, else
    `~/.cache/cgotrap`."""
    env = os.environ if env is None else env
    own = env.get("CGOTRAP_CACHE_DIR", "")
    if own:
        return Path(own)
    base = env.get("XDG_CACHE_HOME", "")
    if base and os.path.isabs(base):
        return Path(base) / "cgotrap"
    return Path.home() / ".cache" / "cgotrap"


# ------------------------------------------------------------------------------------------
# States of paths


class State(NamedTuple):
    """What a path was when a cache entry was made. (A NamedTuple, not a dataclass: a run
    stores ~20k of them and a tuple pickles and loads several times faster.)"""

    identity: tuple[int, ...]
    """(dev, inode, size, mtime_ns, ctime_ns, mode); () for a path that did not exist."""
    digest: bytes
    """SHA-256 of a regular file's bytes, of a directory's sorted entry names; b"" else. A
    file the scan read only in part: the digest of the bytes it read (`prefix_digest`)."""
    trusted: bool
    """The identity alone proves the content unchanged (its timestamps were not racy)."""

    def same(self, other: State) -> bool:
        """The same content and kind (the timestamps may differ: a touched file)."""
        return self.digest == other.digest and self.mode == other.mode

    @property
    def mode(self) -> int:
        """st_mode, or -1 for a missing path."""
        return self.identity[5] if self.identity else -1


MISSING = State(identity=(), digest=b"", trusted=True)


PENDING = b"-"
"""The digest of a trusted regular file not hashed yet (`state_of(defer=True)`): never kept
in a cache file as a state to check (`with_digests` hashes it first; the entries the "dirs"
file keeps as the prefetch's helper pickled them hold some, of which only the names are
read: `_dir_entries`), never equal to a real digest."""


_PREFIX = b"prefix"
_PREFIX_DIGEST = len(_PREFIX) + 8 + 32


def prefix_digest(length: int, sha256: bytes) -> bytes:
    """The digest of a file the scan read only in part (`read.gofile.read_source_file`):
    of its first `length` bytes (`sha256`: theirs), the length tagged, never equal to a
    whole file's SHA-256, to `_identity_digest` or `PENDING`. The scan's result is a
    function of those bytes alone, so a state with one is checked by hashing as many
    leading bytes of the file now (`state_of_stat`): an edit beyond them, or a touch, keeps
    the directory's scan. An answer depends on what the run's other readers read too
    (godecl, the C include reader, suppressions read whole files): each answer is kept with
    their states too (`READ`), checked by the digest of what they read."""
    return _PREFIX + length.to_bytes(8, "big") + sha256


def prefix_length(digest: bytes) -> int:
    """How many leading bytes a `prefix_digest` is of; -1 for any other digest."""
    if len(digest) == _PREFIX_DIGEST and digest.startswith(_PREFIX):
        return int.from_bytes(digest[len(_PREFIX) : len(_PREFIX) + 8], "big")
    return -1


def state_of(path: str, old: State | None = None, *, defer: bool = False) -> State:
    """The state of `path` now (symbolic links followed, as go reads them); `old`, when its
    identity still holds and was trusted, is returned as it is without reading anything.
    `defer`: a regular file whose timestamps are trusted is not hashed now (`PENDING`; see
    `with_digests`)."""
    try:
        st = os.stat(path)
    except OSError:
        return old if old == MISSING else MISSING
    return state_of_stat(path, st, old, defer=defer)


def state_of_stat(
    path: str,
    st: os.stat_result,
    old: State | None,
    *,
    defer: bool = False,
    names: list[str] | None = None,
) -> State:
    """`state_of` with the path's stat (symbolic links followed) already taken; `names`: a
    directory's entry names, listed after that stat (else it is listed here). A file whose
    `old` digest is a `prefix_digest` gets one of as many leading bytes."""
    identity = (st.st_dev, st.st_ino, st.st_size, st.st_mtime_ns, st.st_ctime_ns, st.st_mode)
    if old is not None and old.identity == identity and old.trusted:
        return old
    now = time.time_ns()
    trusted = max(st.st_mtime_ns, st.st_ctime_ns) < now - RACY_NS
    if stat.S_ISREG(st.st_mode):
        length = -1 if old is None else prefix_length(old.digest)
        if length >= 0:
            digest = _prefix_file_digest(path, length)
        elif trusted and st.st_size > _HASHED_MAX_BYTES:
            return State(identity=identity, digest=_identity_digest(identity), trusted=True)
        elif defer and trusted:
            return State(identity=identity, digest=PENDING, trusted=True)
        else:
            digest = _file_digest(path)
    elif stat.S_ISDIR(st.st_mode):
        digest = _dir_digest(path) if names is None else _names_digest(names)
    else:  # a pipe or device: never opened, its identity is all there is
        digest = b""
        trusted = False
    if digest is None:  # unreadable now: its identity cannot vouch for later content
        digest, trusted = b"", False
    got = State(identity=identity, digest=digest, trusted=trusted)
    return old if got == old else got


_OPEN_FLAGS = os.O_RDONLY | getattr(os, "O_CLOEXEC", 0) | getattr(os, "O_NONBLOCK", 0)


def _file_digest(path: str, size: int = 1 << 20) -> bytes | None:
    """SHA-256 of the file's bytes, None when it cannot be read. `size`: what it is
    expected to hold (its stat's): read in one call, then to the end if there is more. (A
    short read anywhere else would give a digest that matches no content: the file's state
    is then only ever judged changed, never the same.)"""
    try:
        fd = os.open(path, _OPEN_FLAGS)
    except OSError:
        return None
    try:
        want = min(size, 1 << 24) + 1
        first = os.read(fd, want)
        h = hashlib.sha256(first)
        if len(first) < want:  # a regular file's read is short only at its end
            return h.digest()
        while chunk := os.read(fd, 1 << 20):
            h.update(chunk)
        return h.digest()
    except OSError:
        return None
    finally:
        os.close(fd)


def _prefix_file_digest(path: str, length: int) -> bytes | None:
    """The `prefix_digest` of the first `length` bytes of the file (of fewer when it holds
    fewer: then equal to no digest of `length` bytes), None when it cannot be read."""
    try:
        fd = os.open(path, _OPEN_FLAGS)
    except OSError:
        return None
    h = hashlib.sha256()
    got = 0
    try:
        while got < length and (chunk := os.read(fd, min(length - got, 1 << 20))):
            h.update(chunk)
            got += len(chunk)
    except OSError:
        return None
    finally:
        os.close(fd)
    return prefix_digest(got, h.digest())


def _identity_digest(identity: tuple[int, ...]) -> bytes:
    """The digest of a large file kept by its identity (`_HASHED_MAX_BYTES`): equal only
    for the same identity, never equal to a content's digest (SHA-256: 32 bytes)."""
    return b"identity" + repr(identity).encode()


def _dir_digest(path: str) -> bytes | None:
    try:
        names = os.listdir(path)
    except OSError:
        return None
    return _names_digest(names)


def _names_digest(names: list[str]) -> bytes:
    """A directory's digest: of its entry names (as listed, in any order)."""
    return hashlib.sha256("\0".join(sorted(names)).encode("utf-8", "surrogateescape")).digest()


def with_digest(path: str, state: State) -> State:
    """`state` with its `PENDING` digest computed. A file whose identity still holds has the
    content it had when the state was taken (its timestamps were trusted then); one that
    changed since gets a state that matches nothing (what was read from it is unknown)."""
    if state.digest != PENDING:
        return state
    # (`state_of(path)`, trusted when its identity still holds: its timestamps were trusted,
    # and what a later write changes is the identity; a third of the writer's time on moby)
    try:
        st = os.stat(path)
    except OSError:
        st = None
    if st is not None:
        identity = (st.st_dev, st.st_ino, st.st_size, st.st_mtime_ns, st.st_ctime_ns, st.st_mode)
        if identity == state.identity and stat.S_ISREG(st.st_mode):
            if st.st_size > _UNREAD_HASHED_MAX_BYTES:
                return State(identity=identity, digest=_identity_digest(identity), trusted=True)
            digest = _file_digest(path, st.st_size)
            if digest is not None:
                return State(identity=identity, digest=digest, trusted=True)
    return State(identity=state.identity, digest=b"", trusted=False)


def changed_since(states: Iterable[State], started_ns: int) -> bool:
    """Whether a path may have changed after `started_ns` (within the racy margin before
    it too): a state taken after the reads does not tell what was read."""
    limit = started_ns - RACY_NS
    return any(st.identity and max(st.identity[3], st.identity[4]) >= limit for st in states)


READ: dict[str, State] = {}
"""The files this process's readers other than the directory scans read (by the path they
opened, made absolute), each with its state when it was read, whose digest is of the bytes
read (`note_read`): the whole file's SHA-256, or a `prefix_digest` for a bounded read that
stopped before its end. The directory scans' states of the files they read in part are of
the bytes the scan read (`prefix_digest`); any reader that reads more of a file must note it
here (`read.fdreader.read_noted`), or an edit beyond the scan's bytes would be missed.
Every answer is kept with these states as its last part (`cli.scan_args.cached_scan`, and
the scan command's whole answer: `cli.main_scan`); a forked process that reads sends its
own back to the process that keeps the answer (`note_states`). Cleared when a run starts
(`cli.scan_args.cached_scan`)."""


def note_read(path: str, st: os.stat_result, digest: bytes | None) -> None:
    """Note in `READ` that the file `path` (whose `fstat` was `st`, taken before the read)
    was read, `digest`: of the bytes read (None: a read failed, nothing is vouched for)."""
    identity = (st.st_dev, st.st_ino, st.st_size, st.st_mtime_ns, st.st_ctime_ns, st.st_mode)
    if digest is None:
        state = State(identity=identity, digest=b"", trusted=False)
    else:
        trusted = max(st.st_mtime_ns, st.st_ctime_ns) < time.time_ns() - RACY_NS
        state = State(identity=identity, digest=digest, trusted=trusted)
    if not os.path.isabs(path):
        path = os.path.join(os.getcwd(), path)
    note_states({path: state})


def note_states(states: Mapping[str, State]) -> None:
    """Add `states` (`note_read`'s, of this process or of another) to `READ`. A file noted
    twice keeps the state that vouches for more: the longer of two reads of different
    lengths of the same trusted identity; any other difference (the file changed between
    the reads, or its timestamps were racy) leaves a state that matches no content: the
    answer is never found valid."""
    for path, state in states.items():
        old = READ.get(path)
        if old is None or old == state:
            READ[path] = state
        elif (
            old.identity == state.identity
            and old.trusted
            and state.trusted
            and _read_length(old.digest) != _read_length(state.digest)
        ):
            if _read_length(state.digest) > _read_length(old.digest):
                READ[path] = state
        else:
            READ[path] = State(identity=state.identity, digest=b"", trusted=False)


def _read_length(digest: bytes) -> int:
    """How much of the file a `READ` digest vouches for (a whole file's: the most)."""
    length = prefix_length(digest)
    return length if length >= 0 else 1 << 62


Packed = bytes
"""The states of some paths, pickled as four columns: (paths, identities, digests, trusted
flags as bytes). A result is kept with the packed states of its inputs, in parts
(`put_answer`): the directory scans' part comes packed from the writer child that hashed
them (`DirScans.consulted`), and is stored as it came. Columns of plain tuples, not a
`State` per path: GOROOT std's 5.7k paths pickle in ~2 ms this way, 26 ms as a dict of
States."""


def pack(states: Mapping[str, State]) -> Packed:
    """`states` as `Packed` columns."""
    paths = tuple(states)
    values = [states[p] for p in paths]
    return pack_columns(
        paths,
        [v.identity for v in values],
        [v.digest for v in values],
        bytes(v.trusted for v in values),
    )


def pack_columns(
    paths: Iterable[str],
    identities: Iterable[tuple[int, ...]],
    digests: Iterable[bytes],
    trusted: bytes,
) -> Packed:
    columns = (tuple(paths), tuple(identities), tuple(digests), trusted)
    return pickle.dumps(columns, protocol=pickle.HIGHEST_PROTOCOL)


def unpack(packed: Packed) -> dict[str, State]:
    """The states `pack` packed (a path given twice: its last state)."""
    paths, identities, digests, trusted = pickle.loads(packed)  # noqa: S301 - our own
    return {
        p: State(identity=identities[i], digest=digests[i], trusted=bool(trusted[i]))
        for i, p in enumerate(paths)
    }


# ------------------------------------------------------------------------------------------
# Keys


@functools.cache
def code_version() -> str:
    """cgotrap's version and the identity of every file of the installed package (its code
    and its data files): any change to either makes every key new."""
    h = hashlib.sha256(f"{cgotrap.__version__}\0{CACHE_FORMAT}\0".encode())
    h.update(tree_identity(str(Path(cgotrap.__file__).parent)).encode("utf-8", "surrogateescape"))
    return h.hexdigest()[:32]


def tree_identity(root: str) -> str:
    """Every file under `root` (not `__pycache__` folders nor bytecode; not the folders a
    symbolic link points to, as os.walk) as a line: its path from `root`, size, mtime and
    ctime in ns, inode. An edit, even one that keeps the size and the mtime, changes ctime;
    a file replaced, added, removed or renamed changes the lines. (One `os.scandir` per
    folder and one `stat` per file, one text hashed: ~0.5 ms for cgotrap's ~180 files,
    before every scan, warm or cold.)"""
    lines: list[str] = []
    folders = [root]
    cut = len(root) + 1
    while folders:
        folder = folders.pop()
        try:
            entries = os.scandir(folder)
        except OSError:
            continue
        with entries:
            for entry in entries:
                name = entry.name
                try:
                    if entry.is_dir():
                        if name != "__pycache__" and not entry.is_symlink():
                            folders.append(entry.path)
                        continue
                    if name.endswith((".pyc", ".pyo")):
                        continue
                    st = entry.stat()
                except OSError:
                    continue
                lines.append(
                    f"{entry.path[cut:]}\0{st.st_size}\0{st.st_mtime_ns}\0{st.st_ctime_ns}"
                    f"\0{st.st_ino}"
                )
    lines.sort()
    return "\n".join(lines)


_ENV_PREFIXES = ("GO", "CGO_", "CC", "CXX", "PKG_CONFIG")


def env_key(env: Mapping[str, str] | None = None) -> tuple[tuple[str, str], ...]:
    """The environment variables go or cgotrap read (GO*, CGO_*, CC, CXX, PKG_CONFIG*)."""
    env = os.environ if env is None else env
    return tuple(sorted((k, v) for k, v in env.items() if k.startswith(_ENV_PREFIXES)))


def make_key(*parts: object) -> str:
    """A file-name-safe key of `parts` (their repr) and the code version."""
    text = repr((code_version(), parts))
    return hashlib.sha256(text.encode("utf-8", "surrogateescape")).hexdigest()[:40]


# ------------------------------------------------------------------------------------------
# The store


class Store:
    """Cache files in one directory: checked on read, written atomically, size-bounded."""

    def __init__(self, directory: Path, *, max_bytes: int = DEFAULT_MAX_BYTES) -> None:
        self.directory = directory
        self.max_bytes = max_bytes

    def _path(self, kind: str, key: str) -> Path:
        return self.directory / f"{kind}-{key}.bin"

    def get(self, kind: str, key: str) -> Any:
        """The object stored under (kind, key), or None when absent or not intact (a bad
        file is removed)."""
        path = self._path(kind, key)
        try:
            with path.open("rb") as f:
                data = f.read()
        except OSError:
            return None
        head = len(_MAGIC) + _DIGEST
        payload = memoryview(data)[head:]
        if (
            len(data) < head
            or data[: len(_MAGIC)] != _MAGIC
            or hashlib.sha256(payload).digest() != data[len(_MAGIC) : head]
        ):
            self._discard(path)
            return None
        try:
            obj = pickle.loads(payload)  # noqa: S301 - our own file, its checksum verified
        except Exception:  # noqa: BLE001 - a class that changed shape: rebuild, never trust
            self._discard(path)
            return None
        with contextlib.suppress(OSError):
            os.utime(path)  # recently used: kept longest when the store is trimmed
        return obj

    def put(
        self, kind: str, key: str, obj: object, *, reducers: Mapping[type, Any] | None = None
    ) -> None:
        """Store `obj` under (kind, key), atomically; a failure to write is not an error
        (the next run recomputes). `reducers`: a pickle dispatch table for its records
        (`forked.dataclass_reducers`: about twice as fast both ways)."""
        try:
            if reducers is None:
                payload = pickle.dumps(obj, protocol=pickle.HIGHEST_PROTOCOL)
            else:
                buf = io.BytesIO()
                pickler = pickle.Pickler(buf, protocol=pickle.HIGHEST_PROTOCOL)
                pickler.dispatch_table = {**copyreg.dispatch_table, **reducers}
                pickler.dump(obj)
                payload = buf.getvalue()
        except (pickle.PicklingError, TypeError, AttributeError, RecursionError):
            return
        digest = hashlib.sha256(payload).digest()
        try:
            self.directory.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(dir=self.directory, prefix=".tmp-", suffix=".bin")
            try:
                with os.fdopen(fd, "wb") as f:
                    f.write(_MAGIC + digest)
                    f.write(payload)
                os.replace(tmp, self._path(kind, key))
            except BaseException:
                with contextlib.suppress(OSError):
                    os.unlink(tmp)
                raise
        except OSError:
            return
        self.trim()

    def trim(self) -> None:
        """Remove the least recently used files until the store is under `max_bytes`
        (temporary files of crashed writers older than a day go too)."""
        entries: list[tuple[float, int, Path]] = []
        total = 0
        day_ago = time.time() - 86400
        for path in self._files():
            try:
                st = path.stat()
            except OSError:
                continue
            if path.name.startswith(".tmp-"):
                if st.st_mtime < day_ago:
                    self._discard(path)
                continue
            entries.append((st.st_mtime, st.st_size, path))
            total += st.st_size
        for _, size, path in sorted(entries):
            if total <= self.max_bytes:
                break
            self._discard(path)
            total -= size

    def clean(self) -> tuple[int, int]:
        """Remove every cache file, and the folders of `FOLDERS`: (files removed, bytes
        freed)."""
        count = freed = 0
        folders = [self.directory / name for name in FOLDERS]
        for path in [*self._files(), *(p for f in folders for p in _tree_files(f))]:
            try:
                size = path.stat().st_size
                path.unlink()
            except OSError:
                continue
            count += 1
            freed += size
        for folder in folders:
            shutil.rmtree(folder, ignore_errors=True)
        return count, freed

    def _files(self) -> Iterable[Path]:
        try:
            return [p for p in self.directory.iterdir() if p.suffix == ".bin"]
        except OSError:
            return []

    @staticmethod
    def _discard(path: Path) -> None:
        with contextlib.suppress(OSError):
            path.unlink()

    # ---- results checked against the file system, with as little work as possible

    def get_answer(self, kind: str, key: str, *, with_states: bool = False) -> Any:
        """The payload stored by `put_answer` when every input is unchanged, else None (with
        `with_states`: the payload and the inputs' states now, packed in parts).

        The inputs are checked by identity in one tight loop (one `os.stat` each, no object
        built per path); only a path whose identity changed, or was not trusted, has its
        content hashed again (a touched file with the same content is still a hit, and the
        entry is rewritten with the new identities once re-hashing them costs more than
        rewriting it would: one touched file is re-hashed on each run rather than a whole
        entry rewritten after one). A file the scan read only in part (`prefix_digest`) is
        checked by those bytes; a file another reader read is in the answer's states
        (`READ`) with the digest of what that reader read, checked by it too."""
        got = self.get(kind, key)
        if not (isinstance(got, tuple) and len(got) == 2 and isinstance(got[0], tuple)):
            return None
        parts, payload = got
        columns = []
        changed: list[tuple[int, int]] = []
        stat_of = os.stat
        try:
            for part in parts:
                paths, identities, digests, trusted = pickle.loads(part)  # noqa: S301 - ours
                columns.append((paths, identities, digests, trusted))
                n = len(columns) - 1
                for i, path in enumerate(paths):
                    try:
                        st = stat_of(path)
                    except OSError:
                        now: tuple[int, ...] = ()
                    else:
                        now = (
                            st.st_dev,
                            st.st_ino,
                            st.st_size,
                            st.st_mtime_ns,
                            st.st_ctime_ns,
                            st.st_mode,
                        )
                    if now != identities[i] or not trusted[i]:
                        changed.append((n, i))
        except Exception:  # noqa: BLE001 - a part of another shape: rebuild, never trust
            return None
        if not changed:
            return (payload, parts) if with_states else payload
        fresh: dict[str, State] = {}
        hashed = 0
        for n, i in changed:
            paths, identities, digests, trusted = columns[n]
            old = State(identity=identities[i], digest=digests[i], trusted=bool(trusted[i]))
            cur = state_of(paths[i], old)
            if cur is not old and not cur.same(old):
                return None
            fresh[paths[i]] = cur
            hashed += cur.identity[2] if cur.identity else 0
        rewrite = len(changed) > _REHASH_FILES or hashed > _REHASH_BYTES
        if not (rewrite or with_states):
            return payload
        states: dict[str, State] = {}
        for paths, identities, digests, _ in columns:
            for i, p in enumerate(paths):
                states[p] = fresh.get(p) or State(
                    identity=identities[i], digest=digests[i], trusted=True
                )
        now_parts = (pack(states),)
        if rewrite:
            self.put_answer(kind, key, payload, now_parts)
        return (payload, now_parts) if with_states else payload

    def put_answer(self, kind: str, key: str, payload: object, states: Iterable[Packed]) -> None:
        """Store `payload` with the states of the paths it was computed from, packed in
        parts (`pack`, `DirScans.consulted`, `READ`: a path in two parts is checked against
        both), the form `get_answer` checks."""
        self.put(kind, key, (tuple(states), payload))


WRITERS: list[Any] = []
"""Background writers of this process (`forked.Background`), joined by `wait_for_writes`."""


def wait_for_writes() -> None:
    """Wait until every background write of this process has finished (before it exits:
    no child outlives its parent's run)."""
    while WRITERS:
        WRITERS.pop().join()


def _tree_files(folder: Path) -> list[Path]:
    """The files under `folder` (symbolic links not followed), bounded."""
    out: list[Path] = []
    for directory, _, files in os.walk(folder):
        out.extend(Path(directory, name) for name in files)
        if len(out) > 1_000_000:
            break
    return out
