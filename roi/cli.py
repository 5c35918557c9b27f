"""`assure roi SUBMISSION... [--report-json PATH]`: appraise council submissions, print, write JSON,
log to MLflow (experiment `roi`). Exit codes: 0 ok; 2 bad input (one line per file, line and field)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Optional

import typer

from . import defaults as d


def register(app: typer.Typer) -> None:
    """Add `roi` to the CLI (entry point `assure.commands`)."""

    @app.command()
    def roi(
        submissions: Annotated[list[Path], typer.Argument(help="Submission YAML files, or folders of them.")],
        report_json: Annotated[Optional[Path], typer.Option("--report-json", help="Write the ROI report JSON here.")] = None,
        tracking_uri: Annotated[Optional[str], typer.Option("--tracking-uri", envvar="MLFLOW_TRACKING_URI",
                                                            help="MLflow tracking URI (default: SQLite in .assure/).")] = None,
        draws: Annotated[int, typer.Option("--draws", min=100, max=1_000_000, help="Monte Carlo draws.")] = d.MONTE_CARLO_DRAWS,
        seed: Annotated[int, typer.Option("--seed", help="Monte Carlo seed.")] = d.MONTE_CARLO_SEED,
        discount_rate: Annotated[Optional[float], typer.Option(
            "--discount-rate", min=0.0, max=1.0,
            help="Flat real discount rate instead of the Green Book schedule (3.5% to year 30, 3.0% after).")] = None,
        minutes_per_hallucination_rate: Annotated[Optional[float], typer.Option(
            "--minutes-per-hallucination-rate", min=0.0,
            help=f"Extra checking minutes per task at a hallucination rate of 1 (default {d.MINUTES_PER_HALLUCINATION_RATE.value:g}).")] = None,
        minutes_per_omission_rate: Annotated[Optional[float], typer.Option(
            "--minutes-per-omission-rate", min=0.0,
            help=f"Extra minutes per task at an omission rate of 1 (default {d.MINUTES_PER_OMISSION_RATE.value:g}).")] = None,
        risk_cost_per_failed_output: Annotated[Optional[float], typer.Option(
            "--risk-cost-per-failed-output", min=0.0,
            help="Expected GBP cost of each output with a hallucination (default 0: not counted).")] = None,
        track: Annotated[bool, typer.Option("--track/--no-track", help="Log to MLflow experiment `roi` (assurance runs are read either way).")] = True,
    ) -> None:
        """Appraise ROI submissions: net time saved, cost, NPV (Green Book), wellbeing; standardised across councils."""
        from harness.cli import console
        from harness.errors import InputError
        from harness.tracking import Tracker

        from .appraise import Options, appraise_loaded, expand_paths
        from .report import log_to_mlflow, print_report, write_json
        from .submission import load_submissions

        options = Options(discount_rate=discount_rate, draws=draws, seed=seed, quality_overrides={
            "minutes_per_task_per_unit_hallucination_rate": minutes_per_hallucination_rate,
            "minutes_per_task_per_unit_omission_rate": minutes_per_omission_rate,
            "risk_cost_per_failed_output_gbp": risk_cost_per_failed_output})
        if report_json is not None and not report_json.parent.is_dir():
            raise InputError.single("--report-json", f"folder not found: {report_json.parent}")
        loaded = load_submissions(expand_paths(list(submissions)))  # bad input fails here, before MLflow opens
        tracker = Tracker(tracking_uri)
        report = appraise_loaded(loaded, options, tracker)
        if track:
            report["method"]["mlflow_run_id"] = log_to_mlflow(tracker, report)
        print_report(console, report)
        if report_json:
            write_json(report, report_json)
            console.print(f"wrote {report_json}", highlight=False)
        if track:
            console.print(f"logged to MLflow experiment roi, run {report['method']['mlflow_run_id']}", highlight=False)
