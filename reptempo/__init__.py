"""reptempo: rep counter, tempo coach and pelvic-tilt watch for core training."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("reptempo")
except PackageNotFoundError:  # running from a source tree that was not installed
    __version__ = "0.0.0+unknown"

__all__ = ["__version__"]
