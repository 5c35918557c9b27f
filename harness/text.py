"""Text utilities: sentence splitting, and extraction and normalisation of checkable details.

A *detail* is a name, date, weekday, time, dose, sum of money, percentage or count found in a
text, with a normalised key so that differently written forms compare equal: "3rd March",
"3 March" and "03/03" are one date; "10am", "10:00" and "10.00 a.m." one time; "5mg" and
"five milligrams" one dose; "£1,200" and "£1.2k" one sum.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Literal

DetailKind = Literal["date", "weekday", "time", "dose", "money", "percent", "number", "name"]

MONTHS = {
    "january": 1, "jan": 1, "february": 2, "feb": 2, "march": 3, "mar": 3, "april": 4, "apr": 4,
    "may": 5, "june": 6, "jun": 6, "july": 7, "jul": 7, "august": 8, "aug": 8, "september": 9,
    "sep": 9, "sept": 9, "october": 10, "oct": 10, "november": 11, "nov": 11, "december": 12, "dec": 12,
}
WEEKDAYS = {"monday": 0, "tuesday": 1, "wednesday": 2, "thursday": 3, "friday": 4, "saturday": 5, "sunday": 6}
NUMBER_WORDS = {
    "zero": 0, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8,
    "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14, "fifteen": 15,
    "sixteen": 16, "seventeen": 17, "eighteen": 18, "nineteen": 19, "twenty": 20, "thirty": 30,
    "forty": 40, "fifty": 50, "sixty": 60, "seventy": 70, "eighty": 80, "ninety": 90, "hundred": 100,
    "a couple of": 2, "a dozen": 12, "half": 0.5,
}
TITLES = {"mr", "mrs", "ms", "miss", "mx", "dr", "prof", "cllr", "pc", "dc", "ds", "sgt", "nurse", "sister", "father", "rev"}
# Units converted to a base unit: mass to mg, volume to ml.
DOSE_UNITS = {
    "mg": ("mg", 1.0), "milligram": ("mg", 1.0), "milligrams": ("mg", 1.0),
    "mcg": ("mg", 0.001), "µg": ("mg", 0.001), "microgram": ("mg", 0.001), "micrograms": ("mg", 0.001),
    "g": ("mg", 1000.0), "gram": ("mg", 1000.0), "grams": ("mg", 1000.0),
    "ml": ("ml", 1.0), "millilitre": ("ml", 1.0), "millilitres": ("ml", 1.0), "milliliter": ("ml", 1.0), "milliliters": ("ml", 1.0),
    "unit": ("unit", 1.0), "units": ("unit", 1.0), "iu": ("unit", 1.0),
}
# Counted nouns after which a number word is a checkable count ("three falls").
COUNTED = r"(?:days?|weeks?|months?|years?|hours?|minutes?|times|tablets?|visits?|calls?|occasions?|falls?|incidents?|people|carers?|staff|nights?|meals?|doses?|bruises?)"

_NUM = r"\d+(?:[.,]\d+)*"
_WORDNUM = r"(?:" + "|".join(sorted((re.escape(w) for w in NUMBER_WORDS if w != "half"), key=len, reverse=True)) + r")"
_MONTH = r"(?:January|February|March|April|May|June|July|August|September|October|November|December|Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sept|Sep|Oct|Nov|Dec)\.?"
_ORD = r"(?:st|nd|rd|th)?"

_PATTERNS: list[tuple[str, re.Pattern[str]]] = [
    ("dose", re.compile(rf"\b({_NUM}|{_WORDNUM})\s*(mg|milligrams?|mcg|µg|micrograms?|g|grams?|ml|millilit(?:re|er)s?|units?|iu)\b", re.I)),
    ("money", re.compile(rf"£\s?({_NUM})\s*(k|m|million|thousand)?\b|\b({_NUM})\s*pounds\b", re.I)),
    ("date", re.compile(rf"\b(\d{{1,2}}){_ORD}(?:\s+of)?\s+({_MONTH})(?:,?\s+(\d{{4}}))?")),
    ("date", re.compile(rf"\b({_MONTH})\s+(\d{{1,2}}){_ORD}\b(?:,?\s+(\d{{4}}))?")),
    ("date", re.compile(r"\b(\d{4})-(\d{2})-(\d{2})\b")),
    ("date", re.compile(r"\b(\d{1,2})[/.](\d{1,2})(?:[/.](\d{2,4}))?\b(?![.:]\d)")),
    ("date", re.compile(rf"\b({_MONTH})\s+(\d{{4}})\b")),
    ("weekday", re.compile(r"\b(Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday)s?\b")),
    ("time", re.compile(r"\b(\d{1,2})[:.](\d{2})\s*(a\.?m\.?|p\.?m\.?)?(?![\d])", re.I)),
    ("time", re.compile(r"\b(\d{1,2})\s*(a\.?m\.?|p\.?m\.?)(?![a-z])", re.I)),
    ("time", re.compile(r"\b(midday|noon|midnight)\b", re.I)),
    ("percent", re.compile(rf"\b({_NUM})\s*(?:%|per\s?cent\b)", re.I)),
    ("number", re.compile(rf"\b({_WORDNUM})\s+(?={COUNTED}\b)", re.I)),
    ("number", re.compile(rf"(?<![\w£.]){_NUM}(?:{_ORD})?\b")),
]
_NAME = re.compile(r"\b[A-Z][a-zA-Z'’-]*[a-z][a-zA-Z'’-]*\b")


@dataclass(frozen=True)
class Detail:
    """One checkable detail: its kind, the text as written, where it is, and its normalised key."""

    kind: DetailKind
    text: str
    start: int
    end: int
    key: tuple[object, ...]


def split_sentences(text: str) -> list[str]:
    """Split text into sentences; every line break also ends a sentence."""
    sentences: list[str] = []
    for line in text.splitlines():
        for part in re.split(r"(?<=[.!?])\s+(?=[\"'(\[]?[A-Z0-9])", line.strip()):
            if part.strip():
                sentences.append(part.strip())
    return sentences


def to_number(token: str) -> float | None:
    """'1,200' -> 1200.0; 'three' -> 3.0; '3rd' -> 3.0; anything else -> None."""
    cleaned = token.strip().lower()
    if cleaned in NUMBER_WORDS:
        return float(NUMBER_WORDS[cleaned])
    cleaned = re.sub(r"(st|nd|rd|th)$", "", cleaned).replace(",", "")
    try:
        return float(cleaned)
    except ValueError:
        return None


def extract_details(text: str) -> list[Detail]:
    """Every detail in `text`, earlier patterns taking precedence over overlapping later ones."""
    taken = [False] * (len(text) + 1)
    found: list[Detail] = []
    for kind, pattern in _PATTERNS:
        for match in pattern.finditer(text):
            start, end = match.span()
            if end <= start or any(taken[start:end]):
                continue
            key = _normalise(kind, match)
            if key is None:
                continue
            for index in range(start, end):
                taken[index] = True
            shown = match.group(0).strip()
            if kind == "date":
                shown = shown.rstrip(".")
            found.append(Detail(kind, shown, start, end, key))  # type: ignore[arg-type]
    found.extend(_names(text, taken))
    return sorted(found, key=lambda d: d.start)


def _normalise(kind: str, m: re.Match[str]) -> tuple[object, ...] | None:
    groups = m.groups()
    if kind == "dose":
        value = to_number(groups[0])
        unit, factor = DOSE_UNITS[groups[1].lower()]
        return None if value is None else (unit, round(value * factor, 6))
    if kind == "money":
        raw = groups[0] or groups[2]
        value = to_number(raw) if raw else None
        if value is None:
            return None
        scale = {"k": 1e3, "thousand": 1e3, "m": 1e6, "million": 1e6}.get((groups[1] or "").lower(), 1.0)
        return ("gbp", round(value * scale, 2))
    if kind == "date":
        return _date_key(m)
    if kind == "weekday":
        return ("weekday", WEEKDAYS[groups[0].lower()])
    if kind == "time":
        return _time_key(groups)
    if kind == "percent":
        value = to_number(groups[0])
        return None if value is None else ("pct", value)
    value = to_number(m.group(1) if m.groups() else m.group(0))
    return None if value is None else ("n", value)


def _month(token: str) -> int:
    return MONTHS[token.lower().rstrip(".")]


def _date_key(m: re.Match[str]) -> tuple[object, ...] | None:
    g = m.groups()
    text = m.group(0)
    try:
        if re.match(r"\d{4}-", text):
            day, month, year = int(g[2]), int(g[1]), int(g[0])
        elif re.match(r"\d{1,2}[/.]", text):
            day, month = int(g[0]), int(g[1])
            year = None if g[2] is None else int(g[2]) + (2000 if len(g[2]) == 2 else 0)
            if g[2] is None and not re.search(r"/", text):
                return None  # "3.5" is a number, not a date
        elif g[0][0].isdigit():
            day, month, year = int(g[0]), _month(g[1]), int(g[2]) if g[2] else None
        elif len(g) == 2:
            day, month, year = None, _month(g[0]), int(g[1])
        else:
            day, month, year = int(g[1]), _month(g[0]), int(g[2]) if g[2] else None
    except (KeyError, ValueError):
        return None
    if not 1 <= month <= 12 or (day is not None and not 1 <= day <= 31):
        return None
    return ("date", day, month, year)


def _time_key(g: tuple[str | None, ...]) -> tuple[object, ...] | None:
    if g[0] and g[0].lower() in {"midday", "noon"}:
        return ("time", 12, 0, True)
    if g[0] and g[0].lower() == "midnight":
        return ("time", 0, 0, True)
    hour = int(g[0]) if g[0] else 0
    minute = int(g[1]) if len(g) > 2 and g[1] else 0
    marker = (g[2] if len(g) > 2 else g[1]) or ""
    marker = marker.lower().replace(".", "")
    if hour > 23 or minute > 59:
        return None
    if marker == "pm" and hour < 12:
        hour += 12
    if marker == "am" and hour == 12:
        hour = 0
    return ("time", hour, minute, bool(marker) or hour > 12 or hour == 0)


def is_heading(line: str) -> bool:
    """A short line without sentence punctuation, or one ending in a colon, is a heading."""
    stripped = line.strip().strip("#*-• ").strip()
    return stripped.endswith(":") or (len(stripped.split()) <= 6 and not re.search(r"[.!?]$", stripped))


@lru_cache(maxsize=65536)
def word_frequency(word: str) -> float:
    """Zipf frequency of a lower-cased English word (0 if unknown; 7 is 'the')."""
    from wordfreq import zipf_frequency

    return zipf_frequency(word.lower(), "en")


# Capitalised words that are never person names in this domain, however rare.
_GENERIC_CAPITALISED = set(MONTHS) | set(WEEKDAYS) | {
    "i", "ok", "okay", "gp", "nhs", "cqc", "imca", "marac", "dols", "lps", "mca", "bsl", "ot", "ots", "cpn",
    "ae", "a&e", "sw", "dwp", "pip", "lpa", "mash", "pa", "sam", "asc",
}


def _names(text: str, taken: list[bool]) -> list[Detail]:
    out: list[Detail] = []
    line_start = 0
    for line in text.splitlines(keepends=True):
        if not is_heading(line):
            for m in _NAME.finditer(line):
                start, end = line_start + m.start(), line_start + m.end()
                if any(taken[start:end]):
                    continue
                word = m.group(0)
                before = line[: m.start()].rstrip()
                previous_word = re.findall(r"[A-Za-z]+\.?$", before)
                after_title = bool(previous_word) and previous_word[0].rstrip(".").lower() in TITLES
                initial = before == "" or before[-1] in ".!?:;\"'(-–—•*#" or re.fullmatch(r"[\d.)\]]+", before) is not None
                if word.lower().rstrip("'’s") in _GENERIC_CAPITALISED or word.lower() in TITLES:
                    continue
                frequency = word_frequency(word)
                if after_title or (not initial and frequency < 4.7) or (initial and frequency < 3.0):
                    out.append(Detail("name", word, start, end, ("name", word.lower())))
        line_start += len(line)
    return out
