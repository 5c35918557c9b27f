"""The Trend page on a real store: one tool's runs over time on one golden-set version, with the gate's verdicts."""

from __future__ import annotations

from pathlib import Path

import pytest

from dashboards.app import create_app
from dashboards.data import DashboardData
from dashboards.pages import trend
from dashboards.trend_data import gate_verdicts, tools, trend_runs
from harness.evaluate import start_run
from harness.gate import Thresholds, record_verdict, run_gate
from harness.runs import RunReport
from harness.tracking import Tracker
from page_client import (DEMO, HOSTILE_TOOL, SAMPLE, as_json, call, client, dashboard, find, hostile_target, home,
                         render, text_of)


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> tuple[str, dict[str, str]]:
    """textrank, vendor A v2.3 and v2.4 on the sample set, v2.3 gated against textrank and v2.4 against v2.3; and a
    tool with a hostile name in two versions, the second gated against the first."""
    folder = tmp_path_factory.mktemp("trend")
    with home(folder) as uri:
        records = {name: start_run(SAMPLE, target, ["hallucination"], tracking_uri=uri)
                   for name, target in (("baseline", DEMO / "baseline.yaml"), ("v2.3", DEMO / "vendor_a.yaml"),
                                        ("v2.4", DEMO / "vendor_a_v2_4.yaml"),
                                        ("hostile1", hostile_target(folder / "h1", version="1.0")),
                                        ("hostile2", hostile_target(folder / "h2", version="<b>2.0</b>")))}
        tracker = Tracker(uri)
        for candidate, baseline in (("v2.3", "baseline"), ("v2.4", "v2.3"), ("hostile2", "hostile1")):
            c, b = records[candidate], records[baseline]
            result = run_gate(RunReport(c.run_id, c.report), Thresholds(), RunReport(b.run_id, b.report))
            record_verdict(tracker, c.run_id, result, b.run_id, "test")
    return uri, {name: r.run_id for name, r in records.items()}


def test_two_versions_on_one_line_with_the_gates_verdicts(store: tuple[str, dict[str, str]]) -> None:
    uri, runs = store
    data, app, test_client = dashboard(uri)
    golden = data.golden_sets()[0]["key"]
    page = render(app, test_client, "/trend", tool="vendor-a-minutes", golden=golden)
    figure = find(page, "trend-chart")["props"]["figure"]
    lines = [t for t in figure["data"] if t["mode"] == "lines+markers"]
    assert {t["name"] for t in lines} == {"unsupported_details", "claim_support"}
    assert all(len(t["x"]) == 2 for t in lines)  # v2.3 then v2.4; textrank's run is another tool's
    scores = data.scores().set_index(["run_id", "scorer"])
    claim = next(t for t in lines if t["name"] == "claim_support")
    assert claim["y"] == [scores.loc[(runs["v2.3"], "claim_support"), "pass_rate"],
                          scores.loc[(runs["v2.4"], "claim_support"), "pass_rate"]]
    marks = {t["name"]: t for t in figure["data"] if t["mode"] == "markers+text"}
    assert set(marks) == {"gate: fail", "gate: pass"}
    assert marks["gate: fail"]["text"] == ["v2.3"] and marks["gate: pass"]["text"] == ["v2.4"]
    assert "new critical findings" in marks["gate: fail"]["hovertext"][0]

    table = find(page, "trend-table")["props"]
    rows = table["data"]
    assert [r["version"] for r in rows] == ["2.3", "2.4"]
    assert [r["gate_verdict"] for r in rows] == ["fail", "pass"]
    assert rows[0]["gate_baseline"] == "textrank v1.0 (baseline)" and rows[1]["gate_baseline"] == "vendor-a-minutes v2.3"
    assert "unsupported_details: new critical findings" in rows[0]["failed_checks"] and rows[1]["failed_checks"] == ""
    names = {c["id"]: c["name"] for c in table["columns"]}
    assert {v for k, v in names.items() if k[1:].isdigit()} == {"unsupported_details pass rate", "claim_support pass rate"}
    assert rows[1][next(k for k, v in names.items() if v == "claim_support pass rate")] == "100%"
    assert "2 gated: 1 passed, 1 failed" in text_of(find(page, "trend-summary"))


def test_the_mean_and_another_tool_through_the_callbacks(store: tuple[str, dict[str, str]]) -> None:
    uri, runs = store
    data, app, test_client = dashboard(uri)
    golden = data.golden_sets()[0]["key"]
    status, response = call(app, test_client, {"trend-golden.value": golden, "trend-measure.value": "mean"},
                            {"trend-tool.value": "vendor-a-minutes"})
    assert status == 200
    figure = response["trend-chart"]["figure"]
    unsupported = next(t for t in figure["data"] if t["name"] == "unsupported_details")
    means = data.scores().set_index(["run_id", "scorer"])["mean"]
    assert unsupported["y"] == [means[(runs["v2.3"], "unsupported_details")], means[(runs["v2.4"], "unsupported_details")]]
    assert unsupported["y"][0] < unsupported["y"][1]  # v2.4 fixed v2.3's invented dose, date and name
    assert "mean score" in figure["layout"]["title"]["text"]
    assert any(c["name"] == "unsupported_details mean score" for c in response["trend-table"]["columns"])

    status, response = call(app, test_client, {"trend-tool.value": "textrank"}, {"trend-golden.value": golden})
    assert status == 200 and response["trend-golden"]["value"] == golden
    status, response = call(app, test_client, {"trend-golden.value": golden, "trend-measure.value": "pass_rate"},
                            {"trend-tool.value": "textrank"})
    rows = response["trend-table"]["data"]
    assert len(rows) == 1 and rows[0]["gate_verdict"] == "not gated"
    assert "Only one run so far" in response["trend-summary"]["children"]


def test_a_hostile_tool_name_and_version_are_escaped_in_the_figure(store: tuple[str, dict[str, str]]) -> None:
    uri, _ = store
    data, app, test_client = dashboard(uri)
    golden = data.golden_sets()[0]["key"]
    page = render(app, test_client, "/trend", tool=HOSTILE_TOOL, golden=golden)
    figure = find(page, "trend-chart")["props"]["figure"]
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in figure["layout"]["title"]["text"]
    assert "v&lt;b&gt;2.0&lt;/b&gt;" in as_json(figure)
    assert "<script" not in as_json(figure) and "<b>" not in as_json(figure)
    assert find(page, "trend-tool")["props"]["value"] == HOSTILE_TOOL  # a dropdown shows it as text


def test_defaults_and_gate_verdicts_read_from_the_tags(store: tuple[str, dict[str, str]]) -> None:
    uri, runs = store
    data = DashboardData(Tracker(uri))
    assert tools(data)[-1] == "textrank"  # one run only: after the tools with two
    verdicts = gate_verdicts(data.tracker, [*runs.values(), "no-such-run", "x') or ('1"])
    assert set(verdicts) == {runs["v2.3"], runs["v2.4"], runs["hostile2"]}
    assert verdicts[runs["v2.4"]]["baseline"] == runs["v2.3"]
    frame = trend_runs(data, "vendor-a-minutes", data.golden_sets()[0]["key"])
    assert list(frame["gate_verdict"]) == ["fail", "pass"]
    assert frame["started"].is_monotonic_increasing


def test_no_runs_says_so(tmp_path: Path) -> None:
    app = create_app(data=DashboardData(Tracker(f"sqlite:///{tmp_path}/empty.db")))
    page = render(app, client(app), "/trend")
    assert "assure demo" in text_of(find(page, "trend-empty"))
    assert trend.NAME == "Trend" and trend.PATH == "/trend"
