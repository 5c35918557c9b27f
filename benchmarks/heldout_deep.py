"""Check the deep judge on human-labelled data it was never fitted on: modern models' meeting summaries. Not a test: run

    .venv/bin/python benchmarks/heldout_deep.py [--per-label 20]

Kirstein et al. 2024 (`meeting_errors_kirstein2024`): five models' summaries (GPT-3.5 and Zephyr among
them) of 35 QMSum meetings, each labelled by annotators for hallucination. A balanced random sample
(seed 0) of `--per-label` summaries with and without a hallucination label is judged; nothing is fitted or
tuned here. The summaries are long (a median of about ten claims), where the shipped `deep_support` lets
the fast judge decide; so this reads the signals themselves, each claim also put to the instruction
model, to see whether they carry over to a new domain and new generators: ROC AUC (95% bootstrap
interval) of the fast judge's `claim_support`, the NLI signal (`worst_support`), the instruction model
(`unstated`) and the shipped combiner's case probability. Writes benchmarks/results/deep_heldout.json.
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from harness import benchmark_results  # noqa: E402
from harness.goldens import Case  # noqa: E402
from suites.classification import roc_auc  # noqa: E402
from suites.hallucination.deep import fast_scores, features_from, load_model, probability, uses_verdict  # noqa: E402
from suites.omission.benchmark_data import load_kirstein  # noqa: E402

SIGNALS = ("fast_claims", "worst_support", "unstated", "combined")


def draw(per_label: int, seed: int = 0) -> list[Any]:
    summaries = [s for s in load_kirstein() if s.has_summary and s.transcript.strip()]
    rng = random.Random(seed)
    chosen = []
    for label in (True, False):
        pool = [s for s in summaries if s.hallucination == label]
        chosen += rng.sample(pool, min(per_label, len(pool)))
    return chosen


def signals_of(summary: Any, model: dict[str, Any]) -> dict[str, float]:
    from judge.deep import case_signals

    case = Case(id=f"kirstein-{summary.meeting_index}-{summary.model}", task="summary", source=summary.transcript)
    signals = case_signals(case.source, summary.summary, verdict=True)  # every claim asked, however long
    features = features_from(fast_scores(case, summary.summary), signals)
    return {**features, "combined": probability(model, features), "claims": float(len(signals.claims))}


def auc_with_interval(labels: list[bool], values: list[float], seed: int = 0) -> dict[str, float]:
    rng = np.random.default_rng(seed)
    draws = []
    for _ in range(1000):
        idx = rng.choice(len(labels), len(labels))
        sample = [labels[i] for i in idx]
        if any(sample) and not all(sample):
            draws.append(roc_auc(sample, [values[i] for i in idx]))
    return {"roc_auc": roc_auc(labels, values), "low": float(np.percentile(draws, 2.5)), "high": float(np.percentile(draws, 97.5))}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--per-label", type=int, default=20)
    benchmark_results.add_arguments(parser)
    args = parser.parse_args()
    measurement = benchmark_results.begin("deep_heldout", benchmark_results.cli_command("python benchmarks/heldout_deep.py"),
                                          {"per_label": args.per_label, "seed": 0})
    started = time.perf_counter()
    model = load_model()
    chosen = draw(args.per_label)
    rows = []
    for n, summary in enumerate(chosen, 1):
        t = time.perf_counter()
        rows.append({"label": summary.hallucination, "generator": summary.model, **signals_of(summary, model),
                     "seconds": time.perf_counter() - t})
        print(f"  {n}/{len(chosen)}", flush=True)
    labels = [bool(r["label"]) for r in rows]
    out: dict[str, Any] = {"n": len(rows), "positives": sum(labels), "combiner_reads_verdict": uses_verdict(model),
                           "generators": sorted({r["generator"] for r in rows}),
                           "median_claims": statistics.median(r["claims"] for r in rows),
                           "median_seconds": statistics.median(r["seconds"] for r in rows)}
    out["signals"] = {name: auc_with_interval(labels, [r[name] for r in rows]) for name in SIGNALS}
    print(out)
    benchmark_results.save(measurement, out, args, time.perf_counter() - started)


if __name__ == "__main__":
    main()
