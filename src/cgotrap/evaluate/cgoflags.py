"""go/build's helpers for #cgo directive arguments (go/build/build.go, go1.27.3):
safeCgoName, expandSrcDir, splitQuoted and makePathsAbsolute."""

from __future__ import annotations

import posixpath

from cgotrap.read.constraint import is_go_space

_SAFE = frozenset("+-.,/0123456789=ABCDEFGHIJKLMNOPQRSTUVWXYZ_abcdefghijklmnopqrstuvwxyz:$@%! ~^")


def safe_cgo_name(s: str) -> bool:
    """go/build's safeCgoName (non-ASCII is allowed)."""
    return s != "" and all(c in _SAFE or c >= "\x80" for c in s)


def expand_src_dir(s: str, srcdir: str) -> tuple[str, bool]:
    """go/build's expandSrcDir: replace ${SRCDIR}, then check the result is shell-safe."""
    chunks = s.split("${SRCDIR}")
    if len(chunks) < 2:
        return s, safe_cgo_name(s)
    ok = all(chunk == "" or safe_cgo_name(chunk) for chunk in chunks)
    ok = ok and (srcdir == "" or safe_cgo_name(srcdir))
    res = srcdir.join(chunks)
    return res, ok and res != ""


class SplitQuotedError(Exception):
    """splitQuoted: "unclosed quote" or "unfinished escaping"."""


def split_quoted(s: str) -> list[str]:
    """go/build's splitQuoted: shell-like words with '…' and "…" quoting and \\ escapes."""
    args: list[str] = []
    arg: list[str] = []
    escaped = False
    quoted = False
    quote = ""
    for r in s:
        if escaped:
            escaped = False
        elif r == "\\":
            escaped = True
            continue
        elif quote:
            if r == quote:
                quote = ""
                continue
        elif r in "\"'":
            quoted = True
            quote = r
            continue
        elif is_go_space(r):
            if quoted or arg:
                quoted = False
                args.append("".join(arg))
                arg = []
            continue
        arg.append(r)
    if quoted or arg:
        args.append("".join(arg))
    if quote:
        raise SplitQuotedError("unclosed quote")
    if escaped:
        raise SplitQuotedError("unfinished escaping")
    return args


def make_paths_absolute(args: list[str], src_dir: str) -> None:
    """go/build's makePathsAbsolute: relative -I/-L paths become absolute."""
    next_path = False
    for i, arg in enumerate(args):
        if next_path:
            if not posixpath.isabs(arg):
                args[i] = posixpath.normpath(posixpath.join(src_dir, arg))
            next_path = False
        elif arg.startswith(("-I", "-L")):
            if len(arg) == 2:
                next_path = True
            elif not posixpath.isabs(arg[2:]):
                args[i] = arg[:2] + posixpath.normpath(posixpath.join(src_dir, arg[2:]))
