"""The house's shape, read from the code: every project module, the imports between them, and the rooms.

`tests/test_architecture.py` checks the arrows with `module_graph`; the documentation's architecture page
renders `rooms_table` and `arrows_table` at build time (`docs/hooks/house_tables.py`), so its figures are
the code's own. Every import counts, at module level or inside a function: a late import is still an arrow.
"""

from __future__ import annotations

import ast
from collections import defaultdict
from pathlib import Path

import networkx as nx

REPO = Path(__file__).resolve().parents[1]
PACKAGES = ("harness", "judge", "suites", "roi", "dashboards", "golden_sets")
# Rooms are packages, except that golden-set authoring is a room of its own inside golden_sets/.
ROOMS = ("harness", "judge", "golden_sets.authoring", "suites", "roi", "dashboards", "golden_sets")


def project_modules(root: Path = REPO) -> dict[str, Path]:
    """Dotted module name -> file, for every module of the project's packages under `root`."""
    modules: dict[str, Path] = {}
    for path in sorted(root.rglob("*.py")):
        parts = path.relative_to(root).with_suffix("").parts
        if parts[0] in PACKAGES:
            modules[".".join(parts[:-1] if parts[-1] == "__init__" else parts)] = path
    return modules


def module_graph(root: Path = REPO) -> nx.DiGraph:
    """Modules of the project's packages, with an edge from each module to every project module it imports."""
    modules = project_modules(root)
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


def room_of(module: str) -> str:
    """The room a module lives in: the longest room name it falls under."""
    return max((r for r in ROOMS if module == r or module.startswith(r + ".")), key=len)


def rooms_table(root: Path = REPO) -> str:
    """Markdown: each room's module count, lines of Python, and its largest module."""
    sizes: dict[str, list[tuple[int, str]]] = defaultdict(list)
    for name, path in project_modules(root).items():
        lines = len(path.read_text(encoding="utf-8").splitlines())
        sizes[room_of(name)].append((lines, str(path.relative_to(root))))
    rows = ["| room | modules | lines of Python | largest module |", "|---|---:|---:|---|"]
    for room in ROOMS:
        if sizes[room]:
            largest = max(sizes[room])
            rows.append(f"| `{room.replace('.', '/')}/` | {len(sizes[room])} | {sum(n for n, _ in sizes[room]):,} | "
                        f"`{largest[1]}` ({largest[0]} lines) |")
    return "\n".join(rows)


def arrows_table(root: Path = REPO) -> str:
    """Markdown: for each room, the rooms its modules import (module-level edges counted)."""
    counts: dict[tuple[str, str], int] = defaultdict(int)
    for a, b in module_graph(root).edges:
        if room_of(a) != room_of(b):
            counts[(room_of(a), room_of(b))] += 1
    rows = ["| room | imports (number of module-to-module arrows) |", "|---|---|"]
    for room in ROOMS:
        out = sorted((b, n) for (a, b), n in counts.items() if a == room)
        shown = ", ".join(f"`{b.replace('.', '/')}/` ({n})" for b, n in out) or "nothing outside itself"
        rows.append(f"| `{room.replace('.', '/')}/` | {shown} |")
    return "\n".join(rows)
