"""Driving dashboard pages through the Dash app's real Flask server (no browser).

`render` asks Dash's page router for a page, as the browser does on navigation; `call` fires one of a
page's callbacks the way the browser does (POST /_dash-update-component); `nodes`, `find`, `ids` and
`text_of` read the serialised layout.
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

from dashboards.app import create_app
from dashboards.data import DashboardData
from harness.evaluate import start_run
from harness.tracking import Tracker
from roi.appraise import Options, appraise
from roi.paths import SUBMISSIONS
from roi.report import log_to_mlflow
from roi_examples import submission_a


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
         output: str | None = None, changed: str | None = None) -> tuple[int, dict[str, Any] | None]:
    """Fire the callback whose inputs are exactly `inputs` ({"id.property": value}); (status, response or None).

    `changed` names the input that triggered it (default: all of them)."""
    state = state or {}
    wanted = sorted(inputs)
    matches = [k for k, cb in app.callback_map.items()
               if sorted(f"{i['id']}.{i['property']}" for i in cb["inputs"]) == wanted and (output is None or output in k)]
    assert len(matches) == 1, (wanted, matches)
    key = matches[0]
    body = {"output": key, "outputs": _outputs(key),
            "inputs": [_prop(k, v) for k, v in inputs.items()], "state": [_prop(k, v) for k, v in state.items()],
            "changedPropIds": [changed] if changed else list(inputs)}
    response = test_client.post("/_dash-update-component", json=body)
    if response.status_code == 204:  # every output no_update (PreventUpdate)
        return 204, None
    assert response.status_code == 200, response.get_data(as_text=True)[:2000]
    return 200, response.get_json()["response"]


def nodes(tree: Any) -> Iterator[dict[str, Any]]:
    """Every component in a serialised Dash layout, at any depth."""
    if isinstance(tree, dict):
        if "type" in tree and "props" in tree:
            yield tree
        for value in tree.values():
            yield from nodes(value)
    elif isinstance(tree, list):
        for item in tree:
            yield from nodes(item)


def find(tree: Any, component_id: str) -> dict[str, Any]:
    """The component with this id ({} when there is none; two with one id is an error)."""
    found = [n for n in nodes(tree) if n["props"].get("id") == component_id]
    assert len(found) <= 1, f"{component_id}: {len(found)} found"
    return found[0] if found else {}


def ids(tree: Any) -> set[str]:
    """The (string) ids of every component in a serialised layout."""
    return {n["props"]["id"] for n in nodes(tree) if isinstance(n["props"].get("id"), str)}


def text_of(node: Any) -> str:
    """The text a reader sees in a serialised component (its children, recursively, run together)."""
    if isinstance(node, str):
        return node
    if isinstance(node, list):
        return "".join(text_of(n) for n in node)
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
    """roi_examples' example A for this council and tool, with wellbeing scores, like roi/submissions/*.yaml."""
    wellbeing = {"instrument": "SWEMWBS", "score_type": "metric", "paired": True,
                 "before": [19.25, 22.35, 22.35, 17.98, 20.73], "after": [21.54, 24.11, 23.21, 19.98, 20.73]}
    return {"schema_version": "1.0", **submission_a(council=council, tool={"name": tool, "version": version},
                                                    wellbeing=wellbeing, **changes)}


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


def dashboard(uri: str) -> tuple[DashboardData, dash.Dash, Any]:
    """The data layer, a new app and a test client on the store at `uri`."""
    data = DashboardData(Tracker(uri))
    app = create_app(data=data)
    return data, app, client(app)


@contextlib.contextmanager
def hostile_appraisal(folder: Path) -> Iterator[tuple[dash.Dash, Any]]:
    """A council and tool with hostile names, scored and appraised with the bundled councils, in a store in
    `folder`; yields (app, test client) while ASSURE_HOME is there."""
    with home(folder) as uri:
        tracker = Tracker(uri)
        start_run(SAMPLE, hostile_target(folder / "target"), ["hallucination"], tracking_uri=uri)
        path = write_yaml(folder / "subs" / "hostile.yaml", submission(HOSTILE_COUNCIL, HOSTILE_TOOL))
        log_to_mlflow(tracker, appraise([path, SUBMISSIONS], Options(draws=300), tracker))
        app = create_app(tracker)
        yield app, client(app)
