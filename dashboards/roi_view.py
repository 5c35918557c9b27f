"""The dashboard's ROI view: the newest appraisal tracked in MLflow experiment `roi`.

A table of councils with the item-2 figures, and a chart of standardised measures with the
region's quartiles. Council and tool names are user text: the DataTable shows them as plain text,
and they are HTML-escaped before they reach a plotly label (plotly reads a little HTML in labels).
"""

from __future__ import annotations

import html as html_text
import json
import os
import tempfile
from pathlib import Path
from typing import Any

import pandas as pd
import plotly.graph_objects as go
from dash import dash_table, dcc, html
from plotly.subplots import make_subplots

from harness.tracking import Tracker

CHART_MEASURES = ("net_hours_per_user_per_week", "hours_saved_per_100_tasks", "benefit_per_pound_gbp")
TABLE_COLUMNS = ["council", "tool", "version", "net_hours_per_user_per_week", "annual_hours_released", "fte_released",
                 "annual_benefit_gbp", "annual_recurring_cost_gbp", "one_off_cost_gbp", "npv_gbp", "npv_p2_5", "npv_p97_5",
                 "benefit_cost_ratio", "roi_percent", "payback_months", "wellbeing_change", "wellbeing_p",
                 "quality_adjusted_npv_gbp", "time_measured_by", "defaults_used"]


def latest_roi_report(tracker: Tracker) -> dict[str, Any] | None:
    """The report JSON of the newest finished appraisal, or None when there is none."""
    experiment = tracker.client.get_experiment_by_name("roi")
    if experiment is None:
        return None
    runs = tracker.client.search_runs([experiment.experiment_id],
                                      filter_string="tags.`assure.kind` = 'roi-region' and attributes.status = 'FINISHED'",
                                      order_by=["attributes.start_time DESC"], max_results=1)
    if not runs:
        return None
    os.environ.setdefault("MLFLOW_ENABLE_ARTIFACTS_PROGRESS_BAR", "false")  # no progress bar on every page load
    with tempfile.TemporaryDirectory() as folder:
        path = tracker.download_artifact(runs[0].info.run_id, "roi_report.json", Path(folder))
        return json.loads(path.read_text(encoding="utf-8"))


def councils_frame(report: dict[str, Any]) -> pd.DataFrame:
    """One row per submission: the item-2 figures, wellbeing change, quality-adjusted NPV."""
    rows = []
    for c in report["councils"]:
        w, q, u = c["wellbeing"], c["quality_adjusted"], c["uncertainty"]["npv_gbp"]
        rows.append({
            "council": c["council"], "tool": c["tool"]["name"], "version": c["tool"]["version"],
            "net_hours_per_user_per_week": _round(c["net_hours_per_user_per_week"], 2),
            "annual_hours_released": _round(c["annual_hours_released"], 0), "fte_released": _round(c["fte_released"], 2),
            "annual_benefit_gbp": _round(c["annual_benefit_gbp"], 0),
            "annual_recurring_cost_gbp": _round(c["annual_recurring_cost_gbp"], 0),
            "one_off_cost_gbp": _round(c["one_off_cost_gbp"], 0), "npv_gbp": _round(c["npv_gbp"], 0),
            "npv_p2_5": _round(u["p2_5"], 0), "npv_p97_5": _round(u["p97_5"], 0),
            "benefit_cost_ratio": _round(c["benefit_cost_ratio"], 2), "roi_percent": _round(c["roi_percent"], 0),
            "payback_months": _round(c["payback_months"], 1),
            "wellbeing_change": None if w is None else _round(w["mean_change"], 2),
            "wellbeing_p": None if w is None else _round(w["p_value"], 4),
            "quality_adjusted_npv_gbp": _round(q.get("npv_gbp"), 0) if q["run_found"] else None,
            "time_measured_by": c["time_evidence"]["weakest"],
            "defaults_used": len(c["defaults_used"]),
        })
    return pd.DataFrame(rows, columns=TABLE_COLUMNS)


def standardised_figure(report: dict[str, Any]) -> go.Figure:
    """Bars per council for three standardised measures, with the region's Q1, median and Q3 lines."""
    region = report["region"]["measures"]
    figure = make_subplots(rows=1, cols=len(CHART_MEASURES), subplot_titles=[region[m]["label"] for m in CHART_MEASURES])
    names = [html_text.escape(c["council"]) for c in report["councils"]]
    for col, measure in enumerate(CHART_MEASURES, start=1):
        values = [c["standardised"][measure]["value"] for c in report["councils"]]
        quartiles = [c["standardised"][measure]["quartile"] for c in report["councils"]]
        figure.add_trace(go.Bar(x=names, y=values, name=measure, showlegend=False,
                                text=[f"Q{q}" if q else "" for q in quartiles], textposition="outside"), row=1, col=col)
        summary = region[measure]
        for key, dash, where in (("q1", "dot", "bottom right"), ("median", "dash", "top left"), ("q3", "dot", "top right")):
            if summary[key] is not None:
                figure.add_hline(y=summary[key], line_dash=dash, line_color="grey", row=1, col=col,
                                 annotation_text=f"region {key}", annotation_position=where)
    figure.update_layout(title="Standardised across councils (Q1 = best quarter of the region)", height=460)
    return figure


def roi_section(tracker: Tracker) -> html.Div:
    """The ROI part of the page (or a line saying how to produce it)."""
    report = latest_roi_report(tracker)
    if report is None:
        return html.Div([html.H2("Return on investment"),
                         html.P("No ROI appraisal tracked yet: run `assure roi SUBMISSION...` or `assure demo`.")], id="roi")
    frame = councils_frame(report)
    region = report["region"]
    totals = region["totals"]
    return html.Div([
        html.H2("Return on investment"),
        html.P(f"{region['submissions']} submissions from {region['councils']} councils; "
               f"{totals['annual_hours_released']:,.0f} hours ({totals['fte_released']:,.1f} FTE) released a year; "
               f"NPV £{totals['npv_gbp']:,.0f} ({report['method']['green_book'].split(':')[0]}). Net time counts "
               "checking the AI's output; NPV, BCR and ROI carry the optimism-bias adjustment; "
               f"the interval is the 95% range of {report['method']['monte_carlo_draws']:,} Monte Carlo draws."),
        dash_table.DataTable(id="roi-councils", data=frame.to_dict("records"),
                             columns=[{"name": c, "id": c} for c in frame.columns], sort_action="native", page_size=25,
                             style_table={"overflowX": "auto"}),
        dcc.Graph(id="roi-standardised", figure=standardised_figure(report)),
    ], id="roi")


def _round(value: float | None, digits: int) -> float | None:
    return None if value is None else round(float(value), digits)
