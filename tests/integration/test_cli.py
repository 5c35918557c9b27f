"""The `assure` command as a user runs it: exit codes, one-line errors, no tracebacks."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from dashboards.demo import DEMO_DATA
from tests.conftest import SAMPLE, run_cli, simple_case, write_golden

pytestmark = pytest.mark.integration


def test_demo_runs_offline_and_prints_results(tmp_path: Path) -> None:
    result = run_cli("demo", "--no-serve", cwd=tmp_path, timeout=420)  # a busy 2-core CI runner is slow
    assert result.returncode == 0, result.stderr
    assert "textrank (baseline)" in result.stdout and "vendor-a-minutes" in result.stdout
    assert "unsupported_details" in result.stdout
    listing = run_cli("runs", cwd=tmp_path)
    # 8 evaluation runs (4, vendor A v2.4, the real model's two prompts and the bias run), the region and 6 councils
    assert listing.returncode == 0 and listing.stdout.count("FINISHED") == 8 + 7
    # the real model's recorded minutes: the gate fails the poor prompt on new critical omissions
    assert "A real generative tool on 12 meetings: local-qwen2.5-coder-0.5b" in result.stdout
    assert "gate poor prompt against careful prompt: FAILED" in result.stdout
    assert "key_fact_recall: mean" in result.stdout
    assert "gate vendor-a-minutes v2.4 against vendor-a-minutes v2.3: PASSED" in result.stdout
    assert "Low power" in result.stdout and "minimum detectable effect" in result.stdout
    assert "injected-defects-safeguarding_minutes" in result.stdout

    # Self-test of the front doors on the demo's runs: the README's compare command, then the gate.
    pack = tmp_path / "pack.html"
    compared = run_cli("compare", "--tool", "textrank", "--tool", "injected-defects-safeguarding_minutes",
                       "--golden", "safeguarding_minutes", "--html", str(pack), "--json", cwd=tmp_path)
    assert compared.returncode == 0, compared.stderr
    baseline, vendor = [r["run_id"] for r in json.loads(compared.stdout)["runs"]]
    assert pack.stat().st_size > 10_000 and "<script" not in pack.read_text(encoding="utf-8")
    assert run_cli("tag", baseline, "demo-baseline", cwd=tmp_path).returncode == 0
    thresholds = tmp_path / "thresholds.yaml"
    thresholds.write_text("max_errors: 0\n", encoding="utf-8")  # the demo runs the hallucination suite: defaults only
    gated = run_cli("gate", "--run", vendor, "--thresholds", str(thresholds), "--baseline-tag", "demo-baseline", cwd=tmp_path)
    assert gated.returncode == 1 and "gate FAILED" in gated.stdout, gated.stdout + gated.stderr


def test_validate_reports_each_problem_on_one_line(tmp_path: Path) -> None:
    folder = write_golden(tmp_path / "g", [simple_case("c1", "text", key_facts=[
        {"id": "k", "text": "t", "category": "risk", "severity": "high", "evidence": "nope"}])])
    result = run_cli("validate", str(folder), cwd=tmp_path)
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    cases = folder / "cases.jsonl"
    assert result.stderr.splitlines() == [
        f"error: {cases}:1: key_facts.0.severity: Input should be 'critical', 'major' or 'minor'"]
    ok = run_cli("validate", str(SAMPLE), cwd=tmp_path)
    assert ok.returncode == 0 and ok.stdout.startswith("OK sample")


@pytest.mark.parametrize("args, message", [
    (["run", "--golden", "golden_sets/none", "--target", "t.yaml", "--suite", "hallucination"], "not a golden-set folder"),
    (["run", "--golden", "SAMPLE", "--target", "missing.yaml", "--suite", "hallucination"], "target file not found"),
    (["run", "--golden", "SAMPLE", "--target", "BASELINE", "--suite", "nosuch"], "unknown suite 'nosuch'"),
    (["run", "--golden", "SAMPLE"], "missing --target, --suite"),
    (["run", "--resume", "0123abcd"], "no run '0123abcd' to resume"),
    (["run", "--golden", "SAMPLE", "--target", "BASELINE", "--suite", "hallucination", "--fail-under", "x"], "expected SCORER=NUMBER"),
])
def test_bad_input_exits_2_with_a_clear_line(tmp_path: Path, args: list[str], message: str) -> None:
    args = [str(SAMPLE) if a == "SAMPLE" else str(DEMO_DATA / "baseline.yaml") if a == "BASELINE" else a for a in args]
    result = run_cli(*args, cwd=tmp_path)
    assert result.returncode == 2, result.stdout + result.stderr
    assert message in result.stderr and "Traceback" not in result.stderr


def test_fail_under_exits_1_and_report_json_has_stable_keys(tmp_path: Path) -> None:
    result = run_cli("run", "--golden", str(SAMPLE), "--target", str(DEMO_DATA / "vendor_a.yaml"), "--suite", "hallucination",
                     "--fail-under", "unsupported_details=0.99", "--report-json", str(tmp_path / "r.json"), cwd=tmp_path)
    assert result.returncode == 1
    assert "FAILED unsupported_details mean" in result.stderr
    report = json.loads((tmp_path / "r.json").read_text())
    assert {"run_id", "target", "golden_set", "metrics", "cases"} <= set(report)
    assert set(report["metrics"]["unsupported_details"]) >= {"mean", "ci_low", "ci_high", "pass_rate"}
    assert set(report["cases"][0]) == {"case_id", "output", "error", "scores"}
    assert set(report["cases"][0]["scores"]["unsupported_details"]) == {"value", "passed", "findings"}
    assert report["warnings"] == ["vendor file has 1 case id(s) not in the golden set (ignored): sample-999"]


def test_vendor_output_is_escaped_in_the_html_summary(tmp_path: Path, isolated_home: Path) -> None:
    (tmp_path / "out.jsonl").write_text(json.dumps({"case_id": "sample-003", "output": "<script>alert('x')</script> Mr Qureshi fell."}) + "\n")
    (tmp_path / "t.yaml").write_text("name: '<b>evil</b>'\nkind: recorded\npath: out.jsonl\n")
    result = run_cli("run", "--golden", str(SAMPLE), "--target", str(tmp_path / "t.yaml"), "--suite", "hallucination", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    (html_file,) = isolated_home.glob("runs/*/artifacts/summary.html")
    page = html_file.read_text()
    assert "<script>alert" not in page and "&lt;script&gt;alert" in page
    assert "<b>evil</b>" not in page and "&lt;b&gt;evil&lt;/b&gt;" in page
    assert "has no output for this case" in page  # the two cases the vendor skipped are errored, not dropped
