"""Module versions: golang.org/x/mod/semver and the version helpers of x/mod/module.

Ported by hand (no regexes), with go's own corner cases: "v1" and "v1.2" are valid short
forms, leading zeros are not ("v01.0.0"), build metadata is dropped by `canonical` except
"+incompatible" in `canonical_version`, and every invalid version sorts below every valid
one (so MVS's "none" loses to any real version).
"""

from __future__ import annotations

import dataclasses
import functools

from cgotrap.gostd import compare_semver


@dataclasses.dataclass(frozen=True, kw_only=True, slots=True)
class _Parsed:
    """A semantic version in its parts, as golang.org/x/mod/semver parses it."""

    major: str
    minor: str
    patch: str
    short: str
    prerelease: str
    build: str


def _is_ident_char(ch: str) -> bool:
    return ("A" <= ch <= "Z") or ("a" <= ch <= "z") or ("0" <= ch <= "9") or ch == "-"


def _is_num(text: str) -> bool:
    return bool(text) and all("0" <= ch <= "9" for ch in text)


def _is_bad_num(text: str) -> bool:
    return _is_num(text) and len(text) > 1 and text[0] == "0"


def _parse_int(text: str) -> tuple[str, str] | None:
    """semver.parseInt: a number without leading zeros, and the rest."""
    i = 0
    while i < len(text) and "0" <= text[i] <= "9":
        i += 1
    if i == 0 or (text[0] == "0" and i != 1):
        return None
    return text[:i], text[i:]


def _parse_ident_list(text: str, *, numbers_checked: bool) -> tuple[str, str] | None:
    """semver.parsePrerelease ("-rc.1") / parseBuild ("+meta"): the part and the rest."""
    i = start = 1
    stop = "+" if numbers_checked else ""
    while i < len(text) and text[i] != stop:
        ch = text[i]
        if not _is_ident_char(ch) and ch != ".":
            return None
        if ch == ".":
            if start == i or (numbers_checked and _is_bad_num(text[start:i])):
                return None
            start = i + 1
        i += 1
    if start == i or (numbers_checked and _is_bad_num(text[start:i])):
        return None
    return text[:i], text[i:]


@functools.lru_cache(maxsize=4096)  # (a go.mod's version is parsed up to four times)
def _parse(v: str) -> _Parsed | None:
    if not v.startswith("v"):
        return None
    got = _parse_int(v[1:])
    if got is None:
        return None
    major, rest = got
    if not rest:
        return _Parsed(major=major, minor="0", patch="0", short=".0.0", prerelease="", build="")
    if rest[0] != ".":
        return None
    got = _parse_int(rest[1:])
    if got is None:
        return None
    minor, rest = got
    if not rest:
        return _Parsed(major=major, minor=minor, patch="0", short=".0", prerelease="", build="")
    if rest[0] != ".":
        return None
    got = _parse_int(rest[1:])
    if got is None:
        return None
    patch, rest = got
    prerelease = build = ""
    if rest.startswith("-"):
        got = _parse_ident_list(rest, numbers_checked=True)
        if got is None:
            return None
        prerelease, rest = got
    if rest.startswith("+"):
        got = _parse_ident_list(rest, numbers_checked=False)
        if got is None:
            return None
        build, rest = got
    if rest:
        return None
    return _Parsed(
        major=major, minor=minor, patch=patch, short="", prerelease=prerelease, build=build
    )


def is_valid(v: str) -> bool:
    """semver.IsValid."""
    return _parse(v) is not None


def canonical(v: str) -> str:
    """semver.Canonical: "v1.2" -> "v1.2.0", "v1.2.3+meta" -> "v1.2.3", invalid -> ""."""
    p = _parse(v)
    if p is None:
        return ""
    if p.build:
        return v[: len(v) - len(p.build)]
    return v + p.short


def major(v: str) -> str:
    """semver.Major: "v2.1.0" -> "v2" ("" when invalid)."""
    p = _parse(v)
    return "" if p is None else "v" + p.major


def build(v: str) -> str:
    """semver.Build: "v2.0.0+incompatible" -> "+incompatible"."""
    p = _parse(v)
    return "" if p is None else p.build


def canonical_version(v: str) -> str:
    """module.CanonicalVersion: canonical, keeping "+incompatible"."""
    cv = canonical(v)
    if build(v) == "+incompatible":
        cv += "+incompatible"
    return cv


def compare(v: str, w: str) -> int:
    """semver.Compare (gostd.compare_semver): invalid versions sort below all valid ones."""
    return compare_semver(v, w)


def split_path_version(path: str) -> tuple[str, str, bool]:
    """module.SplitPathVersion: "example.com/m/v2" -> ("example.com/m", "/v2", True)."""
    if path.startswith("gopkg.in/"):
        return _split_gopkg_in(path)
    i = len(path)
    dot = False
    while i > 0 and ("0" <= path[i - 1] <= "9" or path[i - 1] == "."):
        if path[i - 1] == ".":
            dot = True
        i -= 1
    if i <= 1 or i == len(path) or path[i - 1] != "v" or path[i - 2] != "/":
        return path, "", True
    prefix, path_major = path[: i - 2], path[i - 2 :]
    if dot or len(path_major) <= 2 or path_major[2] == "0" or path_major == "/v1":
        return path, "", False
    return prefix, path_major, True


def _split_gopkg_in(path: str) -> tuple[str, str, bool]:
    i = len(path)
    if path.endswith("-unstable"):
        i -= len("-unstable")
    while i > 0 and "0" <= path[i - 1] <= "9":
        i -= 1
    if i <= 1 or path[i - 1] != "v" or path[i - 2] != ".":
        return path, "", False
    prefix, path_major = path[: i - 2], path[i - 2 :]
    if len(path_major) <= 2 or (path_major[2] == "0" and path_major != ".v0"):
        return path, "", False
    return prefix, path_major, True


def check_path_major(v: str, path_major: str) -> str:
    """module.CheckPathMajor: "" when v fits the path's major suffix, else go's reason."""
    if path_major.startswith(".v") and path_major.endswith("-unstable"):
        path_major = path_major.removesuffix("-unstable")
    if v.startswith("v0.0.0-") and path_major == ".v1":
        return ""
    m = major(v)
    if path_major == "":
        if m in ("v0", "v1") or build(v) == "+incompatible":
            return ""
        path_major = "v0 or v1"
    elif path_major[0] in "/.":
        if m == path_major[1:]:
            return ""
        path_major = path_major[1:]
    return f"should be {path_major}, not {m}"
