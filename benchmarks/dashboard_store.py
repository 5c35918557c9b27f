"""The dashboard load benchmark's store (`benchmarks/dashboard_load.py`): many evaluation runs and ROI
appraisals in an MLflow store, as a council's shared tracking server would hold them.

One real evaluation run of the hallucination suite on the 24-meeting safeguarding_minutes set (the
demo's injected-defects vendor), then copies of it up to `runs` evaluation runs, each an MLflow run
with the same params, tags (`assure.kind`=evaluation, target, target_version, golden_set, baseline),
metrics and report.json artifact that `harness.evaluate` logs, for `tools` tools x `versions`
versions (tool-0 is the baseline), scores perturbed per tool and run, start times spread over 120
days. The copies have no local run folder, as on a shared tracking server, so the dashboard
downloads each report from the artifact store. Then `appraisals` ROI appraisals of the bundled
submissions, their tools renamed to benchmark tools so that the quality-adjusted and value views
find evaluation runs. The description of the store is written to `store.json` in its folder.
"""

from __future__ import annotations

import json
import os
import random
import shutil
import statistics
import time
from pathlib import Path
from typing import Any


def build_store(folder: Path, runs: int, tools: int, versions: int, appraisals: int) -> dict[str, Any]:
    """Build the store in `folder` (see the module docstring); return its description."""
    os.environ["ASSURE_HOME"] = str(folder / "home")
    os.environ.pop("MLFLOW_TRACKING_URI", None)
    import yaml

    import golden_sets
    from dashboards.demo import DEMO_DATA
    from harness.evaluate import start_run
    from harness.tracking import Tracker
    from roi.appraise import Options, appraise
    from roi.paths import SUBMISSIONS
    from roi.report import log_to_mlflow

    uri = f"sqlite:///{folder / 'home' / 'mlflow.db'}"
    started = time.perf_counter()
    real = start_run(golden_sets.path("safeguarding_minutes"), DEMO_DATA / "injected" / "vendor.yaml", ["hallucination"], uri)
    real_seconds = time.perf_counter() - started
    tracker = Tracker(uri)
    source = tracker.client.get_run(real.run_id)
    params, tags = dict(source.data.params), {k: v for k, v in source.data.tags.items() if not k.startswith("mlflow.")}
    experiment = source.info.experiment_id
    rng = random.Random(20260)
    now_ms = int(time.time() * 1000)
    started = time.perf_counter()
    ids = [real.run_id]
    scratch = folder / "scratch"
    scratch.mkdir(exist_ok=True)
    for i in range(runs - 1):
        tool, version = f"tool-{i % tools}", f"{1 + (i // tools) % versions}.0"
        baseline = tool == "tool-0"
        start = now_ms - int((runs - i) / runs * 120 * 86_400_000)
        run = tracker.client.create_run(experiment, start_time=start, run_name=f"{tool} v{version} on safeguarding_minutes",
                                        tags={**tags, "target": tool, "target_version": version,
                                              "baseline": str(baseline).lower()})
        run_id = run.info.run_id
        copied = {**params, "target.name": tool, "target.version": version, "target.baseline": str(baseline),
                  "target.config_hash": f"{i:064x}"}
        from mlflow.entities import Param

        tracker.client.log_batch(run_id, params=[Param(k, v) for k, v in copied.items()])
        report, metrics = _perturbed(real.report, run_id, tool, version, baseline, params, rng, quality=(i % tools) / tools)
        tracker.log_metrics(run_id, metrics)
        file = scratch / "report.json"
        file.write_text(json.dumps(report, ensure_ascii=False), encoding="utf-8")
        tracker.log_artifacts(run_id, [file])
        tracker.client.set_terminated(run_id, "FINISHED", end_time=start + 60_000)
        ids.append(run_id)
    copy_seconds = time.perf_counter() - started
    submissions = folder / "submissions"
    submissions.mkdir(exist_ok=True)
    for n, path in enumerate(sorted(SUBMISSIONS.glob("*.yaml"))):
        item = yaml.safe_load(path.read_text(encoding="utf-8"))
        item["tool"] = {"name": f"tool-{n % tools}", "version": f"{versions}.0"}
        if isinstance(item.get("staff_groups"), str):  # a CSV staff table beside the YAML file
            shutil.copy(path.parent / item["staff_groups"], submissions / item["staff_groups"])
        (submissions / path.name).write_text(yaml.safe_dump(item, allow_unicode=True), encoding="utf-8")
    started = time.perf_counter()
    for _ in range(appraisals):
        report = appraise([submissions], Options(), tracker)
        report["method"]["mlflow_run_id"] = log_to_mlflow(tracker, report)
    roi_seconds = time.perf_counter() - started
    info = {"uri": uri, "home": str(folder / "home"), "runs": len(ids), "cases_per_run": len(real.report["cases"]),
            "tools": tools, "versions": versions, "appraisals": appraisals, "real_run": real.run_id,
            "case_run": ids[-1], "case_ids": [c["case_id"] for c in real.report["cases"][:2]],
            "build_seconds": {"real_run": round(real_seconds, 1), "copies": round(copy_seconds, 1),
                              "appraisals": round(roi_seconds, 1)}}
    (folder / "store.json").write_text(json.dumps(info, indent=2), encoding="utf-8")
    return info


def _perturbed(report: dict[str, Any], run_id: str, tool: str, version: str, baseline: bool, params: dict[str, str],
               rng: random.Random, quality: float) -> tuple[dict[str, Any], dict[str, float]]:
    """A copy of `report` for another tool: findings kept at random (fewer for better tools), scores moved."""
    report = json.loads(json.dumps(report))
    report["run_id"] = run_id
    report["target"].update({"name": tool, "version": version, "baseline": baseline, "config_hash": run_id,
                             "label": f"{tool} (baseline)" if baseline else tool, "kind": "recorded"})
    keep = 0.9 - 0.6 * quality
    values: dict[str, list[tuple[float, bool, int]]] = {}
    for case in report["cases"]:
        for scorer, score in (case.get("scores") or {}).items():
            score["findings"] = [f for f in score.get("findings") or [] if rng.random() < keep]
            if score.get("value") is not None:
                score["value"] = min(1.0, max(0.0, float(score["value"]) + rng.gauss(0.0, 0.01)))
            threshold = float(params.get(f"scorer.{scorer}.threshold", 0) or 0)
            critical = sum(f.get("severity") == "critical" for f in score["findings"])
            score["passed"] = score.get("value") is not None and score["value"] >= threshold and not critical
            values.setdefault(scorer, []).append((score.get("value") or 0.0, score["passed"], critical))
    metrics: dict[str, float] = {"cases": len(report["cases"]), "errors": 0, "error_rate": 0.0}
    for scorer, rows in values.items():
        scores = [v for v, _, _ in rows]
        mean = statistics.fmean(scores)
        half = 1.96 * statistics.pstdev(scores) / max(1, len(scores)) ** 0.5
        pass_rate = sum(p for _, p, _ in rows) / len(rows)
        report["metrics"][scorer].update({"mean": mean, "ci_low": mean - half, "ci_high": mean + half, "pass_rate": pass_rate})
        metrics.update({f"{scorer}.mean": mean, f"{scorer}.ci_low": mean - half, f"{scorer}.ci_high": mean + half,
                        f"{scorer}.pass_rate": pass_rate, f"{scorer}.critical_findings": sum(c for _, _, c in rows)})
    return report, metrics
