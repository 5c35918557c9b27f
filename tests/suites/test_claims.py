"""Claim-level hallucination and faithfulness scorers."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from judge.claims import check_claims, split_claims
from harness.goldens import Case, KeyFact
from suites.faithfulness.scorers import DistortionScorer, ReferenceAgreementScorer, SupportedClaimShareScorer
from suites.hallucination.claims import ClaimSupportScorer

SOURCE = ("Kofi Asante: I assessed Mr Nowak on Thursday 6 March. He lacks capacity to decide about the enquiry. "
          "Carla Whitby: It is alleged that the night carer squeezed his arm. Mr Nowak agreed to a body map check every morning. "
          "The GP said his apixaban dose is 2.5 mg twice a day.")
FACTS = [KeyFact(id="kf1", text="Kofi Asante assessed that Mr Nowak lacks capacity to decide about the enquiry", category="capacity",
                 severity="critical", evidence="He lacks capacity to decide about the enquiry.")]
CASE = Case(id="c1", task="safeguarding_minutes", source=SOURCE, key_facts=FACTS,
            reference="Mr Nowak lacks capacity to decide about the enquiry. It is alleged that the night carer squeezed his arm.")
FAITHFUL = ("Kofi Asante assessed on Thursday 6 March that Mr Nowak lacks capacity to decide about the enquiry. "
            "It is alleged that the night carer squeezed his arm. His apixaban dose is 2.5 mg twice a day.")


def test_a_faithful_output_has_no_problem_and_passes() -> None:
    assert all(c.supported for c in check_claims(CASE, FAITHFUL))
    score = ClaimSupportScorer().score(CASE, FAITHFUL)
    assert score.passed and score.value == 1.0 and score.details["claims"] == 3
    assert SupportedClaimShareScorer().score(CASE, FAITHFUL).value == 1.0


def test_a_capacity_flip_is_found_with_its_evidence() -> None:
    flipped = FAITHFUL.replace("lacks capacity", "has capacity")
    score = ClaimSupportScorer().score(CASE, flipped)
    finding = next(f for f in score.findings if f.kind == "capacity_flip")
    assert "has capacity" in (finding.output_span or "") and "lacks capacity" in (finding.source_evidence or "")
    assert score.value < 1.0


def test_an_allegation_stated_as_fact_is_a_distortion() -> None:
    stated = FAITHFUL.replace("It is alleged that the night carer", "The night carer")
    distortion = DistortionScorer().score(CASE, stated)
    assert [f.kind for f in distortion.findings] == ["certainty_raised"] and not distortion.passed


def test_a_wrong_dose_is_critical_and_fails_the_case() -> None:
    score = ClaimSupportScorer().score(CASE, FAITHFUL.replace("2.5 mg", "25 mg"))
    assert not score.passed and any(f.severity == "critical" and f.kind == "unsupported_dose" for f in score.findings)


def test_an_invented_sentence_is_an_unsupported_claim() -> None:
    invented = FAITHFUL + " The family will move abroad to Portugal next winter with their horses."
    checks = check_claims(CASE, invented)
    assert [c.problems[0][0] for c in checks if c.problems] == ["unsupported_claim"]
    assert SupportedClaimShareScorer().score(CASE, invented).value == 0.75


def test_reference_agreement_is_statement_f1() -> None:
    scorer = ReferenceAgreementScorer()
    assert scorer.score(CASE, CASE.reference or "").value == 1.0
    half = scorer.score(CASE, "Mr Nowak lacks capacity to decide about the enquiry.")
    assert half.details == {"precision": 1.0, "recall": 0.5} and abs((half.value or 0) - 2 / 3) < 1e-9
    assert not scorer.score(CASE.model_copy(update={"reference": None}), "x").scored


@given(st.lists(st.sampled_from([s + "." for s in FAITHFUL.split(". ")] + ["The cat sat on a very large red mat."]), min_size=1, max_size=6))
def test_claim_scores_are_shares(sentences: list[str]) -> None:
    output = " ".join(sentences)
    for scorer in (ClaimSupportScorer(), SupportedClaimShareScorer(), DistortionScorer()):
        score = scorer.score(CASE, output)
        assert score.value is None or 0.0 <= score.value <= 1.0
    assert len(split_claims(output)) <= len(sentences)


def test_a_consent_flip_is_critical_and_fails_the_case() -> None:
    refused = FAITHFUL + " Mr Nowak refused a body map check every morning."
    assert ClaimSupportScorer().score(CASE, FAITHFUL + " Mr Nowak agreed to a body map check every morning.").passed
    score = ClaimSupportScorer().score(CASE, refused)
    finding = next(f for f in score.findings if f.kind == "consent_flip")
    assert finding.severity == "critical" and "agreed to a body map check" in (finding.source_evidence or "")
    assert not score.passed


def test_a_flip_without_a_clause_stating_the_opposite_is_for_review_not_critical() -> None:
    # the case: another council's faithful minutes; the closest clause only names capacity
    source = ("Kofi Asante: I assessed his capacity on the 8th for decisions about managing his finances. "
              "He lacks capacity for that decision. Ewa holds no power of attorney.")
    case = Case(id="c2", task="safeguarding_minutes", source=source)
    minutes = ("He lacks capacity to make decisions about managing his finances, so decisions about his finances "
               "will be made in his best interests.")
    assert ClaimSupportScorer().score(case, minutes).passed
    assessed_only = case.model_copy(update={"source": source.replace(" He lacks capacity for that decision.", "")})
    score = ClaimSupportScorer().score(assessed_only, minutes)
    (finding,) = [f for f in score.findings if f.kind in {"unverified", "capacity_flip"}]
    assert finding.kind == "unverified" and finding.severity == "major" and "for review" in finding.reason
    assert not any(f.severity == "critical" for f in score.findings)
