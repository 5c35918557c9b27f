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
from harness.text import Detail, extract_details, number_word_values

CRITICAL_KINDS = {"name", "date", "weekday", "dose"}
KIND_LABEL = {
    "name": "name", "date": "date", "weekday": "day of the week", "time": "time", "dose": "dose",
    "money": "sum of money", "percent": "percentage", "number": "number",
}


def _word_forms(word: str) -> set[str]:
    """A word, its hyphen parts, and its forms without a possessive or plural ending."""
    base = word.lower().strip("'’-")
    forms = {base, *[p for p in re.split(r"[-’']", base) if p]}
    for form in list(forms):
        for ending in ("'s", "’s", "s"):
            if form.endswith(ending) and len(form) > len(ending) + 1:
                forms.add(form[: -len(ending)])
    return forms


def _initialisms(words: list[str]) -> set[str]:
    """Initials of runs of 2 to 6 consecutive source words, with and without small words ('PfA', 'RN')."""
    small = {"of", "for", "and", "the", "to", "in", "on"}
    found: set[str] = set()
    for size in range(2, 7):
        for start in range(len(words) - size + 1):
            run = words[start:start + size]
            found.add("".join(w[0] for w in run))
            found.add("".join(w[0] for w in run if w not in small))
    return found


def _ages_from_birth(source: str, years: frozenset[int]) -> set[float]:
    """Ages implied by a date of birth in the source ('DOB 14/05/1938' and notes dated 2025 -> 86, 87)."""
    ages: set[float] = set()
    for match in re.finditer(r"(?:DOB|D\.O\.B\.|date of birth|born)\b[^\n]{0,30}?\b((?:19|20)\d{2})\b", source, re.I):
        born = int(match.group(1))
        ages.update(float(y - born - k) for y in years for k in (0, 1) if 0 <= y - born - k <= 120)
    return ages


@dataclass(frozen=True)
class _SourceIndex:
    words: frozenset[str]
    initialisms: frozenset[str]
    details: tuple[Detail, ...]
    numbers: frozenset[float]
    years: frozenset[int]
    months: frozenset[int]

    @classmethod
    def build(cls, source: str) -> "_SourceIndex":
        details = tuple(extract_details(source))
        numbers: set[float] = set()
        for d in details:
            numbers.update(float(v) for v in d.key[1:] if isinstance(v, (int, float)) and not isinstance(v, bool))
        for token in re.findall(r"\d+(?:\.\d+)?", source.replace(",", "")):
            numbers.add(float(token))
        numbers.update(number_word_values(source))
        years = frozenset(int(y) for y in re.findall(r"\b(?:19|20)\d{2}\b", source))
        numbers.update(_ages_from_birth(source, years))
        raw_words = [w.lower() for w in re.findall(r"[A-Za-z][A-Za-z'’-]*", source)]
        words = frozenset(form for w in raw_words for form in _word_forms(w))
        months = frozenset(int(d.key[2]) for d in details if d.kind == "date" and d.key[2] is not None)  # type: ignore[call-overload]
        return cls(words, frozenset(_initialisms(raw_words)), details, frozenset(numbers), years, months)

    def supports(self, detail: Detail) -> Detail | bool:
        """The source detail that supports `detail`, True if supported without one, else False."""
        kind, key = detail.kind, detail.key
        if kind == "name":
            if re.fullmatch(r"(?:[A-Z][a-z]?){2,6}s?", detail.text):  # an initialism: 'RN', 'RNs', 'PfA', 'CPN'
                letters = detail.text.lower()
                return any(form in self.initialisms or form in self.words for form in (letters, letters.removesuffix("s")))
            return any(form in self.words for form in _word_forms(str(key[1])))
        if kind == "weekday":
            return detail.text.lower().rstrip("s") in self.words
        if kind == "number":
            return key[1] in self.numbers
        if kind == "date" and key[1] is None:  # "December 2024": the month named in the source, a year it allows
            month_named = any(d.kind == "date" and d.key[2] == key[2] for d in self.details) or _MONTH_NAMES[int(key[2])] in self.words  # type: ignore[call-overload]
            return month_named and _year_allowed(key[3], self.years)  # type: ignore[arg-type]
        for candidate in self.details:
            if _same(kind, key, candidate, self.years, self.months):
                return candidate
        if kind in {"percent", "money"}:
            return key[1] in self.numbers
        return False


def _same(kind: str, key: tuple[object, ...], other: Detail, source_years: frozenset[int], source_months: frozenset[int]) -> bool:
    if kind == "date":
        if other.kind != "date":
            return False
        _, day, month, year = key
        _, o_day, o_month, o_year = other.key
        if o_month is None:  # "Monday the 10th": the day, in a month the source mentions
            return day == o_day and (month in source_months or not source_months) and _year_allowed(year, source_years)  # type: ignore[arg-type]
        # A date without a year in the source matches only a year the source mentions somewhere.
        years_agree = year is None or year == o_year or (o_year is None and _year_allowed(year, source_years))  # type: ignore[arg-type]
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


_MONTH_NAMES = ["", "january", "february", "march", "april", "may", "june", "july", "august", "september", "october",
                "november", "december"]


def _year_allowed(year: int | None, source_years: frozenset[int]) -> bool:
    """A year added to a yearless source date must be within one of a year the source mentions
    (minutes dated March 2025 may place 'the 20th of November' in 2024, never in 2019)."""
    return year is None or not source_years or any(abs(year - y) <= 1 for y in source_years)


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
