"""`//go:embed` patterns resolved against the package directory, as go list -json does.

A port of cmd/go/internal/load/pkg.go: resolveEmbed, validEmbedPattern, isBadEmbedName
(go1.27.3), with path.Match's syntax and matching, fs.ValidPath and filepath.Glob. go list
resolves the patterns only when its output needs EmbedFiles (a full `-json`); the first
pattern that fails is the package's error ("pattern ../x: invalid pattern syntax", "pattern
x.txt: no matching files found"), at the pattern's first position.
"""

# ruff: noqa: PTH110, PTH118, PTH119, PTH120, PTH208

from __future__ import annotations

import os
import stat
from collections.abc import Generator, Sequence

from cgotrap.evaluate.load.resolve import check_file_path

_VCS_DIRS = frozenset({".bzr", ".hg", ".git", ".svn"})
_MAX_FILES = 1 << 20  # a bound on one pattern's walk (a hostile tree cannot loop us forever)


class _BadPatternError(Exception):
    """path.ErrBadPattern."""


def _class_end(pattern: str, i: int) -> int:
    """The index after the `[...]` class starting at pattern[i] == "["; raises on bad syntax."""
    i += 1
    if i < len(pattern) and pattern[i] == "^":
        i += 1
    n_ranges = 0
    while True:
        if i < len(pattern) and pattern[i] == "]" and n_ranges > 0:
            return i + 1
        lo, i = _escaped_char(pattern, i)
        del lo
        if i < len(pattern) and pattern[i] == "-":
            _, i = _escaped_char(pattern, i + 1)
        n_ranges += 1


def _escaped_char(pattern: str, i: int) -> tuple[str, int]:
    """path.getEsc: one class character (a backslash escapes the next)."""
    if i >= len(pattern) or pattern[i] in "-]":
        raise _BadPatternError
    if pattern[i] == "\\":
        i += 1
        if i >= len(pattern):
            raise _BadPatternError
    return pattern[i], i + 1


def _check_syntax(pattern: str) -> None:
    """path.Match(pattern, "")'s ErrBadPattern: the whole pattern is checked."""
    i = 0
    while i < len(pattern):
        ch = pattern[i]
        if ch == "\\":
            if i + 1 >= len(pattern):
                raise _BadPatternError
            i += 2
        elif ch == "[":
            i = _class_end(pattern, i)
        else:
            i += 1


def _match_class(pattern: str, i: int, ch: str) -> tuple[bool, int]:
    i += 1
    negated = i < len(pattern) and pattern[i] == "^"
    if negated:
        i += 1
    matched = False
    n_ranges = 0
    while True:
        if pattern[i] == "]" and n_ranges > 0:
            return matched != negated, i + 1
        lo, i = _escaped_char(pattern, i)
        hi = lo
        if pattern[i] == "-":
            hi, i = _escaped_char(pattern, i + 1)
        if lo <= ch <= hi:
            matched = True
        n_ranges += 1


def _match(pattern: str, name: str) -> bool:
    """path.Match for one element (no "/" in either): *, ?, [classes], \\ escapes."""
    memo: dict[tuple[int, int], bool] = {}
    # iterative over (pattern index, name index) with an explicit stack for "*"
    stack = [(0, 0)]
    while stack:
        pi, ni = stack.pop()
        if (pi, ni) in memo:
            continue
        memo[pi, ni] = True
        while pi < len(pattern):
            ch = pattern[pi]
            if ch == "*":
                stack.extend((pi + 1, k) for k in range(len(name), ni - 1, -1))
                break
            if ni >= len(name):
                break
            if ch == "?":
                pi, ni = pi + 1, ni + 1
            elif ch == "[":
                ok, pi = _match_class(pattern, pi, name[ni])
                if not ok:
                    break
                ni += 1
            else:
                if ch == "\\":
                    pi += 1
                    ch = pattern[pi]
                if name[ni] != ch:
                    break
                pi, ni = pi + 1, ni + 1
        else:
            if ni == len(name):
                return True
    return False


def _has_meta(elem: str) -> bool:
    return any(c in "*?[\\" for c in elem)


def _valid_path(name: str) -> bool:
    """io/fs.ValidPath."""
    if name == ".":
        return True
    return all(elem not in ("", ".", "..") for elem in name.split("/"))


def _glob(pkgdir: str, glob: str) -> list[str]:
    """filepath.Glob(pkgdir/glob): matches level by level, each level sorted."""
    found = [pkgdir]
    for elem in glob.split("/"):
        nxt: list[str] = []
        for base in found:
            if not _has_meta(elem):
                literal = elem.replace("\\", "") if "\\" in elem else elem
                path = os.path.join(base, literal)
                if os.path.lexists(path):
                    nxt.append(path)
                continue
            try:
                names = sorted(os.listdir(base))
            except OSError:
                continue
            nxt.extend(os.path.join(base, n) for n in names if _match(elem, n))
        found = nxt
    return found


def _bad_name(name: str) -> bool:
    """isBadEmbedName."""
    return not name or name in _VCS_DIRS or check_file_path(name) is not None


def _walk(top: str) -> Generator[tuple[str, bool, os.stat_result | None], bool | None, None]:
    """fsys.WalkDir order: (path, is_dir, lstat) depth-first, names sorted; the caller
    skips a directory by sending True."""
    stack = [top]
    while stack:
        path = stack.pop()
        try:
            st = os.lstat(path)
        except OSError:
            continue
        is_dir = stat.S_ISDIR(st.st_mode)
        skip = yield path, is_dir, st
        if is_dir and not skip:
            try:
                names = sorted(os.listdir(path), reverse=True)
            except OSError:
                continue
            stack.extend(os.path.join(path, n) for n in names)


def _rel(path: str, pkgdir: str) -> str:
    return path[len(pkgdir) + 1 :].replace(os.sep, "/")


def embed_error(pkgdir: str, patterns: Sequence[str]) -> tuple[str, str] | None:
    """(pattern, go's error text) of the first pattern go refuses, or None."""
    dir_ok: set[str] = set()
    for pattern in patterns:
        problem = _pattern_error(pkgdir, pattern, dir_ok)
        if problem is not None:
            return pattern, f"pattern {pattern}: {problem}"
    return None


def _pattern_error(
    pkgdir: str, pattern: str, dir_ok: set[str]
) -> str | None:  # resolveEmbed's own branches, kept in its order
    all_files = pattern.startswith("all:")
    glob = pattern.removeprefix("all:")
    try:
        _check_syntax(glob)
    except _BadPatternError:
        return "invalid pattern syntax"
    if glob == "." or not _valid_path(glob):
        return "invalid pattern syntax"
    count_all = 0
    for file in _glob(pkgdir, glob):
        rel = _rel(file, pkgdir)
        try:
            info = os.lstat(file)
        except OSError as exc:
            return f"lstat {file}: {os.strerror(exc.errno or 0).lower()}"
        what = "directory" if stat.S_ISDIR(info.st_mode) else "file"
        d = file
        while len(d) > len(pkgdir) + 1 and d not in dir_ok:
            if os.path.exists(os.path.join(d, "go.mod")):
                return f"cannot embed {what} {rel}: in different module"
            if d != file:
                try:
                    if not stat.S_ISDIR(os.lstat(d).st_mode):
                        return f"cannot embed {what} {rel}: in non-directory {_rel(d, pkgdir)}"
                except OSError:
                    pass
            dir_ok.add(d)
            elem = os.path.basename(d)
            if _bad_name(elem):
                if d == file:
                    return f"cannot embed {what} {rel}: invalid name {elem}"
                return f"cannot embed {what} {rel}: in invalid directory {elem}"
            d = os.path.dirname(d)
        if stat.S_ISREG(info.st_mode):
            count_all += 1
        elif stat.S_ISDIR(info.st_mode):
            count = 0
            walk = _walk(file)
            skip = False
            seen = 0
            try:
                path, is_dir, _ = walk.send(None)
                while True:
                    seen += 1
                    if seen > _MAX_FILES:
                        break
                    name = os.path.basename(path)
                    skip = False
                    hidden = name[:1] in (".", "_")
                    if path != file and (_bad_name(name) or (hidden and not all_files)):
                        if is_dir:
                            skip = True
                        elif not hidden and _bad_name(name):
                            return f"cannot embed file {_rel(path, pkgdir)}: invalid name {name}"
                    elif is_dir:
                        skip = path != file and os.path.exists(os.path.join(path, "go.mod"))
                    else:
                        try:
                            if stat.S_ISREG(os.lstat(path).st_mode):
                                count += 1
                        except OSError:
                            pass
                    path, is_dir, _ = walk.send(skip)
            except StopIteration:
                pass
            if count == 0:
                return f"cannot embed directory {rel}: contains no embeddable files"
            count_all += count
        else:
            return f"cannot embed irregular file {rel}"
    if count_all == 0:
        return "no matching files found"
    return None
