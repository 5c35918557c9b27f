"""Driving dashboard pages through the Dash app's real Flask server (no browser).

`render` asks Dash's page router for a page, as the browser does on navigation; `call` fires one of a
page's callbacks the way the browser does (POST /_dash-update-component); `find` picks a component
out of the serialised layout by id.
"""

from __future__ import annotations

import contextlib
import json
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import dash
import pytest
import yaml


def client(app: dash.Dash) -> Any:
    test_client = app.server.test_client()
    assert test_client.get("/").status_code == 200  # the first request registers the page router
    return test_client


def render(app: dash.Dash, test_client: Any, path: str, **query: str) -> dict[str, Any]:
    """The page at `path` (with its query string) as Dash serialises it for the browser."""
    key = next(k for k in app.callback_map if "_pages_content.children" in k)
    search = ("?" + urlencode(query)) if query else ""
    body = {"output": key, "outputs": _outputs(key),
            "inputs": [{"id": "_pages_location", "property": "pathname", "value": path},
                       {"id": "_pages_location", "property": "search", "value": search}],
            "changedPropIds": ["_pages_location.pathname"], "state": []}
    response = test_client.post("/_dash-update-component", json=body)
    assert response.status_code == 200, response.get_data(as_text=True)[:2000]
    return response.get_json()["response"]["_pages_content"]["children"]


def call(app: dash.Dash, test_client: Any, inputs: dict[str, Any], state: dict[str, Any] | None = None,
         output: str | None = None) -> tuple[int, dict[str, Any] | None]:
    """Fire the callback whose inputs are exactly `inputs` ({"id.property": value}); (status, response or None)."""
    state = state or {}
    wanted = sorted(inputs)
    matches = [k for k, cb in app.callback_map.items()
               if sorted(f"{i['id']}.{i['property']}" for i in cb["inputs"]) == wanted and (output is None or output in k)]
    assert len(matches) == 1, (wanted, matches)
    key = matches[0]
    body = {"output": key, "outputs": _outputs(key),
            "inputs": [_prop(k, v) for k, v in inputs.items()], "state": [_prop(k, v) for k, v in state.items()],
            "changedPropIds": list(inputs)}
    response = test_client.post("/_dash-update-component", json=body)
    if response.status_code == 204:  # every output no_update (PreventUpdate)
        return 204, None
    assert response.status_code == 200, response.get_data(as_text=True)[:2000]
    return 200, response.get_json()["response"]


def find(node: Any, component_id: str) -> dict[str, Any]:
    """The component with this id in a serialised Dash layout ({} when there is none)."""
    if isinstance(node, dict):
        if node.get("props", {}).get("id") == component_id:
            return node
        for value in node.values():
            found = find(value, component_id)
            if found:
                return found
    if isinstance(node, list):
        for value in node:
            found = find(value, component_id)
            if found:
                return found
    return {}


def text_of(node: Any) -> str:
    """The text a reader sees in a serialised component (its children, recursively)."""
    if isinstance(node, str):
        return node
    if isinstance(node, list):
        return " ".join(text_of(n) for n in node)
    if isinstance(node, dict):
        return text_of(node.get("children") if "props" not in node else node["props"].get("children"))
    return "" if node is None else str(node)


def as_json(node: Any) -> str:
    return json.dumps(node, ensure_ascii=False)


def _outputs(key: str) -> Any:
    if key.startswith(".."):
        return [_split(part) for part in key[2:-2].split("...")]
    return _split(key)


def _split(part: str) -> dict[str, str]:
    component, prop = part.rsplit(".", 1)
    return {"id": component, "property": prop.split("@")[0]}  # as the renderer sends an allow_duplicate output


def _prop(name: str, value: Any) -> dict[str, Any]:
    component, prop = name.rsplit(".", 1)
    return {"id": component, "property": prop, "value": value}


# --- stores ---------------------------------------------------------------------------------------

REPO = Path(__file__).resolve().parents[2]
SAMPLE = REPO / "golden_sets" / "sample"
DEMO = REPO / "dashboards" / "demo_data"
HOSTILE_COUNCIL = "<img src=x onerror=alert(1)> Council"
HOSTILE_TOOL = "<script>alert(1)</script>"


def submission(council: str, tool: str, version: str = "1.0", **changes: Any) -> dict[str, Any]:
    """A complete ROI submission (every default given, so nothing is filled in), like roi/submissions/*.yaml."""
    data: dict[str, Any] = {
        "schema_version": "1.0", "council": council, "tool": {"name": tool, "version": version}, "appraisal_years": 2,
        "synthetic": True,
        "staff_groups": [{"role": "social_worker", "users": 10, "hourly_cost_gbp": 50.0, "tasks_per_user_per_week": 5,
                          "minutes_per_task_before": 60, "minutes_per_task_after": 36, "working_weeks_per_year": 40,
                          "time_measured_by": "time_and_motion", "sample_size": 10, "minutes_per_task_before_sd": 12,
                          "minutes_per_task_after_sd": 9, "tasks_per_user_per_week_sd": 1}],
        "costs": {"licence_per_user_per_year_gbp": 300, "setup_one_off_gbp": 10_000, "training_hours_per_user": 2,
                  "annual_support_gbp": 2_000, "annual_infrastructure_gbp": 1_000, "annual_governance_hours": 20,
                  "governance_hourly_cost_gbp": 50},
        "cashable_share": 0.25, "optimism_bias": {"one_off_cost_uplift": 0, "recurring_cost_uplift": 0, "benefit_shortfall": 0},
        "fte_hours_per_year": 1600,
        "wellbeing": {"instrument": "SWEMWBS", "score_type": "metric", "paired": True,
                      "before": [19.25, 22.35, 22.35, 17.98, 20.73], "after": [21.54, 24.11, 23.21, 19.98, 20.73]},
    }
    data.update(changes)
    return data


def write_yaml(path: Path, data: dict[str, Any]) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    return path


def hostile_target(folder: Path, name: str = HOSTILE_TOOL, version: str = "1.0") -> Path:
    """A recorded target named `name`: vendor A's outputs on the sample set, under another name."""
    folder.mkdir(parents=True, exist_ok=True)
    shutil.copy(DEMO / "vendor_a_outputs.jsonl", folder / "outputs.jsonl")
    return write_yaml(folder / "target.yaml", {"name": name, "version": version, "kind": "recorded", "path": "outputs.jsonl"})


@contextlib.contextmanager
def home(folder: Path) -> Iterator[str]:
    """ASSURE_HOME in `folder` and a sqlite tracking URI there, while the store is built; yields the URI."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("ASSURE_HOME", str(folder / "home"))
        patch.delenv("MLFLOW_TRACKING_URI", raising=False)
        yield f"sqlite:///{folder}/mlflow.db"
