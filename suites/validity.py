"""`assure bench validity`: how far each scorer's verdicts agree with known answers.

Two kinds of data:
- SummEdits (Laban et al. 2023; ../shared/benchmarks/summedits): human-labelled (document, summary)
  pairs, consistent or not. Thresholds are chosen on its `test` split (the development split here)
  to maximise balanced accuracy, and figures are reported on its `evaluation` split, per domain.
- Injected defects in the bundled golden sets (`assure goldens perturb`, seed 0): each reference
  (negative) and each defective output (positive) of the scorer's defect families; the decision is
  the scorer's own documented `passed`.

- Faithful outputs (negatives only): the bundled references, the restyled references (the same
  facts in six other councils' house styles, `golden_sets/*/restyled/`) and the extractive baseline's
  outputs (TextRank, 30% of source sentences). Every failed case is a false alarm: reported per scorer
  and finding kind, with critical findings per 100 outputs and the share of failed cases whose failing
  finding quotes a source passage (a contradicting clause) rather than reporting an absence.

Reported per scorer and dataset: balanced accuracy, precision and recall on the inconsistent
class, ROC AUC (from 1 - value), median seconds per case. Per injected defect kind: how many the
scorer caught (the case fails) and how many it found (a finding of any severity whose output span
overlaps the edit: a major finding for review is found without failing the case).

Every run writes its figures (the `--report-json` payload) with the commit and machine to
`benchmarks/results/validity.json` (`--results-dir` elsewhere, `--no-results` not at all), from which
`benchmarks/render_figures.py` renders the documentation's tables; a run with `--judge judge.yaml` (an
LLM judge, suite `llm_judges`), `--judge deep` (the deep judge, `deep_support`) or `--sample N` writes
`validity-judge.json` instead; `--judge deep` then also prints the deep judge's fitted figures
(`suites.validity_deep`). The machinery is in
`suites.validity_benchmark`; its names are importable from here too.
"""

from __future__ import annotations

import json
import time
from dataclasses import asdict
from pathlib import Path
from typing import Annotated, Any, Optional

import typer

from harness.judges import DEEP_JUDGE
from harness.paths import benchmarks_dir
from harness.plugins import load_suite

from .classification import best_threshold, classification, roc_auc  # noqa: F401  (also imported from here)
from .validity_benchmark import (  # noqa: F401  (the public names, importable from here as before)
    DEFECT_FAMILIES, DEV_SPLIT, GOLDEN_SETS, NOT_CONSISTENCY_SUITES, REPORT_SPLIT, SHORT_NAMES, SUMMEDITS_DOMAINS,
    DefectRecall, Example, FalseAlarms, Judged, Metrics, _found, _quotes_source, false_alarms, judge, load_faithful,
    load_injected, load_summedits, metrics_for, omission_false_alarms, recall_by_defect, run_validity)

COMMAND = "assure bench validity"


def _fmt(value: float) -> str:
    return "" if value != value else f"{value:.3f}"


def _metric_name(dataset: str) -> str:
    return "".join(c if c.isalnum() or c in "._-" else "_" for c in dataset).strip("_")


def payload(results: dict[str, list[Metrics]], by_defect: dict[str, list[DefectRecall]],
            alarms: dict[str, list[FalseAlarms]], omission: list[Any]) -> dict[str, Any]:
    """Every figure of one run, as `--report-json` writes it (and the results file's `figures`)."""
    out: dict[str, Any] = {"dev_split": DEV_SPLIT, "report_split": REPORT_SPLIT,
                           "scorers": {k: [asdict(m) for m in v] for k, v in results.items()}}
    out["recall_by_defect"] = {k: [asdict(r) for r in v] for k, v in by_defect.items()}
    out["false_alarms"] = {k: [asdict(a) for a in v] for k, v in alarms.items()}
    if omission:
        out["key_fact_recall"] = [asdict(row) for row in omission]
    return out


def print_tables(console: Any, results: dict[str, list[Metrics]], by_defect: dict[str, list[DefectRecall]],
                 alarms: dict[str, list[FalseAlarms]], omission: list[Any]) -> None:
    """The command's tables: per scorer and dataset, injected defects, false alarms, key_fact_recall."""
    from rich.table import Table

    for scorer_name, rows in results.items():
        table = Table("dataset", "n", "pos", "cut", "bal.acc", "prec", "recall", "AUC", "ms/case", "judge errors",
                      title=f"{scorer_name} (SummEdits: {REPORT_SPLIT} split, cut chosen on {DEV_SPLIT})")
        for m in rows:
            table.add_row(m.dataset, str(m.n), str(m.n_inconsistent), "passed" if m.threshold is None else f"{m.threshold:.3f}",
                          f"{m.balanced_accuracy:.3f}", f"{m.precision:.3f}", f"{m.recall:.3f}", f"{m.roc_auc:.3f}",
                          f"{m.median_seconds * 1000:.1f}", str(m.judge_errors))
        console.print(table)
    for scorer_name, recalls in by_defect.items():
        sets = sorted({r.dataset for r in recalls})
        table = Table("defect", *sets, title=f"{scorer_name}: injected defects caught (the case fails) / found (a finding on the edit)")
        cells = {(r.defect, r.dataset): f"{r.caught}/{r.injected} caught, {r.found} found" for r in recalls}
        for defect in sorted({r.defect for r in recalls}):
            table.add_row(defect, *(cells.get((defect, d), "") for d in sets))
        console.print(table)
    for scorer_name, rows_ in alarms.items():
        table = Table("faithful outputs", "n", "failed", "false alarms", "critical /100", "failing finding quotes source",
                      "findings (major or critical) by kind", title=f"{scorer_name}: false alarms on faithful outputs")
        for a in rows_:
            table.add_row(a.dataset.removeprefix("faithful:"), str(a.n), str(a.failed), f"{a.false_alarm_rate:.3f}",
                          f"{a.critical_per_100:.1f}", _fmt(a.quoted_share),
                          ", ".join(f"{k} {v}" for k, v in a.by_kind.items()))
        console.print(table)
    if omission:
        table = Table("dataset", "n", "pos", "cut", "accuracy", "F1", "kappa", "AUC", "recall", "false alarms", "ms/case",
                      title="key_fact_recall (REALSumm and Kirstein: eval split, cut chosen on dev)")
        for row in omission:
            table.add_row(row.dataset, str(row.n), str(row.n_positive), "status" if row.cut is None else f"{row.cut:.3f}",
                          *(_fmt(getattr(row, k)) for k in ("accuracy", "f1", "kappa", "roc_auc", "recall", "false_alarm_rate")),
                          f"{row.median_seconds * 1000:.1f}")
        console.print(table)


def log_to_mlflow(tracking_uri: str | None, results: dict[str, list[Metrics]], alarms: dict[str, list[FalseAlarms]],
                  omission: list[Any]) -> str:
    """One run in the MLflow experiment `bench-validity`; its id."""
    from harness.tracking import Tracker

    tracker = Tracker(tracking_uri)
    run_id = tracker.start_run("bench-validity", "validity", {"scorers": ",".join(results), "dev_split": DEV_SPLIT,
                                                               "report_split": REPORT_SPLIT})
    tracker.log_metrics(run_id, {f"{s}.{m.dataset.replace('(', '').replace(')', '').replace(' ', '_').replace(',', '')}.{k}": getattr(m, k)
                                 for s, rows in results.items() for m in rows
                                 for k in ("balanced_accuracy", "precision", "recall", "roc_auc", "median_seconds")})
    tracker.log_metrics(run_id, {f"{s}.{_metric_name(a.dataset)}.{k}": getattr(a, k) for s, rows_ in alarms.items()
                                 for a in rows_ for k in ("false_alarm_rate", "critical_per_100", "quoted_share")
                                 if getattr(a, k) == getattr(a, k)})
    tracker.log_metrics(run_id, {f"key_fact_recall.{_metric_name(row.dataset)}.{k}": getattr(row, k) for row in omission
                                 for k in ("accuracy", "f1", "kappa", "roc_auc", "recall", "false_alarm_rate", "median_seconds")
                                 if getattr(row, k) == getattr(row, k)})
    tracker.finish(run_id)
    return run_id


def register(app: typer.Typer) -> None:
    """Add `assure bench validity` and `assure bench gate` (entry point `assure.commands`)."""
    from .gate_calibration import add_command as add_gate_calibration

    bench = typer.Typer(no_args_is_help=True, help="Benchmarks: scorer validity against known answers; the gate's calibration.")
    app.add_typer(bench, name="bench")
    add_gate_calibration(bench)  # `assure bench gate`

    @bench.command("validity")
    def validity(
        suite: Annotated[Optional[list[str]], typer.Option("--suite", help="Suites to measure (default: all installed).")] = None,
        report_json: Annotated[Optional[Path], typer.Option("--report-json")] = None,
        benchmarks: Annotated[Optional[Path], typer.Option("--benchmarks", help="Folder of the shared benchmarks.")] = None,
        tracking_uri: Annotated[Optional[str], typer.Option("--tracking-uri", envvar="MLFLOW_TRACKING_URI")] = None,
        results_dir: Annotated[Optional[Path], typer.Option(
            "--results-dir", help="Write validity.json (figures, commit, machine) here (default: benchmarks/results/).")] = None,
        no_results: Annotated[bool, typer.Option("--no-results", help="Do not write the results file.")] = False,
        judge_file: Annotated[Optional[Path], typer.Option(
            "--judge", help="LLM judge YAML (any OpenAI-compatible endpoint): measure the llm_judges suite through it; "
                            "or `deep`: measure the deep judge (deep_support) beside the fast one.")] = None,
        sample: Annotated[Optional[int], typer.Option(
            "--sample", min=2, help="Judge only N examples of each dataset (half inconsistent, seed 0; SummEdits: its "
                                    "evaluation split only, decided by each scorer's own threshold), for slow judges.")] = None,
    ) -> None:
        """Measure each scorer on SummEdits and on injected defects; print a table, log to MLflow."""
        from rich.progress import Progress

        from harness import benchmark_results
        from harness.cli import console, err_console
        from harness.errors import InputError
        from harness.plugins import available_suites
        from suites.omission.validity import omission_validity

        if judge_file is not None:  # as `assure run --judge`: a bad file names its line and key (exit 2) first
            from harness.evaluate import use_judge

            mode, _ = use_judge(judge_file)
            # deep: the hallucination suite adds deep_support beside the fast scorers; else the LLM judge suite
            suite = suite or (["hallucination"] if mode == DEEP_JUDGE else ["llm_judges"])
        else:
            mode = None
        root = benchmarks or benchmarks_dir()
        if not (root / "summedits").is_dir():
            raise InputError.single(root, "no summedits/ here; pass --benchmarks or set ASSURE_BENCHMARKS")
        names = list(suite or available_suites())
        # a configured judge or a sample is not the embedded judge's full measurement: its own results file
        kind = "validity" if judge_file is None and sample is None else "validity-judge"
        measurement = benchmark_results.begin(kind, benchmark_results.cli_command(COMMAND),
                                              {"suites": names, "sample": sample})
        started = time.perf_counter()
        scorers = []
        skipped: list[str] = []
        measure_omission = False
        for name in names:
            if name in NOT_CONSISTENCY_SUITES:  # measured on their own data below, or not by this benchmark
                measure_omission = measure_omission or name == "omission"
                skipped += [] if name == "omission" else [name]
                continue
            try:
                scorers.extend(load_suite(name).scorers)
            except InputError as exc:
                if suite:  # asked for by name: bad input
                    raise
                err_console.print(f"skipping suite {name}: {exc}")
                skipped.append(name)
        with Progress(console=err_console, transient=True) as bar:
            task = bar.add_task("judging", total=None)
            by_defect: dict[str, list[DefectRecall]] = {}
            alarms: dict[str, list[FalseAlarms]] = {}
            results = run_validity(scorers, root, DEFECT_FAMILIES, lambda: bar.advance(task), by_defect, alarms, sample)
            omission = omission_validity(root, lambda: bar.advance(task)) if measure_omission else []
            if measure_omission:
                alarms.update(omission_false_alarms())
        seconds = time.perf_counter() - started
        print_tables(console, results, by_defect, alarms, omission)
        if judge_file is not None and mode == DEEP_JUDGE:  # and what the deep judge's own fits measured
            from .validity_deep import print_fitted

            print_fitted(console, results_dir)
        figures = payload(results, by_defect, alarms, omission)
        if report_json:
            report_json.write_text(json.dumps(figures, indent=2), encoding="utf-8")
        if not no_results:
            measurement.settings.update(scorers=[s.name for s in scorers] + (["key_fact_recall"] if measure_omission else []),
                                        not_measured=skipped)
            written = benchmark_results.write_results(measurement.finish(figures, seconds), results_dir)
            console.print(f"wrote {written}", highlight=False)
        run_id = log_to_mlflow(tracking_uri, results, alarms, omission)
        console.print(f"logged to MLflow experiment bench-validity, run {run_id}")
