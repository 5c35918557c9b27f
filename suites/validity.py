"""`assure bench validity`: how far each scorer's verdicts agree with known answers.

Two kinds of data:
- SummEdits (Laban et al. 2023; ../shared/benchmarks/summedits): human-labelled (document, summary)
  pairs, consistent or not. Thresholds are chosen on its `test` split (the development split here)
  to maximise balanced accuracy, and figures are reported on its `evaluation` split, per domain.
- Injected defects in the bundled golden sets (`assure goldens perturb`, seed 0): each reference
  (negative) and each defective output (positive) of the scorer's defect families; the decision is
  the scorer's own documented `passed`.

- Faithful outputs (negatives only): the bundled references, the restyled references (the same
  facts in six other councils' house styles, `golden_sets/*/restyled/`) and the extractive baseline's
  outputs (TextRank, 30% of source sentences). Every failed case is a false alarm: reported per scorer
  and finding kind, with critical findings per 100 outputs and the share of failed cases whose failing
  finding quotes a source passage (a contradicting clause) rather than reporting an absence.

Reported per scorer and dataset: balanced accuracy, precision and recall on the inconsistent
class, ROC AUC (from 1 - value), median seconds per case. Per injected defect kind: how many the
scorer caught (the case fails) and how many it found (a finding of any severity whose output span
overlaps the edit: a major finding for review is found without failing the case).
"""

from __future__ import annotations

import json
import math
import statistics
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Annotated, Any, Optional

import numpy as np
import typer

from harness.goldens import Case, load_golden
from harness.paths import benchmarks_dir
from harness.plugins import load_suite
from harness.scoring import Scorer

from .classification import best_threshold, classification, roc_auc  # noqa: F401  (also imported from here)

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
                          _found(example, [f.output_span or "" for f in score.findings])))
        if progress:
            progress()
    return out


def metrics_for(dataset: str, rows: list[Judged], threshold: float | None) -> Metrics:
    labels = [r.example.inconsistent for r in rows]
    values = [r.value for r in rows]
    flagged = [v < threshold for v in values] if threshold is not None else [not r.passed for r in rows]
    balanced, precision, recall = classification(labels, flagged)
    return Metrics(dataset, len(rows), sum(labels), threshold, balanced, precision, recall,
                   roc_auc(labels, [1 - v for v in values]), statistics.median(r.seconds for r in rows) if rows else float("nan"))


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


def run_validity(scorers: list[Scorer], root: Path, families: dict[str, set[str]], progress: Callable[[], None] | None = None,
                 by_defect: dict[str, list[DefectRecall]] | None = None,
                 alarms: dict[str, list[FalseAlarms]] | None = None) -> dict[str, list[Metrics]]:
    """Every scorer on SummEdits (threshold from the dev split) and on injected defects.

    `by_defect`, when given, is filled with each scorer's recall per injected defect kind; `alarms` with
    its false alarms on the faithful outputs (`load_faithful`)."""
    summedits = load_summedits(root)
    faithful = load_faithful() if alarms is not None else []
    results: dict[str, list[Metrics]] = {}
    for scorer in scorers:
        rows = judge(scorer, summedits, progress)
        dev = [r for r in rows if r.example.split == DEV_SPLIT]
        cut = best_threshold([r.example.inconsistent for r in dev], [r.value for r in dev])
        report = [r for r in rows if r.example.split == REPORT_SPLIT]
        table = [metrics_for("summedits", report, cut)]
        table += [metrics_for(domain, [r for r in report if r.example.dataset == domain], cut)
                  for domain in sorted({r.example.dataset for r in report})]
        injected_rows = judge(scorer, load_injected(families.get(scorer.name, set())), progress)
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
}


# Suites whose scorers are not consistency judges: omission has its own benchmark (REALSumm,
# Kirstein et al., injected omissions); bias is calibrated by simulation in its own tests.
NOT_CONSISTENCY_SUITES = {"omission", "bias"}


def _fmt(value: float) -> str:
    return "" if value != value else f"{value:.3f}"


def _metric_name(dataset: str) -> str:
    return "".join(c if c.isalnum() or c in "._-" else "_" for c in dataset).strip("_")


def register(app: typer.Typer) -> None:
    """Add `assure bench validity` and `assure bench gate` (entry point `assure.commands`)."""
    from .gate_calibration import add_command as add_gate_calibration

    bench = typer.Typer(no_args_is_help=True, help="Benchmarks: scorer validity against known answers; the gate's calibration.")
    app.add_typer(bench, name="bench")
    add_gate_calibration(bench)  # `assure bench gate`

    @bench.command("validity")
    def validity(
        suite: Annotated[Optional[list[str]], typer.Option("--suite", help="Suites to measure (default: all installed).")] = None,
        report_json: Annotated[Optional[Path], typer.Option("--report-json")] = None,
        benchmarks: Annotated[Optional[Path], typer.Option("--benchmarks", help="Folder of the shared benchmarks.")] = None,
        tracking_uri: Annotated[Optional[str], typer.Option("--tracking-uri", envvar="MLFLOW_TRACKING_URI")] = None,
    ) -> None:
        """Measure each scorer on SummEdits and on injected defects; print a table, log to MLflow."""
        from rich.progress import Progress
        from rich.table import Table

        from harness.cli import console, err_console
        from harness.errors import InputError
        from harness.plugins import available_suites
        from harness.tracking import Tracker
        from suites.omission.validity import omission_validity

        root = benchmarks or benchmarks_dir()
        if not (root / "summedits").is_dir():
            raise InputError.single(root, "no summedits/ here; pass --benchmarks or set ASSURE_BENCHMARKS")
        scorers = []
        measure_omission = False
        for name in suite or available_suites():
            if name in NOT_CONSISTENCY_SUITES:  # measured on their own data below, or not by this benchmark
                measure_omission = measure_omission or name == "omission"
                continue
            try:
                scorers.extend(load_suite(name).scorers)
            except InputError as exc:
                if suite:  # asked for by name: bad input
                    raise
                err_console.print(f"skipping suite {name}: {exc}")
        with Progress(console=err_console, transient=True) as bar:
            task = bar.add_task("judging", total=None)
            by_defect: dict[str, list[DefectRecall]] = {}
            alarms: dict[str, list[FalseAlarms]] = {}
            results = run_validity(scorers, root, DEFECT_FAMILIES, lambda: bar.advance(task), by_defect, alarms)
            omission = omission_validity(root, lambda: bar.advance(task)) if measure_omission else []
        for scorer_name, rows in results.items():
            table = Table("dataset", "n", "pos", "cut", "bal.acc", "prec", "recall", "AUC", "ms/case",
                          title=f"{scorer_name} (SummEdits: {REPORT_SPLIT} split, cut chosen on {DEV_SPLIT})")
            for m in rows:
                table.add_row(m.dataset, str(m.n), str(m.n_inconsistent), "passed" if m.threshold is None else f"{m.threshold:.3f}",
                              f"{m.balanced_accuracy:.3f}", f"{m.precision:.3f}", f"{m.recall:.3f}", f"{m.roc_auc:.3f}",
                              f"{m.median_seconds * 1000:.1f}")
            console.print(table)
        for scorer_name, recalls in by_defect.items():
            sets = sorted({r.dataset for r in recalls})
            table = Table("defect", *sets, title=f"{scorer_name}: injected defects caught (the case fails) / found (a finding on the edit)")
            cells = {(r.defect, r.dataset): f"{r.caught}/{r.injected} caught, {r.found} found" for r in recalls}
            for defect in sorted({r.defect for r in recalls}):
                table.add_row(defect, *(cells.get((defect, d), "") for d in sets))
            console.print(table)
        for scorer_name, rows_ in alarms.items():
            table = Table("faithful outputs", "n", "failed", "false alarms", "critical /100", "failing finding quotes source",
                          "findings (major or critical) by kind", title=f"{scorer_name}: false alarms on faithful outputs")
            for a in rows_:
                table.add_row(a.dataset.removeprefix("faithful:"), str(a.n), str(a.failed), f"{a.false_alarm_rate:.3f}",
                              f"{a.critical_per_100:.1f}", _fmt(a.quoted_share),
                              ", ".join(f"{k} {v}" for k, v in a.by_kind.items()))
            console.print(table)
        if omission:
            table = Table("dataset", "n", "pos", "cut", "accuracy", "F1", "kappa", "AUC", "recall", "false alarms", "ms/case",
                          title="key_fact_recall (REALSumm and Kirstein: eval split, cut chosen on dev)")
            for row in omission:
                table.add_row(row.dataset, str(row.n), str(row.n_positive), "status" if row.cut is None else f"{row.cut:.3f}",
                              *(_fmt(getattr(row, k)) for k in ("accuracy", "f1", "kappa", "roc_auc", "recall", "false_alarm_rate")),
                              f"{row.median_seconds * 1000:.1f}")
            console.print(table)
        payload: dict[str, Any] = {"dev_split": DEV_SPLIT, "report_split": REPORT_SPLIT,
                                   "scorers": {k: [asdict(m) for m in v] for k, v in results.items()}}
        payload["recall_by_defect"] = {k: [asdict(r) for r in v] for k, v in by_defect.items()}
        payload["false_alarms"] = {k: [asdict(a) for a in v] for k, v in alarms.items()}
        if omission:
            payload["key_fact_recall"] = [asdict(row) for row in omission]
        if report_json:
            report_json.write_text(json.dumps(payload, indent=2), encoding="utf-8")
        tracker = Tracker(tracking_uri)
        run_id = tracker.start_run("bench-validity", "validity", {"scorers": ",".join(results), "dev_split": DEV_SPLIT,
                                                                   "report_split": REPORT_SPLIT})
        tracker.log_metrics(run_id, {f"{s}.{m.dataset.replace('(', '').replace(')', '').replace(' ', '_').replace(',', '')}.{k}": getattr(m, k)
                                     for s, rows in results.items() for m in rows
                                     for k in ("balanced_accuracy", "precision", "recall", "roc_auc", "median_seconds")})
        tracker.log_metrics(run_id, {f"{s}.{_metric_name(a.dataset)}.{k}": getattr(a, k) for s, rows_ in alarms.items()
                                     for a in rows_ for k in ("false_alarm_rate", "critical_per_100", "quoted_share")
                                     if getattr(a, k) == getattr(a, k)})
        tracker.log_metrics(run_id, {f"key_fact_recall.{_metric_name(row.dataset)}.{k}": getattr(row, k) for row in omission
                                     for k in ("accuracy", "f1", "kappa", "roc_auc", "recall", "false_alarm_rate", "median_seconds")
                                     if getattr(row, k) == getattr(row, k)})
        tracker.finish(run_id)
        console.print(f"logged to MLflow experiment bench-validity, run {run_id}")
