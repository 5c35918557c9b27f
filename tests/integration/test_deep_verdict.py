"""The deep judge's instruction-model verdict against a real llama.cpp server, and `deep_key_fact_recall` end to end.

The server is real: the packaged SmolLM2-135M-Instruct GGUF served by llama.cpp (`harness.serve.server`) on
loopback. The shipped deep judge uses Qwen2.5-Coder-1.5B; the tests point it at the 135M model through
`ASSURE_DEEP_VERDICT_URL` (the documented way to use another server), which keeps them quick: what is
checked is the plumbing (log-probabilities read, cached, combined, reported), not the model's judgement.
The one stand-in is `JudgeServer`, for a third-party API that answers without log-probabilities.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from dashboards.demo import DEMO_DATA
from harness.errors import InputError
from harness.serve.models import model_file
from harness.serve.server import RunningServer, start
from harness.tracking_server import free_port
from judge.verdict import MODEL_ENV, URL_ENV, Verdicts
from tests.conftest import SAMPLE, run_cli
from tests.integration.judge_server import JudgeServer

pytestmark = pytest.mark.integration

PAIRS = [("Mr Holt fell twice in March and was seen at A&E.", "Mr Holt fell in March."),
         ("Mr Holt fell twice in March and was seen at A&E.", "Mr Holt has never fallen."),
         ("The meeting agreed a referral to the falls clinic.", "A falls clinic referral was agreed.")]


@pytest.fixture(scope="module")
def small_model() -> RunningServer:
    return start(model_file("smollm2-135m"), "smollm2-135m", port=free_port(), threads=1, context=2048)


def test_the_served_model_gives_probabilities_that_a_rerun_reads_from_the_cache(small_model: RunningServer,
                                                                                tmp_path: Path) -> None:
    model = Verdicts(small_model.base_url, small_model.model, tmp_path / "cache.sqlite")
    first = model.stated(PAIRS)
    assert all(0.0 <= p <= 1.0 for p in first) and any(abs(p - 0.5) > 1e-6 for p in first), first
    assert model.computed == len(PAIRS)
    again = Verdicts(small_model.base_url, small_model.model, tmp_path / "cache.sqlite")
    assert again.stated(PAIRS).tolist() == pytest.approx(first.tolist(), abs=1e-5)
    assert again.computed == 0


def test_a_server_that_returns_no_log_probabilities_gets_a_clear_error(tmp_path: Path) -> None:
    with JudgeServer() as server:
        model = Verdicts(server.url, "judge", tmp_path / "cache.sqlite")
        with pytest.raises(InputError, match="log-probabilities"):
            model.stated(PAIRS[:1])


def test_judge_deep_reads_each_key_facts_presence_through_the_instruction_model(small_model: RunningServer,
                                                                                tmp_path: Path) -> None:
    env = {URL_ENV: small_model.base_url, MODEL_ENV: small_model.model}
    result = run_cli("run", "--golden", str(SAMPLE), "--target", str(DEMO_DATA / "vendor_a.yaml"), "--suite", "omission",
                     "--judge", "deep", "--report-json", "r.json", cwd=tmp_path, env=env, timeout=900)
    assert result.returncode in (0, 1), result.stderr
    report = json.loads((tmp_path / "r.json").read_text(encoding="utf-8"))
    assert report["metrics"]["deep_key_fact_recall"]["n_scored"] == 3
    findings = [f for case in report["cases"] for f in case["scores"]["deep_key_fact_recall"]["findings"]]
    assert findings and all("deep judge: stated with probability" in f["reason"] or "deep judge: settled by the fast match"
                            in f["reason"] for f in findings)
    assert all(0.0 <= case["scores"]["deep_key_fact_recall"]["value"] <= 1.0 for case in report["cases"])
