"""The run report: the JSON whose keys the issues fix, the per-case table and an HTML summary.

Vendor output is untrusted text: every value shown in HTML is escaped.
"""

from __future__ import annotations

import html
import json
import math
from pathlib import Path
from typing import Any

import pandas as pd

from .checkpoint import CaseResult
from .runner import RunOutcome
from .scoring import Score


def _finite(value: float) -> float | None:
    return None if value is None or (isinstance(value, float) and math.isnan(value)) else value


def build_report(run_id: str, target: dict[str, Any], golden_set: dict[str, Any], outcome: RunOutcome,
                 suites: list[dict[str, Any]], harness_version: str) -> dict[str, Any]:
    """The run report as a JSON-ready dict (keys: run_id, target, golden_set, metrics, cases, ...)."""
    return {
        "run_id": run_id,
        "target": target,
        "golden_set": golden_set,
        "harness_version": harness_version,
        "suites": suites,
        "metrics": {name: {"mean": _finite(a.mean), "ci_low": _finite(a.ci_low), "ci_high": _finite(a.ci_high),
                           "pass_rate": _finite(a.pass_rate), "n_scored": a.n_scored, "n_unscored": a.n_unscored,
                           "n_judge_errors": a.n_judge_errors}
                    for name, a in outcome.aggregates.items()},
        "errors": outcome.error_count,
        "warnings": outcome.warnings,
        "cases": [case_entry(r) for r in outcome.results],
    }


def case_entry(result: CaseResult) -> dict[str, Any]:
    return {
        "case_id": result.case_id,
        "output": result.output,
        "error": result.error,
        "scores": {name: _score_entry(s) for name, s in result.scores.items()},
    }


def _score_entry(score: Score) -> dict[str, Any]:
    """One scorer's verdict on a case; an unscored one says why, and a judge error is marked as one."""
    entry: dict[str, Any] = {"value": score.value, "passed": score.passed, "findings": [f.model_dump() for f in score.findings]}
    if not score.scored:
        entry["unscored"] = str(score.details.get("unscored") or "the scorer could not judge this case")
    if score.is_judge_error:
        entry["judge_error"] = str(score.details["judge_error"])
    return entry


def cases_table(outcome: RunOutcome) -> pd.DataFrame:
    """One row per case: error, and per scorer its value, pass and number of findings."""
    rows = []
    for r in outcome.results:
        row: dict[str, Any] = {"case_id": r.case_id, "error": r.error or "", "attempts": r.attempts, "cached": r.cached,
                               "seconds": round(r.seconds, 3), "output_words": len((r.output or "").split())}
        for name, s in r.scores.items():
            row[f"{name}.value"] = s.value
            row[f"{name}.passed"] = s.passed
            row[f"{name}.findings"] = len(s.findings)
        rows.append(row)
    return pd.DataFrame(rows)


def write_artifacts(report: dict[str, Any], outcome: RunOutcome, folder: Path) -> list[Path]:
    """Write report.json, cases.csv and summary.html into `folder`; return their paths."""
    folder.mkdir(parents=True, exist_ok=True)
    files = [folder / "report.json", folder / "cases.csv", folder / "summary.html"]
    files[0].write_text(json.dumps(report, indent=2, ensure_ascii=False), encoding="utf-8")
    cases_table(outcome).to_csv(files[1], index=False)
    files[2].write_text(summary_html(report), encoding="utf-8")
    return files


def summary_html(report: dict[str, Any]) -> str:
    """A self-contained, readable HTML page of the run; all text escaped."""
    e = html.escape
    target, golden = report["target"], report["golden_set"]
    metric_rows = "".join(
        f"<tr><td>{e(name)}</td><td>{_fmt(m['mean'])}</td><td>{_fmt(m['ci_low'])} to {_fmt(m['ci_high'])}</td>"
        f"<td>{_fmt(m['pass_rate'])}</td></tr>" for name, m in report["metrics"].items())
    case_blocks = []
    for case in report["cases"]:
        findings = "".join(
            f"<li><b>{e(f['severity'])}</b> {e(f['kind'])}: {e(f['reason'])}"
            + (f"<br><small>{e(f['source_evidence'])}</small>" if f.get("source_evidence") else "") + "</li>"
            for s in case["scores"].values() for f in s["findings"])
        body = (f"<p class=error>Errored: {e(case['error'])}</p>" if case["error"]
                else f"<details><summary>Output</summary><pre>{e(case['output'] or '')}</pre></details>")
        case_blocks.append(f"<section><h3>{e(case['case_id'])}</h3>{body}<ul>{findings}</ul></section>")
    warnings = "".join(f"<li>{e(w)}</li>" for w in report.get("warnings", []))
    analyses = "".join(f"<h2>{e(name.capitalize())}</h2><ul>{''.join(f'<li>{e(line)}</li>' for line in lines)}</ul>"
                       for name, lines in report.get("analysis_summaries", {}).items())
    return f"""<!doctype html><html lang="en"><head><meta charset="utf-8">
<title>assure run {e(report['run_id'])}</title>
<style>body{{font-family:system-ui,sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem}}
table{{border-collapse:collapse}}td,th{{border:1px solid #ccc;padding:.3rem .6rem}}pre{{white-space:pre-wrap}}
.error{{color:#a00}}</style></head><body>
<h1>assure run {e(report['run_id'])}</h1>
<p>Tool: <b>{e(str(target['label']))}</b> version {e(str(target['version']))} ({e(str(target['kind']))}).
Golden set: <b>{e(str(golden['id']))}</b> v{e(str(golden['version']))} ({e(str(golden['hash'])[:12])}).
Cases: {len(report['cases'])}; errored: {report['errors']}.</p>
<p>Scores run from 0 to 1, 1 best; the interval is a bootstrap 95% confidence interval of the mean.</p>
<table><tr><th>Scorer</th><th>Mean</th><th>95% CI</th><th>Pass rate</th></tr>{metric_rows}</table>
{f'<h2>Warnings</h2><ul>{warnings}</ul>' if warnings else ''}
{analyses}
<h2>Cases</h2>{''.join(case_blocks)}</body></html>"""


def _fmt(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.3f}"
