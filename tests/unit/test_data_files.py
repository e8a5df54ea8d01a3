"""`cgotrap.data`: every bundled data file is read through `load` and decoded into its record
type by `decode`; a broken one is a `DataError` naming the file and the key (one line from
the CLI, exit 70), never a traceback. Each file meets its checked-in JSON Schema, and the
schema and the record type name the same keys."""

from __future__ import annotations

import dataclasses
import json
import subprocess
import sys
import types
import typing
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from cgotrap import data
from cgotrap.cli import main as cli
from cgotrap.data import records
from cgotrap.data.records import policies as policy_records
from cgotrap.data.records import ports as port_records
from cgotrap.errors import DataError
from cgotrap.judge.policy import LibcKind, PolicyKind
from cgotrap.targets import port_table


def test_bundled_files_load() -> None:
    assert data.load("ports.json")["ports"]
    assert isinstance(data.load("policies/run_targets.json"), dict)


def test_missing_file_names_it() -> None:
    with pytest.raises(DataError, match=r"^nope\.json: "):
        data.load("nope.json")


def test_broken_json_names_the_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "bad.json").write_text('{"version": 1,', encoding="utf-8")
    (tmp_path / "latin.json").write_bytes(b'{"x": "\xff"}')
    monkeypatch.setattr(data, "_DIRECTORY", tmp_path)
    with pytest.raises(DataError, match=r"^sub/bad\.json: "):
        data.load("sub/bad.json")
    with pytest.raises(DataError, match=r"^latin\.json: "):
        data.load("latin.json")


ROOT = Path(__file__).resolve().parents[2]
DATA = ROOT / "src" / "cgotrap" / "data"
FILES = [r.FILE for r in records.all_files()]


def _schema(name: str) -> dict[str, Any]:
    schema: dict[str, Any] = json.loads(
        (DATA / "schema" / f"{Path(name).stem}.schema.json").read_text(encoding="utf-8")
    )
    return schema


def test_every_data_file_has_a_record_and_a_schema() -> None:
    on_disk = {p.relative_to(DATA).as_posix() for p in DATA.rglob("*.json")}
    schemas = {p for p in on_disk if p.startswith("schema/")}
    assert on_disk - schemas == set(FILES)
    assert schemas == {f"schema/{Path(name).stem}.schema.json" for name in FILES}


@pytest.mark.parametrize("name", FILES)
def test_bundled_file_meets_its_schema(name: str) -> None:
    schema = _schema(name)
    jsonschema.Draft202012Validator.check_schema(schema)
    jsonschema.Draft202012Validator(schema).validate(data.load(name))


def _json_keys(record: type) -> dict[str, tuple[Any, bool]]:
    hints = typing.get_type_hints(record, include_extras=True)
    return {
        f.metadata.get("json", f.name): (
            hints[f.name],
            f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING,
        )
        for f in dataclasses.fields(record)
    }


def _agree(tp: Any, node: dict[str, Any], schema: dict[str, Any], where: str) -> None:
    """The record type `tp` and the schema `node` describe the same keys, nested."""
    if "$ref" in node:
        node = schema["$defs"][node["$ref"].rpartition("/")[2]]
    origin = typing.get_origin(tp)
    if origin is typing.Annotated:
        _agree(typing.get_args(tp)[0], node, schema, where)
    elif origin in (typing.Union, types.UnionType):
        (only,) = [a for a in typing.get_args(tp) if a is not type(None)]
        _agree(only, node, schema, where)
    elif origin in (tuple, frozenset):
        assert node["type"] == "array", where
        _agree(typing.get_args(tp)[0], node["items"], schema, f"{where}[]")
    elif origin is dict:
        assert node["type"] == "object", where
        _agree(typing.get_args(tp)[1], node["additionalProperties"], schema, f"{where}{{}}")
    elif dataclasses.is_dataclass(tp):
        keys = _json_keys(tp)  # type: ignore[arg-type]  # a record class
        assert set(keys) == set(node["properties"]), where
        required = {k for k, (_, needed) in keys.items() if needed}
        assert required <= set(node["required"]), where
        for key, (sub, _) in keys.items():
            _agree(sub, node["properties"][key], schema, f"{where}.{key}")


@pytest.mark.parametrize("record", records.all_files(), ids=FILES)
def test_schema_and_record_name_the_same_keys(record: type[data.DataFile]) -> None:
    schema = _schema(record.FILE)
    _agree(record, schema, schema, record.FILE)


def test_record_vocabularies_are_the_judges() -> None:
    kinds = _json_keys(policy_records.PolicyEntry)["kind"][0]
    libcs = _json_keys(policy_records.RunTargetEntry)["libc"][0]
    assert set(typing.get_args(kinds)) == {k.value for k in PolicyKind}
    assert set(typing.get_args(libcs)) == {k.value for k in LibcKind}


def _ports() -> dict[str, Any]:
    doc: dict[str, Any] = data.load("ports.json")
    return doc


@pytest.mark.parametrize(
    ("mutate", "message"),
    [
        (lambda d: d.update(version=2), r"^ports\.json: the document is not format version 1 "),
        (lambda d: d["ports"][3].pop("GOARCH"), r"^ports\.json: ports\[3\] has no key 'GOARCH'$"),
        (
            lambda d: d["ports"][0].update(CgoSupported="yes"),
            r"^ports\.json: ports\[0\]\.CgoSupported must be true or false, not a string$",
        ),
        (
            lambda d: d["ArchLevels"]["amd64"]["levels"].update(v2="amd64.v2"),
            r"^ports\.json: ArchLevels\['amd64'\]\.levels\['v2'\] must be a list of strings",
        ),
        (lambda d: d.update(KnownOS={}), r"^ports\.json: KnownOS must be a list of strings"),
    ],
)
def test_a_broken_file_is_one_line_naming_file_and_key(mutate: Any, message: str) -> None:
    doc = _ports()
    mutate(doc)
    with pytest.raises(DataError, match=message) as info:
        data.decode(doc, port_records.PortsFile)
    assert "\n" not in str(info.value)


def test_a_broken_bundled_file_exits_70_with_one_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    doc = _ports()
    doc["ports"][1]["GOOS"] = 7
    (tmp_path / "ports.json").write_text(json.dumps(doc), encoding="utf-8")
    monkeypatch.setattr(data, "_DIRECTORY", tmp_path)
    port_table.cache_clear()
    try:
        code = cli.main(["list", "--targets", "linux/amd64", str(tmp_path)])
    finally:
        port_table.cache_clear()
    assert code == 70
    err = capsys.readouterr().err
    assert err == "cgotrap: ports.json: ports[1].GOOS must be a string, not 7\n"


def test_run_time_never_imports_jsonschema() -> None:
    code = (
        "import sys\n"
        "from cgotrap.crossbuild import zigcc\n"
        "from cgotrap.judge import headers, policy\n"
        "from cgotrap.targets import port_table\n"
        "port_table(); zigcc.zig_table(); headers.catalog(); headers.predefines()\n"
        "headers.apple_frameworks(); policy.policies(); policy.run_targets()\n"
        "print('jsonschema' in sys.modules)\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "False"


def test_the_platform_facts_are_go_s() -> None:
    """Spot checks of ports.json's internal/platform facts against what Go documents."""
    table = port_table()
    android_amd64, ios_arm64 = table.get("android", "amd64"), table.get("ios", "arm64")
    linux_amd64, windows_arm64 = table.get("linux", "amd64"), table.get("windows", "arm64")
    assert android_amd64 is not None
    assert ios_arm64 is not None
    assert linux_amd64 is not None
    assert windows_arm64 is not None
    assert android_amd64.external_link_reason == "android/amd64"
    assert ios_arm64.external_link_reason == "ios/arm64"
    assert linux_amd64.external_link_reason == ""
    assert windows_arm64.default_pie
    assert windows_arm64.internal_link_pie
    assert windows_arm64.external_link_reason == ""
    assert table.simd_arch == {"amd64", "arm64", "wasm"}
    assert table.arch_levels["arm"].env == "GOARM"
    assert "s390x" in table.regabi_arch
    assert "386" not in table.regabi_arch


@pytest.mark.integration
def test_gen_ports_reproduces_the_checked_in_file() -> None:
    """Regenerating ports.json from the installed Go toolchain (dist list, go list, go env,
    internal/platform compiled and run, cmd/go's hasSimd parsed) gives the checked-in file."""
    done = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "gen_ports.py"), "--check"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr


def test_the_header_catalog_builds_each_libc_when_asked_and_checks_all_on_load() -> None:
    """A target's header set is built on first use (a scan asks for a few of the 44), and
    is the compiler's headers with those of its libc's directories; a target naming an
    unknown directory is still refused when the file is loaded."""
    from cgotrap.judge import headers
    from cgotrap.targets import expand

    raw = data.load("libc_headers.json")
    got = headers.parse_catalog(raw)
    assert not got.built
    musl = next(t for t in expand("linux/arm64-musl", (True,)))
    libc = got.for_target(musl)
    assert libc is not None
    assert list(got.built) == ["linux/arm64-musl"]
    assert got.for_target(musl) is libc
    doc = got.doc
    for key, entry in doc.targets.items():
        want = frozenset(doc.compiler_headers).union(*(doc.header_dirs[d] for d in entry.dirs))
        if entry.family in ("darwin", "mingw"):  # case-insensitive file systems
            want = frozenset(h.lower() for h in want)
        assert got.by_key[key].headers == want, key
    bsd = [e for e in doc.targets.values() if e.family in ("freebsd", "netbsd", "openbsd")]
    assert got.bsd_headers == frozenset().union(
        *(got.by_key[k].headers for k, e in doc.targets.items() if e in bsd)
    ) - frozenset(doc.compiler_headers)
    broken = json.loads(json.dumps(raw))
    first = next(iter(broken["targets"].values()))
    first["dirs"] = [*first["dirs"], "no/such/dir"]
    with pytest.raises(DataError, match="names unknown dirs"):
        headers.parse_catalog(broken)
