"""Bias: does a tool treat people alike? The bias suite's counterfactual comparisons, run by run.

Per protected characteristic: the disparity the suite reports (the test with the strongest evidence:
other group minus reference group, mean paired difference in the measure's units) with its bootstrap
95% CI, the adjusted p-values (within the characteristic; family-wise, Holm across characteristics),
the minimum detectable effect and the verdict. A chart of every (group, measure) test with its CI and
the +/- minimum detectable effect. And one pair side by side: the two variants of the same scenario
where the difference was largest, with the sentences that differ.
"""

from __future__ import annotations

import math
from typing import Any

import dash
import pandas as pd
import plotly.graph_objects as go
from dash import Input, Output, State, dcc, html, no_update

from .. import bias_data, ui

PATH = "/bias"
NAME = "Bias"
MEANING = ("Each row asks whether the tool wrote differently about a person when only one thing about them changed (sex, "
           "religion, disability, ...), all the facts staying the same. The disparity is the average difference between "
           "the two versions of the same case (the named group minus the reference group), with its 95% range; an adjusted "
           "p below 0.05 means the difference is unlikely to be chance after allowing for every comparison made. The "
           "minimum detectable effect is the smallest difference this set could reliably spot: 'none detected' on a small "
           "set is not evidence that the tool is fair.")
FULL_SET_PAIRS = 30  # pairs per group in the bundled counterfactual set
TABLE_COLUMNS = ["characteristic", "verdict", "measure", "comparison", "disparity", "ci_95", "p_adjusted", "p_family_holm",
                 "mde", "mde_sd", "n_pairs", "tests", "flagged_tests", "dropped_pairs"]
HEADINGS = {"ci_95": "95% CI", "p_adjusted": "p adjusted (within characteristic)",
            "p_family_holm": "p family-wise (Holm across characteristics)", "mde": "minimum detectable effect",
            "mde_sd": "MDE in SD of differences", "n_pairs": "pairs", "flagged_tests": "tests flagged",
            "dropped_pairs": "pairs dropped (errored)"}
EMPTY = ("No bias run in this store yet. Make one with `assure run --suite bias --golden golden_sets/counterfactual "
         "--target YOUR_TOOL.yaml` (810 cases, about 4 minutes), or run `assure demo` for a small, low-power example.")


def layout(run: str | None = None, **_: Any) -> html.Div:
    data = ui.data()
    runs = bias_data.bias_runs(data)
    if runs.empty:
        return ui.page(NAME, MEANING, ui.notice(EMPTY, "bias-empty"), page_id="bias-page")
    chosen = run if run in set(runs["run_id"]) else runs["run_id"].iloc[0]
    row = runs[runs["run_id"] == chosen].iloc[0]
    section = bias_data.bias_section(data, chosen)
    selector = html.Label(["Bias run", dcc.Dropdown(id="bias-run", options=run_options(runs), value=chosen, clearable=False),
                           dcc.Store(id="bias-shown", data=chosen)], style={"width": "40rem", "display": "block"})
    if not section:
        return ui.page(NAME, MEANING, selector, ui.notice(
            "This run has no counterfactual pairs to compare: its golden set has no cases with scenario, characteristic "
            "and group metadata. Run the bias suite on golden_sets/counterfactual.", "bias-no-pairs"), page_id="bias-page")
    tests = bias_data.bias_tests(data, chosen)
    lead = lead_characteristic(section)
    measure = section[lead].get("metric") if lead else None
    measures = list(dict.fromkeys(tests["metric"])) if not tests.empty else []
    measure = measure if measure in measures else (measures[0] if measures else None)
    descriptions = dict(zip(tests["metric"], tests["description"])) if not tests.empty else {}
    power = low_power_sentence(section)
    return ui.page(NAME, MEANING, selector,
                   html.P(summary_sentence(row, section), id="bias-summary"),
                   *([ui.notice(power, "bias-power")] if power else []),
                   html.H2("Per characteristic: the reported test"),
                   _table(section),
                   html.Ul([html.Li(e["summary"]) for e in section.values() if e.get("summary")], id="bias-summaries"),
                   html.H2("Every group and measure"),
                   html.Label(["Measure", dcc.Dropdown(id="bias-measure", value=measure, clearable=False, options=[
                       {"label": f"{m}: {descriptions.get(m) or m}", "value": m} for m in measures])],
                       style={"width": "34rem", "display": "block"}),
                   ui.graph("bias-chart", bias_figure(tests, measure)),
                   html.H2("One pair side by side"),
                   html.Label(["Characteristic", dcc.Dropdown(id="bias-characteristic", value=lead, clearable=False, options=[
                       {"label": c.replace("_", " "), "value": c} for c in section])], style={"width": "20rem", "display": "block"}),
                   html.Div(pair_view(data.report(chosen).report, lead), id="bias-pair"),
                   page_id="bias-page")


def _table(section: dict[str, Any]) -> Any:
    table = ui.table("bias-table", pd.DataFrame(table_rows(section), columns=TABLE_COLUMNS), page_size=10,
                     style_data_conditional=[{"if": {"filter_query": '{verdict} = "disparity found"'},
                                              "backgroundColor": "#ffebe9", "fontWeight": "600"}])
    table.columns = [{"name": HEADINGS.get(c, c.replace("_", " ")), "id": c} for c in TABLE_COLUMNS]
    return table


def register_callbacks(app: dash.Dash) -> None:
    @app.callback(Output("go", "href", allow_duplicate=True), Input("bias-run", "value"), State("bias-shown", "data"),
                  prevent_initial_call=True)
    def open_run(run: str | None, shown: str | None) -> Any:
        return ui.href(PATH, run=run) if run and run != shown else no_update

    @app.callback(Output("bias-chart", "figure"), Input("bias-measure", "value"), State("bias-run", "value"),
                  prevent_initial_call=True)
    def show_measure(measure: str | None, run: str | None) -> Any:
        if not run:
            return no_update
        return bias_figure(bias_data.bias_tests(ui.data(), run), measure)

    @app.callback(Output("bias-pair", "children"), Input("bias-characteristic", "value"), State("bias-run", "value"),
                  prevent_initial_call=True)
    def show_pair(characteristic: str | None, run: str | None) -> Any:
        if not run:
            return no_update
        return pair_view(ui.data().report(run).report, characteristic)


# --- what the page shows, as pure functions of the report --------------------------------------------


def run_options(runs: pd.DataFrame) -> list[dict[str, str]]:
    return [{"label": f"{r.tool} v{r.version} on {r.golden_id} v{r.golden_version} ({r.cases} cases), "
                      f"{r.started:%Y-%m-%d %H:%M} UTC", "value": r.run_id} for r in runs.itertuples()]


def lead_characteristic(section: dict[str, Any]) -> str | None:
    """The characteristic to show first: flagged ones first, then by family-wise p, adjusted p, and largest |d_z|."""
    tested = [c for c, e in section.items() if e.get("metric") is not None]
    if not tested:
        return next(iter(section), None)

    def key(c: str) -> tuple[int, float, float, float]:
        e = section[c]
        return (0 if e.get("disparity_found") else 1, _or(e.get("p_family"), 2.0), _or(e.get("p_adjusted"), 2.0),
                -abs(_or(e.get("d_z"), 0.0)))
    return min(tested, key=key)


def summary_sentence(row: Any, section: dict[str, Any]) -> str:
    flagged = [c for c, e in section.items() if e.get("disparity_found")]
    alpha = next((e.get("alpha") for e in section.values() if e.get("alpha") is not None), 0.05)
    found = (f"disparity found for {', '.join(c.replace('_', ' ') for c in flagged)}" if flagged
             else "no disparity detected")
    return (f"{row.tool} v{row.version} on {row.golden_id} v{row.golden_version} ({row.cases} cases): "
            f"{len(section)} characteristic(s) tested, {found} (family-wise over the characteristics, alpha {alpha:g}).")


def low_power_sentence(section: dict[str, Any]) -> str | None:
    """A warning when the set has fewer pairs per group than the bundled counterfactual set."""
    pairs = [int(e.get("n_pairs") or 0) for e in section.values() if e.get("metric") is not None]
    if not pairs or max(pairs) >= FULL_SET_PAIRS:
        return None
    return (f"Low power: this golden set has only {max(pairs)} scenario pairs per group (the full counterfactual set has "
            f"{FULL_SET_PAIRS}), so only large differences can be detected; see the minimum detectable effect of each "
            "row. 'None detected' here says little about whether the tool is fair.")


def table_rows(section: dict[str, Any]) -> list[dict[str, Any]]:
    rows = []
    for characteristic, e in section.items():
        tested = e.get("metric") is not None
        rows.append({
            "characteristic": characteristic.replace("_", " "),
            "verdict": e.get("verdict", "") + (" (nothing testable: every pair scored alike)"
                                               if tested and not e.get("n_tests") else ""),
            "measure": e.get("metric") or "nothing compared",
            "comparison": f"{_group(e.get('group'))} vs {_group(e.get('reference_group'))}" if tested else "",
            "disparity": _signed(e.get("effect")),
            "ci_95": f"{_signed(e.get('ci_low'))} to {_signed(e.get('ci_high'))}" if e.get("ci_low") is not None else "n/a",
            "p_adjusted": _p(e.get("p_adjusted")), "p_family_holm": _p(e.get("p_family")),
            "mde": _mde(e.get("mde")), "mde_sd": _plain(e.get("mde_dz"), 2),
            "n_pairs": int(e.get("n_pairs") or 0), "tests": int(e.get("n_tests") or 0),
            "flagged_tests": len(e.get("flagged") or []),
            "dropped_pairs": f"{e.get('n_dropped', 0)} of {e.get('n_pairs_possible', 0)}",
        })
    return rows


def bias_figure(tests: pd.DataFrame, measure: str | None) -> go.Figure:
    """Each (characteristic, group) test on one measure: the disparity with its 95% CI, and +/- the minimum detectable effect."""
    if tests.empty or not measure:
        return ui.empty_figure("No tests to chart for this run.")
    these = tests[(tests["metric"] == measure) & (tests["n_pairs"] > 0)]
    these = these[pd.to_numeric(these["effect"], errors="coerce").notna()]
    if these.empty:
        return ui.empty_figure(f"No pairs have a value for {measure}.")
    figure = go.Figure()
    x = [ui.label(f"{c.replace('_', ' ')}: {_group(g)}") for c, g in zip(these["characteristic"], these["group"])]
    these = these.assign(x=x)
    for found, name, colour in ((True, "disparity found", "#cf222e"), (False, "none detected", "#57606a")):
        part = these[these["disparity_found"] == found]
        if part.empty:
            continue
        effect = part["effect"].astype(float)
        low = part["ci_low"].astype(float).fillna(effect)
        high = part["ci_high"].astype(float).fillna(effect)
        hover = [ui.label(f"{_group(g)} vs {_group(r)} ({c.replace('_', ' ')}), {n} pairs: {measure} {_signed(e)} "
                          f"(95% CI {_signed(lo)} to {_signed(hi)}), adjusted p {_p(p)}")
                 for c, g, r, n, e, lo, hi, p in zip(part["characteristic"], part["group"], part["reference_group"],
                                                     part["n_pairs"], effect, low, high, part["p_adjusted"])]
        figure.add_scatter(x=list(part["x"]), y=effect.tolist(), mode="markers", name=name,
                           marker={"size": 11, "color": colour},
                           error_y={"type": "data", "array": (high - effect).tolist(), "arrayminus": (effect - low).tolist(),
                                    "color": colour},
                           hovertext=hover, hovertemplate="%{hovertext}<extra></extra>")
    mde = these["mde"].astype(float)
    if mde.notna().any():
        figure.add_scatter(x=list(these["x"]) * 2, y=mde.tolist() + (-mde).tolist(), mode="markers",
                           name="+/- minimum detectable effect", marker={"symbol": "line-ew", "size": 22, "color": "#8c959f",
                                                                          "line": {"width": 2, "color": "#8c959f"}},
                           hovertemplate="smallest difference this set could detect: %{y:.3g}<extra></extra>")
    description = next((d for d in these["description"] if d), "")
    figure.add_hline(y=0, line={"color": "#444", "width": 1})
    figure.update_layout(title=ui.label(f"{measure}: named group minus reference group, mean paired difference (95% CI)"),
                         yaxis={"title": ui.label(f"difference in {description or measure}")},
                         xaxis={"title": "characteristic: group (each against its reference group)"},
                         legend_title_text="verdict", height=460)
    return figure


def pair_view(report: dict[str, Any], characteristic: str | None) -> Any:
    """The example pair of one characteristic: the two variants' outputs side by side (ids bias-pair-a, bias-pair-b)."""
    entry = (report.get("bias") or {}).get(characteristic or "") or {}
    example = entry.get("example")
    if not example:
        return ui.notice("No pair to show for this characteristic (nothing could be compared).", "bias-pair-none")
    outputs = {c["case_id"]: c.get("output") or c.get("error") or "" for c in report.get("cases", [])}
    run_id = report.get("run_id", "")
    terms = example.get("terms") or {}
    facts = example.get("facts_differing") or []
    side = {"reference": ("bias-pair-a", "A", entry.get("reference_group"), "reference group"),
            "other": ("bias-pair-b", "B", entry.get("group"), "compared group")}
    columns = []
    for which, (element_id, letter, group, role) in side.items():
        case_id = example.get(f"{which}_case", "")
        span = example.get(f"{which}_span") or "(no sentence only in this output)"
        children: list[Any] = [
            html.H3(f"{letter}: {_group(group)} ({role})"),
            html.P(["Case ", dcc.Link(case_id, href=ui.case_href(run_id, case_id)), f"; {example.get('metric')} = "
                    f"{_plain(example.get(f'{which}_value'))}"]),
            html.P("Sentences only in this output:", style={"fontWeight": "600", "marginBottom": "0.2rem"}),
            html.Blockquote(span, className="bias-span", style={"whiteSpace": "pre-wrap", "margin": "0 0 0.6rem 0",
                                                               "borderLeft": "4px solid #ccc", "paddingLeft": "0.6rem"}),
        ]
        if which in terms:
            children.append(html.P(f"Stigmatising terms: {', '.join(terms[which]) or 'none'}"))
        if facts:
            children.append(html.Ul([html.Li(f"{f.get('id')} ({f.get('category')}): {f.get(f'{which}_status')}") for f in facts]))
        children.append(html.Details([html.Summary("The whole output"),
                                      html.Pre(outputs.get(case_id, ""), style={"whiteSpace": "pre-wrap"})]))
        columns.append(html.Div(children, id=element_id, className="bias-pair-side",
                                style={"flex": "1 1 0", "minWidth": "18rem", "border": "1px solid #ddd",
                                       "padding": "0.6rem 1rem", "borderRadius": "6px"}))
    return html.Div([
        html.P(f"Scenario {example.get('scenario')}: the same facts about two people, the pair where "
               f"{example.get('metric')} differed most in the direction of the reported disparity. Shown: "
               f"{example.get('note', '')}.", id="bias-pair-note"),
        html.Div(columns, style={"display": "flex", "gap": "1rem", "flexWrap": "wrap"}),
    ])


def _mde(value: Any) -> str:
    text = _plain(value)
    return "0 (every pair scored the same)" if text == "0" else text


def _group(name: Any) -> str:
    return str(name or "").replace("_", " ")


def _or(value: Any, default: float) -> float:
    try:
        number = float(value)
    except (TypeError, ValueError):
        return default
    return number if math.isfinite(number) else default


def _signed(value: Any) -> str:
    number = _or(value, math.nan)
    return "n/a" if math.isnan(number) else f"{number:+.3g}"


def _plain(value: Any, digits: int = 3) -> str:
    number = _or(value, math.nan)
    return "n/a" if math.isnan(number) else f"{number:.{digits}g}"


def _p(value: Any) -> str:
    number = _or(value, math.nan)
    if math.isnan(number):
        return "n/a"
    return "< 0.001" if number < 0.001 else f"{number:.3g}"
