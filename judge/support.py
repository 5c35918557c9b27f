"""Whether a source supports a detail: the normalised comparison behind hallucination checks.

`SourceIndex.build(source)` reads a source once (its details, the dates its relative days stand
for, words, numbers written in digits or words, years and months mentioned, ages implied by a date
of birth, initialisms of its phrases);
`supports(detail)` says whether a detail from an output is backed by it.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass
from datetime import date, timedelta
from functools import lru_cache

from .text import MONTHS, WEEKDAYS, Detail, extract_details, number_word_values


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


_RELATIVE = re.compile(r"\b(yesterday|today|tomorrow|(?:the )?(?:next|following) day|the day (?:before|after))\b", re.I)
_SHIFT = {"yesterday": -1, "today": 0, "tomorrow": 1, "next day": 1, "following day": 1, "day after": 1, "day before": -1}
_WEEKDAY_AFTER = re.compile(r"\W{1,3}(?:on\s+)?(monday|tuesday|wednesday|thursday|friday|saturday|sunday)\b", re.I)
_DAY_NAMES = {number: name for name, number in WEEKDAYS.items()}
_HEADER = re.compile(r"^\s*(?:\[|---)", re.M)  # a transcript's opening line, a case note's header


def _as_date(detail: Detail, year: int | None) -> date | None:
    _, day, month, own_year = detail.key
    try:
        return date(int(own_year or year), int(month), int(day))  # type: ignore[call-overload, arg-type]
    except (TypeError, ValueError):
        return None


def relative_dates(source: str, details: tuple[Detail, ...]) -> list[Detail]:
    """Dates that relative words stand for: "yesterday", "today" and "tomorrow" counted from the date
    of the meeting or note they are in (the date on its opening line), "the next day" and "the day
    before" from the date last mentioned before them. A minute-taker who writes "the letter arrived
    on 28 May" for "it arrived yesterday" at a meeting on 29 May is supported."""
    headers = [m.start() for m in _HEADER.finditer(source)]
    dated = sorted((d for d in details if d.kind == "date" and d.key[2] is not None), key=lambda d: d.start)
    ends = [d.end for d in dated]  # dates do not overlap: in the same order as their starts
    years = [int(d.key[3]) for d in dated if d.key[3]]  # type: ignore[call-overload]
    found = []
    for match in _RELATIVE.finditer(source):
        phrase = match.group(1).lower().removeprefix("the ")
        shift = timedelta(days=_SHIFT[phrase])
        before = dated[:bisect.bisect_right(ends, match.start())]
        if phrase in {"yesterday", "today", "tomorrow"}:
            at = bisect.bisect_right(headers, match.start())
            opening = headers[at - 1] if at else 0
            line_end = source.find("\n", opening)
            line_end = len(source) if line_end < 0 else line_end
            anchors = [d for d in before[bisect.bisect_left(ends, opening):] if d.end <= line_end][:1]
        else:
            anchors = before[::-1]
        named = _WEEKDAY_AFTER.match(source, match.end())  # "the next day, Saturday": the day it must fall on
        for anchor in anchors:
            when = _as_date(anchor, years[-1] if years else None)
            if when and (not named or (when + shift).weekday() == WEEKDAYS[named.group(1).lower()]):
                shifted = when + shift
                found.append(Detail("date", match.group(0), match.start(), match.end(),
                                    ("date", shifted.day, shifted.month, shifted.year)))
                break
    return found


# Month number -> full month name (the longest spelling in text.MONTHS).
_MONTH_NAMES = {number: max((name for name, n in MONTHS.items() if n == number), key=len) for number in set(MONTHS.values())}
_MONTH_WORD = "(?-i:" + "|".join(name.capitalize() for name in _MONTH_NAMES.values()) + ")"
_DAY_RANGE = re.compile(r"\b(\d{1,2})(?:st|nd|rd|th)?[^\S\n]*(?:to|-|–|and|until|till)[^\S\n]*\d{1,2}(?:st|nd|rd|th)?[^\S\n]+(?:of[^\S\n]+)?("
                        + _MONTH_WORD + r")\b", re.I)
_HOURS = {w: n for n, w in enumerate("one two three four five six seven eight nine ten eleven twelve".split(), start=1)}
_HOUR_WORD = r"(one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|\d{1,2})"
_HOUR_RANGE = re.compile(rf"\b{_HOUR_WORD}[^\S\n]+(?:till|til|until)[^\S\n]+{_HOUR_WORD}\b", re.I)


def implied_details(source: str) -> list[Detail]:
    """Dates and times the source implies but does not write out: the first day of "1 to 17 May" (the 1st
    of May), both hours of "ten till twelve" (10:00 and 12:00) and midday for "the middle of the day",
    so minutes that write "01/05/2025 to 17/05/2025", "10:00-12:00" or "the midday dose" are supported."""
    found = [Detail("date", m.group(0), m.start(), m.end(), ("date", int(m.group(1)), MONTHS[m.group(2).lower()], None))
             for m in _DAY_RANGE.finditer(source) if 1 <= int(m.group(1)) <= 31]
    for m in _HOUR_RANGE.finditer(source):
        for token in m.groups():
            hour = int(token) if token.isdigit() else _HOURS[token.lower()]
            if hour <= 23:
                found.append(Detail("time", m.group(0), m.start(), m.end(), ("time", hour, 0, False)))
    found += [Detail("time", m.group(0), m.start(), m.end(), ("time", 12, 0, True))
              for m in re.finditer(r"(?i)\bmiddle of the day\b", source)]
    return found


@dataclass(frozen=True)
class SourceIndex:
    words: frozenset[str]
    initialisms: frozenset[str]
    details: tuple[Detail, ...]
    numbers: frozenset[float]
    years: frozenset[int]
    months: frozenset[int]

    @classmethod
    def build(cls, source: str) -> "SourceIndex":
        details = tuple(extract_details(source))
        numbers: set[float] = set()
        for d in details:
            numbers.update(float(v) for v in d.key[1:] if isinstance(v, (int, float)) and not isinstance(v, bool))
        relative = relative_dates(source, details)  # dates only: "yesterday" does not stand for the number 28
        details += tuple(relative) + tuple(implied_details(source))
        for token in re.findall(r"\d+(?:\.\d+)?", source.replace(",", "")):
            numbers.add(float(token))
        numbers.update(number_word_values(source))
        years = frozenset(int(y) for y in re.findall(r"\b(?:19|20)\d{2}\b", source))
        numbers.update(_ages_from_birth(source, years))
        raw_words = [w.lower() for w in re.findall(r"[A-Za-z][A-Za-z'’-]*", source)]
        days_of_relative = {_DAY_NAMES[date(*reversed(d.key[1:])).weekday()] for d in relative}  # type: ignore[misc]
        words = frozenset(form for w in raw_words for form in _word_forms(w)) | days_of_relative
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
            return _DAY_NAMES[int(key[1])] in self.words  # type: ignore[call-overload]
        if kind == "time" and re.fullmatch(r"\d{1,2}\.\d{2}", detail.text) and 1 <= int(detail.text[-2:]) <= 12:
            # "07.09" is a time or, in a house style that writes 07.09.2025, the 7th of September: either reading will do
            as_date = Detail("date", detail.text, detail.start, detail.end, ("date", int(detail.text[:-3]), int(detail.text[-2:]), None))
            if any(_same("date", as_date.key, d, self.years, self.months) for d in self.details):
                return True
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
        if month is None:  # the output says only "the 11th": any source date on that day supports it
            return day == o_day
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


def _year_allowed(year: int | None, source_years: frozenset[int]) -> bool:
    """A year added to a yearless source date must be within one of a year the source mentions
    (minutes dated March 2025 may place 'the 20th of November' in 2024, never in 2019)."""
    return year is None or not source_years or any(abs(year - y) <= 1 for y in source_years)


@lru_cache(maxsize=256)
def source_index(source: str) -> SourceIndex:
    """The index of a source, cached: scorers and the defect injector ask about the same sources often."""
    return SourceIndex.build(source)


def supported_by_source(source: str, detail: Detail) -> bool:
    return bool(source_index(source).supports(detail))


def nearest_same_kind(index: SourceIndex, detail: Detail) -> str | None:
    """What the source says of the same kind (e.g. the dates it does hold), to help a reviewer."""
    same = [d.text for d in index.details if d.kind == detail.kind]
    if not same:
        return None
    unique = list(dict.fromkeys(same))[:5]
    return "Source has: " + "; ".join(unique)
