"""ROI: the newest appraisal (`assure roi`, MLflow experiment `roi`), council by council and tool by tool.

Query string: `council=NAME` and/or `tool=NAME` filter the page (a link can be shared). Sections: the
figures per submission (net hours, ROI, payback, NPV with its Monte Carlo interval, wellbeing change
with its 95% CI); a tornado chart of the sensitivities and switching values of one submission; the
region's standardised measures with their quartiles; links to each tool's Scorecard. Council and
tool names are user text: tables show them as plain text and figures get them escaped (`ui.label`).
"""

from __future__ import annotations

from typing import Any

import dash
import pandas as pd
import plotly.graph_objects as go
from dash import Input, Output, State, dcc, html
from plotly.subplots import make_subplots

from .. import roi_data, ui

PATH = "/roi"
NAME = "ROI"
MEANING = ("What each council's AI tool gives back for what it costs: staff time freed after checking the AI's work, "
           "money in today's terms under the HM Treasury Green Book, and staff wellbeing, with how sure each figure is.")
TABLE_MEANING = ("Net hours: staff time freed per person per week, after checking and correcting the AI's output. ROI: "
                 "what comes back for each £1 spent over the appraisal (100% means £2 back for every £1; below 0% it "
                 "costs more than it saves). Payback: months until the set-up cost is repaid (blank: never). NPV: the "
                 "total value in today's money; the 95% interval is where it falls in 95 of 100 simulated pilots. "
                 "Wellbeing change: the average change in staff SWEMWBS score (7 to 35); a CI that spans 0 means no "
                 "clear change.")
TORNADO_MEANING = ("Each bar shows how far the NPV moves when one input is 20% lower or higher than measured (checking "
                   "time: 5 more minutes a task); the longest bars matter most. 'NPV £0 at' is the switching value: the "
                   "value of that input at which the tool stops paying for itself.")
STANDARDISED_MEANING = ("These measures compare councils of different sizes like for like (per user, per 100 tasks, per "
                        "£ spent). Q1 is the best quarter of the region and Q4 the lowest; the dashed line is the "
                        "region's median and the dotted lines its quartiles.")
EMPTY = ("No ROI appraisal in this store yet: run `assure roi roi/submissions/` (or your own submission files), or "
         "`assure demo` for the synthetic example.")
CHART_MEASURES = ("net_hours_per_user_per_week", "hours_saved_per_100_tasks", "benefit_per_pound_gbp")
CHOSEN_COLOUR, OTHER_COLOUR = "#1f77b4", "#c9d3dd"


def layout(council: str | None = None, tool: str | None = None, **_: Any) -> html.Div:
    report = ui.data().roi_report()
    if report is None:
        return ui.page(NAME, MEANING, ui.notice(EMPTY, "roi-empty"), page_id="roi-page")
    councils = sorted({c["council"] for c in report["councils"]})
    tools = sorted({c["tool"]["name"] for c in report["councils"]})
    unknown = []
    if council and council not in councils:
        unknown.append(f"a council ({council}) that is not")
    if tool and tool not in tools:
        unknown.append(f"a tool ({tool}) that is not")
    council = council if council in councils else None
    tool = tool if tool in tools else None
    view = _view(report, council, tool)
    return ui.page(NAME, MEANING, html.Div([
        html.Label(["Council", dcc.Dropdown(id="roi-council", options=_options(councils), value=council,
                                            placeholder="every council", clearable=True)], style={"width": "20rem"}),
        html.Label(["Tool", dcc.Dropdown(id="roi-tool", options=_options(tools), value=tool, placeholder="every tool",
                                         clearable=True)], style={"width": "20rem"}),
    ], style={"display": "flex", "gap": "1rem", "flexWrap": "wrap", "alignItems": "end"}),
        *([ui.notice("This link names " + " and ".join(unknown) + " in the newest appraisal, so that filter is off.",
                     "roi-filter-notice")] if unknown else []),
        html.P(view["summary"], id="roi-summary"),
        html.H2("Return per council and tool"),
        html.P(TABLE_MEANING, className="meaning"),
        ui.table("roi-table", view["table"]),
        html.Div(view["links"], id="roi-scorecard-links"),
        html.H2("What would change the answer (sensitivity and switching values)"),
        html.P(TORNADO_MEANING, className="meaning"),
        html.Label(["Submission", dcc.Dropdown(id="roi-submission", options=view["submissions"], value=view["submission"],
                                               clearable=False)], style={"width": "32rem", "display": "block"}),
        html.P(view["tornado_note"], id="roi-tornado-note"),
        ui.graph("roi-tornado", view["tornado"]),
        ui.table("roi-sensitivity", view["sensitivity"], page_size=12),
        html.H2("Standardised across the region"),
        html.P(STANDARDISED_MEANING, className="meaning"),
        ui.graph("roi-standardised", view["standardised"]),
        ui.table("roi-standardised-table", view["standardised_table"], page_size=16),
        page_id="roi-page")


def register_callbacks(app: dash.Dash) -> None:
    @app.callback(Output("roi-table", "data"), Output("roi-summary", "children"), Output("roi-scorecard-links", "children"),
                  Output("roi-submission", "options"), Output("roi-submission", "value"),
                  Output("roi-standardised", "figure"), Output("roi-standardised-table", "data"),
                  Input("roi-council", "value"), Input("roi-tool", "value"), State("roi-submission", "value"),
                  prevent_initial_call=True)
    def choose(council: str | None, tool: str | None, current: int | None) -> tuple[Any, ...]:
        report = ui.data().roi_report()
        if report is None:
            return [], EMPTY, [], [], None, ui.empty_figure(EMPTY), []
        view = _view(report, council, tool, current)
        return (view["table"].to_dict("records"), view["summary"], view["links"], view["submissions"], view["submission"],
                view["standardised"], view["standardised_table"].to_dict("records"))

    @app.callback(Output("roi-tornado", "figure"), Output("roi-sensitivity", "data"), Output("roi-tornado-note", "children"),
                  Input("roi-submission", "value"), prevent_initial_call=True)
    def choose_submission(index: int | None) -> tuple[Any, ...]:
        report = ui.data().roi_report()
        if report is None:
            return ui.empty_figure(EMPTY), [], EMPTY
        figure, rows, note = _tornado(report, index)
        return figure, rows.to_dict("records"), note


# --- the page's parts ---------------------------------------------------------------------------

def _view(report: dict[str, Any], council: str | None, tool: str | None, current: int | None = None) -> dict[str, Any]:
    indexes = roi_data.chosen(report, council, tool)
    submissions = [{"label": roi_data.submission_label(report["councils"][i]), "value": i} for i in indexes]
    submission = current if current in indexes else (indexes[0] if indexes else None)
    tornado, sensitivity, note = _tornado(report, submission)
    return {"table": roi_data.councils_frame(report, indexes), "summary": _summary(report, indexes, council, tool),
            "links": _scorecard_links(report, indexes), "submissions": submissions, "submission": submission,
            "tornado": tornado, "sensitivity": sensitivity, "tornado_note": note,
            "standardised": standardised_figure(report, indexes),
            "standardised_table": roi_data.standardised_frame(report, indexes)}


def _options(values: list[str]) -> list[dict[str, str]]:
    return [{"label": v, "value": v} for v in values]


def _summary(report: dict[str, Any], indexes: list[int], council: str | None, tool: str | None) -> str:
    if not indexes:
        return f"No submission in the newest appraisal is from {council} using {tool}."
    region, method = report["region"], report["method"]
    totals = region["totals"]
    synthetic = " These are synthetic demonstration submissions from fictional councils." \
        if all(c.get("synthetic") for c in report["councils"]) else ""
    return (f"Showing {len(indexes)} of {region['submissions']} submissions from {region['councils']} councils. The region "
            f"releases {totals['annual_hours_released']:,.0f} staff hours ({totals['fte_released']:,.1f} full-time posts) a "
            f"year, NPV £{totals['npv_gbp']:,.0f}, positive in {region['npv_positive']} of {region['submissions']} "
            f"({str(method['green_book']).split(':')[0]}; intervals from {method['monte_carlo_draws']:,} Monte Carlo "
            f"draws; NPV, ROI and payback carry the optimism-bias adjustment).{synthetic}")


def _scorecard_links(report: dict[str, Any], indexes: list[int]) -> list[Any]:
    """For each tool shown: a link to its Scorecard on every golden set it was scored on, or how to score it."""
    runs = ui.data().runs()
    items = []
    tools = dict.fromkeys((report["councils"][i]["tool"]["name"], str(report["councils"][i]["tool"]["version"])) for i in indexes)
    for name, version in tools:
        own = runs[(runs["tool"] == name) & (runs["version"] == version)] if not runs.empty else runs
        sets = list(dict.fromkeys(own["golden_set"])) if not own.empty else []
        if sets:
            links: list[Any] = []
            for key in sets:
                links += [" ", dcc.Link(f"Scorecard on {key.split('#')[0]}", href=ui.href("/scorecard", golden=key),
                                        className="scorecard-link")]
            items.append(html.Li([f"{name} {version}: how well it did on the test cases:", *links]))
        else:
            items.append(html.Li(f"{name} {version}: no evaluation run in this store, so its errors are not measured yet; "
                                 f"score it with `assure run --golden SET --target TARGET.yaml` (name {name}, version {version})."))
    if not items:
        return []
    return [html.P(["Assurance of these tools (their errors, case by case). ",
                    dcc.Link("Value against risk for every tool", href="/value", id="roi-value-link")]),
            html.Ul(items)]


def _tornado(report: dict[str, Any], index: int | None) -> tuple[go.Figure, pd.DataFrame, str]:
    empty = pd.DataFrame(columns=roi_data.SENSITIVITY_COLUMNS)
    if index is None or not 0 <= int(index) < len(report["councils"]):
        sentence = "No submission chosen."
        return ui.empty_figure(sentence), empty, sentence
    council = report["councils"][int(index)]
    rows, note = roi_data.sensitivity_rows(council, report["method"])
    if not rows:
        return ui.empty_figure(note or "No sensitivity table."), empty, note or ""
    frame = pd.DataFrame([{**{k: r.get(k) for k in roi_data.SENSITIVITY_COLUMNS},
                           "input": roi_data.INPUT_LABELS.get(r["input"], r["input"])} for r in rows],
                         columns=roi_data.SENSITIVITY_COLUMNS)
    for column in ("base", "low", "high", "switching_value"):
        frame[column] = [_sig(v) for v in frame[column]]
    for column in ("npv_low_gbp", "npv_high_gbp", "switching_change_percent"):
        frame[column] = [None if v is None or pd.isna(v) else round(float(v), 0) for v in frame[column]]
    npv = council["npv_gbp"]
    turns = "negative" if npv > 0 else "positive"
    sentence = (f"{council['council']}: NPV {_gbp(npv)}; it turns {turns} where an input reaches its switching value. "
                + (note or ""))
    return tornado_figure(council, rows), frame, sentence.strip()


def tornado_figure(council: dict[str, Any], rows: list[dict[str, Any]]) -> go.Figure:
    """Horizontal bars from the NPV of the appraisal to the NPV with each input lower and higher, widest at the top."""
    shown = [r for r in rows if r.get("npv_low_gbp") is not None or r.get("npv_high_gbp") is not None]
    if not shown:
        return ui.empty_figure("No input of this submission can be moved.")
    base = float(shown[0]["npv_base_gbp"])

    def swing(r: dict[str, Any]) -> float:
        values = [v for v in (r.get("npv_low_gbp"), r.get("npv_high_gbp")) if v is not None]
        return max(abs(float(v) - base) for v in values)

    shown.sort(key=swing)  # plotly draws the first category at the bottom
    turns = "negative" if base > 0 else "positive"
    ticks = [_tick(r, turns) for r in shown]
    figure = go.Figure()
    for key, name, colour in (("low", "input 20% lower", "#1f77b4"), ("high", "input 20% higher (checking: +5 min)", "#ff7f0e")):
        deltas = [None if r.get(f"npv_{key}_gbp") is None else float(r[f"npv_{key}_gbp"]) - base for r in shown]
        hover = [("" if r.get(f"npv_{key}_gbp") is None else
                  f"{ui.label(roi_data.INPUT_LABELS.get(r['input'], r['input']))} at {_fmt(r['input'], r.get(key))}: "
                  f"NPV {_gbp(r[f'npv_{key}_gbp'])}") for r in shown]
        figure.add_bar(y=ticks, x=deltas, base=base, orientation="h", name=name, marker_color=colour, hovertext=hover,
                       hoverinfo="text")
    figure.add_vline(x=base, line_color="black", annotation_text=f"this appraisal: {_gbp(base)}", annotation_position="top")
    figure.add_vline(x=0, line_dash="dash", line_color="grey", annotation_text="NPV £0", annotation_position="top")
    figure.update_layout(barmode="overlay", title=f"What moves the NPV of {ui.label(roi_data.submission_label(council))}",
                         xaxis={"title": "net present value (£, today's money)", "tickprefix": "£", "separatethousands": True},
                         yaxis={"automargin": True}, legend={"orientation": "h", "y": -0.2}, height=120 + 48 * len(shown))
    return figure


def standardised_figure(report: dict[str, Any], chosen: list[int] | None = None) -> go.Figure:
    """Bars per submission for three standardised measures (the chosen ones coloured), with the region's Q1,
    median and Q3 lines and each bar's quartile (Q1 = the best quarter)."""
    region = report["region"]["measures"]
    councils = report["councils"]
    chosen_set = set(range(len(councils)) if chosen is None else chosen)
    repeated = {c["council"] for c in councils if sum(o["council"] == c["council"] for o in councils) > 1}
    names = [ui.label(f"{c['council']}: {c['tool']['name']}" if c["council"] in repeated else c["council"]) for c in councils]
    colours = [CHOSEN_COLOUR if i in chosen_set else OTHER_COLOUR for i in range(len(councils))]
    figure = make_subplots(rows=1, cols=len(CHART_MEASURES), subplot_titles=[region[m]["label"] for m in CHART_MEASURES])
    for col, measure in enumerate(CHART_MEASURES, start=1):
        values = [c["standardised"][measure]["value"] for c in councils]
        quartiles = [c["standardised"][measure]["quartile"] for c in councils]
        figure.add_trace(go.Bar(x=names, y=values, name=measure, showlegend=False, marker_color=colours,
                                text=[f"Q{q}" if q else "" for q in quartiles], textposition="outside",
                                hovertemplate="%{x}<br>%{y:.2f}<br>%{text}<extra></extra>"), row=1, col=col)
        summary = region[measure]
        for key, dash_style in (("q1", "dot"), ("median", "dash"), ("q3", "dot")):
            if summary[key] is not None:
                figure.add_hline(y=summary[key], line_dash=dash_style, line_color="#555", row=1, col=col)
    for name, dash_style in (("region median", "dash"), ("region quartiles (Q1 and Q3 boundaries)", "dot")):
        figure.add_scatter(x=[None], y=[None], mode="lines", name=name, line={"color": "#555", "dash": dash_style})
    figure.update_layout(title="Standardised across councils (Q1 = the best quarter of the region)", height=540,
                         margin={"b": 170}, legend={"orientation": "h", "y": -0.55, "x": 0})
    return figure


def _tick(r: dict[str, Any], turns: str) -> str:
    name = ui.label(roi_data.INPUT_LABELS.get(r["input"], r["input"]))
    switch = r.get("switching_value")
    if switch is None:
        return f"{name}<br>no value of it turns NPV {turns}"
    change = r.get("switching_change_percent")
    return f"{name}<br>NPV £0 at {_fmt(r['input'], switch)}" + ("" if change is None else f" ({change:+.0f}%)")


def _fmt(name: str, value: Any) -> str:
    if value is None:
        return "n/a"
    value = float(value)
    if name in ("discount_rate", "one_off_cost_uplift"):
        return f"{100 * value:.1f}%"
    if name.endswith("_gbp"):
        return _gbp(value)
    return f"{value:,.3g}" if abs(value) < 1000 else f"{value:,.0f}"


def _gbp(value: Any) -> str:
    value = float(value)
    return f"-£{-value:,.0f}" if value < 0 else f"£{value:,.0f}"


def _sig(value: Any) -> float | None:
    if value is None or pd.isna(value):
        return None
    return float(f"{float(value):.4g}")
