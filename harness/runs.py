"""Finding tracked runs and reading their reports back: by run id, by tool (newest run) or by tag.

A run's report (`report.json`) is read from the local run folder when it is there, else downloaded
from the run's MLflow artifacts, so runs made on another machine against the same tracking server
can be compared and gated too.
"""

from __future__ import annotations

import json
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .errors import InputError
from .paths import runs_dir
from .tracking import Tracker

BASELINE_TAG_PREFIX = "assure.baseline."


@dataclass(frozen=True)
class RunReport:
    """One finished evaluation run: its id and the report JSON written when it finished."""

    run_id: str
    report: dict[str, Any]

    @property
    def tool(self) -> str:
        return str(self.report["target"]["name"])

    @property
    def label(self) -> str:
        target = self.report["target"]
        return f"{target['label']} v{target['version']}"

    @property
    def golden_hash(self) -> str:
        return str(self.report["golden_set"]["hash"])


def run_id_of(value: str) -> str:
    """A run id as given, or read from a report JSON file (`assure run --report-json PATH`) when `value` is one."""
    path = Path(value)
    if not value.endswith(".json") or not path.is_file():
        return value
    try:
        run_id = json.loads(path.read_text(encoding="utf-8"))["run_id"]
    except (ValueError, KeyError, TypeError):
        raise InputError.single(path, "not a run report JSON (no run_id)", field="run_id") from None
    return str(run_id)


def load_report(tracker: Tracker, run_id: str) -> RunReport:
    """The report of run `run_id` (or of the report JSON file it names); bad input (exit 2) when there is no such finished run."""
    run_id = run_id_of(run_id)
    local = runs_dir() / run_id / "artifacts" / "report.json"
    if local.is_file():
        return RunReport(run_id, json.loads(local.read_text(encoding="utf-8")))
    try:
        summary = tracker.get_run(run_id)
    except Exception:
        raise InputError.single(f"run {run_id}", f"no such run in the tracking store {tracker.uri}") from None
    if summary.tags.get("assure.kind") != "evaluation":
        raise InputError.single(f"run {run_id}", "is not an evaluation run (assure run makes those)")
    if summary.status != "FINISHED":
        raise InputError.single(f"run {run_id}", f"has status {summary.status}; finish it with assure run --resume {run_id}")
    with tempfile.TemporaryDirectory() as folder:
        try:
            path = tracker.download_artifact(run_id, "report.json", Path(folder))
        except Exception as exc:
            raise InputError.single(f"run {run_id}", f"its report.json artifact could not be read: {exc}") from None
        return RunReport(run_id, json.loads(path.read_text(encoding="utf-8")))


def newest_run_of(tracker: Tracker, tool: str, golden: str | None = None) -> str:
    """Id of the newest finished evaluation run of `tool` (NAME or NAME@VERSION), optionally on golden set `golden`."""
    name, _, version = tool.partition("@")
    query = [f"tags.target = '{_quoted(name)}'", "tags.`assure.kind` = 'evaluation'", "attributes.status = 'FINISHED'"]
    if version:
        query.append(f"tags.target_version = '{_quoted(version)}'")
    if golden:
        query.append(f"tags.golden_set = '{_quoted(golden)}'")
    runs = _search(tracker, " and ".join(query), 1)
    if not runs:
        where = f" on golden set {golden}" if golden else ""
        raise InputError.single("--tool", f"no finished run of tool {tool!r}{where}; list runs with assure runs")
    return str(runs[0].info.run_id)


def tag_run(tracker: Tracker, run_id: str, name: str) -> None:
    """Mark `run_id` as baseline `name`; the tag moves from any run that held it before."""
    run_id = load_report(tracker, run_id).run_id
    key = BASELINE_TAG_PREFIX + name
    for run in _search(tracker, f"tags.`{key}` = 'true'", 1000):
        tracker.client.delete_tag(run.info.run_id, key)
    tracker.set_tag(run_id, key, "true")


def tagged_run(tracker: Tracker, name: str) -> str:
    """Id of the run tagged as baseline `name` (`assure tag RUN_ID NAME`)."""
    runs = _search(tracker, f"tags.`{BASELINE_TAG_PREFIX + name}` = 'true'", 1)
    if not runs:
        raise InputError.single("--baseline-tag", f"no run is tagged {name!r}; tag one with assure tag RUN_ID {name}")
    return str(runs[0].info.run_id)


def _search(tracker: Tracker, query: str, limit: int) -> list[Any]:
    ids = [str(e.experiment_id) for e in tracker.client.search_experiments()]
    if not ids:
        return []
    return list(tracker.client.search_runs(ids, filter_string=query, order_by=["attributes.start_time DESC"], max_results=limit))


def _quoted(value: str) -> str:
    return value.replace("\\", "\\\\").replace("'", "\\'")
