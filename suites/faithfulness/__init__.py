"""Faithfulness suite: supported-claim share, distortion of certainty and emphasis, reference agreement."""

from harness.scoring import Suite

from .scorers import DistortionScorer, ReferenceAgreementScorer, SupportedClaimShareScorer

__all__ = ["DistortionScorer", "ReferenceAgreementScorer", "SupportedClaimShareScorer", "suite"]


def suite() -> Suite:
    """The faithfulness suite as registered under the `assure.suites` entry point."""
    return Suite(name="faithfulness", version="1.1.0",
                 scorers=[SupportedClaimShareScorer(), DistortionScorer(), ReferenceAgreementScorer()],
                 description="How much of the output the source supports, without distortion; agreement with a reference.")
