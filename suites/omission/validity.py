"""Validity of the omission scorer: agreement with human key-fact labels and with injected omissions.

- REALSumm (news; 26,400 human present/absent judgements of key facts in 25 systems' summaries):
  the embedded matcher's match value for each (key fact, summary). The cut is chosen on the
  `dev` documents to maximise Cohen's kappa and reported on the `eval` documents; kappa at the
  scorer's own cut (`present` only) is reported too.
- Kirstein et al. 2024 (meetings; 148 scorable summaries with yes/no labels): candidate key facts
  derived from the QMSum reference, recall per summary; ROC AUC of (1 - recall) against "total
  omission" and "missing information", and balanced accuracy at a cut chosen on dev meetings.
- Injected omissions in the bundled golden sets: every critical key fact in turn is removed from
  the reference (the sentence that carries it, as `assure goldens perturb` does); recall = share
  reported not present; false alarms = share of the references' own critical facts reported not
  present (and share of references that fail).
"""

from __future__ import annotations

import statistics
import time
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from harness.goldens import Case, KeyFact, load_golden
from golden_sets.authoring.perturb import OMISSION_MIN_OVERLAP, fact_overlap
from judge.text import split_sentences

from suites.classification import best_threshold, classification, roc_auc

from .benchmark_data import kirstein_split, load_kirstein, load_realsumm, realsumm_split
from .recall import PARTIAL_AT, PRESENT_AT, KeyFactRecallScorer, derive_key_facts, match_facts, weighted_recall


@dataclass(frozen=True)
class AgreementRow:
    """One line of the omission validity table. Unused figures are NaN."""

    dataset: str
    n: int
    n_positive: int
    cut: float | None
    accuracy: float
    f1: float
    kappa: float
    roc_auc: float
    recall: float
    false_alarm_rate: float
    median_seconds: float


def cohen_kappa(a: list[bool], b: list[bool]) -> float:
    """Cohen's kappa between two yes/no raters (1 = perfect agreement, 0 = chance)."""
    n = len(a)
    if n == 0:
        return float("nan")
    observed = sum(x == y for x, y in zip(a, b, strict=True)) / n
    pa, pb = sum(a) / n, sum(b) / n
    expected = pa * pb + (1 - pa) * (1 - pb)
    return (observed - expected) / (1 - expected) if expected < 1 else float("nan")


def _f1(truth: list[bool], pred: list[bool]) -> float:
    tp = sum(t and p for t, p in zip(truth, pred, strict=True))
    fp = sum(p and not t for t, p in zip(truth, pred, strict=True))
    fn = sum(t and not p for t, p in zip(truth, pred, strict=True))
    return 2 * tp / (2 * tp + fp + fn) if tp else 0.0


def realsumm_rows(root: Path | None = None, progress: Callable[[], None] | None = None) -> list[AgreementRow]:
    """Key-fact presence against REALSumm's human labels (cut chosen on dev docs, reported on eval)."""
    judgements = load_realsumm(root)
    groups: dict[tuple[str, str], list] = defaultdict(list)
    for j in judgements:
        groups[(j.doc_id, j.system)].append(j)
    values: list[tuple[str, bool, float]] = []
    seconds: list[float] = []
    for (doc_id, _system), items in groups.items():
        case = Case(id="realsumm", task="summary", source=items[0].source or items[0].reference or "-")
        facts = [KeyFact(id=f"k{j.key_fact_index}", text=j.key_fact, category="other", severity="major", evidence="-")
                 for j in items]
        started = time.perf_counter()
        matches = match_facts(case, items[0].summary, facts) if items[0].summary.strip() else []
        seconds.append(time.perf_counter() - started)
        for j, match in zip(items, matches or [None] * len(items), strict=True):
            values.append((realsumm_split(doc_id), j.present, match.coverage if match else 0.0))
        if progress:
            progress()
    dev = [(p, v) for s, p, v in values if s == "dev"]
    cuts = np.linspace(0.3, 0.9, 61)
    best = max(cuts, key=lambda c: cohen_kappa([p for p, _ in dev], [v >= c for _, v in dev]))
    report = [(p, v) for s, p, v in values if s == "eval"]
    truth = [p for p, _ in report]
    rows = []
    for label, cut in (("realsumm eval (cut from dev)", float(best)), ("realsumm eval (scorer's present cut)", PRESENT_AT),
                       ("realsumm eval (scorer's partial cut)", PARTIAL_AT)):
        pred = [v >= cut for _, v in report]
        rows.append(AgreementRow(label, len(report), sum(truth), cut,
                                 sum(t == q for t, q in zip(truth, pred, strict=True)) / len(report), _f1(truth, pred),
                                 cohen_kappa(truth, pred), roc_auc(truth, [v for _, v in report]), float("nan"), float("nan"),
                                 statistics.median(seconds)))
    return rows


def kirstein_rows(root: Path | None = None, progress: Callable[[], None] | None = None) -> list[AgreementRow]:
    """Summary-level omission labels on meeting summaries against derived-key-fact recall."""
    summaries = [s for s in load_kirstein(root) if s.has_summary and s.reference.strip()]
    scored: list[tuple[int, float, object]] = []
    seconds = []
    for s in summaries:
        case = Case(id="kirstein", task="summary", source=s.transcript or s.reference, reference=s.reference)
        started = time.perf_counter()
        recall = weighted_recall(match_facts(case, s.summary, derive_key_facts(s.reference)))
        seconds.append(time.perf_counter() - started)
        scored.append((s.meeting_index, recall, s))
        if progress:
            progress()
    rows = []
    for label_name in ("total_omission", "missing_information"):
        usable = [(m, r, getattr(s, label_name)) for m, r, s in scored if getattr(s, label_name) is not None]
        dev = [(r, y) for m, r, y in usable if kirstein_split(m) == "dev"]
        report = [(r, y) for m, r, y in usable if kirstein_split(m) == "eval"]
        cut = best_threshold([y for _, y in dev], [r for r, _ in dev])
        truth = [y for _, y in report]
        pred = [r < cut for r, _ in report]
        balanced, _, tpr = classification(truth, pred)
        tnr = 2 * balanced - tpr
        rows.append(AgreementRow(f"kirstein eval: {label_name.replace('_', ' ')}", len(report), sum(truth), cut,
                                 balanced, _f1(truth, pred), cohen_kappa(truth, pred),
                                 roc_auc(truth, [1 - r for r, _ in report]), tpr, 1 - tnr, statistics.median(seconds)))
    return rows


def injected_rows(golden_sets: tuple[str, ...] = ("safeguarding_minutes", "case_note_summary"),
                  progress: Callable[[], None] | None = None, limit: int | None = None) -> list[AgreementRow]:
    """Every critical key fact removed in turn; recall of the omission and false alarms on the references."""
    import golden_sets as bundled

    scorer = KeyFactRecallScorer()
    rows = []
    for name in golden_sets:
        cases = load_golden(bundled.path(name)).cases[:limit]
        caught: list[bool] = []
        reference_flags: list[bool] = []
        reference_fails = 0
        seconds = []
        for case in cases:
            started = time.perf_counter()
            reference_matches = match_facts(case, case.reference or "")
            seconds.append(time.perf_counter() - started)
            reference_flags += [m.status != "present" for m in reference_matches if m.fact.severity == "critical"]
            reference_fails += not scorer.score(case, case.reference or "").passed
            sentences = split_sentences(case.reference or "")
            for fact in (f for f in case.key_facts if f.severity == "critical"):
                overlap, sentence = max(((fact_overlap(fact, s), s) for s in sentences), default=(0.0, ""))
                if overlap < OMISSION_MIN_OVERLAP:
                    continue
                output = (case.reference or "").replace(sentence, "")
                caught.append(match_facts(case, output, [fact])[0].status != "present")
            if progress:
                progress()
        short = {"safeguarding_minutes": "minutes", "case_note_summary": "notes"}.get(name, name)
        rows.append(AgreementRow(f"injected omissions: {short}", len(caught), len(caught), None, float("nan"), float("nan"),
                                 float("nan"), float("nan"), sum(caught) / max(1, len(caught)),
                                 sum(reference_flags) / max(1, len(reference_flags)), statistics.median(seconds)))
        rows.append(AgreementRow(f"references failing: {short}", len(cases), 0, None, float("nan"), float("nan"), float("nan"),
                                 float("nan"), float("nan"), reference_fails / max(1, len(cases)), statistics.median(seconds)))
    return rows


def omission_validity(root: Path | None = None, progress: Callable[[], None] | None = None) -> list[AgreementRow]:
    """All omission validity rows: REALSumm, Kirstein et al., injected omissions."""
    return realsumm_rows(root, progress) + kirstein_rows(root, progress) + injected_rows(progress=progress)
