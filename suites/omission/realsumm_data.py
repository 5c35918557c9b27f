"""The REALSumm loader: crowd judgements of whether each key fact (SCU) is in each system's summary.

`load_realsumm` reads the annotations, SCU list and FineSurE source texts, and pools each HIT's
answers into one `RealsummJudgement` per (document, system, key fact); `realsumm_split` gives each
document's dev/eval split. How the files are linked, how labels are aggregated, the counts and the
anomalies are documented in `suites.omission.benchmark_data`.
"""

from __future__ import annotations

import ast
import json
import re
from collections import defaultdict
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from harness.errors import InputError
from harness.paths import benchmarks_dir

from .benchmark_io import LoadReport, Split, _read_csv, _split, _Tally, log

REALSUMM_FOLDER = "realsumm"
REALSUMM_SCU_DIR = Path("human_annotations") / "SCUs_and_annotations"
REALSUMM_SCU_LIST = "SCUs_list.csv"
REALSUMM_KEYFACTS = Path("finesure_keyfacts") / "dataset" / "realsumm" / "human-keyfact-list.json"

_REALSUMM_SALT = "assure/realsumm/v2"
_BLANK = "BLANK"
_SLOTS = 16


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
