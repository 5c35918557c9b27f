"""The runner against a real, misbehaving OpenAI-compatible server on loopback."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from harness.evaluate import start_run
from tests.conftest import run_cli, write_golden
from tests.integration.flaky_server import FlakyServer

pytestmark = pytest.mark.integration


def golden_with_modes(folder: Path, modes: dict[str, str]) -> Path:
    cases = [{"id": case_id, "task": "case_note_summary",
              "source": f"CASE={case_id} MODE={mode}. Mrs Hale was seen on 3 March."} for case_id, mode in modes.items()]
    return write_golden(folder, cases)


def openai_target(folder: Path, url: str, **settings: object) -> Path:
    (folder / "prompt.txt").write_text("Summarise these notes:\n{source}\n", encoding="utf-8")
    lines = ["name: flaky-llm", "version: '1'", "kind: openai", f"base_url: {url}", "model: test-model",
             "prompt_template: prompt.txt", "params: {temperature: 0}"]
    lines += [f"{key}: {value}" for key, value in settings.items()]
    path = folder / "target.yaml"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_retries_errors_and_cache(tmp_path: Path) -> None:
    modes = {"ok1": "ok", "ratelimited": "429once", "servererror": "500once", "garbage": "garbage",
             "nocontent": "nocontent", "slow": "slow"}
    golden = golden_with_modes(tmp_path / "golden", modes)
    with FlakyServer() as server:
        target = openai_target(tmp_path, server.url, timeout_s=1, max_retries=2, backoff_s=0.05, concurrency=6)
        report = start_run(golden, target, ["hallucination"], report_json=tmp_path / "r.json").report
        by_id = {case["case_id"]: case for case in report["cases"]}
        for ok in ("ok1", "ratelimited", "servererror"):
            assert by_id[ok]["error"] is None and by_id[ok]["output"].startswith(f"Summary of case {ok}")
            assert by_id[ok]["scores"]["unsupported_details"]["passed"] is True
        assert by_id["garbage"]["error"].startswith("garbage: response is not JSON")
        assert by_id["nocontent"]["error"] == "garbage: response has no field 'choices.0.message.content'"
        assert by_id["slow"]["error"] == "timeout: no answer within 1 s"
        assert report["errors"] == 3
        # Retry-After: 1 was honoured: the second call came at least a second after the first.
        times = [t for t, marker, _ in server.requests if marker == "ratelimited"]
        assert len(times) == 2 and times[1] - times[0] >= 0.95
        assert server.counts["servererror"] == 2
        assert server.counts["garbage"] == 1  # not retryable
        assert server.counts["slow"] == 3  # first try plus two retries
        assert json.loads((tmp_path / "r.json").read_text())["run_id"] == report["run_id"]

        before = dict(server.counts)
        again = start_run(golden, target, ["hallucination"]).report
        asked_again = {m for m in server.counts if server.counts[m] != before.get(m, 0)}
        assert asked_again == {"garbage", "nocontent", "slow"}  # successes came from the cache
        assert [c["output"] for c in again["cases"] if c["case_id"] == "ok1"] == [by_id["ok1"]["output"]]


def test_resume_after_kill_redoes_nothing_finished(tmp_path: Path, isolated_home: Path) -> None:
    modes = {f"case{i:02d}": "delay" for i in range(10)}
    golden = golden_with_modes(tmp_path / "golden", modes)
    with FlakyServer() as server:
        target = openai_target(tmp_path, server.url, concurrency=1, timeout_s=5)
        exe = Path(sys.executable).parent / "assure"
        process = subprocess.Popen([str(exe), "run", "--golden", str(golden), "--target", str(target), "--suite", "hallucination"],
                                   cwd=tmp_path, env=os.environ.copy(), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 60
        results: list[Path] = []
        while time.monotonic() < deadline:
            results = list((isolated_home / "runs").glob("*/results.jsonl"))
            if results and len(results[0].read_text().splitlines()) >= 3:
                break
            time.sleep(0.05)
        os.kill(process.pid, signal.SIGKILL)
        process.wait()
        assert results, "the run never checkpointed a case"
        finished_before = {json.loads(line)["case_id"] for line in results[0].read_text().splitlines() if line.strip()}
        assert 3 <= len(finished_before) < 10
        run_id = results[0].parent.name

        resumed = run_cli("run", "--resume", run_id, "--report-json", str(tmp_path / "resumed.json"), cwd=tmp_path)
        assert resumed.returncode == 0, resumed.stderr
        report = json.loads((tmp_path / "resumed.json").read_text())
        assert report["run_id"] == run_id
        assert sorted(c["case_id"] for c in report["cases"]) == sorted(modes)
        assert all(c["error"] is None for c in report["cases"])
        for case_id in finished_before:
            assert server.counts[case_id] == 1, f"{case_id} was asked again after resume"
