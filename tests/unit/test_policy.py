"""Policies and run-targets: the data loads and validates; verdicts say why in one line."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from cgotrap.errors import DataError, UsageError
from cgotrap.judge import policy as policies
from cgotrap.judge.policy import Fit, LibcKind
from cgotrap.read.binary import Inspected
from cgotrap.read.binary.buildinfo import BuildInfo, BuildSetting
from cgotrap.read.binary.interface import BinaryFormat, Endian, Linkage, MinOS, VersionNeed

ROOT = Path(__file__).resolve().parents[2]


def _elf(**fields: Any) -> Linkage:
    values: dict[str, Any] = {
        "format": BinaryFormat.ELF,
        "os": "linux",
        "arch": "amd64",
        "bits": 64,
        "endian": Endian.LITTLE,
        "static": False,
        "interpreter": "/lib64/ld-linux-x86-64.so.2",
        "needed": ("libc.so.6",),
    }
    values.update(fields)
    return Linkage(**values)


def _binary(linkage: Linkage, **settings: str) -> Inspected:
    info = BuildInfo(
        go_version="go1.22.5",
        settings=tuple(BuildSetting(key=k, value=v) for k, v in settings.items()),
    )
    return Inspected(name="app", linkage=linkage, build_info=info)


GLIBC_234 = _elf(
    version_needs=(
        VersionNeed(library="libc.so.6", version="GLIBC_2.2.5", symbols=("malloc",)),
        VersionNeed(library="libc.so.6", version="GLIBC_2.34", symbols=("pthread_create",)),
        VersionNeed(library="libc.so.6", version="GLIBC_PRIVATE", symbols=()),
    )
)


def test_generated_data_is_fresh() -> None:
    done = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "gen_policies.py"), "--check"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr


def test_data_loads_with_the_named_targets() -> None:
    targets = policies.run_targets()
    for name in (
        "alpine",
        "distroless-static",
        "distroless-base",
        "scratch",
        "debian-11",
        "debian-12",
        "ubuntu-20.04",
        "ubuntu-22.04",
        "rhel-7",
        "rhel-8",
        "rhel-9",
        "macos-12",
        "windows",
    ):
        assert targets[name].source
    assert targets["rhel-7"].libc_version == (2, 17)
    assert targets["debian-12"].libc_version == (2, 36)
    assert targets["alpine"].libc is LibcKind.MUSL
    assert targets["macos-12"].os_version == (12, 0)
    assert {"static", "glibc<=2.17", "glibc<=2.28", "musl"} <= set(policies.policies())


@pytest.mark.parametrize(
    ("document", "message"),
    [
        ({"version": 2}, "format version"),
        (
            {"version": 1, "policies": [{"name": "x", "kind": "glibc", "glibc_max": ""}]},
            "glibc_max is set exactly",
        ),
        (
            {
                "version": 1,
                "policies": [
                    {
                        "name": "x",
                        "kind": "nope",
                        "glibc_max": "",
                        "libraries": [],
                        "description": "",
                    }
                ],
            },
            "unknown kind",
        ),
        (
            {
                "version": 1,
                "policies": [
                    {
                        "name": "x",
                        "kind": "glibc",
                        "glibc_max": "2.x",
                        "libraries": [],
                        "description": "",
                    }
                ],
            },
            "not a version",
        ),
    ],
)
def test_broken_policy_data_is_a_data_error(
    monkeypatch: pytest.MonkeyPatch, document: dict[str, Any], message: str
) -> None:
    policies.policies.cache_clear()
    monkeypatch.setattr(policies, "_data", lambda _name: document)
    try:
        with pytest.raises(DataError, match=message):
            policies.policies()
    finally:
        policies.policies.cache_clear()


def test_run_target_without_source_is_a_data_error(monkeypatch: pytest.MonkeyPatch) -> None:
    entry = {
        "name": "x",
        "os": "linux",
        "arches": ["amd64"],
        "libc": "glibc",
        "libc_version": "2.17",
        "os_version": "",
        "loaders": [],
        "libraries": [],
        "source": "",
    }
    policies.run_targets.cache_clear()
    monkeypatch.setattr(policies, "_data", lambda _name: {"version": 1, "run_targets": [entry]})
    try:
        with pytest.raises(DataError, match="names its source"):
            policies.run_targets()
    finally:
        policies.run_targets.cache_clear()


def test_unknown_names_are_usage_errors() -> None:
    with pytest.raises(UsageError, match="unknown run-target 'nope'"):
        policies.select_run_targets("alpine,nope")
    with pytest.raises(UsageError, match="unknown policy"):
        policies.get_policy("glibc<=1.0")
    assert len(policies.select_run_targets("all")) == len(policies.run_targets())


def test_glibc_needs_picks_the_highest_version_and_its_symbols() -> None:
    best, name, symbols = policies.glibc_needs(GLIBC_234)
    assert (best, name, symbols) == ((2, 34), "GLIBC_2.34", ("pthread_create",))


def test_run_target_verdicts_say_why() -> None:
    targets = policies.run_targets()
    app = _binary(GLIBC_234, GOOS="linux", GOARCH="amd64")
    rhel7 = policies.judge_run_target(app, targets["rhel-7"])
    assert rhel7.fit is Fit.NO
    assert rhel7.reasons == ("needs GLIBC_2.34 (pthread_create@GLIBC_2.34); rhel-7 has 2.17",)
    assert policies.judge_run_target(app, targets["rhel-9"]).fit is Fit.YES
    alpine = policies.judge_run_target(app, targets["alpine"])
    assert alpine.reasons == ("dynamic, needs /lib64/ld-linux-x86-64.so.2, alpine has musl",)
    scratch = policies.judge_run_target(app, targets["scratch"])
    assert scratch.fit is Fit.NO
    arm = _binary(_elf(static=True, interpreter="", needed=()), GOOS="linux", GOARCH="arm64")
    verdict = policies.judge_run_target(arm, targets["rhel-7"])
    assert verdict.reasons == ("built for linux/arm64; rhel-7 has no arm64 build",)
    assert verdict.other_platform
    assert policies.judge_run_target(arm, targets["distroless-static"]).fit is Fit.YES
    extra = _binary(_elf(needed=("libc.so.6", "libsqlite3.so.0")), GOOS="linux", GOARCH="amd64")
    assert policies.judge_run_target(extra, targets["debian-12"]).fit is Fit.MAYBE


def test_darwin_and_windows_verdicts() -> None:
    targets = policies.run_targets()
    mac = _binary(
        Linkage(
            format=BinaryFormat.MACHO,
            os="darwin",
            arch="arm64",
            bits=64,
            endian=Endian.LITTLE,
            static=False,
            needed=("/usr/lib/libSystem.B.dylib", "/opt/homebrew/lib/libpq.5.dylib"),
            min_os=MinOS(platform="macos", version="13.0", sdk="14.0"),
        )
    )
    assert policies.judge_run_target(mac, targets["macos-12"]).reasons == (
        "needs macOS 13.0; macos-12 has 12.0",
    )
    later = policies.judge_run_target(mac, targets["macos-14"])
    assert later.fit is Fit.MAYBE
    assert "libpq" in later.reasons[0]
    win = _binary(
        Linkage(
            format=BinaryFormat.PE,
            os="windows",
            arch="amd64",
            bits=64,
            endian=Endian.LITTLE,
            static=False,
            needed=("KERNEL32.dll", "api-ms-win-crt-heap-l1-1-0.dll", "libwinpthread-1.dll"),
        )
    )
    verdict = policies.judge_run_target(win, targets["windows"])
    assert verdict.fit is Fit.MAYBE
    assert verdict.reasons == ("needs libwinpthread-1.dll, not part of Windows",)


def test_policies() -> None:
    app = _binary(GLIBC_234, GOOS="linux", GOARCH="amd64")
    verdict = policies.judge_policy(app, policies.get_policy("glibc<=2.17"))
    assert verdict.fit is Fit.NO
    assert verdict.reasons == ("needs GLIBC_2.34 (pthread_create@GLIBC_2.34), policy allows 2.17",)
    assert policies.judge_policy(app, policies.get_policy("glibc<=2.34")).fit is Fit.YES
    assert policies.judge_policy(app, policies.get_policy("static")).fit is Fit.NO
    assert policies.judge_policy(app, policies.get_policy("musl")).fit is Fit.NO
    musl = _binary(
        _elf(interpreter="/lib/ld-musl-x86_64.so.1", needed=("libc.so",)),
        GOOS="linux",
        GOARCH="amd64",
    )
    assert policies.judge_policy(musl, policies.get_policy("musl")).fit is Fit.YES
    assert policies.judge_policy(musl, policies.get_policy("glibc<=2.39")).fit is Fit.NO
    mac = _binary(
        Linkage(
            format=BinaryFormat.MACHO,
            os="darwin",
            arch="arm64",
            bits=64,
            endian=Endian.LITTLE,
            static=False,
        )
    )
    assert policies.judge_policy(mac, policies.get_policy("static")).fit is Fit.NOT_APPLICABLE
    broken = Inspected(name="bad", error="corrupt ELF: x")
    assert policies.judge_policy(broken, policies.get_policy("static")).fit is Fit.UNKNOWN


@pytest.mark.parametrize("libc", list(LibcKind))
def test_every_libc_kind_has_a_verdict_path(libc: LibcKind) -> None:
    target = next(t for t in policies.run_targets().values() if t.libc is libc)
    binary = _binary(_elf(static=True, interpreter="", needed=()), GOOS=target.os, GOARCH="amd64")
    assert policies.judge_run_target(binary, target).fit in set(Fit)
