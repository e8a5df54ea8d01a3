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
    cwd: Path, patterns: list[str], selectors: str, cgo: str, env: Mapping[str, str] | None = None
) -> dict[tuple[str, str, bool], list[dict[str, Any]]]:
    buf = io.StringIO()
    mp = pytest.MonkeyPatch()
    try:
        for key in ("GOOS", "GOARCH", "CGO_ENABLED", "GOWORK", "GOFLAGS"):
            mp.delenv(key, raising=False)
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
                    *patterns,
                ]
            )
    finally:
        mp.undo()
    out: dict[tuple[str, str, bool], list[dict[str, Any]]] = defaultdict(list)
    unresolved = False
    for obj in fx.iter_json_objects(buf.getvalue()):
        t = obj.pop("Target")
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
) -> tuple[int, list[str]]:
    selectors = ",".join(sorted({f"{o}/{a}" for o, a, _ in configs}))
    ours = _cgotrap_matrix(cwd, patterns, selectors, "0,1", env)
    compared = 0
    problems: list[str] = []
    for goos, goarch, cgo in configs:
        want = fx.golist(
            cwd, patterns, goos=goos, goarch=goarch, cgo=cgo, root=root, env=env, digest=digest
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


SCENARIOS = {
    "errors": (_errors_module, ".", ["./..."]),
    "errors-acyclic": (_errors_module_acyclic, ".", ["./deep", "./...", "./nogo", "./missing"]),
    "cgo": (_cgo_module, ".", ["./..."]),
    "replace": (_replace_and_work, "app", ["./...", "all"]),
    "workspace": (_replace_and_work, "ws/one", ["./...", "example.com/two/..."]),
    "vendor": (_vendored, ".", ["./...", "all"]),
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
