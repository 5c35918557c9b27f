"""The submission standard: bundled files, published schemas, defaults listed, and bad input named by
file, line and field."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from harness.errors import InputError
from roi.appraise import expand_paths
from roi.paths import SCHEMA_DIR, SUBMISSIONS
from roi.resolve import resolve
from roi.submission import json_schemas, load_submission, load_submissions
from roi_examples import submission_a, write_submission


def test_published_schemas_match_the_models() -> None:
    for name, schema in json_schemas().items():
        exported = json.loads((SCHEMA_DIR / f"{name}.schema.json").read_text(encoding="utf-8"))
        assert exported == schema, ("re-export with: .venv/bin/python -c "
                                    "'from roi.submission import write_schemas; write_schemas()'")


def test_bundled_submissions_load_and_say_they_are_synthetic() -> None:
    paths = expand_paths([SUBMISSIONS])
    loaded = load_submissions(paths)
    assert len({item.submission.council for item in loaded}) >= 5
    assert all(item.submission.synthetic for item in loaded)
    for path in [*paths, *SUBMISSIONS.glob("*.csv")]:
        assert "SYNTHETIC" in path.read_text(encoding="utf-8").splitlines()[0], path
    tables = [item for item in loaded if item.staff_table is not None]
    assert tables and tables[0].staff_table.suffix == ".csv"
    assert len(tables[0].submission.staff_groups) == 2


def test_omitted_fields_take_documented_defaults_and_each_is_listed(tmp_path: Path) -> None:
    data = submission_a(cashable_share=None, optimism_bias=None, fte_hours_per_year=None)
    group = data["staff_groups"][0]
    del group["hourly_cost_gbp"], group["working_weeks_per_year"], group["minutes_per_task_after_sd"]
    data = {k: v for k, v in data.items() if v is not None}
    resolved = resolve(load_submission(write_submission(tmp_path / "s.yaml", data)).submission)
    used = {d["field"]: d for d in resolved.defaults_used}
    assert used["staff_groups.0.hourly_cost_gbp (social_worker)"]["value"] == 58.0
    assert "PSSRU Unit Costs of Health and Social Care 2024" in used["staff_groups.0.hourly_cost_gbp (social_worker)"]["source"]
    assert used["staff_groups.0.working_weeks_per_year (social_worker)"]["value"] == 43.42
    assert used["staff_groups.0.minutes_per_task_after_sd (social_worker)"]["value"] == pytest.approx(18.0)  # 0.5 x 36
    assert used["optimism_bias.one_off_cost_uplift"]["value"] == 0.10 and "Green Book" in used["optimism_bias.one_off_cost_uplift"]["source"]
    assert used["cashable_share"]["value"] == 0 and used["fte_hours_per_year"]["value"] == 1607
    group_inputs = resolved.inputs.groups[0]
    assert (group_inputs.hourly_cost_gbp, group_inputs.working_weeks_per_year) == (58.0, 43.42)
    # nothing given explicitly is ever listed as a default
    assert not any(f.startswith("costs.") or "before_sd" in f for f in used)


def _problems(path: Path) -> list[str]:
    with pytest.raises(InputError) as caught:
        load_submission(path)
    return [str(p) for p in caught.value.problems]


def test_type_errors_name_the_line_of_the_nested_field(tmp_path: Path) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text(
        "council: Testford Council\n"                     # 1
        "tool: {name: t, version: 1.0}\n"                 # 2
        "appraisal_years: 0\n"                            # 3
        "staff_groups:\n"                                 # 4
        "  - role: social_worker\n"                       # 5
        "    users: many\n"                               # 6
        "    tasks_per_user_per_week: 3\n"                # 7
        "    minutes_per_task_before: 60\n"               # 8
        "    minutes_per_task_after: 30\n"                # 9
        "    time_measured_by: guesswork\n"               # 10
        "    sample_size: 4\n"                            # 11
        "    minutes_per_task_aftr: 3\n"                  # 12
        "costs:\n"                                        # 13
        "  licence_per_user_per_year_gbp: 100\n"          # 14
        "  setup_one_off_gbp: 0\n"                        # 15
        "  training_hours_per_user: 1\n"                  # 16
        "  annual_infrastructure_gbp: 0\n"                # 17
        "  annual_governance_hours: 0\n"                  # 18
        "cashable_share: 1.5\n", encoding="utf-8")        # 19
    assert _problems(path) == [
        f"{path}:3: appraisal_years: Input should be greater than or equal to 1",
        f"{path}:6: staff_groups.0.users: Input should be a valid integer, unable to parse string as an integer",
        f"{path}:10: staff_groups.0.time_measured_by: Input should be 'time_and_motion', 'observed_tasks', 'system_logs', "
        "'diary', 'self_report_survey' or 'vendor_estimate'",
        f"{path}:12: staff_groups.0.minutes_per_task_aftr: Extra inputs are not permitted",
        f"{path}:13: costs.annual_support_gbp: Field required",
        f"{path}:19: cashable_share: Input should be less than or equal to 1",
    ]


def test_meaning_errors_after_types(tmp_path: Path) -> None:
    data = submission_a(wellbeing={"instrument": "SWEMWBS", "paired": True, "before": [20.0, 21.0, 40.0],
                                   "after": [22.0, 23.0]})
    data["staff_groups"].append({**data["staff_groups"][0], "role": "business_support"})
    del data["staff_groups"][1]["hourly_cost_gbp"]
    path = write_submission(tmp_path / "s.yaml", data)
    lines = path.read_text().splitlines()
    problems = _problems(path)
    assert len(problems) == 3
    second_group = next(i for i, line in enumerate(lines, 1) if "role: business_support" in line)
    assert problems[0] == (f"{path}:{second_group}: staff_groups.1.hourly_cost_gbp: no documented default unit cost for role "
                           "'business_support' (defaults exist for: social_worker); give hourly_cost_gbp and hourly_cost_source")
    assert problems[1].endswith("wellbeing.before.2: score 40 is outside 7 to 35")
    assert problems[2].endswith("wellbeing.after: paired scores need one 'after' per 'before' (3 before, 2 after); "
                                "set paired: false if the respondents differ")


def test_raw_swemwbs_must_be_whole_numbers(tmp_path: Path) -> None:
    path = write_submission(tmp_path / "s.yaml", submission_a(wellbeing={
        "instrument": "SWEMWBS", "score_type": "raw", "paired": False, "before": [20, 21.5], "after": [22, 23]}))
    (problem,) = _problems(path)
    assert problem.endswith("wellbeing.before.1: raw SWEMWBS scores are whole numbers 7 to 35, got 21.5")


def test_csv_staff_table_errors_name_the_csv_line(tmp_path: Path) -> None:
    (tmp_path / "staff.csv").write_text(
        "# a comment line\n"                                                                      # 1
        "role,users,hourly_cost_gbp,tasks_per_user_per_week,minutes_per_task_before,minutes_per_task_after,"
        "time_measured_by,sample_size\n"                                                          # 2
        "social_worker,10,,5,60,36,diary,10\n"                                                    # 3
        "\n"                                                                                      # 4
        "business_support,4,22.5,3,90,-5,diary,4\n"                                               # 5
        "occupational_therapist,3,45,2,80,50,diary\n", encoding="utf-8")                          # 6
    path = write_submission(tmp_path / "s.yaml", submission_a(staff_groups="staff.csv"))
    csv_file = tmp_path / "staff.csv"
    assert _problems(path) == [
        f"{csv_file}:5: minutes_per_task_after: Input should be greater than or equal to 0",
        f"{csv_file}:6: 7 cells but 8 header columns",
    ]
    (tmp_path / "staff.csv").write_text("role,users,colour\nsocial_worker,1,blue\n", encoding="utf-8")
    problems = _problems(path)
    assert problems[0].startswith(f"{csv_file}:1: colour: unknown column")
    assert f"{csv_file}:1: minutes_per_task_after: required column missing from the header" in problems
    (tmp_path / "staff.csv").unlink()
    staff_line = next(i for i, line in enumerate(path.read_text().splitlines(), 1) if line.startswith("staff_groups:"))
    assert _problems(path) == [f"{path}:{staff_line}: staff_groups: staff table not found: {csv_file}"]


def test_a_csv_row_needing_a_default_that_does_not_exist_names_its_row(tmp_path: Path) -> None:
    (tmp_path / "staff.csv").write_text(
        "role,users,tasks_per_user_per_week,minutes_per_task_before,minutes_per_task_after,time_measured_by,sample_size\n"
        "social_worker,10,5,60,36,diary,10\n"
        "care_assessor,10,5,60,36,diary,10\n", encoding="utf-8")
    path = write_submission(tmp_path / "s.yaml", submission_a(staff_groups="staff.csv"))
    (problem,) = _problems(path)
    assert problem.startswith(f"{tmp_path / 'staff.csv'}:3: hourly_cost_gbp: no documented default unit cost for role 'care_assessor'")


def test_unreadable_files_and_every_file_reported_together(tmp_path: Path) -> None:
    (tmp_path / "broken.yaml").write_text("council: [unclosed\n", encoding="utf-8")
    (tmp_path / "list.yaml").write_text("- a\n- b\n", encoding="utf-8")
    with pytest.raises(InputError) as caught:
        load_submissions([tmp_path / "broken.yaml", tmp_path / "list.yaml", tmp_path / "missing.yaml"])
    lines = [str(p) for p in caught.value.problems]
    assert len(lines) == 3
    assert lines[0].startswith(f"{tmp_path / 'broken.yaml'}:2: not valid YAML")
    assert lines[1] == f"{tmp_path / 'list.yaml'}: must be a YAML mapping of ROI submission settings"
    assert lines[2] == f"{tmp_path / 'missing.yaml'}: ROI submission file not found"
    (tmp_path / "empty").mkdir()
    with pytest.raises(InputError) as caught:
        expand_paths([tmp_path / "nowhere.yaml", tmp_path / "empty"])
    assert [str(p) for p in caught.value.problems] == [f"{tmp_path / 'empty'}: no *.yaml submissions in this folder"]


def test_numeric_versions_are_kept_as_text(tmp_path: Path) -> None:
    path = write_submission(tmp_path / "s.yaml", submission_a(tool={"name": "t", "version": 2.3}))
    assert load_submission(path).submission.tool.version == "2.3"
