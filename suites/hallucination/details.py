"""Unsupported details: names, dates, times, doses, sums and counts in the output that the source lacks.

The score is the share of checkable details in the output that the source supports (1.0 when
the output has none). Details are compared after normalisation (see `judge.text`), so
"3rd March" matches "3 March" and "10am" matches "10:00".

Severity of a finding: a name, date, weekday, time, dose or sum of money is critical (identity,
chronology, medication and the evidence of financial abuse: errors in these cause harm in a legal
record); a percentage or count is major.
A case passes when it has no critical finding and its score is at least `threshold` (0.9).

What it cannot see: a detail that the source holds but in another place (a date of a different
event, a name credited with the wrong statement); paraphrased invented facts with no checkable
detail. Those need the claim-level judges of the full hallucination suite.
"""

from __future__ import annotations

from functools import lru_cache

from harness.goldens import Case
from judge.people import defined_initials
from harness.scoring import Finding, Score
from judge.support import SourceIndex, nearest_same_kind, source_index
from judge.text import Detail, extract_details

CRITICAL_KINDS = {"name", "date", "weekday", "time", "dose", "money"}
KIND_LABEL = {
    "name": "name", "date": "date", "weekday": "day of the week", "time": "time", "dose": "dose",
    "money": "sum of money", "percent": "percentage", "number": "number",
}


class UnsupportedDetailsScorer:
    """Share of the output's names, dates, times, doses, sums and counts that the source supports."""

    name = "unsupported_details"
    version = "1.2.0"
    threshold = 0.9
    description = "Share of checkable details (names, dates, times, doses, sums, counts) in the output that the source supports."

    def score(self, case: Case, output: str) -> Score:
        checked, findings = unsupported_details(case.source, output)
        value = 1.0 if not checked else 1.0 - len(findings) / checked
        critical = any(f.severity == "critical" for f in findings)
        return Score(
            value=value,
            passed=(not critical) and value >= self.threshold,
            findings=list(findings),
            details={"details_checked": checked, "unsupported": len(findings)},
        )


def defined_abbreviations(output: str, index: SourceIndex) -> frozenset[str]:
    """Abbreviations the output defines for a name the source supports: "Sabina Akhtar (SbA)" lets the
    minutes write "SbA" after, as a house style that uses initials after first mention does."""
    return frozenset(initials for initials, name in defined_initials(output).items()
                     if all(index.supports(Detail("name", word, 0, len(word), ("name", word.lower()))) for word in name.split()))


@lru_cache(maxsize=256)
def unsupported_details(source: str, output: str) -> tuple[int, tuple[Finding, ...]]:
    """(details checked, a finding per detail the source does not support), cached by (source, output):
    `claim_support` reads the same findings, so each output's details are checked once per run.
    Treat the findings as read-only."""
    index = source_index(source)
    details = extract_details(output)
    defined = defined_abbreviations(output, index)
    findings = []
    for detail in details:
        if index.supports(detail) or (detail.kind == "name" and detail.text in defined):
            continue
        findings.append(Finding(
            kind=f"unsupported_{detail.kind}",
            severity="critical" if detail.kind in CRITICAL_KINDS else "major",
            output_span=detail.text,
            source_evidence=nearest_same_kind(index, detail),
            reason=f"The {KIND_LABEL[detail.kind]} '{detail.text}' does not appear in the source.",
        ))
    return len(details), tuple(findings)
