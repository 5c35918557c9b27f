"""The gate's calibration machinery (`suites.gate_calibration`, `assure bench gate`) on a small scale.

Four cases of the bundled safeguarding minutes, two faithful outputs each (the reference and the
restyled reference, no random rewrites), 50 simulated pairs per scenario. To stay quick on two cores
key_fact_recall is matched lexically here (no sentence-embedding model): the machinery, not the
figures, is under test; `assure bench gate` measures the figures with the real scorers.
"""

from __future__ import annotations

import random

import pytest
from typer.testing import CliRunner

from harness.goldens import Case, load_golden
from harness.scoring import Score
from suites import gate_calibration as gc
from suites.hallucination import ClaimSupportScorer, UnsupportedDetailsScorer
from suites.omission import CompressionScorer, MinutesStructureScorer
from suites.omission.recall import KeyFactRecallScorer, match_facts, score_matches

CASES = 4
SIMULATIONS = 50


class LexicalKeyFactRecall(KeyFactRecallScorer):
    """key_fact_recall without the embedding model (lexical coverage only): a quick stand-in for tests."""

    def score(self, case: Case, output: str) -> Score:
        return score_matches(match_facts(case, output, semantic=False), self.threshold, "annotated")


SCORERS = [UnsupportedDetailsScorer(), ClaimSupportScorer(), LexicalKeyFactRecall(), MinutesStructureScorer(), CompressionScorer()]


@pytest.fixture(scope="module")
def pools() -> list[gc.CasePool]:
    golden = load_golden(gc.DEFAULT_GOLDEN)
    return gc.build_pools(golden, SCORERS, gc.load_restyled(gc.DEFAULT_GOLDEN), rewrites=0, cases=CASES, seed=0)


@pytest.fixture(scope="module")
def result(pools: list[gc.CasePool]) -> gc.GateCalibration:
    return gc.calibrate(simulations=SIMULATIONS, seed=1, pools=pools)


def test_pools_hold_scored_faithful_outputs_and_degraded_variants(pools: list[gc.CasePool]) -> None:
    assert [len(p.outputs) for p in pools] == [2] * CASES
    for pool in pools:
        reference, restyled = pool.outputs
        assert reference.label == "reference" and restyled.label == "restyled"
        for entry in pool.outputs:
            assert set(entry.clean.scores) == {s.name for s in SCORERS}
            assert entry.omitted is not None and entry.omitted_facts
            assert entry.recall_fall is not None and entry.recall_fall > 0
            assert len(entry.omitted.output) < len(entry.clean.output)
            assert entry.hallucinated is not None and entry.defect in gc.CRITICAL_KINDS
            assert entry.hallucinated.output != entry.clean.output


def test_rates_are_proportions_and_power_exceeds_false_failures(result: gc.GateCalibration) -> None:
    same = result.scenarios["same_tool"]
    assert same.simulations == SIMULATIONS
    for scenario in result.scenarios.values():
        assert 0 <= scenario.gate_failed.rate <= 1
        assert scenario.gate_failed.ci[0] <= scenario.gate_failed.rate <= scenario.gate_failed.ci[1]
        for r in scenario.by_check.values():
            assert r.k <= scenario.gate_failed.k
    for scenario in ("recall_drop", "critical_hallucinations"):
        assert result.scenarios[scenario].gate_failed.rate > same.gate_failed.rate
    assert result.scenarios["recall_drop"].mean_fall["key_fact_recall"] > 0.05
    assert abs(same.mean_fall["key_fact_recall"]) < 0.05
    # The per-scorer trade-off row at the shipped allowances reproduces the gate's own verdicts.
    recall_allowance = result.defaults["max_new_critical_by_scorer"]["key_fact_recall"]
    rows = {(row["key_fact_recall"], row["others"]): row for row in result.per_scorer_tradeoff}
    shipped = rows[(recall_allowance, result.defaults["max_new_critical"])]
    assert shipped["max_regression"] == result.defaults["max_regression"]
    for scenario in ("same_tool", "recall_drop", "critical_hallucinations"):
        assert shipped[scenario] == pytest.approx(result.scenarios[scenario].gate_failed.rate)


def test_identical_pools_never_fail_the_gate(pools: list[gc.CasePool]) -> None:
    one = gc.calibrate(simulations=SIMULATIONS, seed=1, pools=pools, pool_size=1)
    same = one.scenarios["same_tool"]
    assert same.gate_failed.k == 0 and same.by_check["regression"].k == 0
    assert all(v == 0 for scorer in same.new_critical_exceeds.values() for v in scorer.values())


def test_results_are_deterministic_for_a_seed(pools: list[gc.CasePool], result: gc.GateCalibration) -> None:
    golden = load_golden(gc.DEFAULT_GOLDEN)
    first = gc.simulate(golden, pools, "critical_hallucinations", SIMULATIONS, seed=1)
    assert gc.summarise("critical_hallucinations", first) == result.scenarios["critical_hallucinations"]
    assert gc.simulate(golden, pools, "critical_hallucinations", SIMULATIONS, seed=1) == first
    assert gc.simulate(golden, pools, "critical_hallucinations", SIMULATIONS, seed=2) != first


def test_faithful_rewrites_are_seeded_and_change_the_text() -> None:
    case = load_golden(gc.DEFAULT_GOLDEN).cases[0]
    first = gc.random_rewrite(case, case.reference or "", random.Random("x"))
    assert first == gc.random_rewrite(case, case.reference or "", random.Random("x"))
    assert first[0] != case.reference and 2 <= len(first[1]) <= 4


def test_the_command_is_registered_beside_bench_validity() -> None:
    import typer

    from suites.validity import register

    app = typer.Typer()
    register(app)
    result = CliRunner().invoke(app, ["bench", "gate", "--help"])
    assert result.exit_code == 0, result.output
    for option in ("--simulations", "--seed", "--json"):
        assert option in result.output


def test_the_results_file_keeps_every_summary_but_not_the_pairs(result: gc.GateCalibration, tmp_path) -> None:
    from harness import benchmark_results

    figures = gc.results_figures(result, 12.0)
    assert "pool" not in figures and "pairs" not in figures and figures["seconds"] == 12.0
    assert figures["scenarios"]["same_tool"]["simulations"] == SIMULATIONS
    envelope = benchmark_results.begin("gate_calibration", gc.COMMAND, {"simulations": SIMULATIONS}).finish(figures)
    path = benchmark_results.write_results(envelope, tmp_path)
    assert benchmark_results.read_results(path)["figures"]["tradeoff"] == figures["tradeoff"]


def test_the_command_offers_to_redirect_or_skip_its_results_file() -> None:
    import typer

    from suites.validity import register

    app = typer.Typer()
    register(app)
    for command in ("gate", "validity"):
        result = CliRunner().invoke(app, ["bench", command, "--help"])
        assert "--results-dir" in result.output and "--no-results" in result.output
