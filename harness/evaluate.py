"""One evaluation run end to end: plan, track in MLflow, run cases, report. Resumable by run id."""

from __future__ import annotations

import asyncio
import json
import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .cache import Cache
from .checkpoint import CaseResult, CheckpointLog, RunPlan, load_plan, run_folder, save_plan
from .errors import InputError
from .goldens import GoldenSet, load_golden
from .judges import DEEP_JUDGE, DEEP_JUDGE_ENV
from .judges.llm import JUDGE_ENV, JudgeConfig, load_judge_config
from .paths import data_dir
from .plugins import load_suite
from .report import build_report, write_artifacts
from .runner import RunOutcome, run_cases
from .scoring import Suite, scorers_of
from .targets import BaseTarget, load_target
from .targets.recorded import RecordedTarget
from .tracking import Tracker
from .version import __version__

EXECUTORS = ("local", "ray")


@dataclass
class RunRecord:
    """A finished run: its id, the report dict and where its artifacts were written."""

    run_id: str
    report: dict[str, Any]
    outcome: RunOutcome
    artifacts: list[Path]


def start_run(golden_path: str | Path, target_path: str | Path, suite_names: list[str], tracking_uri: str | None = None,
              report_json: str | Path | None = None, concurrency: int | None = None, judge: str | Path | None = None,
              on_start: Callable[[str, int], None] | None = None, on_case: Callable[[CaseResult], None] | None = None,
              executor: str = "local", ray_address: str | None = None) -> RunRecord:
    """Validate every input first (exit 2 before anything is tracked), then run (`executor`: local or ray)."""
    _check_executor(executor)
    golden = load_golden(golden_path)
    target = load_target(target_path)
    judge_path, judge_config = use_judge(judge)
    suites = _load_suites(suite_names)
    tracker = Tracker(tracking_uri)
    params = _params(golden, target, suites)
    if judge_config:
        params.update({"judge.model": judge_config.model, "judge.base_url": judge_config.base_url,
                       "judge.fingerprint": judge_config.fingerprint()})
    elif judge_path == DEEP_JUDGE:
        params["judge.mode"] = DEEP_JUDGE
    run_id = tracker.start_run(golden.id, f"{target.label} on {golden.id} v{golden.version}", params,
                               tags={"assure.kind": "evaluation", "target": target.config.name,
                                     "target_version": target.config.version, "golden_set": golden.id,
                                     "baseline": str(target.is_baseline).lower()})
    plan = RunPlan(run_id=run_id, golden_path=str(Path(golden_path).resolve()), golden_hash=golden.content_hash,
                   target_path=str(Path(target_path).resolve()), target_config_hash=target.config_hash,
                   suites=suite_names, tracking_uri=tracker.uri,
                   report_json=str(Path(report_json).resolve()) if report_json else None, concurrency=concurrency,
                   judge_path=judge_path, executor=executor, ray_address=ray_address)
    save_plan(plan)
    return _execute(plan, golden, target, suites, tracker, on_start, on_case)


def resume_run(run_id: str, report_json: str | Path | None = None, on_start: Callable[[str, int], None] | None = None,
               on_case: Callable[[CaseResult], None] | None = None, executor: str | None = None,
               ray_address: str | None = None) -> RunRecord:
    """Carry on a run that was interrupted; finished cases are not redone (on the run's executor unless given)."""
    plan = load_plan(run_id)
    if executor or ray_address:
        plan = plan.model_copy(update={"executor": executor or plan.executor, "ray_address": ray_address or plan.ray_address})
        _check_executor(plan.executor)
    golden = load_golden(plan.golden_path)
    if golden.content_hash != plan.golden_hash:
        raise InputError.single(plan.golden_path, "golden set changed since this run started; start a new run")
    target = load_target(plan.target_path)
    if target.config_hash != plan.target_config_hash:
        raise InputError.single(plan.target_path, "target configuration changed since this run started; start a new run")
    if report_json:
        plan = plan.model_copy(update={"report_json": str(Path(report_json).resolve())})
    use_judge(plan.judge_path)
    tracker = Tracker(plan.tracking_uri)
    tracker.client.update_run(run_id, "RUNNING")
    return _execute(plan, golden, target, _load_suites(plan.suites), tracker, on_start, on_case)


def _execute(plan: RunPlan, golden: GoldenSet, target: BaseTarget, suites: list[Suite], tracker: Tracker,
             on_start: Callable[[str, int], None] | None, on_case: Callable[[CaseResult], None] | None) -> RunRecord:
    scorers = scorers_of(suites)
    checkpoint = CheckpointLog(plan.run_id)
    if on_start:
        on_start(plan.run_id, len(golden.cases) - len(checkpoint.finished()))
    cache = Cache(data_dir() / "cache.sqlite")
    try:
        if plan.executor == "ray":
            from .ray_executor import run_cases_ray

            outcome = run_cases_ray(golden, target, plan.suites, checkpoint, cache, plan.concurrency, on_case, plan.ray_address)
        else:
            outcome = asyncio.run(run_cases(golden, target, scorers, checkpoint, cache, plan.concurrency, on_case))
    except BaseException:
        tracker.finish(plan.run_id, "KILLED")
        raise
    finally:
        cache.close()
    outcome.warnings.extend(_target_warnings(target, golden))
    report = build_report(plan.run_id, _target_info(target), _golden_info(golden), outcome,
                          [{"name": s.name, "version": s.version} for s in suites], __version__)
    folder = run_folder(plan.run_id) / "artifacts"
    analysis_metrics, analysis_files = _run_analyses(suites, golden, outcome, report, folder)
    artifacts = write_artifacts(report, outcome, folder) + analysis_files
    metrics: dict[str, float] = {"cases": len(outcome.results), "errors": outcome.error_count,
                                 "error_rate": outcome.error_count / max(1, len(outcome.results))}
    metrics.update(analysis_metrics)
    for name, agg in outcome.aggregates.items():
        metrics.update({f"{name}.mean": agg.mean, f"{name}.ci_low": agg.ci_low, f"{name}.ci_high": agg.ci_high,
                        f"{name}.pass_rate": agg.pass_rate, f"{name}.critical_findings": agg.findings_by_severity["critical"]})
        if agg.n_judge_errors:
            metrics[f"{name}.judge_errors"] = agg.n_judge_errors
    metrics["judge_errors"] = sum(agg.n_judge_errors for agg in outcome.aggregates.values())
    tracker.log_metrics(plan.run_id, metrics)
    tracker.log_artifacts(plan.run_id, artifacts)
    tracker.finish(plan.run_id)
    if plan.report_json:
        Path(plan.report_json).parent.mkdir(parents=True, exist_ok=True)
        Path(plan.report_json).write_text(json.dumps(report, indent=2, ensure_ascii=False), encoding="utf-8")
    return RunRecord(plan.run_id, report, outcome, artifacts)


def _run_analyses(suites: list[Suite], golden: GoldenSet, outcome: RunOutcome, report: dict[str, Any],
                  folder: Path) -> tuple[dict[str, float], list[Path]]:
    """Run each suite's set-level analyses; add their sections to `report`; return metrics and CSV files."""
    metrics: dict[str, float] = {}
    files: list[Path] = []
    folder.mkdir(parents=True, exist_ok=True)
    for suite in suites:
        for analysis in suite.analyses:
            result = analysis.analyse(golden.cases, outcome.results)
            report[analysis.name] = result.report
            if result.summary:
                report.setdefault("analysis_summaries", {})[analysis.name] = list(result.summary)
            metrics.update({f"{analysis.name}.{key}": float(value) for key, value in result.metrics.items()})
            for key, table in result.tables.items():
                file = folder / f"{analysis.name}_{key}.csv"
                table.to_csv(file, index=False)
                files.append(file)
    return metrics, files


def _check_executor(executor: str) -> None:
    if executor not in EXECUTORS:
        raise InputError.single("--executor", f"must be one of {', '.join(EXECUTORS)} (got {executor!r})")


def use_judge(judge: str | Path | None) -> tuple[str | None, JudgeConfig | None]:
    """Check the judge configuration (exit 2 if bad) and make it visible to suites that need one.
    Without `judge`, ASSURE_JUDGE (if set) is used. `deep` (when no file has that name) switches on the
    embedded judge's deep mode instead (DEEP_JUDGE_ENV, read by the hallucination and omission suites)."""
    if judge is not None and str(judge) == DEEP_JUDGE and not Path(judge).is_file():
        os.environ[DEEP_JUDGE_ENV] = "1"
        return DEEP_JUDGE, None
    if judge:
        os.environ.pop(DEEP_JUDGE_ENV, None)
    path = str(Path(judge).resolve()) if judge else os.environ.get(JUDGE_ENV) or None
    if path is None:
        return None, None
    config = load_judge_config(path)
    os.environ[JUDGE_ENV] = path
    return path, config


def _load_suites(names: list[str]) -> list[Suite]:
    if not names:
        raise InputError.single("--suite", "name at least one suite")
    return [load_suite(name) for name in dict.fromkeys(names)]


def _params(golden: GoldenSet, target: BaseTarget, suites: list[Suite]) -> dict[str, Any]:
    params: dict[str, Any] = {
        "target.name": target.config.name, "target.version": target.config.version, "target.kind": target.config.kind,
        "target.config_hash": target.config_hash, "target.baseline": target.is_baseline,
        "golden_set.id": golden.id, "golden_set.version": golden.version, "golden_set.hash": golden.content_hash,
        "golden_set.task": golden.manifest.task,
        "golden_set.cases": len(golden.cases), "harness.version": __version__,
        "suites": ",".join(s.name for s in suites),
    }
    for suite in suites:
        params[f"suite.{suite.name}.version"] = suite.version
        for scorer in suite.scorers:
            params[f"scorer.{scorer.name}.version"] = scorer.version
            params[f"scorer.{scorer.name}.threshold"] = scorer.threshold
    return params


def _target_info(target: BaseTarget) -> dict[str, Any]:
    c = target.config
    return {"name": c.name, "version": c.version, "kind": c.kind, "config_hash": target.config_hash,
            "baseline": target.is_baseline, "label": target.label, "description": c.description}


def _golden_info(golden: GoldenSet) -> dict[str, Any]:
    return {"id": golden.id, "version": golden.version, "hash": golden.content_hash, "task": golden.manifest.task,
            "cases": len(golden.cases),
            "path": str(Path(golden.path).resolve())}


def _target_warnings(target: BaseTarget, golden: GoldenSet) -> list[str]:
    if not isinstance(target, RecordedTarget):
        return []
    warnings = []
    missing = target.missing_case_ids(golden.cases)
    unknown = target.unknown_case_ids(golden.cases)
    if missing:
        warnings.append(f"vendor file has no output for {len(missing)} case(s): {', '.join(missing)}")
    if unknown:
        warnings.append(f"vendor file has {len(unknown)} case id(s) not in the golden set (ignored): {', '.join(unknown)}")
    return warnings
