"""ragas' faithfulness through assure's judge client.

ragas (0.4.3) writes the expected output's JSON Schema into each prompt and parses the reply
text. This adapter lifts that schema out of the prompt and asks the judge for structured output
with it (`response_format`), so servers that honour schemas (vLLM, llama.cpp, Azure OpenAI)
answer in shape; the reply text goes back to ragas unchanged.
"""

from __future__ import annotations

import json
import math
from typing import Any

from harness.goldens import Case
from harness.judges.llm import JudgeError, LLMJudge
from harness.scoring import Finding, Score

SCHEMA_MARKER = "following schema as specified in JSON Schema:\n"
TASK_QUESTION = {"safeguarding_minutes": "Write the minutes of this safeguarding meeting.",
                 "case_note_summary": "Summarise these case notes with a brief chronology."}


def schema_in(prompt: str) -> dict[str, Any] | None:
    """The JSON Schema ragas embedded in a prompt, if any."""
    at = prompt.find(SCHEMA_MARKER)
    if at < 0:
        return None
    try:
        schema, _ = json.JSONDecoder().raw_decode(prompt, at + len(SCHEMA_MARKER))
    except json.JSONDecodeError:
        return None
    return schema if isinstance(schema, dict) else None


def ragas_llm(judge: LLMJudge) -> Any:
    """A ragas LLM whose every call goes to the configured judge."""
    import asyncio

    from langchain_core.outputs import Generation, LLMResult
    from ragas.llms.base import BaseRagasLLM
    from ragas.run_config import RunConfig

    class _JudgeLLM(BaseRagasLLM):
        def generate_text(self, prompt: Any, n: int = 1, temperature: float = 0.01, stop: Any = None, callbacks: Any = None) -> LLMResult:
            text = prompt.to_string()
            return LLMResult(generations=[[Generation(text=judge.complete(text, schema_in(text)))]])

        async def agenerate_text(self, prompt: Any, n: int = 1, temperature: float | None = 0.01, stop: Any = None,
                                 callbacks: Any = None) -> LLMResult:
            return await asyncio.to_thread(self.generate_text, prompt, n, temperature or 0.01, stop, callbacks)

        def is_finished(self, response: LLMResult) -> bool:
            return True

    # One attempt inside ragas: assure's judge client already retries transport errors and unusable replies;
    # ragas' default (10 tries, waits up to 60 s) would turn one failing judge into minutes per case.
    return _JudgeLLM(run_config=RunConfig(max_retries=1, max_wait=1))


class RagasFaithfulnessScorer:
    """Share of the output's statements that ragas' judge finds inferable from the source."""

    name = "ragas_faithfulness"
    threshold = 0.9
    description = "ragas Faithfulness: share of the output's statements the judge can infer from the source."

    def __init__(self, judge: LLMJudge) -> None:
        import ragas

        self.version = f"ragas-{ragas.__version__}+judge-{judge.config.fingerprint()[:8]}"
        self._judge = judge
        self._llm = ragas_llm(judge)

    def score(self, case: Case, output: str) -> Score:
        from ragas.dataset_schema import SingleTurnSample
        from ragas.metrics._faithfulness import Faithfulness

        metric = Faithfulness(llm=self._llm)
        sample = SingleTurnSample(user_input=TASK_QUESTION.get(case.task, "Summarise this source."), response=output,
                                  retrieved_contexts=[case.source])
        try:
            value = float(metric.single_turn_score(sample))
        except JudgeError as exc:
            return Score.judge_error(str(exc))
        except Exception as exc:  # ragas raises its own errors for replies it cannot parse
            return Score.judge_error(f"ragas could not use the judge's reply: {type(exc).__name__}: {exc}")
        if math.isnan(value):
            return Score.unscored("ragas found no statements to judge")
        passed = value >= self.threshold
        findings = [] if passed else [Finding(kind="llm_ragas_faithfulness", severity="major",
                                              reason=f"LLM judge (ragas): {value:.0%} of statements inferable from the source.")]
        return Score(value=value, passed=passed, findings=findings, details={"judge": self._judge.config.label})
