"""`deep_key_fact_recall`: key-fact presence read by the deep judge (opt-in: `assure run ... --judge deep`).

Each annotated key fact is matched by the fast judge first (`suites.omission.fact_match`: the best output
passage and its coverage, then the minutes standard's rules). The deep judge then asks the local
instruction model whether the output states the fact (`judge.verdict`: the probability of YES), and a
logistic combiner (`deep_presence.json`, written by `benchmarks/fit_presence.py`, fitted on REALSumm's
`dev` documents only) reads two features, each in [0, 1]:

- `coverage`: the fast judge's match value for the fact's best passage;
- `stated`: the instruction model's P(YES) for "does the text state this?".

Only the facts the fast judge cannot settle are asked: a fact whose match value lies outside the uncertain
band (at or above `settled_present_at`, or below `settled_absent_below`: chosen on REALSumm's dev documents
to leave the fewest facts to ask for at most 0.01 of Cohen's kappa; empty where no band qualifies) or
that a rule of the minutes standard lowered keeps the fast judge's status. The text asked about is the
whole output up to `WHOLE_OUTPUT_WORDS` words; a longer output is asked in
overlapping windows and the best window counts.

Status: `present` when the combined probability reaches the fitted cut; below it, `partial` where the fast
judge's coverage reaches `PARTIAL_AT` (its terms are there but the model doubts the meaning) and `absent`
otherwise. The minutes standard's rules still cap it: a fact the fast judge lowered for a missing owner,
deadline, date or dose, an unattributed view or an uncorrected value keeps the fast judge's status.
Value, pass rule and findings are `key_fact_recall`'s (severity-weighted recall; any absent critical fact fails).
"""

from __future__ import annotations

import json
import math
from functools import cached_property
from pathlib import Path
from typing import Any

from harness.goldens import Case
from harness.scoring import Score

from .fact_match import PARTIAL_AT, FactMatch, match_facts
from .recall import score_matches

MODEL_FILE = Path(__file__).with_name("deep_presence.json")
FEATURES = ("coverage", "stated")
WHOLE_OUTPUT_WORDS = 700
WINDOW_WORDS = 500
WINDOW_STEP = 400


def load_model(path: Path = MODEL_FILE) -> dict[str, Any]:
    model = json.loads(path.read_text(encoding="utf-8"))
    if tuple(model["features"]) != FEATURES:
        raise ValueError(f"{path}: features {model['features']} are not {list(FEATURES)}")
    return model


def presence_probability(model: dict[str, Any], coverage: float, stated: float) -> float:
    """The combiner's probability that the output states the fact."""
    values = {"coverage": coverage, "stated": stated}
    z = model["intercept"] + sum(w * (values[f] - m) / s for f, w, m, s in
                                 zip(FEATURES, model["coef"], model["mean"], model["scale"]))
    return 1.0 / (1.0 + math.exp(-max(-40.0, min(40.0, z))))


def windows(output: str) -> list[str]:
    """The texts the model is asked about: the whole output, or overlapping word windows of a long one."""
    words = output.split()
    if len(words) <= WHOLE_OUTPUT_WORDS:
        return [output]
    return [" ".join(words[start:start + WINDOW_WORDS]) for start in range(0, max(1, len(words) - WINDOW_STEP // 4), WINDOW_STEP)]


def stated_probabilities(output: str, statements: list[str]) -> list[float]:
    """The instruction model's P(output states it) per statement: the best window's (asked window by window,
    so a server's prompt cache reuses each window across statements)."""
    from judge.verdict import verdicts

    texts = windows(output)
    pairs = [(text, statement) for text in texts for statement in statements]
    values = verdicts().stated(pairs).reshape(len(texts), len(statements))
    return [float(v) for v in values.max(axis=0)]


def _rule_capped(match: FactMatch) -> bool:
    """Did the fast judge lower the fact for a rule of the minutes standard (not for its coverage)?"""
    return match.status != "present" and ("uncorrected" in match.reason
                                          or (match.coverage >= PARTIAL_AT and "; " in match.reason))


def settled(model: dict[str, Any], match: FactMatch) -> bool:
    """Does the fast judge settle this fact (a match value outside the uncertain band, or a rule that lowered it)?"""
    return (match.coverage >= float(model["settled_present_at"]) or match.coverage < float(model["settled_absent_below"])
            or _rule_capped(match))


def deep_status(match: FactMatch, probability: float, cut: float) -> str:
    """Present at the cut; else partial where the fast coverage reaches PARTIAL_AT, absent below; rules cap it."""
    if _rule_capped(match):
        return match.status
    if probability >= cut:
        return "present"
    return "partial" if match.coverage >= PARTIAL_AT else "absent"


class DeepKeyFactRecallScorer:
    """Severity-weighted recall of the case's key facts, presence read by the deep judge (1 = every fact stated)."""

    name = "deep_key_fact_recall"
    version = "0.1.0"
    threshold = 0.7
    description = ("Deep judge: key_fact_recall with each fact's presence read by a local instruction model "
                   "(P(YES) to 'does the output state this?') combined with the fast match by a logistic model "
                   "fitted on REALSumm dev documents; fails on any absent critical fact.")

    @cached_property
    def model(self) -> dict[str, Any]:
        return load_model()

    def score(self, case: Case, output: str) -> Score:
        if not case.key_facts:
            return Score.unscored("the case has no annotated key facts")
        fast = match_facts(case, output)
        if not output.strip():
            return score_matches(fast, self.threshold, "annotated (deep judge)")
        asked = [i for i, m in enumerate(fast) if not settled(self.model, m)]
        stated = dict(zip(asked, stated_probabilities(output, [fast[i].fact.text for i in asked]) if asked else []))
        cut = float(self.model["cut"])
        matches = []
        for i, match in enumerate(fast):
            if i not in stated:
                matches.append(FactMatch(match.fact, match.status, match.coverage, match.span,
                                         f"{match.reason}; deep judge: settled by the fast match"))
                continue
            p = presence_probability(self.model, match.coverage, stated[i])
            reason = f"{match.reason}; deep judge: stated with probability {p:.2f} (model P(YES) {stated[i]:.2f})"
            matches.append(FactMatch(match.fact, deep_status(match, p, cut), match.coverage, match.span, reason))  # type: ignore[arg-type]
        score = score_matches(matches, self.threshold, "annotated (deep judge)")
        score.details.update(fast_statuses={m.fact.id: m.status for m in fast}, facts_asked=len(asked))
        return score
