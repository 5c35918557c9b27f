"""The one currency between suites and everything else: `Score`, `Finding`, scorers and aggregates.

A scorer maps (case, output) to a `Score`. `value` is in [0, 1] and 1 is best; `passed` says
whether the case met the scorer's documented threshold. A scorer that could not judge returns
`Score.unscored(reason)`: it is counted apart, never as a pass or a fail.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol, runtime_checkable

from pydantic import BaseModel, Field

from .goldens import Case, Severity
from .stats import bootstrap_ci


class Finding(BaseModel):
    """One problem a scorer found, written so a social worker can read the reason."""

    kind: str
    severity: Severity
    output_span: str | None = None
    source_evidence: str | None = None
    reason: str
    key_fact_id: str | None = None


class Score(BaseModel):
    """One scorer's verdict on one case. `value` None means unscored (the judge could not decide)."""

    value: float | None = Field(default=None, ge=0.0, le=1.0)
    passed: bool | None = None
    findings: list[Finding] = Field(default_factory=list)
    details: dict[str, Any] = Field(default_factory=dict)

    @classmethod
    def unscored(cls, reason: str) -> "Score":
        return cls(value=None, passed=None, details={"unscored": reason})

    @classmethod
    def judge_error(cls, reason: str) -> "Score":
        """Unscored because the LLM judge gave no usable answer (it failed, or its reply never fit the
        schema): counted apart from other unscored cases as a judge error."""
        return cls(value=None, passed=None, details={"unscored": f"LLM judge failed: {reason}", "judge_error": reason})

    @property
    def scored(self) -> bool:
        return self.value is not None

    @property
    def is_judge_error(self) -> bool:
        return "judge_error" in self.details


@runtime_checkable
class Scorer(Protocol):
    """Anything with a name, a version, a threshold and `score(case, output) -> Score`."""

    name: str
    version: str
    threshold: float
    description: str

    def score(self, case: Case, output: str) -> Score: ...


@dataclass(frozen=True)
class SetAnalysisResult:
    """What a set-level analysis adds to a run.

    `report` becomes `report[analysis.name]` in the run report JSON; `metrics` are logged to MLflow
    as `{analysis.name}.{key}`; each table is written as `{analysis.name}_{key}.csv` and logged as
    an artifact; `summary` (plain sentences) is shown in the run's summary.html.
    """

    report: dict[str, Any]
    metrics: dict[str, float] = field(default_factory=dict)
    tables: dict[str, Any] = field(default_factory=dict)
    summary: list[str] = field(default_factory=list)


@runtime_checkable
class SetAnalysis(Protocol):
    """A verdict over the whole run rather than one case (for example paired bias statistics).

    It runs after every case has been scored and sees every case with its result (output, error
    and the scores of all scorers in the run).
    """

    name: str
    version: str

    def analyse(self, cases: Sequence[Case], results: Sequence[Any]) -> SetAnalysisResult: ...


@dataclass(frozen=True)
class Suite:
    """A named group of scorers, as chosen with `assure run --suite NAME`, with optional set-level analyses."""

    name: str
    version: str
    scorers: Sequence[Scorer]
    description: str = ""
    analyses: Sequence[SetAnalysis] = ()


SuiteFactory = Callable[[], Suite]


def scorers_of(suites: Iterable[Suite]) -> list[Scorer]:
    """Every scorer of `suites`, in order; where two suites share a scorer name, the first one's."""
    scorers: dict[str, Scorer] = {}
    for suite in suites:
        for scorer in suite.scorers:
            scorers.setdefault(scorer.name, scorer)
    return list(scorers.values())


@dataclass(frozen=True)
class Aggregate:
    """Across cases, for one scorer: the mean value with its bootstrap 95% CI, and the pass rate.

    Means and pass rates are over scored cases only; `n_unscored` counts the rest, of which
    `n_judge_errors` are cases an LLM judge failed on.
    """

    scorer: str
    mean: float
    ci_low: float
    ci_high: float
    pass_rate: float
    n_scored: int
    n_unscored: int
    findings_by_severity: dict[str, int] = field(default_factory=dict)
    n_judge_errors: int = 0

    def as_report(self) -> dict[str, float | int]:
        return {"mean": self.mean, "ci_low": self.ci_low, "ci_high": self.ci_high, "pass_rate": self.pass_rate,
                "n_scored": self.n_scored, "n_unscored": self.n_unscored, "n_judge_errors": self.n_judge_errors}


def aggregate(scorer: str, scores: Sequence[Score]) -> Aggregate:
    """Mean, bootstrap 95% CI and pass rate of one scorer's scores (NaN when nothing was scored)."""
    scored = [s for s in scores if s.scored]
    values = [float(s.value) for s in scored if s.value is not None]
    low, high = bootstrap_ci(values)
    severities: dict[str, int] = {"critical": 0, "major": 0, "minor": 0}
    for s in scored:
        for finding in s.findings:
            severities[finding.severity] += 1
    return Aggregate(
        scorer=scorer,
        mean=float(sum(values) / len(values)) if values else math.nan,
        ci_low=low,
        ci_high=high,
        pass_rate=(sum(1 for s in scored if s.passed) / len(scored)) if scored else math.nan,
        n_scored=len(scored),
        n_unscored=len(scores) - len(scored),
        findings_by_severity=severities,
        n_judge_errors=sum(1 for s in scores if s.is_judge_error),
    )
