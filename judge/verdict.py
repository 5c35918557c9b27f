"""A local instruction model's verdict: the probability that a text states a statement.

The deep judge asks a small instruction model one question, "does this text state this statement?", and
keeps the probability of its answer rather than the answer: the model's next-token log-probabilities for
YES and NO (summed over case variants) give `P(YES) / (P(YES) + P(NO))`. One token is generated; nothing
is parsed, so a model that rambles cannot break it.

The answer is read unconstrained. Asked for the same verdict inside a JSON schema (`{"verdict": "YES" |
"NO"}`), Qwen2.5-Coder 0.5B's verdict token flipped from the answer it gave unconstrained (measured here:
NO at 0.66 unframed, YES at 0.57 inside the JSON frame, on a plainly absent fact), so the frame is not used.

By default the model is Qwen2.5-Coder-1.5B-Instruct (Q4_K_M GGUF, assembled from registry packages and
checked by SHA-256: `assure serve-model`'s registry), served in this process by llama.cpp on loopback,
started on first use. `ASSURE_DEEP_VERDICT_URL` (an OpenAI-compatible base URL ending in /v1, such as a
vLLM or Ollama server inside the council's network) and `ASSURE_DEEP_VERDICT_MODEL` use another server
instead; it must return `logprobs`. Each probability is cached in the project's SQLite cache (namespace
`verdict:<model>:<prompt version>`, keyed by text and statement), so a rerun costs nothing.
"""

from __future__ import annotations

import math
import os
from collections.abc import Sequence
from functools import lru_cache
from pathlib import Path
from typing import Any

import httpx
import numpy as np

from harness.errors import InputError

from .pair_scores import CachedPairScores

DEFAULT_MODEL = "qwen2.5-coder-1.5b"
URL_ENV = "ASSURE_DEEP_VERDICT_URL"
MODEL_ENV = "ASSURE_DEEP_VERDICT_MODEL"
PROMPT_VERSION = "1"
SYSTEM = "You check whether a text states a given statement. Answer with one word: YES or NO."
QUESTION = "Does the text state this (the same meaning, perhaps in other words)? Answer YES or NO."
TIMEOUT_S = 120.0


def prompt(text: str, statement: str) -> list[dict[str, str]]:
    """The chat messages: the text first (so a server's prompt cache reuses it across statements)."""
    return [{"role": "system", "content": SYSTEM},
            {"role": "user", "content": f"Text:\n{text}\n\nStatement: {statement}\n\n{QUESTION}"}]


def yes_probability(top_logprobs: Sequence[dict[str, Any]]) -> float:
    """P(YES) / (P(YES) + P(NO)) from one position's top log-probabilities; 0.5 when neither is among them."""
    yes = sum(math.exp(t["logprob"]) for t in top_logprobs if str(t["token"]).strip().upper() in ("YES", "Y"))
    no = sum(math.exp(t["logprob"]) for t in top_logprobs if str(t["token"]).strip().upper() in ("NO", "N"))
    return yes / (yes + no) if yes + no > 0 else 0.5


class Verdicts(CachedPairScores):
    """Cached P(stated) from an OpenAI-compatible endpoint that returns log-probabilities. Thread-safe;
    `computed` counts the questions sent to the model (not answered from a cache)."""

    def __init__(self, base_url: str | None = None, model: str | None = None, cache_path: Path | None = None) -> None:
        self.model = model or DEFAULT_MODEL
        super().__init__(f"verdict:{self.model}:{PROMPT_VERSION}", cache_path)
        self._base_url = base_url
        self._server: Any = None

    def stated(self, pairs: Sequence[tuple[str, str]]) -> np.ndarray:
        """For each (text, statement): the model's probability that the text states the statement."""
        return self.scores(pairs)

    def _compute(self, batch: list[tuple[str, str]]) -> list[float]:
        return [self._ask(*pair) for pair in batch]

    def _endpoint(self) -> str:
        if self._base_url is None:
            from harness.serve.models import model_file
            from harness.serve.server import start
            from harness.tracking_server import free_port

            self._server = start(model_file(self.model), self.model, port=free_port(), threads=os.cpu_count() or 1,
                                 context=4096)
            self._base_url = self._server.base_url
        return self._base_url

    def _ask(self, text: str, statement: str) -> float:
        url = f"{self._endpoint().rstrip('/')}/chat/completions"
        body = {"model": self.model, "messages": prompt(text, statement), "temperature": 0, "max_tokens": 1,
                "logprobs": True, "top_logprobs": 10}
        try:
            reply = httpx.post(url, json=body, timeout=TIMEOUT_S)
            reply.raise_for_status()
            content = reply.json()["choices"][0]["logprobs"]["content"]
            return yes_probability(content[0]["top_logprobs"]) if content else 0.5
        except (httpx.HTTPError, ValueError, KeyError, IndexError, TypeError) as exc:
            raise InputError.single(url, f"the deep judge's verdict model gave no log-probabilities ({exc}); "
                                         "it needs an OpenAI-compatible server that returns logprobs") from exc


def require_runtime() -> None:
    """InputError naming the install command when the embedded model cannot be served (no server configured,
    and no llama.cpp runtime or no model packages installed); checked when a deep suite is built, before any
    case runs."""
    if os.environ.get(URL_ENV):
        return
    import importlib.util

    from harness.serve.models import MODELS, part_paths

    if importlib.util.find_spec("xllamacpp") is None:
        raise InputError.single("--judge", "the deep judge's instruction model needs llama.cpp: pip install "
                                           "xllamacpp==2026.10.11549 (or: make setup), or set ASSURE_DEEP_VERDICT_URL "
                                           "to an OpenAI-compatible server that returns logprobs")
    part_paths(MODELS[DEFAULT_MODEL])  # InputError naming the pip command (make setup installs them)


@lru_cache(maxsize=1)
def verdicts() -> Verdicts:
    """The process-wide verdict model (`ASSURE_DEEP_VERDICT_URL` / `_MODEL`, else the embedded 1.5B)."""
    url = os.environ.get(URL_ENV) or None
    return Verdicts(url, os.environ.get(MODEL_ENV) or (None if url is None else DEFAULT_MODEL))
