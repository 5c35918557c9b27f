"""`assure dashboard`: serve the dashboard on any MLflow store (loopback by default)."""

from __future__ import annotations

from typing import Annotated, Optional

import typer


def register(app: typer.Typer) -> None:
    """Add `dashboard` to the CLI (entry point `assure.commands`)."""

    @app.command()
    def dashboard(
        tracking_uri: Annotated[Optional[str], typer.Option("--tracking-uri", envvar="MLFLOW_TRACKING_URI",
                                                            help="MLflow store (default: the project's SQLite file).")] = None,
        host: Annotated[str, typer.Option("--host", help="Address to listen on; keep 127.0.0.1 unless behind an authenticating proxy.")] = "127.0.0.1",
        port: Annotated[int, typer.Option("--port", min=1, max=65535)] = 8050,
    ) -> None:
        """Serve the dashboard: scorecard, compare, case, bias, ROI, value and risk, trend."""
        from harness.cli import console
        from harness.tracking import Tracker

        from .app import create_app, serve

        tracker = Tracker(tracking_uri)
        console.print(f"Dashboard of {tracker.uri} on http://{host}:{port}/scorecard (Ctrl-C to stop)")
        serve(create_app(tracker), host=host, port=port)
