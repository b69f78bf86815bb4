"""gmmviz's modules import one another in one direction: the graph has no circle.

Call-time imports (inside a function) count as much as those at the top: a circle through one of them
works only by the luck of which module is imported first. The test reads every module's imports with
`ast` and reports, for a circle, the edge that closes it.
"""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[1] / "src" / "gmmviz"
MODULES = {p.stem for p in PACKAGE.glob("*.py")} - {"__init__"}


def _targets(node: ast.AST, module: str) -> set[str]:
    """The gmmviz modules an import statement in ``module`` loads ("gmmviz" for the package itself)."""
    found: set[str] = set()
    if isinstance(node, ast.ImportFrom):
        if node.level == 1:
            base = node.module
        elif node.level == 0 and node.module and node.module.split(".")[0] == "gmmviz":
            base = node.module[len("gmmviz") + 1 :] or None
        else:
            return found
        if base is None:  # from . import em, plot  /  from gmmviz import fit_em
            for alias in node.names:
                found.add(alias.name if alias.name in MODULES else "gmmviz")
        else:
            found.add(base.split(".")[0])
    elif isinstance(node, ast.Import):
        for alias in node.names:
            parts = alias.name.split(".")
            if parts[0] == "gmmviz":
                found.add(parts[1] if len(parts) > 1 else "gmmviz")
    return found & (MODULES | {"gmmviz"})


def import_graph() -> dict[str, set[str]]:
    """Module -> the gmmviz modules it imports anywhere in its source (typing-only imports left out)."""
    graph: dict[str, set[str]] = {}
    for path in sorted(PACKAGE.glob("*.py")):
        name = "gmmviz" if path.stem == "__init__" else path.stem
        tree = ast.parse(path.read_text(encoding="utf-8"))
        typing_only = {
            id(n)
            for block in ast.walk(tree)
            if isinstance(block, ast.If) and "TYPE_CHECKING" in ast.unparse(block.test)
            for stmt in block.body
            for n in ast.walk(stmt)
        }
        graph[name] = {
            t
            for node in ast.walk(tree)
            if isinstance(node, (ast.Import, ast.ImportFrom)) and id(node) not in typing_only
            for t in _targets(node, name)
            if t != name
        }
    return graph


def find_cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """A circle of imports as a path [a, b, ..., a], or None (depth-first search)."""
    state: dict[str, int] = {}  # 1 on the current path, 2 done
    path: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        path.append(node)
        for nxt in sorted(graph.get(node, ())):
            if state.get(nxt) == 1:
                return path[path.index(nxt) :] + [nxt]
            if nxt not in state and (cycle := visit(nxt)):
                return cycle
        path.pop()
        state[node] = 2
        return None

    for start in sorted(graph):
        if start not in state and (cycle := visit(start)):
            return cycle
    return None


def test_the_import_graph_of_gmmviz_has_no_circle():
    graph = import_graph()
    # The package's __init__ re-exports; a module importing `gmmviz` itself would depend on everything.
    cycle = find_cycle(graph)
    assert cycle is None, (
        f"gmmviz's imports go round in a circle: {' -> '.join(cycle)}; the edge {cycle[-2]} -> {cycle[-1]} "
        f"closes it (import what {cycle[-2]} needs from a lower module, or move it down)."
    )


def test_the_graph_reader_sees_top_level_and_call_time_imports():
    graph = import_graph()
    assert "_covariance" in graph["em"] and "params" in graph["em"]  # top of the file
    assert "chunked" in graph["fit"]  # inside engine_for: a call-time import counts
    assert "widgets" in graph["pads"]


def test_find_cycle_names_the_closing_edge():
    assert find_cycle({"a": {"b"}, "b": {"c"}, "c": set()}) is None
    assert find_cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
    assert find_cycle({"em": {"chunked"}, "chunked": {"em"}}) == ["chunked", "em", "chunked"]


def test_low_layers_do_not_import_high_ones():
    """The engine never imports pictures or widgets, and pictures never import the exercises."""
    graph = import_graph()

    def reach(start: str) -> set[str]:
        seen, todo = set(), [start]
        while todo:
            for nxt in graph.get(todo.pop(), ()):
                if nxt not in seen:
                    seen.add(nxt)
                    todo.append(nxt)
        return seen

    for engine in ("_covariance", "_validation", "params", "_history", "em", "fit", "chunked", "bound"):
        assert not reach(engine) & {"plot", "animate", "figures", "widgets", "pads", "exercises", "gmmviz"}, (
            engine
        )
    for pictures in ("plot", "animate", "figures"):
        assert not reach(pictures) & {"exercises", "widgets", "pads"}, pictures
