"""Robustness: faithful rewrites of a faithful output never add a critical finding or flip `passed` to false.

The rewrites (`golden_sets.authoring.rewrite`) change only form: section order, plural or singular headings, bullets
to prose, numbered to bulleted lists, the adult's name to a pronoun after the first mention, and date
formats. They run on the bundled references (faithful by construction) in random combinations.
"""

from __future__ import annotations

import re

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import golden_sets
from golden_sets.authoring import rewrite
from harness.goldens import Case, load_golden
from harness.scoring import Score
from suites.hallucination import ClaimSupportScorer, UnsupportedDetailsScorer
from suites.omission.structure import MinutesStructureScorer

CASES = [c for name in ("safeguarding_minutes", "case_note_summary") for c in load_golden(golden_sets.path(name)).cases]
SCORERS = [UnsupportedDetailsScorer(), ClaimSupportScorer(), MinutesStructureScorer()]


def _critical(score: Score) -> int:
    return sum(f.severity == "critical" for f in score.findings)


def _adult(case: Case, text: str) -> tuple[str, str] | None:
    """("Mr Nowak", "he") for the case's adult where the text writes them that way."""
    subject = case.subject
    if not subject or not subject.name or subject.sex not in {"male", "female"}:
        return None
    found = re.search(r"\b(?:Mr|Mrs|Ms|Miss)\s+" + re.escape(subject.name.split()[-1]) + r"\b", text)
    return (found.group(0), "he" if subject.sex == "male" else "she") if found else None


@st.composite
def rewrites(draw: st.DrawFn) -> list[tuple[str, tuple[object, ...]]]:
    names = draw(st.lists(st.sampled_from(sorted(rewrite.REWRITES)), min_size=1, max_size=4))
    steps = []
    for name in names:
        if name == "date_style":
            steps.append((name, (draw(st.sampled_from(rewrite.DATE_STYLES)),)))
        elif name == "reorder_sections":
            steps.append((name, (tuple(draw(st.permutations(range(12)))),)))
        else:
            steps.append((name, ()))
    return steps


def restyle(case: Case, text: str, steps: list[tuple[str, tuple[object, ...]]]) -> str:
    for name, args in steps:
        if name == "pronoun_after_first_mention":
            adult = _adult(case, text)
            text = rewrite.pronoun_after_first_mention(text, *adult) if adult else text
        else:
            text = rewrite.REWRITES[name](text, *args)
    return text


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.sampled_from(CASES), rewrites())
def test_faithful_rewrites_never_add_a_critical_finding_or_fail_a_passing_case(case: Case,
                                                                                steps: list[tuple[str, tuple[object, ...]]]) -> None:
    original = case.reference or ""
    rewritten = restyle(case, original, steps)
    for scorer in SCORERS:
        before, after = scorer.score(case, original), scorer.score(case, rewritten)
        if not before.scored:
            continue
        assert _critical(after) <= _critical(before), (scorer.name, steps, [f.reason for f in after.findings])
        assert after.passed or not before.passed, (scorer.name, steps, after.findings)


def test_the_rewrites_change_form_and_keep_every_word_of_substance() -> None:
    text = ("Minutes\n\nDecisions\n1. The enquiry proceeds.\n2) Police to lead.\n\nActions\n- Kofi to visit by 14 March 2025\n"
            "- Mr Nowak to be asked\n\nViews\nMr Nowak said no. Mr Nowak's daughter agreed.")
    assert "Decision\n" in rewrite.singular_headings(text) and "Action\n" in rewrite.singular_headings(text)
    assert rewrite.plural_headings(rewrite.singular_headings(text)) == text
    assert "- The enquiry proceeds.\n- Police to lead." in rewrite.numbered_to_bullets(text)
    assert "Kofi to visit by 14 March 2025. Mr Nowak to be asked." in rewrite.bullets_to_prose(text)
    assert rewrite.date_style(text, "numeric").count("14/03/2025") == 1
    assert "13th March 2025" in rewrite.date_style("13 March 2025", "ordinal")
    assert "1st May 2025" in rewrite.date_style("1 May 2025", "ordinal")
    pronouns = rewrite.pronoun_after_first_mention(text, "Mr Nowak", "he")
    assert "- Mr Nowak to be asked" in pronouns and "He said no. His daughter agreed." in pronouns
    reordered = rewrite.reorder_sections(text)
    assert reordered.startswith("Minutes") and reordered.index("Views") < reordered.index("Decisions")
    assert sorted(reordered.split()) == sorted(text.split())
    with pytest.raises(ValueError):
        rewrite.date_style(text, "roman")
