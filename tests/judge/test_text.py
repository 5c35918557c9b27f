from __future__ import annotations

import sys

import pytest
from hypothesis import given
from hypothesis import strategies as st

from judge.text import MONTHS, extract_dates_and_times, extract_details, split_sentences, to_number

MONTH_NAMES = ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
               "November", "December"]


def keys(text: str, kind: str) -> list[tuple[object, ...]]:
    return [d.key for d in extract_details(text) if d.kind == kind]


@given(day=st.integers(1, 28), month=st.integers(1, 12), year=st.integers(2000, 2039))
def test_written_date_forms_normalise_to_one_key(day: int, month: int, year: int) -> None:
    name = MONTH_NAMES[month - 1]
    suffix = {1: "st", 2: "nd", 3: "rd", 21: "st", 22: "nd", 23: "rd"}.get(day, "th")
    forms = [f"{day} {name} {year}", f"{day}{suffix} {name} {year}", f"{name} {day}, {year}",
             f"{day:02d}/{month:02d}/{year}", f"{year}-{month:02d}-{day:02d}", f"the {day}{suffix} of {name} {year}"]
    found = {tuple(keys(f"Seen on {form} at home.", "date")) for form in forms}
    assert found == {(("date", day, month, year),)}


@given(hour=st.integers(1, 11), minute=st.sampled_from([0, 15, 30, 45]))
def test_morning_times_agree_across_forms(hour: int, minute: int) -> None:
    forms = [f"{hour}:{minute:02d}am", f"{hour}.{minute:02d} a.m.", f"{hour:02d}:{minute:02d} am"]
    assert {tuple(keys(f"Visit at {form} today.", "time")) for form in forms} == {(("time", hour, minute, True),)}


def test_pm_times_convert_to_24_hour() -> None:
    assert keys("Review at 2pm.", "time") == [("time", 14, 0, True)]
    assert keys("Review at 14:00.", "time") == [("time", 14, 0, True)]


@given(value=st.integers(1, 999), unit=st.sampled_from(["mg", " mg", " milligrams"]))
def test_doses_normalise_units(value: int, unit: str) -> None:
    assert keys(f"Takes {value}{unit} daily.", "dose") == [("mg", float(value))]


def test_dose_unit_conversion_and_words() -> None:
    assert keys("500 micrograms", "dose") == keys("0.5 mg", "dose") == [("mg", 0.5)]
    assert keys("five milligrams", "dose") == [("mg", 5.0)]
    assert keys("1 g of paracetamol", "dose") == [("mg", 1000.0)]


@given(pounds=st.integers(1, 10_000_000))
def test_money_with_thousands_separators(pounds: int) -> None:
    assert keys(f"Withdrew £{pounds:,} in total.", "money") == [("gbp", float(pounds))]


def test_money_shorthand() -> None:
    assert keys("£1.2k was taken", "money") == [("gbp", 1200.0)]


@given(st.integers(0, 10**9))
def test_to_number_round_trips_integers(value: int) -> None:
    assert to_number(f"{value:,}") == float(value)


def test_counts_need_a_counted_noun_when_written_as_words() -> None:
    assert keys("She had three falls.", "number") == [("n", 3.0)]
    assert keys("One of the carers said so.", "number") == []


def test_names_after_titles_and_mid_sentence_but_not_headings() -> None:
    names = [d.text for d in extract_details("Attendees\nThe meeting heard from Dr Okafor and Priya Nair today.") if d.kind == "name"]
    assert names == ["Okafor", "Priya", "Nair"]


def test_common_words_at_sentence_start_are_not_names() -> None:
    assert [d for d in extract_details("Nobody disagreed. Everyone agreed.") if d.kind == "name"] == []


@given(st.lists(st.sampled_from(["Mrs Hale fell on 3 March.", "She takes 5 mg.", "Risk is high!", "Why now?"]), min_size=1, max_size=6))
def test_sentence_split_recovers_the_sentences(parts: list[str]) -> None:
    assert split_sentences(" ".join(parts)) == parts


def test_month_table_covers_every_month() -> None:
    assert sorted(set(MONTHS.values())) == list(range(1, 13))


_UNITS = ["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "eleven", "twelve",
          "thirteen", "fourteen", "fifteen", "sixteen", "seventeen", "eighteen", "nineteen"]
_TENS = ["", "", "twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety"]


def spell(n: int) -> str:
    """British English number words, written independently of the code under test."""
    if n < 20:
        return _UNITS[n]
    if n < 100:
        return _TENS[n // 10] + ("" if n % 10 == 0 else "-" + _UNITS[n % 10])
    if n < 1000:
        rest = n % 100
        return _UNITS[n // 100] + " hundred" + ("" if rest == 0 else " and " + spell(rest))
    rest = n % 1000
    return spell(n // 1000) + " thousand" + ("" if rest == 0 else (" and " if rest < 100 else " ") + spell(rest))


@given(st.integers(0, 999_999))
def test_number_words_round_trip(value: int) -> None:
    from judge.text import number_word_values, words_to_number

    assert words_to_number(spell(value)) == float(value)
    assert float(value) in number_word_values(f"He said {spell(value)} pounds, I think.")


@pytest.mark.parametrize("spoken, key", [
    ("about half seven", ("time", 7, 30, False)),
    ("at quarter past nine", ("time", 9, 15, False)),
    ("twenty to three", ("time", 2, 40, False)),
    ("ten past nine that night", ("time", 21, 10, True)),
    ("four in the afternoon", ("time", 16, 0, True)),
    ("eleven at night", ("time", 23, 0, True)),
    ("ten past six in the morning", ("time", 6, 10, True)),
    ("ten o'clock", ("time", 10, 0, False)),
    ("we met at about nine, then left", ("time", 9, 0, False)),
])
def test_spoken_times(spoken: str, key: tuple[object, ...]) -> None:
    assert keys(spoken, "time") == [key]


@pytest.mark.parametrize("spoken, key", [
    ("on Monday the 10th, about", ("date", 10, None, None)),
    ("on the eleventh of March", ("date", 11, 3, None)),
    ("Friday the twenty-first, I think", ("date", 21, None, None)),
])
def test_spoken_dates(spoken: str, key: tuple[object, ...]) -> None:
    assert keys(spoken, "date") == [key]


@pytest.mark.parametrize("prose", ["the first time she fell", "she first decided", "on the second visit", "Half an hour later",
                                   "in may or june", "at nine people's homes"])
def test_ordinary_prose_holds_no_dates_or_times(prose: str) -> None:
    assert keys(prose, "date") == [] and keys(prose, "time") == []


def test_numbered_list_markers_are_not_counts() -> None:
    assert keys("1. Priya to visit.\n2) Sam to call.", "number") == []


FRAGMENTS = ["Seen on 3 March 2025", "at 10:30am", "half past two", "5 mg twice daily", "£40", "Mrs Hale", "on the 9th",
             "Monday the 10th", "at four", "12 visits", "50%", "14/03", "2025-03-04", "at midday", "ten o'clock", "Dr Rahman"]


@given(st.lists(st.sampled_from(FRAGMENTS), min_size=1, max_size=8), st.sampled_from([" ", ", ", ". ", " and "]))
def test_dates_and_times_alone_are_those_of_every_detail(parts: list[str], joiner: str) -> None:
    text = joiner.join(parts) + "."
    wanted = [(d.kind, d.start, d.key) for d in extract_details(text) if d.kind in {"date", "time"}]
    assert [(d.kind, d.start, d.key) for d in extract_dates_and_times(text)] == wanted


def test_terms_are_the_same_when_threads_stem_at_once() -> None:
    # the runner scores cases in worker threads; the shared stemmer must not mix their words up
    from concurrent.futures import ThreadPoolExecutor

    from judge.align import _term

    words = [f"{stem}{ending}" for stem in ("safeguard", "consent", "capacit", "medicat", "discharg", "neglect")
             for ending in ("ing", "ed", "es", "ation", "ly", "ness", "ments")]
    expected = {w: _term.__wrapped__(w) for w in words}
    interval = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)  # switch threads often: without the lock 21 of 30 rounds came out wrong
    try:
        with ThreadPoolExecutor(8) as pool:
            for _ in range(30):
                assert dict(zip(words, pool.map(_term.__wrapped__, words))) == expected
    finally:
        sys.setswitchinterval(interval)
