"""Ports data and target selectors."""

from __future__ import annotations

import json
import subprocess

import pytest

from cgotrap import targets, toolchain
from cgotrap.errors import DataError, UsageError


def test_bundled_ports_match_go_tool_dist_list(go_tool: toolchain.Tool) -> None:
    out = subprocess.run(
        [str(go_tool.path), "tool", "dist", "list", "-json"],
        capture_output=True,
        text=True,
        check=True,
        env=toolchain.go_env(),
    ).stdout
    real = {(p["GOOS"], p["GOARCH"], p["CgoSupported"], p["FirstClass"]) for p in json.loads(out)}
    ours = {(p.goos, p.goarch, p.cgo_supported, p.first_class) for p in targets.port_table().ports}
    assert ours == real


def test_selectors() -> None:
    table = targets.port_table()
    assert len(targets.select_ports("all")) == len(table.ports)
    first = targets.select_ports("first-class")
    assert {p.name for p, _, _ in first} >= {"linux/amd64", "darwin/arm64", "windows/amd64"}
    linux = targets.select_ports("linux/*")
    assert linux
    assert all(p.goos == "linux" for p, _, _ in linux)
    ((port, libc, pin),) = targets.select_ports("linux/amd64-gnu.2.17")
    assert (port.name, libc, pin) == ("linux/amd64", targets.Libc.GNU, "2.17")
    # duplicates collapse, order is first-seen
    names = [p.name for p, _, _ in targets.select_ports("linux/arm64,linux/*,linux/arm64")]
    assert names[0] == "linux/arm64"
    assert len(names) == len(set(names))


@pytest.mark.parametrize(
    "bad", ["linux", "linux/vax", "plan9/*x", "darwin/arm64-musl", "linux/amd64-musl.2.17", ","]
)
def test_bad_selectors_are_usage_errors(bad: str) -> None:
    with pytest.raises(UsageError):
        targets.select_ports(bad)


def test_expand_and_cgo_modes() -> None:
    assert targets.parse_cgo_modes("both") == (False, True)
    assert targets.parse_cgo_modes("1,0,1") == (True, False)
    with pytest.raises(UsageError):
        targets.parse_cgo_modes("yes")
    expanded = targets.expand("all", (False, True), skip_unsupported_cgo=True)
    table = targets.port_table()
    assert len(expanded) == len(table.ports) + sum(p.cgo_supported for p in table.ports)
    t = targets.Target(goos="linux", goarch="amd64", cgo=True, libc=targets.Libc.MUSL)
    assert t.name == "linux/amd64-musl cgo=1"
    assert t.to_json() == {"GOOS": "linux", "GOARCH": "amd64", "CGO_ENABLED": "1", "LIBC": "musl"}


def test_malformed_ports_data_is_a_data_error() -> None:
    with pytest.raises(DataError):
        targets.parse_port_table({"version": 2})
    with pytest.raises(DataError):
        targets.parse_port_table(
            {"version": 1, "ports": [{"GOOS": "x"}], "KnownOS": [], "UnixOS": [], "KnownArch": []}
        )


def test_with_cgo_twins_adds_the_cgo_twin_of_ports_that_have_cgo() -> None:
    from cgotrap.targets import with_cgo_twins

    report = targets.expand("linux/amd64-musl,js/wasm,windows/amd64", (False, True))
    report = [t for t in report if not (t.goos == "windows" and t.cgo)]
    got = with_cgo_twins(report)
    assert got[: len(report)] == report
    added = [t.name for t in got[len(report) :]]
    assert added == ["windows/amd64 cgo=1"]  # musl's and js/wasm's twins are there
    assert with_cgo_twins(targets.expand("linux/arm64", (False,)))[1].name == "linux/arm64 cgo=1"
    # A port without cgo gets its twin too: go lists its cgo files, cgotrap compares.
    wasm = targets.expand("js/wasm", (False,), skip_unsupported_cgo=True)
    assert [t.name for t in with_cgo_twins(wasm)] == ["js/wasm cgo=0", "js/wasm cgo=1"]


def test_a_port_table_finds_its_ports_without_hashing_them(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """`PortTable.get` keeps the table's index by the identity of its ports (~270 calls
    before a `--targets all` scan forks its helper; each hashed ~50 records, field by
    field, when the cache was keyed by the tuple of them)."""
    from cgotrap.targets import Port, port_table

    table = port_table()
    assert table.get("linux", "amd64") is not None  # (the index is made: hashing is allowed)
    hashed: list[object] = []
    real = Port.__hash__

    def counted(self: Port) -> int:
        hashed.append(self)
        return real(self)

    monkeypatch.setattr(Port, "__hash__", counted)
    port = table.get("linux", "arm64")
    assert port is not None
    assert (port.goos, port.goarch) == ("linux", "arm64")
    assert table.get("plan9", "nope") is None
    assert hashed == []
