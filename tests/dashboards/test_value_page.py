"""The Value and risk page: each council's tool as one point (quality-adjusted ROI against the share of cases
with a critical error, 95% intervals on both axes), what is left out and why, clicks that open the ROI
page, hostile names kept as text; and the failure-rate arithmetic (hypothesis)."""

from __future__ import annotations

import html
import math
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlparse

import pytest
from hypothesis import given
from hypothesis import strategies as st

from dashboards import roi_data
from dashboards.app import create_app
from dashboards.data import DashboardData
from dashboards.demo import run_roi_demo
from harness.evaluate import start_run
from harness.stats import wilson_ci
from harness.tracking import Tracker
from roi.appraise import Options, appraise
from roi.calculate import compute
from roi.report import log_to_mlflow
from page_client import (DEMO, HOSTILE_COUNCIL, HOSTILE_TOOL, SAMPLE, as_json, call, client, find, home,
                         hostile_appraisal, render, submission, text_of, write_yaml)

VENDOR_COUNCILS = ["Eastvale Council", "Harrowfield Council", "Marlowby Council"]


# --- the failure-rate arithmetic ------------------------------------------------------------------

@given(st.integers(0, 400).flatmap(lambda n: st.tuples(st.integers(0, n), st.just(n))))
def test_a_failure_rate_lies_inside_its_wilson_interval_inside_0_to_1(case: tuple[int, int]) -> None:
    failed, n = case
    rate = roi_data.failure_rate(failed, n)
    if n == 0:
        assert rate is None
        return
    assert rate["rate"] == failed / n
    assert 0.0 <= rate["low"] <= rate["rate"] + 1e-12 and rate["rate"] - 1e-12 <= rate["high"] <= 1.0
    assert (rate["low"], rate["high"]) == wilson_ci(failed, n)
    if failed == 0:
        assert rate["low"] == pytest.approx(0.0, abs=1e-12) and rate["high"] > 0
    if failed == n:
        assert rate["high"] == pytest.approx(1.0, abs=1e-12) and rate["low"] < 1


@given(st.integers(1, 60))
def test_more_failures_of_the_same_cases_never_lower_the_interval(n: int) -> None:
    rates = [roi_data.failure_rate(k, n) for k in range(n + 1)]
    for key in ("low", "high"):
        assert [r[key] for r in rates] == sorted(r[key] for r in rates)


def test_a_failure_count_outside_0_to_n_is_refused() -> None:
    with pytest.raises(ValueError):
        roi_data.failure_rate(4, 3)


KINDS = st.sampled_from(["unsupported_dose", "unsupported_date", "consent_flip", "omitted_key_fact", "partial_key_fact",
                         "missing_section"])
FINDINGS = st.fixed_dictionaries({
    "kind": KINDS, "severity": st.sampled_from(["critical", "major", "minor"]),
    "output_span": st.one_of(st.none(), st.sampled_from(["25 mg", "Monday", "<b>x</b>"])),
    "key_fact_id": st.one_of(st.none(), st.sampled_from(["kf1", "kf2", "kf3"])),
    "reason": st.sampled_from(["r1", "r2"]), "source_evidence": st.just("e")})
CASES = st.fixed_dictionaries({
    "case_id": st.text(min_size=1, max_size=4), "error": st.one_of(st.none(), st.just("timeout")),
    "scores": st.dictionaries(st.sampled_from(["unsupported_details", "claim_support", "key_fact_recall"]),
                              st.fixed_dictionaries({"value": st.floats(0, 1), "passed": st.booleans(),
                                                     "findings": st.lists(FINDINGS, max_size=6)}), max_size=3)})


@given(CASES)
def test_a_case_counts_critical_errors_once_however_many_scorers_report_them(case: dict[str, Any]) -> None:
    counts = roi_data.case_failures(case)
    if case["error"] or not case["scores"]:
        assert counts is None
        return
    findings = [f for s in case["scores"].values() for f in s["findings"]]
    critical = [f for f in findings if f["severity"] == "critical"]
    hallucinations, omissions = counts
    assert 0 <= hallucinations + omissions <= len(critical)
    assert omissions == len({f["key_fact_id"] or f["source_evidence"] for f in critical if f["kind"] == "omitted_key_fact"})
    assert (hallucinations > 0) == any(f["kind"] not in ("omitted_key_fact", "partial_key_fact") for f in critical)
    doubled = {**case, "scores": {**case["scores"], "copy": next(iter(case["scores"].values()))}}
    assert roi_data.case_failures(doubled) == counts  # a second scorer reporting the same findings adds nothing
    calm = {**case, "scores": {k: {**s, "findings": [{**f, "severity": "major"} for f in s["findings"]]}
                               for k, s in case["scores"].items()}}
    assert roi_data.case_failures(calm) == (0, 0)


@given(st.lists(CASES, max_size=12), st.sets(st.sampled_from(["hallucination", "omission", "bias"])))
def test_pooled_failures_count_each_scored_case_once(cases: list[dict[str, Any]], suites: set[str]) -> None:
    report = {"suites": [{"name": s, "version": "1"} for s in suites], "cases": cases}
    result = roi_data.run_failures([report])
    per_case = [roi_data.case_failures(c) for c in cases]
    scored = [c for c in per_case if c is not None]
    assert result["cases"] == len(scored) and result["failed"] == sum(1 for h, o in scored if h or o)
    assert 0 <= result["failed"] <= result["cases"]
    assert result["hallucination_cases"] == (len(scored) if "hallucination" in suites else 0)
    assert result["omission_measured"] == ("omission" in suites and bool(scored))
    assert (result["rate"] is None) == (not scored)
    twice = roi_data.run_failures([report, report])  # two runs' cases pool: the same rate, twice the cases
    assert twice["cases"] == 2 * result["cases"] and twice["failed"] == 2 * result["failed"]


# --- the page on a real store -------------------------------------------------------------------

@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    """Vendor A and the baseline scored for hallucinations on the sample set, then the six bundled councils
    appraised (three use vendor A; the others' tools have no run; no council uses the baseline)."""
    folder = tmp_path_factory.mktemp("value-page")
    with home(folder) as uri:
        vendor = start_run(SAMPLE, DEMO / "vendor_a.yaml", ["hallucination"], tracking_uri=uri)
        start_run(SAMPLE, DEMO / "baseline.yaml", ["hallucination"], tracking_uri=uri)
        report = run_roi_demo(uri)
        yield {"uri": uri, "report": report, "vendor": vendor}


@pytest.fixture
def app(store: dict[str, Any]) -> Any:
    return create_app(Tracker(store["uri"]))


@pytest.mark.integration
def test_each_appraised_tool_is_a_point_at_its_failure_rate_and_quality_adjusted_roi(app: Any, store: dict[str, Any]) -> None:
    report, vendor = store["report"], store["vendor"].report
    page = render(app, client(app), "/value")
    figure = find(page, "value-chart")["props"]["figure"]
    assert len(figure["data"]) == 1
    trace = figure["data"][0]
    assert trace["name"] == "vendor-a-minutes 2.3" and trace["text"] == VENDOR_COUNCILS
    # failure rate, recounted here: cases with a critical finding (vendor A: a wrong dose, a wrong date, an invented name)
    failed = sum(any(f["severity"] == "critical" for s in c["scores"].values() for f in s["findings"]) for c in vendor["cases"])
    assert 0 < failed < len(vendor["cases"])
    low, high = wilson_ci(failed, len(vendor["cases"]))
    assert trace["x"] == [failed / len(vendor["cases"])] * 3
    assert trace["error_x"]["array"] == pytest.approx([high - failed / 3] * 3)
    assert trace["error_x"]["arrayminus"] == pytest.approx([failed / 3 - low] * 3)
    for council, y, up, down in zip(VENDOR_COUNCILS, trace["y"], trace["error_y"]["array"], trace["error_y"]["arrayminus"]):
        q = next(c for c in report["councils"] if c["council"] == council)["quality_adjusted"]
        assert q["run_found"] and q["measured"]["hallucination"]["run_id"] == store["vendor"].run_id
        assert y == pytest.approx(q["roi_percent"])
        assert up > 0 and down > 0  # the Monte Carlo interval of the quality-adjusted ROI
    assert trace["customdata"] == ["vendor-a-minutes"] * 3
    assert "high value, low risk" in as_json(figure["layout"]["annotations"])

    rows = {(r["council"], r["tool"]): r for r in find(page, "value-table")["props"]["data"]}
    assert len(rows) == 7  # six submissions and the baseline, which no council appraised
    vendor_row = rows[("Eastvale Council", "vendor-a-minutes")]
    assert vendor_row["plotted"] == "yes" and vendor_row["failed_cases"] == failed and vendor_row["cases"] == 3
    assert vendor_row["measured"] == "hallucinations" and "missed facts not measured" in vendor_row["note"]
    assert rows[("", "textrank")]["plotted"] == "no"
    notes = text_of(find(page, "value-notes"))
    for left_out in ("Kettleby Borough Council: convo-to-assessment 1.4", "Wrenford Borough Council: convo-to-assessment 1.4",
                     "Millbrook Council: injected-defects-safeguarding_minutes seed-7", "textrank 1.0"):
        assert left_out in notes
    assert "no council's ROI submission uses this tool" in notes and "no evaluation run of convo-to-assessment 1.4" in notes


@pytest.mark.integration
def test_the_quality_adjusted_interval_is_roi_own_monte_carlo_on_the_adjusted_inputs(store: dict[str, Any]) -> None:
    report = store["report"]
    method = report["method"]
    for council in report["councils"]:
        q = council["quality_adjusted"]
        interval, why = roi_data.quality_adjusted_roi_interval(council, method)
        if not q["run_found"]:
            assert interval is None
            continue
        assert why is None and interval["p2_5"] < interval["p50"] < interval["p97_5"]
        inputs, _ = roi_data.resubmitted_inputs(council, method)
        adjusted = compute(roi_data.quality_adjusted_inputs(inputs, q))
        assert adjusted.npv_gbp == pytest.approx(q["npv_gbp"]) and adjusted.roi_percent == pytest.approx(q["roi_percent"])
        # with no extra checking and no risk cost, the interval is the report's own interval of the ROI
        unadjusted = {**council, "quality_adjusted": {**q, "extra_checking_minutes_per_task": 0.0,
                                                      "risk_weighted_cost_gbp": 0.0, "roi_percent": council["roi_percent"]}}
        same, _ = roi_data.quality_adjusted_roi_interval(unadjusted, method)
        assert same == pytest.approx(council["uncertainty"]["roi_percent"])
        # more checking can only lower the return
        assert interval["p50"] < same["p50"]


@pytest.mark.integration
def test_clicking_a_point_or_a_row_opens_the_roi_page_for_that_tool(app: Any, store: dict[str, Any]) -> None:
    test_client = client(app)
    page = render(app, test_client, "/value")
    point = find(page, "value-chart")["props"]["figure"]["data"][0]
    click = {"points": [{"curveNumber": 0, "pointNumber": 1, "x": point["x"][1], "y": point["y"][1],
                         "customdata": point["customdata"][1]}]}
    _, response = call(app, test_client, {"value-chart.clickData": click}, output="go.href")
    href = response["go"]["href"]
    assert href == "/roi?tool=vendor-a-minutes"
    roi = render(app, test_client, "/roi", tool=parse_qs(urlparse(href).query)["tool"][0])
    assert sorted(r["council"] for r in find(roi, "roi-table")["props"]["data"]) == VENDOR_COUNCILS
    status, response = call(app, test_client, {"value-chart.clickData": {"points": []}}, output="go.href")
    assert status == 204 or "go" not in response  # a click on no point goes nowhere
    rows = find(page, "value-table")["props"]["data"]
    kettleby = next(i for i, r in enumerate(rows) if r["council"] == "Kettleby Borough Council")
    _, response = call(app, test_client, {"value-table.active_cell": {"row": kettleby, "column": 0, "column_id": "council"}},
                       {"value-table.derived_viewport_data": rows}, output="go.href")
    assert response["go"]["href"] == "/roi?tool=convo-to-assessment"


@pytest.mark.integration
def test_without_an_roi_report_the_page_says_so_and_still_lists_failure_rates(store: dict[str, Any], tmp_path: Path) -> None:
    class NoAppraisal(DashboardData):
        def roi_report(self) -> None:  # the same runs, as if `assure roi` had never been run
            return None

    app = create_app(data=NoAppraisal(Tracker(store["uri"])))
    page = render(app, client(app), "/value")
    assert "assure roi" in text_of(find(page, "value-empty"))
    rows = find(page, "value-table")["props"]["data"]
    assert sorted(r["tool"] for r in rows) == ["textrank", "vendor-a-minutes"] and all(r["plotted"] == "no" for r in rows)
    assert find(page, "value-chart")["props"]["figure"]["data"] == []

    empty = create_app(Tracker(f"sqlite:///{tmp_path}/empty.db"))
    page = render(empty, client(empty), "/value")
    assert "assure demo" in text_of(find(page, "value-empty")) and find(page, "value-table")["props"]["data"] == []


@pytest.mark.integration
def test_a_tool_appraised_before_it_was_scored_is_left_out_with_the_command_that_fixes_it(tmp_path: Path) -> None:
    with home(tmp_path) as uri:
        tracker = Tracker(uri)
        path = write_yaml(tmp_path / "subs" / "t.yaml", submission("Testford Council", "vendor-a-minutes", "2.3"))
        log_to_mlflow(tracker, appraise([path], Options(draws=200), tracker))
        start_run(SAMPLE, DEMO / "vendor_a.yaml", ["hallucination"], tracking_uri=uri)
        app = create_app(tracker)
        page = render(app, client(app), "/value")
    row = find(page, "value-table")["props"]["data"][0]
    assert row["plotted"] == "no" and row["failure_rate"] != "n/a" and "rerun `assure roi`" in row["note"]
    assert "Testford Council" in text_of(find(page, "value-notes"))


@pytest.mark.integration
def test_hostile_council_and_tool_names_are_escaped_in_the_chart_and_plain_text_in_the_table(tmp_path: Path) -> None:
    with hostile_appraisal(tmp_path) as (app, test_client):
        page = render(app, test_client, "/value")
        figure = find(page, "value-chart")["props"]["figure"]
        trace = next(t for t in figure["data"] if "script" in t["name"])
        assert trace["name"] == "&lt;script&gt;alert(1)&lt;/script&gt; 1.0"
        assert trace["text"] == ["&lt;img src=x onerror=alert(1)&gt; Council"]
        assert trace["hovertext"][0].startswith("&lt;img src=x onerror=alert(1)&gt; Council<br>&lt;script&gt;")
        assert "<img" not in as_json(figure) and "<script" not in as_json(figure)
        row = next(r for r in find(page, "value-table")["props"]["data"] if r["council"] == HOSTILE_COUNCIL)
        assert row["tool"] == HOSTILE_TOOL and row["plotted"] == "yes"
        _, response = call(app, test_client, {"value-chart.clickData": {"points": [{"customdata": trace["customdata"][0]}]}},
                           output="go.href")
        assert parse_qs(urlparse(response["go"]["href"]).query)["tool"] == [HOSTILE_TOOL]
        assert html.unescape(trace["customdata"][0]) == HOSTILE_TOOL
        assert "dangerously_allow_html" not in as_json(page) and not math.isnan(row["quality_adjusted_roi_percent"])
