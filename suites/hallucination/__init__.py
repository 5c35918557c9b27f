"""Hallucination suite: statements in the output that the source does not support."""

from harness.scoring import Suite

from .claims import ClaimSupportScorer
from .details import UnsupportedDetailsScorer

__all__ = ["ClaimSupportScorer", "UnsupportedDetailsScorer", "suite"]


def suite() -> Suite:
    """The hallucination suite as registered under the `assure.suites` entry point."""
    return Suite(
        name="hallucination",
        version="0.6.0",
        scorers=[UnsupportedDetailsScorer(), ClaimSupportScorer()],
        description="Details and claims in the output that the source does not support.",
    )
