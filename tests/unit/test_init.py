"""`cgotrap init` on three project layouts: the targets it guesses, and how it writes."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from cgotrap.cli import main as cli
from cgotrap.config import CONFIG_NAME, load
from cgotrap.config.guess import guess
from cgotrap.config.write import ExistsError, write_new
from cgotrap.targets import Libc
from cgotrap.toolchain import Tool
from tests.gofixtures import go_env, gofile, gomod, write_tree

GORELEASER = """
version: 2
builds:
  - id: cli
    main: ./cmd/app
    env: [CGO_ENABLED=0]
    goos: [linux, darwin, windows]
    goarch: [amd64, arm64]
    ignore:
      - goos: windows
        goarch: arm64
    tags: [netgo]
    flags: ["-trimpath", "-tags=osusergo"]
    buildmode: pie
  - id: extra
    targets: [linux_riscv64, freebsd_amd64_v1, plan9_nosucharch]
  - id: skipped
    skip: true
    goos: [aix]
    goarch: [ppc64]
"""

WORKFLOW = """
name: release
on: [push]
jobs:
  build:
    strategy:
      matrix:
        goos: [linux, windows]
        goarch: [amd64, "386"]
        exclude:
          - goos: windows
            goarch: "386"
        include:
          - goos: darwin
            goarch: arm64
    runs-on: ubuntu-latest
    env:
      GOOS: ${{ matrix.goos }}
      GOARCH: ${{ matrix.goarch }}
    steps:
      - run: go build -tags "sqlite_omit_load_extension" ./...
      - run: |
          GOOS=linux GOARCH=s390x go build ./...   # big-endian check
          echo GOOS=$GOOS
"""

GITLAB = """
build:
  image: golang:1.27-alpine
  variables:
    CC: musl-gcc
  parallel:
    matrix:
      - GOOS: [linux]
        GOARCH: [arm, mips64le]
"""


def _module(root: Path, files: dict[str, str]) -> Path:
    return write_tree(root, {"go.mod": gomod("example.com/app"), **files})


def test_goreleaser_layout(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    root = _module(tmp_path, {".goreleaser.yaml": GORELEASER, "main.go": gofile("main")})
    assert cli.main(["init", str(root)]) == 0
    err = capsys.readouterr().err
    config = load(root / CONFIG_NAME)
    assert config.targets.select == (
        "linux/amd64",
        "linux/arm64",
        "darwin/amd64",
        "darwin/arm64",
        "windows/amd64",
        "linux/riscv64",
        "freebsd/amd64",
    )
    assert config.build.tags == ("netgo", "osusergo")
    assert config.build.buildmode == "pie"
    assert config.targets.libc == ()
    assert "target linux/amd64: from .goreleaser.yaml builds[0] (goos × goarch)" in err
    assert "target freebsd/amd64: from .goreleaser.yaml builds[1]" in err
    text = (root / CONFIG_NAME).read_text()
    assert '"windows/amd64",  # .goreleaser.yaml builds[0] (goos × goarch)' in text


def test_goreleaser_defaults(tmp_path: Path) -> None:
    root = _module(tmp_path, {".goreleaser.yml": "builds:\n  - main: .\n"})
    ports = list(guess(root).port_sources())
    # GoReleaser's default goos × goarch, less the ports Go does not have (darwin/386)
    assert ports == [
        "darwin/amd64",
        "darwin/arm64",
        "linux/386",
        "linux/amd64",
        "linux/arm64",
        "windows/386",
        "windows/amd64",
        "windows/arm64",
    ]


def test_ci_layout(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    root = _module(
        tmp_path,
        {
            ".github/workflows/release.yml": WORKFLOW,
            ".github/workflows/broken.yaml": "jobs: [unclosed",
            ".gitlab-ci.yml": GITLAB,
            "db/db_windows.go": gofile("db"),  # ignored: CI files name the targets
        },
    )
    assert cli.main(["init", str(root)]) == 0
    err = capsys.readouterr().err
    config = load(root / CONFIG_NAME)
    assert config.targets.select == (
        "linux/amd64",
        "linux/386",
        "windows/amd64",
        "darwin/arm64",
        "linux/s390x",
        "linux/arm",
        "linux/mips64le",
    )
    assert config.build.tags == ("sqlite_omit_load_extension",)
    assert config.targets.libc == (Libc.GNU, Libc.MUSL)
    assert "target linux/s390x: from .github/workflows/release.yml" in err
    assert "target linux/mips64le: from .gitlab-ci.yml" in err
    assert "db_windows.go" not in err


def test_file_suffix_layout(tmp_path: Path, go_tool: Tool) -> None:
    root = _module(
        tmp_path,
        {
            "main.go": gofile("main"),
            "sys_windows.go": gofile("main"),
            "sys_linux_arm64.go": gofile("main"),
            "net_freebsd_test.go": gofile("main"),
            "vendor/x/y_plan9.go": gofile("y"),
            "_old/z_aix.go": gofile("z"),
            "linux.go": gofile("main"),  # a bare GOOS name is no suffix
        },
    )
    found = guess(root)
    assert found.from_suffixes
    sources = found.port_sources()
    assert sources == {
        "freebsd/amd64": ("net_freebsd_test.go",),
        "freebsd/arm64": ("net_freebsd_test.go",),
        "linux/arm64": ("sys_linux_arm64.go",),
        "windows/amd64": ("sys_windows.go",),
        "windows/arm64": ("sys_windows.go",),
    }
    # the oracle: go itself builds each file on each port guessed from it
    for port, files in sources.items():
        goos, goarch = port.split("/")
        env = go_env({"GOOS": goos, "GOARCH": goarch})
        listed = subprocess.run(
            [str(go_tool.path), "list", "-f", "{{.GoFiles}} {{.TestGoFiles}}", "."],
            cwd=root,
            env=env,
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        for name in files:
            assert name in listed, (port, name, listed)
    assert cli.main(["init", str(root)]) == 0
    text = (root / CONFIG_NAME).read_text()
    assert "come from _GOOS/_GOARCH file" in text
    assert load(root / CONFIG_NAME).targets.select == tuple(sources)


def test_nothing_to_guess_from(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    root = _module(tmp_path, {"main.go": gofile("main")})
    assert cli.main(["init", str(root)]) == 0
    assert load(root / CONFIG_NAME).targets.select == ("first-class",)
    assert "no targets found" in capsys.readouterr().err


def test_never_over_an_existing_file_without_force(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = _module(tmp_path, {".goreleaser.yaml": GORELEASER})
    (root / CONFIG_NAME).write_text("# mine\n")
    assert cli.main(["init", str(root)]) == 2
    assert "already exists (use --force" in capsys.readouterr().err
    assert (root / CONFIG_NAME).read_text() == "# mine\n"
    assert cli.main(["init", str(root), "--force"]) == 0
    assert "linux/amd64" in (root / CONFIG_NAME).read_text()
    assert sorted(p.name for p in root.iterdir()) == [".cgotrap.toml", ".goreleaser.yaml", "go.mod"]


def test_stdout_writes_nothing(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    root = _module(tmp_path, {})
    assert cli.main(["init", str(root), "--stdout"]) == 0
    assert capsys.readouterr().out.startswith("# cgotrap project config")
    assert not (root / CONFIG_NAME).exists()


def test_not_a_module_root(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["init", str(tmp_path)]) == 4
    assert "no go.mod here" in capsys.readouterr().err


def test_write_new_is_atomic_and_no_clobber(tmp_path: Path) -> None:
    path = tmp_path / "f.toml"
    write_new(path, "one\n")
    assert path.read_text() == "one\n"
    assert oct(path.stat().st_mode & 0o777) == oct(0o644)
    with pytest.raises(ExistsError):
        write_new(path, "two\n")
    assert path.read_text() == "one\n"
    write_new(path, "three\n", force=True)
    assert path.read_text() == "three\n"
    assert [p.name for p in tmp_path.iterdir()] == ["f.toml"]  # no temporary file left


def test_hostile_names_stay_comments(tmp_path: Path) -> None:
    root = _module(tmp_path, {})
    name = 'x\n[inspect]\npolicy = "static"\n_windows.go'
    (root / "d").mkdir()
    (root / "d" / "a_windows.go").write_text(gofile("d"))
    (root / "d" / name.replace("/", "")).write_text(gofile("d"))
    assert cli.main(["init", str(root)]) == 0
    config = load(root / CONFIG_NAME)
    assert config.inspect.policy is None
    assert "\\x0a" in (root / CONFIG_NAME).read_text()


def test_many_sources_are_capped(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    root = _module(tmp_path, {f"f{i}_plan9_386.go": gofile("main") for i in range(5)})
    assert cli.main(["init", str(root)]) == 0
    err = capsys.readouterr().err
    assert (
        "target plan9/386: from f0_plan9_386.go; f1_plan9_386.go; f2_plan9_386.go; and 2 more"
        in err
    )
    assert (
        "# f0_plan9_386.go; f1_plan9_386.go; f2_plan9_386.go; and 2 more"
        in (root / CONFIG_NAME).read_text()
    )
