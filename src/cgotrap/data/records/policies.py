"""The records of `data/policies/policies.json` and `data/policies/run_targets.json`
(written by scripts/gen_policies.py)."""

from __future__ import annotations

import dataclasses
from typing import ClassVar, Literal

from cgotrap.data.records import Version


@dataclasses.dataclass(frozen=True, kw_only=True, slots=True)
class PolicyEntry:
    """A named rule a Linux binary must meet."""

    name: str
    """ "glibc<=2.17"."""
    kind: Literal["static", "glibc", "musl"]
    """What it checks (`judge.policy.PolicyKind`)."""
    glibc_max: Version
    """Highest allowed GLIBC_ symbol version; "" unless `kind` is glibc."""
    libraries: tuple[str, ...] = ()
    """Needed libraries allowed."""
    description: str = ""
    """One line for people."""
    source: str = ""
    """Where the figures come from."""


@dataclasses.dataclass(frozen=True, kw_only=True, slots=True)
class PoliciesFile:
    """`data/policies/policies.json`."""

    FILE: ClassVar[str] = "policies/policies.json"
    version: Literal[1]
    """Format version."""
    generated_by: str = ""
    """The script that wrote it."""
    policies: tuple[PolicyEntry, ...] = ()
    """Every policy."""


@dataclasses.dataclass(frozen=True, kw_only=True, slots=True)
class RunTargetEntry:
    """A system people run binaries on."""

    name: str
    """ "rhel-7"."""
    os: str
    """GOOS of the system."""
    arches: tuple[str, ...]
    """GOARCHes it is available for."""
    libc: Literal["glibc", "musl", "none", "darwin", "windows"]
    """Its C library (`judge.policy.LibcKind`)."""
    libc_version: Version
    """ "2.17"; "" when not versioned."""
    os_version: Version
    """ "12.0"; "" when not versioned."""
    loaders: tuple[str, ...]
    """Dynamic loaders present."""
    libraries: tuple[str, ...]
    """Libraries of the base system (glob patterns allowed)."""
    source: str
    """Where the figures come from."""


@dataclasses.dataclass(frozen=True, kw_only=True, slots=True)
class RunTargetsFile:
    """`data/policies/run_targets.json`."""

    FILE: ClassVar[str] = "policies/run_targets.json"
    version: Literal[1]
    """Format version."""
    generated_by: str = ""
    """The script that wrote it."""
    run_targets: tuple[RunTargetEntry, ...] = ()
    """Every run-target."""
