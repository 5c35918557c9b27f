"""Standardised measures, so councils of different size and maturity compare like with like, and
each council's rank and quartile against the region.

Per council (annualised cost = annual_recurring_cost_gbp + one_off_cost_gbp / appraisal_years, as
measured, before optimism bias; tasks_per_year = sum_g users_g * tasks_per_user_per_week_g * weeks_g):

    net_hours_per_user_per_week   (per user; higher is better)
    annual_benefit_per_user_gbp   = annual_benefit_gbp / users
    annual_cost_per_user_gbp      = annualised cost / users                      (lower is better)
    npv_per_user_gbp              = npv_gbp / users
    hours_saved_per_100_tasks     = 100 * annual_hours_released / tasks_per_year
    cost_per_100_tasks_gbp        = 100 * annualised cost / tasks_per_year       (lower is better)
    benefit_per_pound_gbp         = pv_benefit_gbp / pv_cost_gbp                 (= benefit_cost_ratio)
    hours_released_per_1000_gbp   = 1000 * annual_hours_released / annualised cost

Region: for each measure, the minimum, lower quartile (Q1), median, upper quartile (Q3) and
maximum over the submissions (numpy linear interpolation). Rank 1 is the best value (ties share
the better rank). Quartile 1 is the best quarter: for a higher-is-better measure, quartile 1 when
value >= Q3, 2 when >= median, 3 when >= Q1, else 4 (mirrored for lower-is-better measures).
"""

from __future__ import annotations

from typing import Any

import numpy as np

MEASURES: dict[str, tuple[bool, str]] = {
    "net_hours_per_user_per_week": (True, "net hours saved per user per week"),
    "annual_benefit_per_user_gbp": (True, "annual benefit per user (GBP)"),
    "annual_cost_per_user_gbp": (False, "annualised cost per user (GBP)"),
    "npv_per_user_gbp": (True, "NPV per user (GBP)"),
    "hours_saved_per_100_tasks": (True, "hours saved per 100 tasks"),
    "cost_per_100_tasks_gbp": (False, "annualised cost per 100 tasks (GBP)"),
    "benefit_per_pound_gbp": (True, "present-value benefit per pound spent (BCR)"),
    "hours_released_per_1000_gbp": (True, "hours released a year per GBP 1,000 of annualised cost"),
}
"""Measure name -> (higher is better, label)."""


def measures(figures: dict[str, Any], appraisal_years: int) -> dict[str, float | None]:
    """The standardised measures of one council's figures (see the module docstring)."""
    users = figures["users"]
    tasks = figures["tasks_per_year"]
    annualised = figures["annual_recurring_cost_gbp"] + figures["one_off_cost_gbp"] / appraisal_years
    return {
        "net_hours_per_user_per_week": figures["net_hours_per_user_per_week"],
        "annual_benefit_per_user_gbp": figures["annual_benefit_gbp"] / users,
        "annual_cost_per_user_gbp": annualised / users,
        "npv_per_user_gbp": figures["npv_gbp"] / users,
        "hours_saved_per_100_tasks": 100.0 * figures["annual_hours_released"] / tasks if tasks > 0 else None,
        "cost_per_100_tasks_gbp": 100.0 * annualised / tasks if tasks > 0 else None,
        "benefit_per_pound_gbp": figures["benefit_cost_ratio"],
        "hours_released_per_1000_gbp": 1000.0 * figures["annual_hours_released"] / annualised if annualised > 0 else None,
    }


def region_summary(values: list[float | None]) -> dict[str, float | int | None]:
    """n, min, Q1, median, Q3 and max of the known values."""
    known = np.asarray([v for v in values if v is not None], dtype=float)
    if known.size == 0:
        return {"n": 0, "min": None, "q1": None, "median": None, "q3": None, "max": None}
    q1, median, q3 = np.percentile(known, [25, 50, 75])
    return {"n": int(known.size), "min": float(known.min()), "q1": float(q1), "median": float(median),
            "q3": float(q3), "max": float(known.max())}


def quartile(value: float, summary: dict[str, Any], higher_is_better: bool) -> int:
    """1 (best quarter) to 4, against the region's quartiles."""
    if higher_is_better:
        return 1 if value >= summary["q3"] else 2 if value >= summary["median"] else 3 if value >= summary["q1"] else 4
    return 1 if value <= summary["q1"] else 2 if value <= summary["median"] else 3 if value <= summary["q3"] else 4


def rank(value: float, values: list[float], higher_is_better: bool) -> int:
    """1 + the number of strictly better values."""
    return 1 + sum(1 for v in values if (v > value if higher_is_better else v < value))


def standardise(per_council: list[dict[str, float | None]]) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    """(for each council: every measure against the region, the region's summary of each measure)."""
    region = {name: region_summary([m[name] for m in per_council]) for name in MEASURES}
    against = []
    for m in per_council:
        entry = {}
        for name, (higher, _) in MEASURES.items():
            value = m[name]
            summary = region[name]
            known = [x[name] for x in per_council if x[name] is not None]
            if value is None or summary["n"] == 0:
                entry[name] = {"value": value, "rank": None, "of": summary["n"], "quartile": None,
                               "region_median": summary["median"], "difference_from_median": None}
                continue
            entry[name] = {"value": value, "rank": rank(value, known, higher), "of": summary["n"],
                           "quartile": quartile(value, summary, higher), "region_median": summary["median"],
                           "difference_from_median": value - summary["median"]}
        against.append(entry)
    return against, region
