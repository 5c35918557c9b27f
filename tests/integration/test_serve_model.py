"""A real generative model, served by `assure serve-model` and assessed like any council tool.

No stand-in: the real console script serves the packaged SmolLM2-135M-Instruct GGUF through llama.cpp on
loopback, `--write-target` writes the `openai` target, `assure run` generates through it for every case of
the sample set and scores the real text, and the run is read back from MLflow.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest
import yaml

from harness.tracking import Tracker
from tests.conftest import SAMPLE, run_cli

pytestmark = pytest.mark.integration


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _wait_for(path: Path, process: subprocess.Popen[str], timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if path.is_file() and "ready in" in path.read_text(encoding="utf-8"):
            return
        if process.poll() is not None:
            raise AssertionError(f"serve-model exited {process.returncode}: {path.read_text(encoding='utf-8')}")
        time.sleep(0.2)
    raise AssertionError(f"serve-model not ready after {timeout} s: {path.read_text(encoding='utf-8')}")


def test_a_real_model_is_served_generated_from_scored_and_tracked(tmp_path: Path) -> None:
    port = _free_port()
    log = tmp_path / "serve.log"
    exe = Path(sys.executable).parent / "assure"
    with log.open("w", encoding="utf-8") as out:
        server = subprocess.Popen([str(exe), "serve-model", "--port", str(port), "--write-target", "t.yaml",
                                   "--write-judge", "judge.yaml", "--threads", "2"],
                                  cwd=tmp_path, stdout=out, stderr=subprocess.STDOUT, text=True, env=dict(os.environ))
    try:
        _wait_for(log, server)
        models = httpx.get(f"http://127.0.0.1:{port}/v1/models", timeout=10).json()
        assert [m["id"] for m in models["data"]] == ["smollm2-135m"]
        target = yaml.safe_load((tmp_path / "t.yaml").read_text(encoding="utf-8"))
        assert target["kind"] == "openai" and target["base_url"] == f"http://127.0.0.1:{port}/v1"
        assert "{source}" in (tmp_path / target["prompt_template"]).read_text(encoding="utf-8")
        target["params"]["max_tokens"] = 120  # short answers keep the test quick; the model is the same
        (tmp_path / "t.yaml").write_text(yaml.safe_dump(target), encoding="utf-8")
        result = run_cli("run", "--golden", str(SAMPLE), "--target", "t.yaml", "--suite", "hallucination",
                         "--suite", "omission", "--report-json", "r.json", cwd=tmp_path, timeout=900)
        assert result.returncode in (0, 1), result.stderr  # 1: a threshold failed, which a 135M model may well do
        report = json.loads((tmp_path / "r.json").read_text(encoding="utf-8"))
        assert report["errors"] == 0 and len(report["cases"]) == 3
        sources = {c["id"]: c["source"] for c in map(json.loads, (SAMPLE / "cases.jsonl").read_text().splitlines())}
        for case in report["cases"]:
            output = case["output"]
            assert output.strip() and output.strip() != sources[case["case_id"]].strip()  # generated, not echoed
            assert case["scores"]["key_fact_recall"]["value"] is not None
        run = {r.run_id: r for r in Tracker().list_runs()}[report["run_id"]]  # read back from MLflow
        assert run.params["target.name"] == "local-smollm2-135m" and run.params["target.kind"] == "openai"
        assert any(name.startswith("key_fact_recall") for name in run.metrics)
        _the_served_model_answers_as_a_judge_in_schema(tmp_path)
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=30)
    assert server.returncode == 0 and "stopped" in log.read_text(encoding="utf-8")


def _the_served_model_answers_as_a_judge_in_schema(folder: Path) -> None:
    """The judge YAML `--write-judge` wrote points the judge client at the real server: a schema-constrained
    answer comes back and parses, and the server's token counts are kept."""
    from typing import Literal

    from pydantic import BaseModel

    from harness.cache import Cache
    from harness.judges.llm import LLMJudge, load_judge_config

    class Verdict(BaseModel):
        verdict: Literal["SUPPORTED", "UNSUPPORTED"]

    judge = LLMJudge(load_judge_config(folder / "judge.yaml"), Cache(folder / "judge-cache.sqlite"))
    answer = judge.structured("Source: Mr Nowak lives at Oakfield House.\nClaim: Mr Nowak lives at Oakfield House.\n"
                              "Is the claim SUPPORTED or UNSUPPORTED by the source?", Verdict)
    assert isinstance(answer, Verdict)
    assert judge.usage.calls >= 1 and judge.usage.prompt_tokens > 20 and judge.usage.completion_tokens > 0


def test_an_unknown_model_is_bad_input_in_one_line(tmp_path: Path) -> None:
    result = run_cli("serve-model", "--model", "gpt-5", cwd=tmp_path)
    assert result.returncode == 2
    assert "unknown model 'gpt-5'" in result.stderr and len(result.stderr.strip().splitlines()) == 1


def test_demo_live_regenerates_the_real_model_outputs_with_provenance(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from dashboards.demo_local import LOCAL_DATA, live_folder, outputs_folder, regenerate
    from harness.serve.models import MODELS

    monkeypatch.setenv("ASSURE_HOME", str(tmp_path / "home"))
    assert outputs_folder() == LOCAL_DATA  # nothing regenerated yet: the bundled recording
    # One meeting, short answers: the machinery of `assure demo --live` with the small CI model.
    folder = regenerate("smollm2-135m", port=_free_port(), threads=2, meetings=1, max_tokens=48)
    assert folder == live_folder() and outputs_folder() == folder
    for stem, prompt in (("careful", "minutes_careful"), ("poor", "minutes_poor")):
        target = yaml.safe_load((folder / f"{stem}.yaml").read_text(encoding="utf-8"))
        assert target["kind"] == "recorded" and target["version"] == f"{prompt}-recorded"
        assert MODELS["smollm2-135m"].sha256 in target["description"] and '"max_tokens": 48' in target["description"]
        rows = [json.loads(line) for line in (folder / target["path"]).read_text(encoding="utf-8").splitlines()]
        assert [r["case_id"] for r in rows] == ["sgm-001"] and rows[0]["output"].strip()
    assert (folder / "careful.yaml").read_text() != (folder / "poor.yaml").read_text()  # each names its own prompt
