"""Claims in an output and the evidence for each: the shared ground of the hallucination and faithfulness suites.

A claim is a sentence or ';'-clause of the output with at least three content terms (headings
left out). Evidence is searched in the source's passages (one or two sentences) and, when the case
has annotated key facts, in their written statements, which are closer in form to minutes than a
spoken transcript. `support` is the weighted term coverage of the claim by its best evidence
(`judge.align`): 1.0 every content term is there, 0.0 none.

On top of coverage, `check_claim` looks for what coverage cannot see:
- polarity (`judge.polarity`): a clause of the claim negates what the evidence clauses saying the
  same thing affirm, or the other way round (consent, capacity, any negation);
- certainty: the close evidence is hedged ("alleged", "may", "reported") and the claim is not.
A flip is decided by the evidence clause that says the same thing most fully, and no other such
clause may state the flipped word the claim's way; certainty needs every close passage hedged. A
flipped consent or capacity is `critical` and fails the case only with positive evidence: the
deciding source clause states the opposite outright (`polarity.stated_outright`: "she consented"
against "she did not consent", not "I assessed his capacity" against "he lacks capacity"); without
it the finding is `unverified`, major, for review. Any other flip and an allegation stated as fact
are `major` findings for a reviewer. A statement credited to a different person from the one the source credits
(`judge.attribution`: "wrong_person") is critical: identity.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache

from .align import Passage, cached_passages, coverage, terms
from .attribution import misattributed
from harness.goldens import Case
from .polarity import contradicted, stated_outright
from .text import is_heading, split_sentences

CLOSE = 0.6
UNSUPPORTED_BELOW = 0.3
NEAREST = 4
CRITICAL_FLIPS = {"consent_flip", "capacity_flip"}  # critical kinds: they fail the case, given positive evidence

_HEDGE = re.compile(r"\b(?:alleged(?:ly)?|allegations?|reported(?:ly)?|may|might|could|possibl[ey]|suspected|"
                    r"unconfirmed|appears?|seem(?:s|ed)?|thought to|believed|claims?|said to|not (?:yet )?(?:known|confirmed)|"
                    r"unclear|uncertain|if|whether|concern(?:s|ed)? that)\b", re.I)
_ALLEGATION = re.compile(r"\b(?:alleged(?:ly)?|allegations?|may have|reported that|it is reported|unconfirmed|suspected)\b", re.I)

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


def _ranked(claim_terms: frozenset[str], pool: tuple[Passage, ...]) -> list[tuple[float, Passage]]:
    """The pool's passages by coverage of the claim, best first (document order on ties)."""
    return sorted(((coverage(claim_terms, p.terms), p) for p in pool), key=lambda pair: -pair[0])


def _flip_kind(clause: str) -> str:
    found = terms(clause)
    if "capac" in found:
        return "capacity_flip"
    if found & {"consent", "agre", "accept", "declin", "refus", "want", "wish"}:
        return "consent_flip"
    return "negation_flip"


def check_claim(claim: Claim, source_pool: tuple[Passage, ...], fact_pool: tuple[Passage, ...],
                source: str = "", facts: tuple[str, ...] = (), adult: str | None = None,
                adult_age: int | None = None) -> ClaimCheck:
    """Best evidence for the claim and any polarity or certainty problem with it.

    Polarity (`judge.polarity`): a clause of the claim is compared with the clauses of its nearest
    key facts and source passages that say the same thing; the fullest of them decides. Attribution (`judge.attribution`, when `source` is given): the source
    credits what the claim says to somebody else, or the claim gives the adult's age to somebody else
    (`adult`, `adult_age`: the case's subject, when known). Certainty: flagged only when every close passage is hedged."""
    source_ranked, fact_ranked = _ranked(claim.terms, source_pool), _ranked(claim.terms, fact_pool)
    value, passage = max(source_ranked[:1] + fact_ranked[:1], key=lambda pair: pair[0], default=(0.0, None))
    check = ClaimCheck(claim, value, passage.text if passage and value > 0 else None)
    close = [p for v, p in fact_ranked + source_ranked if v >= CLOSE]
    if not close and value < UNSUPPORTED_BELOW:
        check.problems.append(("unsupported_claim", "major", f"nothing in the source says this (best coverage {value:.2f})"))
        return check
    nearest = [p.text for _, p in fact_ranked[:NEAREST] + source_ranked[:NEAREST]]
    for clause, said in contradicted(claim.text, nearest):
        kind = _flip_kind(clause)
        if kind in CRITICAL_FLIPS and not stated_outright(clause, said):
            check.problems.append(("unverified", "major", f"may state the opposite of the source ({kind.replace('_', ' ')}), "
                                   f"but the closest source clause does not state it outright: {said!r}; for review"))
        else:
            severity = "critical" if kind in CRITICAL_FLIPS else "major"
            check.problems.append((kind, severity, f"states the opposite of the source: {said!r}"))
        check.evidence = said
        return check
    for wrong in misattributed(claim.text, source, facts, adult, adult_age) if source else []:
        check.problems.append(("wrong_person", "critical", f"credits {wrong.person}; the source credits "
                               f"{', '.join(wrong.credited_in_source)}: {wrong.evidence!r}"))
        check.evidence = wrong.evidence
        return check
    if close and not _HEDGE.search(claim.text) and all(_ALLEGATION.search(p.text) for p in close[:3]):
        check.problems.append(("allegation_as_fact", "major",
                               "states as fact what the source gives as an allegation or possibility"))
    return check


def check_claims(case: Case, output: str) -> tuple[ClaimCheck, ...]:
    """Every claim of the output checked against the case's source and key facts.

    Cached by (source, key facts, output): the hallucination and faithfulness scorers of one run
    all read the same checks, so each output is checked once. Treat the result as read-only."""
    subject = case.subject
    return _checked_claims(case.source, tuple(f.text for f in case.key_facts), output,
                           subject.name if subject else None, subject.age if subject else None)


@lru_cache(maxsize=256)
def _checked_claims(source: str, facts: tuple[str, ...], output: str, adult: str | None = None,
                    adult_age: int | None = None) -> tuple[ClaimCheck, ...]:
    source_pool, fact_pool = cached_passages(source, 2), _fact_passages(facts)
    return tuple(check_claim(claim, source_pool, fact_pool, source, facts, adult, adult_age)
                 for claim in split_claims(output))
