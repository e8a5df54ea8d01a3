"""A target's `LibcHeaders` answers `has_header` from its directories' header sets (the
catalog's, shared by the targets) instead of their union per target: the answers must be
membership in the union as it was built (kept here as the oracle), lower-cased for the
case-insensitive families, for every target of the data."""

from __future__ import annotations

import json
import random

from cgotrap import data
from cgotrap.data.records.libc import LibcHeadersFile
from cgotrap.judge import headers


def _union(doc: LibcHeadersFile, key: str) -> frozenset[str]:
    """The target's headers as `_libc_headers` built them before."""
    entry = doc.targets[key]
    got = frozenset(doc.compiler_headers).union(*(doc.header_dirs[d] for d in entry.dirs))
    if entry.family in ("darwin", "mingw"):
        got = frozenset(h.lower() for h in got)
    return got


def test_has_header_is_membership_in_the_union() -> None:
    catalog = headers.parse_catalog(data.load("libc_headers.json"))
    doc = catalog.doc
    rng = random.Random(5)  # noqa: S311 - reproducible test data, not security
    every = sorted(frozenset(doc.compiler_headers).union(*doc.header_dirs.values()))
    asked = [*every, "no/such.h", "Windows.h", "SYS/TYPES.H", "sqlite3.h"]
    asked += [h.upper() for h in rng.sample(every, 100)]
    for key in doc.targets:
        libc = catalog.by_key[key]
        union = _union(doc, key)
        insensitive = libc.family in ("darwin", "mingw")
        for h in asked:
            want = (h.lower() if insensitive else h) in union
            assert libc.has_header(h) is want, (key, h)
    # (the lower-cased sets are made once per directory, shared by the targets)
    darwin = [catalog.by_key[k] for k, e in doc.targets.items() if e.family == "darwin"]
    assert len(darwin) >= 2
    assert darwin[0].header_sets[0] is darwin[1].header_sets[0]


def test_a_case_insensitive_libc_of_several_directories() -> None:
    raw = json.loads(json.dumps(data.load("libc_headers.json")))
    raw["header_dirs"]["extra-dir"] = ["Extra/Thing.h", "sys/Other.h"]
    raw["targets"]["darwin/amd64"]["dirs"] = ["extra-dir", *raw["targets"]["darwin/amd64"]["dirs"]]
    catalog = headers.parse_catalog(raw)
    doc = catalog.doc
    for key in ("darwin/amd64", "darwin/arm64"):
        libc = catalog.by_key[key]
        union = _union(doc, key)
        for h in ("extra/thing.h", "EXTRA/THING.H", "sys/other.h", "stdio.h", "STDIO.H", "x.h"):
            assert libc.has_header(h) is (h.lower() in union), (key, h)
    assert catalog.by_key["darwin/amd64"].has_header("Extra/Thing.h")
    assert not catalog.by_key["darwin/arm64"].has_header("Extra/Thing.h")
