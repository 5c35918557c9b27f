"""Quality-adjusted view: what the tool's measured hallucination and omission rates imply for ROI.

The submission is linked to the tool's assurance runs by tool name and version (the `target` and
`target_version` tags every `assure run` sets). From the newest finished run holding each metric:

    hallucination_rate = 1 - unsupported_details.pass_rate   (share of outputs with an unsupported detail)
    omission_rate      = 1 - key_fact_recall.mean            (share of key facts missed; omission suite)

The assumption, documented and overridable (submission `quality_assumptions`, or the command line):

    extra_checking_minutes_per_task = hallucination_rate * minutes_per_task_per_unit_hallucination_rate
                                      + omission_rate * minutes_per_task_per_unit_omission_rate
    risk_weighted_cost_gbp (a year) = tasks_per_year * hallucination_rate * risk_cost_per_failed_output_gbp

The quality-adjusted figures add the extra minutes to every group's 'after' time and the risk cost
to the recurring cost, then recompute. The measured 'after' time already includes the checking staff
did during the pilot, so read this view as: what checking the measured failure rates call for would
do to the return, if staff checked as carefully as those rates require.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from harness.tracking import Tracker

from .calculate import Inputs, compute

HALLUCINATION_METRIC = "unsupported_details.pass_rate"
OMISSION_METRIC = "key_fact_recall.mean"


def find_measured_rates(tracker: Tracker, tool: str, version: str, golden_set: str | None = None) -> dict[str, Any]:
    """The measured failure rates of one tool version from its newest finished assurance runs."""
    experiments = [e for e in tracker.client.search_experiments() if e.name != "roi"]
    found: dict[str, Any] = {"tool": tool, "version": version, "golden_set_filter": golden_set,
                             "hallucination": None, "omission": None}
    if not experiments:
        return found
    runs = tracker.client.search_runs([e.experiment_id for e in experiments],
                                      filter_string="tags.`assure.kind` = 'evaluation' and attributes.status = 'FINISHED'",
                                      order_by=["attributes.start_time DESC"], max_results=5000)
    for run in runs:
        tags, metrics = run.data.tags, run.data.metrics
        if tags.get("target") != tool or tags.get("target_version") != version:
            continue
        if golden_set is not None and tags.get("golden_set") != golden_set:
            continue
        for key, metric, label in (("hallucination", HALLUCINATION_METRIC, "1 - unsupported_details.pass_rate"),
                                   ("omission", OMISSION_METRIC, "1 - key_fact_recall.mean")):
            if found[key] is None and metric in metrics:
                found[key] = {"rate": 1.0 - float(metrics[metric]), "metric": label, "run_id": run.info.run_id,
                              "golden_set": tags.get("golden_set", ""), "cases": metrics.get("cases")}
    return found


def quality_view(inputs: Inputs, measured: dict[str, Any], assumptions: dict[str, Any], tracking_uri: str) -> dict[str, Any]:
    """The quality-adjusted figures, or a plain statement that no assurance run was found."""
    view: dict[str, Any] = {"run_found": bool(measured["hallucination"] or measured["omission"]),
                            "measured": measured, "assumptions": assumptions}
    if not view["run_found"]:
        golden = f" on golden set {measured['golden_set_filter']!r}" if measured["golden_set_filter"] else ""
        view["note"] = (f"no assurance run found for tool {measured['tool']!r} version {measured['version']!r}{golden} "
                        f"in {tracking_uri}: run `assure run --target ...` for this tool and version first")
        return view
    h = measured["hallucination"]["rate"] if measured["hallucination"] else 0.0
    o = measured["omission"]["rate"] if measured["omission"] else 0.0
    extra = (h * assumptions["minutes_per_task_per_unit_hallucination_rate"]
             + o * assumptions["minutes_per_task_per_unit_omission_rate"])
    base = compute(inputs)
    risk_cost = base.tasks_per_year * h * assumptions["risk_cost_per_failed_output_gbp"]
    adjusted_inputs = replace(
        inputs,
        groups=tuple(replace(g, minutes_per_task_after=g.minutes_per_task_after + extra) for g in inputs.groups),
        costs=replace(inputs.costs, annual_support_gbp=inputs.costs.annual_support_gbp + risk_cost))
    adjusted = compute(adjusted_inputs)
    missing = [name for name, value in (("hallucination", measured["hallucination"]), ("omission", measured["omission"])) if not value]
    view.update(
        hallucination_rate=h if measured["hallucination"] else None,
        omission_rate=o if measured["omission"] else None,
        extra_checking_minutes_per_task=extra,
        risk_weighted_cost_gbp=risk_cost,
        net_hours_per_user_per_week=adjusted.net_hours_per_user_per_week,
        annual_hours_released=adjusted.annual_hours_released,
        annual_benefit_gbp=adjusted.annual_benefit_gbp,
        annual_recurring_cost_gbp=adjusted.annual_recurring_cost_gbp,
        npv_gbp=adjusted.npv_gbp,
        benefit_cost_ratio=adjusted.benefit_cost_ratio,
        roi_percent=adjusted.roi_percent,
        payback_months=adjusted.payback_months,
        npv_change_gbp=adjusted.npv_gbp - base.npv_gbp,
    )
    if missing:
        view["note"] = f"no {' or '.join(missing)} rate measured for this tool version: counted as 0"
    return view
