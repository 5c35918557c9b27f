"""Golden sets: the pydantic models, loading, content hashing and validation.

A golden set is a folder holding `manifest.yaml` and `cases.jsonl`. Loading checks every line
against the schema and that every key fact's `evidence` occurs verbatim in its case's `source`
(runs of whitespace are treated as one space). All problems are collected, each naming file,
line and field, and raised together as one `InputError`.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from .errors import InputError, Problem, pydantic_problems
from .yamlfile import yaml_key_line

Severity = Literal["critical", "major", "minor"]
SEVERITY_WEIGHT: dict[str, float] = {"critical": 3.0, "major": 2.0, "minor": 1.0}

Category = Literal[
    "attendance", "meeting_details", "concern", "alleged_source", "views_wishes", "capacity", "risk",
    "agency_information", "decision", "dissent", "protection_plan", "action", "referral",
    "next_review", "health", "chronology", "carer", "other",
]

_ID = r"^[A-Za-z0-9][A-Za-z0-9_.:-]*$"


class KeyFact(BaseModel):
    """A fact a good output must contain, with the verbatim source quote that supports it."""

    model_config = ConfigDict(extra="forbid")
    id: str = Field(pattern=_ID)
    text: str = Field(min_length=1)
    category: Category
    severity: Severity
    evidence: str = Field(min_length=1, description="Verbatim quote from the case source.")


class Subject(BaseModel):
    """Characteristics of the adult the case is about (used by the bias suite). All fictional."""

    model_config = ConfigDict(extra="allow")
    name: str | None = None
    age: int | None = Field(default=None, ge=0, le=120)
    sex: str | None = None
    ethnicity: str | None = None
    religion: str | None = None
    disability: str | None = None
    sexual_orientation: str | None = None


class Case(BaseModel):
    """One golden case: the source the tool sees, and what a good output must say."""

    model_config = ConfigDict(extra="forbid")
    id: str = Field(pattern=_ID)
    task: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    source: str = Field(min_length=1)
    reference: str | None = None
    key_facts: list[KeyFact] = Field(default_factory=list)
    subject: Subject | None = None
    tags: list[str] = Field(default_factory=list)
    metadata: dict[str, Any] = Field(default_factory=dict)

    def content_hash(self) -> str:
        """SHA-256 of the case's canonical JSON: changes whenever anything in the case changes."""
        return _sha256(_canonical(self.model_dump(mode="json")))


class Manifest(BaseModel):
    """`manifest.yaml`: what the set is, its version and licence. Golden sets are synthetic."""

    model_config = ConfigDict(extra="forbid")
    id: str = Field(pattern=_ID)
    version: str = Field(min_length=1)
    task: str = Field(pattern=r"^[a-z][a-z0-9_]*$", description="The task of every case, or 'mixed'.")
    description: str = Field(min_length=1)
    licence: str = Field(min_length=1)
    synthetic: Literal[True] = Field(description="Golden sets hold no personal data: must be true.")
    provenance: str | None = None
    changelog: list[dict[str, Any]] = Field(default_factory=list)

    @field_validator("version", mode="before")
    @classmethod
    def _version_as_text(cls, value: Any) -> Any:
        return str(value) if isinstance(value, (int, float)) and not isinstance(value, bool) else value

    @field_validator("synthetic", mode="before")
    @classmethod
    def _must_be_synthetic(cls, value: Any) -> Any:
        if value is not True:
            raise ValueError("golden sets must hold synthetic data only: set `synthetic: true`")
        return value


@dataclass(frozen=True)
class GoldenSet:
    """A loaded, validated golden set. `content_hash` identifies its exact content."""

    path: Path
    manifest: Manifest
    cases: list[Case]
    content_hash: str

    @property
    def id(self) -> str:
        return self.manifest.id

    @property
    def version(self) -> str:
        return self.manifest.version

    def case(self, case_id: str) -> Case:
        for case in self.cases:
            if case.id == case_id:
                return case
        raise KeyError(case_id)


def normalise_space(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def load_golden(path: str | Path) -> GoldenSet:
    """Load and validate a golden-set folder; raise `InputError` listing every problem."""
    folder = Path(path)
    if not folder.is_dir():
        raise InputError.single(folder, "not a golden-set folder (expected manifest.yaml and cases.jsonl)")
    problems: list[Problem] = []
    manifest = _load_manifest(folder / "manifest.yaml", problems)
    cases = _load_cases(folder / "cases.jsonl", manifest, problems)
    if problems:
        raise InputError(problems)
    assert manifest is not None
    digest = _sha256(_canonical(manifest.model_dump(mode="json")) + "".join(c.content_hash() for c in cases))
    return GoldenSet(folder, manifest, cases, digest)


def problems_in(path: str | Path) -> list[Problem]:
    """Every problem in a golden set, or an empty list when it is valid."""
    try:
        load_golden(path)
    except InputError as exc:
        return exc.problems
    return []


def json_schemas() -> dict[str, dict[str, Any]]:
    """The exported JSON Schemas for a case line and for the manifest."""
    return {"case": Case.model_json_schema(), "manifest": Manifest.model_json_schema()}


def _load_manifest(file: Path, problems: list[Problem]) -> Manifest | None:
    if not file.is_file():
        problems.append(Problem(str(file), "missing manifest.yaml"))
        return None
    text = file.read_text(encoding="utf-8")
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        line = getattr(getattr(exc, "problem_mark", None), "line", None)
        problems.append(Problem(str(file), f"not valid YAML: {getattr(exc, 'problem', exc)}", None if line is None else line + 1))
        return None
    if not isinstance(data, dict):
        problems.append(Problem(str(file), "must be a YAML mapping"))
        return None
    try:
        return Manifest.model_validate(data)
    except ValidationError as exc:
        for problem in pydantic_problems(file, exc):
            top = (problem.field or "").split(".")[0]
            problems.append(Problem(problem.file, problem.message, yaml_key_line(text, top), problem.field))
        return None


def _load_cases(file: Path, manifest: Manifest | None, problems: list[Problem]) -> list[Case]:
    if not file.is_file():
        problems.append(Problem(str(file), "missing cases.jsonl"))
        return []
    cases: list[Case] = []
    seen: dict[str, int] = {}
    with file.open(encoding="utf-8") as handle:
        for number, line in enumerate(handle, start=1):
            if not line.strip():
                continue
            try:
                data = json.loads(line)
            except json.JSONDecodeError as exc:
                problems.append(Problem(str(file), f"not valid JSON: {exc.msg} (column {exc.colno})", number))
                continue
            try:
                case = Case.model_validate(data)
            except ValidationError as exc:
                problems.extend(pydantic_problems(file, exc, number))
                continue
            problems.extend(_case_problems(file, number, case, manifest, seen))
            seen[case.id] = number
            cases.append(case)
    if not cases and not problems:
        problems.append(Problem(str(file), "holds no cases"))
    return cases


def _case_problems(file: Path, number: int, case: Case, manifest: Manifest | None, seen: dict[str, int]) -> list[Problem]:
    out: list[Problem] = []
    if case.id in seen:
        out.append(Problem(str(file), f"duplicate case id {case.id!r} (first on line {seen[case.id]})", number, "id"))
    if manifest is not None and manifest.task != "mixed" and case.task != manifest.task:
        out.append(Problem(str(file), f"task {case.task!r} differs from the manifest's {manifest.task!r}", number, "task"))
    source = normalise_space(case.source)
    fact_ids: set[str] = set()
    for index, fact in enumerate(case.key_facts):
        if fact.id in fact_ids:
            out.append(Problem(str(file), f"duplicate key fact id {fact.id!r}", number, f"key_facts.{index}.id"))
        fact_ids.add(fact.id)
        if normalise_space(fact.evidence) not in source:
            quote = fact.evidence if len(fact.evidence) <= 60 else fact.evidence[:57] + "..."
            out.append(Problem(str(file), f"evidence not found verbatim in source: {quote!r}", number, f"key_facts.{index}.evidence"))
    return out


def _canonical(data: Any) -> str:
    return json.dumps(data, sort_keys=True, ensure_ascii=False, separators=(",", ":"))


def _sha256(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()
