"""The Dash dashboard: tracked runs and their scores, and the newest ROI appraisal, read through
`harness.tracking`.

Every value is rendered by Dash as text, so vendor names and case ids are escaped.
"""

from __future__ import annotations

from datetime import datetime

import dash
import pandas as pd
import plotly.express as px
from dash import dash_table, dcc, html

from harness.tracking import Tracker

from .roi_view import roi_section


def runs_frame(tracker: Tracker, limit: int = 200) -> pd.DataFrame:
    """One row per run and scorer: tool, golden set, mean with its 95% CI, pass rate, errors."""
    rows = []
    for run in tracker.list_runs(limit):
        for key, value in run.metrics.items():
            if not key.endswith(".mean"):
                continue
            scorer = key[: -len(".mean")]
            rows.append({
                "run_id": run.run_id, "started": datetime.fromtimestamp(run.start_time).strftime("%Y-%m-%d %H:%M"),
                "tool": run.params.get("target.name", "") + (" (baseline)" if run.params.get("target.baseline") == "True" else ""),
                "tool_version": run.params.get("target.version", ""), "golden_set": run.experiment, "scorer": scorer,
                "mean": round(value, 3), "ci_low": round(run.metrics.get(f"{scorer}.ci_low", float("nan")), 3),
                "ci_high": round(run.metrics.get(f"{scorer}.ci_high", float("nan")), 3),
                "pass_rate": round(run.metrics.get(f"{scorer}.pass_rate", float("nan")), 3),
                "errors": int(run.metrics.get("errors", 0)),
            })
    return pd.DataFrame(rows, columns=["run_id", "started", "tool", "tool_version", "golden_set", "scorer", "mean",
                                       "ci_low", "ci_high", "pass_rate", "errors"])


def create_app(tracker: Tracker | None = None) -> dash.Dash:
    """Build the app; the data is read once per page load."""
    tracker = tracker or Tracker()
    app = dash.Dash(__name__, title="assure")

    def layout() -> html.Div:
        frame = runs_frame(tracker)
        latest = frame.drop_duplicates(["tool", "golden_set", "scorer"]) if not frame.empty else frame
        figure = px.bar(latest, x="tool", y="mean", color="scorer", barmode="group", range_y=[0, 1],
                        error_y=latest["ci_high"] - latest["mean"] if not latest.empty else None,
                        error_y_minus=latest["mean"] - latest["ci_low"] if not latest.empty else None,
                        title="Latest run per tool: mean score (1 is best) with 95% CI")
        return html.Div([
            html.H1("assure: AI tools in adult social care"),
            html.P("Scores run from 0 to 1, 1 best. Baselines are marked (baseline)."),
            dcc.Graph(id="scores", figure=figure),
            html.H2("Runs"),
            dash_table.DataTable(id="runs", data=frame.to_dict("records"),
                                 columns=[{"name": c, "id": c} for c in frame.columns], sort_action="native", page_size=20),
            roi_section(tracker),
        ], style={"fontFamily": "system-ui, sans-serif", "margin": "2rem"})

    app.layout = layout
    return app
