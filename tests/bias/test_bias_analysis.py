"""The set-level bias analysis on constructed results (no tool, no omission suite needed)."""

from __future__ import annotations

import hashlib
from collections.abc import Callable

import pytest

from harness.checkpoint import CaseResult
from harness.goldens import Case, load_golden
from harness.scoring import Score
from suites.bias.analysis import BiasAnalysis, designs
from tests.conftest import REPO

REPORT_KEYS = {"disparity_found", "metric", "effect", "ci_low", "ci_high", "p_value", "p_adjusted", "n_pairs"}


@pytest.fixture(scope="module")
def cases() -> list[Case]:
    return load_golden(REPO / "golden_sets" / "counterfactual").cases


def result(case: Case, views: float = 1.0, recall: float = 0.9, stigma: float = 0.0, words: int = 300,
           output: str | None = "Output.", with_recall: bool = True, noise: float = 0.0) -> CaseResult:
    if output is None:
        return CaseResult(case_id=case.id, error="exception: boom", error_kind="exception")
    scores = {
        "unsupported_details": Score(value=1.0, passed=True),
        "bias_measures": Score(value=1.0, passed=True, details={
            "words": words, "stigmatising_per_1000": stigma, "risk_per_1000": 5.0, "sentiment": 0.1 + noise,
            "escalation": 1, "stigmatising_hits": []}),
    }
    if with_recall:
        scores["bias_key_fact_recall"] = Score(value=recall, passed=True, details={
            "recall": recall, "recall_by_category": {"views_wishes": views, "risk": 1.0},
            "facts": [{"id": "kf1", "category": "views_wishes", "severity": "critical",
                       "status": "present" if views > 0.5 else "absent", "span": "She said no." if views > 0.5 else None}]})
    return CaseResult(case_id=case.id, output=output, scores=scores)


def run(cases: list[Case], make: Callable[[Case], CaseResult], characteristics: set[str] | None = None):
    chosen = [c for c in cases if characteristics is None or c.metadata["characteristic"] in characteristics]
    return BiasAnalysis(resamples=1999).analyse(chosen, [make(c) for c in chosen])


def noisy(case: Case) -> float:
    digest = hashlib.sha256(case.id.encode()).digest()
    return int.from_bytes(digest[:4], "big") / 2**32 * 0.01  # group-independent jitter


def test_fair_results_give_no_disparity_and_the_report_shape(cases: list[Case]) -> None:
    out = run(cases, lambda c: result(c, noise=noisy(c)))
    assert set(out.report) == {"sex", "race", "religion", "age", "disability", "sexual_orientation", "gender_reassignment"}
    for name, entry in out.report.items():
        assert REPORT_KEYS <= set(entry), name
        assert entry["disparity_found"] is False and entry["verdict"] == "none detected"
        assert entry["n_pairs"] == 30 and 0 <= entry["p_value"] <= entry["p_adjusted"] <= 1
        assert entry["mde"] is not None and entry["mde_dz"] > 0 and "views_recall" in entry["mde_by_metric"]
    assert out.metrics["characteristics_flagged"] == 0
    assert set(out.tables) == {"tests", "pairs"}
    assert len(out.tables["pairs"]) == 30 * (1 + 6 + 5 + 2 + 3 + 2 + 1)


def test_dropped_views_for_one_group_are_flagged_with_an_example_pair(cases: list[Case]) -> None:
    affected = {f"cf-{i:03d}" for i in range(1, 31, 3)}  # 10 of 30 scenarios

    def make(c: Case) -> CaseResult:
        dropped = c.metadata["group"] == "muslim" and c.metadata["scenario"] in affected
        text = "Plan agreed." if dropped else "She said she wanted to stay at home. Plan agreed."
        return result(c, views=0.0 if dropped else 1.0, recall=0.6 if dropped else 0.9, output=text, noise=noisy(c))
    out = run(cases, make, {"religion", "sex"})
    religion, sex = out.report["religion"], out.report["sex"]
    assert religion["disparity_found"] is True and religion["group"] == "muslim"
    assert religion["metric"] == "views_recall"
    assert religion["effect"] == pytest.approx(-10 / 30)
    assert religion["ci_low"] < religion["effect"] < religion["ci_high"] < 0
    assert religion["p_adjusted"] <= 0.05 and religion["n_pairs"] == 30
    example = religion["example"]
    assert example["reference_case"].endswith(".religion.christian") and example["other_case"].endswith(".religion.muslim")
    assert example["reference_value"] == 1.0 and example["other_value"] == 0.0
    assert "stay at home" in example["reference_span"] and example["other_span"] == ""
    assert example["facts_differing"][0]["other_status"] == "absent"
    assert sex["disparity_found"] is False
    flagged = out.tables["tests"].query("disparity_found")
    assert set(flagged["group"]) == {"muslim"}


def test_sex_is_oriented_male_minus_female_whichever_is_the_reference(cases: list[Case]) -> None:
    refs = {c.metadata["reference_group"] for c in cases if c.metadata["characteristic"] == "sex"}
    assert refs == {"female", "male"}
    out = run(cases, lambda c: result(c, words=280 if c.metadata["group"] == "male" else 300, noise=noisy(c)), {"sex"})
    sex = out.report["sex"]
    assert sex["reference_group"] == "female" and sex["group"] == "male"
    assert sex["metric"] == "words" and sex["effect"] == -20 and sex["disparity_found"] is True


def test_errored_cases_are_dropped_and_counted_never_a_crash(cases: list[Case]) -> None:
    def make(c: Case) -> CaseResult:
        fails = c.metadata["group"] == "jewish" and c.metadata["scenario"] in {"cf-001", "cf-002"}
        fails |= c.id == "cf-003.religion.christian"
        return result(c, output=None if fails else "Text.", noise=noisy(c))
    religion = run(cases, make, {"religion"}).report["religion"]
    assert religion["errored_by_group"]["jewish"] == 2 and religion["errored_by_group"]["christian"] == 1
    assert religion["n_dropped"] == 2 + 5  # two jewish pairs, and every pair of cf-003
    assert religion["n_pairs_possible"] == 150
    assert religion["disparity_found"] is False


def test_a_group_the_tool_always_fails_on_is_a_disparity(cases: list[Case]) -> None:
    out = run(cases, lambda c: result(c, output=None if c.metadata["group"] == "deaf" else "Text.", noise=noisy(c)),
              {"disability"})
    entry = out.report["disability"]
    assert entry["disparity_found"] and entry["metric"] == "errored" and entry["group"] == "deaf" and entry["effect"] == 1


def test_without_the_omission_suite_recall_is_skipped_with_a_reason(cases: list[Case]) -> None:
    out = run(cases, lambda c: result(c, with_recall=False, noise=noisy(c)), {"age"})
    skipped = out.report["age"]["skipped_metrics"]
    assert set(skipped) == {"views_recall", "risk_recall", "recall"}
    assert "bias_key_fact_recall" in skipped["views_recall"]


def test_cases_without_counterfactual_metadata_give_an_empty_section() -> None:
    plain = Case(id="x", task="case_note_summary", source="text")
    out = BiasAnalysis().analyse([plain], [CaseResult(case_id="x", output="text")])
    assert out.report == {} and out.metrics["characteristics_tested"] == 0


def test_designs_pair_each_variant_with_its_scenarios_reference(cases: list[Case]) -> None:
    by_name = {d.characteristic: d for d in designs(cases)}
    race = by_name["race"]
    assert race.groups[0] == "white_british" and len(race.groups) == 7 and len(race.scenarios) == 30
    cell = race.cells["cf-005"]
    assert cell["white_british"].metadata["is_reference"] and not cell["arab"].metadata["is_reference"]
    assert len(cell) == 7
