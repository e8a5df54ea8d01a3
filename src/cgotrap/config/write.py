"""Writing a new file into the project: atomically, and never over one without `force`."""

from __future__ import annotations

import contextlib
import os
import tempfile
from pathlib import Path

from cgotrap.errors import InputError, UsageError


class ExistsError(UsageError):
    """The file is there and `--force` was not given."""


def write_new(path: Path, text: str, *, force: bool = False) -> None:
    """Write `text` to `path` via a temporary file in the same directory, then a rename.

    Without `force` the final step is a hard link, which fails if `path` exists (no window
    in which another writer's file could be replaced); with it, `os.replace`.
    """
    directory = path.parent
    if path.exists() and not path.is_file():  # renaming over /dev/null would replace it
        raise InputError(f"{path}: not a regular file")
    if not force and path.exists():
        raise ExistsError(f"{path}: already exists (use --force to replace it)")
    try:
        fd, tmp_name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=directory)
    except OSError as exc:
        raise InputError(f"{directory}: cannot write: {exc.strerror or exc}") from exc
    tmp = Path(tmp_name)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as f:
            f.write(text)
            f.flush()
            os.fsync(f.fileno())
        tmp.chmod(0o644)  # mkstemp makes it 0600; a config file is shared
        if force:
            tmp.replace(path)
        else:
            try:
                os.link(tmp, path)
            except FileExistsError:
                raise ExistsError(f"{path}: already exists (use --force to replace it)") from None
    except OSError as exc:
        raise InputError(f"{path}: cannot write: {exc.strerror or exc}") from exc
    finally:
        with contextlib.suppress(FileNotFoundError):
            tmp.unlink()
