"""`assure gate` records its verdict on the candidate run in MLflow (tags assure.gate.*); the newest gating wins."""

from __future__ import annotations

import json
from datetime import datetime, timezone
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from harness import compare_cli
from harness.evaluate import start_run
from harness.gate import (BASELINE_TAG, CHECKS_TAG, FAILED_CHECKS_TAG, GATED_AT_TAG, MAX_FAILED_CHECKS_TEXT, THRESHOLDS_TAG,
                          VERDICT_TAG, Check, GateResult, read_verdict, verdict_tags)
from harness.tracking import Tracker

REPO = Path(__file__).resolve().parents[2]
SAMPLE = REPO / "golden_sets" / "sample"
DEMO = REPO / "dashboards" / "demo_data"


@pytest.fixture
def app() -> typer.Typer:
    cli = typer.Typer()
    compare_cli.register(cli)
    return cli


@pytest.fixture
def runs(tmp_path: Path) -> tuple[str, str, str, Path]:
    """The baseline and vendor A on the sample set (hallucination suite), tracked in a store under tmp_path."""
    uri = f"sqlite:///{tmp_path}/mlflow.db"
    baseline = start_run(SAMPLE, DEMO / "baseline.yaml", ["hallucination"], tracking_uri=uri)
    vendor = start_run(SAMPLE, DEMO / "vendor_a.yaml", ["hallucination"], tracking_uri=uri,
                       report_json=tmp_path / "vendor.json")
    thresholds = tmp_path / "thresholds.yaml"
    thresholds.write_text("max_errors: 0\n", encoding="utf-8")
    return uri, baseline.run_id, vendor.run_id, thresholds


def _tags(uri: str, run_id: str) -> dict[str, str]:
    return {k: v for k, v in Tracker(uri).get_run(run_id).tags.items() if k.startswith("assure.gate.")}


def test_a_failed_gate_is_tagged_then_a_later_gating_replaces_it(app: typer.Typer, runs: tuple[str, str, str, Path]) -> None:
    uri, baseline, vendor, thresholds = runs
    before = datetime.now(timezone.utc).replace(microsecond=0)
    failed = CliRunner().invoke(app, ["gate", "--run", vendor, "--thresholds", str(thresholds), "--baseline", baseline,
                                      "--tracking-uri", uri])
    assert failed.exit_code == 1, failed.output
    tags = _tags(uri, vendor)
    assert tags[VERDICT_TAG] == "fail" and tags[BASELINE_TAG] == baseline
    assert "unsupported_details: new critical findings" in tags[FAILED_CHECKS_TAG]
    count, _, total = tags[CHECKS_TAG].partition(" of ")
    assert int(count) >= 1 and total.endswith("failed")
    assert datetime.fromisoformat(tags[GATED_AT_TAG]) >= before
    assert tags[THRESHOLDS_TAG] == str(thresholds)
    assert _tags(uri, baseline) == {}  # only the candidate is tagged

    # Gated again, alone: it passes, and every tag says so (no stale baseline or failed checks left behind).
    passed = CliRunner().invoke(app, ["gate", "--run", vendor, "--thresholds", str(thresholds), "--tracking-uri", uri])
    assert passed.exit_code == 0, passed.output
    tags = _tags(uri, vendor)
    assert tags[VERDICT_TAG] == "pass" and tags[BASELINE_TAG] == "" and tags[FAILED_CHECKS_TAG] == ""
    assert read_verdict(Tracker(uri).get_run(vendor).tags) == {
        "verdict": "pass", "baseline": "", "failed_checks": "", "checks": tags[CHECKS_TAG], "time": tags[GATED_AT_TAG],
        "thresholds": str(thresholds)}


def test_a_run_missing_from_the_store_still_gets_its_verdict(app: typer.Typer, runs: tuple[str, str, str, Path],
                                                             tmp_path: Path) -> None:
    """The report file is read from the run folder; the other store has no such run: the exit code is the gate's, with a warning."""
    _, _, vendor, thresholds = runs
    other = f"sqlite:///{tmp_path}/other.db"
    result = CliRunner().invoke(app, ["gate", "--run", str(tmp_path / "vendor.json"), "--thresholds", str(thresholds),
                                      "--tracking-uri", other])
    assert result.exit_code == 0, result.output
    assert "verdict was not recorded in MLflow" in result.output
    assert json.loads((tmp_path / "vendor.json").read_text(encoding="utf-8"))["run_id"] == vendor


def test_verdict_tags_are_short_and_only_valid_verdicts_are_read() -> None:
    side = None  # the tags never read the run summary
    checks = [Check("regression", f"scorer_{i}", False, "worse") for i in range(100)] + [Check("errored cases", None, True, "0")]
    result = GateResult(candidate=side, checks=checks)  # type: ignore[arg-type]
    tags = verdict_tags(result, None, "t.yaml", now=datetime(2026, 1, 2, 3, 4, 5, tzinfo=timezone.utc))
    assert tags[VERDICT_TAG] == "fail" and tags[BASELINE_TAG] == "" and tags[CHECKS_TAG] == "100 of 101 failed"
    assert len(tags[FAILED_CHECKS_TAG]) == MAX_FAILED_CHECKS_TEXT and tags[FAILED_CHECKS_TAG].endswith("...")
    assert tags[FAILED_CHECKS_TAG].startswith("scorer_0: regression; scorer_1: regression")
    assert tags[GATED_AT_TAG] == "2026-01-02T03:04:05+00:00"
    assert verdict_tags(GateResult(candidate=side, checks=checks[-1:]), "b1")[VERDICT_TAG] == "pass"  # type: ignore[arg-type]
    assert read_verdict({}) is None and read_verdict({VERDICT_TAG: "maybe"}) is None
    assert read_verdict({VERDICT_TAG: "fail"})["baseline"] == ""  # type: ignore[index]
