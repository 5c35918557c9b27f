"""The Compare page: runs on one golden-set version only, the engine's paired statistics, the pack download."""

from __future__ import annotations

import json
import re
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from dashboards.app import create_app
from dashboards.data import golden_key
from harness.compare import compare
from harness.evaluate import start_run
from harness.goldens import load_golden
from harness.pack import procurement_pack
from harness.runs import RunReport
from harness.sentences import no_difference_statement, significant_statements
from harness.tracking import Tracker
from page_client import DEMO, SAMPLE, call, client, find, home, ids, nodes, render, text_of


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    """The baseline on another version of the sample set, then the baseline and vendor A on the sample set itself."""
    folder = tmp_path_factory.mktemp("compare-page")
    with home(folder) as uri:
        other = shutil.copytree(SAMPLE, folder / "sample-1.0.1")
        manifest = other / "manifest.yaml"
        manifest.write_text(manifest.read_text(encoding="utf-8").replace("version: 1.0.0", "version: 1.0.1", 1), encoding="utf-8")
        elsewhere = start_run(other, DEMO / "baseline.yaml", ["hallucination"], tracking_uri=uri)
        records = [start_run(SAMPLE, DEMO / name, ["hallucination"], tracking_uri=uri) for name in ("baseline.yaml", "vendor_a.yaml")]
        golden, other_golden = load_golden(SAMPLE), load_golden(other)
        yield {"uri": uri, "baseline": records[0].run_id, "vendor": records[1].run_id, "elsewhere": elsewhere.run_id,
               "reports": [RunReport(r.run_id, r.report) for r in records],
               "key": golden_key(golden.id, golden.version, golden.content_hash),
               "other_key": golden_key(other_golden.id, other_golden.version, other_golden.content_hash)}


@pytest.fixture
def app(store: dict[str, Any]) -> Any:
    return create_app(Tracker(store["uri"]))


def test_default_is_the_newest_run_of_each_tool_on_the_newest_set_with_the_engines_numbers(
        app: Any, store: dict[str, Any]) -> None:
    tree = render(app, client(app), "/compare")
    assert find(tree, "compare-golden")["props"]["value"] == store["key"]
    runs = find(tree, "compare-runs")["props"]
    assert runs["value"] == [store["baseline"], store["vendor"]], "baseline first, so the vendor is B"
    assert {o["value"] for o in runs["options"]} == {store["baseline"], store["vendor"]}, "no run on another set is offered"
    assert store["other_key"] in {o["value"] for o in find(tree, "compare-golden")["props"]["options"]}
    comparison = compare(store["reports"])
    expected = significant_statements(comparison) or [no_difference_statement(comparison)]
    shown = text_of(find(tree, "compare-sentences"))
    assert all(line in shown for line in expected)
    assert "Holm" in text_of(find(tree, "compare-holm"))
    assert find(tree, "compare-pack")["props"]["disabled"] is False

    scores = find(tree, "compare-scores")["props"]["data"]
    vendor_scores = next(r for r in scores if r["run_id"] == store["vendor"] and r["scorer"] == "unsupported_details")
    summary = comparison.side(store["vendor"]).scorers["unsupported_details"]
    assert vendor_scores["mean"] == f"{summary.mean:.3f}"
    assert vendor_scores["mean_ci"] == f"{summary.mean_ci[0]:.3f} to {summary.mean_ci[1]:.3f}"
    assert vendor_scores["passed"] == f"{round(summary.pass_rate * summary.n_scored)} of {summary.n_scored}"

    pairs = find(tree, "compare-pairs")["props"]["data"]
    d = next(x for x in comparison.pairs[0].scorers if x.scorer == "unsupported_details")
    row = next(r for r in pairs if r["scorer"] == "unsupported_details")
    assert row["difference"] == f"{d.difference:+.3f}" and row["cases"] == d.n_shared
    assert row["p_holm"] == (f"{d.p_holm:.3f}" if d.p_holm >= 0.001 else "< 0.001")
    assert row["mcnemar_p_holm"] == (f"{d.mcnemar_p_holm:.3f}" if d.mcnemar_p_holm >= 0.001 else "< 0.001")
    assert row["passed_only_by_a"] == d.only_a_passed and row["passed_only_by_b"] == d.only_b_passed

    critical = find(tree, "compare-critical")["props"]["data"]
    assert next(r for r in critical if r["run_id"] == store["vendor"])["total"] > 0, "vendor A invents a dose"

    worse = find(tree, "compare-worse")["props"]["data"]
    assert worse and {r["run_b"] for r in worse} == {store["vendor"]}
    assert {(w.case_id, w.scorer) for w in comparison.pairs[0].worse_cases} == {(r["case_id"], r["scorer"]) for r in worse}

    figure = find(tree, "compare-chart")["props"]["figure"]
    trace = figure["data"][0]
    assert len(trace["x"]) == len(comparison.scorers) and trace["error_x"]["array"] and trace["error_x"]["arrayminus"]
    assert any(c.startswith(f"/case?run={store['vendor']}&case=") for c in trace["customdata"])


def test_a_set_with_one_run_or_a_store_with_none_says_so_in_a_sentence(app: Any, store: dict[str, Any], tmp_path: Path) -> None:
    tree = render(app, client(app), "/compare", golden=store["other_key"])
    assert "has 1 run(s)" in text_of(find(tree, "compare-empty"))
    assert find(tree, "compare-pack")["props"]["disabled"] is True
    assert not {"compare-worse", "compare-chart", "page-error"} & ids(tree)

    empty = create_app(Tracker(f"sqlite:///{tmp_path}/empty.db"))
    assert "No evaluation runs" in text_of(find(render(empty, client(empty), "/compare"), "compare-empty"))


def test_a_link_that_mixes_sets_leaves_out_the_runs_on_another_set(app: Any, store: dict[str, Any]) -> None:
    test_client = client(app)
    tree = render(app, test_client, "/compare", golden=store["key"], runs=f"{store['elsewhere']},{store['vendor']}")
    assert find(tree, "compare-runs")["props"]["value"] == [store["vendor"]]
    assert store["elsewhere"] in text_of(find(tree, "compare-left-out"))
    assert "at least two runs" in text_of(find(tree, "compare-empty"))
    # runs alone: the set is the first run's
    tree = render(app, test_client, "/compare", runs=f"{store['vendor']},{store['baseline']}")
    assert find(tree, "compare-golden")["props"]["value"] == store["key"]
    assert find(tree, "compare-runs")["props"]["value"] == [store["vendor"], store["baseline"]]
    assert {r["run_b"] for r in find(tree, "compare-worse")["props"]["data"]} <= {store["baseline"]}


def test_choosing_a_set_offers_only_its_runs_and_the_results_refilter_them(app: Any, store: dict[str, Any]) -> None:
    test_client = client(app)
    _, out = call(app, test_client, {"compare-golden.value": store["other_key"]})
    assert out["compare-runs"]["value"] == [store["elsewhere"]]
    assert [o["value"] for o in out["compare-runs"]["options"]] == [store["elsewhere"]]

    _, out = call(app, test_client, {"compare-golden.value": store["key"],
                                     "compare-runs.value": [store["baseline"], store["elsewhere"]]})
    assert out["compare-pack"]["disabled"] is True
    assert "compare-empty" in ids(out["compare-results"]["children"])
    assert store["elsewhere"] not in out["compare-link"]["href"]

    _, out = call(app, test_client, {"compare-golden.value": store["key"],
                                     "compare-runs.value": [store["baseline"], store["vendor"]]})
    assert {"compare-worse", "compare-chart", "compare-pairs", "compare-sentences"} <= ids(out["compare-results"]["children"])
    assert out["compare-link"]["href"] == f"/compare?golden={store['key'].replace('@', '%40').replace('#', '%23')}" \
        f"&runs={store['baseline']}%2C{store['vendor']}"


def test_the_pack_download_is_the_assure_compare_html_pack(app: Any, store: dict[str, Any]) -> None:
    test_client = client(app)
    _, out = call(app, test_client, {"compare-pack.n_clicks": 1},
                  {"compare-golden.value": store["key"], "compare-runs.value": [store["baseline"], store["vendor"]]})
    download = out["compare-pack-download"]["data"]
    assert download["filename"] == "procurement-pack-sample-v1.0.0.html" and download["type"] == "text/html"
    expected = procurement_pack(compare(store["reports"]), store["reports"])
    undated = lambda page: re.sub(r"Generated [^<]* by assure", "", page)  # noqa: E731
    assert undated(download["content"]) == undated(expected)
    # fewer than two runs on the set: nothing to download
    assert call(app, test_client, {"compare-pack.n_clicks": 2},
                {"compare-golden.value": store["key"], "compare-runs.value": [store["vendor"], store["elsewhere"]]})[1] in (None, {})


def test_clicking_a_worse_case_or_a_chart_point_opens_the_case(app: Any, store: dict[str, Any]) -> None:
    test_client = client(app)
    rows = [{"case_id": "sample-002", "run_b": store["vendor"]}, {"case_id": "sample-001", "run_b": store["vendor"]}]
    _, out = call(app, test_client, {"compare-worse.active_cell": {"row": 1, "column": 0}},
                  {"compare-worse.derived_viewport_data": rows})
    assert out["go"]["href"] == f"/case?run={store['vendor']}&case=sample-001"
    _, out = call(app, test_client,
                  {"compare-chart.clickData": {"points": [{"customdata": f"/case?run={store['vendor']}&case=sample-003"}]}})
    assert out["go"]["href"] == f"/case?run={store['vendor']}&case=sample-003"
    _, out = call(app, test_client, {"compare-chart.clickData": {"points": [{"customdata": "javascript:alert(1)"}]}})
    assert not (out or {}).get("go"), "only a Case page link is followed"


def test_page_json_has_no_raw_html_components(app: Any) -> None:
    tree = render(app, client(app), "/compare")
    assert not {n["type"] for n in nodes(tree)} & {"Script", "Img", "Iframe", "Markdown"}
    assert "dangerously_allow_html" not in json.dumps(tree)
