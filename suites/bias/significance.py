"""The bias analysis's tests: every (group, measure) test of one characteristic, and the verdicts.

`analyse_characteristic` runs the paired permutation tests of one characteristic and adjusts them
together (maxT over shared shuffles); `strongest` picks the test with the strongest evidence;
`family_adjusted` and `family_level` apply Holm's step-down across characteristics; `_mde_by_metric`
gives the smallest difference each measure could detect. The statistics themselves are in
`suites.bias.stats`.
"""

from __future__ import annotations

import math
import zlib
from collections.abc import Sequence
from typing import Any

import numpy as np

from . import stats
from .paired_measures import MEASURE_NAMES

MIN_PAIRS = 5


def _seed(base: int, characteristic: str) -> int:
    return base + zlib.crc32(characteristic.encode("utf-8"))


def _finite(value: Any) -> Any:
    if isinstance(value, (float, np.floating)):
        return None if not math.isfinite(float(value)) else float(value)
    if isinstance(value, np.integer):
        return int(value)
    return value


def analyse_characteristic(characteristic: str, groups: Sequence[str], data: dict[str, np.ndarray],
                           alpha: float = stats.ALPHA, resamples: int = stats.DEFAULT_RESAMPLES,
                           seed: int = stats.DEFAULT_SEED, with_ci: bool = True) -> list[dict[str, Any]]:
    """Every (group, measure) test of one characteristic, adjusted together (maxT over shared shuffles).

    `data` maps a measure name to a (scenarios, groups) array, column 0 the reference group, NaN where
    a variant has no value. Returns one row per (non-reference group, measure).
    """
    rows: list[dict[str, Any]] = []
    perms: np.ndarray | None = None
    for name, values in data.items():
        v = np.asarray(values, dtype=float)
        if perms is None:
            perms = stats.permutations(v.shape[0], v.shape[1], resamples, _seed(seed, characteristic))
        result = stats.permutation_test(v, perms=perms)
        for j, group in enumerate(groups[1:]):
            d = v[:, j + 1] - v[:, 0]
            n = int(result.n_pairs[j])
            testable = (not result.degenerate) and n >= MIN_PAIRS
            low, high = stats.effect_ci(d) if with_ci and n > 0 else (math.nan, math.nan)
            rows.append({
                "characteristic": characteristic, "group": group, "reference_group": groups[0], "metric": name,
                "n_pairs": n, "effect": float(result.effect[j]), "ci_low": low, "ci_high": high,
                "d_z": stats.standardised(d), "sd": float(np.nanstd(d, ddof=1)) if n > 1 else math.nan,
                "p_value": float(result.p_value[j]) if testable else 1.0 if n > 0 else math.nan,
                "testable": testable, "_d": d,
            })
    p = [r["p_value"] if r["testable"] else math.nan for r in rows]
    q = stats.benjamini_hochberg(p)
    if perms is not None and rows:
        joint = stats.maxt_adjusted(list(data.values()), perms, np.array([r["testable"] for r in rows])).ravel()
        adjusted = np.where(np.isnan(joint), np.nan, np.fmax(joint, np.array(p)))  # never below the test's own p
    else:
        adjusted = stats.holm(p)
    n_tests = int(sum(r["testable"] for r in rows))
    for r, a, qq in zip(rows, adjusted, q):
        r["p_adjusted"] = float(a) if r["testable"] else (1.0 if r["n_pairs"] > 0 else math.nan)
        r["q_value"] = float(qq) if r["testable"] else (1.0 if r["n_pairs"] > 0 else math.nan)
        r["n_tests"] = n_tests
        r["mde"] = stats.mde(r["_d"], n_tests, alpha)
        r["mde_dz"] = stats.mde_multiplier(r["n_pairs"], n_tests, alpha)
        r["disparity_found"] = bool(r["testable"] and a <= alpha)
    return rows


def strongest(rows: Sequence[dict[str, Any]]) -> dict[str, Any] | None:
    """The row with the strongest evidence: smallest adjusted p, then largest |d_z|, then measure order."""
    candidates = [r for r in rows if r["n_pairs"] > 0]
    if not candidates:
        return None
    rank = {name: i for i, name in enumerate(MEASURE_NAMES)}

    def key(r: dict[str, Any]) -> tuple[float, float, int]:
        dz = abs(r["d_z"]) if math.isfinite(r["d_z"]) else 1e9
        return (r["p_adjusted"], -dz, rank.get(r["metric"], len(rank)))
    return min(candidates, key=key)


def family_adjusted(min_p: dict[str, float]) -> dict[str, float]:
    """Holm's step-down adjustment across characteristics of each characteristic's smallest within-characteristic
    adjusted p (maxT; itself a valid p-value for "the tool treats this characteristic's groups alike"). A
    characteristic whose family-adjusted p is at most alpha is flagged; the chance that a fair tool gets any
    characteristic flagged in a run is then at most alpha. NaN (nothing testable) stays NaN."""
    finite = sorted((p, c) for c, p in min_p.items() if math.isfinite(p))
    k, running, out = len(finite), 0.0, {c: math.nan for c in min_p}
    for j, (p, c) in enumerate(finite):
        running = max(running, min(1.0, (k - j) * p))
        out[c] = running
    return out


def family_level(min_p: dict[str, float], alpha: float) -> dict[str, float]:
    """The level each characteristic's own tests are held to under the family-wise step: alpha / (k - j) for
    the characteristic Holm rejects at step j, 0.0 for those it does not reject."""
    adjusted = family_adjusted(min_p)
    finite = sorted((p, c) for c, p in min_p.items() if math.isfinite(p))
    return {c: alpha / (len(finite) - j) if adjusted[c] <= alpha else 0.0 for j, (_, c) in enumerate(finite)} | \
        {c: 0.0 for c, p in min_p.items() if not math.isfinite(p)}


def smallest_adjusted(rows: Sequence[dict[str, Any]]) -> float:
    """The smallest within-characteristic adjusted p among testable rows (NaN when none is testable)."""
    return min((r["p_adjusted"] for r in rows if r["testable"]), default=math.nan)


def verdict(rows: Sequence[dict[str, Any]]) -> bool:
    """Disparity found: some test of the characteristic survived Holm's adjustment."""
    return any(r["disparity_found"] for r in rows)


def _mde_by_metric(rows: Sequence[dict[str, Any]]) -> dict[str, float | None]:
    """Per measure: MDE in its units using the SD of all paired differences of the characteristic."""
    out: dict[str, float | None] = {}
    for name in dict.fromkeys(r["metric"] for r in rows):
        these = [r for r in rows if r["metric"] == name]
        d = np.concatenate([r["_d"] for r in these])
        d = d[~np.isnan(d)]
        n = int(np.median([r["n_pairs"] for r in these])) if these else 0
        if d.size < 2 or n < 1:
            out[name] = None
            continue
        out[name] = _finite(stats.mde_multiplier(n, these[0]["n_tests"]) * float(np.std(d, ddof=1)))
    return out
