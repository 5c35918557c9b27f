"""Scorecard: every tool's newest run on one golden-set version, scorer by scorer.

One golden-set version at a time (tools scored on different cases are never put in one chart). Pass
rate comes first, because a mean near 1 can hide a tool that fails half its cases; then the mean
with its 95% CI, critical findings and errored cases. Filters: task, tool, date of the run.
"""

from __future__ import annotations

from datetime import date, datetime, timezone
from typing import Any

import dash
import pandas as pd
import plotly.graph_objects as go
from dash import Input, Output, State, dcc, html, no_update

from .. import ui

PATH = "/scorecard"
NAME = "Scorecard"
MAX_COMPARED = 8  # the Compare page compares at most this many runs
MEANING = ("Pass rate is the share of cases a tool passed (1 in 2 cases failed shows as 50%); the mean is the average "
           "score from 0 to 1, 1 best; a critical finding is an error that could change a decision, such as an "
           "invented dose or date. Bars show each tool's newest run; the thin lines are 95% confidence intervals.")
TABLE_COLUMNS = ["tool", "version", "baseline", "scorer", "pass_rate", "pass_ci", "mean", "mean_ci", "critical_findings",
                 "errors", "cases", "started", "run_id"]
CASE_COLUMNS = ["tool", "version", "case_id", "scorer", "score", "critical", "first_finding", "run_id"]


def layout(golden: str | None = None, task: str | None = None, **_: Any) -> html.Div:
    sets = ui.data().golden_sets()
    if not sets:
        return ui.page(NAME, MEANING, ui.notice("No evaluation runs in this store yet: run `assure demo`, or "
                                                 "`assure run --golden SET --target TARGET.yaml`.", "scorecard-empty"),
                       page_id="scorecard-page")
    tasks = sorted({s["task"] for s in sets})
    task = task if task in tasks else None
    shown = [s for s in sets if task is None or s["task"] == task]
    chosen = golden if any(s["key"] == golden for s in shown) else shown[0]["key"]
    return ui.page(NAME, MEANING, html.Div([
        html.Label(["Task", dcc.Dropdown(id="scorecard-task", options=[{"label": t, "value": t} for t in tasks],
                                         value=task, placeholder="every task", clearable=True)], style={"width": "16rem"}),
        html.Label(["Golden set version", dcc.Dropdown(id="scorecard-golden", options=_golden_options(shown), value=chosen,
                                                       clearable=False)], style={"width": "28rem"}),
        html.Label(["Tools", dcc.Dropdown(id="scorecard-tools", multi=True, placeholder="every tool")], style={"width": "24rem"}),
        html.Label(["Runs started", dcc.DatePickerRange(id="scorecard-dates", display_format="YYYY-MM-DD")]),
    ], style={"display": "flex", "gap": "1rem", "flexWrap": "wrap", "alignItems": "end"}),
        html.P(id="scorecard-summary"),
        dcc.Link("Compare these tools, with the significance of each difference", id="scorecard-compare", href="/compare"),
        ui.graph("scorecard-chart", ui.empty_figure("Loading")),
        html.H2("Scores per tool and scorer"),
        ui.table("scorecard-table", pd.DataFrame(columns=TABLE_COLUMNS)),
        html.H2("Cases that failed (click a row to open the case)"),
        ui.table("scorecard-cases", pd.DataFrame(columns=CASE_COLUMNS), page_size=15),
        page_id="scorecard-page")


def register_callbacks(app: dash.Dash) -> None:
    @app.callback(Output("scorecard-golden", "options"), Output("scorecard-golden", "value"),
                  Input("scorecard-task", "value"), State("scorecard-golden", "value"), prevent_initial_call=True)
    def choose_task(task: str | None, current: str | None) -> tuple[list[dict[str, str]], str | None]:
        shown = [s for s in ui.data().golden_sets() if task is None or s["task"] == task]
        keys = [s["key"] for s in shown]
        return _golden_options(shown), current if current in keys else (keys[0] if keys else None)

    @app.callback(Output("scorecard-tools", "options"), Input("scorecard-golden", "value"))
    def tool_options(golden: str | None) -> list[dict[str, str]]:
        if not golden:
            return []
        return [{"label": t, "value": t} for t in dict.fromkeys(ui.data().runs_on(golden)["tool"])]

    @app.callback(Output("scorecard-chart", "figure"), Output("scorecard-table", "data"), Output("scorecard-cases", "data"),
                  Output("scorecard-summary", "children"), Output("scorecard-compare", "href"),
                  Input("scorecard-golden", "value"), Input("scorecard-tools", "value"),
                  Input("scorecard-dates", "start_date"), Input("scorecard-dates", "end_date"))
    def show(golden: str | None, tools: list[str] | None, start: str | None, end: str | None) -> tuple[Any, ...]:
        runs = _filtered(golden, tools, start, end)
        if runs.empty:
            sentence = "No runs match these filters."
            return ui.empty_figure(sentence), [], [], sentence, "/compare"
        rows, cases = _rows(runs)
        frame = pd.DataFrame(rows, columns=[*TABLE_COLUMNS, "pass_low", "pass_high", "pass_value", "label"])
        summary = (f"{len(runs)} tool version(s), newest run of each, on {runs['golden_set'].iloc[0].split('#')[0]} "
                   f"({int(runs['cases'].max())} cases). Baselines are marked (baseline).")
        ordered = pd.concat([runs[runs["baseline"]], runs[~runs["baseline"]]])["run_id"]  # baselines first: vendors are B
        link = ui.href("/compare", golden=golden, runs=",".join(ordered.head(MAX_COMPARED)) if tools else None)
        return _figure(frame), frame[TABLE_COLUMNS].to_dict("records"), cases, summary, link

    @app.callback(Output("go", "href", allow_duplicate=True), Input("scorecard-cases", "active_cell"),
                  State("scorecard-cases", "derived_viewport_data"), prevent_initial_call=True)
    def open_case(cell: dict[str, Any] | None, rows: list[dict[str, Any]] | None) -> str:
        row = ui.clicked_row(cell, rows)
        if row is None:
            return no_update
        return ui.case_href(row["run_id"], row["case_id"])


def _golden_options(sets: list[dict[str, Any]]) -> list[dict[str, str]]:
    return [{"label": f"{s['label']}: {s['runs']} run(s)", "value": s["key"]} for s in sets]


def _filtered(golden: str | None, tools: list[str] | None, start: str | None, end: str | None) -> pd.DataFrame:
    if not golden:
        return pd.DataFrame()
    runs = ui.data().runs_on(golden)
    if tools:
        runs = runs[runs["tool"].isin(tools)]
    if start:
        runs = runs[runs["started"] >= _utc(start)]
    if end:
        runs = runs[runs["started"] < _utc(end) + pd.Timedelta(days=1)]
    return runs.drop_duplicates(["tool", "version"])


def _utc(day: str) -> datetime:
    return datetime.combine(date.fromisoformat(day[:10]), datetime.min.time(), tzinfo=timezone.utc)


def _rows(runs: pd.DataFrame) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    rows, cases = [], []
    for run in runs.itertuples():
        report = ui.data().report(run.run_id)
        side = ui.data().summary(run.run_id)
        for scorer, s in side.scorers.items():
            rows.append({"tool": run.tool, "version": run.version, "baseline": "baseline" if run.baseline else "",
                         "scorer": scorer, "pass_rate": ui.percent(s.pass_rate), "pass_ci": _ci(s.pass_ci, percent=True),
                         "mean": ui.number(s.mean), "mean_ci": _ci(s.mean_ci), "critical_findings": s.critical_findings,
                         "errors": run.errors, "cases": run.cases, "started": run.started.strftime("%Y-%m-%d %H:%M"),
                         "run_id": run.run_id, "pass_low": s.pass_ci[0], "pass_high": s.pass_ci[1],
                         "pass_value": s.pass_rate, "label": run.label})
        for case in report.report["cases"]:
            for scorer, score in (case.get("scores") or {}).items():
                if score.get("passed", True):
                    continue
                findings = score.get("findings") or []
                first = next((f for f in findings if f.get("severity") == "critical"), findings[0] if findings else None)
                cases.append({"tool": run.tool, "version": run.version, "case_id": case["case_id"], "scorer": scorer,
                              "score": ui.number(score.get("value")),
                              "critical": sum(f.get("severity") == "critical" for f in findings),
                              "first_finding": (first or {}).get("reason", ""), "run_id": run.run_id})
    return rows, sorted(cases, key=lambda c: -c["critical"])


def _ci(ci: tuple[float | None, float | None], percent: bool = False) -> str:
    low, high = ci
    if low is None or high is None:
        return "n/a"
    return f"{ui.percent(low)} to {ui.percent(high)}" if percent else f"{low:.3f} to {high:.3f}"


def _figure(frame: pd.DataFrame) -> go.Figure:
    figure = go.Figure()
    for scorer, group in frame.groupby("scorer", sort=False):
        values = group["pass_value"].astype(float)
        figure.add_bar(name=ui.label(scorer), x=[ui.label(v) for v in group["label"]], y=values,
                       error_y={"type": "data", "array": (group["pass_high"].astype(float) - values).tolist(),
                                "arrayminus": (values - group["pass_low"].astype(float)).tolist()},
                       customdata=group["run_id"], hovertemplate="%{x}<br>pass rate %{y:.0%}<extra>%{fullData.name}</extra>")
    figure.update_layout(barmode="group", yaxis={"title": "pass rate (share of cases passed)", "range": [0, 1.05],
                                                 "tickformat": ".0%"},
                         title="Pass rate per scorer, newest run of each tool (95% CI)", legend_title_text="scorer",
                         height=460)
    return figure
