"""Target labels, import chains, the libc data loader, the renderers and the scan CLI."""

from __future__ import annotations

import argparse
import dataclasses
import json
from typing import Any, assert_never

import jsonschema
import pytest

from cgotrap import schemas
from cgotrap.cli import main as cli
from cgotrap.errors import DataError
from cgotrap.evaluate import reach
from cgotrap.evaluate.model import MatrixResult, TargetPackages
from cgotrap.judge import headers
from cgotrap.judge import scan as judge
from cgotrap.judge.rules import Severity
from cgotrap.render import scan as render
from cgotrap.render.formats import OutputFormat
from cgotrap.targets import Libc, Target, expand
from tests.unit.scan_world import (
    APP,
    DARWIN1,
    LINUX0,
    LINUX1,
    MODULE,
    listing,
    matrix,
    pkg,
    target,
)

# --- compact target labels -------------------------------------------------------------------


def _targets(selector: str, cgo: tuple[bool, ...] = (False, True)) -> list[Target]:
    return expand(selector, cgo)


def test_compact_labels_glob_braces_and_cgo_modes() -> None:
    universe = _targets("linux/amd64,linux/arm64,linux/riscv64,darwin/arm64,darwin/amd64")
    pick = [t for t in universe if t.goos == "linux" and t.cgo and t.goarch != "riscv64"]
    assert judge.compact_targets(pick, universe) == "linux/{amd64,arm64} cgo=1"
    both = [t for t in universe if t.goos == "darwin"]
    assert judge.compact_targets(both, universe) == "darwin/* cgo=0,1"
    assert judge.compact_targets(universe, universe) == "all targets"
    zero = [t for t in universe if not t.cgo]
    # Not every port of linux is selected: no "*/*", no "linux/*" (the label never reads
    # wider than the selection).
    assert judge.compact_targets(zero, universe) == "linux/{amd64,arm64,riscv64}, darwin/* cgo=0"
    assert judge.compact_targets([], universe) == "no targets"


def test_compact_labels_use_except_when_it_is_much_shorter() -> None:
    universe = _targets("all", (False,))
    most = [t for t in universe if t.goos != "plan9"]
    assert judge.compact_targets(most, universe) == "*/* except plan9/* cgo=0"


def test_compact_labels_keep_libc_variants_apart() -> None:
    musl = target("linux/arm64", True, Libc.MUSL)
    universe = [LINUX1, musl]
    assert judge.compact_targets([musl], universe) == "linux/arm64-musl cgo=1"


# --- import chains ---------------------------------------------------------------------------


def test_import_chains_are_shortest_and_deterministic() -> None:
    graph = {
        "app": ("a", "b"),
        "a": ("c",),
        "b": ("c", "sqlite"),
        "c": ("sqlite",),
        "tool": ("c",),
        "sqlite": (),
    }
    chains = reach.import_chains(graph, ["app", "tool", "other"], "sqlite")
    assert chains == [("app", "b", "sqlite"), ("tool", "c", "sqlite")]
    assert reach.reached_from(graph, ["tool", "app", "x"], "sqlite") == ("tool", "app")
    assert reach.import_chains(graph, ["app"], "missing") == []
    assert reach.import_chains(graph, ["app", "tool"], "sqlite", limit=1) == [
        ("app", "b", "sqlite")
    ]


def test_why_groups_targets_with_the_same_chains() -> None:
    s1 = pkg(LINUX1, "sqlite", cgo_files=("s.go",))
    world = matrix(listing(LINUX1, s1), listing(DARWIN1, s1), listing(LINUX0))
    result = judge.scan(world, why=("./sqlite",))
    (answer,) = result.why
    assert answer.package == f"{MODULE}/sqlite"
    groups = {g.where: g.chains for g in answer.groups}
    assert groups["linux/amd64, darwin/arm64 cgo=1"] == ((APP, f"{MODULE}/sqlite"),)
    assert groups["linux/amd64 cgo=0"] == ()
    assert result.packages[0].chain == (APP, f"{MODULE}/sqlite")
    assert result.packages[0].reached_from == (APP,)


# --- the libc data ---------------------------------------------------------------------------


def test_bundled_libc_data_answers_the_classic_cases() -> None:
    data = headers.catalog()
    assert data.generated_from.startswith("zig ")
    glibc = data.for_target(LINUX1)
    darwin = data.for_target(DARWIN1)
    musl = data.for_target(target("linux/amd64", True, Libc.MUSL))
    windows = data.for_target(target("windows/amd64", True))
    assert glibc is not None
    assert darwin is not None
    assert musl is not None
    assert windows is not None
    assert glibc.has_header("sys/sysinfo.h")
    assert musl.has_header("sys/sysinfo.h")
    assert not darwin.has_header("sys/sysinfo.h")
    assert darwin.label == "macOS libc"
    assert windows.has_header("Windows.h")
    assert glibc.has_header("stdint.h")  # a compiler header
    assert glibc.has_lib("pthread")
    assert not glibc.has_lib("sqlite3")
    assert data.for_target(target("android/arm64", True)) is None
    assert data.is_libc_header("sys/event.h")
    assert not data.is_libc_header("sqlite3.h")


@pytest.mark.parametrize(
    ("mutate", "message"),
    [
        (lambda d: d.update(version=2), "version 1"),
        (lambda d: d["targets"]["darwin/arm64"].update(family="nope"), "unknown family"),
        (lambda d: d["targets"]["darwin/arm64"].update(dirs=["missing-dir"]), "unknown dirs"),
        (lambda d: d.update(compiler_headers="x"), "list of strings"),
        (lambda d: d.update(targets={}), "no targets"),
    ],
)
def test_libc_data_is_validated_on_load(mutate: Any, message: str) -> None:
    from importlib import resources

    text = resources.files("cgotrap.data").joinpath("libc_headers.json").read_text("utf-8")
    data = json.loads(text)
    mutate(data)
    with pytest.raises(DataError, match=message):
        headers.parse_catalog(data)


# --- renderers -------------------------------------------------------------------------------


def _example_world() -> MatrixResult:
    t1, t0 = LINUX1, LINUX0
    return matrix(
        listing(
            t1,
            pkg(
                t1,
                "sqlite",
                cgo_files=("sqlite.go",),
                includes=("<sqlite3.h>", "<stdlib.h>"),
                cgo_ldflags=("-lsqlite3",),
                cgo_pkg_config=("sqlite3",),
            ),
            pkg(t1, "hashx", go_files=("hashx.go",), c_files=("fast.c",)),
        ),
        listing(
            t0,
            pkg(t0, "sqlite", ignored_go_files=("sqlite.go",), no_go=True),
            pkg(t0, "hashx", go_files=("hashx.go",)),
        ),
        listing(
            DARWIN1,
            pkg(DARWIN1, "sqlite", cgo_files=("sqlite.go",), includes=("<sys/sysinfo.h>",)),
        ),
    )


def test_json_validates_and_has_no_absolute_paths() -> None:
    result = judge.scan(_example_world(), why=(f"{MODULE}/sqlite",))
    text = render.format_json(result)
    document = json.loads(text)
    jsonschema.validate(document, schemas.load("scan"))
    assert document["version"] == render.SCHEMA_VERSION
    assert "/src/m" not in text
    assert document["summary"] == {
        "suppressed": 0,
        "errors": result.count(Severity.ERROR),
        "warnings": result.count(Severity.WARNING),
        "notes": result.count(Severity.NOTE),
    }
    assert render.format_json(judge.scan(_example_world(), why=(f"{MODULE}/sqlite",))) == text


def test_json_carries_include_delimiters_and_conditions() -> None:
    preamble = (
        '#include "own.h"\n#ifdef __linux__\n#include <sys/sysinfo.h>\n#endif\n'
        "#ifdef HAVE_SQLITE\n#include <sqlite3.h>\n#endif\n"
    )
    world = matrix(
        *(
            listing(t, pkg(t, "p", cgo_files=("p.go",), h_files=("own.h",), includes=(preamble,)))
            for t in (LINUX1, DARWIN1)
        )
    )
    document = json.loads(render.format_json(judge.scan(world)))
    jsonschema.validate(document, schemas.load("scan"))
    (package,) = document["packages"]
    darwin = package["targets"]["darwin/arm64 cgo=1"]
    assert darwin["includes"] == [
        {"header": "own.h", "delimiter": '""', "local": True, "active": True},
        {
            "header": "sqlite3.h",
            "delimiter": "<>",
            "local": False,
            "active": None,
            "condition": "defined(HAVE_SQLITE)",
            "undecided": "only if HAVE_SQLITE is defined",
        },
        {
            "header": "sys/sysinfo.h",
            "delimiter": "<>",
            "local": False,
            "active": False,
            "condition": "defined(__linux__)",
        },
    ]
    assert darwin["system_headers"] == ["sqlite3.h"]
    (finding,) = document["findings"]
    assert (finding["rule"], finding["condition"]) == ("CGO009", "only if HAVE_SQLITE is defined")


def test_table_shows_groups_statuses_findings_and_fixes() -> None:
    text = render.format_table(judge.scan(_example_world()), width=140)
    assert "Target groups" in text
    assert "BREAKS" in text
    assert "CGO001 cgo-without-fallback" in text
    assert "CGO003 c-files-without-cgo" in text
    assert "fix: add a `//go:build !cgo` file" in text
    assert "<sys/sysinfo.h> is not in macOS libc" in text
    assert "/src/m" not in text
    assert "\x1b[" not in text
    assert "\x1b[" in render.format_table(judge.scan(_example_world()), color=True)


@pytest.mark.parametrize("width", [80, 100, 140])
def test_table_never_cuts_a_name_nor_overflows(width: int) -> None:
    deep = "vendor/github.com/google/certificate-transparency-go/x509"
    headers = ("<CoreFoundation/CoreFoundation.h>", "<Security/Security.h>", "<errno.h>")
    world = matrix(
        listing(
            DARWIN1,
            pkg(DARWIN1, deep, cgo_files=("root_cgo_darwin.go",), includes=headers),
            pkg(DARWIN1, "sqlite", cgo_files=("sqlite.go",), includes=("<sqlite3.h>",)),
        )
    )
    text = render.format_table(judge.scan(world), width=width)
    assert "…" not in text
    assert max(len(line) for line in text.splitlines()) <= width
    assert "<CoreFoundation/CoreFoundation.h>" in text.replace(" ", "").replace("\n", "")
    assert "<Security/Security.h>" in text
    assert "CGO014 header-from-apple-framework" in text
    flat = " ".join(text.split())
    assert "is in the CoreFoundation framework of Apple's SDK" in flat


def test_table_for_a_project_without_cgo() -> None:
    pure = pkg(LINUX1, "pure", go_files=("a.go",))
    text = render.format_table(judge.scan(matrix(listing(LINUX1, pure))))
    assert "No package of the project uses cgo" in text
    assert "No findings." in text


# --- the CLI ---------------------------------------------------------------------------------


@pytest.fixture
def fake_load(monkeypatch: pytest.MonkeyPatch) -> list[dict[str, Any]]:
    """Replace the loader's plan (`ListingPlan`) by the hand-built example; record how it
    was made."""
    calls: list[dict[str, Any]] = []

    class Plan:
        scanned = 0  # (a small run: judged in one process)

        def __init__(self, patterns: Any, targets: Any, **kwargs: Any) -> None:
            calls.append({"patterns": patterns, "targets": list(targets), **kwargs})
            self.patterns, self.targets, self.kwargs = patterns, targets, kwargs

        def cgo_files_seen(self) -> bool:
            return False

        def matrix(self) -> MatrixResult:
            world = _example_world()
            wanted = set(self.targets)
            kept = tuple(tp for tp in world.per_target if tp.target in wanted)
            extra = tuple(
                TargetPackages(target=t, packages=(), roots=())
                for t in self.targets
                if t not in {tp.target for tp in kept}
            )
            return MatrixResult(
                module_root=world.module_root,
                patterns=tuple(self.patterns),
                tags=tuple(self.kwargs.get("tags", ())),
                per_target=kept + extra,
            )

    from cgotrap.evaluate import load as packages

    monkeypatch.setattr(packages, "ListingPlan", Plan)
    return calls


def test_cli_json_exit_code_and_twins(
    fake_load: list[dict[str, Any]], capsys: pytest.CaptureFixture[str], tmp_path: Any
) -> None:
    argv = ["scan", str(tmp_path), "--targets", "linux/amd64", "--cgo", "0", "--format", "json"]
    code = cli.main(argv)
    out = capsys.readouterr().out
    document = json.loads(out)
    jsonschema.validate(document, schemas.load("scan"))
    assert [t["name"] for t in document["targets"]] == ["linux/amd64 cgo=0"]
    assert {f["rule"] for f in document["findings"]} == {"CGO001"}
    assert code == 1
    assert fake_load[0]["targets"] == [LINUX0, LINUX1], "the cgo=1 twin is loaded"
    assert fake_load[0]["patterns"] == ("./...",)


@pytest.mark.parametrize(
    ("fail_on", "cgo", "expected"),
    [
        ("error", "0", 1),
        ("never", "0", 0),
        ("error", "1", 1),  # CGO003 hashx
        ("warning", "1", 1),
    ],
)
def test_cli_fail_on(  # noqa: PLR0917  # pytest passes fixtures and parameters positionally
    fake_load: list[dict[str, Any]],
    capsys: pytest.CaptureFixture[str],
    tmp_path: Any,
    fail_on: str,
    cgo: str,
    expected: int,
) -> None:
    argv = ["scan", str(tmp_path), "--targets", "linux/amd64", "--cgo", cgo, "--fail-on", fail_on]
    assert cli.main(argv) == expected
    assert "cgotrap scan" in capsys.readouterr().out


def test_cli_fail_on_values_are_all_handled() -> None:
    parser = cli.build_parser(["scan"])
    for output in OutputFormat:
        assert parser.parse_args(["scan", "--format", output.value]).format == output.value
    from cgotrap.gate.judging import FailOn
    from cgotrap.judge.finding import Severity

    reached = {value: [value.reached_by(s) for s in Severity] for value in FailOn}
    assert reached == {
        FailOn.ERROR: [True, False, False],
        FailOn.WARNING: [True, True, False],
        FailOn.NOTE: [True, True, True],
        FailOn.NEVER: [False, False, False],
    }


def test_cli_errors_are_one_line(capsys: pytest.CaptureFixture[str], tmp_path: Any) -> None:
    assert cli.main(["scan", str(tmp_path / "missing")]) == 4
    assert "not a directory" in capsys.readouterr().err
    assert cli.main(["scan", str(tmp_path), "--targets", "nope/nope"]) == 2
    assert "unknown target" in capsys.readouterr().err


def test_cli_parser_defaults() -> None:
    args = cli.build_parser().parse_args(["scan"])
    assert isinstance(args, argparse.Namespace)
    # --targets: None means [targets] of .cgotrap.toml, else DEFAULT_TARGETS
    assert (args.path, args.patterns, args.targets, args.cgo) == (".", [], None, "both")
    assert (args.format, args.fail_on, args.include_std, args.why) == (
        "table",
        "error",
        False,
        [],
    )


@pytest.mark.parametrize("output", list(OutputFormat), ids=str)
def test_cli_every_format_renders(
    fake_load: list[dict[str, Any]],
    capsys: pytest.CaptureFixture[str],
    tmp_path: Any,
    output: OutputFormat,
) -> None:
    argv = ["scan", str(tmp_path), "--targets", "linux/amd64", "--format", output.value]
    assert cli.main([*argv, "--fail-on", "never"]) == 0
    out = capsys.readouterr().out
    match output:
        case OutputFormat.JSON:
            jsonschema.validate(json.loads(out), schemas.load("scan"))
        case OutputFormat.TABLE:
            assert "Target groups" in out
            assert "CGO001" in out
        case OutputFormat.SARIF:
            assert json.loads(out)["runs"][0]["results"][0]["ruleId"] == "CGO001"
        case OutputFormat.GITHUB:
            assert out.startswith("::error file=")
            assert "title=CGO001 " in out
        case OutputFormat.MARKDOWN:
            assert out.startswith("### cgotrap scan: 2 errors")
            assert "**CGO001**" in out
        case OutputFormat.JUNIT:
            assert '<failure message="' in out
        case OutputFormat.CODECLIMATE:
            assert json.loads(out)[0]["check_name"] == "CGO001"
        case OutputFormat.HTML:
            assert out.startswith("<!DOCTYPE html>")
            assert '"rule":"CGO001"' in out
        case _:
            assert_never(output)


@pytest.mark.parametrize(
    ("path", "width", "lines"),
    [
        ("short/name", 44, ["short/name"]),
        (
            "vendor/github.com/containers/ocicrypt/crypto/pkcs11",
            44,
            ["vendor/github.com/containers/ocicrypt/", "crypto/pkcs11"],
        ),
        ("a" * 50, 20, ["a" * 20, "a" * 20, "a" * 10]),
        ("x/" + "b" * 30, 20, ["x/" + "b" * 18, "b" * 12]),
    ],
)
def test_long_package_names_fold_after_a_slash(path: str, width: int, lines: list[str]) -> None:
    folded = render.fold_path(path, width).split("\n")
    assert folded == lines
    assert "".join(folded) == path
    assert all(len(line) <= width for line in folded)


def test_roots_are_named_from_the_main_module_even_beside_short_vendored_paths() -> None:
    """A vendored package's import path ("x.io/c", shorter than the module's) does not end
    in its directory ("vendor/x.io/c"): it must not be taken for the main module's path."""
    vendored = dataclasses.replace(
        pkg(LINUX1, "vendor/x.io/c", cgo_files=("c.go",)), import_path="x.io/c"
    )
    own = pkg(LINUX1, "sqlite", cgo_files=("s.go",))
    text = render.format_table(judge.scan(matrix(listing(LINUX1, vendored, own))), width=140)
    flat = " ".join(text.split())
    assert "from cmd/app" in flat
    assert MODULE not in flat
