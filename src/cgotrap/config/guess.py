"""Guessing what a project ships, for `cgotrap init`: each guess says where it came from.

Sources, most telling first:

1. GoReleaser (`.goreleaser.yaml`/`.yml`): each build's `goos` × `goarch` (GoReleaser's
   defaults when a list is absent) minus its `ignore` entries, or its explicit `targets`;
   its `tags`, `flags: -tags=...` and `buildmode`.
2. CI files (`.github/workflows/*.y[a]ml`, `.gitlab-ci.yml`): a mapping with both GOOS and
   GOARCH keys (any case: GitHub's `matrix: {goos: [...], goarch: [...]}` with `include` and
   `exclude`, GitLab's `parallel: matrix: [{GOOS: [...], GOARCH: [...]}]`, `env:`/`variables:`),
   and shell lines such as `GOOS=linux GOARCH=arm64 go build -tags netgo`. Template values
   (`${{ matrix.goos }}`, `$GOOS`) are skipped.
3. Only when 1 and 2 found nothing: `_GOOS`, `_GOARCH` and `_GOOS_GOARCH` file-name
   suffixes of the module's Go files (what the code is written for, not what is shipped).

Only the files above are read, each at most `MAX_FILE_BYTES`, YAML with `yaml.safe_load`,
and a parsed document is walked iteratively with a node budget (aliases can make a small
file a huge tree).
"""

from __future__ import annotations

import dataclasses
import itertools
import os
import shlex
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from cgotrap.inputs import read_regular
from cgotrap.read.filename import is_hidden, os_arch_tags
from cgotrap.targets import PortTable, port_table

MAX_FILE_BYTES = 1 << 20
_NODE_BUDGET = 200_000
_WALK_FILES = 100_000

# GoReleaser's defaults when a build names no goos/goarch (its documented defaults).
_GORELEASER_GOOS = ("darwin", "linux", "windows")
_GORELEASER_GOARCH = ("386", "amd64", "arm64")


@dataclasses.dataclass(frozen=True, kw_only=True, slots=True)
class Evidence:
    """One guessed value and where it was seen."""

    value: str
    """A port ("linux/arm64"), a build tag ("netgo"), a buildmode ("pie") or a libc ("musl")."""
    source: str
    """Where: ".goreleaser.yaml builds[0]", ".github/workflows/ci.yml", "db/db_windows.go"."""


@dataclasses.dataclass(frozen=True, kw_only=True, slots=True)
class Guess:
    """What `init` will write, with its evidence."""

    ports: tuple[Evidence, ...] = ()
    """Ports shipped, first-seen order; one entry per (port, source)."""
    tags: tuple[Evidence, ...] = ()
    """Build tags."""
    buildmodes: tuple[Evidence, ...] = ()
    """`-buildmode` values."""
    libcs: tuple[Evidence, ...] = ()
    """Linux libc variants hinted at ("musl")."""
    from_suffixes: bool = False
    """True when the ports come from file-name suffixes only (no release or CI config)."""

    def port_sources(self) -> dict[str, tuple[str, ...]]:
        """Port -> its sources, first-seen order."""
        out: dict[str, list[str]] = {}
        for e in self.ports:
            sources = out.setdefault(e.value, [])
            if e.source not in sources:
                sources.append(e.source)
        return {k: tuple(v) for k, v in out.items()}


def _load_yaml(path: Path) -> Any:
    import yaml

    try:
        data = read_regular(path, MAX_FILE_BYTES + 1)  # a FIFO would block: refused
    except OSError:
        return None
    if len(data) > MAX_FILE_BYTES:
        return None
    try:
        return yaml.load(data, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))  # noqa: S506  # a safe loader
    except yaml.YAMLError:
        return None


def _walk(document: Any) -> Iterator[Any]:
    """Every node of a YAML document, iteratively, within `_NODE_BUDGET`."""
    stack = [document]
    for _ in range(_NODE_BUDGET):
        if not stack:
            return
        node = stack.pop()
        yield node
        if isinstance(node, dict):
            # a CI matrix's `exclude` entries name what is NOT built
            kept = [v for k, v in node.items() if not (isinstance(k, str) and k == "exclude")]
            stack.extend(reversed(kept))
        elif isinstance(node, list):
            stack.extend(reversed(node))


def _literal(value: Any) -> str | None:
    """A GOOS/GOARCH/tag value as written, or None for templates and non-strings."""
    if isinstance(value, bool) or value is None:
        return None
    text = str(value).strip()
    if not text or any(ch in text for ch in "${}%*()<>"):
        return None
    return text


def _values(value: Any) -> list[str]:
    items = value if isinstance(value, list) else [value]
    return [v for v in (_literal(item) for item in items) if v is not None]


def _key(mapping: dict[Any, Any], name: str) -> Any:
    for key, value in mapping.items():
        if isinstance(key, str) and key.lower() == name:
            return value
    return None


def _ports(pairs: Iterable[tuple[str, str]], table: PortTable) -> list[str]:
    return [f"{o}/{a}" for o, a in pairs if table.get(o, a) is not None]


# ---------------------------------------------------------------------------------------------
# GoReleaser


def _goreleaser(root: Path, table: PortTable) -> Guess:
    for name in (".goreleaser.yaml", ".goreleaser.yml", "goreleaser.yaml", "goreleaser.yml"):
        path = root / name
        if path.is_file():
            break
    else:
        return Guess()
    document = _load_yaml(path)
    builds = document.get("builds") if isinstance(document, dict) else None
    if not isinstance(builds, list) or not builds:
        builds = [{}] if isinstance(document, dict) else []
    ports: list[Evidence] = []
    tags: list[Evidence] = []
    modes: list[Evidence] = []
    for i, build in enumerate(builds):
        if not isinstance(build, dict) or build.get("skip") is True:
            continue
        where = f"{name} builds[{i}]"
        explicit = _values(build.get("targets"))
        if explicit:
            for target in explicit:  # "linux_amd64_v1", "linux_arm_6", "go_first_class"
                parts = target.split("_")
                if len(parts) >= 2:
                    ports += [
                        Evidence(value=p, source=where)
                        for p in _ports([(parts[0], parts[1])], table)
                    ]
        else:
            goos = _values(build.get("goos")) or list(_GORELEASER_GOOS)
            goarch = _values(build.get("goarch")) or list(_GORELEASER_GOARCH)
            ignored = {
                (str(item.get("goos", "*")), str(item.get("goarch", "*")))
                for item in build.get("ignore") or ()
                if isinstance(item, dict)
            }
            pairs = [
                (o, a)
                for o, a in itertools.product(goos, goarch)
                if not any(io in ("*", o) and ia in ("*", a) for io, ia in ignored)
            ]
            how = (
                "goos × goarch"
                if build.get("goos") or build.get("goarch")
                else "GoReleaser defaults"
            )
            ports += [Evidence(value=p, source=f"{where} ({how})") for p in _ports(pairs, table)]
        tags += [Evidence(value=t, source=where) for t in _values(build.get("tags"))]
        for flag in _values(build.get("flags")):
            tags += [Evidence(value=t, source=where) for t in _tags_in_words(flag.split())]
        mode = _literal(build.get("buildmode"))
        if mode:
            modes.append(Evidence(value=mode, source=where))
    return Guess(ports=tuple(ports), tags=tuple(tags), buildmodes=tuple(modes))


# ---------------------------------------------------------------------------------------------
# CI files


def _tags_in_words(words: list[str]) -> list[str]:
    """Tags of `-tags x,y` / `-tags=x,y` / `--tags ...` in a command's words."""
    out: list[str] = []
    for i, word in enumerate(words):
        value = None
        if word in ("-tags", "--tags") and i + 1 < len(words):
            value = words[i + 1]
        elif word.startswith(("-tags=", "--tags=")):
            value = word.split("=", 1)[1]
        if value and _literal(value):
            out += [t for t in value.replace(" ", ",").split(",") if t]
    return out


def _shell_lines(text: str) -> Iterator[list[str]]:
    for line in text.splitlines():
        try:
            yield shlex.split(line, comments=True)
        except ValueError:
            continue


def _from_ci_document(document: Any, where: str, table: PortTable) -> Guess:
    ports: list[Evidence] = []
    tags: list[Evidence] = []
    libcs: list[Evidence] = []
    for node in _walk(document):
        if isinstance(node, dict):
            goos, goarch = _key(node, "goos"), _key(node, "goarch")
            if goos is not None and goarch is not None:
                excluded = {
                    (str(_key(e, "goos")), str(_key(e, "goarch")))
                    for e in (_key(node, "exclude") or ())
                    if isinstance(e, dict)
                }
                pairs = [
                    p
                    for p in itertools.product(_values(goos), _values(goarch))
                    if p not in excluded
                ]
                ports += [Evidence(value=p, source=where) for p in _ports(pairs, table)]
        elif isinstance(node, str):
            if "musl" in node:
                libcs.append(Evidence(value="musl", source=where))
            for words in _shell_lines(node):
                env = dict(
                    w.split("=", 1)
                    for w in words
                    if "=" in w and w.split("=", 1)[0] in ("GOOS", "GOARCH")
                )
                os_value, arch_value = _literal(env.get("GOOS")), _literal(env.get("GOARCH"))
                if os_value and arch_value:
                    ports += [
                        Evidence(value=p, source=where)
                        for p in _ports([(os_value, arch_value)], table)
                    ]
                if "go" in words:
                    tags += [Evidence(value=t, source=where) for t in _tags_in_words(words)]
    return Guess(ports=tuple(ports), tags=tuple(tags), libcs=tuple(libcs))


def _ci_files(root: Path) -> list[Path]:
    found = []
    workflows = root / ".github" / "workflows"
    if workflows.is_dir():
        found += sorted(p for p in workflows.iterdir() if p.suffix in (".yml", ".yaml"))
    found += [p for p in (root / ".gitlab-ci.yml", root / ".gitlab-ci.yaml") if p.is_file()]
    return found


def _ci(root: Path, table: PortTable) -> Guess:
    parts = [
        _from_ci_document(_load_yaml(path), path.relative_to(root).as_posix(), table)
        for path in _ci_files(root)
    ]
    return _merge(parts)


# ---------------------------------------------------------------------------------------------
# File-name suffixes


def _suffixes(root: Path, table: PortTable) -> Guess:
    ports: list[Evidence] = []
    seen = 0
    for directory, dirs, files in os.walk(root):
        dirs[:] = sorted(d for d in dirs if not is_hidden(d) and d not in ("vendor", "testdata"))
        for name in sorted(files):
            seen += 1
            if seen > _WALK_FILES:
                return Guess(ports=tuple(ports), from_suffixes=True)
            if not name.endswith(".go") or is_hidden(name):
                continue
            tags = os_arch_tags(name, table)
            if not tags:
                continue
            where = (Path(directory) / name).relative_to(root).as_posix()
            ports += [Evidence(value=p, source=where) for p in _suffix_ports(tags, table)]
    return Guess(ports=tuple(ports), from_suffixes=True)


def _suffix_ports(tags: tuple[str, ...], table: PortTable) -> list[str]:
    """Ports a file-name suffix points at.

    `_GOOS_GOARCH`: that port. `_GOOS`: its amd64 and arm64 ports where Go has them, else
    all of its ports. `_GOARCH`: linux/GOARCH.
    """
    if len(tags) == 2:
        goarch, goos = tags
        return _ports([(goos, goarch)], table)
    (tag,) = tags
    if tag in table.known_os:
        of_os = [p for p in table.ports if p.goos == tag]
        common = [p.name for p in of_os if p.goarch in ("amd64", "arm64")]
        return common or [p.name for p in of_os]
    return _ports([("linux", tag)], table)


# ---------------------------------------------------------------------------------------------


def _merge(parts: Iterable[Guess]) -> Guess:
    parts = list(parts)
    return Guess(
        ports=tuple(e for g in parts for e in g.ports),
        tags=tuple(e for g in parts for e in g.tags),
        buildmodes=tuple(e for g in parts for e in g.buildmodes),
        libcs=tuple(e for g in parts for e in g.libcs),
        from_suffixes=any(g.from_suffixes for g in parts),
    )


def guess(root: Path, table: PortTable | None = None) -> Guess:
    """What the project at `root` ships, from its release and CI files (else its file names)."""
    table = table or port_table()
    shipped = _merge([_goreleaser(root, table), _ci(root, table)])
    if shipped.ports:
        return shipped
    return _merge([shipped, _suffixes(root, table)])
