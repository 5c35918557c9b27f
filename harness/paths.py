"""Where assure keeps its data: one project folder, so runs never scatter.

`ASSURE_HOME` overrides the default `./.assure` (relative to the working directory).
"""

from __future__ import annotations

import os
from pathlib import Path


def data_dir() -> Path:
    """The project data folder (created on first use)."""
    root = Path(os.environ.get("ASSURE_HOME", ".assure")).expanduser().resolve()
    root.mkdir(parents=True, exist_ok=True)
    return root


def runs_dir() -> Path:
    path = data_dir() / "runs"
    path.mkdir(parents=True, exist_ok=True)
    return path


def default_tracking_uri() -> str:
    """SQLite file in the data folder, unless MLFLOW_TRACKING_URI is set."""
    return os.environ.get("MLFLOW_TRACKING_URI") or f"sqlite:///{data_dir() / 'mlflow.db'}"


def benchmarks_dir() -> Path:
    """The human-labelled benchmark data: `ASSURE_BENCHMARKS`, else `../shared/benchmarks` beside the checkout."""
    override = os.environ.get("ASSURE_BENCHMARKS")
    if override:
        return Path(override).expanduser().resolve()
    return Path(__file__).resolve().parents[2] / "shared" / "benchmarks"
