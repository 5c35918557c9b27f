"""Negation: does a claim state the opposite of the evidence that says the same thing?

Texts are cut into clauses (at sentence ends, commas, semicolons, colons, brackets, quotes, dashes
and "but"). In a clause, a negation cue ("not", "n't", "no", "never", "nothing", "without",
"cannot", "unable", "lacks", "rather than"; "unpaid" reads as "not paid") negates the content terms
in the three words after it: "did not consent" negates consent, "lacks capacity" negates capacity.
"Declined" and "refused" negate accepting, and "consented", "agreed" and "accepted" affirm it, so
all of them meet in one term. "Not ... until" is a delay, and "no question", "no doubt" affirm.

`contradicted(claim, evidence)` compares each clause of the claim that has at least `MIN_TERMS`
word terms with the evidence clauses that say the same thing: they hold at least `SAME_AT` of the
claim clause's word terms (weighted) and at least `BACK_AT` of their own are in the claim clause
(numbers, dates and calendar words are left out: `unsupported_details` checks those). Questions
are not evidence. The claim clause is contradicted when the evidence clause that covers it most
fully states a word they share the other way (exactly one side negating; where the negation's
first word is among them, that word: "did not consent to the police" turns on consent, not on
police), and no other such evidence clause states that word the way the claim does (and none of
them the other way); clauses that do not hold the word do not vote. "She consented to police
involvement" against "She did not consent to police involvement" is contradicted, and stays so
beside "She was offered police involvement"; "No notification was received" against "CQC had not
received a notification" is not: both negate.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import lru_cache

from .align import _term, coverage, terms

SAME_AT = 0.75
BACK_AT = 0.4
MIN_TERMS = 2
REACH = 3  # a cue governs the content terms within this many words after it

ACCEPT = "accept"
_ACCEPTING = {"consent", "agre", "accept"}
_REFUSING = {"declin", "refus"}
_CUES = {"not", "no", "never", "nothing", "nobody", "none", "nor", "without", "cannot", "lack", "lacks", "lacked",
         "lacking", "neither", "unable"}
_CLAUSE = re.compile(r"(?<=[.!?])\s+|[,;:()\[\]\"“”]|\s[-–—]\s|\b(?:but|however|whereas|although|though)\b", re.I)
_WORD = re.compile(r"[A-Za-z][A-Za-z'’-]*|\d+(?:[.,]\d+)?")
_CONTRACTION = re.compile(r"(?i)n['’]t\b")
_FIXED = [(re.compile(r"(?i)\brather than\b|\binstead of\b"), " not "),
          (re.compile(r"(?i)\bno[- ]one\b"), " nobody "),
          (re.compile(r"(?i)\bun(staffed|paid|substantiated|recorded|reported|known|confirmed|supported|treated|signed|seen|"
                      r"answered|attended|checked|met|accounted|prescribed|planned|safe|willing|aware|able)\b"), r" not \1"),
          (re.compile(r"(?i)\bno (?:question|doubt)\b"), " "),
          (re.compile(r"(?i)\b(?:not|never)\b([^.;,]*?)\buntil\b"), r" \1 until "),
          (re.compile(r"(?i)\bcan not\b"), " cannot ")]


_ANAPHOR = re.compile(r"(?i)\b(?:that|this|these|those|the same|such)\s+(?:decisions?|matters?|issues?|questions?|choices?|"
                      r"plans?|options?|arrangements?|points?|proposals?|suggestions?)\b|\bit\b")

_CALENDAR = {_term(w) for w in "monday tuesday wednesday thursday friday saturday sunday january february march april may june "
             "july august september october november december".split()}


def _is_word(term: str) -> bool:
    """A word term that a flip can turn on: not a number, date key or calendar word."""
    return term.isalpha() and term not in _CALENDAR


def _concept(term: str) -> str:
    return ACCEPT if term in _ACCEPTING else term


def _with_plain_negations(clause: str) -> str:
    """The clause with "n't", "rather than", "unpaid" and the like written as plain "not" cues."""
    text = _CONTRACTION.sub(" not", clause)
    for pattern, replacement in _FIXED:
        text = pattern.sub(replacement, text)
    return text


@lru_cache(maxsize=16384)
def stances(clause: str) -> dict[str, frozenset[bool]]:
    """Each content term of a clause with how it is stated: True affirmed, False negated."""
    text = _with_plain_negations(clause)
    found: dict[str, set[bool]] = {}
    reach = 0  # words left that the last cue still governs
    for word in _WORD.findall(text):
        if word.lower() in _CUES:
            reach = REACH
            continue
        term = _term(word)
        negated = reach > 0
        reach = max(0, reach - 1)
        if not term:
            continue
        if term in _REFUSING:
            found.setdefault(ACCEPT, set()).add(negated)  # "did not refuse" affirms accepting
        else:
            found.setdefault(_concept(term), set()).add(not negated)
    return {term: frozenset(values) for term, values in found.items()}


@lru_cache(maxsize=16384)
def clauses(text: str) -> tuple[tuple[str, frozenset[str]], ...]:
    """(clause, word terms) for each clause of the text; refusing and accepting are one term. Numbers,
    dates and calendar words are left out: `unsupported_details` checks those, and a claim that adds
    a date to its evidence still says the same thing."""
    return tuple((part.strip(), frozenset(ACCEPT if t in _ACCEPTING | _REFUSING else t for t in terms(part)
                                          if _is_word(t)))
                 for part in _CLAUSE.split(text) if part and part.strip())


def negative(clause: str) -> bool:
    """Whether the clause negates anything at all."""
    return any(False in values for values in stances(clause).values())


@lru_cache(maxsize=16384)
def negated_heads(clause: str) -> frozenset[str]:
    """The word each negation cue negates first ("did not consent to the police" -> accept; "does not
    want a day centre" -> want), and accepting where the clause declines or refuses."""
    text = _with_plain_negations(clause)
    heads: set[str] = set()
    armed = False
    for word in _WORD.findall(text):
        if word.lower() in _CUES:
            armed = True
            continue
        term = _term(word)
        if term and (armed or term in _REFUSING):
            heads.add(ACCEPT if term in _ACCEPTING | _REFUSING else term)
            armed = False
    return frozenset(heads)


def _flipped(claim_clause: str, evidence_clause: str) -> frozenset[str]:
    """The shared word terms stated one way in the claim clause and the other way in the evidence clause
    (empty unless exactly one of the two clauses negates); only the words the negation governs first
    where they are among them ("not consent to the police" turns on consent, not on police)."""
    if negative(claim_clause) == negative(evidence_clause):
        return frozenset()
    mine, theirs = stances(claim_clause), stances(evidence_clause)
    flipped = frozenset(t for t in mine.keys() & theirs.keys()
                        if _is_word(t) and len(mine[t]) == 1 and len(theirs[t]) == 1 and mine[t] != theirs[t])
    heads = flipped & negated_heads(claim_clause if negative(claim_clause) else evidence_clause)
    return heads or flipped


def _agrees_on(claim_clause: str, evidence_clause: str, pivots: frozenset[str]) -> bool:
    """The evidence clause states a pivot term the way the claim clause does, and none the other way."""
    mine, theirs = stances(claim_clause), stances(evidence_clause)  # pivots come from `_flipped`: all in `mine`
    stated = [t for t in pivots if t in theirs]
    return bool(stated) and all(theirs[t] & mine[t] for t in stated)


@lru_cache(maxsize=16384)
def resolved_clauses(text: str) -> tuple[tuple[str, frozenset[str]], ...]:
    """`clauses(text)` with anaphora resolved: a clause that refers back ("that decision", "the same
    matter", "it") also holds the word terms of the clause before it that has at least `MIN_TERMS`,
    so "He lacks capacity for that decision" after "I assessed his capacity for decisions about
    managing his finances" says that he lacks capacity for decisions about managing his finances."""
    resolved = []
    antecedent: frozenset[str] = frozenset()
    for clause, found in clauses(text):
        resolved.append((clause, found | antecedent if _ANAPHOR.search(clause) else found))
        if len(found) >= MIN_TERMS:
            antecedent = found
    return tuple(resolved)


def contradicted(claim: str, evidence: Iterable[str]) -> list[tuple[str, str]]:
    """(claim clause, evidence clause) for each clause of the claim that its evidence states the other way.

    The evidence clause that says the same thing most fully decides; it is overruled when any other
    such clause states the flipped term the way the claim does. Questions are not evidence; anaphora
    in the evidence is resolved first (`resolved_clauses`)."""
    pool = [(clause, found) for text in evidence for clause, found in resolved_clauses(text) if not clause.endswith("?")]
    found = []
    for text, wanted in clauses(claim):
        if len(wanted) < MIN_TERMS:
            continue
        same = sorted(((coverage(wanted, other_terms), other) for other, other_terms in pool
                       if coverage(wanted, other_terms) >= SAME_AT and coverage(other_terms, wanted) >= BACK_AT),
                      key=lambda pair: -pair[0])
        if not same:
            continue
        pivots = _flipped(text, same[0][1])
        if pivots and not any(_agrees_on(text, other, pivots) for _, other in same[1:]):
            found.append((text, same[0][1]))
    return found


# Whether an affirmed clause asserts the concept, rather than only naming it: "he has capacity", "she
# consented", not "I assessed his capacity" or "consent was sought".
_HAS = {"has", "have", "had", "having", "retain", "retains", "retained", "regained", "demonstrated", "demonstrates",
        "shows", "showed", "shown", "with", "got"}
_NAMING_ONLY = {"assess", "ask", "asked", "asking", "discuss", "consid", "whether", "if", "question", "explain", "check",
                "review", "seek", "seeking", "sought", "request", "about", "regard", "around", "explor", "what", "form",
                "rais", "queri", "clarifi", "may", "might", "possibl", "unclear"}


def asserts(clause: str, concept: str) -> bool:
    """Whether an affirming clause states `concept` outright rather than only naming it. Capacity is
    asserted by "has", "retains", "with" or "demonstrated" within the four words before it ("She has
    the capacity to decide", "a person with capacity"), by "capacitous" or by "able to make/decide";
    accepting by a consent, agreement or acceptance word with no asking, assessing or discussing word
    within three words either side ("She consented", not "consent was sought" or "asked for his
    consent"). Any other concept is asserted wherever the clause holds it."""
    words = [w.lower() for w in _WORD.findall(_with_plain_negations(clause))]
    stems = [_term(w) or "" for w in words]
    if concept == "capac":
        if "capacitous" in words or re.search(r"(?i)\bable to (?:make|decide|understand|weigh|manage)", clause):
            return True
        return any(stem == "capac" and _HAS & set(words[max(0, i - 4):i]) for i, stem in enumerate(stems))
    if concept == ACCEPT:
        return any(stem in _ACCEPTING | _REFUSING
                   and not _NAMING_ONLY & set(stems[max(0, i - 3):i + 4] + words[max(0, i - 3):i + 4])
                   for i, stem in enumerate(stems))
    return concept in {_concept(t) for t in stems}


def stated_outright(claim_clause: str, evidence_clause: str) -> bool:
    """Positive evidence that the two clauses state one proposition two ways: a word that the negating
    clause's negation governs first ("did not consent" -> accepting, "does not want" -> want, "lacks
    capacity" -> capacity) is stated outright by the affirming clause (`asserts`). "He lacks capacity
    to manage his finances" against "I assessed his capacity for decisions about his finances" is not:
    the evidence names capacity and never says he has it; nor is "He does not want a transfer"
    against "I'd like to offer him a transfer"."""
    negating, affirming = (claim_clause, evidence_clause) if negative(claim_clause) else (evidence_clause, claim_clause)
    affirmed = stances(affirming)
    return any(True in affirmed.get(head, frozenset()) and asserts(affirming, head) for head in negated_heads(negating))
