"""key_fact_recall on views and wishes written as the person's own quoted words, in several house styles.

A view recorded in the key facts as reported speech ("Mrs Shaw said she was frightened in her own
kitchen ...") is found when the output quotes her ("I was frightened in my own kitchen"), in prose, a
bullet or a table cell; an output that quotes her saying something else, or leaves the view out, still
has it absent, and the case still fails.
"""

from __future__ import annotations

import re

from hypothesis import given, settings
from hypothesis import strategies as st

from judge.align import terms
from harness.goldens import Case, KeyFact
from suites.omission.recall import (
    KeyFactRecallScorer,
    in_own_words,
    match_facts,
    quotation_passages,
    quotes_kept,
    view_content,
)
from judge.align import cached_passages

SOURCE = ("Yasmin Clarke: I'm Yasmin Clarke, social worker. Last week Mrs Shaw said to me, \"I was frightened in my own kitchen. "
          "Now it is my kitchen again.\" She also said, \"I don't want to move. I want to keep Bramble with me.\" "
          "Dev Patel: Dev Patel, housing officer. The lock on the back door was changed on Friday 6 June 2025.")
QUOTED = KeyFact(id="kf1", text="Mrs Shaw said: 'I was frightened in my own kitchen. Now it is my kitchen again.' (psychological impact easing)",
                 category="views_wishes", severity="critical",
                 evidence="\"I was frightened in my own kitchen. Now it is my kitchen again.\"")
REPORTED = KeyFact(id="kf2", text="Mrs Shaw said she does not want to move and wants to keep her cat Bramble with her",
                   category="views_wishes", severity="critical",
                   evidence="\"I don't want to move. I want to keep Bramble with me.\"")
LOCK = KeyFact(id="kf3", text="The back door lock was changed on Friday 6 June 2025", category="protection_plan",
               severity="major", evidence="The lock on the back door was changed on Friday 6 June 2025.")
CASE = Case(id="views-1", task="safeguarding_minutes", source=SOURCE, key_facts=[QUOTED, REPORTED, LOCK],
            subject={"name": "Edna Shaw"})
LOCK_LINE = "The back door lock was changed on Friday 6 June 2025."

FIRST_PERSON = ("Mrs Shaw's views\n"
                "Mrs Shaw told the social worker: \"I was frightened in my own kitchen. Now it is my kitchen again.\" "
                "She said: \"I don't want to move. I want to keep Bramble with me.\"\n" + LOCK_LINE)
BULLETS = ("Views of the adult:\n"
           "- \"I was frightened in my own kitchen. Now it is my kitchen again.\"\n"
           "- \"I don't want to move. I want to keep Bramble with me.\"\n"
           "Protection plan:\n- " + LOCK_LINE)
TABLE = ("| Person | Views |\n|---|---|\n"
         "| Mrs Shaw | “I was frightened in my own kitchen. Now it is my kitchen again.” |\n"
         "| Mrs Shaw | “I don't want to move. I want to keep Bramble with me.” |\n\n" + LOCK_LINE)
REPORTED_SPEECH = ("Mrs Shaw said she was frightened in her own kitchen and that now it is her kitchen again. "
                   "Mrs Shaw said she does not want to move and wants to keep her cat Bramble with her.\n" + LOCK_LINE)
# Her own words, but about something else: neither view is in it.
OTHER_WORDS = ("Mrs Shaw's views\n"
               "Mrs Shaw said: \"I like my garden. The carers are kind to me.\" "
               "She said: \"I go to the library on Tuesdays.\"\n" + LOCK_LINE)


def statuses(output: str) -> dict[str, str]:
    return {m.fact.id: m.status for m in match_facts(CASE, output)}


def test_a_fact_that_quotes_her_is_present_when_the_output_quotes_the_same_words() -> None:
    for output in (FIRST_PERSON, BULLETS, TABLE):
        found = statuses(output)
        assert found["kf1"] == "present", output
        assert found["kf2"] != "absent", output
        assert KeyFactRecallScorer().score(CASE, output).passed, output


def test_reported_speech_still_holds_both_views() -> None:
    found = statuses(REPORTED_SPEECH)
    assert found["kf1"] != "absent" and found["kf2"] == "present"
    assert KeyFactRecallScorer().score(CASE, REPORTED_SPEECH).passed


def test_the_match_through_her_words_says_so() -> None:
    match = next(m for m in match_facts(CASE, BULLETS) if m.fact.id == "kf1")
    assert "in the person's own words" in match.reason
    assert "frightened in my own kitchen" in (match.span or "")


def test_her_words_about_something_else_do_not_state_the_views() -> None:
    found = statuses(OTHER_WORDS)
    assert found == {"kf1": "absent", "kf2": "absent", "kf3": "present"}
    score = KeyFactRecallScorer().score(CASE, OTHER_WORDS)
    assert not score.passed and set(score.details["critical_absent"]) == {"kf1", "kf2"}


def test_a_view_left_out_of_quoted_minutes_is_still_absent() -> None:
    for output in (FIRST_PERSON, BULLETS, TABLE):
        kept = "\n".join(line for line in output.splitlines() if "kitchen" not in line)
        kept = kept.replace("Mrs Shaw told the social worker: ", "")
        found = statuses(kept)
        assert found["kf1"] == "absent", kept
        assert not KeyFactRecallScorer().score(CASE, kept).passed


def test_half_a_quotation_is_not_present() -> None:
    half = BULLETS.replace(" Now it is my kitchen again.", "")
    assert statuses(half)["kf1"] == "partial"


def test_a_view_quoted_without_saying_whose_it_is_is_partial() -> None:
    unattributed = ("Notes\n\"I was frightened in my own kitchen. Now it is my kitchen again.\"\n"
                    "\"I don't want to move. I want to keep Bramble with me.\"\n" + LOCK_LINE)
    found = statuses(unattributed)
    assert found["kf1"] == "partial"


def test_in_own_words_reads_first_person_quotes_as_reported_speech() -> None:
    assert in_own_words("She said: \"I was frightened in my own kitchen.\"") == "they said: they were frightened in their own kitchen."
    assert in_own_words("He said ‘I’m not going into a home’") == "they said they are not going into a home"
    # outside quotation marks the minute-taker's "I" is left alone; a hyphenated word is not a pronoun
    assert in_own_words("I met Mrs Shaw about her me-time.") == "I met Mrs Shaw about their me-time."


def test_view_content_drops_the_holder_the_reporting_verb_and_the_gloss() -> None:
    assert view_content(QUOTED, CASE) == "'I was frightened in my own kitchen. Now it is my kitchen again.'"
    assert view_content(REPORTED, CASE) == "she does not want to move and wants to keep her cat Bramble with her"
    gloss_inside = KeyFact(id="k", text="Mrs Shaw gave small gifts (about £50 at Christmas) to her niece", category="views_wishes",
                           severity="major", evidence="-")
    assert "(about £50 at Christmas)" in view_content(gloss_inside, CASE)  # no quotation: nothing is a gloss


def test_quotes_kept_needs_every_quotation_word_for_word() -> None:
    fact = "Mrs Shaw asked 'When can I go home?' and said 'Bramble is a good cat'"
    assert quotes_kept(fact, "She asked: “When can I go home?” and said “Bramble is a good cat.”")
    assert not quotes_kept(fact, "“Bramble is a good cat.”")


def test_a_long_quotation_is_read_whole() -> None:
    output = "Views. Mr Dunn said: \"I want them to stop. I want to go to the shop. Without them shouting. And I want the police to act.\""
    whole = quotation_passages(output, cached_passages(output, 2))
    assert [p.text for p in whole] == [output[output.index("Mr Dunn"):]]


def test_facts_that_are_not_views_match_as_before() -> None:
    for output in (FIRST_PERSON, BULLETS, TABLE, REPORTED_SPEECH, OTHER_WORDS):
        match = next(m for m in match_facts(CASE, output) if m.fact.id == "kf3")
        assert match.status == "present" and "own words" not in match.reason


PIECES = [*"IimeyshrMHEtoawd'’-\"“”‘ .,:", "I'm", "I’d", "my", "me", "her", "his", "she", "he's", "myself", " I ", "kitchen",
          "flat", "me-time", "don't", " 5 May ", "10am"]


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(PIECES), max_size=30).map("".join))
def test_reading_in_own_words_changes_no_content_term(text: str) -> None:
    """The own-words reading only swaps pronouns and drops quotation marks: it never gives a passage a
    content term it lacks, so a fact's terms can be no better covered by it than by the passage itself.
    Its terms are those of the text, read with or without its quotation marks ("III''Ime" holds "iii" and
    "ime" once its marks are dropped), since dropping them is all it does besides swapping pronouns."""
    unquoted = re.sub(r"(?<![A-Za-z])[\"“”‘’']|[\"“”‘’'](?![A-Za-z])", " ", text)  # an apostrophe inside a word stays
    assert terms(in_own_words(text)) <= terms(text) | terms(unquoted)
