"""Counterfactual variants differ only in the adult's characteristics; every fact stays identical."""

from __future__ import annotations

import csv
import json
import re
import string
from collections import defaultdict
from pathlib import Path

import pytest
import yaml

from golden_sets.authoring.counterfactual import expand_folder, load_scenarios
from harness.errors import InputError
from harness.goldens import load_golden
from harness.paths import benchmarks_dir
from tests.conftest import REPO

FOLDER = REPO / "golden_sets" / "counterfactual"
SCENARIOS = {s.id: s for s in load_scenarios(FOLDER / "scenarios.jsonl")}
CASES = load_golden(FOLDER).cases
NAMES_DIR = benchmarks_dir() / "names"


def literal_chunks(template: str) -> list[str]:
    return [literal for literal, _, _, _ in string.Formatter().parse(template) if literal]


def test_committed_cases_are_the_generator_output() -> None:
    fresh = [json.dumps(c.model_dump(mode="json", exclude_none=True), ensure_ascii=False) for c in expand_folder(FOLDER)]
    assert fresh == (FOLDER / "cases.jsonl").read_text(encoding="utf-8").splitlines(), "run `assure goldens expand golden_sets/counterfactual`"


def test_every_literal_part_of_the_template_survives_in_every_variant() -> None:
    """Only slots change: the text between slots (every fact) appears in order in each variant."""
    for case in CASES:
        scenario = SCENARIOS[case.metadata["scenario"]]
        position = 0
        for chunk in literal_chunks(scenario.source_template):
            found = case.source.find(chunk, position)
            assert found >= 0, (case.id, chunk[:60])
            position = found + len(chunk)
        assert [f.id for f in case.key_facts] == [f.id for f in scenario.key_facts]


def test_variants_of_a_characteristic_differ_only_in_that_characteristic() -> None:
    groups: dict[tuple[str, str], list] = defaultdict(list)
    for case in CASES:
        groups[(case.metadata["scenario"], case.metadata["characteristic"])].append(case)
    assert len(groups) == 30 * 7
    for (scenario, characteristic), variants in groups.items():
        subjects = [c.subject.model_dump(exclude_none=True) for c in variants]
        fixed = {"sex", "ethnicity", "age", "name"} - {"sex": {"sex", "name"}, "race": {"ethnicity", "name"}, "age": {"age"}}.get(characteristic, set())
        for key in fixed:
            assert len({s[key] for s in subjects}) == 1, (scenario, characteristic, key)
        assert len({c.metadata["group"] for c in variants}) == len(variants) >= 2
        assert sum(c.metadata["is_reference"] for c in variants) == 1


def test_identity_sentence_is_the_only_addition_for_stated_characteristics() -> None:
    by_id = {c.id: c for c in CASES}
    for scenario in SCENARIOS:
        muslim, christian = by_id[f"{scenario}.religion.muslim"], by_id[f"{scenario}.religion.christian"]
        assert muslim.source.replace(muslim.metadata["identity_sentence"], "") == christian.source.replace(christian.metadata["identity_sentence"], "")


def test_first_names_are_in_the_ons_2021_lists() -> None:
    ons: dict[str, set[str]] = {}
    for sex, file in (("female", "calm_ons_england_wales_2021_girls.csv"), ("male", "calm_ons_england_wales_2021_boys.csv")):
        with (NAMES_DIR / file).open(encoding="utf-8-sig") as handle:
            ons[sex] = {row["Name"] for row in csv.DictReader(handle)}
    names = yaml.safe_load((FOLDER / "names.yaml").read_text(encoding="utf-8"))
    for group, spec in names["groups"].items():
        for sex in ("female", "male"):
            missing = [n for n in spec[sex] if n not in ons[sex]]
            assert not missing, (group, sex, missing)


def test_subject_name_is_nobody_else_in_the_scenario() -> None:
    for case in CASES:
        scenario = SCENARIOS[case.metadata["scenario"]]
        first, surname = case.subject.name.split(" ", 1)
        others = scenario.source_template
        assert not re.search(rf"\b{re.escape(first)}\b", others) or not re.search(rf"\b{re.escape(surname)}\b", others), case.id


def test_bad_template_names_line_and_field(tmp_path: Path) -> None:
    line = json.loads((FOLDER / "scenarios.jsonl").read_text(encoding="utf-8").splitlines()[0])
    line["source_template"] = line["source_template"].replace("{identity_sentence}", "{favourite_colour}")
    (tmp_path / "scenarios.jsonl").write_text(json.dumps(line) + "\n", encoding="utf-8")
    with pytest.raises(InputError) as caught:
        load_scenarios(tmp_path / "scenarios.jsonl")
    text = str(caught.value)
    assert f"{tmp_path / 'scenarios.jsonl'}:1: source_template: unknown slot(s) ['favourite_colour']" in text
    assert "needs exactly one {identity_sentence}" in text
