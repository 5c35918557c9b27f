"""End to end: a prompt change that makes the tool worse fails `assure gate` (issue 19, deliverable 7).

The tool under test is examples/prompt_change: an `openai` target whose prompt is a file. The model
behind it is a STAND-IN, not a real model (tests/integration/prompt_server.py): a deterministic
OpenAI-compatible server on loopback whose answer depends on the prompt (full reference minutes for
a prompt that asks for full minutes; two sentences for one that asks for two). A later issue puts a
real local model in its place. Everything else is real: the `assure` console script, MLflow
tracking, the omission suite with its embedding model, the baseline tag, the gate, its JUnit XML
and Markdown summary. Six of the 24 safeguarding meetings keep it quick.
"""

from __future__ import annotations

import html
import json
import re
import shutil
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from tests.conftest import REPO, run_cli
from tests.integration.prompt_server import PromptServer

pytestmark = pytest.mark.integration

EXAMPLE = REPO / "examples" / "prompt_change"
GOLDEN = REPO / "golden_sets" / "safeguarding_minutes"
CASES = ("sgm-001", "sgm-003", "sgm-005", "sgm-009", "sgm-014", "sgm-018")
BASELINE_TAG = "main-baseline"


def subset_golden(folder: Path) -> Path:
    """The chosen meetings, lines copied verbatim, under the bundled set's own manifest."""
    folder.mkdir(parents=True)
    shutil.copy(GOLDEN / "manifest.yaml", folder / "manifest.yaml")
    lines = [line for line in (GOLDEN / "cases.jsonl").read_text(encoding="utf-8").splitlines()
             if line.strip() and json.loads(line)["id"] in CASES]
    assert len(lines) == len(CASES)
    (folder / "cases.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return folder


def example_copy(folder: Path, url: str) -> Path:
    """A council's copy of the example, with target.yaml's fixed base_url pointed at the stand-in.

    The `openai` target takes base_url from the YAML only (no environment variable), so the test
    writes the copy, as an engineer would edit it for their own endpoint."""
    shutil.copytree(EXAMPLE, folder)
    target = folder / "target.yaml"
    text, count = re.subn(r"(?m)^base_url:.*$", f"base_url: {url}", target.read_text(encoding="utf-8"))
    assert count == 1
    target.write_text(text, encoding="utf-8")
    return folder


def assure_run(work: Path, golden: Path, report: str) -> dict:
    result = run_cli("run", "--golden", str(golden), "--target", "target.yaml", "--suite", "omission",
                     "--report-json", report, cwd=work, timeout=300)
    assert result.returncode == 0, result.stdout + result.stderr
    return json.loads((work / report).read_text(encoding="utf-8"))


def gate(work: Path, run_id: str, name: str) -> tuple[int, str, ET.Element, str]:
    result = run_cli("gate", "--run", run_id, "--thresholds", "thresholds.yaml", "--baseline-tag", BASELINE_TAG,
                     "--summary", f"{name}.md", "--junit", f"{name}.xml", cwd=work)
    assert result.returncode in (0, 1), result.stdout + result.stderr
    summary = (work / f"{name}.md").read_text(encoding="utf-8")
    return result.returncode, summary, ET.parse(work / f"{name}.xml").getroot(), result.stdout


def plain(markdown: str) -> str:
    """The summary as a reader sees it: Markdown backslash escapes and HTML entities undone."""
    return html.unescape(re.sub(r"\\(.)", r"\1", markdown))


def test_poor_prompt_fails_the_gate_and_names_the_missing_key_facts(tmp_path: Path) -> None:
    golden = subset_golden(tmp_path / "golden")
    with PromptServer([GOLDEN]) as server:
        work = example_copy(tmp_path / "prompt_change", server.url)
        good_prompt = (work / "prompt.txt").read_text(encoding="utf-8")

        # 1. Baseline: the good prompt, tagged as the main branch's baseline.
        baseline = assure_run(work, golden, "baseline.json")
        assert baseline["errors"] == 0 and len(baseline["cases"]) == len(CASES)
        references = {c.id: c.reference for c in server.answers.cases}
        assert all(c["output"] == references[c["case_id"]] for c in baseline["cases"])  # full minutes
        tagged = run_cli("tag", baseline["run_id"], BASELINE_TAG, cwd=work)
        assert tagged.returncode == 0, tagged.stdout + tagged.stderr

        # 2. The pull request: prompt.txt becomes "Summarise this meeting in two sentences."
        shutil.copy(work / "poor_prompt.txt", work / "prompt.txt")
        candidate = assure_run(work, golden, "candidate.json")
        assert len(server.requests) == 2 * len(CASES)  # a changed prompt is never served from the cache
        assert all(len(c["output"].split()) < 120 for c in candidate["cases"])

        code, summary, junit, stdout = gate(work, candidate["run_id"], "poor")
        assert code == 1, stdout
        first_line = summary.splitlines()[0]
        assert "FAILED" in first_line, first_line
        text = plain(summary)
        assert "key_fact_recall" in text
        failing = [line for line in text.splitlines() if line.startswith("- **key_fact_recall:")]
        assert failing, text  # key_fact_recall is listed among the failing checks
        # The cases that got worse are named with the key facts they now omit, as the scorer worded them.
        omitted = {f["reason"] for c in candidate["cases"] for f in c["scores"]["key_fact_recall"]["findings"]
                   if f["kind"] == "omitted_key_fact" and f["severity"] == "critical"}
        named = [reason for reason in omitted if reason in text]
        assert len(named) >= 3, text
        assert "omitted_key_fact" in text and "is absent" in text
        assert any(case_id in text for case_id in CASES)

        assert junit.tag == "testsuites" and int(junit.get("failures", "0")) >= 1
        cases = {tc.get("name"): tc for tc in junit.iter("testcase")}
        assert cases["key_fact_recall"].find("failure") is not None

        # 3. Control: the good prompt again (its outputs come from the cache) passes against the baseline.
        (work / "prompt.txt").write_text(good_prompt, encoding="utf-8")
        again = assure_run(work, golden, "again.json")
        assert len(server.requests) == 2 * len(CASES)  # nothing was asked of the model
        assert [c["output"] for c in again["cases"]] == [c["output"] for c in baseline["cases"]]
        code, summary, junit, stdout = gate(work, again["run_id"], "good")
        assert code == 0, summary
        assert "PASSED" in summary.splitlines()[0]
        assert int(junit.get("failures", "0")) == 0
