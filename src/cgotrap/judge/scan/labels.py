"""Short labels for sets of targets: "linux/{amd64,arm64} cgo=1", "*/* cgo=0"."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from cgotrap.targets import Target


def compact_targets(targets: Iterable[Target], universe: Sequence[Target]) -> str:
    """A short label for a set of targets: "linux/{amd64,arm64} cgo=1", "*/* cgo=0".

    `GOOS/*` means every port of that GOOS Go has (with the same cgo setting and libc
    variant), "*/*" every port Go has: both only when `universe` holds all of them, so a
    label never reads wider than the selection. "all targets" is the whole of `universe`.
    """
    chosen = set(targets)
    if not chosen:
        return "no targets"
    whole, keyed, totals, known = _universe(universe)
    if len(universe) > 1 and chosen == whole:
        return "all targets"
    variants: dict[tuple[bool, str], dict[str, list[str]]] = {}
    for t, key in keyed:
        if t in chosen:
            arches = variants.setdefault(key, {}).setdefault(t.goos, [])
            if t.goarch not in arches:
                arches.append(t.goarch)
    texts: dict[tuple[bool, str], str] = {}
    for key, by_os in variants.items():
        suffix = key[1]
        every = totals[key]
        complete = {g for g, arches in every.items() if known.get(g, set()) <= arches}
        all_ports = not suffix and complete == set(known) and set(every) == set(known)
        direct = _ports_text(by_os, every, suffix, complete)
        rest = {
            g: [a for a in sorted(arches) if a not in by_os.get(g, [])]
            for g, arches in every.items()
        }
        rest = {g: a for g, a in rest.items() if a}
        if not rest and len(every) > 1 and all_ports:
            texts[key] = f"*/*{suffix}"
        elif (
            rest and all_ports and sum(map(len, by_os.values())) > 2 * sum(map(len, rest.values()))
        ):
            other = f"*/*{suffix} except {_ports_text(rest, every, suffix, complete)}"
            texts[key] = other if len(other) < len(direct) else direct
        else:
            texts[key] = direct
    out: list[str] = []
    done: set[tuple[bool, str]] = set()
    for key, text in texts.items():
        if key in done:
            continue
        twin = (not key[0], key[1])
        if texts.get(twin) == text:
            out.append(f"{text} cgo=0,1")
            done.add(twin)
        else:
            out.append(f"{text} cgo={int(key[0])}")
        done.add(key)
    return "; ".join(out)


_About = tuple[
    set[Target],
    list[tuple[Target, tuple[bool, str]]],
    dict[tuple[bool, str], dict[str, set[str]]],
    dict[str, set[str]],
]
_last: list[tuple[tuple[Target, ...], _About]] = []
"""The last tuple of targets `_universe` was asked of, with its answer (a scan's labels are
all of its reported targets: ~25 labels on GOROOT std --targets all, 88 targets each)."""


def _universe(universe: Sequence[Target]) -> _About:
    """What a label reads of `universe` alone: its set, each target with its (cgo, libc
    variant) key, per key the GOARCHes of each GOOS, and `_go_ports` (the last tuple's
    kept: a tuple of frozen targets does not change)."""
    if _last and _last[0][0] is universe:
        return _last[0][1]
    keyed = [(t, (t.cgo, _variant(t))) for t in universe]
    totals: dict[tuple[bool, str], dict[str, set[str]]] = {}
    for t, key in keyed:
        totals.setdefault(key, {}).setdefault(t.goos, set()).add(t.goarch)
    about = (set(universe), keyed, totals, _go_ports())
    if type(universe) is tuple:
        _last[:] = [(universe, about)]
    return about


def _go_ports() -> dict[str, set[str]]:
    """Every GOOS with its GOARCHes, from the ports data ({} when unreadable)."""
    from cgotrap.targets import port_table

    out: dict[str, set[str]] = {}
    for port in port_table().ports:
        out.setdefault(port.goos, set()).add(port.goarch)
    return out


def _ports_text(
    by_os: dict[str, list[str]], every: dict[str, set[str]], suffix: str, complete: set[str]
) -> str:
    parts = []
    for goos, arches in by_os.items():
        if len(arches) > 1 and set(arches) == every[goos] and goos in complete:
            parts.append(f"{goos}/*{suffix}")
        elif len(arches) == 1:
            parts.append(f"{goos}/{arches[0]}{suffix}")
        else:
            parts.append(f"{goos}/{{{','.join(arches)}}}{suffix}")
    return ", ".join(parts)


def _variant(t: Target) -> str:
    if t.libc is None:
        return ""
    return f"-{t.libc.value}" + (f".{t.glibc_version}" if t.glibc_version else "")
