"""Markdown for comparisons and gate verdicts (pull-request comments, `assure compare --markdown`).

Vendor output is untrusted text: every value is HTML-escaped and its Markdown punctuation
backslash-escaped, so an output cannot inject links, images, mentions or markup into a comment.
"""

from __future__ import annotations

import html
import re

from .compare import Comparison, WorseCase
from .gate import GateResult
from .sentences import no_difference_statement, p_text, pair_title, significant_statements

_MARKDOWN_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|~:])")
EXCERPT_CHARS = 300


def md(text: object, limit: int | None = None) -> str:
    """`text` made inert in Markdown: one line, HTML-escaped, punctuation escaped, optionally cut."""
    value = " ".join(str(text).split())
    if limit is not None and len(value) > limit:
        value = value[: limit - 1] + "…"
    # A zero-width space after "@" stops @mentions (GitHub, GitLab) that escaping alone does not.
    return html.escape(_MARKDOWN_SPECIAL.sub(r"\\\1", value), quote=False).replace("@", "@\u200b")


def comparison_markdown(comparison: Comparison) -> str:
    """The comparison as Markdown: the notice, the scorecard, significant differences, worse cases."""
    lines = [f"# assure compare: {md(comparison.golden_set['id'])} v{md(comparison.golden_set['version'])}", ""]
    if comparison.notice:
        lines += [f"> **{md(comparison.notice)}**", ""]
    lines += scorecard_markdown(comparison) + [""]
    statements = significant_statements(comparison)
    lines += ["## Significant differences", ""]
    lines += [f"- {md(s)}" for s in statements] or [md(no_difference_statement(comparison))]
    lines += ["", f"_{md(comparison.correction)}; alpha {comparison.alpha:g}._", ""]
    for pair in comparison.pairs:
        lines += [f"## Cases that got worse: {md(pair_title(comparison, pair))}", ""]
        lines += worse_cases_markdown(pair.worse_cases) or ["None."]
        lines.append("")
    return "\n".join(lines)


def scorecard_markdown(comparison: Comparison) -> list[str]:
    header = "| scorer | " + " | ".join(md(r.label) for r in comparison.runs) + " |"
    lines = [header, "|---" * (len(comparison.runs) + 1) + "|"]
    for scorer in comparison.scorers:
        cells = []
        for run in comparison.runs:
            s = run.scorers[scorer]
            cells.append("n/a" if s.mean is None else
                         f"{s.mean:.3f}; pass {s.pass_rate:.2f}; critical {s.critical_findings}")
        lines.append(f"| {md(scorer)} | " + " | ".join(cells) + " |")
    return lines


def worse_cases_markdown(cases: list[WorseCase], limit: int = 15) -> list[str]:
    lines = []
    for w in cases[:limit]:
        verdict = "stopped passing" if w.passed_a and not w.passed_b else "scored lower"
        lines.append(f"- **{md(w.case_id)}** {md(w.scorer)} {verdict}: {_value(w.value_a)} → {_value(w.value_b)}")
        for f in w.added[:3]:
            lines.append(f"  - {md(f.severity)} {md(f.kind)}: {md(f.reason, EXCERPT_CHARS)}")
    if len(cases) > limit:
        lines.append(f"- … and {len(cases) - limit} more (see the JUnit report or `assure compare`).")
    return lines


def gate_markdown(result: GateResult) -> str:
    """The pull-request comment: verdict first, then each failing check with the cases behind it."""
    failures = result.failures
    verdict = "FAILED" if failures else "PASSED"
    mark = "❌" if failures else "✅"
    c = result.candidate
    lines = [f"## {mark} assure gate {verdict}: {len(failures)} of {len(result.checks)} checks failed", "",
             f"Candidate: **{md(c.label)} v{md(c.version)}** (run `{md(c.run_id)}`)"
             + (f"; baseline: **{md(result.baseline.label)} v{md(result.baseline.version)}** (run `{md(result.baseline.run_id)}`)"
                if result.baseline else "; no baseline (thresholds only)") + ".", ""]
    if result.comparison and result.comparison.notice:
        lines += [f"> **{md(result.comparison.notice)}**", ""]
    if failures:
        lines += ["### Failing checks", ""]
        for check in failures:
            where = f"{md(check.scorer)}: " if check.scorer else ""
            lines.append(f"- **{where}{md(check.name)}**: {md(check.message)}")
            for sub in worse_cases_markdown(list(check.regressed_cases), limit=5):
                lines.append("  " + sub)
        lines.append("")
    lines += ["<details><summary>All checks</summary>", "", "| check | verdict | detail |", "|---|---|---|"]
    for check in result.checks:
        name = f"{check.scorer}: {check.name}" if check.scorer else check.name
        lines.append(f"| {md(name)} | {'pass' if check.passed else '**FAIL**'} | {md(check.message)} |")
    lines += ["", "</details>", ""]
    if result.comparison:
        others = [w for w in result.worse_cases if not any(w in ch.regressed_cases for ch in failures)]
        if others:
            lines += ["<details><summary>Other cases that got worse (for review)</summary>", ""]
            lines += worse_cases_markdown(others, limit=10) + ["", "</details>", ""]
        lines.append(f"_Paired tests on {result.comparison.shared_cases} shared cases; one-sided sign-flip test of the "
                     f"mean, {md(result.comparison.correction)}._")
    return "\n".join(lines) + "\n"


def _value(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.3f}"


__all__ = ["comparison_markdown", "gate_markdown", "md", "p_text"]
