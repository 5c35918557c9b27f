"""The LLM-judge suite against a real HTTP judge on loopback (a schema-answering test double)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from dashboards.demo import DEMO_DATA
from harness.evaluate import start_run
from harness.tracking import Tracker
from tests.conftest import SAMPLE, run_cli
from tests.integration.judge_server import JudgeServer

pytestmark = pytest.mark.integration
SCORERS = {"deepeval_faithfulness", "deepeval_hallucination", "deepeval_summarization", "geval_safeguarding_minutes",
           "ragas_faithfulness"}


def judge_file(folder: Path, url: str, extra: str = "") -> Path:
    path = folder / "judge.yaml"
    path.write_text(f"base_url: {url}\nmodel: judge-test\nparams: {{temperature: 0}}\nmax_retries: 0\n{extra}", encoding="utf-8")
    return path


def test_deepeval_metrics_land_in_the_common_score_shape(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("ASSURE_JUDGE", raising=False)
    with JudgeServer() as server:
        judge = judge_file(tmp_path, server.url)
        record = start_run(SAMPLE, DEMO_DATA / "vendor_a.yaml", ["llm_judges", "hallucination"], judge=judge)
        report = record.report
        assert set(report["metrics"]) == SCORERS | {"unsupported_details", "claim_support"}
        for name in SCORERS:
            metric = report["metrics"][name]
            assert 0.0 <= metric["mean"] <= 1.0 and 0.0 <= metric["pass_rate"] <= 1.0
        assert report["metrics"]["geval_safeguarding_minutes"]["n_unscored"] == 1  # the case-note sample
        asked = len(server.requests)
        assert asked > 0
        assert all(r["model"] == "judge-test" and r["temperature"] == 0 for r in server.requests)
        assert any("json_schema" in r.get("response_format", {}).get("type", "") for r in server.requests)
        run = Tracker().get_run(record.run_id)
        assert run.params["judge.model"] == "judge-test" and run.params["judge.base_url"] == server.url
        assert run.params["scorer.deepeval_faithfulness.version"].startswith("deepeval-4.3.1+judge-")
        assert "deepeval_faithfulness.mean" in run.metrics

        again = start_run(SAMPLE, DEMO_DATA / "vendor_a.yaml", ["llm_judges"], judge=judge).report
        assert len(server.requests) == asked  # every judge reply came from the cache
        assert again["metrics"]["deepeval_faithfulness"] == report["metrics"]["deepeval_faithfulness"]


def test_a_judge_reply_that_never_parses_is_asked_again_then_recorded_as_a_judge_error(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("ASSURE_JUDGE", raising=False)
    with JudgeServer() as server:
        server.mode = "garbage"  # a well-formed chat completion whose content is not JSON
        record = start_run(SAMPLE, DEMO_DATA / "baseline.yaml", ["llm_judges"],
                           judge=judge_file(tmp_path, server.url, "parse_retries: 1\n"))
        report = record.report
        asked_again = [r for r in server.requests if len(r["messages"]) == 3]
    assert report["errors"] == 0
    for name in SCORERS:
        metric = report["metrics"][name]
        assert metric["n_scored"] == 0 and metric["mean"] is None
        # geval applies to minutes only: the case-note sample is unscored for that reason, not a judge error
        assert metric["n_judge_errors"] == (2 if name == "geval_safeguarding_minutes" else 3)
    entry = report["cases"][0]["scores"]["deepeval_faithfulness"]
    assert entry["value"] is None and "not valid JSON" in entry["judge_error"]
    assert entry["unscored"].startswith("LLM judge failed")
    assert "judge_error" not in report["cases"][2]["scores"]["geval_safeguarding_minutes"]
    # each schema request was asked once more, showing the judge its reply and what was wrong with it
    assert asked_again and all(r["messages"][1] == {"role": "assistant", "content": "I cannot answer that."}
                               and "not usable (not valid JSON" in r["messages"][2]["content"] for r in asked_again)
    metrics = Tracker().get_run(record.run_id).metrics
    assert metrics["judge_errors"] == sum(report["metrics"][n]["n_judge_errors"] for n in SCORERS)
    assert metrics["deepeval_faithfulness.judge_errors"] == 3


def test_a_reply_that_fits_on_the_second_asking_is_used_and_only_it_is_cached(tmp_path: Path) -> None:
    from pydantic import BaseModel

    from harness.cache import Cache
    from harness.judges.llm import JudgeConfig, JudgeError, LLMJudge

    class Verdict(BaseModel):
        verdict: str

    with JudgeServer() as server:
        server.answer = lambda body: '{"verdict": "SUPPORTED"}' if len(body["messages"]) > 1 else '{"verdict": '
        judge = LLMJudge(JudgeConfig(base_url=server.url, model="m", max_retries=0, parse_retries=1),
                         Cache(tmp_path / "cache.sqlite"))
        assert judge.structured("Is it supported?", Verdict) == Verdict(verdict="SUPPORTED")
        assert judge.usage.calls == 2 and judge.usage.invalid_replies == 1
        assert judge.structured("Is it supported?", Verdict).verdict == "SUPPORTED" and judge.usage.calls == 2  # cached
        server.answer = lambda body: '{"label": "SUPPORTED"}'  # JSON, but not the schema's shape
        with pytest.raises(JudgeError, match="does not fit the schema"):
            judge.structured("Another claim?", Verdict)
        assert judge.usage.calls == 4 and judge.usage.invalid_replies == 3
        with pytest.raises(JudgeError):  # the unusable reply was not cached: it is asked again
            judge.structured("Another claim?", Verdict)
        assert judge.usage.calls == 6


def test_judge_configuration_errors_exit_2(tmp_path: Path) -> None:
    base = ["run", "--golden", str(SAMPLE), "--target", str(DEMO_DATA / "baseline.yaml"), "--suite", "llm_judges"]
    missing = run_cli(*base, cwd=tmp_path, env={"ASSURE_JUDGE": ""})
    assert missing.returncode == 2 and "needs an LLM judge: pass --judge" in missing.stderr
    bad = judge_file(tmp_path, "http://127.0.0.1:9/v1", "temprature: 1\n")
    result = run_cli(*base, "--judge", str(bad), cwd=tmp_path)
    assert result.returncode == 2 and f"{bad}:5: temprature: Extra inputs are not permitted" in result.stderr
    (tmp_path / "k.yaml").write_text("base_url: http://127.0.0.1:9/v1\nmodel: m\napi_key_env: ASSURE_NO_SUCH_KEY\n")
    keyless = run_cli(*base, "--judge", str(tmp_path / "k.yaml"), cwd=tmp_path)
    assert keyless.returncode == 2 and "ASSURE_NO_SUCH_KEY (api_key_env) is not set" in keyless.stderr


def test_judge_client_retries_and_honours_retry_after(tmp_path: Path) -> None:
    import time

    from harness.judges.llm import JudgeConfig, JudgeError, LLMJudge
    from tests.integration.flaky_server import FlakyServer

    with FlakyServer() as server:
        judge = LLMJudge(JudgeConfig(base_url=server.url, model="m", max_retries=2, backoff_s=0.01))
        started = time.monotonic()
        assert judge.complete("CASE=j1 MODE=429once").startswith("Summary of case j1")
        assert judge.calls == 2 and time.monotonic() - started >= 0.95
        assert judge.complete("CASE=j1 MODE=429once") and judge.calls == 2  # cached
        with pytest.raises(JudgeError, match="not a chat completion"):
            judge.complete("CASE=j2 MODE=garbage")


def test_ragas_prompts_carry_their_schema_to_the_judge() -> None:
    from ragas.metrics._faithfulness import NLIStatementOutput

    from suites.llm_judges.ragas_adapter import SCHEMA_MARKER, schema_in

    schema = NLIStatementOutput.model_json_schema()
    prompt = f"Judge these.\nPlease return the output in a JSON format that complies with the {SCHEMA_MARKER}{json.dumps(schema)}Do not use single quotes"
    assert schema_in(prompt) == schema
    assert schema_in("no schema here") is None
