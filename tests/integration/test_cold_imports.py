"""A cold run imports what it uses: start-up is a large share of a small scan.

`cgotrap scan "$GOROOT/src" std` cold takes ~0.6 s where `go list -deps -json std` takes
~0.2 s, and importing cgotrap's modules is ~0.13 s of it (each frozen dataclass alone costs
~0.5 ms to create). Each test runs a command in a fresh interpreter with an empty cache and
looks at `sys.modules` afterwards: a module listed here was made lazy on purpose, and
importing it again at module top would quietly bring its cost back. The controls (what the
same run does import) show the check sees the imports it is about.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.gofixtures import gofile, gomod, write_tree

pytestmark = pytest.mark.integration

_RUN = """
import sys
from cgotrap.cli.main import main
code = main(sys.argv[1:])
sys.stdout.flush()
print("\\nMODULES", *sorted(sys.modules))
"""

_READERS = {
    "cgotrap.read.godecl",  # the go/parser helper: only packages whose Go files change with cgo
    "cgotrap.read.leftout",
    "cgotrap.read.cinclude",  # only packages with C files
    "cgotrap.read.binary",  # the binary readers: inspect's
    "cgotrap.judge.policy",
    "cgotrap.crossbuild.results",  # matrix's
    "cgotrap.gate.baseline",  # only with a baseline
    "tomllib",  # only with a .cgotrap.toml
    "importlib.resources",  # the bundled data are files beside cgotrap.data
}


def _modules(tmp_path: Path, *argv: str) -> set[str]:
    """The modules `cgotrap argv` imported, run cold (an empty cache of its own)."""
    cache = tmp_path / f"cache-{len(list(tmp_path.glob('cache-*')))}"
    env = dict(os.environ, CGOTRAP_CACHE_DIR=str(cache))
    done = subprocess.run(
        [sys.executable, "-c", _RUN, *argv], capture_output=True, text=True, env=env, check=False
    )
    assert "MODULES" in done.stdout, done.stderr
    return set(done.stdout.rpartition("MODULES ")[2].split())


def _pure(root: Path) -> Path:
    """A module without cgo of its own; it imports net, a cgo package of the standard library."""
    return write_tree(
        root,
        {
            "go.mod": gomod("example.com/pure", "1.22"),
            "main.go": gofile("main", "net", body="func main() { _ = net.IPv4len }"),
        },
    )


def test_a_cold_scan_without_cgo_loads_no_reader_it_does_not_use(tmp_path: Path) -> None:
    root = _pure(tmp_path / "m")
    table = _modules(tmp_path, "scan", str(root), "--targets", "linux/amd64,windows/amd64")
    assert {"cgotrap.judge.scan.verdict", "cgotrap.evaluate.sources", "rich.table"} <= table
    assert not _READERS & table, sorted(_READERS & table)


@pytest.mark.parametrize("fmt", ["json", "sarif"])
def test_a_scan_written_as_a_document_does_not_load_rich(tmp_path: Path, fmt: str) -> None:
    root = _pure(tmp_path / "m")
    loaded = _modules(tmp_path, "scan", str(root), "--targets", "linux/amd64", "--format", fmt)
    assert "cgotrap.render.scan" in loaded
    assert not {m for m in loaded if m == "rich" or m.startswith("rich.")}
    assert not _READERS & loaded, sorted(_READERS & loaded)


def test_a_scan_with_cgo_loads_the_readers_it_needs(tmp_path: Path) -> None:
    """The control: a cgo package with a `!cgo` stub and a C file is read with both."""
    root = write_tree(
        tmp_path / "m",
        {
            "go.mod": gomod("example.com/c", "1.22"),
            "a/a.go": 'package a\n\n// #include <stdio.h>\nimport "C"\n\nfunc F() {}\n',
            "a/a_stub.go": gofile("a", header="//go:build !cgo", body="func F() {}"),
            "a/x.c": "#include <stdlib.h>\n",
            "main.go": gofile("main", "example.com/c/a", body="func main() { a.F() }"),
        },
    )
    (root / ".cgotrap.toml").write_text('[build]\ntags = ["x"]\n')
    loaded = _modules(tmp_path, "scan", str(root), "--targets", "linux/amd64")
    assert {"cgotrap.read.godecl", "cgotrap.read.cinclude", "tomllib"} <= loaded


def test_check_without_a_revision_does_not_load_git_export(tmp_path: Path) -> None:
    root = _pure(tmp_path / "m")
    loaded = _modules(tmp_path, "check", str(root), "--targets", "linux/amd64")
    assert "cgotrap.gate.baseline" in loaded  # check compares with a baseline file
    assert not {"cgotrap.gate.revision", "tarfile"} & loaded


def test_a_vendored_scan_does_not_load_the_module_graph(tmp_path: Path) -> None:
    """go reads no module graph in vendor mode (nor in GOROOT, nor without a main module):
    its reader is then not imported. The control: a module that is not vendored does."""
    vendored = write_tree(
        tmp_path / "v",
        {
            "go.mod": gomod("example.com/v", "1.22", "require example.com/dep v1.0.0"),
            "vendor/modules.txt": (
                "# example.com/dep v1.0.0\n## explicit; go 1.20\nexample.com/dep\n"
            ),
            "vendor/example.com/dep/d.go": gofile("dep"),
            "main.go": gofile("main", "example.com/dep", body="func main() {}"),
        },
    )
    loaded = _modules(tmp_path, "scan", str(vendored), "--targets", "linux/amd64")
    assert "cgotrap.evaluate.load.resolve" in loaded
    assert "cgotrap.discover.modgraph" not in loaded
    plain = _modules(tmp_path, "scan", str(_pure(tmp_path / "m")), "--targets", "linux/amd64")
    assert "cgotrap.discover.modgraph" in plain


_FORKS = """
import os, sys
seen = []
real_fork = os.fork

def fork():
    headers = sys.modules.get("cgotrap.judge.headers")
    catalogs = headers is not None and headers.catalog.cache_info().currsize == 1
    seen.append((frozenset(sys.modules), catalogs))
    return real_fork()

os.fork = fork
from cgotrap.cli.main import main
code = main(sys.argv[1:])
sys.stdout.flush()
for modules, catalogs in seen:
    print("\\nFORK", catalogs, *sorted(m for m in modules if m.startswith("cgotrap.")))
"""


def test_a_cold_std_scan_forks_its_helper_before_it_imports_the_judge(
    tmp_path: Path, goroot: Path
) -> None:
    """The prefetch helper starts scanning GOROOT/src before the judge's modules are
    imported (the second core was idle while they were); they, the header catalogs and the
    renderer are ready before the judging partner forks (each process loaded the catalogs
    after it)."""
    env = dict(os.environ, CGOTRAP_CACHE_DIR=str(tmp_path / "cache"))
    argv = ["scan", str(goroot / "src"), "std", "--targets", "all", "--format", "json"]
    done = subprocess.run(
        [sys.executable, "-c", _FORKS, *argv], capture_output=True, text=True, env=env, check=False
    )
    forks = [line.split() for line in done.stdout.split("\nFORK ")[1:]]
    assert len(forks) >= 2, done.stderr  # the helper, then the partner (and cache writers)
    helper, *later = [(set(words[1:]), words[0] == "True") for words in forks]
    assert "cgotrap.evaluate.directory" in helper[0]  # what the helper scans with
    after = {
        "cgotrap.judge.scan",
        "cgotrap.gate.halves",
        "cgotrap.render.scan",
        "cgotrap.evaluate.load.fast",  # (the plan's evaluation)
    }
    assert not after & helper[0]
    for modules, catalogs in later:
        assert after <= modules
        assert catalogs


_ENTRY_FORK = """
import os, sys
real_fork = os.fork
first = []

def fork():
    if not first:
        from cgotrap.cli import deferred
        first.append(1)
        waiting = [name for name in deferred.DEFERRED if deferred.is_deferred(name)]
        loaded = [name for name in sys.modules if name.startswith("cgotrap.")]
        words = ["deferred:" + name for name in waiting] + loaded
        os.write(1, ("\\nFORK " + " ".join(words) + "\\n").encode())
    return real_fork()

def deferred_at_exit(code):
    from cgotrap.cli import deferred
    waiting = [name for name in deferred.DEFERRED if deferred.is_deferred(name)]
    os.write(2, ("\\nEXIT " + " ".join("deferred:" + n for n in waiting) + "\\n").encode())
    real_exit(code)

os.fork = fork
real_exit = os._exit
os._exit = deferred_at_exit
sys.argv = ["cgotrap", *sys.argv[1:]]
from cgotrap.cli.main import entry
entry()
"""


def test_the_console_script_forks_its_std_helper_before_it_uses_what_it_defers(
    tmp_path: Path, goroot: Path
) -> None:
    """The console script (`entry`) defers the standard-library modules its start imports
    without using them (`cli.deferred`): `inspect` (which `dataclasses` imports for the
    docstring of a record that has none), `ipaddress`, `bz2`, `lzma`, ... are not run before
    a cold std scan's helper forks; nor the judge's rules (`config` reads their severities
    only from a config file). The control: `string` is loaded once the run uses it (the
    findings' message templates); `inspect` is never used."""
    env = dict(os.environ, CGOTRAP_CACHE_DIR=str(tmp_path / "cache"))
    argv = ["scan", str(goroot / "src"), "std", "--targets", "all", "--format", "json"]
    done = subprocess.run(
        [sys.executable, "-c", _ENTRY_FORK, *argv],
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )
    assert done.returncode in (0, 1), done.stderr
    line, _, output = done.stdout.partition("\nFORK ")[2].partition("\n")
    words = set(line.split())
    assert "cgotrap.evaluate.directory" in words  # (the control: what the helper scans with)
    assert {"deferred:inspect", "deferred:ipaddress", "deferred:bz2", "deferred:lzma"} <= words
    # (go is asked its version by `toolchain._Query`, without subprocess)
    assert {"deferred:subprocess", "deferred:selectors"} <= words
    # (the helper's file of items found later is a memfd; `_can_fork` asks `_thread`)
    assert {"deferred:tempfile", "deferred:threading"} <= words
    assert "deferred:string" in words  # (the judge's: after the fork)
    # (the exact port's header reader and parser: no header of GOROOT std needs them)
    assert not {"cgotrap.read.goparse", "cgotrap.read.goread"} & words
    assert not {"cgotrap.judge.rules", "cgotrap.judge.finding"} & words
    assert json.loads(output)["version"]  # (the output is whole)
    at_exit = set(done.stderr.rpartition("\nEXIT ")[2].split())
    assert "deferred:string" not in at_exit  # (the control: loaded when used, after the fork)
    assert {"deferred:inspect", "deferred:ipaddress"} <= at_exit  # (never used)


_DEFERRED_AT_EXIT = """
import os, sys
real_exit = os._exit

def exit_(code):
    from cgotrap.cli import deferred
    waiting = [name for name in deferred.DEFERRED if deferred.is_deferred(name)]
    os.write(2, ("\\\\nDEFERRED " + " ".join(waiting) + "\\\\n").encode())
    real_exit(code)

os._exit = exit_
sys.argv = ["cgotrap", *sys.argv[1:]]
from cgotrap.cli.main import entry
entry()
"""


def test_a_scan_answered_from_the_cache_runs_no_process_nor_temporary_file_code(
    tmp_path: Path,
) -> None:
    """A warm scan replays its answer: `tempfile` stays deferred (and `subprocess`, which
    the cold run does not use either: go is asked its version through `os.posix_spawn`).
    The control: the cold run before it used `tempfile`."""
    root = _pure(tmp_path / "m")
    env = dict(os.environ, CGOTRAP_CACHE_DIR=str(tmp_path / "cache"))
    argv = ["scan", str(root), "--targets", "linux/amd64", "--format", "json"]
    runs = []
    for _ in range(2):
        done = subprocess.run(
            [sys.executable, "-c", _DEFERRED_AT_EXIT, *argv],
            capture_output=True,
            text=True,
            env=env,
            check=False,
        )
        assert done.returncode == 0, done.stderr
        runs.append((done.stdout, set(done.stderr.rpartition("\nDEFERRED ")[2].split())))
    (cold_output, cold), (warm_output, warm) = runs
    assert warm_output == cold_output
    assert "tempfile" not in cold
    assert "subprocess" in cold
    assert {"subprocess", "tempfile", "threading", "inspect"} <= warm


def test_the_console_script_decodes_the_port_table_once_per_installation(
    tmp_path: Path, goroot: Path
) -> None:
    """The port table comes from a snapshot kept beside the bytecode (`data.snapshots`):
    before a cold std scan's helper forks, the data decoder is not imported (nor `json`:
    what the decoder reads). The control: the first run, with no snapshot yet, decoded it."""
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    env["PYTHONPYCACHEPREFIX"] = str(tmp_path / "pyc")
    argv = ["scan", str(goroot / "src"), "std", "--targets", "all", "--format", "json"]
    outputs, forks = [], []
    for run in range(2):
        env["CGOTRAP_CACHE_DIR"] = str(tmp_path / f"cache-{run}")
        done = subprocess.run(
            [sys.executable, "-c", _ENTRY_FORK, *argv],
            capture_output=True,
            text=True,
            env=env,
            check=False,
        )
        assert done.returncode in (0, 1), done.stderr
        line, _, output = done.stdout.partition("\nFORK ")[2].partition("\n")
        forks.append(set(line.split()))
        outputs.append(output)
    assert outputs[0] == outputs[1]
    assert "cgotrap.data.decoder" in forks[0]
    assert "cgotrap.data.decoder" not in forks[1]
    assert "cgotrap.evaluate.directory" in forks[1]  # (the control: the fork is the helper's)
    assert list((tmp_path / "pyc").rglob("ports.json.*.snapshot"))
