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
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass
from functools import lru_cache
from typing import Literal

import numpy as np

from judge.align import Passage, Weights, best_match, cached_passages, coverage, document_weights, terms
from judge.embed import similarity
from harness.goldens import Case, KeyFact
from judge.people import aliases
from harness.scoring import Finding, Score
from judge.text import extract_details, is_heading, split_sentences

Status = Literal["present", "partial", "absent"]

PRESENT_AT = 0.65
PARTIAL_AT = 0.45
SEVERITY_WEIGHT = {"critical": 3.0, "major": 2.0, "minor": 1.0}
CREDIT = {"present": 1.0, "partial": 0.5, "absent": 0.0}
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


def _person_words(fact: KeyFact, case: Case) -> tuple[set[str], bool]:
    """Name words that attribute a view: (words, whether the view is the adult's own)."""
    subject_words: set[str] = set()
    if case.subject and case.subject.name:
        subject_words = {w.lower() for w in case.subject.name.split() if len(w) > 1}
    named = {d.text.lower() for d in extract_details(fact.text) if d.kind == "name"}
    others = named - subject_words - {"section", "council"}
    if subject_words & named or not others:
        return subject_words | {"adult"}, True
    return others, False


# Quoted words: straight or curly double quotes, and single quotes (curly or straight) that close before a
# non-letter, so the apostrophe of "it's" or "I’m" does not end the quote; a straight one opens after a non-letter.
_QUOTED = re.compile(r"[\"“]([^\"“”\n]+)[\"”]|‘((?:[^‘’\n]|’(?=\w))+)’(?!\w)|(?<![\w'’])'((?:[^'\n]|'(?=\w)){3,}?)'(?!\w)")
# Whole words only: not the "me" of "me-time" or the "her" of "her-" (a token the terms would keep).
_W = (r"(?<![\w'’-])", r"(?![\w'’-])")
_FIRST_PERSON = [(re.compile(_W[0] + p + _W[1], re.I), r) for p, r in (
    (r"I['’]m", "they are"), (r"I['’]ve", "they have"), (r"I['’]ll", "they will"), (r"I['’]d", "they would"),
    (r"I am", "they are"), (r"I was", "they were"), (r"I", "they"), (r"me", "them"), (r"my", "their"),
    (r"mine", "theirs"), (r"myself", "themselves"))]
_THIRD_PERSON = [(re.compile(_W[0] + p + _W[1], re.I), r) for p, r in (
    (r"(?:he|she)['’]s", "they are"), (r"(?:he|she) (?:is|was)", "they are"), (r"(?:he|she)", "they"),
    (r"him", "them"), (r"her", "their"), (r"his", "their"), (r"(?:himself|herself)", "themselves"), (r"hers", "theirs"))]
_REPORTING = re.compile(r"^\W*(?:(?:said|says|told \w+|reported|stated|explained|described)\b(?:\s+that\b)?)?[\s:,]*", re.I)
_GLOSS = re.compile(r"\s*\([^()]*\)\s*[.;]?\s*$")


def in_own_words(text: str) -> str:
    """The text with its speakers' voices made one: quoted first-person speech as third person ("I was
    frightened in my own kitchen" -> "they were frightened in their own kitchen"), every he/she/his/her as
    they/their, and the quotation marks dropped, so a quote and the reported speech it records read alike."""
    def revoice(match: re.Match[str]) -> str:
        quoted = next(g for g in match.groups() if g is not None)
        for pattern, repl in _FIRST_PERSON:
            quoted = pattern.sub(repl, quoted)
        before, after = match.string[match.start() - 1: match.start()], match.string[match.end(): match.end() + 1]
        # A space keeps words from running together ("I'" + "they", or two quotations side by side), except
        # beside white space, the text's ends, or punctuation that closes a clause.
        pad_before = " " if before and not before.isspace() else ""
        pad_after = " " if after and not after.isspace() and after not in ".,;:!?)]" else ""
        return pad_before + quoted + pad_after
    text = _QUOTED.sub(revoice, text)
    for pattern, repl in _THIRD_PERSON:
        text = pattern.sub(repl, text)
    return text


def without_gloss(text: str) -> str:
    """A fact that quotes the person's words without the bracketed gloss after the quote (the minute-taker's
    reading of it: "... my kitchen again.' (psychological impact easing)"); other facts unchanged."""
    return _GLOSS.sub("", text) if _QUOTED.search(text) else text


def _words(text: str) -> str:
    return " ".join(re.findall(r"[a-z0-9]+", text.lower().replace("’", "'").replace("'", "")))


def quotes_kept(fact_text: str, span: str) -> bool:
    """Whether every quotation of the fact is in the span word for word (case and punctuation aside)."""
    have = f" {_words(span)} "
    return all(f" {_words(q)} " in have for m in _QUOTED.finditer(fact_text)
               for q in [next(g for g in m.groups() if g is not None)] if _words(q))


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


def quotation_passages(output: str, candidates: tuple[Passage, ...]) -> tuple[Passage, ...]:
    """Whole quotations that run over more than two sentences ("Mr Dunmore said: "I want them to stop. I
    want to go to the shop. Without them shouting. And I want the police to do something.""), each with
    the sentence that opens it, so a view quoted at length is read as one statement, not in pieces."""
    found = []
    for match in _QUOTED.finditer(output):
        opening = [p for p in candidates if p.start <= match.start() < p.end]
        if not opening or len(split_sentences(match.group(0))) <= 2:
            continue
        start = max(p.start for p in opening)  # the sentence the quotation starts in
        end = max(match.end(), min(p.end for p in opening if p.start == start))
        found.append(Passage(output[start:end], start, end, terms(output[start:end])))
    return tuple(found)


_RANK = {"absent": 0, "partial": 1, "present": 2}


def quoting(passages: tuple[Passage, ...]) -> tuple[Passage, ...]:
    """The passages that hold a quotation: the own-words match reads only what a person is quoted as saying."""
    return tuple(p for p in passages if _QUOTED.search(p.text))


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


@lru_cache(maxsize=256)
def _alias_patterns(output: str, speakers: tuple[tuple[str, str], ...]) -> tuple[tuple[re.Pattern[str], str], ...]:
    """(pattern, full name) for each alias of `judge.people.aliases` in this output: initials match
    case-sensitively, roles in any case. Cached: every fact of a case asks about the same output."""
    found = aliases(output, [{"name": name, "role": role} for name, role in speakers])
    return tuple((re.compile(rf"(?<![\w-]){re.escape(alias)}(?![\w-])", 0 if alias[:1].isupper() and len(alias) <= 6 else re.I), name)
                 for alias, name in found.items())


def _aliases_of(case: Case, output: str) -> tuple[tuple[re.Pattern[str], str], ...]:
    speakers = tuple((str(p.get("name", "")), str(p.get("role", ""))) for p in case.metadata.get("speakers") or [])
    return _alias_patterns(output, speakers)


def _span_words(span: str, case: Case, output: str) -> set[str]:
    """The span's words, lowercased, with the name words of anyone it names by initials or role."""
    words = {w.lower() for w in re.findall(r"[\w'’-]+", span)}
    for pattern, name in _aliases_of(case, output):
        if pattern.search(span):
            words |= {w.lower() for w in name.split()}
    return words


def _with_aliases(candidates: tuple[Passage, ...], case: Case, output: str) -> tuple[Passage, ...]:
    """Passages that name a person by initials or role (`judge.people.aliases`) also hold that person's
    name terms, so "The Quality Assurance Officer reviewed the rota" records a fact about Priya Raman."""
    found = _aliases_of(case, output)
    if not found:
        return candidates
    patterns = [(pattern, terms(name)) for pattern, name in found]
    out = []
    for p in candidates:
        extra = frozenset().union(*(name_terms for pattern, name_terms in patterns if pattern.search(p.text)))
        out.append(Passage(p.text, p.start, p.end, p.terms | extra) if extra - p.terms else p)
    return tuple(out)


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
