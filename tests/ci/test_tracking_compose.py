"""The council's tracking-server compose file (ci/tracking-server/compose.yaml) cannot be started here (no
container engine), so this checks what can be checked: it is valid YAML of the right shape, and the versions
it runs are the ones assure is tested with (MLflow server, PostgreSQL major version, PostgreSQL driver)."""

from __future__ import annotations

import re
from importlib.metadata import version
from pathlib import Path

import yaml

from harness.tracking_server import DATABASE, DB_USER

COMPOSE = Path(__file__).resolve().parents[2] / "ci" / "tracking-server" / "compose.yaml"


def _services() -> dict[str, dict]:
    document = yaml.safe_load(COMPOSE.read_text(encoding="utf-8"))
    assert set(document) == {"name", "services", "volumes"}
    assert set(document["services"]) == {"postgres", "mlflow"}
    return document["services"]


def test_compose_runs_the_tested_versions() -> None:
    services = _services()
    assert services["mlflow"]["image"] == f"ghcr.io/mlflow/mlflow:v{version('mlflow')}"
    assert services["postgres"]["image"] == "postgres:15"  # the major version Debian's package gives the tests
    command = " ".join(services["mlflow"]["command"])
    assert f'"psycopg[binary]=={version("psycopg")}"' in command


def test_compose_wires_mlflow_to_postgres_and_serves_artifacts() -> None:
    services = _services()
    database = services["postgres"]["environment"]
    assert (database["POSTGRES_USER"], database["POSTGRES_DB"]) == (DB_USER, DATABASE)
    uri = services["mlflow"]["environment"]["MLFLOW_BACKEND_STORE_URI"]
    assert re.fullmatch(rf"postgresql://{DB_USER}:\$\{{POSTGRES_PASSWORD\}}@postgres:5432/{DATABASE}", uri)
    command = " ".join(services["mlflow"]["command"])
    assert "--serve-artifacts --artifacts-destination /mlartifacts" in command
    assert "artifacts:/mlartifacts" in services["mlflow"]["volumes"]
    assert services["mlflow"]["depends_on"]["postgres"]["condition"] == "service_healthy"
    assert services["mlflow"]["ports"] == ["127.0.0.1:5000:5000"]  # loopback only: publish through a proxy
    assert "${POSTGRES_PASSWORD:?" in database["POSTGRES_PASSWORD"]  # no default password
