"""Per-run folder: the plan (what to run) and an append-only log of finished cases.

Each finished case is one JSON line, flushed and fsynced before the case is reported as finished
(cases that finish together share one fsync), so after a `kill -9` `assure run --resume RUN_ID`
redoes nothing that finished. A torn last line (the process died mid-write) is ignored and that
case is redone. Whichever executor runs the cases (local or Ray), only the driver writes this log.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

from pydantic import BaseModel, Field

from .errors import InputError
from .paths import runs_dir
from .scoring import Score


class RunPlan(BaseModel):
    """What a run is: enough to resume it from another process."""

    run_id: str
    golden_path: str
    golden_hash: str
    target_path: str
    target_config_hash: str
    suites: list[str]
    tracking_uri: str
    report_json: str | None = None
    concurrency: int | None = None
    judge_path: str | None = None
    executor: str = "local"
    ray_address: str | None = None


class CaseResult(BaseModel):
    """One case's outcome: the output or the error, and each scorer's score."""

    case_id: str
    output: str | None = None
    error: str | None = None
    error_kind: str | None = None
    attempts: int = 0
    cached: bool = False
    seconds: float = 0.0
    scores: dict[str, Score] = Field(default_factory=dict)


def run_folder(run_id: str) -> Path:
    return runs_dir() / run_id


def save_plan(plan: RunPlan) -> None:
    folder = run_folder(plan.run_id)
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "plan.json").write_text(plan.model_dump_json(indent=2), encoding="utf-8")


def load_plan(run_id: str) -> RunPlan:
    file = run_folder(run_id) / "plan.json"
    if not file.is_file():
        raise InputError.single("--resume", f"no run {run_id!r} to resume under {runs_dir()} (see `assure runs`)")
    return RunPlan.model_validate_json(file.read_text(encoding="utf-8"))


class CheckpointLog:
    """Append-only JSONL of finished cases for one run."""

    def __init__(self, run_id: str) -> None:
        self.path = run_folder(run_id) / "results.jsonl"
        self.path.parent.mkdir(parents=True, exist_ok=True)

    def finished(self) -> dict[str, CaseResult]:
        done: dict[str, CaseResult] = {}
        if not self.path.is_file():
            return done
        for line in self.path.read_text(encoding="utf-8").splitlines():
            try:
                result = CaseResult.model_validate(json.loads(line))
            except (ValueError, TypeError):
                continue  # a torn final line from a killed process: that case is redone
            done[result.case_id] = result
        return done

    def append(self, result: CaseResult) -> None:
        self.extend([result])

    def extend(self, results: list[CaseResult]) -> None:
        """Append finished cases, flushed and fsynced together (one fsync however many there are)."""
        if not results:
            return
        with self.path.open("a", encoding="utf-8") as handle:
            handle.write("".join(result.model_dump_json() + "\n" for result in results))
            handle.flush()
            os.fsync(handle.fileno())
