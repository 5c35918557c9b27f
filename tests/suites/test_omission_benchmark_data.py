"""Loaders for the REALSumm and Kirstein et al. 2024 omission benchmarks (real data + synthetic edge cases)."""

from __future__ import annotations

import csv
import dataclasses
from collections import Counter, defaultdict
from pathlib import Path

import pytest

from harness.errors import InputError
from harness.paths import benchmarks_dir
from suites.omission.benchmark_data import (
    KirsteinSummary,
    RealsummJudgement,
    kirstein_load_report,
    kirstein_split,
    load_kirstein,
    load_realsumm,
    realsumm_load_report,
    realsumm_split,
)

BENCH = benchmarks_dir()


@pytest.fixture(scope="module")
def realsumm() -> list[RealsummJudgement]:
    return load_realsumm()


@pytest.fixture(scope="module")
def kirstein() -> list[KirsteinSummary]:
    return load_kirstein()


def _find(items, **fields):
    found = [x for x in items if all(getattr(x, k) == v for k, v in fields.items())]
    assert len(found) == 1, (fields, len(found))
    return found[0]


# --- REALSumm: real data -------------------------------------------------------------------------


def test_realsumm_counts(realsumm: list[RealsummJudgement]) -> None:
    report = realsumm_load_report()
    assert (report.rows_read, report.rows_dropped, report.answers_dropped) == (7743, 0, 0)
    assert report.docs_without_source == 0
    assert len(realsumm) == 26_400  # 25 systems x 1,056 non-BLANK SCUs
    assert len({j.doc_id for j in realsumm}) == 100
    assert len({j.system for j in realsumm}) == 25
    assert len({(j.doc_id, j.key_fact_index) for j in realsumm}) == 1056
    assert sum(j.present for j in realsumm) == 12_069
    assert Counter(j.n_annotators for j in realsumm) == {3: 24_019, 4: 2_381}
    assert sum(j.tie for j in realsumm) == report.ties == 277
    assert all(not j.present for j in realsumm if j.tie)  # ties resolved as not present


def test_realsumm_every_system_judged_on_every_fact(realsumm: list[RealsummJudgement]) -> None:
    facts = defaultdict(set)
    for j in realsumm:
        facts[(j.doc_id, j.system)].add(j.key_fact_index)
    per_doc = defaultdict(set)
    for (doc, _), indices in facts.items():
        per_doc[doc].add(frozenset(indices))
    assert len(facts) == 2500
    assert all(len(v) == 1 and next(iter(v)) == frozenset(range(len(next(iter(v))))) for v in per_doc.values())


def test_realsumm_documents_carry_source_and_reference(realsumm: list[RealsummJudgement]) -> None:
    by_doc = {j.doc_id: j for j in realsumm}
    assert all(j.source and j.reference and "<t>" not in j.reference for j in by_doc.values())
    first = by_doc["cnndm5476"]
    assert first.source.startswith("kevin carr is set to complete his epic 16,300 round-the-world trip")
    assert first.reference.startswith("kevin carr set off on his epic journey from haytor , dartmoor in july 2013 .")


def test_realsumm_spot_checks_verified_by_hand(realsumm: list[RealsummJudgement]) -> None:
    # bart_out_Batch_crowd_3.csv (abs), cnndm10542, statement 6 "Rivals earned an impressive victory .": p, n, n
    j = _find(realsumm, doc_id="cnndm10542", system="bart_out_abs", key_fact_index=5)
    assert (j.key_fact, j.present, j.n_present, j.n_annotators, j.scu_id) == (
        "Rivals earned an impressive victory .", False, 1, 3, 933)
    assert j.summary.startswith("Dundee United Striker Nadir CIFTCI celebrated a goal")
    # statement 5 "Ciftci was left blushing.": n, n, n for abstractive BART; p, p, p for extractive BART
    assert not _find(realsumm, doc_id="cnndm10542", system="bart_out_abs", key_fact_index=4).present
    ext = _find(realsumm, doc_id="cnndm10542", system="bart_out_ext", key_fact_index=4)
    assert (ext.key_fact, ext.present, ext.n_present) == ("Ciftci was left blushing.", True, 3)
    assert ext.summary != j.summary
    # banditsumm_out.csv, cnndm1492, statement 2 "Phil Smith forgot his keys.": n, n, p, p (a tie)
    tie = _find(realsumm, doc_id="cnndm1492", system="banditsumm_out", key_fact_index=1)
    assert (tie.key_fact, tie.present, tie.n_present, tie.n_annotators) == ("Phil Smith forgot his keys.", False, 2, 4)


def test_realsumm_interior_blank_slots_are_skipped(realsumm: list[RealsummJudgement]) -> None:
    # cnndm7626 has SCUs in slots 0-2 and 4-9 with a BLANK in slot 3: nine key facts, indices 0..8.
    facts = {j.key_fact_index: j for j in realsumm if j.doc_id == "cnndm7626" and j.system == "t5_out_11B"}
    assert sorted(facts) == list(range(9))
    assert facts[3].scu_id == facts[2].scu_id + 2 and facts[3].key_fact != "BLANK"


def test_realsumm_split_is_disjoint_deterministic_and_near_half(realsumm: list[RealsummJudgement]) -> None:
    docs = sorted({j.doc_id for j in realsumm})
    splits = {d: realsumm_split(d) for d in docs}
    assert splits == {d: realsumm_split(d) for d in docs}
    counts = Counter(splits.values())
    assert counts == {"dev": 51, "eval": 49}
    dev_docs = {j.doc_id for j in realsumm if realsumm_split(j.doc_id) == "dev"}
    eval_docs = {j.doc_id for j in realsumm if realsumm_split(j.doc_id) == "eval"}
    assert dev_docs and eval_docs and not dev_docs & eval_docs and dev_docs | eval_docs == set(docs)


def test_realsumm_split_pinned_values() -> None:
    # Pinned so that a change of salt or hash (which would move documents between splits) is noticed.
    assert [realsumm_split(d) for d in ("cnndm5476", "cnndm10542", "cnndm1492", "cnndm19")] == [
        "eval", "dev", "eval", "eval"]
    assert [kirstein_split(i) for i in range(6)] == ["dev", "eval", "dev", "eval", "dev", "eval"]
    assert {realsumm_split(f"cnndm{i}") for i in range(50)} == {"dev", "eval"}
    with pytest.raises(TypeError):
        realsumm_split("")


# --- Kirstein et al. 2024: real data ------------------------------------------------------------


def test_kirstein_counts(kirstein: list[KirsteinSummary]) -> None:
    report = kirstein_load_report()
    assert (report.files_read, report.rows_read, report.rows_dropped, report.labels_unreadable) == (5, 175, 0, 0)
    assert len(kirstein) == 175
    assert sorted({s.meeting_index for s in kirstein}) == list(range(35))
    assert Counter(s.model for s in kirstein) == {m: 35 for m in ("DialogLED", "GPT", "LED", "PEGASUS-X", "Zephyr")}
    assert sum(s.missing_information for s in kirstein) == 166
    assert sum(s.hallucination for s in kirstein) == 42
    assert sum(s.wrong_references for s in kirstein) == 28
    assert sum(bool(s.total_omission) for s in kirstein) == 95
    assert sum(bool(s.partial_omission) for s in kirstein) == 98
    # Zephyr's file has no omission-type columns; every other row has both.
    assert {s.model for s in kirstein if s.total_omission is None or s.partial_omission is None} == {"Zephyr"}
    assert all(s.labels["missing_information"] == s.missing_information for s in kirstein)
    assert set(kirstein[0].labels) == {
        "missing_information", "total_omission", "partial_omission", "redundancy", "wrong_references",
        "incorrect_reasoning", "hallucination", "incoherence", "linguistic_inaccuracy", "structural_disorganization"}


def test_kirstein_meetings_link_the_five_models(kirstein: list[KirsteinSummary]) -> None:
    by_meeting = defaultdict(list)
    for s in kirstein:
        by_meeting[s.meeting_index].append(s)
    for rows in by_meeting.values():
        assert sorted(s.model for s in rows) == ["DialogLED", "GPT", "LED", "PEGASUS-X", "Zephyr"]
        assert len({s.reference for s in rows}) == 1 and len({s.transcript for s in rows}) == 1
    assert len({rows[0].reference for rows in by_meeting.values()}) == 35
    assert sum(not rows[0].transcript for rows in by_meeting.values()) == 4  # empty in the source
    assert by_meeting[0][0].reference.startswith("The group discussed the first version of the Bayes-net")


def test_kirstein_spot_checks_verified_by_hand(kirstein: list[KirsteinSummary]) -> None:
    # PEGASUSX_summaries.csv data row 10 (meeting 9): yes yes no yes no yes no yes no yes
    p = _find(kirstein, meeting_index=9, model="PEGASUS-X")
    assert p.summary.startswith("The The Committee also heard from the Minister of Employment")
    assert (p.missing_information, p.total_omission, p.partial_omission, p.wrong_references, p.hallucination) == (
        True, True, False, False, False)
    assert p.labels["redundancy"] and p.labels["incorrect_reasoning"] and not p.labels["linguistic_inaccuracy"]
    # Zephyr, meeting 0: Missing Information yes, Hallucination no, Incoherence yes
    z = _find(kirstein, meeting_index=0, model="Zephyr")
    assert (z.missing_information, z.hallucination, z.total_omission, z.labels["incoherence"]) == (
        True, False, None, True)
    # GPT: refusal at meeting 4, empty Predicted from meeting 9 on
    gpt = {s.meeting_index: s for s in kirstein if s.model == "GPT"}
    assert gpt[4].summary == "<refused by ChatGPT>" and not gpt[4].has_summary
    assert sorted(i for i, s in gpt.items() if s.has_summary) == [0, 1, 2, 3, 5, 6, 7, 8]
    assert sum(s.has_summary for s in kirstein) == 148


def test_kirstein_split_is_disjoint_deterministic_and_near_half(kirstein: list[KirsteinSummary]) -> None:
    splits = {i: kirstein_split(i) for i in range(35)}
    assert splits == {i: kirstein_split(i) for i in range(35)}
    assert Counter(splits.values()) == {"dev": 17, "eval": 18}
    dev = {s.meeting_index for s in kirstein if kirstein_split(s.meeting_index) == "dev"}
    ev = {s.meeting_index for s in kirstein if kirstein_split(s.meeting_index) == "eval"}
    assert not dev & ev and dev | ev == set(range(35))
    for bad in (-1, "3", True, 2.0):
        with pytest.raises(TypeError):
            kirstein_split(bad)  # type: ignore[arg-type]


def test_records_are_frozen() -> None:
    j = RealsummJudgement("d", "s", "sum", "fact", 0, True, 3, source="", reference="")
    with pytest.raises(dataclasses.FrozenInstanceError):
        j.present = False  # type: ignore[misc]
    k = KirsteinSummary(0, "m", "t", "r", "s", True, None, None, False, False, {"x": True})
    hash(k)  # the labels dict does not stop records being hashed


# --- Missing data and malformed rows (synthetic, in tmp_path) -----------------------------------


def test_missing_folders_raise_naming_the_path(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="SCUs_and_annotations"):
        load_realsumm(tmp_path)
    with pytest.raises(InputError, match="annotated datasets"):
        load_kirstein(tmp_path)
    (tmp_path / "realsumm" / "human_annotations" / "SCUs_and_annotations").mkdir(parents=True)
    with pytest.raises(InputError, match="SCUs_list.csv"):
        load_realsumm(tmp_path)


def _mturk_row(doc: str, qids: str, summary: str, statements: list[str], answers: list[str]) -> list[str]:
    statements = statements + ["BLANK"] * (16 - len(statements))
    answers = answers + ["n"] * (16 - len(answers))
    return [doc, "sys_out", qids, summary, *statements, *answers]


def _write_realsumm(root: Path) -> None:
    base = root / "realsumm" / "human_annotations" / "SCUs_and_annotations"
    (base / "SCU_rating_results_abs_systems").mkdir(parents=True)
    scus = ["eventId,questionId,questionText,answer,author,sourceSummaryId,forUse"]
    texts = ["Fact A.", "BLANK", "Fact B.", "Fact C."] + ["BLANK"] * 12
    scus += [f"cnndm1,{i},{t},Y,,cnndm1,1" for i, t in enumerate(texts)]
    scus.append("cnndm1,notanumber,Broken.,Y,,cnndm1,1")
    (base / "SCUs_list.csv").write_text("\n".join(scus) + "\n", encoding="utf-8")
    header = ["Input.eventId", "Input.summaryId", "Input.qIdList", "Input.summary_text",
              *[f"Input.statement_{k}" for k in range(1, 17)], *[f"Answer.S{k}Answer" for k in range(1, 17)]]
    qids = str([str(i) for i in range(16)])
    stmts = texts[:4]
    rows = [
        _mturk_row("cnndm1", qids, "A summary.", stmts, ["p", "n", "p", "p"]),
        _mturk_row("cnndm1", qids, "A summary.", stmts, ["p", "n", "n", "x"]),  # 'x' is dropped
        _mturk_row("cnndm1", qids, "A summary.", stmts, ["n", "n", "p", "n"]),
        _mturk_row("cnndm1", qids, "A summary.", stmts, ["p", "n", "n", "n"]),
        _mturk_row("cnndm1", "not a list", "A summary.", stmts, ["p"] * 4),  # row dropped
        _mturk_row("cnndm99", qids, "A summary.", stmts, ["p"] * 4),  # unknown doc: row dropped
    ]
    out = base / "SCU_rating_results_abs_systems" / "sys_out_Batch_crowd_3.csv"
    with out.open("w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f)
        writer.writerow(header)
        writer.writerows(rows)


def test_realsumm_malformed_rows_are_dropped_and_counted(tmp_path: Path) -> None:
    _write_realsumm(tmp_path)
    judgements = load_realsumm(tmp_path)
    report = realsumm_load_report(tmp_path)
    assert (report.rows_read, report.rows_dropped, report.answers_dropped) == (6, 2, 1)
    assert report.docs_without_source == 1 and report.problems
    by_index = {j.key_fact_index: j for j in judgements}
    assert sorted(by_index) == [0, 1, 2]  # the BLANK in slot 1 is skipped
    a, b, c = by_index[0], by_index[1], by_index[2]
    assert (a.key_fact, a.n_present, a.n_annotators, a.present) == ("Fact A.", 3, 4, True)
    assert (b.key_fact, b.n_present, b.n_annotators, b.present, b.tie) == ("Fact B.", 2, 4, False, True)
    assert (c.key_fact, c.n_present, c.n_annotators, c.present) == ("Fact C.", 1, 3, False)
    assert all(j.source == "" and j.reference == "" and j.system == "sys_out" for j in judgements)
    # The realsumm/ folder itself is accepted as root too.
    assert load_realsumm(tmp_path / "realsumm") == judgements


def test_kirstein_malformed_cells_are_counted(tmp_path: Path) -> None:
    data = tmp_path / "meeting_errors_kirstein2024" / "data" / "annotated datasets"
    data.mkdir(parents=True)
    head = "Model;Input;Gold;Predicted;Missing Information;Hallucination;Wrong References;Redundancy"
    (data / "A_summaries.csv").write_text(
        "\ufeff" + head + "\nA;t1;g1;s1;yes;No;no;maybe\nA;t2;g2;s2;perhaps;no;no;no\nA;t3;g3;;YES;no;no;no\n",
        encoding="utf-8")
    (data / "B_summaries.csv").write_text(
        head + "\nB;t3;g3;b3;no;yes;yes;no\nB;t1;g1;b1;yes;no;no;yes\n", encoding="utf-8")
    rows = load_kirstein(tmp_path)
    report = kirstein_load_report(tmp_path)
    assert (report.rows_read, report.rows_dropped, report.labels_unreadable) == (5, 1, 2)
    assert [(s.meeting_index, s.model) for s in rows] == [(0, "A"), (0, "B"), (1, "A"), (1, "B")]
    first = rows[0]
    assert (first.missing_information, first.hallucination, first.total_omission) == (True, False, None)
    assert "redundancy" not in first.labels  # "maybe" is unreadable, left out
    assert not rows[2].has_summary and rows[3].summary == "b3" and rows[3].hallucination
