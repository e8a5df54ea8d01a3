"""The project's `.cgotrap.toml`: the targets it ships, tags, rule severities, ignores, policies.

Found at the module root by `scan`, `check` and `matrix`; `inspect` takes `--config FILE` or
looks upward from the current directory (`find_upward`). Read with `tomllib` into frozen
records and validated on load: a wrong value or an unknown key is one line naming the file
and the key (`.cgotrap.toml: targets.libc: "glib" is not a libc (gnu, musl)`)::

    [targets]
    select = ["linux/amd64", "linux/arm64", "darwin/*", "windows/amd64"]
    libc = ["gnu", "musl"]      # Linux libc variants shipped (cgo builds)
    glibc = "2.17"              # the oldest glibc the gnu builds must run on

    [build]
    tags = ["netgo"]
    buildmode = "pie"

    [rules]
    CGO005 = "note"             # severity override

    [[ignore]]
    rule = "CGO004"
    package = "example.com/app/internal/legacy/..."   # or: path = "internal/legacy/**"
    reason = "only built for linux; tracked in #123"

    [inspect]
    policy = "glibc<=2.17"
    runs_on = ["alpine", "debian-12"]

    [matrix]
    allow_fail = ["linux/386"]  # targets whose failure does not fail `cgotrap matrix`

    [matrix.cc]                 # a C compiler per port (or port-libc) instead of zig cc
    "linux/arm64" = "aarch64-linux-gnu-gcc"

Nothing here is ever written by cgotrap except `cgotrap init` (a new file, on request).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from cgotrap.errors import InputError, UsageError
from cgotrap.inputs import read_regular
from cgotrap.targets import Libc, Target, select_ports
from cgotrap.vocabulary import BUILDMODES

if TYPE_CHECKING:
    # (imported where a config file is read: the judge's modules, ~4 ms, are imported by a
    # cold scan while its helper process scans, not before it forks)
    from cgotrap.judge.rules import Severity

__all__ = [
    "BUILDMODES",
    "CONFIG_NAME",
    "BuildConfig",
    "Config",
    "ConfigError",
    "Ignore",
    "InspectConfig",
    "MatrixTable",
    "TargetsConfig",
    "find_at_root",
    "find_upward",
    "load",
    "parse",
]

CONFIG_NAME = ".cgotrap.toml"


class ConfigError(InputError):
    """`.cgotrap.toml` cannot be read or is invalid (the message names the file and key)."""


@dataclasses.dataclass(frozen=True, kw_only=True, slots=True)
class TargetsConfig:
    """`[targets]`: what the project ships."""

    select: tuple[str, ...] = ()
    """Target selectors, as `--targets` takes them ("linux/*", "darwin/arm64"); () = not set."""
    libc: tuple[Libc, ...] = ()
    """Linux libc variants shipped with cgo on; () = the toolchain default (gnu)."""
    glibc: str | None = None
    """The oldest glibc the gnu builds must run on ("2.17"), or None."""

    def expand(self, cgo_modes: tuple[bool, ...] = (False, True)) -> list[Target]:
        """The configured targets: every selected port × cgo mode, Linux cgo × each libc.

        The glibc floor pins gnu targets (`linux/amd64-gnu.2.17`); a port selected with its
        own libc ("linux/arm64-musl") keeps it.
        """
        out: list[Target] = []
        for port, libc, glibc in select_ports(self.select or ("all",)):
            for cgo in cgo_modes:
                variants: tuple[Libc | None, ...] = (libc,)
                if port.goos == "linux" and cgo and libc is None and self.libc:
                    variants = self.libc
                for variant in variants:
                    pin = glibc
                    if variant is Libc.GNU and pin is None:
                        pin = self.glibc
                    target = Target(
                        goos=port.goos,
                        goarch=port.goarch,
                        cgo=cgo,
                        libc=variant if cgo else None,
                        glibc_version=pin if cgo and variant is Libc.GNU else None,
                    )
                    if target not in out:
                        out.append(target)
        return out


@dataclasses.dataclass(frozen=True, kw_only=True, slots=True)
class BuildConfig:
    """`[build]`: how the project is built."""

    tags: tuple[str, ...] = ()
    """Build tags (`-tags`), e.g. ("netgo", "osusergo")."""
    buildmode: str = "default"
    """`-buildmode` ("default", "pie", "c-shared", ...)."""


@dataclasses.dataclass(frozen=True, kw_only=True, slots=True)
class Ignore:
    """One `[[ignore]]` entry: findings of `rule` in matching packages or files are accepted."""

    rule: str
    """The rule ID ("CGO004")."""
    package: str | None
    """Import-path glob ("example.com/app/internal/*", Go's "example.com/app/..."), or None."""
    path: str | None
    """Module-root-relative file glob ("internal/legacy/**", "*_windows.go"), or None."""
    reason: str
    """Why the finding is accepted; shown wherever the suppressed finding is."""
    index: int
    """Position in the file (1-based), to name the entry in messages ("ignore[2]")."""


@dataclasses.dataclass(frozen=True, kw_only=True, slots=True)
class InspectConfig:
    """`[inspect]`: what `cgotrap inspect` judges binaries against."""

    policy: str | None = None
    """A policy name ("static", "glibc<=2.17"), as `--policy` takes it."""
    runs_on: tuple[str, ...] = ()
    """Run-target names ("alpine", "debian-12"), as `--runs-on` takes them."""


@dataclasses.dataclass(frozen=True, kw_only=True, slots=True)
class MatrixTable:
    """`[matrix]`: how `cgotrap matrix` builds (`crossbuild.config.MatrixConfig` is made
    from it)."""

    cc: Mapping[str, str] = dataclasses.field(default_factory=dict)
    """Port or port-with-libc ("linux/arm64", "linux/arm64-musl") -> a C compiler command."""
    allow_fail: tuple[str, ...] = ()
    """Target selectors whose failures do not fail the run."""


@dataclasses.dataclass(frozen=True, kw_only=True, slots=True)
class Config:
    """A validated `.cgotrap.toml` (every field has the default of an absent file)."""

    path: Path | None = None
    """Where it was read from; None for the defaults."""
    targets: TargetsConfig = TargetsConfig()
    """What the project ships."""
    build: BuildConfig = BuildConfig()
    """Tags and build mode."""
    severities: Mapping[str, Severity] = dataclasses.field(default_factory=dict)
    """Rule ID -> the severity this project gives it (`[rules]`)."""
    ignores: tuple[Ignore, ...] = ()
    """Accepted findings (`[[ignore]]`)."""
    inspect: InspectConfig = InspectConfig()
    """`cgotrap inspect` settings."""
    matrix: MatrixTable = MatrixTable()
    """`cgotrap matrix` settings."""


# ---------------------------------------------------------------------------------------------
# Finding the file


def find_at_root(module_root: Path) -> Path | None:
    """`.cgotrap.toml` in the module root (scan, check, matrix), or None."""
    candidate = module_root / CONFIG_NAME
    return candidate if candidate.is_file() else None


def find_upward(start: Path, *, limit: int = 256) -> Path | None:
    """The nearest `.cgotrap.toml` in `start` or a parent directory (`inspect`), or None."""
    here = start.resolve()
    for _ in range(limit):  # bounded: a path has far fewer parts
        candidate = here / CONFIG_NAME
        if candidate.is_file():
            return candidate
        if here.parent == here:
            return None
        here = here.parent
    return None


_MAX_CONFIG_BYTES = 16 << 20


def load(path: Path) -> Config:
    """Read and validate `path` (raises `ConfigError` naming the file and the key)."""
    try:
        text = read_regular(path, _MAX_CONFIG_BYTES).decode("utf-8")  # a FIFO: refused
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: cannot read: {exc}") from exc
    import tomllib  # ~3 ms: only a project that has a config file pays for it

    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: not valid TOML: {exc}") from exc
    return parse(data, path=path)


# ---------------------------------------------------------------------------------------------
# Validation


class _Reader:
    """Checks of one file's values; every message names the file and the dotted key."""

    def __init__(self, where: str) -> None:
        self.where = where

    def fail(self, key: str, problem: str) -> ConfigError:
        return ConfigError(f"{self.where}: {key}: {problem}")

    def table(self, data: Any, key: str, allowed: frozenset[str]) -> dict[str, Any]:
        if not isinstance(data, dict):
            raise self.fail(key, f"must be a table, not {_kind(data)}")
        unknown = sorted(set(data) - allowed)
        if unknown:
            dotted = f"{key}.{unknown[0]}" if key else unknown[0]
            known = ", ".join(sorted(allowed))
            raise self.fail(dotted, f"unknown key (known here: {known})")
        return data

    def string(self, value: Any, key: str) -> str:
        if not isinstance(value, str) or not value.strip():
            raise self.fail(key, f"must be a non-empty string, not {_show(value)}")
        return value.strip()

    def strings(self, value: Any, key: str) -> tuple[str, ...]:
        if not isinstance(value, list):
            raise self.fail(key, f"must be a list of strings, not {_kind(value)}")
        return tuple(self.string(v, f"{key}[{i}]") for i, v in enumerate(value))


def _kind(value: Any) -> str:
    names = {dict: "a table", list: "a list", str: "a string", bool: "a boolean"}
    return names.get(type(value), f"a {type(value).__name__}")


def _show(value: Any) -> str:
    return repr(value) if isinstance(value, str) else _kind(value)


_TOP_KEYS = frozenset(("targets", "build", "rules", "ignore", "inspect", "matrix"))


def parse(data: Mapping[str, Any], *, path: Path | None = None) -> Config:
    """Validate decoded TOML into a `Config` (raises `ConfigError`)."""
    read = _Reader(str(path) if path is not None else CONFIG_NAME)
    top = read.table(dict(data), "", _TOP_KEYS)
    return Config(
        path=path,
        targets=_targets(read, top.get("targets", {})),
        build=_build(read, top.get("build", {})),
        severities=_severities(read, top.get("rules", {})),
        ignores=_ignores(read, top.get("ignore", [])),
        inspect=_inspect(read, top.get("inspect", {})),
        matrix=_matrix(read, top.get("matrix", {})),
    )


def _targets(read: _Reader, raw: Any) -> TargetsConfig:
    table = read.table(raw, "targets", frozenset(("select", "libc", "glibc")))
    select = read.strings(table.get("select", []), "targets.select")
    for i, selector in enumerate(select):
        try:
            select_ports(selector)
        except UsageError as exc:
            raise read.fail(f"targets.select[{i}]", str(exc)) from None
    libcs: list[Libc] = []
    for i, name in enumerate(read.strings(table.get("libc", []), "targets.libc")):
        try:
            libcs.append(Libc(name))
        except ValueError:
            known = ", ".join(m.value for m in Libc)
            raise read.fail(f"targets.libc[{i}]", f"{name!r} is not a libc ({known})") from None
    glibc = None
    if "glibc" in table:
        glibc = read.string(table["glibc"], "targets.glibc")
        parts = glibc.split(".")
        if len(parts) != 2 or not all(p.isdigit() for p in parts) or parts[0] != "2":
            raise read.fail("targets.glibc", f"{glibc!r} is not a glibc version such as '2.17'")
    return TargetsConfig(select=select, libc=tuple(dict.fromkeys(libcs)), glibc=glibc)


def _build(read: _Reader, raw: Any) -> BuildConfig:
    table = read.table(raw, "build", frozenset(("tags", "buildmode")))
    tags = read.strings(table.get("tags", []), "build.tags")
    for i, tag in enumerate(tags):
        if not all(ch.isalnum() or ch in "_." for ch in tag):
            raise read.fail(f"build.tags[{i}]", f"{tag!r} is not a build tag")
    buildmode = "default"
    if "buildmode" in table:
        buildmode = read.string(table["buildmode"], "build.buildmode")
        if buildmode not in BUILDMODES:
            known = ", ".join(sorted(BUILDMODES))
            raise read.fail("build.buildmode", f"{buildmode!r} is not a buildmode ({known})")
    return BuildConfig(tags=tags, buildmode=buildmode)


def _known_rule(read: _Reader, rule_id: str, key: str) -> str:
    import difflib

    from cgotrap.judge import rules

    known = [r.id for r in rules.all_rules()]
    if rule_id not in known:
        close = difflib.get_close_matches(rule_id, known, n=3)
        hint = f"; did you mean {', '.join(close)}?" if close else "; see `cgotrap rules`"
        raise read.fail(key, f"unknown rule {rule_id!r}{hint}")
    return rule_id


def _severities(read: _Reader, raw: Any) -> dict[str, Severity]:
    from cgotrap.judge.rules import Severity

    if not isinstance(raw, dict):
        raise read.fail("rules", f"must be a table, not {_kind(raw)}")
    out: dict[str, Severity] = {}
    for rule_id, value in raw.items():
        key = f"rules.{rule_id}"
        _known_rule(read, rule_id, key)
        try:
            out[rule_id] = Severity(read.string(value, key))
        except ValueError:
            known = ", ".join(m.value for m in Severity)
            raise read.fail(key, f"{value!r} is not a severity ({known})") from None
    return out


def _ignores(read: _Reader, raw: Any) -> tuple[Ignore, ...]:
    if not isinstance(raw, list):
        raise read.fail("ignore", "must be an array of tables ([[ignore]])")
    out: list[Ignore] = []
    for i, entry in enumerate(raw):
        key = f"ignore[{i + 1}]"
        table = read.table(entry, key, frozenset(("rule", "package", "path", "reason")))
        for required in ("rule", "reason"):
            if required not in table:
                raise read.fail(f"{key}.{required}", "is required")
        if "package" not in table and "path" not in table:
            raise read.fail(key, "needs a package or a path glob")
        rule_id = _known_rule(read, read.string(table["rule"], f"{key}.rule"), f"{key}.rule")
        package = read.string(table["package"], f"{key}.package") if "package" in table else None
        path = read.string(table["path"], f"{key}.path") if "path" in table else None
        if path is not None and (path.startswith("/") or ".." in path.split("/")):
            raise read.fail(f"{key}.path", f"{path!r} must be relative to the module root")
        out.append(
            Ignore(
                rule=rule_id,
                package=package,
                path=path,
                reason=read.string(table["reason"], f"{key}.reason"),
                index=i + 1,
            )
        )
    return tuple(out)


def _inspect(read: _Reader, raw: Any) -> InspectConfig:
    from cgotrap.judge import policy as policies

    table = read.table(raw, "inspect", frozenset(("policy", "runs_on")))
    policy = None
    if "policy" in table:
        policy = read.string(table["policy"], "inspect.policy")
        if policy not in policies.policies():
            known = ", ".join(policies.policies())
            raise read.fail("inspect.policy", f"unknown policy {policy!r} (known: {known})")
    runs_on = read.strings(table.get("runs_on", []), "inspect.runs_on")
    for i, name in enumerate(runs_on):
        if name != "all" and name not in policies.run_targets():
            known = ", ".join(policies.run_targets())
            raise read.fail(f"inspect.runs_on[{i}]", f"unknown run-target {name!r} ({known})")
    return InspectConfig(policy=policy, runs_on=runs_on)


def _port_key(read: _Reader, key: str, dotted: str) -> None:
    """A `[matrix.cc]` key: one port, optionally with a libc ("linux/arm64-musl")."""
    if any(ch in key for ch in "*?[,") or "/" not in key:
        raise read.fail(dotted, f"{key!r} is not a port such as linux/arm64")
    try:
        select_ports(key)
    except UsageError as exc:
        raise read.fail(dotted, str(exc)) from None


def _matrix(read: _Reader, raw: Any) -> MatrixTable:
    table = read.table(raw, "matrix", frozenset(("cc", "allow_fail")))
    cc_raw = table.get("cc", {})
    if not isinstance(cc_raw, dict):
        raise read.fail("matrix.cc", f"must be a table, not {_kind(cc_raw)}")
    cc: dict[str, str] = {}
    for port, command in cc_raw.items():
        dotted = f'matrix.cc."{port}"'
        _port_key(read, port, dotted)
        cc[port] = read.string(command, dotted)
    allow_fail = read.strings(table.get("allow_fail", []), "matrix.allow_fail")
    for i, selector in enumerate(allow_fail):
        try:
            select_ports(selector)
        except UsageError as exc:
            raise read.fail(f"matrix.allow_fail[{i}]", str(exc)) from None
    return MatrixTable(cc=cc, allow_fail=allow_fail)
