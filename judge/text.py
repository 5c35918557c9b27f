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

from harness.splitting import split_sentences  # noqa: F401  (re-exported: the judge and the baseline split alike)

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
ORDINAL_WORDS = {
    "first": 1, "second": 2, "third": 3, "fourth": 4, "fifth": 5, "sixth": 6, "seventh": 7, "eighth": 8, "ninth": 9,
    "tenth": 10, "eleventh": 11, "twelfth": 12, "thirteenth": 13, "fourteenth": 14, "fifteenth": 15, "sixteenth": 16,
    "seventeenth": 17, "eighteenth": 18, "nineteenth": 19, "twentieth": 20, "thirtieth": 30,
}
for _i, _w in enumerate(["first", "second", "third", "fourth", "fifth", "sixth", "seventh", "eighth", "ninth"], start=1):
    ORDINAL_WORDS[f"twenty-{_w}"] = 20 + _i
    ORDINAL_WORDS[f"twenty {_w}"] = 20 + _i
ORDINAL_WORDS["thirty-first"] = ORDINAL_WORDS["thirty first"] = 31
_SCALES = {"hundred": 100, "thousand": 1000, "million": 1_000_000}
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
_MONTH = r"(?-i:January|February|March|April|May|June|July|August|September|October|November|December|Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sept|Sep|Oct|Nov|Dec)\b\.?"
_ORD = r"(?:st|nd|rd|th)?"

_HOUR = r"(?:one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|\d{1,2})"
_MINUTES_WORD = {"five": 5, "ten": 10, "quarter": 15, "a quarter": 15, "twenty": 20, "twenty-five": 25, "twenty five": 25, "half": 30}
_PERIOD = r"(?:\s+(?:in\s+the\s+(morning|afternoon|evening)|at\s+night|that\s+(?:night|evening)|(a\.?m\.?|p\.?m\.?)))?"
_ORDWORD = r"(?:" + "|".join(sorted((re.escape(w) for w in ORDINAL_WORDS), key=len, reverse=True)) + r")"
_NUMBER_WORD = "|".join(sorted({w for w in NUMBER_WORDS if " " not in w and w != "half"} | set(_SCALES), key=len, reverse=True))
_NUMWORDS_RUN = re.compile(rf"\b(?:a\s+)?(?:(?:{_NUMBER_WORD})(?:[\s-]+(?:and\s+)?)?)+\b", re.I)

_GAP = r"[^\S\n]+"  # spaces within a line: a date never runs from one line or paragraph into the next
_WEEKDAY_ABBREVIATIONS = {"mon": 0, "tue": 1, "tues": 1, "wed": 2, "thu": 3, "thur": 3, "thurs": 3, "fri": 4, "sat": 5, "sun": 6}

_PATTERNS: list[tuple[str, re.Pattern[str]]] = [
    ("dose", re.compile(rf"\b({_NUM}|{_WORDNUM})\s*(mg|milligrams?|mcg|µg|micrograms?|g|grams?|ml|millilit(?:re|er)s?|units?|iu)\b", re.I)),
    ("money", re.compile(rf"£\s?({_NUM})\s*(k|m|million|thousand)?\b|\b({_NUM})\s*pounds\b", re.I)),
    ("date", re.compile(rf"\b(\d{{1,2}}){_ORD}(?:{_GAP}of)?{_GAP}({_MONTH})(?:,?{_GAP}(\d{{4}}))?")),
    ("date", re.compile(rf"\b({_MONTH}){_GAP}(\d{{1,2}}){_ORD}\b(?:,?{_GAP}(\d{{4}}))?")),
    ("date", re.compile(r"\b(\d{4})-(\d{2})-(\d{2})\b")),
    ("date", re.compile(r"\b(\d{1,2})[/.](\d{1,2})(?:[/.](\d{2,4}))?\b(?![.:]\d)")),
    ("date", re.compile(rf"\b({_MONTH})\s+(\d{{4}})\b")),
    ("date", re.compile(rf"\b(?:the\s+)?({_ORDWORD})(?:\s+of)?\s+({_MONTH})(?:,?\s+(\d{{4}}))?", re.I)),
    ("date", re.compile(r"\b(?:(?:Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday)\s+)?the\s+(\d{1,2})(?:st|nd|rd|th)\b(?!\s+(?:of\s+)?[A-Z])")),
    ("date", re.compile(rf"\b(?:(?-i:Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday)\s+the|on\s+the)\s+({_ORDWORD})\b(?=\s*[,.;:!?)]|\s*$|\s+(?:at|and|or|about|in|when|so|but|until|I|we|she|he|they)\b)", re.I)),
    ("weekday", re.compile(r"\b(Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday)s?\b")),
    # "Thu 3 Jul 2025": an abbreviated weekday, only where a date follows (so "Sat with him" is not one)
    ("weekday", re.compile(r"\b(Mon|Tues?|Wed|Thu(?:rs?)?|Fri|Sat|Sun)\b\.?(?=[^\S\n]+\d)")),
    ("time", re.compile(rf"\b(half|quarter|a quarter|five|ten|twenty|twenty-five|twenty five)\s+(past|to)\s+({_HOUR})\b{_PERIOD}", re.I)),
    ("time", re.compile(rf"\bhalf\s+({_HOUR})\b(?!\s+(?:an?\s+)?(?:hour|day|week|month|year|dozen|mile))", re.I)),
    ("time", re.compile(rf"\b({_HOUR})\s+o'?\s?clock\b{_PERIOD}", re.I)),
    ("time", re.compile(r"\b(one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|\d{1,2})\s+(?:in\s+the\s+(morning|afternoon|evening)|at\s+(night))\b", re.I)),
    ("time", re.compile(r"\b(?:at|by|until|till)\s+(?:about\s+|around\s+|roughly\s+)?(one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve)\b(?=\s*[,.;:!?)]|\s*$|\s+(?:that|this|on|at|and|when|last|yesterday|tomorrow|tonight)\b)", re.I)),
    ("time", re.compile(r"\b(\d{1,2})[:.](\d{2})\s*(a\.?m\.?|p\.?m\.?)?(?![\d])", re.I)),
    ("time", re.compile(r"(?<![\d.])\b(\d{1,2})\s*(a\.?m\.?|p\.?m\.?)(?![a-z])", re.I)),  # not "2.3 PM referred"
    ("time", re.compile(r"\b(midday|noon|midnight)\b", re.I)),
    ("percent", re.compile(rf"\b({_NUM})\s*(?:%|per\s?cent\b)", re.I)),
    ("number", re.compile(rf"\b((?:{_WORDNUM})(?:[\s-]+(?:and\s+)?(?:{_WORDNUM}))*)\s+(?={COUNTED}\b)", re.I)),
    ("number", re.compile(rf"(?<![\w£.]){_NUM}(?:{_ORD})?\b")),
]
_UP_TO_TIMES = _PATTERNS[:max(i for i, (kind, _) in enumerate(_PATTERNS) if kind == "time") + 1]
_NAME = re.compile(r"\b[A-Z][a-zA-Z'’-]*[a-z][a-zA-Z'’-]*\b")


@dataclass(frozen=True)
class Detail:
    """One checkable detail: its kind, the text as written, where it is, and its normalised key."""

    kind: DetailKind
    text: str
    start: int
    end: int
    key: tuple[object, ...]


def to_number(token: str) -> float | None:
    """'1,200' -> 1200.0; 'three' -> 3.0; '3rd' -> 3.0; anything else -> None."""
    cleaned = token.strip().lower()
    if cleaned in NUMBER_WORDS:
        return float(NUMBER_WORDS[cleaned])
    if cleaned and cleaned[0].isalpha():
        return words_to_number(cleaned)
    cleaned = re.sub(r"(st|nd|rd|th)$", "", cleaned).replace(",", "")
    try:
        return float(cleaned)
    except ValueError:
        return None


def words_to_number(phrase: str) -> float | None:
    """'four thousand five hundred and thirty' -> 4530.0; 'a hundred' -> 100.0; 'twenty-eight' -> 28.0."""
    tokens = [t for t in re.split(r"[\s-]+", phrase.lower().strip()) if t and t != "and"]
    if not tokens:
        return None
    total, current, seen = 0.0, 0.0, False
    for index, token in enumerate(tokens):
        if token == "a" and index + 1 < len(tokens) and tokens[index + 1] in _SCALES:
            current += 1
        elif token in _SCALES:
            if _SCALES[token] == 100:
                current = max(current, 1) * 100
            else:
                total += max(current, 1) * _SCALES[token]
                current = 0
            seen = True
        elif token in NUMBER_WORDS and token not in {"half", "a couple of", "a dozen"}:
            current += NUMBER_WORDS[token]
            seen = True
        else:
            return None
    return total + current if seen else None


def number_word_values(text: str) -> set[float]:
    """Every number written in words in `text` ('thirty pounds' -> 30, 'eighty-six' -> 86)."""
    values = set()
    for match in _NUMWORDS_RUN.finditer(text):
        value = words_to_number(match.group(0))
        if value is not None:
            values.add(value)
    return values


def extract_details(text: str) -> list[Detail]:
    """Every detail in `text`, earlier patterns taking precedence over overlapping later ones."""
    taken = [False] * (len(text) + 1)
    found = _scan(text, _PATTERNS, taken)
    found.extend(_names(text, taken))
    return sorted(found, key=lambda d: d.start)


def extract_dates_and_times(text: str) -> list[Detail]:
    """The dates and times of `extract_details(text)`, found without its later patterns (numbers,
    percentages) and names, which never take precedence over them."""
    found = _scan(text, _UP_TO_TIMES, [False] * (len(text) + 1))
    return sorted((d for d in found if d.kind in {"date", "time"}), key=lambda d: d.start)


def _scan(text: str, patterns: list[tuple[str, re.Pattern[str]]], taken: list[bool]) -> list[Detail]:
    found: list[Detail] = []
    for kind, pattern in patterns:
        for match in pattern.finditer(text):
            start, end = match.span()
            if end <= start or any(taken[start:end]):
                continue
            if kind in {"number", "date", "time"} and _is_list_marker(text, start, end):
                continue
            if kind == "number" and _LABEL_BEFORE.search(text, max(0, start - 12), start):
                continue  # "ACTION 5", "Item 3": a label in the record's own numbering, not a count
            key = _normalise(kind, match)
            if key is None:
                continue
            for index in range(start, end):
                taken[index] = True
            raw = match.group(0)
            shown = raw.strip()
            if kind == "date":
                shown = shown.rstrip(".")
            begin = start + len(raw) - len(raw.lstrip())  # the span covers exactly the text shown
            found.append(Detail(kind, shown, begin, begin + len(shown), key))  # type: ignore[arg-type]
    return found


_LABEL_BEFORE = re.compile(r"(?i)\b(?:action|item|point|step|para(?:graph)?|no\.?)\s*$")


def _is_list_marker(text: str, start: int, end: int) -> bool:
    """'2.' or '2)' opening a line is list numbering, not a count; so is a paragraph number such as
    '2.1' or '3.2.1' opening a line ("2.1 HM opened the meeting")."""
    line_start = text.rfind("\n", 0, start) + 1
    if text[line_start:start].strip(" \t-•*#>") != "":
        return False
    if re.fullmatch(r"\d{1,2}(?:\.\d{1,2})+\.?", text[start:end]) and text[end:end + 1] in {" ", "\t", ".", ")"}:
        return True
    return text[end:end + 1] in {".", ")"} and text[start:end].isdigit()


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
        day = groups[0].lower()
        return ("weekday", WEEKDAYS[day] if day in WEEKDAYS else _WEEKDAY_ABBREVIATIONS[day])
    if kind == "time":
        if re.search(r"[a-z]", m.group(0)[:1], re.I) or re.search(r"o'?\s?clock|\bin the\b", m.group(0), re.I):
            if not re.match(r"(midday|noon|midnight)$", m.group(0), re.I):
                return _spoken_time_key(m.group(0), groups)
        return _time_key(groups)
    if kind == "percent":
        value = to_number(groups[0])
        return None if value is None else ("pct", value)
    value = to_number(m.group(1) if m.groups() else m.group(0))
    return None if value is None else ("n", value)


def _day(token: str) -> int:
    return ORDINAL_WORDS[token.lower()] if token.lower() in ORDINAL_WORDS else int(token)


def _month(token: str) -> int:
    return MONTHS[token.lower().rstrip(".")]


def _date_key(m: re.Match[str]) -> tuple[object, ...] | None:
    g = m.groups()
    text = m.group(0)
    try:
        if len(g) == 1:  # "Monday the 10th", "the eleventh": a day whose month the context gives
            return ("date", _day(g[0]), None, None)
        if g[0] and g[0].lower() in ORDINAL_WORDS:
            return ("date", _day(g[0]), _month(g[1]), int(g[2]) if g[2] else None)
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


def _hour(token: str) -> int:
    return int(NUMBER_WORDS[token.lower()]) if token.lower() in NUMBER_WORDS else int(token)


def _spoken_time_key(text: str, g: tuple[str | None, ...]) -> tuple[object, ...] | None:
    """'quarter past nine', 'half seven', 'ten o'clock', 'four in the afternoon'."""
    lower = text.lower()
    period = next((p.lower().replace(".", "") for p in g[1:] if p), "")
    if re.search(r"\b(?:at|that)\s+(?:night|evening)", lower):
        period = "evening"
    if re.match(r"(?:at|by|until|till)\b", lower):
        g = (re.sub(r"^(?:at|by|until|till)\s+(?:about\s+|around\s+|roughly\s+)?", "", lower),)
    if re.match(r"(?:half|quarter|a quarter|five|ten|twenty|twenty-five|twenty five)\s+(?:past|to)\b", lower):
        minutes = _MINUTES_WORD[g[0].lower()]  # type: ignore[union-attr]
        hour = _hour(g[2])  # type: ignore[arg-type]
        if g[1] and g[1].lower() == "to":
            hour, minutes = (hour - 1) % 12 or 12, 60 - minutes
        period = next((p.lower().replace(".", "") for p in g[3:] if p), period)
    elif lower.startswith("half "):
        hour, minutes = _hour(g[0]), 30  # type: ignore[arg-type]
    else:
        hour, minutes = _hour(g[0]), 0  # type: ignore[arg-type]
    if hour > 12:
        return ("time", hour, minutes, True)
    if period in {"afternoon", "evening", "pm"} and hour < 12:
        return ("time", hour + 12, minutes, True)
    if period in {"morning", "am"}:
        return ("time", 0 if hour == 12 else hour, minutes, True)
    return ("time", hour, minutes, False)


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
    if re.match(r"\s*#{1,6}\s", line) or re.fullmatch(r"\s*(?:>\s*)?\*\*[^*]+\*\*:?\s*", line):
        return True  # a Markdown heading, or a line that is only bold: "## Case Summary - Mrs Doyle", "**Summary**"
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
    "ae", "a&e", "sw", "dwp", "pip", "lpa", "mash", "pa", "sam", "asc", "ltd", "plc", "llp", "cic", "uk",
    # roles and the words of a minutes template, capitalised in some house styles ("The Chair advised", "| Ongoing |")
    "chair", "chairperson", "chairing", "summary", "ongoing", "tbc", "agenda", "owner", "outcome", "outcomes",
} | set(_WEEKDAY_ABBREVIATIONS)


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
                initial = before == "" or before[-1] in ".!?:;\"'(-–—•*#|>" or re.fullmatch(r"[\d.)\]]+", before) is not None
                if word.lower().rstrip("'’s") in _GENERIC_CAPITALISED or word.lower() in TITLES:
                    continue
                frequency = word_frequency(word)
                # At a sentence start a capitalised word is only a name candidate when another follows ("Priya Nair said").
                starts_full_name = initial and re.match(r"\s+[A-Z][a-z]", line[m.end():]) is not None
                if after_title or (frequency < 4.7 and (not initial or starts_full_name)):
                    out.append(Detail("name", word, start, end, ("name", word.lower())))
        line_start += len(line)
    return out
