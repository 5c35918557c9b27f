"""Matching key facts against an output: present, partial or absent, with the span and the reason.

`match_facts` finds, for each key fact, the output passage that best covers it (lexically, and by
embedding similarity unless turned off) and `match_fact` decides its status under the minutes
standard's rules, which `suites.omission.recall`'s docstring lists (owners and deadlines of actions,
the holder of a view, corrected values, dates, times and doses).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

import numpy as np

from harness.goldens import Case, KeyFact
from judge.align import Passage, Weights, best_match, cached_passages, coverage, document_weights, terms
from judge.embed import similarity
from judge.text import extract_details, is_heading

from .attribution import _person_words, _span_words, _with_aliases
from .own_words import _QUOTED, _REPORTING, in_own_words, quotation_passages, quotes_kept, quoting, without_gloss

Status = Literal["present", "partial", "absent"]

PRESENT_AT = 0.65
PARTIAL_AT = 0.45
ACTION_CATEGORIES = {"action", "referral"}
VIEW_CATEGORIES = {"views_wishes"}
WINDOW = 2
SEMANTIC_SHARE = 0.5

_CORRECTION = re.compile(
    r"\((?:not|rather than|corrected from|first (?:stated|said|given) as)\b[^)]*\)"
    r"|,?\s*\bnot\s+[^;,.()]*?\bas\s+(?:first\s+)?(?:stated|said|recorded|reported|given|written)\b[^;,.()]*"
    r"|\(?\bnot\s+[^;,.()]*?\bas\s+(?:the\s+)?\w+\s+(?:stated|said|recorded|reported|thought)\b[^;,.()]*\)?",
    re.I)
_CORRECTION_CUE = re.compile(r"\b(?:not|corrected|correction|rather than|instead of|first (?:stated|said|given|recorded|reported)|"
                             r"wrongly|incorrect(?:ly)?|mistaken(?:ly)?|previously (?:stated|recorded|said|given)|amended|"
                             r"(?:had|originally|initially) (?:said|stated|recorded|given|reported)|"
                             r"(?:originally|initially) (?:as|given as|recorded as))\b", re.I)
_VIEW_HEADING = re.compile(r"\b(?:view|views|wish|wishes|outcome|outcomes|voice|said)\b", re.I)
_OWNER = re.compile(r"^\s*(?:Action:\s*)?((?:[A-Z][\w'’.-]*\s+){0,3}[A-Z][\w'’-]*)\s+(?:to|will)\b")


@dataclass(frozen=True)
class FactMatch:
    """How one key fact fares in an output."""

    fact: KeyFact
    status: Status
    coverage: float
    span: str | None
    reason: str

    def as_dict(self) -> dict[str, object]:
        return {"id": self.fact.id, "category": self.fact.category, "severity": self.fact.severity,
                "status": self.status, "coverage": round(self.coverage, 3), "span": self.span, "reason": self.reason}


def split_correction(text: str) -> tuple[str, str]:
    """(the fact as asserted, the clause that rejects an earlier wrong value; '' if none)."""
    match = _CORRECTION.search(text)
    if not match:
        return text, ""
    return (text[: match.start()] + text[match.end():]).strip(), match.group(0)


def _checked_details(text: str) -> list[tuple[str, object]]:
    return [(d.kind, d.key) for d in extract_details(text) if d.kind in {"date", "time", "dose"}]


def _holds(passage_text: str, wanted: list[tuple[str, object]]) -> list[str]:
    """The kinds of wanted details that the passage lacks."""
    have = {_loose(d.kind, d.key) for d in extract_details(passage_text)}
    return [kind for kind, key in wanted if _loose(kind, key) not in have]


def _loose(kind: str, key: object) -> tuple[object, ...]:
    """A detail key that ignores what minutes may fairly leave out: the year of a date, am/pm of a time."""
    k = tuple(key)  # type: ignore[call-overload]
    if kind == "date":
        return (kind, k[1], k[2])
    if kind == "time":
        return (kind, int(k[1]) % 12, k[2])  # type: ignore[call-overload]
    return (kind, *k)


def _heading_before(output: str, start: int) -> str:
    """The nearest heading line above a position in the output ('' if none)."""
    for line in reversed(output[:start].splitlines()):
        if line.strip() and is_heading(line.strip()):
            return line.strip()
    return ""


def view_content(fact: KeyFact, case: Case) -> str:
    """What a view or wish says the person said or wants, without who holds it (the opening name of
    `_person_words`, checked apart), the reporting verb and, when the fact quotes their words, the
    bracketed gloss after the quote ("Mrs Dhillon said: 'I was frightened ...' (psychological impact
    easing)" -> "I was frightened ...")."""
    text = without_gloss(split_correction(fact.text)[0])
    people = _person_words(fact, case)[0]
    if case.subject and case.subject.name:
        people = people | {w.lower() for w in re.findall(r"[A-Z][\w'’-]*", case.subject.name)}  # "Michael (Mick) Dunmore"
    words = "|".join(re.escape(w) for w in sorted(people, key=len, reverse=True) if len(w) > 1)
    if words:  # "Mr Pilling said ...", "Mick's desired outcome: ...", "Daughter Ewa (attorney) wants ..."
        text = re.sub(rf"^(?:[A-Z][a-z]+\s+)?(?:(?:Mr|Mrs|Ms|Miss|Mx|Dr)\.?\s+)?(?:(?:{words})\b\s*)+(?:['’]s\b)?(?:\s*\([^()]*\))?",
                      "", text, flags=re.I)
    text = _REPORTING.sub("", text.strip())
    return re.sub(r"\s+", " ", text).strip(" ,;:")


def _best(asserted: str, candidates: tuple[Passage, ...], weights: Weights | None,
          semantic: np.ndarray | None) -> tuple[float, Passage | None]:
    """The passage with the highest match: lexical coverage, or its mean with cosine similarity."""
    if semantic is None:
        return best_match(asserted, candidates, weights)
    wanted = terms(asserted)
    best: tuple[float, Passage | None] = (0.0, None)
    for passage, cosine in zip(candidates, semantic, strict=True):
        value = SEMANTIC_SHARE * float(cosine) + (1 - SEMANTIC_SHARE) * coverage(wanted, passage.terms, weights)
        if value > best[0]:
            best = (value, passage)
    return best


_RANK = {"absent": 0, "partial": 1, "present": 2}


def match_fact(fact: KeyFact, case: Case, output: str, candidates: tuple[Passage, ...],
               weights: Weights | None = None, semantic: np.ndarray | None = None,
               voiced: np.ndarray | None = None, voiced_candidates: tuple[Passage, ...] | None = None) -> FactMatch:
    """Present, partial or absent, with the best-matching output span and the reason.

    Views and wishes are also matched in the person's own words, against the candidates that hold a
    quotation and whole quotations (`voiced_candidates`; default: `quoting` of `candidates` and
    `quotation_passages`): `voiced` holds the cosine similarities of `view_content` with them read
    `in_own_words`, and lexical coverage is of the fact itself (gloss aside); without `semantic` the
    match is lexical only. Both matches go through the same rules, and the better status counts."""
    asserted, correction = split_correction(fact.text)
    value, passage = _best(asserted, candidates, weights, semantic)
    found = _judge(fact, case, output, value, passage, asserted, correction)
    if fact.category in VIEW_CATEGORIES and found.status != "present" and (semantic is None or voiced is not None):
        if voiced_candidates is None:
            voiced_candidates = quoting(candidates + _with_aliases(quotation_passages(output, candidates), case, output))
        # Lexically the fact keeps the name of whoever holds the view (only its gloss goes): what the
        # person's own words change is how the passage reads, not which of the fact's terms it must hold.
        voiced_value, voiced_passage = _best(without_gloss(asserted), voiced_candidates, weights, voiced)
        if voiced_value > value and voiced_passage is not None:
            in_words = _judge(fact, case, output, voiced_value, voiced_passage, asserted, correction, " in the person's own words")
            if in_words.status == "present" and not (_QUOTED.search(asserted) and quotes_kept(asserted, in_words.span or "")):
                # Read through a quotation, the match rests mostly on the embedding: `present` only where the
                # fact quotes the person and the output quotes the same words; otherwise a reviewer checks it.
                in_words = FactMatch(fact, "partial", in_words.coverage, in_words.span,
                                     in_words.reason + "; present only if the fact's own quoted words are quoted")
            if _RANK[in_words.status] > _RANK[found.status]:
                return in_words
    return found


def _judge(fact: KeyFact, case: Case, output: str, value: float, passage: Passage | None, asserted: str,
           correction: str, how: str = "") -> FactMatch:
    """The status of a fact matched at `value` by `passage`, after the minutes standard's rules."""
    if passage is None or value < PARTIAL_AT:
        return FactMatch(fact, "absent", value, passage.text if passage else None,
                         f"not found in the output (best coverage {value:.2f})")
    status: Status = "present" if value >= PRESENT_AT else "partial"
    reasons = [f"coverage {value:.2f}{how}"]
    span = passage.text
    if correction:
        rejected = _checked_details(correction)
        stated_wrong = [kind for kind, key in rejected if not _holds(span, [(kind, key)])]
        if stated_wrong and not _CORRECTION_CUE.search(span):
            return FactMatch(fact, "absent", value, span, "stated in its uncorrected form: " + correction.strip(" ,()"))
    missing = _holds(span, _checked_details(asserted))
    if missing and status == "present":
        status, reasons = "partial", reasons + [f"lacks the {', '.join(sorted(set(missing)))}"]
    if fact.category in ACTION_CATEGORIES and status == "present":
        owner = _OWNER.match(fact.text)
        owner_words = {w.lower() for w in owner.group(1).split() if len(w) > 2} if owner else set()
        if owner_words and not owner_words & _span_words(span, case, output):
            status, reasons = "partial", reasons + ["the action's owner is not given"]
        elif not _checked_details(asserted) and re.search(r"\bby\b", fact.text) and not extract_details(span):
            status, reasons = "partial", reasons + ["the action's deadline is not given"]
    if fact.category in VIEW_CATEGORIES and status == "present":
        people, own_view = _person_words(fact, case)
        words = _span_words(span, case, output)
        heading = _heading_before(output, passage.start)
        attributed = bool(people & words) or (own_view and bool(_VIEW_HEADING.search(heading)))
        if not attributed:
            status, reasons = "partial", reasons + ["the view is not attributed to the person who holds it"]
    return FactMatch(fact, status, value, span, "; ".join(reasons))


def _fact_weights(facts: list[KeyFact]) -> Weights:
    """Term weights over a case's key facts: a term shared by many facts (the adult's name) says little
    about which fact a passage records, so it weighs less (see `judge.align.document_weights`)."""
    return document_weights([Passage(f.text, 0, 0, terms(split_correction(f.text)[0])) for f in facts])


def match_facts(case: Case, output: str, facts: list[KeyFact] | None = None, semantic: bool = True) -> list[FactMatch]:
    """Every key fact of the case (or `facts`) matched against the output (people named by initials or
    role count as named: `_with_aliases`)."""
    chosen = facts if facts is not None else case.key_facts
    candidates = _with_aliases(cached_passages(output, WINDOW), case, output)
    weights = _fact_weights(case.key_facts or chosen)
    sims = (similarity([split_correction(f.text)[0] for f in chosen], [p.text for p in candidates])
            if semantic and candidates and chosen else None)
    views = [i for i, f in enumerate(chosen) if f.category in VIEW_CATEGORIES]
    voiced_candidates = (quoting(candidates + _with_aliases(quotation_passages(output, candidates), case, output))
                         if views else ())
    voiced: dict[int, np.ndarray] = {}
    if sims is not None and views and voiced_candidates:
        voiced_sims = similarity([in_own_words(view_content(chosen[i], case)) for i in views],
                                 [in_own_words(p.text) for p in voiced_candidates])
        voiced = dict(zip(views, voiced_sims, strict=True))
    return [match_fact(fact, case, output, candidates, weights, sims[i] if sims is not None else None, voiced.get(i),
                       voiced_candidates) for i, fact in enumerate(chosen)]
