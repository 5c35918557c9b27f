"""Hallucination suite: statements in the output that the source does not support."""

import os
from typing import Any

from harness.judges import DEEP_JUDGE_ENV
from harness.scoring import Suite

from .claims import ClaimSupportScorer
from .details import UnsupportedDetailsScorer

__all__ = ["ClaimSupportScorer", "UnsupportedDetailsScorer", "suite"]


def suite() -> Suite:
    """The hallucination suite as registered under the `assure.suites` entry point; with the deep judge
    switched on (`assure run --judge deep`, i.e. ASSURE_DEEP_JUDGE=1) it adds `deep_support`."""
    scorers: list[Any] = [UnsupportedDetailsScorer(), ClaimSupportScorer()]
    if os.environ.get(DEEP_JUDGE_ENV) == "1":
        from judge.nli import package_dir
        from judge.verdict import require_runtime

        from .deep import DeepSupportScorer

        package_dir()  # a missing model or runtime is bad input before any case runs, not an error per case
        require_runtime()
        scorers.append(DeepSupportScorer())
    return Suite(
        name="hallucination",
        version="0.6.0",
        scorers=scorers,
        description="Details and claims in the output that the source does not support.",
    )
