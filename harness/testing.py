"""Assertions for a team's own tests, in the spirit of deepeval's `assert_test`.

    from harness.testing import assert_output, load_cases

    def test_minutes_do_not_invent_doses():
        case = load_cases("golden_sets/sample")[0]
        assert_output(my_tool(case.source), case, suite="hallucination")

`assert_output` scores one output with the suites' offline scorers and raises `AssertionError`
whose message lists every finding in plain text (the same text the pytest plugin prints, made by
`format_failure`). An unscored result (the scorer could not judge, for example `key_fact_recall`
on a case without key facts) is neither a pass nor a fail, as everywhere in assure: it only fails
the assertion when that scorer was named in `scorers=`, or when nothing at all could be scored.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from functools import lru_cache
from pathlib import Path
from typing import Any

from .goldens import Case, load_golden
from .scoring import Finding, Score, Scorer

__all__ = ["assert_output", "format_failure", "load_cases", "score_case"]

_SPAN_LIMIT = 240


def load_cases(golden_path: str | Path) -> list[Case]:
    """The validated cases of a golden-set folder, in file order (raises `InputError` if invalid).

    Handy with `pytest.mark.parametrize("case", load_cases(PATH), ids=lambda c: c.id)`."""
    return list(load_golden(golden_path).cases)


def score_case(output: str, case: Case | Mapping[str, Any] | str, suite: str | Sequence[str] = "hallucination",
               scorers: Sequence[str] | None = None, *, task: str = "case_note_summary") -> dict[str, Score]:
    """Every selected scorer's `Score` for `output` on `case`, without asserting anything.

    `case` is a golden `Case`, a mapping in the `cases.jsonl` shape (`id` defaults to "inline" and
    `task` to `task`), or just the source text. `suite` names one or more registered suites;
    `scorers` narrows to those scorer names (an unknown name is a `ValueError`)."""
    from .runner import score_output

    the_case = as_case(case, task=task)
    selected = select_scorers(suite, scorers)
    return score_output(selected, the_case, output)


def assert_output(output: str, case: Case | Mapping[str, Any] | str, suite: str | Sequence[str] = "hallucination",
                  scorers: Sequence[str] | None = None, *, task: str = "case_note_summary") -> dict[str, Score]:
    """Score `output` on `case` (see `score_case`) and raise `AssertionError` listing the findings
    when a selected scorer does not pass; return the scores when all pass.

    Unscored results are skipped unless the scorer is named in `scorers`; if nothing could be
    scored at all, that is an `AssertionError` too (nothing was checked)."""
    the_case = as_case(case, task=task)
    scores = score_case(output, the_case, suite, scorers, task=task)
    named = set(scorers or ())
    messages: list[str] = []
    thresholds = {s.name: s.threshold for s in select_scorers(suite, scorers)}
    for name, score in scores.items():
        if not score.scored:
            if name in named:
                messages.append(f"{the_case.id} / {name}: unscored: {unscored_reason(score)}")
            continue
        if not score.passed:
            messages.append(format_failure(the_case.id, name, score, threshold=thresholds.get(name)))
    if not any(score.scored for score in scores.values()) and not messages:
        reasons = "; ".join(f"{name}: {unscored_reason(score)}" for name, score in scores.items())
        messages.append(f"{the_case.id}: no selected scorer could score this output ({reasons})")
    if messages:
        raise AssertionError("\n\n".join(messages))
    return scores


def format_failure(case_id: str, scorer: str, score: Score, *, threshold: float | None = None,
                   bar: float | None = None, bar_source: str | None = None) -> str:
    """The plain-text failure message for one (case, scorer): the verdict, then each finding with
    its severity, kind, reason, the output span and the source evidence when present.

    `threshold` is the scorer's own (shown for context); `bar` an extra minimum value (a `mean`
    from a thresholds file, named by `bar_source`)."""
    value = "unscored" if score.value is None else f"{score.value:.3f}"
    reasons: list[str] = []
    if score.scored and not score.passed:
        reasons.append("did not pass" + (f" (scorer threshold {threshold:g})" if threshold is not None else ""))
    if bar is not None and score.value is not None and score.value < bar:
        reasons.append(f"is below {bar:g}" + (f" ({bar_source})" if bar_source else ""))
    verdict = " and ".join(reasons) or "failed"
    lines = [f"{case_id} / {scorer}: score {value} {verdict}"]
    if score.findings:
        lines.append(f"{len(score.findings)} finding(s):")
        for number, finding in enumerate(score.findings, start=1):
            lines.extend(_finding_lines(number, finding))
    else:
        lines.append("no findings recorded (the score itself is below the bar)")
    return "\n".join(lines)


def unscored_reason(score: Score) -> str:
    return str(score.details.get("unscored") or "the scorer could not judge this case")


def as_case(case: Case | Mapping[str, Any] | str, *, task: str = "case_note_summary") -> Case:
    """A `Case` from a `Case`, a `cases.jsonl`-shaped mapping, or the source text."""
    if isinstance(case, Case):
        return case
    if isinstance(case, str):
        return Case(id="inline", task=task, source=case)
    if isinstance(case, Mapping):
        return Case.model_validate({"id": "inline", "task": task, **case})
    raise TypeError(f"case must be a Case, a mapping or the source text, not {type(case).__name__}")


def select_scorers(suite: str | Sequence[str], scorers: Sequence[str] | None = None) -> list[Scorer]:
    """The scorers of the named suites (first suite wins on a shared name), narrowed to `scorers`."""
    names = [suite] if isinstance(suite, str) else list(suite)
    if not names:
        raise ValueError("name at least one suite")
    available: dict[str, Scorer] = {}
    for name in dict.fromkeys(names):
        for scorer in _suite(name).scorers:
            available.setdefault(scorer.name, scorer)
    if scorers is None:
        return list(available.values())
    unknown = [name for name in scorers if name not in available]
    if unknown:
        raise ValueError(f"unknown scorer(s) {', '.join(map(repr, unknown))} in suite(s) {', '.join(names)}; "
                         f"available: {', '.join(available)}")
    return [available[name] for name in dict.fromkeys(scorers)]


@lru_cache(maxsize=None)
def _suite(name: str) -> Any:
    from . import _env  # noqa: F401  (telemetry off before any suite imports its dependencies)
    from .plugins import load_suite

    return load_suite(name)


def _finding_lines(number: int, finding: Finding) -> list[str]:
    lines = [f"  {number}. [{finding.severity}] {finding.kind}: {finding.reason}"]
    if finding.output_span:
        lines.append(f"     output: \"{_clip(finding.output_span)}\"")
    if finding.source_evidence:
        lines.append(f"     source: \"{_clip(finding.source_evidence)}\"")
    if finding.key_fact_id:
        lines.append(f"     key fact: {finding.key_fact_id}")
    return lines


def _clip(text: str) -> str:
    flat = re.sub(r"\s+", " ", text).strip()
    return flat if len(flat) <= _SPAN_LIMIT else flat[: _SPAN_LIMIT - 3] + "..."
