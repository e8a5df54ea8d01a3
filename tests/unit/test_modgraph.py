"""discover.modgraph without go: selection, pruning, excludes and refusals on a file:// proxy.

The real-go oracle for the same rules is tests/integration/test_modgraph_vs_go.py; these
run in the fast suite and pin cgotrap's own choices (no download, no write).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from cgotrap.discover.modgraph import ModGraphError, load_for_packages, load_module_graph
from cgotrap.discover.project import find_project
from tests import gofixtures as fx


def _proxy(root: Path) -> Path:
    proxy = root / "proxy"

    def add(path: str, version: str, go: str, *requires: str) -> None:
        req = "".join(f"require {r}\n" for r in requires)
        fx.write_proxy(proxy, path, version, {"go.mod": f"module {path}\n\ngo {go}\n\n{req}"})

    add("example.com/a", "v1.0.0", "1.20", "example.com/b v1.0.0")
    add("example.com/b", "v1.0.0", "1.20", "example.com/c v1.2.0")
    add("example.com/c", "v1.2.0", "1.16")
    return proxy


def _env(root: Path, goproxy: str) -> dict[str, str]:
    return {
        "GOPROXY": goproxy,
        "GOMODCACHE": str(root / "cache"),
        "GOFLAGS": "-mod=mod",  # no go.sum in these fixtures
        "GOTOOLCHAIN": "local",
    }


@pytest.mark.parametrize(("go", "c_selected"), [("1.16", "v1.2.0"), ("1.21", "")])
def test_selection_and_pruning(go: str, c_selected: str, tmp_path: Path, goroot: Path) -> None:
    proxy = _proxy(tmp_path)
    fx.write_tree(
        tmp_path / "m", {"go.mod": fx.gomod("example.com/m", go, "require example.com/a v1.0.0")}
    )
    env = _env(tmp_path, proxy.as_uri())
    graph = load_module_graph(find_project(tmp_path / "m", goroot, env), env)
    assert graph.error == ""
    assert graph.selected("example.com/b") == "v1.0.0"
    assert graph.selected("example.com/c") == c_selected
    assert graph.build_list[0].path == "example.com/m"
    assert not (tmp_path / "cache").exists()  # nothing written


def test_unpruned_refusal_and_no_download(tmp_path: Path, goroot: Path) -> None:
    fx.write_tree(
        tmp_path / "m",
        {"go.mod": fx.gomod("example.com/m", "1.16", "require example.com/a v1.0.0")},
    )
    for goproxy, problem in [
        ("off", "example.com/a@v1.0.0: module lookup disabled by GOPROXY=off"),
        ("https://proxy.golang.org,direct", "a@v1.0.0: cgotrap does not download modules"),
    ]:
        env = _env(tmp_path, goproxy)
        with pytest.raises(ModGraphError) as info:
            load_for_packages(find_project(tmp_path / "m", goroot, env), env)
        assert problem in str(info.value)


def test_no_graph_in_vendor_mode(tmp_path: Path, goroot: Path) -> None:
    fx.write_tree(
        tmp_path / "m",
        {
            "go.mod": fx.gomod("example.com/m", "1.16", "require example.com/a v1.0.0"),
            "vendor/modules.txt": "# example.com/a v1.0.0\n## explicit\n",
        },
    )
    env = {**_env(tmp_path, "off"), "GOFLAGS": ""}
    assert load_for_packages(find_project(tmp_path / "m", goroot, env), env) is None
