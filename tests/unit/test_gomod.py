"""discover: go.mod / go.work / modules.txt parsing, vendor mode, module cache, project."""

from __future__ import annotations

from pathlib import Path

import pytest

from cgotrap.discover import modcache
from cgotrap.discover.gomod import (
    parse_gomod_text,
    parse_gowork_text,
)
from cgotrap.discover.modsyntax import GoModError
from cgotrap.discover.project import NO_GO_MOD, NoModuleError, find_project
from cgotrap.discover.vendor import parse_modules_txt, vendor_mode
from cgotrap.gostd import compare_go_versions

GOMOD = """// a comment
module "example.com/m" // trailing

go 1.22.1
toolchain go1.27.3

require example.com/a v1.2.3
require (
\texample.com/b v0.1.0 // indirect
\t"example.com/c" "v2.0.0+incompatible"
)

replace example.com/a => ../a
replace (
\texample.com/b v0.1.0 => example.com/bfork v0.1.1
)
exclude example.com/a v1.0.0
retract v0.0.1
godebug default=go1.21
tool (
	example.com/a/cmd/gen
)
"""


def test_gomod_directives() -> None:
    mod = parse_gomod_text(GOMOD, Path("/x/go.mod"))
    assert mod.module == "example.com/m"
    assert mod.go == "1.22.1"
    assert mod.toolchain == "go1.27.3"
    assert [(r.path, r.version) for r in mod.requires] == [
        ("example.com/a", "v1.2.3"),
        ("example.com/b", "v0.1.0"),
        ("example.com/c", "v2.0.0+incompatible"),
    ]
    local, versioned = mod.replaces
    assert local.is_local
    assert (local.old_path, local.new_path) == ("example.com/a", "../a")
    assert not versioned.is_local
    assert (versioned.old_version, versioned.new_path, versioned.new_version) == (
        "v0.1.0",
        "example.com/bfork",
        "v0.1.1",
    )
    assert [(e.path, e.version) for e in mod.excludes] == [("example.com/a", "v1.0.0")]
    assert mod.tools == ("example.com/a/cmd/gen",)


@pytest.mark.parametrize(
    ("text", "line", "problem"),
    [
        ("module m\nfrobnicate x\n", "2", "unknown directive: frobnicate"),
        ("module m\nrequire (\nexample.com/a\n)\n", "3", "usage: require"),
        ('module "m\n', "1:10", "unexpected newline in string"),
        ("module m\n/* c */\n", "2", "// comments"),
        ("module m\nreplace a => b\n", "2", "replacement module without version"),
        ("module m\nrequire (\n", "3", "unterminated block started at /x/go.mod:2:1"),
        ("module m\nretract [v1.0.0, v1.1.0\n", "2", "expected ']' after version"),
    ],
)
def test_gomod_errors_name_file_and_line(text: str, line: str, problem: str) -> None:
    with pytest.raises(GoModError) as info:
        parse_gomod_text(text, Path("/x/go.mod"))
    message = str(info.value)
    assert message.startswith(f"/x/go.mod:{line}: ")
    assert problem in message
    assert "\n" not in message


def test_gowork() -> None:
    text = "go 1.23\n\nuse (\n\t./a\n\t./b // b\n)\nuse ./c\n"
    work = parse_gowork_text(text, Path("/w/go.work"))
    assert work.go == "1.23"
    assert [(u.path, u.line) for u in work.uses] == [("./a", 4), ("./b", 5), ("./c", 7)]


def test_go_version_order_for_vendor_and_modules_txt() -> None:
    # what vendor mode (< 1.14) and modules.txt (< 1.23) ask of the go directive's version
    assert compare_go_versions("1.13", "1.14") < 0 <= compare_go_versions("1.14.0", "1.14")
    assert compare_go_versions("1.22.5", "1.23") < 0 <= compare_go_versions("1.23rc1", "1.23")
    assert compare_go_versions("", "1.14") < 0  # no go directive


MODULES_TXT = """# example.com/a v1.2.3
## explicit; go 1.20
example.com/a
example.com/a/sub
# example.com/b v0.1.0 => ../b
## explicit
example.com/b
# example.com/c => ./c
# not a module line
stray
"""


def test_modules_txt() -> None:
    vl = parse_modules_txt(MODULES_TXT)
    assert not vl.for_workspace
    assert vl.package_module == {
        "example.com/a": "example.com/a",
        "example.com/a/sub": "example.com/a",
        "example.com/b": "example.com/b",
    }
    a, b, c = vl.modules
    assert a.explicit
    assert a.go_version == "1.20"
    assert b.replacement == "../b"
    assert c.version == ""
    assert c.replacement == "./c"
    assert parse_modules_txt("## workspace\n# example.com/a v1.0.0\n").for_workspace


def test_modules_txt_provided_keeps_each_modules_highest_version_once() -> None:
    """readVendorList's vendorList: a module path once per higher version that provides a
    package, in file order (its packages after the first add nothing)."""
    text = "\n".join(
        [
            "# example.com/a v1.0.0",
            "example.com/a",
            "example.com/a/b",
            "# example.com/a v1.2.0",
            "example.com/a/c",
            "example.com/a/d",
            "# example.com/a v1.1.0",
            "example.com/a/e",
            "# example.com/b v0.0.0-20200101000000-abcdefabcdef",
            "example.com/b",
            "example.com/b/x",
            "# example.com/c v1.0.0",
            "",
        ]
    )
    assert parse_modules_txt(text).provided == (
        ("example.com/a", "v1.0.0"),
        ("example.com/a", "v1.2.0"),
        ("example.com/b", "v0.0.0-20200101000000-abcdefabcdef"),
    )


def test_vendor_mode_rule(tmp_path: Path) -> None:
    vendor = tmp_path / "vendor"
    assert vendor_mode("1.22", vendor, workspace=False) == (False, "")
    vendor.mkdir()
    on, reason = vendor_mode("1.22", vendor, workspace=False)
    assert on
    assert reason == "Go version in go.mod is at least 1.14 and vendor directory exists."
    assert vendor_mode("1.13", vendor, workspace=False) == (
        False,
        "Go version in go.mod is 1.13, so vendor directory was not used.",
    )
    assert not vendor_mode("", vendor, workspace=False)[0]
    assert not vendor_mode("1.22", vendor, workspace=True)[0]  # modules.txt not for a workspace
    (vendor / "modules.txt").write_text("## workspace\n")
    assert vendor_mode("1.22", vendor, workspace=True)[0]


def test_modcache_escaping() -> None:
    assert modcache.escape("github.com/BurntSushi/toml") == "github.com/!burnt!sushi/toml"
    assert modcache.unescape("github.com/!burnt!sushi/toml") == "github.com/BurntSushi/toml"
    assert modcache.unescape("bad/Upper") is None
    assert modcache.unescape("bad!") is None
    cache = modcache.gomodcache({"GOPATH": "/gp:/other", "HOME": "/h"})
    assert cache == Path("/gp/pkg/mod")
    assert modcache.gomodcache({"HOME": "/h"}) == Path("/h/go/pkg/mod")
    assert modcache.module_dir(Path("/c"), "example.com/X", "v1.0.0") == Path(
        "/c/example.com/!x@v1.0.0"
    )


def test_find_project_walks_up_and_reports_missing(tmp_path: Path) -> None:
    root = tmp_path / "m"
    (root / "a" / "b").mkdir(parents=True)
    (root / "go.mod").write_text("module example.com/m\n\ngo 1.22\n")
    project = find_project(root / "a" / "b", tmp_path / "goroot", {"GOWORK": "off"})
    assert [m.path for m in project.main_modules] == ["example.com/m"]
    assert not project.vendor
    with pytest.raises(NoModuleError, match=r"go\.mod file not found"):
        find_project(tmp_path, tmp_path / "goroot", {})
    assert NO_GO_MOD.endswith("see 'go help modules'")


def test_find_project_workspace(tmp_path: Path) -> None:
    for name in ("a", "b"):
        (tmp_path / name).mkdir()
        (tmp_path / name / "go.mod").write_text(f"module example.com/{name}\n\ngo 1.22\n")
    (tmp_path / "go.work").write_text("go 1.22\n\nuse (\n\t./a\n\t./b\n)\n")
    project = find_project(tmp_path / "a", tmp_path / "goroot", {})
    assert project.workspace is not None
    assert [m.path for m in project.main_modules] == ["example.com/a", "example.com/b"]
    off = find_project(tmp_path / "a", tmp_path / "goroot", {"GOWORK": "off"})
    assert off.workspace is None
    assert [m.path for m in off.main_modules] == ["example.com/a"]


def test_malformed_gomod_is_one_line(tmp_path: Path) -> None:
    (tmp_path / "go.mod").write_text("module m\nbogus\n")
    with pytest.raises(GoModError) as info:
        find_project(tmp_path, tmp_path / "goroot", {"GOWORK": "off"})
    assert str(info.value) == f"{tmp_path}/go.mod:2: unknown directive: bogus"


def test_retract_intervals_and_blocks_parse() -> None:
    """The shapes that made `cgotrap list` exit 4 before (issue 10)."""
    text = (
        "module example.com/m\n\ngo 1.21\n\n"
        "retract [v1.0.0, v1.1.0] // broken\n"
        "retract (\n\t// bad release\n\tv1.5.0\n\t[v1.6.0, v1.6.9] // also bad\n)\n"
    )
    mod = parse_gomod_text(text, Path("/x/go.mod"))
    assert [(r.low, r.high, r.rationale) for r in mod.retracts] == [
        ("v1.0.0", "v1.1.0", "broken"),
        ("v1.5.0", "v1.5.0", "bad release"),
        ("v1.6.0", "v1.6.9", "also bad"),
    ]


def test_lax_parse_ignores_what_dependencies_may_say() -> None:
    text = "module example.com/d\ngo 1.21-custom\nfrob x\nreplace a => b\nretract [x\n"
    mod = parse_gomod_text(text, Path("/x/go.mod"), strict=False)
    assert (mod.go, mod.replaces, mod.retracts) == ("1.21", (), ())


def test_semver_order_and_canonical() -> None:
    from cgotrap.discover import semver

    ordered = [
        "bad",
        "v0.0.0-20190101000000-abcdefabcdef",
        "v0.1.0-alpha",
        "v0.1.0-alpha.1",
        "v0.1.0-alpha.beta",
        "v0.1.0-beta.2",
        "v0.1.0-beta.11",
        "v0.1.0-rc.1",
        "v0.1.0",
        "v1.0.0",
        "v1.2.0",
        "v1.10.0",
        "v2.0.0+incompatible",
    ]
    for i, a in enumerate(ordered):
        for j, b in enumerate(ordered):
            assert semver.compare(a, b) == (i > j) - (i < j), (a, b)
    assert semver.canonical("v1.2") == "v1.2.0"
    assert semver.canonical("v1.2.3+meta") == "v1.2.3"
    assert semver.canonical_version("v2.0.0+incompatible") == "v2.0.0+incompatible"
    assert not semver.is_valid("v01.0.0")
    assert not semver.is_valid("v1.0.0-01")
    assert semver.split_path_version("example.com/m/v2") == ("example.com/m", "/v2", True)
    assert semver.split_path_version("gopkg.in/yaml.v3") == ("gopkg.in/yaml", ".v3", True)
    assert semver.check_path_major("v1.0.0", "/v2") == "should be v2, not v1"


def test_go_version_order() -> None:
    ordered = ["1.16", "1.20rc1", "1.20", "1.21", "1.21rc1", "1.21.0", "1.21.1", "1.27.3", "1.28"]
    for i, a in enumerate(ordered):
        for j, b in enumerate(ordered):
            assert compare_go_versions(a, b) == (i > j) - (i < j), (a, b)
