"""Find where a statement is said: weighted term coverage between a statement and passages.

A statement (a key fact, or a claim from an output) is reduced to its content terms: stemmed
words (Snowball English stemmer), numbers with number words turned into digits, and the
normalised keys of dates and times. Each term weighs by how rare the word is in English
(wordfreq Zipf frequency), so "apixaban" or "Whitley" count for more than "meeting".

`coverage(statement, passage)` is the weighted share of the statement's terms that the passage
contains: 1.0 means every content term is there, 0.0 none. It is a lexical measure: paraphrase is
met through stems and a short list of equivalent terms (`EQUIVALENTS`), not through meaning.
"""

from __future__ import annotations

import math
import re
import threading
from dataclasses import dataclass
from functools import lru_cache

import snowballstemmer

from .text import MONTHS, NUMBER_WORDS, ORDINAL_WORDS, extract_dates_and_times, split_sentences, word_frequency

STOPWORDS = frozenset("""
a about above after again against all also am an and any are as at be because been before being below between both
but by can could did do does doing down during each few for from further had has have having he her here hers herself
him himself his how i if in into is it its itself just me more most my myself no nor not of off on once only or other
our ours ourselves out over own same she should so some such than that the their theirs them themselves then there
these they this those through to too under until up very was we were what when where which while who whom why will
with would you your yours yourself yourselves said says say told tell asked ask per via mr mrs ms miss mx dr
""".split())

# Words written differently in speech, notes and minutes that mean the same here; each maps to one stem.
EQUIVALENTS = {
    "doctor": "gp", "gps": "gp", "physician": "gp",
    "pc": "police", "dc": "police", "officer": "police", "constable": "police",
    "mg": "milligram", "milligrams": "milligram", "milligramme": "milligram",
    "ml": "millilitr", "millilitres": "millilitr",
    "mca": "capac", "s42": "section42",
    "dols": "deprivation",
    "mum": "mother", "dad": "father",
    "weekly": "week", "daily": "day", "monthly": "month",
    "am": "morning", "pm": "afternoon",
}

_STEMMER = snowballstemmer.stemmer("english")
# A Snowball stemmer keeps the word it is working on in the instance, so two threads stemming at once
# corrupt each other's word (IndexError, or a wrong stem). The runner scores cases in worker threads.
_STEMMER_LOCK = threading.Lock()
# Every date or time `extract_details` can find holds one of these: a cheap test that skips the search.
_WHEN_WORDS = sorted(set(MONTHS) | {w for w in NUMBER_WORDS if " " not in w} | {w.split()[-1] for w in ORDINAL_WORDS}
                     | {"quarter", "midday", "noon", "midnight", "clock"}, key=len, reverse=True)
_MAY_HOLD_WHEN = re.compile(r"\d|\b(?:" + "|".join(map(re.escape, _WHEN_WORDS)) + r")", re.I)
_TOKEN = re.compile(r"[A-Za-z][A-Za-z'’-]*|\d+(?:[.,]\d+)?")


@lru_cache(maxsize=65536)
def _term(word: str) -> str | None:
    """The normalised term for one token, or None for a stopword."""
    lower = word.lower().replace("’", "'")
    if lower.endswith("'s"):
        lower = lower[:-2]
    if lower in STOPWORDS or len(lower) < 2 and not lower.isdigit():
        return None
    if lower in EQUIVALENTS:
        return EQUIVALENTS[lower]
    if lower in NUMBER_WORDS and lower not in {"one", "a", "half"}:
        return f"{NUMBER_WORDS[lower]:g}"
    if lower[0].isdigit():
        return lower.replace(",", "")
    with _STEMMER_LOCK:
        stem = _STEMMER.stemWord(lower)
    return EQUIVALENTS.get(stem, stem)


@lru_cache(maxsize=65536)
def term_weight(term: str) -> float:
    """How much a term counts: rarer English words weigh more (1.0 for the commonest, 4.0 for unknown)."""
    if term[0].isdigit():
        return 2.5
    return max(1.0, min(4.0, 7.0 - word_frequency(term)))


def terms(text: str) -> frozenset[str]:
    """The content terms of a text: stems, digits, and date/time keys."""
    found = {t for t in map(_term, _TOKEN.findall(text)) if t}
    if not _MAY_HOLD_WHEN.search(text):
        return frozenset(found)  # no digit, month, number, ordinal or clock word: no date or time to find
    for detail in extract_dates_and_times(text):
        found.add(f"{detail.kind}:{detail.key}")
    return frozenset(found)


@dataclass(frozen=True)
class Passage:
    """A stretch of text (one sentence or adjacent sentences) and its terms."""

    text: str
    start: int
    end: int
    terms: frozenset[str]


Weights = dict[str, float]


def coverage(statement_terms: frozenset[str], passage_terms: frozenset[str], weights: Weights | None = None) -> float:
    """Weighted share of the statement's terms that the passage holds (0 to 1; 1 when the statement has none).

    `weights` (from `document_weights`) replaces the English-rarity weight of terms it holds."""
    weigh = (lambda t: weights.get(t, term_weight(t))) if weights else term_weight
    total = sum(weigh(t) for t in statement_terms)
    if total == 0:
        return 1.0
    return sum(weigh(t) for t in statement_terms if t in passage_terms) / total


def document_weights(sentences: list[Passage] | tuple[Passage, ...]) -> Weights:
    """Term weights for one document: English rarity times how few of its sentences hold the term.

    A term in every sentence (the adult's name in minutes about them) keeps a fifth of its weight; a
    term in one sentence keeps all of it, so matching rests on what distinguishes a statement."""
    counts: dict[str, int] = {}
    for sentence in sentences:
        for t in sentence.terms:
            counts[t] = counts.get(t, 0) + 1
    n = max(1, len(sentences))
    return {t: term_weight(t) * max(0.2, math.log((n + 1) / (df + 0.5)) / math.log((n + 1) / 1.5)) for t, df in counts.items()}


def sentence_spans(text: str) -> list[tuple[str, int, int]]:
    """(sentence, start, end) for each sentence of `text` (lines and sentence ends), in order."""
    spans: list[tuple[str, int, int]] = []
    cursor = 0
    for sentence in split_sentences(text):
        start = text.find(sentence, cursor)
        if start < 0:
            start = cursor
        cursor = start + len(sentence)
        spans.append((sentence, start, cursor))
    return spans


def passages(text: str, window: int = 2) -> list[Passage]:
    """Sentences of `text` (lines and sentence ends) and runs of up to `window` adjacent sentences."""
    sentences = sentence_spans(text)
    found: list[Passage] = []
    for size in range(1, window + 1):
        for i in range(len(sentences) - size + 1):
            run = sentences[i:i + size]
            start, end = run[0][1], run[-1][2]
            span = text[start:end]
            found.append(Passage(span, start, end, terms(span)))
    return found


@lru_cache(maxsize=512)
def cached_passages(text: str, window: int = 2) -> tuple[Passage, ...]:
    """`passages` cached by text: scorers ask about the same outputs and sources many times."""
    return tuple(passages(text, window))


def best_match(statement: str, candidates: tuple[Passage, ...] | list[Passage],
               weights: Weights | None = None) -> tuple[float, Passage | None]:
    """The candidate passage that covers most of the statement, preferring the shorter on ties."""
    wanted = terms(statement)
    best: tuple[float, Passage | None] = (0.0, None)
    for passage in candidates:
        value = coverage(wanted, passage.terms, weights)
        current, chosen = best
        if value > current + 1e-9 or (chosen is not None and abs(value - current) <= 1e-9 and len(passage.text) < len(chosen.text)):
            best = (value, passage)
    return best
