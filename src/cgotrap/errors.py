"""The one exit-code scheme and the one hierarchy of user-facing errors.

Every command ends with `combine(...)` of what happened, so the exit status means the same
thing everywhere (README "Exit status"):

    0 ok · 1 findings at or above the gate (`--fail-on`, `--policy`, a failed matrix target)
    · 2 usage · 3 a required tool missing · 4 an input unreadable or the output unwritable
    · 5 the answer is incomplete (packages that could not be resolved) and nothing else failed
    · 70 broken bundled data (or a helper process cgotrap forked died) · 128+N killed by signal N

When several apply the most important wins: 2 > 3 > 70 > 4 > 1 > 5 > 0 (`combine`).

`cli.main.main` catches `CgotrapError` only, prints its one-line message and exits with the
error's own code; anything else reaching the user is a bug.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable


class ExitCode(enum.IntEnum):
    """What a cgotrap run's exit status says (see the module docstring)."""

    OK = 0
    FINDINGS = 1
    """Findings at or above the gate (`--fail-on`, `--policy`, a matrix target failed)."""
    USAGE = 2
    """The command line is wrong."""
    TOOL_MISSING = 3
    """A required external tool (go, zig, qemu, a `--cc` compiler) is not installed."""
    INPUT_OUTPUT = 4
    """An input could not be read (also one file among many) or the output not written."""
    INCOMPLETE = 5
    """The answer is incomplete (packages that could not be resolved), nothing else failed."""
    DATA = 70
    """Bundled data failed validation, or a helper process died: a bug of cgotrap's."""


_PRECEDENCE: tuple[ExitCode, ...] = (
    ExitCode.USAGE,
    ExitCode.TOOL_MISSING,
    ExitCode.DATA,
    ExitCode.INPUT_OUTPUT,
    ExitCode.FINDINGS,
    ExitCode.INCOMPLETE,
    ExitCode.OK,
)
"""Most important first: when several outcomes apply, the first of them is the exit code."""


def combine(codes: Iterable[ExitCode]) -> ExitCode:
    """The exit code of a run in which every outcome of `codes` happened (OK for none)."""
    seen = set(codes)
    for code in _PRECEDENCE:
        if code in seen:
            return code
    return ExitCode.OK


def signal_exit_code(signum: int) -> int:
    """The exit status of a run stopped by signal `signum`: 128+N, as a shell reports it."""
    return 128 + signum


class StoppedBySignal(Exception):  # noqa: N818  # a stop, not an error of the input
    """The run was stopped by a termination signal (SIGTERM, SIGHUP) after every child
    process was stopped; the exit status is 128+N (`signal_exit_code`). Ctrl-C stays
    KeyboardInterrupt."""

    def __init__(self, signum: int) -> None:
        super().__init__(signum)
        self.signum = signum


class CgotrapError(Exception):
    """Base of every error cgotrap reports to a user as one line."""

    exit_code: ExitCode = ExitCode.USAGE


class UsageError(CgotrapError):
    """The command line is wrong (unknown target, bad selector, bad flag value)."""

    exit_code = ExitCode.USAGE


class ToolchainMissingError(CgotrapError):
    """A required external tool (go, zig, qemu, a `--cc` compiler) is not installed."""

    exit_code = ExitCode.TOOL_MISSING


class InputError(CgotrapError):
    """An input the user named cannot be read at all (not a per-file problem)."""

    exit_code = ExitCode.INPUT_OUTPUT


class OutputError(CgotrapError):
    """The output cannot be written (stdout closed or full, results folder unwritable)."""

    exit_code = ExitCode.INPUT_OUTPUT


class DataError(CgotrapError):
    """A bundled data file (ports, policies) fails validation: a packaging bug."""

    exit_code = ExitCode.DATA


class WorkerError(CgotrapError):
    """A worker process cgotrap forked died after it had started its part of the output
    (killed, out of memory): what was printed is incomplete."""

    exit_code = ExitCode.DATA
