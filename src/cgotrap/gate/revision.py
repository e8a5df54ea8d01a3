"""The project as it was at a git revision, for `check --new-from-rev REV`.

`exported(root, rev)` writes the tree of `rev` into a temporary directory with
`git archive` (read through Python's tarfile with the "data" filter: no absolute paths,
no links out of the directory, no devices) and yields the module root inside it. The
user's work tree, index and refs are never touched; the directory is removed afterwards.
"""

from __future__ import annotations

import contextlib
import shutil
import subprocess
import tarfile
import tempfile
from collections.abc import Iterator
from pathlib import Path

from cgotrap.errors import InputError, ToolchainMissingError, UsageError


def _git_path() -> str:
    git = shutil.which("git")
    if git is None:
        raise ToolchainMissingError("git not found on PATH (needed by --new-from-rev)")
    return git


def _git(root: Path, *args: str) -> str:
    git = _git_path()
    done = subprocess.run(
        [git, "-C", str(root), *args], capture_output=True, text=True, check=False
    )
    if done.returncode != 0:
        problem = (done.stderr.strip().splitlines() or ["git failed"])[-1]
        raise InputError(f"{root}: git {args[0]}: {problem}")
    return done.stdout.strip()


@contextlib.contextmanager
def exported(root: Path, rev: str) -> Iterator[Path]:
    """The module root `root` as of revision `rev`, in a temporary directory."""
    if not rev or rev.startswith("-"):
        raise UsageError(f"--new-from-rev takes a git revision, not {rev!r}")
    top = Path(_git(root, "rev-parse", "--show-toplevel"))
    inside = root.resolve().relative_to(top.resolve()).as_posix()
    commit = _git(root, "rev-parse", "--verify", "--quiet", f"{rev}^{{commit}}")
    git = _git_path()
    with tempfile.TemporaryDirectory(prefix="cgotrap-rev-") as temp:
        dest = Path(temp)
        with subprocess.Popen(
            [git, "-C", str(top), "archive", "--format=tar", commit],
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
        ) as proc:
            try:
                with tarfile.open(fileobj=proc.stdout, mode="r|") as archive:
                    archive.extractall(dest, filter="data")
            except (tarfile.TarError, OSError) as exc:
                proc.kill()
                raise InputError(f"{root}: cannot export {rev}: {exc}") from exc
        if proc.returncode != 0:
            raise InputError(f"{root}: git archive {rev} failed")
        module = dest / inside if inside != "." else dest
        if not (module / "go.mod").is_file():
            raise InputError(f"{root}: no go.mod at {inside} in revision {rev}")
        yield module
