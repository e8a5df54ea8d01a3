"""Matrix settings from the project: per-target C compilers and targets allowed to fail.

Read (never written) from the `[matrix]` table of the project's `.cgotrap.toml`
(`cgotrap.config`, validated there; `from_table`)::

    [matrix]
    allow_fail = ["linux/386"]

    [matrix.cc]
    "linux/arm64" = "aarch64-linux-gnu-gcc"
    "android/arm64" = "/opt/ndk/bin/aarch64-linux-android21-clang"

Keys of `cc` are ports ("linux/arm64") or ports with a libc ("linux/arm64-musl"); the
command line's `--cc PORT=CC` and `--allow-fail SEL` add to (and for cc, override) them.

Deprecated: the same `[matrix]` table in `cgotrap.toml` (no dot) or in pyproject's
`[tool.cgotrap]`, where matrix read it before `.cgotrap.toml` existed (`load_legacy`; the
CLI says so on stderr). There is one config file now.
"""

from __future__ import annotations

import dataclasses
import tomllib
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from cgotrap.config import MatrixTable
from cgotrap.errors import InputError, UsageError
from cgotrap.inputs import read_regular
from cgotrap.targets import Target, select_ports

_MAX_CONFIG_BYTES = 1 << 20  # a cgotrap.toml is a few hundred bytes


@dataclasses.dataclass(frozen=True, kw_only=True, slots=True)
class MatrixConfig:
    """Settings that change how targets are built and judged."""

    cc: Mapping[str, str] = dataclasses.field(default_factory=dict)
    """Port or port-with-libc ("linux/arm64", "linux/arm64-musl") -> CC command line."""
    allow_fail: tuple[str, ...] = ()
    """Target selectors whose failures do not fail the run (exit code)."""

    def cc_for(self, target: Target) -> str | None:
        """The user's CC for `target` (the libc-specific key wins), or None for zig."""
        if target.libc is not None:
            specific = f"{target.port}-{target.libc.value}"
            if specific in self.cc:
                return self.cc[specific]
        return self.cc.get(target.port)

    def allowed_to_fail(self, target: Target) -> bool:
        """True when a selector in `allow_fail` selects `target`'s port (and libc)."""
        for selector in self.allow_fail:
            for port, libc, glibc in select_ports(selector):
                same_port = port.name == target.port and libc in (None, target.libc)
                if same_port and glibc in (None, target.glibc_version):
                    return True
        return False


def _table(data: Any, where: str) -> dict[str, Any]:
    if not isinstance(data, dict):
        raise InputError(f"{where}: expected a table")
    return data


def _parse(matrix: Any, where: str) -> MatrixConfig:
    section = _table(matrix, where)
    cc_raw = _table(section.get("cc", {}), f"{where}: matrix.cc")
    cc: dict[str, str] = {}
    for key, value in cc_raw.items():
        if not isinstance(value, str) or not value.strip():
            raise InputError(f"{where}: matrix.cc.{key!r} must be a non-empty string")
        _check_port_key(key, where)
        cc[key] = value
    allow = section.get("allow_fail", [])
    if not isinstance(allow, list) or not all(isinstance(s, str) for s in allow):
        raise InputError(f"{where}: matrix.allow_fail must be a list of target selectors")
    for selector in allow:
        select_ports(selector)
    return MatrixConfig(cc=cc, allow_fail=tuple(allow))


def _check_port_key(key: str, where: str) -> None:
    if any(ch in key for ch in "*?[,") or "/" not in key:
        raise InputError(f"{where}: {key!r} is not a port such as linux/arm64")
    try:
        select_ports(key)
    except UsageError as exc:
        raise InputError(f"{where}: {exc}") from exc


def from_table(table: MatrixTable) -> MatrixConfig:
    """The settings of `.cgotrap.toml`'s `[matrix]` (already validated on load)."""
    return MatrixConfig(cc=dict(table.cc), allow_fail=table.allow_fail)


def load_legacy(root: Path) -> tuple[MatrixConfig, Path] | None:
    """Deprecated places: `[matrix]` of `cgotrap.toml`, else of pyproject's
    `[tool.cgotrap]`; with the file it came from, or None when neither has one."""
    for name, section_path in (("cgotrap.toml", ()), ("pyproject.toml", ("tool", "cgotrap"))):
        path = root / name
        if not path.is_file():
            continue
        try:
            text = read_regular(path, _MAX_CONFIG_BYTES + 1).decode("utf-8")  # a FIFO: refused
            if len(text) > _MAX_CONFIG_BYTES:
                raise InputError(f"{path}: larger than {_MAX_CONFIG_BYTES} bytes, not read")
            data: Any = tomllib.loads(text)
        except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
            raise InputError(f"{path}: {exc}") from exc
        for key in section_path:
            data = data.get(key, {}) if isinstance(data, dict) else {}
        if not isinstance(data, dict) or "matrix" not in data:
            continue
        return _parse(data["matrix"], str(path)), path
    return None


def with_command_line(
    config: MatrixConfig, cc: Iterable[str], allow_fail: Iterable[str]
) -> MatrixConfig:
    """`config` plus `--cc PORT=CC` (overriding) and `--allow-fail SEL` (adding)."""
    merged = dict(config.cc)
    for item in cc:
        key, sep, value = item.partition("=")
        if not sep or not value.strip():
            raise UsageError(
                f"--cc takes PORT=CC (linux/arm64=aarch64-linux-gnu-gcc), not {item!r}"
            )
        try:
            _check_port_key(key.strip(), "--cc")
        except InputError as exc:
            raise UsageError(str(exc)) from exc
        merged[key.strip()] = value.strip()
    extra = tuple(allow_fail)
    for selector in extra:
        select_ports(selector)
    return dataclasses.replace(config, cc=merged, allow_fail=config.allow_fail + extra)
