"""The house's arrows: no import circles among the project's modules; the engine (`harness`) imports
nothing above it (it reaches suites, roi, dashboards and the goldens CLI only through entry points); the
embedded judge (`judge`) imports only the engine; the dashboard never reaches into the judge or the suites.

Every import counts, at module level or inside a function, since a late import is still an arrow.
"""

from __future__ import annotations

from pathlib import Path

import networkx as nx

from tools.house import module_graph, project_modules, room_of

MAX_MODULE_LINES = 400


def test_no_module_imports_itself_round_a_circle() -> None:
    circles = [sorted(c) for c in nx.strongly_connected_components(module_graph()) if len(c) > 1]
    assert circles == []


def test_the_engine_imports_nothing_above_it() -> None:
    graph = module_graph()
    upward = [(a, b) for a, b in graph.edges if a.startswith("harness") and not b.startswith("harness")]
    assert upward == []


def test_the_judge_imports_only_the_engine() -> None:
    graph = module_graph()
    outward = [(a, b) for a, b in graph.edges if a.startswith("judge") and not b.startswith(("judge", "harness"))]
    assert outward == []
    assert any(a.startswith("suites") and b.startswith("judge") for a, b in graph.edges)  # the suites do use it


def test_the_dashboard_reads_through_the_engine_and_roi_only() -> None:
    graph = module_graph()
    reach = [(a, b) for a, b in graph.edges if a.startswith("dashboards") and b.startswith(("judge", "suites"))]
    assert reach == []


def test_the_check_sees_a_circle_when_there_is_one(tmp_path: Path) -> None:
    package = tmp_path / "harness"
    package.mkdir()
    (package / "__init__.py").write_text("")
    (package / "a.py").write_text("def f():\n    from .b import g\n")
    (package / "b.py").write_text("from harness.a import f\nimport suites.x\n")
    (tmp_path / "suites").mkdir()
    (tmp_path / "suites" / "x.py").write_text("")
    graph = module_graph(tmp_path)
    assert {"harness.a", "harness.b"} in [set(c) for c in nx.strongly_connected_components(graph)]
    assert graph.has_edge("harness.b", "suites.x")


def test_no_module_is_over_400_lines() -> None:
    """One job per module: past about 400 lines a module is split by job (docs/architecture.md)."""
    long = {name: n for name, path in project_modules().items()
            if (n := len(path.read_text(encoding="utf-8").splitlines())) > MAX_MODULE_LINES}
    assert long == {}


def test_golden_set_authoring_is_a_room_of_its_own() -> None:
    assert room_of("golden_sets.authoring.perturb") == "golden_sets.authoring"
    assert room_of("golden_sets") == "golden_sets"
    assert room_of("harness.targets.http") == "harness"
