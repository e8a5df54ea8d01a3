"""`cgotrap list` against `go list -e -deps -json`, configuration by configuration.

1. GOROOT std over the whole matrix (47 ports × cgo 0/1): one cgotrap run against 94 go
   list runs (cached under ~/.cache/cgotrap-tests/golist/ after the first run).
2. Fixture modules written here (replace, go.work, vendor, a file:// proxy dependency,
   every error kind), each against go list on a few configurations.

Every field of `gofixtures.FIELDS` is compared for every package, and the order too.
"""

from __future__ import annotations

import io
from collections import defaultdict
from collections.abc import Mapping
from contextlib import redirect_stdout
from pathlib import Path
from typing import Any

import pytest

from cgotrap.cli import main as cli
from cgotrap.targets import expand
from tests import gofixtures as fx
from tests.gofixtures import gofile, gomod

pytestmark = pytest.mark.integration

FEW = (
    ("linux", "amd64", False),
    ("linux", "amd64", True),
    ("windows", "amd64", False),
    ("darwin", "arm64", True),
    ("js", "wasm", False),
    ("android", "arm", False),
)


def _cgotrap_matrix(
    cwd: Path,
    patterns: list[str],
    selectors: str,
    cgo: str,
    *,
    env: Mapping[str, str] | None = None,
    flags: tuple[str, ...] = (),
) -> dict[tuple[str, str, bool], list[dict[str, Any]]]:
    buf = io.StringIO()
    mp = pytest.MonkeyPatch()
    try:
        for key in ("GOOS", "GOARCH", "CGO_ENABLED", "GOWORK", "GOFLAGS"):
            mp.delenv(key, raising=False)
        mp.setenv("GOENV", "off")  # as the oracle: no `go env -w` file unless a test gives one
        for key, value in (env or {}).items():
            mp.setenv(key, value)
        with redirect_stdout(buf):
            code = cli.main_inner(
                [
                    "list",
                    "-e",
                    "-deps",
                    "-json",
                    "--targets",
                    selectors,
                    "--cgo",
                    cgo,
                    "-C",
                    str(cwd),
                    *flags,
                    *patterns,
                ]
            )
    finally:
        mp.undo()
    out: dict[tuple[str, str, bool], list[dict[str, Any]]] = defaultdict(list)
    unresolved = False
    for obj in fx.iter_json_objects(buf.getvalue()):
        t = obj.pop("BuildContext")
        out[(t["GOOS"], t["GOARCH"], t["CGO_ENABLED"] == "1")].append(obj)
        unresolved = unresolved or ("Error" in obj and not obj.get("Dir"))
    # exit 5 (incomplete) exactly when a package could not be found anywhere
    assert code == (5 if unresolved else 0)
    return out


def _compare(
    cwd: Path,
    patterns: list[str],
    configs: list[tuple[str, str, bool]],
    *,
    root: Path,
    env: Mapping[str, str] | None = None,
    digest: str | None = None,
    flags: tuple[str, ...] = (),
    full_json: bool = False,
) -> tuple[int, list[str]]:
    selectors = ",".join(sorted({f"{o}/{a}" for o, a, _ in configs}))
    ours = _cgotrap_matrix(cwd, patterns, selectors, "0,1", env=env, flags=flags)
    compared = 0
    problems: list[str] = []
    for goos, goarch, cgo in configs:
        want = fx.golist(
            cwd,
            patterns,
            goos=goos,
            goarch=goarch,
            cgo=cgo,
            root=root,
            env=env,
            digest=digest,
            flags=flags,
            full_json=full_json,
        )
        got = ours[(goos, goarch, cgo)]
        compared += len(want)
        where = f"{goos}/{goarch} cgo={int(cgo)}"
        problems.extend(f"{where}: {d}" for d in fx.diff_packages(want, got))
    return compared, problems


def test_std_whole_matrix(goroot: Path) -> None:
    src = goroot / "src"
    configs = [(t.goos, t.goarch, t.cgo) for t in expand("all", (False, True))]
    assert len(configs) == 94
    compared, problems = _compare(src, ["std"], configs, root=goroot, digest="goroot")
    print(
        f"std: {compared} packages × configurations compared over {len(configs)} "
        f"configurations, {len(problems)} differences"
    )
    assert problems == [], "\n".join(problems[:40])
    assert compared > 94 * 300


# ------------------------------------------------------------------------------------
# Fixtures


def _errors_module(root: Path, *, cycle: bool = True) -> Path:
    """One module with every kind of package error go list reports.

    With an import cycle the loader takes go's step-by-step path; without, the shared one.
    """
    files: dict[str, str] = {
        "go.mod": gomod("example.com/errs"),
        "main.go": gofile(
            "main",
            "example.com/errs/cyc/a",
            "example.com/errs/nogo",
            "example.com/errs/excluded",
            "example.com/errs/cfiles",
            "example.com/errs/multi",
            "example.com/errs/badtag",
            "example.com/errs/lib",
            "example.com/errs/prog",
            "notstd/pkg",
            "example.com/nothere/pkg",
            "example.com/errs/other/internal/secret",
            body="func main() {}",
        ),
        "cyc/a/a.go": gofile("a", "example.com/errs/cyc/b"),
        "cyc/b/b.go": gofile("b", "example.com/errs/cyc/a"),
        "nogo/readme.txt": "no go here\n",
        "excluded/x.go": gofile("excluded", header="//go:build ignore"),
        "excluded/y_windows.go": gofile("excluded", header="//go:build !windows"),
        "cfiles/c.go": gofile("cfiles"),
        "cfiles/helper.c": "int helper(void) { return 1; }\n",
        "cfiles/helper.h": "int helper(void);\n",
        "multi/a.go": gofile("a"),
        "multi/b.go": gofile("b"),
        "badtag/ok.go": gofile("badtag"),
        "badtag/bad.go": gofile("badtag", header="//go:build linux &&"),
        "lib/lib.go": gofile("lib", "fmt", "os"),
        "lib/lib_test.go": gofile("lib", "testing"),
        "lib/x_test.go": gofile("lib_test", "example.com/errs/lib"),
        "prog/main.go": gofile("main", body="func main() {}"),
        "other/internal/secret/s.go": gofile("secret"),
        "onlytests/t_test.go": gofile("onlytests", "testing"),
        "usesprog/u.go": gofile("usesprog", "example.com/errs/prog"),
        "deep/d.go": gofile("deep", "example.com/errs/usesprog", "example.com/errs/excluded"),
        "_skipped/s.go": gofile("skipped"),
        "testdata/t.go": gofile("t"),
    }
    if not cycle:
        files["cyc/b/b.go"] = gofile("b")
    return fx.write_tree(root, files)


def _errors_module_acyclic(root: Path) -> Path:
    return _errors_module(root, cycle=False)


def _cgo_module(root: Path) -> Path:
    """cgo in every shape: flags, pkg-config, a stub for cgo-off, per-OS files, asm, syso."""
    files: dict[str, str | bytes] = {
        "go.mod": gomod("example.com/cg"),
        "sqlite/sqlite.go": gofile(
            "sqlite",
            "C",
            "unsafe",
            header=(
                "//go:build cgo\n\n"
                "/*\n#cgo CFLAGS: -DX=1 -I${SRCDIR}/inc\n#cgo linux LDFLAGS: -lm -ldl\n"
                "#cgo darwin LDFLAGS: -framework CoreFoundation\n#cgo CPPFLAGS: -DY\n"
                "#cgo CXXFLAGS: -std=c++17\n#cgo pkg-config: zlib\n#include <stdlib.h>\n*/"
            ),
        ),
        "sqlite/stub.go": gofile("sqlite", header="//go:build !cgo"),
        "sqlite/impl.c": "int x;\n",
        "sqlite/impl.cc": "int y;\n",
        "sqlite/impl.h": "int z;\n",
        "sqlite/impl.m": "int w;\n",
        "sqlite/impl.swig": "%module x\n",
        "sqlite/lib_linux_amd64.syso": b"\x7fELF",
        "sqlite/asm_amd64.s": "TEXT ·f(SB),0,$0\n",
        "osfiles/a_linux.go": gofile("osfiles", "syscall"),
        "osfiles/a_windows.go": gofile("osfiles", "os"),
        "osfiles/a_plan9.go": gofile("osfiles"),
        "osfiles/a_unix.go": gofile("osfiles", header="//go:build unix"),
        "osfiles/old.go": gofile("osfiles", header="// +build darwin,!cgo"),
        "osfiles/generic.go": gofile("osfiles", "example.com/cg/sqlite"),
        "cmd/tool/main.go": gofile("main", "example.com/cg/osfiles", body="func main() {}"),
    }
    return fx.write_tree(root, files)


def _replace_and_work(root: Path) -> Path:
    files = {
        "app/go.mod": gomod(
            "example.com/app",
            "1.22",
            "require example.com/dep v1.0.0",
            "replace example.com/dep => ../dep",
        ),
        "app/main.go": gofile(
            "main", "example.com/dep/sub", "example.com/dep", body="func main() {}"
        ),
        "dep/go.mod": gomod("example.com/dep"),
        "dep/dep.go": gofile("dep", "strings"),
        "dep/sub/sub.go": gofile("sub", "example.com/dep/internal/x"),
        "dep/internal/x/x.go": gofile("x"),
        "dep/nested/go.mod": gomod("example.com/dep/nested"),
        "dep/nested/n.go": gofile("nested"),
        # a workspace of two modules
        "ws/go.work": "go 1.22\n\nuse (\n\t./one\n\t./two\n)\n",
        "ws/one/go.mod": gomod("example.com/one"),
        "ws/one/one.go": gofile("one", "example.com/two/lib", "example.com/missing/pkg"),
        "ws/two/go.mod": gomod("example.com/two"),
        "ws/two/lib/lib.go": gofile("lib", "net/http"),
    }
    return fx.write_tree(root, files)


def _vendored(root: Path) -> Path:
    files = {
        "go.mod": gomod("example.com/v", "1.22", "require example.com/vdep v1.2.3"),
        "main.go": gofile(
            "main", "example.com/vdep/pkg", "example.com/absent", body="func main() {}"
        ),
        "vendor/modules.txt": (
            "# example.com/vdep v1.2.3\n## explicit; go 1.20\nexample.com/vdep/pkg\n"
        ),
        "vendor/example.com/vdep/pkg/p.go": gofile("pkg", "example.com/vdep/pkg/inner"),
        "vendor/example.com/vdep/pkg/inner/i.go": gofile("inner"),
    }
    return fx.write_tree(root, files)


def _refused_paths(root: Path, *, refuses: bool = False) -> Path:
    """Import paths go refuses or folds: case-insensitive collisions (the first package
    loaded keeps its path), directory names that are no import path (space, quote, non-ASCII,
    Windows device names, a trailing dot, a short-name tilde, "@"), "mod/" imports; and the
    directories ./... never matches (leading dot or underscore, testdata)."""
    files: dict[str, str] = {
        "go.mod": gomod("example.com/rf"),
        "main.go": gofile(
            "main",
            "example.com/rf/Foo",
            "example.com/rf/foo",
            "example.com/rf/x+y",
            "example.com/rf/lib",
            body="func main() {}",
        ),
        "Foo/f.go": gofile("Foo"),
        "foo/f.go": gofile("foo"),
        "lib/l.go": gofile("lib", "example.com/rf/FOO/deep"),
        "FOO/deep/d.go": gofile("deep"),
        "x+y/p.go": gofile("p"),
        "bad dir/p.go": gofile("p"),
        'q"x/p.go': gofile("p"),
        "é/p.go": gofile("p"),
        "CON/p.go": gofile("p"),
        "Aux.txt/p.go": gofile("p"),
        "trail./p.go": gofile("p"),
        "a~1/p.go": gofile("p"),
        "a@b/p.go": gofile("p"),
        ".dot/p.go": gofile("p"),
        "_under/p.go": gofile("p"),
        "ok/testdata/t/p.go": gofile("p"),
    }
    if refuses:
        # go makes a new package object at each load of a refused path ("mod/x", "@"), so
        # one imported twice, or imported and matched, is listed twice: cgotrap lists it
        # once. Here each is loaded once.
        files["refuses/r.go"] = gofile("refuses", "mod/x", "example.com/rf/a@b")
    return fx.write_tree(root, files)


def _refused_imports(root: Path) -> Path:
    return _refused_paths(root, refuses=True)


SCENARIOS = {
    "errors": (_errors_module, ".", ["./..."]),
    "errors-acyclic": (_errors_module_acyclic, ".", ["./deep", "./...", "./nogo", "./missing"]),
    "cgo": (_cgo_module, ".", ["./..."]),
    "replace": (_replace_and_work, "app", ["./...", "all"]),
    "workspace": (_replace_and_work, "ws/one", ["./...", "example.com/two/..."]),
    "vendor": (_vendored, ".", ["./...", "all"]),
    "refused-paths": (_refused_paths, ".", ["./...", "all", "example.com/rf/...", "./a@b"]),
    "refused-imports": (_refused_imports, ".", ["./refuses", "./foo", "./lib", "."]),
    "refused-paths-collision-order": (_refused_paths, ".", ["./foo", "./lib", "."]),
}


@pytest.mark.parametrize("name", sorted(SCENARIOS))
def test_fixture_against_golist(name: str, tmp_path: Path) -> None:
    make, sub, patterns = SCENARIOS[name]
    root = make(tmp_path / "fx")
    configs = list(FEW)
    compared, problems = _compare(root / sub, patterns, configs, root=root)
    print(f"{name}: {compared} packages × configurations compared, {len(problems)} differences")
    assert problems == [], "\n".join(problems[:40])
    assert compared >= len(configs)


SIMD_TAGS = ("-tags", "goexperiment.simd")


@pytest.mark.parametrize("cycle", [False, True])
def test_simd_bridge_is_exempt_from_the_internal_rule(tmp_path: Path, cycle: bool) -> None:
    """A module's package importing "simd" gets cmd/go's implicit import of the internal
    simd/internal/bridge on amd64/arm64/wasm without "use of internal package" (loadImport's
    allowSimdInternalBridge); an explicit import of it stays an error. The experiment is on
    through a build tag, as GOEXPERIMENT=simd would set it. With an import cycle the
    step-by-step loader lists the targets, without one the fast loader."""
    files = {
        "go.mod": gomod("example.com/s", "1.27"),
        "main.go": gofile("main", "simd", body="func main() {}"),
        "lib/lib.go": gofile("lib", "simd"),
        "bad/bad.go": gofile("bad", "simd/internal/bridge"),
    }
    if cycle:
        files["cyc/a/a.go"] = gofile("a", "example.com/s/cyc/b")
        files["cyc/b/b.go"] = gofile("b", "example.com/s/cyc/a", "simd")
    root = fx.write_tree(tmp_path / "fx", files)
    configs = [
        ("linux", "amd64", False),
        ("linux", "386", False),
        ("darwin", "arm64", True),
        ("js", "wasm", False),
    ]
    compared, problems = _compare(root, ["./..."], configs, root=root, flags=SIMD_TAGS)
    assert problems == [], "\n".join(problems[:40])
    ours = _cgotrap_matrix(root, ["./..."], "linux/amd64", "0", flags=SIMD_TAGS)
    errors = {
        o["ImportPath"]: (o.get("Error") or {}).get("Err") for o in ours[("linux", "amd64", False)]
    }
    assert errors["example.com/s"] is None
    assert errors["example.com/s/lib"] is None
    assert errors["example.com/s/bad"] == "use of internal package simd/internal/bridge not allowed"
    assert compared >= 4 * 3


def test_proxy_dependency_from_module_cache(tmp_path: Path) -> None:
    proxy = tmp_path / "proxy"
    cache = tmp_path / "modcache"
    fx.write_proxy(
        proxy,
        "example.com/Remote",
        "v1.4.0",
        {
            "go.mod": gomod("example.com/Remote", "1.20"),
            "remote.go": gofile("remote", "example.com/Remote/util"),
            "util/u.go": gofile("util", header="//go:build !plan9"),
            "util/u_plan9.go": gofile("util", "os"),
        },
    )
    root = fx.write_tree(
        tmp_path / "fx",
        {
            "go.mod": gomod("example.com/user", "1.22", "require example.com/Remote v1.4.0"),
            "user.go": gofile("user", "example.com/Remote"),
        },
    )
    fx.download(root, proxy, cache)
    env = {"GOMODCACHE": str(cache)}
    configs = [("linux", "amd64", False), ("plan9", "amd64", False), ("windows", "arm64", True)]
    digest = fx.tree_digest(root) + fx.tree_digest(proxy)
    compared, problems = _compare(root, ["./..."], configs, root=tmp_path, env=env, digest=digest)
    print(f"proxy: {compared} packages × configurations compared, {len(problems)} differences")
    assert problems == [], "\n".join(problems[:40])


def test_plain_output_and_default_target(goroot: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Without -json: import paths one per line, as go list prints them; and the default
    target (GOOS/GOARCH/CGO_ENABLED from the environment) is the one go picks."""
    import subprocess

    from cgotrap import toolchain
    from cgotrap.host import env_target

    go = toolchain.require("go")
    src = goroot / "src"
    for env in ({}, {"GOOS": "windows"}, {"GOARCH": "arm64"}, {"CGO_ENABLED": "0"}):
        full = fx.go_env(env)
        want = subprocess.run(
            [str(go.path), "env", "GOOS", "GOARCH", "CGO_ENABLED"],
            env=full,
            capture_output=True,
            text=True,
            check=True,
        ).stdout.split()
        for key in ("GOOS", "GOARCH", "CGO_ENABLED"):
            monkeypatch.delenv(key, raising=False)
        for key, value in env.items():
            monkeypatch.setenv(key, value)
        t = env_target()
        assert [t.goos, t.goarch, str(int(t.cgo))] == want, env
        want_lines = subprocess.run(
            [str(go.path), "list", "-e", "-deps", "net/http"],
            env=full,
            cwd=src,
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        buf = io.StringIO()
        with redirect_stdout(buf):
            assert cli.main_inner(["list", "-e", "-deps", "-C", str(src), "net/http"]) == 0
        assert buf.getvalue() == want_lines, env


# ------------------------------------------------------------------------------------
# GOFLAGS and `go env -w` (GOENV)


def _tagged(root: Path) -> Path:
    return fx.write_tree(
        root,
        {
            "go.mod": gomod("example.com/tg"),
            "a.go": gofile("tg"),
            "foo.go": gofile("tg", "os", header="//go:build foo"),
            "bar.go": gofile("tg", "net", header="//go:build bar"),
            "baz.go": gofile("tg", "strings", header="//go:build baz && !foo"),
        },
    )


@pytest.mark.parametrize(
    ("case", "goflags", "file", "flags"),
    [
        ("goflags", "-tags=foo", None, ()),
        ("double-dash and quotes", "'--tags=foo,baz'", None, ()),
        ("goenv file", None, "GOFLAGS=-tags=bar\n", ()),
        ("environment over file", "-tags=foo", "GOFLAGS=-tags=bar\n", ()),
        ("empty environment: the file", "", "# comment\nGOFLAGS=-tags=bar,baz\n", ()),
        ("command line over both", "-tags=foo", "GOFLAGS=-tags=bar\n", ("-tags=baz",)),
        ("last one wins", "-tags=foo -tags=baz", None, ()),
    ],
)
def test_goflags_and_goenv_against_golist(
    case: str, goflags: str | None, file: str | None, flags: tuple[str, ...], tmp_path: Path
) -> None:
    """-tags from GOFLAGS and from the `go env -w` file, with go's precedence: command line
    > GOFLAGS in the environment > the GOENV file."""
    root = _tagged(tmp_path / "fx")
    env: dict[str, str] = {}
    if goflags is not None:
        env["GOFLAGS"] = goflags
    if file is not None:
        goenv = tmp_path / "config" / "go" / "env"
        goenv.parent.mkdir(parents=True)
        goenv.write_text(file)
        env["GOENV"] = str(goenv)
    configs = [("linux", "amd64", False), ("windows", "arm64", False)]
    digest = fx.tree_digest(root) + (file or "")
    compared, problems = _compare(
        root, ["./..."], configs, root=tmp_path, env=env, digest=digest, flags=flags
    )
    print(f"{case}: {compared} packages × configurations compared, {len(problems)} differences")
    assert problems == [], "\n".join(problems[:40])
    assert compared > 2


def _vendored_and_cached(tmp_path: Path) -> tuple[Path, dict[str, str]]:
    """A module whose dependency is both in vendor/ and in the module cache, the vendored
    copy one file richer (it imports "os"), so the listing shows which one was read."""
    import subprocess

    from cgotrap import toolchain

    proxy = tmp_path / "proxy"
    cache = tmp_path / "modcache"
    fx.write_proxy(
        proxy,
        "example.com/dep",
        "v1.0.0",
        {"go.mod": gomod("example.com/dep", "1.20"), "dep.go": gofile("dep", "strings")},
    )
    root = fx.write_tree(
        tmp_path / "fx",
        {
            "go.mod": gomod("example.com/user", "1.22", "require example.com/dep v1.0.0"),
            "user.go": gofile("user", "example.com/dep"),
        },
    )
    fx.download(root, proxy, cache)
    env = {"GOMODCACHE": str(cache)}
    subprocess.run(
        [str(toolchain.require("go").path), "mod", "vendor"],
        cwd=root,
        env=fx.go_env(env),
        check=True,
        capture_output=True,
        timeout=300,
    )
    (root / "vendor/example.com/dep/extra.go").write_text(gofile("dep", "os"))
    return root, env


@pytest.mark.parametrize(
    ("case", "goflags", "file", "flags"),
    [
        ("vendor by default", None, None, ()),
        ("GOFLAGS -mod=mod", "-mod=mod", None, ()),
        ("goenv file -mod=mod", None, "GOFLAGS=-mod=mod\n", ()),
        ("command line -mod=vendor over GOFLAGS", "-mod=mod", None, ("-mod=vendor",)),
        (
            "command line -mod=readonly over the file",
            None,
            "GOFLAGS=-mod=vendor\n",
            ("-mod=readonly",),
        ),
    ],
)
def test_mod_flag_from_goflags_and_goenv_against_golist(
    case: str, goflags: str | None, file: str | None, flags: tuple[str, ...], tmp_path: Path
) -> None:
    root, env = _vendored_and_cached(tmp_path)
    if goflags is not None:
        env["GOFLAGS"] = goflags
    if file is not None:
        goenv = tmp_path / "goenv"
        goenv.write_text(file)
        env["GOENV"] = str(goenv)
    configs = [("linux", "amd64", False)]
    digest = fx.tree_digest(root) + (file or "")
    compared, problems = _compare(
        root, ["all"], configs, root=tmp_path, env=env, digest=digest, flags=flags
    )
    print(f"{case}: {compared} packages × configurations compared, {len(problems)} differences")
    assert problems == [], "\n".join(problems[:40])
    assert compared > 2


def test_default_target_from_goenv_file(
    goroot: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """GOOS/GOARCH/CGO_ENABLED written by `go env -w` pick the default target as in go,
    the environment still winning over the file."""
    import subprocess

    from cgotrap import toolchain

    go = toolchain.require("go")
    goenv = tmp_path / "goenv"
    goenv.write_text("GOOS=windows\nGOARCH=arm64\nCGO_ENABLED=0\n")
    src = goroot / "src"
    for env in ({"GOENV": str(goenv)}, {"GOENV": str(goenv), "GOARCH": "386"}):
        full = fx.go_env(env)
        want = subprocess.run(
            [str(go.path), "env", "GOOS", "GOARCH", "CGO_ENABLED"],
            env=full,
            capture_output=True,
            text=True,
            check=True,
        ).stdout.split()
        for key in ("GOOS", "GOARCH", "CGO_ENABLED", "GOFLAGS"):
            monkeypatch.delenv(key, raising=False)
        for key, value in env.items():
            monkeypatch.setenv(key, value)
        want_lines = subprocess.run(
            [str(go.path), "list", "-e", "-deps", "os"],
            env=full,
            cwd=src,
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        buf = io.StringIO()
        with redirect_stdout(buf):
            assert cli.main_inner(["list", "-e", "-deps", "-C", str(src), "os"]) == 0
        assert want[0] == "windows", want
        assert buf.getvalue() == want_lines, env


def test_chdir_to_a_file_or_a_missing_directory_fails_as_go(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """`-C` naming a file or a missing directory: go's message (after "go: "), one line;
    the exit status is cgotrap's for an unreadable input (go exits 1 on every error)."""
    import subprocess

    from cgotrap import toolchain

    go = toolchain.require("go")
    (tmp_path / "afile").write_text("x\n")
    for target in (tmp_path / "afile", tmp_path / "missing", "relative-missing"):
        done = subprocess.run(
            [str(go.path), "list", "-C", str(target), "-e", "-json", "."],
            env=fx.go_env(),
            cwd=tmp_path,
            capture_output=True,
            text=True,
            check=False,
        )
        assert done.returncode == 1
        assert done.stdout == ""
        want = done.stderr.removeprefix("go: ")
        mp = pytest.MonkeyPatch()
        mp.chdir(tmp_path)
        try:
            code = cli.main(["list", "-C", str(target), "-e", "-json", "."])
        finally:
            mp.undo()
        out, err = capsys.readouterr()
        assert (code, out) == (4, "")
        assert err.removeprefix("cgotrap: ") == want


# ------------------------------------------------------------------------------------
# Vendoring go refuses


_VDEP_TXT = "# example.com/vdep v1.2.3\n## explicit; go 1.20\nexample.com/vdep/pkg\n"

VENDOR_REFUSALS: dict[str, tuple[tuple[str, ...], dict[str, str | None]]] = {
    # name: (go.mod extra lines, files to change: None removes)
    "consistent": (("require example.com/vdep v1.2.3",), {}),
    "not marked explicit": (
        ("require example.com/vdep v1.2.3",),
        {"vendor/modules.txt": "# example.com/vdep v1.2.3\n## go 1.20\nexample.com/vdep/pkg\n"},
    ),
    "other version": (("require example.com/vdep v1.2.4",), {}),
    "replaced in go.mod only": (
        ("require example.com/vdep v1.2.3", "replace example.com/vdep => ./local"),
        {},
    ),
    "replaced in modules.txt only": (
        ("require example.com/vdep v1.2.3",),
        {
            "vendor/modules.txt": (
                "# example.com/vdep v1.2.3 => ./local\n## explicit; go 1.20\nexample.com/vdep/pkg\n"
            )
        },
    ),
    "replaced differently": (
        ("require example.com/vdep v1.2.3", "replace example.com/vdep v1.2.3 => ./other"),
        {
            "vendor/modules.txt": (
                "# example.com/vdep v1.2.3 => ./local\n## explicit; go 1.20\nexample.com/vdep/pkg\n"
                "# example.com/gone => example.com/else v1.0.0\n"
            )
        },
    ),
    "modules.txt a directory": (
        ("require example.com/vdep v1.2.3",),
        {"vendor/modules.txt": None, "vendor/modules.txt/x": "x\n"},
    ),
    "modules.txt a directory, -mod=vendor": (
        ("require example.com/vdep v1.2.3",),
        {"vendor/modules.txt": None, "vendor/modules.txt/x": "x\n", "GOFLAGS": "-mod=vendor"},
    ),
    "go line newer than the toolchain": (
        ("require example.com/vdep v1.2.3",),
        {"vendor/modules.txt": _VDEP_TXT.replace("go 1.20", "go 1.99")},
    ),
    "go line newer than the toolchain, second block": (
        ("require example.com/vdep v1.2.3",),
        {"vendor/modules.txt": _VDEP_TXT + "# example.com/other v1.0.0\n## go 1.28\n"},
    ),
    "vendored version not required": (
        ("require example.com/vdep v1.2.3",),
        {"vendor/modules.txt": _VDEP_TXT + _VDEP_TXT.replace("v1.2.3\n## explicit;", "v1.2.5\n##")},
    ),
    "vendored version not required, -mod=vendor": (
        ("require example.com/vdep v1.2.3",),
        {
            "vendor/modules.txt": _VDEP_TXT
            + _VDEP_TXT.replace("v1.2.3\n## explicit;", "v1.2.5\n##"),
            "GOFLAGS": "-mod=vendor",
        },
    ),
    "vendored version not required, pre-1.17": (
        ("require example.com/vdep v1.2.3",),
        {
            "go": "1.16",
            "vendor/modules.txt": _VDEP_TXT
            + _VDEP_TXT.replace("v1.2.3\n## explicit;", "v1.2.5\n##"),
        },
    ),
    "collision: two modules list one package": (
        ("require example.com/vdep v1.2.3", "require example.com/vdep/pkg v1.0.0"),
        {"vendor/modules.txt": _VDEP_TXT + _VDEP_TXT.replace("vdep v1.2.3", "vdep/pkg v1.0.0")},
    ),
    "collision: one module listed twice": (
        ("require example.com/vdep v1.2.3",),
        {"vendor/modules.txt": _VDEP_TXT + _VDEP_TXT.replace("explicit; ", "")},
    ),
    "pre-1.14 other version, -mod=vendor": (
        ("require example.com/vdep v1.2.4",),
        {"go": "1.13", "GOFLAGS": "-mod=vendor"},
    ),
    "pre-1.14 not marked explicit, -mod=vendor": (
        ("require example.com/vdep v1.2.3",),
        {
            "go": "1.13",
            "GOFLAGS": "-mod=vendor",
            "vendor/modules.txt": "# example.com/vdep v1.2.3\nexample.com/vdep/pkg\n",
        },
    ),
}


@pytest.mark.parametrize("case", sorted(VENDOR_REFUSALS))
def test_vendor_refusals_as_go(
    case: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Inconsistent vendoring (explicit markers, versions, replacements) and an unreadable
    modules.txt stop go before it lists anything: the same text (after "go: "), exit 4;
    a consistent tree lists as go does."""
    import subprocess

    from cgotrap import toolchain
    from cgotrap.render.untrusted import terminal

    extra, changes = VENDOR_REFUSALS[case][0], dict(VENDOR_REFUSALS[case][1])
    goflags = changes.pop("GOFLAGS", None) or ""
    files: dict[str, str] = {
        "go.mod": gomod("example.com/v", changes.pop("go", None) or "1.22", *extra),
        "main.go": gofile("main", "example.com/vdep/pkg", body="func main() {}"),
        "vendor/modules.txt": _VDEP_TXT,
        "vendor/example.com/vdep/pkg/p.go": gofile("pkg"),
        "local/go.mod": gomod("example.com/vdep"),
        "local/pkg/p.go": gofile("pkg"),
    }
    for name, text in changes.items():
        if text is None:
            files.pop(name)
        else:
            files[name] = text
    root = fx.write_tree(tmp_path / "fx", files)
    go = toolchain.require("go")
    done = subprocess.run(
        [str(go.path), "list", "-e", "-deps", "-json", "./..."],
        env=fx.go_env({"GOFLAGS": goflags}),
        cwd=root,
        capture_output=True,
        text=True,
        check=False,
    )
    mp = pytest.MonkeyPatch()
    mp.setenv("GOENV", "off")
    mp.setenv("GOFLAGS", goflags)
    try:
        code = cli.main(["list", "-e", "-deps", "-json", "-C", str(root), "./..."])
    finally:
        mp.undo()
    out, err = capsys.readouterr()
    if done.returncode == 0:
        # go's relaxing, and the collisions go lets the last line decide
        assert case == "consistent" or case.startswith(("pre-1.14 not marked", "collision"))
        assert (code, err) == (0, "")
        want = list(fx.iter_json_objects(done.stdout))
        assert fx.diff_packages(want, list(fx.iter_json_objects(out))) == []
        return
    assert done.returncode == 1, done.stderr
    assert (code, out) == (4, "")
    # go's text, on one line as cgotrap writes every message (controls shown escaped)
    want_line = terminal("cgotrap: " + done.stderr.removeprefix("go: ").removesuffix("\n"))
    assert err == want_line + "\n", case


# ------------------------------------------------------------------------------------
# //go:embed patterns (go list resolves them for a full -json)


def _embed(name: str, *patterns: str) -> str:
    lines = "\n".join(f"//go:embed {p}" for p in patterns)
    return gofile(name, "embed", body=f"{lines}\nvar s string")


def _embeds(root: Path) -> Path:
    files: dict[str, str] = {
        "go.mod": gomod("example.com/em"),
        "nomatch/e.go": _embed("nomatch", "nothing.txt"),
        "up/e.go": _embed("up", "../up.txt"),
        "badclass/e.go": _embed("badclass", "[a"),
        "dot/e.go": _embed("dot", "."),
        "hidden/e.go": _embed("hidden", "sub"),
        "hidden/sub/.h": "x\n",
        "hidden/sub/_u": "x\n",
        "all/e.go": _embed("all", "all:sub"),
        "all/sub/.h": "x\n",
        "othermod/e.go": _embed("othermod", "inner"),
        "othermod/inner/go.mod": gomod("example.com/inner"),
        "othermod/inner/f.txt": "x\n",
        "ok/e.go": _embed("ok", "*.txt", "sp ace.txt", "d"),
        "ok/a.txt": "x\n",
        "ok/sp ace.txt": "x\n",
        "ok/d/deep/f.bin": "x\n",
        "ok/d/.skip/f": "x\n",
        "vcs/e.go": _embed("vcs", ".git"),
        "vcs/.git/HEAD": "x\n",
        "badname/e.go": _embed("badname", "x/*"),
        "badname/x/a:b": "x\n",
        "order/e.go": _embed("order", "zz.txt", "aa.txt"),
        "order/zz.txt": "x\n",
        "main.go": gofile(
            "main", "example.com/em/nomatch", "example.com/em/ok", body="func main() {}"
        ),
    }
    return fx.write_tree(root, files)


def test_embed_patterns_against_golist(tmp_path: Path) -> None:
    """Each package's first failing pattern (sorted, as go iterates them) is its error, at
    the pattern's position; a symlinked file is irregular; hidden files and other modules
    are left out of a directory."""
    root = _embeds(tmp_path / "fx")
    link = root / "link" / "e.go"
    link.parent.mkdir()
    link.write_text(_embed("link", "l.txt"))
    (root / "link" / "l.txt").symlink_to(root / "ok" / "a.txt")
    configs = [("linux", "amd64", False), ("windows", "amd64", True)]
    compared, problems = _compare(root, ["./...", "."], configs, root=root, full_json=True)
    print(f"embed: {compared} packages × configurations compared, {len(problems)} differences")
    assert problems == [], "\n".join(problems[:40])
    assert compared > 10


# ------------------------------------------------------------------------------------
# Per-program copies for a main package with a default.pgo


def _pgo_module(root: Path) -> Path:
    return fx.write_tree(
        root,
        {
            "go.mod": gomod("example.com/pg"),
            "cmd/a/main.go": gofile("main", "example.com/pg/lib", "fmt", body="func main() {}"),
            "cmd/a/default.pgo": "not a real profile: go list only looks for the file\n",
            "cmd/b/main.go": gofile("main", "example.com/pg/lib", body="func main() {}"),
            "cmd/c/main.go": gofile("main", "example.com/pg/bad", body="func main() {}"),
            "cmd/c/default.pgo": "x\n",
            "lib/lib.go": gofile("lib", "strings", "example.com/pg/lib/inner"),
            "lib/inner/i.go": gofile("inner"),
            "bad/b.go": gofile("bad", "example.com/pg/missing"),
        },
    )


@pytest.mark.parametrize(
    "patterns",
    [["./..."], ["./cmd/a"], ["./cmd/a", "./lib"], ["./lib", "./cmd/b", "./cmd/a", "./cmd/c"]],
)
def test_pgo_copies_against_golist(patterns: list[str], tmp_path: Path) -> None:
    """Several packages named and a main one with a default.pgo: its dependencies are
    listed again as "path [main]" copies, its Imports and Deps naming them (errors and
    DepsErrors carried over); one package named: no copies."""
    root = _pgo_module(tmp_path / "fx")
    configs = [("linux", "amd64", False), ("darwin", "arm64", True)]
    compared, problems = _compare(root, patterns, configs, root=root)
    print(f"pgo {patterns}: {compared} compared, {len(problems)} differences")
    assert problems == [], "\n".join(problems[:40])
    if len(patterns) > 1 or patterns == ["./..."]:
        ours = _cgotrap_matrix(root, patterns, "linux/amd64", "0")
        assert any(
            " [example.com/pg/cmd/a]" in o["ImportPath"] for o in ours[("linux", "amd64", False)]
        )


@pytest.mark.parametrize(
    ("goflags", "flags", "copies"),
    [
        ("-pgo=off", (), False),
        ("-pgo=auto", (), True),
        ("-pgo=$ROOT/prof.pgo", (), False),
        ("-pgo=$ROOT/missing.pgo", (), False),
        ("-pgo=", (), False),
        ("-pgo=off", ("-pgo=auto",), True),
        ("-pgo=auto", ("-pgo=off",), False),
        ("", ("-pgo=$ROOT/prof.pgo",), False),
    ],
)
def test_pgo_flag_from_goflags_against_golist(
    goflags: str, flags: tuple[str, ...], copies: bool, tmp_path: Path
) -> None:
    """-pgo, in GOFLAGS or on the command line (which wins): only "auto", go's default,
    splits per-program copies; "off" or a profile's path (missing or not) lists each
    package once, as go list does."""
    root = _pgo_module(tmp_path / "fx")
    (root / "prof.pgo").write_text("a profile named on the command line\n")
    env = {"GOFLAGS": goflags.replace("$ROOT", str(root))}
    flags = tuple(f.replace("$ROOT", str(root)) for f in flags)
    configs = [("linux", "amd64", False)]
    compared, problems = _compare(root, ["./..."], configs, root=root, env=env, flags=flags)
    print(f"pgo {goflags!r} {flags}: {compared} compared, {len(problems)} differences")
    assert problems == [], "\n".join(problems[:40])
    ours = _cgotrap_matrix(root, ["./..."], "linux/amd64", "0", env=env, flags=flags)
    split = [o for o in ours[("linux", "amd64", False)] if " [" in o["ImportPath"]]
    assert bool(split) == copies


@pytest.mark.parametrize("goflags", ["", "-pgo=off"])
def test_pgo_copies_of_cmd_compile_against_golist(goflags: str, goroot: Path) -> None:
    """GOROOT's cmd/compile has a default.pgo: listed with another command, every package
    it depends on is listed a second time for it, as go list does (not with -pgo=off)."""
    src = goroot / "src"
    configs = [("linux", "amd64", False), ("windows", "arm64", False)]
    compared, problems = _compare(
        src / "cmd",
        ["cmd/compile", "cmd/asm"],
        configs,
        root=goroot,
        env={"GOFLAGS": goflags},
        digest="goroot-pgo",
    )
    print(f"cmd/compile pgo {goflags!r}: {compared} compared, {len(problems)} differences")
    assert problems == [], "\n".join(problems[:40])
    assert compared > (600 if not goflags else 300)


# ------------------------------------------------------------------------------------
# go.mod's ignore directive (Go 1.25+)


def _ignoring(root: Path) -> Path:
    return fx.write_tree(
        root,
        {
            "go.mod": gomod(
                "example.com/ig", "1.25", "ignore ./node_modules", "ignore (\n\tbuild\n\t./a/x\n)"
            ),
            "main.go": gofile("main", "example.com/ig/a/x", body="func main() {}"),
            "node_modules/p/p.go": gofile("p"),
            "node_modules/q.go": gofile("q"),
            "build/b.go": gofile("b"),
            "a/build/c.go": gofile("c"),
            "a/x/x.go": gofile("x"),
            "a/x/y/y.go": gofile("y"),
            "a/xy/z.go": gofile("xy"),
            "sub/node_modules/n.go": gofile("n"),
        },
    )


@pytest.mark.parametrize(
    "patterns",
    [["./..."], ["all"], ["example.com/ig/..."], ["./a/..."], ["./a/x/..."], ["./node_modules"]],
)
def test_ignore_directive_against_golist(patterns: list[str], tmp_path: Path) -> None:
    """`ignore` leaves directories out of ./... and module patterns ("./x" at the root,
    "x" anywhere), as go list does; a package named directly or imported still loads."""
    root = _ignoring(tmp_path / "fx")
    configs = [("linux", "amd64", False)]
    compared, problems = _compare(root, patterns, configs, root=root)
    print(f"ignore {patterns}: {compared} compared, {len(problems)} differences")
    assert problems == [], "\n".join(problems[:40])
