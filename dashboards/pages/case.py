"""Case: one case of one run, the source and the tool's output side by side, with every finding.

In the OUTPUT, each passage a finding quotes (`output_span`: an invented dose, date or name, a claim the
source does not support) is marked by the finding's severity. Every occurrence of the quoted text is
marked, not only the first: the finding is about that text not being supported by the source, so a
repeat of it is the same unsupported detail. Key-fact findings (omitted or only partly recorded) are
not marked in the output; their passage is in the SOURCE instead: the key fact's `evidence` quote (or
the finding's `source_evidence` when the golden set's fact cannot be read) is marked `omitted`, and the
key fact's own text is listed under the source. Quotes are found exactly first, then ignoring case and
runs of white space; a quote found nowhere is listed in the findings table as "not found".

Overlapping marks are merged (`highlight_segments`): no character is shown twice, and where marks of
different severities overlap, the overlap takes the most severe one.

Everything here is vendor text: it is built only from html components with plain-string children, which
Dash renders as text (never Markdown, never raw HTML).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from typing import Any

import dash
import pandas as pd
from dash import Input, Output, State, dcc, html, no_update
from dash.exceptions import PreventUpdate

from harness.errors import InputError
from harness.goldens import Case

from .. import ui
from .compare import versioned

PATH = "/case"
NAME = "Case"
MEANING = ("Left, what the tool was given; right, what it wrote. A mark in the output is a detail the checks could "
           "not find in the source (red: critical, could change a decision, such as an invented dose or date; orange: "
           "major; yellow: minor). A blue mark in the source is a key fact the output left out or only partly "
           "recorded. Each score runs from 0 to 1, 1 best; a case passes a scorer when it has no critical finding and "
           "its score meets that scorer's threshold.")
KEY_FACT_KINDS = ("omitted_key_fact", "partial_key_fact")
SEVERITIES = ("critical", "major", "minor")
# The class of each mark, most severe first: where marks overlap, the earlier class wins.
MARK_PRIORITY = ("finding-critical", "finding-major", "finding-minor", "omitted")
MARK_STYLE = {"finding-critical": {"backgroundColor": "#f8b4b4", "borderBottom": "2px solid #a00000"},
              "finding-major": {"backgroundColor": "#fcd9a8", "borderBottom": "2px solid #b35900"},
              "finding-minor": {"backgroundColor": "#fff3a8"},
              "omitted": {"backgroundColor": "#c8ddff", "borderBottom": "2px solid #1f4e9c"}}
FINDING_COLUMNS = ["scorer", "severity", "kind", "reason", "output_span", "source_evidence", "key_fact", "marked"]
SCORE_COLUMNS = ["scorer", "score", "passed", "findings", "critical"]
TEXT_STYLE = {"whiteSpace": "pre-wrap", "fontFamily": "ui-monospace, Consolas, monospace", "fontSize": "13px",
              "background": "#f7f7f7", "border": "1px solid #ddd", "padding": "0.6rem", "lineHeight": "1.5",
              "maxHeight": "70vh", "overflowY": "auto"}

Span = tuple[int, int, str]


# --- pure text logic ------------------------------------------------------------------------------


def find_spans(text: str, quote: str | None) -> list[tuple[int, int]]:
    """Every place `quote` occurs in `text` (non-overlapping, left to right), as (start, end) offsets.

    Exact matches first; when there is none, a match that ignores case and treats any run of white space
    as one space (a quote re-flowed across lines still counts). An empty or blank quote is found nowhere.
    """
    if not text or not quote or not quote.strip():
        return []
    found, start = [], text.find(quote)
    while start >= 0:
        found.append((start, start + len(quote)))
        start = text.find(quote, start + len(quote))
    if found:
        return found
    pattern = r"\s+".join(re.escape(word) for word in quote.split())
    return [(m.start(), m.end()) for m in re.finditer(pattern, text, flags=re.IGNORECASE) if m.end() > m.start()]


def highlight_segments(text: str, spans: Iterable[Span]) -> list[tuple[str, str | None]]:
    """`text` cut into consecutive (piece, mark class or None) segments, marking the union of `spans`.

    Each span is (start, end, class), offsets into `text`; spans are clipped to the text and empty ones
    dropped. Overlapping spans are merged so that no character is repeated: a character covered by several
    spans takes the class that comes first in `MARK_PRIORITY` (classes not listed there rank after it, in
    name order). Neighbouring segments always differ in class, and the pieces join back to `text` exactly.
    """
    rank = {name: i for i, name in enumerate(MARK_PRIORITY)}
    clipped = [(max(0, s), min(len(text), e), c) for s, e, c in spans if min(len(text), e) > max(0, s)]
    cuts = sorted({0, len(text), *(s for s, _, _ in clipped), *(e for _, e, _ in clipped)})
    segments: list[tuple[str, str | None]] = []
    for lo, hi in zip(cuts, cuts[1:]):
        covering = [c for s, e, c in clipped if s <= lo and hi <= e]
        mark = min(covering, key=lambda c: (rank.get(c, len(rank)), c)) if covering else None
        if segments and segments[-1][1] == mark:
            segments[-1] = (segments[-1][0] + text[lo:hi], mark)
        else:
            segments.append((text[lo:hi], mark))
    return segments


def output_spans(output: str, findings: Sequence[dict[str, Any]]) -> tuple[list[Span], list[bool]]:
    """The marks for the output: every finding quoting an output passage (key-fact findings aside); per finding, whether marked."""
    spans: list[Span] = []
    marked = []
    for f in findings:
        found = [] if f.get("kind") in KEY_FACT_KINDS else find_spans(output, f.get("output_span"))
        severity = f.get("severity") if f.get("severity") in SEVERITIES else "minor"
        spans += [(s, e, f"finding-{severity}") for s, e in found]
        marked.append(bool(found))
    return spans, marked


def source_spans(source: str, findings: Sequence[dict[str, Any]], case: Case | None) -> tuple[list[Span], list[bool]]:
    """The marks for the source: each omitted or partial key fact's evidence quote; and per finding whether it was marked."""
    facts = {k.id: k for k in case.key_facts} if case else {}
    spans: list[Span] = []
    marked = []
    for f in findings:
        found: list[tuple[int, int]] = []
        if f.get("kind") in KEY_FACT_KINDS and f.get("key_fact_id"):
            fact = facts.get(str(f["key_fact_id"]))
            found = find_spans(source, fact.evidence) if fact else []
            if not found:
                found = find_spans(source, f.get("source_evidence"))
        spans += [(s, e, "omitted") for s, e in found]
        marked.append(bool(found))
    return spans, marked


def marked_text(text: str, spans: Iterable[Span]) -> list[Any]:
    """The children of a text panel: plain strings, and `html.Mark` for each marked segment."""
    return [html.Mark(piece, className=mark, style=MARK_STYLE.get(mark, {})) if mark else piece
            for piece, mark in highlight_segments(text, spans)]


# --- the page -------------------------------------------------------------------------------------


def layout(run: str | None = None, case: str | None = None, **_: Any) -> html.Div:
    data = ui.data()
    runs = data.runs()
    if runs.empty:
        return _page(ui.notice("No evaluation runs in this store yet: run `assure demo`, or "
                               "`assure run --golden SET --target TARGET.yaml`.", "case-empty"), [], None, [], None)
    run_options = _run_options(runs, run)
    if not run or run not in set(runs["run_id"]):
        sentence = ("Choose a run and a case to see the source, the tool's output and every finding."
                    if not run else f"There is no finished evaluation run with id {run!r} in this store: choose one below.")
        return _page(ui.notice(sentence, "case-empty"), run_options, None, [], None)
    try:
        report = data.report(run)
    except InputError as exc:
        return _page(ui.notice(f"The report of run {run!r} could not be read: {exc}", "case-empty"), run_options, run, [], None)
    case_ids = [str(c["case_id"]) for c in report.report["cases"]]
    case_options = [{"label": cid, "value": cid} for cid in case_ids]
    if not case or case not in case_ids:
        sentence = ("Choose a case of this run." if not case
                    else f"Run {run!r} has no case {case!r}: choose one of its {len(case_ids)} cases below.")
        return _page(ui.notice(sentence, "case-empty"), run_options, run, case_options, None)
    _, result, golden_case = data.case(run, case)
    return _page(_body(report.report, result, golden_case), run_options, run, case_options, case)


def register_callbacks(app: dash.Dash) -> None:
    @app.callback(Output("go", "href", allow_duplicate=True), Input("case-run", "value"), Input("case-case", "value"),
                  State("case-current", "data"), prevent_initial_call=True)
    def choose(run: str | None, case: str | None, current: dict[str, Any] | None) -> str:
        current = current or {}
        if not run:
            raise PreventUpdate
        if dash.ctx.triggered_id == "case-run" and run != current.get("run"):
            return ui.case_href(run, case) if case and _has_case(run, case) else ui.href(PATH, run=run, case=_first_case(run))
        if case and (run, case) != (current.get("run"), current.get("case")):
            return ui.case_href(run, case)
        return no_update


def _page(content: Any, run_options: list[dict[str, str]], run: str | None, case_options: list[dict[str, str]],
          case: str | None) -> html.Div:
    selectors = html.Div([
        html.Label(["Run", dcc.Dropdown(id="case-run", options=run_options, value=run, clearable=False,
                                        placeholder="choose a run")], style={"width": "38rem"}),
        html.Label(["Case", dcc.Dropdown(id="case-case", options=case_options, value=case, clearable=False,
                                         placeholder="choose a case")], style={"width": "16rem"}),
    ], style={"display": "flex", "gap": "1rem", "flexWrap": "wrap", "alignItems": "end", "marginBottom": "1rem"})
    return ui.page(NAME, MEANING, selectors, dcc.Store(id="case-current", data={"run": run, "case": case}), content,
                   page_id="case-page")


MAX_RUN_OPTIONS = 50  # a store of hundreds of runs would make the run selector slow to open


def _run_options(runs: pd.DataFrame, run: str | None = None) -> list[dict[str, str]]:
    """The newest runs on the chosen run's golden-set version (all sets when none is chosen), the chosen run included."""
    chosen = runs[runs["run_id"] == run]
    if not chosen.empty:
        runs = runs[runs["golden_set"] == chosen["golden_set"].iloc[0]]
    shown = pd.concat([chosen, runs.head(MAX_RUN_OPTIONS)]).drop_duplicates("run_id")
    return [{"label": f"{r.label} on {r.golden_id} v{r.golden_version}, {r.started:%Y-%m-%d %H:%M} ({r.run_id[:8]})",
             "value": r.run_id} for r in shown.itertuples()]


def _case_ids(run: str) -> list[str]:
    try:
        return [str(c["case_id"]) for c in ui.data().report(run).report["cases"]]
    except InputError:
        return []


def _has_case(run: str, case: str) -> bool:
    return case in _case_ids(run)


def _first_case(run: str) -> str | None:
    ids = _case_ids(run)
    return ids[0] if ids else None


def _body(report: dict[str, Any], result: dict[str, Any], golden_case: Case | None) -> html.Div:
    findings = [(scorer, f) for scorer, score in (result.get("scores") or {}).items() for f in score.get("findings") or []]
    flat = [f for _, f in findings]
    output = result.get("output")
    output = None if output is None else str(output)
    out_spans, out_marked = output_spans(output or "", flat)
    if golden_case is not None:
        src_spans, src_marked = source_spans(golden_case.source, flat, golden_case)
    else:
        src_spans, src_marked = [], [False] * len(flat)
    target, golden = report["target"], report["golden_set"]
    tool = versioned(str(target.get("label")), str(target.get("version")))
    heading = html.P(f"Case {result['case_id']} of {tool}, scored on "
                     f"{golden.get('id')} v{golden.get('version')} (run {report.get('run_id', '')}).", id="case-heading")
    links = html.P([
        dcc.Link(f"Return on investment of the councils using {target.get('name')}", id="case-roi",
                 href=ui.href("/roi", tool=str(target.get("name")))),
        html.Span(" · "),
        dcc.Link("Scores of this tool over time", id="case-trend", href=ui.href("/trend", tool=str(target.get("name")))),
    ])
    return html.Div([
        heading,
        links,
        html.Div([_source_panel(golden_case, src_spans, flat), _output_panel(result, output, out_spans)],
                 style={"display": "grid", "gridTemplateColumns": "1fr 1fr", "gap": "1rem", "alignItems": "start"}),
        html.H2("Scores"),
        ui.table("case-scores", _scores_frame(result), columns=SCORE_COLUMNS),
        html.H2("Findings"),
        html.P("Every finding the checks made on this case, most severe first. 'marked' says where its passage is "
               "highlighted above (a quote found nowhere is not marked)."),
        ui.table("case-findings", _findings_frame(findings, golden_case, out_marked, src_marked), columns=FINDING_COLUMNS),
        *_reference(golden_case),
    ])


def _source_panel(golden_case: Case | None, spans: list[Span], findings: list[dict[str, Any]]) -> html.Div:
    if golden_case is None:
        return html.Div([html.H2("Source"), ui.notice(
            "The source is unavailable: the golden set this run was scored on is no longer at the path the run "
            "recorded, or its content has changed since (its hash no longer matches). The output and the findings "
            "are still shown.", "case-source-missing"), html.Div(id="case-source", style=TEXT_STYLE)])
    facts = {k.id: k for k in golden_case.key_facts}
    missed = []
    for f in findings:
        if f.get("kind") in KEY_FACT_KINDS and f.get("key_fact_id"):
            fact = facts.get(str(f["key_fact_id"]))
            what = "omitted" if f["kind"] == "omitted_key_fact" else "only partly recorded"
            text = fact.text if fact else f"key fact {f['key_fact_id']} (not in the golden set)"
            category = f", {fact.category}" if fact else ""
            missed.append(html.Li([html.Span(f"{f.get('severity')}, {what}: ", style={"fontWeight": 600}),
                                   f"{text} ({f['key_fact_id']}{category})"]))
    return html.Div([
        html.H2("Source (what the tool was given)"),
        html.Div(marked_text(golden_case.source, spans), id="case-source", style=TEXT_STYLE),
        html.H3("Key facts the output omitted or only partly recorded"),
        html.Ul(missed, id="case-missed") if missed else html.P(
            "No finding of this run reports a key fact as omitted or only partly recorded (a run without the "
            "omission suite does not check key facts).", id="case-missed"),
    ])


def _output_panel(result: dict[str, Any], output: str | None, spans: list[Span]) -> html.Div:
    if output is None:
        error = result.get("error") or "no output recorded"
        return html.Div([html.H2("Output (what the tool wrote)"),
                         ui.notice(f"The tool gave no output for this case, so it was not scored: {error}", "case-no-output"),
                         html.Div(id="case-output", style=TEXT_STYLE)])
    return html.Div([html.H2("Output (what the tool wrote)"), html.Div(marked_text(output, spans), id="case-output",
                                                                       style=TEXT_STYLE)])


def _scores_frame(result: dict[str, Any]) -> pd.DataFrame:
    rows = []
    for scorer, score in (result.get("scores") or {}).items():
        findings = score.get("findings") or []
        passed = score.get("passed")
        rows.append({"scorer": scorer, "score": ui.number(score.get("value")),
                     "passed": "not judged" if passed is None else ("passed" if passed else "failed"),
                     "findings": len(findings), "critical": sum(f.get("severity") == "critical" for f in findings)})
    return pd.DataFrame(rows, columns=SCORE_COLUMNS)


def _findings_frame(findings: list[tuple[str, dict[str, Any]]], golden_case: Case | None, out_marked: list[bool],
                    src_marked: list[bool]) -> pd.DataFrame:
    facts = {k.id: k for k in golden_case.key_facts} if golden_case else {}
    order = {s: i for i, s in enumerate(SEVERITIES)}
    rows = []
    for (scorer, f), in_output, in_source in zip(findings, out_marked, src_marked):
        fact_id = f.get("key_fact_id")
        fact = facts.get(str(fact_id)) if fact_id else None
        if f.get("kind") in KEY_FACT_KINDS:
            marked = "in the source" if in_source else ("source unavailable" if golden_case is None else "not found")
        elif f.get("output_span"):
            marked = "in the output" if in_output else "not found"
        else:
            marked = ""
        rows.append({"scorer": scorer, "severity": str(f.get("severity") or ""), "kind": str(f.get("kind") or ""),
                     "reason": str(f.get("reason") or ""), "output_span": str(f.get("output_span") or ""),
                     "source_evidence": str(f.get("source_evidence") or ""),
                     "key_fact": f"{fact_id}: {fact.text}" if fact else str(fact_id or ""), "marked": marked})
    rows.sort(key=lambda r: order.get(r["severity"], len(order)))
    return pd.DataFrame(rows, columns=FINDING_COLUMNS)


def _reference(golden_case: Case | None) -> list[Any]:
    if golden_case is None or not golden_case.reference:
        return []
    return [html.Details([html.Summary("The golden set's reference output for this case"),
                          html.Div(golden_case.reference, id="case-reference", style=TEXT_STYLE)])]
