"""`baseline`: a built-in extractive summariser that needs nothing (TextRank or lead-N).

It copies whole sentences from the source, so it cannot invent details; it shows what the
simplest honest tool scores. It is labelled as a baseline everywhere it appears.

TextRank (Mihalcea and Tarau, 2004): sentences are nodes, edges are TF-IDF cosine similarities,
and PageRank (damping 0.85) ranks them; the top `sentences` (or `ratio` of the source, at least
3 and at most 30) are returned in source order.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from pathlib import Path
from typing import Literal

import numpy as np
from pydantic import Field

from ..goldens import Case
from ..splitting import split_sentences
from .base import BaseTarget, TargetConfig, require_text

_STOP = frozenset(
    "a an and are as at be been but by do for from had has have he her him his i if in is it its just "
    "me my no not of on or our she so that the their them then there they this to was we were what "
    "when which who will with would you your yeah um uh okay ok right yes well".split()
)


class BaselineConfig(TargetConfig):
    kind: Literal["baseline"]
    algorithm: Literal["textrank", "lead"] = "textrank"
    sentences: int | None = Field(default=None, ge=1)
    ratio: float = Field(default=0.2, gt=0, le=1)


class BaselineTarget(BaseTarget):
    is_baseline = True

    def __init__(self, config: BaselineConfig, base_dir: Path) -> None:
        super().__init__(config, base_dir)
        self.settings = config

    async def generate(self, case: Case) -> str:
        return require_text(summarise(case.source, self.settings.algorithm, self.settings.sentences, self.settings.ratio))


def summarise(text: str, algorithm: str = "textrank", sentences: int | None = None, ratio: float = 0.2) -> str:
    """Pick sentences from `text` by TextRank or lead-N and join them in source order."""
    candidates = [s for s in split_sentences(text) if len(_tokens(s)) >= 3 and not s.startswith("[")]
    if not candidates:
        return text.strip()
    count = sentences or min(30, max(3, round(len(candidates) * ratio)))
    count = min(count, len(candidates))
    if algorithm == "lead":
        chosen = list(range(count))
    else:
        ranks = textrank(candidates)
        chosen = sorted(sorted(range(len(candidates)), key=lambda i: -ranks[i])[:count])
    return "\n".join(candidates[i] for i in chosen)


def textrank(sentences: list[str], damping: float = 0.85, iterations: int = 60) -> np.ndarray:
    """PageRank scores of sentences over their TF-IDF cosine-similarity graph."""
    tokenised = [_tokens(s) for s in sentences]
    document_frequency = Counter(word for words in tokenised for word in set(words))
    n = len(sentences)
    vocabulary = {word: i for i, word in enumerate(document_frequency)}
    matrix = np.zeros((n, len(vocabulary)))
    for row, words in enumerate(tokenised):
        for word, count in Counter(words).items():
            matrix[row, vocabulary[word]] = count * math.log((1 + n) / (1 + document_frequency[word]))
    norms = np.linalg.norm(matrix, axis=1, keepdims=True)
    matrix = matrix / np.where(norms == 0, 1, norms)
    similarity = matrix @ matrix.T
    np.fill_diagonal(similarity, 0.0)
    out_weight = similarity.sum(axis=1, keepdims=True)
    transition = np.divide(similarity, out_weight, out=np.full_like(similarity, 1.0 / n), where=out_weight > 0)
    ranks = np.full(n, 1.0 / n)
    for _ in range(iterations):
        ranks = (1 - damping) / n + damping * transition.T @ ranks
    return ranks


def _tokens(sentence: str) -> list[str]:
    return [w for w in re.findall(r"[a-z0-9]+", sentence.lower()) if w not in _STOP]
