"""The embedded judge: offline language machinery the suites score with.

Sentences, details (dates, times, numbers, doses), evidence alignment, polarity, people and attribution,
claim checking and the small local embedding model. It imports only the engine's primitives
(`harness.goldens`, `harness.cache`, `harness.paths`); the engine never imports it.
"""
