"""The dashboard's ROI page on the newest tracked appraisal, served through the real Flask server of the Dash app.

(The page itself is tested in depth in tests/dashboards/test_roi_page.py.)"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from dashboards.app import create_app
from dashboards.demo import run_roi_demo
from dashboards.roi_data import councils_frame
from dashboards.roi_view import latest_roi_report
from harness.tracking import Tracker
from roi.appraise import Options, appraise
from roi.report import log_to_mlflow
from page_client import client, find, render
from roi_examples import submission_a, write_submission

pytestmark = pytest.mark.integration


def test_roi_page_shows_the_newest_appraisal_and_escapes_council_text(tmp_path: Path) -> None:
    tracker = Tracker()
    assert latest_roi_report(tracker) is None
    assert "No ROI appraisal in this store yet" in json.dumps(find(_roi_page(tracker), "roi-empty"))

    report = run_roi_demo()
    frame = councils_frame(latest_roi_report(tracker))
    assert len(frame) == 6 and set(frame["council"]) == {c["council"] for c in report["councils"]}
    marlowby = frame[frame["council"] == "Marlowby Council"].iloc[0]
    assert marlowby["npv_gbp"] == round(next(c for c in report["councils"] if c["council"] == "Marlowby Council")["npv_gbp"])

    hostile = "<img src=x onerror=alert(1)> Council"
    write_submission(tmp_path / "h.yaml", submission_a(council=hostile))
    log_to_mlflow(tracker, appraise([tmp_path / "h.yaml"], Options(draws=200), tracker))
    page = _roi_page(tracker)  # a new app: the newest appraisal is now the hostile one
    assert "dangerously_allow_html" not in json.dumps(page)
    assert find(page, "roi-table")["props"]["data"][0]["council"] == hostile  # DataTable cells are plain text
    figure = find(page, "roi-standardised")["props"]["figure"]
    assert figure["data"][0]["x"] == ["&lt;img src=x onerror=alert(1)&gt; Council"]  # escaped before plotly reads it


def _roi_page(tracker: Tracker) -> Any:
    """The /roi page of a new app on this store."""
    app = create_app(tracker)
    return render(app, client(app), "/roi")
