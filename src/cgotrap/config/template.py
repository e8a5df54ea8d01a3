"""The commented `.cgotrap.toml` that `cgotrap init` writes, from a `Guess`. Pure."""

from __future__ import annotations

import json
from collections.abc import Iterable

from cgotrap.config import BUILDMODES
from cgotrap.config.guess import Evidence, Guess

_MAX_SOURCES = 3


def _clean(text: str) -> str:
    """Untrusted text (a file name) made safe for a one-line TOML comment."""
    return "".join(ch if ch.isprintable() else f"\\x{ord(ch):02x}" for ch in text)


def _q(value: str) -> str:
    # a TOML basic string; the values are ports, tags and modes (validated charsets)
    return json.dumps(value)


def sources_text(sources: Iterable[str]) -> str:
    """Sources on one line: the first three, then how many more (file names made safe)."""
    shown = list(dict.fromkeys(sources))
    more = len(shown) - _MAX_SOURCES
    text = "; ".join(_clean(s) for s in shown[:_MAX_SOURCES])
    return f"{text}; and {more} more" if more > 0 else text


def _by_value(evidence: Iterable[Evidence]) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for e in evidence:
        out.setdefault(e.value, []).append(e.source)
    return out


def _is_tag(tag: str) -> bool:
    return bool(tag) and all(ch.isalnum() or ch in "_." for ch in tag)


def render(guess: Guess) -> str:
    """The file's text: guesses uncommented with their sources, the rest as examples."""
    lines = [
        "# cgotrap project config: read at the module root by `cgotrap scan`, `check` and",
        "# `matrix` (and found upward from the current directory by `cgotrap inspect`).",
        "# Written by `cgotrap init`: each guess says where it came from; check and edit them.",
        "# Unknown keys are errors; `cgotrap rules` lists the rule IDs.",
        "",
        "[targets]",
        "# The ports you ship, as --targets selectors: all, first-class, linux/*, linux/arm64,",
        "# linux/arm64-musl. Each is checked with CGO_ENABLED=0 and 1.",
    ]
    ports = guess.port_sources()
    if ports:
        if guess.from_suffixes:
            lines.append(
                "# No GoReleaser or CI file names targets: these come from _GOOS/_GOARCH file"
            )
            lines.append("# names, i.e. what the code is written for, not what you ship.")
        lines.append("select = [")
        lines += [f"    {_q(port)},  # {sources_text(src)}" for port, src in ports.items()]
        lines.append("]")
    else:
        lines.append(
            "# Nothing to guess from (no GoReleaser, CI or _GOOS files): Go's first-class."
        )
        lines.append('select = ["first-class"]')
    lines.append('# Linux libc variants your cgo builds link against: "gnu" (glibc), "musl".')
    libcs = _by_value(guess.libcs)
    if "musl" in libcs:
        lines.append(f'libc = ["gnu", "musl"]  # musl: {sources_text(libcs["musl"])}')
    else:
        lines.append('# libc = ["gnu", "musl"]')
    lines += [
        "# The oldest glibc your gnu builds must run on (zig then links against it).",
        '# glibc = "2.17"',
        "",
        "[build]",
    ]
    tags = {t: s for t, s in _by_value(guess.tags).items() if _is_tag(t)}
    if tags:
        lines.append("tags = [")
        lines += [f"    {_q(tag)},  # {sources_text(src)}" for tag, src in tags.items()]
        lines.append("]")
    else:
        lines.append('# tags = ["netgo", "osusergo"]')
    modes = {m: s for m, s in _by_value(guess.buildmodes).items() if m in BUILDMODES}
    if len(modes) == 1:
        ((mode, src),) = modes.items()
        lines.append(f"buildmode = {_q(mode)}  # {sources_text(src)}")
    else:
        if modes:
            lines.append(f"# several buildmodes seen: {', '.join(modes)}; pick one")
        lines.append('# buildmode = "pie"  # default, exe, pie, c-archive, c-shared, plugin')
    lines += [
        "",
        "[rules]",
        '# A rule\'s severity for this project: "error", "warning" or "note".',
        '# CGO005 = "note"',
        "",
        "# Accepted findings: the rule, a package pattern or a file glob, and why; all required.",
        "# They stay in JSON and SARIF as suppressed. In Go source: //cgotrap:ignore ID reason",
        "# [[ignore]]",
        '# rule = "CGO004"',
        '# package = "./internal/legacy/..."   # or: path = "internal/legacy/**"',
        '# reason = "only built for linux, see #123"',
        "",
        "[inspect]",
        "# What `cgotrap inspect` judges built binaries against.",
        '# policy = "glibc<=2.17"',
        '# runs_on = ["alpine", "debian-12"]',
    ]
    return "\n".join(lines) + "\n"
