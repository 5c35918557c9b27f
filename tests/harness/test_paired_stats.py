"""Paired statistics of the comparison engine: sign-flip permutation p, McNemar's exact test, Wilson, Holm."""

from __future__ import annotations

import math

import numpy as np
from hypothesis import given
from hypothesis import strategies as st

from harness.stats import holm, mcnemar_exact, paired_bootstrap_ci, sign_flip_p, wilson_ci

diffs = st.lists(st.floats(min_value=-1, max_value=1, allow_nan=False), min_size=0, max_size=30)


@given(diffs)
def test_sign_flip_p_is_a_probability_and_two_sided_is_symmetric(d: list[float]) -> None:
    p = sign_flip_p(d)
    assert 0 < p <= 1
    assert math.isclose(p, sign_flip_p([-x for x in d]), abs_tol=0.02)


@given(diffs)
def test_one_sided_p_values_cover_both_directions(d: list[float]) -> None:
    less, greater = sign_flip_p(d, "less"), sign_flip_p(d, "greater")
    assert 0 < less <= 1 and 0 < greater <= 1
    # Each tail includes the observed statistic, so the two tails overlap and sum to at least one.
    assert less + greater >= 1 - 0.02


def test_sign_flip_exact_values_by_hand() -> None:
    assert sign_flip_p([-0.1] * 5, "less") == 1 / 32
    assert sign_flip_p([-0.1] * 5) == 2 / 32
    assert sign_flip_p([0.0, 0.0]) == 1.0
    # Three big falls among noise: the smallest one-sided p a sign-flip test can give is 1/8.
    assert sign_flip_p([-0.5, -0.5, -0.5] + [0.0] * 21, "less") == 1 / 8


def test_monte_carlo_sign_flip_agrees_with_the_normal_approximation() -> None:
    rng = np.random.default_rng(3)
    d = rng.normal(-0.05, 0.1, size=40)
    from scipy.stats import norm

    z = d.sum() / math.sqrt((d ** 2).sum())
    assert math.isclose(sign_flip_p(d.tolist(), "less"), norm.cdf(z), abs_tol=0.01)


@given(st.integers(0, 40), st.integers(0, 40))
def test_mcnemar_is_symmetric_and_a_probability(b: int, c: int) -> None:
    p = mcnemar_exact(b, c)
    assert 0 < p <= 1
    assert math.isclose(p, mcnemar_exact(c, b))
    assert mcnemar_exact(b, c, "less") <= 1


def test_mcnemar_by_hand() -> None:
    assert math.isclose(mcnemar_exact(9, 0), 2 * 0.5 ** 9)
    assert math.isclose(mcnemar_exact(9, 0, "less"), 0.5 ** 9)
    assert mcnemar_exact(0, 9, "less") == 1.0


@given(st.integers(0, 50), st.integers(1, 50))
def test_wilson_interval_contains_the_proportion(k: int, n: int) -> None:
    k = min(k, n)
    low, high = wilson_ci(k, n)
    assert 0 <= low <= k / n <= high <= 1


@given(st.lists(st.floats(0, 1, allow_nan=False), min_size=1, max_size=12))
def test_holm_is_at_least_raw_and_at_most_one(p: list[float]) -> None:
    adjusted = holm(p)
    assert np.all(adjusted >= np.asarray(p) - 1e-12) and np.all(adjusted <= 1)


def test_paired_bootstrap_ci_brackets_the_mean_difference() -> None:
    d = [-0.2, -0.1, 0.0, -0.3, -0.15, -0.05]
    low, high = paired_bootstrap_ci(d)
    assert low <= np.mean(d) <= high < 0
