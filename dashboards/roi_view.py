"""Reading the newest ROI appraisal tracked in MLflow experiment `roi` (`DashboardData.roi_report`).

The ROI page (`dashboards/pages/roi.py`) and the Value and risk page (`dashboards/pages/value.py`)
show it; what they read from the report is in `dashboards/roi_data.py`.
"""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path
from typing import Any

from harness.tracking import Tracker
from roi.report import ARTIFACT, EXPERIMENT


def latest_roi_report(tracker: Tracker) -> dict[str, Any] | None:
    """The report JSON of the newest finished appraisal, or None when there is none."""
    experiment = tracker.client.get_experiment_by_name(EXPERIMENT)
    if experiment is None:
        return None
    runs = tracker.client.search_runs([experiment.experiment_id],
                                      filter_string="tags.`assure.kind` = 'roi-region' and attributes.status = 'FINISHED'",
                                      order_by=["attributes.start_time DESC"], max_results=1)
    if not runs:
        return None
    os.environ.setdefault("MLFLOW_ENABLE_ARTIFACTS_PROGRESS_BAR", "false")  # no progress bar on every page load
    with tempfile.TemporaryDirectory() as folder:
        path = tracker.download_artifact(runs[0].info.run_id, ARTIFACT, Path(folder))
        return json.loads(path.read_text(encoding="utf-8"))
