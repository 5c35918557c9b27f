"""`assure demo`: the whole story on bundled synthetic data, offline.

Runs the hallucination suite (and, on the small set, the omission suite) for the built-in baseline and for two fictional vendors whose
outputs came back as files: on the small `sample` set (vendor A, hand-written defects) and on the
24-meeting `safeguarding_minutes` set (a vendor simulated by `assure goldens perturb`, seed 7,
ground truth in demo_data/injected/vendor_labels.jsonl). Then appraises the ROI of the bundled
synthetic council submissions (roi/submissions/, fictional councils), whose quality-adjusted view
uses the vendors' runs just tracked. Logs every run to MLflow, prints the results and (unless
--no-serve) serves the dashboard on http://127.0.0.1:8050.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

DEMO_DATA = Path(__file__).parent / "demo_data"
# (golden set, target, suites): omission on the small set only, so the demo stays quick on a laptop
# (its embedded judge encodes every output sentence; the 24-meeting set would add about a minute).
DEMO_RUNS = (("sample", "baseline.yaml", ["hallucination", "omission"]), ("sample", "vendor_a.yaml", ["hallucination", "omission"]),
             ("safeguarding_minutes", "baseline.yaml", ["hallucination"]),
             ("safeguarding_minutes", "injected/vendor.yaml", ["hallucination"]))


def run_demo(tracking_uri: str | None = None) -> list[dict]:
    """Run every demo (golden set, target) pair; return their reports."""
    import golden_sets
    from harness.evaluate import start_run

    return [start_run(golden_sets.path(golden), DEMO_DATA / target, suites, tracking_uri).report
            for golden, target, suites in DEMO_RUNS]


def run_roi_demo(tracking_uri: str | None = None) -> dict:
    """Appraise the bundled synthetic submissions, log them to MLflow (experiment `roi`); return the report."""
    from harness.tracking import Tracker
    from roi.appraise import Options, appraise
    from roi.paths import SUBMISSIONS
    from roi.report import log_to_mlflow

    tracker = Tracker(tracking_uri)
    report = appraise([SUBMISSIONS], Options(), tracker)
    report["method"]["mlflow_run_id"] = log_to_mlflow(tracker, report)
    return report


def register(app: typer.Typer) -> None:
    """Add `demo` to the CLI (entry point `assure.commands`)."""

    @app.command()
    def demo(
        no_serve: Annotated[bool, typer.Option("--no-serve", help="Print results and exit; do not start the dashboard.")] = False,
        port: Annotated[int, typer.Option("--port")] = 8050,
    ) -> None:
        """Run the bundled demo end to end (offline) and serve the dashboard."""
        from harness.cli import console, print_report

        from roi.report import print_report as print_roi_report

        for report in run_demo():
            print_report(report)
        print_roi_report(console, run_roi_demo())
        console.print("Tracked in MLflow; list runs with `assure runs`.")
        if not no_serve:
            from .app import create_app

            console.print(f"Dashboard on http://127.0.0.1:{port} (Ctrl-C to stop)")
            create_app().run(host="127.0.0.1", port=port, debug=False)
