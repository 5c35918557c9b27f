"""Judges that scorers can call. `llm` is the optional LLM judge (any OpenAI-compatible endpoint).

`assure run --judge deep` switches on the embedded judge's deep mode instead: the run sets
`DEEP_JUDGE_ENV` to "1", and the hallucination and omission suites then add their deep scorers.
"""

DEEP_JUDGE = "deep"
DEEP_JUDGE_ENV = "ASSURE_DEEP_JUDGE"
