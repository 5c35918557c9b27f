"""Negation: a claim that states the opposite of the evidence saying the same thing."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from judge.polarity import ACCEPT, asserts, contradicted, negated_heads, negative, stances, stated_outright


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


def test_anaphora_is_resolved_before_comparing() -> None:
    # "that decision" stands for the decision named in the clause before it, so the source agrees
    claim = "He lacks capacity to make decisions about managing his finances."
    assessed = "I assessed his capacity on the 8th for decisions about managing his finances."
    assert contradicted(claim, [assessed + " He lacks capacity for that decision."]) == []
    assert contradicted(claim, [assessed]), "without the second sentence the closest clause only names capacity"


@pytest.mark.parametrize(("claim", "evidence", "outright"), [
    ("She consented to police involvement.", "She did not consent to police involvement.", True),
    ("Mrs Bennett has capacity to decide whether to move.", "Mrs Bennett lacks capacity to decide whether to move.", True),
    ("He wants to stay at home and wants a care home.", "He wants to stay at home and does not want a care home.", True),
    ("Mr Varma accepted tenancy support.", "Mr Varma again declined tenancy support.", True),
    # the affirming side only names the concept: no positive evidence of the opposite
    ("He lacks capacity to make decisions about managing his finances.",
     "I assessed his capacity on the 8th for decisions about managing his finances.", False),
    ("He does not want a management transfer.", "I'd also like to offer Mick a management transfer.", False),
    ("She did not consent to sharing the report.", "Consent was sought from her for sharing the report.", False),
])
def test_a_critical_flip_needs_a_clause_that_states_the_opposite_outright(claim: str, evidence: str, outright: bool) -> None:
    ((claim_clause, evidence_clause),) = contradicted(claim, [evidence])
    assert stated_outright(claim_clause, evidence_clause) is outright


@pytest.mark.parametrize(("clause", "concept", "expected"), [
    ("He has the capacity to decide", "capac", True), ("a person with capacity", "capac", True),
    ("She is able to make this decision", "capac", True), ("an assessment of his capacity", "capac", False),
    ("She consented", ACCEPT, True), ("asked for his consent to share", ACCEPT, False),
    ("consent was sought from her", ACCEPT, False), ("It was agreed that the GP would visit", ACCEPT, True),
])
def test_asserts_tells_stating_from_naming(clause: str, concept: str, expected: bool) -> None:
    assert asserts(clause, concept) is expected
