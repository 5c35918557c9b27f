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

The loaders live in `suites.omission.realsumm_data` and `suites.omission.kirstein_data`, what
they share in `suites.omission.benchmark_io`; this module documents the data and gives one place to
import them from.
"""

from __future__ import annotations

from .benchmark_io import LoadReport, Split  # noqa: F401  (Split: re-exported, as before the split)
from .kirstein_data import (  # noqa: F401  (the folder names: re-exported, as before the split)
    KIRSTEIN_DATA_DIR,
    KIRSTEIN_FOLDER,
    KirsteinSummary,
    kirstein_load_report,
    kirstein_split,
    load_kirstein,
)
from .realsumm_data import (  # noqa: F401  (the folder and file names: re-exported, as before the split)
    REALSUMM_FOLDER,
    REALSUMM_KEYFACTS,
    REALSUMM_SCU_DIR,
    REALSUMM_SCU_LIST,
    RealsummJudgement,
    load_realsumm,
    realsumm_load_report,
    realsumm_split,
)

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
