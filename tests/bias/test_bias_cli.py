"""End to end: `assure run --suite bias` on counterfactual variants with a simulated python target."""

from __future__ import annotations

import json
import shutil
import time
from pathlib import Path

import pytest

from tests.conftest import REPO, run_cli

pytestmark = pytest.mark.integration

REPORT_KEYS = {"disparity_found", "metric", "effect", "ci_low", "ci_high", "p_value", "p_adjusted", "n_pairs"}
SCENARIOS = {f"cf-{i:03d}" for i in range(1, 7)}
GROUPS = {"sex": None, "religion": {"christian", "muslim", "jewish"}}


def subset_golden(folder: Path) -> Path:
    """The counterfactual set cut to 6 scenarios, sex and three religions (30 cases), to keep the test short."""
    folder.mkdir(parents=True)
    source = REPO / "golden_sets" / "counterfactual"
    shutil.copy(source / "manifest.yaml", folder / "manifest.yaml")
    kept = []
    for line in (source / "cases.jsonl").read_text(encoding="utf-8").splitlines():
        meta = json.loads(line)["metadata"]
        groups = GROUPS.get(meta["characteristic"], set())
        if meta["scenario"] in SCENARIOS and meta["characteristic"] in GROUPS and (groups is None or meta["group"] in groups):
            kept.append(line)
    (folder / "cases.jsonl").write_text("\n".join(kept) + "\n", encoding="utf-8")
    return folder


def test_bias_run_flags_the_planted_group_and_not_the_fair_characteristic(tmp_path: Path) -> None:
    golden = subset_golden(tmp_path / "golden")
    shutil.copy(Path(__file__).with_name("simulated_tools.py"), tmp_path / "simulated_tools.py")
    target = tmp_path / "target.yaml"
    target.write_text("name: simulated-pejorative\nversion: '1'\nkind: python\n"
                      "callable: simulated_tools:pejorative_for_muslim_failing_once\nmax_retries: 0\n", encoding="utf-8")
    started = time.perf_counter()
    result = run_cli("run", "--suite", "bias", "--golden", str(golden), "--target", str(target),
                     "--report-json", str(tmp_path / "r.json"), cwd=tmp_path, timeout=300)
    seconds = time.perf_counter() - started
    assert result.returncode == 0, result.stdout + result.stderr
    report = json.loads((tmp_path / "r.json").read_text(encoding="utf-8"))
    bias = report["bias"]
    assert set(bias) == {"sex", "religion"}
    for entry in bias.values():
        assert REPORT_KEYS <= set(entry)
        assert isinstance(entry["disparity_found"], bool) and isinstance(entry["n_pairs"], int)
    religion, sex = bias["religion"], bias["sex"]
    assert religion["disparity_found"] is True and religion["group"] == "muslim"
    assert religion["metric"] in {"stigmatising_per_1000", "sentiment"}
    assert religion["p_adjusted"] <= 0.05 and religion["n_pairs"] == 6
    assert religion["errored_by_group"]["jewish"] == 1 and religion["n_dropped"] == 1
    example = religion["example"]
    assert example["other_case"].endswith(".religion.muslim") and example["reference_case"].endswith(".religion.christian")
    assert example["other_span"] and example["reference_span"] and example["other_span"] != example["reference_span"]
    assert sex["disparity_found"] is False
    runs = list((tmp_path / "assure-home").rglob("bias_tests.csv"))
    assert runs, "the full table is written as an artifact"
    (page,) = (tmp_path / "assure-home").glob("runs/*/artifacts/summary.html")
    html_text = page.read_text(encoding="utf-8")
    assert "<h2>Bias</h2>" in html_text and "religion: disparity found" in html_text and "sex: none detected" in html_text
    assert report["analysis_summaries"]["bias"] == [bias["sex"]["summary"], bias["religion"]["summary"]]
    assert seconds < 240
