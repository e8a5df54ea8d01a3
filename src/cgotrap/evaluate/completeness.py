"""Whether an evaluation is the whole answer: the packages it could not resolve.

A package that no module, vendor directory or GOROOT provides (go list's "no required module
provides package", "cannot find package", "missing go.sum entry") has no directory: nothing
is known about its files, so whether cgo enters through it is unknown. Such a run exits 5
(`ExitCode.INCOMPLETE`). A package that was found but is broken on a target (build
constraints exclude all its files) is an answer, not a gap, and so is a command-line pattern
naming a directory that is not there ("./nope": go's Error object for a package named after
the pattern): nothing to download would fill it.
"""

from __future__ import annotations

from collections.abc import Iterable

from cgotrap.evaluate.model import PackageFacts


def unresolved(packages: Iterable[PackageFacts]) -> tuple[str, ...]:
    """Sorted import paths of the packages that could not be found at all."""
    return tuple(
        sorted(
            {
                p.import_path
                for p in packages
                if p.error is not None and not p.dir and not _names_a_directory(p.import_path)
            }
        )
    )


def _names_a_directory(path: str) -> bool:
    """A local pattern go lists as the package's name ("./nope", "../x/...", "/abs"): an
    import path never starts with "." or "/" (module.CheckImportPath)."""
    return path.startswith((".", "/"))


def incomplete_message(paths: tuple[str, ...], *, shown: int = 3) -> str:
    """One line naming the unresolved packages ("2 packages could not be resolved: a, b")."""
    names = ", ".join(paths[:shown]) + (", ..." if len(paths) > shown else "")
    noun = "package" if len(paths) == 1 else "packages"
    return f"incomplete answer: {len(paths)} {noun} could not be resolved: {names}"
