"""`for_terminal`: every string of a report escaped, whatever else its sequences hold."""

from __future__ import annotations

import dataclasses

from cgotrap.judge.scan.model import Verdict
from cgotrap.render.untrusted import _JSON_UNSAFE, _json_char, for_terminal, json_document, terminal


@dataclasses.dataclass(frozen=True, kw_only=True, slots=True)
class _Report:
    verdicts: tuple[tuple[str, tuple[object, ...]], ...]
    mixed: tuple[object, ...]


HOSTILE = "evil\x1b]0;pwned\x07/pkg"


def test_sequences_of_plain_values_are_shared_and_strings_beside_them_escaped() -> None:
    plain: tuple[object, ...] = (Verdict.PURE, Verdict.CGO, 3, None)
    report = _Report(
        verdicts=(("example.com/ok", plain), (HOSTILE, (Verdict.BREAKS,))),
        mixed=(Verdict.PURE, HOSTILE, 7),  # after Verdict and int are known to be plain
    )
    shown = for_terminal(report)
    assert shown.verdicts[0] is report.verdicts[0]  # nothing to escape: not copied
    assert shown.verdicts[0][1] is plain
    assert shown.verdicts[1] == (terminal(HOSTILE), (Verdict.BREAKS,))
    assert shown.mixed == (Verdict.PURE, terminal(HOSTILE), 7)
    assert "\x1b" not in repr(shown)
    again = for_terminal(_Report(verdicts=(), mixed=(Verdict.CGO, 1, HOSTILE)))
    assert again.mixed[2] == terminal(HOSTILE) != HOSTILE


def test_json_document_escapes_as_its_regex_does_ascii_text_or_not() -> None:
    """An ASCII document without DEL is left as it is without the regex's walk."""
    texts = [f'{{"a": "x{chr(c)}y"}}' for c in range(0x80)]
    texts += ['{"a": "\u202e\u2028\udcff\u00e9\x85"}', '{"a": "\x7f"}', "", "[]"]
    texts.append("\n".join(texts))
    for text in texts:
        assert json_document(text) == _JSON_UNSAFE.sub(_json_char, text)
    assert json_document('{"a": "\x7f"}') == '{"a": "\\u007f"}'
