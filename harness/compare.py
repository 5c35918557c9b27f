"""The comparison engine: two or more runs on the same golden set, compared case by case.

Every number here is paired: the runs scored the same cases, so each case is its own control and a
difference between tools is not confused with a difference between cases. Per scorer and run: the
mean with a bootstrap 95% CI and the pass rate with a Wilson 95% CI. Per pair of runs (A, B) and
scorer, on the cases both runs scored:
- `difference` = mean(B) - mean(A), with a paired bootstrap 95% CI and a paired sign-flip
  (permutation) p-value;
- pass rates compared by McNemar's exact test on the cases only one run passed;
- both families of p-values Holm-adjusted across the pair's scorers (`p_holm`, `mcnemar_p_holm`);
- finding topics (a finding kind, or for omitted key facts the fact's category) compared by the
  number of cases with at least one major or critical finding of that topic, McNemar per topic,
  Holm across the pair's topics;
- the cases that got worse, each with the findings B has that A had not.

The gate, the procurement pack and the terminal table all read a `Comparison`.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from itertools import combinations
from pathlib import Path
from typing import Any

import numpy as np
from pydantic import BaseModel, Field

from .errors import InputError
from .runs import RunReport
from .stats import bootstrap_ci, holm, mcnemar_exact, paired_bootstrap_ci, sign_flip_p, wilson_ci

ALPHA = 0.05
WORSE_TOLERANCE = 1e-9
_SEVERITY_ORDER = {"critical": 0, "major": 1, "minor": 2}
_OBTAINED = {
    "recorded": "outputs the vendor sent back as a file, scored as received",
    "http": "called live over HTTP during the run",
    "openai": "called live through an OpenAI-compatible API during the run",
    "command": "a local command run once per case",
    "python": "a Python function called once per case",
    "baseline": "assure's built-in extractive baseline (copies source sentences)",
}


class ScorerSummary(BaseModel):
    """One scorer on one run: mean and pass rate over scored cases, each with a 95% CI."""

    mean: float | None
    mean_ci: tuple[float | None, float | None]
    pass_rate: float | None
    pass_ci: tuple[float | None, float | None]
    n_scored: int
    critical_findings: int


class RunSide(BaseModel):
    """A run as the comparison shows it: who the tool is, how its outputs were obtained, its scores."""

    run_id: str
    tool: str
    version: str
    label: str
    kind: str
    obtained: str
    baseline: bool
    cases: int
    errors: int
    scorers: dict[str, ScorerSummary]


class ScorerDifference(BaseModel):
    """Run B against run A on one scorer, on the cases both scored. `difference` = mean(B) - mean(A)."""

    scorer: str
    n_shared: int
    mean_a: float | None
    mean_b: float | None
    difference: float | None
    ci: tuple[float | None, float | None]
    p_value: float | None
    p_holm: float | None = None
    passed_a: int
    passed_b: int
    only_a_passed: int
    only_b_passed: int
    mcnemar_p: float | None
    mcnemar_p_holm: float | None = None
    critical_a: int
    critical_b: int


class TopicDifference(BaseModel):
    """Cases with at least one major or critical finding of one topic, in each run of a pair."""

    scorer: str
    topic: str
    n_shared: int
    cases_a: int
    cases_b: int
    p_value: float
    p_holm: float | None = None


class ChangedFinding(BaseModel):
    kind: str
    severity: str
    reason: str
    output_span: str | None = None
    source_evidence: str | None = None
    key_fact_id: str | None = None


class WorseCase(BaseModel):
    """A case that scored lower (or stopped passing) in B than in A, with the findings B added."""

    case_id: str
    scorer: str
    value_a: float | None
    value_b: float | None
    passed_a: bool | None
    passed_b: bool | None
    added: list[ChangedFinding]


class PairComparison(BaseModel):
    run_a: str
    run_b: str
    scorers: list[ScorerDifference]
    topics: list[TopicDifference]
    worse_cases: list[WorseCase]


class Comparison(BaseModel):
    """What `assure compare` and `assure gate` report; JSON-ready (`model_dump(mode='json')`)."""

    golden_set: dict[str, Any]
    alpha: float
    correction: str
    shared_cases: int
    different_sets: bool
    notice: str | None = None
    runs: list[RunSide]
    pairs: list[PairComparison]
    scorers: list[str] = Field(default_factory=list)

    def side(self, run_id: str) -> RunSide:
        return next(r for r in self.runs if r.run_id == run_id)


def compare(reports: Sequence[RunReport], allow_different_sets: bool = False, alpha: float = ALPHA,
            alternative: str = "two-sided") -> Comparison:
    """Compare every pair of `reports` (in the order given: A is the earlier of each pair).

    Runs on golden sets with different content hashes are refused (bad input) unless
    `allow_different_sets`, when only case ids present in every run are compared and `notice` says so.
    `alternative` is the direction of the paired tests ("less": B is worse than A).
    """
    if len(reports) < 2:
        raise InputError.single("assure compare", "name at least two runs")
    if len({r.run_id for r in reports}) < len(reports):
        raise InputError.single("assure compare", "the same run is named twice")
    hashes = {r.golden_hash for r in reports}
    different = len(hashes) > 1
    notice = None
    if different and not allow_different_sets:
        listing = "; ".join(f"{r.run_id} on {r.report['golden_set']['id']} v{r.report['golden_set']['version']} "
                            f"({r.golden_hash[:12]})" for r in reports)
        raise InputError.single("assure compare", "the runs were scored on different golden-set contents, so their "
                                f"scores are not comparable case by case: {listing}. Use --allow-different-sets to "
                                "compare only the case ids they share")
    cases = [{c["case_id"]: c for c in r.report["cases"]} for r in reports]
    shared = [cid for cid in cases[0] if all(cid in c for c in cases[1:])]
    if different:
        notice = (f"DIFFERENT GOLDEN SETS: these runs were scored on different golden-set contents; only the "
                  f"{len(shared)} case ids all of them share are compared, and a case with the same id may not be the same case.")
    scorers = _scorer_names(reports)
    categories = _fact_categories(reports)
    sides = [_side(r, scorers) for r in reports]
    pairs = [_pair(reports[i], reports[j], cases[i], cases[j], shared, scorers, categories, alternative)
             for i, j in combinations(range(len(reports)), 2)]
    golden = reports[0].report["golden_set"]
    return Comparison(golden_set={k: golden.get(k) for k in ("id", "version", "hash", "cases")}, alpha=alpha,
                      correction=(f"Holm across the {len(scorers)} scorers of each pair (means and pass rates as two "
                                  "families), and across finding topics within each pair"),
                      shared_cases=len(shared), different_sets=different, notice=notice, runs=sides, pairs=pairs,
                      scorers=scorers)


def summarise_run(report: RunReport) -> RunSide:
    """One run's own summary (means, pass rates with CIs, critical findings), without a comparison."""
    return _side(report, _scorer_names([report]))


def _scorer_names(reports: Sequence[RunReport]) -> list[str]:
    names = [list(r.report["metrics"]) for r in reports]
    common = [n for n in names[0] if all(n in other for other in names[1:])
              and any((r.report["metrics"][n].get("n_scored") or 0) > 0 for r in reports)]
    if not common:
        raise InputError.single("assure compare", "the runs share no scorer; run the same suites on each")
    return common


def _side(report: RunReport, scorers: list[str]) -> RunSide:
    target = report.report["target"]
    summaries = {}
    for name in scorers:
        scores = [c["scores"][name] for c in report.report["cases"] if name in c.get("scores", {})]
        scored = [s for s in scores if s["value"] is not None]
        values = [float(s["value"]) for s in scored]
        passed = sum(1 for s in scored if s["passed"])
        low, high = bootstrap_ci(values)
        plow, phigh = wilson_ci(passed, len(scored))
        summaries[name] = ScorerSummary(
            mean=_num(float(np.mean(values))) if values else None, mean_ci=(_num(low), _num(high)),
            pass_rate=passed / len(scored) if scored else None, pass_ci=(_num(plow), _num(phigh)), n_scored=len(scored),
            critical_findings=sum(1 for s in scored for f in s["findings"] if f["severity"] == "critical"))
    return RunSide(run_id=report.run_id, tool=str(target["name"]), version=str(target["version"]), label=str(target["label"]),
                   kind=str(target["kind"]), obtained=_obtained(target),
                   baseline=bool(target.get("baseline")), cases=len(report.report["cases"]),
                   errors=int(report.report.get("errors", 0)), scorers=summaries)


def _obtained(target: dict[str, Any]) -> str:
    """How the run's outputs were obtained: the kind in words, and the target's own description if it has one."""
    words = _OBTAINED.get(str(target["kind"]), str(target["kind"]))
    return f"{words}: {target['description']}" if target.get("description") else words


def _pair(a: RunReport, b: RunReport, cases_a: dict[str, Any], cases_b: dict[str, Any], shared: list[str],
          scorers: list[str], categories: dict[tuple[str, str], str], alternative: str) -> PairComparison:
    differences = [_difference(name, cases_a, cases_b, shared, alternative) for name in scorers]
    adjusted = holm([d.p_value if d.p_value is not None else math.nan for d in differences])
    mc_adjusted = holm([d.mcnemar_p if d.mcnemar_p is not None else math.nan for d in differences])
    for d, p, q in zip(differences, adjusted, mc_adjusted):
        d.p_holm, d.mcnemar_p_holm = _num(p), _num(q)
    topics = _topics(cases_a, cases_b, shared, scorers, categories, alternative)
    return PairComparison(run_a=a.run_id, run_b=b.run_id, scorers=differences, topics=topics,
                          worse_cases=_worse_cases(cases_a, cases_b, shared, scorers))


def _scores(cases: dict[str, Any], case_id: str, scorer: str) -> dict[str, Any] | None:
    score = cases[case_id].get("scores", {}).get(scorer)
    return score if score is not None and score["value"] is not None else None


def _difference(scorer: str, cases_a: dict[str, Any], cases_b: dict[str, Any], shared: list[str],
                alternative: str) -> ScorerDifference:
    both = [(sa, sb) for cid in shared if (sa := _scores(cases_a, cid, scorer)) and (sb := _scores(cases_b, cid, scorer))]
    va = np.array([float(sa["value"]) for sa, _ in both])
    vb = np.array([float(sb["value"]) for _, sb in both])
    diffs = vb - va
    only_a = sum(1 for sa, sb in both if sa["passed"] and not sb["passed"])
    only_b = sum(1 for sa, sb in both if sb["passed"] and not sa["passed"])
    low, high = paired_bootstrap_ci(diffs.tolist()) if both else (math.nan, math.nan)
    return ScorerDifference(
        scorer=scorer, n_shared=len(both), mean_a=_num(va.mean()) if both else None, mean_b=_num(vb.mean()) if both else None,
        difference=_num(diffs.mean()) if both else None, ci=(_num(low), _num(high)),
        p_value=sign_flip_p(diffs.tolist(), alternative) if both else None,
        passed_a=sum(1 for sa, _ in both if sa["passed"]), passed_b=sum(1 for _, sb in both if sb["passed"]),
        only_a_passed=only_a, only_b_passed=only_b, mcnemar_p=mcnemar_exact(only_a, only_b, alternative) if both else None,
        critical_a=sum(_critical(sa) for sa, _ in both), critical_b=sum(_critical(sb) for _, sb in both))


def _critical(score: dict[str, Any]) -> int:
    return sum(1 for f in score["findings"] if f["severity"] == "critical")


def topic_of(finding: dict[str, Any], case_id: str, categories: dict[tuple[str, str], str]) -> str:
    """A finding's topic: its kind, or for an omitted or partial key fact, the kind and the fact's category."""
    category = categories.get((case_id, str(finding.get("key_fact_id"))))
    if category and "key_fact" in finding["kind"]:
        return f"{finding['kind']}: {category}"
    return str(finding["kind"])


def _topics(cases_a: dict[str, Any], cases_b: dict[str, Any], shared: list[str], scorers: list[str],
            categories: dict[tuple[str, str], str], alternative: str) -> list[TopicDifference]:
    rows = []
    for scorer in scorers:
        both = [(cid, sa, sb) for cid in shared
                if (sa := _scores(cases_a, cid, scorer)) and (sb := _scores(cases_b, cid, scorer))]
        sets_a = [_case_topics(sa, cid, categories) for cid, sa, _ in both]
        sets_b = [_case_topics(sb, cid, categories) for cid, _, sb in both]
        for topic in sorted(set().union(*sets_a, *sets_b)):
            in_a = [topic in t for t in sets_a]
            in_b = [topic in t for t in sets_b]
            # A finding is a failure mark, so "B worse" means B has it where A has not: McNemar on "free of it".
            only_a_free = sum(1 for x, y in zip(in_a, in_b) if not x and y)
            only_b_free = sum(1 for x, y in zip(in_a, in_b) if x and not y)
            rows.append(TopicDifference(scorer=scorer, topic=topic, n_shared=len(both), cases_a=sum(in_a), cases_b=sum(in_b),
                                        p_value=mcnemar_exact(only_a_free, only_b_free, alternative)))
    for row, p in zip(rows, holm([r.p_value for r in rows])):
        row.p_holm = _num(p)
    return rows


def _case_topics(score: dict[str, Any], case_id: str, categories: dict[tuple[str, str], str]) -> set[str]:
    return {topic_of(f, case_id, categories) for f in score["findings"] if f["severity"] in ("critical", "major")}


def _worse_cases(cases_a: dict[str, Any], cases_b: dict[str, Any], shared: list[str], scorers: list[str]) -> list[WorseCase]:
    worse = []
    for scorer in scorers:
        for cid in shared:
            sa, sb = _scores(cases_a, cid, scorer), _scores(cases_b, cid, scorer)
            if sa is None or sb is None:
                continue
            dropped = float(sb["value"]) < float(sa["value"]) - WORSE_TOLERANCE
            if not dropped and not (sa["passed"] and not sb["passed"]):
                continue
            before = {_finding_key(f) for f in sa["findings"]}
            added = [ChangedFinding(**{k: f.get(k) for k in ("kind", "severity", "reason", "output_span", "source_evidence", "key_fact_id")})
                     for f in sorted(sb["findings"], key=lambda f: _SEVERITY_ORDER.get(f["severity"], 3))
                     if _finding_key(f) not in before]
            worse.append(WorseCase(case_id=cid, scorer=scorer, value_a=sa["value"], value_b=sb["value"],
                                   passed_a=sa["passed"], passed_b=sb["passed"], added=added))
    worse.sort(key=lambda w: (not (w.passed_a and not w.passed_b), (w.value_b or 0) - (w.value_a or 0), w.case_id))
    return worse


def _finding_key(finding: dict[str, Any]) -> tuple[Any, ...]:
    """The same finding in two runs: the same key fact and kind, else the same kind, severity and span."""
    if finding.get("key_fact_id"):
        return (finding["kind"], finding["key_fact_id"])
    return (finding["kind"], finding["severity"], finding.get("output_span") or finding.get("reason"))


def _fact_categories(reports: Sequence[RunReport]) -> dict[tuple[str, str], str]:
    """(case id, key fact id) -> category, read from the golden set when its folder is still there and unchanged."""
    from .goldens import load_golden

    for report in reports:
        path = report.report["golden_set"].get("path")
        if not path or not Path(path).is_dir():
            continue
        try:
            golden = load_golden(path)
        except InputError:
            continue
        if golden.content_hash == report.golden_hash:
            return {(case.id, fact.id): fact.category.replace("_", " ") for case in golden.cases for fact in case.key_facts}
    return {}


def _num(value: Any) -> float | None:
    if value is None:
        return None
    number = float(value)
    return None if math.isnan(number) else number
