"""Unsupported details: names, dates, times, doses, sums and counts in the output that the source lacks.

The score is the share of checkable details in the output that the source supports (1.0 when
the output has none). Details are compared after normalisation (see `harness.text`), so
"3rd March" matches "3 March" and "10am" matches "10:00".

Severity of a finding: a name, date, weekday or dose is critical (identity, chronology and
medication errors cause harm in a legal record); a time, sum, percentage or count is major.
A case passes when it has no critical finding and its score is at least `threshold` (0.9).

What it cannot see: a detail that the source holds but in another place (a date of a different
event, a name credited with the wrong statement); paraphrased invented facts with no checkable
detail. Those need the claim-level judges of the full hallucination suite.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from harness.goldens import Case
from harness.scoring import Finding, Score
from harness.text import Detail, extract_details

CRITICAL_KINDS = {"name", "date", "weekday", "dose"}
KIND_LABEL = {
    "name": "name", "date": "date", "weekday": "day of the week", "time": "time", "dose": "dose",
    "money": "sum of money", "percent": "percentage", "number": "number",
}


@dataclass(frozen=True)
class _SourceIndex:
    words: frozenset[str]
    details: tuple[Detail, ...]
    numbers: frozenset[float]
    years: frozenset[int]

    @classmethod
    def build(cls, source: str) -> "_SourceIndex":
        details = tuple(extract_details(source))
        numbers: set[float] = set()
        for d in details:
            numbers.update(float(v) for v in d.key[1:] if isinstance(v, (int, float)) and not isinstance(v, bool))
        for token in re.findall(r"\d+(?:\.\d+)?", source.replace(",", "")):
            numbers.add(float(token))
        words = frozenset(w.lower() for w in re.findall(r"[A-Za-z][A-Za-z'’-]*", source))
        years = frozenset(int(y) for y in re.findall(r"\b(?:19|20)\d{2}\b", source))
        return cls(words, details, frozenset(numbers), years)

    def supports(self, detail: Detail) -> Detail | bool:
        """The source detail that supports `detail`, True if supported without one, else False."""
        kind, key = detail.kind, detail.key
        if kind == "name":
            return key[1] in self.words or str(key[1]).rstrip("'’s") in self.words
        if kind == "number":
            return key[1] in self.numbers
        for candidate in self.details:
            if _same(kind, key, candidate, self.years):
                return candidate
        if kind in {"percent", "money"}:
            return key[1] in self.numbers
        return False


def _same(kind: str, key: tuple[object, ...], other: Detail, source_years: frozenset[int]) -> bool:
    if kind == "date":
        if other.kind != "date":
            return False
        _, day, month, year = key
        _, o_day, o_month, o_year = other.key
        # A date without a year in the source matches only a year the source mentions somewhere.
        years_agree = year is None or year == o_year or (o_year is None and (not source_years or year in source_years))
        return month == o_month and years_agree and (day == o_day or day is None)
    if kind == "time":
        if other.kind != "time":
            return False
        _, hour, minute, explicit = key
        _, o_hour, o_minute, o_explicit = other.key
        if minute != o_minute:
            return False
        return hour == o_hour or (not (explicit and o_explicit) and int(hour) % 12 == int(o_hour) % 12)  # type: ignore[call-overload]
    return other.kind == kind and other.key == key


class UnsupportedDetailsScorer:
    """Share of the output's names, dates, times, doses, sums and counts that the source supports."""

    name = "unsupported_details"
    version = "1.0.0"
    threshold = 0.9
    description = "Share of checkable details (names, dates, times, doses, sums, counts) in the output that the source supports."

    def score(self, case: Case, output: str) -> Score:
        index = _SourceIndex.build(case.source)
        details = extract_details(output)
        findings: list[Finding] = []
        for detail in details:
            support = index.supports(detail)
            if support:
                continue
            label = KIND_LABEL[detail.kind]
            findings.append(Finding(
                kind=f"unsupported_{detail.kind}",
                severity="critical" if detail.kind in CRITICAL_KINDS else "major",
                output_span=detail.text,
                source_evidence=_nearest_same_kind(index, detail),
                reason=f"The {label} '{detail.text}' does not appear in the source.",
            ))
        value = 1.0 if not details else 1.0 - len(findings) / len(details)
        critical = any(f.severity == "critical" for f in findings)
        return Score(
            value=value,
            passed=(not critical) and value >= self.threshold,
            findings=findings,
            details={"details_checked": len(details), "unsupported": len(findings)},
        )


def _nearest_same_kind(index: _SourceIndex, detail: Detail) -> str | None:
    """What the source says of the same kind (e.g. the dates it does hold), to help a reviewer."""
    same = [d.text for d in index.details if d.kind == detail.kind]
    if not same:
        return None
    unique = list(dict.fromkeys(same))[:5]
    return "Source has: " + "; ".join(unique)
