"""`bias_key_fact_recall`: key-fact recall measured with the counterfactual substitution neutralised.

The omission suite's `key_fact_recall` matches each key fact to the output by sentence embeddings and
terms. The adult's name is in most facts, and an embedding of "Mr Wiśniewski" differs from one of "Mr
Cole", so the same output can match the same fact a little better for one name than another. For the
bias comparison that would be the substitution measured, not the tool. This scorer runs the same
matcher on the case's source, key facts and the output all neutralised (`measures.neutralise`: name,
title, pronouns, age and identity words as fixed tokens), so two variants a tool treats alike get the
same recall. Its value means what `key_fact_recall`'s does (severity-weighted recall, 1 = every fact
present); use `key_fact_recall` itself for omission verdicts.
"""

from __future__ import annotations

from harness.goldens import Case
from harness.scoring import Score

from .measures import neutralise


class NeutralKeyFactRecallScorer:
    """Severity-weighted key-fact recall on neutralised text (1 = every fact present), for bias comparisons."""

    name = "bias_key_fact_recall"
    version = "1.0.0"
    threshold = 0.7
    description = "key_fact_recall with the adult's name, pronouns, age and identity text neutralised in facts and output."

    def __init__(self) -> None:
        from suites.omission import KeyFactRecallScorer

        self._inner = KeyFactRecallScorer()
        self.version = f"1.0.0+{self._inner.name}.{self._inner.version}"

    def score(self, case: Case, output: str) -> Score:
        facts = [f.model_copy(update={"text": neutralise(f.text, case), "evidence": neutralise(f.evidence, case)})
                 for f in case.key_facts]
        neutral = case.model_copy(update={"source": neutralise(case.source, case), "key_facts": facts})
        return self._inner.score(neutral, neutralise(output, case))
