"""`python -m cgotrap`."""

from cgotrap.cli.main import entry

entry()
