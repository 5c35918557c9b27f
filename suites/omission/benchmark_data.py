"""Loaders for two human-labelled benchmarks that measure an omission (key-fact recall) scorer.

Both read the public data copied unchanged into the shared benchmarks folder
(`harness.paths.benchmarks_dir()`, i.e. `ASSURE_BENCHMARKS` or `../shared/benchmarks`); see each
folder's SOURCE.md for provenance and licences. A missing data folder or file raises
`harness.errors.InputError` naming the path. A row that cannot be parsed is dropped and counted,
never fatal: `realsumm_load_report()` / `kirstein_load_report()` return the counts. Results are
cached per folder for the life of the process (the data is read-only); each call returns a new list.

REALSumm (Bhandari et al. 2020) -> `load_realsumm()` -> `RealsummJudgement`
-----------------------------------------------------------------------------
One judgement = (document, system, key fact): did the crowd say the key fact (a summary content
unit, SCU, written from the reference summary) is present in that system's summary?

How documents are linked. Every file names documents by the same id, ``cnndm<N>`` where N is the
zero-based line of the article in the CNN/DailyMail test set:
- SCUs_list.csv: ``eventId`` (= ``sourceSummaryId``); ``questionId`` is the SCU's global id,
  16 slots per document (ids 16*i .. 16*i+15), unused slots hold the text ``BLANK``.
- the MTurk CSVs: ``Input.eventId``; ``Input.qIdList`` lists the 16 questionIds shown in the HIT,
  in the order of ``Input.statement_1..16`` / ``Answer.S1Answer..S16Answer``. Every statement was
  checked against SCUs_list.csv (all 1,600 ids x 25 systems agree: same document, same text); an
  answer whose id, document or text disagrees would be dropped and counted.
- FineSurE human-keyfact-list.json (JSON Lines despite its name): ``doc_id`` is the same
  ``cnndm<N>``; it gives ``transcript`` (the source article, lower-cased and tokenised) and
  ``reference``. These fill `source` and `reference` (``<t>``/``</t>`` sentence tags removed,
  whitespace collapsed); if the file is absent both are empty strings. The article text equals
  selected_docs_for_human_eval/abs/ptr_generator/src.txt line i for doc ``cnndm<L[i]>`` where L is
  the line list in selected_documents.md (checked for all 100), and each system's summary in the
  MTurk CSV matches that system's out*.txt line (after normalising case, tags and punctuation) for
  86-100 of the 100 docs, so the three sources agree on which document is which.
- `summary` is ``Input.summary_text``, the text the annotators actually read.

How labels are aggregated. Answers ``p`` (present) / ``n`` (not present) are pooled over every row
(assignment) of the HIT for that (system, document); the files carry no worker ids, so each row
counts as one annotator. ``present`` = strict majority of ``p`` (``n_present * 2 > n_annotators``);
a tie (2-2, only possible with 4 rows) counts as NOT present, as in the LitePyramids crowdsourcing
scripts that REALSumm used (``ANSWER_TIE_BREAKER = 0.0``). `n_present` is kept, so callers can
drop ties or weight by agreement. BLANK slots are skipped (they are padding, not key facts).
`key_fact_index` is the 0-based position of the SCU among its document's non-BLANK SCUs, in
questionId order; `scu_id` is the questionId.

System names are ``Input.summaryId`` (e.g. ``t5_out_11B``, ``pnbert_out_bert_lstm_pn``). One id,
``bart_out``, is used by two different files with different summaries (BART abstractive in
SCU_rating_results_abs_systems, BART extractive in ..._ext_systems; see neulab/REALSumm issue #3,
whose pickled scores conflate them): such an id gets the folder's suffix, ``bart_out_abs`` and
``bart_out_ext``. Note banditsumm_out.csv and neusumm_out_* sit in the abs folder although both
systems are extractive (REALSumm README); names do not depend on the folder otherwise.

Counts (this copy of the data): 7,743 HIT rows read, 0 dropped; 100 documents; 25 systems;
1,056 non-BLANK SCUs (5 to 16 per document); 26,400 judgements (= 25 x 1,056), 12,069 present
(45.7%). Annotators per judgement: 3 for 24,019, 4 for 2,381. Votes: 3-0 or 0-3 for 18,697 (3 rows),
4-0 or 0-4 for 2,104; 277 ties (2-2) -> not present.

Anomalies: (1) FineSurE's key_facts list has 1,043 facts, not 1,056: in cnndm7626, cnndm10563 and
cnndm6731 a BLANK slot sits between SCUs and FineSurE kept only the SCUs before it (13 dropped).
This loader uses SCUs_list.csv, which the annotations refer to. (2) The 243 HITs with 4 rows look
duplicated rather than independent: in every one of them each SCU has an even number of ``p``
votes (0, 2 or 4; never 1 or 3), and in 231 of them the four answer rows are two or four copies of
the same answers. They are kept as given (no worker ids to tell copies from agreement); all 277
ties come from them. (3) The ext-folder bart_out summaries match
ext/bart/out.txt; the abs-folder ones match abs/bart/out.txt.

Kirstein et al. 2024 -> `load_kirstein()` -> `KirsteinSummary`
---------------------------------------------------------------
One record = one model's summary of one QMSum meeting, with the annotators' yes/no error labels.
Files: ``data/annotated datasets/<Model>_summaries.csv`` (semicolon-separated, UTF-8 with BOM);
``input_challenges.csv`` (transcript difficulty) is not loaded.

How meetings are linked: the five files list the same 35 items in the same row order (checked:
Input and Gold are identical at every row position). Linking by transcript alone is not possible
because four transcripts (meetings 11-14, Welsh Parliament committee meetings) are empty in the
source, so the key is (Input, Gold): `meeting_index` is the 0-based position of that pair in the
first file read (files in name order, DialogLED first), which is the common row order. All 35
Gold references are distinct.

Labels: every yes/no column becomes a key of `labels` (lower case, spaces to underscores, text
after " / " dropped): missing_information, total_omission, partial_omission (header "partial
omission / lacking depth"), redundancy, wrong_references, incorrect_reasoning, hallucination,
incoherence, linguistic_inaccuracy, structural_disorganization. Values are case-insensitive
(the data mixes "No" and "no"). A label cell that is neither yes nor no is left out of `labels`
and counted; a row whose missing_information, hallucination or wrong_references cannot be read
is dropped.

Counts: 175 summaries, 35 meetings, 5 models (DialogLED, GPT, LED, PEGASUS-X, Zephyr).
Missing Information yes 166/175, Hallucination yes 42/175, Wrong References yes 28/175,
Total omission yes 95/140, partial omission yes 98/140.

Anomalies: (1) Zephyr_summaries.csv has no "Total omission" or "partial omission" columns, so
`total_omission` and `partial_omission` are None for Zephyr's 35 rows. (2) GPT35_summaries.csv
has an empty Predicted cell for meetings 9-34 (26 of 35) and "<refused by ChatGPT>" for meeting
4, yet labels for all 35 (the refused one is labelled "yes" on every error): only 8 GPT summaries
can be scored. `KirsteinSummary.has_summary` is False for those 27; drop them before scoring.
(3) Transcripts are cut at 32,765 characters (the spreadsheet cell limit) for 24 meetings and
empty for 4 (meetings 11-14); only 7 look complete. Use `reference` (Gold) as the content to
recall, not the transcript.

Splits
------
`realsumm_split(doc_id)` and `kirstein_split(meeting_index)` put each document or meeting wholly
in "dev" (choose thresholds) or "eval" (report), by the parity of the first byte of SHA-256 of a
salted id. The salt was picked, before looking at any label, as the first of a few versioned
salts giving a near-even split: REALSumm 51 dev / 49 eval documents, Kirstein 17 dev / 18 eval
meetings.
"""

from __future__ import annotations

import ast
import csv
import hashlib
import json
import logging
import re
from collections import defaultdict
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Literal

from harness.errors import InputError
from harness.paths import benchmarks_dir

__all__ = [
    "KirsteinSummary",
    "LoadReport",
    "RealsummJudgement",
    "kirstein_load_report",
    "kirstein_split",
    "load_kirstein",
    "load_realsumm",
    "realsumm_load_report",
    "realsumm_split",
]

log = logging.getLogger(__name__)

Split = Literal["dev", "eval"]

REALSUMM_FOLDER = "realsumm"
REALSUMM_SCU_DIR = Path("human_annotations") / "SCUs_and_annotations"
REALSUMM_SCU_LIST = "SCUs_list.csv"
REALSUMM_KEYFACTS = Path("finesure_keyfacts") / "dataset" / "realsumm" / "human-keyfact-list.json"
KIRSTEIN_FOLDER = "meeting_errors_kirstein2024"
KIRSTEIN_DATA_DIR = Path("data") / "annotated datasets"

_REALSUMM_SALT = "assure/realsumm/v2"
_KIRSTEIN_SALT = "assure/kirstein/v3"
_BLANK = "BLANK"
_SLOTS = 16
_MAX_EXAMPLES = 20  # drop messages kept in a report
_REFUSAL = re.compile(r"^<\s*refused\b", re.IGNORECASE)
_KIRSTEIN_TEXT_COLUMNS = ("Model", "Input", "Gold", "Predicted")
_KIRSTEIN_REQUIRED_LABELS = ("missing_information", "hallucination", "wrong_references")
_YES = frozenset({"yes", "y", "true", "1"})
_NO = frozenset({"no", "n", "false", "0"})


@dataclass(frozen=True)
class RealsummJudgement:
    """Was one key fact (SCU) judged present in one system's summary of one CNN/DM article?"""

    doc_id: str  # "cnndm<N>": line N of the CNN/DailyMail test set
    system: str  # Input.summaryId, e.g. "bart_out_abs", "t5_out_11B"
    summary: str  # Input.summary_text, as the annotators saw it
    key_fact: str  # the SCU statement
    key_fact_index: int  # 0-based among the document's non-BLANK SCUs
    present: bool  # strict majority said "p"; ties are not present
    n_annotators: int  # answer rows pooled (3 or 4)
    source: str = field(repr=False)  # article text (FineSurE transcript); "" if not linked
    reference: str = field(repr=False)  # reference summary, sentence tags removed; "" if not linked
    n_present: int = 0  # annotators who said "p"
    scu_id: int = -1  # questionId in SCUs_list.csv

    @property
    def tie(self) -> bool:
        return self.n_present * 2 == self.n_annotators


@dataclass(frozen=True)
class KirsteinSummary:
    """One model's summary of one QMSum meeting, with the annotators' yes/no error labels."""

    meeting_index: int  # 0..34, the common row order of the five CSVs
    model: str  # the Model column: DialogLED, GPT, LED, PEGASUS-X, Zephyr
    transcript: str = field(repr=False)  # Input (truncated at 32,765 chars in the source; 4 empty)
    reference: str = field(repr=False)  # Gold (QMSum reference summary)
    summary: str  # Predicted ("" for 26 GPT rows in the source)
    missing_information: bool
    total_omission: bool | None  # None where the file has no such column (Zephyr)
    partial_omission: bool | None  # "partial omission / lacking depth"; None for Zephyr
    hallucination: bool
    wrong_references: bool
    # Every readable yes/no label, keyed as in the module docstring; treat as read-only.
    labels: dict[str, bool] = field(default_factory=dict, hash=False, repr=False)

    @property
    def has_summary(self) -> bool:
        """False where the source has no usable summary text (empty, or a refusal marker)."""
        text = self.summary.strip()
        return bool(text) and not _REFUSAL.match(text)


@dataclass(frozen=True)
class LoadReport:
    """What a loader read and what it had to drop."""

    files_read: int = 0
    rows_read: int = 0
    rows_dropped: int = 0
    answers_dropped: int = 0  # REALSumm: single answers unreadable or not matching SCUs_list.csv
    labels_unreadable: int = 0  # Kirstein: label cells neither yes nor no
    blank_slots_skipped: int = 0  # REALSumm: answers on BLANK padding statements
    ties: int = 0  # REALSumm: judgements with as many "p" as "n" votes
    docs_without_source: int = 0  # REALSumm: documents not found in the key-fact file
    problems: tuple[str, ...] = ()  # the first few reasons for drops, "file:line: why"


# ---------------------------------------------------------------------------------------------
# REALSumm


def load_realsumm(root: Path | None = None) -> list[RealsummJudgement]:
    """All REALSumm (document, system, key fact) judgements, ordered by document, system, fact.

    `root` is the benchmarks folder (default `benchmarks_dir()`); the realsumm/ folder itself is
    accepted too.
    """
    return list(_realsumm(_realsumm_root(root))[0])


def realsumm_load_report(root: Path | None = None) -> LoadReport:
    """Counts of what `load_realsumm` read and dropped."""
    return _realsumm(_realsumm_root(root))[1]


def realsumm_split(doc_id: str) -> Split:
    """ "dev" or "eval" for a REALSumm document; deterministic, about half each."""
    if not isinstance(doc_id, str) or not doc_id:
        raise TypeError(f"doc_id must be a non-empty string, got {doc_id!r}")
    return _split(_REALSUMM_SALT, doc_id)


def _realsumm_root(root: Path | None) -> Path:
    base = Path(root).expanduser().resolve() if root is not None else benchmarks_dir()
    if not (base / REALSUMM_SCU_DIR).is_dir():  # the benchmarks folder, not realsumm/ itself
        base = base / REALSUMM_FOLDER
    scu_dir = base / REALSUMM_SCU_DIR
    if not scu_dir.is_dir():
        raise InputError.single(scu_dir, "REALSumm annotations folder not found; "
                                "pass the benchmarks folder or set ASSURE_BENCHMARKS")
    return base


@dataclass
class _Tally:
    rows_read: int = 0
    rows_dropped: int = 0
    answers_dropped: int = 0
    labels_unreadable: int = 0
    blank_slots_skipped: int = 0
    problems: list[str] = field(default_factory=list)

    def note(self, where: str, why: str) -> None:
        if len(self.problems) < _MAX_EXAMPLES:
            self.problems.append(f"{where}: {why}")


@lru_cache(maxsize=4)
def _realsumm(base: Path) -> tuple[tuple[RealsummJudgement, ...], LoadReport]:
    scu_dir = base / REALSUMM_SCU_DIR
    tally = _Tally()
    scus = _read_scu_list(scu_dir / REALSUMM_SCU_LIST, tally)
    # The position of each real (non-BLANK) SCU within its document.
    index_of: dict[int, int] = {}
    per_doc: dict[str, list[int]] = defaultdict(list)
    for qid, (doc, text) in sorted(scus.items()):
        if text != _BLANK:
            index_of[qid] = len(per_doc[doc])
            per_doc[doc].append(qid)

    files = sorted(scu_dir.glob("SCU_rating_results_*/*.csv"))
    if not files:
        raise InputError.single(scu_dir, "no SCU_rating_results_*/*.csv annotation files")

    # First pass: parse rows; system names need the whole set of files to resolve clashes.
    parsed: list[tuple[Path, str, dict[str, str]]] = []
    ids_by_file: dict[str, set[Path]] = defaultdict(set)
    for path in files:
        for line, row in _read_csv(path, tally):
            summary_id = (row.get("Input.summaryId") or "").strip() or _stem_system(path)
            ids_by_file[summary_id].add(path)
            parsed.append((path, f"{path.name}:{line}", {**row, "Input.summaryId": summary_id}))

    votes: dict[tuple[str, str, int], list[bool]] = defaultdict(list)
    summaries: dict[tuple[str, str], str] = {}
    for path, where, row in parsed:
        doc = (row.get("Input.eventId") or "").strip()
        text = (row.get("Input.summary_text") or "").strip()
        qids = _parse_qids(row.get("Input.qIdList"))
        if not doc or doc not in per_doc or not text or qids is None:
            tally.rows_dropped += 1
            why = ("unknown or missing Input.eventId" if not doc or doc not in per_doc
                   else "empty Input.summary_text" if not text else "unreadable Input.qIdList")
            tally.note(where, why)
            continue
        system = _system_name(row["Input.summaryId"], path, ids_by_file)
        summaries.setdefault((system, doc), text)
        for k, qid in enumerate(qids, start=1):
            scu = scus.get(qid)
            statement = (row.get(f"Input.statement_{k}") or "").strip()
            if scu is not None and scu[1] == _BLANK and scu[0] == doc:
                tally.blank_slots_skipped += 1
                continue
            if scu is None or scu[0] != doc or statement != scu[1]:
                tally.answers_dropped += 1
                tally.note(where, f"statement {k} (questionId {qid}) does not match {REALSUMM_SCU_LIST}")
                continue
            answer = (row.get(f"Answer.S{k}Answer") or "").strip().lower()
            if answer not in ("p", "n"):
                tally.answers_dropped += 1
                tally.note(where, f"Answer.S{k}Answer is {answer!r}, not p/n")
                continue
            votes[(system, doc, qid)].append(answer == "p")

    articles, refs, keyfact_problem = _read_keyfacts(base / REALSUMM_KEYFACTS)
    if keyfact_problem:
        tally.note(str(base / REALSUMM_KEYFACTS), keyfact_problem)

    judgements = []
    ties = 0
    for (system, doc, qid), answers in votes.items():
        n_present = sum(answers)
        ties += n_present * 2 == len(answers)
        judgements.append(RealsummJudgement(
            doc_id=doc, system=system, summary=summaries[(system, doc)], key_fact=scus[qid][1],
            key_fact_index=index_of[qid], present=n_present * 2 > len(answers),
            n_annotators=len(answers), source=articles.get(doc, ""), reference=refs.get(doc, ""),
            n_present=n_present, scu_id=qid))
    judgements.sort(key=lambda j: (_doc_number(j.doc_id), j.doc_id, j.system, j.key_fact_index))
    docs = {j.doc_id for j in judgements}
    report = LoadReport(
        files_read=len(files) + 1, rows_read=tally.rows_read, rows_dropped=tally.rows_dropped,
        answers_dropped=tally.answers_dropped, blank_slots_skipped=tally.blank_slots_skipped,
        ties=ties, docs_without_source=sum(doc not in articles for doc in docs),
        problems=tuple(tally.problems))
    if report.rows_dropped or report.answers_dropped or report.docs_without_source:
        log.warning("REALSumm: dropped %d rows and %d answers; %d documents without source text",
                    report.rows_dropped, report.answers_dropped, report.docs_without_source)
    return tuple(judgements), report


def _read_scu_list(path: Path, tally: _Tally) -> dict[int, tuple[str, str]]:
    """questionId -> (document id, SCU text), BLANK padding included."""
    if not path.is_file():
        raise InputError.single(path, "REALSumm SCU list not found")
    scus: dict[int, tuple[str, str]] = {}
    for line, row in _read_csv(path, tally, count=False):
        try:
            qid = int((row.get("questionId") or "").strip())
        except ValueError:
            tally.note(f"{path.name}:{line}", "unreadable questionId")
            continue
        doc = (row.get("eventId") or "").strip()
        text = (row.get("questionText") or "").strip()
        if doc and text:
            scus[qid] = (doc, text)
        else:
            tally.note(f"{path.name}:{line}", "missing eventId or questionText")
    if not scus:
        raise InputError.single(path, "no SCUs could be read")
    return scus


def _read_keyfacts(path: Path) -> tuple[dict[str, str], dict[str, str], str]:
    """doc_id -> article text and -> reference, from FineSurE's file (JSON Lines or a JSON list)."""
    if not path.is_file():
        log.warning("REALSumm: %s not found; source and reference will be empty", path)
        return {}, {}, "file not found; source and reference left empty"
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        return {}, {}, f"unreadable: {exc}"
    records: list[object] = []
    bad = 0
    if text.lstrip().startswith("["):
        try:
            records = list(json.loads(text))
        except json.JSONDecodeError:
            bad += 1
    else:
        for raw in text.splitlines():
            if raw.strip():
                try:
                    records.append(json.loads(raw))
                except json.JSONDecodeError:
                    bad += 1
    articles: dict[str, str] = {}
    refs: dict[str, str] = {}
    for rec in records:
        if not isinstance(rec, dict) or not isinstance(rec.get("doc_id"), str):
            bad += 1
            continue
        articles[rec["doc_id"]] = str(rec.get("transcript") or "").strip()
        refs[rec["doc_id"]] = _clean_reference(str(rec.get("reference") or ""))
    return articles, refs, (f"{bad} unreadable records" if bad else "")


def _clean_reference(text: str) -> str:
    return " ".join(re.sub(r"</?t>", " ", text).split())


def _parse_qids(raw: str | None) -> list[int] | None:
    try:
        value = ast.literal_eval((raw or "").strip())
        qids = [int(q) for q in value]
    except (ValueError, TypeError, SyntaxError, MemoryError, RecursionError):
        return None
    return qids if 0 < len(qids) <= _SLOTS else None


def _stem_system(path: Path) -> str:
    return re.sub(r"_Batch_crowd_\d+$", "", path.stem)


def _system_name(summary_id: str, path: Path, ids_by_file: dict[str, set[Path]]) -> str:
    """The summaryId, suffixed with its folder's kind (abs/ext) when two files share it."""
    if len(ids_by_file[summary_id]) < 2:
        return summary_id
    match = re.match(r"SCU_rating_results_(\w+?)_systems$", path.parent.name)
    return f"{summary_id}_{match.group(1) if match else path.parent.name}"


def _doc_number(doc_id: str) -> int:
    match = re.search(r"(\d+)$", doc_id)
    return int(match.group(1)) if match else -1


# ---------------------------------------------------------------------------------------------
# Kirstein et al. 2024


def load_kirstein(root: Path | None = None) -> list[KirsteinSummary]:
    """All 5 models' summaries of the 35 meetings, ordered by meeting then model.

    `root` is the benchmarks folder (default `benchmarks_dir()`); the
    meeting_errors_kirstein2024/ folder itself is accepted too.
    """
    return list(_kirstein(_kirstein_dir(root))[0])


def kirstein_load_report(root: Path | None = None) -> LoadReport:
    """Counts of what `load_kirstein` read and dropped."""
    return _kirstein(_kirstein_dir(root))[1]


def kirstein_split(meeting_index: int) -> Split:
    """ "dev" or "eval" for a Kirstein meeting; deterministic, about half each."""
    if isinstance(meeting_index, bool) or not isinstance(meeting_index, int) or meeting_index < 0:
        raise TypeError(f"meeting_index must be a non-negative int, got {meeting_index!r}")
    return _split(_KIRSTEIN_SALT, str(meeting_index))


def _kirstein_dir(root: Path | None) -> Path:
    base = Path(root).expanduser().resolve() if root is not None else benchmarks_dir()
    data = base / KIRSTEIN_DATA_DIR
    if not data.is_dir():
        data = base / KIRSTEIN_FOLDER / KIRSTEIN_DATA_DIR
    if not data.is_dir():
        raise InputError.single(data, "Kirstein et al. 2024 annotated datasets folder not found; "
                                "pass the benchmarks folder or set ASSURE_BENCHMARKS")
    return data


def _label_key(header: str) -> str:
    name = header.split(" / ")[0].strip().lower()
    return re.sub(r"[^a-z0-9]+", "_", name).strip("_")


def _yes_no(value: str | None) -> bool | None:
    text = (value or "").strip().lower()
    return True if text in _YES else False if text in _NO else None


@lru_cache(maxsize=4)
def _kirstein(data: Path) -> tuple[tuple[KirsteinSummary, ...], LoadReport]:
    files = sorted(data.glob("*_summaries.csv"))
    if not files:
        raise InputError.single(data, "no *_summaries.csv files")
    tally = _Tally()
    meeting_of: dict[tuple[str, str], int] = {}
    by_gold: dict[str, int] = {}
    out: list[KirsteinSummary] = []
    for path in files:
        for line, row in _read_csv(path, tally, delimiter=";"):
            where = f"{path.name}:{line}"
            row = {(k or "").strip(): v for k, v in row.items() if k}
            model = (row.get("Model") or "").strip()
            transcript = row.get("Input") or ""
            gold = (row.get("Gold") or "").strip()
            if not model or not gold or "Predicted" not in row:
                tally.rows_dropped += 1
                tally.note(where, "missing Model, Gold or Predicted")
                continue
            labels: dict[str, bool] = {}
            for header, value in row.items():
                if header in _KIRSTEIN_TEXT_COLUMNS:
                    continue
                parsed = _yes_no(value)
                if parsed is None:
                    tally.labels_unreadable += 1
                    tally.note(where, f"{header!r} is {value!r}, not yes/no")
                else:
                    labels[_label_key(header)] = parsed
            if any(key not in labels for key in _KIRSTEIN_REQUIRED_LABELS):
                tally.rows_dropped += 1
                tally.note(where, "missing or unreadable Missing Information, Hallucination or Wrong References")
                continue
            key = (transcript, gold)
            if key not in meeting_of:
                if files.index(path) == 0 or gold not in by_gold:
                    meeting_of[key] = len(meeting_of)
                    by_gold.setdefault(gold, meeting_of[key])
                else:  # same reference, transcript differs: link by the reference
                    meeting_of[key] = by_gold[gold]
                    tally.note(where, "transcript differs from the first file; linked by Gold")
            out.append(KirsteinSummary(
                meeting_index=meeting_of[key], model=model, transcript=transcript, reference=gold,
                summary=(row.get("Predicted") or "").strip(),
                missing_information=labels["missing_information"],
                total_omission=labels.get("total_omission"),
                partial_omission=labels.get("partial_omission"),
                hallucination=labels["hallucination"], wrong_references=labels["wrong_references"],
                labels=labels))
    out.sort(key=lambda s: (s.meeting_index, s.model))
    report = LoadReport(files_read=len(files), rows_read=tally.rows_read, rows_dropped=tally.rows_dropped,
                        labels_unreadable=tally.labels_unreadable, problems=tuple(tally.problems))
    if report.rows_dropped or report.labels_unreadable:
        log.warning("Kirstein: dropped %d rows; %d label cells unreadable",
                    report.rows_dropped, report.labels_unreadable)
    return tuple(out), report


# ---------------------------------------------------------------------------------------------
# Shared helpers


def _split(salt: str, key: str) -> Split:
    return "dev" if hashlib.sha256(f"{salt}:{key}".encode()).digest()[0] % 2 == 0 else "eval"


def _read_csv(path: Path, tally: _Tally, *, delimiter: str = ",", count: bool = True):
    """Yield (line number, row dict); a file cut short by a CSV error keeps the rows before it."""
    try:
        with path.open(encoding="utf-8-sig", newline="") as handle:
            reader = csv.DictReader(handle, delimiter=delimiter)
            try:
                for row in reader:
                    if count:
                        tally.rows_read += 1
                    if None in row:  # more cells than headers: a shifted row
                        if count:
                            tally.rows_dropped += 1
                        tally.note(f"{path.name}:{reader.line_num}", "more cells than headers")
                        continue
                    yield reader.line_num, row
            except csv.Error as exc:
                tally.note(f"{path.name}:{reader.line_num}", f"CSV error, rest of file skipped: {exc}")
    except (OSError, UnicodeDecodeError) as exc:
        tally.note(str(path), f"unreadable: {exc}")
