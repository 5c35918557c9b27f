"""The Scorecard page on a real store: one golden-set version at a time, pass rate first, filters, case links."""

from __future__ import annotations

from pathlib import Path

import pytest

from dashboards.app import create_app
from dashboards.data import DashboardData
from harness.evaluate import start_run
from harness.tracking import Tracker
from page_client import DEMO, HOSTILE_TOOL, SAMPLE, as_json, call, client, find, hostile_target, home, render


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> tuple[str, dict[str, str]]:
    folder = tmp_path_factory.mktemp("scorecard")
    with home(folder) as uri:
        runs = {name: start_run(SAMPLE, target, ["hallucination"], tracking_uri=uri).run_id
                for name, target in (("baseline", DEMO / "baseline.yaml"), ("vendor", DEMO / "vendor_a.yaml"),
                                     ("hostile", hostile_target(folder / "hostile")))}
        import golden_sets
        runs["minutes"] = start_run(golden_sets.path("safeguarding_minutes"), DEMO / "baseline.yaml", ["hallucination"],
                                    tracking_uri=uri).run_id
    return uri, runs


def show(app, test_client, golden, tools=None):  # type: ignore[no-untyped-def]
    status, response = call(app, test_client, {"scorecard-golden.value": golden, "scorecard-tools.value": tools,
                                               "scorecard-dates.start_date": None, "scorecard-dates.end_date": None})
    assert status == 200
    return response


def test_one_golden_set_version_at_a_time_with_pass_rate_first(store: tuple[str, dict[str, str]]) -> None:
    uri, runs = store
    data = DashboardData(Tracker(uri))
    keys = [g["key"] for g in data.golden_sets()]
    assert len(keys) == 2 and keys[0].startswith("safeguarding_minutes@")  # newest first
    app = create_app(data=data)
    test_client = client(app)
    sample = next(k for k in keys if k.startswith("sample@"))
    response = show(app, test_client, sample)
    figure = response["scorecard-chart"]["figure"]
    tools_in_chart = {x for trace in figure["data"] for x in trace["x"]}
    assert len(tools_in_chart) == 3  # the minutes run is on another set: never in this chart
    assert figure["layout"]["yaxis"]["title"]["text"].startswith("pass rate")
    rows = response["scorecard-table"]["data"]
    vendor = [r for r in rows if r["tool"] == "vendor-a-minutes" and r["scorer"] == "unsupported_details"][0]
    report = data.report(runs["vendor"]).report
    assert vendor["pass_rate"] == f"{100 * report['metrics']['unsupported_details']['pass_rate']:.0f}%"
    assert vendor["critical_findings"] > 0
    assert {r["baseline"] for r in rows if r["tool"] == "textrank"} == {"baseline"}
    failed = response["scorecard-cases"]["data"]
    assert failed and all(r["run_id"] in runs.values() for r in failed)


def test_the_tool_filter_changes_the_chart(store: tuple[str, dict[str, str]]) -> None:
    uri, _ = store
    app = create_app(Tracker(uri))
    test_client = client(app)
    sample = next(g["key"] for g in DashboardData(Tracker(uri)).golden_sets() if g["id"] == "sample")
    everyone = show(app, test_client, sample)["scorecard-chart"]["figure"]
    one = show(app, test_client, sample, ["vendor-a-minutes"])["scorecard-chart"]["figure"]
    assert {x for t in one["data"] for x in t["x"]} == {"vendor-a-minutes v2.3"}
    assert len(one["data"][0]["x"]) < len(everyone["data"][0]["x"])


def test_a_failed_case_row_opens_the_case_page(store: tuple[str, dict[str, str]]) -> None:
    uri, runs = store
    app = create_app(Tracker(uri))
    test_client = client(app)
    row = {"run_id": runs["vendor"], "case_id": "sample-001"}
    status, response = call(app, test_client, {"scorecard-cases.active_cell": {"row": 0, "column": 0}},
                            {"scorecard-cases.derived_viewport_data": [row]})
    assert status == 200 and response["go"]["href"] == f"/case?run={runs['vendor']}&case=sample-001"


def test_tool_names_are_escaped_in_the_chart_and_plain_in_the_table(store: tuple[str, dict[str, str]]) -> None:
    uri, _ = store
    app = create_app(Tracker(uri))
    test_client = client(app)
    sample = next(g["key"] for g in DashboardData(Tracker(uri)).golden_sets() if g["id"] == "sample")
    response = show(app, test_client, sample)
    chart = as_json(response["scorecard-chart"]["figure"])
    assert "<script>" not in chart and "&lt;script&gt;alert(1)&lt;/script&gt;" in chart
    assert HOSTILE_TOOL in [r["tool"] for r in response["scorecard-table"]["data"]]  # a DataTable cell is text


def test_an_empty_store_says_how_to_make_runs(tmp_path: Path) -> None:
    app = create_app(Tracker(f"sqlite:///{tmp_path}/empty.db"))
    page = render(app, client(app), "/scorecard")
    assert "assure demo" in as_json(find(page, "scorecard-empty"))
    assert render(app, client(app), "/") == page  # the home page is the scorecard
