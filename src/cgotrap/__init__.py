"""cgotrap: find and fix the cgo traps in Go projects before they break a cross-platform release."""

# The single source of the version (pyproject reads it: [tool.hatch.version]). A literal, not
# importlib.metadata: that import alone costs ~40 ms at every start of the CLI.
__version__ = "0.1.0"

__all__ = ["__version__"]
