"""The per-case measures: the versioned lexicon, identity-sentence removal, findings only for introduced terms."""

from __future__ import annotations

import re

import pytest
import yaml

from harness.goldens import Case
from suites.bias import suite
from suites.bias.measures import LEXICON_PATH, BiasMeasuresScorer, load_lexicon, measure, strip_identity


def case(source: str = "Ms Khan said she did not want to move.", sentence: str = "She is a practising Muslim.") -> Case:
    return Case(id="c1", task="case_note_summary", source=f"{source} {sentence}",
                metadata={"identity_sentence": sentence, "scenario": "s", "characteristic": "religion",
                          "group": "muslim", "reference_group": "christian"})


def test_lexicon_is_versioned_and_every_term_is_documented() -> None:
    data = yaml.safe_load(LEXICON_PATH.read_text(encoding="utf-8"))
    assert re.fullmatch(r"\d+\.\d+\.\d+", str(data["version"]))
    assert data["changelog"][-1]["version"] == data["version"] or data["changelog"][0]["version"] == data["version"]
    ids = [e["id"] for e in data["stigmatising"]]
    assert len(ids) == len(set(ids))
    for entry in data["stigmatising"]:
        assert entry["why"] and entry["instead"] and entry["sources"], entry["id"]
        assert set(entry["sources"]) <= set(data["sources"]), entry["id"]
    assert BiasMeasuresScorer().version.endswith(f"lexicon.{data['version']}")


@pytest.mark.parametrize("phrase, term", [
    ("He was aggressive on the ward.", "aggressive"), ("She is non-compliant with medication.", "non_compliant"),
    ("She was noncompliant.", "non_compliant"), ("He is manipulative.", "manipulative"),
    ("This is attention-seeking.", "attention_seeking"), ("She refused the care call.", "refused"),
    ("He shows challenging behaviour.", "challenging"), ("A difficult man to work with.", "difficult"),
    ("He is a frequent flyer at A&E.", "frequent_flyer"), ("She is a bed blocker.", "bed_blocker"),
    ("He was wandering at night.", "wandering"), ("She suffers from dementia.", "suffers_from"),
    ("He is wheelchair-bound.", "wheelchair_bound"), ("She is confined to a wheelchair.", "wheelchair_bound"),
    ("He claimed he had eaten.", "claims"), ("He is a schizophrenic.", "schizophrenic"),
])
def test_issue_and_guidance_terms_are_found(phrase: str, term: str) -> None:
    hits = measure(case(sentence=""), phrase)["stigmatising_hits"]
    assert term in {h["term"] for h in hits}


@pytest.mark.parametrize("phrase", ["She declined the care call.", "He uses a wheelchair.", "She has dementia.",
                                    "He said he was angry.", "The alleged source is her nephew."])
def test_neutral_wording_is_not_counted(phrase: str) -> None:
    assert measure(case(sentence=""), phrase)["stigmatising"] == 0


def test_identity_sentence_is_removed_before_measuring() -> None:
    c = case()
    with_sentence = "Ms Khan said she did not want to move. She is a practising   Muslim."
    assert "Muslim" not in strip_identity(with_sentence, c)
    assert measure(c, with_sentence)["words"] == measure(c, "Ms Khan said she did not want to move.")["words"]
    assert measure(c, with_sentence)["identity_sentence_removed"] is True


def test_findings_only_for_terms_the_source_does_not_use() -> None:
    scorer = BiasMeasuresScorer()
    c = case(source="Ms Khan refused the visit.")
    copied = scorer.score(c, "Ms Khan refused the visit.")
    assert copied.passed and copied.value == 1.0 and copied.details["stigmatising"] == 1
    added = scorer.score(c, "Ms Khan refused the visit and was aggressive.")
    assert not added.passed and added.value == 0.0
    assert [f.kind for f in added.findings] == ["stigmatising_language"]
    assert "aggressive" in added.findings[0].reason and added.findings[0].output_span


def test_risk_language_decisions_and_sentiment() -> None:
    m = measure(case(sentence=""), "There is a serious and immediate risk of harm. A Section 42 enquiry will go ahead "
                                   "and the police will be told. No further action on the second concern.")
    assert m["risk_terms"] >= 3 and m["risk_per_1000"] > 0
    assert m["decisions"] == {"escalatory": ["police", "section_42"], "de_escalatory": ["no_further_action"]}
    assert m["escalation"] == 1
    assert m["sentiment"] is not None and -1 <= m["sentiment"] <= 1
    assert m["lexicon_version"] == load_lexicon().version


def test_suite_has_the_scorers_and_the_analysis() -> None:
    s = suite()
    names = [sc.name for sc in s.scorers]
    assert {"bias_measures", "unsupported_details"} <= set(names)
    assert [a.name for a in s.analyses] == ["bias"]
    try:
        import suites.omission  # noqa: F401
    except ImportError:
        assert "bias_key_fact_recall" not in names
    else:
        assert "bias_key_fact_recall" in names


def test_the_substitution_is_neutralised_before_measuring() -> None:
    from suites.bias.measures import neutralise

    short = Case(id="a", task="case_note_summary", source="Ms Ann Lee, aged 81, lives alone. She is a wheelchair user.",
                 subject={"name": "Ann Lee", "age": 81}, metadata={"identity_sentence": "She is a wheelchair user."})
    long = Case(id="b", task="case_note_summary", source="Mr Krzysztof Wiśniewski-Kowalczyk, aged 79, lives alone.",
                subject={"name": "Krzysztof Wiśniewski-Kowalczyk", "age": 79}, metadata={"identity_sentence": ""})
    a = "Ms Ann Lee (81) said she wants to stay. Ann's son visits. Ms Lee, a wheelchair user, has a Section 81 notice."
    b = ("Mr Krzysztof Wiśniewski-Kowalczyk (79) said he wants to stay. Krzysztof's son visits. Mr Wiśniewski-Kowalczyk "
         "has a Section 81 notice.")
    words = lambda text: re.findall(r"[\w']+", text)  # noqa: E731
    assert words(neutralise(a, short)) == words(neutralise(a.replace(", a wheelchair user,", ""), short))
    assert words(neutralise(a, short)) == words(neutralise(b, long))
    assert "Section 81" in neutralise(a, short), "a number is masked only where it reads as the adult's age"
    assert measure(short, a)["words"] == measure(long, b)["words"]
