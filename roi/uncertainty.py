"""How sure the ROI is: a Monte Carlo interval over the measured inputs, and a sensitivity table
with switching values (the value of an input at which NPV falls to zero, as the Green Book asks).

Monte Carlo: each draw takes, for every staff group, the mean minutes before, the mean minutes
after and the tasks per week from Normal(value, sd / sqrt(sample_size)) (the sampling error of a
mean measured on `sample_size` staff), clipped at 0; costs and unit costs are held fixed. Draws are
vectorised with numpy and seeded, so a rerun gives the same interval.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from typing import Any

import numpy as np

from .calculate import Inputs, annual_costs, appraise_streams, npv
from .defaults import GREEN_BOOK_RATE_0_30, MONTE_CARLO_DRAWS, MONTE_CARLO_SEED, SENSITIVITY_STEP


def monte_carlo(inputs: Inputs, draws: int = MONTE_CARLO_DRAWS, seed: int = MONTE_CARLO_SEED) -> dict[str, Any]:
    """Percentiles (2.5, 50, 97.5) of NPV, ROI, BCR, hours released and net hours per user per week,
    and the probability that NPV is positive."""
    rng = np.random.default_rng(seed)
    groups = inputs.groups
    total_users = sum(g.users for g in groups)
    hours = np.zeros(draws)
    benefit = np.zeros(draws)
    per_user = np.zeros(draws)
    for g in groups:
        root_n = np.sqrt(max(g.sample_size, 1))
        before = np.clip(rng.normal(g.minutes_per_task_before, g.minutes_per_task_before_sd / root_n, draws), 0, None)
        after = np.clip(rng.normal(g.minutes_per_task_after, g.minutes_per_task_after_sd / root_n, draws), 0, None)
        tasks = np.clip(rng.normal(g.tasks_per_user_per_week, g.tasks_per_user_per_week_sd / root_n, draws), 0, None)
        weekly = tasks * (before - after) / 60.0
        annual = g.users * weekly * g.working_weeks_per_year
        hours += annual
        benefit += annual * g.hourly_cost_gbp
        per_user += g.users * weekly / total_users
    recurring, one_off, _ = annual_costs(inputs)
    s = appraise_streams(benefit, recurring, one_off, inputs.appraisal)
    return {
        "method": "Monte Carlo over measured minutes and tasks per week (Normal sampling error of each mean)",
        "draws": draws, "seed": seed,
        "npv_gbp": _interval(s["npv"]), "roi_percent": _interval(s["roi"]),
        "benefit_cost_ratio": _interval(s["bcr"]), "annual_hours_released": _interval(hours),
        "net_hours_per_user_per_week": _interval(per_user),
        "probability_npv_positive": float(np.mean(s["npv"] > 0)),
    }


def _interval(values: np.ndarray) -> dict[str, float | None]:
    finite = values[np.isfinite(values)]
    if finite.size == 0:
        return {"p2_5": None, "p50": None, "p97_5": None}
    low, mid, high = np.percentile(finite, [2.5, 50, 97.5])
    return {"p2_5": float(low), "p50": float(mid), "p97_5": float(high)}


def _mean_over_users(inputs: Inputs, name: str) -> float:
    total = sum(g.users for g in inputs.groups)
    return sum(g.users * getattr(g, name) for g in inputs.groups) / total


def _scale_groups(name: str) -> Callable[[Inputs, float, float], Inputs]:
    """Set the user-weighted mean of a group field to x by scaling every group by x / base."""
    def apply(inputs: Inputs, base: float, x: float) -> Inputs:
        k = x / base
        return replace(inputs, groups=tuple(replace(g, **{name: getattr(g, name) * k}) for g in inputs.groups))
    return apply


def _scale_saving(inputs: Inputs, base: float, x: float) -> Inputs:
    k = x / base
    return replace(inputs, groups=tuple(replace(g, minutes_per_task_after=g.minutes_per_task_before
                                                - k * (g.minutes_per_task_before - g.minutes_per_task_after))
                                        for g in inputs.groups))


def _add_checking(inputs: Inputs, base: float, x: float) -> Inputs:
    return replace(inputs, groups=tuple(replace(g, minutes_per_task_after=g.minutes_per_task_after + x) for g in inputs.groups))


def _set_cost(name: str) -> Callable[[Inputs, float, float], Inputs]:
    def apply(inputs: Inputs, base: float, x: float) -> Inputs:
        return replace(inputs, costs=replace(inputs.costs, **{name: x}))
    return apply


def _set_appraisal(name: str) -> Callable[[Inputs, float, float], Inputs]:
    def apply(inputs: Inputs, base: float, x: float) -> Inputs:
        return replace(inputs, appraisal=replace(inputs.appraisal, **{name: x}))
    return apply


def sensitivity(inputs: Inputs, step: float = SENSITIVITY_STEP) -> list[dict[str, Any]]:
    """One row per input: NPV with the input `step` lower and higher, and its switching value.

    NPV is linear in every input here except the discount rate, so the switching value is exact:
    x* = x0 - NPV(x0) / slope; for the discount rate it is found by bisection (the internal rate of
    return). A switching value is None when no value in the input's range (>= 0) brings NPV to zero.
    Multi-group inputs are shown as their user-weighted mean and moved in proportion in every group
    ('scale'); single inputs are set directly ('set'); extra checking minutes are added to every
    group's 'after' time ('add', shown at +5 minutes).
    """
    minutes_saved = _mean_over_users(inputs, "minutes_per_task_before") - _mean_over_users(inputs, "minutes_per_task_after")
    a = inputs.appraisal
    rows: list[tuple[str, str, float, Callable[[Inputs, float, float], Inputs], str]] = [
        ("net_minutes_saved_per_task", "minutes per task (user-weighted mean)", minutes_saved, _scale_saving, "scale"),
        ("extra_checking_minutes_per_task", "minutes per task added to every group's 'after' time", 0.0, _add_checking, "add"),
        ("tasks_per_user_per_week", "tasks (user-weighted mean)", _mean_over_users(inputs, "tasks_per_user_per_week"),
         _scale_groups("tasks_per_user_per_week"), "scale"),
        ("hourly_cost_gbp", "GBP per hour (user-weighted mean)", _mean_over_users(inputs, "hourly_cost_gbp"),
         _scale_groups("hourly_cost_gbp"), "scale"),
        ("users", "staff using the tool (all groups)", sum(g.users for g in inputs.groups), _scale_groups("users"), "scale"),
        ("licence_per_user_per_year_gbp", "GBP a user a year", inputs.costs.licence_per_user_per_year_gbp,
         _set_cost("licence_per_user_per_year_gbp"), "set"),
        ("setup_one_off_gbp", "GBP", inputs.costs.setup_one_off_gbp, _set_cost("setup_one_off_gbp"), "set"),
        ("annual_governance_hours", "hours a year", inputs.costs.annual_governance_hours, _set_cost("annual_governance_hours"), "set"),
        ("one_off_cost_uplift", "optimism bias on one-off costs (share)", a.one_off_cost_uplift,
         _set_appraisal("one_off_cost_uplift"), "set"),
        ("discount_rate", "real rate a year (flat)", a.discount_rate if a.discount_rate is not None else GREEN_BOOK_RATE_0_30,
         _set_appraisal("discount_rate"), "rate"),
    ]
    base_npv = npv(inputs)
    table = []
    for name, unit, base, apply, kind in rows:
        row: dict[str, Any] = {"input": name, "unit": unit, "base": base, "npv_base_gbp": base_npv}
        if kind == "scale" and base == 0:
            row.update(low=None, high=None, npv_low_gbp=None, npv_high_gbp=None, switching_value=None,
                       switching_change_percent=None, note="input is zero: cannot be moved in proportion")
            table.append(row)
            continue
        f = (lambda x, apply=apply, base=base: npv(apply(inputs, base, x)))
        if kind == "add":
            low, high = None, 5.0
        elif base == 0:
            low, high = None, None
        else:
            low, high = base * (1 - step), base * (1 + step)
        if kind == "rate":
            switch = _bisect_root(f, 0.0, 10.0)
        else:  # probe at 0 and at the value itself (a scale factor of 1), or at 1 for a small input set directly
            switch = _linear_root(f, 0.0, base if kind == "scale" else max(abs(base), 1.0))
        row.update(low=low, high=high, npv_low_gbp=None if low is None else f(low),
                   npv_high_gbp=None if high is None else f(high), switching_value=switch,
                   switching_change_percent=None if switch is None or base == 0 else 100.0 * (switch - base) / base,
                   note=_note(name, switch, base_npv))
        table.append(row)
    return table


def _linear_root(f: Callable[[float], float], x0: float, x1: float) -> float | None:
    """The x >= 0 where the straight line through (x0, f(x0)) and (x1, f(x1)) is zero, if any."""
    y0, y1 = f(x0), f(x1)
    slope = (y1 - y0) / (x1 - x0)
    if slope == 0 or abs(y1 - y0) < 1e-9 * max(1.0, abs(y0), abs(y1)):
        return None  # NPV (practically) does not depend on this input: no value switches it
    root = x0 - y0 / slope
    return root if root >= 0 else None


def _bisect_root(f: Callable[[float], float], low: float, high: float, iterations: int = 80) -> float | None:
    f_low, f_high = f(low), f(high)
    if f_low == 0:
        return low
    if np.sign(f_low) == np.sign(f_high):
        return None
    for _ in range(iterations):
        mid = (low + high) / 2
        f_mid = f(mid)
        if np.sign(f_mid) == np.sign(f_low):
            low, f_low = mid, f_mid
        else:
            high = mid
    return (low + high) / 2


def _note(name: str, switch: float | None, base_npv: float) -> str:
    turns = "negative" if base_npv > 0 else "positive"
    if switch is None:
        return f"NPV does not turn {turns} for any value >= 0" if name != "discount_rate" else \
            f"NPV does not turn {turns} at any rate from 0% to 1000%"
    return f"NPV turns {turns} at {switch:,.4g}"
