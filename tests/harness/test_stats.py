from __future__ import annotations

import math

from hypothesis import given
from hypothesis import strategies as st

from harness.scoring import Finding, Score, aggregate
from harness.stats import bootstrap_ci

values = st.lists(st.floats(0, 1, allow_nan=False), min_size=2, max_size=60)


@given(values)
def test_interval_lies_within_the_data_and_brackets_the_mean(data: list[float]) -> None:
    low, high = bootstrap_ci(data)
    mean = sum(data) / len(data)
    assert min(data) - 1e-12 <= low <= high <= max(data) + 1e-12
    assert low - 1e-9 <= mean <= high + 1e-9


@given(values)
def test_interval_is_reproducible(data: list[float]) -> None:
    assert bootstrap_ci(data) == bootstrap_ci(data)


def test_degenerate_inputs() -> None:
    assert bootstrap_ci([0.4]) == (0.4, 0.4)
    assert all(math.isnan(v) for v in bootstrap_ci([]))


def test_wider_with_fewer_cases() -> None:
    few = bootstrap_ci([0.0, 1.0] * 5)
    many = bootstrap_ci([0.0, 1.0] * 200)
    assert (few[1] - few[0]) > (many[1] - many[0])


@given(st.lists(st.one_of(st.none(), st.floats(0, 1)), min_size=1, max_size=30))
def test_aggregate_excludes_unscored_cases(raw: list[float | None]) -> None:
    scores = [Score.unscored("judge failed") if v is None else Score(value=v, passed=v >= 0.5) for v in raw]
    result = aggregate("s", scores)
    scored = [v for v in raw if v is not None]
    assert result.n_scored == len(scored) and result.n_unscored == len(raw) - len(scored)
    if scored:
        assert math.isclose(result.mean, sum(scored) / len(scored))
        assert math.isclose(result.pass_rate, sum(v >= 0.5 for v in scored) / len(scored))
    else:
        assert math.isnan(result.mean)


def test_aggregate_counts_findings_by_severity() -> None:
    finding = Finding(kind="unsupported_date", severity="critical", reason="r")
    result = aggregate("s", [Score(value=0.5, passed=False, findings=[finding, finding]), Score(value=1.0, passed=True)])
    assert result.findings_by_severity == {"critical": 2, "major": 0, "minor": 0}
