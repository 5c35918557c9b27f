"""The procurement pack: one self-contained HTML file a panel can file and print (`assure compare --html`).

It reads a `Comparison` (the paired statistics) and the runs' reports (for outputs, errors, warnings and
the golden set's path) and writes: the golden set and its content hash; each tool, its version, run id
and how its outputs were obtained; the scorecard; the significant differences in plain English (from
`harness.sentences`) with the Holm statement; an inline SVG chart; the cases that got worse with source
and output excerpts and the findings added; and the validity caveats measured for each scorer shown.

Nothing is fetched: no script, font, image, stylesheet or chart library comes from anywhere; the chart
is SVG drawn here. Every text that comes from a run (tool names, outputs, case ids, reasons, golden-set
ids) is untrusted vendor text and is escaped with `html.escape`; none of it goes into an attribute.
"""

from __future__ import annotations

import html
import re
from collections.abc import Mapping, Sequence
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from .compare import ChangedFinding, Comparison, RunSide, WorseCase
from .runs import RunReport
from .sentences import no_difference_statement, p_text, pair_title, significant_statements

WORST_CASES = 8
SOURCE_EXCERPT = 700
OUTPUT_EXCERPT = 600
FINDINGS_PER_CASE = 5
_SEVERITY_RANK = {"critical": 0, "major": 1, "minor": 2}
_VALIDITY = "section \u201cValidity benchmark\u201d"
_FALSE_ALARMS = "subsection \u201cFalse alarms on faithful text written elsewhere\u201d"
_OMISSION = "subsection \u201cOmission validity\u201d"
_SECTIONS = {"key_fact_recall": f"{_VALIDITY}, {_OMISSION} and {_FALSE_ALARMS}",
             "derived_key_fact_recall": f"{_VALIDITY}, {_OMISSION}",
             "minutes_structure": f"{_VALIDITY}, {_FALSE_ALARMS}",
             "distortion": f"{_VALIDITY} and its {_FALSE_ALARMS}",
             "reference_agreement": f"{_VALIDITY} and its {_FALSE_ALARMS}"}
_COLOURS = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#7F7F7F", "#000000")

# Measured validity figures per scorer, in substance as README.md's "Validity benchmark" (and the
# "False alarms on faithful text written elsewhere" and "Omission validity") sections give them.
# Update them with the README when `assure bench validity` is rerun.
CAVEATS: dict[str, str] = {
    "unsupported_details": (
        "On injected detail defects (changed dates, doses, sums, times, swapped names, invented actions and "
        "attendees) it failed every defective case: recall 1.000 at precision 1.000 on both bundled sets, and no "
        "reference, restyled reference or extractive-baseline output failed (0 of 144 faithful outputs). On "
        "SummEdits (human labels) it caught only 12.7% of inconsistent summaries (balanced accuracy 0.564): it "
        "sees literal details only, not reworded claims, changed relations, flipped consent, statements credited "
        "to the wrong person or omissions."),
    "claim_support": (
        "On injected defects it failed 85.2% of defective minutes and 91.0% of defective case notes at precision "
        "1.000, and none of 144 faithful outputs failed; but it caught consent flips in 8 of 12 (minutes) and 13 of "
        "17 (case notes), capacity flips in 3 of 5 and 1 of 2, and statements credited to the wrong person in 16 of "
        "24 and 18 of 24; allegations stated as fact and other negation flips are findings for review only (they "
        "never fail a case). On SummEdits (human labels) it does no better than chance (balanced accuracy 0.503)."),
    "supported_claim_share": (
        "It passes nearly every injected defective output at its threshold (recall 0.000 on both sets; balanced "
        "accuracy 0.451 on SummEdits): its findings help a reviewer, but its pass or fail carries little evidence."),
    "distortion": (
        "It caught none of the 9 injected allegations stated as fact and failed 2 of 24 faithful reference case "
        "notes: its findings help a reviewer, but its pass or fail carries little evidence."),
    "reference_agreement": (
        "It measures agreement with the reference, not faithfulness, and must not be read as a hallucination "
        "verdict: it failed 24 of 24 and 20 of 24 faithful extractive-baseline outputs, and passed nearly every "
        "injected defective output (recall 0.000)."),
    "key_fact_recall": (
        "On injected omissions it reported 93.7% (minutes) and 96.6% (case notes) of removed critical key facts as "
        "not present, but also reported 17% and 21% of the references' own critical facts as only partly present: "
        "6 of 24 reference minutes and 3 of 24 reference case notes fail, and 6 of 24 faithful restyled minutes "
        "fail (mostly the adult's views written as their own quoted words). Agreement with human judges on "
        "REALSumm: Cohen's kappa 0.46-0.52. The targets (recall 0.98 with at most 5% false alarms) are not met: "
        "absent and partial findings need a reviewer's eye."),
    "derived_key_fact_recall": (
        "Its candidate facts are the reference's own statements, not annotated key facts; on whole meeting "
        "summaries judged against a reference (Kirstein et al. 2024) the matcher carried no signal. Lower "
        "confidence: read its findings, not its pass rate."),
    "minutes_structure": (
        "All 24 reference minutes and all 24 restyled minutes (six other house styles) pass; it checks that the "
        "elements of the minutes standard are present, not that they are right."),
}
GENERAL_CAVEATS = (
    "Every score here comes from assure's automated, embedded judge (rules, lexical evidence and a small local "
    "sentence-embedding model running offline), not from a person. It is evidence for the panel to weigh, not a "
    "verdict: read the cases and findings in this pack before relying on a difference.",
    "A difference is stated only when it is significant after the Holm correction; where none is, that is absence "
    "of evidence on this many cases, not proof that the tools are equal.",
    "Golden sets are synthetic: no real person's data was used. Results on them predict, but do not guarantee, "
    "behaviour on a council's own records.",
)

_CSS = """
:root{--ink:#1a1a1a;--muted:#555;--rule:#bbb;--warn:#8a0000}
*{box-sizing:border-box}
body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,Arial,sans-serif;color:var(--ink);line-height:1.4;
max-width:62rem;margin:1.5rem auto;padding:0 1rem;font-size:15px}
h1{font-size:1.6rem;margin:.2rem 0 .4rem}h2{font-size:1.25rem;border-bottom:2px solid var(--ink);margin-top:1.8rem}
h3{font-size:1.05rem;margin:1.2rem 0 .4rem}
table{border-collapse:collapse;width:100%;margin:.5rem 0;font-size:.9rem}
th,td{border:1px solid var(--rule);padding:.25rem .45rem;text-align:left;vertical-align:top}
th{background:#eee}td.n{text-align:right;white-space:nowrap;font-variant-numeric:tabular-nums}
.hash{font-family:ui-monospace,Consolas,monospace;font-size:.85rem;word-break:break-all}
.notice{border:3px solid var(--warn);color:var(--warn);background:#fff3f3;padding:.6rem .8rem;font-weight:700;margin:1rem 0}
.muted{color:var(--muted);font-size:.88rem}
.verdicts li{margin:.35rem 0}
.case{border:1px solid var(--rule);padding:.5rem .8rem;margin:.8rem 0;break-inside:avoid;page-break-inside:avoid}
.excerpt{white-space:pre-wrap;font-family:ui-monospace,Consolas,monospace;font-size:.8rem;background:#f6f6f6;
border-left:3px solid var(--rule);padding:.35rem .5rem;margin:.25rem 0 .5rem}
mark{background:#ffe58a}
.sev-critical{color:var(--warn);font-weight:700}.sev-major{font-weight:700}
.caveats dt{font-weight:700;margin-top:.5rem}.caveats dd{margin-left:1rem}
svg{max-width:100%;height:auto}
svg text{font-family:system-ui,Arial,sans-serif;font-size:12px;fill:#1a1a1a}
footer{margin-top:2rem;border-top:1px solid var(--rule);padding-top:.5rem}
@page{size:A4;margin:14mm 12mm}
@media print{
body{max-width:none;margin:0;padding:0;font-size:9.5pt}
h2{break-after:avoid;page-break-after:avoid}h3{break-after:avoid;page-break-after:avoid}
table,figure,.notice,.case{break-inside:avoid;page-break-inside:avoid}
tr{break-inside:avoid;page-break-inside:avoid}
th,.notice,.excerpt,mark{-webkit-print-color-adjust:exact;print-color-adjust:exact}
.excerpt{font-size:7.5pt}
}
"""


def procurement_pack(comparison: Comparison, reports: Sequence[RunReport],
                     validity: Mapping[str, str] | None = None) -> str:
    """The pack as one self-contained HTML document. `validity` (scorer -> text) replaces `CAVEATS` entries."""
    by_id = {r.run_id: r for r in reports}
    cases = {r.run_id: {c["case_id"]: c for c in r.report.get("cases", [])} for r in reports}
    sources = _sources(reports)
    g = comparison.golden_set
    labels = " against ".join(_label(r) for r in comparison.runs)
    title = f"Procurement pack: {labels} on {g.get('id')} v{g.get('version')}"
    parts = [
        f"<header><p class=muted>assure procurement pack</p><h1>{_e(title)}</h1>",
        f"<p class=muted>Generated {_e(datetime.now(timezone.utc).strftime('%d %B %Y %H:%M UTC'))} by assure "
        f"{_e(_version())}. This file is self-contained: it needs no network and prints on A4.</p></header>",
    ]
    if comparison.notice:
        parts.append(f"<div class=notice role=alert>{_e(comparison.notice)}</div>")
    parts += [
        "<main>",
        _what_was_compared(comparison, by_id),
        _verdicts(comparison),
        _scorecard(comparison),
        _chart_section(comparison),
        _pair_tables(comparison),
        _worst_cases(comparison, cases, sources),
        _caveats(comparison, validity or {}),
        "</main>",
        f"<footer class=muted><p>{_e(comparison.correction)}; alpha {comparison.alpha:g}. Scores run from 0 to 1, 1 "
        "best. Means carry a bootstrap 95% confidence interval; pass rates a Wilson 95% interval; differences "
        "between tools are paired on the cases both runs scored.</p>"
        + (f"<p><b>{_e(comparison.notice)}</b></p>" if comparison.notice else "") + "</footer>",
    ]
    return ("<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
            "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
            f"<title>{_e(title)}</title><style>{_CSS}</style></head><body>\n" + "\n".join(parts) + "\n</body></html>\n")


def write_pack(comparison: Comparison, reports: Sequence[RunReport], path: Path) -> None:
    """Write the procurement pack to `path` (UTF-8), making its folder if needed."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(procurement_pack(comparison, reports), encoding="utf-8")


# Sections ------------------------------------------------------------------------------------------------


def _what_was_compared(comparison: Comparison, by_id: Mapping[str, RunReport]) -> str:
    g = comparison.golden_set
    rows = [("Golden set", _e(g.get("id"))), ("Version", _e(g.get("version"))),
            ("Content hash (SHA-256)", f"<span class=hash>{_e(g.get('hash'))}</span>"),
            ("Cases in the set", _e(g.get("cases"))), ("Cases compared (scored by every run)", _e(comparison.shared_cases))]
    out = ["<section><h2>1. What was compared</h2>", "<table>",
           "".join(f"<tr><th scope=row>{k}</th><td>{v}</td></tr>" for k, v in rows), "</table>",
           "<p class=muted>The content hash identifies the exact golden set: any change to a case, key fact or the "
           "manifest changes it. Runs are compared case by case only when they were scored on the same hash.</p>",
           "<h3>The tools</h3><table><tr><th>Tool</th><th>Version</th><th>Run id</th><th>How its outputs were obtained</th>"
           "<th>Cases</th><th>Errored</th></tr>"]
    for side in comparison.runs:
        report = by_id.get(side.run_id)
        set_note = ""
        if report is not None and comparison.different_sets:
            rg = report.report.get("golden_set", {})
            set_note = (f"<br><span class=muted>scored on {_e(rg.get('id'))} v{_e(rg.get('version'))}, hash "
                        f"<span class=hash>{_e(str(rg.get('hash'))[:12])}</span></span>")
        base = " <span class=muted>(assure's reference baseline, not a vendor)</span>" if side.baseline else ""
        name = f"<br><span class=muted>tool name {_e(side.tool)}</span>" if side.tool != side.label else ""
        out.append(f"<tr><td><b>{_e(side.label)}</b>{base}{name}</td><td>{_e(side.version)}</td>"
                   f"<td><span class=hash>{_e(side.run_id)}</span>{set_note}</td>"
                   f"<td>{_e(side.obtained)} <span class=muted>({_e(side.kind)})</span></td>"
                   f"<td class=n>{side.cases}</td><td class=n>{side.errors}</td></tr>")
    out.append("</table>")
    for side in comparison.runs:
        report = by_id.get(side.run_id)
        if report is None:
            continue
        errored = [str(c["case_id"]) for c in report.report.get("cases", []) if c.get("error")]
        warnings = [str(w) for w in report.report.get("warnings", [])]
        suites = ", ".join(f"{s.get('name')} {s.get('version')}" for s in report.report.get("suites", []))
        notes = []
        if suites:
            notes.append(f"suites: {_e(suites)}")
        if errored:
            notes.append(f"errored cases ({len(errored)}): {_e(', '.join(errored[:30]))}" + (" …" if len(errored) > 30 else ""))
        notes += [f"warning: {_e(w)}" for w in warnings[:10]]
        if notes:
            out.append(f"<p class=muted><b>{_e(side.label)}</b>: " + "; ".join(notes) + ".</p>")
    out.append("<p class=muted>An errored case (the tool gave no output) is not scored and so is not in the means "
               "or pass rates; compare the errored counts as well as the scores.</p></section>")
    return "\n".join(out)


def _verdicts(comparison: Comparison) -> str:
    statements = significant_statements(comparison)
    body = ("<ul class=verdicts>" + "".join(f"<li>{_e(s)}</li>" for s in statements) + "</ul>" if statements
            else f"<p>{_e(no_difference_statement(comparison))}</p>")
    return (f"<section><h2>2. Significant differences, in plain English</h2>{body}"
            f"<p class=muted>Correction for multiple comparisons: {_e(comparison.correction)}. A difference is "
            f"stated only when its adjusted p-value is below {comparison.alpha:g}. Each sentence gives the counts it "
            "rests on, so the panel can weigh it.</p></section>")


def _scorecard(comparison: Comparison) -> str:
    head = "".join(f"<th>{_e(_label(r))}</th>" for r in comparison.runs)
    rows = []
    for scorer in comparison.scorers:
        cells = []
        for run in comparison.runs:
            s = run.scorers.get(scorer)
            if s is None or s.mean is None:
                cells.append("<td>not scored</td>")
                continue
            passed = round((s.pass_rate or 0) * s.n_scored)
            cells.append(
                f"<td>mean <b>{_f(s.mean)}</b> <span class=muted>(95% CI {_f(s.mean_ci[0])} to {_f(s.mean_ci[1])})</span><br>"
                f"passed {passed} of {s.n_scored} = <b>{_pct(s.pass_rate)}</b> <span class=muted>(95% CI "
                f"{_pct(s.pass_ci[0])} to {_pct(s.pass_ci[1])})</span><br>"
                f"critical findings: <b>{s.critical_findings}</b></td>")
        rows.append(f"<tr><th scope=row>{_e(scorer)}</th>{''.join(cells)}</tr>")
    return (f"<section><h2>3. Scorecard</h2><table><tr><th>Scorer</th>{head}</tr>{''.join(rows)}</table>"
            "<p class=muted>Mean score over the cases the tool was scored on (0 to 1, 1 best), share of cases passed "
            "under the scorer's documented threshold, and the number of critical findings (a critical finding fails "
            "its case).</p></section>")


def _chart_section(comparison: Comparison) -> str:
    return ("<section><h2>4. Charts</h2><figure>" + chart_svg(comparison.runs, comparison.scorers, "mean")
            + "<figcaption class=muted>Mean score per scorer (0 to 1, 1 best); whiskers: the bootstrap 95% confidence "
            "interval.</figcaption></figure><figure>" + chart_svg(comparison.runs, comparison.scorers, "pass_rate")
            + "<figcaption class=muted>Share of cases passed per scorer; whiskers: the Wilson 95% confidence interval. "
            "Overlapping whiskers do not by themselves mean there is no difference: the paired tests in section 5 "
            "decide.</figcaption></figure></section>")


def chart_svg(runs: Sequence[RunSide], scorers: Sequence[str], metric: str = "mean") -> str:
    """Horizontal bars of each run's mean (or pass rate) per scorer with 95% CI whiskers, as inline SVG (text escaped)."""
    what = "Mean score" if metric == "mean" else "Pass rate"
    left, plot, right, bar, gap = 190, 440, 70, 16, 4
    width = left + plot + right
    legend_h = 22 * len(runs) + 8
    group_h = len(runs) * (bar + gap) + 22
    axis_top = legend_h + 6
    height = axis_top + 18 + group_h * len(scorers) + 10
    x = lambda v: left + plot * max(0.0, min(1.0, v))  # noqa: E731
    out = [f'<svg viewBox="0 0 {width} {height}" width="{width}" height="{height}" '
           f'role="img"><title>{what} per scorer and tool, with 95% confidence intervals</title>']
    out.append(f'<text x="4" y="18" font-weight="bold">{what}</text>')
    for i, run in enumerate(runs):
        y = 6 + 22 * i
        out.append(f'<rect x="{left}" y="{y}" width="14" height="14" fill="{_COLOURS[i % len(_COLOURS)]}"/>'
                   f'<text x="{left + 20}" y="{y + 12}">{_e(_trim(_label(run), 70))}</text>')
    for tick in (0.0, 0.25, 0.5, 0.75, 1.0):
        tx = x(tick)
        tick_label = f"{tick:g}" if metric == "mean" else _pct(tick)
        out.append(f'<line x1="{tx:.1f}" y1="{axis_top + 14}" x2="{tx:.1f}" y2="{height - 8}" stroke="#ddd"/>'
                   f'<text x="{tx:.1f}" y="{axis_top + 10}" text-anchor="middle">{tick_label}</text>')
    for k, scorer in enumerate(scorers):
        top = axis_top + 18 + k * group_h
        out.append(f'<text x="4" y="{top + 14}" font-weight="bold">{_e(_trim(scorer, 28))}</text>')
        for i, run in enumerate(runs):
            y = top + 20 + i * (bar + gap)
            s = run.scorers.get(scorer)
            value, (low, high) = (None, (None, None)) if s is None else (
                (s.mean, s.mean_ci) if metric == "mean" else (s.pass_rate, s.pass_ci))
            if value is None:
                out.append(f'<text x="{left + 4}" y="{y + 12}">not scored</text>')
                continue
            colour = _COLOURS[i % len(_COLOURS)]
            out.append(f'<text x="{left - 6}" y="{y + 12}" text-anchor="end">{_e(_trim(run.label, 26))}</text>'
                       f'<rect x="{left}" y="{y}" width="{x(value) - left:.1f}" height="{bar}" fill="{colour}"/>')
            if low is not None and high is not None:
                mid = y + bar / 2
                out.append(f'<path d="M{x(low):.1f} {mid:.1f}H{x(high):.1f}M{x(low):.1f} {y + 3}V{y + bar - 3}'
                           f'M{x(high):.1f} {y + 3}V{y + bar - 3}" stroke="#000" stroke-width="1.5" fill="none"/>')
            out.append(f'<text x="{left + plot + 6}" y="{y + 12}">{_f(value) if metric == "mean" else _pct(value)}</text>')
    out.append(f'<line x1="{left}" y1="{axis_top + 14}" x2="{left}" y2="{height - 8}" stroke="#000"/></svg>')
    return "".join(out)


def _pair_tables(comparison: Comparison) -> str:
    out = ["<section><h2>5. Paired tests, pair by pair</h2>",
           "<p class=muted>B is the second tool of each pair; difference = mean(B) - mean(A) on the cases both scored, "
           "with a paired bootstrap 95% CI and a sign-flip p-value; pass rates compared by McNemar's exact test on the "
           "cases only one tool passed. p-values are Holm-adjusted.</p>"]
    for pair in comparison.pairs:
        a, b = comparison.side(pair.run_a), comparison.side(pair.run_b)
        out.append(f"<h3>{_e(pair_title(comparison, pair))} <span class=muted>(A = {_e(a.label)}, B = {_e(b.label)})</span></h3>"
                   "<table><tr><th>Scorer</th><th>Cases</th><th>Difference B - A (95% CI)</th><th>p (Holm)</th>"
                   "<th>Passed by A only / B only</th><th>McNemar p (Holm)</th><th>Critical findings A / B</th></tr>")
        for d in pair.scorers:
            out.append(f"<tr><th scope=row>{_e(d.scorer)}</th><td class=n>{d.n_shared}</td>"
                       f"<td class=n>{_f(d.difference, True)} ({_f(d.ci[0], True)} to {_f(d.ci[1], True)})</td>"
                       f"<td class=n>{_e(_p(d.p_holm))}</td><td class=n>{d.only_a_passed} / {d.only_b_passed}</td>"
                       f"<td class=n>{_e(_p(d.mcnemar_p_holm))}</td><td class=n>{d.critical_a} / {d.critical_b}</td></tr>")
        out.append("</table>")
        topics = [t for t in pair.topics if t.cases_a or t.cases_b]
        if topics:
            topics.sort(key=lambda t: (t.p_holm if t.p_holm is not None else 1.0, -abs(t.cases_b - t.cases_a), t.topic))
            out.append("<table><tr><th>Finding (major or critical)</th><th>Scorer</th><th>Cases with it: A</th>"
                       "<th>B</th><th>p (Holm)</th></tr>")
            for t in topics[:20]:
                out.append(f"<tr><td>{_e(t.topic)}</td><td>{_e(t.scorer)}</td><td class=n>{t.cases_a} of {t.n_shared}</td>"
                           f"<td class=n>{t.cases_b} of {t.n_shared}</td><td class=n>{_e(_p(t.p_holm))}</td></tr>")
            out.append("</table>")
            if len(topics) > 20:
                out.append(f"<p class=muted>… and {len(topics) - 20} more finding topics (see assure compare --json).</p>")
    out.append("</section>")
    return "\n".join(out)


def _worst_cases(comparison: Comparison, cases: Mapping[str, Mapping[str, Any]],
                 sources: Mapping[str, dict[str, str] | None]) -> str:
    out = ["<section><h2>6. The cases that got worse</h2>",
           f"<p class=muted>For each pair, up to {WORST_CASES} cases where B scored lower than A or stopped passing on some "
           "scorer (cases that stopped passing first, then by the size of the drop), each with an excerpt of the golden "
           "case's source, of each tool's output (the passage a finding quotes is highlighted), and the findings B has "
           "that A had not.</p>"]
    for pair in comparison.pairs:
        a, b = comparison.side(pair.run_a), comparison.side(pair.run_b)
        out.append(f"<h3>{_e(pair_title(comparison, pair))}</h3>")
        if not pair.worse_cases:
            out.append(f"<p>No case scored lower for {_e(b.label)} than for {_e(a.label)}.</p>")
            continue
        grouped = _by_case(pair.worse_cases)
        for rows in grouped[:WORST_CASES]:
            out.append(_worse_case(rows, a, b, cases, sources.get(pair.run_b) or sources.get(pair.run_a)))
        if len(grouped) > WORST_CASES:
            rest = grouped[WORST_CASES:]
            out.append(f"<p class=muted>… and {len(rest)} more cases that got worse: "
                       f"{_e(', '.join(rows[0].case_id for rows in rest[:40]))}{' …' if len(rest) > 40 else ''} "
                       "(see assure compare --json or each run's cases.csv).</p>")
    out.append("</section>")
    return "\n".join(out)


def _by_case(worse: Sequence[WorseCase]) -> list[list[WorseCase]]:
    """The worse cases grouped by case id, in the order of each case's first (worst) row."""
    groups: dict[str, list[WorseCase]] = {}
    for w in worse:
        groups.setdefault(w.case_id, []).append(w)
    return list(groups.values())


def _worse_case(rows: Sequence[WorseCase], a: RunSide, b: RunSide, cases: Mapping[str, Mapping[str, Any]],
                source_texts: dict[str, str] | None) -> str:
    case_id = rows[0].case_id
    findings: list[tuple[str, ChangedFinding]] = []
    seen: set[tuple[str, str, str]] = set()
    for w in rows:
        for f in w.added:
            key = (f.kind, f.severity, f.output_span or f.reason)
            if key not in seen:
                seen.add(key)
                findings.append((w.scorer, f))
    findings.sort(key=lambda item: _SEVERITY_RANK.get(item[1].severity, 3))
    lines = "".join(f"<li>{_e(w.scorer)}: {'stopped passing' if w.passed_a and not w.passed_b else 'scored lower'}, "
                    f"{_f(w.value_a)} ({_passed(w.passed_a)}) &rarr; {_f(w.value_b)} ({_passed(w.passed_b)})</li>" for w in rows)
    parts = [f"<div class=case><p><b>Case {_e(case_id)}</b></p><ul>{lines}</ul>"]
    if source_texts is None:
        parts.append("<p class=muted>Source: unavailable (the golden set is not at the path the run recorded, or its "
                     "content hash no longer matches the run's).</p>")
    elif case_id in source_texts:
        text = source_texts[case_id]
        anchor = next((f for _, f in findings if f.source_evidence and _locate(text, f.source_evidence)[0] is not None), None)
        about = (f", around the source evidence of the {_e(anchor.severity)} {_e(anchor.kind)} finding (highlighted)"
                 if anchor else "")
        parts.append(f"<p class=muted>Source (golden case){about}</p><div class=excerpt>"
                     f"{excerpt_html(text, anchor.source_evidence if anchor else None, SOURCE_EXCERPT)}</div>")
    else:
        parts.append("<p class=muted>Source: this case id is not in the golden set the run recorded.</p>")
    for side, candidates in ((a, []), (b, [f for _, f in findings])):
        case = cases.get(side.run_id, {}).get(case_id)
        about = ""
        if case is None:
            body = "<p class=muted>no such case in this run</p>"
        elif case.get("error"):
            body = f"<p class=muted>errored: {_e(case['error'])}</p>"
        else:
            output = str(case.get("output") or "")
            marked = next((f for f in candidates if f.output_span and _locate(output, f.output_span)[0] is not None), None)
            if marked:
                about = f", around the passage of the {_e(marked.severity)} {_e(marked.kind)} finding (highlighted)"
            body = (f"<div class=excerpt>{excerpt_html(output, marked.output_span if marked else None, OUTPUT_EXCERPT)}"
                    "</div>")
        parts.append(f"<p class=muted>Output of {_e(_label(side))}{about}</p>{body}")
    if findings:
        parts.append(f"<p class=muted>Findings {_e(b.label)} has that {_e(a.label)} had not</p><ul>")
        for scorer, f in findings[:FINDINGS_PER_CASE]:
            item = (f"<li><span class=sev-{_sev(f.severity)}>{_e(f.severity)}</span> {_e(f.kind)} "
                    f"<span class=muted>({_e(scorer)})</span>: {_e(_trim(f.reason, 400))}")
            if f.output_span:
                item += f"<br><span class=muted>output:</span> \u201c{_e(_trim(f.output_span, 300))}\u201d"
            if f.source_evidence:
                item += f"<br><span class=muted>source evidence:</span> \u201c{_e(_trim(f.source_evidence, 300))}\u201d"
            parts.append(item + "</li>")
        parts.append("</ul>")
        if len(findings) > FINDINGS_PER_CASE:
            parts.append(f"<p class=muted>… and {len(findings) - FINDINGS_PER_CASE} more findings.</p>")
    else:
        parts.append("<p class=muted>No new finding: the score moved on findings both tools have.</p>")
    parts.append("</div>")
    return "".join(parts)


def _caveats(comparison: Comparison, validity: Mapping[str, str]) -> str:
    items = []
    for scorer in comparison.scorers:
        text = validity.get(scorer) or CAVEATS.get(scorer)
        where = f"README.md, {_SECTIONS.get(scorer, _VALIDITY)}"
        body = (f"{_e(text)} <span class=muted>(As measured in assure's validity benchmark, {_e(where)}.)</span>"
                if text else "No measured validity figures for this scorer in assure's validity benchmark: treat its "
                "scores as unvalidated.")
        items.append(f"<dt>{_e(scorer)}</dt><dd>{body}</dd>")
    general = "".join(f"<li>{_e(c)}</li>" for c in GENERAL_CAVEATS)
    return (f"<section><h2>7. Validity caveats</h2><ul>{general}</ul><dl class=caveats>{''.join(items)}</dl></section>")


# Helpers -------------------------------------------------------------------------------------------------


def _sources(reports: Sequence[RunReport]) -> dict[str, dict[str, str] | None]:
    """Per run id: case id -> source text, from the golden set the run recorded when it is there unchanged."""
    from .errors import InputError
    from .goldens import load_golden

    loaded: dict[tuple[str, str], dict[str, str] | None] = {}
    out: dict[str, dict[str, str] | None] = {}
    for report in reports:
        info = report.report.get("golden_set", {})
        path, digest = info.get("path"), str(info.get("hash"))
        key = (str(path), digest)
        if key not in loaded:
            loaded[key] = None
            if path and Path(path).is_dir():
                try:
                    golden = load_golden(path)
                except (InputError, OSError, ValueError):
                    golden = None
                if golden is not None and golden.content_hash == digest:
                    loaded[key] = {case.id: case.source for case in golden.cases}
        out[report.run_id] = loaded[key]
    return out


def excerpt_html(text: str, focus: str | None, limit: int) -> str:
    """An escaped excerpt of `text` of about `limit` characters, around `focus` (marked) when `text` holds it."""
    if focus:
        start, end = _locate(text, focus)
        if start is not None and end is not None:
            room = max(0, limit - (end - start)) // 2
            lo, hi = max(0, start - room), min(len(text), end + room)
            if end - start > limit:
                hi = start + limit
            return ((("… " if lo > 0 else "") + _e(text[lo:start])) + f"<mark>{_e(text[start:min(end, hi)])}</mark>"
                    + _e(text[min(end, hi):hi]) + (" …" if hi < len(text) else ""))
    return _e(text[:limit]) + (" …" if len(text) > limit else "")


def _locate(text: str, focus: str) -> tuple[int | None, int | None]:
    index = text.find(focus)
    if index >= 0:
        return index, index + len(focus)
    words = focus.split()
    if not words:
        return None, None
    pattern = r"\s+".join(re.escape(word) for word in words)
    match = re.search(pattern, text, flags=re.IGNORECASE)
    return (match.start(), match.end()) if match else (None, None)


def _e(value: object) -> str:
    return html.escape("" if value is None else str(value), quote=True)


def _label(side: RunSide) -> str:
    version = str(side.version)
    return f"{side.label} v{version}" if version[:1].isdigit() else f"{side.label} {version}"


def _trim(text: str, limit: int) -> str:
    text = " ".join(str(text).split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _f(value: float | None, signed: bool = False) -> str:
    if value is None:
        return "n/a"
    return f"{value:+.3f}" if signed else f"{value:.3f}"


def _pct(value: float | None) -> str:
    return "n/a" if value is None else f"{100 * value:.0f}%"


def _p(value: float | None) -> str:
    return "n/a" if value is None else p_text(value).removeprefix("p = ").removeprefix("p ")


def _passed(value: bool | None) -> str:
    return "not judged" if value is None else ("passed" if value else "failed")


def _sev(severity: str) -> str:
    return severity if severity in ("critical", "major", "minor") else "other"


def _version() -> str:
    from .version import __version__

    return __version__


__all__ = ["CAVEATS", "GENERAL_CAVEATS", "chart_svg", "excerpt_html", "procurement_pack", "write_pack"]
