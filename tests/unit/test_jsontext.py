"""`render.jsontext.dumps` writes the text `json.dumps(..., indent=2, ensure_ascii=False)`
writes: json itself is the oracle, on generated documents and on the values whose writing
json decides by the order of its checks (subclasses of str and int, NaN, keys that are not
strings), and its errors are json's own."""

from __future__ import annotations

import enum
import json
import math
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cgotrap.render.jsontext import dumps


def _json(document: Any) -> str:
    return json.dumps(document, indent=2, ensure_ascii=False)


class _Level(enum.StrEnum):
    ERROR = "error"


class _Count(enum.IntEnum):
    TWO = 2


class _Ratio(float):
    pass


_SCALARS = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**70), max_value=2**70)
    | st.floats(allow_nan=True, allow_infinity=True)
    | st.text()  # (any code point: controls, surrogates, non-ASCII)
    | st.sampled_from([_Level.ERROR, _Count.TWO, _Ratio(0.5)])
)
_KEYS = st.text() | st.integers() | st.floats(allow_nan=False) | st.booleans() | st.none()
_DOCUMENTS = st.recursive(
    _SCALARS,
    lambda inner: (
        st.lists(inner, max_size=5)
        | st.lists(inner, max_size=5).map(tuple)
        | st.dictionaries(_KEYS, inner, max_size=5)
        | st.lists(st.text(), max_size=5)
    ),
    max_leaves=40,
)


@settings(max_examples=400, deadline=None)
@given(_DOCUMENTS)
def test_the_text_is_json_dumps_text(document: Any) -> None:
    assert dumps(document) == _json(document)


@pytest.mark.parametrize(
    "document",
    [
        {},
        [],
        {"a": [], "b": {}, "c": ()},
        [[[]], [{}], [{"x": [1, 2.5, None, True, False]}]],
        {"version": 3, "nan": math.nan, "inf": math.inf, "-inf": -math.inf, "zero": -0.0},
        {1: "int key", 2.5: "float key", None: "none key", _Count.TWO: "e"},
        {True: "bool key", False: "bool key"},
        {_Level.ERROR: [_Level.ERROR, _Count.TWO, _Ratio(1e300)]},
        {"tab\there": "line\nbreak \x00 \x7f \x85 \u2028 \ud800 é 漢"},
        ["only", "strings", "in", "a", "list"],
        [True, 1, False, 0],  # (True == 1: a bool is written as a bool, an int as an int)
        {"yes": True, "one": 1, "no": False, "zero": 0, "e": _Count.TWO},
    ],
)
def test_values_json_writes_by_the_order_of_its_checks(document: Any) -> None:
    assert dumps(document) == _json(document)


def test_a_deep_document_is_written_as_json_writes_it() -> None:
    deep: Any = "leaf"
    for _ in range(60):
        deep = {"k": [deep]}
    assert dumps(deep) == _json(deep)


@pytest.mark.parametrize("document", [{"a": object()}, {("tuple", "key"): 1}, [{1, 2}]])
def test_what_json_cannot_write_raises_json_s_error(document: Any) -> None:
    with pytest.raises(TypeError) as theirs:
        _json(document)
    with pytest.raises(TypeError) as ours:
        dumps(document)
    assert str(ours.value) == str(theirs.value)


def test_a_cycle_raises_json_s_error() -> None:
    loop: list[Any] = []
    loop.append(loop)
    with pytest.raises(ValueError, match="Circular reference detected"):
        dumps({"loop": loop})


@settings(max_examples=300, deadline=None)
@given(st.data())
def test_an_object_met_again_is_written_as_json_writes_it(data: st.DataObject) -> None:
    """`dumps` writes an object met again at the same depth as its first text: the same
    objects at other depths, and equal ones that are not the same, read as json's."""
    leaves = st.one_of(st.text(max_size=3), st.integers(), st.none())
    shared = [data.draw(st.dictionaries(st.text(max_size=2), leaves, max_size=3)) for _ in range(3)]
    pick = st.sampled_from(shared)
    inner = st.one_of(pick, st.lists(pick, max_size=3), st.dictionaries(st.text(max_size=2), pick))
    document = data.draw(st.lists(st.one_of(pick, inner, st.lists(inner, max_size=3))))
    assert dumps(document) == json.dumps(document, indent=2, ensure_ascii=False)
