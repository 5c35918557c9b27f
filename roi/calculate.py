"""The ROI calculations: net time saved, hours and FTE released, benefit, cost, NPV, BCR, ROI, payback.

Formulas (g runs over staff groups; all money in GBP at the prices of the inputs, real terms):

    net_minutes_per_task_g        = minutes_per_task_before_g - minutes_per_task_after_g
                                    (after includes checking and editing the tool's output)
    net_hours_per_user_per_week_g = tasks_per_user_per_week_g * net_minutes_per_task_g / 60
    net_hours_per_user_per_week   = sum_g users_g * net_hours_per_user_per_week_g / sum_g users_g
    annual_hours_released         = sum_g users_g * net_hours_per_user_per_week_g * working_weeks_per_year_g
    fte_released                  = annual_hours_released / fte_hours_per_year
    annual_benefit_gbp            = sum_g users_g * net_hours_per_user_per_week_g * working_weeks_g * hourly_cost_g
    cashable_benefit_gbp          = annual_benefit_gbp * cashable_share   (the rest is non-cash-releasing)
    annual_recurring_cost_gbp     = licence_per_user_per_year * sum_g users_g + annual_support + annual_infrastructure
                                    + annual_governance_hours * governance_hourly_cost
    one_off_cost_gbp              = setup_one_off + training_hours_per_user * sum_g users_g * hourly_cost_g

Appraisal (HM Treasury Green Book): one-off costs fall in year 0, benefits and recurring costs at
the end of each year t = 1..N (N = appraisal_years); D_t = 1/1.035^t for t <= 30 and
D_30/1.03^(t-30) beyond (or 1/(1+r)^t for a flat rate r given instead). Optimism bias:

    pv_benefit_gbp    = annual_benefit * (1 - benefit_shortfall) * sum_t D_t
    pv_cost_gbp       = one_off * (1 + one_off_cost_uplift) + annual_recurring * (1 + recurring_cost_uplift) * sum_t D_t
    npv_gbp           = pv_benefit_gbp - pv_cost_gbp
    financial_npv_gbp = pv_benefit_gbp * cashable_share - pv_cost_gbp   (the cash the council actually sees)
    benefit_cost_ratio = pv_benefit_gbp / pv_cost_gbp
    roi_percent        = 100 * (pv_benefit_gbp - pv_cost_gbp) / pv_cost_gbp   (= 100 * (BCR - 1))
    payback_months     = 12 * one_off * (1 + uplift) / (annual_benefit * (1 - shortfall) - annual_recurring * (1 + uplift))
                         (simple, undiscounted; None when the yearly net benefit is not positive)

The annual figures are as measured; NPV, BCR, ROI and payback carry the optimism-bias adjustment.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, replace
from typing import Any

import numpy as np

from .defaults import GREEN_BOOK_RATE_0_30, GREEN_BOOK_RATE_31_75


@dataclass(frozen=True)
class GroupInputs:
    """One staff group with every field known (defaults already applied)."""

    role: str
    users: float
    hourly_cost_gbp: float
    tasks_per_user_per_week: float
    minutes_per_task_before: float
    minutes_per_task_after: float
    working_weeks_per_year: float
    time_measured_by: str = "time_and_motion"
    sample_size: int = 1
    minutes_per_task_before_sd: float = 0.0
    minutes_per_task_after_sd: float = 0.0
    tasks_per_user_per_week_sd: float = 0.0
    hourly_cost_source: str = ""


@dataclass(frozen=True)
class CostInputs:
    """What the tool costs (GBP; hours valued at the stated rates)."""

    licence_per_user_per_year_gbp: float
    setup_one_off_gbp: float
    training_hours_per_user: float
    annual_support_gbp: float
    annual_infrastructure_gbp: float
    annual_governance_hours: float
    governance_hourly_cost_gbp: float


@dataclass(frozen=True)
class AppraisalInputs:
    """How the streams are appraised: period, rate (None: Green Book schedule), optimism bias."""

    years: int
    cashable_share: float = 0.0
    one_off_cost_uplift: float = 0.0
    recurring_cost_uplift: float = 0.0
    benefit_shortfall: float = 0.0
    fte_hours_per_year: float = 1607.0
    discount_rate: float | None = None


@dataclass(frozen=True)
class Inputs:
    """Everything one appraisal needs."""

    groups: tuple[GroupInputs, ...]
    costs: CostInputs
    appraisal: AppraisalInputs

    def with_groups(self, **changes_per_group: Any) -> "Inputs":
        return replace(self, groups=tuple(replace(g, **changes_per_group) for g in self.groups))


@dataclass(frozen=True)
class GroupFigures:
    role: str
    users: float
    hourly_cost_gbp: float
    hourly_cost_source: str
    net_minutes_per_task: float
    net_hours_per_user_per_week: float
    annual_hours_released: float
    annual_benefit_gbp: float
    tasks_per_year: float
    time_measured_by: str
    sample_size: int


@dataclass(frozen=True)
class Figures:
    """The item-2 results for one submission (see the module docstring for each formula)."""

    net_hours_per_user_per_week: float
    annual_hours_released: float
    fte_released: float
    annual_benefit_gbp: float
    cashable_benefit_gbp: float
    non_cashable_benefit_gbp: float
    annual_recurring_cost_gbp: float
    one_off_cost_gbp: float
    pv_benefit_gbp: float
    pv_cost_gbp: float
    npv_gbp: float
    financial_npv_gbp: float
    benefit_cost_ratio: float | None
    roi_percent: float | None
    payback_months: float | None
    users: float
    tasks_per_year: float
    cost_breakdown: dict[str, float] = field(default_factory=dict)
    groups: list[GroupFigures] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def discount_factors(years: int, rate: float | None = None) -> np.ndarray:
    """D_t for t = 0..years: the Green Book schedule (3.5% to year 30, 3.0% after) or a flat `rate`."""
    t = np.arange(years + 1, dtype=float)
    if rate is not None:
        return (1.0 + rate) ** -t
    early = (1.0 + GREEN_BOOK_RATE_0_30) ** -np.minimum(t, 30.0)
    late = (1.0 + GREEN_BOOK_RATE_31_75) ** -np.maximum(t - 30.0, 0.0)
    return early * late


def present_value(flows: np.ndarray | list[float], rate: float | None = None) -> float:
    """Sum of flows[t] * D_t, flows indexed from year 0."""
    values = np.asarray(flows, dtype=float)
    return float(np.dot(values, discount_factors(len(values) - 1, rate)))


def annuity_factor(years: int, rate: float | None = None) -> float:
    """sum_{t=1..years} D_t: the present value of 1 a year at the end of years 1..N."""
    return float(discount_factors(years, rate)[1:].sum())


def group_hours(g: GroupInputs) -> float:
    """Net hours per user per week of one group."""
    return g.tasks_per_user_per_week * (g.minutes_per_task_before - g.minutes_per_task_after) / 60.0


def annual_costs(inputs: Inputs) -> tuple[float, float, dict[str, float]]:
    """(annual recurring cost, one-off cost, breakdown) before optimism bias."""
    c = inputs.costs
    users = sum(g.users for g in inputs.groups)
    parts = {
        "licences_per_year": c.licence_per_user_per_year_gbp * users,
        "support_per_year": c.annual_support_gbp,
        "infrastructure_per_year": c.annual_infrastructure_gbp,
        "governance_per_year": c.annual_governance_hours * c.governance_hourly_cost_gbp,
        "setup_one_off": c.setup_one_off_gbp,
        "training_one_off": c.training_hours_per_user * sum(g.users * g.hourly_cost_gbp for g in inputs.groups),
    }
    recurring = parts["licences_per_year"] + parts["support_per_year"] + parts["infrastructure_per_year"] + parts["governance_per_year"]
    return recurring, parts["setup_one_off"] + parts["training_one_off"], parts


def appraise_streams(annual_benefit: Any, annual_recurring: float, one_off: float, a: AppraisalInputs) -> dict[str, Any]:
    """PV, NPV, BCR, ROI and payback from the yearly streams; `annual_benefit` may be a numpy array
    (one value per Monte Carlo draw), in which case every result is an array too."""
    annuity = annuity_factor(a.years, a.discount_rate)
    benefit = np.asarray(annual_benefit, dtype=float) * (1.0 - a.benefit_shortfall)
    recurring = annual_recurring * (1.0 + a.recurring_cost_uplift)
    one_off_adj = one_off * (1.0 + a.one_off_cost_uplift)
    pv_benefit = benefit * annuity
    pv_cost = one_off_adj + recurring * annuity
    npv = pv_benefit - pv_cost
    bcr = pv_benefit / pv_cost if pv_cost > 0 else np.full_like(pv_benefit, np.nan)
    with np.errstate(divide="ignore", invalid="ignore"):
        net_year = benefit - recurring
        payback = np.where(net_year > 0, 12.0 * one_off_adj / np.where(net_year > 0, net_year, 1.0), np.nan)
    return {"pv_benefit": pv_benefit, "pv_cost": pv_cost, "npv": npv, "financial_npv": pv_benefit * a.cashable_share - pv_cost,
            "bcr": bcr, "roi": 100.0 * (bcr - 1.0), "payback": payback}


def compute(inputs: Inputs) -> Figures:
    """Every item-2 figure for one submission's resolved inputs."""
    groups = []
    for g in inputs.groups:
        hours = group_hours(g)
        annual_hours = g.users * hours * g.working_weeks_per_year
        groups.append(GroupFigures(
            role=g.role, users=g.users, hourly_cost_gbp=g.hourly_cost_gbp, hourly_cost_source=g.hourly_cost_source,
            net_minutes_per_task=g.minutes_per_task_before - g.minutes_per_task_after, net_hours_per_user_per_week=hours,
            annual_hours_released=annual_hours, annual_benefit_gbp=annual_hours * g.hourly_cost_gbp,
            tasks_per_year=g.users * g.tasks_per_user_per_week * g.working_weeks_per_year,
            time_measured_by=g.time_measured_by, sample_size=g.sample_size))
    users = sum(g.users for g in inputs.groups)
    annual_hours = sum(g.annual_hours_released for g in groups)
    benefit = sum(g.annual_benefit_gbp for g in groups)
    recurring, one_off, parts = annual_costs(inputs)
    a = inputs.appraisal
    s = appraise_streams(benefit, recurring, one_off, a)
    return Figures(
        net_hours_per_user_per_week=sum(g.users * g.net_hours_per_user_per_week for g in groups) / users,
        annual_hours_released=annual_hours,
        fte_released=annual_hours / a.fte_hours_per_year,
        annual_benefit_gbp=benefit,
        cashable_benefit_gbp=benefit * a.cashable_share,
        non_cashable_benefit_gbp=benefit * (1.0 - a.cashable_share),
        annual_recurring_cost_gbp=recurring,
        one_off_cost_gbp=one_off,
        pv_benefit_gbp=float(s["pv_benefit"]),
        pv_cost_gbp=float(s["pv_cost"]),
        npv_gbp=float(s["npv"]),
        financial_npv_gbp=float(s["financial_npv"]),
        benefit_cost_ratio=_finite(s["bcr"]),
        roi_percent=_finite(s["roi"]),
        payback_months=_finite(s["payback"]),
        users=users,
        tasks_per_year=sum(g.tasks_per_year for g in groups),
        cost_breakdown=parts,
        groups=groups,
    )


def npv(inputs: Inputs) -> float:
    """NPV alone (used by the sensitivity analysis)."""
    recurring, one_off, _ = annual_costs(inputs)
    benefit = sum(g.users * group_hours(g) * g.working_weeks_per_year * g.hourly_cost_gbp for g in inputs.groups)
    return float(appraise_streams(benefit, recurring, one_off, inputs.appraisal)["npv"])


def _finite(value: Any) -> float | None:
    number = float(value)
    return number if np.isfinite(number) else None
