"""`assure run --judge deep`: the deep judge's scorer joins the hallucination suite, end to end."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest

from dashboards.demo import DEMO_DATA
from harness.tracking import Tracker
from judge.claims import split_claims
from judge.verdict import DEFAULT_MODEL, PROMPT_VERSION
from suites.hallucination.deep import SHORT_OUTPUT_CLAIMS, load_model, uses_verdict
from tests.conftest import SAMPLE, run_cli

pytestmark = pytest.mark.integration


def test_judge_deep_adds_a_calibrated_verdict_whose_findings_quote_claim_and_evidence(tmp_path: Path, isolated_home: Path) -> None:
    result = run_cli("run", "--golden", str(SAMPLE), "--target", str(DEMO_DATA / "vendor_a.yaml"), "--suite", "hallucination",
                     "--judge", "deep", "--report-json", "r.json", cwd=tmp_path, timeout=600)
    assert result.returncode in (0, 1), result.stderr
    report = json.loads((tmp_path / "r.json").read_text(encoding="utf-8"))
    assert set(report["metrics"]) == {"unsupported_details", "claim_support", "deep_support"}
    assert report["metrics"]["deep_support"]["n_scored"] == 3
    sources = {c["id"]: c["source"] for c in map(json.loads, (SAMPLE / "cases.jsonl").read_text().splitlines())}
    for case in report["cases"]:
        score = case["scores"]["deep_support"]
        assert 0.0 <= score["value"] <= 1.0
        for finding in score["findings"]:
            assert finding["kind"] == "deep_unsupported_claim" and finding["output_span"] in case["output"]
            assert " ".join(finding["source_evidence"].split()) in " ".join(sources[case["case_id"]].split())
    run = Tracker().get_run(report["run_id"])
    assert run.params["judge.mode"] == "deep" and "deep_support.mean" in run.metrics
    # The shipped model reads the instruction model's verdict: each claim of the short outputs (at most 8 claims)
    # was put to the default model, served inside the run, and its answer cached; the long output's were not.
    short = [split_claims(c["output"]) for c in report["cases"]]
    asked = sum(len(claims) for claims in short if len(claims) <= SHORT_OUTPUT_CLAIMS)
    assert uses_verdict(load_model()) and asked > 0
    with sqlite3.connect(isolated_home / "cache.sqlite") as db:
        namespaces = dict(db.execute("SELECT namespace, COUNT(*) FROM entries WHERE namespace LIKE 'verdict:%' GROUP BY namespace"))
    assert namespaces == {f"verdict:{DEFAULT_MODEL}:{PROMPT_VERSION}": asked}

    fast = run_cli("run", "--golden", str(SAMPLE), "--target", str(DEMO_DATA / "vendor_a.yaml"), "--suite", "hallucination",
                   "--report-json", "fast.json", cwd=tmp_path, timeout=600)
    assert fast.returncode in (0, 1) and "deep_support" not in json.loads((tmp_path / "fast.json").read_text())["metrics"]
