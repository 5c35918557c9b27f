"""`recorded`: outputs a vendor sent back as a file (JSONL or CSV with `case_id` and `output`)."""

from __future__ import annotations

import csv
import hashlib
import json
from pathlib import Path
from typing import Literal

from ..errors import InputError, Problem
from ..goldens import Case
from .base import BaseTarget, TargetConfig, TargetError, require_text


class RecordedConfig(TargetConfig):
    kind: Literal["recorded"]
    path: str


class RecordedTarget(BaseTarget):
    """Serves outputs from a vendor file; a case with no row is an errored case ('missing')."""

    cacheable = False

    def __init__(self, config: RecordedConfig, base_dir: Path) -> None:
        self.path = (base_dir / config.path).resolve()
        if not self.path.is_file():
            raise InputError.single(self.path, "vendor output file not found", field="path")
        raw = self.path.read_bytes()
        super().__init__(config, base_dir, hashlib.sha256(raw).hexdigest())
        self.outputs = read_vendor_file(self.path)

    def unknown_case_ids(self, cases: list[Case]) -> list[str]:
        known = {case.id for case in cases}
        return sorted(set(self.outputs) - known)

    def missing_case_ids(self, cases: list[Case]) -> list[str]:
        return [case.id for case in cases if case.id not in self.outputs]

    async def generate(self, case: Case) -> str:
        if case.id not in self.outputs:
            raise TargetError("missing", f"the vendor file {self.path.name} has no output for this case")
        return require_text(self.outputs[case.id])


def read_vendor_file(path: Path) -> dict[str, str]:
    """Read `case_id` -> `output` from JSONL or CSV; every bad row is a problem naming line and field."""
    problems: list[Problem] = []
    rows: list[tuple[int, dict[str, object]]] = []
    text = path.read_text(encoding="utf-8-sig")
    if path.suffix.lower() == ".csv":
        reader = csv.DictReader(text.splitlines(keepends=True))
        missing = {"case_id", "output"} - set(reader.fieldnames or [])
        if missing:
            raise InputError.single(path, f"CSV header lacks column(s): {', '.join(sorted(missing))}", 1)
        rows = [(reader.line_num, dict(row)) for row in reader]
    else:
        for number, line in enumerate(text.splitlines(), start=1):
            if not line.strip():
                continue
            try:
                data = json.loads(line)
            except json.JSONDecodeError as exc:
                problems.append(Problem(str(path), f"not valid JSON: {exc.msg}", number))
                continue
            if not isinstance(data, dict):
                problems.append(Problem(str(path), "each line must be a JSON object", number))
                continue
            rows.append((number, data))
    outputs: dict[str, str] = {}
    first_line: dict[str, int] = {}
    for number, row in rows:
        case_id, output = row.get("case_id"), row.get("output")
        if not isinstance(case_id, str) or not case_id.strip():
            problems.append(Problem(str(path), "missing or empty", number, "case_id"))
            continue
        if output is not None and not isinstance(output, str):
            problems.append(Problem(str(path), f"must be text, got {type(output).__name__}", number, "output"))
            continue
        if case_id in first_line:
            problems.append(Problem(str(path), f"duplicate case_id {case_id!r} (first on line {first_line[case_id]})", number, "case_id"))
            continue
        first_line[case_id] = number
        outputs[case_id] = output or ""
    if problems:
        raise InputError(problems)
    if not outputs:
        raise InputError.single(path, "holds no outputs")
    return outputs
