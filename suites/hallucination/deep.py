"""`deep_support`: the deep judge's verdict on an output (opt-in: `assure run ... --judge deep`).

It reads the fast judge's two scores and the packaged NLI model's evidence signals (`judge.deep`) and
turns them into one probability that the output states something its source does not support, with a
logistic combiner whose weights (`deep_model.json`, written by `benchmarks/fit_deep.py`) were fitted only
on the SummEdits `test` split and the bundled injected defects. Features, each in [0, 1]:

- `fast_details`: 1 - `unsupported_details`' value; `fast_claims`: 1 - `claim_support`'s value;
- `worst_support`, `mean_support`, `worst_conflict`: see `judge.deep.CaseSignals` (NLI contradiction scores);
- `uncovered`: 1 - the lowest lexical coverage of a claim by its nearest passages;
- `unstated` (when the model file lists it): 1 - the lowest P(YES) of the local instruction model asked
  whether a claim's evidence states it (`judge.verdict`; asked on short outputs only).

The combiner was fitted on short summaries (SummEdits: a median of 2 claims). On a long output (more than
`SHORT_OUTPUT_CLAIMS` claims, such as minutes) a case-level maximum over dozens of claims saturates: fitted
on both, the combiner failed every faithful reference minute. So a long output passes or fails as the fast
judge decides (both fast scorers pass), its `value` is the share of its claims the combiner finds
supported, and the deep judge adds findings for review (minor) without failing the case.

On a short output `value` is 1 - the probability (1 = surely consistent) and the case fails when the
probability reaches the fitted cut. A claim's probability is the same combiner with that claim's NLI
signals in place of the case's (the fast features stay the case's); each claim at or above the cut is a
finding (major on a short output, minor on a long one) that quotes the claim, the passage that best
supports it and the one that most contradicts it.
"""

from __future__ import annotations

import json
import math
from functools import cached_property
from pathlib import Path
from typing import Any

from harness.goldens import Case
from harness.scoring import Finding, Score

from .claims import ClaimSupportScorer
from .details import UnsupportedDetailsScorer

MODEL_FILE = Path(__file__).with_name("deep_model.json")
SHORT_OUTPUT_CLAIMS = 8
FEATURES = ("fast_details", "fast_claims", "worst_support", "mean_support", "worst_conflict", "uncovered")
VERDICT_FEATURE = "unstated"


def load_model(path: Path = MODEL_FILE) -> dict[str, Any]:
    model = json.loads(path.read_text(encoding="utf-8"))
    if tuple(model["features"]) not in (FEATURES, (*FEATURES, VERDICT_FEATURE)):
        raise ValueError(f"{path}: features {model['features']} are not {list(FEATURES)} (+ {VERDICT_FEATURE!r})")
    return model


def uses_verdict(model: dict[str, Any]) -> bool:
    """Does the combiner read the instruction model's verdict?"""
    return VERDICT_FEATURE in model["features"]


def probability(model: dict[str, Any], features: dict[str, float]) -> float:
    """The combiner's probability that the output is inconsistent with its source."""
    z = model["intercept"] + sum(w * (features[f] - m) / s for f, w, m, s in
                                 zip(model["features"], model["coef"], model["mean"], model["scale"]))
    return 1.0 / (1.0 + math.exp(-max(-40.0, min(40.0, z))))


def fast_scores(case: Case, output: str) -> dict[str, Score]:
    """The fast judge's two scores of the output."""
    return {s.name: s.score(case, output) for s in (UnsupportedDetailsScorer(), ClaimSupportScorer())}


def features_of(case: Case, output: str, fast: dict[str, Score] | None = None,
                verdict: bool = False) -> tuple[dict[str, float], Any]:
    """The combiner's features for one output, and the NLI signals they came from. With `verdict`, a short
    output's claims are also put to the instruction model (`unstated`; 0.0 on a long output, not asked)."""
    from judge.claims import split_claims
    from judge.deep import case_signals

    fast = fast or fast_scores(case, output)
    verdict = verdict and len(split_claims(output)) <= SHORT_OUTPUT_CLAIMS
    signals = case_signals(case.source, output, verdict=verdict)
    return features_from(fast, signals), signals


def features_from(fast: dict[str, Score], signals: Any) -> dict[str, float]:
    """The combiner's features from the fast judge's scores and a case's `judge.deep.CaseSignals`."""
    values = {name: 1.0 if score.value is None else float(score.value) for name, score in fast.items()}
    return {"fast_details": 1.0 - values.get("unsupported_details", 1.0), "fast_claims": 1.0 - values.get("claim_support", 1.0),
            "worst_support": signals.worst_support, "mean_support": signals.mean_support,
            "worst_conflict": signals.worst_conflict, "uncovered": 1.0 - signals.lowest_coverage,
            VERDICT_FEATURE: 1.0 - signals.least_stated}


class DeepSupportScorer:
    """1 - the deep judge's probability that the output says something its source does not support."""

    name = "deep_support"
    version = "0.1.0"
    description = ("Deep judge: the fast judge's scores and packaged-NLI evidence checks per claim, combined by a "
                   "logistic model fitted on SummEdits (test split); 1 = surely consistent. A long output (over 8 "
                   "claims) passes as the fast judge decides; its value is the share of claims found supported.")

    @cached_property
    def model(self) -> dict[str, Any]:
        return load_model()

    @property
    def threshold(self) -> float:
        return 1.0 - float(self.model["cut"])

    def score(self, case: Case, output: str) -> Score:
        fast = fast_scores(case, output)
        features, signals = features_of(case, output, fast, verdict=uses_verdict(self.model))
        p = probability(self.model, features)
        cut = float(self.model["cut"])
        long_output = len(signals.claims) > SHORT_OUTPUT_CLAIMS
        findings = []
        flagged = 0
        for claim in signals.claims:
            own = {**features, "worst_support": claim.support, "mean_support": claim.support,
                   "worst_conflict": claim.conflict, "uncovered": 1.0 - claim.coverage,
                   VERDICT_FEATURE: 1.0 - (1.0 if claim.stated is None else claim.stated)}
            q = probability(self.model, own)
            if q >= cut:
                flagged += 1
                findings.append(Finding(
                    kind="deep_unsupported_claim", severity="minor" if long_output else "major", output_span=claim.claim,
                    source_evidence=claim.conflicting_passage,
                    reason=(f"Deep judge: {q:.0%} likely unsupported. The closest source passage "
                            f"(\u201c{claim.best_passage[:160]}\u201d) does not clearly state it (NLI contradiction "
                            f"{claim.support:.2f}); the most conflicting one scores {claim.conflict:.2f}"
                            + (f"; the instruction model finds it stated with probability {claim.stated:.2f}."
                               if claim.stated is not None else "."))))
        details = {"probability_unsupported": p, "features": features, "claims_checked": len(signals.claims)}
        if long_output:  # the fast judge decides; the deep judge's share of supported claims is the value
            passed = all(score.passed is not False for score in fast.values())
            return Score(value=1.0 - flagged / len(signals.claims), passed=passed, findings=findings,
                         details={**details, "decided_by": "fast judge (long output)"})
        return Score(value=1.0 - p, passed=p < cut, findings=findings, details=details)
