"""`cgotrap doctor`: what this machine can build, run and check, and what is missing.

Every answer comes from the tool itself (`go env`, `<tool> --version`, the zig target table),
found on the PATH it is given, so `doctor` with a trimmed PATH says what a CI job with that
PATH will see. It runs each tool once with `--version` (or `go env -json`) and a timeout;
nothing else.
"""

from __future__ import annotations

import dataclasses
import enum
import json
import os
import shlex
import shutil
import subprocess
from collections.abc import Mapping, Sequence
from pathlib import Path

from cgotrap import toolchain
from cgotrap.crossbuild.zigcc import triple_for, zig_table
from cgotrap.targets import Target

_TIMEOUT = 30


class Origin(enum.StrEnum):
    """Where a tool was found."""

    PATH = "PATH"
    PYPI = "PyPI"
    MISSING = "missing"


@dataclasses.dataclass(frozen=True, kw_only=True, slots=True)
class ToolCheck:
    """One external tool."""

    name: str
    """The program ("go", "qemu-aarch64", "chromium")."""
    purpose: str
    """What cgotrap uses it for."""
    origin: Origin
    """PATH, PyPI, or missing."""
    path: str = ""
    """Where it is ("" when missing)."""
    version: str = ""
    """The first line of what it says about its version ("" when missing or silent)."""
    hint: str = ""
    """How to get it, when missing."""


@dataclasses.dataclass(frozen=True, kw_only=True, slots=True)
class CgoDefault:
    """This host's CGO_ENABLED when nobody sets it, and why."""

    enabled: bool | None
    """`go env CGO_ENABLED`; None when go is missing."""
    why: str
    """Where the value comes from ("CC=gcc found at /usr/bin/gcc", "set in the environment")."""


@dataclasses.dataclass(frozen=True, kw_only=True, slots=True)
class TargetCheck:
    """Whether cgo can be cross-compiled for one target here."""

    target: Target
    """A cgo=1 target."""
    native: bool
    """The host's own GOOS/GOARCH (the host C compiler builds it)."""
    cc: str
    """How: "zig cc -target aarch64-linux-musl", "gcc (host)", or ""."""
    missing: tuple[str, ...]
    """What stops it ("zig", "zig ships no libc for x86_64-illumos-none"); () = it can."""
    runner: str
    """What runs its test binaries here: "native", "qemu-aarch64", or "" (none)."""

    @property
    def buildable(self) -> bool:
        """True when nothing is missing."""
        return not self.missing


@dataclasses.dataclass(frozen=True, kw_only=True, slots=True)
class Diagnosis:
    """Everything `doctor` found."""

    tools: tuple[ToolCheck, ...]
    """go, zig, pkg-config, readelf, chromium, then qemu-user per GOARCH."""
    host: str
    """The host port ("linux/amd64"), or "" without go."""
    cgo_default: CgoDefault
    """CGO_ENABLED without settings, and why."""
    targets: tuple[TargetCheck, ...]
    """Per configured cgo target."""


_PURPOSE = {
    "go": "go list/build: scan, matrix, list",
    "zig": "the C cross compiler of matrix (zig cc)",
    "pkg-config": "resolving #cgo pkg-config: on the host",
    "readelf": "oracle for inspect's ELF reading",
    "chromium": "renders the HTML report in tests",
}
_HINT = {
    "go": "pip install 'cgotrap[toolchains]' or https://go.dev/dl",
    "zig": "pip install 'cgotrap[toolchains]' (ziglang)",
    "pkg-config": "apt-get install pkg-config",
    "readelf": "apt-get install binutils",
    "chromium": "apt-get install chromium",
    "qemu": "apt-get install qemu-user",
}
_CHROMIUM_NAMES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")


def _first_line(argv: Sequence[str], env: Mapping[str, str]) -> str:
    try:
        done = subprocess.run(
            list(argv),
            capture_output=True,
            text=True,
            errors="replace",
            timeout=_TIMEOUT,
            check=False,
            env=dict(env),
            stdin=subprocess.DEVNULL,
        )
    except (OSError, subprocess.TimeoutExpired):
        return ""
    for line in (done.stdout + "\n" + done.stderr).splitlines():
        if line.strip():
            # "qemu-aarch64 version 7.2.22 (Debian ...)" -> "7.2.22 (Debian ...)"
            name = Path(argv[0]).name
            return line.strip().removeprefix(f"{name} version ")
    return ""


def _check_go_zig(name: str, env: Mapping[str, str]) -> ToolCheck:
    tool = toolchain.find_on(name, env.get("PATH", ""))
    if tool is None:
        return ToolCheck(name=name, purpose=_PURPOSE[name], origin=Origin.MISSING, hint=_HINT[name])
    argv = [str(tool.path), "env", "GOVERSION"] if name == "go" else [str(tool.path), "version"]
    return ToolCheck(
        name=name,
        purpose=_PURPOSE[name],
        origin=Origin(tool.origin.value),
        path=str(tool.path),
        version=_first_line(argv, env),
    )


def _check_path_tool(
    name: str, names: Sequence[str], purpose: str, hint: str, env: Mapping[str, str]
) -> ToolCheck:
    for candidate in names:
        found = shutil.which(candidate, path=env.get("PATH", ""))
        if found:
            return ToolCheck(
                name=name,
                purpose=purpose,
                origin=Origin.PATH,
                path=found,
                version=_first_line([found, "--version"], env),
            )
    return ToolCheck(name=name, purpose=purpose, origin=Origin.MISSING, hint=hint)


def _go_env(go: ToolCheck, env: Mapping[str, str], *, changed: bool) -> dict[str, str]:
    argv = [go.path, "env", "-json"]
    if changed:
        argv.insert(2, "-changed")
    else:
        argv += ["CGO_ENABLED", "CC", "GOHOSTOS", "GOHOSTARCH", "GOENV"]
    try:
        done = subprocess.run(
            argv,
            capture_output=True,
            text=True,
            timeout=_TIMEOUT,
            check=False,
            env=dict(env),
            stdin=subprocess.DEVNULL,
        )
        data = json.loads(done.stdout) if done.returncode == 0 else {}
    except (OSError, subprocess.TimeoutExpired, ValueError):
        return {}
    return {str(k): str(v) for k, v in data.items()} if isinstance(data, dict) else {}


def _cgo_default(go: ToolCheck, env: Mapping[str, str]) -> tuple[CgoDefault, str, str]:
    """(the default, host port, CC) from `go env`."""
    if go.origin is Origin.MISSING:
        return CgoDefault(enabled=None, why="go is missing"), "", ""
    values = _go_env(go, env, changed=False)
    if not values:
        return CgoDefault(enabled=None, why="`go env` failed"), "", ""
    enabled = values.get("CGO_ENABLED") == "1"
    host = f"{values.get('GOHOSTOS', '')}/{values.get('GOHOSTARCH', '')}"
    cc = values.get("CC", "")
    if "CGO_ENABLED" in env:
        why = f"CGO_ENABLED={env['CGO_ENABLED']} is set in the environment"
    elif "CGO_ENABLED" in _go_env(go, env, changed=True):
        why = f"CGO_ENABLED is set in go's env file ({values.get('GOENV', '')})"
    else:
        words = shlex.split(cc) if cc else []
        found = shutil.which(words[0], path=env.get("PATH", "")) if words else None
        if found:
            why = f"go's default: the C compiler CC={cc} is found ({found})"
        else:
            why = f"go's default: the C compiler CC={cc or '?'} is not on PATH"
    return CgoDefault(enabled=enabled, why=why), host, cc


def _target_check(
    target: Target,
    *,
    host: str,
    cc: str,
    cgo_on: bool,
    zig: ToolCheck,
    qemu: Mapping[str, bool],
) -> TargetCheck:
    native = target.port == host
    runner = ""
    if native:
        runner = "native"
    elif target.goos == "linux" and host.startswith("linux/"):
        program = zig_table().qemu_user.get(target.goarch, "")
        runner = program if qemu.get(program) else ""
    if native and cgo_on and target.libc is None and not target.glibc_version:
        return TargetCheck(target=target, native=True, cc=f"{cc} (host)", missing=(), runner=runner)
    triple, why = triple_for(target)
    if triple is None:
        missing: tuple[str, ...] = (why,)
        if native:
            missing = (f"a C compiler (CC={cc or 'gcc'})", why)
        return TargetCheck(target=target, native=native, cc="", missing=missing, runner=runner)
    missing = () if zig.origin is not Origin.MISSING else (f"zig ({_HINT['zig']})",)
    return TargetCheck(
        target=target, native=native, cc=f"zig cc -target {triple}", missing=missing, runner=runner
    )


def diagnose(targets: Sequence[Target], environ: Mapping[str, str] | None = None) -> Diagnosis:
    """Check the tools on `environ`'s PATH (default: this process's) and the cgo `targets`."""
    env = dict(os.environ if environ is None else environ)
    env.setdefault("GOTOOLCHAIN", "local")
    go = _check_go_zig("go", env)
    zig = _check_go_zig("zig", env)
    others = [
        _check_path_tool(n, (n,), _PURPOSE[n], _HINT[n], env) for n in ("pkg-config", "readelf")
    ]
    others.append(
        _check_path_tool("chromium", _CHROMIUM_NAMES, _PURPOSE["chromium"], _HINT["chromium"], env)
    )
    qemu_checks = [
        _check_path_tool(
            program, (program,), f"runs linux/{goarch} test binaries", _HINT["qemu"], env
        )
        for goarch, program in sorted(zig_table().qemu_user.items())
    ]
    default, host, cc = _cgo_default(go, env)
    qemu = {q.name: q.origin is not Origin.MISSING for q in qemu_checks}
    checks = tuple(
        _target_check(t, host=host, cc=cc, cgo_on=default.enabled is True, zig=zig, qemu=qemu)
        for t in targets
        if t.cgo
    )
    return Diagnosis(
        tools=(go, zig, *others, *qemu_checks),
        host=host,
        cgo_default=default,
        targets=checks,
    )
