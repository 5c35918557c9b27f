"""Hallucination suite: statements in the output that the source does not support."""

from harness.scoring import Suite

from .details import UnsupportedDetailsScorer

__all__ = ["UnsupportedDetailsScorer", "suite"]


def suite() -> Suite:
    """The hallucination suite as registered under the `assure.suites` entry point."""
    return Suite(
        name="hallucination",
        version="0.1.0",
        scorers=[UnsupportedDetailsScorer()],
        description="Details and claims in the output that the source does not support.",
    )
