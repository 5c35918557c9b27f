"""The ready-to-copy CI templates in ci/ are valid, and every assure flag they use exists.

The GitHub workflow is checked by actionlint (which runs shellcheck on each `run:` script when a
shellcheck binary is found), the GitLab file against GitLab's CI schema as vendored in
check-jsonschema (no network: the builtin schemas ship inside the package). Each check is shown to
bite on a deliberately broken copy.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
WORKFLOW = ROOT / "ci" / "github" / "assure-gate.yml"
GITLAB = ROOT / "ci" / "gitlab" / "assure-gate.gitlab-ci.yml"
THRESHOLDS = ROOT / "ci" / "thresholds.yaml"

# Nothing these checks run may reach the network; a proxy that goes nowhere makes a stray download
# fail loudly instead of passing by luck on a connected machine.
OFFLINE_ENV = {**os.environ, "HTTP_PROXY": "http://127.0.0.1:9", "HTTPS_PROXY": "http://127.0.0.1:9",
               "http_proxy": "http://127.0.0.1:9", "https_proxy": "http://127.0.0.1:9", "NO_PROXY": ""}


def _tool(name: str) -> Path:
    path = BIN / name
    assert path.exists(), f"{name} not installed next to {sys.executable} (pip install -e '.[dev]')"
    return path


def _actionlint(path: Path) -> subprocess.CompletedProcess[str]:
    # actionlint skips its shellcheck pass when it finds no binary, so name the one the dev extra installs.
    cmd = [str(_tool("actionlint")), "-no-color", "-shellcheck", str(_tool("shellcheck"))]
    return subprocess.run([*cmd, str(path)], capture_output=True, text=True, timeout=120, env=OFFLINE_ENV)


def _gitlab_schema(path: Path) -> subprocess.CompletedProcess[str]:
    cmd = [str(_tool("check-jsonschema")), "--builtin-schema", "vendor.gitlab-ci", str(path)]
    return subprocess.run(cmd, capture_output=True, text=True, timeout=120, env=OFFLINE_ENV)


# (a) and (c): actionlint --------------------------------------------------------------------------

def test_workflow_passes_actionlint() -> None:
    result = _actionlint(WORKFLOW)
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout == "" and result.stderr == ""


def test_actionlint_rejects_a_broken_workflow(tmp_path: Path) -> None:
    text = WORKFLOW.read_text(encoding="utf-8")
    assert "    runs-on: ubuntu-latest\n" in text
    broken = tmp_path / "broken.yml"
    broken.write_text(text.replace("    runs-on: ubuntu-latest\n", "    run-on: ubuntu-latest\n"), encoding="utf-8")
    result = _actionlint(broken)
    assert result.returncode != 0
    assert "run-on" in result.stdout


def test_actionlint_runs_shellcheck_and_catches_an_unquoted_variable(tmp_path: Path) -> None:
    text = WORKFLOW.read_text(encoding="utf-8")
    quoted = 'assure tag "$RUN_ID" "$BASELINE_TAG"'
    assert quoted in text
    broken = tmp_path / "unquoted.yml"
    broken.write_text(text.replace(quoted, "assure tag $RUN_ID $BASELINE_TAG"), encoding="utf-8")
    result = _actionlint(broken)
    assert result.returncode != 0 and "SC2086" in result.stdout


# (b) and (c): GitLab's CI schema ------------------------------------------------------------------

def test_gitlab_file_matches_the_gitlab_ci_schema() -> None:
    result = _gitlab_schema(GITLAB)
    assert result.returncode == 0, result.stdout + result.stderr


def test_gitlab_schema_rejects_a_broken_file(tmp_path: Path) -> None:
    text = GITLAB.read_text(encoding="utf-8")
    assert "policy: pull\n" in text
    broken = tmp_path / "broken.gitlab-ci.yml"
    # `when: sometimes` is not a value rules accept; the rules entry is otherwise unchanged.
    broken.write_text(text.replace('    - if: $CI_PIPELINE_SOURCE == "merge_request_event"\n',
                                   '    - if: $CI_PIPELINE_SOURCE == "merge_request_event"\n      when: sometimes\n'),
                      encoding="utf-8")
    assert broken.read_text(encoding="utf-8") != text
    result = _gitlab_schema(broken)
    assert result.returncode != 0
    assert "sometimes" in result.stdout + result.stderr


# (d): every assure flag the templates use exists ---------------------------------------------------

def _scripts(path: Path) -> list[str]:
    """Every shell script in a template: GitHub `run:` steps, GitLab (before_|after_)script lines."""
    found: list[str] = []

    def walk(node: object, key: str | None = None) -> None:
        if isinstance(node, dict):
            for k, v in node.items():
                walk(v, str(k))
        elif isinstance(node, list):
            for item in node:
                walk(item, key)
        elif isinstance(node, str) and key in {"run", "script", "before_script", "after_script"}:
            found.append(node)

    walk(yaml.safe_load(path.read_text(encoding="utf-8")))
    return found


def _assure_calls(path: Path) -> list[tuple[str, list[str]]]:
    """(command, flags) for each `assure run|gate|tag` in the template's scripts."""
    calls = []
    for script in _scripts(path):
        joined = re.sub(r"\\\n", " ", script)  # backslash line continuations
        for line in joined.splitlines():
            # a command position: start of line, or after ; & | ( (so `echo "assure gate: ..."` is not one)
            for match in re.finditer(r"(?:^|[;&|(])\s*assure\s+(run|gate|tag)\b([^\n;|&]*)", line):
                calls.append((match.group(1), re.findall(r"(?<![\w-])--[a-z][a-z0-9-]*", match.group(2))))
    return calls


def _help(command: str) -> str | None:
    """`assure COMMAND --help`, or None when there is no such command."""
    env = {**OFFLINE_ENV, "COLUMNS": "200", "NO_COLOR": "1", "TERM": "dumb"}
    result = subprocess.run([str(_tool("assure")), command, "--help"], capture_output=True, text=True,
                            timeout=300, env=env, cwd=ROOT)
    return result.stdout if result.returncode == 0 else None


@pytest.mark.parametrize("template", [WORKFLOW, GITLAB], ids=["github", "gitlab"])
def test_every_assure_flag_in_the_templates_exists(template: Path) -> None:
    calls = _assure_calls(template)
    assert {command for command, _ in calls} == {"run", "gate", "tag"}, calls
    helps = {command: _help(command) for command, _ in calls}
    missing = sorted({f"assure {command} (no such command)" for command, text in helps.items() if text is None})
    for command, flags in calls:
        text = helps[command]
        missing += [f"assure {command} {flag}" for flag in flags if text is not None
                    and not re.search(rf"(?<![\w-]){re.escape(flag)}(?![\w-])", text)]
    assert not missing, f"commands and flags the templates use that `assure --help` does not list: {missing}"


def test_the_flag_parser_sees_multi_line_calls() -> None:
    def flags(path: Path) -> dict[str, set[str]]:
        seen: dict[str, set[str]] = {}
        for command, used in _assure_calls(path):
            seen.setdefault(command, set()).update(used)
        return seen

    github, gitlab = flags(WORKFLOW), flags(GITLAB)
    assert github["run"] == {"--golden", "--target", "--suite", "--report-json"}
    assert github["gate"] == {"--run", "--thresholds", "--baseline-tag", "--junit", "--summary"}
    assert github["tag"] == set()
    assert gitlab == github


# (e): the example thresholds ----------------------------------------------------------------------

def test_example_thresholds_load_with_the_gates_own_model() -> None:
    from harness.gate import default_max_new_critical, load_thresholds

    assert set(yaml.safe_load(THRESHOLDS.read_text(encoding="utf-8"))) <= {"max_errors", "defaults", "scorers"}
    thresholds = load_thresholds(THRESHOLDS)  # the model forbids unknown keys and checks every range
    assert {"key_fact_recall", "claim_support"} <= set(thresholds.scorers)
    # The file's defaults override the built-in per-scorer allowance, so the file must restate it.
    assert thresholds.rule("key_fact_recall").max_new_critical == default_max_new_critical("key_fact_recall")
    assert thresholds.rule("claim_support").max_critical == 0


def test_templates_point_at_the_same_project_layout() -> None:
    github = yaml.safe_load(WORKFLOW.read_text(encoding="utf-8"))["env"]
    gitlab = yaml.safe_load(GITLAB.read_text(encoding="utf-8"))[".assure"]["variables"]
    for key in ("ASSURE_GOLDEN", "ASSURE_TARGET", "ASSURE_THRESHOLDS"):
        assert github[key] == gitlab[key], key
    assert github["BASELINE_TAG"] == gitlab["ASSURE_BASELINE_TAG"] == "main-baseline"
