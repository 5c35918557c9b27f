"""What the Trend page reads beyond `DashboardData`: a tool's runs on one golden-set version, oldest
first, with each run's scores and the verdict `assure gate` recorded on it (tags `assure.gate.*`).

Gate verdicts are read fresh on every call (a run can be gated again at any time), in one search per
100 runs.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

import pandas as pd

from harness.gate import read_verdict
from harness.tracking import Tracker

from .data import DashboardData

TREND_COLUMNS = ["run_id", "started", "tool", "version", "label", "baseline", "baseline_tags", "gate_verdict",
                 "gate_baseline", "gate_baseline_label", "gate_failed_checks", "gate_checks", "gated_at"]
_RUN_ID = re.compile(r"^[0-9A-Za-z_-]+$")


def tools(data: DashboardData) -> list[str]:
    """Every tool with runs, the one with most runs on a single golden-set version first (ties: newest run)."""
    runs = data.runs()
    if runs.empty:
        return []
    per_set = runs.groupby(["tool", "golden_set"]).agg(n=("run_id", "size"), newest=("started", "max")).reset_index()
    best = per_set.groupby("tool").agg(n=("n", "max"), newest=("newest", "max")).reset_index()
    best = best.sort_values(["n", "newest", "tool"], ascending=[False, False, True])
    return list(best["tool"])


def golden_sets_of(data: DashboardData, tool: str) -> list[dict[str, Any]]:
    """The golden-set versions `tool` has runs on (`DashboardData.golden_sets()` entries, with `tool_runs`),
    most runs of the tool first (ties: newest)."""
    runs = data.runs()
    mine = runs[runs["tool"] == tool]
    counts = mine.groupby("golden_set").agg(n=("run_id", "size"), newest=("started", "max"))
    found = [{**s, "tool_runs": int(counts.loc[s["key"], "n"]), "tool_newest": counts.loc[s["key"], "newest"]}
             for s in data.golden_sets() if s["key"] in counts.index]
    return sorted(found, key=lambda s: (s["tool_runs"], s["tool_newest"]), reverse=True)


def gate_verdicts(tracker: Tracker, run_ids: Iterable[str]) -> dict[str, dict[str, str]]:
    """run id -> the gate verdict recorded on it (`harness.gate.read_verdict`), for the runs that were gated."""
    ids = [r for r in dict.fromkeys(run_ids) if _RUN_ID.match(r)]
    if not ids:
        return {}
    experiments = [str(e.experiment_id) for e in tracker.client.search_experiments()]
    found: dict[str, dict[str, str]] = {}
    for start in range(0, len(ids), 100):
        chunk = ids[start:start + 100]
        query = "attributes.run_id IN (" + ", ".join(f"'{r}'" for r in chunk) + ")"
        for run in tracker.client.search_runs(experiments, filter_string=query, max_results=len(chunk)):
            verdict = read_verdict(dict(run.data.tags))
            if verdict is not None:
                found[str(run.info.run_id)] = verdict
    return found


def trend_runs(data: DashboardData, tool: str, golden: str) -> pd.DataFrame:
    """The runs of `tool` on golden-set version `golden` (id@version#hash), oldest first (`TREND_COLUMNS`)."""
    runs = data.runs_on(golden)
    runs = runs[runs["tool"] == tool].sort_values("started")
    if runs.empty:
        return pd.DataFrame(columns=TREND_COLUMNS)
    verdicts = gate_verdicts(data.tracker, runs["run_id"])
    labels = dict(zip(data.runs()["run_id"], data.runs()["label"]))
    rows = []
    for run in runs.itertuples():
        gate = verdicts.get(run.run_id) or {}
        base = gate.get("baseline", "")
        rows.append({"run_id": run.run_id, "started": run.started, "tool": run.tool, "version": run.version,
                     "label": run.label, "baseline": bool(run.baseline), "baseline_tags": run.baseline_tags,
                     "gate_verdict": gate.get("verdict", ""), "gate_baseline": base,
                     "gate_baseline_label": (labels.get(base, f"run {base[:8]}") if base else ("none" if gate else "")),
                     "gate_failed_checks": gate.get("failed_checks", ""), "gate_checks": gate.get("checks", ""),
                     "gated_at": gate.get("time", "")})
    return pd.DataFrame(rows, columns=TREND_COLUMNS)


def trend_scores(data: DashboardData, run_ids: Iterable[str]) -> pd.DataFrame:
    """`DashboardData.scores()` rows of these runs (scorer, mean, CI, pass rate)."""
    scores = data.scores()
    return scores[scores["run_id"].isin(list(run_ids))]
