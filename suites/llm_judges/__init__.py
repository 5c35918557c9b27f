"""LLM-judge suite: deepeval's faithfulness, hallucination and summarisation metrics, a G-Eval
rubric for safeguarding minutes, and ragas' faithfulness, asked of the one configured judge (`--judge judge.yaml`, any
OpenAI-compatible endpoint). Optional: the default suites need no LLM.

Every metric lands in the same Score shape as the embedded scorers (1 best: in deepeval 4.3.1 all
four metrics score higher-is-better and pass at score >= threshold) so runs with either judge
compare in MLflow. A judge
that fails, or whose reply still does not fit the schema after `parse_retries`, leaves the case
unscored and counted as a judge error (`n_judge_errors` in the report, `judge_errors` in MLflow),
never failed and never a crash.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from functools import cached_property, lru_cache
from typing import Any

from harness.errors import InputError
from harness.goldens import Case
from harness.judges.llm import JUDGE_ENV, JudgeConfig, JudgeError, LLMJudge, configured_judge
from harness.scoring import Finding, Score, Suite

SAFEGUARDING_MINUTES_CRITERIA = (
    "Judge whether the actual output is an accurate and complete set of minutes of the safeguarding adults "
    "meeting whose transcript is the input. Good minutes record: date, chair, attendees with role and agency, "
    "apologies; the concern, its category of abuse and the alleged source of risk; the adult's own views, "
    "wishes and desired outcomes in their words; capacity for the relevant decisions and who assessed it; "
    "information each agency shared, attributed; the risk level; decisions and any dissent with who dissented; "
    "the protection plan; every action with an owner and a deadline; referrals; the date of the next meeting. "
    "Penalise heavily anything the transcript does not say (names, dates, doses, consent or capacity stated the "
    "wrong way round), allegations stated as fact, statements credited to the wrong person, and omissions of "
    "the adult's views, risks, decisions, actions or dissent."
)


@lru_cache(maxsize=1)
def _deepeval_model_class() -> type:
    """deepeval's model interface over assure's judge client (built on first use: deepeval imports lazily)."""
    from deepeval.models.base_model import DeepEvalBaseLLM

    class JudgeModel(DeepEvalBaseLLM):
        def __init__(self, judge: LLMJudge) -> None:
            self.judge = judge
            super().__init__(model=judge.config.model)

        def load_model(self) -> Any:
            return self

        def generate(self, prompt: str, schema: Any = None, **_: Any) -> Any:
            return self.judge.structured(prompt, schema) if schema is not None else self.judge.complete(prompt)

        async def a_generate(self, prompt: str, schema: Any = None, **kwargs: Any) -> Any:
            return await asyncio.to_thread(self.generate, prompt, schema, **kwargs)

        def get_model_name(self) -> str:
            return f"assure-judge:{self.judge.config.model}"

    return JudgeModel


class DeepEvalScorer:
    """One deepeval metric as an assure scorer."""

    def __init__(self, name: str, description: str, threshold: float, build: Callable[[Any], Any], judge: LLMJudge,
                 tasks: set[str] | None = None) -> None:
        import deepeval

        self.name, self.description, self.threshold = name, description, threshold
        self.version = f"deepeval-{deepeval.__version__}+judge-{judge.config.fingerprint()[:8]}"
        self._build, self._judge, self._tasks = build, judge, tasks

    @cached_property
    def _model(self) -> Any:
        return _deepeval_model_class()(self._judge)

    def score(self, case: Case, output: str) -> Score:
        from deepeval.test_case import LLMTestCase

        if self._tasks and case.task not in self._tasks:
            return Score.unscored(f"{self.name} applies to {', '.join(sorted(self._tasks))} only")
        metric = self._build(self._model)
        test_case = LLMTestCase(input=case.source, actual_output=output, context=[case.source],
                                retrieval_context=[case.source], expected_output=case.reference)
        try:
            metric.measure(test_case)
        except JudgeError as exc:
            return Score.judge_error(str(exc))
        raw = float(metric.score)
        value = min(1.0, max(0.0, raw))
        passed = bool(metric.is_successful())
        reason = metric.reason or "no reason given"
        findings = [] if passed else [Finding(kind=f"llm_{self.name}", severity="major", reason=f"LLM judge: {reason}")]
        return Score(value=value, passed=passed, findings=findings,
                     details={"judge": self._judge.config.label, "deepeval_score": raw, "reason": reason})


def scorers_for(config: JudgeConfig, judge: LLMJudge | None = None) -> list[Any]:
    """The suite's scorers, all asking one judge client (`judge`, or a new one for `config` on the project cache)."""
    from deepeval.metrics import FaithfulnessMetric, GEval, HallucinationMetric, SummarizationMetric
    from deepeval.test_case import SingleTurnParams

    from .ragas_adapter import RagasFaithfulnessScorer

    judge = judge or LLMJudge(config)
    return [RagasFaithfulnessScorer(judge),  # type: ignore[list-item]
        DeepEvalScorer("deepeval_faithfulness", "Share of the output's claims the judge finds supported by the source (deepeval FaithfulnessMetric).",
                       0.9, lambda m: FaithfulnessMetric(threshold=0.9, model=m, async_mode=False), judge),
        DeepEvalScorer("deepeval_hallucination", "deepeval HallucinationMetric: share of source contexts the output agrees with (1 = no contradiction).",
                       0.5, lambda m: HallucinationMetric(threshold=0.5, model=m, async_mode=False), judge),
        DeepEvalScorer("deepeval_summarization", "deepeval SummarizationMetric: the lower of alignment (no contradiction or invention) and coverage.",
                       0.5, lambda m: SummarizationMetric(threshold=0.5, model=m, async_mode=False), judge),
        DeepEvalScorer("geval_safeguarding_minutes", "G-Eval rubric: accuracy and completeness of safeguarding minutes against the standard.",
                       0.7, lambda m: GEval(name="Safeguarding minutes", criteria=SAFEGUARDING_MINUTES_CRITERIA,
                                            evaluation_params=[SingleTurnParams.INPUT, SingleTurnParams.ACTUAL_OUTPUT],
                                            model=m, threshold=0.7, async_mode=False), judge, tasks={"safeguarding_minutes"}),
    ]


def suite() -> Suite:
    """Registered as `llm_judges`; needs a configured judge."""
    config = configured_judge()
    if config is None:
        raise InputError.single("--suite", f"suite 'llm_judges' needs an LLM judge: pass --judge judge.yaml or set {JUDGE_ENV}")
    return Suite(name="llm_judges", version="0.1.0", scorers=scorers_for(config),
                 description=f"deepeval metrics and a G-Eval rubric asked of {config.label}.")
