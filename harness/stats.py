"""Statistics shared by every suite and by comparisons: bootstrap intervals, paired tests, Holm.

Paired tests compare two runs on the same cases. `sign_flip_p` is the paired permutation test of a
mean difference: under the null hypothesis that the two runs are exchangeable on every case, each
case's difference is equally likely to have either sign. `mcnemar_exact` compares pass rates from
the discordant cases only. `holm` adjusts a family of p-values (family-wise error rate at alpha).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from itertools import product

import numpy as np

DEFAULT_RESAMPLES = 2000
DEFAULT_SEED = 20241031


def bootstrap_ci(
    values: Sequence[float],
    confidence: float = 0.95,
    resamples: int = DEFAULT_RESAMPLES,
    seed: int = DEFAULT_SEED,
) -> tuple[float, float]:
    """Percentile bootstrap interval for the mean of `values`.

    With one value (or all equal) the interval collapses to that value; with none it is (nan, nan).
    The seed is fixed so a rerun on the same scores reports the same interval.
    """
    data = np.asarray(values, dtype=float)
    if data.size == 0:
        return (float("nan"), float("nan"))
    if data.size == 1 or np.all(data == data[0]):
        return (float(data[0]), float(data[0]))
    rng = np.random.default_rng(seed)
    means = data[rng.integers(0, data.size, size=(resamples, data.size))].mean(axis=1)
    alpha = (1.0 - confidence) / 2.0
    low, high = np.quantile(means, [alpha, 1.0 - alpha])
    return (float(low), float(high))


EXACT_SIGN_FLIP_MAX = 16
SIGN_FLIP_RESAMPLES = 19999


def sign_flip_p(differences: Sequence[float], alternative: str = "two-sided",
                resamples: int = SIGN_FLIP_RESAMPLES, seed: int = DEFAULT_SEED) -> float:
    """Paired permutation (sign-flip) p-value of the mean of `differences` (NaNs dropped).

    `alternative`: "two-sided", "less" (the mean is below 0) or "greater". Exact over all 2**n sign
    patterns when at most 16 differences are non-zero, else Monte Carlo with the add-one estimator
    (p = (1 + hits) / (1 + resamples), valid for any number of resamples). 1.0 when all are zero.
    """
    d = np.asarray(differences, dtype=float)
    d = d[~np.isnan(d)]
    nonzero = d[d != 0.0]
    if nonzero.size == 0:
        return 1.0
    observed = float(nonzero.sum())
    if nonzero.size <= EXACT_SIGN_FLIP_MAX:
        signs = np.array(list(product((1.0, -1.0), repeat=nonzero.size)))
        null = signs @ nonzero
        hits, total, add = _hits(null, observed, alternative), null.size, 0
    else:
        rng = np.random.default_rng(seed)
        signs = rng.choice((1.0, -1.0), size=(resamples, nonzero.size))
        null = signs @ nonzero
        hits, total, add = _hits(null, observed, alternative), resamples, 1
    return float(min(1.0, (hits + add) / (total + add)))


def _hits(null: np.ndarray, observed: float, alternative: str) -> int:
    tolerance = 1e-9 * max(1.0, abs(observed))
    if alternative == "less":
        return int(np.sum(null <= observed + tolerance))
    if alternative == "greater":
        return int(np.sum(null >= observed - tolerance))
    if alternative == "two-sided":
        return int(np.sum(np.abs(null) >= abs(observed) - tolerance))
    raise ValueError(f"alternative must be two-sided, less or greater, not {alternative!r}")


def mcnemar_exact(only_first: int, only_second: int, alternative: str = "two-sided") -> float:
    """McNemar's exact test on discordant pairs: cases passed by one run only.

    `only_first` cases pass in the first run and fail in the second, `only_second` the reverse.
    Under the null each discordant case is a fair coin. "less" tests that the second run passes
    fewer cases. 1.0 when there are no discordant cases.
    """
    from scipy.stats import binomtest

    n = only_first + only_second
    if n == 0:
        return 1.0
    side = {"two-sided": "two-sided", "less": "greater", "greater": "less"}[alternative]
    return float(binomtest(only_first, n, 0.5, alternative=side).pvalue)


def wilson_ci(successes: int, n: int, confidence: float = 0.95) -> tuple[float, float]:
    """Wilson score interval of a proportion; (nan, nan) when n is 0."""
    if n == 0:
        return (math.nan, math.nan)
    from scipy.stats import binomtest

    interval = binomtest(successes, n).proportion_ci(confidence_level=confidence, method="wilson")
    return (float(interval.low), float(interval.high))


def paired_bootstrap_ci(differences: Sequence[float], confidence: float = 0.95, seed: int = DEFAULT_SEED) -> tuple[float, float]:
    """Percentile bootstrap CI of the mean paired difference, resampling cases (NaNs dropped)."""
    d = np.asarray(differences, dtype=float)
    return bootstrap_ci(d[~np.isnan(d)].tolist(), confidence=confidence, seed=seed)


def holm(p_values: Sequence[float]) -> np.ndarray:
    """Holm step-down adjusted p-values; NaN entries stay NaN and do not count in the family."""
    p = np.asarray(p_values, dtype=float)
    out = np.full(p.shape, np.nan)
    keep = np.flatnonzero(~np.isnan(p))
    order = keep[np.argsort(p[keep], kind="stable")]
    m = order.size
    if m:
        out[order] = np.minimum(1.0, np.maximum.accumulate((m - np.arange(m)) * p[order]))
    return out
