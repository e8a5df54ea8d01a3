"""`cgotrap init [PATH]`: write a commented `.cgotrap.toml` with the targets guessed.

    cgotrap init [PATH] [--force] [--stdout]

PATH is the module root (default "."; it must hold go.mod). The targets come from the
project's GoReleaser and CI files (else its _GOOS/_GOARCH file names); each guess is said,
with its source, in the file and on stderr. The file is written atomically, and never over
an existing one without --force.

Exit status: 0 written; 2 the file exists (without --force) or usage; 4 PATH unreadable.
"""

from __future__ import annotations

import argparse
import tomllib
from pathlib import Path
from typing import Any

from cgotrap.cli import streams
from cgotrap.errors import ExitCode, InputError


def register(sub: Any) -> None:
    """Add the `init` subcommand."""
    parser: argparse.ArgumentParser = sub.add_parser(
        "init",
        help="write a commented .cgotrap.toml with the targets guessed from the project",
        description=(
            "Write .cgotrap.toml at the module root, with the targets guessed from "
            "GoReleaser and CI files (or _GOOS/_GOARCH file names), each with its source."
        ),
    )
    parser.add_argument("path", nargs="?", default=".", help="module root (default: .)")
    parser.add_argument("--force", action="store_true", help="replace an existing file")
    parser.add_argument(
        "--stdout", action="store_true", help="print the file instead of writing it"
    )
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    """Run `cgotrap init`."""
    from cgotrap import config
    from cgotrap.config.guess import guess
    from cgotrap.config.template import render, sources_text
    from cgotrap.config.write import write_new

    root = Path(args.path)
    if not root.is_dir():
        raise InputError(f"{root}: not a directory")
    if not (root / "go.mod").is_file():
        raise InputError(f"{root}: no go.mod here (init writes at the module root)")
    found = guess(root)
    text = render(found)
    # what init writes must load: a failure here is a bug of ours, not the user's
    config.parse(tomllib.loads(text), path=root / config.CONFIG_NAME)
    if args.stdout:
        streams.write(text)
    else:
        target = root / config.CONFIG_NAME
        write_new(target, text, force=args.force)
        streams.say(f"cgotrap: wrote {target}")  # (say escapes what the path holds)
    sources = found.port_sources()
    if not sources:
        streams.say("cgotrap: no targets found to guess from; using first-class")
    for port, where in sources.items():
        streams.say(f"cgotrap: target {port}: from {sources_text(where)}")
    return ExitCode.OK
