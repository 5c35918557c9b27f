"""Runs are real MLflow runs on a SQLite backend, and read back through harness.tracking."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from dashboards.demo import DEMO_DATA
from harness.evaluate import start_run
from harness.tracking import Tracker
from tests.conftest import SAMPLE

pytestmark = pytest.mark.integration


def test_run_is_read_back_from_mlflow(tmp_path: Path, isolated_home: Path) -> None:
    record = start_run(SAMPLE, DEMO_DATA / "vendor_a.yaml", ["hallucination"])
    tracker = Tracker()
    assert tracker.uri == f"sqlite:///{isolated_home / 'mlflow.db'}"
    run = tracker.get_run(record.run_id)
    assert run.status == "FINISHED" and run.experiment == "sample"
    assert run.params["target.name"] == "vendor-a-minutes" and run.params["target.version"] == "2.3"
    assert run.params["golden_set.hash"] == record.report["golden_set"]["hash"]
    assert run.params["scorer.unsupported_details.version"] == "1.2.0"
    assert run.metrics["unsupported_details.mean"] == pytest.approx(record.report["metrics"]["unsupported_details"]["mean"])
    assert run.metrics["errors"] == 0 and run.metrics["cases"] == 3
    names = {f.path for f in tracker.client.list_artifacts(record.run_id)}
    assert names == {"report.json", "cases.csv", "summary.html"}
    downloaded = tracker.download_artifact(record.run_id, "report.json", tmp_path)
    assert json.loads(downloaded.read_text()) == json.loads(json.dumps(record.report))
    assert [r.run_id for r in tracker.list_runs()] == [record.run_id]


def test_tracking_uri_override(tmp_path: Path) -> None:
    uri = f"sqlite:///{tmp_path / 'elsewhere.db'}"
    record = start_run(SAMPLE, DEMO_DATA / "baseline.yaml", ["hallucination"], tracking_uri=uri)
    assert Tracker(uri).get_run(record.run_id).params["target.baseline"] == "True"
    assert Tracker().list_runs() == []
