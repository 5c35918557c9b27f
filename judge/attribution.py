"""Statements credited to the wrong person, and the adult's identity given to somebody else.

A claim that names a person from the source ("Kofi Asante to send the summary") is checked in
three steps:
1. What the claim says of them apart from names (the whole claim, or the bracketed aside that names
   them) is looked up in the source's clauses and the case's key facts (weighted term coverage,
   `judge.align`). The claim is checked only when some clause covers at least `SAID_AT` of it:
   the statement itself is in the source.
2. A clause credits the person when it names them (first name or surname; first name only where
   the surname is shared or is the adult's), or is in their voice (their transcript turn or case
   note) and names nobody else but the people of the claim and the adult: a note that says
   "Shona Patel to keep ..." credits Shona Patel, not the note's author.
3. The person is cleared when a clause covering at least `LINKED_AT` of the statement, and at least
   `CREDITED_AT` of what the best clause covers, credits them. Otherwise, when the best clause names
   somebody else from the source, the claim is flagged: the source credits the statement to that
   person. (Where a weaker clause credits the person, the adult is not taken for that somebody else.)

Identity: a claim that gives a person the adult's age ("Mrs Priya Venkatesan (81)", where 81 is the
adult's age and Priya Venkatesan the occupational therapist) is flagged too. The adult is the
case's subject when known, else the person the source mentions most (note authors left out).

`SAID_AT`, `LINKED_AT` and `CREDITED_AT` were chosen on the odd-numbered cases of the bundled
golden sets and checked on the even-numbered ones (README, "Statements credited to the wrong person").
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from functools import lru_cache

from .align import Passage, coverage, sentence_spans, terms
from .people import authors_in, mentioned, name_pattern, people_in, voice_at

SAID_AT = 0.9
LINKED_AT = 0.3
CREDITED_AT = 0.5
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
def _shared_surnames(source: str, adult_surname: str | None) -> frozenset[str]:
    """Surnames that do not tell people apart: shared by two people, or the adult's."""
    surnames = [p.split()[-1] for p in people_in(source)]
    shared = {name for name, n in Counter(surnames).items() if n > 1}
    return frozenset(shared | ({adult_surname} if adult_surname else set()))


@lru_cache(maxsize=128)
def adult_surname(source: str, adult: str | None = None) -> str | None:
    """The surname of the person the record is about: from `adult` (the case's subject, "Margaret
    (Peggy) Doyle") when given, else the surname of the person the text mentions most (first name
    or surname), note authors left out."""
    if adult:
        return re.sub(r"\([^)]*\)", " ", adult).split()[-1]
    authors = set(authors_in(source))

    def mentions(person: str) -> int:
        return len(re.findall(rf"\b(?:{name_pattern(person)})\b", source))
    candidates = [p for p in people_in(source) if p not in authors]
    return max(candidates, key=mentions).split()[-1] if candidates else None


def _the_adult_among(people: list[str], surname: str | None, adult: str | None) -> list[str]:
    """The people of the source who are the adult: the adult's surname, and their first name (or
    the name in brackets, "Margaret (Peggy) Doyle") when known, so a relative who shares the
    surname is not taken for the adult."""
    family = [p for p in people if p.split()[-1] == surname]
    given = set(re.sub(r"[()]", " ", adult).split()[:-1]) if adult else set()
    return [p for p in family if p.split()[0] in given] or family


def _names(person: str, text: str, shared: frozenset[str]) -> bool:
    if person.split()[-1] in shared:
        return re.search(rf"\b{re.escape(person.split()[0])}\b", text) is not None
    return mentioned(person, text)


def _credits(person: str, clause: Passage, source: str, shared: frozenset[str], bystanders: list[str]) -> bool:
    """The clause credits the person: it names them, or it is in their voice and names nobody but
    `bystanders` (the people the claim mentions, and the adult)."""
    if _names(person, clause.text, shared):
        return True
    if clause.start == NO_VOICE or voice_at(source, clause.start) != person:
        return False
    return not any(mentioned(q, clause.text) for q in people_in(source) if q != person and q not in bystanders
                   and q.split()[-1] != person.split()[-1])


def _without(text: str, names: list[str]) -> str:
    for name in names:
        text = text.replace(name, " ")
    return text


def _said_of(person: str, claim: str, named: list[str]) -> str:
    """The part of the claim said of the person: the bracketed aside that names them when it says
    something of its own ("(Mark Sutton said Monday 14 April)"), else the whole claim."""
    for aside in re.findall(r"\(([^()]*)(?:\)|$)", claim):
        if person in aside and len(terms(_without(aside, named))) >= MIN_TERMS:
            return aside
    return claim


_AGE_NEXT = re.compile(r"\W{0,3}(?:aged\s+|is\s+|was\s+)?\d")  # cheap test: a number straight after the name
_AGE_AFTER = r"(?:\s*\(\s*(?:aged\s+)?|,\s*(?:aged\s+)?|\s+(?:is|was|aged)\s+)(\d{1,3})\b(?!\s*(?:mg|kg|%|/|:|\.\d))"


@lru_cache(maxsize=4096)
def ages_given(names: str, text: str) -> frozenset[int]:
    """Ages written straight after a name: "Mrs Campbell (81)", "Jakub Nowak, 19,", "Mrs Campbell is 81"."""
    found = {int(m.group(1)) for m in re.finditer(rf"\b(?:{names}){_AGE_AFTER}", text)}
    return frozenset(age for age in found if 16 <= age <= 110)


def _given_adults_age(person: str, claim: str, source: str, surname: str | None, age: int | None) -> Misattribution | None:
    """The claim gives the person the age the source gives the adult ("Mrs Priya Venkatesan (81)"
    where 81 is Mrs Campbell's age and Priya Venkatesan is the occupational therapist)."""
    if not surname or person.split()[-1] == surname:
        return None
    if not any(_AGE_NEXT.match(claim, m.end()) for m in re.finditer(re.escape(person), claim)):
        return None
    claimed = ages_given(re.escape(person), claim)
    adults = ages_given(re.escape(surname), source) | ({age} if age else set())
    wrong = claimed & (adults - ages_given(name_pattern(person), source))
    if not wrong:
        return None
    where = re.search(rf"\b{re.escape(surname)}{_AGE_AFTER}", source)
    evidence = source[max(0, where.start() - 40):where.end()].strip() if where else f"the adult is {age}"
    return Misattribution(person, (surname,), evidence)


def misattributed(claim: str, source: str, facts: tuple[str, ...] = (), adult: str | None = None,
                  adult_age: int | None = None) -> list[Misattribution]:
    """The people the claim names whom the source does not link to what the claim says of them, and
    people given the adult's age.

    `adult` and `adult_age` describe the person the case is about (the golden case's subject); when
    not given, the adult is the person the source mentions most and their age is read from it."""
    people = people_in(source)
    named = [p for p in people if p in claim]
    named = [p for p in named if not any(p != longer and p in longer for longer in named)]  # "Gurdev Singh" in "Gurdev Singh Sandhu"
    if not named:
        return []
    surname = adult_surname(source, adult)
    shared = _shared_surnames(source, surname)
    in_claim = [q for q in people if mentioned(q, claim)]
    adults = _the_adult_among(people, surname, adult)
    found = []
    for person in named:
        given_age = _given_adults_age(person, claim, source, surname, adult_age)
        if given_age:
            found.append(given_age)
            continue
        wanted = terms(_without(_said_of(person, claim, named), named))
        if len(wanted) < MIN_TERMS:
            continue
        ranked = sorted(((coverage(wanted, c.terms), c) for c in _pool(source, facts)), key=lambda pair: -pair[0])
        if not ranked or ranked[0][0] < SAID_AT:
            continue
        best_value, best = ranked[0]
        own = max((value for value, c in ranked if value >= LINKED_AT
                   and _credits(person, c, source, shared, in_claim + adults)), default=0.0)
        if own and own >= CREDITED_AT * best_value:
            continue
        # weakly linked (own > 0): only somebody other than the adult can be the one credited instead
        others = tuple(q for q in people if q not in in_claim and not (own and q in adults)
                       and q.split()[-1] != person.split()[-1] and mentioned(q, best.text))
        if others:
            found.append(Misattribution(person, others, best.text))
    return found
