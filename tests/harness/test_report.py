"""The run's HTML summary: set-level analyses are shown, and every text in it is escaped."""

from __future__ import annotations

from harness.report import summary_html


def _report(**extra: object) -> dict[str, object]:
    return {"run_id": "r1", "target": {"label": "tool", "version": "1", "kind": "http"},
            "golden_set": {"id": "g", "version": "1", "hash": "abc123"}, "metrics": {}, "errors": 0,
            "warnings": [], "cases": [], **extra}


def test_analysis_summaries_are_shown_under_their_own_heading_and_escaped() -> None:
    page = summary_html(_report(analysis_summaries={"bias": ["religion: disparity found <script>x</script>",
                                                             "sex: none detected"]}))
    assert "<h2>Bias</h2>" in page and "<li>sex: none detected</li>" in page
    assert "<script>" not in page and "&lt;script&gt;" in page


def test_a_run_without_analyses_has_no_analysis_section() -> None:
    assert "<h2>Bias</h2>" not in summary_html(_report())
