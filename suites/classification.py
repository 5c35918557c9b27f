"""Agreement of a scorer's flags with human labels: ROC AUC, balanced accuracy, the best cut.

Shared by the validity benchmarks (`suites.validity`, `suites.omission.validity`), which import it
rather than each other.
"""

from __future__ import annotations

import numpy as np


def roc_auc(labels: list[bool], scores: list[float]) -> float:
    """Probability that a random positive scores above a random negative (ties count half)."""
    positives = np.array([s for s, y in zip(scores, labels) if y])
    negatives = np.array([s for s, y in zip(scores, labels) if not y])
    if positives.size == 0 or negatives.size == 0:
        return float("nan")
    greater = (positives[:, None] > negatives[None, :]).sum()
    ties = (positives[:, None] == negatives[None, :]).sum()
    return float((greater + 0.5 * ties) / (positives.size * negatives.size))


def classification(labels: list[bool], flagged: list[bool]) -> tuple[float, float, float]:
    """(balanced accuracy, precision, recall), the inconsistent class being positive."""
    tp = sum(1 for y, f in zip(labels, flagged) if y and f)
    fn = sum(1 for y, f in zip(labels, flagged) if y and not f)
    tn = sum(1 for y, f in zip(labels, flagged) if not y and not f)
    fp = sum(1 for y, f in zip(labels, flagged) if not y and f)
    recall = tp / (tp + fn) if tp + fn else float("nan")
    specificity = tn / (tn + fp) if tn + fp else float("nan")
    precision = tp / (tp + fp) if tp + fp else float("nan")
    return (recall + specificity) / 2, precision, recall


def best_threshold(labels: list[bool], values: list[float]) -> float:
    """The value cut (flag when value < cut) with the best balanced accuracy on development data."""
    candidates = sorted(set(values)) + [1.0 + 1e-9]
    return max(candidates, key=lambda cut: classification(labels, [v < cut for v in values])[0])
