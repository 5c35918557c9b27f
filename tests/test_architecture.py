"""The house's arrows: no import circles among the project's modules; the engine (`harness`) imports
nothing above it (it reaches suites, roi, dashboards and the goldens CLI only through entry points); the
embedded judge (`judge`) imports only the engine; the dashboard never reaches into the judge or the suites.

Every import counts, at module level or inside a function, since a late import is still an arrow.
"""

from __future__ import annotations

import ast
from pathlib import Path

import networkx as nx

REPO = Path(__file__).resolve().parents[1]
PACKAGES = ("harness", "judge", "suites", "roi", "dashboards", "golden_sets")


def module_graph(root: Path = REPO) -> nx.DiGraph:
    """Modules of the project's packages, with an edge from each module to every project module it imports."""
    modules: dict[str, Path] = {}
    for path in root.rglob("*.py"):
        parts = path.relative_to(root).with_suffix("").parts
        if parts[0] in PACKAGES:
            modules[".".join(parts[:-1] if parts[-1] == "__init__" else parts)] = path
    graph = nx.DiGraph()
    graph.add_nodes_from(modules)
    for name, path in modules.items():
        package = name if path.name == "__init__.py" else name.rpartition(".")[0]
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                targets = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                base = (".".join(package.split(".")[: len(package.split(".")) - node.level + 1]) if node.level else "")
                module = ".".join(p for p in (base, node.module or "") if p)
                targets = [module] + [f"{module}.{alias.name}" for alias in node.names]
            else:
                continue
            for target in targets:
                while target and target not in modules:
                    target = target.rpartition(".")[0]
                if target and target != name and not name.startswith(target + "."):
                    graph.add_edge(name, target)
    return graph


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
