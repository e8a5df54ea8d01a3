"""Ground truth for scan's verdicts: what the real `go build` does with each verdict fixture.

For every fixture (`tests/verdictfixtures.py`) × target × CGO_ENABLED the harness runs, in a
copy of the fixture:

- `go list -e -json=...` (which files, which cgo files, which dependencies go sees), then
- `go build` of each of the fixture's packages on its own (zig cc as CC for cgo=1, through
  cgotrap's own CC wrapper), recording go's exit status and error text, and
- on Linux targets, the built binaries of `run` packages: natively for amd64, under
  qemu-aarch64 for arm64, recording their output (where a stub's message shows).

Builds are slow the first time (zig builds a libc per target: ~90 s for windows), so the
table is cached on disk, keyed by the fixture's content, the harness version and the
versions of go and zig. `truth_verdict` derives the verdict a package × target must get
from go's results alone: the comparison test of scan is `scan's verdict == truth_verdict`.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import os
import shutil
import subprocess
import tempfile
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

from cgotrap import toolchain
from cgotrap.crossbuild import ccwrap, zigcc
from cgotrap.targets import Libc, Target
from tests import verdictfixtures
from tests.verdictfixtures import Fixture

HARNESS_VERSION = 4
"""Bumped when what the harness records changes (invalidates cached tables)."""

# (GOOS, GOARCH, libc, cgo modes). Ports without cgo get cgo=0 only: go would still try
# cgo there with CGO_ENABLED=1 ("cgo: unknown ptrSize for $GOARCH "wasm""), a target no one
# builds and cgotrap does not list.
_PORTS: tuple[tuple[str, str, Libc | None, tuple[bool, ...]], ...] = (
    ("linux", "amd64", Libc.GNU, (False, True)),
    ("linux", "amd64", Libc.MUSL, (False, True)),
    ("linux", "arm64", Libc.MUSL, (False, True)),
    ("darwin", "arm64", None, (False, True)),
    ("windows", "amd64", None, (False, True)),
    ("freebsd", "amd64", None, (False, True)),
    ("js", "wasm", None, (False,)),
    ("wasip1", "wasm", None, (False,)),
)
TARGETS: tuple[Target, ...] = tuple(
    Target(goos=goos, goarch=goarch, cgo=cgo, libc=libc)
    for goos, goarch, libc, modes in _PORTS
    for cgo in modes
)
"""Every target of the truth table: glibc and musl Linux (arm64 runs under qemu),
darwin/arm64, windows/amd64, freebsd/amd64 with cgo off and on, and two ports without cgo."""

_BUILD_TIMEOUT = 900.0
_RUN_TIMEOUT = 60.0
_MAX_TEXT = 4000


@dataclasses.dataclass(frozen=True, kw_only=True, slots=True)
class Listed:
    """What `go list` says of one package on one target."""

    name: str
    """The package clause ("main")."""
    go_files: tuple[str, ...]
    """GoFiles."""
    cgo_files: tuple[str, ...]
    """CgoFiles."""
    c_files: tuple[str, ...]
    """CFiles."""
    deps: tuple[str, ...]
    """Deps (import paths)."""
    error: str
    """Error.Err, "" if none."""


@dataclasses.dataclass(frozen=True, kw_only=True, slots=True)
class Cell:
    """What go did with one package of a fixture on one target."""

    fixture: str
    """The fixture's name."""
    target: str
    """`Target.name` ("linux/amd64-musl cgo=0")."""
    package: str
    """The import path."""
    exit_code: int
    """`go build`'s exit status (0: it builds)."""
    error: str
    """go's output when the build failed (paths relative to the module), else ""."""
    listed: Listed | None
    """`go list`'s view of the package on this target (None if go list did not list it)."""
    listed_with_cgo: Listed | None = None
    """For a cgo=0 target: `go list`'s view with CGO_ENABLED=1 on the same port (also on
    ports without cgo, where go lists but cannot build): the files cgo would bring."""
    run_exit: int | None = None
    """Exit status of the built binary, if it was run."""
    run_output: str | None = None
    """Its stdout and stderr, if it was run."""

    @property
    def builds(self) -> bool:
        """Whether `go build` succeeded."""
        return self.exit_code == 0


@dataclasses.dataclass(frozen=True, kw_only=True, slots=True)
class TruthTable:
    """All cells of one fixture."""

    fixture: str
    """The fixture's name."""
    cells: tuple[Cell, ...]
    """One per package × target."""

    def cell(self, target: Target, package: str) -> Cell:
        """The cell of `package` (an import path, or the fixture-relative dir) on `target`."""
        fixture = verdictfixtures.FIXTURES[self.fixture]
        full = (
            package if "." in package.split("/", maxsplit=1)[0] else f"{fixture.module}/{package}"
        )
        for cell in self.cells:
            if cell.target == target.name and cell.package == full:
                return cell
        raise KeyError(f"{self.fixture}: no cell for {full} on {target.name}")


def target(selector: str) -> Target:
    """The truth target named like `Target.name` ("linux/amd64-gnu cgo=1")."""
    for t in TARGETS:
        if t.name == selector:
            return t
    raise KeyError(selector)


# ---------------------------------------------------------------------------------------------
# Deriving the verdict from go's results


def truth_verdict(table: TruthTable, cell: Cell) -> str:
    """The verdict of `cell` as go's own results decide it.

    - `not-built`: the module has main packages and none of them, listed on this target,
      depends on the package (a library-only module makes every package a root);
    - `breaks`: `go build` of the package fails;
    - `degrades`: it builds, lost files compared to the same port with cgo on (or is a main
      reaching a fixture package that did: a main whose packages lose nothing without cgo
      cannot degrade for want of cgo, whatever it prints), and the run of a main that
      reaches it printed the fixture's degradation marker (the stub's message) on this
      target; where binaries cannot run here (darwin, windows,
      freebsd, wasm), on a Linux target with the same cgo mode where go compiles the same
      files for it and the fixture packages it depends on;
    - `cgo`: it builds and go lists cgo files for it;
    - `fallback`: it builds, and lost files compared with the same port with cgo on;
    - `pure` otherwise.
    """
    fixture = verdictfixtures.FIXTURES[table.fixture]
    same_target = [c for c in table.cells if c.target == cell.target]
    mains = [c for c in same_target if c.listed is not None and c.listed.name == "main"]
    is_main = cell.listed is not None and cell.listed.name == "main"
    if mains and not is_main and not any(_reaches(m, cell) for m in mains):
        return "not-built"
    if not cell.builds:
        return "breaks"
    lost = _lost_files(table, cell)
    if (
        fixture.marker
        and (lost or (is_main and _deps_lost(table, cell)))
        and _degrades(table, cell, fixture.marker)
    ):
        return "degrades"
    if cell.listed is not None and cell.listed.cgo_files:
        return "cgo"
    if lost:
        return "fallback"
    return "pure"


def _deps_lost(table: TruthTable, cell: Cell) -> bool:
    """A fixture package `cell` depends on lost files here compared to cgo on."""
    deps = set(cell.listed.deps) if cell.listed else set()
    return any(
        c.target == cell.target and c.package in deps and _lost_files(table, c) for c in table.cells
    )


def _reaches(main: Cell, cell: Cell) -> bool:
    return main.package == cell.package or (
        main.listed is not None and cell.package in main.listed.deps
    )


def _shows(table: TruthTable, cell: Cell, marker: str) -> bool | None:
    """Whether a run of a main reaching `cell` on its target printed `marker` (None: no
    main reaching it was run there)."""
    runs = [
        c
        for c in table.cells
        if c.target == cell.target and c.run_output is not None and _reaches(c, cell)
    ]
    if not runs:
        return None
    return any(marker in (c.run_output or "") for c in runs)


def _signature(table: TruthTable, cell: Cell) -> tuple[tuple[str, tuple[str, ...]], ...]:
    """The files go compiles for `cell` and for the fixture's packages it depends on."""
    deps = set(cell.listed.deps) if cell.listed else set()
    out = []
    for c in table.cells:
        if c.target == cell.target and (c.package == cell.package or c.package in deps):
            files = (*c.listed.go_files, *c.listed.cgo_files) if c.listed else ()
            out.append((c.package, tuple(sorted(files))))
    return tuple(sorted(out))


def _degrades(table: TruthTable, cell: Cell, marker: str) -> bool:
    """The run shows the marker; where no run is possible (not Linux), a run on a Linux
    target with the same cgo mode and the same files showed it."""
    seen = _shows(table, cell, marker)
    if seen is not None:
        return seen
    mode = cell.target.rpartition(" ")[2]
    mine = _signature(table, cell)
    for other in table.cells:
        if (
            other.package == cell.package
            and other.target != cell.target
            and other.target.endswith(mode)
            and other.builds
            and _shows(table, other, marker)
            and _signature(table, other) == mine
        ):
            return True
    return False


def _lost_files(table: TruthTable, cell: Cell) -> frozenset[str]:
    """Go and cgo files the package has on the same port with cgo on, but not here."""
    del table
    if cell.listed is None or cell.listed_with_cgo is None:
        return frozenset()
    mine = {*cell.listed.go_files, *cell.listed.cgo_files}
    return frozenset({*cell.listed_with_cgo.go_files, *cell.listed_with_cgo.cgo_files} - mine)


# ---------------------------------------------------------------------------------------------
# Running go


def cache_root() -> Path:
    """Where truth tables are cached: $CGOTRAP_TEST_CACHE, else $XDG_CACHE_HOME/cgotrap-tests."""
    explicit = os.environ.get("CGOTRAP_TEST_CACHE")
    if explicit:
        return Path(explicit)
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "cgotrap-tests"


def _key(fixture: Fixture) -> str:
    material = {
        "harness": HARNESS_VERSION,
        "fixture": fixture.digest(),
        "targets": [t.name for t in TARGETS],
        "go": toolchain.version("go"),
        "zig": toolchain.version("zig"),
        "ccwrap": hashlib.sha256(Path(ccwrap.__file__).read_bytes()).hexdigest(),
    }
    return hashlib.sha256(json.dumps(material, sort_keys=True).encode()).hexdigest()[:24]


def truth(name: str, *, cache: Path | None = None) -> TruthTable:
    """The truth table of fixture `name` (from the cache when its inputs are unchanged)."""
    fixture = verdictfixtures.FIXTURES[name]
    folder = (cache or cache_root()) / "verdict-truth"
    path = folder / f"{name}-{_key(fixture)}.json"
    try:
        return _decode(json.loads(path.read_text()))
    except (OSError, ValueError, KeyError, TypeError):
        pass
    table = build_truth(fixture)
    folder.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(f".{os.getpid()}.tmp")
    tmp.write_text(json.dumps(dataclasses.asdict(table), indent=1))
    tmp.replace(path)
    return table


def build_truth(fixture: Fixture, targets: Sequence[Target] = TARGETS) -> TruthTable:
    """Build (and run) every package of `fixture` on every target; no cache."""
    go = toolchain.require("go")
    zig = toolchain.find("zig")
    cells: list[Cell] = []
    with tempfile.TemporaryDirectory(prefix="verdict-truth-") as tmp:
        root = verdictfixtures.write(Path(tmp), fixture.name)
        for t in targets:
            cells.extend(_cells(fixture, root, t, go.path, zig.path if zig else None))
    return TruthTable(fixture=fixture.name, cells=tuple(cells))


def _env(t: Target, zig: Path | None) -> dict[str, str]:
    env = toolchain.go_env()
    env.update(
        GOOS=t.goos,
        GOARCH=t.goarch,
        CGO_ENABLED=str(int(t.cgo)),
        GOFLAGS="-mod=mod",
        GOTOOLCHAIN="local",
        GOPROXY="off",
        GOWORK="off",
    )
    for name in ("CC", "CXX", "CGO_CFLAGS", "CGO_LDFLAGS"):
        env.pop(name, None)
    if t.cgo and zig is not None:
        triple, _ = zigcc.triple_for(t)
        if triple is not None:
            env["CC"] = zigcc.cc_command(str(zig), triple)
            env["CXX"] = zigcc.cc_command(str(zig), triple, cxx=True)
    return env


def _relative(text: str, root: Path) -> str:
    text = text.replace(str(root) + os.sep, "").replace(str(root), ".")
    return text if len(text) <= _MAX_TEXT else text[:_MAX_TEXT] + "…"


def _list(root: Path, go: Path, env: Mapping[str, str]) -> dict[str, Listed]:
    done = subprocess.run(
        [
            str(go),
            "list",
            "-e",
            "-json=ImportPath,Name,GoFiles,CgoFiles,CFiles,Deps,Error",
            "./...",
        ],
        cwd=root,
        env=dict(env),
        capture_output=True,
        text=True,
        timeout=_BUILD_TIMEOUT,
        check=False,
    )
    out: dict[str, Listed] = {}
    for raw in _json_stream(done.stdout):
        error = raw.get("Error") or {}
        out[str(raw["ImportPath"])] = Listed(
            name=str(raw.get("Name", "")),
            go_files=tuple(raw.get("GoFiles") or ()),
            cgo_files=tuple(raw.get("CgoFiles") or ()),
            c_files=tuple(raw.get("CFiles") or ()),
            deps=tuple(raw.get("Deps") or ()),
            error=str(error.get("Err", "")) if isinstance(error, dict) else "",
        )
    return out


def _json_stream(text: str) -> Iterator[dict[str, Any]]:
    decoder = json.JSONDecoder()
    pos = 0
    while True:
        while pos < len(text) and text[pos].isspace():
            pos += 1
        if pos >= len(text):
            return
        value, pos = decoder.raw_decode(text, pos)
        if isinstance(value, dict):
            yield value


def _cells(fixture: Fixture, root: Path, t: Target, go: Path, zig: Path | None) -> list[Cell]:
    env = _env(t, zig)
    listed = _list(root, go, env)
    with_cgo = _list(root, go, {**env, "CGO_ENABLED": "1"}) if not t.cgo else {}
    out: list[Cell] = []
    bindir = root.parent / "bin" / t.name.replace("/", "_").replace(" ", "_")
    bindir.mkdir(parents=True, exist_ok=True)
    for package in fixture.packages:
        path = fixture.import_path(package)
        binary = bindir / (package.dir.replace("/", "_") + (".exe" if t.goos == "windows" else ""))
        argv = [str(go), "build"]
        if package.main:
            # Not for other packages: -buildmode=exe ignores packages not named main.
            argv += [f"-buildmode={package.buildmode}", "-o", str(binary)]
        argv.append("./" + package.dir)
        done = subprocess.run(
            argv,
            cwd=root,
            env=env,
            capture_output=True,
            text=True,
            timeout=_BUILD_TIMEOUT,
            check=False,
        )
        run_exit, run_output = None, None
        if done.returncode == 0 and package.run:
            run_exit, run_output = _run(binary, t)
        out.append(
            Cell(
                fixture=fixture.name,
                target=t.name,
                package=path,
                exit_code=done.returncode,
                error=_relative(done.stderr + done.stdout, root) if done.returncode else "",
                listed=listed.get(path),
                listed_with_cgo=with_cgo.get(path),
                run_exit=run_exit,
                run_output=run_output,
            )
        )
    return out


def _runner(t: Target) -> list[str] | None:
    """How this machine runs a Linux binary of `t` (None: it cannot)."""
    if t.goos != "linux":
        return None
    if t.goarch == "amd64":
        return []
    qemu = zigcc.zig_table().qemu_user.get(t.goarch)
    path = shutil.which(qemu) if qemu else None
    return [path] if path else None


def _run(binary: Path, t: Target) -> tuple[int | None, str | None]:
    prefix = _runner(t)
    if prefix is None or not binary.is_file():
        return None, None
    try:
        done = subprocess.run(
            [*prefix, str(binary)],
            capture_output=True,
            text=True,
            timeout=_RUN_TIMEOUT,
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        return -1, f"cannot run: {exc}"
    return done.returncode, (done.stdout + done.stderr)[:_MAX_TEXT]


def _listed(raw: Mapping[str, Any] | None) -> Listed | None:
    if raw is None:
        return None
    return Listed(
        name=raw["name"],
        go_files=tuple(raw["go_files"]),
        cgo_files=tuple(raw["cgo_files"]),
        c_files=tuple(raw["c_files"]),
        deps=tuple(raw["deps"]),
        error=raw["error"],
    )


def _decode(raw: Mapping[str, Any]) -> TruthTable:
    cells = [
        Cell(
            fixture=c["fixture"],
            target=c["target"],
            package=c["package"],
            exit_code=int(c["exit_code"]),
            error=c["error"],
            listed=_listed(c.get("listed")),
            listed_with_cgo=_listed(c.get("listed_with_cgo")),
            run_exit=c.get("run_exit"),
            run_output=c.get("run_output"),
        )
        for c in raw["cells"]
    ]
    return TruthTable(fixture=raw["fixture"], cells=tuple(cells))
