"""`assure roi` as a user runs it: the bundled submissions end to end, and bad submissions (exit 2)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from harness.tracking import Tracker
from roi.paths import SUBMISSIONS
from roi.report import FIGURE_KEYS
from roi_examples import run_assure, submission_a, write_submission

pytestmark = pytest.mark.integration

ITEM_2 = {"net_hours_per_user_per_week", "annual_hours_released", "fte_released", "annual_benefit_gbp",
          "annual_recurring_cost_gbp", "one_off_cost_gbp", "npv_gbp", "benefit_cost_ratio", "roi_percent", "payback_months",
          "uncertainty", "sensitivity"}


def test_bundled_submissions_end_to_end(tmp_path: Path) -> None:
    out = tmp_path / "roi.json"
    result = run_assure("roi", str(SUBMISSIONS), "--report-json", str(out), "--draws", "2000", cwd=tmp_path,
                     env={"COLUMNS": "200"})
    assert result.returncode == 0, result.stderr
    report = json.loads(out.read_text())
    assert set(report) >= {"councils", "region"}
    councils = {c["council"]: c for c in report["councils"]}
    assert len(councils) == 6
    for c in councils.values():
        assert {"council", "tool", "wellbeing", "defaults_used", "quality_adjusted", "standardised"} | ITEM_2 <= set(c)
        assert c["uncertainty"]["draws"] == 2000
        assert {"p2_5", "p50", "p97_5"} == set(c["uncertainty"]["npv_gbp"])
        assert any(row["input"] == "net_minutes_saved_per_task" for row in c["sensitivity"])
    # Eastvale's staff table is a CSV file; its social workers take the PSSRU default cost, listed
    eastvale = councils["Eastvale Council"]
    assert eastvale["staff_table"].endswith("eastvale_staff.csv")
    assert any(d["field"].startswith("staff_groups.0.hourly_cost_gbp") and d["value"] == 58.0 for d in eastvale["defaults_used"])
    assert eastvale["wellbeing"]["converted_from_raw"] is True
    # Marlowby is the example that does not pay; no run exists for Kettleby's tool, and the output says so
    assert councils["Marlowby Council"]["npv_gbp"] < 0 and councils["Marlowby Council"]["payback_months"] is None
    assert councils["Kettleby Borough Council"]["quality_adjusted"]["run_found"] is False
    assert councils["Kettleby Borough Council"]["wellbeing"] is None
    assert report["region"]["submissions"] == 6 and report["region"]["measures"]["net_hours_per_user_per_week"]["n"] == 6
    # printed: the table, the region line, the defaults, and where it was logged
    assert "Harrowfield Council" in result.stdout and "Region: 6 submissions from 6 councils" in result.stdout
    assert "defaults used:" in result.stdout and "no assurance run found for tool 'convo-to-assessment'" in result.stdout
    # logged to MLflow experiment roi: a parent run for the region and one child per submission
    runs = Tracker().list_runs(limit=50, experiments=["roi"])
    assert len(runs) == 7
    region_run = next(r for r in runs if r.tags.get("assure.kind") == "roi-region")
    children = [r for r in runs if r.tags.get("assure.kind") == "roi"]
    assert {r.tags["council"] for r in children} == set(councils)
    harrowfield = next(r for r in children if r.tags["council"] == "Harrowfield Council")
    assert harrowfield.metrics["npv_gbp"] == pytest.approx(councils["Harrowfield Council"]["npv_gbp"])
    assert set(FIGURE_KEYS) - {"payback_months", "benefit_cost_ratio", "roi_percent"} <= set(harrowfield.metrics)
    assert region_run.metrics["region.total.npv_gbp"] == pytest.approx(sum(c["npv_gbp"] for c in councils.values()))


def test_bad_submissions_exit_2_with_one_line_per_problem(tmp_path: Path) -> None:
    data = submission_a()
    data["staff_groups"][0]["users"] = 0
    first = write_submission(tmp_path / "first.yaml", data)
    (tmp_path / "staff.csv").write_text(
        "role,users,hourly_cost_gbp,tasks_per_user_per_week,minutes_per_task_before,minutes_per_task_after,"
        "time_measured_by,sample_size\n"
        "social_worker,10,,5,60,36,diary,10\n"
        "business_support,4,22.5,3,90,36,stopwatch,4\n", encoding="utf-8")
    second = write_submission(tmp_path / "second.yaml", submission_a(staff_groups="staff.csv", appraisal_years="three"))
    result = run_assure("roi", str(first), str(second), str(tmp_path / "third.yaml"), cwd=tmp_path)
    assert result.returncode == 2, result.stdout + result.stderr
    assert "Traceback" not in result.stderr
    users_line = next(i for i, line in enumerate(first.read_text().splitlines(), 1) if "users: 0" in line)
    years_line = next(i for i, line in enumerate(second.read_text().splitlines(), 1) if line.startswith("appraisal_years"))
    assert result.stderr.splitlines() == [
        f"error: {first}:{users_line}: staff_groups.0.users: Input should be greater than or equal to 1",
        f"error: {tmp_path / 'staff.csv'}:3: time_measured_by: Input should be 'time_and_motion', 'observed_tasks', "
        "'system_logs', 'diary', 'self_report_survey' or 'vendor_estimate'",
        f"error: {second}:{years_line}: appraisal_years: Input should be a valid integer, unable to parse string as an integer",
        f"error: {tmp_path / 'third.yaml'}: ROI submission file not found",
    ]
