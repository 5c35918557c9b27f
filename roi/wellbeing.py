"""Staff wellbeing before and after a tool: SWEMWBS scores, their change, its 95% CI, a test, and the
share of staff whose score rose by more than the minimal important difference (MID).

- mean_change = mean(after) - mean(before) (for paired data, the mean of after_i - before_i).
- Paired: 95% CI and p-value of the paired t-test (scipy.stats.ttest_rel); the Wilcoxon
  signed-rank p-value is reported beside it (`p_value_wilcoxon`, exact without zeros or ties,
  else the normal approximation), since scores are bounded.
- Unpaired: Welch's t-test (unequal variances) and its 95% CI.
- share_improving_more_than_mid: share of respondents with after_i - before_i > MID (paired data
  only: unpaired data says nothing about individuals), with a bootstrap 95% CI.
Raw SWEMWBS sums (7-35) are converted to metric scores with the official table below first.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from harness.stats import bootstrap_ci

from .submission import Wellbeing

SWEMWBS_RAW_TO_METRIC: dict[int, float] = dict(zip(range(7, 36), (
    7.00, 9.51, 11.25, 12.40, 13.33, 14.08, 14.75, 15.32, 15.84, 16.36, 16.88, 17.43, 17.98, 18.59, 19.25,
    19.98, 20.73, 21.54, 22.35, 23.21, 24.11, 25.03, 26.02, 27.03, 28.13, 29.31, 30.70, 32.55, 35.00)))
"""SWEMWBS raw score (sum of 7 items scored 1-5) to metric score (shared/DOMAIN.md, from public
scoring scripts; the official chart is available from Warwick Medical School on registration)."""

SWEMWBS_SOURCE = ("SWEMWBS (Warwick-Edinburgh Mental Wellbeing Scales, short form): scores only are stored; free for "
                  "public-sector non-commercial use on registration, a commercial supplier needs a licence; the "
                  "questionnaire text may not be redistributed")


def swemwbs_metric(raw: float) -> float:
    """The metric score of a raw SWEMWBS sum (a whole number from 7 to 35)."""
    if raw != int(raw) or int(raw) not in SWEMWBS_RAW_TO_METRIC:
        raise ValueError(f"raw SWEMWBS scores are whole numbers 7 to 35, got {raw!r}")
    return SWEMWBS_RAW_TO_METRIC[int(raw)]


def compare(before: Sequence[float], after: Sequence[float], paired: bool, mid: float | None = None) -> dict[str, Any]:
    """Change from `before` to `after`: mean change, 95% CI, test p-value(s), and (paired, with a
    MID) the shares of respondents improving or worsening by more than the MID."""
    from scipy import stats

    b = np.asarray(before, dtype=float)
    a = np.asarray(after, dtype=float)
    out: dict[str, Any] = {"paired": paired, "n_before": int(b.size), "n_after": int(a.size),
                           "mean_before": float(b.mean()), "mean_after": float(a.mean())}
    if paired:
        diff = a - b
        out["mean_change"] = float(diff.mean())
        out["test"] = "paired t-test (scipy.stats.ttest_rel); Wilcoxon signed-rank beside it"
        if np.all(diff == diff[0]):  # no spread: the t-test is undefined, the change is exact
            out.update(ci_low=float(diff[0]), ci_high=float(diff[0]), p_value=1.0 if diff[0] == 0 else None,
                       p_value_wilcoxon=1.0 if diff[0] == 0 else None)
        else:
            result = stats.ttest_rel(a, b)
            ci = result.confidence_interval(0.95)
            out.update(ci_low=float(ci.low), ci_high=float(ci.high), p_value=float(result.pvalue))
            out["p_value_wilcoxon"] = _wilcoxon_p(diff)
        if mid is not None:
            improved = (diff > mid).astype(float)
            worse = (diff < -mid).astype(float)
            low, high = bootstrap_ci(improved)
            out.update(mid=mid, share_improving_more_than_mid=float(improved.mean()),
                       share_improving_ci_low=low, share_improving_ci_high=high,
                       share_worsening_more_than_mid=float(worse.mean()))
    else:
        out["mean_change"] = float(a.mean() - b.mean())
        out["test"] = "Welch's t-test (scipy.stats.ttest_ind, equal_var=False)"
        if np.all(a == a[0]) and np.all(b == b[0]):
            out.update(ci_low=out["mean_change"], ci_high=out["mean_change"], p_value=1.0 if a[0] == b[0] else None)
        else:
            result = stats.ttest_ind(a, b, equal_var=False)
            ci = result.confidence_interval(0.95)
            out.update(ci_low=float(ci.low), ci_high=float(ci.high), p_value=float(result.pvalue))
        if mid is not None:
            out.update(mid=mid, share_improving_more_than_mid=None, share_improving_ci_low=None, share_improving_ci_high=None,
                       share_worsening_more_than_mid=None,
                       share_note="unpaired scores say nothing about individuals: no share improving")
    if mid is not None:
        out["mean_change_exceeds_mid"] = bool(out["mean_change"] > mid)
    return out


def _wilcoxon_p(diff: np.ndarray) -> float:
    """Two-sided Wilcoxon signed-rank p-value: exact for up to 50 differences without zeros or ties,
    otherwise the normal approximation (scipy's permutation fallback is too slow for a command line)."""
    from scipy import stats

    nonzero = diff[diff != 0]
    if nonzero.size == 0:
        return 1.0
    untied = np.unique(np.abs(nonzero)).size == nonzero.size
    method = "exact" if untied and nonzero.size == diff.size and diff.size <= 50 else "asymptotic"
    return float(stats.wilcoxon(diff, method=method).pvalue)


def analyse(wellbeing: Wellbeing, mid: float) -> dict[str, Any]:
    """The wellbeing section of a council's result: SWEMWBS (metric scores) and any other scales."""
    convert = wellbeing.score_type == "raw"
    before = [swemwbs_metric(x) for x in wellbeing.before] if convert else list(wellbeing.before)
    after = [swemwbs_metric(x) for x in wellbeing.after] if convert else list(wellbeing.after)
    result = {"instrument": wellbeing.instrument, "score_type": wellbeing.score_type,
              "converted_from_raw": convert, "licence": SWEMWBS_SOURCE,
              **compare(before, after, wellbeing.paired, mid)}
    result["other_scales"] = [
        {"name": s.name, "higher_is_better": s.higher_is_better, "range": [s.min, s.max], "licence": s.licence,
         **compare(s.before, s.after, s.paired)}
        for s in wellbeing.other_scales]
    return result
