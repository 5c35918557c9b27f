"""The quality-adjusted view against real MLflow runs (one SQLite store for this module: creating
an MLflow database costs seconds, so the tests share one and use distinct tool names)."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from harness.tracking import Tracker
from roi.appraise import Options, appraise
from roi.calculate import compute
from roi.quality import find_measured_rates, quality_view
from roi_examples import INPUTS_A, submission_a, write_submission

ASSUMPTIONS = {"minutes_per_task_per_unit_hallucination_rate": 10.0, "minutes_per_task_per_unit_omission_rate": 20.0,
               "risk_cost_per_failed_output_gbp": 0.0}


@pytest.fixture(scope="module")
def tracker(tmp_path_factory: pytest.TempPathFactory) -> Tracker:
    return Tracker(f"sqlite:///{tmp_path_factory.mktemp('mlflow') / 'mlflow.db'}")


def _assurance_run(tracker: Tracker, golden: str, tool: str, version: str, metrics: dict[str, float],
                   finished: bool = True) -> str:
    run_id = tracker.start_run(golden, f"{tool} on {golden}", {"target.name": tool},
                               tags={"assure.kind": "evaluation", "target": tool, "target_version": version, "golden_set": golden})
    tracker.log_metrics(run_id, metrics)
    if finished:
        tracker.finish(run_id)
    time.sleep(0.01)  # distinct start times, so 'newest' is well defined
    return run_id


def test_newest_finished_run_of_the_same_version_is_used(tracker: Tracker) -> None:
    _assurance_run(tracker, "sample", "tool-a", "1.0", {"unsupported_details.pass_rate": 0.9})
    newest = _assurance_run(tracker, "safeguarding_minutes", "tool-a", "1.0",
                            {"unsupported_details.pass_rate": 0.6, "key_fact_recall.mean": 0.9})
    _assurance_run(tracker, "sample", "tool-a", "2.0", {"unsupported_details.pass_rate": 0.1})  # another version
    _assurance_run(tracker, "sample", "tool-a", "1.0", {"unsupported_details.pass_rate": 0.0}, finished=False)  # still running
    measured = find_measured_rates(tracker, "tool-a", "1.0")
    assert measured["hallucination"]["run_id"] == newest and measured["hallucination"]["rate"] == pytest.approx(0.4)
    assert measured["omission"]["rate"] == pytest.approx(0.1)
    pinned = find_measured_rates(tracker, "tool-a", "1.0", golden_set="sample")
    assert pinned["hallucination"]["rate"] == pytest.approx(0.1) and pinned["omission"] is None

    # extra checking = 0.4 x 10 + 0.1 x 20 = 6 minutes a task: 36 -> 42 minutes, so 18 minutes saved,
    # 5 x 18 / 60 = 1.5 h/user/week, 10 x 1.5 x 40 = 600 h, x £50 = £30,000 a year
    view = quality_view(INPUTS_A, measured, ASSUMPTIONS, tracker.uri)
    assert view["extra_checking_minutes_per_task"] == pytest.approx(6.0)
    assert view["net_hours_per_user_per_week"] == pytest.approx(1.5)
    assert view["annual_hours_released"] == pytest.approx(600)
    assert view["annual_benefit_gbp"] == pytest.approx(30_000)
    # PV benefit 30,000 x 1.899694 = 56,990.83 less PV cost 24,297.86: NPV 32,692.97
    assert view["npv_gbp"] == pytest.approx(32_692.97, abs=0.01)
    assert view["npv_change_gbp"] == pytest.approx(32_692.97 - compute(INPUTS_A).npv_gbp, abs=0.01)

    # a risk-weighted cost: 2,000 tasks a year x 0.4 x £5 = £4,000 a year more recurring cost
    risky = quality_view(INPUTS_A, measured, {**ASSUMPTIONS, "risk_cost_per_failed_output_gbp": 5.0}, tracker.uri)
    assert risky["risk_weighted_cost_gbp"] == pytest.approx(4_000)
    assert risky["annual_recurring_cost_gbp"] == pytest.approx(11_000)


def test_no_run_is_said_plainly(tracker: Tracker) -> None:
    measured = find_measured_rates(tracker, "never-assured", "9")
    view = quality_view(INPUTS_A, measured, ASSUMPTIONS, tracker.uri)
    assert view["run_found"] is False
    assert "no assurance run found for tool 'never-assured' version '9'" in view["note"]
    assert "npv_gbp" not in view


def test_assumptions_from_submission_and_command_line(tracker: Tracker, tmp_path: Path) -> None:
    _assurance_run(tracker, "sample", "tool-b", "1.0", {"unsupported_details.pass_rate": 0.5})
    path = write_submission(tmp_path / "a.yaml", submission_a(
        tool={"name": "tool-b", "version": "1.0"}, quality_assumptions={"minutes_per_task_per_unit_hallucination_rate": 4}))
    report = appraise([path], Options(draws=200), tracker)
    quality = report["councils"][0]["quality_adjusted"]
    # 0.5 x 4 minutes from the submission; the omission rate was not measured
    assert quality["extra_checking_minutes_per_task"] == pytest.approx(2.0)
    assert quality["assumptions"]["minutes_per_task_per_unit_hallucination_rate_source"] == "submission"
    assert "no omission rate measured" in quality["note"]
    used = {d["field"] for d in report["councils"][0]["defaults_used"]}
    assert "quality_assumptions.minutes_per_task_per_unit_omission_rate" in used
    assert "quality_assumptions.minutes_per_task_per_unit_hallucination_rate" not in used
    overridden = appraise([path], Options(draws=200, quality_overrides={"minutes_per_task_per_unit_hallucination_rate": 12}),
                          tracker)["councils"][0]["quality_adjusted"]
    assert overridden["extra_checking_minutes_per_task"] == pytest.approx(6.0)
    assert overridden["assumptions"]["minutes_per_task_per_unit_hallucination_rate_source"] == "command line"
