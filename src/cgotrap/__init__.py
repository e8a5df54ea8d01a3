"""cgotrap: find and fix the cgo traps in Go projects before they break a cross-platform release."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("cgotrap")
except PackageNotFoundError:  # running from a source tree without an install
    __version__ = "0.0.0+unknown"

__all__ = ["__version__"]
