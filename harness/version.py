"""The installed harness version."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("assure")
except PackageNotFoundError:  # running from a source tree that was not installed
    __version__ = "0.0.0+source"
