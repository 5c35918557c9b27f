from __future__ import annotations

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from harness.goldens import Case, load_golden
from judge.text import split_sentences
from suites.hallucination.details import UnsupportedDetailsScorer
from tests.conftest import SAMPLE

SCORER = UnsupportedDetailsScorer()
SAMPLE_CASES = load_golden(SAMPLE).cases
ALL_CASES = SAMPLE_CASES + [c for name in ("safeguarding_minutes", "case_note_summary")
                            for c in load_golden(SAMPLE.parent / name).cases]


def case(source: str) -> Case:
    return Case(id="c", task="case_note_summary", source=source)


def test_reference_minutes_and_summaries_pass() -> None:
    """References are faithful by construction: none may fail (sgm-012's "midday" did, before "the middle of the day" was read)."""
    failing = [c.id for c in ALL_CASES if not SCORER.score(c, c.reference or "").passed]
    assert failing == []


def test_references_of_the_sample_set_pass() -> None:
    for golden in SAMPLE_CASES:
        score = SCORER.score(golden, golden.reference or "")
        assert score.passed, (golden.id, [f.reason for f in score.findings])


@given(st.sampled_from(ALL_CASES), st.data())
def test_any_selection_of_source_sentences_is_fully_supported(golden: Case, data: st.DataObject) -> None:
    sentences = split_sentences(golden.source)
    chosen = data.draw(st.lists(st.sampled_from(sentences), min_size=1, max_size=8))
    score = SCORER.score(golden, "\n".join(chosen))
    assert score.value == 1.0 and score.passed and not score.findings


@given(st.sampled_from(SAMPLE_CASES), st.integers(101, 999))
def test_an_invented_dose_is_a_critical_finding(golden: Case, dose: int) -> None:
    assume(f"{dose} mg" not in golden.source)
    score = SCORER.score(golden, f"{golden.reference}\nShe was given {dose} mg of morphine.")
    doses = [f for f in score.findings if f.kind == "unsupported_dose"]
    assert [f.output_span for f in doses] == [f"{dose} mg"]
    assert doses[0].severity == "critical" and not score.passed


@given(st.sampled_from(SAMPLE_CASES), st.integers(1, 28), st.sampled_from(["January", "June", "October"]))
def test_an_invented_date_lowers_the_score(golden: Case, day: int, month: str) -> None:
    output = f"The incident happened on {day} {month} 2019."
    score = SCORER.score(golden, output)
    assert score.value is not None and score.value < 1.0
    assert any(f.kind == "unsupported_date" for f in score.findings)


def test_normalised_forms_match_the_source() -> None:
    source = "Seen on 3 March 2025 at 10:00. Takes 5 mg of donepezil. Withdrawals of £1,200."
    output = "Visit on 3rd March at 10am; donepezil 5mg; £1200 withdrawn."
    score = SCORER.score(case(source), output)
    assert score.value == 1.0 and score.findings == []


def test_changed_weekday_time_and_sum_are_found() -> None:
    source = "The visit was on Tuesday at 2pm. She owes £40."
    score = SCORER.score(case(source), "The visit was on Thursday at 3pm. She owes £400.")
    kinds = sorted(f.kind for f in score.findings)
    assert kinds == ["unsupported_money", "unsupported_time", "unsupported_weekday"]
    assert score.value == 0.0


def test_one_changed_time_or_sum_among_many_details_fails_the_case() -> None:
    source = ("Met on 3 March 2025 at 10:00 with Dr Patel. Donepezil 5 mg. On 4 March at 14:00 she withdrew £1,200; "
              "on 5 March at 09:30 a further £300.")
    faithful = "3 March 2025 at 10:00, Dr Patel; donepezil 5 mg; 4 March 14:00 £1,200 withdrawn; 5 March 09:30 £300."
    assert SCORER.score(case(source), faithful).passed
    for wrong in (faithful.replace("14:00", "16:00"), faithful.replace("£300", "£350")):
        score = SCORER.score(case(source), wrong)
        assert score.value is not None and score.value >= SCORER.threshold  # the share alone would pass it
        assert not score.passed and [f.severity for f in score.findings] == ["critical"]


def test_invented_person_is_named_in_the_finding() -> None:
    score = SCORER.score(case("Priya Nair will visit on Friday."), "Priya Nair and Dr Patel will visit on Friday.")
    (finding,) = score.findings
    assert finding.output_span == "Patel" and finding.severity == "critical"
    assert "does not appear in the source" in finding.reason


def test_output_without_details_scores_one() -> None:
    assert SCORER.score(case("Anything at all."), "she is well and happy").value == 1.0


def test_spoken_source_forms_support_written_minutes() -> None:
    source = ("Helen: On Monday the 10th, about half eight, Ravi rang. He gets thirty pounds a week and owes "
              "four thousand five hundred and thirty pounds. She was home at ten past nine that night. Notes dated 3 March 2025.")
    output = "On 10 March at 08:30 Ravi rang; he gets £30 a week and owes £4,530. She was home at 21:10."
    score = SCORER.score(case(source), output)
    assert score.findings == [] and score.value == 1.0


def test_yearless_source_dates_accept_only_nearby_years() -> None:
    source = "Meeting 4 March 2025. The dose went up on the 20th of November."
    assert SCORER.score(case(source), "The dose went up on 20 November 2024.").passed
    assert not SCORER.score(case(source), "The dose went up on 20 November 2019.").passed


def test_age_derived_from_date_of_birth() -> None:
    source = "Person: Mrs Doyle, DOB 14/05/1938.\n--- 06/01/2025 | Visit\nSeen at home."
    assert SCORER.score(case(source), "Mrs Doyle (86) was seen at home.").value == 1.0
    assert SCORER.score(case(source), "Mrs Doyle (64) was seen at home.").value == 0.5


def test_initialisms_of_source_phrases_are_supported() -> None:
    source = "There are four registered nurse vacancies. The Preparing for Adulthood review is next week."
    assert SCORER.score(case(source), "Four RN vacancies; the PfA review is next week.").findings == []
    assert [f.output_span for f in SCORER.score(case(source), "The PfX review is next week.").findings] == ["PfX"]


MEETING = "[Transcript: Section 42 strategy meeting. Thursday 29 May 2025, 13:30. Microsoft Teams.]\n"


def test_relative_days_are_counted_from_the_meeting_or_note_date() -> None:
    source = MEETING + "Marcia: The letter went out on the 27th. It arrived yesterday. I'll ring you tomorrow.\n"
    assert SCORER.score(case(source), "The letter arrived on 28 May 2025.").passed
    assert SCORER.score(case(source), "Marcia will ring on Friday 30 May.").passed
    assert not SCORER.score(case(source), "The letter arrived on 26 May 2025.").passed
    notes = "--- 14/03/2025 11:00 | Home visit | Author: Tom Hargreaves, Social Worker\nShe fell yesterday evening.\n"
    assert SCORER.score(case(notes), "She fell on 13/03/2025.").passed
    assert not SCORER.score(case(notes), "She fell on 12/03/2025.").passed


def test_the_next_day_is_counted_from_the_date_its_weekday_fits() -> None:
    source = MEETING + ("Paul: He left on Friday 28 February; his things were collected on 5 March.\n"
                        "Kamaljit: The locks were changed the next day, Saturday.\n")
    assert SCORER.score(case(source), "Locks changed Saturday 1 March.").passed
    assert not SCORER.score(case(source), "Locks changed Sunday 2 March.").passed


@given(st.dates(min_value=__import__("datetime").date(2020, 1, 1), max_value=__import__("datetime").date(2030, 12, 31)),
       st.sampled_from([("yesterday", -1), ("today", 0), ("tomorrow", 1)]), st.integers(-3, 3))
def test_a_relative_day_supports_exactly_its_own_date(meeting: "object", word_shift: tuple[str, int], offset: int) -> None:
    from datetime import timedelta
    word, shift = word_shift
    source = f"[Transcript: review meeting. {meeting.day} {meeting:%B %Y}, 10:00.]\nAisha: The visit was {word}.\n"  # type: ignore[attr-defined]
    claimed = meeting + timedelta(days=shift + offset)  # type: ignore[operator]
    supported = offset == 0 or claimed == meeting  # the meeting's own date is in the source too
    assert SCORER.score(case(source), f"The visit was on {claimed.day} {claimed:%B %Y}.").passed is supported


@pytest.mark.parametrize(("source", "output"), [
    # house styles other councils use
    ("Kofi will visit on Thursday 3 July 2025.", "- Kofi visit - Thu 3 Jul 2025"),
    ("Not paid for the weeks ending 07/09 and 14/09/2025.", "Not paid for the weeks ending 07.09 and 14.09.2025."),
    ("Michelle to give Bukola the night rotas for 1 to 17 May by Monday 2 June 2025.",
     "| Night rotas for 01/05/2025 to 17/05/2025 | Michelle | 02/06/2025 |"),
    ("She's at her best late morning, roughly ten till twelve.", "Best late morning (10:00-12:00)."),
    ("Missed doses, particularly the middle of the day.", "Missed doses, especially the midday dose."),
    ("Sabina Akhtar, daughter, visits daily.", "Sabina Akhtar (SbA), daughter, visits daily. SbA agreed."),
    ("Helen Marsh chaired.", "1. Introductions\n1.1 The Chair opened the meeting.\n1.2 Helen Marsh chaired.\n\n2.1 Done."),
    ("Action: Zoe to submit by 17 April 2025.", "ACTION 5 - submit - Owner: Zoe - By: 17 Apr 2025"),
    ("Reviewed in December. Recorded by the GP.", "| Date | What happened | Recorded by |\n| December | Reviewed | Ongoing |"),
    ("Seen on 3 December.", "Seen in December.\n\n1. Background"),
    ("Pat Moore (PM) referred it.", "2.1 Pat Moore (PM) referred it.\n2.3 PM referred it."),
    ("The Brightwell team lead reported it.", "## Case Summary - what Brightwell reported\n\n> **Summary**"),
])
def test_other_house_styles_raise_no_finding(source: str, output: str) -> None:
    score = SCORER.score(case(source), output)
    assert score.passed and not score.findings, [f.reason for f in score.findings]


@pytest.mark.parametrize(("source", "output"), [
    ("Kofi will visit on Thursday 3 July 2025.", "Kofi visit - Fri 3 Jul 2025"),  # a wrong weekday, abbreviated
    ("Not paid for the week ending 07/09/2025.", "Not paid for the week ending 08.09.2025."),
    ("Rotas for 1 to 17 May.", "Rotas for 02/05/2025 to 17/05/2025."),
    ("She's at her best roughly ten till twelve.", "Best at 11:00."),
    ("Sabina Akhtar visits daily.", "Sabrina Aktar (SbA) visits daily. SbA agreed."),  # defined for a name the source lacks
])
def test_the_same_styles_still_catch_a_changed_detail(source: str, output: str) -> None:
    assert not SCORER.score(case(source), output).passed
