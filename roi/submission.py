"""The ROI submission standard: one YAML file per council and tool (pydantic models), an optional
CSV staff table, and a loader whose every problem names file, line and field.

`staff_groups` is either a YAML list or the path of a CSV file (relative to the YAML file) whose
header row holds the staff-group field names; its problems name the CSV line. Fields left out
that have a documented default are filled by `roi.resolve`, which lists each default it used.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any, Literal

import yaml
from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, ValidationError

from harness.errors import InputError, Problem, pydantic_problems
from harness.yamlfile import read_yaml_mapping, yaml_key_line

from .defaults import default_unit_cost

SCHEMA_VERSION = "1.0"

MeasurementMethod = Literal["time_and_motion", "observed_tasks", "system_logs", "diary", "self_report_survey",
                            "vendor_estimate"]
EVIDENCE_RANK: dict[str, int] = {"time_and_motion": 1, "observed_tasks": 1, "system_logs": 2, "diary": 3,
                                 "self_report_survey": 4, "vendor_estimate": 5}
"""How much weight a time measure bears (1 strongest): time-and-motion or observed tasks outrank
system logs, diaries, surveys and vendor estimates (shared/DOMAIN.md, 'Method matters')."""


def _version_text(value: Any) -> Any:
    """YAML reads `version: 2.3` as a number; keep it as the text the user wrote."""
    return str(value) if isinstance(value, (int, float)) and not isinstance(value, bool) else value


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Tool(_Strict):
    """The tool under appraisal; name and version match the `target`/`target_version` tags of its
    assurance runs, which is how the quality-adjusted view finds them."""

    name: str = Field(min_length=1, description="Tool name as in its assurance target file.")
    version: Annotated[str, BeforeValidator(_version_text)] = Field(min_length=1, description="Tool version.")


class StaffGroup(_Strict):
    """One group of staff using the tool for one kind of task; also one row of the CSV staff table."""

    role: str = Field(min_length=1, description="e.g. social_worker, occupational_therapist, business_support.")
    users: int = Field(ge=1, description="Staff in this group using the tool.")
    hourly_cost_gbp: float | None = Field(None, gt=0, description=(
        "Cost of one working hour. Omit to use the documented default for the role (social_worker: "
        "PSSRU 2024 £58 including qualification costs); other roles must give it."))
    hourly_cost_source: str | None = Field(None, description="Where hourly_cost_gbp comes from, and its price year.")
    tasks_per_user_per_week: float = Field(ge=0, description="Tasks the tool is used for, per user per week.")
    minutes_per_task_before: float = Field(ge=0, description="Mean minutes per task without the tool.")
    minutes_per_task_after: float = Field(ge=0, description=(
        "Mean minutes per task with the tool, INCLUDING checking and editing the tool's output."))
    working_weeks_per_year: float | None = Field(None, gt=0, le=52.18, description=(
        "Working weeks a year; omit for the PSSRU 2024 default of 43.42."))
    time_measured_by: MeasurementMethod = Field(description=(
        "How the minutes were measured; time-and-motion or observed tasks outrank surveys."))
    sample_size: int = Field(ge=1, description="Staff (or tasks) the minutes were measured on.")
    minutes_per_task_before_sd: float | None = Field(None, ge=0, description="Standard deviation across the sample.")
    minutes_per_task_after_sd: float | None = Field(None, ge=0, description="Standard deviation across the sample.")
    tasks_per_user_per_week_sd: float | None = Field(None, ge=0, description="Standard deviation across the sample.")


class Costs(_Strict):
    """What the tool costs. Every field is required (write 0 for none) so no cost is left out silently."""

    licence_per_user_per_year_gbp: float = Field(ge=0)
    setup_one_off_gbp: float = Field(ge=0, description="Set-up, integration, DPIA and procurement, once.")
    training_hours_per_user: float = Field(ge=0, description="Valued at each staff group's hourly cost.")
    annual_support_gbp: float = Field(ge=0)
    annual_infrastructure_gbp: float = Field(ge=0, description="Hosting, compute, devices, a year.")
    annual_governance_hours: float = Field(ge=0, description="Quality assurance, audit, IG and oversight hours a year.")
    governance_hourly_cost_gbp: float | None = Field(None, gt=0, description=(
        "Cost of a governance hour; omit for the social worker rate (PSSRU 2024)."))


class OptimismBias(_Strict):
    """Green Book optimism-bias adjustments; omitted fields take the documented defaults."""

    one_off_cost_uplift: float | None = Field(None, ge=0, le=5, description="Default 0.10 (equipment/development, lower bound).")
    recurring_cost_uplift: float | None = Field(None, ge=0, le=5, description="Default 0.")
    benefit_shortfall: float | None = Field(None, ge=0, le=1, description="Share of the benefit taken off; default 0.")


class OtherScale(_Strict):
    """An optional work-engagement, workload or stress scale: scores only, never questionnaire text."""

    name: str = Field(min_length=1)
    min: float
    max: float
    higher_is_better: bool = True
    paired: bool
    before: list[float] = Field(min_length=2)
    after: list[float] = Field(min_length=2)
    licence: str | None = Field(None, description="Licence under which the scores are held.")


class Wellbeing(_Strict):
    """SWEMWBS scores per respondent before and after the tool (scores only: the questionnaire text
    may not be redistributed)."""

    instrument: Literal["SWEMWBS"]
    score_type: Literal["metric", "raw"] = Field("metric", description=(
        "metric: 7.00-35.00 metric scores; raw: 7-35 item sums, converted with the official table."))
    paired: bool = Field(description="true when before[i] and after[i] are the same person.")
    before: list[float] = Field(min_length=2)
    after: list[float] = Field(min_length=2)
    mid: float | None = Field(None, gt=0, description="Minimal important difference; default 3 (Shah et al. 2018: 1 to 3).")
    other_scales: list[OtherScale] = Field(default_factory=list)


class QualityAssumptions(_Strict):
    """What measured failure rates cost in checking time; the defaults are documented assumptions."""

    minutes_per_task_per_unit_hallucination_rate: float | None = Field(None, ge=0)
    minutes_per_task_per_unit_omission_rate: float | None = Field(None, ge=0)
    risk_cost_per_failed_output_gbp: float | None = Field(None, ge=0)
    golden_set: str | None = Field(None, description="Use only assurance runs on this golden set.")


class Submission(_Strict):
    """One council's ROI submission for one tool."""

    schema_version: Literal["1.0"] = SCHEMA_VERSION
    council: str = Field(min_length=1, max_length=200)
    tool: Tool
    appraisal_years: int = Field(ge=1, le=75, description="Years of operation appraised (after set-up in year 0).")
    synthetic: bool = Field(False, description="true for made-up demonstration data.")
    measurement_period: str | None = None
    notes: str | None = None
    staff_groups: list[StaffGroup] = Field(min_length=1)
    costs: Costs
    cashable_share: float | None = Field(None, ge=0, le=1, description=(
        "Share of the benefit that is cash-releasing (posts, agency spend or overtime actually fall); default 0."))
    optimism_bias: OptimismBias | None = None
    fte_hours_per_year: float | None = Field(None, gt=0, le=2500, description="Hours of one FTE; default 1,607 (PSSRU 2024).")
    wellbeing: Wellbeing | None = None
    quality_assumptions: QualityAssumptions | None = None


class SubmissionDocument(Submission):
    """The published file format: `staff_groups` may also be the path of a CSV staff table."""

    model_config = ConfigDict(extra="forbid", title="ROI submission")

    staff_groups: Annotated[list[StaffGroup], Field(min_length=1)] | str = Field(description=(  # type: ignore[assignment]
        "A list of staff groups, or the path (relative to this file) of a CSV file with one staff group a row "
        "and the staff-group field names as its header."))


def json_schemas() -> dict[str, dict[str, Any]]:
    """The published JSON Schemas: the submission file and one CSV staff-table row."""
    return {"submission": SubmissionDocument.model_json_schema(), "staff_group": StaffGroup.model_json_schema()}


def write_schemas(folder: Path | None = None) -> list[Path]:
    """Re-export the published JSON Schemas (roi/schema/*.schema.json); return the files written."""
    import json

    from .paths import SCHEMA_DIR

    target = folder or SCHEMA_DIR
    target.mkdir(parents=True, exist_ok=True)
    written = []
    for name, schema in json_schemas().items():
        path = target / f"{name}.schema.json"
        path.write_text(json.dumps(schema, indent=2) + "\n", encoding="utf-8")
        written.append(path)
    return written


@dataclass(frozen=True)
class LoadedSubmission:
    """A valid submission and where it came from."""

    path: Path
    submission: Submission
    staff_table: Path | None = None


def load_submissions(paths: list[Path]) -> list[LoadedSubmission]:
    """Load every file; all problems in all files are reported together (one InputError)."""
    loaded, problems = [], []
    for path in paths:
        try:
            loaded.append(load_submission(path))
        except InputError as exc:
            problems.extend(exc.problems)
    if problems:
        raise InputError(problems)
    return loaded


def load_submission(path: str | Path) -> LoadedSubmission:
    """Read and validate one YAML submission (and its CSV staff table, if it names one)."""
    file = Path(path)
    data, text = read_yaml_mapping(file, "ROI submission")
    root = _compose(text)
    problems: list[Problem] = []
    origins: list[tuple[str, int | None, str]] = []
    staff_table = None
    groups = data.get("staff_groups")
    if isinstance(groups, str):
        staff_table = file.parent / groups
        valid, row_lines, csv_problems = read_staff_table(staff_table, file, _node_line(root, ("staff_groups",)))
        problems.extend(csv_problems)
        origins = [(str(staff_table), line, "") for line in row_lines]
        data = {**data, "staff_groups": valid or [_PLACEHOLDER]}
    elif isinstance(groups, list):
        origins = [(str(file), _node_line(root, ("staff_groups", i)), f"staff_groups.{i}.") for i in range(len(groups))]
    try:
        submission = Submission.model_validate(data)
    except ValidationError as exc:
        for problem in pydantic_problems(file, exc):
            path_parts = tuple(int(p) if p.isdigit() else p for p in (problem.field or "").split(".") if p)
            line = _node_line(root, path_parts) or yaml_key_line(text, str(path_parts[0]) if path_parts else "")
            problems.append(Problem(problem.file, problem.message, line, problem.field))
        raise InputError(problems) from exc
    if problems:
        raise InputError(problems)
    problems.extend(_meaning_problems(submission, file, root, origins))
    if problems:
        raise InputError(problems)
    return LoadedSubmission(file, submission, staff_table)


_PLACEHOLDER = StaffGroup(role="placeholder", users=1, hourly_cost_gbp=1, tasks_per_user_per_week=0,
                          minutes_per_task_before=0, minutes_per_task_after=0, time_measured_by="diary", sample_size=1)


def read_staff_table(path: Path, yaml_file: Path, yaml_line: int | None) -> tuple[list[StaffGroup], list[int], list[Problem]]:
    """(valid rows, their CSV line numbers, problems) of a CSV staff table; blank cells mean 'omitted',
    lines starting with '#' are comments."""
    if not path.is_file():
        return [], [], [Problem(str(yaml_file), f"staff table not found: {path}", yaml_line, "staff_groups")]
    known = set(StaffGroup.model_fields)
    required = {name for name, f in StaffGroup.model_fields.items() if f.is_required()}
    groups: list[StaffGroup] = []
    lines: list[int] = []
    problems: list[Problem] = []
    with path.open(encoding="utf-8-sig", newline="") as handle:
        # '#' comment lines become blank lines, which are skipped, so line numbers stay physical.
        reader = csv.reader("\n" if line.lstrip().startswith("#") else line for line in handle)
        header: list[str] | None = None
        header_line = 1
        for cells in reader:
            line = reader.line_num
            if not cells or all(not c.strip() for c in cells):
                continue
            if header is None:
                header, header_line = [c.strip() for c in cells], line
                for column in header:
                    if column not in known:
                        problems.append(Problem(str(path), "unknown column; expected some of: "
                                                + ", ".join(StaffGroup.model_fields), line, column or "(blank header)"))
                for column in sorted(required - set(header)):
                    problems.append(Problem(str(path), "required column missing from the header", line, column))
                if problems:
                    return [], [], problems
                continue
            if len(cells) != len(header):
                problems.append(Problem(str(path), f"{len(cells)} cells but {len(header)} header columns", line))
                continue
            row = {k: v.strip() for k, v in zip(header, cells) if v.strip() != ""}
            try:
                groups.append(StaffGroup.model_validate(row))
                lines.append(line)
            except ValidationError as exc:
                problems.extend(Problem(str(path), p.message, line, p.field) for p in pydantic_problems(path, exc))
    if header is None:
        return [], [], [Problem(str(path), "empty file: expected a header row of staff-group fields", 1)]
    if not groups and not problems:
        problems.append(Problem(str(path), "no staff rows under the header", header_line))
    return groups, lines, problems


def _meaning_problems(sub: Submission, file: Path, root: yaml.Node | None,
                      origins: list[tuple[str, int | None, str]]) -> list[Problem]:
    """Checks the types cannot express: a default exists for the role, scores in range, pairs match."""
    problems = []
    for group, (where, line, prefix) in zip(sub.staff_groups, origins):
        if group.hourly_cost_gbp is None and default_unit_cost(group.role) is None:
            problems.append(Problem(where, f"no documented default unit cost for role {group.role!r} (defaults exist "
                                    "for: social_worker); give hourly_cost_gbp and hourly_cost_source", line,
                                    f"{prefix}hourly_cost_gbp"))
    wellbeing = sub.wellbeing
    if wellbeing is not None:
        problems.extend(_score_problems(file, root, ("wellbeing",), wellbeing.before, wellbeing.after, wellbeing.paired,
                                        7.0, 35.0, integers=wellbeing.score_type == "raw"))
        for i, scale in enumerate(wellbeing.other_scales):
            where = ("wellbeing", "other_scales", i)
            if scale.max <= scale.min:
                problems.append(Problem(str(file), "must be greater than min", _node_line(root, (*where, "max")),
                                        "wellbeing.other_scales.%d.max" % i))
                continue
            problems.extend(_score_problems(file, root, where, scale.before, scale.after, scale.paired, scale.min, scale.max))
    return problems


def _score_problems(file: Path, root: yaml.Node | None, where: tuple[str | int, ...], before: list[float],
                    after: list[float], paired: bool, low: float, high: float, integers: bool = False) -> list[Problem]:
    dotted = ".".join(str(p) for p in where)
    problems = []
    for side, scores in (("before", before), ("after", after)):
        for i, score in enumerate(scores):
            if not low <= score <= high:
                problems.append(Problem(str(file), f"score {score:g} is outside {low:g} to {high:g}",
                                        _node_line(root, (*where, side, i)), f"{dotted}.{side}.{i}"))
            elif integers and score != int(score):
                problems.append(Problem(str(file), f"raw SWEMWBS scores are whole numbers 7 to 35, got {score:g}",
                                        _node_line(root, (*where, side, i)), f"{dotted}.{side}.{i}"))
    if paired and len(before) != len(after):
        problems.append(Problem(str(file), f"paired scores need one 'after' per 'before' ({len(before)} before, "
                                f"{len(after)} after); set paired: false if the respondents differ",
                                _node_line(root, (*where, "after")), f"{dotted}.after"))
    return problems


def _compose(text: str) -> yaml.Node | None:
    try:
        return yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError:
        return None


def _node_line(root: yaml.Node | None, path: tuple[str | int, ...]) -> int | None:
    """1-based line of the deepest node along `path` (a key's line for mapping entries)."""
    node, line = root, None
    for part in path:
        if isinstance(node, yaml.MappingNode):
            for key, value in node.value:
                if isinstance(key, yaml.ScalarNode) and key.value == str(part):
                    line, node = key.start_mark.line + 1, value
                    break
            else:
                return line
        elif isinstance(node, yaml.SequenceNode) and isinstance(part, int) and 0 <= part < len(node.value):
            node = node.value[part]
            line = node.start_mark.line + 1
        else:
            return line
    return line
