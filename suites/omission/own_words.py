"""A person's own words in key facts and outputs: quotations found, revoiced and compared.

Key-fact recall also matches a view or wish against what the output quotes the person as saying:
`quoting` and `quotation_passages` find the passages that hold a quotation, `in_own_words` reads
quoted first-person speech as reported speech, `without_gloss` drops a fact's bracketed gloss after
a quote, and `quotes_kept` checks that a fact's quoted words are in a span word for word.
"""

from __future__ import annotations

import re

from judge.align import Passage, terms
from judge.text import split_sentences

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


def quoting(passages: tuple[Passage, ...]) -> tuple[Passage, ...]:
    """The passages that hold a quotation: the own-words match reads only what a person is quoted as saying."""
    return tuple(p for p in passages if _QUOTED.search(p.text))
