"""The bundled golden sets: valid, synthetic, and as rich as the issue asks."""

from __future__ import annotations

import re
from collections import Counter

import pytest

from harness.goldens import load_golden
from tests.conftest import REPO

SETS = REPO / "golden_sets"
ABUSE_CATEGORIES = {"physical", "domestic", "sexual", "psychological", "financial", "modern_slavery", "discriminatory",
                    "organisational", "neglect", "self_neglect"}


@pytest.mark.parametrize("name", ["sample", "safeguarding_minutes", "case_note_summary", "counterfactual"])
def test_every_bundled_set_validates_and_is_synthetic(name: str) -> None:
    golden = load_golden(SETS / name)  # raises on any schema problem or missing evidence quote
    assert golden.manifest.synthetic is True and golden.manifest.provenance and golden.manifest.changelog


def test_safeguarding_minutes_cover_the_brief() -> None:
    cases = load_golden(SETS / "safeguarding_minutes").cases
    assert len(cases) >= 24
    assert {a for c in cases for a in c.metadata["abuse_categories"]} == ABUSE_CATEGORIES
    assert {c.metadata["setting_type"] for c in cases} == {"own_home", "care_home", "supported_living", "hospital_discharge", "day_service"}
    for case in cases:
        words = len(case.source.split())
        speakers = set(re.findall(r"^([^:\n\[]{2,40}):", case.source, re.M))
        assert 1500 <= words <= 4000, case.id
        assert 4 <= len(speakers) <= 9, (case.id, speakers)
        assert {s["name"] for s in case.metadata["speakers"]} == speakers, case.id
        assert 15 <= len(case.key_facts) <= 40, case.id
        assert case.reference and len(case.reference.split()) >= 400, case.id
        categories = {f.category for f in case.key_facts}
        assert {"attendance", "views_wishes", "decision", "action", "next_review"} <= categories, (case.id, categories)
        assert any(f.severity == "critical" for f in case.key_facts)
        assert len(case.metadata["traps"]) >= 2, case.id


def test_case_note_summaries_cover_the_brief() -> None:
    cases = load_golden(SETS / "case_note_summary").cases
    assert len(cases) >= 24
    for case in cases:
        notes = re.findall(r"^--- \d{2}/\d{2}/\d{4}", case.source, re.M)
        assert len(notes) >= 5, case.id
        assert 12 <= len(case.key_facts) <= 30 and case.reference, case.id


def test_identifiers_are_visibly_fictional() -> None:
    for name in ("safeguarding_minutes", "case_note_summary", "counterfactual"):
        text = (SETS / name / "cases.jsonl").read_text(encoding="utf-8")
        phones = re.findall(r"\b0\d{3,4} ?\d{3} ?\d{3,4}\b", text)
        assert all(p.replace(" ", "").startswith("01632960") for p in phones), (name, set(phones))
        assert not re.search(r"\b\d{3} ?\d{3} ?\d{4}\b(?<!01632)", text.replace("01632 960", "")), name  # no NHS-number-like runs
        assert not re.search(r"\b[A-Z]{1,2}\d[A-Z\d]? ?\d[A-Z]{2}\b", text), name  # no postcodes


def test_key_fact_severities_and_categories_are_spread() -> None:
    facts = [f for c in load_golden(SETS / "safeguarding_minutes").cases for f in c.key_facts]
    severities = Counter(f.severity for f in facts)
    assert severities["critical"] > 0 and severities["major"] > 0
    assert len({f.category for f in facts}) >= 14
