"""Statements credited to the wrong person.

A claim that names a person from the source ("Kofi Asante to send the summary") is checked in
three steps:
1. What the claim says apart from its names is looked up in the source's clauses and the case's key
   facts (weighted term coverage, `harness.align`). The claim is checked only when some clause
   covers at least `SAID_AT` of it: the statement itself is in the source.
2. The person is cleared when any clause that covers at least `LINKED_AT` of the statement names
   them (first name or surname; first name only where the surname is shared or is
   the adult's, the surname the source mentions most) or is in their voice
   (their transcript turn or case note).
3. Otherwise, when the clause that best states it names somebody else from the source, the claim
   is flagged: the source credits the statement to that person.

`SAID_AT` and `LINKED_AT` were chosen on the odd-numbered cases of the bundled golden sets and
checked on the even-numbered ones (README, "Statements credited to the wrong person").
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from functools import lru_cache

from .align import Passage, coverage, sentence_spans, terms
from .people import mentioned, people_in, voice_at

SAID_AT = 0.8
LINKED_AT = 0.3
MIN_TERMS = 3
_CLAUSE_BREAK = re.compile(r"(;\s+|\s[-–—]\s)")
NO_VOICE = -1  # start offset of clauses that come from key facts, which have no speaker


@dataclass(frozen=True)
class Misattribution:
    """The person a claim credits, the people the source credits instead, and that source clause."""

    person: str
    credited_in_source: tuple[str, ...]
    evidence: str


def _clauses(text: str, keep_offsets: bool) -> list[Passage]:
    found = []
    for sentence, offset, _ in sentence_spans(text):
        for piece in _CLAUSE_BREAK.split(sentence):
            if piece and not _CLAUSE_BREAK.fullmatch(piece):
                where = offset if keep_offsets else NO_VOICE
                found.append(Passage(piece, where, where + len(piece), terms(piece)))
            offset += len(piece)
    return found


@lru_cache(maxsize=128)
def _pool(source: str, facts: tuple[str, ...]) -> tuple[Passage, ...]:
    return tuple(_clauses(source, True) + [c for fact in facts for c in _clauses(fact, False)])


@lru_cache(maxsize=128)
def _shared_surnames(source: str) -> frozenset[str]:
    """Surnames that do not tell people apart: shared by two people, or the adult's (the most mentioned)."""
    surnames = [p.split()[-1] for p in people_in(source)]
    shared = {name for name, n in Counter(surnames).items() if n > 1}
    mentions = Counter({name: len(re.findall(rf"\b{re.escape(name)}\b", source)) for name in surnames})
    return frozenset(shared | {name for name, _ in mentions.most_common(1)})


def _names(person: str, text: str, shared: frozenset[str]) -> bool:
    if person.split()[-1] in shared:
        return re.search(rf"\b{re.escape(person.split()[0])}\b", text) is not None
    return mentioned(person, text)


def misattributed(claim: str, source: str, facts: tuple[str, ...] = ()) -> list[Misattribution]:
    """The people the claim names whom the source does not link to what the claim says of them."""
    people = people_in(source)
    named = [p for p in people if p in claim]
    named = [p for p in named if not any(p != longer and p in longer for longer in named)]  # "Gurdev Singh" in "Gurdev Singh Sandhu"
    if not named:
        return []
    statement = claim
    for person in named:
        statement = statement.replace(person, " ")
    wanted = terms(statement)
    if len(wanted) < MIN_TERMS:
        return []
    ranked = sorted(((coverage(wanted, c.terms), c) for c in _pool(source, facts)), key=lambda pair: -pair[0])
    if not ranked or ranked[0][0] < SAID_AT:
        return []
    best = ranked[0][1]
    linked = [c for value, c in ranked if value >= LINKED_AT]
    shared = _shared_surnames(source)
    found = []
    for person in named:
        if any(_names(person, c.text, shared) or (c.start != NO_VOICE and voice_at(source, c.start) == person) for c in linked):
            continue
        others = tuple(q for q in people if q not in named and q.split()[-1] != person.split()[-1] and mentioned(q, best.text))
        if others:
            found.append(Misattribution(person, others, best.text))
    return found
