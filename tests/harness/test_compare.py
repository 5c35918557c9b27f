"""The comparison engine on hand-built run reports: pairing, refusal of different sets, worse cases, topics."""

from __future__ import annotations

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from harness.compare import compare
from harness.errors import InputError
from harness.sentences import significant_statements
from run_reports import finding, report, score, uniform


def test_difference_is_paired_mean_of_b_minus_a() -> None:
    a = uniform("a", [0.9, 0.8, 0.7, 1.0])
    b = uniform("b", [0.8, 0.8, 0.5, 0.9])
    d = compare([a, b]).pairs[0].scorers[0]
    assert d.n_shared == 4
    assert math.isclose(d.difference, -0.1)
    assert d.ci[0] <= d.difference <= d.ci[1]
    # three non-zero differences, all negative: the two-sided exact sign-flip p is 2 of 8 sign patterns
    assert d.p_value == 2 / 8


@given(st.lists(st.floats(0, 1, allow_nan=False), min_size=2, max_size=20))
def test_a_run_compared_with_itself_shows_no_difference(values: list[float]) -> None:
    c = compare([uniform("a", values), uniform("b", values)])
    d = c.pairs[0].scorers[0]
    assert d.difference == 0 and d.p_value == 1.0 and d.only_a_passed == d.only_b_passed == 0
    assert c.pairs[0].worse_cases == [] and significant_statements(c) == []


def test_different_golden_sets_are_refused_with_a_reason() -> None:
    a = uniform("a", [1.0, 1.0], golden_hash="a" * 64)
    b = uniform("b", [1.0, 1.0], golden_hash="b" * 64)
    with pytest.raises(InputError) as caught:
        compare([a, b])
    assert "different golden-set contents" in str(caught.value) and "--allow-different-sets" in str(caught.value)


def test_allow_different_sets_compares_shared_case_ids_and_says_so() -> None:
    a = report("a", {"x": {"s": score(1.0)}, "y": {"s": score(1.0)}}, golden_hash="a" * 64)
    b = report("b", {"y": {"s": score(0.0)}, "z": {"s": score(0.0)}}, golden_hash="b" * 64)
    c = compare([a, b], allow_different_sets=True)
    assert c.different_sets and c.shared_cases == 1 and "only the 1 case ids" in (c.notice or "")
    assert c.pairs[0].scorers[0].n_shared == 1


def test_errored_cases_are_left_out_of_the_pairing() -> None:
    a = report("a", {"x": {"s": score(1.0)}, "y": {"s": score(0.4)}})
    b = report("b", {"x": {"s": score(1.0)}}, errors=["y"])
    c = compare([a, b])
    assert c.pairs[0].scorers[0].n_shared == 1
    assert c.side("b").errors == 1


def test_worse_cases_carry_the_findings_b_added() -> None:
    old = finding("omitted_key_fact", "major", key_fact_id="kf01")
    new = finding("invented_dose", "critical", reason="the dose 50 mg is not in the source", output_span="50 mg")
    a = report("a", {"x": {"s": score(0.9, True, [old])}, "y": {"s": score(1.0)}})
    b = report("b", {"x": {"s": score(0.3, False, [old, new])}, "y": {"s": score(1.0)}})
    worse = compare([a, b]).pairs[0].worse_cases
    assert [w.case_id for w in worse] == ["x"]
    assert [f.kind for f in worse[0].added] == ["invented_dose"]
    assert worse[0].passed_a and not worse[0].passed_b


def test_a_clear_difference_is_significant_after_holm_and_stated_in_words() -> None:
    n = 24
    a = report("a", {f"c{i}": {"recall": score(0.9), "other": score(0.8)} for i in range(n)}, tool="vendor A")
    b = report("b", {f"c{i}": {"recall": score(0.9 if i < 6 else 0.4, i < 6), "other": score(0.8)} for i in range(n)},
               tool="vendor B")
    c = compare([a, b])
    d = next(x for x in c.pairs[0].scorers if x.scorer == "recall")
    assert d.p_holm is not None and d.p_holm < 0.05
    assert d.only_a_passed == 18 and d.mcnemar_p_holm < 0.05
    text = " ".join(significant_statements(c))
    assert "vendor A scores higher than vendor B on recall" in text
    assert "vendor B passes recall in 6 of 24 cases where vendor A passes 24" in text
    other = next(x for x in c.pairs[0].scorers if x.scorer == "other")
    assert other.p_value == 1.0


def test_finding_topics_count_cases_and_compare_them() -> None:
    n = 20
    omitted = finding("omitted_key_fact", "critical", key_fact_id="kf01")
    a = report("a", {f"c{i}": {"s": score(1.0, True, [omitted] if i == 0 else [])} for i in range(n)})
    b = report("b", {f"c{i}": {"s": score(0.5, False, [omitted] if i < 12 else [])} for i in range(n)})
    topic = compare([a, b]).pairs[0].topics[0]
    assert (topic.topic, topic.cases_a, topic.cases_b) == ("omitted_key_fact", 1, 12)
    assert topic.p_value < 0.01


def test_more_than_two_runs_make_every_pair() -> None:
    runs = [uniform(x, [0.5, 0.6, 0.7]) for x in "abc"]
    c = compare(runs)
    assert [(p.run_a, p.run_b) for p in c.pairs] == [("a", "b"), ("a", "c"), ("b", "c")]


def test_one_run_or_the_same_run_twice_is_bad_input() -> None:
    a = uniform("a", [0.5])
    with pytest.raises(InputError):
        compare([a])
    with pytest.raises(InputError):
        compare([a, a])
