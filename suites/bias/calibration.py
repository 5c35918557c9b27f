"""Calibration of the bias suite by simulation: false-positive rate of a fair tool, power against planted ones.

Two levels, both through the same statistics code as a real run (`analysis.analyse_characteristic`):

1. Measure level (fast, many runs). Per-case measures are simulated for the golden set's exact design
   (its characteristics, groups and scenarios; each scenario's real key facts with their categories and
   severities; each scenario's reference length, risk language, sentiment and decisions measured on its
   reference summary). The fair tool's noise is independent of the group; `rho` (default 0.9) is the
   share of it common to all variants of a scenario (rho = 0: every variant independent, the pessimistic
   case; at rho = 0.9 a key fact's status differs between two variants 7.7% of the time):
     each key fact present 75%, partial 10%, absent 15%; length = reference length x (0.5 + 0.5 recall) x
     lognormal(0, 0.1); stigmatising terms ~ Poisson(0.4); risk terms ~ Poisson(reference count);
     unsupported details ~ Binomial(20, 0.03) / 20; sentiment = reference + N(0, 0.05);
     escalation = reference + {-1: 5%, 0: 90%, +1: 5%}; 1% of cases error (every measure missing).
   Planted tools, for one group of one characteristic, in `rate` (30%) of that group's cases (each case
   with probability `rate`, or with --fixed exactly round(rate x scenarios) of them):
     drops_views: every views-and-wishes fact absent (recall and length fall with them);
     pejorative: 1 to 3 stigmatising terms added.
2. Text level (slow, few runs): the simulated tools of `suites.bias.simulated` produce real text that
   goes through the real scorers and `BiasAnalysis`, on a subset of characteristics.

    python -m suites.bias.calibration --runs 1000 --fixed    # measure level, FPR and power per characteristic
    python -m suites.bias.calibration --runs 200 --rho 0 --scale 2 --json out.json   # noisier tool, 60 scenarios
    python -m suites.bias.calibration --runs 100 --text-runs 1   # and real text through the real scorers (slow)

A fair run is "flagged" for a characteristic when that characteristic's verdict is "disparity found".
The false-positive rate is reported per characteristic (the rate the verdict controls) and for the run
as a whole (any characteristic flagged). Power is the share of planted runs whose planted
characteristic is flagged.

Every run writes its figures (what `--json` writes) with the settings, commit and machine to
`benchmarks/results/bias_calibration.json` (`--results-dir` elsewhere, `--no-results` not at all).
"""

from __future__ import annotations

import argparse
import json
import math
import shlex
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from harness import benchmark_results
from harness.goldens import SEVERITY_WEIGHT, Case, load_golden

from . import stats
from .analysis import analyse_characteristic, designs, family_adjusted, smallest_adjusted
from .measures import measure

DEFAULT_GOLDEN = Path(__file__).resolve().parents[2] / "golden_sets" / "counterfactual"
SIM_RESAMPLES = 9999
CREDIT = np.array([1.0, 0.5, 0.0])  # present, partial, absent
STATUS_P = np.array([0.75, 0.10, 0.15])
MEASURES = ("views_recall", "risk_recall", "recall", "hallucination", "stigmatising_per_1000", "risk_per_1000",
            "sentiment", "words", "escalation", "errored")


@dataclass(frozen=True)
class ScenarioModel:
    """What the simulation needs from one scenario: its facts and its reference summary's measures."""

    weights: np.ndarray
    views: np.ndarray
    risk: np.ndarray
    words: float
    risk_terms: float
    sentiment: float
    escalation: float


@dataclass
class SimDesign:
    characteristics: list[tuple[str, list[str], list[ScenarioModel]]]

    @property
    def n_scenarios(self) -> int:
        return len(self.characteristics[0][2]) if self.characteristics else 0


def scenario_model(case: Case) -> ScenarioModel:
    weights = np.array([SEVERITY_WEIGHT[f.severity] for f in case.key_facts])
    m = measure(case, case.reference or case.source)
    return ScenarioModel(weights=weights,
                         views=np.array([f.category == "views_wishes" for f in case.key_facts]),
                         risk=np.array([f.category == "risk" for f in case.key_facts]),
                         words=float(m["words"]), risk_terms=float(m["risk_terms"]),
                         sentiment=float(m["sentiment"] or 0.0), escalation=float(m["escalation"]))


def build_design(golden: str | Path = DEFAULT_GOLDEN) -> SimDesign:
    """The golden set's characteristics, groups (reference first) and per-scenario models."""
    cases = load_golden(golden).cases
    out = []
    for d in designs(cases):
        models = [scenario_model(d.cells[s][d.reference]) for s in d.scenarios]
        out.append((d.characteristic, d.groups, models))
    return SimDesign(out)


def _recall(weights: np.ndarray, credit: np.ndarray, mask: np.ndarray | None = None) -> float:
    if mask is not None:
        weights, credit = weights[mask], credit[mask]
    total = weights.sum()
    return math.nan if total == 0 else float((weights * credit).sum() / total)


@dataclass(frozen=True)
class Shared:
    """The part of a fair tool's noise that all variants of one scenario share (weight `rho`)."""

    status: np.ndarray
    words: float
    stigma: int
    risk: int
    unsupported: int
    sentiment: float
    escalation: float


def shared_noise(model: ScenarioModel, rng: np.random.Generator, rho: float) -> Shared:
    return Shared(status=rng.choice(3, size=model.weights.size, p=STATUS_P), words=float(rng.normal(0, 0.1)),
                  stigma=int(rng.poisson(0.4 * rho)), risk=int(rng.poisson(max(model.risk_terms, 0.5) * rho)),
                  unsupported=int(rng.binomial(20, 0.03 * rho)), sentiment=float(rng.normal(0, 0.05)),
                  escalation=float(rng.choice([-1, 0, 1], p=[0.05 * rho, 1 - 0.1 * rho, 0.05 * rho])))


def simulate_cell(model: ScenarioModel, rng: np.random.Generator, plant: str | None = None, rho: float = 0.0,
                  shared: Shared | None = None) -> dict[str, float]:
    """One case's measures from the fair tool, with the planted change applied when `plant` is set.

    `rho` in [0, 1] is the share of the noise common to all variants of the scenario (`shared`): each key
    fact keeps the scenario's status with probability rho and is drawn afresh otherwise; counts are a
    shared Poisson/binomial part (rate x rho) plus the variant's own (rate x (1 - rho)); continuous noise
    is sqrt(rho) shared + sqrt(1 - rho) own. rho = 0: every variant's noise independent.
    """
    shared = shared or shared_noise(model, rng, 0.0)
    if rng.random() < 0.01:
        return {**{m: math.nan for m in MEASURES}, "errored": 1.0}
    own = rng.choice(3, size=model.weights.size, p=STATUS_P)
    status = np.where(rng.random(model.weights.size) < rho, shared.status, own)
    credit = CREDIT[status]
    extra_stigma = 0
    if plant == "drops_views":
        credit = np.where(model.views, 0.0, credit)
    elif plant == "pejorative":
        extra_stigma = 1 + int(rng.binomial(2, 0.5))
    recall = _recall(model.weights, credit)
    a, b = math.sqrt(rho), math.sqrt(1 - rho)
    words = max(20.0, model.words * (0.5 + 0.5 * recall) * math.exp(a * shared.words + b * float(rng.normal(0, 0.1))))
    stigma = shared.stigma + int(rng.poisson(0.4 * (1 - rho))) + extra_stigma
    risk = shared.risk + int(rng.poisson(max(model.risk_terms, 0.5) * (1 - rho)))
    unsupported = shared.unsupported + int(rng.binomial(20, 0.03 * (1 - rho)))
    own_step = float(rng.choice([-1, 0, 1], p=[0.05 * (1 - rho), 1 - 0.1 * (1 - rho), 0.05 * (1 - rho)]))
    return {
        "views_recall": _recall(model.weights, credit, model.views),
        "risk_recall": _recall(model.weights, credit, model.risk),
        "recall": recall,
        "hallucination": min(1.0, unsupported / 20),
        "stigmatising_per_1000": stigma * 1000 / words,
        "risk_per_1000": risk * 1000 / words,
        "sentiment": model.sentiment + a * shared.sentiment + b * float(rng.normal(0, 0.05)),
        "words": round(words),
        "escalation": model.escalation + shared.escalation + own_step,
        "errored": 0.0,
    }


def simulate_characteristic(groups: Sequence[str], models: Sequence[ScenarioModel], rng: np.random.Generator,
                            plant: str | None = None, target: str | None = None,
                            rate: float = 0.3, rho: float = 0.0, fixed: bool = False) -> dict[str, np.ndarray]:
    """Measures for every (scenario, group) cell of one characteristic: {measure: (scenarios, groups)}.

    The planted change hits each of the target group's cases with probability `rate` (`fixed` False),
    or exactly round(rate x scenarios) of them chosen at random (`fixed` True).
    """
    data = {m: np.full((len(models), len(groups)), np.nan) for m in MEASURES}
    chosen = set(rng.choice(len(models), size=round(rate * len(models)), replace=False).tolist()) if fixed else set()
    for i, model in enumerate(models):
        shared = shared_noise(model, rng, rho)
        hit = (i in chosen) if fixed else None
        for j, group in enumerate(groups):
            planted = plant if (plant and group == target and (hit if fixed else rng.random() < rate)) else None
            for name, value in simulate_cell(model, rng, planted, rho, shared).items():
                data[name][i, j] = value
    return data


def smallest_p(characteristic: str, groups: Sequence[str], data: dict[str, np.ndarray], resamples: int, seed: int,
               alpha: float = stats.ALPHA) -> float:
    """The characteristic's smallest within-characteristic adjusted p (the input of the family-wise step)."""
    usable = {k: v for k, v in data.items() if not np.all(np.isnan(v)) and not (k == "errored" and not np.any(v == 1))}
    return smallest_adjusted(analyse_characteristic(characteristic, groups, usable, alpha, resamples, seed, with_ci=False))


@dataclass
class Calibration:
    runs: int
    resamples: int
    rate: float
    n_scenarios: int
    rho: float = 0.0
    fixed: bool = False
    fpr_by_characteristic: dict[str, float] = field(default_factory=dict)
    fpr_pooled: float = math.nan
    fpr_pooled_ci: tuple[float, float] = (math.nan, math.nan)
    fpr_any: float = math.nan
    power: dict[str, dict[str, float]] = field(default_factory=dict)
    seconds: float = 0.0

    def as_dict(self) -> dict[str, Any]:
        return {"runs": self.runs, "resamples": self.resamples, "rate": self.rate, "n_scenarios": self.n_scenarios,
                "rho": self.rho, "plant": "fixed share" if self.fixed else "each case with probability rate",
                "fpr_by_characteristic": self.fpr_by_characteristic, "fpr_pooled": self.fpr_pooled,
                "fpr_pooled_ci95": list(self.fpr_pooled_ci), "fpr_any_characteristic": self.fpr_any,
                "power": self.power, "seconds": round(self.seconds, 1)}


def wilson(successes: int, n: int, z: float = 1.959963984540054) -> tuple[float, float]:
    """Wilson score 95% interval for a binomial proportion."""
    if n == 0:
        return (math.nan, math.nan)
    p = successes / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    return (max(0.0, centre - half), min(1.0, centre + half))


def calibrate(runs: int = 200, design: SimDesign | None = None, resamples: int = SIM_RESAMPLES, rate: float = 0.3,
              plants: Sequence[str] = ("drops_views", "pejorative"), characteristics: Sequence[str] | None = None,
              seed: int = 0, power_runs: int | None = None, rho: float = 0.0, fixed: bool = False,
              scale: int = 1) -> Calibration:
    """Measure-level simulation: FPR of a fair tool and power of planted tools (first non-reference group)."""
    started = time.perf_counter()
    design = design or build_design()
    chosen = [(c, g, list(m) * scale) for c, g, m in design.characteristics if characteristics is None or c in characteristics]
    result = Calibration(runs=runs, resamples=resamples, rate=rate, n_scenarios=design.n_scenarios * scale, rho=rho,
                         fixed=fixed)
    rng = np.random.default_rng(seed)
    hits = {c: 0 for c, _, _ in chosen}
    any_hits = 0
    alpha = stats.ALPHA
    for run in range(runs):
        min_p = {c: smallest_p(c, groups, simulate_characteristic(groups, models, rng, rho=rho), resamples,
                               seed * 100_003 + run) for c, groups, models in chosen}
        flagged_now = [c for c, p in family_adjusted(min_p).items() if p <= alpha]  # the verdicts a real run gives
        for c in flagged_now:
            hits[c] += 1
        any_hits += bool(flagged_now)
    result.fpr_by_characteristic = {c: n / runs for c, n in hits.items()} if runs else {}
    total = sum(hits.values())
    result.fpr_pooled = total / (runs * len(chosen)) if chosen and runs else math.nan
    result.fpr_pooled_ci = wilson(total, runs * len(chosen))
    result.fpr_any = any_hits / runs if runs else math.nan
    n_power = power_runs or runs
    if not chosen:
        raise ValueError(f"no characteristic of the design is among {characteristics}")
    for plant in plants:
        result.power[plant] = {}
        for c, groups, models in chosen:
            target = groups[1]
            # a real run tests every characteristic: the planted one competes with the others, fair, in the
            # family-wise step, so each planted run simulates them all
            detected = 0
            for run in range(n_power):
                run_seed = seed * 100_003 + 50_000 + run
                min_p = {other: smallest_p(other, g, simulate_characteristic(g, m, rng, rho=rho), resamples, run_seed)
                         for other, g, m in chosen if other != c}
                min_p[c] = smallest_p(c, groups, simulate_characteristic(groups, models, rng, plant, target, rate, rho, fixed),
                                      resamples, run_seed)
                detected += family_adjusted(min_p)[c] <= stats.ALPHA
            result.power[plant][f"{c}:{target}"] = detected / n_power
    result.seconds = time.perf_counter() - started
    return result


def text_level(runs: int = 1, golden: str | Path = DEFAULT_GOLDEN, characteristics: Sequence[str] = ("religion", "sex"),
               plants: Sequence[tuple[str, str, str]] = (("pejorative", "religion", "muslim"),
                                                         ("drops_views", "religion", "muslim")),
               rate: float = 0.3, scenarios: int | None = None, scorers: Sequence[Any] | None = None,
               groups: dict[str, set[str]] | None = None) -> dict[str, Any]:
    """Real text through the real scorers and `BiasAnalysis`: a fair tool and each planted tool, `runs`
    seeds each, on the chosen characteristics (and the first `scenarios` scenarios). Returns the
    verdicts per tool and run. `scorers` defaults to the bias suite's; `groups` keeps only those groups
    of a characteristic (reference included)."""
    from harness.checkpoint import CaseResult

    from . import suite
    from .simulated import make_tool

    started = time.perf_counter()
    cases = [c for c in load_golden(golden).cases if c.metadata.get("characteristic") in characteristics]
    if scenarios:
        keep = sorted({c.metadata["scenario"] for c in cases})[:scenarios]
        cases = [c for c in cases if c.metadata["scenario"] in keep]
    if groups:
        cases = [c for c in cases if c.metadata["characteristic"] not in groups
                 or c.metadata["group"] in groups[c.metadata["characteristic"]]]
    bias = suite()
    scoring = list(scorers) if scorers is not None else list(bias.scorers)
    group_sources: dict[tuple[str, str], set[str]] = {}
    for c in cases:
        group_sources.setdefault((c.metadata["characteristic"], c.metadata["group"]), set()).add(c.source)
    tools: list[tuple[str, str, str | None, Any]] = []
    for run in range(runs):
        tools.append(("fair", "", None, make_tool("fair", seed=run)))
        for kind, characteristic, group in plants:
            sources = group_sources.get((characteristic, group), set())
            tools.append((kind, characteristic, group, make_tool(kind, sources.__contains__, rate, seed=run)))
    outcomes: list[dict[str, Any]] = []
    for kind, characteristic, group, tool in tools:
        results = []
        for case in cases:
            output = tool(case.source)
            results.append(CaseResult(case_id=case.id, output=output,
                                      scores={s.name: s.score(case, output) for s in scoring}))
        report = bias.analyses[0].analyse(cases, results).report
        outcomes.append({"tool": kind, "planted": f"{characteristic}:{group}" if group else None,
                         "flagged": sorted(c for c, e in report.items() if e["disparity_found"]),
                         "verdicts": {c: {k: e[k] for k in ("disparity_found", "metric", "group", "effect", "p_adjusted")}
                                      for c, e in report.items()}})
    return {"runs": runs, "cases": len(cases), "characteristics": list(characteristics), "rate": rate,
            "outcomes": outcomes, "seconds": round(time.perf_counter() - started, 1)}


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m suites.bias.calibration", description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=1000, help="simulated fair runs (and planted runs per characteristic)")
    parser.add_argument("--power-runs", type=int, default=None, help="planted runs per characteristic (default: --runs)")
    parser.add_argument("--resamples", type=int, default=SIM_RESAMPLES)
    parser.add_argument("--rate", type=float, default=0.3, help="share of the target group's cases a planted tool affects")
    parser.add_argument("--rho", type=float, default=0.9,
                        help="share of the fair tool's noise common to a scenario's variants (0: all independent)")
    parser.add_argument("--fixed", action="store_true",
                        help="plant in exactly rate x scenarios cases (default: each case with probability rate)")
    parser.add_argument("--scale", type=int, default=1, help="repeat the scenarios this many times (larger golden set)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--golden", default=str(DEFAULT_GOLDEN))
    parser.add_argument("--text-runs", type=int, default=0, help="text-level runs through the real scorers (slow)")
    parser.add_argument("--json", default=None, help="write the results to this file")
    benchmark_results.add_arguments(parser)
    args = parser.parse_args(argv)
    command = shlex.join(["python", "-m", "suites.bias.calibration", *(sys.argv[1:] if argv is None else argv)])
    measurement = benchmark_results.begin("bias_calibration", command, {
        "runs": args.runs, "power_runs": args.power_runs or args.runs, "resamples": args.resamples, "rate": args.rate,
        "rho": args.rho, "plant": "fixed share" if args.fixed else "each case with probability rate", "scale": args.scale,
        "seed": args.seed, "golden": Path(args.golden).name, "text_runs": args.text_runs})
    design = build_design(args.golden)
    result = calibrate(args.runs, design, args.resamples, args.rate, seed=args.seed, power_runs=args.power_runs,
                       rho=args.rho, fixed=args.fixed, scale=args.scale)
    out: dict[str, Any] = {"measure_level": result.as_dict()}
    print(f"measure level: {args.runs} fair runs, {args.power_runs or args.runs} planted runs per characteristic, "
          f"{result.n_scenarios} scenarios, rho {args.rho}, {'fixed share' if args.fixed else 'Bernoulli'} plant, "
          f"{args.resamples} permutations, {result.seconds:.0f} s")
    low, high = result.fpr_pooled_ci
    print(f"  false-positive rate per characteristic verdict: {result.fpr_pooled:.4f} (95% CI {low:.4f} to {high:.4f})")
    for c, rate in result.fpr_by_characteristic.items():
        print(f"    {c:20s} {rate:.4f}")
    print(f"  runs with any characteristic flagged: {result.fpr_any:.4f}")
    for plant, by_char in result.power.items():
        print(f"  power, {plant} in {args.rate:.0%} of one group's cases:")
        for key, value in by_char.items():
            print(f"    {key:32s} {value:.3f}")
    if args.text_runs:
        text = text_level(args.text_runs, args.golden, rate=args.rate)
        out["text_level"] = text
        print(f"text level: {text['runs']} run(s) per tool on {text['cases']} cases, {text['seconds']} s")
        for o in text["outcomes"]:
            print(f"  {o['tool']:12s} planted={o['planted']}: flagged {o['flagged'] or 'nothing'}")
    if args.json:
        Path(args.json).write_text(json.dumps(out, indent=2), encoding="utf-8")
    if not args.no_results:
        print(f"wrote {benchmark_results.write_results(measurement.finish(out), args.results_dir)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
