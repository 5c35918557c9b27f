"""Key-fact recall asked of an LLM judge (the optional upgrade): same Score shape as `key_fact_recall`.

One request per case lists the key facts and the output; the judge answers, for each fact,
present / partial / absent and the output span, in a JSON schema. The rules are the same as
the embedded scorer's (owner and deadline for actions, attribution for views, corrected form for
corrections) and are stated in the prompt. The answer is cached with the judge's other replies.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel

from harness.goldens import Case
from harness.judges.llm import JudgeError, LLMJudge
from harness.scoring import Score

from .recall import FactMatch, score_matches

PROMPT = """You check minutes or a summary written by an AI tool against a list of key facts.
For each key fact decide whether the OUTPUT states it: "present" (all of it), "partial" (some of it),
or "absent". Paraphrase counts. An action counts as present only with its owner and its deadline.
A view or wish counts as present only when attributed to the person who holds it. A fact that
records a correction counts only in its corrected form. Quote the output span that states it
(empty if absent).

OUTPUT:
<<<
{output}
>>>

KEY FACTS:
{facts}
"""


class FactVerdict(BaseModel):
    id: str
    status: Literal["present", "partial", "absent"]
    span: str = ""


class FactVerdicts(BaseModel):
    facts: list[FactVerdict]


class LLMKeyFactRecallScorer:
    """Severity-weighted key-fact recall as judged by the configured LLM (1 = every fact present)."""

    name = "llm_key_fact_recall"
    version = "1.0.0"
    threshold = 0.7
    description = "Key-fact recall decided by the configured LLM judge; same weighting and pass rule as key_fact_recall."

    def __init__(self, judge: LLMJudge) -> None:
        self.judge = judge

    def score(self, case: Case, output: str) -> Score:
        if not case.key_facts:
            return Score.unscored("the case has no annotated key facts")
        facts = "\n".join(f"- {f.id}: {f.text}" for f in case.key_facts)
        try:
            answer = self.judge.structured(PROMPT.format(output=output, facts=facts), FactVerdicts)
        except JudgeError as exc:
            return Score.judge_error(str(exc))
        verdicts = {v.id: v for v in answer.facts}  # type: ignore[attr-defined]
        missing = [f.id for f in case.key_facts if f.id not in verdicts]
        if missing:
            return Score.judge_error(f"judge gave no verdict for {len(missing)} key fact(s): {', '.join(missing[:5])}")
        matches = [FactMatch(f, verdicts[f.id].status, 1.0 if verdicts[f.id].status == "present" else 0.0,
                             verdicts[f.id].span or None, f"judged {verdicts[f.id].status} by {self.judge.config.label}")
                   for f in case.key_facts]
        return score_matches(matches, self.threshold, f"annotated; judged by {self.judge.config.label}")
