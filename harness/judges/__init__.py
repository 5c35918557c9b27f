"""Judges that scorers can call. `llm` is the optional LLM judge (any OpenAI-compatible endpoint)."""
