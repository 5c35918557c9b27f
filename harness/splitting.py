"""Sentence splitting: the one piece of text handling the engine needs itself (the baseline target).

The embedded judge (`judge.text`) re-exports it, so the judge and the baseline split alike.
"""

from __future__ import annotations

import re

_BOUNDARY = re.compile(r"(?<=[.!?])\s+(?=[\"'(\[]?[A-Z0-9])")


def split_sentences(text: str) -> list[str]:
    """Split text into sentences; every line break also ends a sentence."""
    sentences: list[str] = []
    for line in text.splitlines():
        for part in _BOUNDARY.split(line.strip()):
            if part.strip():
                sentences.append(part.strip())
    return sentences
