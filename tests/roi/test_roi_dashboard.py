"""The dashboard's ROI view, served through the real Flask server of the Dash app."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from dashboards.app import create_app
from dashboards.demo import run_roi_demo
from dashboards.roi_view import councils_frame, latest_roi_report
from harness.tracking import Tracker
from roi.appraise import Options, appraise
from roi.report import log_to_mlflow
from roi_examples import submission_a, write_submission

pytestmark = pytest.mark.integration


def test_roi_view_shows_the_newest_appraisal_and_escapes_council_text(tmp_path: Path) -> None:
    tracker = Tracker()
    empty = json.dumps(create_app(tracker).server.test_client().get("/_dash-layout").get_json())
    assert "No ROI appraisal tracked yet" in empty

    report = run_roi_demo()
    frame = councils_frame(latest_roi_report(tracker))
    assert len(frame) == 6 and set(frame["council"]) == {c["council"] for c in report["councils"]}
    marlowby = frame[frame["council"] == "Marlowby Council"].iloc[0]
    assert marlowby["npv_gbp"] == round(next(c for c in report["councils"] if c["council"] == "Marlowby Council")["npv_gbp"])

    hostile = "<img src=x onerror=alert(1)> Council"
    write_submission(tmp_path / "h.yaml", submission_a(council=hostile))
    log_to_mlflow(tracker, appraise([tmp_path / "h.yaml"], Options(draws=200), tracker))
    response = create_app(tracker).server.test_client().get("/_dash-layout")
    assert response.status_code == 200
    layout = json.dumps(response.get_json())
    assert "dangerously_allow_html" not in layout
    data = response.get_json()
    table = _find(data, "roi-councils")
    assert table["props"]["data"][0]["council"] == hostile  # DataTable cells are plain text
    figure = _find(data, "roi-standardised")["props"]["figure"]
    assert figure["data"][0]["x"] == ["&lt;img src=x onerror=alert(1)&gt; Council"]  # escaped before plotly reads it


def _find(node: object, component_id: str) -> dict:
    """The component with this id in a serialised Dash layout."""
    if isinstance(node, dict):
        if node.get("props", {}).get("id") == component_id:
            return node
        for value in node.values():
            found = _find(value, component_id)
            if found:
                return found
    if isinstance(node, list):
        for value in node:
            found = _find(value, component_id)
            if found:
                return found
    return {}
