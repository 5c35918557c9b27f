"""Defect injector: labelled defective outputs made from a case's reference output.

Each defect is one precise edit of the reference, recorded with its ground truth (family,
defect type, the original and replacement text, where it is in the output, and for omissions
the key fact removed), so scorers can be measured on known answers.

Hallucinations: changed date, time, dose or number; swapped name (a person the source never
mentions); statement or action credited to another person from the case; invented action,
attendee; negation, consent or capacity flipped; an allegation stated as fact.
Omissions: the reference sentence that carries a critical or major key fact removed.
A detail change is kept only if the source does not support the new value.
"""

from __future__ import annotations

import random
import re
from collections.abc import Callable
from typing import Literal

from pydantic import BaseModel

from harness.goldens import Case, KeyFact
from judge.people import people_in
from judge.support import supported_by_source
from judge.text import Detail, extract_details, is_heading, split_sentences

Family = Literal["hallucination", "omission"]
FICTIONAL_NAMES = ["Bramwell", "Ottershaw", "Quenby", "Fairlie", "Penhallow", "Strickwood", "Ashdown", "Tolland"]
FICTIONAL_FIRST = ["Rosalind", "Desmond", "Imogen", "Lachlan", "Orla", "Cormac"]


class Defect(BaseModel):
    """Ground truth for one injected defect."""

    family: Family
    defect: str
    severity: Literal["critical", "major", "minor"]
    original: str
    replacement: str
    output_start: int
    key_fact_id: str | None = None
    related_key_fact_ids: list[str] = []


class Perturbed(BaseModel):
    """A defective (or, with no defects, clean control) output for one case."""

    case_id: str
    perturbation_id: str
    output: str
    defects: list[Defect]


Injector = Callable[[Case, str, random.Random], tuple[str, Defect] | None]


def _edit(text: str, start: int, end: int, replacement: str) -> str:
    return text[:start] + replacement + text[end:]


def _detail_change(kind: str, defect: str, severity: str, change: Callable[[Detail, random.Random], str | None]) -> Injector:
    def inject(case: Case, reference: str, rng: random.Random) -> tuple[str, Defect] | None:
        candidates = [d for d in extract_details(reference) if d.kind == kind]
        rng.shuffle(candidates)
        for detail in candidates:
            new_text = change(detail, rng)
            if not new_text or new_text == detail.text:
                continue
            new_details = [d for d in extract_details(new_text) if d.kind == kind]
            if not new_details or supported_by_source(case.source, new_details[0]):
                continue
            output = _edit(reference, detail.start, detail.end, new_text)
            return output, Defect(family="hallucination", defect=defect, severity=severity, original=detail.text,  # type: ignore[arg-type]
                                  replacement=new_text, output_start=detail.start)
        return None
    return inject


def _shift_day(detail: Detail, rng: random.Random) -> str | None:
    match = re.search(r"\d{1,2}", detail.text)
    if not match or detail.key[1] is None:
        return None
    day = int(match.group(0))
    new_day = (day + rng.choice([2, 3, 5, 7, 9]) - 1) % 28 + 1
    return detail.text[: match.start()] + str(new_day) + detail.text[match.end():]


def _shift_hour(detail: Detail, rng: random.Random) -> str | None:
    match = re.match(r"(\d{1,2})([:.]\d{2})?", detail.text)
    if not match:
        return None
    hour = int(match.group(1))
    new_hour = (hour + rng.choice([1, 2, 3])) % (24 if ":" in detail.text and hour > 12 else 12) or 12
    return str(new_hour).zfill(len(match.group(1))) + detail.text[match.end(1):]


def _scale_number(detail: Detail, rng: random.Random) -> str | None:
    match = re.search(r"\d[\d,]*(?:\.\d+)?", detail.text)
    if not match:
        return None
    value = float(match.group(0).replace(",", ""))
    factor = rng.choice([10, 2, 0.5]) if detail.kind == "dose" else None
    new = value * factor if factor else value + rng.choice([1, 2, 3, 5])
    shown = f"{new:,.0f}" if "," in match.group(0) else (f"{new:g}")
    return detail.text[: match.start()] + shown + detail.text[match.end():]


def _swap_name(case: Case, reference: str, rng: random.Random) -> tuple[str, Defect] | None:
    names = [d for d in extract_details(reference) if d.kind == "name"]
    rng.shuffle(names)
    source_words = set(re.findall(r"[a-z]+", case.source.lower()))
    for detail in names:
        choices = [n for n in FICTIONAL_NAMES if n.lower() not in source_words]
        if not choices:
            return None
        new = rng.choice(choices)
        return _edit(reference, detail.start, detail.end, new), Defect(
            family="hallucination", defect="swapped_name", severity="critical", original=detail.text, replacement=new,
            output_start=detail.start)
    return None


def _credit_wrong_person(case: Case, reference: str, rng: random.Random) -> tuple[str, Defect] | None:
    """Replace a person's full name in the reference with another person from the same case."""
    people = [p for p in people_in(case.source) if p in reference]
    if len(people) < 2:
        return None
    original = rng.choice(people)
    others = [p for p in people if p != original and p.split()[-1] != original.split()[-1]]
    if not others:
        return None
    replacement = rng.choice(others)
    start = rng.choice([m.start() for m in re.finditer(re.escape(original), reference)])
    return _edit(reference, start, start + len(original), replacement), Defect(
        family="hallucination", defect="wrong_person", severity="critical", original=original, replacement=replacement,
        output_start=start)


_FLIPS: list[tuple[str, str, str]] = [
    (r"\bdid not consent\b", "consented", "consent_flip"),
    (r"\bdoes not consent\b", "consents", "consent_flip"),
    (r"\bdid not agree\b", "agreed", "consent_flip"),
    (r"\bdoes not want\b", "wants", "consent_flip"),
    (r"\bdid not want\b", "wanted", "consent_flip"),
    (r"\bdeclined\b", "accepted", "consent_flip"),
    (r"\brefused\b", "accepted", "consent_flip"),
    (r"\bconsented\b", "did not consent", "consent_flip"),
    (r"\blacks capacity\b", "has capacity", "capacity_flip"),
    (r"\blacked capacity\b", "had capacity", "capacity_flip"),
    (r"\bhas capacity\b", "lacks capacity", "capacity_flip"),
    (r"\bhad capacity\b", "lacked capacity", "capacity_flip"),
    (r"\bis not\b", "is", "negation_flip"),
    (r"\bwas not\b", "was", "negation_flip"),
    (r"\bno evidence\b", "evidence", "negation_flip"),
]


def _flip(case: Case, reference: str, rng: random.Random) -> tuple[str, Defect] | None:
    found = [(m, replacement, kind) for pattern, replacement, kind in _FLIPS for m in re.finditer(pattern, reference, re.I)]
    if not found:
        return None
    match, replacement, kind = rng.choice(found)
    if match.group(0)[0].isupper():
        replacement = replacement[0].upper() + replacement[1:]
    return _edit(reference, match.start(), match.end(), replacement), Defect(
        family="hallucination", defect=kind, severity="critical", original=match.group(0), replacement=replacement,
        output_start=match.start())


_ALLEGATION = [
    (r"\b[Ii]t is alleged that\s+", ""),
    (r"\b[Aa]llegedly\s+", ""),
    (r"\b[Aa]lleged\s+(?!that\b|by\b)(?=[a-z])", ""),
    (r"\b[Ii]t is reported that\s+", ""),
    (r"\bmay have\b", "has"),
]


_ADJECTIVE_BEFORE = re.compile(r"(?:^|[(:;]|\b(?:the|an|a|of|his|her|their|and|or|for|any|this|these|to|is|was))\s*\Z", re.I | re.M)


def _not_a_verb(text: str, match: re.Match[str]) -> bool:
    """True unless the match is the verb: "the alleged assault" loses its hedge without "alleged", while
    "he alleged that" would lose its verb and say nothing."""
    return not match.group(0).lower().startswith("alleged ") or _ADJECTIVE_BEFORE.search(text[:match.start()]) is not None


def _line_at(text: str, offset: int) -> str:
    start = text.rfind("\n", 0, offset) + 1
    end = text.find("\n", offset)
    return text[start:end if end >= 0 else len(text)]


def _allegation_as_fact(case: Case, reference: str, rng: random.Random) -> tuple[str, Defect] | None:
    found = [(m, replacement) for pattern, replacement in _ALLEGATION for m in re.finditer(pattern, reference, re.M)
             if not is_heading(_line_at(reference, m.start())) and _not_a_verb(reference, m)]
    if not found:
        return None
    match, replacement = rng.choice(found)
    start, end = match.start(), match.end()
    sentence_start = start == 0 or reference[:start].rstrip()[-1:] in {"", ".", "\n", ":"}
    if sentence_start and not replacement and end < len(reference):
        end += 1  # the next letter now starts the sentence: record its capitalisation as part of the edit
        replacement = reference[end - 1].upper()
    return _edit(reference, start, end, replacement), Defect(
        family="hallucination", defect="allegation_as_fact", severity="critical", original=reference[start:end],
        replacement=replacement, output_start=start)


def _invented_line(kind: str) -> Injector:
    def inject(case: Case, reference: str, rng: random.Random) -> tuple[str, Defect] | None:
        source_words = set(re.findall(r"[a-z]+", case.source.lower()))
        first = rng.choice([n for n in FICTIONAL_FIRST if n.lower() not in source_words] or FICTIONAL_FIRST)
        last = rng.choice([n for n in FICTIONAL_NAMES if n.lower() not in source_words] or FICTIONAL_NAMES)
        day = rng.choice([d for d in range(1, 29) if not re.search(rf"\b{d}(?:st|nd|rd|th)?\s+[A-Z]", case.source)] or [29])
        month = rng.choice(["January", "June", "October"])
        if kind == "invented_action":
            line = f"Action: {first} {last} to arrange a joint home visit by {day} {month}."
        else:
            line = f"Also present: {first} {last}, Senior Practitioner, Adult Social Care."
        position = len(reference.rstrip())
        output = reference.rstrip() + "\n" + line
        return output, Defect(family="hallucination", defect=kind, severity="critical", original="", replacement=line,
                              output_start=position + 1)
    return inject


def fact_overlap(fact: KeyFact, sentence: str) -> float:
    """Share of the key fact's content words (and numbers) that the sentence contains."""
    stop = {"the", "a", "an", "to", "of", "and", "in", "on", "for", "is", "was", "by", "with", "that", "she", "he", "her",
            "his", "their", "they", "at", "it", "be", "has", "had", "have", "not", "as", "from", "said", "this", "or"}
    words = {w for w in re.findall(r"[a-z0-9]+", fact.text.lower()) if w not in stop and len(w) > 1}
    if not words:
        return 0.0
    present = set(re.findall(r"[a-z0-9]+", sentence.lower()))
    return len(words & present) / len(words)


OMISSION_MIN_OVERLAP = 0.5


def _omit_fact(case: Case, reference: str, rng: random.Random) -> tuple[str, Defect] | None:
    facts = [f for f in case.key_facts if f.severity in {"critical", "major"}]
    rng.shuffle(facts)
    sentences = split_sentences(reference)
    for fact in facts:
        scored = sorted(((fact_overlap(fact, s), s) for s in sentences), key=lambda pair: -pair[0])
        if not scored or scored[0][0] < OMISSION_MIN_OVERLAP:
            continue
        sentence = scored[0][1]
        start = reference.find(sentence)
        end = start + len(sentence)
        while end < len(reference) and reference[end] in " \t":
            end += 1
        related = [f.id for f in case.key_facts if f.id != fact.id and fact_overlap(f, sentence) >= OMISSION_MIN_OVERLAP]
        return _edit(reference, start, end, ""), Defect(
            family="omission", defect="omitted_key_fact", severity=fact.severity, original=reference[start:end],
            replacement="", output_start=start, key_fact_id=fact.id, related_key_fact_ids=related)
    return None


INJECTORS: dict[str, Injector] = {
    "changed_date": _detail_change("date", "changed_date", "critical", _shift_day),
    "changed_time": _detail_change("time", "changed_time", "critical", _shift_hour),
    "changed_dose": _detail_change("dose", "changed_dose", "critical", _scale_number),
    "changed_number": _detail_change("money", "changed_number", "critical", _scale_number),
    "swapped_name": _swap_name,
    "wrong_person": _credit_wrong_person,
    "invented_action": _invented_line("invented_action"),
    "invented_attendee": _invented_line("invented_attendee"),
    "negation_or_consent_flip": _flip,
    "allegation_as_fact": _allegation_as_fact,
    "omitted_key_fact": _omit_fact,
}


def perturb_case(case: Case, seed: int = 0, kinds: list[str] | None = None) -> list[Perturbed]:
    """A clean control plus one output per applicable defect kind, each with its ground truth."""
    if not case.reference:
        return []
    out = [Perturbed(case_id=case.id, perturbation_id=f"{case.id}.clean", output=case.reference, defects=[])]
    for kind in kinds or list(INJECTORS):
        rng = random.Random(f"{seed}:{case.id}:{kind}")
        result = INJECTORS[kind](case, case.reference, rng)
        if result is not None:
            output, defect = result
            out.append(Perturbed(case_id=case.id, perturbation_id=f"{case.id}.{kind}", output=output, defects=[defect]))
    return out


class VendorFile(BaseModel):
    """A simulated vendor: one output per case (defective in some), and the ground truth."""

    outputs: list[dict[str, str]]
    labels: list[Perturbed]


def simulate_vendor(cases: list[Case], seed: int = 0, defect_rate: float = 0.5) -> VendorFile:
    """One output per case: with probability `defect_rate` one applicable defect, else the clean reference."""
    rng = random.Random(seed)
    outputs, labels = [], []
    for case in cases:
        options = perturb_case(case, seed)
        if not options:
            continue
        chosen = rng.choice(options[1:]) if len(options) > 1 and rng.random() < defect_rate else options[0]
        outputs.append({"case_id": case.id, "output": chosen.output})
        labels.append(chosen)
    return VendorFile(outputs=outputs, labels=labels)
