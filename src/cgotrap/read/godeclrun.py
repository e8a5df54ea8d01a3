"""One run of the go/parser helper on a batch of files, and a `GoDeclReader.read_many`
begun (`PendingDecls`): the helper parses while the caller goes on.

The helper's input and output are anonymous temporary files, not pipes: nothing has to
keep them fed or drained (no thread), so the caller does its own work meanwhile and reads
the output once the helper has exited.
"""

from __future__ import annotations

import dataclasses
import subprocess
import tempfile
from pathlib import Path
from typing import IO, TYPE_CHECKING

from cgotrap.errors import ToolchainMissingError

if TYPE_CHECKING:
    from cgotrap.read.godecl import GoDeclReader, GoDecls

TIMEOUT = 300.0
"""Seconds one helper run may take."""


class HelperRun:
    """One helper process reading one batch of files, running while the caller does
    something else (or, where no temporary file can be written, run to its end at once,
    through pipes)."""

    def __init__(
        self,
        proc: subprocess.Popen[bytes] | None,
        out: IO[bytes] | None,
        err: IO[bytes] | None,
        finished: tuple[int, bytes, bytes] | None = None,
    ) -> None:
        self._proc = proc
        self._out = out
        self._err = err
        self._finished = finished
        """(exit code, stdout, stderr) once known."""

    @classmethod
    def start(cls, helper: Path, batch: list[tuple[str, bytes]]) -> HelperRun:
        """The helper started on `batch` ((key, file bytes) each)."""
        frames = b"".join(b"%d\n%s" % (len(data), data) for _, data in batch)
        files: list[IO[bytes]] = []
        try:
            for _ in range(3):  # its input, output and errors
                files.append(tempfile.TemporaryFile())  # noqa: SIM115, PERF401  # (closed by `lines`; each kept as soon as made)
            files[0].write(frames)
            files[0].seek(0)
        except OSError:  # (no temporary file to be had: it runs now)
            for f in files:
                f.close()
            return cls._now(helper, frames)
        given, out, err = files
        try:
            proc = subprocess.Popen([str(helper)], stdin=given, stdout=out, stderr=err)
        except OSError as exc:
            out.close()
            err.close()
            raise ToolchainMissingError(f"the Go declaration reader failed: {exc}") from exc
        finally:
            given.close()
        return cls(proc, out, err)

    @classmethod
    def _now(cls, helper: Path, frames: bytes) -> HelperRun:
        try:
            done = subprocess.run(
                [str(helper)], input=frames, capture_output=True, timeout=TIMEOUT, check=False
            )
        except (OSError, subprocess.TimeoutExpired) as exc:
            raise ToolchainMissingError(f"the Go declaration reader failed: {exc}") from exc
        return cls(None, None, None, (done.returncode, done.stdout, done.stderr))

    def exited(self) -> bool:
        """Whether the helper has exited (`lines` then does not wait)."""
        return self._proc is None or self._proc.poll() is not None

    def lines(self, expected: int) -> list[bytes]:
        """The helper's output lines, once it exited: `expected` of them, else
        `ToolchainMissingError`."""
        if self._finished is None:
            self._finished = self._wait()
        code, stdout, stderr = self._finished
        lines = stdout.splitlines()
        if code != 0 or len(lines) != expected:
            why = stderr.decode(errors="replace").strip() or f"exit {code}"
            raise ToolchainMissingError(f"the Go declaration reader failed: {why}")
        return lines

    def _wait(self) -> tuple[int, bytes, bytes]:
        assert self._proc is not None  # noqa: S101  # (started, not finished)
        assert self._out is not None  # noqa: S101
        assert self._err is not None  # noqa: S101
        try:
            code = self._proc.wait(timeout=TIMEOUT)
        except subprocess.TimeoutExpired as exc:
            self._proc.kill()
            self._proc.wait()
            raise ToolchainMissingError(f"the Go declaration reader failed: {exc}") from exc
        finally:
            with self._out, self._err:
                self._out.seek(0)
                stdout = self._out.read()
                self._err.seek(0)
                stderr = self._err.read()
        return code, stdout, stderr


@dataclasses.dataclass(kw_only=True, slots=True)
class PendingDecls:
    """What `GoDeclReader.begin` returns: `result()` gives the declarations."""

    reader: GoDeclReader
    results: list[GoDecls | None]
    missing: dict[str, list[int]]
    """Per file content not known yet (its SHA-256): the indexes of the files with it."""
    batches: list[list[tuple[str, bytes]]]
    first: HelperRun | None
    """The first batch's helper run, started."""
    taken: int = 0
    """The batches whose lines the reader has."""
    done: list[GoDecls] | None = None

    def ready(self) -> bool:
        """Whether `result` would not wait for the helper (for its first batch: the others
        are started by `result`)."""
        return self.done is not None or self.first is None or self.first.exited()

    def raw(self) -> list[bytes | GoDecls]:
        """Each file's record, in order, as the helper wrote it (a JSON line, for `decode`)
        or, when it was known before, decoded (waits for the helper; the records go to the
        reader's store then)."""
        reader = self.reader
        if self.taken < len(self.batches):
            while self.taken < len(self.batches):
                reader._take(self.batches[self.taken], self.first if self.taken == 0 else None)
                self.taken += 1
            reader._save()
        out: list[bytes | GoDecls | None] = list(self.results)
        for key, indexes in self.missing.items():
            line = reader._lines[key]
            for index in indexes:
                out[index] = line
        return [r for r in out if r is not None]

    def result(self) -> list[GoDecls]:
        """The declarations of each file, in order (waits for the helper)."""
        if self.done is not None:
            return self.done
        self.raw()
        reader = self.reader
        results = self.results
        for key, indexes in self.missing.items():
            decls = reader._decoded(key)
            for index in indexes:
                results[index] = decls
        reader._save()
        self.done = [r for r in results if r is not None]
        return self.done
