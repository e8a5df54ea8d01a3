"""The one hierarchy of user-facing errors.

`cli.main.main` catches `CgotrapError` only, prints its one-line message and exits with the
error's own code; anything else reaching the user is a bug.
"""

from __future__ import annotations


class CgotrapError(Exception):
    """Base of every error cgotrap reports to a user as one line."""

    exit_code: int = 2


class UsageError(CgotrapError):
    """The command line is wrong (unknown target, bad selector, bad flag value)."""

    exit_code = 2


class ToolchainMissingError(CgotrapError):
    """A required external tool (go, zig, qemu, pkg-config) is not installed."""

    exit_code = 3


class InputError(CgotrapError):
    """An input the user named cannot be read at all (not a per-file problem)."""

    exit_code = 4


class DataError(CgotrapError):
    """A bundled data file (ports, policies) fails validation: a packaging bug."""

    exit_code = 70


class WorkerError(CgotrapError):
    """A worker process cgotrap forked died after it had started its part of the output
    (killed, out of memory): what was printed is incomplete."""

    exit_code = 70
