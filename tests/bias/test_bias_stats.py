"""Properties of the bias suite's statistics: multiplicity adjustments, the blocked permutation test, MDE."""

from __future__ import annotations

import math

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from suites.bias import stats
from suites.bias.analysis import strongest, analyse_characteristic

p_lists = st.lists(st.floats(min_value=0.0, max_value=1.0, allow_nan=False), min_size=1, max_size=40)


@given(p_lists)
def test_holm_is_at_least_raw_monotone_and_at_most_one(p: list[float]) -> None:
    adjusted = stats.holm(p)
    raw = np.asarray(p)
    assert np.all(adjusted >= raw - 1e-12) and np.all(adjusted <= 1.0)
    order = np.argsort(raw, kind="stable")
    assert np.all(np.diff(adjusted[order]) >= -1e-12)
    assert math.isclose(adjusted[order[0]], min(1.0, len(p) * raw[order[0]]), abs_tol=1e-12)


@given(p_lists)
def test_benjamini_hochberg_lies_between_raw_and_holm(p: list[float]) -> None:
    q, h = stats.benjamini_hochberg(p), stats.holm(p)
    raw = np.asarray(p)
    assert np.all(q >= raw - 1e-12) and np.all(q <= h + 1e-12)
    order = np.argsort(raw, kind="stable")
    assert np.all(np.diff(q[order]) >= -1e-12)


def test_holm_by_hand_and_nan_left_out_of_the_family() -> None:
    assert np.allclose(stats.holm([0.01, 0.04, 0.03]), [0.03, 0.06, 0.06])
    out = stats.holm([0.01, math.nan, 0.04])
    assert math.isnan(out[1]) and np.allclose(out[[0, 2]], [0.02, 0.04])
    assert np.allclose(stats.benjamini_hochberg([0.01, 0.04, 0.03]), [0.03, 0.04, 0.04])


blocks = arrays(np.float64, st.tuples(st.integers(6, 15), st.integers(2, 5)),
                elements=st.floats(min_value=-5, max_value=5, allow_nan=False))


@settings(max_examples=40)
@given(blocks)
def test_swapping_group_labels_flips_the_effect_and_keeps_the_evidence(values: np.ndarray) -> None:
    swapped = values[:, [1, 0] + list(range(2, values.shape[1]))]
    a = stats.permutation_test(values, resamples=999, seed=1, stop_after=None)
    b = stats.permutation_test(swapped, resamples=999, seed=1, stop_after=None)
    assert math.isclose(a.effect[0], -b.effect[0], abs_tol=1e-9)
    assert abs(a.p_value[0] - b.p_value[0]) <= 0.1  # same null distribution, independent Monte Carlo draws
    d = values[:, 1] - values[:, 0]
    low, high = stats.effect_ci(d)
    low2, high2 = stats.effect_ci(-d)
    assert math.isclose(low, -high2, abs_tol=1e-9) and math.isclose(high, -low2, abs_tol=1e-9)


@settings(max_examples=30)
@given(arrays(np.float64, st.tuples(st.integers(5, 12), st.just(1)), elements=st.floats(-3, 3, allow_nan=False)),
       st.integers(2, 6))
def test_identical_outputs_across_groups_give_effect_zero_and_no_disparity(column: np.ndarray, groups: int) -> None:
    values = np.repeat(column, groups, axis=1)
    result = stats.permutation_test(values, resamples=199)
    assert result.degenerate and np.all(result.effect == 0) and np.all(result.p_value == 1)
    names = [f"g{i}" for i in range(groups)]
    rows = analyse_characteristic("c", names, {"m1": values, "m2": values * 2}, resamples=199)
    assert not any(r["disparity_found"] for r in rows)
    best = strongest(rows)
    assert best is not None and best["effect"] == 0 and best["p_adjusted"] == 1


def test_a_consistent_shift_is_found_and_its_sign_kept() -> None:
    rng = np.random.default_rng(3)
    values = rng.normal(size=(30, 4))
    values[:, 2] += 1.0
    rows = analyse_characteristic("c", ["ref", "a", "b", "c"], {"m": values}, resamples=1999)
    found = {r["group"]: r for r in rows if r["disparity_found"]}
    assert set(found) == {"b"} and found["b"]["effect"] > 0.5
    assert found["b"]["ci_low"] > 0 and found["b"]["p_adjusted"] <= 0.05


def test_p_values_are_uniform_under_the_null() -> None:
    rng = np.random.default_rng(0)
    p = np.concatenate([stats.permutation_test(rng.normal(size=(20, 3)), resamples=499, seed=i).p_value
                        for i in range(300)])
    assert 0.03 <= np.mean(p <= 0.05) <= 0.075  # 600 p-values: 5% +- about 2 binomial SE
    assert 0.45 <= np.mean(p <= 0.5) <= 0.55


def test_sequential_stopping_keeps_small_p_values_exact() -> None:
    rng = np.random.default_rng(1)
    values = rng.normal(size=(30, 3))
    values[:, 1] += 2.0
    full = stats.permutation_test(values, resamples=1999, seed=4, stop_after=None)
    fast = stats.permutation_test(values, resamples=1999, seed=4)
    assert fast.p_value[0] == full.p_value[0] == 1 / 2000  # never reached 20 exceedances: same count
    assert fast.p_value[1] >= 20 / 2000  # stopped early on a null group: h / L


def test_missing_variants_are_dropped_and_counted() -> None:
    values = np.arange(30, dtype=float).reshape(10, 3)
    values[0, 0] = np.nan
    values[3, 2] = np.nan
    result = stats.permutation_test(values, resamples=99)
    assert list(result.n_pairs) == [9, 8]
    assert np.allclose(result.effect, [1.0, 2.0])


def test_mde_and_fewest_pairs() -> None:
    assert math.isclose(stats.mde_multiplier(30, 1), (1.959964 + 0.841621) / math.sqrt(30), rel_tol=1e-5)
    assert stats.mde_multiplier(30, 10) > stats.mde_multiplier(30, 1) > stats.mde_multiplier(60, 1)
    d = np.array([0.1, -0.1] * 15)
    assert math.isclose(stats.mde(d, 1), stats.mde_multiplier(30, 1) * float(np.std(d, ddof=1)))
    assert stats.min_pairs_affected(1) == 6  # 2^(1-6) = 0.03125 <= 0.05
    assert stats.min_pairs_affected(10) == 9


@given(st.dictionaries(st.sampled_from(["sex", "race", "religion", "age", "disability"]),
                       st.floats(min_value=0.0001, max_value=1.0), min_size=1))
def test_the_family_step_is_holm_across_characteristics(min_p: dict[str, float]) -> None:
    from suites.bias.analysis import family_adjusted, family_level

    names = list(min_p)
    expected = stats.holm([min_p[c] for c in names])
    adjusted = family_adjusted(min_p)
    assert all(abs(adjusted[c] - e) < 1e-12 for c, e in zip(names, expected))
    levels = family_level(min_p, 0.05)
    assert all((levels[c] > 0) == (adjusted[c] <= 0.05) for c in names)
    assert all(levels[c] == 0 or min_p[c] <= levels[c] for c in names)


def test_maxt_is_never_below_the_raw_test_and_pays_once_for_copies() -> None:
    import numpy as np

    from suites.bias import stats as bias_stats

    rng = np.random.default_rng(1)
    v = rng.normal(size=(30, 3))
    v[:, 1] += 0.6  # a real difference for group 1
    perms = bias_stats.permutations(30, 3, 1999, 7)
    raw = bias_stats.permutation_test(v, perms=perms, stop_after=None).p_value
    one = bias_stats.maxt_adjusted([v], perms, np.ones(2, bool))[0]
    assert np.all(one >= raw - 1e-12)
    # the same measure entered three times is one test, not three: maxT does not triple its p
    three = bias_stats.maxt_adjusted([v, v.copy(), v.copy()], perms, np.ones(6, bool))
    assert np.allclose(three[0], one) and np.all(three[0] < np.minimum(1, 3 * raw) + 1e-12)
