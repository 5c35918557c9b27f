"""Trend: one tool's scores across its versions and runs over time, on one golden-set version.

One line per scorer (pass rate, or the mean), x the run's start time, each run labelled with its
version; above the lines, each run's gate verdict as `assure gate` recorded it on the run (pass,
fail, or not gated). Only runs on the same golden-set version are joined by a line, so a change in
the line is a change in the tool, never in the cases.
"""

from __future__ import annotations

from typing import Any

import dash
import pandas as pd
import plotly.graph_objects as go
from dash import Input, Output, State, dcc, html, no_update

from .. import trend_data, ui

PATH = "/trend"
NAME = "Trend"
MEANING = ("Each line is one scorer's pass rate (the share of cases the tool passed) run after run, on exactly the same "
           "cases, so a line going down means a version got worse. The marks along the top are the CI gate's verdict "
           "on each run: pass, fail (it fell below a threshold or was significantly worse than its baseline), or not gated.")
MEASURES = {"pass_rate": "pass rate", "mean": "mean score"}
VERDICT_STYLE = {"pass": ("gate: pass", "circle", "#1a7f37"), "fail": ("gate: fail", "x", "#cf222e"),
                 "": ("not gated", "circle-open", "#8c959f")}
VERDICT_ROW = 1.1  # where the verdict marks sit, above the 0-1 scale


def layout(tool: str | None = None, golden: str | None = None, measure: str | None = None, **_: Any) -> html.Div:
    data = ui.data()
    names = trend_data.tools(data)
    if not names:
        return ui.page(NAME, MEANING, ui.notice("No evaluation runs in this store yet: run `assure demo`, or run a tool "
                                                 "twice with `assure run` and gate the second run with `assure gate`.",
                                                 "trend-empty"), page_id="trend-page")
    tool = tool if tool in names else names[0]
    sets = trend_data.golden_sets_of(data, tool)
    golden = golden if any(s["key"] == golden for s in sets) else sets[0]["key"]
    measure = measure if measure in MEASURES else "pass_rate"
    figure, rows, columns, summary, link = _view(tool, golden, measure)
    return ui.page(NAME, MEANING, html.Div([
        html.Label(["Tool", dcc.Dropdown(id="trend-tool", options=[{"label": n, "value": n} for n in names], value=tool,
                                         clearable=False)], style={"width": "24rem"}),
        html.Label(["Golden set version", dcc.Dropdown(id="trend-golden", options=_golden_options(sets), value=golden,
                                                       clearable=False)], style={"width": "28rem"}),
        html.Label(["Measure", dcc.RadioItems(id="trend-measure", options=[{"label": v, "value": k} for k, v in MEASURES.items()],
                                              value=measure, inline=True, inputStyle={"marginRight": "0.3rem"},
                                              labelStyle={"marginRight": "1rem"})]),
    ], style={"display": "flex", "gap": "1rem", "flexWrap": "wrap", "alignItems": "end"}),
        html.P(summary, id="trend-summary"),
        dcc.Link("Compare these runs, with the significance of each difference", id="trend-compare", href=link),
        ui.graph("trend-chart", figure),
        html.H2("Runs, oldest first"),
        _table(rows, columns),
        page_id="trend-page")


def register_callbacks(app: dash.Dash) -> None:
    @app.callback(Output("trend-golden", "options"), Output("trend-golden", "value"),
                  Input("trend-tool", "value"), State("trend-golden", "value"), prevent_initial_call=True)
    def choose_tool(tool: str | None, current: str | None) -> tuple[Any, Any]:
        if not tool:
            return no_update, no_update
        sets = trend_data.golden_sets_of(ui.data(), tool)
        keys = [s["key"] for s in sets]
        return _golden_options(sets), current if current in keys else (keys[0] if keys else None)

    @app.callback(Output("trend-chart", "figure"), Output("trend-table", "data"), Output("trend-table", "columns"),
                  Output("trend-summary", "children"), Output("trend-compare", "href"),
                  Input("trend-golden", "value"), Input("trend-measure", "value"), State("trend-tool", "value"),
                  prevent_initial_call=True)
    def show(golden: str | None, measure: str | None, tool: str | None) -> tuple[Any, ...]:
        return _view(tool, golden, measure if measure in MEASURES else "pass_rate")


def _table(rows: list[dict[str, Any]], columns: list[dict[str, str]]) -> Any:
    table = ui.table("trend-table", pd.DataFrame(rows, columns=[c["id"] for c in columns]))
    table.columns = columns  # the scorer columns are named after their scorer
    return table


def _golden_options(sets: list[dict[str, Any]]) -> list[dict[str, str]]:
    return [{"label": f"{s['label']}: {s['tool_runs']} run(s) of this tool", "value": s["key"]} for s in sets]


def _view(tool: str | None, golden: str | None, measure: str) -> tuple[go.Figure, list[dict[str, Any]], list[dict[str, str]], str, str]:
    """The chart, table rows and columns, summary sentence and compare link for one tool on one golden-set version."""
    data = ui.data()
    runs = trend_data.trend_runs(data, tool, golden) if tool and golden else pd.DataFrame(columns=trend_data.TREND_COLUMNS)
    if runs.empty:
        sentence = "This tool has no runs on this golden set version."
        return ui.empty_figure(sentence), [], _columns([], measure), sentence, "/compare"
    scores = trend_data.trend_scores(data, runs["run_id"])
    scorers = list(dict.fromkeys(scores["scorer"]))
    rows = table_rows(runs, scores, scorers, measure)
    versions = runs["version"].nunique()
    gated = runs[runs["gate_verdict"] != ""]
    summary = (f"{len(runs)} run(s) of {tool}, {versions} version(s), on {golden.split('#')[0]}; "
               f"{len(gated)} gated: {int((gated['gate_verdict'] == 'pass').sum())} passed, "
               f"{int((gated['gate_verdict'] == 'fail').sum())} failed.")
    if len(runs) == 1:
        summary += " Only one run so far: run another version on this golden set to see a trend."
    link = ui.href("/compare", golden=golden, runs=",".join(runs["run_id"].iloc[-2:])) if len(runs) > 1 else "/compare"
    return trend_figure(tool, golden, runs, scores, measure), rows, _columns(scorers, measure), summary, link


def table_rows(runs: pd.DataFrame, scores: pd.DataFrame, scorers: list[str], measure: str) -> list[dict[str, Any]]:
    """One row per run: version, start, each scorer's pass rate (or mean), the gate's verdict and baseline."""
    rows = []
    for run in runs.itertuples():
        mine = scores[scores["run_id"] == run.run_id].set_index("scorer")
        row: dict[str, Any] = {"version": run.version, "started": run.started.strftime("%Y-%m-%d %H:%M:%S"),
                               "gate_verdict": run.gate_verdict or "not gated", "gate_baseline": run.gate_baseline_label,
                               "failed_checks": run.gate_failed_checks, "gated_at": run.gated_at,
                               "baseline": "yes" if run.baseline else "", "baseline_tags": run.baseline_tags,
                               "run_id": run.run_id}
        for i, scorer in enumerate(scorers):
            value = mine[measure].get(scorer) if scorer in mine.index else None
            row[f"s{i}"] = ui.percent(value) if measure == "pass_rate" else ui.number(value)
        rows.append(row)
    return rows


def _columns(scorers: list[str], measure: str) -> list[dict[str, str]]:
    ids = ["version", "started", *[f"s{i}" for i in range(len(scorers))], "gate_verdict", "gate_baseline",
           "failed_checks", "gated_at", "baseline", "baseline_tags", "run_id"]
    names = {f"s{i}": f"{s} {MEASURES[measure]}" for i, s in enumerate(scorers)}
    names.update({"gate_verdict": "gate verdict", "gate_baseline": "gated against", "failed_checks": "failed checks",
                  "gated_at": "gated at (UTC)", "baseline": "built-in baseline", "baseline_tags": "baseline tags",
                  "run_id": "run id"})
    return [{"name": names.get(i, i.replace("_", " ")), "id": i} for i in ids]


def trend_figure(tool: str, golden: str, runs: pd.DataFrame, scores: pd.DataFrame, measure: str) -> go.Figure:
    """Lines per scorer over run start time, with the gate verdict of each run marked above them (every label escaped)."""
    figure = go.Figure()
    started = dict(zip(runs["run_id"], runs["started"]))
    versions = {r: ui.label(f"v{v}") for r, v in zip(runs["run_id"], runs["version"])}
    what = MEASURES[measure]
    for scorer, group in scores.groupby("scorer", sort=False):
        group = group.assign(started=group["run_id"].map(started)).sort_values("started")
        figure.add_scatter(x=list(group["started"]), y=group[measure].astype(float).tolist(), mode="lines+markers",
                           name=ui.label(scorer), customdata=[versions[r] for r in group["run_id"]],
                           hovertemplate=f"%{{customdata}}<br>%{{x|%Y-%m-%d %H:%M}}<br>{what} %{{y:.{'0%' if measure == 'pass_rate' else '3f'}}}"
                                         "<extra>%{fullData.name}</extra>")
    for verdict, (name, symbol, colour) in VERDICT_STYLE.items():
        these = runs[runs["gate_verdict"] == verdict]
        if these.empty:
            continue
        hover = [ui.label(_verdict_hover(run)) for run in these.itertuples()]
        figure.add_scatter(x=list(these["started"]), y=[VERDICT_ROW] * len(these), mode="markers+text", name=name,
                           text=[versions[r] for r in these["run_id"]], textposition="top center",
                           marker={"symbol": symbol, "size": 14, "color": colour, "line": {"width": 2, "color": colour}},
                           hovertext=hover, hovertemplate="%{hovertext}<extra></extra>")
    figure.update_layout(
        title=f"{ui.label(tool)} on {ui.label(golden.split('#')[0])}: {what} per scorer, run by run",
        yaxis={"title": f"{what} (0 to 1)", "range": [0, VERDICT_ROW + 0.12], "tickvals": [0, 0.2, 0.4, 0.6, 0.8, 1.0],
               "tickformat": ".0%" if measure == "pass_rate" else ".1f"},
        xaxis={"title": "run started (UTC)"}, legend_title_text="scorer / gate", height=480)
    return figure


def _verdict_hover(run: Any) -> str:
    """The hover text of a verdict mark, as plain text (the caller escapes it)."""
    if not run.gate_verdict:
        return f"v{run.version}, {run.started:%Y-%m-%d %H:%M}: not gated"
    parts = [f"v{run.version}, {run.started:%Y-%m-%d %H:%M}: gate {run.gate_verdict}",
             f"against {run.gate_baseline_label}" if run.gate_baseline else "no baseline"]
    if run.gate_failed_checks:
        parts.append(f"failed: {run.gate_failed_checks}")
    return "; ".join(parts)
