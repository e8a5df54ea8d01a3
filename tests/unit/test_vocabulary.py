"""The light option vocabularies (`cgotrap.vocabulary`) agree with the enums that use them."""

from __future__ import annotations

from cgotrap import vocabulary
from cgotrap.gate.judging import FailOn


def test_fail_on_levels_are_the_values_of_fail_on() -> None:
    assert tuple(f.value for f in FailOn) == vocabulary.FAIL_ON_LEVELS


def test_the_scan_parser_offers_them() -> None:
    from cgotrap.cli.main import build_parser

    parser = build_parser(["scan"])
    args = parser.parse_args(["scan", "--fail-on", "never", "--buildmode", "c-shared"])
    assert (args.fail_on, args.buildmode) == ("never", "c-shared")
    assert parser.parse_args(["scan"]).fail_on == FailOn.ERROR.value
