"""Who a passage of an output names: the holder of a view, and people named by initials or role.

`_person_words` gives the name words that attribute a view (the adult's own, or another person's
named in the fact); `_span_words` and `_with_aliases` let initials and roles found by
`judge.people.aliases` ("PR", "the Quality Assurance Officer") count as naming the person.
"""

from __future__ import annotations

import re
from functools import lru_cache

from harness.goldens import Case, KeyFact
from judge.align import Passage, terms
from judge.people import aliases
from judge.text import extract_details


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
