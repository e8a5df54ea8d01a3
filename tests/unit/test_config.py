"""`.cgotrap.toml`: loading, validation messages that name the key, targets, finding the file."""

from __future__ import annotations

from pathlib import Path

import pytest

from cgotrap.config import CONFIG_NAME, Config, ConfigError, find_at_root, find_upward, load
from cgotrap.judge.rules import Severity
from cgotrap.targets import Libc, Target

FULL = """
[targets]
select = ["linux/amd64", "linux/arm64", "darwin/arm64", "windows/amd64"]
libc = ["gnu", "musl"]
glibc = "2.17"

[build]
tags = ["netgo", "osusergo"]
buildmode = "pie"

[rules]
CGO005 = "note"

[[ignore]]
rule = "CGO004"
package = "example.com/app/internal/..."
reason = "only built for linux"

[[ignore]]
rule = "CGO006"
path = "vendor/**"
reason = "vendored, built in our image"

[inspect]
policy = "glibc<=2.17"
runs_on = ["alpine", "debian-12"]
"""


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / CONFIG_NAME
    path.write_text(text)
    return path


def test_full_file_loads_into_records(tmp_path: Path) -> None:
    config = load(_write(tmp_path, FULL))
    assert config.targets.select == ("linux/amd64", "linux/arm64", "darwin/arm64", "windows/amd64")
    assert config.targets.libc == (Libc.GNU, Libc.MUSL)
    assert config.targets.glibc == "2.17"
    assert config.build.tags == ("netgo", "osusergo")
    assert config.build.buildmode == "pie"
    assert config.severities == {"CGO005": Severity.NOTE}
    assert [(i.rule, i.package, i.path, i.index) for i in config.ignores] == [
        ("CGO004", "example.com/app/internal/...", None, 1),
        ("CGO006", None, "vendor/**", 2),
    ]
    assert config.inspect.policy == "glibc<=2.17"
    assert config.inspect.runs_on == ("alpine", "debian-12")


def test_empty_file_is_the_defaults(tmp_path: Path) -> None:
    config = load(_write(tmp_path, ""))
    assert config == Config(path=tmp_path / CONFIG_NAME)


def test_targets_expand_libc_variants_and_glibc_floor(tmp_path: Path) -> None:
    config = load(_write(tmp_path, FULL))
    names = [t.name for t in config.targets.expand()]
    assert names == [
        "linux/amd64 cgo=0",
        "linux/amd64-gnu.2.17 cgo=1",
        "linux/amd64-musl cgo=1",
        "linux/arm64 cgo=0",
        "linux/arm64-gnu.2.17 cgo=1",
        "linux/arm64-musl cgo=1",
        "darwin/arm64 cgo=0",
        "darwin/arm64 cgo=1",
        "windows/amd64 cgo=0",
        "windows/amd64 cgo=1",
    ]
    assert Target(goos="linux", goarch="amd64", cgo=False) in config.targets.expand((False,))


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("colour = 1", "colour: unknown key"),
        ("[targets]\nselct = []", "targets.selct: unknown key"),
        ('[targets]\nselect = ["linux/amd6"]', "targets.select[0]: unknown target linux/amd6"),
        ('[targets]\nselect = "linux/*"', "targets.select: must be a list of strings"),
        ('[targets]\nlibc = ["glib"]', "targets.libc[0]: 'glib' is not a libc (gnu, musl)"),
        ('[targets]\nglibc = "2.x"', "targets.glibc: '2.x' is not a glibc version"),
        ('[build]\nbuildmode = "dll"', "build.buildmode: 'dll' is not a buildmode"),
        ('[build]\ntags = ["a b"]', "build.tags[0]: 'a b' is not a build tag"),
        ('[rules]\nCGO004 = "fatal"', "rules.CGO004: 'fatal' is not a severity"),
        ('[rules]\nCGO04 = "note"', "rules.CGO04: unknown rule 'CGO04'; did you mean"),
        ('[[ignore]]\nrule = "CGO004"\npath = "x/**"', "ignore[1].reason: is required"),
        ('[[ignore]]\nrule = "CGO004"\nreason = "r"', "ignore[1]: needs a package or a path"),
        ('[[ignore]]\npath = "x"\nreason = "r"', "ignore[1].rule: is required"),
        ('[[ignore]]\nrule = "CGO004"\npath = "x"\nreason = " "', "ignore[1].reason: must be"),
        ('[[ignore]]\nrule = "CGO004"\npath = "../x"\nreason = "r"', "ignore[1].path: '../x'"),
        ('[[ignore]]\nrule="CGO004"\npath="x"\nreason="r"\nwhy="w"', "ignore[1].why: unknown"),
        ('[inspect]\npolicy = "glibc<=1.0"', "inspect.policy: unknown policy 'glibc<=1.0'"),
        ('[inspect]\nruns_on = ["alpin"]', "inspect.runs_on[0]: unknown run-target 'alpin'"),
        ("rules = 3", "rules: must be a table"),
        ("[targets", "not valid TOML"),
        ('[matrix.cc]\n"linux/*" = "gcc"', "matrix.cc.\"linux/*\": 'linux/*' is not a port"),
        ('[matrix.cc]\n"plan10/amd64" = "gcc"', 'matrix.cc."plan10/amd64": unknown target'),
        ('[matrix.cc]\n"linux/amd64" = 3', 'matrix.cc."linux/amd64": must be a non-empty'),
        ("[matrix]\nallow_fail = 3", "matrix.allow_fail: must be a list of strings"),
        ('[matrix]\nallow_fail = ["linux/amd6"]', "matrix.allow_fail[0]: unknown target"),
        ("[matrix]\njobs = 3", "matrix.jobs: unknown key"),
    ],
)
def test_invalid_file_is_one_line_naming_file_and_key(
    tmp_path: Path, text: str, message: str
) -> None:
    path = _write(tmp_path, text)
    with pytest.raises(ConfigError) as caught:
        load(path)
    text_of = str(caught.value)
    assert text_of.startswith(f"{path}: ")
    assert message in text_of
    assert "\n" not in text_of
    assert caught.value.exit_code == 4


def test_unreadable_file_is_a_config_error(tmp_path: Path) -> None:
    path = tmp_path / CONFIG_NAME
    path.write_bytes(b"\xff\xfe")
    with pytest.raises(ConfigError, match="cannot read"):
        load(path)


def test_found_at_module_root_only(tmp_path: Path) -> None:
    sub = tmp_path / "cmd" / "app"
    sub.mkdir(parents=True)
    assert find_at_root(tmp_path) is None
    path = _write(tmp_path, "")
    assert find_at_root(tmp_path) == path
    assert find_at_root(sub) is None


def test_found_upward_from_a_subdirectory(tmp_path: Path) -> None:
    sub = tmp_path / "dist" / "linux"
    sub.mkdir(parents=True)
    assert find_upward(sub) is None
    path = _write(tmp_path, "")
    assert find_upward(sub) == path.resolve()
    nearer = _write(tmp_path / "dist", "")
    assert find_upward(sub) == nearer.resolve()


def test_matrix_table_makes_the_matrix_settings(tmp_path: Path) -> None:
    from cgotrap.crossbuild import config as matrix_config

    path = _write(
        tmp_path,
        '[matrix]\nallow_fail = ["linux/386"]\n\n[matrix.cc]\n'
        '"linux/arm64" = "aarch64-linux-gnu-gcc"\n"linux/arm64-musl" = "musl-gcc"\n',
    )
    settings = matrix_config.from_table(load(path).matrix)
    arm_gnu = Target(goos="linux", goarch="arm64", cgo=True)
    arm_musl = Target(goos="linux", goarch="arm64", cgo=True, libc=Libc.MUSL)
    assert settings.cc_for(arm_gnu) == "aarch64-linux-gnu-gcc"
    assert settings.cc_for(arm_musl) == "musl-gcc"
    assert settings.allowed_to_fail(Target(goos="linux", goarch="386", cgo=True))
    assert not settings.allowed_to_fail(arm_gnu)
    # no [matrix] anywhere: the defaults, and nothing in the deprecated places
    assert matrix_config.from_table(Config().matrix) == matrix_config.MatrixConfig()
    assert matrix_config.load_legacy(tmp_path) is None
