"""Statistics of the bias suite: paired permutation tests, multiplicity control, effect sizes, MDE.

Design. For one protected characteristic, every scenario is a block holding one variant per group
(column 0 is the reference group). For group g the paired difference in scenario s is
d_s = m(g, s) - m(reference, s); the effect is the mean of d over scenarios where both variants were
scored, with a percentile bootstrap 95% CI over pairs (`harness.stats.bootstrap_ci`).

Test. Under the null hypothesis that the tool treats every group of the characteristic alike, the
group labels within a scenario are exchangeable: the variants differ only in who the person is.
The p-value is a Monte Carlo permutation p-value: labels are shuffled within each scenario (all
groups of the characteristic, the reference included) `resamples` times, and
p = (1 + #{|T*| >= |T|}) / (1 + resamples) for T the mean paired difference. With two groups this is
the paired sign-flip test; with more it uses every variant of the scenario, which is what gives it
power with 30 scenarios. The p-value is valid for any number of resamples (Phipson and Smyth 2010).
Missing variants (errored cases) are NaN and are shuffled with the rest, so the test stays exact
when errors do not depend on the group.

A test is degenerate when every scenario's values are all equal: then no relabelling changes
anything and p = 1 with certainty. Degenerate tests are left out of the multiplicity family (they
can never reject; Tarone 1990); their rows are kept and marked.

Multiplicity. Westfall and Young's maxT adjustment (`maxt_adjusted`) over all non-degenerate (group,
measure) tests of one characteristic controls the family-wise error rate of that characteristic's
verdict at alpha, using the same shuffles for every measure so that correlated measures are not
paid for twice (Holm's step-down adjustment, `holm`, is the bound it never exceeds by much and is
kept for reading). The analysis then controls the rate across characteristics (`analysis.family_adjusted`).
Benjamini-Hochberg q-values are reported alongside for reading the table.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from scipy.stats import norm

from harness.stats import bootstrap_ci, holm  # noqa: F401  (holm is part of this module's surface)

DEFAULT_RESAMPLES = 9999
DEFAULT_SEED = 20261124
ALPHA = 0.05
POWER = 0.8
STOP_AFTER = 20


def _family(p_values: Sequence[float]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(p as an array, an all-NaN output of its shape, indices of the non-NaN p-values in ascending order)."""
    p = np.asarray(p_values, dtype=float)
    keep = np.flatnonzero(~np.isnan(p))
    return p, np.full(p.shape, np.nan), keep[np.argsort(p[keep], kind="stable")]


def benjamini_hochberg(p_values: Sequence[float]) -> np.ndarray:
    """Benjamini-Hochberg q-values; NaN entries stay NaN and do not count in the family."""
    p, out, order = _family(p_values)
    m = order.size
    if m == 0:
        return out
    scaled = p[order] * m / np.arange(1, m + 1)
    out[order] = np.minimum(1.0, np.minimum.accumulate(scaled[::-1])[::-1])
    return out


def _nanmean(a: np.ndarray, axis: int) -> np.ndarray:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        return np.nanmean(a, axis=axis)


@dataclass(frozen=True)
class PermutationResult:
    """Per non-reference group (columns 1..G-1 of the input): effect, pairs, p-value, degeneracy."""

    effect: np.ndarray
    n_pairs: np.ndarray
    p_value: np.ndarray
    degenerate: bool


def is_degenerate(values: np.ndarray) -> bool:
    """True when every block's observed values are all equal (no relabelling can change anything)."""
    v = np.asarray(values, dtype=float)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        spread = np.nanmax(v, axis=-1) - np.nanmin(v, axis=-1)
    return bool(np.all(np.isnan(spread) | (spread == 0)))


def permutations(blocks: int, groups: int, resamples: int, seed: int) -> np.ndarray:
    """`resamples` independent shuffles of the group labels within each block: (resamples, blocks, groups)."""
    rng = np.random.default_rng(seed)
    base = np.broadcast_to(np.arange(groups), (resamples, blocks, groups))
    return rng.permuted(base, axis=2)


def permutation_test(values: np.ndarray, resamples: int = DEFAULT_RESAMPLES, seed: int = DEFAULT_SEED,
                     perms: np.ndarray | None = None, stop_after: int | None = STOP_AFTER,
                     chunk: int = 500) -> PermutationResult:
    """Blocked permutation test of each non-reference column against column 0 (see the module docstring).

    `values` is (blocks, groups) with NaN for a missing variant. `perms`, if given, is a precomputed
    (resamples, blocks, groups) array of within-block shuffles (shared across measures).

    Sequential stopping (Besag and Clifford 1991): a group's test stops once `stop_after` shuffled
    statistics have reached the observed one; its p-value is then stop_after / L, where L is the number
    of shuffles drawn by then. Otherwise p = (1 + exceedances) / (1 + resamples). Both are valid
    p-values; stopping only saves time on tests that are plainly not significant. None: never stop.
    """
    v = np.asarray(values, dtype=float)
    blocks, groups = v.shape
    d = v[:, 1:] - v[:, :1]
    n_pairs = np.sum(~np.isnan(d), axis=0)
    effect = _nanmean(d, axis=0)
    if groups < 2 or is_degenerate(v):
        return PermutationResult(effect, n_pairs, np.where(n_pairs > 0, 1.0, np.nan), True)
    if perms is None:
        perms = permutations(blocks, groups, resamples, seed)
    total = perms.shape[0]
    observed = np.abs(effect)
    tolerance = 1e-9 * np.maximum(1.0, np.nan_to_num(observed))
    exceed = np.zeros(groups - 1)
    p = np.full(groups - 1, np.nan)
    active = n_pairs > 0
    rows = np.arange(blocks)[None, :, None]
    for start in range(0, total, chunk):
        if not active.any():
            break
        shuffled = v[rows, perms[start:start + chunk]]
        stats = _nanmean(shuffled[:, :, 1:] - shuffled[:, :, :1], axis=1)
        hits = np.abs(stats) >= observed - tolerance  # NaN statistics never count
        for j in np.flatnonzero(active):
            if stop_after is not None:
                running = exceed[j] + np.cumsum(hits[:, j])
                reached = np.flatnonzero(running >= stop_after)
                if reached.size:
                    p[j] = stop_after / (start + reached[0] + 1)
                    active[j] = False
                    continue
            exceed[j] += hits[:, j].sum()
    final = active & np.isnan(p)
    p[final] = (1.0 + exceed[final]) / (1.0 + total)
    return PermutationResult(effect, n_pairs, np.where(n_pairs > 0, np.minimum(p, 1.0), np.nan), False)


def maxt_adjusted(arrays: Sequence[np.ndarray], perms: np.ndarray, testable: np.ndarray, chunk: int = 500) -> np.ndarray:
    """Westfall and Young's single-step maxT adjusted p-values over every (measure, group) test of one
    characteristic, shape (len(arrays), groups - 1).

    Each test's statistic is its |mean paired difference| over the SD of that statistic across the
    shuffles (so measures in different units compare), and every shuffle is applied to all measures at
    once (`perms`, shared), so the correlation between measures (recall, views recall and length fall
    together) is kept: p_adj = (1 + #{shuffles whose largest standardised statistic over the tests is at
    least this test's}) / (1 + shuffles). This controls the characteristic's family-wise error rate at
    alpha like Holm's adjustment, without paying for tests that say the same thing. `testable` marks the
    tests in the family; the others get NaN."""
    total = perms.shape[0]
    observed, shuffled_stats = [], []
    rows = np.arange(perms.shape[1])[None, :, None]
    for v in arrays:
        v = np.asarray(v, dtype=float)
        observed.append(_nanmean(v[:, 1:] - v[:, :1], axis=0))
        parts = []
        for start in range(0, total, chunk):
            shuffled = v[rows, perms[start:start + chunk]]
            parts.append(_nanmean(shuffled[:, :, 1:] - shuffled[:, :, :1], axis=1))
        shuffled_stats.append(np.concatenate(parts, axis=0))
    obs = np.abs(np.concatenate(observed))
    null = np.abs(np.concatenate(shuffled_stats, axis=1))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        sd = np.nanstd(null, axis=0)
    family = np.asarray(testable, dtype=bool).ravel() & (sd > 0) & np.isfinite(obs)
    out = np.full(obs.shape, np.nan)
    if family.any():
        z_obs = obs[family] / sd[family]
        z_max = np.nanmax(null[:, family] / sd[family], axis=1)
        tolerance = 1e-9 * np.maximum(1.0, z_obs)
        out[family] = (1.0 + np.sum(z_max[:, None] >= z_obs[None, :] - tolerance, axis=0)) / (1.0 + total)
    return out.reshape(len(arrays), -1)


def effect_ci(differences: Sequence[float], seed: int = DEFAULT_SEED) -> tuple[float, float]:
    """Percentile bootstrap 95% CI of the mean paired difference (NaNs dropped)."""
    d = np.asarray(differences, dtype=float)
    return bootstrap_ci(d[~np.isnan(d)].tolist(), seed=seed)


def standardised(differences: Sequence[float]) -> float:
    """Cohen's d_z: mean paired difference over its standard deviation (0 when there is no spread)."""
    d = np.asarray(differences, dtype=float)
    d = d[~np.isnan(d)]
    if d.size < 2:
        return 0.0
    sd = float(np.std(d, ddof=1))
    mean = float(np.mean(d))
    if sd == 0.0:
        return 0.0 if mean == 0.0 else math.copysign(math.inf, mean)
    return mean / sd


def mde_multiplier(n_pairs: int, n_tests: int, alpha: float = ALPHA, power: float = POWER) -> float:
    """Minimum detectable effect in SD units of the paired differences (normal approximation).

    (z_{1-alpha/(2m)} + z_{power}) / sqrt(n): Bonferroni level, which is Holm's first step, so it is
    conservative; the permutation test with more than two groups per scenario does better.
    """
    if n_pairs < 1:
        return math.nan
    m = max(1, n_tests)
    return float((norm.ppf(1 - alpha / (2 * m)) + norm.ppf(power)) / math.sqrt(n_pairs))


def mde(differences: Sequence[float], n_tests: int, alpha: float = ALPHA, power: float = POWER) -> float:
    """Minimum detectable mean paired difference, in the measure's own units, at this sample size."""
    d = np.asarray(differences, dtype=float)
    d = d[~np.isnan(d)]
    if d.size < 2:
        return math.nan
    return mde_multiplier(int(d.size), n_tests, alpha, power) * float(np.std(d, ddof=1))


def min_pairs_affected(n_tests: int, alpha: float = ALPHA) -> int:
    """Fewest pairs that must all move the same way (the rest unchanged) for a two-group paired
    permutation test to pass Holm's first step: the smallest k with 2^(1-k) <= alpha/m."""
    return int(math.ceil(1 + math.log2(max(1, n_tests) / alpha)))
