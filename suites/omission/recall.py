"""Key-fact recall: which annotated key facts an output keeps, partly keeps or leaves out.

For each key fact the output passage (one to three adjacent sentences) that covers most of the
fact's content terms is found (`judge.align`). Its coverage decides the status: `present` at
`PRESENT_AT` or more, `partial` at `PARTIAL_AT` or more, `absent` below. Then the rules the
minutes standard asks for (DOMAIN.md) can lower a status:

- an action or referral counts as present only with its owner and its deadline;
- a view or wish counts as present only when the passage attributes it to the person whose view it
  is (the adult by name, or the person named in the key fact), or sits under a views heading;
  a view is also matched against what the output quotes the person as saying: the passages that hold
  a quotation (and whole quotations longer than two sentences) are read `in_own_words`, quoted
  first-person speech as reported speech ("I was frightened in my own kitchen" as "they were
  frightened in their own kitchen"), and embedded against `view_content` (the fact without its
  holder's name, the reporting verb and, for a fact that quotes them, the bracketed gloss), while its
  terms must still cover the fact, name included; the better status of the two matches counts. By this
  route a fact is `present` only when it quotes the person and the output quotes the same words word
  for word; otherwise it is at most `partial`;
- a fact that records a correction ("2.5 mg, not 5 mg as the home said") counts only in its
  corrected form: a passage that states the rejected value with no correction is `absent`;
- every date, time and dose the fact holds must be in the passage for `present`.

`value` is severity-weighted recall: each fact weighs 3 (critical), 2 (major) or 1 (minor) and
earns 1 if present, 0.5 if partial, 0 if absent. A case fails when any critical fact is absent or
recall is below the threshold.

The parts live in their own modules: matching facts against an output in
`suites.omission.fact_match`, reading a person's own (quoted) words in `suites.omission.own_words`,
and who a passage names in `suites.omission.attribution`. This module turns matches into a score.
"""

from __future__ import annotations

import re
from collections import defaultdict

from harness.goldens import Case, KeyFact
from harness.scoring import Finding, Score
from judge.align import best_match, cached_passages, coverage, terms
from judge.text import is_heading, split_sentences

from .fact_match import (
    ACTION_CATEGORIES,
    PARTIAL_AT,
    PRESENT_AT,
    SEMANTIC_SHARE,
    VIEW_CATEGORIES,
    WINDOW,
    FactMatch,
    Status,
    match_fact,
    match_facts,
    split_correction,
    view_content,
)
from .own_words import in_own_words, quotation_passages, quotes_kept, quoting, without_gloss

__all__ = [
    "ACTION_CATEGORIES",
    "CREDIT",
    "PARTIAL_AT",
    "PRESENT_AT",
    "SEMANTIC_SHARE",
    "SEVERITY_WEIGHT",
    "VIEW_CATEGORIES",
    "WINDOW",
    "DerivedKeyFactRecallScorer",
    "FactMatch",
    "KeyFactRecallScorer",
    "Status",
    "derive_key_facts",
    "in_own_words",
    "match_fact",
    "match_facts",
    "quotation_passages",
    "quotes_kept",
    "quoting",
    "recall_by_category",
    "score_matches",
    "split_correction",
    "statement_coverage",
    "view_content",
    "weighted_recall",
    "without_gloss",
]

SEVERITY_WEIGHT = {"critical": 3.0, "major": 2.0, "minor": 1.0}
CREDIT = {"present": 1.0, "partial": 0.5, "absent": 0.0}


def weighted_recall(matches: list[FactMatch]) -> float:
    """Severity-weighted recall in [0, 1]; 1.0 when there are no facts."""
    total = sum(SEVERITY_WEIGHT[m.fact.severity] for m in matches)
    if total == 0:
        return 1.0
    return sum(SEVERITY_WEIGHT[m.fact.severity] * CREDIT[m.status] for m in matches) / total


def recall_by_category(matches: list[FactMatch]) -> dict[str, float]:
    """Severity-weighted recall per key-fact category present in the case."""
    groups: dict[str, list[FactMatch]] = defaultdict(list)
    for m in matches:
        groups[m.fact.category].append(m)
    return {category: round(weighted_recall(group), 4) for category, group in sorted(groups.items())}


_DOWNGRADE = {"critical": "major", "major": "minor", "minor": "minor"}


class KeyFactRecallScorer:
    """Severity-weighted recall of the case's annotated key facts (1 = every fact present)."""

    name = "key_fact_recall"
    version = "1.2.0"
    threshold = 0.7
    description = ("Severity-weighted share of annotated key facts present in the output (partial counts half); "
                   "fails on any absent critical fact.")

    def score(self, case: Case, output: str) -> Score:
        if not case.key_facts:
            return Score.unscored("the case has no annotated key facts (use derived_key_fact_recall)")
        return score_matches(match_facts(case, output), self.threshold, "annotated")


def score_matches(matches: list[FactMatch], threshold: float, key_facts_source: str) -> Score:
    """The Score for a list of matches: value, pass rule, one finding per absent or partial fact."""
    findings = []
    for m in matches:
        if m.status == "present":
            continue
        findings.append(Finding(
            kind="omitted_key_fact" if m.status == "absent" else "partial_key_fact",
            severity=m.fact.severity if m.status == "absent" else _DOWNGRADE[m.fact.severity],
            output_span=m.span if m.status == "partial" or "uncorrected" in m.reason else None,
            source_evidence=m.fact.evidence or None, key_fact_id=m.fact.id,
            reason=f"{m.fact.category.replace('_', ' ')}: \"{m.fact.text}\" is {m.status} ({m.reason})"))
    value = weighted_recall(matches)
    critical_absent = [m.fact.id for m in matches if m.status == "absent" and m.fact.severity == "critical"]
    return Score(value=value, passed=not critical_absent and value >= threshold, findings=findings, details={
        "recall": round(value, 4), "recall_by_category": recall_by_category(matches),
        "present": sum(m.status == "present" for m in matches), "partial": sum(m.status == "partial" for m in matches),
        "absent": sum(m.status == "absent" for m in matches), "critical_absent": critical_absent,
        "key_facts_source": key_facts_source, "facts": [m.as_dict() for m in matches]})


def statement_coverage(statement: str, text: str) -> float:
    """Best coverage of a statement by any passage of `text` (0 to 1)."""
    return best_match(statement, cached_passages(text, WINDOW))[0] if text.strip() else coverage(terms(statement), frozenset())


def derive_key_facts(reference: str) -> list[KeyFact]:
    """Candidate key facts from a reference: its statements (sentences and ';' clauses with at least
    four content terms, headings left out). Lower confidence than annotated facts: every candidate
    is `major`, category `other`, and a reference's padding counts like its substance."""
    candidates: list[str] = []
    for sentence in split_sentences(reference):
        for clause in re.split(r";\s+", sentence):
            clause = clause.strip(" -•*\t")
            if clause and not is_heading(clause) and len(terms(clause)) >= 4:
                candidates.append(clause)
    return [KeyFact.model_construct(id=f"derived-{i + 1:03d}", text=text, category="other", severity="major", evidence="")
            for i, text in enumerate(dict.fromkeys(candidates))]


class DerivedKeyFactRecallScorer:
    """Recall of statements derived from the case's reference (lower confidence; 1 = all present)."""

    name = "derived_key_fact_recall"
    version = "1.0.0"
    threshold = 0.7
    description = ("Share of the reference's own statements present in the output, for cases with reference "
                   "minutes but no annotated key facts (unscored where key facts are annotated). Lower confidence.")

    def score(self, case: Case, output: str) -> Score:
        if case.key_facts:
            return Score.unscored("the case has annotated key facts: key_fact_recall scores it")
        if not case.reference:
            return Score.unscored("the case has no reference to derive key facts from")
        facts = derive_key_facts(case.reference)
        if not facts:
            return Score.unscored("no statements found in the reference")
        return score_matches(match_facts(case, output, facts), self.threshold, "derived from the reference (lower confidence)")
