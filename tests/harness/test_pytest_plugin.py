"""The `assure` pytest plugin (run as a user would: pytest in a subprocess) and `harness.testing`."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from harness.testing import assert_output, format_failure, load_cases, score_case

pytestmark = pytest.mark.integration

REPO = Path(__file__).resolve().parents[2]
SAMPLE = REPO / "golden_sets" / "sample"
VENDOR_A = REPO / "dashboards" / "demo_data" / "vendor_a.yaml"
SCORERS = ("unsupported_details", "claim_support")  # the hallucination suite's, in suite order
# The subprocess runs outside this repository, so its pyproject addopts do not apply: switch off
# the same slow third-party plugins here.
QUIET = ["-p", "no:cacheprovider", "-p", "no:dash", "-p", "no:deepeval", "-p", "no:langsmith_plugin",
         "-p", "no:rerunfailures", "-p", "no:repeat"]
CASES = [json.loads(line) for line in (SAMPLE / "cases.jsonl").read_text(encoding="utf-8").splitlines() if line.strip()]


def run_pytest(cwd: Path, home: Path, *args: str, timeout: float = 240) -> tuple[subprocess.CompletedProcess[str], dict[str, tuple[str, str]]]:
    """Run pytest as a user would; return the process and {node id: (outcome, message)} from its JUnit XML."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTEST_", "ASSURE_"))}
    env["ASSURE_HOME"] = str(home)
    junit = cwd / f"junit-{len(list(cwd.glob('junit-*.xml')))}.xml"
    proc = subprocess.run([sys.executable, "-m", "pytest", *QUIET, f"--junitxml={junit}", *args], cwd=cwd, env=env,
                          capture_output=True, text=True, timeout=timeout)
    assert "INTERNALERROR" not in proc.stdout + proc.stderr, proc.stdout + proc.stderr
    return proc, read_junit(junit) if junit.exists() else {}


def read_junit(file: Path) -> dict[str, tuple[str, str]]:
    outcomes: dict[str, tuple[str, str]] = {}
    for case in ET.parse(file).getroot().iter("testcase"):
        outcome, message = "passed", ""
        for kind in ("failure", "error", "skipped"):
            element = case.find(kind)
            if element is not None:
                outcome, message = kind, (element.get("message") or "") + "\n" + (element.text or "")
        outcomes[f"{case.get('classname')}::{case.get('name')}"] = (outcome, message)
    return outcomes


def assure_args(target: Path, *more: str) -> list[str]:
    # `--opt=value`: pytest picks its rootdir before plugins load, and would take a separate value
    # that looks like a path (outside this folder) for a test path when it does.
    return [f"--assure-golden={SAMPLE}", f"--assure-target={target}", "--assure-suite=hallucination", *more]


def recorded_target(folder: Path, outputs: dict[str, str], name: str = "faithful") -> Path:
    (folder / f"{name}.jsonl").write_text("".join(json.dumps({"case_id": k, "output": v}) + "\n" for k, v in outputs.items()),
                                          encoding="utf-8")
    target = folder / f"{name}.yaml"
    target.write_text(f"name: {name}\nversion: '1'\nkind: recorded\npath: {name}.jsonl\n", encoding="utf-8")
    return target


def counting_target(folder: Path) -> Path:
    """A `command` tool that appends a line to calls.txt on every call and echoes two source lines."""
    (folder / "tool.py").write_text(
        "import pathlib, sys\n"
        "source = sys.stdin.read()\n"
        "with open(pathlib.Path(__file__).with_name('calls.txt'), 'a', encoding='utf-8') as f:\n"
        "    f.write(source.splitlines()[0][:40] + '\\n')\n"
        "print('\\n'.join(source.splitlines()[:2]))\n", encoding="utf-8")
    target = folder / "counting.yaml"
    target.write_text(f"name: counting\nkind: command\ncommand: [{json.dumps(sys.executable)}, tool.py]\n", encoding="utf-8")
    return target


def calls(folder: Path) -> int:
    file = folder / "calls.txt"
    return len(file.read_text(encoding="utf-8").splitlines()) if file.exists() else 0


def expected_ids() -> set[str]:
    return {f"golden.sample.{case['id']}::{scorer}" for case in CASES for scorer in SCORERS}


@pytest.fixture(scope="module")
def vendor_a_serial(tmp_path_factory: pytest.TempPathFactory) -> tuple[subprocess.CompletedProcess[str], dict[str, tuple[str, str]]]:
    folder = tmp_path_factory.mktemp("vendor-a")
    return run_pytest(folder, folder / "home", *assure_args(VENDOR_A))


def test_faithful_target_passes_one_item_per_case_and_scorer(tmp_path: Path) -> None:
    target = recorded_target(tmp_path, {case["id"]: case["reference"] for case in CASES})
    proc, outcomes = run_pytest(tmp_path, tmp_path / "home", *assure_args(target))
    assert proc.returncode == 0, proc.stdout
    assert set(outcomes) == expected_ids()  # 3 cases x 2 scorers, and nothing else (no test files given)
    assert {outcome for outcome, _ in outcomes.values()} == {"passed"}
    assert f"collected {len(CASES) * len(SCORERS)} items" in proc.stdout
    assert "assure: golden set sample v1.0.0 (3 cases" in proc.stdout


def test_vendor_a_fails_on_its_planted_defects_with_the_findings_listed(vendor_a_serial) -> None:
    proc, outcomes = vendor_a_serial
    assert proc.returncode == 1, proc.stdout
    assert set(outcomes) == expected_ids()
    failed = {node: message for node, (outcome, message) in outcomes.items() if outcome == "failure"}
    assert set(failed) == {"golden.sample.sample-001::unsupported_details", "golden.sample.sample-001::claim_support"}
    message = failed["golden.sample.sample-001::unsupported_details"]
    for reason in ("The dose '10 mg' does not appear in the source.", "The date '24 February' does not appear in the source.",
                   "The name 'Patel' does not appear in the source."):
        assert reason in message
        assert reason in proc.stdout  # the terminal shows the same plain text, without a traceback
    assert "[critical] unsupported_dose" in message and 'output: "10 mg"' in message and 'source: "Source has: 5 mg"' in message
    assert "consent_flip" in failed["golden.sample.sample-001::claim_support"]
    assert "Traceback" not in proc.stdout and "harness/pytest_plugin.py" not in proc.stdout
    assert "FAILED golden/sample::sample-001::unsupported_details" in proc.stdout


def test_xdist_workers_give_the_same_verdicts(tmp_path: Path, vendor_a_serial) -> None:
    proc, outcomes = run_pytest(tmp_path, tmp_path / "home", "-p", "xdist", "-n", "2", *assure_args(VENDOR_A))
    assert proc.returncode == 1, proc.stdout
    assert "2 workers [6 items]" in proc.stdout
    assert {k: v[0] for k, v in outcomes.items()} == {k: v[0] for k, v in vendor_a_serial[1].items()}
    assert "2 failed, 4 passed" in proc.stdout


def test_the_tool_is_called_once_per_case_across_workers_and_not_at_all_on_a_rerun(tmp_path: Path) -> None:
    target = counting_target(tmp_path)
    home = tmp_path / "home"
    first, first_outcomes = run_pytest(tmp_path, home, "-p", "xdist", "-n", "2", *assure_args(target))
    assert first.returncode in (0, 1), first.stdout + first.stderr
    assert set(first_outcomes) == expected_ids()
    assert calls(tmp_path) == len(CASES)  # one call per case, though two workers scored its two scorers
    second, second_outcomes = run_pytest(tmp_path, home, *assure_args(target))
    assert calls(tmp_path) == len(CASES)  # every output came from the shared cache
    assert {k: v[0] for k, v in second_outcomes.items()} == {k: v[0] for k, v in first_outcomes.items()}
    assert (home / "cache.sqlite").exists()


def test_a_tool_error_fails_its_items_and_an_unscored_result_is_skipped(tmp_path: Path) -> None:
    by_id = {case["id"]: case for case in CASES}
    target = recorded_target(tmp_path, {"sample-001": by_id["sample-001"]["reference"], "sample-002": "Noted."}, name="partial")
    proc, outcomes = run_pytest(tmp_path, tmp_path / "home", "-rs", *assure_args(target))
    assert proc.returncode == 1, proc.stdout
    assert outcomes["golden.sample.sample-001::claim_support"][0] == "passed"
    assert outcomes["golden.sample.sample-002::unsupported_details"][0] == "passed"
    outcome, message = outcomes["golden.sample.sample-002::claim_support"]
    assert outcome == "skipped" and "unscored: the output has no claims to check" in message
    assert "cases.jsonl:2: sample-002 / claim_support: unscored" in proc.stdout  # points at the case, not the plugin
    for scorer in SCORERS:
        outcome, message = outcomes[f"golden.sample.sample-003::{scorer}"]
        assert outcome == "failure"
        assert "the tool under test failed: missing: the vendor file partial.jsonl has no output for this case" in message


def test_a_thresholds_mean_raises_the_bar(tmp_path: Path) -> None:
    target = recorded_target(tmp_path, {case["id"]: case["reference"] for case in CASES})
    (tmp_path / "thresholds.yaml").write_text(
        "max_errors: 0\ndefaults: {alpha: 0.05, max_regression: 0.02}\nscorers:\n"
        "  claim_support: {mean: 0.99, pass_rate: 0.70}\n  key_fact_recall: {mean: 0.80}\n", encoding="utf-8")
    proc, outcomes = run_pytest(tmp_path, tmp_path / "home", *assure_args(target, "--assure-thresholds=thresholds.yaml"))
    assert proc.returncode == 1, proc.stdout
    failed = {node: message for node, (outcome, message) in outcomes.items() if outcome == "failure"}
    assert set(failed) == {"golden.sample.sample-001::claim_support"}  # 0.975 passes the scorer, not the file's 0.99
    assert "is below 0.99 (scorers.claim_support.mean in thresholds.yaml)" in failed["golden.sample.sample-001::claim_support"]


@pytest.mark.parametrize(("args", "says"), [
    ([f"--assure-golden={SAMPLE}", "--assure-suite=hallucination"], r"needs --assure-target"),
    ([f"--assure-golden={SAMPLE}", f"--assure-target={VENDOR_A}"], r"needs --assure-suite"),
    ([f"--assure-target={VENDOR_A}"], r"--assure-target need\(s\) --assure-golden"),
    (assure_args(VENDOR_A)[:2] + ["--assure-suite=no_such_suite"], r"unknown suite 'no_such_suite'"),
    (assure_args(VENDOR_A, "--assure-thresholds=bad.yaml"), r"bad\.yaml:\d+: scorers\.claim_support\.mean: Input should be a valid number"),
    (assure_args(VENDOR_A, "--assure-thresholds=typo.yaml"), r"typo\.yaml:1: defaults\.mena: Extra inputs are not permitted"),
    (assure_args(VENDOR_A, "--assure-thresholds=absent.yaml"), r"absent\.yaml: thresholds file not found"),
], ids=["no-target", "no-suite", "target-without-golden", "unknown-suite", "bad-mean", "unknown-key", "missing-file"])
def test_bad_options_are_usage_errors_that_name_the_problem(tmp_path: Path, args: list[str], says: str) -> None:
    (tmp_path / "bad.yaml").write_text("max_errors: 0\nscorers:\n  claim_support: {mean: high}\n", encoding="utf-8")
    (tmp_path / "typo.yaml").write_text("defaults: {mena: 0.8}\n", encoding="utf-8")  # the same model as `assure gate`
    proc, _ = run_pytest(tmp_path, tmp_path / "home", *args)
    assert proc.returncode == pytest.ExitCode.USAGE_ERROR, proc.stdout + proc.stderr
    assert re.search(says, proc.stderr), proc.stderr


def test_without_assure_golden_the_plugin_adds_nothing(tmp_path: Path) -> None:
    (tmp_path / "test_plain.py").write_text("def test_plain():\n    assert 1 + 1 == 2\n", encoding="utf-8")
    proc, outcomes = run_pytest(tmp_path, tmp_path / "home")
    assert proc.returncode == 0, proc.stdout
    assert list(outcomes) == ["test_plain::test_plain"]
    assert "golden/" not in proc.stdout and "assure:" not in proc.stdout
    assert "plugins:" in proc.stdout and "assure-" in proc.stdout  # loaded, and idle
    assert not (tmp_path / "home").exists()  # not even the data folder was touched


def test_paths_given_with_assure_golden_run_alongside_the_golden_items(tmp_path: Path) -> None:
    (tmp_path / "test_plain.py").write_text("def test_plain():\n    assert True\n", encoding="utf-8")
    target = recorded_target(tmp_path, {case["id"]: case["reference"] for case in CASES})
    proc, outcomes = run_pytest(tmp_path, tmp_path / "home", "test_plain.py", *assure_args(target))
    assert proc.returncode == 0, proc.stdout
    assert set(outcomes) == expected_ids() | {"test_plain::test_plain"}


# -- harness.testing --------------------------------------------------------------------------------

def test_assert_output_passes_a_faithful_output_and_returns_the_scores() -> None:
    case = load_cases(SAMPLE)[0]
    assert case.reference
    scores = assert_output(case.reference, case)
    assert list(scores) == list(SCORERS) and all(score.passed for score in scores.values())
    assert assert_output("Mrs Hale takes donepezil 5 mg at night.", case.source, scorers=["unsupported_details"])


def test_assert_output_raises_with_the_findings_on_an_invented_dose() -> None:
    case = load_cases(SAMPLE)[0]
    assert case.reference and "5 mg" in case.reference
    with pytest.raises(AssertionError) as raised:
        assert_output(case.reference.replace("5 mg", "50 mg"), case.model_dump(), suite=["hallucination"])
    message = str(raised.value)
    assert "sample-001 / unsupported_details: score" in message
    assert "[critical] unsupported_dose: The dose '50 mg' does not appear in the source." in message
    assert 'output: "50 mg"' in message and 'source: "Source has: 5 mg"' in message
    with pytest.raises(AssertionError, match="The dose '50 mg'"):
        assert_output("Mrs Hale takes donepezil 50 mg at night.", case.source)


def test_assert_output_on_unscored_and_unknown_scorers() -> None:
    case = load_cases(SAMPLE)[1]
    assert set(assert_output("Noted.", case)) == set(SCORERS)  # claim_support unscored: skipped, details pass
    with pytest.raises(AssertionError, match="claim_support: unscored: the output has no claims to check"):
        assert_output("Noted.", case, scorers=["claim_support"])
    with pytest.raises(ValueError, match="unknown scorer"):
        score_case("Noted.", case, scorers=["no_such_scorer"])


def test_format_failure_is_plain_text_with_every_finding() -> None:
    case = load_cases(SAMPLE)[0]
    score = score_case(case.reference.replace("5 mg", "50 mg"), case, scorers=["unsupported_details"])["unsupported_details"]
    text = format_failure(case.id, "unsupported_details", score, threshold=0.9, bar=0.99, bar_source="defaults.mean in t.yaml")
    assert text.splitlines()[0] == ("sample-001 / unsupported_details: score 0.980 did not pass (scorer threshold 0.9) "
                                    "and is below 0.99 (defaults.mean in t.yaml)")
    assert "1 finding(s):" in text and "\x1b" not in text
