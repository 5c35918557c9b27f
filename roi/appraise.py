"""One appraisal end to end: submissions in, the ROI report (every council, and the region) out."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from harness.errors import InputError, Problem
from harness.tracking import Tracker

from . import defaults as d
from .calculate import compute
from .quality import find_measured_rates, quality_view
from .resolve import resolve
from .standardise import MEASURES, measures, region_summary, standardise
from .submission import EVIDENCE_RANK, LoadedSubmission, load_submissions
from .uncertainty import monte_carlo, sensitivity
from .wellbeing import analyse


@dataclass
class Options:
    """Settings of one appraisal; the defaults are the documented standard."""

    discount_rate: float | None = None
    draws: int = d.MONTE_CARLO_DRAWS
    seed: int = d.MONTE_CARLO_SEED
    quality_overrides: dict[str, float | None] = field(default_factory=dict)


def expand_paths(items: list[Path]) -> list[Path]:
    """Files as given (a missing one is reported when loaded, with the others); a folder stands for
    the *.yaml and *.yml files in it (sorted), and a folder without any is bad input."""
    paths: list[Path] = []
    for item in items:
        if item.is_dir():
            found = sorted([*item.glob("*.yaml"), *item.glob("*.yml")])
            if not found:
                raise InputError([Problem(str(item), "no *.yaml submissions in this folder")])
            paths.extend(found)
        else:
            paths.append(item)
    return paths


def appraise(items: list[Path], options: Options | None = None, tracker: Tracker | None = None,
             tracking_uri: str | None = None) -> dict[str, Any]:
    """The ROI report for the submissions in `items`: `{"councils": [...], "region": {...}, "method": {...}}`.

    Every submission is validated before MLflow is opened, so bad input fails fast (exit 2)."""
    loaded = load_submissions(expand_paths(items))
    return appraise_loaded(loaded, options, tracker or Tracker(tracking_uri))


def appraise_loaded(loaded: list[LoadedSubmission], options: Options | None, tracker: Tracker) -> dict[str, Any]:
    """The ROI report for submissions already loaded and validated."""
    options = options or Options()
    councils = [_council(item, options, tracker) for item in loaded]
    per_council = [c.pop("_measures") for c in councils]
    against, region_measures = standardise(per_council)
    for council, entry in zip(councils, against):
        council["standardised"] = entry
    return {"councils": councils, "region": _region(councils, region_measures), "method": _method(options)}


def _council(item: LoadedSubmission, options: Options, tracker: Tracker) -> dict[str, Any]:
    sub = item.submission
    resolved = resolve(sub, options.discount_rate, options.quality_overrides)
    figures = compute(resolved.inputs).as_dict()
    groups = figures.pop("groups")
    a = resolved.inputs.appraisal
    measured = find_measured_rates(tracker, sub.tool.name, sub.tool.version, resolved.quality.get("golden_set"))
    assumptions = {k: v for k, v in resolved.quality.items() if k != "golden_set"}
    quality = quality_view(resolved.inputs, measured, assumptions, tracker.uri)
    defaults_used = list(resolved.defaults_used)
    if quality["run_found"]:
        for name, figure in (("minutes_per_task_per_unit_hallucination_rate", d.MINUTES_PER_HALLUCINATION_RATE),
                             ("minutes_per_task_per_unit_omission_rate", d.MINUTES_PER_OMISSION_RATE),
                             ("risk_cost_per_failed_output_gbp", d.RISK_COST_PER_FAILED_OUTPUT)):
            if assumptions[f"{name}_source"] == figure.cite():
                defaults_used.append({"field": f"quality_assumptions.{name}", "value": figure.value, "unit": figure.unit,
                                      "source": figure.cite()})
    methods = sorted({g["time_measured_by"] for g in groups}, key=lambda m: EVIDENCE_RANK[m])
    council: dict[str, Any] = {
        "council": sub.council,
        "tool": {"name": sub.tool.name, "version": sub.tool.version},
        "source": str(item.path),
        "staff_table": None if item.staff_table is None else str(item.staff_table),
        "synthetic": sub.synthetic,
        "measurement_period": sub.measurement_period,
        "appraisal_years": sub.appraisal_years,
        **figures,
        "staff_groups": groups,
        "time_evidence": {"methods": methods, "weakest": methods[-1],
                          "note": "time-and-motion or observed tasks outrank system logs, diaries, surveys and vendor estimates"},
        "appraisal": {
            "green_book": d.GREEN_BOOK_VERSION,
            "discount_rate": "Green Book schedule: 3.5% years 0-30, 3.0% years 31-75" if a.discount_rate is None
            else f"flat {a.discount_rate:.4g} a year (command line)",
            "timing": "one-off costs in year 0; benefits and recurring costs at the end of years 1..N",
            "optimism_bias": {"one_off_cost_uplift": a.one_off_cost_uplift, "recurring_cost_uplift": a.recurring_cost_uplift,
                              "benefit_shortfall": a.benefit_shortfall},
            "cashable_share": a.cashable_share,
            "fte_hours_per_year": a.fte_hours_per_year,
        },
        "uncertainty": monte_carlo(resolved.inputs, options.draws, options.seed),
        "sensitivity": sensitivity(resolved.inputs),
        "wellbeing": None if sub.wellbeing is None else analyse(sub.wellbeing, resolved.mid),
        "quality_adjusted": quality,
        "defaults_used": defaults_used,
        "_measures": measures(figures, sub.appraisal_years),
    }
    return council


def _region(councils: list[dict[str, Any]], region_measures: dict[str, Any]) -> dict[str, Any]:
    total = {key: sum(c[key] for c in councils) for key in (
        "users", "annual_hours_released", "fte_released", "annual_benefit_gbp", "annual_recurring_cost_gbp",
        "one_off_cost_gbp", "pv_benefit_gbp", "pv_cost_gbp", "npv_gbp")}
    wellbeing = [c["wellbeing"]["mean_change"] for c in councils if c["wellbeing"] is not None]
    return {
        "councils": len({c["council"] for c in councils}),
        "submissions": len(councils),
        "tools": sorted({f"{c['tool']['name']} {c['tool']['version']}" for c in councils}),
        "totals": total,
        "pooled_benefit_cost_ratio": total["pv_benefit_gbp"] / total["pv_cost_gbp"] if total["pv_cost_gbp"] > 0 else None,
        "measures": {name: {"label": MEASURES[name][1], "higher_is_better": MEASURES[name][0], **summary}
                     for name, summary in region_measures.items()},
        "wellbeing_mean_change": region_summary(wellbeing),
        "npv_positive": sum(1 for c in councils if c["npv_gbp"] > 0),
    }


def _method(options: Options) -> dict[str, Any]:
    from harness.version import __version__

    return {"green_book": d.GREEN_BOOK_VERSION, "monte_carlo_draws": options.draws, "seed": options.seed,
            "discount_rate": options.discount_rate, "sensitivity_step": d.SENSITIVITY_STEP,
            "harness_version": __version__, "formulas": "docs/roi.md"}
