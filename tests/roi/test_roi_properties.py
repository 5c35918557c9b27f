"""Properties the ROI model must keep for any inputs, and parser properties of the submission format."""

from __future__ import annotations

import csv
from dataclasses import replace
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from harness.errors import InputError
from roi.calculate import AppraisalInputs, CostInputs, GroupInputs, Inputs, compute, npv, present_value
from roi.submission import StaffGroup, load_submission
from roi.uncertainty import sensitivity
from roi_examples import submission_a, write_submission

money = st.floats(min_value=0, max_value=1e6, allow_nan=False)
minutes = st.floats(min_value=0, max_value=600, allow_nan=False)


@st.composite
def groups(draw: st.DrawFn) -> GroupInputs:
    before = draw(minutes)
    return GroupInputs(role="r", users=draw(st.integers(1, 500)), hourly_cost_gbp=draw(st.floats(1, 200)),
                       tasks_per_user_per_week=draw(st.floats(0, 50)), minutes_per_task_before=before,
                       minutes_per_task_after=draw(st.floats(0, before)) if before > 0 else 0.0,
                       working_weeks_per_year=draw(st.floats(1, 52)))


@st.composite
def inputs(draw: st.DrawFn) -> Inputs:
    costs = CostInputs(licence_per_user_per_year_gbp=draw(st.floats(0, 5000)), setup_one_off_gbp=draw(money),
                       training_hours_per_user=draw(st.floats(0, 40)), annual_support_gbp=draw(money),
                       annual_infrastructure_gbp=draw(money), annual_governance_hours=draw(st.floats(0, 2000)),
                       governance_hourly_cost_gbp=draw(st.floats(1, 200)))
    appraisal = AppraisalInputs(years=draw(st.integers(1, 40)), cashable_share=draw(st.floats(0, 1)),
                                one_off_cost_uplift=draw(st.floats(0, 2)), recurring_cost_uplift=draw(st.floats(0, 1)),
                                benefit_shortfall=draw(st.floats(0, 1)))
    result = Inputs(tuple(draw(st.lists(groups(), min_size=1, max_size=4))), costs, appraisal)
    # a positive cost, so that ROI is defined (licences and set-up at least £1)
    return replace(result, costs=replace(costs, setup_one_off_gbp=costs.setup_one_off_gbp + 1.0))


@given(inputs(), st.floats(min_value=0, max_value=120))
def test_more_time_saved_never_lowers_roi(base: Inputs, extra_minutes: float) -> None:
    better = replace(base, groups=tuple(replace(g, minutes_per_task_after=max(0.0, g.minutes_per_task_after - extra_minutes))
                                        for g in base.groups))
    assert compute(better).roi_percent >= compute(base).roi_percent - 1e-9 * max(1.0, abs(compute(base).roi_percent))
    assert compute(better).npv_gbp >= compute(base).npv_gbp - 1e-6 * max(1.0, abs(compute(base).npv_gbp))


@given(inputs())
def test_no_benefit_gives_roi_of_minus_100_percent(base: Inputs) -> None:
    none = base.with_groups(minutes_per_task_after=0.0, minutes_per_task_before=0.0)
    assert compute(none).roi_percent == pytest.approx(-100.0)
    zero_tasks = base.with_groups(tasks_per_user_per_week=0.0)
    assert compute(zero_tasks).roi_percent == pytest.approx(-100.0)


@given(st.lists(st.floats(min_value=0, max_value=1e7), min_size=1, max_size=60),
       st.floats(min_value=0, max_value=0.5), st.floats(min_value=0, max_value=0.5))
def test_higher_discount_rate_never_raises_npv_of_a_benefit_stream(flows: list[float], r1: float, r2: float) -> None:
    low, high = sorted((r1, r2))
    assert present_value(flows, high) <= present_value(flows, low) * (1 + 1e-12) + 1e-6


@given(inputs(), st.floats(min_value=0, max_value=0.3), st.floats(min_value=0, max_value=0.3))
def test_higher_discount_rate_never_raises_npv_when_net_benefit_is_positive(base: Inputs, r1: float, r2: float) -> None:
    f = compute(base)
    net_year = f.annual_benefit_gbp * (1 - base.appraisal.benefit_shortfall) - f.annual_recurring_cost_gbp * (1 + base.appraisal.recurring_cost_uplift)
    low, high = sorted((r1, r2))
    at = {r: npv(replace(base, appraisal=replace(base.appraisal, discount_rate=r))) for r in (low, high)}
    if net_year >= 0:
        assert at[high] <= at[low] + 1e-6 * max(1.0, abs(at[low]))


@settings(max_examples=40)
@given(inputs())
def test_npv_is_zero_at_every_switching_value(base: Inputs) -> None:
    for row in sensitivity(base):
        x = row["switching_value"]
        if x is None:
            continue
        if row["input"] in {"setup_one_off_gbp", "licence_per_user_per_year_gbp", "annual_governance_hours"}:
            moved = replace(base, costs=replace(base.costs, **{row["input"]: x}))
        elif row["input"] == "one_off_cost_uplift":
            moved = replace(base, appraisal=replace(base.appraisal, one_off_cost_uplift=x))
        elif row["input"] == "extra_checking_minutes_per_task":
            moved = replace(base, groups=tuple(replace(g, minutes_per_task_after=g.minutes_per_task_after + x) for g in base.groups))
        elif row["input"] == "discount_rate":
            moved = replace(base, appraisal=replace(base.appraisal, discount_rate=x))
        else:
            k = x / row["base"]
            if row["input"] == "net_minutes_saved_per_task":
                moved = replace(base, groups=tuple(replace(g, minutes_per_task_after=g.minutes_per_task_before - k * (
                    g.minutes_per_task_before - g.minutes_per_task_after)) for g in base.groups))
            else:
                moved = replace(base, groups=tuple(replace(g, **{row["input"]: getattr(g, row["input"]) * k}) for g in base.groups))
        at_switch = compute(moved)  # zero to rounding: relative to the streams that cancel there
        assert abs(at_switch.npv_gbp) <= 1e-5 * max(1.0, at_switch.pv_cost_gbp + abs(at_switch.pv_benefit_gbp)), row


# --- parser properties --------------------------------------------------------------------------------

staff_rows = st.fixed_dictionaries({
    "role": st.sampled_from(["social_worker", "occupational_therapist", "business support"]),
    "users": st.integers(1, 1000),
    "hourly_cost_gbp": st.floats(1, 150).map(lambda x: round(x, 2)),
    "tasks_per_user_per_week": st.floats(0, 40).map(lambda x: round(x, 2)),
    "minutes_per_task_before": st.floats(0, 300).map(lambda x: round(x, 1)),
    "minutes_per_task_after": st.floats(0, 300).map(lambda x: round(x, 1)),
    "time_measured_by": st.sampled_from(["time_and_motion", "observed_tasks", "diary", "self_report_survey"]),
    "sample_size": st.integers(1, 500),
}, optional={"working_weeks_per_year": st.floats(1, 52).map(lambda x: round(x, 2)),
             "minutes_per_task_after_sd": st.floats(0, 100).map(lambda x: round(x, 2)),
             "hourly_cost_source": st.text(st.characters(blacklist_categories=("Cs", "Cc")), max_size=30)})


@settings(max_examples=30)
@given(st.lists(staff_rows, min_size=1, max_size=5))
def test_csv_staff_table_reads_as_the_same_groups_as_yaml(tmp_path_factory: pytest.TempPathFactory, rows: list[dict]) -> None:
    folder = tmp_path_factory.mktemp("sub")
    as_yaml = load_submission(write_submission(folder / "list.yaml", submission_a(staff_groups=rows))).submission
    columns = list(StaffGroup.model_fields)
    with (folder / "staff.csv").open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=columns)
        writer.writeheader()
        writer.writerows([{c: row.get(c, "") for c in columns} for row in rows])
    as_csv = load_submission(write_submission(folder / "table.yaml", submission_a(staff_groups="staff.csv"))).submission
    # a blank CSV cell means 'omitted', like a missing YAML key; text round-trips (stripped) unchanged
    expected = [g.model_copy(update={"hourly_cost_source": (g.hourly_cost_source or "").strip() or None,
                                     "role": g.role.strip()}) for g in as_yaml.staff_groups]
    assert as_csv.staff_groups == expected


@settings(max_examples=30)
@given(st.sampled_from(["users", "sample_size", "minutes_per_task_before", "tasks_per_user_per_week", "hourly_cost_gbp"]),
       st.sampled_from([-1, "lots", [1, 2], {"a": 1}]), st.integers(0, 2))
def test_any_bad_staff_field_gives_one_problem_on_its_own_line(tmp_path_factory: pytest.TempPathFactory, name: str,
                                                                bad: object, index: int) -> None:
    rows = [dict(submission_a()["staff_groups"][0]) for _ in range(3)]
    rows[index][name] = bad
    path = write_submission(tmp_path_factory.mktemp("bad") / "s.yaml", submission_a(staff_groups=rows))
    with pytest.raises(InputError) as caught:
        load_submission(path)
    (problem,) = caught.value.problems
    assert problem.field == f"staff_groups.{index}.{name}"
    assert problem.file == str(path)
    assert Path(path).read_text().splitlines()[problem.line - 1].strip().lstrip("- ").startswith(f"{name}:")
