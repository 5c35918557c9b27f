"""Claims in an output and the evidence for each: the shared ground of the hallucination and faithfulness suites.

A claim is a sentence or ';'-clause of the output with at least three content terms (headings
left out). Evidence is searched in the source's passages (one or two sentences) and, when the case
has annotated key facts, in their written statements, which are closer in form to minutes than a
spoken transcript. `support` is the weighted term coverage of the claim by its best evidence
(`harness.align`): 1.0 every content term is there, 0.0 none.

On top of coverage, `check_claim` looks for what coverage cannot see:
- polarity: the claim and its evidence disagree on consent, capacity or negation;
- certainty: the evidence is hedged ("alleged", "may", "reported") and the claim is not.
These checks only fire when the evidence is close (coverage at least `CLOSE`), so that unrelated
sentences are never compared, and only when no close evidence agrees with the claim. Their measured
precision is low (README, validity), so they are `major` findings for a reviewer, never a case
failure on their own. A check for statements credited to the wrong person was tried and removed:
it caught 7 of 24 injected cases in the minutes while flagging 73 sentences of the references.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache

from .align import Passage, cached_passages, coverage, terms
from .goldens import Case
from .text import is_heading, split_sentences

CLOSE = 0.6
UNSUPPORTED_BELOW = 0.3

_HEDGE = re.compile(r"\b(?:alleged(?:ly)?|allegations?|reported(?:ly)?|may|might|could|possibl[ey]|suspected|"
                    r"unconfirmed|appears?|seem(?:s|ed)?|thought to|believed|claims?|said to|not (?:yet )?(?:known|confirmed)|"
                    r"unclear|uncertain|if|whether|concern(?:s|ed)? that)\b", re.I)
_ALLEGATION = re.compile(r"\b(?:alleged(?:ly)?|allegations?|may have|reported that|it is reported|unconfirmed|suspected)\b", re.I)
_POSITIVE_CONSENT = re.compile(r"\b(?:consent(?:s|ed)?|agree[sd]?|accept(?:s|ed)?|wants?|wanted)\b", re.I)
_NEGATIVE_CONSENT = re.compile(r"\b(?:declin(?:e|es|ed)|refus(?:e|es|ed)|(?:did|does|do) not (?:consent|agree|want|accept)|"
                               r"(?:doesn't|didn't|don't) (?:consent|agree|want|accept)|objects?|objected)\b", re.I)
_LACKS_CAPACITY = re.compile(r"\b(?:lack(?:s|ed|ing)?|without|no longer has|not have|does not have|did not have)\b[^.;]{0,20}\bcapacity\b", re.I)
_HAS_CAPACITY = re.compile(r"\b(?:has|had|have|with|retains?|retained)\b[^.;]{0,12}\bcapacity\b", re.I)


@dataclass(frozen=True)
class Claim:
    text: str
    start: int
    terms: frozenset[str]


@dataclass
class ClaimCheck:
    """One claim, its best evidence and what is wrong with it (empty `problems` = supported)."""

    claim: Claim
    support: float
    evidence: str | None
    problems: list[tuple[str, str, str]] = field(default_factory=list)  # (kind, severity, reason)

    @property
    def supported(self) -> bool:
        return self.support >= UNSUPPORTED_BELOW and not self.problems


def split_claims(output: str) -> list[Claim]:
    """Sentences and ';'-clauses of the output with at least three content terms."""
    claims: list[Claim] = []
    cursor = 0
    for sentence in split_sentences(output):
        if is_heading(sentence):
            continue
        for clause in re.split(r";\s+", sentence):
            text = clause.strip(" -•*\t")
            found = terms(text)
            if len(found) >= 3:
                start = output.find(text, cursor)
                cursor = max(cursor, start) if start >= 0 else cursor
                claims.append(Claim(text, max(start, 0), found))
    return claims


@lru_cache(maxsize=256)
def _fact_passages(facts: tuple[str, ...]) -> tuple[Passage, ...]:
    return tuple(Passage(text, 0, len(text), terms(text)) for text in facts)


def _scored(claim_terms: frozenset[str], pool: tuple[Passage, ...]) -> tuple[tuple[float, Passage | None], list[tuple[float, Passage]]]:
    """The best passage of a pool (the first on ties; None if nothing overlaps) and the close ones, best first."""
    values = [(coverage(claim_terms, p.terms), p) for p in pool]
    best = max(values, key=lambda pair: pair[0], default=(0.0, None))
    close = sorted((pair for pair in values if pair[0] >= CLOSE), key=lambda pair: -pair[0])
    return (best if best[0] > 0 else (0.0, None)), close


def _polarity(text: str) -> dict[str, bool]:
    """What a text says of consent and capacity: True positive, False negative; absent if silent."""
    found: dict[str, bool] = {}
    if _LACKS_CAPACITY.search(text):
        found["capacity"] = False
    elif _HAS_CAPACITY.search(text):
        found["capacity"] = True
    if _NEGATIVE_CONSENT.search(text):
        found["consent"] = False
    elif _POSITIVE_CONSENT.search(text):
        found["consent"] = True
    return found


def check_claim(claim: Claim, source_pool: tuple[Passage, ...], fact_pool: tuple[Passage, ...]) -> ClaimCheck:
    """Best evidence for the claim and any polarity or certainty problem with it.

    A problem is raised only when every close piece of evidence disagrees with the claim and none
    agrees: a claim that one passage supports is never flagged because another passage differs."""
    source_best, source_close = _scored(claim.terms, source_pool)
    fact_best, fact_close = _scored(claim.terms, fact_pool)
    value, passage = max(source_best, fact_best, key=lambda pair: pair[0])
    check = ClaimCheck(claim, value, passage.text if passage else None)
    close = [p for _, p in fact_close] + [p for _, p in source_close]
    if not close:
        if value < UNSUPPORTED_BELOW:
            check.problems.append(("unsupported_claim", "major", f"nothing in the source says this (best coverage {value:.2f})"))
        return check
    claim_polarity = _polarity(claim.text)
    for aspect in ("capacity", "consent"):
        if aspect not in claim_polarity:
            continue
        stated = [_polarity(p.text).get(aspect) for p in close]
        if any(v is not None and v != claim_polarity[aspect] for v in stated) and claim_polarity[aspect] not in stated:
            check.problems.append((f"{aspect}_flip", "major", f"{aspect} stated the other way round from the source"))
            return check
    if not _HEDGE.search(claim.text) and all(_ALLEGATION.search(p.text) for p in close[:3]):
        check.problems.append(("allegation_as_fact", "major",
                               "states as fact what the source gives as an allegation or possibility"))
    return check


def check_claims(case: Case, output: str) -> tuple[ClaimCheck, ...]:
    """Every claim of the output checked against the case's source and key facts.

    Cached by (source, key facts, output): the hallucination and faithfulness scorers of one run
    all read the same checks, so each output is checked once. Treat the result as read-only."""
    return _checked_claims(case.source, tuple(f.text for f in case.key_facts), output)


@lru_cache(maxsize=256)
def _checked_claims(source: str, facts: tuple[str, ...], output: str) -> tuple[ClaimCheck, ...]:
    source_pool, fact_pool = cached_passages(source, 2), _fact_passages(facts)
    return tuple(check_claim(claim, source_pool, fact_pool) for claim in split_claims(output))
