"""The ROI page: every submission's figures, filters from the link and the dropdowns, the tornado chart of
switching values, the region's standardised measures, links to each tool's Scorecard, and council and
tool names kept as text (escaped before plotly reads them)."""

from __future__ import annotations

import math
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from dashboards import roi_data
from dashboards.app import create_app
from dashboards.demo import run_roi_demo
from dashboards.pages import roi as roi_page
from harness.evaluate import start_run
from harness.tracking import Tracker
from roi.appraise import Options, appraise
from roi.report import log_to_mlflow
from page_client import (DEMO, HOSTILE_COUNCIL, HOSTILE_TOOL, SAMPLE, as_json, call, client, find, home,
                         hostile_appraisal, render, submission, text_of, write_yaml)

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    """The six bundled synthetic councils appraised, then vendor A scored on the sample set (so its
    Scorecard exists but the appraisal found no run for it)."""
    folder = tmp_path_factory.mktemp("roi-page")
    with home(folder) as uri:
        report = run_roi_demo(uri)
        run = start_run(SAMPLE, DEMO / "vendor_a.yaml", ["hallucination"], tracking_uri=uri)
        yield {"uri": uri, "report": report, "run": run.run_id, "folder": folder}


@pytest.fixture
def app(store: dict[str, Any]) -> Any:
    return create_app(Tracker(store["uri"]))


def _gbp(value: float) -> str:
    return f"-£{-value:,.0f}" if value < 0 else f"£{value:,.0f}"


def _council(report: dict[str, Any], name: str) -> dict[str, Any]:
    return next(c for c in report["councils"] if c["council"] == name)


def test_an_empty_store_says_which_command_makes_an_appraisal(tmp_path: Path) -> None:
    app = create_app(Tracker(f"sqlite:///{tmp_path}/empty.db"))
    test_client = client(app)
    page = render(app, test_client, "/roi")
    assert "assure roi" in text_of(find(page, "roi-empty"))
    assert not find(page, "roi-table") and "Traceback" not in as_json(page)
    _, response = call(app, test_client, {"roi-council.value": "x", "roi-tool.value": None}, {"roi-submission.value": None})
    assert response["roi-table"]["data"] == [] and "assure roi" in response["roi-summary"]["children"]


def test_the_table_holds_every_submission_with_the_reports_figures(app: Any, store: dict[str, Any]) -> None:
    report = store["report"]
    page = render(app, client(app), "/roi")
    rows = find(page, "roi-table")["props"]["data"]
    assert [r["council"] for r in rows] == [c["council"] for c in report["councils"]]
    for row, c in zip(rows, report["councils"]):
        u = c["uncertainty"]
        assert row["tool"] == c["tool"]["name"] and row["version"] == c["tool"]["version"]
        assert row["npv_gbp"] == round(c["npv_gbp"]) and row["roi_percent"] == round(c["roi_percent"])
        assert row["net_hours_per_user_per_week"] == round(c["net_hours_per_user_per_week"], 2)
        assert row["npv_95_interval"] == f"{_gbp(u['npv_gbp']['p2_5'])} to {_gbp(u['npv_gbp']['p97_5'])}"
        assert u["npv_gbp"]["p2_5"] <= u["npv_gbp"]["p97_5"]
        assert row["payback_months"] == (None if c["payback_months"] is None else round(c["payback_months"], 1))
        w = c["wellbeing"]
        if w is None:
            assert row["wellbeing_change"] is None and row["wellbeing_95_ci"] == "not submitted"
        else:
            assert row["wellbeing_change"] == round(w["mean_change"], 2)
            assert row["wellbeing_95_ci"] == f"{w['ci_low']:+.2f} to {w['ci_high']:+.2f}"
        assert row["quality_adjusted_roi_percent"] is None  # appraised before any tool was scored
    marlowby = next(r for r in rows if r["council"] == "Marlowby Council")
    assert marlowby["npv_gbp"] < 0 and marlowby["payback_months"] is None  # a loss never pays back
    assert any(c["wellbeing"] is None for c in report["councils"]) and any(c["wellbeing"] for c in report["councils"])
    assert "6 of 6 submissions" in text_of(find(page, "roi-summary"))


def test_the_link_filters_by_council_or_tool_and_an_unknown_name_is_said(app: Any, store: dict[str, Any]) -> None:
    test_client = client(app)
    page = render(app, test_client, "/roi", tool="vendor-a-minutes")
    rows = find(page, "roi-table")["props"]["data"]
    assert sorted(r["council"] for r in rows) == ["Eastvale Council", "Harrowfield Council", "Marlowby Council"]
    assert find(page, "roi-tool")["props"]["value"] == "vendor-a-minutes"
    assert [o["label"] for o in find(page, "roi-submission")["props"]["options"]] == [
        f"{r['council']}: vendor-a-minutes 2.3" for r in rows]
    page = render(app, test_client, "/roi", council="Kettleby Borough Council", tool="convo-to-assessment")
    assert [r["council"] for r in find(page, "roi-table")["props"]["data"]] == ["Kettleby Borough Council"]
    page = render(app, test_client, "/roi", council="Nowhere Council")
    assert "Nowhere Council" in text_of(find(page, "roi-filter-notice"))
    assert len(find(page, "roi-table")["props"]["data"]) == 6 and find(page, "roi-council")["props"]["value"] is None


def test_the_dropdowns_refilter_the_table_submissions_and_chart(app: Any, store: dict[str, Any]) -> None:
    test_client = client(app)
    _, response = call(app, test_client, {"roi-council.value": "Wrenford Borough Council", "roi-tool.value": None},
                       {"roi-submission.value": 0})
    assert [r["council"] for r in response["roi-table"]["data"]] == ["Wrenford Borough Council"]
    index = next(i for i, c in enumerate(store["report"]["councils"]) if c["council"] == "Wrenford Borough Council")
    assert response["roi-submission"]["value"] == index  # the old choice (0) is not among those shown
    colours = response["roi-standardised"]["figure"]["data"][0]["marker"]["color"]
    assert [i for i, c in enumerate(colours) if c == roi_page.CHOSEN_COLOUR] == [index]
    _, response = call(app, test_client, {"roi-council.value": "Wrenford Borough Council", "roi-tool.value": "vendor-a-minutes"},
                       {"roi-submission.value": index})
    assert response["roi-table"]["data"] == [] and response["roi-submission"]["value"] is None
    assert "No submission" in response["roi-summary"]["children"]


def test_the_tornado_shows_each_inputs_npv_swing_and_switching_value_from_the_report(app: Any, store: dict[str, Any]) -> None:
    report = store["report"]
    index = next(i for i, c in enumerate(report["councils"]) if c["council"] == "Harrowfield Council")
    _, response = call(app, client(app), {"roi-submission.value": index})
    figure = response["roi-tornado"]["figure"]
    council = report["councils"][index]
    rows = {roi_data.INPUT_LABELS[r["input"]]: r for r in council["sensitivity"]}
    low, high = figure["data"]
    swings = []
    for i, tick in enumerate(low["y"]):
        row = rows[tick.split("<br>")[0]]
        base = row["npv_base_gbp"]
        assert math.isclose(low["base"], base) and math.isclose(council["npv_gbp"], base)
        for trace, key in ((low, "npv_low_gbp"), (high, "npv_high_gbp")):
            assert (trace["x"][i] is None) == (row[key] is None)
            if row[key] is not None:
                assert math.isclose(trace["x"][i] + base, row[key], rel_tol=1e-9)
        swings.append(max(abs(row[k] - base) for k in ("npv_low_gbp", "npv_high_gbp") if row[k] is not None))
    assert swings == sorted(swings), "the widest bar is at the top"
    saved = rows["minutes saved per task"]
    tick = next(t for t in low["y"] if t.startswith("minutes saved per task"))
    assert tick == (f"minutes saved per task<br>NPV £0 at {saved['switching_value']:,.3g} "
                    f"({saved['switching_change_percent']:+.0f}%)")
    assert 0 < saved["switching_value"] < saved["base"]  # Harrowfield's NPV is positive: less saving turns it
    table = response["roi-sensitivity"]["data"]
    assert len(table) == len(council["sensitivity"]) and "Harrowfield Council" in response["roi-tornado-note"]["children"]


def test_a_loss_making_submission_says_what_would_make_it_pay(app: Any, store: dict[str, Any]) -> None:
    report = store["report"]
    index = next(i for i, c in enumerate(report["councils"]) if c["council"] == "Marlowby Council")
    council = report["councils"][index]
    _, response = call(app, client(app), {"roi-submission.value": index})
    assert council["npv_gbp"] < 0
    note = response["roi-tornado-note"]["children"]
    assert f"NPV -£{-council['npv_gbp']:,.0f}" in note and "turns positive" in note
    ticks = response["roi-tornado"]["figure"]["data"][0]["y"]
    never = [r for r in council["sensitivity"] if r["switching_value"] is None and r["npv_high_gbp"] is not None]
    assert never and all(f"{roi_data.INPUT_LABELS[r['input']]}<br>no value of it turns NPV positive" in ticks for r in never)


def test_standardised_measures_are_the_reports_with_quartiles(app: Any, store: dict[str, Any]) -> None:
    report = store["report"]
    page = render(app, client(app), "/roi")
    figure = find(page, "roi-standardised")["props"]["figure"]
    for trace, measure in zip(figure["data"], roi_page.CHART_MEASURES):
        assert trace["x"] == [c["council"] for c in report["councils"]]
        assert trace["y"] == [c["standardised"][measure]["value"] for c in report["councils"]]
        assert trace["text"] == [f"Q{c['standardised'][measure]['quartile']}" for c in report["councils"]]
    medians = {round(s["y0"], 6) for s in figure["layout"]["shapes"] if s["line"]["dash"] == "dash"}
    assert medians == {round(report["region"]["measures"][m]["median"], 6) for m in roi_page.CHART_MEASURES}
    rows = find(page, "roi-standardised-table")["props"]["data"]
    assert len(rows) == 6 * len(report["region"]["measures"])
    best = next(r for r in rows if r["rank"] == 1 and r["measure"] == "net hours saved per user per week")
    assert best["quartile"] == "Q1" and best["council"] == max(
        report["councils"], key=lambda c: c["net_hours_per_user_per_week"])["council"]


def test_each_tool_links_to_its_scorecard_or_says_it_has_no_run(app: Any, store: dict[str, Any]) -> None:
    test_client = client(app)
    page = render(app, test_client, "/roi")
    links = find(page, "roi-scorecard-links")
    text = text_of(links)
    assert "convo-to-assessment 1.4: no evaluation run" in text
    hrefs = [n["props"]["href"] for n in _links(links)]
    scorecards = [h for h in hrefs if h.startswith("/scorecard?golden=")]
    assert len(scorecards) == 1 and "/value" in hrefs
    golden = ui_query(scorecards[0])["golden"]
    assert golden.startswith("sample@")
    scorecard = render(app, test_client, "/scorecard", golden=golden)  # the link opens that set on the Scorecard
    assert find(scorecard, "scorecard-golden")["props"]["value"] == golden


def test_a_report_without_sensitivities_has_them_recomputed_through_roi(tmp_path: Path) -> None:
    with home(tmp_path) as uri:
        path = write_yaml(tmp_path / "subs" / "testford.yaml", submission("Testford Council", "tool-t"))
        tracker = Tracker(uri)
        report = appraise([path], Options(draws=300), tracker)
        kept = report["councils"][0].pop("sensitivity")
        log_to_mlflow(tracker, report)
        app = create_app(tracker)
        _, response = call(app, client(app), {"roi-submission.value": 0})
        assert "Recomputed" in response["roi-tornado-note"]["children"]
        assert [r["switching_value"] for r in response["roi-sensitivity"]["data"]] == [
            None if r["switching_value"] is None else float(f"{r['switching_value']:.4g}") for r in kept]

        write_yaml(path, submission("Testford Council", "tool-t", appraisal_years=3))  # the file has moved on
        app = create_app(tracker)
        _, response = call(app, client(app), {"roi-submission.value": 0})
        assert "changed since this appraisal" in response["roi-tornado-note"]["children"]
        assert response["roi-sensitivity"]["data"] == []


def test_hostile_council_and_tool_names_are_escaped_in_figures_and_plain_text_in_tables(tmp_path: Path) -> None:
    with hostile_appraisal(tmp_path) as (app, test_client):
        page = render(app, test_client, "/roi", tool=HOSTILE_TOOL)
    rows = find(page, "roi-table")["props"]["data"]
    assert [(r["council"], r["tool"]) for r in rows] == [(HOSTILE_COUNCIL, HOSTILE_TOOL)]
    assert find(page, "roi-tool")["props"]["value"] == HOSTILE_TOOL
    assert find(page, "roi-submission")["props"]["options"][0]["label"] == f"{HOSTILE_COUNCIL}: {HOSTILE_TOOL} 1.0"
    tornado = find(page, "roi-tornado")["props"]["figure"]
    assert "&lt;img src=x onerror=alert(1)&gt; Council: &lt;script&gt;alert(1)&lt;/script&gt; 1.0" in tornado["layout"]["title"]["text"]
    standardised = find(page, "roi-standardised")["props"]["figure"]
    assert standardised["data"][0]["x"][0] == "&lt;img src=x onerror=alert(1)&gt; Council"
    for figure in (tornado, standardised):
        assert "<img" not in as_json(figure) and "<script" not in as_json(figure)
    assert HOSTILE_TOOL in text_of(find(page, "roi-scorecard-links"))  # a text child, shown as typed
    assert "dangerously_allow_html" not in as_json(page) and '"Markdown"' not in as_json(page)


def _links(node: Any) -> list[dict[str, Any]]:
    found = []
    if isinstance(node, dict):
        if node.get("type") == "Link":
            found.append(node)
        for value in node.values():
            found += _links(value)
    elif isinstance(node, list):
        for value in node:
            found += _links(value)
    return found


def ui_query(href: str) -> dict[str, str]:
    from urllib.parse import parse_qs, urlparse

    return {k: v[0] for k, v in parse_qs(urlparse(href).query).items()}
