"""Every injected defect is really present, exactly where its label says, and its label is true."""

from __future__ import annotations

import json
import random
import re
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from harness.goldens import load_golden
from golden_sets.authoring.perturb import OMISSION_MIN_OVERLAP, fact_overlap, perturb_case, simulate_vendor
from judge.support import supported_by_source
from judge.text import extract_details
from tests.conftest import REPO, run_cli

CASES = [c for name in ("sample", "safeguarding_minutes", "case_note_summary")
         for c in load_golden(REPO / "golden_sets" / name).cases]
DETAIL_KIND = {"changed_date": "date", "changed_time": "time", "changed_dose": "dose", "changed_number": "money"}


@settings(max_examples=60)
@given(st.sampled_from(CASES), st.integers(0, 10_000))
def test_each_defect_is_one_exact_edit_with_a_true_label(case, seed: int) -> None:
    outputs = perturb_case(case, seed)
    assert outputs[0].defects == [] and outputs[0].output == case.reference
    for item in outputs[1:]:
        (defect,) = item.defects
        assert item.output != case.reference
        if defect.defect in {"invented_action", "invented_attendee"}:
            assert item.output == case.reference.rstrip() + "\n" + defect.replacement
            invented_person = defect.replacement.split(":")[1].replace(",", " ").split()[:2]
            assert not any(re.search(rf"\b{name}\b", case.source) for name in invented_person), invented_person
            continue
        rebuilt = case.reference[:defect.output_start] + defect.replacement + case.reference[defect.output_start + len(defect.original):]
        assert rebuilt == item.output
        assert case.reference[defect.output_start:defect.output_start + len(defect.original)] == defect.original
        if defect.defect in DETAIL_KIND:
            new = [d for d in extract_details(defect.replacement) if d.kind == DETAIL_KIND[defect.defect]]
            assert new and not supported_by_source(case.source, new[0]), defect
        if defect.defect == "swapped_name":
            assert defect.replacement.lower() not in case.source.lower()
        if defect.defect == "wrong_person":
            assert defect.original in case.source and defect.replacement in case.source
        if defect.defect == "omitted_key_fact":
            fact = next(f for f in case.key_facts if f.id == defect.key_fact_id)
            assert fact.severity in {"critical", "major"}
            assert fact_overlap(fact, defect.original) >= OMISSION_MIN_OVERLAP
            assert defect.original.strip() not in item.output
        if defect.defect in {"consent_flip", "capacity_flip", "negation_flip", "allegation_as_fact"}:
            assert defect.severity == "critical"


def test_an_allegation_is_made_fact_only_where_a_hedge_is_removed_from_a_statement() -> None:
    from harness.goldens import Case
    from golden_sets.authoring.perturb import INJECTORS

    inject = INJECTORS["allegation_as_fact"]
    case = Case(id="a", task="safeguarding_minutes", source="s", reference="x")
    for reference in ("He alleged that the carer took £40.\n", "She alleged on 3 May that he hit her.\n",
                      "Alleged source of risk\nMr Pryce, resident.\n"):
        assert inject(case, reference, random.Random(0)) is None, reference  # a verb or a heading: no statement changes
    output, defect = inject(case, "Police are investigating the alleged assault on 3 May.\n", random.Random(0))
    assert output == "Police are investigating the assault on 3 May.\n" and defect.original == "alleged "


def test_people_credited_wrongly_are_people_not_places_or_roles() -> None:
    for case in CASES:
        for item in perturb_case(case, 0, kinds=["wrong_person"])[1:]:
            (defect,) = item.defects
            assert not {"Civic", "Therapist", "Healthcare", "Gypsy"} & set(defect.original.split() + defect.replacement.split())


def test_perturbation_is_deterministic_per_seed() -> None:
    case = CASES[5]
    assert perturb_case(case, 3) == perturb_case(case, 3)
    assert [p.output for p in perturb_case(case, 3)] != [p.output for p in perturb_case(case, 4)]


def test_every_defect_kind_occurs_in_the_minutes_set() -> None:
    kinds = {d.defect for c in CASES for p in perturb_case(c, 0) for d in p.defects}
    assert {"changed_date", "changed_time", "changed_dose", "changed_number", "swapped_name", "wrong_person",
            "invented_action", "invented_attendee", "consent_flip", "capacity_flip", "negation_flip",
            "allegation_as_fact", "omitted_key_fact"} <= kinds


def test_simulated_vendor_labels_match_its_outputs() -> None:
    vendor = simulate_vendor(CASES, seed=1, defect_rate=0.5)
    assert [o["output"] for o in vendor.outputs] == [label.output for label in vendor.labels]
    share = sum(1 for label in vendor.labels if label.defects) / len(vendor.labels)
    assert 0.3 < share < 0.7


def test_perturb_command_writes_a_runnable_vendor(tmp_path: Path) -> None:
    result = run_cli("goldens", "perturb", str(REPO / "golden_sets" / "sample"), "--out", str(tmp_path / "p"), "--seed", "2", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    lines = [json.loads(line) for line in (tmp_path / "p" / "perturbed.jsonl").read_text().splitlines()]
    assert len(lines) > 3 and all({"case_id", "perturbation_id", "output", "defects"} <= set(line) for line in lines)
    run = run_cli("run", "--golden", str(REPO / "golden_sets" / "sample"), "--target", str(tmp_path / "p" / "vendor.yaml"),
                  "--suite", "hallucination", cwd=tmp_path)
    assert run.returncode == 0, run.stderr
    bad = run_cli("goldens", "perturb", str(REPO / "golden_sets" / "sample"), "--out", str(tmp_path / "q"), "--kind", "nonsense", cwd=tmp_path)
    assert bad.returncode == 2 and "unknown defect kind" in bad.stderr
