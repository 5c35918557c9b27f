"""Omission suite: what a tool leaves out of safeguarding minutes and case summaries.

Scorers: `key_fact_recall` (annotated key facts, embedded judge), `derived_key_fact_recall`
(statements derived from a council's own reference minutes; lower confidence),
`minutes_structure` (the minutes standard's sections, attendees with role and agency) and
`compression` (length diagnostics). With an LLM judge configured (`--judge` or ASSURE_JUDGE),
`llm_key_fact_recall` is added; with the deep judge (`--judge deep`), `deep_key_fact_recall`.
"""

import os

from harness.judges import DEEP_JUDGE_ENV
from harness.judges.llm import LLMJudge, configured_judge
from harness.scoring import Scorer, Suite

from .compression import CompressionScorer
from .recall import DerivedKeyFactRecallScorer, KeyFactRecallScorer
from .structure import MinutesStructureScorer

__all__ = ["CompressionScorer", "DerivedKeyFactRecallScorer", "KeyFactRecallScorer", "MinutesStructureScorer", "suite"]


def suite() -> Suite:
    """The omission suite as registered under the `assure.suites` entry point."""
    scorers: list[Scorer] = [KeyFactRecallScorer(), DerivedKeyFactRecallScorer(), MinutesStructureScorer(), CompressionScorer()]
    config = configured_judge()
    if config is not None:
        from .llm import LLMKeyFactRecallScorer

        scorers.append(LLMKeyFactRecallScorer(LLMJudge(config)))
    if os.environ.get(DEEP_JUDGE_ENV) == "1":
        from judge.verdict import require_runtime

        from .deep import DeepKeyFactRecallScorer

        require_runtime()  # bad input before any case runs, not an error per case
        scorers.append(DeepKeyFactRecallScorer())
    return Suite(name="omission", version="1.2.0", scorers=scorers,
                 description="Key facts, sections and length that the output leaves out.")
