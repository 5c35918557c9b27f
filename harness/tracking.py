"""The only module that talks to MLflow: create runs, log results, read runs back.

Default backend: a SQLite file in the project data folder (`.assure/mlflow.db`), artifacts
beside it; `--tracking-uri` or `MLFLOW_TRACKING_URI` points elsewhere (a tracking server with
PostgreSQL for a region). Runs are addressed by explicit id, never through MLflow's global
"active run", so a killed run can be resumed from another process.
"""

from __future__ import annotations

import logging
import math
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from . import _env  # noqa: F401  (telemetry off before mlflow is imported)
from .paths import data_dir, default_tracking_uri

for _name in ("alembic", "mlflow", "mlflow.store", "mlflow.tracking"):
    logging.getLogger(_name).setLevel(logging.WARNING)


@dataclass(frozen=True)
class RunSummary:
    """A tracked run as read back: ids, status, params, metrics and tags."""

    run_id: str
    experiment: str
    name: str
    status: str
    start_time: float
    params: dict[str, str] = field(default_factory=dict)
    metrics: dict[str, float] = field(default_factory=dict)
    tags: dict[str, str] = field(default_factory=dict)


class Tracker:
    """A thin wrapper over `MlflowClient` bound to one tracking URI."""

    def __init__(self, tracking_uri: str | None = None) -> None:
        from mlflow.tracking import MlflowClient

        self.uri = tracking_uri or default_tracking_uri()
        self.client = MlflowClient(tracking_uri=self.uri)

    def experiment_id(self, name: str) -> str:
        experiment = self.client.get_experiment_by_name(name)
        if experiment is not None:
            return str(experiment.experiment_id)
        location = None
        if self.uri.startswith(("sqlite:", "file:")) or "://" not in self.uri:
            location = (data_dir() / "artifacts" / name).as_uri()
        try:
            return str(self.client.create_experiment(name, artifact_location=location))
        except Exception:  # another process created it first (a shared server): use theirs
            experiment = self.client.get_experiment_by_name(name)
            if experiment is None:
                raise
            return str(experiment.experiment_id)

    def start_run(self, experiment: str, run_name: str, params: dict[str, Any], tags: dict[str, str] | None = None) -> str:
        from mlflow.entities import Param, RunTag

        run = self.client.create_run(self.experiment_id(experiment), run_name=run_name, tags=tags or {})
        run_id = str(run.info.run_id)
        self.client.log_batch(run_id, params=[Param(k, str(v)[:6000]) for k, v in params.items()],
                              tags=[RunTag(k, v) for k, v in (tags or {}).items()])
        return run_id

    def log_metrics(self, run_id: str, metrics: dict[str, float]) -> None:
        from mlflow.entities import Metric

        now = int(time.time() * 1000)
        finite = [Metric(k, float(v), now, 0) for k, v in metrics.items() if v is not None and math.isfinite(float(v))]
        for start in range(0, len(finite), 900):
            self.client.log_batch(run_id, metrics=finite[start:start + 900])

    def log_artifacts(self, run_id: str, files: Iterable[Path]) -> None:
        for file in files:
            self.client.log_artifact(run_id, str(file))

    def set_tag(self, run_id: str, key: str, value: str) -> None:
        self.client.set_tag(run_id, key, value)

    def finish(self, run_id: str, status: str = "FINISHED") -> None:
        self.client.set_terminated(run_id, status=status)

    def get_run(self, run_id: str) -> RunSummary:
        return self._summary(self.client.get_run(run_id))

    def list_runs(self, limit: int = 20, experiments: list[str] | None = None) -> list[RunSummary]:
        if experiments:
            found = [self.client.get_experiment_by_name(name) for name in experiments]
            ids = [str(e.experiment_id) for e in found if e is not None]
        else:
            ids = [str(e.experiment_id) for e in self.client.search_experiments()]
        if not ids:
            return []
        runs = self.client.search_runs(ids, order_by=["attributes.start_time DESC"], max_results=limit)
        return [self._summary(run) for run in runs]

    def download_artifact(self, run_id: str, path: str, destination: Path) -> Path:
        return Path(self.client.download_artifacts(run_id, path, str(destination)))

    def _summary(self, run: Any) -> RunSummary:
        experiment = self.client.get_experiment(run.info.experiment_id)
        return RunSummary(
            run_id=run.info.run_id,
            experiment=experiment.name if experiment else str(run.info.experiment_id),
            name=run.info.run_name or "",
            status=run.info.status,
            start_time=(run.info.start_time or 0) / 1000.0,
            params=dict(run.data.params),
            metrics=dict(run.data.metrics),
            tags={k: v for k, v in run.data.tags.items() if not k.startswith("mlflow.")},
        )
