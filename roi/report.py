"""The ROI report's outputs: JSON, terminal tables (rich) and MLflow (experiment `roi`).

MLflow layout: one parent run per appraisal (tag `assure.kind=roi-region`, region metrics, the full
report as the artifact `roi_report.json`) and one child run per submission (tag `assure.kind=roi`,
tags `council`, `target`, `target_version`; params of the appraisal; the item-2 figures as metrics).
"""

from __future__ import annotations

import json
import math
import tempfile
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.markup import escape
from rich.table import Table

from harness.tracking import Tracker

EXPERIMENT = "roi"
ARTIFACT = "roi_report.json"
FIGURE_KEYS = ("net_hours_per_user_per_week", "annual_hours_released", "fte_released", "annual_benefit_gbp",
               "cashable_benefit_gbp", "non_cashable_benefit_gbp", "annual_recurring_cost_gbp", "one_off_cost_gbp",
               "pv_benefit_gbp", "pv_cost_gbp", "npv_gbp", "financial_npv_gbp", "benefit_cost_ratio", "roi_percent",
               "payback_months", "users", "tasks_per_year")


def clean(value: Any) -> Any:
    """The report with NaN and infinities replaced by None, so it is strict JSON."""
    if isinstance(value, dict):
        return {k: clean(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [clean(v) for v in value]
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


def to_json(report: dict[str, Any]) -> str:
    return json.dumps(clean(report), indent=2, allow_nan=False)


def write_json(report: dict[str, Any], path: Path) -> None:
    path.write_text(to_json(report) + "\n", encoding="utf-8")


def log_to_mlflow(tracker: Tracker, report: dict[str, Any]) -> str:
    """Log the appraisal (parent run) and each submission (child runs); return the parent run id."""
    region, method = report["region"], report["method"]
    parent = tracker.start_run(EXPERIMENT, f"roi: {region['submissions']} submissions, {region['councils']} councils",
                               {"submissions": region["submissions"], "councils": region["councils"],
                                "green_book": method["green_book"], "monte_carlo_draws": method["monte_carlo_draws"],
                                "seed": method["seed"], "discount_rate": method["discount_rate"] or "green_book_schedule"},
                               tags={"assure.kind": "roi-region"})
    metrics = {f"region.total.{k}": v for k, v in region["totals"].items()}
    metrics.update({f"region.{name}.median": m["median"] for name, m in region["measures"].items() if m["median"] is not None})
    if region["pooled_benefit_cost_ratio"] is not None:
        metrics["region.pooled_benefit_cost_ratio"] = region["pooled_benefit_cost_ratio"]
    tracker.log_metrics(parent, metrics)
    for council in report["councils"]:
        tool = council["tool"]
        child = tracker.start_run(
            EXPERIMENT, f"{council['council']}: {tool['name']} {tool['version']}",
            {"council": council["council"], "tool.name": tool["name"], "tool.version": tool["version"],
             "appraisal_years": council["appraisal_years"], "source": council["source"],
             "discount_rate": council["appraisal"]["discount_rate"],
             **{f"optimism_bias.{k}": v for k, v in council["appraisal"]["optimism_bias"].items()},
             "cashable_share": council["appraisal"]["cashable_share"],
             "time_evidence.weakest": council["time_evidence"]["weakest"],
             "defaults_used": "; ".join(d["field"] for d in council["defaults_used"]) or "none"},
            tags={"assure.kind": "roi", "council": council["council"], "target": tool["name"],
                  "target_version": tool["version"], "mlflow.parentRunId": parent})
        values = {k: council[k] for k in FIGURE_KEYS}
        u = council["uncertainty"]
        values.update({"npv_gbp.p2_5": u["npv_gbp"]["p2_5"], "npv_gbp.p97_5": u["npv_gbp"]["p97_5"],
                       "roi_percent.p2_5": u["roi_percent"]["p2_5"], "roi_percent.p97_5": u["roi_percent"]["p97_5"],
                       "probability_npv_positive": u["probability_npv_positive"]})
        w = council["wellbeing"]
        if w is not None:
            values.update({"wellbeing.mean_change": w["mean_change"], "wellbeing.ci_low": w["ci_low"],
                           "wellbeing.ci_high": w["ci_high"], "wellbeing.p_value": w["p_value"],
                           "wellbeing.share_improving_more_than_mid": w.get("share_improving_more_than_mid")})
        q = council["quality_adjusted"]
        if q["run_found"]:
            values.update({"quality.extra_checking_minutes_per_task": q["extra_checking_minutes_per_task"],
                           "quality.npv_gbp": q["npv_gbp"], "quality.roi_percent": q["roi_percent"]})
        values.update({f"standardised.{name}": m["value"] for name, m in council["standardised"].items()})
        tracker.log_metrics(child, {k: v for k, v in values.items() if v is not None})
        tracker.finish(child)
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / ARTIFACT
        write_json(report, path)
        tracker.log_artifacts(parent, [path])
    tracker.finish(parent)
    return parent


def _gbp(value: float | None) -> str:
    if value is None:
        return "n/a"
    return f"-£{-value:,.0f}" if value < 0 else f"£{value:,.0f}"


def _num(value: float | None, digits: int = 1) -> str:
    return "n/a" if value is None else f"{value:,.{digits}f}"


def print_report(console: Console, report: dict[str, Any]) -> None:
    """The terminal view: figures per council, standardised ranks, wellbeing, quality, defaults."""
    councils = report["councils"]
    main = Table("council", "tool", "net h/user/wk", "hours/yr", "FTE", "benefit/yr", "recurring/yr", "one-off",
                 "NPV (95% interval)", "BCR", "ROI %", "payback (months)",
                 title=f"ROI per council ({escape(report['method']['green_book'].split(':')[0])}; "
                       f"{report['method']['monte_carlo_draws']:,} Monte Carlo draws)")
    for c in councils:
        u = c["uncertainty"]["npv_gbp"]
        main.add_row(escape(c["council"]), escape(f"{c['tool']['name']} {c['tool']['version']}"),
                     _num(c["net_hours_per_user_per_week"], 2), _num(c["annual_hours_released"], 0), _num(c["fte_released"], 2),
                     _gbp(c["annual_benefit_gbp"]), _gbp(c["annual_recurring_cost_gbp"]), _gbp(c["one_off_cost_gbp"]),
                     f"{_gbp(c['npv_gbp'])} ({_gbp(u['p2_5'])} to {_gbp(u['p97_5'])})", _num(c["benefit_cost_ratio"], 2),
                     _num(c["roi_percent"], 0), _num(c["payback_months"], 1))
    console.print(main)

    std = Table("council", "h/user/wk", "h per 100 tasks", "£ cost per 100 tasks", "benefit per £", "h per £1,000",
                title="Standardised across councils: value (rank of n, quartile; Q1 best)")
    for c in councils:
        s = c["standardised"]

        def cell(name: str, digits: int = 2) -> str:
            m = s[name]
            return "n/a" if m["value"] is None else f"{m['value']:,.{digits}f} ({m['rank']}/{m['of']}, Q{m['quartile']})"

        std.add_row(escape(c["council"]), cell("net_hours_per_user_per_week"), cell("hours_saved_per_100_tasks", 1),
                    cell("cost_per_100_tasks_gbp", 0), cell("benefit_per_pound_gbp"), cell("hours_released_per_1000_gbp", 1))
    region = report["region"]
    med = {k: v["median"] for k, v in region["measures"].items()}
    std.add_row("region median", _num(med["net_hours_per_user_per_week"], 2), _num(med["hours_saved_per_100_tasks"]),
                _num(med["cost_per_100_tasks_gbp"], 0), _num(med["benefit_per_pound_gbp"], 2),
                _num(med["hours_released_per_1000_gbp"]))
    console.print(std)

    well = Table("council", "n", "mean before", "mean after", "change (95% CI)", "p", "share > MID", title="Staff wellbeing (SWEMWBS metric)")
    for c in councils:
        w = c["wellbeing"]
        if w is None:
            well.add_row(escape(c["council"]), "not submitted", "", "", "", "", "")
            continue
        share = w.get("share_improving_more_than_mid")
        well.add_row(escape(c["council"]), f"{w['n_before']}/{w['n_after']}" + (" paired" if w["paired"] else ""),
                     _num(w["mean_before"], 2), _num(w["mean_after"], 2),
                     f"{w['mean_change']:+.2f} ({_num(w['ci_low'], 2)} to {_num(w['ci_high'], 2)})",
                     "n/a" if w["p_value"] is None else f"{w['p_value']:.3g}",
                     "n/a (unpaired)" if share is None else f"{share:.0%} (MID {w['mid']:g})")
    console.print(well)

    quality = Table("council", "hallucination", "omission", "extra min/task", "quality-adjusted NPV", "ROI %",
                    title="Quality-adjusted view (measured failure rates x documented checking-time assumption)")
    for c in councils:
        q = c["quality_adjusted"]
        if not q["run_found"]:
            quality.add_row(escape(c["council"]), "no assurance run", "", "", "", "")
            continue
        quality.add_row(escape(c["council"]), _rate(q["hallucination_rate"]), _rate(q["omission_rate"]),
                        _num(q["extra_checking_minutes_per_task"], 1), _gbp(q["npv_gbp"]), _num(q["roi_percent"], 0))
    console.print(quality)

    for c in councils:
        switches = {row["input"]: row for row in c["sensitivity"]}
        saved, checking = switches["net_minutes_saved_per_task"], switches["extra_checking_minutes_per_task"]
        parts = []
        if saved["switching_change_percent"] is not None:
            parts.append(f"time saved changes by {saved['switching_change_percent']:+.0f}%")
        if checking["switching_value"] is not None:
            parts.append(f"checking grows by {checking['switching_value']:.1f} min per task")
        sign = "negative" if c["npv_gbp"] > 0 else "positive"
        if parts:
            console.print(f"{escape(c['council'])}: NPV turns {sign} if " + " or ".join(parts), highlight=False)
        if not c["quality_adjusted"]["run_found"]:
            console.print(f"  quality: {escape(c['quality_adjusted']['note'])}", highlight=False)
        if c["defaults_used"]:
            console.print("  defaults used: " + escape("; ".join(f"{d['field']} = {d['value']:g}" for d in c["defaults_used"])),
                          highlight=False)
    totals = region["totals"]
    console.print(f"Region: {region['submissions']} submissions from {region['councils']} councils; "
                  f"{totals['annual_hours_released']:,.0f} hours ({totals['fte_released']:,.1f} FTE) released a year; "
                  f"NPV {_gbp(totals['npv_gbp'])}; pooled BCR {_num(region['pooled_benefit_cost_ratio'], 2)}; "
                  f"NPV positive in {region['npv_positive']} of {region['submissions']}.", highlight=False)


def _rate(value: float | None) -> str:
    return "not measured" if value is None else f"{value:.1%}"
