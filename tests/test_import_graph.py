"""gmmviz's modules import one another in one direction: the graph has no circle.

Call-time imports (inside a function) count as much as those at the top: a circle through one of them
works only by the luck of which module is imported first. The test reads every module's imports with
`ast` and reports, for a circle, the edge that closes it.
"""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[1] / "src" / "gmmviz"


def _module_name(path: Path, package: Path) -> str:
    """'em' for em.py, 'widgets' for widgets/__init__.py, 'widgets.keyboard' for widgets/keyboard.py."""
    parts = list(path.relative_to(package).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts = parts[:-1]
    return ".".join(parts) or "gmmviz"


def _resolve(name: str, modules: set[str]) -> str | None:
    """The longest module of the package that ``name`` (a dotted path inside gmmviz) is, or lies in."""
    parts = name.split(".")
    for i in range(len(parts), 0, -1):
        candidate = ".".join(parts[:i])
        if candidate in modules:
            return candidate
    return None


def _targets(node: ast.AST, module: str, is_package: bool, modules: set[str]) -> set[str]:
    """The gmmviz modules an import statement in ``module`` loads ("gmmviz" for the package itself)."""
    found: set[str] = set()
    if isinstance(node, ast.ImportFrom):
        if node.level:
            # the package the relative import starts from: the module's own package, then up
            here = module.split(".") if is_package and module != "gmmviz" else module.split(".")[:-1]
            if module == "gmmviz":
                here = []
            base_parts = here[: len(here) - (node.level - 1)] if node.level > 1 else here
            base = ".".join([*base_parts, *(node.module.split(".") if node.module else [])])
        elif node.module and node.module.split(".")[0] == "gmmviz":
            base = node.module[len("gmmviz") + 1 :]
        else:
            return found
        names = [f"{base}.{alias.name}" if base else alias.name for alias in node.names]
        for full in names:  # `from . import em` imports the module em; `from .em import x` imports em
            found.add(_resolve(full, modules) or _resolve(base, modules) or "gmmviz")
    elif isinstance(node, ast.Import):
        for alias in node.names:
            parts = alias.name.split(".")
            if parts[0] == "gmmviz":
                found.add(_resolve(".".join(parts[1:]), modules) or "gmmviz")
    return found


def import_graph(package: Path = PACKAGE) -> dict[str, set[str]]:
    """Module -> the gmmviz modules it imports anywhere in its source (typing-only imports left out).

    A module of a subpackage (``widgets.keyboard``) is a node of its own; importing it also runs its
    package's ``__init__`` (``widgets``), which is an edge too.
    """
    paths = sorted(package.rglob("*.py"))
    modules = {_module_name(p, package) for p in paths} - {"gmmviz"}
    graph: dict[str, set[str]] = {}
    for path in paths:
        name = _module_name(path, package)
        tree = ast.parse(path.read_text(encoding="utf-8"))
        typing_only = {
            id(n)
            for block in ast.walk(tree)
            if isinstance(block, ast.If) and "TYPE_CHECKING" in ast.unparse(block.test)
            for stmt in block.body
            for n in ast.walk(stmt)
        }
        targets = {
            t
            for node in ast.walk(tree)
            if isinstance(node, (ast.Import, ast.ImportFrom)) and id(node) not in typing_only
            for t in _targets(node, name, path.name == "__init__.py", modules)
        }
        # importing a.b runs a's __init__ first (unless a is the importer's own package)
        parents = {".".join(t.split(".")[:i]) for t in targets for i in range(1, t.count(".") + 1)}
        own = {".".join(name.split(".")[:i]) for i in range(1, name.count(".") + 1)}
        graph[name] = (targets | (parents - own)) - {name}
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
    assert "keyboard" in graph["pads"]
    assert "widgets" in graph["pads"]  # EMExplorer, at call time (Fit EM shows an explorer)
    assert "widgets._em" in graph["widgets"]  # a module of a subpackage is a node of its own


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
