"""Fill the fields a submission left out with their documented defaults, and list each one used."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from . import defaults as d
from .calculate import AppraisalInputs, CostInputs, GroupInputs, Inputs
from .submission import Submission


@dataclass
class Resolved:
    """The calculation inputs, the wellbeing MID, the quality assumptions, and every default used."""

    inputs: Inputs
    mid: float
    quality: dict[str, Any]
    defaults_used: list[dict[str, Any]] = field(default_factory=list)


def resolve(sub: Submission, discount_rate: float | None = None, quality_overrides: dict[str, float | None] | None = None) -> Resolved:
    """Resolved inputs for `sub`; `discount_rate` replaces the Green Book schedule with a flat rate,
    `quality_overrides` (from the command line) win over the submission's quality assumptions."""
    used: list[dict[str, Any]] = []

    def pick(value: Any, figure: d.Figure, where: str) -> Any:
        if value is not None:
            return value
        used.append({"field": where, "value": figure.value, "unit": figure.unit, "source": figure.cite()})
        return figure.value

    groups = []
    for i, g in enumerate(sub.staff_groups):
        where = f"staff_groups.{i}"
        unit_cost = d.default_unit_cost(g.role)
        if g.hourly_cost_gbp is None and unit_cost is not None:
            cost = pick(None, unit_cost, f"{where}.hourly_cost_gbp ({g.role})")
            cost_source = unit_cost.cite()
        else:
            cost = g.hourly_cost_gbp
            cost_source = g.hourly_cost_source or "submitted (no source given)"
        weeks = pick(g.working_weeks_per_year, d.WORKING_WEEKS_PER_YEAR, f"{where}.working_weeks_per_year ({g.role})")
        sds = {}
        for name, value in (("minutes_per_task_before", g.minutes_per_task_before), ("minutes_per_task_after", g.minutes_per_task_after),
                            ("tasks_per_user_per_week", g.tasks_per_user_per_week)):
            given = getattr(g, f"{name}_sd")
            if given is None:
                used.append({"field": f"{where}.{name}_sd ({g.role})", "value": round(d.DEFAULT_CV.value * value, 4),
                             "unit": f"{d.DEFAULT_CV.value:g} x {name}", "source": d.DEFAULT_CV.cite()})
                given = d.DEFAULT_CV.value * value
            sds[f"{name}_sd"] = given
        groups.append(GroupInputs(
            role=g.role, users=g.users, hourly_cost_gbp=cost, tasks_per_user_per_week=g.tasks_per_user_per_week,
            minutes_per_task_before=g.minutes_per_task_before, minutes_per_task_after=g.minutes_per_task_after,
            working_weeks_per_year=weeks, time_measured_by=g.time_measured_by, sample_size=g.sample_size,
            hourly_cost_source=cost_source, **sds))

    c = sub.costs
    costs = CostInputs(
        licence_per_user_per_year_gbp=c.licence_per_user_per_year_gbp, setup_one_off_gbp=c.setup_one_off_gbp,
        training_hours_per_user=c.training_hours_per_user, annual_support_gbp=c.annual_support_gbp,
        annual_infrastructure_gbp=c.annual_infrastructure_gbp, annual_governance_hours=c.annual_governance_hours,
        governance_hourly_cost_gbp=(c.governance_hourly_cost_gbp if c.governance_hourly_cost_gbp is not None or c.annual_governance_hours == 0
                                    else pick(None, d.GOVERNANCE_HOURLY, "costs.governance_hourly_cost_gbp")) or 0.0)

    ob = sub.optimism_bias
    appraisal = AppraisalInputs(
        years=sub.appraisal_years,
        cashable_share=pick(sub.cashable_share, d.CASHABLE_SHARE, "cashable_share"),
        one_off_cost_uplift=pick(ob and ob.one_off_cost_uplift, d.ONE_OFF_COST_UPLIFT, "optimism_bias.one_off_cost_uplift"),
        recurring_cost_uplift=pick(ob and ob.recurring_cost_uplift, d.RECURRING_COST_UPLIFT, "optimism_bias.recurring_cost_uplift"),
        benefit_shortfall=pick(ob and ob.benefit_shortfall, d.BENEFIT_SHORTFALL, "optimism_bias.benefit_shortfall"),
        fte_hours_per_year=pick(sub.fte_hours_per_year, d.FTE_HOURS_PER_YEAR, "fte_hours_per_year"),
        discount_rate=discount_rate)

    mid = d.SWEMWBS_MID.value
    if sub.wellbeing is not None:
        mid = pick(sub.wellbeing.mid, d.SWEMWBS_MID, "wellbeing.mid")

    qa = sub.quality_assumptions
    overrides = {k: v for k, v in (quality_overrides or {}).items() if v is not None}
    quality: dict[str, Any] = {"golden_set": qa.golden_set if qa else None}
    for name, figure in (("minutes_per_task_per_unit_hallucination_rate", d.MINUTES_PER_HALLUCINATION_RATE),
                         ("minutes_per_task_per_unit_omission_rate", d.MINUTES_PER_OMISSION_RATE),
                         ("risk_cost_per_failed_output_gbp", d.RISK_COST_PER_FAILED_OUTPUT)):
        if name in overrides:
            quality[name] = overrides[name]
            quality[f"{name}_source"] = "command line"
        elif qa is not None and getattr(qa, name) is not None:
            quality[name] = getattr(qa, name)
            quality[f"{name}_source"] = "submission"
        else:
            quality[name] = figure.value
            quality[f"{name}_source"] = figure.cite()
    return Resolved(Inputs(tuple(groups), costs, appraisal), mid, quality, used)
