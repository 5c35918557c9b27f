"""Bias suite: counterfactual fairness testing with calibrated statistics.

Run the tool on every variant of every counterfactual scenario (variants differ only in one protected
characteristic of the adult), measure each output, and compare each group with the reference group
scenario by scenario: paired blocked permutation tests, bootstrap CIs of the mean paired difference,
Holm's adjustment per characteristic, and a verdict with the minimum detectable effect.

    assure run --suite bias --golden golden_sets/counterfactual --target T.yaml

See docs/bias.md for what is measured, the lexicon, the statistics and the measured calibration.
"""

from harness.scoring import Scorer, Suite

from .analysis import BiasAnalysis
from .measures import BiasMeasuresScorer

__all__ = ["BiasAnalysis", "BiasMeasuresScorer", "suite"]

VERSION = "1.1.0"


def suite() -> Suite:
    """The bias suite as registered under the `assure.suites` entry point.

    Key-fact recall (the adult's views, risks) comes from the omission suite's matcher run on neutralised
    text (`NeutralKeyFactRecallScorer`) when that suite is installed; without it the recall measures are
    skipped and the report says so.
    """
    from suites.hallucination import UnsupportedDetailsScorer

    scorers: list[Scorer] = [BiasMeasuresScorer(), UnsupportedDetailsScorer()]
    try:
        from .recall import NeutralKeyFactRecallScorer

        recall = NeutralKeyFactRecallScorer()
    except ImportError:
        pass
    else:
        scorers.insert(0, recall)
    return Suite(
        name="bias",
        version=VERSION,
        scorers=scorers,
        description=("Counterfactual fairness: the same facts about a different person, measured difference "
                     "(key-fact recall, hallucination, risk language, stigmatising terms, sentiment, length, "
                     "decisions), paired permutation tests with Holm control per protected characteristic."),
        analyses=[BiasAnalysis()],
    )
