"""The module graph and MVS against the real `go list -m -e -json all`.

Fixture module graphs are written into a file:// GOPROXY here; go reads them from the
proxy (into its own private GOMODCACHE), cgotrap once from the proxy with an empty cache
and once from go's filled cache with GOPROXY=off. Path, Version, Main, Indirect, Replace
and per-module Error are compared for every module of the build list, in order, and the
graph's refusal text with go's.

The graph used throughout (go lines in brackets):

    main ── a v1.0.0 [1.16] ── b v1.0.0 [1.16] ── c v1.1.0
         └─ d v1.0.0 [1.20] ── e v1.0.0 [1.20] ─┬─ f v1.0.0 [1.20]
                                                └─ c v1.2.0

A main module at go 1.16 reads every go.mod (c v1.2.0 and f are selected); at go 1.21 the
graph is pruned below the go 1.20 module d (c v1.1.0, no f).
"""

from __future__ import annotations

import base64
import hashlib
import json
import subprocess
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pytest

from cgotrap.discover.modgraph import (
    ModGraphError,
    ModuleGraph,
    load_for_packages,
    load_module_graph,
)
from cgotrap.discover.project import find_project
from cgotrap.toolchain import Tool
from tests import gofixtures as fx

pytestmark = pytest.mark.integration

C = "example.com/c"


def _h1_gomod(text: str) -> str:
    """dirhash.Hash1 of a lone go.mod: the "/go.mod h1:" hash of go.sum."""
    line = f"{hashlib.sha256(text.encode()).hexdigest()}  go.mod\n"
    return "h1:" + base64.b64encode(hashlib.sha256(line.encode()).digest()).decode()


def _add_importing(
    path: str, version: str, go: str, imports: str, *requires: str, proxy: Path, sums: list[str]
) -> None:
    """A module whose one package imports `imports` (none when ""), in the file:// proxy,
    with both its go.sum lines (zip and go.mod) appended to `sums`."""
    req = "".join(f"require {r}\n" for r in requires)
    name = path.rsplit("/", 1)[-1]
    body = f'package {name}\n\nimport _ "{imports}"\n' if imports else f"package {name}\n"
    files = {"go.mod": f"module {path}\n\ngo {go}\n\n{req}", f"{name}.go": body}
    fx.write_proxy(proxy, path, version, files)
    sums.append(f"{path} {version} {_h1_zip(path, version, files)}")
    sums.append(f"{path} {version}/go.mod {_h1_gomod(files['go.mod'])}")


class Graph:
    """A file:// proxy of fixture modules and the go.sum lines of their go.mod files."""

    def __init__(self, root: Path) -> None:
        self.proxy = root / "proxy"
        self.sums: list[str] = []

    def add(self, path: str, version: str, go: str, *requires: str, module: str = "") -> None:
        req = "".join(f"require {r}\n" for r in requires)
        gomod = f"module {module or path}\n\ngo {go}\n\n{req}"
        name = path.rsplit("/", 1)[-1].replace(".", "_")
        fx.write_proxy(self.proxy, path, version, {"go.mod": gomod, "x.go": f"package {name}\n"})
        self.sums.append(f"{path} {version}/go.mod {_h1_gomod(gomod)}")


def _standard_graph(root: Path) -> Graph:
    g = Graph(root)
    g.add("example.com/a", "v1.0.0", "1.16", "example.com/b v1.0.0")
    g.add("example.com/b", "v1.0.0", "1.16", f"{C} v1.1.0")
    for v in ("v1.0.0", "v1.1.0", "v1.2.0"):
        g.add(C, v, "1.16")
    g.add("example.com/d", "v1.0.0", "1.20", "example.com/e v1.0.0")
    g.add("example.com/e", "v1.0.0", "1.20", "example.com/f v1.0.0", f"{C} v1.2.0")
    g.add("example.com/f", "v1.0.0", "1.20")
    g.add("example.com/bfork", "v1.0.0", "1.16", f"{C} v1.0.0", "example.com/g v1.0.0")
    g.add("example.com/g", "v1.0.0", "1.16")
    g.add("example.com/h", "v1.0.0", "1.16", module="example.com/other")
    return g


def _main(root: Path, g: Graph, go: str, body: str, files: Mapping[str, str] = {}) -> Path:
    main = root / "main"
    fx.write_tree(
        main,
        {
            "go.mod": f"module example.com/main\n\ngo {go}\n\n{body}",
            "go.sum": "\n".join(sorted(g.sums)) + "\n",
            "m.go": "package main\n\nfunc main() {}\n",
            **files,
        },
    )
    return main


def _go_list_m(go_tool: Tool, cwd: Path, env: Mapping[str, str]) -> tuple[list[Any], str]:
    """`go list -m -e -json all`'s modules, and the graph error `go list -m all` reports."""
    done = subprocess.run(
        [str(go_tool.path), "list", "-m", "all"],
        cwd=cwd,
        env=fx.go_env(env),
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    # the last "go: " message is the graph's (go may first complain about .info files)
    error = done.stderr.strip().rsplit("go: ", 1)[-1] if done.returncode else ""
    done = subprocess.run(
        [str(go_tool.path), "list", "-m", "-e", "-json", "all"],
        cwd=cwd,
        env=fx.go_env(env),
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    return list(fx.iter_json_objects(done.stdout)), error


def _go_row(obj: Mapping[str, Any]) -> dict[str, Any]:
    rep = obj.get("Replace")
    return {
        "Path": obj["Path"],
        "Version": obj.get("Version", ""),
        "Main": obj.get("Main", False),
        "Indirect": obj.get("Indirect", False),
        "Replace": (rep["Path"], rep.get("Version", "")) if rep else None,
    }


def _cgotrap_rows(graph: ModuleGraph) -> list[dict[str, Any]]:
    return [
        {
            "Path": m.path,
            "Version": m.version,
            "Main": m.main,
            "Indirect": m.indirect,
            "Replace": (m.replace.path, m.replace.version) if m.replace else None,
        }
        for m in graph.build_list
    ]


def _compare(go_tool: Tool, root: Path, main: Path, goroot: Path) -> ModuleGraph:
    """go (proxy) vs cgotrap (proxy, empty cache) vs cgotrap (go's cache, GOPROXY=off)."""
    cache = root / "gocache"
    env = {"GOPROXY": g_uri(root), "GOMODCACHE": str(cache), "GOFLAGS": "-modcacherw"}
    objs, error = _go_list_m(go_tool, main, env)
    assert objs
    want = [_go_row(o) for o in objs]
    full = fx.go_env(env)
    from_proxy = load_module_graph(
        find_project(main, goroot, {**full, "GOMODCACHE": str(root / "empty")}),
        {**full, "GOMODCACHE": str(root / "empty")},
    )
    assert _cgotrap_rows(from_proxy) == want
    assert from_proxy.error == error
    off = {**full, "GOPROXY": "off"}
    from_cache = load_module_graph(find_project(main, goroot, off), off)
    assert _cgotrap_rows(from_cache) == want
    return from_proxy


def g_uri(root: Path) -> str:
    return (root / "proxy").as_uri()


REQ_AD = "require (\n\texample.com/a v1.0.0\n\texample.com/d v1.0.0\n)\n"


@pytest.mark.parametrize("go", ["1.16", "1.17", "1.21"])
def test_mvs_full_graph_before_117_pruned_after(
    go: str, tmp_path: Path, go_tool: Tool, goroot: Path
) -> None:
    g = _standard_graph(tmp_path)
    main = _main(tmp_path, g, go, REQ_AD)
    graph = _compare(go_tool, tmp_path, main, goroot)
    assert graph.selected(C) == ("v1.2.0" if go == "1.16" else "v1.1.0")
    assert (graph.selected("example.com/f") != "") == (go == "1.16")


def test_no_go_line_is_go_116(tmp_path: Path, go_tool: Tool, goroot: Path) -> None:
    g = _standard_graph(tmp_path)
    main = tmp_path / "main"
    _main(tmp_path, g, "1.16", "")
    (main / "go.mod").write_text(f"module example.com/main\n\n{REQ_AD}")
    graph = _compare(go_tool, tmp_path, main, goroot)
    assert graph.pruning == "unpruned"


@pytest.mark.parametrize("go", ["1.16", "1.21"])
def test_exclude_drops_requirements(go: str, tmp_path: Path, go_tool: Tool, goroot: Path) -> None:
    g = _standard_graph(tmp_path)
    body = REQ_AD + f"require {C} v1.0.0 // indirect\n\nexclude {C} v1.2.0\nexclude {C} v1.1.0\n"
    main = _main(tmp_path, g, go, body)
    graph = _compare(go_tool, tmp_path, main, goroot)
    assert graph.selected(C) == "v1.0.0"


@pytest.mark.parametrize("go", ["1.16", "1.21"])
def test_replaced_requirements_come_from_the_replacement(
    go: str, tmp_path: Path, go_tool: Tool, goroot: Path
) -> None:
    g = _standard_graph(tmp_path)
    body = (
        REQ_AD + "\nreplace example.com/b v1.0.0 => example.com/bfork v1.0.0\n"
        "replace example.com/d => ./dlocal\n"
    )
    local = "module example.com/d\n\ngo 1.16\n\nrequire example.com/g v1.0.0\n"
    main = _main(tmp_path, g, go, body, {"dlocal/go.mod": local, "dlocal/d.go": "package d\n"})
    graph = _compare(go_tool, tmp_path, main, goroot)
    assert graph.selected("example.com/g") == "v1.0.0"
    assert graph.selected("example.com/e") == ""


def test_dependency_declaring_another_path(tmp_path: Path, go_tool: Tool, goroot: Path) -> None:
    g = _standard_graph(tmp_path)
    main = _main(tmp_path, g, "1.16", "require example.com/h v1.0.0\n")
    graph = _compare(go_tool, tmp_path, main, goroot)
    assert "module declares its path as: example.com/other" in graph.error


def _go_refusal(go_tool: Tool, main: Path, env: Mapping[str, str]) -> str:
    done = subprocess.run(
        [str(go_tool.path), "list", "-e", "-deps", "-json", "./..."],
        cwd=main,
        env=fx.go_env(env),
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode != 0
    assert not done.stdout
    return done.stderr.strip().removeprefix("go: ")


def test_pre_117_graph_missing_gomod_refused_as_go_does(
    tmp_path: Path,
    go_tool: Tool,
    goroot: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    g = _standard_graph(tmp_path)
    main = _main(tmp_path, g, "1.16", REQ_AD)
    cache = tmp_path / "gocache"
    env = {"GOPROXY": g_uri(tmp_path), "GOMODCACHE": str(cache), "GOFLAGS": "-modcacherw"}
    _go_list_m(go_tool, main, env)  # fills go's cache
    (cache / "cache" / "download" / C / "@v" / "v1.1.0.mod").unlink()
    off = {"GOPROXY": "off", "GOMODCACHE": str(cache)}
    want = _go_refusal(go_tool, main, off)
    assert want == (
        "example.com/a@v1.0.0 requires\n\texample.com/b@v1.0.0 requires\n"
        "\texample.com/c@v1.1.0: module lookup disabled by GOPROXY=off"
    )
    full = fx.go_env(off)
    project = find_project(main, goroot, full)
    assert load_module_graph(project, full).error == want
    with pytest.raises(ModGraphError) as info:
        load_for_packages(project, full)
    assert str(info.value) == want
    from cgotrap.cli import main as cli

    for key, value in off.items():
        monkeypatch.setenv(key, value)
    assert cli.main(["list", "-e", "-deps", "-json", "-C", str(main), "./..."]) != 0
    out, err = capsys.readouterr()
    # go's text, kept on one line: the CLI escapes control characters in errors
    one_line = want.replace("\n", "\\x0a").replace("\t", "\\x09")
    assert (out, err) == ("", f"cgotrap: {one_line}\n")
    # from go 1.17 the same missing go.mod is no refusal: the graph is read lazily
    (main / "go.mod").write_text(f"module example.com/main\n\ngo 1.21\n\n{REQ_AD}")
    assert _go_list_deps_ok(go_tool, main, off)
    pruned = load_for_packages(find_project(main, goroot, full), full)
    assert pruned is not None
    assert pruned.error == want


def _go_list_deps_ok(go_tool: Tool, main: Path, env: Mapping[str, str]) -> bool:
    done = subprocess.run(
        [str(go_tool.path), "list", "-e", "-deps", "-json", "./..."],
        cwd=main,
        env=fx.go_env(env),
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    return done.returncode == 0 and bool(done.stdout)


def test_workspace_graph(tmp_path: Path, go_tool: Tool, goroot: Path) -> None:
    g = _standard_graph(tmp_path)
    fx.write_tree(
        tmp_path,
        {
            "go.work": "go 1.23\n\nuse (\n\t./main\n\t./other\n)\n",
            "other/go.mod": "module example.com/w\n\ngo 1.21\n\nrequire example.com/d v1.0.0\n",
            "other/w.go": "package w\n",
        },
    )
    main = _main(tmp_path, g, "1.21", "require example.com/a v1.0.0\n")
    graph = _compare(go_tool, tmp_path, main, goroot)
    assert graph.pruning == "workspace"


def test_missing_in_proxy_reported_per_module(tmp_path: Path, go_tool: Tool, goroot: Path) -> None:
    g = _standard_graph(tmp_path)
    main = _main(tmp_path, g, "1.21", "require example.com/zz v1.0.0\n")
    (main / "go.sum").write_text(
        "\n".join(sorted(g.sums)) + f"\nexample.com/zz v1.0.0/go.mod {_h1_gomod('x')}\n"
    )
    cache = tmp_path / "gocache"
    env = {"GOPROXY": g_uri(tmp_path), "GOMODCACHE": str(cache), "GOFLAGS": "-modcacherw"}
    objs, error = _go_list_m(go_tool, main, env)
    full = fx.go_env({**env, "GOMODCACHE": str(tmp_path / "empty")})
    graph = load_module_graph(find_project(main, goroot, full), full)
    assert _cgotrap_rows(graph) == [_go_row(o) for o in objs], json.dumps(objs)
    assert graph.error == error


def _h1_zip(module: str, version: str, files: Mapping[str, str]) -> str:
    """dirhash.Hash1 of a module zip: the "h1:" of go.sum's module line."""
    lines = "".join(
        f"{hashlib.sha256(files[rel].encode()).hexdigest()}  {module}@{version}/{rel}\n"
        for rel in sorted(files, key=lambda r: f"{module}@{version}/{r}")
    )
    return "h1:" + base64.b64encode(hashlib.sha256(lines.encode()).digest()).decode()


def test_list_resolves_modules_reached_through_requirements(
    tmp_path: Path,
    go_tool: Tool,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Before go 1.17, `cgotrap list` finds c at the version MVS selects, as go list does."""
    from cgotrap.cli import main as cli

    proxy = tmp_path / "proxy"
    sums: list[str] = []

    def add(path: str, version: str, go: str, imports: str, *requires: str) -> None:
        _add_importing(path, version, go, imports, *requires, proxy=proxy, sums=sums)

    add("example.com/a", "v1.0.0", "1.16", "example.com/b", "example.com/b v1.0.0")
    add("example.com/b", "v1.0.0", "1.16", "example.com/c", f"{C} v1.1.0")
    for v in ("v1.1.0", "v1.2.0"):
        add(C, v, "1.16", "")
    add("example.com/x", "v1.0.0", "1.16", "", f"{C} v1.2.0")
    main = tmp_path / "main"
    fx.write_tree(
        main,
        {
            "go.mod": "module example.com/main\n\ngo 1.16\n\nrequire (\n\texample.com/a v1.0.0\n"
            "\texample.com/x v1.0.0\n)\n",
            "go.sum": "\n".join(sorted(sums)) + "\n",
            "m.go": 'package main\n\nimport _ "example.com/a"\n\nfunc main() {}\n',
        },
    )
    cache = tmp_path / "gocache"
    env = {"GOPROXY": proxy.as_uri(), "GOMODCACHE": str(cache), "GOFLAGS": "-modcacherw"}
    done = subprocess.run(
        [str(go_tool.path), "mod", "download", "all"],
        cwd=main,
        env=fx.go_env(env),
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    off = {"GOPROXY": "off", "GOMODCACHE": str(cache)}
    want = fx.golist(main, ["./..."], goos="linux", goarch="amd64", cgo=False, env=off)
    c_pkg = next(p for p in want if p["ImportPath"] == C)
    assert c_pkg["Dir"].endswith("c@v1.2.0")  # selected through x's requirement
    for key, value in off.items():
        monkeypatch.setenv(key, value)
    args = ["list", "-e", "-deps", "-json", "--targets", "linux/amd64", "--cgo", "0"]
    rc = cli.main([*args, "-C", str(main), "./..."])
    assert rc == 0
    got = list(fx.iter_json_objects(capsys.readouterr().out))
    assert fx.diff_packages(want, got) == []


# ------------------------------------------------------------------------------------
# go.mod updates go needs and may not make (-mod=readonly): `cgotrap list` against `go list`

# name -> (go line, go.mod requirements, main module files, extra GOFLAGS, patterns)
_GOMOD_CASES: dict[str, tuple[str, str, dict[str, str], str, list[str]]] = {
    "pruned: imported from a module only a dependency requires": (
        "1.21",
        "require example.com/a v1.0.0\n",
        {"m.go": 'package main\n\nimport _ "example.com/a"\n\nfunc main() {}\n'},
        "",
        ["./..."],
    ),
    "pruned: the same, -mod=readonly given": (
        "1.21",
        "require example.com/a v1.0.0\n",
        {"m.go": 'package main\n\nimport _ "example.com/a"\n\nfunc main() {}\n'},
        "-mod=readonly",
        ["./..."],
    ),
    "pruned: the same, -mod=mod (go adds the requirement, cgotrap lists as if added)": (
        "1.21",
        "require example.com/a v1.0.0\n",
        {"m.go": 'package main\n\nimport _ "example.com/a"\n\nfunc main() {}\n'},
        "-mod=mod",
        ["./..."],
    ),
    "pruned: the same, the requirement listed as indirect": (
        "1.21",
        "require example.com/a v1.0.0\n\nrequire example.com/b v1.0.0 // indirect\n",
        {"m.go": 'package main\n\nimport _ "example.com/a"\n\nfunc main() {}\n'},
        "",
        ["./..."],
    ),
    "pruned: a root below what a root providing a package requires": (
        "1.21",
        "require (\n\texample.com/a2 v1.0.0\n\texample.com/b v1.0.0\n)\n",
        {"m.go": 'package main\n\nimport _ "example.com/a2"\n\nfunc main() {}\n'},
        "",
        ["./..."],
    ),
    "pruned: the same root, its requirer providing nothing loaded": (
        "1.21",
        "require (\n\texample.com/a2 v1.0.0\n\texample.com/b v1.0.0\n)\n",
        {"m.go": 'package main\n\nimport _ "example.com/b"\n\nfunc main() {}\n'},
        "",
        ["./..."],
    ),
    "pruned: a dependency named, importing from a module only it requires": (
        "1.21",
        "require example.com/a v1.0.0\n",
        {"m.go": "package main\n\nfunc main() {}\n"},
        "",
        ["example.com/a"],
    ),
    "pruned: a package named from a module only a dependency requires": (
        "1.21",
        "require example.com/a v1.0.0\n",
        {"m.go": "package main\n\nfunc main() {}\n"},
        "",
        ["example.com/b"],
    ),
    "pruned: a build constraint hides the import": (
        "1.21",
        "require example.com/a v1.0.0\n",
        {
            "m.go": "package main\n\nfunc main() {}\n",
            "w.go": '//go:build windows\n\npackage main\n\nimport _ "example.com/a"\n',
        },
        "",
        ["./..."],
    ),
    "workspace: a main package imports from a module whose go.mod was not read": (
        "1.21",
        "require example.com/a v1.0.0\n",
        {
            "../go.work": "go 1.23\n\nuse ./main\n",
            "m.go": 'package main\n\nimport (\n\t_ "example.com/a"\n\t_ "example.com/b"\n)\n'
            "\nfunc main() {}\n",
        },
        "",
        ["./..."],
    ),
    "unpruned: a main package imports from an implicitly required module": (
        "1.16",
        "require example.com/o v1.0.0\n",
        {
            "m.go": 'package main\n\nimport _ "example.com/m/lib"\n\nfunc main() {}\n',
            "lib/l.go": 'package lib\n\nimport (\n\t_ "example.com/c"\n\t_ "example.com/o"\n)\n',
            "cmd/x/x.go": 'package main\n\nimport _ "example.com/c"\n\nfunc main() {}\n',
        },
        "",
        ["./..."],
    ),
    "unpruned: the same, in an import cycle": (
        "1.16",
        "require example.com/o v1.0.0\n",
        {
            "m.go": 'package main\n\nimport _ "example.com/m/lib"\n\nfunc main() {}\n',
            "lib/l.go": 'package lib\n\nimport (\n\t_ "example.com/c"\n'
            '\t_ "example.com/m/lib2"\n)\n',
            "lib2/l.go": 'package lib2\n\nimport _ "example.com/m/lib"\n',
        },
        "",
        ["./..."],
    ),
    "unpruned: the same, -mod=mod": (
        "1.16",
        "require example.com/o v1.0.0\n",
        {"cmd/x/x.go": 'package main\n\nimport _ "example.com/c"\n\nfunc main() {}\n'},
        "-mod=mod",
        ["./cmd/x"],
    ),
    "unpruned: a requirement below the selected version": (
        "1.16",
        "require (\n\texample.com/o v1.0.0\n\texample.com/c v0.9.0\n)\n",
        {"m.go": 'package main\n\nimport _ "example.com/o"\n\nfunc main() {}\n'},
        "",
        ["./..."],
    ),
}


_GOMOD_REFUSED = frozenset(
    {
        "pruned: imported from a module only a dependency requires",
        "pruned: the same, -mod=readonly given",
        "pruned: a root below what a root providing a package requires",
        "pruned: a package named from a module only a dependency requires",
        "unpruned: a requirement below the selected version",
    }
)
"""The cases go refuses (the others it lists)."""


def _gomod_proxy(proxy: Path) -> list[str]:
    """The modules the cases draw on, in a file:// proxy; their go.sum lines."""
    sums: list[str] = []

    def add(path: str, version: str, go: str, imports: str, *requires: str) -> None:
        _add_importing(path, version, go, imports, *requires, proxy=proxy, sums=sums)

    add("example.com/a", "v1.0.0", "1.21", "example.com/b", "example.com/b v1.0.0")
    add("example.com/a2", "v1.0.0", "1.21", "", "example.com/b v1.1.0")
    for v in ("v1.0.0", "v1.1.0"):
        add("example.com/b", v, "1.21", "")
    for v in ("v0.9.0", "v1.0.0"):
        add(C, v, "1.16", "")
    add("example.com/o", "v1.0.0", "1.16", C, f"{C} v1.0.0")
    return sums


@pytest.mark.parametrize("case", sorted(_GOMOD_CASES))
def test_gomod_updates_refused_or_listed_as_go_does(
    case: str,
    tmp_path: Path,
    go_tool: Tool,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """go >= 1.17: a package in "all" from a module go.mod does not require, or a root below
    the version the graph selects, stops go ("updates to go.mod needed; ..."). go < 1.17:
    a main package importing from a module required only through another carries go's
    "imports ... from implicitly required module" error; a requirement below the selected
    version stops go. cgotrap agrees: the same text and exit 1 vs 4, or the same listing."""
    from cgotrap.cli import main as cli
    from cgotrap.render.untrusted import terminal

    go, requires, files, goflags, patterns = _GOMOD_CASES[case]
    proxy = tmp_path / "proxy"
    sums = _gomod_proxy(proxy)
    cache = tmp_path / "gocache"
    versions = [
        f"{p}@{v}" for p, v in (line.split()[:2] for line in sums) if not v.endswith("/go.mod")
    ]
    seed = fx.go_env(
        {"GOPROXY": proxy.as_uri(), "GOMODCACHE": str(cache), "GOFLAGS": "-modcacherw"}
    )
    done = subprocess.run(
        [str(go_tool.path), "mod", "download", *versions],
        cwd=tmp_path,
        env=seed,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    main = fx.write_tree(
        tmp_path / "main",
        {
            "go.mod": f"module example.com/m\n\ngo {go}\n\n{requires}",
            "go.sum": "\n".join(sorted(sums)) + "\n",
            **files,
        },
    )
    env = {"GOMODCACHE": str(cache), "GOFLAGS": goflags, "GOOS": "linux", "GOARCH": "amd64"}
    full = {**fx.go_env(env), "CGO_ENABLED": "0"}
    for key, value in full.items():
        monkeypatch.setenv(key, value)
    before = fx.tree_digest(main)
    args = ["list", "-e", "-deps", "-json", "--targets", "linux/amd64", "--cgo", "0"]
    code = cli.main([*args, "-C", str(main), *patterns])
    out, err = capsys.readouterr()
    assert fx.tree_digest(main) == before  # cgotrap writes nothing, whatever -mod says
    done = subprocess.run(  # (after cgotrap: with -mod=mod go updates go.mod)
        [str(go_tool.path), "list", "-e", "-deps", "-json", *patterns],
        cwd=main,
        env=full,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert (done.returncode != 0) == (case in _GOMOD_REFUSED), done.stderr
    if done.returncode != 0:
        assert (done.returncode, done.stdout) == (1, "")
        assert (code, out) == (4, "")
        assert err == terminal("cgotrap: " + done.stderr.removeprefix("go: ").rstrip("\n")) + "\n"
        return
    assert (code, err) == (0, ""), err
    want = list(fx.iter_json_objects(done.stdout))
    assert fx.diff_packages(want, list(fx.iter_json_objects(out))) == []
    if case.startswith(("unpruned: a main package", "workspace: a main package")):
        errs = [p["Error"]["Err"] for p in want if "Error" in p]
        assert errs
        assert all("from implicitly required module" in e for e in errs)


def test_pruned_import_past_the_roots_reports_the_graph_error(
    tmp_path: Path,
    go_tool: Tool,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """From go 1.17 an import no root provides makes go read the whole graph; a go.mod it
    cannot read becomes that import's error (go's mvs text), and nothing is refused."""
    from cgotrap.cli import main as cli

    g = _standard_graph(tmp_path)
    imports = 'package main\n\nimport _ "example.com/zz/p"\n\nfunc main() {}\n'
    main = _main(tmp_path, g, "1.21", REQ_AD, {"m.go": imports})
    cache = tmp_path / "gocache"
    env = {"GOPROXY": g_uri(tmp_path), "GOMODCACHE": str(cache), "GOFLAGS": "-modcacherw"}
    _go_list_m(go_tool, main, env)  # fills go's cache
    (cache / "cache" / "download" / C / "@v" / "v1.1.0.mod").unlink()
    off = {"GOPROXY": "off", "GOMODCACHE": str(cache)}
    want = fx.golist(main, ["./..."], goos="linux", goarch="amd64", cgo=False, env=off)
    errors = [p["Error"]["Err"] for p in want if "Error" in p]
    stack = "example.com/a@v1.0.0 requires\n\texample.com/b@v1.0.0 requires\n"
    assert errors == [stack + "\texample.com/c@v1.1.0: module lookup disabled by GOPROXY=off"]
    for key, value in fx.go_env(off).items():
        monkeypatch.setenv(key, value)
    args = ["list", "-e", "-deps", "-json", "--targets", "linux/amd64", "--cgo", "0"]
    cli.main([*args, "-C", str(main), "./..."])
    got = list(fx.iter_json_objects(capsys.readouterr().out))
    assert fx.diff_packages(want, got) == []


# ------------------------------------------------------------------------------------
# Errors whose source is a dependency module (in the module cache)

_DEP_FILES = {
    "go.mod": "module example.com/d\n\ngo 1.21\n",
    "bad/b.go": 'package bad\n\nimport _ "example.com/nonexistent/q"\n',
    "emb/e.go": 'package emb\n\nimport _ "embed"\n\n//go:embed missing.txt\nvar s string\n',
    "two/a.go": "package a\n",
    "two/b.go": "package b\n",
    "int/i.go": 'package int\n\nimport _ "example.com/main/internal/x"\n',
    "rel/r.go": 'package rel\n\nimport _ "./x"\n',
    "cur/c.go": 'package cur\n\nimport _ "."\n',
    "cgo/c.go": 'package cgo\n\nimport "C"\n',
    "nogo/README": "x\n",
    "imp/i.go": 'package imp\n\nimport _ "example.com/d/nogo"\n',
    "prog/p.go": 'package prog\n\nimport _ "example.com/d/cmd/tool"\n',
    "cmd/tool/t.go": "package main\n\nfunc main() {}\n",
}


def _dep_errors_module(
    tmp_path: Path, go_tool: Tool, *extra: str, missing: bool = True
) -> tuple[Path, dict[str, str]]:
    """example.com/main requiring example.com/d, whose packages fail in every way go
    reports (a missing import, an embed pattern, two packages, internal, relative and
    program imports, no Go files); the modules in a private cache, GOPROXY=off."""
    proxy = tmp_path / "proxy"
    fx.write_proxy(proxy, "example.com/d", "v1.0.0", _DEP_FILES)
    sums = [
        f"example.com/d v1.0.0 {_h1_zip('example.com/d', 'v1.0.0', _DEP_FILES)}",
        f"example.com/d v1.0.0/go.mod {_h1_gomod(_DEP_FILES['go.mod'])}",
    ]
    versions = ["example.com/d@v1.0.0"]
    requires = ["example.com/d v1.0.0"]
    imports = [f"example.com/d/{p.split('/')[0]}" for p in _DEP_FILES if "/" in p]
    # (an import no root provides makes go read the whole graph: a too-new go.mod is then
    # that import's error, "module example.com/new@v1.0.0 requires go >= ...")
    imports = [*dict.fromkeys(imports), "example.com/d/nopkg"] if missing else []
    imports += extra
    for path in extra:  # a module of its own per extra import: go.mod declares go 1.99
        files = {"go.mod": f"module {path}\n\ngo 1.99\n", "n.go": "package n\n"}
        fx.write_proxy(proxy, path, "v1.0.0", files)
        sums += [
            f"{path} v1.0.0 {_h1_zip(path, 'v1.0.0', files)}",
            f"{path} v1.0.0/go.mod {_h1_gomod(files['go.mod'])}",
        ]
        versions.append(f"{path}@v1.0.0")
        requires.append(f"{path} v1.0.0")
    cache = tmp_path / "gocache"
    seed = fx.go_env(
        {"GOPROXY": proxy.as_uri(), "GOMODCACHE": str(cache), "GOFLAGS": "-modcacherw"}
    )
    done = subprocess.run(
        [str(go_tool.path), "mod", "download", *versions],
        cwd=tmp_path,
        env=seed,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    # (go extracts a too-new module, then says it is too new)
    assert done.returncode == 0 or "requires go >= 1.99" in done.stderr, done.stderr
    assert all((cache / v.replace("@", "@", 1)).is_dir() for v in versions)
    body = "".join(f'\t_ "{i}"\n' for i in imports)
    req = "".join(f"\t{r}\n" for r in requires)
    main = fx.write_tree(
        tmp_path / "main",
        {
            "go.mod": f"module example.com/main\n\ngo 1.21\n\nrequire (\n{req})\n",
            "go.sum": "\n".join(sorted(sums)) + "\n",
            "m.go": f"package main\n\nimport (\n{body})\n\nfunc main() {{}}\n",
            "internal/x/x.go": "package x\n",
        },
    )
    return main, {"GOMODCACHE": str(cache)}


def test_errors_in_a_dependency_module_as_go_list(
    tmp_path: Path,
    go_tool: Tool,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Each error of a dependency's package reads as go's (texts, stacks, positions into the
    module cache), in a full -json (embed patterns resolved)."""
    from cgotrap.cli import main as cli

    main, env = _dep_errors_module(tmp_path, go_tool)
    want = fx.golist(
        main,
        ["./..."],
        goos="linux",
        goarch="amd64",
        cgo=False,
        env=env,
        root=tmp_path,
        full_json=True,
    )
    errors = {p["ImportPath"]: p["Error"]["Err"] for p in want if "Error" in p}
    assert errors["example.com/d/rel"] == 'local import "./x" in non-local package'
    assert errors["example.com/d/cur"] == ".: cannot import current directory"
    assert len(errors) >= 10, errors
    for key, value in fx.go_env(env).items():
        monkeypatch.setenv(key, value)
    args = ["list", "-e", "-deps", "-json", "--targets", "linux/amd64", "--cgo", "0"]
    cli.main([*args, "-C", str(main), "./..."])
    got = list(fx.iter_json_objects(capsys.readouterr().out))
    assert fx.diff_packages(want, got) == []


@pytest.mark.parametrize("graph", [False, True])
def test_dependency_too_new_refused_as_go_does(
    graph: bool,
    tmp_path: Path,
    go_tool: Tool,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A package from a downloaded module whose go.mod says go 1.99 stops go after loading
    ("example.com/new@v1.0.0 requires go >= 1.99 ..."); when an earlier import made go
    read the whole graph, the graph's check speaks first ("module example.com/new@v1.0.0
    requires ..."). cgotrap refuses with the same text."""
    from cgotrap.cli import main as cli
    from cgotrap.render.untrusted import terminal

    main, env = _dep_errors_module(tmp_path, go_tool, "example.com/new", missing=graph)
    full = {**fx.go_env(env), "GOOS": "linux", "GOARCH": "amd64", "CGO_ENABLED": "0"}
    done = subprocess.run(
        [str(go_tool.path), "list", "-e", "-deps", "-json", "./..."],
        cwd=main,
        env=full,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert (done.returncode, done.stdout) == (1, "")
    assert done.stderr == (
        f"go: {'module ' if graph else ''}example.com/new@v1.0.0 requires go >= 1.99 "
        f"(running go {toolchain_version(go_tool)}; GOTOOLCHAIN=local)\n"
    )
    for key, value in full.items():
        monkeypatch.setenv(key, value)
    args = ["list", "-e", "-deps", "-json", "--targets", "linux/amd64", "--cgo", "0"]
    assert cli.main([*args, "-C", str(main), "./..."]) == 4
    out, err = capsys.readouterr()
    assert (out, err) == ("", terminal("cgotrap: " + done.stderr[4:].rstrip("\n")) + "\n")


def toolchain_version(go_tool: Tool) -> str:
    done = subprocess.run(
        [str(go_tool.path), "env", "GOVERSION"],
        env=fx.go_env(),
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    return done.stdout.strip().removeprefix("go")


# ------------------------------------------------------------------------------------
# `ignore` directives of dependency modules (Go 1.25+)

_IGNORING_DEP = {
    "go.mod": "module example.com/dep\n\ngo 1.25\n\nignore (\n\t./skip\n\tgen\n)\n",
    "d.go": "package dep\n",
    "skip/s.go": "package skip\n",
    "skipper/s.go": "package skipper\n",
    "gen/g.go": "package gen\n",
    "a/gen/g.go": "package gen\n",
    "a/a.go": "package a\n",
}


@pytest.mark.parametrize(
    "pattern", ["example.com/dep/...", "example.com/rep/...", "example.com/...", "./...", "all"]
)
def test_dependency_ignore_directives_as_go_list(
    pattern: str,
    tmp_path: Path,
    go_tool: Tool,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """go leaves a dependency's `ignore`d directories out of "mod/..." patterns, for a
    module from the cache and for a directory replacement alike (each with its own go.mod's
    ignores, not the main module's); cgotrap matches go list."""
    from cgotrap.cli import main as cli

    proxy = tmp_path / "proxy"
    fx.write_proxy(proxy, "example.com/dep", "v1.0.0", _IGNORING_DEP)
    cache = tmp_path / "gocache"
    seed = fx.go_env({"GOPROXY": proxy.as_uri(), "GOMODCACHE": str(cache), "GOFLAGS": ""})
    done = subprocess.run(
        [str(go_tool.path), "mod", "download", "example.com/dep@v1.0.0"],
        cwd=tmp_path,
        env=seed,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    sums = (
        f"example.com/dep v1.0.0 {_h1_zip('example.com/dep', 'v1.0.0', _IGNORING_DEP)}\n"
        f"example.com/dep v1.0.0/go.mod {_h1_gomod(_IGNORING_DEP['go.mod'])}\n"
    )
    main = fx.write_tree(
        tmp_path / "main",
        {
            "go.mod": "module example.com/main\n\ngo 1.25\n\nignore ./y\n\nrequire (\n"
            "\texample.com/dep v1.0.0\n\texample.com/rep v0.0.0\n)\n\n"
            "replace example.com/rep => ./rep\n",
            "go.sum": sums,
            "m.go": 'package main\n\nimport (\n\t_ "example.com/dep"\n\t_ "example.com/rep"\n)\n'
            "\nfunc main() {}\n",
            "y/y.go": "package y\n",
            "rep/go.mod": "module example.com/rep\n\ngo 1.25\n\nignore ./x\n",
            "rep/r.go": "package rep\n",
            "rep/x/x.go": "package x\n",
            "rep/y/y.go": "package y\n",
        },
    )
    env = {"GOMODCACHE": str(cache)}
    want = fx.golist(main, [pattern], goos="linux", goarch="amd64", cgo=False, env=env)
    paths = {p["ImportPath"] for p in want}
    assert not paths & {"example.com/dep/skip", "example.com/dep/gen", "example.com/rep/x"}
    if pattern == "example.com/...":
        assert {"example.com/dep/skipper", "example.com/rep/y"} <= paths
    for key, value in fx.go_env(env).items():
        monkeypatch.setenv(key, value)
    args = ["list", "-e", "-deps", "-json", "--targets", "linux/amd64", "--cgo", "0"]
    assert cli.main([*args, "-C", str(main), pattern]) == 0
    got = list(fx.iter_json_objects(capsys.readouterr().out))
    assert fx.diff_packages(want, got) == []
