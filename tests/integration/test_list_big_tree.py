"""`cgotrap list` over a generated tree of 100,000 files finishes, and promptly.

Creating 100k files is slow on some file systems, so the tree is generated once into the
test cache (~/.cache/cgotrap-tests/tree100k-v1) and reused; it is only read afterwards.
"""

from __future__ import annotations

import os
import shutil
import signal
import time
from collections.abc import Iterator
from pathlib import Path
from types import FrameType

import pytest

from cgotrap.evaluate.load import load_matrix
from cgotrap.targets import Target
from tests.gofixtures import CACHE

pytestmark = pytest.mark.integration

DIRS = 200
FILES_PER_DIR = 500  # one .go file and 499 other files per directory


def _tree() -> Path:
    final = CACHE / "tree100k-v1"
    if (final / "done").is_file():
        return final
    tmp = CACHE / f"tree100k-v1.tmp{os.getpid()}"
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir(parents=True)
    (tmp / "go.mod").write_text("module example.com/big\n\ngo 1.22\n")
    for d in range(DIRS):
        directory = tmp / f"d{d:04d}"
        directory.mkdir()
        (directory / "p.go").write_text(f'package d{d:04d}\n\nimport "fmt"\n')
        for i in range(FILES_PER_DIR - 1):
            fd = os.open(directory / f"f{i:03d}.txt", os.O_CREAT | os.O_WRONLY, 0o644)
            os.close(fd)
    (tmp / "done").write_text("")
    shutil.rmtree(final, ignore_errors=True)
    tmp.rename(final)
    return final


@pytest.fixture
def deadline() -> Iterator[None]:
    def on_alarm(signum: int, frame: FrameType | None) -> None:
        raise TimeoutError("cgotrap list hung")

    old = signal.signal(signal.SIGALRM, on_alarm)
    signal.alarm(120)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, old)


def test_hundred_thousand_files(goroot: Path, deadline: None) -> None:
    root = _tree()
    start = time.perf_counter()
    result = load_matrix(
        ["./..."],
        [
            Target(goos="linux", goarch="amd64", cgo=False),
            Target(goos="windows", goarch="arm64", cgo=True),
        ],
        root=root,
        goroot=goroot,
    )
    elapsed = time.perf_counter() - start
    print(f"100k files: {elapsed:.1f} s")
    for tp in result.per_target:
        assert len(tp.roots) == DIRS
        assert tp.roots[0] == "example.com/big/d0000"
        assert any(p.import_path == "fmt" for p in tp.packages)
