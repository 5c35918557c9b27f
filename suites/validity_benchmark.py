"""The validity benchmark's machinery: load the known answers, run a scorer on them, measure agreement.

Behind `assure bench validity` (`suites.validity`, whose docstring describes the data and the figures):
SummEdits examples and their threshold chosen on the development split, injected defects of the bundled
golden sets (caught and found per kind), and false alarms on faithful outputs.
"""

from __future__ import annotations

import json
import math
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from harness.goldens import Case, load_golden
from harness.scoring import Scorer

from .classification import best_threshold, classification, roc_auc

SUMMEDITS_DOMAINS = ("qmsumm", "sales_call", "news")
DEV_SPLIT, REPORT_SPLIT = "test", "evaluation"
GOLDEN_SETS = ("safeguarding_minutes", "case_note_summary")
SHORT_NAMES = {"safeguarding_minutes": "minutes", "case_note_summary": "notes"}


@dataclass(frozen=True)
class Example:
    """One judged output: is it inconsistent with its source (the positive class)?"""

    dataset: str
    split: str
    case: Case
    output: str
    inconsistent: bool
    defect: str | None = None  # the injected defect's kind (injected positives only)
    defect_span: tuple[int, int] | None = None  # where the injected edit is in the output


@dataclass(frozen=True)
class Judged:
    """One example's verdict: the scorer's value and `passed`, the seconds it took, and whether a
    finding's output span covers the injected edit (None for examples without one)."""

    example: Example
    value: float
    passed: bool
    seconds: float
    found: bool | None = None
    judge_error: bool = False  # an LLM judge gave no usable answer: left out of the figures, counted


@dataclass(frozen=True)
class Metrics:
    dataset: str
    n: int
    n_inconsistent: int
    threshold: float | None
    balanced_accuracy: float
    precision: float
    recall: float
    roc_auc: float
    median_seconds: float
    judge_errors: int = 0  # examples an LLM judge gave no usable answer for (not in n or the figures)


def load_summedits(root: Path) -> list[Example]:
    examples = []
    for domain in SUMMEDITS_DOMAINS:
        file = root / "summedits" / f"summedits_{domain}.json"
        for row in json.loads(file.read_text(encoding="utf-8")):
            case = Case(id=str(row["id"]), task="summary", source=row["doc"])
            examples.append(Example(domain, row["split"], case, row["summary"], str(row["label"]) == "0"))
    return examples


def load_injected(families: set[str], seed: int = 0) -> list[Example]:
    """References as negatives, defective outputs of the given families as positives."""
    import golden_sets
    from golden_sets.authoring.perturb import perturb_case

    examples = []
    for name in GOLDEN_SETS:
        for case in load_golden(golden_sets.path(name)).cases:
            for item in perturb_case(case, seed):
                defects = [d for d in item.defects if d.defect in families]
                if item.defects and not defects:
                    continue
                span = (defects[0].output_start, defects[0].output_start + max(1, len(defects[0].replacement))) if defects else None
                examples.append(Example(f"injected:{SHORT_NAMES[name]}", "all", case, item.output, bool(defects),
                                        defects[0].defect if defects else None, span))
    return examples


def load_faithful() -> list[Example]:
    """Outputs faithful by construction, as negatives: references, restyled references, baseline outputs."""
    import golden_sets
    from harness.targets.baseline import summarise
    from harness.targets.recorded import read_vendor_file

    examples = []
    for name in GOLDEN_SETS:
        folder = golden_sets.path(name)
        restyled_file = folder / "restyled" / "outputs.jsonl"
        restyled = read_vendor_file(restyled_file) if restyled_file.is_file() else {}
        for case in load_golden(folder).cases:
            outputs = {"references": case.reference, "restyled": restyled.get(case.id),
                       "baseline": summarise(case.source, "textrank", None, 0.3)}
            examples.extend(Example(f"faithful:{kind}:{SHORT_NAMES[name]}", "all", case, output, False)
                            for kind, output in outputs.items() if output)
    return examples


@dataclass(frozen=True)
class FalseAlarms:
    """One scorer on one set of faithful outputs: how often it fails them, and on what.

    `quoted_share` is the share of failed outputs whose failing finding (a critical one, else any) quotes a
    passage of the source or key facts as the evidence against it; the rest failed on an absence ("does
    not appear in the source") or on the value alone."""

    dataset: str
    scorer: str
    n: int
    failed: int
    false_alarm_rate: float
    critical_per_100: float
    quoted_share: float
    by_kind: dict[str, int]


def _quotes_source(case: Case, evidence: str | None) -> bool:
    if not evidence:
        return False
    flat = lambda text: " ".join(text.split())  # noqa: E731
    pool = flat(case.source) + " " + " ".join(flat(f.text) for f in case.key_facts)
    return flat(evidence) in pool


def false_alarms(scorer: Scorer, examples: list[Example]) -> list[FalseAlarms]:
    """Per faithful dataset: failed share, critical findings per 100 outputs, findings per kind, quoted share."""
    tallies: dict[str, dict[str, Any]] = {}
    for example in examples:
        score = scorer.score(example.case, example.output)
        if not score.scored:
            continue
        t = tallies.setdefault(example.dataset, {"n": 0, "failed": 0, "critical": 0, "quoted": 0, "kinds": {}})
        t["n"] += 1
        critical = [f for f in score.findings if f.severity == "critical"]
        t["critical"] += len(critical)
        for kind in {f.kind for f in score.findings if f.severity in {"critical", "major"}}:
            t["kinds"][kind] = t["kinds"].get(kind, 0) + 1
        if not score.passed:
            t["failed"] += 1
            failing = critical or list(score.findings)
            t["quoted"] += any(_quotes_source(example.case, f.source_evidence) for f in failing)
    return [FalseAlarms(name, scorer.name, t["n"], t["failed"], t["failed"] / t["n"] if t["n"] else math.nan,
                        100 * t["critical"] / t["n"] if t["n"] else math.nan,
                        t["quoted"] / t["failed"] if t["failed"] else math.nan, dict(sorted(t["kinds"].items())))
            for name, t in sorted(tallies.items())]


def omission_false_alarms(limit: int | None = None) -> dict[str, list[FalseAlarms]]:
    """The omission suite's scorers on the faithful outputs that keep every key fact: the references and the
    restyled references (not the extractive baseline, which leaves facts out by design, so failing it is no
    false alarm). A critical finding here is a critical key fact reported absent from a faithful output.
    `limit`: only the first `limit` outputs of each set (for a quick check)."""
    from suites.omission import suite

    faithful: list[Example] = []
    for example in load_faithful():
        if not example.dataset.startswith("faithful:baseline:") and (
                limit is None or sum(e.dataset == example.dataset for e in faithful) < limit):
            faithful.append(example)
    return {scorer.name: false_alarms(scorer, faithful) for scorer in suite().scorers}


def _found(example: Example, spans: list[str]) -> bool | None:
    """Whether some finding's output span overlaps the injected edit."""
    if example.defect_span is None:
        return None
    start, end = example.defect_span
    for span in spans:
        at = example.output.find(span) if span else -1
        while at >= 0:
            if at < end and start < at + len(span):
                return True
            at = example.output.find(span, at + 1)
    return False


def judge(scorer: Scorer, examples: list[Example], progress: Callable[[], None] | None = None) -> list[Judged]:
    """The scorer's verdict on each example."""
    out = []
    for example in examples:
        started = time.perf_counter()
        score = scorer.score(example.case, example.output)
        seconds = time.perf_counter() - started
        out.append(Judged(example, 1.0 if score.value is None else float(score.value), bool(score.passed), seconds,
                          _found(example, [f.output_span or "" for f in score.findings]), score.is_judge_error))
        if progress:
            progress()
    return out


def metrics_for(dataset: str, rows: list[Judged], threshold: float | None) -> Metrics:
    errors = sum(r.judge_error for r in rows)
    rows = [r for r in rows if not r.judge_error]
    labels = [r.example.inconsistent for r in rows]
    values = [r.value for r in rows]
    flagged = [v < threshold for v in values] if threshold is not None else [not r.passed for r in rows]
    balanced, precision, recall = classification(labels, flagged)
    return Metrics(dataset, len(rows), sum(labels), threshold, balanced, precision, recall,
                   roc_auc(labels, [1 - v for v in values]), statistics.median(r.seconds for r in rows) if rows else float("nan"),
                   errors)


@dataclass(frozen=True)
class DefectRecall:
    """Injected defects of one kind per golden set: how many the scorer's `passed` caught (the case
    fails), and how many it found (a finding, of any severity, on the edit)."""

    dataset: str
    defect: str
    caught: int
    injected: int
    found: int = 0


def recall_by_defect(rows: list[Judged]) -> list[DefectRecall]:
    """Caught, injected and found for each (dataset, defect kind) among injected positives."""
    counts: dict[tuple[str, str], list[int]] = {}
    for row in rows:
        if row.example.defect:
            tally = counts.setdefault((row.example.dataset, row.example.defect), [0, 0, 0])
            tally[0] += not row.passed
            tally[1] += 1
            tally[2] += bool(row.found)
    return [DefectRecall(d, k, caught, n, found) for (d, k), (caught, n, found) in sorted(counts.items())]


def balanced_sample(examples: list[Example], per_group: int, seed: int = 0) -> list[Example]:
    """At most `per_group` examples of each (dataset, split), half inconsistent and half not where both
    are there to draw, chosen at random with `seed`; the order of `examples` is kept."""
    import random

    rng = random.Random(seed)
    chosen: set[int] = set()
    groups: dict[tuple[str, str, bool], list[int]] = {}
    for index, example in enumerate(examples):
        groups.setdefault((example.dataset, example.split, example.inconsistent), []).append(index)
    for (dataset, split, inconsistent), members in groups.items():
        other = len(groups.get((dataset, split, not inconsistent), []))
        want = per_group - min(other, per_group // 2) if inconsistent else per_group - min(other, (per_group + 1) // 2)
        chosen.update(rng.sample(members, min(len(members), want)))
    return [e for i, e in enumerate(examples) if i in chosen]


def run_validity(scorers: list[Scorer], root: Path, families: dict[str, set[str]], progress: Callable[[], None] | None = None,
                 by_defect: dict[str, list[DefectRecall]] | None = None,
                 alarms: dict[str, list[FalseAlarms]] | None = None, sample: int | None = None) -> dict[str, list[Metrics]]:
    """Every scorer on SummEdits (threshold from the dev split) and on injected defects.

    `by_defect`, when given, is filled with each scorer's recall per injected defect kind; `alarms` with
    its false alarms on the faithful outputs (`load_faithful`). `sample` (for slow judges such as a local
    LLM) judges only `balanced_sample(..., sample)` of each dataset, skips the dev split and decides by
    each scorer's own pass rule."""
    summedits = load_summedits(root)
    faithful = load_faithful() if alarms is not None else []
    if sample is not None:
        summedits = balanced_sample([e for e in summedits if e.split == REPORT_SPLIT], sample)
        faithful = balanced_sample(faithful, sample)
    results: dict[str, list[Metrics]] = {}
    for scorer in scorers:
        rows = judge(scorer, summedits, progress)
        dev = [r for r in rows if r.example.split == DEV_SPLIT]
        cut = best_threshold([r.example.inconsistent for r in dev], [r.value for r in dev]) if dev else None
        report = [r for r in rows if r.example.split == REPORT_SPLIT]
        table = [metrics_for("summedits", report, cut)]
        table += [metrics_for(domain, [r for r in report if r.example.dataset == domain], cut)
                  for domain in sorted({r.example.dataset for r in report})]
        injected = load_injected(families.get(scorer.name, set()))
        injected_rows = judge(scorer, balanced_sample(injected, sample) if sample is not None else injected, progress)
        for name in sorted({r.example.dataset for r in injected_rows}):
            table.append(metrics_for(name, [r for r in injected_rows if r.example.dataset == name], None))
        results[scorer.name] = table
        if by_defect is not None:
            by_defect[scorer.name] = recall_by_defect(injected_rows)
        if alarms is not None:
            alarms[scorer.name] = false_alarms(scorer, faithful)
    return results


# Which injected defect families each scorer is meant to catch: the positives of its benchmark.
_DETAIL_DEFECTS = {"changed_date", "changed_time", "changed_dose", "changed_number", "swapped_name", "invented_action",
                   "invented_attendee"}
_CLAIM_DEFECTS = {"wrong_person", "consent_flip", "capacity_flip", "negation_flip", "allegation_as_fact"}
DEFECT_FAMILIES: dict[str, set[str]] = {
    "unsupported_details": _DETAIL_DEFECTS,
    "claim_support": _DETAIL_DEFECTS | _CLAIM_DEFECTS,
    "supported_claim_share": _DETAIL_DEFECTS | _CLAIM_DEFECTS,
    "distortion": {"allegation_as_fact"},
    "reference_agreement": _DETAIL_DEFECTS | _CLAIM_DEFECTS,
    # the LLM judges (suite llm_judges) are asked whether the output is faithful: every family is theirs
    **{name: _DETAIL_DEFECTS | _CLAIM_DEFECTS for name in ("deepeval_faithfulness", "deepeval_hallucination",
                                                            "deepeval_summarization", "ragas_faithfulness")},
}


# Suites whose scorers are not consistency judges: omission has its own benchmark (REALSumm,
# Kirstein et al., injected omissions); bias is calibrated by simulation in its own tests.
NOT_CONSISTENCY_SUITES = {"omission", "bias"}
