"""The Bias page on a real store: a real bias-suite run on a small counterfactual subset (the demo's kind), the
per-characteristic table, the chart of every test, the example pair, the run selector, and the empty store."""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from dashboards import bias_data
from dashboards.app import create_app
from dashboards.data import DashboardData
from dashboards.demo import BIAS_CHARACTERISTICS, BIAS_SCENARIOS, run_bias_demo, write_bias_demo_set
from dashboards.pages import bias
from harness.evaluate import start_run
from harness.goldens import load_golden
from harness.tracking import Tracker
from page_client import DEMO, SAMPLE, as_json, call, client, dashboard, find, home, render, text_of

# Five scenarios (the fewest the suite tests) x sex and disability: 30 cases, the quickest real run.
SCENARIOS = ("cf-001", "cf-002", "cf-003", "cf-016", "cf-017")
CHARACTERISTICS = ("sex", "disability")
HOSTILE_GROUP = '<img src=x onerror="alert(1)">'


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> tuple[str, dict[str, Any]]:
    folder = tmp_path_factory.mktemp("bias")
    with home(folder) as uri:
        other = start_run(SAMPLE, DEMO / "baseline.yaml", ["hallucination"], tracking_uri=uri)  # no bias section
        no_pairs = start_run(SAMPLE, DEMO / "baseline.yaml", ["bias"], tracking_uri=uri)  # a set with no counterfactual pairs
        demo = run_bias_demo(uri, folder / "set", SCENARIOS, CHARACTERISTICS)
    return uri, {"other": other.run_id, "no_pairs": no_pairs.run_id, "bias": demo.record.run_id, "report": demo.record.report}


def test_the_table_shows_each_characteristics_reported_test(store: tuple[str, dict[str, Any]]) -> None:
    uri, runs = store
    _, app, test_client = dashboard(uri)
    page = render(app, test_client, "/bias")
    section = runs["report"]["bias"]
    assert set(section) == set(CHARACTERISTICS)
    options = find(page, "bias-run")["props"]["options"]
    assert [o["value"] for o in options] == [runs["bias"], runs["no_pairs"]]  # newest first; not the hallucination-only run
    assert find(page, "bias-run")["props"]["value"] == runs["bias"]
    rows = {r["characteristic"]: r for r in find(page, "bias-table")["props"]["data"]}
    assert set(rows) == {"sex", "disability"}
    for name, entry in section.items():
        row = rows[name]
        assert row["verdict"].startswith(entry["verdict"]) and row["measure"] == entry["metric"]
        assert row["disparity"] == f"{entry['effect']:+.3g}"
        assert row["ci_95"] == f"{entry['ci_low']:+.3g} to {entry['ci_high']:+.3g}"
        assert row["n_pairs"] == len(SCENARIOS)
        assert row["mde"].startswith(f"{entry['mde']:.3g}")
        assert row["p_family_holm"] in (f"{entry['p_family']:.3g}", "n/a" if entry["p_family"] is None else "")
    headings = {c["id"]: c["name"] for c in find(page, "bias-table")["props"]["columns"]}
    assert headings["mde"] == "minimum detectable effect" and "Holm" in headings["p_family_holm"]
    power = text_of(find(page, "bias-power"))
    assert "Low power" in power and f"only {len(SCENARIOS)} scenario pairs" in power
    assert "minimum detectable effect" in text_of(find(page, "bias-page"))  # the meaning line says what it is


def test_the_chart_has_every_test_of_a_measure_with_its_ci(store: tuple[str, dict[str, Any]]) -> None:
    uri, runs = store
    data, app, test_client = dashboard(uri)
    tests = bias_data.bias_tests(data, runs["bias"])  # read back from the run's MLflow artifact bias_tests.csv
    assert set(tests["characteristic"]) == set(CHARACTERISTICS) and len(tests) > len(CHARACTERISTICS)
    status, response = call(app, test_client, {"bias-measure.value": "words"}, {"bias-run.value": runs["bias"]})
    assert status == 200
    figure = response["bias-chart"]["figure"]
    points = [t for t in figure["data"] if t["name"] in ("disparity found", "none detected")]
    words = tests[(tests["metric"] == "words") & (tests["n_pairs"] > 0)]
    assert sum(len(t["x"]) for t in points) == len(words) == 1 + 3  # male; wheelchair user, deaf, schizophrenia
    trace = next(t for t in points if "disability: schizophrenia" in t["x"])
    i = trace["x"].index("disability: schizophrenia")
    row = words[words["group"] == "schizophrenia"].iloc[0]
    assert trace["y"][i] == pytest.approx(row["effect"])
    assert trace["error_y"]["array"][i] == pytest.approx(row["ci_high"] - row["effect"])
    assert trace["error_y"]["arrayminus"][i] == pytest.approx(row["effect"] - row["ci_low"])
    assert figure["data"][-1]["name"] == "+/- minimum detectable effect"
    assert figure["layout"]["title"]["text"].startswith("words:")


def test_the_example_pair_side_by_side(store: tuple[str, dict[str, Any]]) -> None:
    uri, runs = store
    _, app, test_client = dashboard(uri)
    report = runs["report"]
    status, response = call(app, test_client, {"bias-characteristic.value": "disability"}, {"bias-run.value": runs["bias"]})
    assert status == 200
    pair = response["bias-pair"]["children"]
    example = report["bias"]["disability"]["example"]
    a, b = text_of(find(pair, "bias-pair-a")), text_of(find(pair, "bias-pair-b"))
    assert example["reference_case"] in a and example["other_case"] in b
    assert example["reference_case"].endswith(".not_stated") and example["other_case"].split(".")[-1] == report["bias"]["disability"]["group"]
    outputs = {c["case_id"]: c["output"] for c in report["cases"]}
    assert outputs[example["reference_case"]] in a and outputs[example["other_case"]] in b  # the whole outputs, each on its side
    if example["reference_span"]:
        assert example["reference_span"] in a and example["reference_span"] not in b
    assert f"/case?run={runs['bias']}&case={example['other_case']}" in as_json(find(pair, "bias-pair-b"))


def test_the_run_selector_navigates_and_a_run_without_pairs_says_so(store: tuple[str, dict[str, Any]]) -> None:
    uri, runs = store
    _, app, test_client = dashboard(uri)
    status, response = call(app, test_client, {"bias-run.value": "another-run"}, {"bias-shown.data": runs["bias"]})
    assert status == 200 and response["go"]["href"] == "/bias?run=another-run"
    status, response = call(app, test_client, {"bias-run.value": runs["bias"]}, {"bias-shown.data": runs["bias"]})
    assert "go" not in (response or {}), response  # the run already shown: no navigation
    page = render(app, test_client, "/bias", run="no-such-run")
    assert find(page, "bias-run")["props"]["value"] == runs["bias"]  # a bad link falls back to the newest bias run
    page = render(app, test_client, "/bias", run=runs["no_pairs"])
    assert "no counterfactual pairs" in text_of(find(page, "bias-no-pairs")) and not find(page, "bias-table")


def test_no_bias_run_says_how_to_make_one(tmp_path: Path) -> None:
    uri = f"sqlite:///{tmp_path}/mlflow.db"
    start_run(SAMPLE, DEMO / "baseline.yaml", ["hallucination"], tracking_uri=uri)
    app = create_app(data=DashboardData(Tracker(uri)))
    page = render(app, client(app), "/bias")
    sentence = text_of(find(page, "bias-empty"))
    assert "assure run --suite bias --golden golden_sets/counterfactual" in sentence and "assure demo" in sentence
    assert not find(page, "bias-table") and not find(page, "bias-chart")


# --- pure functions on a report section ----------------------------------------------------------


def _entry(**changes: Any) -> dict[str, Any]:
    entry = {"disparity_found": False, "verdict": "none detected", "metric": "words", "group": "male",
             "reference_group": "female", "effect": 1.0, "ci_low": -1.0, "ci_high": 3.0, "p_adjusted": 0.5, "p_family": 0.9,
             "d_z": 0.2, "mde": 4.0, "mde_dz": 1.2, "n_pairs": 30, "n_tests": 9, "n_dropped": 0, "n_pairs_possible": 30,
             "flagged": [], "summary": "s", "alpha": 0.05, "example": None}
    entry.update(changes)
    return entry


def test_the_flagged_characteristic_leads_then_the_smallest_p() -> None:
    section = {"sex": _entry(p_adjusted=0.01, p_family=0.02, d_z=3.0),
               "religion": _entry(disparity_found=True, verdict="disparity found", p_adjusted=0.04, p_family=0.04),
               "age": _entry(metric=None, p_adjusted=None, p_family=None)}
    assert bias.lead_characteristic(section) == "religion"
    del section["religion"]
    assert bias.lead_characteristic(section) == "sex"
    assert bias.lead_characteristic({"age": _entry(metric=None)}) == "age"
    assert bias.low_power_sentence(section) is None  # 30 pairs: the full set
    assert "only 6 scenario pairs" in (bias.low_power_sentence({"sex": _entry(n_pairs=6)}) or "")
    rows = bias.table_rows({"sex": _entry(p_adjusted=0.0001, mde=0.0, ci_low=None), "age": _entry(n_tests=0)})
    assert rows[0]["p_adjusted"] == "< 0.001" and rows[0]["mde"].startswith("0 (") and rows[0]["ci_95"] == "n/a"
    assert rows[0]["verdict"] == "none detected" and "nothing testable" in rows[1]["verdict"]


def test_chart_labels_from_the_report_are_escaped_and_missing_csv_falls_back() -> None:
    section = {"disability": _entry(group=HOSTILE_GROUP, reference_group="not_stated", metric="stigmatising_per_1000")}
    tests = bias_data.tests_from_section(section)
    assert len(tests) == 1 and not tests["disparity_found"].iloc[0]
    figure = bias.bias_figure(tests, "stigmatising_per_1000").to_plotly_json()
    text = json.dumps(figure["data"])
    assert "&lt;img src=x onerror=&quot;alert(1)&quot;&gt;" in text and "<img" not in text
    empty = bias.bias_figure(pd.DataFrame(columns=bias_data.TEST_COLUMNS), "words").to_plotly_json()
    assert "No tests" in empty["layout"]["annotations"][0]["text"]
    assert math.isnan(bias_data.tests_from_section({"sex": _entry(ci_low=None)})["ci_low"].iloc[0])


def test_the_demo_subset_is_a_valid_synthetic_set_of_whole_scenarios(tmp_path: Path) -> None:
    golden = load_golden(write_bias_demo_set(tmp_path / "set"))
    assert golden.manifest.synthetic and "Low statistical power" in golden.manifest.description
    assert len(golden.cases) == len(BIAS_SCENARIOS) * (2 + 4 + 2) == 48
    cells = {(c.metadata["scenario"], c.metadata["characteristic"]) for c in golden.cases}
    assert cells == {(s, c) for s in BIAS_SCENARIOS for c in BIAS_CHARACTERISTICS}
    again = load_golden(write_bias_demo_set(tmp_path / "again"))
    assert again.content_hash == golden.content_hash  # the same set every demo, so its runs line up
