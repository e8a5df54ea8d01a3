"""`for_terminal`: every string of a report escaped, whatever else its sequences hold."""

from __future__ import annotations

import dataclasses

from cgotrap.judge.scan.model import Verdict
from cgotrap.render.untrusted import for_terminal, terminal


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
