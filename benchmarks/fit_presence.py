"""Fit the deep judge's key-fact presence combiner (`suites/omission/deep_presence.json`) and measure it against
REALSumm's human labels. Not a test: run

    .venv/bin/python benchmarks/fit_presence.py [--dev-facts 500 --eval-facts 1000]

REALSumm labels, for 25 systems' summaries of 100 CNN/DailyMail articles, whether each key fact (SCU) is
present. (document, system) groups are drawn at random (seed 0) until `--dev-facts` judgements of `dev`
documents and `--eval-facts` of `eval` documents are reached (the instruction model takes about a second a
fact on 2 cores, so the full 12,975 evaluation judgements would take hours). For each fact: the fast
judge's match value (`coverage`) and the instruction model's P(YES) (`stated`, `judge.verdict`). On the dev
facts only: a class-balanced logistic regression over both signals (benchmarks/fit_deep.py's fitter) and
the cut that maximises Cohen's kappa; then the fast judge's sure bands (`settled_bands`: the match values
beyond which the fast judge's own status stands, chosen to leave the fewest facts to ask for at most 0.01
of kappa on the dev facts; the shipped scorer asks the model only between them); for each signal alone,
its own kappa-best cut. Reported on the eval facts: kappa (with a 95%
bootstrap interval over groups), accuracy, F1 and ROC AUC for the fast judge alone, the instruction model
alone, the combiner with every fact asked, and the shipped decision (`combined`), all on the same facts,
with the share of facts the shipped scorer asks. Speed: seconds per fact of the model,
and the whole `deep_key_fact_recall` scorer's seconds on three 3,000-word transcripts with 400-word minutes
(as benchmarks/throughput.py builds them) with a fresh verdict cache. Writes the model, and the figures with the commit and machine to benchmarks/results/deep_presence.json.
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import sys
import time
from collections import defaultdict
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from fit_deep import fit, predict  # noqa: E402

from harness import benchmark_results  # noqa: E402
from harness.goldens import Case, KeyFact  # noqa: E402
from suites.classification import roc_auc  # noqa: E402
from suites.omission.benchmark_data import load_realsumm, realsumm_split  # noqa: E402
from suites.omission.deep import FEATURES, MODEL_FILE, settled  # noqa: E402
from suites.omission.fact_match import PARTIAL_AT, PRESENT_AT, match_facts  # noqa: E402
from suites.omission.validity import cohen_kappa  # noqa: E402

Row = dict[str, Any]
ALLOWED_KAPPA_LOSS = 0.01


def draw_groups(dev_facts: int, eval_facts: int, seed: int = 0) -> list[list[Any]]:
    """Random (document, system) groups of REALSumm judgements until each split has its number of facts."""
    groups: dict[tuple[str, str], list[Any]] = defaultdict(list)
    for j in load_realsumm():
        if j.summary.strip():
            groups[(j.doc_id, j.system)].append(j)
    keys = sorted(groups)
    random.Random(seed).shuffle(keys)
    wanted = {"dev": dev_facts, "eval": eval_facts}
    chosen = []
    for key in keys:
        split = realsumm_split(key[0])
        if wanted.get(split, 0) > 0:
            chosen.append(groups[key])
            wanted[split] -= len(groups[key])
    return chosen


def featurise(groups: list[list[Any]]) -> tuple[list[Row], float | None]:
    """One row per judgement: split, group, label, both features and the fast match; and the model's median
    seconds a fact where any was asked (None when every answer came from the cache)."""
    from judge.verdict import verdicts

    rows, seconds = [], []
    for n, items in enumerate(groups, 1):
        case = Case(id="realsumm", task="summary", source=items[0].source or items[0].reference or "-")
        facts = [KeyFact(id=f"k{j.key_fact_index}", text=j.key_fact, category="other", severity="major", evidence="-")
                 for j in items]
        matches = match_facts(case, items[0].summary, facts)
        model = verdicts()
        before, started = model.computed, time.perf_counter()
        stated = model.stated([(items[0].summary, j.key_fact) for j in items])
        if model.computed > before:
            seconds.append((time.perf_counter() - started) / (model.computed - before))
        for j, match, p in zip(items, matches, stated, strict=True):
            rows.append({"split": realsumm_split(j.doc_id), "group": f"{j.doc_id}/{j.system}", "label": j.present,
                         "features": {"coverage": match.coverage, "stated": float(p)}, "match": match})
        if n % 10 == 0:
            print(f"  {n}/{len(groups)} groups", flush=True)
    return rows, statistics.median(seconds) if seconds else None  # None: every answer came from the cache


def kappa_cut(labels: list[bool], values: list[float]) -> float:
    """The cut (present at or above) that maximises Cohen's kappa."""
    return float(max(np.linspace(0.02, 0.98, 97), key=lambda c: cohen_kappa(labels, [v >= c for v in values])))


def agreement(rows: list[Row], values: list[float], cut: float, seed: int = 0) -> dict[str, Any]:
    """Kappa (with a 95% bootstrap interval over groups), accuracy, F1 and ROC AUC at `cut`."""
    labels = [bool(r["label"]) for r in rows]
    pred = [v >= cut for v in values]
    tp = sum(t and p for t, p in zip(labels, pred))
    fp = sum(p and not t for t, p in zip(labels, pred))
    fn = sum(t and not p for t, p in zip(labels, pred))
    by_group: dict[str, list[int]] = defaultdict(list)
    for i, r in enumerate(rows):
        by_group[r["group"]].append(i)
    names = sorted(by_group)
    rng = np.random.default_rng(seed)
    draws = []
    for _ in range(1000):
        idx = [i for g in rng.choice(len(names), len(names)) for i in by_group[names[g]]]
        draws.append(cohen_kappa([labels[i] for i in idx], [pred[i] for i in idx]))
    return {"n": len(rows), "groups": len(names), "positives": sum(labels), "cut": cut,
            "kappa": cohen_kappa(labels, pred), "kappa_95": [float(np.nanpercentile(draws, 2.5)), float(np.nanpercentile(draws, 97.5))],
            "accuracy": sum(t == p for t, p in zip(labels, pred)) / len(rows),
            "f1": 2 * tp / (2 * tp + fp + fn) if tp else 0.0, "roc_auc": roc_auc(labels, values)}


def budget(cases: int = 3) -> dict[str, Any]:
    """Seconds `deep_key_fact_recall` takes on a 3,000-word transcript with 400-word minutes, nothing cached
    (the model's answers forgotten and a fresh cache per case; the model server already started)."""
    import tempfile

    from judge.verdict import verdicts
    from suites.omission.deep import DeepKeyFactRecallScorer
    from throughput import budget_meetings

    store = verdicts()
    store._endpoint()  # the server starts once per process, not per case
    seconds, asked = [], []
    for case, output in budget_meetings(cases):
        store.start_afresh(Path(tempfile.mkdtemp()) / "cache.sqlite")
        started = time.perf_counter()
        DeepKeyFactRecallScorer().score(case, output)
        seconds.append(time.perf_counter() - started)
        asked.append(store.computed)
    return {"cases": len(seconds), "median_seconds": statistics.median(seconds), "seconds": seconds,
            "median_facts_asked": statistics.median(asked), "facts_asked": asked,
            "seconds_per_fact_asked": sum(seconds) / max(1, sum(asked))}


def settled_bands(model: dict[str, Any], dev: list[Row], allowed_loss: float = ALLOWED_KAPPA_LOSS) -> tuple[float, float]:
    """The fast judge's sure bands, chosen on dev facts: the pair (present at or above a match value of at least
    PRESENT_AT, absent below one of at most PARTIAL_AT) that leaves the fewest facts to ask while the shipped
    decision's kappa stays within `allowed_loss` of asking every fact."""
    labels = [bool(r["label"]) for r in dev]
    every = cohen_kappa(labels, [p >= model["cut"] for p in predict(model, dev)])
    grid = [round(float(c), 2) for c in np.linspace(0, 1, 101)]
    best = (1.01, 0.0)
    best_asked = len(dev)
    for present_at in [c for c in grid if c >= PRESENT_AT] + [1.01]:
        for absent_below in [c for c in grid if c <= PARTIAL_AT]:
            trial = {**model, "settled_present_at": present_at, "settled_absent_below": absent_below}
            asked = sum(not settled(trial, r["match"]) for r in dev)
            if asked < best_asked and cohen_kappa(labels, [v >= model["cut"] for v in shipped_presence(trial, dev)]) >= every - allowed_loss:
                best, best_asked = (present_at, absent_below), asked
    return best


def shipped_presence(model: dict[str, Any], rows: list[Row]) -> list[float]:
    """What `deep_key_fact_recall` decides per fact, as a score: 1.0 / 0.0 where the fast judge settles it
    (present / not), else the combiner's probability (present at the model's cut)."""
    # An unsettled fact is never rule-capped (`settled` covers that), so deep_status calls it present iff p >= cut.
    return [(1.0 if r["match"].status == "present" else 0.0) if settled(model, r["match"]) else float(p)
            for r, p in zip(rows, predict(model, rows), strict=True)]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dev-facts", type=int, default=500)
    parser.add_argument("--eval-facts", type=int, default=1000)
    benchmark_results.add_arguments(parser)
    args = parser.parse_args()
    measurement = benchmark_results.begin("deep_presence", benchmark_results.cli_command("python benchmarks/fit_presence.py"),
                                          {"dev_facts": args.dev_facts, "eval_facts": args.eval_facts, "seed": 0})
    started = time.perf_counter()
    groups = draw_groups(args.dev_facts, args.eval_facts)
    print(f"{len(groups)} groups", flush=True)
    rows, seconds = featurise(groups)
    dev = [r for r in rows if r["split"] == "dev"]
    report = [r for r in rows if r["split"] == "eval"]
    model = fit([{**r, "label": float(r["label"])} for r in dev], features=FEATURES)
    model["cut"] = kappa_cut([r["label"] for r in dev], list(predict(model, dev)))
    present_at, absent_below = settled_bands(model, dev)
    model.update(settled_present_at=present_at, settled_absent_below=absent_below)
    model["fitted_on"] = f"REALSumm dev documents ({len(dev)} judgements, seed 0); python benchmarks/fit_presence.py"
    MODEL_FILE.write_text(json.dumps(model, indent=2) + "\n", encoding="utf-8")
    out: dict[str, Any] = {"model": model, "features": list(FEATURES)}
    for name, values_of in (("fast", lambda rs: [r["features"]["coverage"] for r in rs]),
                            ("verdict", lambda rs: [r["features"]["stated"] for r in rs]),
                            ("combined_every_fact_asked", lambda rs: list(predict(model, rs))),
                            ("combined", lambda rs: shipped_presence(model, rs))):
        cut = model["cut"] if name.startswith("combined") else kappa_cut([r["label"] for r in dev], values_of(dev))
        out[name] = agreement(report, values_of(report), cut)
    out["asked_share"] = sum(not settled(model, r["match"]) for r in report) / len(report)
    out["seconds_per_fact"] = seconds
    out["budget_3000_words"] = budget()
    print(json.dumps({k: v for k, v in out.items() if k != "model"}, indent=1))
    benchmark_results.save(measurement, out, args, time.perf_counter() - started)


if __name__ == "__main__":
    main()
