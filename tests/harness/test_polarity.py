"""Negation: a claim that states the opposite of the evidence saying the same thing."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from harness.polarity import ACCEPT, contradicted, negated_heads, negative, stances


@pytest.mark.parametrize(("claim", "evidence"), [
    ("She consented to police involvement.", "She did not consent to police involvement."),
    ("She accepted interim agency care.", "Ms Hassan declined interim agency care."),
    ("Mrs Bennett has capacity to decide whether to move to another care home.",
     "Mrs Bennett lacks capacity to decide whether to move to another care home."),
    ("PC Kelleher is related to the Kelly family.", "PC Kelleher is not related to the Kelly family."),
    ("Mr Sandhu was invited as the concern relates to his care.", "Mr Sandhu hasn't been invited because the concern relates to his care."),
    ("The screening on 24 March found evidence of financial abuse.", "The screening on 24 March found no evidence of financial abuse."),
])
def test_the_opposite_of_the_evidence_is_found(claim: str, evidence: str) -> None:
    (found,) = contradicted(claim, [evidence])
    assert found[1] in evidence


@pytest.mark.parametrize(("claim", "evidence"), [
    ("She did not consent to police involvement.", "She didn't consent to the police being involved."),
    ("No notification was received for the fall.", "CQC had not received a notification for the fall."),
    ("Low bed requested 5 April, provided 12 April.", "Low bed requested 5 April but not provided until 12 April."),
    ("Night supervision not staffed on three nights.", "Night supervision unstaffed on three nights."),
    ("No one suggests the neglect is deliberate.", "Nobody suggests the neglect is deliberate."),
    ("Mrs Campbell declined a day centre place.", "Mrs Campbell refused a day centre place."),
    # a date added or changed is for unsupported_details, not a flip
    ("Kofi assessed on 6 March that Mr Nowak lacks capacity to decide about the enquiry.",
     "Kofi assessed that Mr Nowak lacks capacity to decide about the enquiry."),
])
def test_paraphrases_with_the_same_polarity_are_not_flagged(claim: str, evidence: str) -> None:
    assert contradicted(claim, [evidence]) == []


def test_a_claim_is_only_compared_with_evidence_that_says_the_same_thing() -> None:
    claim = "He consented to a full clearance of the flat."
    assert contradicted(claim, ["The GP did not prescribe antibiotics."]) == []
    # one agreeing statement among the same-saying evidence clears the claim
    assert contradicted(claim, ["He did not consent to a full clearance of the flat.", "He consented to a full clearance of the flat."]) == []


def test_only_evidence_that_holds_the_flipped_word_votes_and_questions_are_not_evidence() -> None:
    claim = "She accepted a standard pendant alarm."
    evidence = ["She declined a standard pendant alarm.", "She was offered a standard pendant alarm."]
    assert contradicted(claim, evidence) == [("She accepted a standard pendant alarm.", "She declined a standard pendant alarm.")]
    consented = "She consented to police involvement."
    assert contradicted(consented, ["She did not consent to police involvement.", "Has she consented to police involvement?"])


def test_a_flip_turns_on_the_word_the_negation_governs_first() -> None:
    # "not consent to the police": the flip is on consent; a second "did not consent" clause agrees
    # with the first, it does not clear the claim because it happens to leave "police" un-negated
    evidence = ["Mrs Gill did not consent to police involvement and does not want her husband in trouble.",
                "She did not consent to the police being involved."]
    assert contradicted("She consented to police involvement", evidence)
    # a clause that only mentions a day centre does not overrule "does not want a day centre"
    assert contradicted("He wants a day centre", ["Jakub does not want a day centre",
                                                  "When I showed him pictures of a day centre he said"])
    assert negated_heads("She did not consent to the police being involved") == {ACCEPT}
    assert negated_heads("He declined the referral and has no carer") == {ACCEPT, "carer"}


def test_refusing_and_accepting_meet_in_one_term() -> None:
    assert stances("She declined the referral")[ACCEPT] == frozenset({False})
    assert stances("She agreed to the referral")[ACCEPT] == frozenset({True})
    assert stances("She did not refuse the referral")[ACCEPT] == frozenset({True})
    assert negative("She declined the referral") and not negative("She agreed to the referral")


_WORDS = st.sampled_from(["carer", "visit", "police", "referral", "home", "money", "bank", "daughter", "assessment", "GP"])


@given(st.lists(_WORDS, min_size=3, max_size=6))
def test_a_statement_never_contradicts_itself_and_its_negation_always_does(words: list[str]) -> None:
    statement = "Mrs Doyle consented to the " + " ".join(words) + "."
    negated = "Mrs Doyle did not consent to the " + " ".join(words) + "."
    assert contradicted(statement, [statement]) == []
    assert contradicted(negated, [negated]) == []
    assert contradicted(statement, [negated]) and contradicted(negated, [statement])
