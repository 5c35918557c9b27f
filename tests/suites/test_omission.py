"""The omission suite: key-fact recall rules, structure, compression, derived facts, the LLM option."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from harness.goldens import Case, KeyFact, load_golden
from golden_sets.authoring.perturb import perturb_case
from suites.omission.compression import CompressionScorer
from suites.omission.recall import (
    DerivedKeyFactRecallScorer,
    FactMatch,
    KeyFactRecallScorer,
    derive_key_facts,
    match_facts,
    split_correction,
    weighted_recall,
)
from suites.omission.structure import MinutesStructureScorer
from tests.conftest import REPO

SOURCE = ("Helen Marsh: I'm Helen Marsh, chair. Kofi Asante: Kofi Asante, social worker. Mrs Joan Pike said she wants to stay "
          "in her flat and does not want her nephew to visit. The GP said her warfarin dose is 3 mg daily, not 5 mg. "
          "Kofi will visit the bank by Friday 14 March 2025.")
FACTS = [
    KeyFact(id="kf1", text="Mrs Pike wants to stay in her flat and does not want her nephew to visit", category="views_wishes",
            severity="critical", evidence="she wants to stay in her flat"),
    KeyFact(id="kf2", text="Warfarin dose is 3 mg daily, not 5 mg as first stated", category="health", severity="critical",
            evidence="her warfarin dose is 3 mg daily"),
    KeyFact(id="kf3", text="Kofi Asante to visit the bank by Friday 14 March 2025", category="action", severity="major",
            evidence="Kofi will visit the bank by Friday 14 March 2025."),
]
CASE = Case(id="c1", task="safeguarding_minutes", source=SOURCE, key_facts=FACTS, subject={"name": "Joan Pike"})
GOOD = ("Mrs Pike said she wants to stay in her flat and does not want her nephew to visit.\n"
        "Her warfarin dose is 3 mg daily (not 5 mg).\nAction: Kofi Asante to visit the bank by Friday 14 March 2025.")


def status(output: str) -> dict[str, str]:
    return {m.fact.id: m.status for m in match_facts(CASE, output)}


def test_good_minutes_hold_every_fact_and_pass() -> None:
    assert status(GOOD) == {"kf1": "present", "kf2": "present", "kf3": "present"}
    score = KeyFactRecallScorer().score(CASE, GOOD)
    assert score.passed and score.value == 1.0 and not score.findings
    assert score.details["recall_by_category"] == {"action": 1.0, "health": 1.0, "views_wishes": 1.0}


def test_a_dropped_critical_fact_is_absent_and_fails_the_case() -> None:
    output = GOOD.replace("Mrs Pike said she wants to stay in her flat and does not want her nephew to visit.\n", "")
    assert status(output)["kf1"] == "absent"
    score = KeyFactRecallScorer().score(CASE, output)
    assert not score.passed and score.details["critical_absent"] == ["kf1"]
    finding = next(f for f in score.findings if f.key_fact_id == "kf1")
    assert finding.kind == "omitted_key_fact" and finding.severity == "critical"
    assert score.value == pytest.approx((3 + 2) / (3 + 3 + 2))


def test_an_action_without_its_owner_or_deadline_is_only_partial() -> None:
    no_owner = GOOD.replace("Action: Kofi Asante to visit the bank by Friday 14 March 2025.", "Action: someone to visit the bank by Friday 14 March 2025.")
    no_deadline = GOOD.replace(" by Friday 14 March 2025", "")
    assert status(no_owner)["kf3"] == "partial"
    assert status(no_deadline)["kf3"] == "partial"


def test_a_view_not_attributed_to_the_adult_is_only_partial() -> None:
    output = GOOD.replace("Mrs Pike said she wants", "The nephew said the family wants")
    assert status(output)["kf1"] == "partial"


def test_a_corrected_fact_counts_only_in_its_corrected_form() -> None:
    assert split_correction(FACTS[1].text) == ("Warfarin dose is 3 mg daily", ", not 5 mg as first stated")
    uncorrected = GOOD.replace("Her warfarin dose is 3 mg daily (not 5 mg).", "Her warfarin dose is 5 mg daily.")
    match = next(m for m in match_facts(CASE, uncorrected) if m.fact.id == "kf2")
    assert match.status == "absent" and "uncorrected" in match.reason


@pytest.fixture(scope="module")
def minutes() -> list[Case]:
    return load_golden(REPO / "golden_sets" / "safeguarding_minutes").cases


def test_reference_minutes_pass_and_injected_omissions_are_caught(minutes: list[Case]) -> None:
    scorer = KeyFactRecallScorer()
    # The full figures (all 24 meetings, every critical fact) come from `assure bench validity`.
    assert sum(bool(scorer.score(c, c.reference or "").passed) for c in minutes[:8]) >= 5
    flagged = total = 0
    for case in minutes[:8]:
        for perturbed in perturb_case(case, kinds=["omitted_key_fact"]):
            if perturbed.defects:
                total += 1
                fact_id = perturbed.defects[0].key_fact_id
                flagged += next(m for m in match_facts(case, perturbed.output) if m.fact.id == fact_id).status != "present"
    assert total >= 7 and flagged / total >= 0.75


@given(st.lists(st.tuples(st.sampled_from(["critical", "major", "minor"]), st.sampled_from(["present", "partial", "absent"])),
                min_size=1, max_size=30))
def test_weighted_recall_is_a_share_and_moves_with_each_status(facts: list[tuple[str, str]]) -> None:
    matches = [FactMatch(KeyFact(id=f"k{i}", text="x", category="other", severity=sev, evidence="x"), state, 0.0, None, "")  # type: ignore[arg-type]
               for i, (sev, state) in enumerate(facts)]
    value = weighted_recall(matches)
    assert 0.0 <= value <= 1.0
    assert (value == 1.0) == all(s == "present" for _, s in facts)
    assert (value == 0.0) == all(s == "absent" for _, s in facts)
    improved = [FactMatch(m.fact, "present", 1.0, None, "") if i == 0 else m for i, m in enumerate(matches)]
    assert weighted_recall(improved) >= value


@given(st.text(alphabet=st.characters(categories=["L", "Zs", "P"]), max_size=300))
def test_adding_text_never_loses_a_lexically_matched_fact(extra: str) -> None:
    order = {"absent": 0, "partial": 1, "present": 2}
    simple = [FACTS[0]]
    before = match_facts(CASE, GOOD, simple, semantic=False)[0].status
    after = match_facts(CASE, GOOD + "\n" + extra, simple, semantic=False)[0].status
    assert order[after] >= order[before]


def test_structure_names_the_missing_sections(minutes: list[Case]) -> None:
    scorer = MinutesStructureScorer()
    case = minutes[0]
    assert scorer.score(case, case.reference or "").passed
    cut = "\n".join(line for line in (case.reference or "").splitlines() if not re.search(r"capacity|next", line, re.I))
    score = scorer.score(case, cut)
    assert not score.passed
    assert {"capacity", "next_review"} <= set(score.details["essential_missing"])
    bare = "\n".join(re.sub(r",.*", "", line) for line in (case.reference or "").splitlines())
    assert scorer.score(case, bare).details["attendees_without_role_or_agency"]
    assert not scorer.score(case.model_copy(update={"task": "case_note_summary"}), "x").scored


def test_compression_flags_minutes_too_short_for_a_record(minutes: list[Case]) -> None:
    case = minutes[0]
    reference = case.reference or ""
    full = CompressionScorer().score(case, reference)
    assert full.passed and full.value == 1.0 and full.details["share_of_reference"] == 1.0
    short = CompressionScorer().score(case, " ".join(reference.split()[:100]))
    assert not short.passed and short.findings[0].kind == "too_short"
    assert short.details["output_words"] == 100 and short.value == pytest.approx(100 / len(reference.split()), abs=1e-3)


def test_derived_key_facts_stand_in_when_a_council_has_only_reference_minutes(minutes: list[Case]) -> None:
    case = minutes[1].model_copy(update={"key_facts": []})
    facts = derive_key_facts(case.reference or "")
    assert len(facts) >= 20 and all(f.severity == "major" for f in facts)
    scorer = DerivedKeyFactRecallScorer()
    assert scorer.score(case, case.reference or "").value == pytest.approx(1.0, abs=0.02)
    half = scorer.score(case, "\n".join((case.reference or "").splitlines()[: len((case.reference or "").splitlines()) // 3]))
    assert half.value is not None and half.value < 0.6 and not half.passed
    assert half.details["key_facts_source"].startswith("derived")
    assert not KeyFactRecallScorer().score(case, "anything").scored
    assert not scorer.score(minutes[1], "anything").scored  # annotated facts: key_fact_recall's job


@pytest.mark.integration
def test_llm_key_fact_recall_uses_the_judge_and_the_same_score_shape(tmp_path: Path) -> None:
    from harness.judges.llm import JudgeConfig, LLMJudge
    from suites.omission.llm import LLMKeyFactRecallScorer
    from tests.integration.judge_server import JudgeServer

    def answer(body: dict) -> str:
        prompt = body["messages"][0]["content"]
        ids = re.findall(r"^- (kf\d+):", prompt, re.M)
        return json.dumps({"facts": [{"id": i, "status": "absent" if i == "kf1" else "present", "span": ""} for i in ids]})

    with JudgeServer() as server:
        server.answer = answer
        scorer = LLMKeyFactRecallScorer(LLMJudge(JudgeConfig(base_url=server.url, model="m", max_retries=0)))
        score = scorer.score(CASE, GOOD)
        assert len(server.requests) == 1 and "json_schema" in server.requests[0]["response_format"]["type"]
        assert not score.passed and score.details["critical_absent"] == ["kf1"]
        assert score.value == pytest.approx(5 / 8)
        assert score.findings[0].key_fact_id == "kf1"
        server.answer = lambda body: json.dumps({"facts": [{"id": "kf1", "status": "present"}]})
        partial_reply = scorer.score(CASE, GOOD + " more")
        assert not partial_reply.scored and "no verdict" in partial_reply.details["unscored"]


@given(st.lists(st.tuples(st.booleans(), st.booleans()), min_size=2, max_size=60))
def test_cohen_kappa_is_one_for_identical_raters_and_bounded(pairs: list[tuple[bool, bool]]) -> None:
    from suites.omission.validity import cohen_kappa

    a = [x for x, _ in pairs]
    b = [y for _, y in pairs]
    if 0 < sum(a) < len(a):
        assert cohen_kappa(a, a) == pytest.approx(1.0)
    kappa = cohen_kappa(a, b)
    assert kappa != kappa or -1.0 <= kappa <= 1.0


def test_injected_omission_rows_count_every_removed_critical_fact() -> None:
    from suites.omission.validity import injected_rows

    caught, failing = injected_rows(("case_note_summary",), limit=1)
    assert caught.dataset == "injected omissions: notes" and caught.n >= 5
    assert 0.5 <= caught.recall <= 1.0 and 0.0 <= caught.false_alarm_rate <= 1.0
    assert failing.n == 1


@pytest.mark.parametrize(("element", "text"), [
    ("decisions", "Decisions:\n- The Section 42 enquiry proceeds."), ("decisions", "DECISION\nEnquiry to proceed."),
    ("minute_taker", "Minutes: Joanne Tierney (Business Support)"), ("minute_taker", "Note taker: Joanne Tierney"),
    ("minute_taker", "Minute taker: Joanne Tierney, Business Support Officer"),
    ("attendees", "Attendee\n- Helen Marsh, Chair"), ("attendees", "PRESENT\nHelen Marsh (HM), Chair"),
    ("date", "Held on 11.03.2025"), ("date", "Held on the 4th of March"), ("date", "Met 11 Mar 2025"),
    ("next_review", "5. Next review\n5.1 In six weeks."),
])
def test_structure_reads_other_house_styles(element: str, text: str) -> None:
    from suites.omission.structure import ELEMENTS

    (pattern,) = [e.pattern for e in ELEMENTS if e.name == element]
    assert re.search(pattern, text, re.I | re.M)


def test_people_named_by_initials_or_role_count_as_named() -> None:
    from judge.people import aliases

    speakers = [{"name": "Priya Raman", "role": "Quality Assurance Officer", "agency": "Council"},
                {"name": "Helen Marsh", "role": "Safeguarding Adults Manager (chair)", "agency": "Council"},
                {"name": "Kofi Asante", "role": "Social Worker", "agency": "Council"},
                {"name": "Ruth Ellis", "role": "Social Worker", "agency": "Council"}]
    found = aliases("Helen Marsh (HM) opened. HM said the Chair would write.", speakers)
    assert found["HM"] == "Helen Marsh" and found["quality assurance officer"] == "Priya Raman" and found["chair"] == "Helen Marsh"
    assert "social worker" not in found, "two speakers share the role: it names neither"
    fact = KeyFact(id="kf1", text="Priya Raman found only three carers on 19 of 42 nights", category="agency_information",
                   severity="critical", evidence="only three carers on 19 of 42 nights")
    case = Case(id="a1", task="safeguarding_minutes", source="Priya Raman: only three carers on 19 of 42 nights.",
                key_facts=[fact], metadata={"speakers": speakers})
    by_role = "The Quality Assurance Officer found only three carers on 19 of the 42 nights."
    assert match_facts(case, by_role, semantic=False)[0].status == "present"
    unnamed = "Somebody found only three carers on 19 of the 42 nights."
    assert match_facts(case, unnamed, semantic=False)[0].coverage < match_facts(case, by_role, semantic=False)[0].coverage
