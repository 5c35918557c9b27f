"""The restyled references: faithful outputs in other councils' house styles, and every scorer's verdict on them.

Written by authoring sessions that saw only the transcript or notes, the key facts and a style card;
each statement is traced to verbatim source quotes, which this file re-checks.
"""

from __future__ import annotations

import json
from collections import Counter

import pytest

import golden_sets
from harness.goldens import Case, load_golden
from harness.scoring import Scorer
from suites.hallucination import ClaimSupportScorer, UnsupportedDetailsScorer
from suites.omission.structure import MinutesStructureScorer

SETS = ("safeguarding_minutes", "case_note_summary")


def _flat(text: str) -> str:
    return " ".join(text.split())


def restyled(name: str) -> list[tuple[Case, dict[str, object]]]:
    cases = {c.id: c for c in load_golden(golden_sets.path(name)).cases}
    rows = [json.loads(line) for line in (golden_sets.path(name) / "restyled" / "outputs.jsonl").read_text(encoding="utf-8").splitlines()]
    return [(cases[str(r["case_id"])], r) for r in rows]


@pytest.mark.parametrize("name", SETS)
def test_every_statement_is_traced_to_a_verbatim_source_quote(name: str) -> None:
    rows = restyled(name)
    assert len(rows) >= 16 and len({case.id for case, _ in rows}) == len(rows)
    assert len(Counter(str(r["style"]) for _, r in rows)) >= 4, "at least four house styles"
    for case, row in rows:
        output, source = _flat(str(row["output"])), _flat(case.source)
        trace = row["trace"]
        assert isinstance(trace, list) and len(trace) >= 15, case.id
        for item in trace:
            assert _flat(item["statement"]) in output, (case.id, item["statement"])
            assert item["evidence"] and all(_flat(q) in source for q in item["evidence"]), (case.id, item["evidence"])


@pytest.mark.parametrize("scorer", [UnsupportedDetailsScorer(), ClaimSupportScorer(), MinutesStructureScorer()],
                         ids=lambda s: s.name)
def test_faithful_outputs_in_other_house_styles_pass(scorer: Scorer) -> None:
    """Targets: at least 95% pass, and at most 1 critical finding per 100 faithful outputs."""
    scored = [scorer.score(case, str(row["output"])) for name in SETS for case, row in restyled(name)]
    scored = [s for s in scored if s.scored]
    failed = [s for s in scored if not s.passed]
    critical = sum(f.severity == "critical" for s in scored for f in s.findings)
    assert len(failed) <= 0.05 * len(scored), [f.reason for s in failed for f in s.findings][:5]
    assert critical <= len(scored) / 100, [f.reason for s in scored for f in s.findings if f.severity == "critical"]
