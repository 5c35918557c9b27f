"""Shared ROI test material: the hand-worked example A, as resolved inputs and as a YAML submission."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import yaml

from roi.calculate import AppraisalInputs, CostInputs, GroupInputs, Inputs

# Example A, worked by hand in test_roi_calculate.py:
# 10 social workers at £50/h, 5 tasks a week each, 60 -> 36 minutes a task (24 saved), 40 weeks;
# licence £300/user/yr, set-up £10,000, 2 training hours each, support £2,000/yr,
# infrastructure £1,000/yr, 20 governance hours/yr at £50; 2 years; no optimism bias; 25% cashable.
GROUP_A = GroupInputs(role="social_worker", users=10, hourly_cost_gbp=50.0, tasks_per_user_per_week=5,
                      minutes_per_task_before=60, minutes_per_task_after=36, working_weeks_per_year=40,
                      time_measured_by="time_and_motion", sample_size=10, minutes_per_task_before_sd=12,
                      minutes_per_task_after_sd=9, tasks_per_user_per_week_sd=1)
COSTS_A = CostInputs(licence_per_user_per_year_gbp=300, setup_one_off_gbp=10_000, training_hours_per_user=2,
                     annual_support_gbp=2_000, annual_infrastructure_gbp=1_000, annual_governance_hours=20,
                     governance_hourly_cost_gbp=50)
APPRAISAL_A = AppraisalInputs(years=2, cashable_share=0.25, one_off_cost_uplift=0, recurring_cost_uplift=0,
                              benefit_shortfall=0, fte_hours_per_year=1600)
INPUTS_A = Inputs((GROUP_A,), COSTS_A, APPRAISAL_A)


def submission_a(**changes: Any) -> dict[str, Any]:
    """Example A as a submission mapping (every default overridden so nothing is filled in)."""
    data: dict[str, Any] = {
        "council": "Testford Council (fictional)",
        "tool": {"name": "tool-a", "version": "1.0"},
        "appraisal_years": 2,
        "synthetic": True,
        "staff_groups": [{
            "role": "social_worker", "users": 10, "hourly_cost_gbp": 50.0, "tasks_per_user_per_week": 5,
            "minutes_per_task_before": 60, "minutes_per_task_after": 36, "working_weeks_per_year": 40,
            "time_measured_by": "time_and_motion", "sample_size": 10, "minutes_per_task_before_sd": 12,
            "minutes_per_task_after_sd": 9, "tasks_per_user_per_week_sd": 1}],
        "costs": {"licence_per_user_per_year_gbp": 300, "setup_one_off_gbp": 10_000, "training_hours_per_user": 2,
                  "annual_support_gbp": 2_000, "annual_infrastructure_gbp": 1_000, "annual_governance_hours": 20,
                  "governance_hourly_cost_gbp": 50},
        "cashable_share": 0.25,
        "optimism_bias": {"one_off_cost_uplift": 0, "recurring_cost_uplift": 0, "benefit_shortfall": 0},
        "fte_hours_per_year": 1600,
    }
    data.update(changes)
    return data


def write_submission(path: Path, data: dict[str, Any]) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    return path


def run_assure(*args: str, cwd: Path, env: dict[str, str] | None = None, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    """Run the real `assure` console script (as tests/conftest.py's run_cli does; repeated here so these
    tests also run under a bare `pytest`, where the `tests` folder is not importable as a package)."""
    exe = Path(sys.executable).parent / "assure"
    return subprocess.run([str(exe), *args], cwd=cwd, env={**os.environ, **(env or {})}, capture_output=True,
                          text=True, timeout=timeout)
