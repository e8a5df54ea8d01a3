"""A deep import chain costs memory linear in its depth (issue 13: a 10k-deep chain took 2 GB,
growing with the square of the depth, because every package kept its Deps as a tuple).

`cgotrap scan` and `cgotrap list` run as child processes on generated chains (stdlib only,
in a temporary directory), each reporting its own peak RSS. A chain four times deeper may
cost about four times the memory above a shallow module's, never sixteen.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from cgotrap import toolchain
from cgotrap.toolchain import Tool

pytestmark = pytest.mark.integration

SHALLOW, SMALL, LARGE = 10, 1000, 4000


def _chain(root: Path, depth: int) -> Path:
    """example.com/chain/p0 (main) imports p1, which imports p2, ... down to p{depth-1}."""
    root.mkdir()
    (root / "go.mod").write_text("module example.com/chain\n\ngo 1.22\n")
    for i in range(depth):
        (root / f"p{i}").mkdir()
        if i + 1 < depth:
            name = "main" if i == 0 else f"p{i}"
            body = f'package {name}\n\nimport _ "example.com/chain/p{i + 1}"\n'
            if i == 0:
                body += "\nfunc main() {}\n"
        else:
            body = f"package p{i}\n"
        (root / f"p{i}" / "p.go").write_text(body)
    return root


# The child reports its own peak: VmHWM of /proc/self/status, the high-water mark of its
# memory since its exec. (ru_maxrss would not do: Linux keeps it across exec, so a child of
# pytest starts at pytest's size; `os.wait4`'s also counts go, ~44 MB for `go env`.)
_CHILD = """
import sys
from cgotrap.cli.main import main
code = main(sys.argv[1:])
sys.stdout.flush()
with open("/proc/self/status") as status:
    hwm = next(line.split()[1] for line in status if line.startswith("VmHWM:"))
sys.stderr.write(f"\\npeak-rss-kib {hwm}\\n")
sys.exit(code)
"""


def _peak_rss_kib(argv: list[str], cwd: Path) -> tuple[int, bytes]:
    """(peak RSS in KiB, stderr) of one cgotrap run in a child; it must exit 0."""
    done = subprocess.run(
        [sys.executable, "-c", _CHILD, *argv],
        cwd=cwd,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        check=False,
    )
    assert done.returncode == 0, done.stderr.decode(errors="replace")
    *rest, last = done.stderr.rstrip().rsplit(b"\n", 1)
    assert last.startswith(b"peak-rss-kib "), done.stderr
    return int(last.split()[1]), b"".join(rest)


@pytest.fixture(scope="module")
def chains(tmp_path_factory: pytest.TempPathFactory) -> dict[int, Path]:
    base = tmp_path_factory.mktemp("chains")
    return {depth: _chain(base / f"c{depth}", depth) for depth in (SHALLOW, SMALL, LARGE)}


@pytest.mark.parametrize(
    "argv",
    [["scan", "--no-cache", "."], ["list", "./..."]],
    ids=["scan", "list"],
)
def test_memory_grows_linearly_with_the_depth_of_an_import_chain(
    chains: dict[int, Path], argv: list[str]
) -> None:
    rss = {}
    for depth, root in chains.items():
        rss[depth], err = _peak_rss_kib(argv, root)
        assert b"Traceback" not in err
        assert b"RecursionError" not in err
    small = rss[SMALL] - rss[SHALLOW]
    large = rss[LARGE] - rss[SHALLOW]
    assert small > 0, rss
    # Linear: ~4x (scan here: +15 MB -> +54 MB; list: +6 MB -> +19 MB). With every Deps
    # kept as a tuple it was ~7x for scan (+20 MB -> +144 MB) and 10x for list, and growing.
    assert large <= 6 * small, f"peak RSS KiB by depth: {rss}"
    assert large <= 100 * 1024, f"peak RSS KiB by depth: {rss}"


def test_deps_of_a_deep_chain_are_go_lists(chains: dict[int, Path], go_tool: Tool) -> None:
    """The Deps worked out when read are go list's (and `in` answers without a list)."""
    from cgotrap.evaluate.load import load_listing, load_matrix
    from cgotrap.targets import Target

    root = chains[SMALL]
    env = {**toolchain.go_env(), "GOOS": "linux", "GOARCH": "amd64", "CGO_ENABLED": "0"}
    out = subprocess.run(
        [str(go_tool.path), "list", "-f", '{{join .Deps "\\n"}}', "./p0"],
        cwd=root,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    want = tuple(out.split())
    assert len(want) > SMALL - 1
    targets = [Target(goos="linux", goarch="amd64", cgo=False)]
    (listed,) = load_matrix(["./p0"], targets, root=root).per_target
    top = next(p for p in listed.packages if p.import_path == "example.com/chain/p0")
    assert f"example.com/chain/p{SMALL - 1}" in top.deps
    assert "example.com/chain/p0" not in top.deps
    assert tuple(top.deps) == want
    assert len(top.deps) == len(want)
    assert top.deps == want
    shared = load_listing(["./p0"], targets, root=root)
    (first,) = [o for o in shared.objects if o.import_path == "example.com/chain/p0"]
    assert isinstance(first.deps, tuple)
    assert first.deps == want


def test_past_the_mask_budget_deps_are_still_go_lists(
    chains: dict[int, Path], go_tool: Tool, monkeypatch: pytest.MonkeyPatch
) -> None:
    """With no room for Deps masks (a chain deeper than the budget allows) equal closures
    are not merged, and every Deps is still go list's."""
    from cgotrap.evaluate.load import fast, load_listing
    from cgotrap.targets import Target

    monkeypatch.setattr(fast, "MASK_BUDGET", 0)
    root = chains[SMALL]
    env = {**toolchain.go_env(), "GOOS": "linux", "GOARCH": "amd64", "CGO_ENABLED": "0"}
    out = subprocess.run(
        [str(go_tool.path), "list", "-deps", "-f", '{{.ImportPath}}:{{join .Deps ","}}', "./p0"],
        cwd=root,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    want = dict(line.split(":", 1) for line in out.splitlines())
    targets = [Target(goos="linux", goarch="amd64", cgo=False)]
    listed = load_listing(["./p0"], targets, root=root)
    got = {o.import_path: ",".join(o.deps) for o in listed.objects}
    assert got == want
