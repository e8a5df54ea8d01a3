"""A file's build constraint lines as go/build reads them from its header (go1.27.3):
parseFileHeader (the leading comment block, its //go:build line, //go:binary-only-package)
and modindex's getConstraints (with the // +build lines that count)."""

from __future__ import annotations

import re

from cgotrap.read.constraint import is_plus_build

_GO_BUILD = b"//go:build"
_BINARY_ONLY = b"//go:binary-only-package"


_SPACES = b" \t\n\v\f\r"


def _trim_space(line: bytes) -> bytes:
    # bytes.TrimSpace: ASCII white space (and Unicode spaces, which only appear in UTF-8
    # multi-byte form and are rare enough at line ends to treat as text here).
    return line.strip(_SPACES)


def _is_go_build_comment(line: bytes) -> bool:
    if not line.startswith(_GO_BUILD):
        return False
    line = _trim_space(line)
    rest = line[len(_GO_BUILD) :]
    return len(rest) == 0 or len(_trim_space(rest)) < len(rest)


class MultipleGoBuildError(Exception):
    """errMultipleGoBuild."""


def parse_file_header(content: bytes) -> tuple[bytes, bytes | None, bool]:
    """go/build's parseFileHeader: (leading block before its last blank line, the
    //go:build line or None, saw //go:binary-only-package). Raises MultipleGoBuildError."""
    end = 0
    p = 0
    n = len(content)
    ended = False
    in_slash_star = False
    go_build: bytes | None = None
    saw_binary_only = False
    while p < n:
        i = content.find(b"\n", p)
        if i >= 0:
            line, p = content[p:i], i + 1
        else:
            line, p = content[p:], n
        line = line.strip(_SPACES)
        if not line and not ended:
            end = p
            continue
        if not in_slash_star and line[:2] == b"//":  # (most lines: the general case's part)
            if line[:10] == _GO_BUILD and _is_go_build_comment(line):
                if go_build is not None:
                    raise MultipleGoBuildError
                go_build = line
            elif line == _BINARY_ONLY:
                saw_binary_only = True
            continue
        if not line.startswith(b"//"):
            ended = True
        if not in_slash_star and _is_go_build_comment(line):
            if go_build is not None:
                raise MultipleGoBuildError
            go_build = line
        if not in_slash_star and line == _BINARY_ONLY:
            saw_binary_only = True
        stop = False
        while line:
            if in_slash_star:
                j = line.find(b"*/")
                if j >= 0:
                    in_slash_star = False
                    line = _trim_space(line[j + 2 :])
                    continue
                break
            if line.startswith(b"//"):
                break
            if line.startswith(b"/*"):
                in_slash_star = True
                line = _trim_space(line[2:])
                continue
            stop = True
            break
        if stop:
            break
    return content[:end], go_build, saw_binary_only


def get_constraints(content: bytes) -> tuple[str, tuple[str, ...], bool]:
    """modindex's getConstraints: (//go:build line, // +build lines, binary-only)."""
    trimmed, go_build, binary_only = parse_file_header(content)
    plus: list[str] = []
    if go_build is None and b"+build" in trimmed:
        for raw in trimmed.split(b"\n"):
            line = _trim_space(raw)
            if not line.startswith(b"//") or b"+build" not in line:
                continue
            text = line.decode("utf-8", "surrogateescape")
            if is_plus_build(text):
                plus.append(text)
    go_build_text = "" if go_build is None else go_build.decode("utf-8", "surrogateescape")
    return go_build_text, tuple(plus), binary_only


NO_CONSTRAINTS: tuple[str, tuple[str, ...], bool] = ("", (), False)
"""`constraints_of` a header without any (this object: `is` tells)."""


def constraints_of(name: str, header: bytes) -> tuple[str, tuple[str, ...], bool] | None:
    """(//go:build line, // +build lines, binary-only) of `header`; None when it has two
    //go:build lines."""
    at = header.find(_GO_BUILD)
    if b"+build" not in header and _BINARY_ONLY not in header:
        if at < 0:
            return NO_CONSTRAINTS
        one = _one_go_build_line(header, at)
        if one is not None:
            return one
    try:
        go_build, plus_build, binary_only = get_constraints(header)
    except MultipleGoBuildError:
        return None
    return go_build, plus_build, binary_only and not name.endswith("_test.go")


def _one_go_build_line(header: bytes, at: int) -> tuple[str, tuple[str, ...], bool] | None:
    """`get_constraints` of a header whose only "//go:build" is at `at`, on a line of its
    own after nothing but blank and `//` lines (the usual header), without the line loop;
    None for any other header. (No "+build" and no binary-only comment in it: the caller.)"""
    start = header.rfind(b"\n", 0, at) + 1
    if (
        header.find(_GO_BUILD, at + 1) >= 0
        or header[start:at].strip(_SPACES)
        or _COMMENT_LINES.match(header, 0, start).end() != start  # type: ignore[union-attr]
    ):
        return None
    end = header.find(b"\n", at)
    line = header[at : end if end >= 0 else len(header)].strip(_SPACES)
    if not _is_go_build_comment(line):
        return NO_CONSTRAINTS
    return line.decode("utf-8", "surrogateescape"), (), False


_COMMENT_LINES = re.compile(rb"(?:[ \t\v\f\r]*+(?://[^\n]*+)?\n)*+")
"""Whole lines that are blank or `//` comments once trimmed (`parse_file_header` takes
them all without ending the leading block)."""
