"""Option vocabularies the command line offers before anything else is loaded.

Nothing is imported here: `cgotrap scan` answered from the cache registers its options,
checks the cache and prints, and every module it imports on that path counts (a warm scan
of GOROOT std has to beat one `go list`, ~0.3 s, by 3x). The enums that use these values
(`gate.judging.FailOn`) are checked against them by the tests.
"""

from __future__ import annotations

DEFAULT_TARGETS = "first-class,linux/amd64-musl,linux/arm64-musl"
"""What a release is usually built for (as `matrix` uses): Go's first-class ports and static
musl Linux. Ports that only link through cgo (android, ios) are one `--targets all` away."""

# `go help buildmode` (Go 1.27); "default" is what `go build` does without -buildmode.
BUILDMODES: frozenset[str] = frozenset(
    ("default", "exe", "pie", "c-archive", "c-shared", "shared", "plugin", "archive")
)

FAIL_ON_LEVELS: tuple[str, ...] = ("error", "warning", "note", "never")
"""`--fail-on` values, least severe last (the values of `gate.judging.FailOn`)."""
