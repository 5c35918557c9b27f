"""The Ray executor on a real local Ray cluster: the same reports as the local executor, the same cache,
and no finished case lost when a worker or the driver is killed mid-run."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from dashboards.demo import DEMO_DATA
from harness.evaluate import RunRecord, start_run
from tests.conftest import SAMPLE, run_cli
from tests.integration.flaky_server import FlakyServer
from tests.integration.test_runner_http import golden_with_modes, openai_target

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def ray_address() -> Iterator[str]:
    """One local Ray cluster (2 CPUs) for the whole module: its start-up is paid once."""
    import ray

    from harness.ray_executor import connect

    connect(num_cpus=2)
    try:
        yield str(ray.get_runtime_context().gcs_address)
    finally:
        ray.shutdown()


def comparable(record: RunRecord) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """A run's report and case results without what differs between any two runs: the run id and timings."""
    report = json.loads(json.dumps(record.report))
    report.pop("run_id")
    return report, [result.model_dump(mode="json", exclude={"seconds"}) for result in record.outcome.results]


def test_local_and_ray_give_identical_reports_and_share_the_cache(ray_address: str, tmp_path: Path,
                                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    for target in ("baseline.yaml", "vendor_a.yaml"):  # a tool assure runs, and a vendor's recorded outputs with defects
        monkeypatch.setenv("ASSURE_HOME", str(tmp_path / target / "local"))
        local = start_run(SAMPLE, DEMO_DATA / target, ["hallucination"])
        monkeypatch.setenv("ASSURE_HOME", str(tmp_path / target / "ray"))  # a cold cache, as the local run had
        on_ray = start_run(SAMPLE, DEMO_DATA / target, ["hallucination"], executor="ray")
        assert comparable(on_ray) == comparable(local)
        assert local.report["metrics"]["unsupported_details"]["n_scored"] == 3 and local.report["errors"] == 0
    assert local.report["metrics"]["unsupported_details"]["mean"] < 1  # vendor A's planted defects were found on both

    # A rerun of the baseline is served from the cache on either executor, with the same report again.
    monkeypatch.setenv("ASSURE_HOME", str(tmp_path / "baseline.yaml" / "ray"))
    cached_ray = start_run(SAMPLE, DEMO_DATA / "baseline.yaml", ["hallucination"], executor="ray")
    monkeypatch.setenv("ASSURE_HOME", str(tmp_path / "baseline.yaml" / "local"))
    cached_local = start_run(SAMPLE, DEMO_DATA / "baseline.yaml", ["hallucination"])
    assert [(r.cached, r.attempts) for r in cached_ray.outcome.results] == [(True, 0)] * 3
    assert comparable(cached_ray) == comparable(cached_local)


def _worker_pids() -> list[int]:
    """Process ids of the live CaseWorker actors (Ray names their processes `ray::CaseWorker...`)."""
    pids = []
    for entry in Path("/proc").iterdir():
        try:
            if entry.name.isdigit() and (entry / "cmdline").read_bytes().startswith(b"ray::CaseWorker"):
                pids.append(int(entry.name))
        except OSError:
            continue
    return pids


def _finished(log: Path) -> list[str]:
    return [json.loads(line)["case_id"] for line in log.read_text().splitlines() if line.strip()] if log.is_file() else []


def _wait_for_checkpoint(home: Path, at_least: int, deadline_s: float = 60) -> Path:
    deadline = time.monotonic() + deadline_s
    while time.monotonic() < deadline:
        logs = list((home / "runs").glob("*/results.jsonl"))
        if logs and len(_finished(logs[0])) >= at_least:
            return logs[0]
        time.sleep(0.05)
    raise AssertionError(f"fewer than {at_least} cases were checkpointed in {deadline_s:g} s")


def test_killing_a_worker_mid_run_loses_no_finished_case(ray_address: str, tmp_path: Path, isolated_home: Path) -> None:
    modes = {f"case{i:02d}": "delay" for i in range(12)}  # each call takes 0.3 s
    golden = golden_with_modes(tmp_path / "golden", modes)
    with FlakyServer() as server:
        target = openai_target(tmp_path, server.url, concurrency=2, timeout_s=10)
        outcome: dict[str, RunRecord] = {}
        thread = threading.Thread(target=lambda: outcome.update(run=start_run(golden, target, ["hallucination"], executor="ray")))
        thread.start()
        log = _wait_for_checkpoint(isolated_home, 3)
        finished_before = set(_finished(log))
        victims = _worker_pids()
        assert victims, "no CaseWorker process found"
        os.kill(victims[0], signal.SIGKILL)
        thread.join(timeout=180)
        assert not thread.is_alive() and "run" in outcome
    report = outcome["run"].report
    assert sorted(c["case_id"] for c in report["cases"]) == sorted(modes)
    assert all(c["error"] is None for c in report["cases"]), [c["error"] for c in report["cases"] if c["error"]]
    assert sorted(_finished(log)) == sorted(modes)  # every case checkpointed exactly once
    assert 3 <= len(finished_before) < len(modes)
    for case_id in finished_before:
        assert server.counts[case_id] == 1, f"{case_id} finished before the kill and was asked again"


def test_killed_driver_resumes_on_ray_without_redoing_finished_cases(ray_address: str, tmp_path: Path,
                                                                      isolated_home: Path) -> None:
    modes = {f"case{i:02d}": "delay" for i in range(10)}
    golden = golden_with_modes(tmp_path / "golden", modes)
    with FlakyServer() as server:
        target = openai_target(tmp_path, server.url, concurrency=1, timeout_s=10)
        exe = Path(sys.executable).parent / "assure"
        driver = subprocess.Popen([str(exe), "run", "--golden", str(golden), "--target", str(target), "--suite", "hallucination",
                                   "--executor", "ray", "--ray-address", ray_address],
                                  cwd=tmp_path, env=os.environ.copy(), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            log = _wait_for_checkpoint(isolated_home, 3, deadline_s=120)
        finally:
            os.kill(driver.pid, signal.SIGKILL)
            driver.wait()
        finished_before = set(_finished(log))
        assert 3 <= len(finished_before) < len(modes)
        assert json.loads((log.parent / "plan.json").read_text())["executor"] == "ray"

        resumed = run_cli("run", "--resume", log.parent.name, "--ray-address", ray_address,
                          "--report-json", str(tmp_path / "resumed.json"), cwd=tmp_path)
        assert resumed.returncode == 0, resumed.stderr
    report = json.loads((tmp_path / "resumed.json").read_text())
    assert report["run_id"] == log.parent.name
    assert sorted(c["case_id"] for c in report["cases"]) == sorted(modes)
    assert all(c["error"] is None for c in report["cases"])
    for case_id in finished_before:
        assert server.counts[case_id] == 1, f"{case_id} was asked again after resume"
