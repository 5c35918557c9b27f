"""Value and risk: every council's tool as one point, its quality-adjusted ROI against its measured failure rate.

Value (y): the quality-adjusted ROI % of the newest ROI appraisal (the return once the extra checking
its measured error rates call for is counted), with the Monte Carlo 95% interval of that figure.
Risk (x): the share of the tool's scored cases with at least one critical hallucination or omitted
critical fact, from the evaluation runs the appraisal linked to it (read through `ui.data()`), with
its Wilson 95% interval (`dashboards.roi_data`). A submission whose tool has no evaluation run, or a
scored tool no council has appraised, is left out of the chart and the page says which. Clicking a
point (or a row of the table) opens the ROI page filtered to that tool.
"""

from __future__ import annotations

import html as html_text
from typing import Any

import dash
import pandas as pd
import plotly.graph_objects as go
from dash import Input, Output, State, html, no_update

from .. import roi_data, ui

PATH = "/value"
NAME = "Value and risk"
MEANING = ("Each point is one council's tool: higher means more return for the money once the extra checking its errors "
           "call for is counted; further left means fewer cases with a critical error (an invented detail such as a "
           "dose or date, or a missed critical fact). Top left is high value, low risk. Lines are 95% intervals. "
           "Click a point to open its ROI.")
NO_REPORT = ("No ROI appraisal in this store yet, so there is no value to plot: run `assure roi roi/submissions/` (or your "
             "own submission files), or `assure demo`. The table shows the failure rates measured so far.")
NO_RUNS = "No evaluation runs and no ROI appraisal in this store yet: run `assure demo`."
TABLE_COLUMNS = ["council", "tool", "version", "quality_adjusted_roi_percent", "roi_95_interval", "failure_rate",
                 "failure_95_ci", "cases", "failed_cases", "critical_hallucinations_per_case",
                 "omitted_critical_facts_per_case", "measured", "golden_sets", "plotted", "note"]
COLOURS = ("#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#17becf")


def layout(**_: Any) -> html.Div:
    data = ui.data()
    report = data.roi_report()
    points = value_points(report)
    if report is None and not points:
        return ui.page(NAME, MEANING, ui.notice(NO_RUNS, "value-empty"), ui.graph("value-chart", ui.empty_figure(NO_RUNS)),
                       ui.table("value-table", pd.DataFrame(columns=TABLE_COLUMNS)), page_id="value-page")
    left_out = [p for p in points if not p["plotted"]]
    notes = [html.Li(f"{_name(p)}: {p['note']}") for p in left_out]
    return ui.page(NAME, MEANING,
                   *([ui.notice(NO_REPORT, "value-empty")] if report is None else []),
                   ui.graph("value-chart", value_figure(points)),
                   html.Div([html.P(f"Left out of the chart ({len(left_out)}):"), html.Ul(notes)] if left_out else [],
                            id="value-notes"),
                   html.H2("Every tool and council"),
                   html.P("Failure rate: the share of test cases with at least one critical error; per case: how many "
                          "such errors on average. Measured: which checks the tool's runs included (a tool scored for "
                          "hallucinations only has its missed facts uncounted). Click a row to open its ROI.",
                          className="meaning"),
                   ui.table("value-table", value_frame(points), style_cell_conditional=[
                       {"if": {"column_id": "note"}, "minWidth": "22rem"}, {"if": {"column_id": "council"}, "minWidth": "9rem"}]),
                   page_id="value-page")


def register_callbacks(app: dash.Dash) -> None:
    @app.callback(Output("go", "href", allow_duplicate=True), Input("value-chart", "clickData"), prevent_initial_call=True)
    def open_point(click: dict[str, Any] | None) -> str:
        points = (click or {}).get("points") or []
        tool = points[0].get("customdata") if points else None
        if isinstance(tool, list):
            tool = tool[0] if tool else None
        if not tool:
            return no_update
        return ui.href("/roi", tool=html_text.unescape(str(tool)))  # the figure holds the escaped name

    @app.callback(Output("go", "href", allow_duplicate=True), Input("value-table", "active_cell"),
                  State("value-table", "derived_viewport_data"), prevent_initial_call=True)
    def open_row(cell: dict[str, Any] | None, rows: list[dict[str, Any]] | None) -> str:
        row = ui.clicked_row(cell, rows)
        if row is None:
            return no_update
        return ui.href("/roi", tool=row.get("tool")) if row.get("council") else ui.href("/scorecard")


# --- the points ---------------------------------------------------------------------------------

def value_points(report: dict[str, Any] | None) -> list[dict[str, Any]]:
    """One entry per ROI submission, then one per scored tool version no submission uses: its quality-adjusted
    ROI with its interval, its failure rate with its interval, whether it is plotted and, if not, why."""
    data = ui.data()
    runs = data.runs()
    known = set(runs["run_id"]) if not runs.empty else set()
    points = []
    appraised = set()
    for c in (report or {}).get("councils", []):
        name, version = c["tool"]["name"], str(c["tool"]["version"])
        appraised.add((name, version))
        q = c["quality_adjusted"]
        ids = [i for i in roi_data.measured_run_ids(c) if i in known]
        note = ""
        if not ids:  # the appraisal found no run (or its run is gone): the tool's newest run on each golden set
            ids = _newest_runs(runs, name, version)
            if ids and q.get("run_found"):
                note = "the runs the appraisal read are no longer in this store: failure rate from the newest runs; "
        failures = roi_data.run_failures([data.report(i).report for i in ids]) if ids else None
        roi = q.get("roi_percent") if q.get("run_found") else None
        interval, why = roi_data.quality_adjusted_roi_interval(c, report["method"]) if roi is not None else (None, None)
        point = {"council": c["council"], "tool": name, "version": version, "roi": roi, "roi_interval": interval,
                 "failures": failures, "runs": ids,
                 "golden_sets": sorted({data.report(i).report["golden_set"]["id"] for i in ids})}
        if failures is None or failures["rate"] is None:
            point.update(plotted=False, note=note + f"no evaluation run of {name} {version} in this store, so its errors "
                         f"are not measured: score it with `assure run --golden SET --target TARGET.yaml`")
        elif roi is None:
            point.update(plotted=False, note=note + "the appraisal found no evaluation run of this tool (it was appraised "
                         "before the tool was scored), so there is no quality-adjusted ROI: rerun `assure roi`")
        else:
            extra = [] if interval is not None else [f"no ROI interval ({why})"]
            if not failures["omission_measured"]:
                extra.append("missed facts not measured (hallucination checks only)")
            point.update(plotted=True, note=note + "; ".join(extra))
        points.append(point)
    if not runs.empty:
        for (name, version), _ in runs.groupby(["tool", "version"], sort=False):
            if (name, version) in appraised:
                continue
            ids = _newest_runs(runs, name, version)
            points.append({"council": "", "tool": name, "version": version, "roi": None, "roi_interval": None,
                           "failures": roi_data.run_failures([data.report(i).report for i in ids]), "runs": ids,
                           "golden_sets": sorted({data.report(i).report["golden_set"]["id"] for i in ids}),
                           "plotted": False, "note": "no council's ROI submission uses this tool, so it has no value to plot"})
    return points


def _newest_runs(runs: pd.DataFrame, name: str, version: str) -> list[str]:
    """The newest run of one tool version on each golden set it was scored on."""
    if runs.empty:
        return []
    own = runs[(runs["tool"] == name) & (runs["version"] == version)]
    return list(own.drop_duplicates("golden_set")["run_id"])


def value_frame(points: list[dict[str, Any]]) -> pd.DataFrame:
    rows = []
    for p in points:
        f = p["failures"] or {}
        rate, cases = f.get("rate"), f.get("cases") or 0
        interval = p["roi_interval"]
        rows.append({
            "council": p["council"], "tool": p["tool"], "version": p["version"],
            "quality_adjusted_roi_percent": None if p["roi"] is None else round(float(p["roi"]), 0),
            "roi_95_interval": "n/a" if not interval else f"{interval['p2_5']:,.0f}% to {interval['p97_5']:,.0f}%",
            "failure_rate": "n/a" if not rate else ui.percent(rate["rate"]),
            "failure_95_ci": "n/a" if not rate else f"{ui.percent(rate['low'])} to {ui.percent(rate['high'])}",
            "cases": cases, "failed_cases": f.get("failed", 0),
            "critical_hallucinations_per_case": round(f["critical_hallucinations"] / cases, 2) if cases else None,
            "omitted_critical_facts_per_case": round(f["omitted_critical_facts"] / cases, 2) if cases else None,
            "measured": _measured(f), "golden_sets": ", ".join(p["golden_sets"]),
            "plotted": "yes" if p["plotted"] else "no", "note": p["note"],
        })
    return pd.DataFrame(rows, columns=TABLE_COLUMNS)


def value_figure(points: list[dict[str, Any]]) -> go.Figure:
    """Quality-adjusted ROI (y) against failure rate (x), one trace per tool, with 95% intervals on both axes."""
    shown = [p for p in points if p["plotted"]]
    if not shown:
        return ui.empty_figure("No tool has both a quality-adjusted ROI and a measured failure rate yet.")
    figure = go.Figure()
    tools = list(dict.fromkeys((p["tool"], p["version"]) for p in shown))
    for n, (name, version) in enumerate(tools):
        group = [p for p in shown if (p["tool"], p["version"]) == (name, version)]
        x = [p["failures"]["rate"]["rate"] for p in group]
        y = [float(p["roi"]) for p in group]
        figure.add_scatter(
            x=x, y=y, mode="markers+text", name=ui.label(f"{name} {version}"),
            marker={"size": 13, "color": COLOURS[n % len(COLOURS)]},
            text=[ui.label(p["council"]) for p in group], textposition="top center",
            customdata=[ui.label(name) for _ in group],
            hovertext=[_hover(p) for p in group], hoverinfo="text",
            error_x={"type": "data", "array": [p["failures"]["rate"]["high"] - p["failures"]["rate"]["rate"] for p in group],
                     "arrayminus": [p["failures"]["rate"]["rate"] - p["failures"]["rate"]["low"] for p in group],
                     "thickness": 1.2},
            error_y={"type": "data", "thickness": 1.2,
                     "array": [None if not p["roi_interval"] else p["roi_interval"]["p97_5"] - float(p["roi"]) for p in group],
                     "arrayminus": [None if not p["roi_interval"] else float(p["roi"]) - p["roi_interval"]["p2_5"] for p in group]})
    figure.add_hline(y=0, line_dash="dash", line_color="grey", annotation_text="ROI 0%: costs what it saves",
                     annotation_position="bottom right")
    for text, x, y, xanchor, yanchor in (("high value, low risk", 0.01, 0.99, "left", "top"),
                                         ("low value, high risk", 0.99, 0.01, "right", "bottom")):
        figure.add_annotation(text=text, x=x, y=y, xref="paper", yref="paper", xanchor=xanchor, yanchor=yanchor,
                              showarrow=False, font={"color": "#555"})
    figure.update_layout(
        title="Value against risk: quality-adjusted ROI and the share of cases with a critical error (95% intervals)",
        xaxis={"title": "failure rate: share of test cases with a critical hallucination or missed critical fact",
               "tickformat": ".0%", "range": [-0.03, 1.03], "zeroline": False},
        yaxis={"title": "quality-adjusted ROI (%): return per £1 spent, after extra checking", "ticksuffix": "%"},
        legend_title_text="tool", height=560)
    return figure


def _hover(p: dict[str, Any]) -> str:
    f, interval = p["failures"], p["roi_interval"]
    roi = f"quality-adjusted ROI {float(p['roi']):,.0f}%" + (
        "" if not interval else f" ({interval['p2_5']:,.0f}% to {interval['p97_5']:,.0f}%)")
    rate = f["rate"]
    return (f"{ui.label(p['council'])}<br>{ui.label(p['tool'])} {ui.label(p['version'])}<br>{roi}<br>"
            f"{f['failed']} of {f['cases']} cases with a critical error: {ui.percent(rate['rate'])} "
            f"({ui.percent(rate['low'])} to {ui.percent(rate['high'])})")


def _measured(f: dict[str, Any]) -> str:
    if not f:
        return "not scored"
    cases = f.get("cases") or 0
    kinds = []
    for kind, checked in (("hallucinations", f.get("hallucination_cases") or 0), ("missed facts", f.get("omission_cases") or 0)):
        if checked:
            kinds.append(kind if checked == cases else f"{kind} (in {checked} of {cases} cases)")
    return " and ".join(kinds) or "neither"


def _name(p: dict[str, Any]) -> str:
    return f"{p['council']}: {p['tool']} {p['version']}" if p["council"] else f"{p['tool']} {p['version']}"
