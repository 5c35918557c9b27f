"""The CI gate: does a run meet its thresholds, and did it get significantly worse than a baseline?

Checks, per scorer named in the thresholds file or present in both runs:
- `mean`, `pass_rate`: the run's mean / pass rate is at least this (absolute floors);
- `max_critical`: the run has at most this many critical findings;
- regression (with a baseline): the mean fell by more than `max_regression` AND the one-sided paired
  sign-flip test says the fall is significant at `alpha` after Holm across the scorers compared;
- `max_new_critical` (with a baseline): at most this many critical findings that the baseline did
  not have on the same case (default 1; 4 for the key-fact recall scorers, calibrated). A rule, not a test: three new critical findings in 24 cases can never
  reach p < 0.05 on a paired test, and one critical hallucination in a safeguarding minute matters.
And `max_errors`: at most this many errored cases in the run.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import TYPE_CHECKING

from pydantic import BaseModel, ConfigDict, Field

from .compare import Comparison, RunSide, ScorerDifference, WorseCase, compare, summarise_run
from .errors import InputError
from .runs import RunReport
from .sentences import p_text
from .yamlfile import read_yaml_mapping, validate_mapping

if TYPE_CHECKING:
    from .tracking import Tracker

DEFAULT_ALPHA = 0.05
DEFAULT_MAX_REGRESSION = 0.02
# One new critical finding (an invented dose, a flipped consent) fails: `assure bench gate` found the
# hallucination scorers raise none on faithful rewordings of the bundled minutes (an allowance of 0
# rather than 1 costs no measured false failures and lifts power on 3 critical hallucinations from
# 96.0% to 99.75%).
DEFAULT_MAX_NEW_CRITICAL = 0
# Scorers whose critical findings move with wording alone get a wider allowance. Calibrated by
# `assure bench gate` on the bundled minutes (key_fact_recall 1.2.0): faithful rewordings of the same
# minutes change which critical key facts the embedded matcher reads as absent (more than 2 new in
# 21.2% of same-tool pairs, more than 3 in 4.5%, more than 4 in 0.5%). Both recall scorers share that matcher.
DEFAULT_MAX_NEW_CRITICAL_BY_SCORER = {"key_fact_recall": 4, "derived_key_fact_recall": 4}
DEFAULT_MAX_ERRORS = 0
# The gate's verdict, recorded as tags on the candidate run (`record_verdict`); gating again overwrites them.
VERDICT_TAG = "assure.gate.verdict"            # "pass" or "fail"
BASELINE_TAG = "assure.gate.baseline"          # the baseline run id, "" when gated without one
FAILED_CHECKS_TAG = "assure.gate.failed_checks"  # "scorer: check; ...", "" when it passed
CHECKS_TAG = "assure.gate.checks"              # "2 of 9 failed"
GATED_AT_TAG = "assure.gate.time"              # when, UTC ISO 8601
THRESHOLDS_TAG = "assure.gate.thresholds"      # the thresholds file as given
GATE_TAGS = (VERDICT_TAG, BASELINE_TAG, FAILED_CHECKS_TAG, CHECKS_TAG, GATED_AT_TAG, THRESHOLDS_TAG)
MAX_FAILED_CHECKS_TEXT = 500


class ScorerRule(BaseModel):
    """Thresholds for one scorer; each key is optional (unset: not checked, or the documented default)."""

    model_config = ConfigDict(extra="forbid")
    mean: float | None = Field(default=None, ge=0, le=1, description="Fail if the run's mean is below this.")
    pass_rate: float | None = Field(default=None, ge=0, le=1, description="Fail if the run's pass rate is below this.")
    max_critical: int | None = Field(default=None, ge=0, description="Fail if the run has more critical findings.")
    max_regression: float | None = Field(default=None, ge=0, le=1,
                                         description=f"Largest tolerated fall in mean against the baseline (default {DEFAULT_MAX_REGRESSION}).")
    alpha: float | None = Field(default=None, gt=0, lt=1, description=f"Significance level of the regression test (default {DEFAULT_ALPHA}).")
    max_new_critical: int | None = Field(default=None, ge=0,
                                         description=f"Critical findings the baseline did not have (default {DEFAULT_MAX_NEW_CRITICAL}; "
                                                     "4 for the key-fact recall scorers).")


class Thresholds(BaseModel):
    """A thresholds file: `max_errors`, `defaults` for every scorer, and per-scorer `scorers` rules."""

    model_config = ConfigDict(extra="forbid")
    max_errors: int = Field(default=DEFAULT_MAX_ERRORS, ge=0, description="Fail if more cases than this errored.")
    defaults: ScorerRule = Field(default_factory=ScorerRule)
    scorers: dict[str, ScorerRule] = Field(default_factory=dict)

    def rule(self, scorer: str) -> ScorerRule:
        """The scorer's rule with unset keys taken from `defaults`, then from the documented defaults."""
        own = self.scorers.get(scorer, ScorerRule())
        merged = {k: v if v is not None else getattr(self.defaults, k) for k, v in own.model_dump().items()}
        merged["alpha"] = merged["alpha"] if merged["alpha"] is not None else DEFAULT_ALPHA
        merged["max_regression"] = merged["max_regression"] if merged["max_regression"] is not None else DEFAULT_MAX_REGRESSION
        if merged["max_new_critical"] is None:
            merged["max_new_critical"] = default_max_new_critical(scorer)
        return ScorerRule(**merged)


def default_max_new_critical(scorer: str) -> int:
    """The shipped allowance of new critical findings for `scorer` (see DEFAULT_MAX_NEW_CRITICAL_BY_SCORER)."""
    return DEFAULT_MAX_NEW_CRITICAL_BY_SCORER.get(scorer, DEFAULT_MAX_NEW_CRITICAL)


def load_thresholds(path: str | Path) -> Thresholds:
    """Read and check a thresholds YAML file; problems name the file, line and field (exit 2)."""
    data, text = read_yaml_mapping(path, "thresholds")
    return validate_mapping(Thresholds, data, path, text)


@dataclass(frozen=True)
class Check:
    """One gate check: what was checked, on which scorer (None for run-wide checks), and the verdict."""

    name: str
    scorer: str | None
    passed: bool
    message: str
    regressed_cases: tuple[WorseCase, ...] = ()


@dataclass
class GateResult:
    """The gate's verdict on a candidate run, with every check and (given a baseline) the comparison."""

    candidate: RunSide
    checks: list[Check]
    comparison: Comparison | None = None
    baseline: RunSide | None = None
    worse_cases: list[WorseCase] = field(default_factory=list)

    @property
    def passed(self) -> bool:
        return all(c.passed for c in self.checks)

    @property
    def failures(self) -> list[Check]:
        return [c for c in self.checks if not c.passed]


def run_gate(candidate: RunReport, thresholds: Thresholds, baseline: RunReport | None = None,
             thresholds_file: str | Path = "thresholds") -> GateResult:
    """Every check on `candidate` (and against `baseline` when given)."""
    if baseline is not None:
        comparison = compare([baseline, candidate], alpha=DEFAULT_ALPHA, alternative="less")
        side, base_side = comparison.side(candidate.run_id), comparison.side(baseline.run_id)
    else:
        comparison = None
        side = summarise_run(candidate)
        base_side = None
    unknown = [name for name in thresholds.scorers if name not in side.scorers]
    if unknown:
        raise InputError.single(thresholds_file, f"no scorer {', '.join(map(repr, unknown))} in run {candidate.run_id}; "
                                f"it has {', '.join(side.scorers)}", field="scorers")
    checks: list[Check] = []
    errors = side.errors
    checks.append(Check("errored cases", None, errors <= thresholds.max_errors,
                        f"{errors} errored case(s); at most {thresholds.max_errors} allowed"))
    differences = {d.scorer: d for d in comparison.pairs[0].scorers} if comparison else {}
    worse = comparison.pairs[0].worse_cases if comparison else []
    for scorer, summary in side.scorers.items():
        if summary.n_scored == 0 and scorer not in thresholds.scorers:
            continue
        rule = thresholds.rule(scorer)
        checks.extend(_absolute_checks(scorer, summary.mean, summary.pass_rate, summary.critical_findings, rule))
        if scorer in differences:
            scorer_worse = tuple(w for w in worse if w.scorer == scorer)
            checks.extend(_regression_checks(scorer, differences[scorer], rule, scorer_worse))
    return GateResult(candidate=side, checks=checks, comparison=comparison, baseline=base_side, worse_cases=list(worse))


def verdict_tags(result: GateResult, baseline_id: str | None, thresholds_file: str | Path = "",
                 now: datetime | None = None) -> dict[str, str]:
    """The tags that record `result` on the candidate run (every one set, so a later gating replaces all of them)."""
    failed = "; ".join(f"{c.scorer}: {c.name}" if c.scorer else c.name for c in result.failures)
    if len(failed) > MAX_FAILED_CHECKS_TEXT:
        failed = failed[:MAX_FAILED_CHECKS_TEXT - 3] + "..."
    when = (now or datetime.now(timezone.utc)).astimezone(timezone.utc).isoformat(timespec="seconds")
    return {VERDICT_TAG: "pass" if result.passed else "fail", BASELINE_TAG: baseline_id or "", FAILED_CHECKS_TAG: failed,
            CHECKS_TAG: f"{len(result.failures)} of {len(result.checks)} failed", GATED_AT_TAG: when,
            THRESHOLDS_TAG: str(thresholds_file)}


def record_verdict(tracker: Tracker, run_id: str, result: GateResult, baseline_id: str | None,
                   thresholds_file: str | Path = "") -> dict[str, str]:
    """Record the gate's verdict as tags on run `run_id` in one write; returns the tags."""
    from mlflow.entities import RunTag

    tags = verdict_tags(result, baseline_id, thresholds_file)
    tracker.client.log_batch(run_id, tags=[RunTag(k, v) for k, v in tags.items()])
    return tags


def read_verdict(tags: dict[str, str]) -> dict[str, str] | None:
    """The recorded verdict in a run's tags (keys: verdict, baseline, failed_checks, checks, time, thresholds), or None."""
    if tags.get(VERDICT_TAG) not in ("pass", "fail"):
        return None
    return {key.rpartition(".")[2]: tags.get(key, "") for key in GATE_TAGS}


def _absolute_checks(scorer: str, mean: float | None, pass_rate: float | None, critical: int,
                     rule: ScorerRule) -> list[Check]:
    checks = []
    if rule.mean is not None:
        ok = mean is not None and mean >= rule.mean
        checks.append(Check("mean", scorer, ok, f"mean {_fmt(mean)}; at least {rule.mean:g} required"))
    if rule.pass_rate is not None:
        ok = pass_rate is not None and pass_rate >= rule.pass_rate
        checks.append(Check("pass rate", scorer, ok, f"pass rate {_fmt(pass_rate)}; at least {rule.pass_rate:g} required"))
    if rule.max_critical is not None:
        checks.append(Check("critical findings", scorer, critical <= rule.max_critical,
                            f"{critical} critical finding(s); at most {rule.max_critical} allowed"))
    return checks


def _regression_checks(scorer: str, d: ScorerDifference, rule: ScorerRule, worse: tuple[WorseCase, ...]) -> list[Check]:
    assert rule.alpha is not None and rule.max_regression is not None and rule.max_new_critical is not None
    checks = []
    if d.difference is not None and d.p_holm is not None:
        fall = -d.difference
        regressed = fall > rule.max_regression and d.p_holm < rule.alpha
        message = (f"mean {_fmt(d.mean_b)} against baseline {_fmt(d.mean_a)} on {d.n_shared} cases, change "
                   f"{d.difference:+.3f} (95% CI {_fmt(d.ci[0], signed=True)} to {_fmt(d.ci[1], signed=True)}), "
                   f"{p_text(d.p_holm)} after Holm; fails on a fall over {rule.max_regression:g} with p < {rule.alpha:g}")
        stopped = tuple(w for w in worse if w.passed_a and not w.passed_b)
        checks.append(Check("regression", scorer, not regressed, message, stopped or worse[:10] if regressed else ()))
    new_critical = [(w, f) for w in worse for f in w.added if f.severity == "critical"]
    ok = len(new_critical) <= rule.max_new_critical
    cases = tuple({w.case_id: w for w, _ in new_critical}.values())
    checks.append(Check("new critical findings", scorer, ok,
                        f"{len(new_critical)} critical finding(s) the baseline did not have, in {len(cases)} case(s); "
                        f"at most {rule.max_new_critical} allowed", () if ok else cases))
    return checks


def _fmt(value: float | None, signed: bool = False) -> str:
    if value is None:
        return "n/a"
    return f"{value:+.3f}" if signed else f"{value:.3f}"


