"""The pack's summary sections: what was compared, the significant differences, the scorecard, and
the paired tests pair by pair (sections 1, 2, 3 and 5).
"""

from __future__ import annotations

from collections.abc import Mapping

from .compare import Comparison
from .pack_format import _e, _f, _label, _p, _pct
from .runs import RunReport
from .sentences import no_difference_statement, pair_title, significant_statements


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
