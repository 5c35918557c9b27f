"""`assure demo`: the whole story on bundled synthetic data, offline.

Runs the hallucination suite on the sample golden set for the built-in baseline and for a
fictional vendor's recorded outputs, logs both to MLflow, prints the results and (unless
--no-serve) serves the dashboard on http://127.0.0.1:8050.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

DEMO_DATA = Path(__file__).parent / "demo_data"
DEMO_TARGETS = ("baseline.yaml", "vendor_a.yaml")
DEMO_SUITES = ["hallucination"]


def run_demo(tracking_uri: str | None = None) -> list[dict]:
    """Run every demo target on the sample set; return their reports."""
    import golden_sets
    from harness.evaluate import start_run

    return [start_run(golden_sets.path("sample"), DEMO_DATA / name, DEMO_SUITES, tracking_uri).report for name in DEMO_TARGETS]


def register(app: typer.Typer) -> None:
    """Add `demo` to the CLI (entry point `assure.commands`)."""

    @app.command()
    def demo(
        no_serve: Annotated[bool, typer.Option("--no-serve", help="Print results and exit; do not start the dashboard.")] = False,
        port: Annotated[int, typer.Option("--port")] = 8050,
    ) -> None:
        """Run the bundled demo end to end (offline) and serve the dashboard."""
        from harness.cli import console, print_report

        for report in run_demo():
            print_report(report)
        console.print("Tracked in MLflow; list runs with `assure runs`.")
        if not no_serve:
            from .app import create_app

            console.print(f"Dashboard on http://127.0.0.1:{port} (Ctrl-C to stop)")
            create_app().run(host="127.0.0.1", port=port, debug=False)
