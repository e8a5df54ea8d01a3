"""What the matrix runner reads from and gives to go: `go list -json` streams, GOFLAGS."""

from __future__ import annotations

import json
from typing import Any


def readonly_goflags(goflags: str) -> str:
    """GOFLAGS with `-mod=mod` (go may then edit go.mod and go.sum) as `-mod=readonly`.

    `-mod=vendor` and `-mod=readonly` stay: neither writes. Without a -mod flag go already
    picks readonly or vendor. GOFLAGS is space-separated flags (cmd/go/internal/base).
    """
    fields = goflags.split()
    fixed = ["-mod=readonly" if f in ("-mod=mod", "--mod=mod") else f for f in fields]
    return goflags if fixed == fields else " ".join(fixed)


def json_stream(text: str) -> list[dict[str, Any]]:
    """The objects of `go list -json` output (a stream of JSON values, one per package);
    lines that are not JSON (go's warnings on stderr, merged into it) are skipped."""
    decoder = json.JSONDecoder()
    found: list[dict[str, Any]] = []
    at = 0
    while at < len(text):
        if text[at] != "{":
            newline = text.find("\n", at)
            at = len(text) if newline < 0 else newline + 1
            continue
        try:
            value, at = decoder.raw_decode(text, at)
        except ValueError:
            newline = text.find("\n", at)
            at = len(text) if newline < 0 else newline + 1
            continue
        if isinstance(value, dict):
            found.append(value)
    return found
