"""What the dashboard reads, and nothing else: runs, reports, comparisons and ROI appraisals, through
the engine's tracking (`harness.tracking`, `harness.runs`) and comparison (`harness.compare`) APIs.

MLflow searches are the slow part of a page load on a large store, so the run listing is cached for
`ttl` seconds; a finished run's report never changes, so reports, golden sets and comparisons are
kept by run id (least recently used first out).
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Sequence
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, TypeVar

import pandas as pd

from harness.compare import Comparison, RunSide, compare, summarise_run
from harness.errors import InputError
from harness.goldens import Case, GoldenSet, load_golden
from harness.runs import BASELINE_TAG_PREFIX, RunReport, load_report
from harness.tracking import Tracker

T = TypeVar("T")

RUN_COLUMNS = ["run_id", "started", "tool", "version", "label", "kind", "baseline", "baseline_tags", "golden_id",
               "golden_version", "golden_hash", "golden_set", "task", "cases", "errors", "suites", "experiment"]
SCORE_COLUMNS = ["run_id", "scorer", "mean", "ci_low", "ci_high", "pass_rate", "critical_findings"]


class _Memo:
    """A small thread-safe least-recently-used cache (Dash serves callbacks from several threads)."""

    def __init__(self, size: int) -> None:
        self.size, self.items, self.lock = size, OrderedDict[Any, Any](), threading.Lock()

    def get(self, key: Any, make: Callable[[], T]) -> T:
        with self.lock:
            if key in self.items:
                self.items.move_to_end(key)
                return self.items[key]
        value = make()
        with self.lock:
            self.items[key] = value
            while len(self.items) > self.size:
                self.items.popitem(last=False)
        return value


class DashboardData:
    """The dashboard's view of one tracking store (`tracker`); every page reads through one of these."""

    def __init__(self, tracker: Tracker | None = None, ttl: float = 30.0) -> None:
        self.tracker = tracker or Tracker()
        self.ttl = ttl
        self._listing: tuple[float, pd.DataFrame, pd.DataFrame] | None = None
        self._listing_lock = threading.Lock()
        self._reports = _Memo(256)
        self._goldens = _Memo(16)
        self._comparisons = _Memo(64)
        self._summaries = _Memo(1024)
        self._refreshing = False
        self._roi: tuple[float, dict[str, Any] | None] | None = None

    # --- runs -----------------------------------------------------------------------------------

    def runs(self) -> pd.DataFrame:
        """One row per finished evaluation run, newest first (`RUN_COLUMNS`); `started` is UTC."""
        return self._listed()[0]

    def scores(self) -> pd.DataFrame:
        """One row per run and scorer (`SCORE_COLUMNS`): the run's mean with its 95% CI, pass rate and critical findings."""
        return self._listed()[1]

    def refresh(self) -> None:
        """Forget the cached run listing and ROI appraisal (new runs show on the next read)."""
        self._listing, self._roi = None, None

    def golden_sets(self) -> list[dict[str, Any]]:
        """The golden-set versions that have runs: `key` (id@version#hash), label, task and run count, newest first."""
        runs = self.runs()
        if runs.empty:
            return []
        grouped = runs.groupby(["golden_id", "golden_version", "golden_hash"], sort=False)
        found = []
        for (gid, version, digest), group in grouped:
            found.append({"key": golden_key(gid, version, digest), "id": gid, "version": version, "hash": digest,
                          "label": f"{gid} {version} ({digest[:12]})", "task": group["task"].iloc[0],
                          "runs": len(group), "newest": group["started"].max()})
        return sorted(found, key=lambda g: g["newest"], reverse=True)

    def runs_on(self, key: str) -> pd.DataFrame:
        """The runs on one golden-set version (`golden_sets()[i]["key"]`), newest first."""
        runs = self.runs()
        return runs[runs["golden_set"] == key]

    def latest_per_tool(self, key: str) -> pd.DataFrame:
        """The newest run of each tool (name and version) on one golden-set version."""
        return self.runs_on(key).drop_duplicates(["tool", "version"])

    # --- one run --------------------------------------------------------------------------------

    def report(self, run_id: str) -> RunReport:
        """The run's report (bad input when there is no such finished run)."""
        return self._reports.get(("report", run_id), lambda: load_report(self.tracker, run_id))

    def golden(self, report: RunReport) -> GoldenSet | None:
        """The golden set the run was scored on, when its folder is still where the run found it and unchanged."""
        info = report.report["golden_set"]
        path = info.get("path")
        if not path:
            return None

        def load() -> GoldenSet | None:
            try:
                golden = load_golden(Path(path))
            except (InputError, OSError):
                return None
            return golden if golden.content_hash == info["hash"] else None

        return self._goldens.get((path, info["hash"]), load)

    def case(self, run_id: str, case_id: str) -> tuple[RunReport, dict[str, Any], Case | None]:
        """A run, its result for one case and the golden case (None when the set cannot be read); KeyError if no such case."""
        report = self.report(run_id)
        result = next((c for c in report.report["cases"] if c["case_id"] == case_id), None)
        if result is None:
            raise KeyError(case_id)
        golden = self.golden(report)
        case = next((c for c in golden.cases if c.id == case_id), None) if golden else None
        return report, result, case

    def summary(self, run_id: str) -> RunSide:
        """One run as the comparison engine summarises it (mean and pass rate with CIs, critical findings per scorer)."""
        return self._summaries.get(run_id, lambda: summarise_run(self.report(run_id)))

    def comparison(self, run_ids: Sequence[str], allow_different_sets: bool = False) -> Comparison:
        """The comparison engine's result for these runs (bad input when their golden sets differ)."""
        key = (tuple(run_ids), allow_different_sets)
        return self._comparisons.get(key, lambda: compare([self.report(r) for r in run_ids], allow_different_sets))

    # --- ROI ------------------------------------------------------------------------------------

    def roi_report(self) -> dict[str, Any] | None:
        """The newest finished ROI appraisal of the region (`assure roi`), or None."""
        now = time.monotonic()
        if self._roi is None or now - self._roi[0] > self.ttl:
            from .roi_view import latest_roi_report

            self._roi = (now, latest_roi_report(self.tracker))
        return self._roi[1]

    # --- internals ------------------------------------------------------------------------------

    def _listed(self) -> tuple[pd.DataFrame, pd.DataFrame]:
        """The cached listing. The first read waits for the search; after that an expired listing is still
        served while one background thread searches again, so no page load waits for MLflow (new runs show
        at most `ttl` seconds plus one search late)."""
        with self._listing_lock:
            listing = self._listing
            if listing is None:
                runs, scores = self._search()
                self._listing = (time.monotonic(), runs, scores)
                return runs, scores
            if time.monotonic() - listing[0] > self.ttl and not self._refreshing:
                self._refreshing = True
                threading.Thread(target=self._refresh_listing, name="assure-dashboard-listing", daemon=True).start()
            return listing[1], listing[2]

    def _refresh_listing(self) -> None:
        try:
            runs, scores = self._search()
            with self._listing_lock:
                self._listing = (time.monotonic(), runs, scores)
        finally:
            self._refreshing = False

    def _search(self) -> tuple[pd.DataFrame, pd.DataFrame]:
        client = self.tracker.client
        experiments = {str(e.experiment_id): e.name for e in client.search_experiments()}
        rows: list[dict[str, Any]] = []
        scores: list[dict[str, Any]] = []
        if experiments:
            token = None
            while True:
                page = client.search_runs(list(experiments), filter_string="tags.`assure.kind` = 'evaluation' and attributes.status = 'FINISHED'",
                                          order_by=["attributes.start_time DESC"], max_results=1000, page_token=token)
                for run in page:
                    rows.append(_run_row(run, experiments))
                    scores += _score_rows(run)
                token = page.token
                if not token:
                    break
        return pd.DataFrame(rows, columns=RUN_COLUMNS), pd.DataFrame(scores, columns=SCORE_COLUMNS)


def golden_key(golden_id: str, version: str, digest: str) -> str:
    """The key that names one golden-set version in URLs and selectors: id@version#hash."""
    return f"{golden_id}@{version}#{digest}"


def _run_row(run: Any, experiments: dict[str, str]) -> dict[str, Any]:
    params, tags = run.data.params, run.data.tags
    name, version = params.get("target.name", ""), params.get("target.version", "")
    gid, gversion, digest = params.get("golden_set.id", ""), params.get("golden_set.version", ""), params.get("golden_set.hash", "")
    baseline = params.get("target.baseline") == "True"
    return {
        "run_id": run.info.run_id,
        "started": datetime.fromtimestamp((run.info.start_time or 0) / 1000.0, tz=timezone.utc),
        "tool": name, "version": version, "label": f"{name} v{version}" + (" (baseline)" if baseline else ""),
        "kind": params.get("target.kind", ""), "baseline": baseline,
        "baseline_tags": ", ".join(sorted(k[len(BASELINE_TAG_PREFIX):] for k, v in tags.items()
                                          if k.startswith(BASELINE_TAG_PREFIX) and v == "true")),
        "golden_id": gid, "golden_version": gversion, "golden_hash": digest, "golden_set": golden_key(gid, gversion, digest),
        "task": params.get("golden_set.task") or gid, "cases": int(float(params.get("golden_set.cases", 0) or 0)),
        "errors": int(run.data.metrics.get("errors", 0)), "suites": params.get("suites", ""),
        "experiment": experiments.get(str(run.info.experiment_id), ""),
    }


def _score_rows(run: Any) -> list[dict[str, Any]]:
    metrics = run.data.metrics
    rows = []
    for key, value in metrics.items():
        if not key.endswith(".mean"):
            continue
        scorer = key[: -len(".mean")]
        rows.append({"run_id": run.info.run_id, "scorer": scorer, "mean": value,
                     "ci_low": metrics.get(f"{scorer}.ci_low"), "ci_high": metrics.get(f"{scorer}.ci_high"),
                     "pass_rate": metrics.get(f"{scorer}.pass_rate"),
                     "critical_findings": metrics.get(f"{scorer}.critical_findings")})
    return rows
