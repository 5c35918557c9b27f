"""Wellbeing statistics and cross-council standardisation, checked against hand calculations."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from roi.standardise import measures, quartile, rank, region_summary, standardise
from roi.submission import Wellbeing
from roi.wellbeing import SWEMWBS_RAW_TO_METRIC, analyse, compare, swemwbs_metric


def test_swemwbs_conversion_table() -> None:
    assert len(SWEMWBS_RAW_TO_METRIC) == 29
    assert (swemwbs_metric(7), swemwbs_metric(21), swemwbs_metric(28), swemwbs_metric(35)) == (7.00, 19.25, 25.03, 35.00)
    values = list(SWEMWBS_RAW_TO_METRIC.values())
    assert values == sorted(values) and len(set(values)) == 29
    with pytest.raises(ValueError):
        swemwbs_metric(36)
    with pytest.raises(ValueError):
        swemwbs_metric(20.5)


def test_paired_change_by_hand() -> None:
    # differences 1, 2, 3, 4: mean 2.5, sd sqrt(5/3) = 1.29099, se = 0.645497, t = 3.87298 on 3 df;
    # t(0.975, 3) = 3.182446, so the CI is 2.5 -/+ 2.054255 = (0.445745, 4.554255); two-sided p = 0.030466
    result = compare([20, 21, 22, 23], [21, 23, 25, 27], paired=True, mid=3)
    assert result["mean_change"] == pytest.approx(2.5)
    assert (result["ci_low"], result["ci_high"]) == pytest.approx((0.445745, 4.554255), abs=1e-5)
    assert result["p_value"] == pytest.approx(0.030466, abs=1e-5)
    # Wilcoxon: all 4 differences positive, exact two-sided p = 2 / 2^4 = 0.125
    assert result["p_value_wilcoxon"] == pytest.approx(0.125)
    # only the difference of 4 is more than the MID of 3: 1 of 4
    assert result["share_improving_more_than_mid"] == 0.25 and result["share_worsening_more_than_mid"] == 0.0
    assert result["mean_change_exceeds_mid"] is False


def test_unpaired_uses_welch() -> None:
    # means 20 and 24; variances 2.5 (n=5) and 10 (n=5): se = sqrt(0.5 + 2) = 1.581139, t = 2.529822,
    # Welch df = 2.5^2 / (0.5^2/4 + 2^2/4) = 6.25 / 1.0625 = 5.882353
    before, after = [18, 19, 20, 21, 22], [20, 22, 24, 26, 28]
    result = compare(before, after, paired=False, mid=3)
    from scipy import stats

    p = 2 * stats.t.sf(2.529822, 5.882353)
    assert result["mean_change"] == pytest.approx(4.0)
    assert result["p_value"] == pytest.approx(p, abs=1e-6)
    half = stats.t.ppf(0.975, 5.882353) * 1.581139
    assert (result["ci_low"], result["ci_high"]) == pytest.approx((4 - half, 4 + half), abs=1e-5)
    assert result["share_improving_more_than_mid"] is None and "unpaired" in result["share_note"]


def test_raw_scores_are_converted_before_analysis() -> None:
    wellbeing = Wellbeing(instrument="SWEMWBS", score_type="raw", paired=True, before=[20, 21, 22], after=[22, 24, 22])
    result = analyse(wellbeing, mid=1.0)
    # raw 20, 21, 22 -> 18.59, 19.25, 19.98; raw 22, 24, 22 -> 19.98, 21.54, 19.98
    assert result["mean_before"] == pytest.approx((18.59 + 19.25 + 19.98) / 3)
    assert result["mean_after"] == pytest.approx((19.98 + 21.54 + 19.98) / 3)
    # changes 1.39, 2.29, 0.00: two of three exceed a MID of 1
    assert result["share_improving_more_than_mid"] == pytest.approx(2 / 3)
    assert result["converted_from_raw"] is True


def test_no_change_at_all() -> None:
    result = compare([20, 21], [20, 21], paired=True, mid=3)
    assert result["mean_change"] == 0 and result["p_value"] == 1.0 and result["ci_low"] == result["ci_high"] == 0


def test_quartiles_and_ranks_by_hand() -> None:
    # values 1, 2, 3, 4: Q1 = 1.75, median 2.5, Q3 = 3.25 (linear interpolation)
    summary = region_summary([1.0, 2.0, 3.0, 4.0, None])
    assert (summary["n"], summary["q1"], summary["median"], summary["q3"]) == (4, 1.75, 2.5, 3.25)
    assert [quartile(v, summary, True) for v in (4, 3, 2, 1)] == [1, 2, 3, 4]
    assert [quartile(v, summary, False) for v in (1, 2, 3, 4)] == [1, 2, 3, 4]
    assert rank(3.0, [1.0, 3.0, 3.0, 4.0], True) == 2  # ties share the better rank
    assert rank(3.0, [1.0, 3.0, 3.0, 4.0], False) == 2


def _figures(users: float, hours: float, benefit: float, recurring: float, one_off: float, tasks: float) -> dict:
    return {"users": users, "tasks_per_year": tasks, "annual_recurring_cost_gbp": recurring, "one_off_cost_gbp": one_off,
            "net_hours_per_user_per_week": hours / users / 40, "annual_benefit_gbp": benefit, "npv_gbp": benefit - recurring,
            "annual_hours_released": hours, "benefit_cost_ratio": 2.0}


def test_standardised_measures_by_hand() -> None:
    # 10 users, 800 h, £40,000 benefit, £7,000 a year + £11,000 once over 2 years = £12,500 annualised, 2,000 tasks
    m = measures(_figures(10, 800, 40_000, 7_000, 11_000, 2_000), appraisal_years=2)
    assert m["annual_benefit_per_user_gbp"] == 4_000
    assert m["annual_cost_per_user_gbp"] == 1_250
    assert m["hours_saved_per_100_tasks"] == 40
    assert m["cost_per_100_tasks_gbp"] == 625
    assert m["hours_released_per_1000_gbp"] == 64
    assert m["benefit_per_pound_gbp"] == 2.0


@given(st.lists(st.floats(min_value=-1e6, max_value=1e6), min_size=1, max_size=23))
def test_every_council_gets_a_rank_and_quartile_and_the_best_is_first(values: list[float]) -> None:
    per = [{name: v for name in ("net_hours_per_user_per_week", "annual_benefit_per_user_gbp", "annual_cost_per_user_gbp",
                                 "npv_per_user_gbp", "hours_saved_per_100_tasks", "cost_per_100_tasks_gbp",
                                 "benefit_per_pound_gbp", "hours_released_per_1000_gbp")} for v in values]
    against, region = standardise(per)
    best = max(values)
    for entry, value in zip(against, values):
        m = entry["net_hours_per_user_per_week"]
        assert 1 <= m["rank"] <= len(values) and m["quartile"] in (1, 2, 3, 4)
        assert (m["rank"] == 1) == (value == best)
        if value == best:
            assert m["quartile"] == 1
        lower_better = entry["annual_cost_per_user_gbp"]
        assert (lower_better["rank"] == 1) == (value == min(values))
    assert region["net_hours_per_user_per_week"]["n"] == len(values)
