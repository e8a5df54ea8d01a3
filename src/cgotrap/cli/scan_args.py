"""The scan options `check` and `baseline` share with `scan` (what to scan, and how)."""

from __future__ import annotations

import argparse
import pickle
from collections.abc import Callable
from pathlib import Path

from cgotrap.cli import gate as gate_options
from cgotrap.config import Config
from cgotrap.discover.goenv import found_go_environment
from cgotrap.errors import InputError, UsageError
from cgotrap.gate import project
from cgotrap.targets import parse_cgo_modes
from cgotrap.vocabulary import DEFAULT_TARGETS


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """PATH, PATTERN..., --targets, --cgo, --tags, --config, --no-cache."""
    parser.add_argument("path", nargs="?", default=".", help="module root (default: .)")
    parser.add_argument("patterns", nargs="*", help="package patterns (default: ./...)")
    parser.add_argument(
        "--targets",
        default=None,
        help=f"targets (default: [targets] of .cgotrap.toml, else {DEFAULT_TARGETS})",
    )
    parser.add_argument("--cgo", default="both", help="CGO_ENABLED: 0, 1 or both (default)")
    parser.add_argument(
        "--tags", default="", help="comma-separated build tags (default: [build] tags)"
    )
    gate_options.add_config(parser)
    parser.add_argument(
        "--no-cache",
        action="store_true",
        help="neither read nor write the cache ($XDG_CACHE_HOME/cgotrap; `cgotrap cache clean`)",
    )


def options(args: argparse.Namespace) -> tuple[Path, Config, project.ScanOptions]:
    """The module root, its config, and what to scan."""
    root = Path(args.path)
    if not root.is_dir():
        raise InputError(f"{args.path}: not a directory")
    config = project.load_config(root, Path(args.config) if args.config else None)
    report = project.report_targets(args.targets, parse_cgo_modes(args.cgo), config)
    if not report:
        raise UsageError(f"no target left: {args.targets or DEFAULT_TARGETS} with --cgo {args.cgo}")
    return (
        root,
        config,
        project.ScanOptions(
            targets=tuple(report),
            patterns=tuple(args.patterns) or ("./...",),
            tags=project.build_tags(args.tags, config),
            workers=2,
            env=found_go_environment(),
        ),
    )


def cached_scan(
    args: argparse.Namespace,
    root: Path,
    options: project.ScanOptions,
    config: Config,
    *,
    meanwhile: Callable[[], object] | None = None,
) -> tuple[project.ProjectScan, Callable[[], tuple[bytes, ...] | None]]:
    """`project.scan_project`, answered from the cache when every path the last answer was
    read from is unchanged (`cgotrap.cache`); otherwise the directories that did not change
    come from the cache of directory scans. `--no-cache`: neither read nor written. Also
    what gives the states of the paths the answer was read from (`cache.Packed` parts; None
    when not known): to be called once the output is written, it also keeps the scan in the
    cache (the files' digests come from the directory-scan writer, in the background until
    then). `meanwhile`: `scan_project`'s (not called when the answer comes from the cache)."""
    import dataclasses
    import gc
    import time

    from cgotrap import cache, toolchain
    from cgotrap.targets import with_cgo_twins

    store = None if args.no_cache else cache.Store(cache.default_dir())
    cache.READ.clear()  # (the files this run's readers read, from here: in its answers)
    resolved = str(root.resolve())
    # The go found (PATH first) decides GOROOT, and so the standard library's answer; its
    # binary is an input too (a go upgraded in place).
    go = toolchain.find("go")
    go_binary = [str(go.path)] if go is not None else []
    # (the config's own file is an input of the answer too: see ListingPlan.consulted)
    # (the go environment includes the GOENV file and GOROOT/go.env: their values key it)
    env = cache.env_key(options.env)
    key = cache.make_key("scan", resolved, repr(options), repr(config), env, go_binary)
    if store is not None:
        hit = store.get_answer("scan", key, with_states=True)
        found = _unpickled(hit[0]) if hit is not None else None
        if hit is not None and isinstance(found, project.ProjectScan):
            return found, lambda: hit[1]
    dir_scans = None
    if store is not None:
        from cgotrap import dirscans

        loaded = [t.name for t in with_cgo_twins(options.targets)]
        dirs_key = cache.make_key("dirs", resolved, loaded, options.tags, env)
        dir_scans = dirscans.DirScans(store, dirs_key)
        dir_scans.note(go_binary)
        if args.config:
            dir_scans.note([str(Path(args.config).absolute())])
    started = time.time_ns()
    # Two processes scan the directories (workers=2); the cyclic collector is off while
    # the loader builds millions of long-lived objects without cycles worth collecting, and
    # while judging walks them (a collection would only rescan them: ~1 s on moby).
    gc_was_enabled = gc.isenabled()
    gc.disable()
    try:
        scanned = project.scan_project(
            root,
            dataclasses.replace(options, dir_scans=dir_scans, store=store),
            config,
            meanwhile=meanwhile,
        )
    finally:
        if gc_was_enabled:
            # All of it is still young: the first collections after enabling would walk it
            # again (0.27 s after a cold moby scan, then pickling it for the cache). Frozen,
            # it is never walked again; refcounting still frees what is dropped.
            gc.freeze()
            gc.enable()

    def inputs() -> tuple[bytes, ...] | None:
        if store is None or dir_scans is None:
            return None
        # The scan is pickled first, while the writer of the directory scans (which the
        # loader started once it had them all) may still be hashing their files: their
        # states are what `consulted` waits for (moby --targets all: a 1.4 MB pickle).
        try:
            kept: bytes | None = pickle.dumps(scanned, protocol=pickle.HIGHEST_PROTOCOL)
        except (pickle.PicklingError, TypeError, AttributeError, RecursionError):
            kept = None
        states = dir_scans.consulted(started)
        if states is not None and kept is not None:
            # (with what the run's readers besides the scan read: `cache.READ`)
            store.put_answer("scan", key, kept, (*states, cache.pack(cache.READ)))
        return states

    return scanned, inputs


def _unpickled(data: object) -> object:
    """The object pickled in `data` (a scan kept by `cached_scan`), None if it is not one."""
    if not isinstance(data, bytes):
        return None
    try:
        return pickle.loads(data)  # noqa: S301 - our own cache entry, its checksum verified
    except Exception:  # noqa: BLE001 - a class that changed shape: scanned again, never trusted
        return None
