"""The gate calibration's simulation (`assure bench gate`, `suites.gate_calibration`): pairs of simulated
runs drawn from the scored pools (`suites.gate_pools`), the shipped gate's verdict on each, and the
summaries: false-failure rate and power with Wilson intervals, by check and scorer, and the trade-off
tables recomputed from the same pairs."""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from harness import gate as gate_module
from harness.gate import Thresholds, run_gate
from harness.goldens import GoldenSet, load_golden
from harness.plugins import load_suite
from harness.runs import RunReport
from harness.scoring import Scorer
from harness.stats import wilson_ci

from .gate_pools import (DEFAULT_GOLDEN, DEFAULT_RECALL_DROP, DEFAULT_REWRITES, RECALL_SCORER, CasePool, Variant,
                         build_pools, load_restyled)

DEFAULT_SUITES = ("hallucination", "omission")
DEFAULT_SIMULATIONS = 400
DEFAULT_HALLUCINATED = 3
SCENARIOS = ("same_tool", "recall_drop", "critical_hallucinations")
SCENARIO_TITLES = {"same_tool": "same tool, faithful text variation (false failures)",
                   "recall_drop": "key_fact_recall falls (power)",
                   "critical_hallucinations": "critical hallucinations added (power)"}
GRID_NEW_CRITICAL = (0, 1, 2, 3, 4, 5, 6, 8)
GRID_REGRESSION = (0.0, 0.01, 0.02, 0.03, 0.05)
GRID_RECALL_NEW_CRITICAL = (2, 3, 4, 5, 6)  # key_fact_recall's own max_new_critical ...
GRID_OTHER_NEW_CRITICAL = (0, 1, 2, 3)  # ... and every other scorer's, in the per-scorer table
COUNT_LEVELS = tuple(range(0, 9))


def make_report(run_id: str, golden: GoldenSet, variants: Sequence[tuple[str, Variant]], scorers: Sequence[str]) -> RunReport:
    """A run report with what `compare` and `run_gate` read, for (case id, variant) pairs."""
    cases = [{"case_id": cid, "output": v.output, "error": None,
              "scores": {name: {k: v.scores[name][k] for k in ("value", "passed", "findings")} for name in scorers}}
             for cid, v in variants]
    metrics = {name: {"n_scored": sum(1 for c in cases if c["scores"][name]["value"] is not None)} for name in scorers}
    return RunReport(run_id, {
        "run_id": run_id,
        "target": {"name": "simulated", "version": run_id, "kind": "recorded", "label": f"simulated {run_id}",
                   "baseline": False, "config_hash": run_id},
        # path None: the comparison does not reload the golden set for finding topics (the gate does not read them)
        "golden_set": {"id": golden.id, "version": golden.version, "hash": golden.content_hash, "cases": len(cases), "path": None},
        "metrics": metrics, "errors": 0, "cases": cases})


@dataclass
class PairRecord:
    """One simulated (baseline, candidate) pair: the gate's verdict and what each rule saw, per scorer."""

    failed: bool
    failed_checks: list[str]  # "regression: scorer", "new critical findings: scorer"
    fall: dict[str, float | None]  # mean(baseline) - mean(candidate)
    p_holm: dict[str, float | None]
    new_critical: dict[str, int]
    recall_fall: float | None  # the key_fact_recall fall between the pair's means


def gate_pair(baseline: RunReport, candidate: RunReport) -> PairRecord:
    result = run_gate(candidate, Thresholds(), baseline)
    assert result.comparison is not None
    differences = {d.scorer: d for d in result.comparison.pairs[0].scorers}
    new_critical = {s: 0 for s in differences}
    for w in result.worse_cases:
        new_critical[w.scorer] += sum(1 for f in w.added if f.severity == "critical")
    fall = {s: (-d.difference if d.difference is not None else None) for s, d in differences.items()}
    return PairRecord(failed=not result.passed, failed_checks=[f"{c.name}: {c.scorer}" for c in result.failures],
                      fall=fall, p_holm={s: d.p_holm for s, d in differences.items()}, new_critical=new_critical,
                      recall_fall=fall.get(RECALL_SCORER))


def verdict(record: PairRecord, max_new_critical: int, max_regression: float, alpha: float,
            per_scorer_new_critical: dict[str, int] | None = None) -> bool:
    """True when the gate would fail this pair under these settings (the rules of `harness.gate`)."""
    for scorer, fall in record.fall.items():
        p = record.p_holm.get(scorer)
        if fall is not None and p is not None and fall > max_regression and p < alpha:
            return True
        limit = (per_scorer_new_critical or {}).get(scorer, max_new_critical)
        if record.new_critical.get(scorer, 0) > limit:
            return True
    return False


def simulate(golden: GoldenSet, pools: Sequence[CasePool], scenario: str, simulations: int, seed: int = 0,
             hallucinated: int = DEFAULT_HALLUCINATED, progress: Callable[[], None] | None = None) -> list[PairRecord]:
    """`simulations` gate verdicts on pairs of simulated runs of one scenario (see the module docstring)."""
    if scenario not in SCENARIOS:
        raise ValueError(f"scenario must be one of {', '.join(SCENARIOS)}, not {scenario!r}")
    rng = np.random.default_rng([seed, SCENARIOS.index(scenario)])
    scorers = [name for name in pools[0].outputs[0].clean.scores
               if any(o.clean.scores[name]["value"] is not None for p in pools for o in p.outputs)]
    records = []
    for i in range(simulations):
        base = [(p.case_id, p.outputs[rng.integers(len(p.outputs))].clean) for p in pools]
        picks = [p.outputs[rng.integers(len(p.outputs))] for p in pools]
        if scenario == "same_tool":
            cand = [(p.case_id, o.clean) for p, o in zip(pools, picks)]
        elif scenario == "recall_drop":
            cand = [(p.case_id, o.omitted or o.clean) for p, o in zip(pools, picks)]
        else:
            able = [j for j, o in enumerate(picks) if o.hallucinated is not None]
            chosen = set(rng.choice(able, size=min(hallucinated, len(able)), replace=False).tolist()) if able else set()
            cand = [(p.case_id, o.hallucinated if j in chosen and o.hallucinated else o.clean)
                    for j, (p, o) in enumerate(zip(pools, picks))]
        records.append(gate_pair(make_report(f"base-{i}", golden, base, scorers), make_report(f"cand-{i}", golden, cand, scorers)))
        if progress:
            progress()
    return records


# Summaries.

@dataclass
class Rate:
    k: int
    n: int
    rate: float
    ci: tuple[float, float]


def rate(k: int, n: int) -> Rate:
    low, high = wilson_ci(k, n)
    return Rate(k, n, k / n if n else float("nan"), (low, high))


@dataclass
class ScenarioResult:
    scenario: str
    title: str
    simulations: int
    gate_failed: Rate
    by_check: dict[str, Rate]  # "regression" / "new critical findings": pairs where that kind of check failed
    by_scorer_check: dict[str, Rate]  # "new critical findings: key_fact_recall" ...
    only_check: dict[str, int]  # pairs failed by that kind of check alone
    mean_fall: dict[str, float]  # mean over pairs of mean(baseline) - mean(candidate), per scorer
    new_critical_exceeds: dict[str, dict[int, float]]  # scorer -> m -> share of pairs with more than m new criticals


@dataclass
class GateCalibration:
    golden_set: str
    suites: list[str]
    cases: int
    pool_per_case: float
    rewrites: int
    seed: int
    defaults: dict[str, Any]
    scenarios: dict[str, ScenarioResult]
    tradeoff: list[dict[str, Any]]
    per_scorer_tradeoff: list[dict[str, Any]]  # key_fact_recall's max_new_critical apart from the other scorers'
    same_style: ScenarioResult | None  # same tool, milder noise: only the reference and its rewrites (one house style)
    pool_recall_fall: float | None  # mean over pool outputs of each output's own key_fact_recall fall
    pool_facts_removed: float | None
    omission_variants: int
    hallucination_variants: dict[str, int]  # defect kind -> pool outputs given it
    hallucinations_caught: dict[str, int]  # defect kind -> variants with a critical finding the clean output lacks
    pool_seconds: float
    simulation_seconds: float
    gate_seconds_per_pair: float
    pool: list[dict[str, Any]] = field(default_factory=list)
    pairs: dict[str, list[dict[str, Any]]] = field(default_factory=dict)  # every simulated pair, for other cut-offs


def summarise(scenario: str, records: list[PairRecord]) -> ScenarioResult:
    n = len(records)
    kinds, pairs_by_scorer, alone = Counter(), Counter(), Counter()
    for r in records:
        names = {c.split(": ")[0] for c in r.failed_checks}
        kinds.update(names)
        pairs_by_scorer.update(set(r.failed_checks))
        if len(names) == 1:
            alone.update(names)
    scorers = list(records[0].fall) if records else []
    mean_fall = {s: float(np.mean([r.fall[s] for r in records if r.fall[s] is not None])) for s in scorers}
    exceeds = {s: {m: float(np.mean([r.new_critical[s] > m for r in records])) for m in COUNT_LEVELS} for s in scorers}
    return ScenarioResult(
        scenario=scenario, title=SCENARIO_TITLES[scenario], simulations=n, gate_failed=rate(sum(r.failed for r in records), n),
        by_check={k: rate(kinds[k], n) for k in ("regression", "new critical findings")},
        by_scorer_check={k: rate(v, n) for k, v in sorted(pairs_by_scorer.items())}, only_check=dict(alone),
        mean_fall=mean_fall, new_critical_exceeds=exceeds)


def tradeoff(records: dict[str, list[PairRecord]], alpha: float) -> list[dict[str, Any]]:
    rows = []
    for m in GRID_NEW_CRITICAL:
        for r in GRID_REGRESSION:
            row: dict[str, Any] = {"max_new_critical": m, "max_regression": r}
            for scenario, recs in records.items():
                row[scenario] = float(np.mean([verdict(x, m, r, alpha) for x in recs])) if recs else float("nan")
            rows.append(row)
    return rows


def per_scorer_tradeoff(records: dict[str, list[PairRecord]], alpha: float, max_regression: float) -> list[dict[str, Any]]:
    """Verdicts with key_fact_recall's max_new_critical set apart from the other scorers' (a thresholds file can)."""
    rows = []
    for m_recall in GRID_RECALL_NEW_CRITICAL:
        for m_other in GRID_OTHER_NEW_CRITICAL:
            row: dict[str, Any] = {"key_fact_recall": m_recall, "others": m_other, "max_regression": max_regression}
            for scenario, recs in records.items():
                row[scenario] = float(np.mean([verdict(x, m_other, max_regression, alpha, {RECALL_SCORER: m_recall})
                                               for x in recs])) if recs else float("nan")
            rows.append(row)
    return rows


def calibrate(golden_path: Path = DEFAULT_GOLDEN, suites: Sequence[str] = DEFAULT_SUITES, simulations: int = DEFAULT_SIMULATIONS,
              seed: int = 0, rewrites: int = DEFAULT_REWRITES, recall_drop: float = DEFAULT_RECALL_DROP,
              hallucinated: int = DEFAULT_HALLUCINATED, cases: int | None = None, pool_size: int | None = None,
              pools: list[CasePool] | None = None, scorers: Sequence[Scorer] | None = None,
              progress: Callable[[str, int | None], Callable[[], None]] | None = None) -> GateCalibration:
    """Build (or take) the scored pools, simulate every scenario and summarise (see the module docstring).

    `cases` keeps the first N cases, `pool_size` the first N outputs of each pool (1: identical runs);
    `scorers` replaces the suites' scorers (tests)."""
    golden = load_golden(golden_path)
    start = time.perf_counter()
    if pools is None:
        if scorers is None:
            scorers = [s for name in suites for s in load_suite(name).scorers]
        n_cases = len(golden.cases[:cases])
        restyled = load_restyled(golden_path)
        tick = progress("scoring pools", n_cases * (1 + (1 if restyled else 0)) * (1 + rewrites) * 3) if progress else None
        pools = build_pools(golden, scorers, restyled, rewrites, recall_drop, seed, cases, tick)
    if pool_size is not None:
        pools = [CasePool(p.case_id, p.outputs[:pool_size]) for p in pools]
    pool_seconds = time.perf_counter() - start
    start = time.perf_counter()
    records = {}
    for scenario in SCENARIOS:
        tick = progress(scenario, simulations) if progress else None
        records[scenario] = simulate(golden, pools, scenario, simulations, seed, hallucinated, tick)
    same_style_pools = [CasePool(p.case_id, [o for o in p.outputs if o.label.startswith("reference")]) for p in pools]
    same_style = None
    if any(len(p.outputs) > 1 for p in same_style_pools) and any(len(p.outputs) > len(q.outputs)
                                                               for p, q in zip(pools, same_style_pools)):
        tick = progress("same_tool, one house style", simulations) if progress else None
        records_style = simulate(golden, same_style_pools, "same_tool", simulations, seed, hallucinated, tick)
        same_style = summarise("same_tool", records_style)
        same_style.title = "same tool, one house style (reference and its rewrites)"
    simulation_seconds = time.perf_counter() - start
    alpha, max_regression, max_new = (gate_module.DEFAULT_ALPHA, gate_module.DEFAULT_MAX_REGRESSION,
                                      gate_module.DEFAULT_MAX_NEW_CRITICAL)
    for recs in records.values():  # the trade-off table recomputes verdicts: it must agree with the gate's own
        mismatched = sum(verdict(r, max_new, max_regression, alpha, gate_module.DEFAULT_MAX_NEW_CRITICAL_BY_SCORER) != r.failed
                         for r in recs)
        if mismatched:
            raise AssertionError(f"{mismatched} recomputed verdicts disagree with run_gate")
    outputs = [o for p in pools for o in p.outputs]
    falls = [o.recall_fall for o in outputs if o.recall_fall is not None]
    kinds = Counter(o.defect for o in outputs if o.defect)
    caught = Counter(o.defect for o in outputs if o.defect and o.hallucinated and _adds_critical(o.clean, o.hallucinated))
    return GateCalibration(
        golden_set=f"{golden.id} v{golden.version}", suites=list(suites), cases=len(pools),
        pool_per_case=len(outputs) / len(pools), rewrites=rewrites, seed=seed,
        defaults={"alpha": alpha, "max_regression": max_regression, "max_new_critical": max_new,
                  "max_new_critical_by_scorer": dict(gate_module.DEFAULT_MAX_NEW_CRITICAL_BY_SCORER)},
        scenarios={s: summarise(s, recs) for s, recs in records.items()}, tradeoff=tradeoff(records, alpha),
        per_scorer_tradeoff=per_scorer_tradeoff(records, alpha, max_regression), same_style=same_style,
        pool_recall_fall=float(np.mean(falls)) if falls else None,
        pool_facts_removed=float(np.mean([len(o.omitted_facts) for o in outputs if o.omitted])) if falls else None,
        omission_variants=sum(1 for o in outputs if o.omitted), hallucination_variants=dict(kinds),
        hallucinations_caught=dict(caught), pool_seconds=pool_seconds, simulation_seconds=simulation_seconds,
        gate_seconds_per_pair=simulation_seconds / max(1, simulations * len(SCENARIOS)),
        pool=[{"case_id": p.case_id, "label": o.label,
               "clean": {s: v["value"] for s, v in o.clean.scores.items()},
               "clean_critical": {s: _critical(v) for s, v in o.clean.scores.items()},
               "recall_fall": o.recall_fall, "omitted_facts": o.omitted_facts, "defect": o.defect,
               "hallucinated_critical": ({s: _critical(v) for s, v in o.hallucinated.scores.items()} if o.hallucinated else None)}
              for p in pools for o in p.outputs],
        pairs={s: [{"failed": r.failed, "failed_checks": r.failed_checks, "new_critical": r.new_critical,
                    "fall": {k: None if v is None else round(v, 6) for k, v in r.fall.items()},
                    "p_holm": {k: None if v is None else round(v, 6) for k, v in r.p_holm.items()}} for r in recs]
               for s, recs in records.items()})


def _critical(score: dict[str, Any]) -> int:
    return sum(1 for f in score["findings"] if f["severity"] == "critical")


def _adds_critical(clean: Variant, degraded: Variant) -> bool:
    return any(_critical(degraded.scores[s]) > _critical(clean.scores[s]) for s in clean.scores)
