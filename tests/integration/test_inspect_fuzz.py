"""Fuzz the format readers and the build-info search with mutated REAL Go binaries.

Seeds are the binaries of tests/binaries.py (ELF, Mach-O, PE); hypothesis flips bytes in
their headers, load commands, section tables and build-info blob, and truncates them. Every
run must end in an `Inspected` (a result or a one-line error), never an exception, within the
deadline. A crash found here becomes a hostile-file case in tests/unit/test_inspect_readers.py
(none so far: 60 examples per seed here, and 3,000 random mutations run by hand found none).
"""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cgotrap.read.binary import inspect_file
from tests import binaries

pytestmark = pytest.mark.integration

SEEDS = ("linux-amd64-glibc", "darwin-arm64-pure", "windows-amd64-cgo", "freebsd-amd64-pure")


@pytest.fixture(scope="module")
def seeds() -> dict[str, bytes]:
    return {name: binaries.build(binaries.BY_NAME[name]).read_bytes() for name in SEEDS}


def _check(data: bytes) -> None:
    result = inspect_file("fuzzed", io.BytesIO(data), len(data))
    assert "\n" not in result.error
    assert (result.linkage is None) == bool(result.error)


def _hot_spots(data: bytes) -> list[int]:
    """Offsets worth mutating: the headers, and the build-info blob."""
    spots = list(range(min(len(data), 8192)))
    at = data.find(b"\xff Go buildinf:")
    if at >= 0:
        spots.extend(range(at, min(at + 256, len(data))))
    return spots


@pytest.mark.parametrize("seed", SEEDS)
def test_fuzz_real_binaries(seeds: dict[str, bytes], seed: str) -> None:
    original = seeds[seed]
    spots = _hot_spots(original)

    @settings(
        max_examples=60,
        deadline=3000,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
        derandomize=True,
    )
    @given(
        st.lists(st.tuples(st.sampled_from(spots), st.integers(0, 255)), max_size=24),
        st.one_of(st.none(), st.integers(16, len(original))),
    )
    def run(edits: list[tuple[int, int]], cut: int | None) -> None:
        data = bytearray(original)
        for at, value in edits:
            data[at] = value
        _check(bytes(data if cut is None else data[:cut]))

    run()


def test_huge_sparse_file_is_read_lazily(tmp_path: Path, seeds: dict[str, bytes]) -> None:
    """A 4 GiB file (sparse: costs no disk) behind a real ELF header reads in bounded time."""
    import time

    path = tmp_path / "huge"
    with path.open("wb") as f:
        f.write(seeds["linux-amd64-glibc"])
        f.truncate(4 << 30)
    started = time.monotonic()
    with path.open("rb") as f:
        result = inspect_file("huge", f, 4 << 30)
    assert time.monotonic() - started < 10
    assert result.linkage is not None
    assert result.build_info is not None
