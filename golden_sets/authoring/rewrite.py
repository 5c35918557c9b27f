"""Faithful rewrites of an output: the same statements in another council's house style.

Each rewrite changes only form, never what is stated, so a scorer's verdict on a faithful output
must survive it (the robustness properties in `tests/suites/test_robustness.py`):

- `reorder_sections`: the blocks between headings in another order (the title block stays first);
- `singular_headings` / `plural_headings`: "Decisions" <-> "Decision", "Actions" <-> "Action" ...;
- `bullets_to_prose`: a run of "- " bullet lines becomes one paragraph of sentences;
- `numbered_to_bullets`: "1. " / "1) " list markers become "- ";
- `pronoun_after_first_mention`: the adult's title and surname become "he" / "she" after the first
  mention, at the start of a sentence only (where the pronoun cannot be read as somebody else's);
- `date_style`: "11 March 2025" written as 11/03/2025, 11.03.2025, "11th March 2025" or "March 11, 2025".

"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence

from judge.text import MONTHS

_HEADING_LINE = re.compile(r"^\s*(?:\d+(?:\.\d+)*\.?\s+)?[A-Z][^.:!?]{0,60}:?\s*$")
_PLURALS = {"Decision": "Decisions", "Action": "Actions", "Attendee": "Attendees", "Risk": "Risks", "Concern": "Concerns",
            "Referral": "Referrals", "View": "Views", "Apology": "Apologies", "Outcome": "Outcomes", "Wish": "Wishes"}
_MONTH_NAMES = [max((name for name, n in MONTHS.items() if n == number), key=len).capitalize() for number in range(1, 13)]
_LONG_DATE = re.compile(r"\b(\d{1,2}) (" + "|".join(_MONTH_NAMES) + r") (\d{4})\b")


def _blocks(text: str) -> list[str]:
    return [b for b in re.split(r"\n\s*\n", text.strip()) if b.strip()]


def reorder_sections(text: str, order: Sequence[int] = ()) -> str:
    """The blank-line-separated blocks after the first in the order given (indices into them; missing
    ones follow in their own order); by default reversed."""
    blocks = _blocks(text)
    head, rest = blocks[:1], blocks[1:]
    wanted = [i for i in order if 0 <= i < len(rest)] if order else list(range(len(rest)))[::-1]
    wanted = list(dict.fromkeys(wanted)) + [i for i in range(len(rest)) if i not in wanted]
    return "\n\n".join(head + [rest[i] for i in wanted]) + "\n"


def _headings(text: str, mapping: dict[str, str]) -> str:
    def fix(line: str) -> str:
        if not _HEADING_LINE.match(line):
            return line
        return re.sub(r"\b(" + "|".join(map(re.escape, mapping)) + r")\b", lambda m: mapping[m.group(1)], line, count=1)
    return "\n".join(fix(line) for line in text.split("\n"))


def singular_headings(text: str) -> str:
    """Plural words in heading lines made singular ("Decisions" -> "Decision")."""
    return _headings(text, {p: s for s, p in _PLURALS.items()})


def plural_headings(text: str) -> str:
    """Singular words in heading lines made plural ("Decision" -> "Decisions")."""
    return _headings(text, _PLURALS)


def bullets_to_prose(text: str) -> str:
    """Each run of bullet lines ("- ", "* ", "• ") joined into one paragraph, each item ending in a full stop."""
    out: list[str] = []
    run: list[str] = []

    def flush() -> None:
        if run:
            out.append(" ".join(item if item.endswith((".", "!", "?", '"', "”")) else item + "." for item in run))
            run.clear()
    for line in text.split("\n"):
        bullet = re.match(r"^\s*[-*•]\s+(.*\S)\s*$", line)
        if bullet:
            run.append(bullet.group(1))
        else:
            flush()
            out.append(line)
    flush()
    return "\n".join(out)


def numbered_to_bullets(text: str) -> str:
    """List markers "1. " and "1) " at the start of a line become "- "."""
    return re.sub(r"(?m)^(\s*)\d{1,2}[.)]\s+(?=\S)", r"\1- ", text)


def pronoun_after_first_mention(text: str, title_surname: str, pronoun: str) -> str:
    """After its first mention, "Mr Nowak" opening a sentence becomes "He" (`pronoun` "he" or "she");
    "Mr Nowak's" becomes "His" / "Her". Mentions inside a sentence are kept: a pronoun there could be
    read as another person."""
    first = text.find(title_surname)
    if first < 0:
        return text
    possessive = {"he": "His", "she": "Her"}[pronoun]
    head, tail = text[:first + len(title_surname)], text[first + len(title_surname):]
    start = r"((?:^|(?<=[.!?]\s))\s*)"
    tail = re.sub(start + re.escape(title_surname) + r"['’]s\b", lambda m: m.group(1) + possessive, tail, flags=re.M)
    tail = re.sub(start + re.escape(title_surname) + r"\b(?!['’])", lambda m: m.group(1) + pronoun.capitalize(), tail,
                  flags=re.M)
    return head + tail


def date_style(text: str, style: str) -> str:
    """Dates written "11 March 2025" in one of: "numeric" 11/03/2025, "dotted" 11.03.2025, "ordinal"
    11th March 2025, "american" March 11, 2025."""
    def write(m: re.Match[str]) -> str:
        day, month, year = int(m.group(1)), MONTHS[m.group(2).lower()], m.group(3)
        if style == "numeric":
            return f"{day:02d}/{month:02d}/{year}"
        if style == "dotted":
            return f"{day:02d}.{month:02d}.{year}"
        if style == "ordinal":
            suffix = "th" if 10 <= day % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(day % 10, "th")
            return f"{day}{suffix} {m.group(2)} {year}"
        if style == "american":
            return f"{m.group(2)} {day}, {year}"
        raise ValueError(f"unknown date style {style!r}")
    return _LONG_DATE.sub(write, text)


DATE_STYLES = ("numeric", "dotted", "ordinal", "american")
REWRITES: dict[str, Callable[..., str]] = {
    "reorder_sections": reorder_sections, "singular_headings": singular_headings, "plural_headings": plural_headings,
    "bullets_to_prose": bullets_to_prose, "numbered_to_bullets": numbered_to_bullets,
    "pronoun_after_first_mention": pronoun_after_first_mention, "date_style": date_style,
}
