"""The shape of every bundled data file, as frozen records that `cgotrap.data.decode` fills.

One record type per file (`FILE` names it), in a module per generator (`records.ports`, ...)
so that reading ports.json does not build the classes of the other files;
`data/schema/<stem>.schema.json` says the same for jsonschema (the tests check both agree on
the keys). These are the files as written; the domain records built from them
(`targets.PortTable`, `judge.headers.HeaderCatalog`, `judge.policy.Policy`, ...) live beside
the code that uses them. The shared value types are here.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

from cgotrap.data.decoder import Shape

if TYPE_CHECKING:
    from cgotrap.data import DataFile


def json_key(key: str) -> dict[str, str]:
    """Field metadata naming the JSON key of a field whose key is not its name ("GOOS")."""
    return {"json": key}


def _is_version(text: str) -> bool:
    """ "" (not versioned) or dotted numbers: "2.17", "12.0"."""
    return not text or all(part.isdigit() for part in text.split("."))


Version = Annotated[str, Shape("a version", _is_version)]
"""A dotted version ("2.17") or "" where the figure does not apply."""
MacroName = Annotated[str, Shape("a macro", str.isidentifier)]
"""A C macro name ("__linux__")."""
MacroBody = Annotated[str, Shape("a macro")]
"""What a predefined macro expands to ("1")."""
Triple = Annotated[str, Shape("a zig target triple", lambda t: "-" in t)]
"""A `zig cc -target` triple ("aarch64-linux-musl")."""
Framework = Annotated[
    str, Shape("a framework name", lambda n: bool(n) and "/" not in n and n == n.strip())
]
"""An Apple framework name ("CoreFoundation")."""


def all_files() -> tuple[type[DataFile], ...]:
    """Every bundled data file's record type (for the tests and scripts/datafile.py)."""
    from cgotrap.data.records import libc, policies, ports, zig

    return (
        ports.PortsFile,
        zig.ZigTargetsFile,
        libc.LibcHeadersFile,
        libc.CPredefinesFile,
        libc.AppleFrameworksFile,
        policies.PoliciesFile,
        policies.RunTargetsFile,
    )
