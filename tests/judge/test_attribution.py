"""Who is in a source, whose words each part is, and statements credited to the wrong person."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from judge.attribution import misattributed
from harness.goldens import Case, KeyFact
from judge.people import people_in, voice_at
from suites.hallucination.claims import ClaimSupportScorer

TRANSCRIPT = (
    "[Transcript: Section 42 strategy meeting, Eastvale Council. Meeting at Eastvale Civic Centre.]\n"
    "Helen Marsh: I'm chairing. Our Occupational Therapist is off today.\n"
    "Kofi Asante: I'll send the written summary of the examination to the GP by Friday 14 March.\n"
    "Dr Nadia Rahman: I will review the apixaban prescription with the pharmacist next week.\n"
    "Helen Marsh: Mr Nowak receives Attendance Allowance, and the care home will update the body map daily.\n"
)


def test_people_are_speakers_authors_and_named_pairs_not_places_roles_or_benefits() -> None:
    notes = "--- 04/03/2025 09:40 | Email | Author: Joanne Pike, Discharge Coordinator\nDaughter Marcia Campbell visits daily."
    assert people_in(TRANSCRIPT) == ["Helen Marsh", "Kofi Asante", "Nadia Rahman"]
    assert people_in(notes) == ["Joanne Pike", "Marcia Campbell"]
    other = "Mrs Doyle's Northgate account was frozen over New Year's Eve by Siobhan O'Donnell."
    assert people_in(other) == ["Siobhan O'Donnell"]


def test_voice_is_the_speaker_or_author_of_the_text_at_an_offset() -> None:
    assert voice_at(TRANSCRIPT, TRANSCRIPT.index("written summary")) == "Kofi Asante"
    assert voice_at(TRANSCRIPT, TRANSCRIPT.index("body map")) == "Helen Marsh"
    assert voice_at(TRANSCRIPT, 5) is None
    notes = "--- 04/03 | Email | Author: Joanne Pike, Nurse\nReferral made.\n--- 05/03 | Visit | Author: Tom Hargreaves, SW\nSeen."
    assert voice_at(notes, notes.index("Referral")) == "Joanne Pike"
    assert voice_at(notes, notes.index("Seen")) == "Tom Hargreaves"


FACTS = ("Kofi Asante to send the written summary of the examination to the GP by Friday 14 March.",
         "Nadia Rahman to review the apixaban prescription with the pharmacist.")


def test_an_action_credited_to_another_person_is_found_with_the_person_the_source_credits() -> None:
    (wrong,) = misattributed("Nadia Rahman to send the written summary of the examination to the GP by Friday 14 March.",
                             TRANSCRIPT, FACTS)
    assert wrong.person == "Nadia Rahman" and wrong.credited_in_source == ("Kofi Asante",)
    assert "written summary" in wrong.evidence


def test_the_right_person_and_a_person_speaking_their_own_words_are_not_flagged() -> None:
    assert misattributed(FACTS[0], TRANSCRIPT, FACTS) == []
    assert misattributed("Kofi Asante will send the written summary of the examination to the GP by 14 March.", TRANSCRIPT) == []
    # Helen Marsh said it in her own turn: she is linked to the statement though no clause names her
    assert misattributed("Helen Marsh: the care home will update the body map daily.", TRANSCRIPT, FACTS) == []


def test_a_statement_the_source_does_not_make_is_left_to_the_other_checks() -> None:
    assert misattributed("Nadia Rahman will visit the daughter at home on Monday.", TRANSCRIPT, FACTS) == []


def test_a_wrong_person_is_critical_and_fails_claim_support() -> None:
    case = Case(id="c1", task="safeguarding_minutes", source=TRANSCRIPT,
                key_facts=[KeyFact(id=f"kf{i}", text=t, category="action", severity="major",
                                   evidence=t) for i, t in enumerate(FACTS)])
    good = ClaimSupportScorer().score(case, FACTS[0])
    bad = ClaimSupportScorer().score(case, FACTS[0].replace("Kofi Asante", "Helen Marsh"))
    assert good.passed and not any(f.kind == "wrong_person" for f in good.findings)
    finding = next(f for f in bad.findings if f.kind == "wrong_person")
    assert not bad.passed and finding.severity == "critical" and "Kofi Asante" in finding.reason


FIRST = st.sampled_from(["Amira", "Bilal", "Chloe", "Declan", "Femi", "Gwen", "Imran", "Joanna", "Kwame", "Lucy"])
LAST = st.sampled_from(["Haddad", "Okafor", "Pritchard", "Lindqvist", "Mensah", "Whitby", "Zielinski", "Oduya"])
ACTION = st.sampled_from(["arrange a carer's assessment for the daughter", "refer the case to the community mental health team",
                          "send the minutes to the care quality commission", "complete the financial assessment forms"])


@settings(max_examples=40, deadline=None)
@given(FIRST, LAST, FIRST, LAST, ACTION, st.sampled_from(["Friday 14 March", "Monday 3 February", "30 April"]))
def test_the_source_s_own_action_is_never_flagged_and_the_same_action_given_to_the_other_person_always_is(
        first_a: str, last_a: str, first_b: str, last_b: str, action: str, when: str) -> None:
    if first_a == first_b or last_a == last_b:
        return
    a, b = f"{first_a} {last_a}", f"{first_b} {last_b}"
    source = f"{a}: I'm the social worker.\n{b}: I'm the advocate.\nChair: So {a} will {action} by {when}.\n"
    assert misattributed(f"{a} to {action} by {when}.", source) == []
    (wrong,) = misattributed(f"{b} to {action} by {when}.", source)
    assert wrong.person == b and wrong.credited_in_source == (a,)


NOTES = (
    "--- 02/06/2025 10:00 | Home visit | Author: Ruth Ellison, Heart Failure Nurse\n"
    "Violet Boswell is 84 and lives alone. Mrs Boswell weighs 61 kg.\n"
    "Actions:\n- Shona Patel to keep female-only nurse allocation and report any weight gain the same day.\n"
    "--- 03/06/2025 09:00 | Phone call | Author: Kieran Walsh, Business Support\n"
    "Oluwaseun Bello, Client Finance Team at Eastvale Council, will review the charging assessment.\n"
    "Kieran Walsh rang Eastvale Council to ask about the charging assessment.\n"
)


def test_an_author_s_note_that_names_someone_else_does_not_credit_the_author() -> None:
    (wrong,) = misattributed("Ruth Ellison to keep female-only nurse allocation and report weight gain the same day.", NOTES)
    assert wrong.person == "Ruth Ellison" and wrong.credited_in_source == ("Shona Patel",)
    assert misattributed("Shona Patel to keep female-only nurse allocation and report weight gain the same day.", NOTES) == []


def test_a_person_only_loosely_linked_to_a_statement_the_source_credits_to_someone_else_is_flagged() -> None:
    # Kieran Walsh asked about the charging assessment, but the review is Oluwaseun Bello's
    (wrong,) = misattributed("Kieran Walsh, Client Finance Team, to review the charging assessment.", NOTES)
    assert wrong.person == "Kieran Walsh" and wrong.credited_in_source == ("Oluwaseun Bello",)
    assert misattributed("Oluwaseun Bello, Client Finance Team, to review the charging assessment.", NOTES) == []


def test_the_adult_s_age_given_to_somebody_else_is_a_wrong_person() -> None:
    (wrong,) = misattributed("Mrs Ruth Ellison (84) lives alone.", NOTES, adult="Violet Boswell", adult_age=84)
    assert wrong.person == "Ruth Ellison" and wrong.credited_in_source == ("Boswell",)
    (read_from_source,) = misattributed("Ruth Ellison, 84, lives alone.", NOTES)  # the age is read from "Violet Boswell is 84"
    assert read_from_source.person == "Ruth Ellison"
    assert misattributed("Mrs Violet Boswell (84) lives alone.", NOTES, adult="Violet Boswell") == []
    assert misattributed("Ruth Ellison (84) lives alone.", NOTES + "Ruth Ellison, 84, works part time.") == []


def test_a_bracketed_aside_is_checked_on_its_own() -> None:
    source = ("Greg Dobbs: Both incidents happened on Thursday 10 April 2025.\n"
              "Mark Sutton: I first wrote Monday 14 April in my statement, that was wrong.\n")
    assert misattributed("Both incidents were on Thursday 10 April 2025 (Mark Sutton first wrote Monday 14 April in his statement).",
                         source) == []


@settings(max_examples=40, deadline=None)
@given(FIRST, LAST, FIRST, LAST, st.integers(min_value=18, max_value=104))
def test_the_adult_s_own_age_is_never_flagged_and_the_same_age_given_to_the_worker_always_is(
        first_a: str, last_a: str, first_w: str, last_w: str, age: int) -> None:
    if first_a == first_w or last_a == last_w:
        return
    adult, worker = f"{first_a} {last_a}", f"{first_w} {last_w}"
    source = f"--- 01/04/2025 | Visit | Author: {worker}, Social Worker\n{adult} is {age} and lives alone in a flat.\n"
    assert misattributed(f"{adult} ({age}) lives alone in a flat.", source) == []
    (wrong,) = misattributed(f"{worker} ({age}) lives alone in a flat.", source)
    assert wrong.person == worker
