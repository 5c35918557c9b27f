"""Local generative models served the way council tools and judges are reached: an OpenAI-compatible HTTP API.

`models` names the models (GGUF files inside registry packages, pinned by SHA-256); `server` serves one on
loopback with llama.cpp; `cli` is `assure serve-model`. Nothing here imports the judge or the suites.
"""
