"""What the ROI and Value-and-risk pages read from an ROI report, and the failure rates of evaluation runs.

Every figure comes from the ROI report (`roi.appraise`) or is recomputed through `roi`'s own
functions; nothing here redoes the ROI arithmetic:

- the sensitivity table and switching values are the report's (`roi.uncertainty.sensitivity`); a
  report without them has them recomputed from the submission file it names, when that file still
  gives the figures in the report;
- the Monte Carlo interval of the quality-adjusted ROI is `roi.uncertainty.monte_carlo` run on the
  quality-adjusted inputs (the report carries the interval of the unadjusted ROI only); the adjusted
  inputs are checked against the report's quality-adjusted figures before the interval is shown.

Failure rate of a tool (from its evaluation runs): the share of scored cases with at least one critical
hallucination (a critical finding that is not about a key fact: an invented dose, date or name, a
flipped consent) or one omitted critical key fact, with its Wilson 95% interval (`harness.stats`).
Findings that two scorers both report (the same kind on the same text) count once.
"""

from __future__ import annotations

import functools
import math
from dataclasses import replace
from pathlib import Path
from typing import Any

import pandas as pd

from harness.stats import wilson_ci
from roi.calculate import Inputs, compute
from roi.defaults import MONTE_CARLO_DRAWS, MONTE_CARLO_SEED, SENSITIVITY_STEP
from roi.resolve import resolve
from roi.submission import load_submission
from roi.uncertainty import monte_carlo, sensitivity

OMITTED_KIND = "omitted_key_fact"
HALLUCINATION_SUITE, OMISSION_SUITE = "hallucination", "omission"

INPUT_LABELS = {
    "net_minutes_saved_per_task": "minutes saved per task",
    "extra_checking_minutes_per_task": "extra checking minutes per task",
    "tasks_per_user_per_week": "tasks per person per week",
    "hourly_cost_gbp": "hourly staff cost (£)",
    "users": "staff using the tool",
    "licence_per_user_per_year_gbp": "licence per user per year (£)",
    "setup_one_off_gbp": "set-up cost (£)",
    "annual_governance_hours": "governance hours a year",
    "one_off_cost_uplift": "optimism bias on one-off costs",
    "discount_rate": "discount rate",
}
"""The plain-language name of each sensitivity input."""

TABLE_COLUMNS = ["council", "tool", "version", "net_hours_per_user_per_week", "hours_released_a_year", "roi_percent",
                 "roi_95_interval", "payback_months", "npv_gbp", "npv_95_interval", "chance_npv_above_zero",
                 "wellbeing_change", "wellbeing_95_ci", "wellbeing_p", "quality_adjusted_roi_percent", "time_measured_by",
                 "defaults_used"]
SENSITIVITY_COLUMNS = ["input", "unit", "base", "low", "npv_low_gbp", "high", "npv_high_gbp", "switching_value",
                       "switching_change_percent", "note"]
STANDARDISED_COLUMNS = ["council", "tool", "measure", "value", "rank", "of", "quartile", "region_q1", "region_median",
                        "region_q3", "better"]


# --- the report, submission by submission -------------------------------------------------------

def submission_label(council: dict[str, Any]) -> str:
    """'Council: tool version' (user text: escape it before a plotly figure)."""
    return f"{council['council']}: {council['tool']['name']} {council['tool']['version']}"


def chosen(report: dict[str, Any], council: str | None = None, tool: str | None = None) -> list[int]:
    """Indexes of the report's submissions from `council` (if given) using `tool` (if given)."""
    return [i for i, c in enumerate(report["councils"])
            if (not council or c["council"] == council) and (not tool or c["tool"]["name"] == tool)]


def councils_frame(report: dict[str, Any], indexes: list[int] | None = None) -> pd.DataFrame:
    """One row per submission (all, or those at `indexes`): net time, ROI, payback, NPV with its Monte
    Carlo interval, wellbeing change with its 95% CI, the quality-adjusted ROI."""
    rows = []
    for i in range(len(report["councils"])) if indexes is None else indexes:
        c = report["councils"][i]
        u, w, q = c["uncertainty"], c["wellbeing"], c["quality_adjusted"]
        rows.append({
            "council": c["council"], "tool": c["tool"]["name"], "version": c["tool"]["version"],
            "net_hours_per_user_per_week": _round(c["net_hours_per_user_per_week"], 2),
            "hours_released_a_year": _round(c["annual_hours_released"], 0),
            "roi_percent": _round(c["roi_percent"], 0),
            "roi_95_interval": _interval(u["roi_percent"], "{:,.0f}%"),
            "payback_months": _round(c["payback_months"], 1),
            "npv_gbp": _round(c["npv_gbp"], 0),
            "npv_95_interval": _interval(u["npv_gbp"], "£{:,.0f}"),
            "chance_npv_above_zero": _percent(u.get("probability_npv_positive")),
            "wellbeing_change": None if w is None else _round(w["mean_change"], 2),
            "wellbeing_95_ci": "not submitted" if w is None else _interval({"p2_5": w["ci_low"], "p97_5": w["ci_high"]}, "{:+.2f}"),
            "wellbeing_p": None if w is None or w.get("p_value") is None else float(f"{w['p_value']:.3g}"),
            "quality_adjusted_roi_percent": _round(q.get("roi_percent"), 0) if q.get("run_found") else None,
            "time_measured_by": c["time_evidence"]["weakest"].replace("_", " "),
            "defaults_used": len(c["defaults_used"]),
        })
    return pd.DataFrame(rows, columns=TABLE_COLUMNS)


def standardised_frame(report: dict[str, Any], indexes: list[int] | None = None) -> pd.DataFrame:
    """Every standardised measure of every submission (or those at `indexes`), with its rank, quartile
    (1 = the best quarter of the region) and the region's quartiles."""
    region = report["region"]["measures"]
    rows = []
    for i in range(len(report["councils"])) if indexes is None else indexes:
        c = report["councils"][i]
        for name, m in c["standardised"].items():
            summary = region.get(name, {})
            rows.append({"council": c["council"], "tool": c["tool"]["name"], "measure": summary.get("label", name),
                         "value": _round(m["value"], 2), "rank": m["rank"], "of": m["of"],
                         "quartile": None if m["quartile"] is None else f"Q{m['quartile']}",
                         "region_q1": _round(summary.get("q1"), 2), "region_median": _round(summary.get("median"), 2),
                         "region_q3": _round(summary.get("q3"), 2),
                         "better": "higher" if summary.get("higher_is_better", True) else "lower"})
    return pd.DataFrame(rows, columns=STANDARDISED_COLUMNS)


# --- recomputing through roi's own functions ---------------------------------------------------

def resubmitted_inputs(council: dict[str, Any], method: dict[str, Any]) -> tuple[Inputs | None, str | None]:
    """The resolved inputs of the submission file the report names, when it still gives the report's
    figures; else (None, why not)."""
    source = Path(str(council.get("source") or ""))
    try:
        stat = source.stat()
    except OSError:
        return None, f"the submission file {source} can no longer be read"
    return _resubmitted(str(source), stat.st_mtime_ns, stat.st_size, method.get("discount_rate"), council["council"],
                        council["tool"]["name"], str(council["tool"]["version"]), float(council["npv_gbp"]))


@functools.lru_cache(maxsize=64)
def _resubmitted(source: str, mtime_ns: int, size: int, discount_rate: float | None, council: str, tool: str,
                 version: str, npv_gbp: float) -> tuple[Inputs | None, str | None]:
    try:
        sub = load_submission(source).submission
        inputs = resolve(sub, discount_rate).inputs
    except Exception as exc:  # an edited, invalid file: say so, never a traceback
        return None, f"the submission file {source} no longer loads ({exc})"
    if (sub.council, sub.tool.name, str(sub.tool.version)) != (council, tool, version) or \
            not math.isclose(compute(inputs).npv_gbp, npv_gbp, rel_tol=1e-9, abs_tol=1e-6):
        return None, f"the submission file {source} has changed since this appraisal"
    return inputs, None


def sensitivity_rows(council: dict[str, Any], method: dict[str, Any]) -> tuple[list[dict[str, Any]], str | None]:
    """The sensitivity table (one row per input, with its switching value) and a note: the report's own,
    or recomputed with `roi.uncertainty.sensitivity` from the submission when the report lacks it."""
    if council.get("sensitivity"):
        return council["sensitivity"], None
    inputs, why = resubmitted_inputs(council, method)
    if inputs is None:
        return [], f"This appraisal has no sensitivity table and it cannot be recomputed: {why}."
    return (sensitivity(inputs, method.get("sensitivity_step") or SENSITIVITY_STEP),
            "Recomputed from the submission file (this appraisal did not store its sensitivity table).")


def quality_adjusted_inputs(inputs: Inputs, quality: dict[str, Any]) -> Inputs:
    """The inputs `roi.quality.quality_view` appraised: its extra checking minutes added to every group's
    'after' time and its risk-weighted cost added to the recurring cost."""
    extra, risk = float(quality["extra_checking_minutes_per_task"]), float(quality["risk_weighted_cost_gbp"])
    return replace(inputs,
                   groups=tuple(replace(g, minutes_per_task_after=g.minutes_per_task_after + extra) for g in inputs.groups),
                   costs=replace(inputs.costs, annual_support_gbp=inputs.costs.annual_support_gbp + risk))


def quality_adjusted_roi_interval(council: dict[str, Any], method: dict[str, Any]) -> tuple[dict[str, Any] | None, str | None]:
    """The Monte Carlo 95% interval (p2_5, p50, p97_5) of the quality-adjusted ROI %, or (None, why not)."""
    q = council["quality_adjusted"]
    if not q.get("run_found") or q.get("roi_percent") is None:
        return None, "no quality-adjusted ROI"
    inputs, why = resubmitted_inputs(council, method)
    if inputs is None:
        return None, why
    return _adjusted_interval(inputs, float(q["extra_checking_minutes_per_task"]), float(q["risk_weighted_cost_gbp"]),
                              float(q["roi_percent"]), int(method.get("monte_carlo_draws") or MONTE_CARLO_DRAWS),
                              int(method.get("seed") or MONTE_CARLO_SEED))


@functools.lru_cache(maxsize=64)
def _adjusted_interval(inputs: Inputs, extra: float, risk: float, roi_percent: float, draws: int,
                       seed: int) -> tuple[dict[str, Any] | None, str | None]:
    adjusted = quality_adjusted_inputs(inputs, {"extra_checking_minutes_per_task": extra, "risk_weighted_cost_gbp": risk})
    figures = compute(adjusted)
    if figures.roi_percent is None or not math.isclose(figures.roi_percent, roi_percent, rel_tol=1e-9, abs_tol=1e-6):
        return None, "the quality-adjusted inputs do not reproduce the report's quality-adjusted ROI"
    return monte_carlo(adjusted, draws, seed)["roi_percent"], None


# --- failure rates of evaluation runs -----------------------------------------------------------

def case_failures(case: dict[str, Any]) -> tuple[int, int] | None:
    """(critical hallucinations, omitted critical key facts) in one case's scores; None when the case
    errored or was not scored. A finding two scorers report (same kind, same text or key fact) counts once."""
    scores = case.get("scores") or {}
    if case.get("error") or not scores:
        return None
    hallucinations: set[tuple[Any, ...]] = set()
    omissions: set[Any] = set()
    for score in scores.values():
        for f in score.get("findings") or []:
            if f.get("severity") != "critical":
                continue
            kind = str(f.get("kind") or "")
            if kind == OMITTED_KIND:
                omissions.add(f.get("key_fact_id") or f.get("source_evidence") or f.get("reason"))
            elif "key_fact" not in kind:
                hallucinations.add((kind, f.get("output_span"), f.get("reason") if f.get("output_span") is None else None))
    return len(hallucinations), len(omissions)


def failure_rate(failed: int, n: int) -> dict[str, float] | None:
    """The share `failed / n` with its Wilson 95% interval; None when no case was scored."""
    if n <= 0:
        return None
    if not 0 <= failed <= n:
        raise ValueError(f"failed cases must be between 0 and {n}, got {failed}")
    low, high = wilson_ci(failed, n)
    return {"rate": failed / n, "low": low, "high": high}


def run_failures(reports: list[dict[str, Any]]) -> dict[str, Any]:
    """Failures pooled over the cases of one or more run reports (the cases of different golden sets are
    different cases): cases scored, cases failed, critical hallucinations and omitted critical facts,
    the failure rate with its Wilson interval, and in how many of the cases each kind of failure was checked
    (the hallucination suite checks for invented details, the omission suite for missed key facts)."""
    scored = failed = hallucinations = omissions = hallucination_cases = omission_cases = 0
    for report in reports:
        suites = {str(s.get("name") if isinstance(s, dict) else s) for s in report.get("suites") or []}
        for case in report.get("cases") or []:
            counts = case_failures(case)
            if counts is None:
                continue
            scored += 1
            hallucination_cases += HALLUCINATION_SUITE in suites
            omission_cases += OMISSION_SUITE in suites
            hallucinations += counts[0]
            omissions += counts[1]
            failed += bool(counts[0] or counts[1])
    return {"cases": scored, "failed": failed, "critical_hallucinations": hallucinations, "omitted_critical_facts": omissions,
            "rate": failure_rate(failed, scored), "hallucination_cases": hallucination_cases, "omission_cases": omission_cases,
            "hallucination_measured": hallucination_cases > 0, "omission_measured": omission_cases > 0}


def measured_run_ids(council: dict[str, Any]) -> list[str]:
    """The evaluation runs the report's quality-adjusted view read for this submission's tool."""
    measured = council["quality_adjusted"].get("measured") or {}
    ids = [(measured.get(k) or {}).get("run_id") for k in ("hallucination", "omission")]
    return list(dict.fromkeys(i for i in ids if i))


# --- small formatting helpers -------------------------------------------------------------------

def _round(value: Any, digits: int) -> float | None:
    if value is None:
        return None
    number = float(value)
    return round(number, digits) if math.isfinite(number) else None


def _interval(interval: dict[str, Any] | None, pattern: str) -> str:
    if not interval or interval.get("p2_5") is None or interval.get("p97_5") is None:
        return "n/a"
    return f"{_money(pattern, interval['p2_5'])} to {_money(pattern, interval['p97_5'])}"


def _money(pattern: str, value: float) -> str:
    if pattern.startswith("£") and value < 0:
        return "-" + pattern.format(-value)
    return pattern.format(value)


def _percent(value: Any) -> str:
    return "n/a" if value is None else f"{100 * float(value):.0f}%"
