"""The rule about suppressions themselves (in the source range; see `cgotrap.judge.rules`).

CGO099 sits at the end of the source range on purpose: the IDs after CGO014 are being taken
by scan rules on parallel branches, and a suppression rule is about the source's comments,
not about cgo. Its check is `cgotrap.config.suppress.malformed_findings`, over what the reader
`cgotrap.read.suppressions` found.
"""

from __future__ import annotations

from cgotrap.judge.rules import Severity, rule


@rule(
    "CGO099",
    "malformed-suppression",
    Severity.WARNING,
    message="{path}:{line}: this //cgotrap:ignore suppresses nothing: {problem}",
    subject="directive",
)
def malformed_suppression() -> None:
    """A `//cgotrap:ignore` comment has no reason, no rule ID, or an unknown rule ID.

    Why it breaks: a suppression hides a finding from the gate for good. Without a reason
    the next reader cannot tell an accepted risk from a silenced bug, and a misspelt rule ID
    silences nothing while looking as if it did. So such a comment suppresses nothing and is
    reported itself.

    How to fix: write the rule ID(s) and a reason after the directive, with no space after
    `//`: `//cgotrap:ignore CGO004 only built for linux, see #123`. Several rules take a
    comma: `//cgotrap:ignore CGO005,CGO006 vendored, built by our image`.

    Example: `//cgotrap:ignore CGO004` above `// #include <sys/sysinfo.h>` in a cgo preamble
    (no reason), or `//cgotrap:ignore CG004 ...` (no such rule).

    Added in 0.1.0.
    """
