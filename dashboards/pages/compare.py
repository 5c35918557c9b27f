"""Compare: two or more runs on one golden-set version, with the paired statistics of `harness.compare`.

Only runs scored on the same golden-set version (the same content hash) can be chosen, so the cases are
the same and every number is paired. Shown: each run's mean and pass rate per scorer with 95% CIs; for
each pair (A, B) and scorer the paired difference mean(B) - mean(A) with its bootstrap CI, sign-flip p
and Holm-adjusted p, and McNemar on the pass rates; the significant differences as sentences (from
`harness.sentences`, as the procurement pack and `assure compare` state them); critical findings per
run; a chart of the paired differences (click a point to open the case that dropped most for that
scorer); the cases that got worse (click a row to open it in run B); and the procurement pack
(`harness.pack.procurement_pack`, the same file `assure compare --html` writes) as a download.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

import dash
import pandas as pd
import plotly.graph_objects as go
from dash import Input, Output, State, dcc, html, no_update

from harness.compare import Comparison
from harness.errors import InputError
from harness.pack import procurement_pack
from harness.sentences import no_difference_statement, p_text, pair_title, significant_statements

from .. import ui

PATH = "/compare"
DEFAULT_TOOLS = 3  # tool versions shown beside the baseline when a link names no runs
MAX_RUN_OPTIONS = 50  # runs offered in the selector: the chosen ones and the newest
MAX_RUNS = 8  # runs compared at once: every pair is compared, so the page grows with the square
NAME = "Compare"
MEANING = ("Each difference is tool B's average score minus tool A's on the same cases (above 0: B did better; scores "
           "run from 0 to 1). The 95% interval is the range the true difference probably lies in. p is the chance of a "
           "difference at least this large if the tools were really equally good; because many differences are tested "
           "at once, p is adjusted (Holm) and a difference is called significant only when the adjusted p is below 0.05.")
SCORE_COLUMNS = ["tool", "version", "scorer", "mean", "mean_ci", "pass_rate", "passed", "pass_ci", "critical_findings",
                 "run_id"]
PAIR_COLUMNS = ["pair", "scorer", "cases", "difference", "difference_ci", "p", "p_holm", "passed_only_by_a",
                "passed_only_by_b", "mcnemar_p", "mcnemar_p_holm", "critical_a", "critical_b", "significant"]
TOPIC_COLUMNS = ["pair", "scorer", "topic", "cases_a", "cases_b", "cases", "p_holm", "significant"]
WORSE_COLUMNS = ["pair", "case_id", "scorer", "change", "score_a", "score_b", "new_findings", "worst_new_finding", "run_b"]


def layout(golden: str | None = None, runs: str | None = None, **_: Any) -> html.Div:
    data = ui.data()
    sets = data.golden_sets()
    if not sets:
        return ui.page(NAME, MEANING, ui.notice("No evaluation runs in this store yet, so there is nothing to compare: run "
                                                 "`assure demo`, or `assure run` for two tools on one golden set.",
                                                 "compare-empty"), page_id="compare-page")
    asked = _ids(runs)
    keys = [s["key"] for s in sets]
    if golden not in keys:
        listed = data.runs()
        first = listed[listed["run_id"].isin(asked)]
        golden = first["golden_set"].iloc[0] if not first.empty else keys[0]
    on_set = data.runs_on(golden)
    chosen = [r for r in asked if r in set(on_set["run_id"])] if asked else _default_runs(golden)
    left_out = [r for r in asked if r not in chosen]
    chosen = chosen[:MAX_RUNS]
    return ui.page(NAME, MEANING, html.Div([
        html.Label(["Golden set version", dcc.Dropdown(id="compare-golden", options=_golden_options(sets), value=golden,
                                                       clearable=False)], style={"width": "28rem"}),
        html.Label(["Runs on this version (two to eight)", dcc.Dropdown(id="compare-runs", options=_run_options(golden, chosen),
                                                                       value=chosen, multi=True)],
                   style={"flex": "1", "minWidth": "28rem"}),
    ], style={"display": "flex", "gap": "1rem", "flexWrap": "wrap", "alignItems": "end"}),
        html.Div([
            html.Button("Download the procurement pack (HTML)", id="compare-pack", n_clicks=0, disabled=len(chosen) < 2),
            dcc.Download(id="compare-pack-download"),
            dcc.Link("Link to this comparison", id="compare-link", href=ui.href(PATH, golden=golden, runs=",".join(chosen)),
                     style={"marginLeft": "1.5rem"}),
        ], style={"margin": "0.8rem 0"}),
        html.Div(_results(golden, chosen, left_out), id="compare-results"),
        page_id="compare-page")


def register_callbacks(app: dash.Dash) -> None:
    @app.callback(Output("compare-runs", "options"), Output("compare-runs", "value"), Input("compare-golden", "value"),
                  prevent_initial_call=True)
    def choose_golden(golden: str | None) -> tuple[list[dict[str, str]], list[str]]:
        if not golden:
            return [], []
        chosen = _default_runs(golden)
        return _run_options(golden, chosen), chosen

    @app.callback(Output("compare-results", "children"), Output("compare-link", "href"), Output("compare-pack", "disabled"),
                  Input("compare-golden", "value"), Input("compare-runs", "value"), prevent_initial_call=True)
    def show(golden: str | None, runs: list[str] | None) -> tuple[Any, str, bool]:
        chosen, left_out = _on_set(golden, runs)
        return _results(golden, chosen, left_out), ui.href(PATH, golden=golden, runs=",".join(chosen)), len(chosen) < 2

    @app.callback(Output("compare-pack-download", "data"), Input("compare-pack", "n_clicks"),
                  State("compare-golden", "value"), State("compare-runs", "value"), prevent_initial_call=True)
    def download(clicks: int | None, golden: str | None, runs: list[str] | None) -> Any:
        chosen, _ = _on_set(golden, runs)
        if not clicks or len(chosen) < 2:
            return no_update
        name, content = pack(chosen)
        return dcc.send_string(content, name, type="text/html")

    @app.callback(Output("go", "href", allow_duplicate=True), Input("compare-worse", "active_cell"),
                  State("compare-worse", "derived_viewport_data"), prevent_initial_call=True)
    def open_worse(cell: dict[str, Any] | None, rows: list[dict[str, Any]] | None) -> str:
        row = ui.clicked_row(cell, rows)
        if row is None:
            return no_update
        return ui.case_href(row["run_b"], row["case_id"])

    @app.callback(Output("go", "href", allow_duplicate=True), Input("compare-chart", "clickData"), prevent_initial_call=True)
    def open_worst(click: dict[str, Any] | None) -> str:
        points = (click or {}).get("points") or []
        target = points[0].get("customdata") if points else None
        return target if isinstance(target, str) and target.startswith("/case?") else no_update


def pack(run_ids: list[str]) -> tuple[str, str]:
    """The procurement pack of these runs (file name, HTML), built as `assure compare --html` builds it."""
    data = ui.data()
    comparison = data.comparison(run_ids)
    html_text = procurement_pack(comparison, [data.report(r) for r in run_ids])
    g = comparison.golden_set
    stem = re.sub(r"[^A-Za-z0-9._-]+", "-", f"procurement-pack-{g.get('id')}-v{g.get('version')}").strip("-")
    return f"{stem}.html", html_text


# --- selection ------------------------------------------------------------------------------------


def _ids(runs: str | list[str] | None) -> list[str]:
    items = runs.split(",") if isinstance(runs, str) else list(runs or [])
    return list(dict.fromkeys(i.strip() for i in items if i and i.strip()))


def _on_set(golden: str | None, runs: list[str] | None) -> tuple[list[str], list[str]]:
    """The chosen runs that are on this golden-set version (in the order chosen), and those left out."""
    asked = _ids(runs)
    if not golden:
        return [], asked
    on_set = set(ui.data().runs_on(golden)["run_id"])
    return [r for r in asked if r in on_set][:MAX_RUNS], [r for r in asked if r not in on_set]


def _default_runs(golden: str) -> list[str]:
    """The newest baseline run, then the newest runs of the `DEFAULT_TOOLS` most recently run tool versions
    (so each vendor is B against the baseline, and a store of hundreds of runs opens on a readable page)."""
    latest = ui.data().latest_per_tool(golden)
    baseline, tools = latest[latest["baseline"]].head(1), latest[~latest["baseline"]].head(DEFAULT_TOOLS)
    return list(pd.concat([baseline, tools])["run_id"])


def _golden_options(sets: list[dict[str, Any]]) -> list[dict[str, str]]:
    return [{"label": f"{s['label']}: {s['runs']} run(s)", "value": s["key"]} for s in sets]


def _run_options(golden: str, chosen: Sequence[str] = ()) -> list[dict[str, str]]:
    """The chosen runs and the newest `MAX_RUN_OPTIONS` on the set (a long list makes the selector slow to open)."""
    runs = ui.data().runs_on(golden)
    shown = pd.concat([runs[runs["run_id"].isin(list(chosen))], runs.head(MAX_RUN_OPTIONS)]).drop_duplicates("run_id")
    return [{"label": f"{r.label}, {r.started:%Y-%m-%d %H:%M} ({r.run_id[:8]})", "value": r.run_id}
            for r in shown.itertuples()]


# --- results --------------------------------------------------------------------------------------


def _results(golden: str | None, chosen: list[str], left_out: list[str]) -> list[Any]:
    notes = []
    if left_out:
        notes.append(ui.notice(f"{len(left_out)} run(s) in the link are not on this golden-set version and were left "
                               f"out, so that sets are never mixed: {', '.join(left_out)}.", "compare-left-out"))
    if len(chosen) < 2:
        on_set = len(ui.data().runs_on(golden)) if golden else 0
        sentence = ("Choose at least two runs on this golden-set version to compare them." if on_set >= 2 else
                    f"This golden-set version has {on_set} run(s): run another tool on it (`assure run`) to compare.")
        return [*notes, ui.notice(sentence, "compare-empty")]
    try:
        comparison = ui.data().comparison(chosen)
    except InputError as exc:
        return [*notes, ui.notice(f"These runs cannot be compared: {exc}", "compare-error")]
    statements = significant_statements(comparison)
    g = comparison.golden_set
    return [
        *notes,
        html.P(f"{len(comparison.runs)} runs on {g.get('id')} v{g.get('version')} (content hash {str(g.get('hash'))[:12]}), "
               f"paired on the {comparison.shared_cases} cases every run scored; A is the earlier run of each pair in "
               "the order chosen, B the later.", id="compare-summary"),
        html.H2("Significant differences, in plain English"),
        html.Ul([html.Li(s) for s in statements], id="compare-sentences") if statements
        else html.P(no_difference_statement(comparison), id="compare-sentences"),
        html.P(f"Correction for multiple comparisons: {comparison.correction}. A difference is stated only when its "
               f"Holm-adjusted p-value is below {comparison.alpha:g}.", id="compare-holm", className="meaning"),
        html.H2("Each run, scorer by scorer"),
        html.P("Mean: the average score over the cases scored (0 to 1, 1 best), with a bootstrap 95% interval. Pass "
               "rate: the share of cases passed, with a Wilson 95% interval. A critical finding fails its case."),
        ui.table("compare-scores", _scores_frame(comparison), columns=SCORE_COLUMNS),
        html.H2("Paired differences, pair by pair"),
        html.P("difference = mean(B) - mean(A) on the cases both scored, with a paired bootstrap 95% interval and a "
               "sign-flip p; pass rates by McNemar's exact test on the cases only one of the two passed. Click a point "
               "to open the case whose score dropped most for that scorer."),
        ui.graph("compare-chart", _figure(comparison)),
        ui.table("compare-pairs", _pairs_frame(comparison), columns=PAIR_COLUMNS),
        html.H2("Findings by topic"),
        html.P("Cases with at least one major or critical finding of each topic, in A and in B (McNemar, Holm across "
               "the topics of each pair)."),
        ui.table("compare-topics", _topics_frame(comparison), columns=TOPIC_COLUMNS, page_size=10),
        html.H2("Critical findings per run"),
        ui.table("compare-critical", _critical_frame(comparison)),
        html.H2("Cases that got worse (click a row to open the case in run B)"),
        ui.table("compare-worse", _worse_frame(comparison), columns=WORSE_COLUMNS, page_size=15),
    ]


def _run_name(comparison: Comparison, run_id: str) -> str:
    side = comparison.side(run_id)
    return versioned(side.label, side.version)


def versioned(label: str, version: str) -> str:
    """'textrank v1.0', but 'vendor seed-7' for a version that is not a number."""
    version = str(version)
    return f"{label} v{version}" if version[:1].isdigit() else f"{label} {version}"


def _pair_name(comparison: Comparison, pair: Any) -> str:
    return f"B {_run_name(comparison, pair.run_b)} against A {_run_name(comparison, pair.run_a)}"


def _scores_frame(comparison: Comparison) -> pd.DataFrame:
    rows = []
    for scorer in comparison.scorers:
        for side in comparison.runs:
            s = side.scorers.get(scorer)
            if s is None:
                continue
            passed = round((s.pass_rate or 0) * s.n_scored)
            rows.append({"tool": side.label, "version": side.version, "scorer": scorer, "mean": ui.number(s.mean),
                         "mean_ci": _ci(s.mean_ci), "pass_rate": ui.percent(s.pass_rate),
                         "passed": f"{passed} of {s.n_scored}", "pass_ci": _ci(s.pass_ci, percent=True),
                         "critical_findings": s.critical_findings, "run_id": side.run_id})
    return pd.DataFrame(rows, columns=SCORE_COLUMNS)


def _pairs_frame(comparison: Comparison) -> pd.DataFrame:
    rows = []
    for pair in comparison.pairs:
        for d in pair.scorers:
            significant = [w for w, p in (("mean", d.p_holm), ("pass rate", d.mcnemar_p_holm))
                           if p is not None and p < comparison.alpha and (w != "mean" or d.difference)]
            rows.append({"pair": _pair_name(comparison, pair), "scorer": d.scorer, "cases": d.n_shared,
                         "difference": _signed(d.difference), "difference_ci": _ci(d.ci, signed=True),
                         "p": _p(d.p_value), "p_holm": _p(d.p_holm), "passed_only_by_a": d.only_a_passed,
                         "passed_only_by_b": d.only_b_passed, "mcnemar_p": _p(d.mcnemar_p),
                         "mcnemar_p_holm": _p(d.mcnemar_p_holm), "critical_a": d.critical_a, "critical_b": d.critical_b,
                         "significant": " and ".join(significant) if significant else "no"})
    return pd.DataFrame(rows, columns=PAIR_COLUMNS)


def _topics_frame(comparison: Comparison) -> pd.DataFrame:
    rows = []
    for pair in comparison.pairs:
        for t in sorted(pair.topics, key=lambda t: (t.p_holm if t.p_holm is not None else 1.0, -abs(t.cases_b - t.cases_a))):
            if not (t.cases_a or t.cases_b):
                continue
            rows.append({"pair": _pair_name(comparison, pair), "scorer": t.scorer, "topic": t.topic, "cases_a": t.cases_a,
                         "cases_b": t.cases_b, "cases": t.n_shared, "p_holm": _p(t.p_holm),
                         "significant": "yes" if t.p_holm is not None and t.p_holm < comparison.alpha else "no"})
    return pd.DataFrame(rows, columns=TOPIC_COLUMNS)


def _critical_frame(comparison: Comparison) -> pd.DataFrame:
    # The engine's own counts (scored cases), so the page agrees with the procurement pack it downloads.
    counts = {side.run_id: {s: summary.critical_findings for s, summary in side.scorers.items()} for side in comparison.runs}
    scorers = list(dict.fromkeys(s for c in counts.values() for s in c))
    rows = []
    for side in comparison.runs:
        mine = counts[side.run_id]
        rows.append({"tool": side.label, "version": side.version, **{s: mine.get(s, 0) for s in scorers},
                     "total": sum(mine.values()), "errored_cases": side.errors, "run_id": side.run_id})
    return pd.DataFrame(rows)


def _worse_frame(comparison: Comparison) -> pd.DataFrame:
    rows = []
    for pair in comparison.pairs:
        for w in pair.worse_cases:
            worst = w.added[0] if w.added else None
            rows.append({"pair": _pair_name(comparison, pair), "case_id": w.case_id, "scorer": w.scorer,
                         "change": "stopped passing" if w.passed_a and not w.passed_b else "scored lower",
                         "score_a": ui.number(w.value_a), "score_b": ui.number(w.value_b), "new_findings": len(w.added),
                         "worst_new_finding": f"{worst.severity} {worst.kind}: {worst.reason}" if worst else "",
                         "run_b": pair.run_b})
    return pd.DataFrame(rows, columns=WORSE_COLUMNS)


def _figure(comparison: Comparison) -> go.Figure:
    figure = go.Figure()
    for pair in comparison.pairs:
        shown = [d for d in pair.scorers if d.difference is not None]
        if not shown:
            continue
        worst = {}
        for w in pair.worse_cases:  # the engine lists them worst first
            worst.setdefault(w.scorer, ui.case_href(pair.run_b, w.case_id))
        diffs = [d.difference for d in shown]
        figure.add_scatter(
            name=ui.label(pair_title(comparison, pair)), mode="markers", x=diffs, y=[ui.label(d.scorer) for d in shown],
            error_x={"type": "data", "symmetric": False,
                     "array": [(d.ci[1] - d.difference) if d.ci[1] is not None else 0 for d in shown],
                     "arrayminus": [(d.difference - d.ci[0]) if d.ci[0] is not None else 0 for d in shown]},
            orientation="h", marker={"size": 11}, customdata=[worst.get(d.scorer, "") for d in shown],
            text=[ui.label(p_text(d.p_holm) + " after Holm") for d in shown],
            hovertemplate="%{y}: difference %{x:+.3f}<br>%{text}<extra>%{fullData.name}</extra>")
    if not figure.data:
        return ui.empty_figure("No scorer was scored by both runs of any pair.")
    figure.add_vline(x=0, line_dash="dash", line_color="#555")
    figure.update_layout(title="Paired difference in mean score, B minus A (95% CI); right of the line: B did better",
                         xaxis={"title": "difference in mean score (B - A)", "zeroline": False},
                         yaxis={"title": "scorer", "type": "category"}, legend_title_text="pair", scattermode="group",
                         height=max(320, 60 + 42 * len(comparison.scorers) * max(1, len(comparison.pairs))))
    return figure


def _ci(ci: tuple[float | None, float | None], percent: bool = False, signed: bool = False) -> str:
    low, high = ci
    if low is None or high is None:
        return "n/a"
    if percent:
        return f"{ui.percent(low)} to {ui.percent(high)}"
    return f"{_signed(low)} to {_signed(high)}" if signed else f"{low:.3f} to {high:.3f}"


def _signed(value: float | None) -> str:
    return "n/a" if value is None else f"{value:+.3f}"


def _p(value: float | None) -> str:
    return "n/a" if value is None else ("< 0.001" if value < 0.001 else f"{value:.3f}")
