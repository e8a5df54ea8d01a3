"""The module cache: where `module@version` lives on disk (GOMODCACHE).

golang.org/x/mod/module.EscapePath: upper-case letters are written "!" + lower case, so
"github.com/BurntSushi/toml@v1.3.2" lives in "github.com/!burnt!sushi/toml@v1.3.2".
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path


def escape(text: str) -> str:
    """module.EscapePath / EscapeVersion: "BurntSushi" -> "!burnt!sushi"."""
    return "".join(f"!{ch.lower()}" if "A" <= ch <= "Z" else ch for ch in text)


def unescape(text: str) -> str | None:
    """The inverse of `escape`; None for text that no escaping produces ("!!", "A")."""
    out: list[str] = []
    bang = False
    for ch in text:
        if bang:
            if not "a" <= ch <= "z":
                return None
            out.append(ch.upper())
            bang = False
        elif ch == "!":
            bang = True
        elif "A" <= ch <= "Z":
            return None
        else:
            out.append(ch)
    return None if bang else "".join(out)


def gomodcache(env: Mapping[str, str] | None = None) -> Path:
    """GOMODCACHE, defaulting as go does to $GOPATH[0]/pkg/mod and GOPATH to $HOME/go."""
    env = os.environ if env is None else env
    if env.get("GOMODCACHE"):
        return Path(env["GOMODCACHE"])
    gopath = env.get("GOPATH", "")
    first = gopath.split(os.pathsep)[0] if gopath else ""
    if not first:
        first = str(Path(env.get("HOME", str(Path.home()))) / "go")
    return Path(first) / "pkg" / "mod"


def module_dir(cache: Path, path: str, version: str) -> Path:
    """Directory of an extracted module in the cache (it may not exist)."""
    return cache / f"{escape(path)}@{escape(version)}"
