"""Run go build / vet / test for every target × CGO mode, in parallel, and judge the output.

For each target the runner runs, in its own process group and under one deadline:

1. `go list -e PACKAGES`, then `go build -o RESULTS/<target>/bin/ MAINS` (outputs never
   land in the project tree) and `go build OTHERS` for the packages no main imports;
   packages go cannot load are reported from the list: one package's failure never hides
   another's, and libraries are compiled too (`MatrixRunner._build`);
2. with `vet`: `go vet PACKAGES`;
3. with `test`: `go test -json -vet=off [-exec qemu-ARCH] PACKAGES` where the binaries can
   run here (native Linux, or foreign Linux under Debian's qemu-user), else
   `go test -c -o RESULTS/<target>/test/ PACKAGES` (compiled, not run: CGO113).

Every command gets `-tags` (`--tags` plus the variant's: each `--variant netgo,osusergo`
runs the same targets again with those tags added) and never writes into the project:
a `-mod=mod` in GOFLAGS (or `go env -w GOFLAGS`) becomes `-mod=readonly` (`_readonly_goflags`).

CGO_ENABLED=1 builds use `zig cc -target TRIPLE` through `cgotrap.crossbuild.zigcc` unless the
project names a CC for the target. Go's build cache and zig's global cache are shared, and
a target whose inputs (project files, tools, target, steps, environment) are unchanged
since its last run reuses that run's result from the results folder: a re-run with nothing
changed runs no go command at all.

A timeout, `cancel()`, or SIGINT/SIGTERM/SIGHUP during `run` kills the whole process group
of every running command (go, compile, cgo, zig, qemu, test binaries and what they started),
so nothing is left; go's temporary folders (GOTMPDIR) are inside the target's results
folder and removed when the target ends.
"""

from __future__ import annotations

import concurrent.futures
import contextlib
import dataclasses
import hashlib
import json
import os
import platform
import shlex
import shutil
import signal
import subprocess
import tempfile
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

from cgotrap import __version__, toolchain
from cgotrap.crossbuild import ccwrap, zigcc
from cgotrap.crossbuild.config import MatrixConfig
from cgotrap.crossbuild.gocmd import json_stream as _json_stream
from cgotrap.crossbuild.gocmd import readonly_goflags as _readonly_goflags
from cgotrap.crossbuild.results import (
    FAILING,
    MatrixReport,
    Outcome,
    Step,
    StepResult,
    TargetResult,
)
from cgotrap.discover.project import refuse_special_control_files
from cgotrap.errors import InputError, OutputError, StoppedBySignal, ToolchainMissingError
from cgotrap.host import host_goarch
from cgotrap.inputs import read_regular
from cgotrap.judge.buildfail import classify, evidence, failed_tests, unclassified
from cgotrap.judge.finding import Finding
from cgotrap.judge.rules import get
from cgotrap.targets import Libc, Target, by_port, port_table

_ENV_THAT_MATTERS = (
    # Environment a build depends on beyond the project's files (part of the cache key).
    "CGO_CFLAGS",
    "CGO_CPPFLAGS",
    "CGO_CXXFLAGS",
    "CGO_FFLAGS",
    "CGO_LDFLAGS",
    "CGO_CFLAGS_ALLOW",
    "CGO_LDFLAGS_ALLOW",
    "GOFLAGS",
    "GOEXPERIMENT",
    "GOWORK",
    "MACOSX_DEPLOYMENT_TARGET",
    "PKG_CONFIG_PATH",
    "PKG_CONFIG_LIBDIR",
    "PKG_CONFIG_SYSROOT_DIR",
)
_MAX_TREE_FILES = 200_000
_MAX_RESULT_BYTES = 16 << 20  # a result.json we wrote is a few KiB
_GOTMPDIR = "tmp"
"""A target's GOTMPDIR, inside its results folder."""
_CCWRAP_DIGEST = hashlib.sha256(Path(ccwrap.__file__).read_bytes()).hexdigest()
"""A change to the CC wrapper's flag rules changes every zig build's result."""
_CACHE_FORMAT = 2
_MAX_LIST_BYTES = 64 << 20
"""Bound on `go list -e -json` output read to find packages go cannot load."""


@dataclasses.dataclass(frozen=True, kw_only=True, slots=True)
class MatrixOptions:
    """What to run and how."""

    root: Path
    """The Go module (or workspace) directory: go runs there; never written."""
    packages: tuple[str, ...] = ("./...",)
    """Package patterns."""
    steps: tuple[Step, ...] = (Step.BUILD,)
    """Steps per target; BUILD always first."""
    results_dir: Path
    """Per-target logs, binaries and the reuse cache."""
    jobs: int = 0
    """Targets at once; 0 = number of CPUs."""
    timeout: float = 600.0
    """Seconds per target (all its steps)."""
    glibc: str | None = None
    """glibc version pin for gnu targets without their own (`--glibc 2.17`); None: zig's
    default (`zigcc.zig_table().default_glibc`)."""
    macos_min: str | None = None
    """Minimum macOS of darwin cgo builds (`--macos-min 11.0`); None: zig's default."""
    variants: tuple[tuple[str, ...], ...] = ((),)
    """Tag sets added to `tags`, each a full run of the targets; () is the base build."""
    config: MatrixConfig = dataclasses.field(default_factory=MatrixConfig)
    """Per-target CC and allowed failures."""
    reuse: bool = True
    """Reuse a target's previous result when nothing changed."""
    tags: tuple[str, ...] = ()
    """Build tags for every go command (`-tags`; `[build] tags` of `.cgotrap.toml`); each
    variant's are added to them."""
    buildmode: str = "default"
    """`-buildmode` of `go build` (`[build] buildmode`); "default" passes none."""


_STOP_SIGNALS = tuple(
    getattr(signal, name) for name in ("SIGINT", "SIGTERM", "SIGHUP") if hasattr(signal, name)
)
"""Signals that stop a matrix: every child process group is killed first (`cancel`)."""

Progress = Callable[[Target, tuple[str, ...], str], None]
"""Called from worker threads with a target, its variant's tags (() for the base build) and
its state ("queued", "build", "pass"...): one line per (target, variant)."""


def default_results_dir(root: Path) -> Path:
    """`$XDG_CACHE_HOME/cgotrap/matrix/<dir name>-<hash of its path>`: never in the project."""
    base = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    digest = hashlib.sha256(str(root.resolve()).encode()).hexdigest()[:12]
    return base / "cgotrap" / "matrix" / f"{root.resolve().name}-{digest}"


def slug(target: Target, variant: tuple[str, ...] = ()) -> str:
    """A directory name for a target (and variant): "linux-amd64-musl-cgo1",
    "linux-amd64-cgo0+netgo+osusergo"."""
    base = target.name.replace("/", "-").replace(" cgo=", "-cgo")
    return "+".join((base, *variant))


def tree_fingerprint(root: Path, *, skip: Path | None = None) -> str:
    """A digest of every file's path, size and mtime under `root` (bounded; .git skipped)."""
    digest = hashlib.sha256()
    count = 0
    skip_resolved = skip.resolve() if skip is not None else None
    for dirpath, dirnames, filenames in os.walk(root):
        here = Path(dirpath)
        dirnames[:] = sorted(
            d for d in dirnames if d != ".git" and (here / d).resolve() != skip_resolved
        )
        for name in sorted(filenames):
            count += 1
            if count > _MAX_TREE_FILES:
                digest.update(b"...truncated")
                return digest.hexdigest()
            path = here / name
            try:
                st = path.stat()
            except OSError:
                continue
            rel = path.relative_to(root).as_posix()
            # (a name that is not UTF-8 is a surrogate escape: hash its bytes as they are)
            line = f"{rel}\0{st.st_size}\0{st.st_mtime_ns}\n"
            digest.update(line.encode("utf-8", "surrogateescape"))
    return digest.hexdigest()


@dataclasses.dataclass(frozen=True, kw_only=True, slots=True)
class _TestPlan:
    runnable: bool
    exec_prog: str | None
    why_not: str
    missing: str = ""
    """The qemu-user program the tests would run under, when it is not installed."""


_COMPAT_NATIVE = frozenset({("amd64", "386"), ("arm64", "arm")})
"""(host GOARCH, target GOARCH) pairs a Linux host runs without emulation (32-bit compat)."""


def plan_tests(target: Target, *, which: Callable[[str], str | None] = shutil.which) -> _TestPlan:
    """Whether `target`'s test binaries can run here, and how (natively or with qemu-user)."""
    if platform.system() != "Linux" or target.goos != "linux":
        return _TestPlan(
            runnable=False,
            exec_prog=None,
            why_not=f"compiled the tests but cannot run {target.goos} binaries on this host",
        )
    if target.goarch == host_goarch():
        return _TestPlan(runnable=True, exec_prog=None, why_not="")
    if (host_goarch(), target.goarch) in _COMPAT_NATIVE:
        # The host kernel runs these directly (qemu-i386 crashes static musl cgo binaries
        # that run fine natively); a dynamic glibc binary needs the 32-bit glibc, though.
        if target.cgo and target.libc is not Libc.MUSL:
            return _TestPlan(
                runnable=False,
                exec_prog=None,
                why_not=(
                    f"compiled the tests, but a {target.goarch} cgo test binary linked to a "
                    f"dynamic glibc needs that glibc installed: use {target.port}-musl "
                    "(static) to run cgo tests"
                ),
            )
        return _TestPlan(runnable=True, exec_prog=None, why_not="")
    qemu = zigcc.zig_table().qemu_user.get(target.goarch)
    found = which(qemu) if qemu else None
    if found is None:
        return _TestPlan(
            runnable=False,
            exec_prog=None,
            why_not=(
                f"compiled the tests but could not run them: apt-get install qemu-user "
                f"(needs {qemu or 'qemu for ' + target.goarch})"
            ),
            missing=qemu or f"qemu for {target.goarch}",
        )
    if target.cgo and target.libc is not Libc.MUSL:
        return _TestPlan(
            runnable=False,
            exec_prog=None,
            why_not=(
                f"compiled the tests, but a cgo test binary linked to a dynamic glibc cannot "
                f"run under {qemu} without that architecture's glibc: use "
                f"{target.port}-musl (static) to run cgo tests"
            ),
        )
    return _TestPlan(runnable=True, exec_prog=found, why_not="")


def missing_tools(
    targets: Sequence[Target],
    options: MatrixOptions,
    *,
    which: Callable[[str], str | None] = shutil.which,
) -> list[str]:
    """What to install before `targets` can run as asked: a `--cc` compiler that does not
    exist, qemu-user for tests that would run under it. One line each; [] when all is there."""
    missing: dict[str, None] = {}
    for target in targets:
        cc = options.config.cc_for(target) if target.cgo else None
        if cc is not None:
            words = shlex.split(cc) or [cc]
            if which(words[0]) is None:
                missing[
                    f"{words[0]} not found (the C compiler named for {target.port}): install "
                    f"it, or name another with --cc {target.port}=CC"
                ] = None
        if Step.TEST not in options.steps:
            continue
        plan = plan_tests(target, which=which)
        if plan.missing and not (target.cgo and target.libc is not Libc.MUSL):
            # (a cgo test on dynamic glibc would not run under qemu anyway: CGO113 says so)
            missing[
                f"{plan.missing} not found, and the {target.port} tests run under it: "
                "apt-get install qemu-user (or leave out --test or that target)"
            ] = None
    return list(missing)


def _note(target: Target, text: str) -> Finding:
    return get("CGO113").finding(targets=(target,), step=Step.TEST, reason=text)


class MatrixRunner:
    """Runs one matrix; `cancel()` (from another thread) stops every child process."""

    def __init__(self, options: MatrixOptions, *, progress: Progress | None = None) -> None:
        self.options = options
        self._progress = progress
        self._live: dict[int, subprocess.Popen[bytes]] = {}
        self._lock = threading.Lock()
        self._cancelled = threading.Event()
        self._go = toolchain.require("go")
        self._zig: toolchain.Tool | None = None
        self._tree = ""
        self._goflags: str | None = None

    # --- the public API ------------------------------------------------------------------

    def run(self, targets: Sequence[Target]) -> MatrixReport:
        """Run every target (parallel), return the report; Ctrl-C cancels and re-raises."""
        options = self.options
        root = options.root.resolve()
        refuse_special_control_files(root)  # a FIFO go.sum would hang every go command
        if not (root / "go.mod").is_file() and not (root / "go.work").is_file():
            raise InputError(f"{root}: no go.mod or go.work here (not a Go module root)")
        if any(self._needs_zig(t) for t in targets):
            self._zig = toolchain.find("zig")
            if self._zig is None:
                raise ToolchainMissingError(
                    "zig not found on PATH or in PyPI packages, and CGO_ENABLED=1 targets "
                    "need it as the cross C compiler: pip install ziglang (or "
                    "'cgotrap[toolchains]'), or use --cgo 0, or --cc PORT=CC"
                )
        missing = missing_tools(targets, options)
        if missing:
            raise ToolchainMissingError("; ".join(missing))
        results = options.results_dir
        try:
            results.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise InputError(f"{results}: cannot create the results folder: {exc}") from exc
        self._tree = tree_fingerprint(root, skip=results)
        self._goflags = self._fixed_goflags(root)
        runs = [(t, v) for v in options.variants for t in targets]
        for target, variant in runs:
            self._emit(target, variant, "queued")
        jobs = options.jobs or os.cpu_count() or 1
        out: dict[int, TargetResult] = {}
        pool = concurrent.futures.ThreadPoolExecutor(max_workers=jobs)
        interrupted = threading.Event()
        received: list[int] = []

        def on_signal(signum: int, _frame: object) -> None:
            # Only flag and kill here: a KeyboardInterrupt raised inside
            # concurrent.futures.wait can leave a future's lock held, and the pool's
            # shutdown then waits forever for a worker blocked on it (seen once under load).
            received.append(signum)
            interrupted.set()
            self.cancel()

        in_main = threading.current_thread() is threading.main_thread()
        previous = {signum: signal.signal(signum, on_signal) for signum in _STOP_SIGNALS if in_main}

        # A port's runs go in turn (ports in parallel): they reuse go's build cache, and no
        # two go commands build the same actions at once (go vet raced: golang/go#77116).
        def run_port(indices: list[int]) -> list[tuple[int, TargetResult]]:
            return [(i, self._run_target(*runs[i])) for i in indices]

        try:
            futures = [pool.submit(run_port, ii) for ii in by_port([t for t, _ in runs])]
            pending = set(futures)
            while pending and not interrupted.is_set():
                # Short waits keep the main thread responsive to Ctrl-C.
                done, pending = concurrent.futures.wait(pending, timeout=0.2)
                for future in done:
                    out.update(future.result())
        except BaseException:
            self.cancel()
            pool.shutdown(wait=True, cancel_futures=True)
            raise
        finally:
            for signum, handler in previous.items():
                signal.signal(signum, handler)
        if interrupted.is_set():
            pool.shutdown(wait=True, cancel_futures=True)  # every process group is gone
            if received[0] == signal.SIGINT:
                raise KeyboardInterrupt
            raise StoppedBySignal(received[0])
        pool.shutdown(wait=True)
        table = zigcc.zig_table()
        return MatrixReport(
            targets=tuple(out[i] for i in range(len(runs))),
            steps=options.steps,
            packages=options.packages,
            go_version=toolchain.version("go") or "",
            zig_version=(toolchain.version("zig") or "") if self._zig else "",
            results_dir=str(results),
            tags=options.tags,
            variants=options.variants,
            glibc=options.glibc or table.default_glibc,
            glibc_pinned=options.glibc is not None,
            macos_min=options.macos_min or table.default_macos,
            macos_min_pinned=options.macos_min is not None,
        )

    def cancel(self) -> None:
        """Stop: kill the process group of every running command; queued targets do not start."""
        self._cancelled.set()
        with self._lock:
            procs = list(self._live.values())
        for proc in procs:
            _kill_group(proc)

    def _fixed_goflags(self, root: Path) -> str | None:
        """GOFLAGS for every go command when go's own (environment or `go env -w`) has
        `-mod=mod`: the same with `-mod=readonly`; None when they are fine as they are."""
        argv = [str(self._go.path), "env", "GOFLAGS"]
        deadline = time.monotonic() + min(self.options.timeout, 60.0)
        code, out, timed_out = self._execute(argv, toolchain.go_env(), root, deadline)
        current = out.strip() if code == 0 and not timed_out else ""
        fixed = _readonly_goflags(current)
        return fixed if fixed != current else None

    # --- one target ----------------------------------------------------------------------

    def _needs_zig(self, target: Target) -> bool:
        if not target.cgo or self.options.config.cc_for(target) is not None:
            return False
        triple, _ = zigcc.triple_for(target, self.options.glibc, self.options.macos_min)
        return triple is not None

    def _emit(self, target: Target, variant: tuple[str, ...], state: str) -> None:
        if self._progress is not None:
            self._progress(target, variant, state)

    def _cc(self, target: Target) -> tuple[dict[str, str], str, str]:
        """(CC/CXX environment, display string, why cgo cannot build: "" if it can)."""
        if not target.cgo:
            return {}, "", ""
        user = self.options.config.cc_for(target)
        if user is not None:
            return {"CC": user}, user, ""
        triple, why = zigcc.triple_for(target, self.options.glibc, self.options.macos_min)
        if triple is None or self._zig is None:
            return {}, "", why or "zig is not available"
        zig = str(self._zig.path)
        env = {
            "CC": zigcc.cc_command(zig, triple),
            "CXX": zigcc.cc_command(zig, triple, cxx=True),
        }
        if target.goos == "darwin" and self.options.macos_min:
            # What Apple's tools read; zig takes the version from the triple.
            env["MACOSX_DEPLOYMENT_TARGET"] = self.options.macos_min
        return env, f"zig cc -target {triple}", ""

    def _tags(self, variant: tuple[str, ...]) -> tuple[str, ...]:
        """`--tags` then the variant's, each once."""
        return tuple(dict.fromkeys((*self.options.tags, *variant)))

    def _key(
        self, target: Target, variant: tuple[str, ...], cc_display: str, test: _TestPlan | None
    ) -> str:
        # ... and the architecture level variables (GOAMD64, GOARM, ...: ports.json)
        levels = sorted({arch.env for arch in port_table().arch_levels.values()})
        env = {k: os.environ.get(k, "") for k in (*_ENV_THAT_MATTERS, *levels)}
        material = {
            "format": _CACHE_FORMAT,
            "cgotrap": __version__,
            "tree": self._tree,
            "target": target.name,
            "tags": list(self._tags(variant)),
            "goflags": self._goflags,
            "steps": [s.value for s in self.options.steps],
            "packages": list(self.options.packages),
            "buildmode": self.options.buildmode,
            "go": str(self._go.path),
            "go_version": toolchain.version("go"),
            "zig_version": toolchain.version("zig") if cc_display.startswith("zig") else "",
            "cc": cc_display,
            "ccwrap": _CCWRAP_DIGEST if cc_display.startswith("zig") else "",
            "env": env,
            "test": dataclasses.asdict(test) if test is not None else None,
            "pkg-config": shutil.which("pkg-config") or "",
        }
        return hashlib.sha256(json.dumps(material, sort_keys=True).encode()).hexdigest()

    def _run_target(self, target: Target, variant: tuple[str, ...] = ()) -> TargetResult:
        tdir = self.options.results_dir / slug(target, variant)
        tags = self._tags(variant)
        try:
            done = self._run_target_inner(target, variant)
            return dataclasses.replace(done, variant=variant, tags=tags)
        except OSError as exc:
            # The results folder cannot be written (a file where the target's folder
            # should be, a full disk): an input/output error of cgotrap's, not the build's.
            where = os.fsdecode(exc.filename) if exc.filename is not None else str(tdir)
            raise OutputError(
                f"{where}: cannot keep {target.name}'s results: {exc.strerror or exc}"
            ) from exc
        finally:
            # go's own temporary folders (GOTMPDIR, see _run_target_inner): a killed go
            # leaves its go-build* folders behind.
            shutil.rmtree(tdir / _GOTMPDIR, ignore_errors=True)

    def _run_target_inner(self, target: Target, variant: tuple[str, ...]) -> TargetResult:
        options = self.options
        allowed = options.config.allowed_to_fail(target)
        if self._cancelled.is_set():
            return TargetResult(
                target=target,
                steps=(StepResult(step=Step.BUILD, outcome=Outcome.CANCELLED),),
                allowed_to_fail=allowed,
            )
        cc_env, cc_display, why = self._cc(target)
        if why:
            self._emit(target, variant, Outcome.SKIPPED.value)
            note = get("CGO117").finding(
                targets=(target,), step=Step.BUILD, port=target.port, why=why
            )
            return TargetResult(
                target=target,
                steps=(StepResult(step=Step.BUILD, outcome=Outcome.SKIPPED, findings=(note,)),),
                allowed_to_fail=allowed,
            )
        test = plan_tests(target) if Step.TEST in options.steps else None
        tdir = options.results_dir / slug(target, variant)
        key = self._key(target, variant, cc_display, test)
        if options.reuse:
            previous = _load_cached(tdir, key, target)
            if previous is not None:
                result = dataclasses.replace(previous, allowed_to_fail=allowed, cached=True)
                self._emit(target, variant, result.outcome.value)
                return result
        shutil.rmtree(tdir, ignore_errors=True)
        tdir.mkdir(parents=True, exist_ok=True)
        (tdir / _GOTMPDIR).mkdir()
        env = toolchain.go_env()
        env.update(GOOS=target.goos, GOARCH=target.goarch, CGO_ENABLED=str(int(target.cgo)))
        # go's work folders (go-build*, test binaries) inside the results folder, removed
        # when the target ends, also after a timeout or a signal killed go (never in $TMPDIR)
        env["GOTMPDIR"] = str(tdir / _GOTMPDIR)
        env.update(cc_env)
        if self._goflags is not None:
            env["GOFLAGS"] = self._goflags
        deadline = time.monotonic() + options.timeout
        steps: list[StepResult] = []
        failed = False
        for step in options.steps:
            if failed:
                steps.append(StepResult(step=step, outcome=Outcome.SKIPPED))
                continue
            self._emit(target, variant, step.value)
            done = self._run_step(
                target, step, env, tdir, deadline=deadline, test=test, variant=variant
            )
            steps.append(done)
            failed = done.outcome in FAILING
        result = TargetResult(
            target=target, steps=tuple(steps), cc=cc_display, allowed_to_fail=allowed
        )
        if result.outcome not in (Outcome.TIMEOUT, Outcome.CANCELLED):
            _store_cached(tdir, key, result)
        self._emit(target, variant, result.outcome.value)
        return result

    def _command(
        self,
        step: Step,
        tdir: Path,
        remaining: float,
        test: _TestPlan | None,
        tags: tuple[str, ...],
    ) -> list[str]:
        """The go command of `step`, without the package arguments (`_build` adds them)."""
        go = str(self._go.path)
        tag_args = [f"-tags={','.join(tags)}"] if tags else []
        mode = self.options.buildmode
        buildmode = [f"-buildmode={mode}"] if mode != "default" else []
        match step:
            case Step.BUILD:
                out = str(tdir / "bin") + os.sep
                return [go, "build", *tag_args, *buildmode, "-o", out]
            case Step.VET:
                return [go, "vet", *tag_args]
            case Step.TEST:
                if test is None or not test.runnable:
                    out = str(tdir / "test") + os.sep
                    return [go, "test", *tag_args, "-c", "-vet=off", "-o", out]
                exec_args = ["-exec", test.exec_prog] if test.exec_prog else []
                # go's own test timeout fires a little before ours, so its panic names the
                # hung test; ours (killing the process group) stays the backstop.
                seconds = max(1, int(remaining) - 5)
                return [
                    go,
                    "test",
                    *tag_args,
                    "-json",
                    "-vet=off",
                    *exec_args,
                    f"-timeout={seconds}s",
                ]

    def _build(
        self,
        build: list[str],
        env: Mapping[str, str],
        deadline: float,
        tags: tuple[str, ...],
    ) -> tuple[list[list[str]], int, str, bool]:
        """Build every package of the patterns: (commands run, exit code, output, timed out).

        `go build -o DIR/ PATTERNS` alone hides failures three ways: it stops at the first
        package it cannot load (a missing import) before compiling any other; it writes
        main packages only and never compiles a package no main imports; and for a library
        it refuses ("no main packages to build"). So `go list -e` comes first: packages
        with load errors are reported as go reports them (`pos: error`), the main
        packages that load are built with `-o` (binaries into the results folder), and the
        other packages that load and no main needs are compiled without output.
        """
        root = self.options.root.resolve()
        patterns = list(self.options.packages)
        tag_args = [f"-tags={','.join(tags)}"] if tags else []
        fields = "-json=ImportPath,Name,Error,DepsErrors,Deps"
        argv = [build[0], "list", "-e", *tag_args, fields, *patterns]
        code, listed, timed_out = self._execute(argv, env, root, deadline)
        if timed_out:
            return [argv], code, listed, True
        packages = _json_stream(listed) if len(listed) <= _MAX_LIST_BYTES else []
        if code != 0 or not packages:
            # go cannot even list them (a bad go.mod, no package matched): its build says why.
            return [build + patterns], *self._execute(build + patterns, env, root, deadline)
        load_errors: dict[tuple[str, str], None] = {}
        mains: list[str] = []
        others: list[str] = []
        needed: set[str] = set()
        for package in packages:
            errors = [package.get("Error"), *(package.get("DepsErrors") or ())]
            errors = [e for e in errors if isinstance(e, dict)]
            for error in errors:
                load_errors[str(error.get("Pos") or ""), str(error.get("Err") or "")] = None
            path = str(package.get("ImportPath", ""))
            if errors:
                continue
            if package.get("Name") == "main":
                mains.append(path)
                needed.update(str(d) for d in package.get("Deps") or ())
            else:
                others.append(path)
        broken = bool(load_errors)
        unbuilt = [p for p in others if p not in needed]
        out_at = build.index("-o")
        commands: list[list[str]] = []
        if mains:
            commands.append(build + (mains if broken else patterns))
        if unbuilt:
            # (no -buildmode either: c-shared, c-archive, plugin... take main packages only)
            plain = [a for a in build[:out_at] + build[out_at + 2 :] if "-buildmode=" not in a]
            commands.append(plain + (patterns if not mains and not broken else unbuilt))
        output = "".join(f"{pos}: {err}\n" if pos else f"{err}\n" for pos, err in load_errors)
        failed = broken
        for command in commands:
            code, said, timed_out = self._execute(command, env, root, deadline)
            output += said
            failed = failed or code != 0
            if timed_out or self._cancelled.is_set():
                return commands, code, output, timed_out
        return commands or [argv], int(failed), output, False

    def _run_step(
        self,
        target: Target,
        step: Step,
        env: Mapping[str, str],
        tdir: Path,
        *,
        deadline: float,
        test: _TestPlan | None,
        variant: tuple[str, ...] = (),
    ) -> StepResult:
        root = self.options.root.resolve()
        tags = self._tags(variant)
        argv = self._command(step, tdir, deadline - time.monotonic(), test, tags)
        log = tdir / f"{step.value}.log"
        # Display form: "go" for go's path, $RESULTS for the results folder (no absolute paths).
        results = str(self.options.results_dir)

        def display(argv: list[str]) -> tuple[str, ...]:
            return ("go", *(a.replace(results, "$RESULTS") for a in argv[1:]))

        started = time.monotonic()
        if step is Step.BUILD:
            commands, code, output, timed_out = self._build(argv, env, deadline, tags)
        else:
            commands = [argv + list(self.options.packages)]
            code, output, timed_out = self._execute(commands[0], env, root, deadline)
        # "go build -o $RESULTS/... ./... && go build example.com/m/unused"
        shown = tuple(
            word for i, c in enumerate(commands) for word in (("&&",) if i else ()) + display(c)
        )
        seconds = time.monotonic() - started
        with contextlib.suppress(OSError):
            log.write_text(f"$ {' '.join(shown)}\n{output}", encoding="utf-8")
        rel_log = log.relative_to(self.options.results_dir).as_posix()
        base = StepResult(
            step=step,
            outcome=Outcome.PASS,
            command=shown,
            seconds=round(seconds, 2),
            log=rel_log,
        )
        if self._cancelled.is_set():
            return dataclasses.replace(base, outcome=Outcome.CANCELLED)
        if timed_out:
            finding = get("CGO111").finding(
                targets=(target,),
                step=step,
                evidence=evidence(text=output[-4000:]),
                what=step.value,
                limit=f"{self.options.timeout:g} s",
            )
            return dataclasses.replace(base, outcome=Outcome.TIMEOUT, findings=(finding,))
        if step is Step.TEST:
            return self._judge_test(target, base, code, output, test)
        if code == 0:
            return base
        findings = classify(output, target=target, step=step, root=root)
        return dataclasses.replace(base, outcome=Outcome.FAIL, findings=tuple(findings))

    def _judge_test(
        self,
        target: Target,
        base: StepResult,
        code: int,
        output: str,
        test: _TestPlan | None,
    ) -> StepResult:
        root = self.options.root.resolve()
        runnable = test is not None and test.runnable
        if not runnable:
            if code != 0:
                found = classify(output, target=target, step=Step.TEST, root=root)
                return dataclasses.replace(base, outcome=Outcome.FAIL, findings=tuple(found))
            why = test.why_not if test is not None else "tests not run"
            return dataclasses.replace(
                base, outcome=Outcome.NOT_RUN, findings=(_note(target, why),)
            )
        if code == 0:
            return base
        if hung := _hung_tests(output):
            finding = get("CGO111").finding(
                targets=(target,),
                step=Step.TEST,
                evidence=evidence(text=output[-4000:]),
                template="{what} did not finish within --timeout ({limit} for the target): "
                "raise it or fix what hangs",
                what=", ".join(hung),
                limit=f"{self.options.timeout:g} s",
            )
            return dataclasses.replace(base, outcome=Outcome.TIMEOUT, findings=(finding,))
        failures, build_text = failed_tests(output.splitlines(), target=target, root=root)
        findings: list[Finding] = []
        if build_text.strip():
            findings += classify(build_text, target=target, step=Step.TEST, root=root)
        findings += failures
        if not findings:
            findings.append(unclassified(output, target=target, step=Step.TEST))
        return dataclasses.replace(base, outcome=Outcome.FAIL, findings=tuple(findings))

    def _execute(
        self, argv: list[str], env: Mapping[str, str], cwd: Path, deadline: float
    ) -> tuple[int, str, bool]:
        """(exit code, combined output, timed out); the command runs in its own group."""
        with tempfile.TemporaryFile() as sink:
            try:
                proc = subprocess.Popen(
                    argv,
                    cwd=cwd,
                    env=dict(env),
                    stdin=subprocess.DEVNULL,
                    stdout=sink,
                    stderr=subprocess.STDOUT,
                    start_new_session=True,
                )
            except OSError as exc:
                return 127, f"cannot run {argv[0]}: {exc}\n", False
            with self._lock:
                self._live[proc.pid] = proc
            timed_out = False
            try:
                while True:
                    remaining = deadline - time.monotonic()
                    if self._cancelled.is_set():
                        _kill_group(proc)
                        break
                    if remaining <= 0:
                        timed_out = True
                        _kill_group(proc)
                        break
                    try:
                        proc.wait(timeout=min(remaining, 0.25))
                        break
                    except subprocess.TimeoutExpired:
                        continue
                code = proc.wait()
                # The leader is gone; children it left behind share its group: reap them too.
                _kill_group(proc)
            finally:
                with self._lock:
                    self._live.pop(proc.pid, None)
            sink.seek(0)
            output = sink.read().decode("utf-8", "replace")
        return code, output, timed_out


_GO_TEST_TIMEOUT = "panic: test timed out after "


def _hung_tests(output: str) -> list[str]:
    """Tests go's own -timeout caught ("panic: test timed out after 20s ... running tests:
    TestSleeps (20s)"), from `go test -json` output; [] when it did not fire."""
    if _GO_TEST_TIMEOUT not in output:
        return []
    text = []
    for line in output.splitlines():
        try:
            event = json.loads(line)
        except ValueError:
            text.append(line)
            continue
        if isinstance(event, dict):
            text.append(str(event.get("Output", "")).rstrip("\n"))
    names: list[str] = []
    running = False
    for line in text:
        if line.strip() == "running tests:":
            running = True
            continue
        if running:
            name = line.strip().split(" ")[0]
            if not name.startswith("Test") and not name.startswith(("Example", "Fuzz")):
                break
            names.append(name)
    return names or ["a test"]


def _kill_group(proc: subprocess.Popen[bytes]) -> None:
    """SIGKILL the process group `proc` leads (it was started with a new session)."""
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(proc.pid, signal.SIGKILL)


# --- reuse of a previous run's result ------------------------------------------------------


def _finding_to_json(f: Finding) -> dict[str, Any]:
    return {
        "rule_id": f.rule.id,
        "target": f.targets[0].name if f.targets else "",
        "step": (f.step or Step.BUILD).value,
        "message": f.message,
        "package": f.package,
        "file": f.file,
        "line": f.line,
        "detail": f.detail,
    }


def _store_cached(tdir: Path, key: str, result: TargetResult) -> None:
    data = {
        "key": key,
        "cc": result.cc,
        "steps": [
            {
                "step": s.step.value,
                "outcome": s.outcome.value,
                "command": list(s.command),
                "seconds": s.seconds,
                "log": s.log,
                "findings": [_finding_to_json(f) for f in s.findings],
            }
            for s in result.steps
        ],
    }
    with contextlib.suppress(OSError):
        (tdir / "result.json").write_text(json.dumps(data), encoding="utf-8")


def _load_cached(tdir: Path, key: str, target: Target) -> TargetResult | None:
    """The stored result if its key matches; anything unreadable is a miss."""
    path = tdir / "result.json"
    try:
        data = json.loads(read_regular(path, _MAX_RESULT_BYTES).decode("utf-8"))
        if data.get("key") != key:
            return None
        steps = tuple(
            StepResult(
                step=Step(s["step"]),
                outcome=Outcome(s["outcome"]),
                command=tuple(s["command"]),
                seconds=float(s["seconds"]),
                log=str(s["log"]),
                findings=tuple(
                    Finding(
                        rule=get(str(f["rule_id"])),
                        targets=(target,),
                        step=Step(f["step"]),
                        message=str(f["message"]),
                        package=str(f["package"]),
                        evidence=evidence(
                            str(f["file"]),
                            f["line"] if isinstance(f["line"], int) else None,
                            str(f["detail"]),
                        ),
                    )
                    for f in s["findings"]
                ),
            )
            for s in data["steps"]
        )
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return None
    return TargetResult(target=target, steps=steps, cc=str(data.get("cc", "")))
