"""Hand-computed examples of every item-2 figure, the Green Book schedule and the switching values."""

from __future__ import annotations

from dataclasses import replace

import pytest

from roi.calculate import AppraisalInputs, annuity_factor, compute, discount_factors, present_value
from roi.uncertainty import monte_carlo, sensitivity
from roi_examples import INPUTS_A

# Discount factors at 3.5%: D1 = 1/1.035 = 0.966184, D2 = 1/1.035^2 = 0.933511; D1 + D2 = 1.899694.
ANNUITY_2 = 1 / 1.035 + 1 / 1.035**2


def test_example_a_by_hand() -> None:
    f = compute(INPUTS_A)
    # net hours per user per week = 5 tasks x (60 - 36) min / 60 = 2.0
    assert f.net_hours_per_user_per_week == pytest.approx(2.0)
    # annual hours released = 10 users x 2.0 h x 40 weeks = 800; FTE = 800 / 1,600 = 0.5
    assert f.annual_hours_released == pytest.approx(800)
    assert f.fte_released == pytest.approx(0.5)
    # benefit = 800 h x £50 = £40,000; 25% cashable = £10,000, the rest £30,000
    assert f.annual_benefit_gbp == pytest.approx(40_000)
    assert (f.cashable_benefit_gbp, f.non_cashable_benefit_gbp) == pytest.approx((10_000, 30_000))
    # recurring = licences 10 x £300 + support £2,000 + infrastructure £1,000 + 20 h x £50 = £7,000
    assert f.annual_recurring_cost_gbp == pytest.approx(7_000)
    # one-off = set-up £10,000 + 2 h x 10 users x £50 = £11,000
    assert f.one_off_cost_gbp == pytest.approx(11_000)
    # PV benefit = 40,000 x 1.899694 = 75,987.77; PV cost = 11,000 + 7,000 x 1.899694 = 24,297.86
    assert f.pv_benefit_gbp == pytest.approx(75_987.77, abs=0.01)
    assert f.pv_cost_gbp == pytest.approx(24_297.86, abs=0.01)
    # NPV = 51,689.91; BCR = 3.1273; ROI = 212.73%; payback = 12 x 11,000 / (40,000 - 7,000) = 4.0 months
    assert f.npv_gbp == pytest.approx(51_689.91, abs=0.01)
    assert f.benefit_cost_ratio == pytest.approx(3.12734, abs=1e-5)
    assert f.roi_percent == pytest.approx(212.734, abs=1e-3)
    assert f.payback_months == pytest.approx(4.0)
    # financial NPV = 0.25 x 75,987.77 - 24,297.86 = -5,300.92: the cash case alone does not pay
    assert f.financial_npv_gbp == pytest.approx(-5_300.92, abs=0.01)
    assert f.cost_breakdown["training_one_off"] == pytest.approx(1_000)


def test_optimism_bias_by_hand() -> None:
    biased = replace(INPUTS_A, appraisal=replace(INPUTS_A.appraisal, one_off_cost_uplift=0.1, benefit_shortfall=0.2))
    f = compute(biased)
    # PV benefit = 40,000 x 0.8 x 1.899694 = 60,790.22; PV cost = 11,000 x 1.1 + 13,297.86 = 25,397.86
    assert f.pv_benefit_gbp == pytest.approx(60_790.22, abs=0.01)
    assert f.pv_cost_gbp == pytest.approx(25_397.86, abs=0.01)
    assert f.npv_gbp == pytest.approx(35_392.36, abs=0.01)
    # payback = 12 x 12,100 / (32,000 - 7,000) = 5.808 months; the annual figures stay as measured
    assert f.payback_months == pytest.approx(5.808)
    assert f.annual_benefit_gbp == pytest.approx(40_000)


def test_two_groups_weight_hours_per_user_by_users() -> None:
    second = replace(INPUTS_A.groups[0], role="business_support", users=30, hourly_cost_gbp=20.0,
                     tasks_per_user_per_week=2, minutes_per_task_before=90, minutes_per_task_after=60)
    f = compute(replace(INPUTS_A, groups=(INPUTS_A.groups[0], second)))
    # group 2: 2 x 30 / 60 = 1.0 h/user/wk; mean over 40 users = (10 x 2.0 + 30 x 1.0) / 40 = 1.25
    assert f.net_hours_per_user_per_week == pytest.approx(1.25)
    # hours = 800 + 30 x 1.0 x 40 = 2,000; benefit = 40,000 + 1,200 x 20 = 64,000
    assert f.annual_hours_released == pytest.approx(2_000)
    assert f.annual_benefit_gbp == pytest.approx(64_000)
    # training = 2 h x (10 x 50 + 30 x 20) = 2,200; licences = 40 x 300 = 12,000
    assert f.cost_breakdown["training_one_off"] == pytest.approx(2_200)
    assert f.cost_breakdown["licences_per_year"] == pytest.approx(12_000)


def test_no_benefit_and_losses() -> None:
    none = compute(INPUTS_A.with_groups(minutes_per_task_after=60))
    assert none.roi_percent == pytest.approx(-100.0)
    assert none.payback_months is None and none.benefit_cost_ratio == 0
    slower = compute(INPUTS_A.with_groups(minutes_per_task_after=70))  # the tool costs time: negative saving
    assert slower.net_hours_per_user_per_week < 0 and slower.roi_percent < -100


def test_green_book_schedule_steps_down_after_year_30() -> None:
    d = discount_factors(32)
    assert d[0] == 1.0
    assert d[30] == pytest.approx(1.035**-30)
    assert d[31] == pytest.approx(1.035**-30 / 1.03)
    assert d[32] == pytest.approx(1.035**-30 / 1.03**2)
    assert annuity_factor(2) == pytest.approx(ANNUITY_2)
    assert present_value([100, 100, 100], rate=0.1) == pytest.approx(100 + 100 / 1.1 + 100 / 1.21)


def test_switching_values_by_hand() -> None:
    rows = {r["input"]: r for r in sensitivity(INPUTS_A)}
    # NPV is linear in the share k of time saved kept: 75,987.77 k - 24,297.86 = 0 at k = 0.319757,
    # i.e. 24 x 0.319757 = 7.674 minutes saved a task (-68.02%), or 16.326 extra checking minutes.
    saved = rows["net_minutes_saved_per_task"]
    assert saved["base"] == pytest.approx(24)
    assert saved["switching_value"] == pytest.approx(7.674, abs=1e-3)
    assert saved["switching_change_percent"] == pytest.approx(-68.02, abs=0.01)
    assert rows["extra_checking_minutes_per_task"]["switching_value"] == pytest.approx(16.326, abs=1e-3)
    # low/high move the input 20%: NPV(0.8 x 24 min) = 0.8 x 75,987.77 - 24,297.86 = 36,492.36
    assert saved["npv_low_gbp"] == pytest.approx(36_492.36, abs=0.01)
    # Discount rate: 33,000 A(r) = 11,000, A(r) = x + x^2 = 1/3 with x = 1/(1+r):
    # x = (-1 + sqrt(7/3)) / 2 = 0.263763, r = 2.79129 (an internal rate of return of 279%)
    assert rows["discount_rate"]["switching_value"] == pytest.approx(2.79129, abs=1e-4)
    # licence: NPV falls by 10 users x 1.899694 per £1 of licence: 51,689.91 / 18.99694 = £2,720.96 more
    assert rows["licence_per_user_per_year_gbp"]["switching_value"] == pytest.approx(300 + 2_720.96, abs=0.01)


def test_monte_carlo_is_seeded_and_brackets_the_point_estimate() -> None:
    first, second = monte_carlo(INPUTS_A, draws=4000, seed=1), monte_carlo(INPUTS_A, draws=4000, seed=1)
    assert first == second
    npv = compute(INPUTS_A).npv_gbp
    assert first["npv_gbp"]["p2_5"] < npv < first["npv_gbp"]["p97_5"]
    assert first["npv_gbp"]["p50"] == pytest.approx(npv, rel=0.05)
    # no spread at all: the interval collapses to the point estimate
    exact = INPUTS_A.with_groups(minutes_per_task_before_sd=0.0, minutes_per_task_after_sd=0.0, tasks_per_user_per_week_sd=0.0)
    flat = monte_carlo(exact, draws=200)
    assert flat["npv_gbp"]["p2_5"] == pytest.approx(npv) and flat["npv_gbp"]["p97_5"] == pytest.approx(npv)
    assert flat["probability_npv_positive"] == 1.0


def test_flat_discount_rate_replaces_the_schedule() -> None:
    flat = replace(INPUTS_A, appraisal=AppraisalInputs(**{**INPUTS_A.appraisal.__dict__, "discount_rate": 0.0}))
    # undiscounted: 2 x 40,000 - 11,000 - 2 x 7,000 = 55,000
    assert compute(flat).npv_gbp == pytest.approx(55_000)
