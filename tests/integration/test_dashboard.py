"""The Dash app served by `assure demo`, exercised through its real Flask server (no browser yet)."""

from __future__ import annotations

import json

import pytest

from dashboards.app import create_app, runs_frame
from dashboards.demo import run_demo
from harness.tracking import Tracker

pytestmark = pytest.mark.integration


def test_layout_lists_tracked_runs_with_the_baseline_labelled() -> None:
    reports = run_demo()
    frame = runs_frame(Tracker())
    assert set(frame["tool"]) == {"textrank (baseline)", "vendor-a-minutes", "injected-defects-safeguarding_minutes"}
    vendor = frame[frame["tool"] == "vendor-a-minutes"].iloc[0]
    assert vendor["mean"] == round(reports[1]["metrics"]["unsupported_details"]["mean"], 3)
    client = create_app().server.test_client()
    response = client.get("/_dash-layout")
    assert response.status_code == 200
    layout = json.dumps(response.get_json())
    assert "vendor-a-minutes" in layout and "textrank (baseline)" in layout
