"""The gate on hand-built runs: thresholds, regression against a baseline, new critical findings, outputs."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from harness.errors import InputError
from harness.gate import Thresholds, load_thresholds, run_gate
from harness.junit import gate_junit
from harness.markdown import gate_markdown, md
from run_reports import finding, report, score, uniform

NOISE = [0.9, 0.85, 0.95, 0.8, 0.9, 0.88, 0.92, 0.87, 0.9, 0.86, 0.91, 0.89]


def failing(result) -> list[tuple[str | None, str]]:
    return [(c.scorer, c.name) for c in result.failures]


def test_same_scores_pass_and_a_significant_fall_fails() -> None:
    base = uniform("base", NOISE * 2)
    assert run_gate(uniform("same", NOISE * 2), Thresholds(), base).passed
    worse = uniform("worse", [v - 0.1 for v in NOISE * 2])
    result = run_gate(worse, Thresholds(), base)
    assert failing(result) == [("recall", "regression")]


def test_a_fall_within_max_regression_passes_even_when_significant() -> None:
    base = uniform("base", NOISE * 2)
    slightly = uniform("slightly", [v - 0.01 for v in NOISE * 2])
    assert run_gate(slightly, Thresholds(), base).passed
    strict = Thresholds.model_validate({"scorers": {"recall": {"max_regression": 0.005}}})
    assert failing(run_gate(slightly, strict, base)) == [("recall", "regression")]


def test_a_large_fall_on_one_case_is_not_significant() -> None:
    base = uniform("base", NOISE * 2)
    values = NOISE * 2
    values[0] = 0.0
    assert run_gate(uniform("one", values), Thresholds(), base).passed


def test_absolute_thresholds_and_errors_without_a_baseline() -> None:
    rules = Thresholds.model_validate({"max_errors": 0, "scorers": {"recall": {"mean": 0.95, "pass_rate": 0.5}}})
    result = run_gate(uniform("r", NOISE), rules)
    assert failing(result) == [("recall", "mean")]
    errored = report("e", {"c0": {"recall": score(1.0)}}, errors=["c1"])
    assert ("errored cases" in [c.name for c in run_gate(errored, Thresholds()).failures])
    assert run_gate(errored, Thresholds(max_errors=1)).passed


def test_new_critical_findings_fail_beyond_the_allowance() -> None:
    cases = {f"c{i}": {"claims": score(1.0)} for i in range(24)}
    base = report("base", cases)
    bad = dict(cases)
    for i in range(3):
        bad[f"c{i}"] = {"claims": score(0.9, False, [finding("invented_dose", reason=f"dose {i}0 mg is not in the source")])}
    result = run_gate(report("bad", bad), Thresholds(), base)
    assert failing(result) == [("claims", "new critical findings")]
    assert [w.case_id for w in result.failures[0].regressed_cases] == ["c0", "c1", "c2"]
    assert run_gate(report("bad", bad), Thresholds.model_validate({"defaults": {"max_new_critical": 3}}), base).passed
    # By default one new critical hallucination is enough; the recall scorers are allowed 4 (calibrated).
    one = dict(cases, c0=bad["c0"])
    assert failing(run_gate(report("one", one), Thresholds(), base)) == [("claims", "new critical findings")]
    recall_base = report("rb", {f"c{i}": {"key_fact_recall": score(1.0)} for i in range(24)})
    recall_four = report("r4", {f"c{i}": {"key_fact_recall": score(0.9, True, [finding("omitted_key_fact")]) if i < 4
                                          else score(1.0)} for i in range(24)})
    assert run_gate(recall_four, Thresholds(), recall_base).passed
    # Without a baseline only max_critical counts them.
    assert failing(run_gate(report("bad", bad), Thresholds.model_validate({"defaults": {"max_critical": 2}}))) == [
        ("claims", "critical findings")]


def test_thresholds_file_errors_name_file_line_and_field(tmp_path: Path) -> None:
    path = tmp_path / "t.yaml"
    path.write_text("max_errors: 0\nscorers:\n  recall: {mean: 1.5}\n", encoding="utf-8")
    with pytest.raises(InputError) as caught:
        load_thresholds(path)
    problem = caught.value.problems[0]
    assert problem.file == str(path) and problem.line == 3 and problem.field == "scorers.recall.mean"
    path.write_text("max_erors: 0\n", encoding="utf-8")
    with pytest.raises(InputError) as caught:
        load_thresholds(path)
    assert caught.value.problems[0].field == "max_erors" and caught.value.problems[0].line == 1


def test_a_threshold_for_a_scorer_the_run_lacks_is_bad_input() -> None:
    with pytest.raises(InputError, match="no scorer 'recal'"):
        run_gate(uniform("r", NOISE), Thresholds.model_validate({"scorers": {"recal": {"mean": 0.5}}}))


HOSTILE = "<script>alert(1)</script> [click](http://evil.example) @everyone ![x](http://evil.example/x.png) | cell"


def test_summary_puts_the_verdict_first_and_escapes_vendor_text() -> None:
    base = report("base", {f"c{i}": {"claims": score(1.0)} for i in range(24)})
    bad = {f"c{i}": {"claims": score(1.0)} for i in range(24)}
    for i in range(3):
        bad[f"c{i}"] = {"claims": score(0.5, False, [finding("invented_dose", reason=HOSTILE)])}
    text = gate_markdown(run_gate(report("bad", bad, tool="tool <b>x</b>"), Thresholds(), base))
    assert text.splitlines()[0].startswith("## ❌ assure gate FAILED: 1 of")
    assert "<script>" not in text and "](http" not in text and "<b>" not in text and "@everyone" not in text
    assert "alert" in text and "claims" in text and "c0" in text


def test_md_leaves_no_markdown_or_html_active() -> None:
    out = md(HOSTILE)
    for active in ("<", "](", "![", " | ", "@e"):
        assert active not in out


def test_junit_has_a_testcase_per_scorer_and_per_regressed_case() -> None:
    base = report("base", {f"c{i}": {"claims": score(1.0), "recall": score(0.9)} for i in range(24)})
    bad = {f"c{i}": {"claims": score(1.0), "recall": score(0.9)} for i in range(24)}
    for i in range(3):
        bad[f"c{i}"] = {"claims": score(0.5, False, [finding("invented_dose", reason="bad \x00 byte " + HOSTILE)]),
                        "recall": score(0.9)}
    root = ET.fromstring(gate_junit(run_gate(report("bad", bad), Thresholds(), base)))
    cases = root.findall(".//testcase")
    names = [(c.get("classname"), c.get("name")) for c in cases]
    assert ("assure.gate", "claims") in names and ("assure.gate", "recall") in names and ("assure.gate", "run") in names
    assert [n for k, n in names if k == "assure.gate.claims"] == ["c0", "c1", "c2"]
    assert root.find("testsuite").get("failures") == "4"
    assert "alert" in "".join(c.find("failure").text for c in cases if c.find("failure") is not None)


def test_md_keeps_apostrophes_readable() -> None:
    # An HTML entity whose '#' is backslash-escaped no longer renders: quotes stay as they are.
    assert md("the note 'patient refusing fluids'") == "the note 'patient refusing fluids'"


def test_md_angle_brackets_become_plain_entities() -> None:
    assert md("<b>x</b> & y > z") == "&lt;b&gt;x&lt;/b&gt; &amp; y &gt; z"
