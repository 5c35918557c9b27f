"""A shared tracking server for real: PostgreSQL (Debian's, `make postgres`) and MLflow's server on loopback,
written to by several assure processes at once, each on its own machine (data folder), and read back whole."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from dashboards.data import DashboardData
from dashboards.demo import DEMO_DATA
from harness.tracking import Tracker
from harness.tracking_server import TrackingServer
from tests.conftest import REPO, SAMPLE, run_cli

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def server() -> Iterator[TrackingServer]:
    # Under /tmp, not pytest's own folder: as root, PostgreSQL runs as the postgres user, who must reach it.
    folder = Path(tempfile.mkdtemp(prefix="assure-tracking-"))
    try:
        with TrackingServer(folder, workers=1) as running:
            yield running
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def _assure(*args: str, cwd: Path, home: Path, uri: str) -> subprocess.Popen[str]:
    env = {"ASSURE_HOME": str(home), "MLFLOW_TRACKING_URI": uri}
    exe = Path(sys.executable).parent / "assure"
    return subprocess.Popen([str(exe), *args], cwd=cwd, env={**os.environ, **env}, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)


def test_runs_from_processes_at_once_are_all_read_back(server: TrackingServer, tmp_path: Path) -> None:
    uri = server.uri
    # Three councils' machines (their own data folders) write at once: two evaluations on the same
    # golden set (so both create the experiment `sample` at the same moment) and an ROI appraisal.
    commands = {
        "vendor": ("run", "--golden", str(SAMPLE), "--target", str(DEMO_DATA / "vendor_a.yaml"), "--suite", "hallucination",
                   "--report-json", str(tmp_path / "vendor.json")),
        "baseline": ("run", "--golden", str(SAMPLE), "--target", str(DEMO_DATA / "baseline.yaml"), "--suite", "hallucination",
                     "--report-json", str(tmp_path / "baseline.json")),
        "roi": ("roi", str(REPO / "roi" / "submissions"), "--report-json", str(tmp_path / "roi.json"), "--draws", "500"),
    }
    processes = {name: _assure(*args, cwd=tmp_path, home=tmp_path / name, uri=uri) for name, args in commands.items()}
    for name, process in processes.items():
        _, stderr = process.communicate(timeout=300)
        assert process.returncode == 0, f"{name}: {stderr}"
    vendor = json.loads((tmp_path / "vendor.json").read_text())["run_id"]
    baseline = json.loads((tmp_path / "baseline.json").read_text())["run_id"]
    roi = json.loads((tmp_path / "roi.json").read_text())["method"]["mlflow_run_id"]

    written = json.loads((tmp_path / "roi.json").read_text())
    tracker = Tracker(uri)
    runs = tracker.list_runs(limit=100)
    by_id = {r.run_id: r for r in runs}
    children = [r for r in tracker.client.search_runs([tracker.experiment_id("roi")], max_results=100)
                if r.data.tags.get("mlflow.parentRunId") == roi]
    # Nothing lost, nothing twice: the two evaluations, the appraisal and one child run per council.
    assert sorted(by_id) == sorted(r.run_id for r in runs)
    assert sorted(by_id) == sorted([vendor, baseline, roi, *(c.info.run_id for c in children)])
    assert sorted(c.data.tags["council"] for c in children) == sorted(c["council"] for c in written["councils"])
    assert len(children) == len(written["councils"]) == 6
    assert {r.status for r in runs} == {"FINISHED"}
    assert by_id[vendor].experiment == by_id[baseline].experiment == "sample" and by_id[roi].experiment == "roi"
    assert [e.name for e in tracker.client.search_experiments()].count("sample") == 1
    assert by_id[vendor].params["target.name"] == "vendor-a-minutes" and by_id[vendor].metrics["cases"] == 3
    for run_id in (vendor, baseline):
        assert {f.path for f in tracker.client.list_artifacts(run_id)} == {"report.json", "cases.csv", "summary.html"}

    # A fourth machine, with no local run folders: compare reads both reports from the server's artifacts.
    compared = run_cli("compare", baseline, vendor, "--json", cwd=tmp_path,
                       env={"ASSURE_HOME": str(tmp_path / "reader"), "MLFLOW_TRACKING_URI": uri})
    assert compared.returncode == 0, compared.stderr
    comparison = json.loads(compared.stdout)
    assert [r["run_id"] for r in comparison["runs"]] == [baseline, vendor]
    assert comparison["golden_set"]["id"] == "sample"

    data = DashboardData(Tracker(uri))
    assert set(data.runs()["run_id"]) == {vendor, baseline}
    assert data.report(vendor).report["metrics"]["unsupported_details"]["n_scored"] == 3
    roi_report = data.roi_report()
    assert roi_report is not None
    assert roi_report["method"].get("mlflow_run_id") in (None, roi)
    roi_report["method"]["mlflow_run_id"] = roi
    assert roi_report == written
