"""The gate calibration's pools (`assure bench gate`, `suites.gate_calibration`): for every case, faithful
outputs (the reference, the restyled reference and random faithful rewrites of each) and their degraded
variants (key facts deleted until key_fact_recall falls by a target; one critical hallucination injected),
every output scored once by the real scorers."""

from __future__ import annotations

import json
import random
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import golden_sets
from golden_sets.authoring import rewrite
from golden_sets.authoring.perturb import INJECTORS, OMISSION_MIN_OVERLAP, fact_overlap
from harness.goldens import SEVERITY_WEIGHT, Case, GoldenSet
from harness.scoring import Score, Scorer
from judge.text import split_sentences

DEFAULT_GOLDEN = golden_sets.path("safeguarding_minutes")
DEFAULT_REWRITES = 1
DEFAULT_RECALL_DROP = 0.10
RECALL_SCORER = "key_fact_recall"
CRITICAL_KINDS = tuple(kind for kind in INJECTORS if kind != "omitted_key_fact")


@dataclass
class Variant:
    """One output as a run report holds it: the text and each scorer's score (report form)."""

    output: str
    scores: dict[str, dict[str, Any]]


@dataclass
class PoolOutput:
    """A faithful output of one case, with its degraded variants (None where none could be made)."""

    label: str
    clean: Variant
    omitted: Variant | None = None
    omitted_facts: list[str] = field(default_factory=list)
    recall_fall: float | None = None
    hallucinated: Variant | None = None
    defect: str | None = None


@dataclass
class CasePool:
    case_id: str
    outputs: list[PoolOutput]


def score_output(scorers: Sequence[Scorer], case: Case, output: str) -> dict[str, dict[str, Any]]:
    """Each scorer's verdict on `output`, in the shape `harness.report.case_entry` writes."""
    out = {}
    for scorer in scorers:
        s: Score = scorer.score(case, output)
        out[scorer.name] = {"value": s.value, "passed": s.passed, "findings": [f.model_dump() for f in s.findings],
                            "details": s.details}
    return out


def adult_mention(case: Case, text: str) -> tuple[str, str] | None:
    """("Mr Nowak", "he") for the case's adult where the text writes them that way (for the pronoun rewrite)."""
    subject = case.subject
    if not subject or not subject.name or subject.sex not in {"male", "female"}:
        return None
    found = re.search(r"\b(?:Mr|Mrs|Ms|Miss)\s+" + re.escape(subject.name.split()[-1]) + r"\b", text)
    return (found.group(0), "he" if subject.sex == "male" else "she") if found else None


def random_rewrite(case: Case, text: str, rng: random.Random) -> tuple[str, list[str]]:
    """Two to four random faithful rewrites of `text` applied in turn; the text and the steps (names)."""
    for _ in range(8):
        names = rng.sample(sorted(rewrite.REWRITES), rng.randint(2, 4))
        out, steps = text, []
        for name in names:
            if name == "date_style":
                style = rng.choice(rewrite.DATE_STYLES)
                out, step = rewrite.date_style(out, style), f"date_style:{style}"
            elif name == "reorder_sections":
                order = list(range(12))
                rng.shuffle(order)
                out, step = rewrite.reorder_sections(out, order), "reorder_sections"
            elif name == "pronoun_after_first_mention":
                adult = adult_mention(case, out)
                out, step = (rewrite.pronoun_after_first_mention(out, *adult) if adult else out), name
            else:
                out, step = rewrite.REWRITES[name](out), name
            steps.append(step)
        if out.strip() != text.strip():
            return out, steps
    return out, steps


def faithful_texts(case: Case, restyled: str | None, rewrites: int, rng: random.Random) -> list[tuple[str, str]]:
    """(label, text) of the case's faithful pool: the reference, the restyled reference, and rewrites of each."""
    bases = [("reference", case.reference or "")]
    if restyled:
        bases.append(("restyled", restyled))
    texts = list(bases)
    for label, text in bases:
        for i in range(rewrites):
            out, steps = random_rewrite(case, text, rng)
            texts.append((f"{label}+rewrite{i + 1}({','.join(steps)})", out))
    return texts


def _delete_sentence(text: str, sentence: str) -> str:
    start = text.find(sentence)
    end = start + len(sentence)
    while end < len(text) and text[end] in " \t":
        end += 1
    out = text[:start] + text[end:]
    return re.sub(r"(?m)^[ \t]*(?:[-*•]|\d{1,2}[.)])[ \t]*\n", "", out)  # a bullet left empty goes too


def omit_key_facts(case: Case, text: str, clean: dict[str, Any], target: float, recall: Scorer,
                   rng: random.Random) -> tuple[str, list[str], float] | None:
    """`text` without the sentences carrying randomly chosen key facts that it states, deleted one by one
    until its key_fact_recall has fallen by `target` (predicted from the facts' weights, then checked by
    the scorer; of the deletions either side of the target, the one whose fall is nearer). Returns
    (text, removed fact ids, actual fall), or None when no fact can be removed."""
    base = clean.get("value")
    if base is None:
        return None
    facts = {f.id: f for f in case.key_facts}
    total = sum(SEVERITY_WEIGHT[f.severity] for f in case.key_facts)
    present = [d["id"] for d in clean["details"].get("facts", []) if d["status"] == "present"]
    rng.shuffle(present)
    out, removed, predicted, fall = text, [], 0.0, 0.0
    below: tuple[str, list[str], float] | None = None  # the last state checked that fell short of the target
    for fid in present:
        if fid in removed:
            continue
        scored = sorted(((fact_overlap(facts[fid], s), s) for s in split_sentences(out)), key=lambda pair: -pair[0])
        if not scored or scored[0][0] < OMISSION_MIN_OVERLAP:
            continue
        sentence = scored[0][1]
        gone = [other for other in present if other not in removed and fact_overlap(facts[other], sentence) >= OMISSION_MIN_OVERLAP]
        out = _delete_sentence(out, sentence)
        removed.extend(gone or [fid])
        predicted += sum(SEVERITY_WEIGHT[facts[g].severity] for g in gone or [fid]) / total
        if predicted >= target:
            value = recall.score(case, out).value
            fall = base - (value if value is not None else base)
            if fall >= target:  # the state nearer the target: this one or the last that fell short
                return below if below is not None and target - below[2] < fall - target else (out, removed, fall)
            below, predicted = (out, list(removed), fall), fall
    if not removed:
        return None
    value = recall.score(case, out).value
    return out, removed, base - (value if value is not None else base)


def inject_critical(case: Case, text: str, rng: random.Random) -> tuple[str, str] | None:
    """`text` with one critical hallucination (`golden_sets.authoring.perturb`), of a random kind that applies."""
    kinds = list(CRITICAL_KINDS)
    rng.shuffle(kinds)
    for kind in kinds:
        result = INJECTORS[kind](case, text, rng)
        if result is not None:
            return result[0], kind
    return None


def build_pools(golden: GoldenSet, scorers: Sequence[Scorer], restyled: dict[str, str], rewrites: int = DEFAULT_REWRITES,
                recall_drop: float = DEFAULT_RECALL_DROP, seed: int = 0, cases: int | None = None,
                progress: Callable[[], None] | None = None) -> list[CasePool]:
    """Each case's faithful pool and degraded variants, every output scored once by `scorers`."""
    recall = next((s for s in scorers if s.name == RECALL_SCORER), None)
    pools = []
    for case in golden.cases[:cases]:
        rng = random.Random(f"{seed}:{case.id}")
        outputs = []
        for label, text in faithful_texts(case, restyled.get(case.id), rewrites, rng):
            entry = PoolOutput(label=label, clean=Variant(text, score_output(scorers, case, text)))
            if progress:
                progress()
            # each degradation its own seeded stream: what one consumes never shifts the other
            omit_rng, inject_rng = random.Random(f"{seed}:{case.id}:{label}:omit"), random.Random(f"{seed}:{case.id}:{label}:inject")
            if recall is not None and (omitted := omit_key_facts(case, text, entry.clean.scores[RECALL_SCORER], recall_drop,
                                                                  recall, omit_rng)):
                entry.omitted = Variant(omitted[0], score_output(scorers, case, omitted[0]))
                entry.omitted_facts = omitted[1]
                after = entry.omitted.scores[RECALL_SCORER]["value"]
                entry.recall_fall = entry.clean.scores[RECALL_SCORER]["value"] - after
            if progress:
                progress()
            if injected := inject_critical(case, text, inject_rng):
                entry.hallucinated = Variant(injected[0], score_output(scorers, case, injected[0]))
                entry.defect = injected[1]
            if progress:
                progress()
            outputs.append(entry)
        pools.append(CasePool(case.id, outputs))
    return pools


def load_restyled(golden_path: Path) -> dict[str, str]:
    """case id -> the restyled reference, where the golden set has `restyled/outputs.jsonl`."""
    path = golden_path / "restyled" / "outputs.jsonl"
    if not path.is_file():
        return {}
    rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    return {row["case_id"]: row["output"] for row in rows}
