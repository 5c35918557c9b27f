"""Expand counterfactual scenario templates into variant cases that differ in one characteristic.

A scenario is a template (`scenarios.jsonl`) with slots for the adult's name, pronouns, age and one
`{identity_sentence}`. `names.yaml` gives names per ethnic group and `variants.yaml` the
characteristics to vary. Each variant changes one characteristic of the scenario's reference
person and keeps every fact identical; it records `subject` and, in `metadata`, the scenario,
characteristic, group and reference group, so the bias suite can pair variants across scenarios.
"""

from __future__ import annotations

import json
import re
import string
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from harness.errors import InputError, Problem, pydantic_problems
from harness.goldens import Case, KeyFact

PRONOUNS = {
    "female": {"subj": "she", "obj": "her", "poss": "her", "title": "Ms"},
    "male": {"subj": "he", "obj": "him", "poss": "his", "title": "Mr"},
}
SLOTS = {"first_name", "surname", "full_name", "title", "subj", "obj", "poss", "Subj", "Poss", "age", "identity_sentence"}


class TemplateFact(BaseModel):
    model_config = ConfigDict(extra="forbid")
    id: str
    text: str
    category: str
    severity: str
    evidence: str


class Scenario(BaseModel):
    """One base scenario: templates plus the age range in which every age reads plausibly."""

    model_config = ConfigDict(extra="forbid")
    id: str
    task: str
    age_range: tuple[int, int]
    source_template: str
    reference_template: str | None = None
    key_facts: list[TemplateFact] = Field(default_factory=list)
    tags: list[str] = Field(default_factory=list)
    metadata: dict[str, Any] = Field(default_factory=dict)


def load_scenarios(path: Path) -> list[Scenario]:
    """Read scenario templates; a bad line or an unknown slot names file, line and field."""
    problems: list[Problem] = []
    scenarios: list[Scenario] = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        try:
            scenario = Scenario.model_validate(json.loads(line))
        except json.JSONDecodeError as exc:
            problems.append(Problem(str(path), f"not valid JSON: {exc.msg}", number))
            continue
        except ValidationError as exc:
            problems.extend(pydantic_problems(path, exc, number))
            continue
        for field_name, text in _template_texts(scenario):
            unknown = {f for _, f, _, _ in string.Formatter().parse(text) if f is not None} - SLOTS
            if unknown:
                problems.append(Problem(str(path), f"unknown slot(s) {sorted(unknown)}", number, field_name))
        if scenario.source_template.count("{identity_sentence}") != 1:
            problems.append(Problem(str(path), "needs exactly one {identity_sentence}", number, "source_template"))
        scenarios.append(scenario)
    if problems:
        raise InputError(problems)
    return scenarios


def _template_texts(scenario: Scenario) -> list[tuple[str, str]]:
    texts = [("source_template", scenario.source_template), ("reference_template", scenario.reference_template or "")]
    for index, fact in enumerate(scenario.key_facts):
        texts += [(f"key_facts.{index}.text", fact.text), (f"key_facts.{index}.evidence", fact.evidence)]
    return texts


def expand(scenarios: list[Scenario], names: dict[str, Any], variants: dict[str, Any]) -> list[Case]:
    """Every variant of every scenario, in a stable order."""
    cases: list[Case] = []
    for index, scenario in enumerate(scenarios):
        reference = _reference_person(scenario, index)
        for characteristic, spec in variants["characteristics"].items():
            reference_group = spec["reference"] if spec["reference"] != "reference_sex" else reference["sex"]
            for group, change in spec["groups"].items():
                person = {**reference, **{k: v for k, v in change.items() if k != "sentence"}}
                if "sentence" in change:
                    person["sentence"] = change["sentence"]
                cases.append(_render(scenario, person, names, characteristic, group, reference_group))
    return cases


def _reference_person(scenario: Scenario, index: int) -> dict[str, Any]:
    return {"sex": "female" if index % 2 == 0 else "male", "ethnicity": "white_british", "age": "middle", "sentence": ""}


def _pick(options: list[str], avoid: str, offset: int) -> str:
    """The first option (rotated by `offset`) that the scenario does not already use for someone else."""
    rotated = options[offset % len(options):] + options[: offset % len(options)]
    for option in rotated:
        if not re.search(rf"\b{re.escape(option)}\b", avoid):
            return option
    return rotated[0]


def _render(scenario: Scenario, person: dict[str, Any], names: dict[str, Any], characteristic: str, group: str,
            reference_group: str) -> Case:
    sex = person["sex"]
    offset = int(re.sub(r"\D", "", scenario.id) or 0)
    names_of_group = names["groups"][person["ethnicity"]]
    everything = " ".join(text for _, text in _template_texts(scenario))
    first = _pick(names_of_group[sex], everything, offset)
    surname = _pick(names_of_group["surnames"], everything, offset)
    low, high = scenario.age_range
    age = {"low": low, "middle": (low + high) // 2, "high": high}[person["age"]]
    words = PRONOUNS[sex]
    slots = {"first_name": first, "surname": surname, "full_name": f"{first} {surname}", "title": words["title"],
             "subj": words["subj"], "obj": words["obj"], "poss": words["poss"], "Subj": words["subj"].capitalize(),
             "Poss": words["poss"].capitalize(), "age": str(age)}
    sentence = person["sentence"]
    if isinstance(sentence, dict):
        sentence = sentence[sex]
    slots["identity_sentence"] = sentence.format(**slots)
    fill = lambda text: text.format(**slots)  # noqa: E731
    subject: dict[str, Any] = {"name": slots["full_name"], "age": age, "sex": sex, "ethnicity": person["ethnicity"]}
    if characteristic not in {"sex", "race", "age"}:  # those are recorded by the fields above
        subject[characteristic] = group
    return Case(
        id=f"{scenario.id}.{characteristic}.{group}",
        task=scenario.task,
        source=fill(scenario.source_template),
        reference=fill(scenario.reference_template) if scenario.reference_template else None,
        key_facts=[KeyFact(id=f.id, text=fill(f.text), category=f.category, severity=f.severity,  # type: ignore[arg-type]
                           evidence=fill(f.evidence)) for f in scenario.key_facts],
        subject=subject,  # type: ignore[arg-type]
        tags=list(dict.fromkeys(scenario.tags + [f"characteristic:{characteristic}", f"group:{group}"])),
        metadata={**scenario.metadata, "scenario": scenario.id, "characteristic": characteristic, "group": group,
                  "reference_group": reference_group, "is_reference": group == reference_group,
                  "identity_sentence": slots["identity_sentence"]},
    )


def expand_folder(folder: Path) -> list[Case]:
    """Expand `scenarios.jsonl` with `names.yaml` and `variants.yaml` from one golden-set folder."""
    for required in ("scenarios.jsonl", "names.yaml", "variants.yaml"):
        if not (folder / required).is_file():
            raise InputError.single(folder / required, "missing (a counterfactual set needs scenarios, names and variants)")
    names = yaml.safe_load((folder / "names.yaml").read_text(encoding="utf-8"))
    variants = yaml.safe_load((folder / "variants.yaml").read_text(encoding="utf-8"))
    return expand(load_scenarios(folder / "scenarios.jsonl"), names, variants)


def write_cases(cases: list[Case], path: Path) -> None:
    with path.open("w", encoding="utf-8") as handle:
        for case in cases:
            handle.write(json.dumps(case.model_dump(mode="json", exclude_none=True), ensure_ascii=False) + "\n")
