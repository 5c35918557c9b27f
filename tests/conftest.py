"""Shared fixtures: every test gets its own data folder, so runs, cache and MLflow never leak."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings

# Timing belongs in benchmarks, not unit tests: no per-example deadline on a loaded 2-core machine.
settings.register_profile("assure", deadline=None, suppress_health_check=[HealthCheck.too_slow])
settings.load_profile("assure")

REPO = Path(__file__).resolve().parents[1]
SAMPLE = REPO / "golden_sets" / "sample"


@pytest.fixture(autouse=True)
def isolated_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    home = tmp_path / "assure-home"
    monkeypatch.setenv("ASSURE_HOME", str(home))
    monkeypatch.delenv("MLFLOW_TRACKING_URI", raising=False)
    return home


def write_golden(folder: Path, cases: list[dict], manifest: str | None = None) -> Path:
    """Write a throwaway golden set the way a council would."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "manifest.yaml").write_text(manifest or (
        "id: test-set\nversion: 0.1.0\ntask: mixed\ndescription: test cases\nlicence: CC-BY-4.0\nsynthetic: true\n"
    ), encoding="utf-8")
    (folder / "cases.jsonl").write_text("".join(json.dumps(c) + "\n" for c in cases), encoding="utf-8")
    return folder


def simple_case(case_id: str, source: str, **extra: object) -> dict:
    return {"id": case_id, "task": "case_note_summary", "source": source, **extra}


def run_cli(*args: str, cwd: Path, env: dict[str, str] | None = None, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    """Run the real `assure` console script, as a user would."""
    full_env = {**os.environ, **(env or {})}
    exe = Path(sys.executable).parent / "assure"
    return subprocess.run([str(exe), *args], cwd=cwd, env=full_env, capture_output=True, text=True, timeout=timeout)
