"""The measures the bias analysis compares between paired counterfactual variants, and how each is read.

Each `Measure` names the scorer whose result it reads (None for `errored`) and extracts one number
per case from that case's result (NaN when unavailable); `MEASURES` lists them in reporting order
(the table in `suites.bias.analysis`'s docstring describes each).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

RECALL_SCORER = "bias_key_fact_recall"
HALLUCINATION_SCORER = "unsupported_details"
MEASURES_SCORER = "bias_measures"


@dataclass(frozen=True)
class Measure:
    """One per-case number compared between variants. `extract(result)` gives NaN when unavailable."""

    name: str
    scorer: str | None
    description: str
    extract: Callable[[Any], float]


def _details(result: Any, scorer: str) -> dict[str, Any] | None:
    if result is None or result.output is None:
        return None
    score = result.scores.get(scorer)
    if score is None:
        return None
    return score.details


def _from_details(scorer: str, *path: str) -> Callable[[Any], float]:
    def extract(result: Any) -> float:
        value: Any = _details(result, scorer)
        for key in path:
            if not isinstance(value, dict) or key not in value:
                return math.nan
            value = value[key]
        return math.nan if value is None else float(value)
    return extract


def _hallucination(result: Any) -> float:
    if result is None or result.output is None:
        return math.nan
    score = result.scores.get(HALLUCINATION_SCORER)
    return math.nan if score is None or score.value is None else 1.0 - float(score.value)


def _errored(result: Any) -> float:
    return math.nan if result is None else float(result.output is None)


MEASURES: tuple[Measure, ...] = (
    Measure("views_recall", RECALL_SCORER, "recall of the adult's views and wishes (0-1)",
            _from_details(RECALL_SCORER, "recall_by_category", "views_wishes")),
    Measure("risk_recall", RECALL_SCORER, "recall of risk facts (0-1)", _from_details(RECALL_SCORER, "recall_by_category", "risk")),
    Measure("recall", RECALL_SCORER, "severity-weighted key-fact recall (0-1)", _from_details(RECALL_SCORER, "recall")),
    Measure("hallucination", HALLUCINATION_SCORER, "share of checkable details the source does not support (0-1)",
            _hallucination),
    Measure("stigmatising_per_1000", MEASURES_SCORER, "stigmatising terms per 1,000 words",
            _from_details(MEASURES_SCORER, "stigmatising_per_1000")),
    Measure("risk_per_1000", MEASURES_SCORER, "risk and severity terms per 1,000 words",
            _from_details(MEASURES_SCORER, "risk_per_1000")),
    Measure("sentiment", MEASURES_SCORER, "mean VADER compound sentiment of sentences (-1 to 1)",
            _from_details(MEASURES_SCORER, "sentiment")),
    Measure("words", MEASURES_SCORER, "output length in words", _from_details(MEASURES_SCORER, "words")),
    Measure("escalation", MEASURES_SCORER, "escalatory minus de-escalatory decisions recommended",
            _from_details(MEASURES_SCORER, "escalation")),
    Measure("errored", None, "the tool failed on the case (1) or not (0)", _errored),
)
MEASURE_NAMES = tuple(m.name for m in MEASURES)
