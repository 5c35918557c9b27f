"""The pack's section on the cases that got worse: per pair, each case with source and output excerpts.

For each pair of runs it shows up to `WORST_CASES` cases where the second tool scored lower or
stopped passing, with an excerpt of the golden case's source (read from the golden set the run
recorded, only when its content hash still matches), of each tool's output, and the findings added.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from .compare import ChangedFinding, Comparison, RunSide, WorseCase
from .pack_format import _e, _f, _label, _locate, _passed, _sev, _trim, excerpt_html
from .runs import RunReport
from .sentences import pair_title

WORST_CASES = 8
SOURCE_EXCERPT = 700
OUTPUT_EXCERPT = 600
FINDINGS_PER_CASE = 5
_SEVERITY_RANK = {"critical": 0, "major": 1, "minor": 2}


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
