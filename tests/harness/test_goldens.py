from __future__ import annotations

import json
from pathlib import Path

import pytest

from harness.errors import InputError
from harness.goldens import json_schemas, load_golden
from tests.conftest import REPO, SAMPLE, simple_case, write_golden


def test_sample_set_loads_with_stable_hash() -> None:
    first, second = load_golden(SAMPLE), load_golden(SAMPLE)
    assert first.manifest.synthetic is True
    assert len(first.cases) == 3
    assert first.content_hash == second.content_hash and len(first.content_hash) == 64


def test_hash_changes_when_a_case_changes(tmp_path: Path) -> None:
    a = load_golden(write_golden(tmp_path / "a", [simple_case("c1", "Seen on 3 March.")])).content_hash
    b = load_golden(write_golden(tmp_path / "b", [simple_case("c1", "Seen on 4 March.")])).content_hash
    assert a != b


def test_every_problem_names_file_line_and_field(tmp_path: Path) -> None:
    folder = write_golden(tmp_path / "bad", [
        simple_case("c1", "Mrs Hale said no.", key_facts=[{"id": "k1", "text": "t", "category": "views_wishes",
                                                          "severity": "critical", "evidence": "Mrs Hale said yes"}]),
        {"id": "c2", "task": "case_note_summary"},
        simple_case("c1", "duplicate id"),
        simple_case("c3", "x", key_facts=[{"id": "k1", "text": "t", "category": "gossip", "severity": "critical", "evidence": "x"}]),
    ])
    with (folder / "cases.jsonl").open("a") as handle:
        handle.write("{not json\n")
    with pytest.raises(InputError) as caught:
        load_golden(folder)
    lines = [str(p) for p in caught.value.problems]
    cases_file = str(folder / "cases.jsonl")
    assert f"{cases_file}:1: key_facts.0.evidence: evidence not found verbatim in source: 'Mrs Hale said yes'" in lines
    assert any(line.startswith(f"{cases_file}:2: source:") for line in lines)
    assert any(line.startswith(f"{cases_file}:3: id: duplicate case id 'c1'") for line in lines)
    assert any(line.startswith(f"{cases_file}:4: key_facts.0.category:") for line in lines)
    assert any(line.startswith(f"{cases_file}:5: not valid JSON") for line in lines)


def test_manifest_must_say_synthetic_and_points_at_the_line(tmp_path: Path) -> None:
    manifest = "id: x\nversion: 1\ntask: mixed\ndescription: d\nlicence: MIT\nsynthetic: false\n"
    folder = write_golden(tmp_path / "m", [simple_case("c1", "text")], manifest=manifest)
    with pytest.raises(InputError) as caught:
        load_golden(folder)
    (problem,) = caught.value.problems
    assert problem.line == 6 and problem.field == "synthetic"


def test_evidence_match_ignores_only_whitespace_runs(tmp_path: Path) -> None:
    fact = {"id": "k1", "text": "t", "category": "risk", "severity": "major", "evidence": "risk is   high"}
    assert load_golden(write_golden(tmp_path / "ok", [simple_case("c", "The risk is\nhigh.", key_facts=[fact])]))
    with pytest.raises(InputError):
        load_golden(write_golden(tmp_path / "case", [simple_case("c", "The Risk is high.", key_facts=[fact])]))


def test_exported_schemas_match_the_models() -> None:
    for name, schema in json_schemas().items():
        exported = json.loads((REPO / "golden_sets" / "schema" / f"{name}.schema.json").read_text())
        assert exported == schema, f"run `make schemas` to re-export {name}.schema.json"
