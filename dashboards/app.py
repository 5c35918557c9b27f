"""The Dash dashboard: seven pages (one module each in `dashboards/pages/`) over one tracking store.

Each page module has `PATH`, `NAME`, `layout(**query)` (the page, from its URL's query string, so a
link can be shared) and `register_callbacks(app)`. Pages read only through `dashboards.data`
(the engine's tracking and comparison APIs). Every value is rendered by Dash as text, and strings that
reach a plotly figure are escaped first (`dashboards.ui.label`).
"""

from __future__ import annotations

import functools
import importlib
import logging
import os
from collections.abc import Callable
from typing import Any

import dash
from dash import dcc, html

from harness.tracking import Tracker

from . import ui
from .data import DashboardData

PAGE_MODULES = ("scorecard", "compare", "case", "bias", "roi", "value", "trend")
STYLE = {"fontFamily": "system-ui, sans-serif", "margin": "1rem 2rem", "maxWidth": "1400px"}
log = logging.getLogger(__name__)


def create_app(tracker: Tracker | None = None, data: DashboardData | None = None) -> dash.Dash:
    """Build the app on `tracker`'s store (default: the project's own store, or MLFLOW_TRACKING_URI)."""
    os.environ.setdefault("MLFLOW_ENABLE_ARTIFACTS_PROGRESS_BAR", "false")  # no progress bar on every page load
    app = dash.Dash(__name__, use_pages=True, pages_folder="", title="assure", suppress_callback_exceptions=True)
    app.server.config["ASSURE_DATA"] = data or DashboardData(tracker)
    links = []
    for order, name in enumerate(PAGE_MODULES):
        module = importlib.import_module(f"dashboards.pages.{name}")
        dash.register_page(module.__name__, path=module.PATH, name=module.NAME, title=f"assure: {module.NAME}",
                           layout=safe_layout(module.layout, module.NAME), order=order)
        if name == "scorecard":  # also the home page, at / (a redirect would clash with Dash's own / route)
            dash.register_page(module.__name__ + ".home", path="/", name=module.NAME, title=f"assure: {module.NAME}",
                               layout=safe_layout(module.layout, module.NAME), order=len(PAGE_MODULES))
        module.register_callbacks(app)
        links.append(dcc.Link(module.NAME, href=module.PATH, id=f"nav-{name}", className="nav-link",
                              style={"marginRight": "1.2rem"}))
    app.layout = html.Div([
        html.Nav([html.Strong("assure", style={"marginRight": "2rem"}), *links],
                 style={"borderBottom": "1px solid #ccc", "paddingBottom": "0.6rem", "marginBottom": "1rem"}),
        dcc.Location(id="go", refresh="callback-nav"),  # pages send the browser to another page through this
        dash.page_container,
    ], style=STYLE)
    return app


def safe_layout(layout: Callable[..., Any], name: str) -> Callable[..., Any]:
    """A page layout that shows a sentence, never a traceback, when its data cannot be read."""

    @functools.wraps(layout)
    def wrapped(**query: Any) -> Any:
        try:
            return layout(**query)
        except Exception as exc:  # a broken store or a bad link must not show a stack trace to the user
            log.exception("page %s failed", name)
            return ui.page(name, "This page could not be shown.",
                           ui.notice(f"Could not read the data for this page: {exc}", "page-error"), page_id="page-error-page")

    return wrapped


def serve(app: dash.Dash, host: str = "127.0.0.1", port: int = 8050) -> None:
    """Serve the app with Dash's built-in server (for a team, put it behind an authenticating proxy: README)."""
    app.run(host=host, port=port, debug=False)
