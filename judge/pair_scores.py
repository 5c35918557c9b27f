"""A score per pair of texts, computed once: kept in memory for the process and in the project's SQLite
cache across runs (`harness.cache`, one namespace per model), so a rerun of the same case costs nothing.
The deep judge's NLI model (`judge.nli`) and instruction model (`judge.verdict`) are both built on it."""

from __future__ import annotations

import threading
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from harness.cache import Cache, cache_key
from harness.paths import data_dir


class CachedPairScores:
    """Scores of (text, text) pairs from `_compute`, asked `batch_size` at a time, each stored as soon as it is
    known (an interrupted run keeps what it computed). Thread-safe. `computed` counts pairs not found cached."""

    batch_size = 1

    def __init__(self, namespace: str, cache_path: Path | None = None) -> None:
        self.namespace = namespace
        self._lock = threading.Lock()
        self._memory: dict[tuple[str, str], float] = {}
        self._cache_path = cache_path
        self.computed = 0

    def start_afresh(self, cache_path: Path) -> None:
        """Forget every score and keep new ones in `cache_path` (for benchmarks that time the uncached path)."""
        with self._lock:
            self._memory.clear()
            self._cache_path = cache_path
            self.computed = 0

    def scores(self, pairs: Sequence[tuple[str, str]]) -> np.ndarray:
        """The score of each pair, in order (computed only for pairs never seen in this process or the cache)."""
        with self._lock:
            wanted = [p for p in dict.fromkeys(pairs) if p not in self._memory]
            if wanted:
                self._fill(wanted)
            return np.array([self._memory[p] for p in pairs], dtype=np.float32)

    def _fill(self, wanted: list[tuple[str, str]]) -> None:
        cache = Cache(self._cache_path or data_dir() / "cache.sqlite")
        try:
            missing = []
            for pair in wanted:
                stored = cache.get(self.namespace, cache_key(*pair))
                if stored is None:
                    missing.append(pair)
                else:
                    self._memory[pair] = float(stored)
            for start in range(0, len(missing), self.batch_size):
                batch = missing[start:start + self.batch_size]
                for pair, value in zip(batch, self._compute(batch), strict=True):
                    self._memory[pair] = value
                    cache.put(self.namespace, cache_key(*pair), f"{value:.6f}")
                self.computed += len(batch)
        finally:
            cache.close()

    def _compute(self, batch: list[tuple[str, str]]) -> list[float]:
        raise NotImplementedError
