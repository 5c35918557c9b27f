"""Figures that cannot drift: every table in `docs/figures/` is what `benchmarks/render_figures.py` renders
from the benchmarks' results files (`benchmarks/results/*.json`), and the check bites when a figure changes.

When this fails after a benchmark ran, render again: `.venv/bin/python benchmarks/render_figures.py`.
"""

from __future__ import annotations

import copy
import json
import shutil
from pathlib import Path
from typing import Any

import pytest

from benchmarks import render_figures as rf
from harness import benchmark_results as br

RESULTS = sorted(rf.RESULTS.glob("*.json"))
# One rendered figure per benchmark: where it sits in the results file.
A_FIGURE: dict[str, tuple[Any, ...]] = {
    "throughput": ("figures", "median_cases_per_second"),
    "roi_timings": ("figures", "in_process", "appraisal_s"),
    "validity": ("figures", "scorers", 0, 0, "balanced_accuracy"),
    "gate_calibration": ("figures", "scenarios", "same_tool", "gate_failed", "rate"),
    "bias_calibration": ("figures", "measure_level", "fpr_pooled"),
    "dashboard_load": ("figures", "pages", 0, "warm_median_s"),
    "judge_cost": ("figures", "summedits", 1, "balanced_accuracy"),
    "deep_judge": ("figures", "summedits", "all", "roc_auc"),
    "deep_presence": ("figures", "combined", "kappa"),
    "deep_heldout": ("figures", "signals", "combined", "roc_auc"),
    "scaling": ("figures", "runs", 0, "efficiency"),
}


def _nudge(envelope: dict[str, Any], path: tuple[Any, ...]) -> dict[str, Any]:
    """A copy of `envelope` with the number at `path` changed (an integer step picks the n-th key or item)."""
    changed = copy.deepcopy(envelope)
    node = changed
    for step in path[:-1]:
        node = node[list(node)[step]] if isinstance(step, int) and isinstance(node, dict) else node[step]
    node[path[-1]] = (node[path[-1]] or 0) + 0.5
    return changed


def test_every_figures_file_matches_its_results_file() -> None:
    assert rf.stale(readme=rf.README) == [], "stale figures; run: .venv/bin/python benchmarks/render_figures.py"


HEADLINE_FIGURES: dict[str, tuple[Any, ...]] = {
    "throughput": ("figures", "median_cases_per_second"),
    "validity": ("figures", "scorers", "claim_support", 4, "recall"),
    "gate_calibration": ("figures", "scenarios", "same_tool", "gate_failed", "rate"),
    "bias_calibration": ("figures", "measure_level", "fpr_any_characteristic"),
    "deep_judge": ("figures", "summedits", "all", "balanced_accuracy"),
    "deep_presence": ("figures", "combined", "kappa"),
}


@pytest.mark.parametrize("benchmark", sorted(HEADLINE_FIGURES))
def test_a_changed_figure_makes_the_readme_headline_stale(benchmark: str, tmp_path: Path) -> None:
    results, figures, readme = tmp_path / "results", tmp_path / "figures", tmp_path / "README.md"
    shutil.copytree(rf.RESULTS, results)
    shutil.copy(rf.README, readme)
    rf.write(results, figures, readme)
    assert rf.stale(results, figures, readme) == []
    path = HEADLINE_FIGURES[benchmark]
    br.write_results(_nudge(br.read_results(results / f"{benchmark}.json"), path), results)
    assert "README.md" in rf.stale(results, figures, readme)
    assert rf.main(["--check", "--results", str(results), "--figures", str(figures), "--readme", str(readme)]) == 1


def test_the_headline_block_needs_its_markers(tmp_path: Path) -> None:
    readme = tmp_path / "README.md"
    readme.write_text("# no markers here\n", encoding="utf-8")
    with pytest.raises(ValueError, match="figures:headline"):
        rf.render_readme(readme)


def test_every_figures_file_has_a_source_or_says_it_has_not_been_measured() -> None:
    files = sorted(rf.FIGURES.glob("*.md"))
    assert {p.name for p in files} == {f"{name}.md" for name in rf.FILES}
    for path in files:
        benchmark = rf.FILES[path.stem]
        text = path.read_text(encoding="utf-8")
        if (rf.RESULTS / f"{benchmark}.json").is_file():
            assert text.splitlines()[-1].startswith("_Measured by `"), path
        else:
            assert text == rf.placeholder(benchmark) == f"_Not yet measured: run `{rf.BENCHMARKS[benchmark][0]}`._\n"


@pytest.mark.parametrize("path", RESULTS, ids=[p.stem for p in RESULTS])
def test_each_results_file_is_an_envelope_of_a_known_benchmark(path: Path) -> None:
    envelope = br.read_results(path)
    assert envelope["benchmark"] == path.stem and path.stem in rf.BENCHMARKS
    assert envelope["command"] and envelope["started_at"] and envelope["machine"]["cpu_count"]


@pytest.mark.parametrize("path", RESULTS, ids=[p.stem for p in RESULTS])
def test_a_changed_figure_makes_its_table_stale(path: Path, tmp_path: Path) -> None:
    results, figures = tmp_path / "results", tmp_path / "figures"
    shutil.copytree(rf.RESULTS, results)
    rf.write(results, figures)
    assert rf.stale(results, figures) == [] and rf.main(["--check", "--results", str(results), "--figures", str(figures)]) == 0
    envelope = br.read_results(results / path.name)
    before = rf.render_envelope(envelope)
    br.write_results(_nudge(envelope, A_FIGURE[path.stem]), results)
    after = rf.render_envelope(br.read_results(results / path.name))
    changed = [name for name in before if before[name] != after[name]]
    assert changed, f"changing {A_FIGURE[path.stem]} changed no table"
    assert rf.stale(results, figures) == sorted(f"{name}.md" for name in changed)
    assert rf.main(["--check", "--results", str(results), "--figures", str(figures)]) == 1


def _throughput_envelope() -> dict[str, Any]:
    return br.begin("throughput", "python benchmarks/throughput.py", {"repeats": 2}).finish({
        "cases": 24, "source_words": {"min": 3000, "max": 3100, "median": 3020}, "output_words": 400,
        "scorers": ["unsupported_details", "claim_support"], "runs": 2, "cases_per_second": [3.0, 3.2],
        "median_cases_per_second": 3.1, "median_ms_per_case": 320.0}, seconds=12.0)


def test_the_check_names_every_stale_file_and_a_render_mends_them(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    results, figures = tmp_path / "results", tmp_path / "figures"
    br.write_results(_throughput_envelope(), results)
    assert rf.main(["--check", "--results", str(results), "--figures", str(figures)]) == 1
    assert {line.split("/")[-1] for line in capsys.readouterr().err.splitlines() if line.startswith("stale:")} == \
        {f"{name}.md" for name in rf.FILES}
    assert rf.main(["--results", str(results), "--figures", str(figures)]) == 0
    assert rf.main(["--check", "--results", str(results), "--figures", str(figures)]) == 0
    text = (figures / "throughput.md").read_text(encoding="utf-8")
    assert "**3.10**" in text and "python benchmarks/throughput.py" in text
    assert (figures / "gate_calibration.md").read_text(encoding="utf-8") == rf.placeholder("gate_calibration")
    (figures / "extra.md").write_text("left over\n", encoding="utf-8")
    assert rf.stale(results, figures) == ["extra.md"]


def test_the_provenance_line_names_command_commit_date_settings_and_machine() -> None:
    envelope = _throughput_envelope()
    envelope.update(commit="0123456789abcdef" * 2 + "01234567", dirty=True, started_at="2026-12-07T10:00:00Z")
    envelope["machine"].update(cpu_count=2, cpu_model="AMD EPYC", load_average=[3.25, 2.0, 1.0])
    line = rf.provenance(envelope)
    for part in ("`python benchmarks/throughput.py`", "`0123456`", "uncommitted", "2026-12-07", "repeats 2", "2 CPUs",
                 "AMD EPYC", "load average 3.25 at start"):
        assert part in line
    assert line.count("\n") == 1 and rf.render_envelope(envelope)["throughput"].endswith(line)
    moved = {**envelope, "commit": "f" * 40}
    assert rf.render_envelope(moved) != rf.render_envelope(envelope)


def test_a_results_file_of_an_unknown_benchmark_is_refused(tmp_path: Path) -> None:
    envelope = {**_throughput_envelope(), "benchmark": "mystery"}
    br.write_results(envelope, tmp_path)
    with pytest.raises(ValueError, match="mystery"):
        rf.render_all(tmp_path)


def test_the_agreed_file_names() -> None:
    assert set(rf.FILES) == {"validity_summedits", "validity_defects", "validity_false_alarms", "validity_omission",
                             "throughput", "bias_calibration", "roi_timings", "gate_calibration", "dashboard_load",
                             "judge_cost", "validity_judge", "deep_judge", "deep_presence", "deep_heldout", "scaling"}
    assert set(rf.FILES) == set(rf.TABLES)
    json.dumps(rf.BENCHMARKS)  # plain data
