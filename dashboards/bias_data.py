"""What the Bias page reads beyond `DashboardData`: the runs that have a bias section, and each run's
table of every (characteristic, group, measure) test (`bias_tests.csv`, written by `suites.bias`).

A finished run's files never change, so the test tables are kept by run id (least recently used out).
"""

from __future__ import annotations

import math
import tempfile
import threading
from collections import OrderedDict
from pathlib import Path
from typing import Any

import pandas as pd

from harness.paths import runs_dir

from .data import DashboardData

TEST_COLUMNS = ["characteristic", "group", "reference_group", "metric", "description", "n_pairs", "effect", "ci_low",
                "ci_high", "d_z", "p_value", "p_adjusted", "mde", "disparity_found"]
_CACHE: OrderedDict[tuple[str, str], pd.DataFrame] = OrderedDict()
_LOCK = threading.Lock()
_CACHE_SIZE = 64


def bias_runs(data: DashboardData) -> pd.DataFrame:
    """The finished runs that ran the bias suite, newest first (rows of `DashboardData.runs()`)."""
    runs = data.runs()
    if runs.empty:
        return runs
    has_bias = runs["suites"].fillna("").map(lambda s: "bias" in [part.strip() for part in str(s).split(",")])
    return runs[has_bias]


def bias_section(data: DashboardData, run_id: str) -> dict[str, Any]:
    """The run report's `bias` section: characteristic -> entry (empty when the set had no counterfactual pairs)."""
    return data.report(run_id).report.get("bias") or {}


def bias_tests(data: DashboardData, run_id: str) -> pd.DataFrame:
    """Every test of the run (`TEST_COLUMNS`): from its `bias_tests.csv`, or, when that file cannot be read, the
    one reported test per characteristic from the report."""
    key = (data.tracker.uri, run_id)
    with _LOCK:
        if key in _CACHE:
            _CACHE.move_to_end(key)
            return _CACHE[key]
    frame = _read_tests(data, run_id)
    if frame is None:
        frame = tests_from_section(bias_section(data, run_id))
    with _LOCK:
        _CACHE[key] = frame
        while len(_CACHE) > _CACHE_SIZE:
            _CACHE.popitem(last=False)
    return frame


def tests_from_section(section: dict[str, Any]) -> pd.DataFrame:
    """One row per characteristic (its reported test) from a report's bias section."""
    rows = []
    for characteristic, e in section.items():
        if e.get("metric") is None:
            continue
        rows.append({"characteristic": characteristic, "group": e.get("group"), "reference_group": e.get("reference_group"),
                     "metric": e["metric"], "description": "", "n_pairs": e.get("n_pairs", 0),
                     **{k: _number(e.get(k)) for k in ("effect", "ci_low", "ci_high", "d_z", "p_value", "p_adjusted", "mde")},
                     "disparity_found": bool(e.get("disparity_found"))})
    return pd.DataFrame(rows, columns=TEST_COLUMNS)


def _read_tests(data: DashboardData, run_id: str) -> pd.DataFrame | None:
    local = runs_dir() / run_id / "artifacts" / "bias_tests.csv"
    try:
        if local.is_file():
            frame = pd.read_csv(local)
        else:
            with tempfile.TemporaryDirectory() as folder:
                frame = pd.read_csv(data.tracker.download_artifact(run_id, "bias_tests.csv", Path(folder)))
    except Exception:  # no such artifact, or an unreadable one: the report's own rows still show
        return None
    if not set(TEST_COLUMNS) - {"description"} <= set(frame.columns):
        return None
    if "description" not in frame.columns:
        frame["description"] = ""
    frame["disparity_found"] = frame["disparity_found"].map(lambda v: str(v).strip().lower() == "true")
    frame["description"] = frame["description"].fillna("")
    return frame[TEST_COLUMNS]


def _number(value: Any) -> float:
    try:
        number = float(value)
    except (TypeError, ValueError):
        return math.nan
    return number
