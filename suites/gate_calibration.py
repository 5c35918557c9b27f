"""`assure bench gate`: the CI gate's false-failure rate and power, measured by simulation on real text.

The gate (`harness.gate.run_gate`) is run as shipped, with the default `Thresholds()` (no absolute
floors): it fails a candidate run when a scorer's mean fell by more than `max_regression` with the
one-sided paired sign-flip test significant at `alpha` after Holm across scorers, or when a scorer
has more than `max_new_critical` critical findings the baseline did not have on the same case.

Noise model (real text variation, not Gaussian noise). For every case of the golden set, a pool of
faithful outputs: the reference minutes (`cases.jsonl`), the restyled reference (the same facts in
another council's house style, `restyled/outputs.jsonl`) and `rewrites` random faithful rewrites of
each (`golden_sets.authoring.rewrite`: section order, singular or plural headings, bullets to prose, numbered lists
to bullets, the adult's name to a pronoun after the first mention, date formats; two to four of
them, in random order). Every pool output is scored once by the real scorers of the suites and the
scores are cached. A simulated run draws one pool output per case, independently; a baseline and a
candidate are two independent draws, so they differ case by case exactly as far as the scorers'
verdicts differ between faithful wordings of the same minutes.

Degraded variants of each pool output, scored once too:
- `recall_drop`: the sentences carrying randomly chosen key facts (those the output states) deleted
  until its own key_fact_recall has fallen by at least `recall_drop` (0.10); every case of the
  candidate uses its drawn output's variant. The fall actually produced (mean over the pool and
  mean over the simulated pairs) is reported.
- `critical_hallucinations`: one critical hallucination injected by `golden_sets.authoring.perturb` (changed date,
  time, dose or amount; a swapped name; a statement credited to another person; an invented action
  or attendee; consent, capacity or negation flipped; an allegation stated as fact; one kind per
  pool output, chosen at random among those that apply); the candidate uses it in `hallucinated`
  (3) randomly chosen cases and clean draws elsewhere.

False-failure rate: share of same-tool pairs the gate fails. Power: share of degraded pairs it
fails. Both with Wilson 95% intervals, overall and by the check that failed. Each pair's per-scorer
fall, Holm p-value and count of new critical findings are kept, so the verdicts under other values
of `max_new_critical` and `max_regression` (the trade-off table) come from the same pairs; at the
shipped defaults the recomputed verdict is checked against `run_gate`'s own.

    assure bench gate                                  # 400 pairs per scenario: 5 min on 2 cores (13 on a busy machine)
    assure bench gate --simulations 1000 --seed 3 --json gate.json
"""

from __future__ import annotations

import json
import random
import re
import time
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Annotated, Any, Optional

import numpy as np
import typer

import golden_sets
from harness import gate as gate_module
from golden_sets.authoring import rewrite
from harness.gate import Thresholds, run_gate
from harness.goldens import SEVERITY_WEIGHT, Case, GoldenSet, load_golden
from golden_sets.authoring.perturb import INJECTORS, OMISSION_MIN_OVERLAP, fact_overlap
from harness.plugins import load_suite
from harness.runs import RunReport
from harness.scoring import Score, Scorer
from harness.stats import wilson_ci
from judge.text import split_sentences

DEFAULT_GOLDEN = golden_sets.path("safeguarding_minutes")
DEFAULT_SUITES = ("hallucination", "omission")
DEFAULT_SIMULATIONS = 400
DEFAULT_REWRITES = 1
DEFAULT_RECALL_DROP = 0.10
DEFAULT_HALLUCINATED = 3
RECALL_SCORER = "key_fact_recall"
CRITICAL_KINDS = tuple(kind for kind in INJECTORS if kind != "omitted_key_fact")
SCENARIOS = ("same_tool", "recall_drop", "critical_hallucinations")
SCENARIO_TITLES = {"same_tool": "same tool, faithful text variation (false failures)",
                   "recall_drop": "key_fact_recall falls (power)",
                   "critical_hallucinations": "critical hallucinations added (power)"}
GRID_NEW_CRITICAL = (0, 1, 2, 3, 4, 5, 6, 8)
GRID_REGRESSION = (0.0, 0.01, 0.02, 0.03, 0.05)
GRID_RECALL_NEW_CRITICAL = (2, 3, 4, 5, 6)  # key_fact_recall's own max_new_critical ...
GRID_OTHER_NEW_CRITICAL = (0, 1, 2, 3)  # ... and every other scorer's, in the per-scorer table
COUNT_LEVELS = tuple(range(0, 9))


# ---------------------------------------------------------------------------------------------------------------
# The pools: faithful outputs and their degraded variants, each scored once.

@dataclass
class Variant:
    """One output as a run report holds it: the text and each scorer's score (report form)."""

    output: str
    scores: dict[str, dict[str, Any]]


@dataclass
class PoolOutput:
    """A faithful output of one case, with its degraded variants (None where none could be made)."""

    label: str
    clean: Variant
    omitted: Variant | None = None
    omitted_facts: list[str] = field(default_factory=list)
    recall_fall: float | None = None
    hallucinated: Variant | None = None
    defect: str | None = None


@dataclass
class CasePool:
    case_id: str
    outputs: list[PoolOutput]


def score_output(scorers: Sequence[Scorer], case: Case, output: str) -> dict[str, dict[str, Any]]:
    """Each scorer's verdict on `output`, in the shape `harness.report.case_entry` writes."""
    out = {}
    for scorer in scorers:
        s: Score = scorer.score(case, output)
        out[scorer.name] = {"value": s.value, "passed": s.passed, "findings": [f.model_dump() for f in s.findings],
                            "details": s.details}
    return out


def adult_mention(case: Case, text: str) -> tuple[str, str] | None:
    """("Mr Nowak", "he") for the case's adult where the text writes them that way (for the pronoun rewrite)."""
    subject = case.subject
    if not subject or not subject.name or subject.sex not in {"male", "female"}:
        return None
    found = re.search(r"\b(?:Mr|Mrs|Ms|Miss)\s+" + re.escape(subject.name.split()[-1]) + r"\b", text)
    return (found.group(0), "he" if subject.sex == "male" else "she") if found else None


def random_rewrite(case: Case, text: str, rng: random.Random) -> tuple[str, list[str]]:
    """Two to four random faithful rewrites of `text` applied in turn; the text and the steps (names)."""
    for _ in range(8):
        names = rng.sample(sorted(rewrite.REWRITES), rng.randint(2, 4))
        out, steps = text, []
        for name in names:
            if name == "date_style":
                style = rng.choice(rewrite.DATE_STYLES)
                out, step = rewrite.date_style(out, style), f"date_style:{style}"
            elif name == "reorder_sections":
                order = list(range(12))
                rng.shuffle(order)
                out, step = rewrite.reorder_sections(out, order), "reorder_sections"
            elif name == "pronoun_after_first_mention":
                adult = adult_mention(case, out)
                out, step = (rewrite.pronoun_after_first_mention(out, *adult) if adult else out), name
            else:
                out, step = rewrite.REWRITES[name](out), name
            steps.append(step)
        if out.strip() != text.strip():
            return out, steps
    return out, steps


def faithful_texts(case: Case, restyled: str | None, rewrites: int, rng: random.Random) -> list[tuple[str, str]]:
    """(label, text) of the case's faithful pool: the reference, the restyled reference, and rewrites of each."""
    bases = [("reference", case.reference or "")]
    if restyled:
        bases.append(("restyled", restyled))
    texts = list(bases)
    for label, text in bases:
        for i in range(rewrites):
            out, steps = random_rewrite(case, text, rng)
            texts.append((f"{label}+rewrite{i + 1}({','.join(steps)})", out))
    return texts


def _delete_sentence(text: str, sentence: str) -> str:
    start = text.find(sentence)
    end = start + len(sentence)
    while end < len(text) and text[end] in " \t":
        end += 1
    out = text[:start] + text[end:]
    return re.sub(r"(?m)^[ \t]*(?:[-*•]|\d{1,2}[.)])[ \t]*\n", "", out)  # a bullet left empty goes too


def omit_key_facts(case: Case, text: str, clean: dict[str, Any], target: float, recall: Scorer,
                   rng: random.Random) -> tuple[str, list[str], float] | None:
    """`text` without the sentences carrying randomly chosen key facts that it states, deleted one by one
    until its key_fact_recall has fallen by `target` (predicted from the facts' weights, then checked by
    the scorer; of the deletions either side of the target, the one whose fall is nearer). Returns
    (text, removed fact ids, actual fall), or None when no fact can be removed."""
    base = clean.get("value")
    if base is None:
        return None
    facts = {f.id: f for f in case.key_facts}
    total = sum(SEVERITY_WEIGHT[f.severity] for f in case.key_facts)
    present = [d["id"] for d in clean["details"].get("facts", []) if d["status"] == "present"]
    rng.shuffle(present)
    out, removed, predicted, fall = text, [], 0.0, 0.0
    below: tuple[str, list[str], float] | None = None  # the last state checked that fell short of the target
    for fid in present:
        if fid in removed:
            continue
        scored = sorted(((fact_overlap(facts[fid], s), s) for s in split_sentences(out)), key=lambda pair: -pair[0])
        if not scored or scored[0][0] < OMISSION_MIN_OVERLAP:
            continue
        sentence = scored[0][1]
        gone = [other for other in present if other not in removed and fact_overlap(facts[other], sentence) >= OMISSION_MIN_OVERLAP]
        out = _delete_sentence(out, sentence)
        removed.extend(gone or [fid])
        predicted += sum(SEVERITY_WEIGHT[facts[g].severity] for g in gone or [fid]) / total
        if predicted >= target:
            value = recall.score(case, out).value
            fall = base - (value if value is not None else base)
            if fall >= target:  # the state nearer the target: this one or the last that fell short
                return below if below is not None and target - below[2] < fall - target else (out, removed, fall)
            below, predicted = (out, list(removed), fall), fall
    if not removed:
        return None
    value = recall.score(case, out).value
    return out, removed, base - (value if value is not None else base)


def inject_critical(case: Case, text: str, rng: random.Random) -> tuple[str, str] | None:
    """`text` with one critical hallucination (`golden_sets.authoring.perturb`), of a random kind that applies."""
    kinds = list(CRITICAL_KINDS)
    rng.shuffle(kinds)
    for kind in kinds:
        result = INJECTORS[kind](case, text, rng)
        if result is not None:
            return result[0], kind
    return None


def build_pools(golden: GoldenSet, scorers: Sequence[Scorer], restyled: dict[str, str], rewrites: int = DEFAULT_REWRITES,
                recall_drop: float = DEFAULT_RECALL_DROP, seed: int = 0, cases: int | None = None,
                progress: Callable[[], None] | None = None) -> list[CasePool]:
    """Each case's faithful pool and degraded variants, every output scored once by `scorers`."""
    recall = next((s for s in scorers if s.name == RECALL_SCORER), None)
    pools = []
    for case in golden.cases[:cases]:
        rng = random.Random(f"{seed}:{case.id}")
        outputs = []
        for label, text in faithful_texts(case, restyled.get(case.id), rewrites, rng):
            entry = PoolOutput(label=label, clean=Variant(text, score_output(scorers, case, text)))
            if progress:
                progress()
            # each degradation its own seeded stream: what one consumes never shifts the other
            omit_rng, inject_rng = random.Random(f"{seed}:{case.id}:{label}:omit"), random.Random(f"{seed}:{case.id}:{label}:inject")
            if recall is not None and (omitted := omit_key_facts(case, text, entry.clean.scores[RECALL_SCORER], recall_drop,
                                                                  recall, omit_rng)):
                entry.omitted = Variant(omitted[0], score_output(scorers, case, omitted[0]))
                entry.omitted_facts = omitted[1]
                after = entry.omitted.scores[RECALL_SCORER]["value"]
                entry.recall_fall = entry.clean.scores[RECALL_SCORER]["value"] - after
            if progress:
                progress()
            if injected := inject_critical(case, text, inject_rng):
                entry.hallucinated = Variant(injected[0], score_output(scorers, case, injected[0]))
                entry.defect = injected[1]
            if progress:
                progress()
            outputs.append(entry)
        pools.append(CasePool(case.id, outputs))
    return pools


def load_restyled(golden_path: Path) -> dict[str, str]:
    """case id -> the restyled reference, where the golden set has `restyled/outputs.jsonl`."""
    path = golden_path / "restyled" / "outputs.jsonl"
    if not path.is_file():
        return {}
    rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    return {row["case_id"]: row["output"] for row in rows}


# ---------------------------------------------------------------------------------------------------------------
# Simulated runs and the gate.

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


# ---------------------------------------------------------------------------------------------------------------
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


# ---------------------------------------------------------------------------------------------------------------
# The command.

def _pct(r: Rate) -> str:
    return f"{r.rate:.1%} ({r.k}/{r.n})"


def _ci(r: Rate) -> str:
    return f"{r.ci[0]:.1%} to {r.ci[1]:.1%}"


def add_command(bench: typer.Typer) -> None:
    """Add `assure bench gate` to the `bench` group (`suites.validity.register`)."""

    @bench.command("gate")
    def gate_command(
        simulations: Annotated[int, typer.Option("--simulations", min=1, help="Simulated run pairs per scenario.")] = DEFAULT_SIMULATIONS,
        seed: Annotated[int, typer.Option("--seed", help="Seed of the rewrites, the injected defects and the draws.")] = 0,
        report_json: Annotated[Optional[Path], typer.Option("--json", help="Write every figure as JSON here.")] = None,
        golden: Annotated[Path, typer.Option("--golden", help="Golden set folder.")] = DEFAULT_GOLDEN,
        suite: Annotated[Optional[list[str]], typer.Option("--suite", help="Suites the gate sees (default: hallucination, omission).")] = None,
        rewrites: Annotated[int, typer.Option("--rewrites", min=0, help="Random faithful rewrites of each base output in a pool.")] = DEFAULT_REWRITES,
        recall_drop: Annotated[float, typer.Option("--recall-drop", min=0.01, max=0.9, help="key_fact_recall fall to plant.")] = DEFAULT_RECALL_DROP,
        hallucinated: Annotated[int, typer.Option("--hallucinated", min=1, help="Cases given a critical hallucination.")] = DEFAULT_HALLUCINATED,
    ) -> None:
        """The gate's false-failure rate (same tool, faithful text variation) and power, by simulation."""
        from rich.progress import Progress
        from rich.table import Table

        from harness.cli import console, err_console

        started = time.perf_counter()
        with Progress(console=err_console, transient=True) as bar:
            def progress(what: str, total: int | None) -> Callable[[], None]:
                task = bar.add_task(what, total=total)
                return lambda: bar.advance(task)
            result = calibrate(golden, suite or DEFAULT_SUITES, simulations, seed, rewrites, recall_drop, hallucinated,
                               progress=progress)
        elapsed = time.perf_counter() - started
        d = result.defaults
        table = Table("scenario", "pairs", "gate failed", "95% CI", "regression check failed", "new-critical rule failed",
                      "target", title=(f"assure gate on {result.golden_set} ({result.cases} cases, {result.pool_per_case:g} faithful "
                                       f"outputs per case), defaults: max_regression {d['max_regression']:g}, "
                                       f"max_new_critical {d['max_new_critical']:g} "
                                       f"({', '.join(f'{k} {v}' for k, v in d.get('max_new_critical_by_scorer', {}).items())}), "
                                       f"alpha {d['alpha']:g}"))
        targets = {"same_tool": "at most 5%", "recall_drop": "at least 80%", "critical_hallucinations": "at least 80%"}
        for s in result.scenarios.values():
            table.add_row(s.title, str(s.simulations), _pct(s.gate_failed), _ci(s.gate_failed),
                          _pct(s.by_check["regression"]), _pct(s.by_check["new critical findings"]), targets[s.scenario])
        if result.same_style is not None:
            s = result.same_style
            table.add_row(s.title, str(s.simulations), _pct(s.gate_failed), _ci(s.gate_failed),
                          _pct(s.by_check["regression"]), _pct(s.by_check["new critical findings"]), "at most 5%")
        console.print(table)
        checks = Table("scenario", "failing check", "pairs", "95% CI", title="Failing checks by scorer")
        for s in result.scenarios.values():
            for name, r in s.by_scorer_check.items():
                checks.add_row(s.scenario, name, _pct(r), _ci(r))
        console.print(checks)
        scorers = list(result.scenarios["same_tool"].new_critical_exceeds)
        counts = Table("scenario", "scorer", *(f">{m}" for m in COUNT_LEVELS),
                       title="Share of pairs with more than m new critical findings (max_new_critical = m fails them)")
        shown = [(s.scenario, s) for s in result.scenarios.values()]
        if result.same_style is not None:
            shown.insert(1, ("same_tool, one house style", result.same_style))
        for name, s in shown:
            for scorer in scorers:
                row = s.new_critical_exceeds[scorer]
                if any(row.values()):
                    counts.add_row(name, scorer, *(f"{row[m]:.3f}" for m in COUNT_LEVELS))
        console.print(counts)
        trade = Table("max_new_critical", "max_regression", "false failures", "power: recall drop", "power: hallucinations",
                      title=f"Trade-off (alpha {d['alpha']:g}; the same simulated pairs)")
        for row in result.tradeoff:
            trade.add_row(str(row["max_new_critical"]), f"{row['max_regression']:g}", f"{row['same_tool']:.3f}",
                          f"{row['recall_drop']:.3f}", f"{row['critical_hallucinations']:.3f}")
        console.print(trade)
        per = Table("key_fact_recall max_new_critical", "other scorers' max_new_critical", "false failures",
                    "power: recall drop", "power: hallucinations",
                    title=f"Per-scorer max_new_critical (a thresholds file; max_regression {d['max_regression']:g})")
        for row in result.per_scorer_tradeoff:
            per.add_row(str(row["key_fact_recall"]), str(row["others"]), f"{row['same_tool']:.3f}", f"{row['recall_drop']:.3f}",
                        f"{row['critical_hallucinations']:.3f}")
        console.print(per)
        drop = result.scenarios["recall_drop"].mean_fall.get(RECALL_SCORER)
        console.print(f"key_fact_recall fall planted: {result.pool_recall_fall:.3f} per output on average "
                      f"({result.pool_facts_removed:.1f} key facts removed, {result.omission_variants} variants); "
                      f"mean fall between the simulated runs {drop:.3f}." if result.pool_recall_fall is not None and drop is not None
                      else "no key_fact_recall fall could be planted")
        caught = sum(result.hallucinations_caught.values())
        console.print(f"critical hallucinations injected: {sum(result.hallucination_variants.values())} variants, "
                      f"{caught} given a critical finding the clean output lacked; by kind: "
                      + ", ".join(f"{k} {result.hallucinations_caught.get(k, 0)}/{v}" for k, v in sorted(result.hallucination_variants.items())))
        console.print(f"took {elapsed:.0f} s: scoring the pools {result.pool_seconds:.0f} s, {simulations * len(SCENARIOS)} gate "
                      f"runs {result.simulation_seconds:.0f} s ({result.gate_seconds_per_pair * 1000:.0f} ms each)")
        if report_json:
            payload = asdict(result)
            payload["seconds"] = elapsed
            report_json.write_text(json.dumps(payload, indent=2), encoding="utf-8")
