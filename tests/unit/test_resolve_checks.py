"""The import and file path checks (`resolve.check_import_path`, `check_file_path`): the
set-based fast path gives what go's character-by-character check gives."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from cgotrap.evaluate.load import resolve
from cgotrap.gostd import quote, quote_rune

_ALPHABET = "aZ09-._~+!#$%&()=@[]^{} :*\\é\u00a0\udc80NULCOM1"


def _old_check_elem(elem: str, *, file_path: bool) -> str | None:
    """`_check_elem` as it was: every character checked one by one."""
    if not elem:
        return "empty path element"
    if elem.count(".") == len(elem):
        return f"invalid path element {quote(elem)}"
    if elem[-1] == ".":
        return "trailing dot in path element"
    ok = resolve._file_name_ok if file_path else resolve._import_path_ok
    for ch in elem:
        if not ok(ch):
            return f"invalid char {quote_rune(ord(ch))}"
    short = elem.split(".", 1)[0]
    if short.upper() in resolve._BAD_WINDOWS_NAMES:
        return f"{quote(short)} disallowed as path element component on Windows"
    if file_path:
        return None
    tilde = short.rfind("~")
    suffix = short[tilde + 1 :]
    if 0 <= tilde < len(short) - 1 and suffix.isascii() and suffix.isdigit():
        return "trailing tilde and digits in path element"
    return None


@settings(max_examples=500, deadline=None)
@given(st.text(alphabet=_ALPHABET, max_size=12), st.booleans())
def test_elements_are_checked_as_before(elem: str, file_path: bool) -> None:
    assert resolve._check_elem(elem, file_path=file_path) == _old_check_elem(
        elem, file_path=file_path
    )


def test_known_answers() -> None:
    assert resolve.check_import_path("golang.org/x/net/http2") is None
    assert resolve.check_import_path("a/b c") == "malformed import path \"a/b c\": invalid char ' '"
    assert resolve.check_file_path("a/b c.go") is None
    assert resolve.check_file_path("a/é.go") is None
    assert resolve.check_import_path("a/é") == "malformed import path \"a/é\": invalid char 'é'"
    assert resolve.check_import_path("a/\udc80") is not None
    assert "invalid UTF-8" in (resolve.check_file_path("x\udc80") or "")


def test_the_letters_and_digits_are_strings() -> None:
    """`resolve` spells out `string.ascii_letters + string.digits` (the CLI defers `string`
    until the judge needs it, after a scan's helper forks)."""
    import string

    alnum = string.ascii_letters + string.digits
    assert alnum == resolve._ALNUM
