"""`claim_support`: each claim of the output against the source, with the reason for each problem.

Each claim (sentence or ';'-clause) gets its closest source passage or key fact (`judge.claims`).
Findings: a claim with nothing in the source behind it (`unsupported_claim`, major), consent or
capacity stated the other way round (`consent_flip`, `capacity_flip`, critical, given positive evidence:
a source clause that states the opposite outright, else `unverified`, major, for review), a statement or
action credited to another person than the one the source credits (`wrong_person`, critical), any other
statement negated the other way round (`negation_flip`, major: for review), an allegation or
possibility stated as fact (`allegation_as_fact`, major: for review), and the
unsupported names, dates, times, doses and numbers of `unsupported_details` inside the claim
(critical for names, dates, weekdays, times, doses and sums of money).

`value` is severity-weighted: 1 minus the mean over claims of the worst finding's weight
(critical 1, major 0.5, minor 0.25); 1.0 means no claim has a problem. A critical finding fails the
case; so does a value under the threshold.
"""

from __future__ import annotations

from judge.claims import check_claims
from harness.goldens import Case
from harness.scoring import Finding, Score

from .details import unsupported_details

WEIGHT = {"critical": 1.0, "major": 0.5, "minor": 0.25}


class ClaimSupportScorer:
    """Severity-weighted share of claims without a problem (1 = every claim supported)."""

    name = "claim_support"
    version = "1.4.0"
    threshold = 0.85
    description = ("Claims checked against the closest source passage or key fact: unsupported claims, flipped consent, "
                   "capacity or negation, statements credited to the wrong person, allegations stated as fact, unsupported "
                   "details. Critical findings fail the case.")

    def score(self, case: Case, output: str) -> Score:
        checks = check_claims(case, output)
        detail_findings = unsupported_details(case.source, output)[1]
        findings: list[Finding] = []
        worst: list[float] = []
        for check in checks:
            own = [Finding(kind=kind, severity=severity, output_span=check.claim.text,  # type: ignore[arg-type]
                           source_evidence=check.evidence, reason=reason) for kind, severity, reason in check.problems]
            own += [f for f in detail_findings if f.output_span and f.output_span in check.claim.text]
            findings.extend(own)
            worst.append(max((WEIGHT[f.severity] for f in own), default=0.0))
        placed = {id(f) for f in findings}
        findings += [f for f in detail_findings if id(f) not in placed]
        if not checks:
            return Score.unscored("the output has no claims to check")
        value = max(0.0, 1.0 - sum(worst) / len(worst))
        critical = any(f.severity == "critical" for f in findings)
        return Score(value=value, passed=not critical and value >= self.threshold, findings=findings, details={
            "claims": len(checks), "claims_without_problem": sum(w == 0.0 for w in worst),
            "share_without_problem": round(sum(w == 0.0 for w in worst) / len(checks), 4)})
