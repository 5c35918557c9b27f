"""Judges that scorers can call. `llm` is the optional LLM judge (any OpenAI-compatible endpoint).

`assure run --judge deep` switches on the embedded judge's deep mode instead: the run sets
`DEEP_JUDGE_ENV` to "1", and the hallucination suite then adds its deep scorer.
"""

DEEP_JUDGE = "deep"
DEEP_JUDGE_ENV = "ASSURE_DEEP_JUDGE"
