"""A rule's documentation is its function's docstring cleaned as `inspect.cleandoc` cleans
it (the oracle here), without importing `inspect` (~5 ms of a cold scan)."""

from __future__ import annotations

import inspect

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cgotrap.judge.rules import _cleandoc

_LINES = st.lists(
    st.tuples(
        st.sampled_from(["", " ", "  ", "    ", "\t", " \t", "\x0c"]),
        st.sampled_from(["", "x", "y  z", " ", "\t", "a\tb"]),
    ),
    max_size=8,
)


@settings(max_examples=500, deadline=None)
@given(_LINES)
def test_a_docstring_is_cleaned_as_inspect_cleans_it(parts: list[tuple[str, str]]) -> None:
    doc = "\n".join(indent + text for indent, text in parts)
    assert _cleandoc(doc) == inspect.cleandoc(doc)


@pytest.mark.parametrize(
    "doc",
    [
        "",
        "One line.",
        "  Summary.\n\n    Indented body,\n      deeper,\n    back.\n    ",
        "\n\n    Summary on the third line.\n\n    Body.\n\n",
        "Summary.\n\tTabbed body.\n\t\tDeeper.",
    ],
)
def test_rule_docstrings_are_cleaned_as_inspect_cleans_them(doc: str) -> None:
    assert _cleandoc(doc) == inspect.cleandoc(doc)
