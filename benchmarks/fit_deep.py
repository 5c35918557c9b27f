"""Fit the deep judge's combiner (`suites/hallucination/deep_model.json`) and measure it. Not a test: run

    .venv/bin/python benchmarks/fit_deep.py [--per-domain 200]

Fitted only on the SummEdits `test` split (a balanced sample of `--per-domain` examples per domain, seed 0):
a class-balanced logistic regression with an L2 penalty on standardised features
(`suites.hallucination.deep.FEATURES`), its cut chosen for balanced accuracy on the fitting data. (Fitted on
the injected defects too, the combiner failed every faithful reference minute: see suites/hallucination/deep.py.)
The injected defects (`--injected-cases N`: of the first N cases of each golden set only; the references of
every case) are judged, not fitted.
Measured on the SummEdits `evaluation` split (never fitted on): balanced accuracy and ROC AUC overall and
per domain, and with each domain left out of fitting in turn; on the injected defects the shipped scorer
(a long output is decided by the fast judge, the deep judge adding review findings): recall and
precision per golden set, caught per defect kind, references passed and review findings on them. Speed: seconds per
example of the features. Features are cached in the data folder (`deep_features.jsonl`) and NLI scores in
the project cache, so a rerun refits in seconds. Budget: the deep scorer's seconds on three 3,000-word
transcripts with 400-word minutes, each with a fresh NLI cache. Writes the model, and the figures with the commit and
machine to benchmarks/results/deep_judge.json.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import statistics
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np
from scipy.optimize import minimize

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from harness import benchmark_results  # noqa: E402
from harness.paths import benchmarks_dir, data_dir  # noqa: E402
from suites.classification import best_threshold, classification, roc_auc  # noqa: E402
from suites.hallucination.deep import FEATURES, MODEL_FILE, VERDICT_FEATURE, features_of  # noqa: E402
from suites.validity_benchmark import (DEFECT_FAMILIES, DEV_SPLIT, REPORT_SPLIT, Example, balanced_sample,  # noqa: E402
                                       load_injected, load_summedits)

Row = dict[str, Any]


def _key(example: Example) -> str:
    return hashlib.sha256(f"{example.dataset}\0{example.case.id}\0{example.output}".encode()).hexdigest()[:24]


def featurise(examples: list[Example], store: Path, verdict: bool = False) -> list[Row]:
    """Features of every example (from `store` when computed before), with label, dataset and defect."""
    known: dict[str, Row] = {}
    if store.is_file():
        for line in store.read_text(encoding="utf-8").splitlines():
            row = json.loads(line)
            known[row["key"]] = row
    rows = []
    with store.open("a", encoding="utf-8") as out:
        for n, example in enumerate(examples, 1):
            key = _key(example)
            if key not in known:
                started = time.perf_counter()
                features, signals = features_of(example.case, example.output, verdict=verdict)
                known[key] = {"key": key, "features": features, "claims": len(signals.claims),
                              "seconds": time.perf_counter() - started}
                out.write(json.dumps(known[key]) + "\n")
                out.flush()
                if n % 25 == 0:
                    print(f"  {n}/{len(examples)} features", flush=True)
            rows.append({**known[key], "dataset": example.dataset, "split": example.split, "label": example.inconsistent,
                         "defect": example.defect})
    return rows


def matrix(rows: list[Row], features: tuple[str, ...] = FEATURES) -> np.ndarray:
    return np.array([[r["features"][f] for f in features] for r in rows], dtype=float)


def fit(rows: list[Row], l2: float = 1.0, features: tuple[str, ...] = FEATURES) -> dict[str, Any]:
    """Class-balanced logistic regression on standardised `features`; its cut maximises balanced accuracy."""
    x = matrix(rows, features)
    y = np.array([r["label"] for r in rows], dtype=float)
    mean, scale = x.mean(axis=0), x.std(axis=0) + 1e-6
    z = (x - mean) / scale
    weight = np.where(y == 1, 0.5 / max(y.mean(), 1e-9), 0.5 / max(1 - y.mean(), 1e-9))

    def loss(theta: np.ndarray) -> tuple[float, np.ndarray]:
        logits = z @ theta[1:] + theta[0]
        p = 1 / (1 + np.exp(-logits))
        eps = 1e-12
        value = -np.sum(weight * (y * np.log(p + eps) + (1 - y) * np.log(1 - p + eps))) / len(y) + l2 * np.sum(theta[1:] ** 2) / (2 * len(y))
        grad_logit = weight * (p - y) / len(y)
        return value, np.concatenate([[grad_logit.sum()], z.T @ grad_logit + l2 * theta[1:] / len(y)])

    theta = minimize(loss, np.zeros(len(features) + 1), jac=True, method="L-BFGS-B").x
    model = {"features": list(features), "intercept": float(theta[0]), "coef": [float(c) for c in theta[1:]],
             "mean": [float(m) for m in mean], "scale": [float(s) for s in scale]}
    p = predict(model, rows)
    model["cut"] = float(1 - best_threshold([bool(v) for v in y], list(1 - p)))
    return model


def predict(model: dict[str, Any], rows: list[Row]) -> np.ndarray:
    z = (matrix(rows, tuple(model["features"])) - np.array(model["mean"])) / np.array(model["scale"])
    return 1 / (1 + np.exp(-(z @ np.array(model["coef"]) + model["intercept"])))


def figures(model: dict[str, Any], rows: list[Row]) -> dict[str, Any]:
    labels = [bool(r["label"]) for r in rows]
    p = predict(model, rows)
    balanced, precision, recall = classification(labels, [bool(v >= model["cut"]) for v in p])
    return {"n": len(rows), "positives": sum(labels), "balanced_accuracy": balanced, "precision": precision,
            "recall": recall, "roc_auc": roc_auc(labels, list(p))}


def injected_figures(examples: list[Example]) -> dict[str, Any]:
    """The shipped scorer on the injected defects (long outputs: the fast judge decides, the deep judge adds
    review findings): caught per defect kind and golden set, references passed, findings per reference."""
    from suites.hallucination.deep import DeepSupportScorer

    scorer = DeepSupportScorer()
    per_set: dict[str, Any] = {}
    seconds, claims = [], []
    for example in examples:
        started = time.perf_counter()
        score = scorer.score(example.case, example.output)
        seconds.append(time.perf_counter() - started)
        claims.append(score.details["claims_checked"])
        tally = per_set.setdefault(example.dataset, {"references": 0, "references_passed": 0, "review_findings_on_references": 0,
                                                     "caught_by_defect": {}})
        if example.defect:
            kind = tally["caught_by_defect"].setdefault(example.defect, {"caught": 0, "injected": 0})
            kind["caught"] += not score.passed
            kind["injected"] += 1
        else:
            tally["references"] += 1
            tally["references_passed"] += bool(score.passed)
            tally["review_findings_on_references"] += len(score.findings)
    for tally in per_set.values():
        caught = sum(k["caught"] for k in tally["caught_by_defect"].values())
        injected = sum(k["injected"] for k in tally["caught_by_defect"].values())
        false = tally["references"] - tally["references_passed"]
        tally.update(recall=caught / injected if injected else float("nan"),
                     precision=caught / (caught + false) if caught + false else float("nan"))
    return {"sets": per_set, "median_seconds": statistics.median(seconds), "median_claims": statistics.median(claims)}


def budget(cases: int = 3) -> dict[str, Any]:
    """Seconds the deep scorer takes on a 3,000-word transcript with 400-word minutes (as benchmarks/throughput.py
    builds them), with nothing cached: the NLI model's scores forgotten and a fresh cache per case."""
    import tempfile

    from judge.nli import nli
    from suites.hallucination.deep import DeepSupportScorer

    sys.path.insert(0, str(Path(__file__).parent))
    from throughput import budget_meetings

    store = nli()
    store._load()  # the model load is once per process, not per case
    seconds, nli_pairs, claims = [], [], []
    for case, output in budget_meetings(cases):
        store.start_afresh(Path(tempfile.mkdtemp()) / "cache.sqlite")
        started = time.perf_counter()
        score = DeepSupportScorer().score(case, output)
        seconds.append(time.perf_counter() - started)
        claims.append(score.details["claims_checked"])
        nli_pairs.append(store.computed)
    return {"cases": len(seconds), "median_seconds": statistics.median(seconds), "seconds": seconds,
            "median_claims": statistics.median(claims), "median_nli_pairs": statistics.median(nli_pairs)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--per-domain", type=int, default=200)
    parser.add_argument("--verdict", action="store_true",
                        help="add the local instruction model's verdict (feature 'unstated'); about 2 s a claim")
    parser.add_argument("--injected-cases", type=int, default=None,
                        help="injected defects of the first N cases of each golden set only (for time); every reference")
    benchmark_results.add_arguments(parser)
    args = parser.parse_args()
    measurement = benchmark_results.begin("deep_judge", benchmark_results.cli_command("python benchmarks/fit_deep.py"),
                                          {"per_domain": args.per_domain, "injected_cases": args.injected_cases, "l2": 1.0,
                                           "verdict": args.verdict})
    started = time.perf_counter()
    store = data_dir() / ("deep_features_verdict.jsonl" if args.verdict else "deep_features.jsonl")
    features = (*FEATURES, VERDICT_FEATURE) if args.verdict else FEATURES
    summedits = load_summedits(benchmarks_dir())
    dev = balanced_sample([e for e in summedits if e.split == DEV_SPLIT], args.per_domain)
    report = [e for e in summedits if e.split == REPORT_SPLIT]
    injected = load_injected(DEFECT_FAMILIES["claim_support"])
    if args.injected_cases is not None:
        first: dict[str, list[str]] = {}
        for e in injected:
            ids = first.setdefault(e.dataset, [])
            if e.case.id not in ids and len(ids) < args.injected_cases:
                ids.append(e.case.id)
        injected = [e for e in injected if e.case.id in first[e.dataset] or not e.inconsistent]  # every reference
    print(f"features: {len(dev)} dev, {len(report)} evaluation, {len(injected)} injected", flush=True)
    dev_rows, report_rows = featurise(dev, store, args.verdict), featurise(report, store, args.verdict)
    model = fit(dev_rows, features=features)
    out: dict[str, Any] = {"model": model, "features": list(features)}
    if args.verdict:  # the same rows without the verdict, and the verdict alone: what the instruction model adds
        without = fit(dev_rows)
        out["summedits_without_verdict"] = figures(without, report_rows)
        labels = [bool(r["label"]) for r in report_rows]
        out["summedits_verdict_alone_auc"] = roc_auc(labels, [r["features"][VERDICT_FEATURE] for r in report_rows])
    out["summedits"] = {"all": figures(model, report_rows),
                        **{d: figures(model, [r for r in report_rows if r["dataset"] == d]) for d in sorted({r["dataset"] for r in report_rows})}}
    out["summedits_domain_left_out"] = {}
    for domain in sorted({r["dataset"] for r in report_rows}):
        held = fit([r for r in dev_rows if r["dataset"] != domain], features=features)
        out["summedits_domain_left_out"][domain] = figures(held, [r for r in report_rows if r["dataset"] == domain])
    model["fitted_on"] = (f"SummEdits {DEV_SPLIT} split ({len(dev_rows)} examples, {args.per_domain} per domain, seed 0); "
                          f"python benchmarks/fit_deep.py --per-domain {args.per_domain}{' --verdict' if args.verdict else ''}")
    MODEL_FILE.write_text(json.dumps(model, indent=2) + "\n", encoding="utf-8")
    out["injected"] = injected_figures(injected)
    out["seconds_per_example"] = {"summedits": statistics.median(r["seconds"] for r in dev_rows + report_rows),
                                  "injected": out["injected"].pop("median_seconds")}
    out["claims_per_example"] = {"summedits": statistics.median(r["claims"] for r in dev_rows + report_rows),
                                 "injected": out["injected"].pop("median_claims")}
    out["examples"] = len(dev_rows) + len(report_rows) + len(injected)
    out["budget_3000_words"] = budget()
    print(json.dumps({k: v for k, v in out.items() if k != "model"}, indent=1))
    benchmark_results.save(measurement, out, args, time.perf_counter() - started)


if __name__ == "__main__":
    main()
