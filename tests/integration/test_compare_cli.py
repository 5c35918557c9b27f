"""`assure compare`, `assure tag` and `assure gate` as a user runs them, on real tracked runs of the sample set."""

from __future__ import annotations

import json
import shutil
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from dashboards.demo import DEMO_DATA
from tests.conftest import SAMPLE, run_cli

pytestmark = pytest.mark.integration


def _run(tmp_path: Path, golden: Path, target: Path) -> str:
    out = tmp_path / f"{target.stem}-{golden.name}.json"
    result = run_cli("run", "--golden", str(golden), "--target", str(target), "--suite", "hallucination",
                     "--report-json", str(out), cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    return json.loads(out.read_text(encoding="utf-8"))["run_id"]


def test_compare_tag_and_gate_on_two_tools(tmp_path: Path) -> None:
    baseline = _run(tmp_path, SAMPLE, DEMO_DATA / "baseline.yaml")
    vendor = _run(tmp_path, SAMPLE, DEMO_DATA / "vendor_a.yaml")

    table = run_cli("compare", "--tool", "textrank", "--tool", "vendor-a-minutes", cwd=tmp_path)
    assert table.returncode == 0, table.stderr
    assert "vendor-a-minutes against textrank (baseline)" in table.stdout and "Holm" in table.stdout

    as_json = run_cli("compare", baseline, vendor, "--json", cwd=tmp_path)
    comparison = json.loads(as_json.stdout)
    assert [r["run_id"] for r in comparison["runs"]] == [baseline, vendor]
    assert comparison["golden_set"]["id"] == "sample" and comparison["different_sets"] is False
    pair = comparison["pairs"][0]
    assert {d["scorer"] for d in pair["scorers"]} >= {"unsupported_details", "claim_support"}

    markdown = run_cli("compare", baseline, vendor, "--markdown", cwd=tmp_path)
    assert markdown.stdout.startswith("# assure compare: sample v1") and "| scorer |" in markdown.stdout

    assert run_cli("tag", baseline, "main-baseline", cwd=tmp_path).returncode == 0
    thresholds = tmp_path / "thresholds.yaml"
    thresholds.write_text("max_errors: 0\ndefaults: {max_new_critical: 0}\n", encoding="utf-8")
    # --run takes the run id or, as here, the report JSON that `assure run --report-json` wrote.
    gated = run_cli("gate", "--run", str(tmp_path / "vendor_a-sample.json"), "--thresholds", str(thresholds), "--baseline-tag", "main-baseline",
                    "--junit", str(tmp_path / "junit.xml"), "--summary", str(tmp_path / "summary.md"), cwd=tmp_path)
    assert gated.returncode == 1, gated.stdout + gated.stderr
    summary = (tmp_path / "summary.md").read_text(encoding="utf-8")
    assert summary.startswith("## ❌ assure gate FAILED") and "new critical findings" in summary
    assert ET.parse(tmp_path / "junit.xml").getroot().find("testsuite").get("failures") != "0"

    thresholds.write_text("max_errors: 0\n", encoding="utf-8")
    alone = run_cli("gate", "--run", baseline, "--thresholds", str(thresholds), cwd=tmp_path)
    assert alone.returncode == 0, alone.stdout + alone.stderr
    assert "gate PASSED" in alone.stdout


def test_bad_gate_and_compare_input_exits_2_with_one_line(tmp_path: Path) -> None:
    run_id = _run(tmp_path, SAMPLE, DEMO_DATA / "baseline.yaml")
    changed = tmp_path / "changed-sample"
    shutil.copytree(SAMPLE, changed)
    lines = (changed / "cases.jsonl").read_text(encoding="utf-8").splitlines()
    (changed / "cases.jsonl").write_text("\n".join(lines[:-1]) + "\n", encoding="utf-8")
    other = _run(tmp_path, changed, DEMO_DATA / "baseline.yaml")

    refused = run_cli("compare", run_id, other, cwd=tmp_path)
    assert refused.returncode == 2 and "different golden-set contents" in refused.stderr
    assert "Traceback" not in refused.stderr
    allowed = run_cli("compare", run_id, other, "--allow-different-sets", "--markdown", cwd=tmp_path)
    assert allowed.returncode == 0 and "DIFFERENT GOLDEN SETS" in allowed.stdout

    bad = tmp_path / "bad.yaml"
    bad.write_text("scorers:\n  claim_support: {mean: high}\n", encoding="utf-8")
    result = run_cli("gate", "--run", run_id, "--thresholds", str(bad), cwd=tmp_path)
    assert result.returncode == 2 and f"{bad}:2: scorers.claim_support.mean" in result.stderr
    missing = run_cli("gate", "--run", run_id, "--thresholds", str(bad), "--baseline-tag", "nope", cwd=tmp_path)
    assert missing.returncode == 2
    bad.write_text("max_errors: 0\n", encoding="utf-8")
    missing = run_cli("gate", "--run", run_id, "--thresholds", str(bad), "--baseline-tag", "nope", cwd=tmp_path)
    assert missing.returncode == 2 and "no run is tagged 'nope'" in missing.stderr
    unknown = run_cli("gate", "--run", "0" * 32, "--thresholds", str(bad), cwd=tmp_path)
    assert unknown.returncode == 2 and "no such run" in unknown.stderr
