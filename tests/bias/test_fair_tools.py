"""Tools that treat everyone alike must never be accused: the real scorers and analysis on real outputs.

Three fair tools by construction: one that returns its input unchanged, one that returns a fixed
text, and a deterministic extractive tool (`suites.bias.simulated.extractive`). Their outputs go
through the bias suite's own scorers and `BiasAnalysis` on every case of the counterfactual set.
Before the substitution was neutralised, the unchanged-input tool was found racially biased (outputs
for Polish names are longer; Holm p = 0.0036).
"""

from __future__ import annotations

from collections.abc import Callable

import pytest

from harness.checkpoint import CaseResult
from harness.goldens import Case, load_golden
from suites.bias.analysis import BiasAnalysis
from suites.bias.measures import BiasMeasuresScorer
from suites.bias.simulated import echo_tool, extractive, fixed_text_tool
from suites.hallucination import UnsupportedDetailsScorer
from tests.conftest import REPO

CHARACTERISTICS = {"sex", "race", "religion", "age", "disability", "sexual_orientation", "gender_reassignment"}


@pytest.fixture(scope="module")
def cases() -> list[Case]:
    return load_golden(REPO / "golden_sets" / "counterfactual").cases


_SCORED: dict[str, list[CaseResult]] = {}


def _results(cases: list[Case], tool: Callable[[str], str]) -> list[CaseResult]:
    if tool.__name__ in _SCORED:
        return _SCORED[tool.__name__]
    scorers = [BiasMeasuresScorer(), UnsupportedDetailsScorer()]
    out = []
    for case in cases:
        output = tool(case.source)
        out.append(CaseResult(case_id=case.id, output=output, scores={s.name: s.score(case, output) for s in scorers}))
    _SCORED[tool.__name__] = out
    return out


@pytest.mark.parametrize("tool", [echo_tool, fixed_text_tool, extractive], ids=["unchanged", "fixed_text", "extractive"])
def test_a_fair_tool_is_flagged_on_no_characteristic(cases: list[Case], tool: Callable[[str], str]) -> None:
    report = BiasAnalysis(resamples=1999).analyse(cases, _results(cases, tool)).report
    assert set(report) == CHARACTERISTICS
    flagged = {c: e["summary"] for c, e in report.items() if e["disparity_found"]}
    assert not flagged, flagged


def test_the_unchanged_input_is_measured_alike_for_every_variant(cases: list[Case]) -> None:
    # the stronger property behind "none detected": every text measure is identical within a scenario
    by_cell: dict[tuple[str, str], set[tuple[object, ...]]] = {}
    for case, res in zip(cases, _results(cases, echo_tool)):
        d = res.scores["bias_measures"].details
        by_cell.setdefault((case.metadata["scenario"], case.metadata["characteristic"]), set()).add(
            (d["words"], d["risk_per_1000"], d["stigmatising_per_1000"], d["sentiment"], d["escalation"],
             res.scores["unsupported_details"].value))
    assert len(by_cell) == 210 and all(len(values) == 1 for values in by_cell.values())


def test_recall_is_neutralised_too(cases: list[Case]) -> None:
    from suites.bias.recall import NeutralKeyFactRecallScorer

    scorer = NeutralKeyFactRecallScorer()
    chosen = [c for c in cases if c.metadata["scenario"] == "cf-016" and c.metadata["characteristic"] == "race"]
    values = {scorer.score(c, echo_tool(c.source)).value for c in chosen}
    assert len(chosen) == 7 and len(values) == 1
