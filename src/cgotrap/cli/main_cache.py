"""`cgotrap cache`: the persistent cache of scan work.

    cgotrap cache clean     remove every cache file (and the declaration reader's helper)
    cgotrap cache dir       print where the cache is

The cache is `$XDG_CACHE_HOME/cgotrap` (default ~/.cache/cgotrap); see `cgotrap.cache`.
Exit status: 0; 2 usage.
"""

from __future__ import annotations

import argparse
from typing import Any


def register(sub: Any) -> None:
    """Add the `cache` subcommand."""
    parser: argparse.ArgumentParser = sub.add_parser(
        "cache",
        help="the persistent cache of scan work: clean it, or say where it is",
        description=(
            "cgotrap keeps what it read from a tree (checked against the files before use) "
            "under $XDG_CACHE_HOME/cgotrap (default ~/.cache/cgotrap)."
        ),
    )
    parser.add_argument("action", choices=["clean", "dir"], help="clean: remove it; dir: print it")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    """Run `cgotrap cache`."""
    from cgotrap.cache import Store, default_dir

    directory = default_dir()
    if args.action == "dir":
        print(directory)
        return 0
    count, freed = Store(directory).clean()
    print(f"removed {count} cache files ({freed / 1e6:.1f} MB) from {directory}")
    return 0
