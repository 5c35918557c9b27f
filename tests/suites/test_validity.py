from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from scipy.stats import mannwhitneyu

from harness.benchmark_results import read_results
from harness.tracking import Tracker
from harness.goldens import Case
from suites.validity import Example, _found, best_threshold, classification, roc_auc
from tests.conftest import run_cli

labelled = st.lists(st.tuples(st.booleans(), st.floats(0, 1)), min_size=2, max_size=60).filter(
    lambda rows: any(y for y, _ in rows) and not all(y for y, _ in rows))


@given(labelled)
def test_roc_auc_equals_the_mann_whitney_statistic(rows: list[tuple[bool, float]]) -> None:
    labels, scores = [y for y, _ in rows], [s for _, s in rows]
    positives = [s for y, s in rows if y]
    negatives = [s for y, s in rows if not y]
    expected = mannwhitneyu(positives, negatives).statistic / (len(positives) * len(negatives))
    assert roc_auc(labels, scores) == pytest.approx(expected)


def test_classification_by_hand() -> None:
    labels = [True, True, True, False, False, False, False, False]
    flagged = [True, True, False, True, False, False, False, False]
    balanced, precision, recall = classification(labels, flagged)
    assert recall == pytest.approx(2 / 3) and precision == pytest.approx(2 / 3)
    assert balanced == pytest.approx((2 / 3 + 4 / 5) / 2)


@given(labelled)
def test_best_threshold_is_optimal_on_its_own_data(rows: list[tuple[bool, float]]) -> None:
    labels, values = [y for y, _ in rows], [v for _, v in rows]
    cut = best_threshold(labels, values)
    chosen = classification(labels, [v < cut for v in values])[0]
    for other in set(values):
        assert chosen >= classification(labels, [v < other for v in values])[0] - 1e-12


def test_a_defect_is_found_only_by_a_finding_that_overlaps_the_edit() -> None:
    output = "Mrs Campbell fell on Monday. She consented to police involvement. The GP visited."
    start = output.index("consented")
    example = Example("injected:minutes", "all", Case(id="c1", task="t", source="x"), output, True, "consent_flip",
                      (start, start + len("consented")))
    assert _found(example, ["She consented to police involvement."])
    assert not _found(example, ["The GP visited.", "Mrs Campbell fell on Monday."])
    assert not _found(example, [])
    reference = Example("injected:minutes", "all", example.case, output, False)
    assert _found(reference, ["The GP visited."]) is None


@pytest.mark.integration
def test_bench_validity_command(tmp_path: Path) -> None:
    result = run_cli("bench", "validity", "--suite", "hallucination", "--report-json", str(tmp_path / "v.json"),
                     "--results-dir", str(tmp_path / "results"), cwd=tmp_path, timeout=300)
    assert result.returncode == 0, result.stderr
    report = json.loads((tmp_path / "v.json").read_text())
    envelope = read_results(tmp_path / "results" / "validity.json")  # the figures with the commit and machine
    assert envelope["benchmark"] == "validity" and envelope["settings"]["suites"] == ["hallucination"]
    assert envelope["command"].startswith("assure bench validity --suite hallucination")
    assert envelope["figures"] == json.loads(json.dumps(report), parse_constant=lambda _: None)
    assert report["dev_split"] == "test" and report["report_split"] == "evaluation"
    rows = {m["dataset"]: m for m in report["scorers"]["unsupported_details"]}
    assert {"summedits", "news", "qmsumm", "sales_call", "injected:minutes", "injected:notes"} <= set(rows)
    assert rows["summedits"]["n"] == 377 and rows["summedits"]["n_inconsistent"] == 220
    assert rows["injected:minutes"]["precision"] >= 0.9  # the literal check rarely flags a faithful reference
    by_defect = {(r["dataset"], r["defect"]): r for r in report["recall_by_defect"]["claim_support"]}
    assert {"wrong_person", "consent_flip", "swapped_name"} <= {defect for _, defect in by_defect}
    injected = sum(r["injected"] for r in by_defect.values())
    positives = sum(m["n_inconsistent"] for m in report["scorers"]["claim_support"] if m["dataset"].startswith("injected"))
    assert injected == positives and all(0 <= r["caught"] <= r["injected"] for r in by_defect.values())
    assert by_defect[("injected:minutes", "swapped_name")]["caught"] == by_defect[("injected:minutes", "swapped_name")]["injected"]
    assert by_defect[("injected:minutes", "swapped_name")]["found"] == by_defect[("injected:minutes", "swapped_name")]["injected"]
    assert all(0 <= r["found"] <= r["injected"] for r in by_defect.values())
    (run,) = Tracker().list_runs(experiments=["bench-validity"])
    assert run.metrics["unsupported_details.summedits.balanced_accuracy"] == pytest.approx(rows["summedits"]["balanced_accuracy"])


def test_bench_without_benchmarks_is_bad_input(tmp_path: Path) -> None:
    result = run_cli("bench", "validity", "--benchmarks", str(tmp_path), cwd=tmp_path)
    assert result.returncode == 2 and "no summedits/" in result.stderr


def test_false_alarms_count_failed_faithful_outputs_and_whether_they_quote_the_source() -> None:
    from harness.goldens import Case
    from suites.hallucination import ClaimSupportScorer
    from suites.validity import Example, false_alarms

    case = Case(id="f1", task="case_note_summary", source="Mrs Lee did not consent to the referral. She lives in Eastvale.")
    outputs = {"flip": "Mrs Lee consented to the referral.", "date": "Mrs Lee was seen on 3 March 2025 in Eastvale.",
               "fine": "Mrs Lee did not consent to the referral."}
    examples = [Example("faithful:test", "all", case, text, False) for text in outputs.values()]
    (row,) = false_alarms(ClaimSupportScorer(), examples)
    assert (row.n, row.failed) == (3, 2) and abs(row.false_alarm_rate - 2 / 3) < 1e-9
    assert row.quoted_share == 0.5, "the flip quotes the contradicting clause; the unsupported date only reports an absence"
    assert row.by_kind["consent_flip"] == 1 and row.by_kind["unsupported_date"] == 1
    assert abs(row.critical_per_100 - 200 / 3) < 1e-9


def test_faithful_outputs_include_references_restyled_and_baseline() -> None:
    from suites.validity import load_faithful

    datasets = {e.dataset for e in load_faithful()}
    assert {f"faithful:{k}:{s}" for k in ("references", "restyled", "baseline") for s in ("minutes", "notes")} == datasets


def test_omission_false_alarms_cover_the_outputs_that_keep_every_key_fact() -> None:
    from suites.validity import omission_false_alarms

    alarms = omission_false_alarms(limit=3)  # the first 3 outputs of each set: a cold embedding cache is slow
    recall = {row.dataset: row for row in alarms["key_fact_recall"]}
    # the extractive baseline leaves facts out by design: failing it is no false alarm, so it is not counted
    assert set(recall) == {f"faithful:{k}:{s}" for k in ("references", "restyled") for s in ("minutes", "notes")}
    assert all(row.n == 3 and 0 <= row.failed <= row.n for row in recall.values())
    assert all(row.critical_per_100 == 0 or row.failed for row in recall.values())  # a critical omission fails the case
    structure = {row.dataset for row in alarms["minutes_structure"]}
    assert structure <= set(recall) and "faithful:restyled:minutes" in structure


@given(st.lists(st.tuples(st.sampled_from(["news", "qmsumm"]), st.sampled_from(["test", "evaluation"]), st.booleans()),
                max_size=60), st.integers(2, 12), st.integers(0, 3))
def test_a_balanced_sample_keeps_at_most_n_per_dataset_half_each_label_where_it_can(
        rows: list[tuple[str, str, bool]], per_group: int, seed: int) -> None:
    from suites.validity_benchmark import balanced_sample

    examples = [Example(d, s, Case(id=f"c{i}", task="summary", source="s"), f"o{i}", bad) for i, (d, s, bad) in enumerate(rows)]
    chosen = balanced_sample(examples, per_group, seed)
    assert chosen == balanced_sample(examples, per_group, seed)  # the same seed draws the same sample
    assert [e for e in examples if e in chosen] == chosen  # the input's order is kept
    for group in {(e.dataset, e.split) for e in examples}:
        members = [e for e in examples if (e.dataset, e.split) == group]
        picked = [e for e in chosen if (e.dataset, e.split) == group]
        bad, good = sum(e.inconsistent for e in members), sum(not e.inconsistent for e in members)
        assert len(picked) == min(per_group, len(members))
        if bad >= per_group and good >= per_group:  # both labels plentiful: half each (the odd one inconsistent)
            assert sum(e.inconsistent for e in picked) == (per_group + 1) // 2


def test_a_balanced_sample_of_a_plentiful_group_is_half_inconsistent() -> None:
    from suites.validity_benchmark import balanced_sample

    examples = [Example("news", "evaluation", Case(id=f"c{i}", task="summary", source="s"), f"o{i}", i % 2 == 0) for i in range(20)]
    assert [sum(e.inconsistent for e in balanced_sample(examples, n)) for n in (3, 4, 6)] == [2, 2, 3]
    skewed = examples[:3] + [e for e in examples if not e.inconsistent]  # only 2 inconsistent to draw from
    assert sum(e.inconsistent for e in balanced_sample(skewed, 6)) == 2 and len(balanced_sample(skewed, 6)) == 6


def test_the_deep_judges_fitted_figures_are_printed_from_their_results_files_or_name_the_command(tmp_path: Path) -> None:
    import shutil

    from rich.console import Console

    from harness.benchmark_results import default_results_dir
    from suites.validity_deep import FITS, print_fitted

    console = Console(record=True, width=200)
    print_fitted(console, tmp_path)
    missing = console.export_text()
    assert all(command in missing for command in FITS.values())
    for benchmark in FITS:
        shutil.copy(default_results_dir() / f"{benchmark}.json", tmp_path)
    console = Console(record=True, width=200)
    print_fitted(console, tmp_path)
    shown = console.export_text()
    presence = read_results(tmp_path / "deep_presence.json")["figures"]["combined"]
    deep = read_results(tmp_path / "deep_judge.json")["figures"]["summedits"]["all"]
    assert f"{presence['kappa']:.3f}" in shown and f"{deep['balanced_accuracy']:.3f}" in shown
    assert "left out of fitting" in shown and "references passed" in shown and "not yet measured" not in shown
    assert "injected:notes: recall" in shown  # plain text: no emoji code read into ":notes:"
