"""The benchmarks' results envelope (`harness.benchmark_results`): what it records, and that what is
written is what is read back."""

from __future__ import annotations

import json
import math
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from harness import benchmark_results as br

json_values = st.recursive(
    st.none() | st.booleans() | st.integers(-10**12, 10**12) | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=10), inner, max_size=4),
    max_leaves=20)


@given(figures=st.dictionaries(st.text(max_size=10), json_values, max_size=5),
       settings=st.dictionaries(st.text(min_size=1, max_size=10), st.integers() | st.text(max_size=10), max_size=3),
       name=st.from_regex(r"[a-z][a-z_]{0,15}", fullmatch=True))
def test_what_is_written_is_read_back(tmp_path_factory: pytest.TempPathFactory, figures: dict, settings: dict, name: str) -> None:
    folder = tmp_path_factory.mktemp("results")
    envelope = br.begin(name, f"python {name}.py", settings).finish(figures, seconds=1.5)
    path = br.write_results(envelope, folder)
    assert path == folder / f"{name}.json"
    assert br.read_results(path) == envelope
    assert envelope["figures"] == figures and envelope["settings"] == settings
    assert [p.name for p in folder.iterdir()] == [path.name]  # no scratch file left behind


def test_the_envelope_says_what_ran_where_and_when(tmp_path: Path) -> None:
    measurement = br.begin("throughput", "python benchmarks/throughput.py --repeats 2", {"repeats": 2})
    envelope = measurement.finish({"rate": float("nan"), "rates": (1.0, float("inf"))})
    assert set(envelope) == set(br.KEYS)
    assert envelope["figures"] == {"rate": None, "rates": [1.0, None]}  # strict JSON: not numbers become null
    assert envelope["command"] == "python benchmarks/throughput.py --repeats 2"
    assert envelope["started_at"].endswith("Z") and envelope["seconds"] >= 0
    commit = envelope["commit"]
    assert commit is None or (len(commit) == 40 and isinstance(envelope["dirty"], bool))
    m = envelope["machine"]
    assert {"platform", "python", "cpu_count", "cpu_model", "memory_gib", "load_average"} <= set(m)
    assert m["cpu_count"] >= 1 and (m["load_average"] is None or len(m["load_average"]) == 3)
    text = br.write_results(envelope, tmp_path).read_text(encoding="utf-8")
    assert "NaN" not in text and "Infinity" not in text
    json.loads(text, parse_constant=lambda c: pytest.fail(f"not strict JSON: {c}"))


def test_a_file_that_is_not_an_envelope_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="missing"):
        br.write_results({"benchmark": "x", "figures": {}}, tmp_path)
    (tmp_path / "x.json").write_text('{"figures": {}}', encoding="utf-8")
    with pytest.raises(ValueError, match="not a benchmark results file"):
        br.read_results(tmp_path / "x.json")


def test_the_folder_defaults_to_the_checkout_unless_the_environment_names_another(tmp_path: Path,
                                                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(br.RESULTS_ENV, raising=False)
    assert br.default_results_dir() == br.REPO / "benchmarks" / "results"
    monkeypatch.setenv(br.RESULTS_ENV, str(tmp_path / "elsewhere"))
    assert br.default_results_dir() == tmp_path / "elsewhere"
    path = br.record("demo", "python demo.py", {"x": 1})
    assert path == tmp_path / "elsewhere" / "demo.json" and br.read_results(path)["figures"] == {"x": 1}


def test_the_command_line_is_shown_as_typed() -> None:
    assert br.cli_command("fallback", ["/venv/bin/assure", "bench", "gate", "--simulations", "200"]) == \
        "assure bench gate --simulations 200"
    script = str(br.REPO / "benchmarks" / "throughput.py")
    assert br.cli_command("fallback", [script, "--repeats", "5"]) == "python benchmarks/throughput.py --repeats 5"
    assert br.cli_command("assure bench validity", ["/usr/lib/python3/pytest", "-k", "x"]) == "assure bench validity"
    assert br.cli_command("fallback", ["assure", "bench", "validity", "--suite", "a b"]) == "assure bench validity --suite 'a b'"


def test_not_a_number_is_never_written() -> None:
    envelope = br.begin("x", "x").finish({"a": [math.nan, {"b": -math.inf}]})
    assert envelope["figures"] == {"a": [None, {"b": None}]}


@pytest.mark.parametrize("script", ["throughput.py", "roi_timings.py", "dashboard_load.py"])
def test_every_benchmark_script_can_redirect_or_skip_its_results_file(script: str) -> None:
    import subprocess
    import sys

    done = subprocess.run([sys.executable, str(br.REPO / "benchmarks" / script), "--help"], capture_output=True, text=True,
                          timeout=120, cwd=br.REPO)
    assert done.returncode == 0, done.stderr
    assert "--results-dir" in done.stdout and "--no-results" in done.stdout


def test_roi_timings_summarise_repeated_commands() -> None:
    from benchmarks.roi_timings import spread

    rows = [{"wall_s": w, "cpu_s": c, "peak_mib": m, "exit": 0} for w, c, m in [(3.0, 2.0, 280.0), (1.0, 1.5, 290.0), (2.0, 1.0, 285.0)]]
    out = spread(rows)
    assert out["wall_s"] == {"min": 1.0, "median": 2.0, "max": 3.0} and out["cpu_s"]["median"] == 1.5
    assert out["peak_mib"] == 290.0 and out["exits"] == [0] and out["runs"] == rows
