"""`render.scan.to_json` writes one object for the entries whose written fields are equal
(`_entry_key`): equal keys must mean equal objects, whatever field tells two apart."""

from __future__ import annotations

import dataclasses
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from cgotrap.judge.finding import Evidence
from cgotrap.judge.scan.model import IncludeOnTarget, PackageOnTarget, Status, Verdict
from cgotrap.read import cpp
from cgotrap.render.scan import _entry_json, _entry_key
from tests.unit.scan_world import LINUX0, LINUX1

_NAMES = st.lists(st.sampled_from(["a.go", "b.h", "c.c"]), max_size=2).map(tuple)
_EVIDENCE = [(), (Evidence(file="x.go", line=3, text="no"),)]
_INCLUDES = st.builds(
    IncludeOnTarget,
    header=st.sampled_from(["a.h", "b.h"]),
    system=st.booleans(),
    local=st.booleans(),
    condition=st.sampled_from(["", "defined(X)"]),
    active=st.sampled_from(list(cpp.Truth)),
    unknown_guard=st.sampled_from(["", "X"]),
)
_FIELDS = {
    "target": st.sampled_from([LINUX0, LINUX1]),
    "status": st.sampled_from(list(Status)[:2]),
    "verdict": st.sampled_from(list(Verdict)[:2]),
    "evidence": st.sampled_from(_EVIDENCE),
    "cgo_files": _NAMES,
    "dropped_files": _NAMES,
    "fallback_files": _NAMES,
    "system_headers": _NAMES,
    "local_headers": _NAMES,
    "includes": st.lists(_INCLUDES, max_size=2).map(tuple),
    "libs": _NAMES,
    "pkg_config": _NAMES,
    "other_files": _NAMES,
}


@settings(max_examples=1000, deadline=None)
@given(st.fixed_dictionaries(_FIELDS), st.sampled_from(sorted(_FIELDS)), st.data())
def test_equal_entry_keys_are_equal_objects(
    fields: dict[str, Any], changed: str, data: st.DataObject
) -> None:
    """Two entries apart in one field: the same key exactly when the same object."""
    a = PackageOnTarget(**fields)
    new: dict[str, Any] = {changed: data.draw(_FIELDS[changed])}
    b = dataclasses.replace(a, **new)
    assert (_entry_key(a) == _entry_key(b)) == (_entry_json(a) == _entry_json(b))


_INCLUDE = {
    "header": st.sampled_from(["a.h", "b.h"]),
    "system": st.booleans(),
    "local": st.booleans(),
    "condition": st.sampled_from(["", "defined(X)"]),
    "active": st.sampled_from(list(cpp.Truth)),
    "unknown_guard": st.sampled_from(["", "X"]),
}


@settings(max_examples=500, deadline=None)
@given(st.fixed_dictionaries(_INCLUDE), st.sampled_from(sorted(_INCLUDE)), st.data())
def test_entries_apart_in_one_include_field_key_apart_when_written_apart(
    fields: dict[str, Any], changed: str, data: st.DataObject
) -> None:
    one = IncludeOnTarget(**fields)
    new: dict[str, Any] = {changed: data.draw(_INCLUDE[changed])}
    other = dataclasses.replace(one, **new)
    a = PackageOnTarget(target=LINUX1, status=Status.CGO, includes=(one,))
    b = dataclasses.replace(a, includes=(other,))
    assert (_entry_key(a) == _entry_key(b)) == (_entry_json(a) == _entry_json(b))
