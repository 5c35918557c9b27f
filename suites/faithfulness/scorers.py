"""Faithfulness: how much of the output the source supports, distortion of certainty and emphasis,
and agreement with a reference where the case has one. All offline (`judge.claims`)."""

from __future__ import annotations

import re

from judge.align import best_match, cached_passages
from judge.claims import CLOSE, check_claims, split_claims
from harness.goldens import Case
from harness.scoring import Finding, Score

_EMPHASIS = re.compile(r"\b(?:very|extremely|severe(?:ly)?|serious(?:ly)?|significant(?:ly)?|always|never|definitely|"
                       r"clearly|certainly|constantly|completely|totally|urgent(?:ly)?|critical|grave|huge|major)\b", re.I)
AGREE_AT = 0.5


class SupportedClaimShareScorer:
    """Share of the output's claims that the source (or the case's key facts) supports (1 = all)."""

    name = "supported_claim_share"
    version = "1.1.0"
    threshold = 0.9
    description = "Share of output claims with close source evidence and no flip or distortion found."

    def score(self, case: Case, output: str) -> Score:
        checks = check_claims(case, output)
        if not checks:
            return Score.unscored("the output has no claims to check")
        unsupported = [c for c in checks if not c.supported]
        share = 1 - len(unsupported) / len(checks)
        findings = [Finding(kind="unsupported_claim" if not c.problems else c.problems[0][0], severity="major",
                            output_span=c.claim.text, source_evidence=c.evidence,
                            reason=c.problems[0][2] if c.problems else f"weak support (coverage {c.support:.2f})")
                    for c in unsupported]
        return Score(value=share, passed=share >= self.threshold, findings=findings,
                     details={"claims": len(checks), "supported": len(checks) - len(unsupported)})


class DistortionScorer:
    """Share of claims free of distortion: certainty raised ("alleged" or "may" made fact) or emphasis
    added (an intensifier such as "severe" or "always" that the closest evidence does not use)."""

    name = "distortion"
    version = "1.1.0"
    threshold = 0.95
    description = "Claims whose certainty or emphasis goes beyond the source (1 = none)."

    def score(self, case: Case, output: str) -> Score:
        checks = check_claims(case, output)
        if not checks:
            return Score.unscored("the output has no claims to check")
        findings = []
        for check in checks:
            if any(kind == "allegation_as_fact" for kind, _, _ in check.problems):
                findings.append(Finding(kind="certainty_raised", severity="major", output_span=check.claim.text,
                                        source_evidence=check.evidence, reason="states as fact what the source gives as an allegation or possibility"))
                continue
            added = {w.lower() for w in _EMPHASIS.findall(check.claim.text)} - {w.lower() for w in _EMPHASIS.findall(check.evidence or "")}
            if added and check.support >= CLOSE:
                findings.append(Finding(kind="emphasis_added", severity="minor", output_span=check.claim.text,
                                        source_evidence=check.evidence, reason=f"adds emphasis the source does not use: {', '.join(sorted(added))}"))
        value = 1 - len(findings) / len(checks)
        return Score(value=value, passed=value >= self.threshold, findings=findings, details={"claims": len(checks), "distorted": len(findings)})


class ReferenceAgreementScorer:
    """F1 of the output's and the reference's statements: precision = share of output claims the
    reference also states, recall = share of reference statements the output states (1 = same content)."""

    name = "reference_agreement"
    version = "1.0.0"
    threshold = 0.6
    description = "Agreement with the case's reference output (statement-level F1); unscored without a reference."

    def score(self, case: Case, output: str) -> Score:
        if not case.reference:
            return Score.unscored("the case has no reference")
        ours, theirs = split_claims(output), split_claims(case.reference)
        if not ours or not theirs:
            return Score(value=0.0, passed=False, details={"precision": 0.0, "recall": 0.0})
        reference_passages, output_passages = cached_passages(case.reference, 2), cached_passages(output, 2)
        precision = sum(best_match(c.text, reference_passages)[0] >= AGREE_AT for c in ours) / len(ours)
        recall = sum(best_match(c.text, output_passages)[0] >= AGREE_AT for c in theirs) / len(theirs)
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        return Score(value=f1, passed=f1 >= self.threshold, details={"precision": round(precision, 4), "recall": round(recall, 4)})
