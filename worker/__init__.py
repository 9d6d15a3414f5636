"""newsflow's shell: the Celery app, settings, CLI, metrics and I/O around the pure stages in ``tasks``."""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("newsflow")
except PackageNotFoundError:  # running from a source tree that was not installed
    __version__ = "0.0.0+unknown"
