"""Building blocks every page uses, so that pages look alike and stay safe with untrusted text.

Safety: Dash renders component children and DataTable cells as text, so vendor output, tool names
and council names are escaped there by construction (never pass them to `dcc.Markdown` or a
DataTable `markdown` column). Plotly is different: it reads a little HTML (`<b>`, `<a href>`,
`<br>`) in titles, axis ticks, legends, hover text and annotations, so every user-supplied string
that reaches a figure goes through `label()` first.
"""

from __future__ import annotations

import html as html_text
from collections.abc import Sequence
from typing import Any
from urllib.parse import urlencode

import flask
import pandas as pd
import plotly.graph_objects as go
from dash import dash_table, dcc, html

from .data import DashboardData

# The modebar's camera button downloads the chart as PNG; these name the file and size.
GRAPH_CONFIG = {"displaylogo": False, "toImageButtonOptions": {"format": "png", "scale": 2}}


def data() -> DashboardData:
    """The `DashboardData` of the app serving this request (set by `create_app`).

    Read from Flask's `current_app`, which every layout and callback request has: `dash.get_app()`
    can return another app's context when several apps live in one process (tests)."""
    return flask.current_app.config["ASSURE_DATA"]


def label(text: Any) -> str:
    """A user-supplied string made safe for a plotly figure (titles, ticks, legends, hover, annotations)."""
    return html_text.escape(str(text), quote=True)


def href(path: str, **query: Any) -> str:
    """A link to a page with its query string (values URL-encoded; None values left out)."""
    query = {k: v for k, v in query.items() if v is not None and v != ""}
    return f"{path}?{urlencode(query, doseq=True)}" if query else path


def case_href(run_id: str, case_id: str) -> str:
    """The Case page for one case of one run."""
    return href("/case", run=run_id, case=case_id)


def clicked_row(cell: dict[str, Any] | None, rows: list[dict[str, Any]] | None) -> dict[str, Any] | None:
    """The table row a click landed on (`active_cell` against the page of rows shown), or None."""
    if not cell or not rows or cell.get("row") is None or cell["row"] >= len(rows):
        return None
    return rows[cell["row"]]


def page(title: str, meaning: str, *children: Any, page_id: str) -> html.Div:
    """A page: its heading, one line on what its numbers mean (for a social worker), then its content."""
    return html.Div([html.H1(title), html.P(meaning, className="meaning"), *children], id=page_id, className="page")


def notice(sentence: str, notice_id: str | None = None) -> html.P:
    """A sentence shown instead of a chart or table when there is nothing to show (never a traceback)."""
    return html.P(sentence, className="notice", **({"id": notice_id} if notice_id else {}))


def table(table_id: str, frame: pd.DataFrame, *, page_size: int = 20, columns: Sequence[str] | None = None,
          **kwargs: Any) -> dash_table.DataTable:
    """A sortable, filterable table of plain-text cells with an Export button that downloads it as CSV."""
    shown = list(columns) if columns is not None else list(frame.columns)
    return dash_table.DataTable(
        id=table_id, data=frame.to_dict("records"), columns=[{"name": c.replace("_", " "), "id": c} for c in shown],
        sort_action="native", filter_action="native", page_size=page_size, export_format="csv", export_headers="names",
        style_table={"overflowX": "auto"}, style_cell={"textAlign": "left", "whiteSpace": "normal", "height": "auto",
                                                       "fontFamily": "system-ui, sans-serif", "fontSize": "14px"},
        style_header={"fontWeight": "600"}, **kwargs)


def graph(graph_id: str, figure: go.Figure, **kwargs: Any) -> dcc.Graph:
    """A chart with the PNG download button."""
    return dcc.Graph(id=graph_id, figure=figure, config=GRAPH_CONFIG, **kwargs)


def empty_figure(sentence: str) -> go.Figure:
    """A blank chart that says why it is blank."""
    figure = go.Figure()
    figure.add_annotation(text=label(sentence), showarrow=False, x=0.5, y=0.5, xref="paper", yref="paper")
    figure.update_layout(xaxis={"visible": False}, yaxis={"visible": False}, height=240)
    return figure


def percent(value: float | None, digits: int = 0) -> str:
    """0.5 -> '50%'; None -> 'n/a'."""
    return "n/a" if value is None or pd.isna(value) else f"{100 * value:.{digits}f}%"


def number(value: float | None, digits: int = 3) -> str:
    return "n/a" if value is None or pd.isna(value) else f"{value:.{digits}f}"
