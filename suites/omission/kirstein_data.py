"""The Kirstein et al. 2024 loader: models' summaries of QMSum meetings with annotators' error labels.

`load_kirstein` reads the five models' annotated CSVs into one `KirsteinSummary` per (meeting,
model), linking rows of the same meeting across files; `kirstein_split` gives each meeting's
dev/eval split. How meetings are linked, the labels, the counts and the anomalies are documented
in `suites.omission.benchmark_data`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from harness.errors import InputError
from harness.paths import benchmarks_dir

from .benchmark_io import LoadReport, Split, _read_csv, _split, _Tally, log

KIRSTEIN_FOLDER = "meeting_errors_kirstein2024"
KIRSTEIN_DATA_DIR = Path("data") / "annotated datasets"

_KIRSTEIN_SALT = "assure/kirstein/v3"
_REFUSAL = re.compile(r"^<\s*refused\b", re.IGNORECASE)
_KIRSTEIN_TEXT_COLUMNS = ("Model", "Input", "Gold", "Predicted")
_KIRSTEIN_REQUIRED_LABELS = ("missing_information", "hallucination", "wrong_references")
_YES = frozenset({"yes", "y", "true", "1"})
_NO = frozenset({"no", "n", "false", "0"})


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
    # Every readable yes/no label, keyed as in `suites.omission.benchmark_data`'s docstring; treat as read-only.
    labels: dict[str, bool] = field(default_factory=dict, hash=False, repr=False)

    @property
    def has_summary(self) -> bool:
        """False where the source has no usable summary text (empty, or a refusal marker)."""
        text = self.summary.strip()
        return bool(text) and not _REFUSAL.match(text)


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
