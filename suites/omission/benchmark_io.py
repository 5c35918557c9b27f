"""What the benchmark loaders share: the load report, the tally of drops, CSV reading and the split.

`LoadReport` is what a loader read and dropped; `_Tally` counts it while reading; `_read_csv` yields
rows and keeps the rows before a CSV error; `_split` puts a key in "dev" or "eval" by a salted
hash. The loaders log under `suites.omission.benchmark_data`, the module that documents the data.
"""

from __future__ import annotations

import csv
import hashlib
import logging
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

log = logging.getLogger("suites.omission.benchmark_data")

Split = Literal["dev", "eval"]

_MAX_EXAMPLES = 20  # drop messages kept in a report


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
