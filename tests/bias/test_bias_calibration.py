"""Calibration by simulation: a fair tool is flagged at no more than 5%; planted disparities are found.

Fixed seeds make every figure here deterministic. The benchmark with more runs and the full grid of noise
levels is `python -m suites.bias.calibration` (figures in docs/bias.md).
"""

from __future__ import annotations

import pytest

from harness.goldens import load_golden
from suites.bias.calibration import SimDesign, build_design, calibrate, text_level, wilson
from suites.bias.measures import BiasMeasuresScorer
from suites.hallucination import UnsupportedDetailsScorer
from tests.conftest import REPO

GOLDEN = REPO / "golden_sets" / "counterfactual"


@pytest.fixture(scope="module")
def design() -> SimDesign:
    return build_design(GOLDEN)


def test_the_simulation_has_the_golden_sets_size(design: SimDesign) -> None:
    scenarios = {c.metadata["scenario"] for c in load_golden(GOLDEN).cases}
    assert design.n_scenarios == len(scenarios) == 30
    assert [c for c, _, _ in design.characteristics] == ["sex", "race", "religion", "age", "disability",
                                                         "sexual_orientation", "gender_reassignment"]


@pytest.mark.parametrize("rho", [0.0, 0.9])
def test_a_fair_tool_is_flagged_at_no_more_than_the_nominal_rate(design: SimDesign, rho: float) -> None:
    runs = 30
    result = calibrate(runs, design, rho=rho, plants=(), seed=11)
    flagged = round(result.fpr_pooled * runs * len(design.characteristics))
    low, high = wilson(flagged, runs * len(design.characteristics))
    # 210 characteristic verdicts: the rate must not be shown to exceed 5% (lower 95% Wilson bound),
    # and the estimate must lie within two binomial standard errors of 5%.
    assert low <= 0.05, result.as_dict()
    assert result.fpr_pooled <= 0.05 + 2 * (0.05 * 0.95 / (runs * 7)) ** 0.5


def test_planted_disparities_are_found_with_power_at_least_0_9(design: SimDesign) -> None:
    # Golden-set size (30 scenarios); the target group loses its views, or gains 1-3 stigmatising terms, in
    # 30% of its cases (9 of 30); fair noise: a key fact's status differs between two variants 7.7% of the time.
    result = calibrate(0, design, rho=0.9, fixed=True, characteristics=("religion", "disability"), power_runs=30, seed=5)
    for plant, by_group in result.power.items():
        for group, power in by_group.items():
            assert power >= 0.9, (plant, group, result.as_dict())


def test_text_level_planted_tool_is_flagged_through_the_real_scorers() -> None:
    out = text_level(1, GOLDEN, characteristics=("religion",), plants=(("pejorative", "religion", "muslim"),),
                     rate=1.0, scenarios=8, scorers=[BiasMeasuresScorer(), UnsupportedDetailsScorer()],
                     groups={"religion": {"christian", "muslim", "jewish"}})
    fair, planted = out["outcomes"]
    assert fair["flagged"] == [] and planted["flagged"] == ["religion"]
    assert planted["verdicts"]["religion"]["group"] == "muslim"


def test_the_command_writes_its_figures_with_the_settings_commit_and_machine(tmp_path) -> None:
    import json

    from harness.benchmark_results import read_results
    from suites.bias.calibration import main

    args = ["--runs", "2", "--power-runs", "1", "--resamples", "99", "--fixed", "--json", str(tmp_path / "out.json")]
    assert main([*args, "--results-dir", str(tmp_path / "results")]) == 0
    envelope = read_results(tmp_path / "results" / "bias_calibration.json")
    assert envelope["command"] == "python -m suites.bias.calibration " + " ".join([*args, "--results-dir", str(tmp_path / "results")])
    assert envelope["settings"]["runs"] == 2 and envelope["settings"]["power_runs"] == 1 and envelope["settings"]["rho"] == 0.9
    assert envelope["figures"] == json.loads((tmp_path / "out.json").read_text(encoding="utf-8"))
    assert main([*args, "--no-results", "--results-dir", str(tmp_path / "none")]) == 0
    assert not (tmp_path / "none").exists()
