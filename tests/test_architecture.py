"""The shape of the house: no import cycles between files, and the layers point one way."""

from __future__ import annotations

import ast
from pathlib import Path

from samtal.config import ROOT

PACKAGE = ROOT / "samtal"
# The views and the pages sit on top; the core (data, rules, flows, conversations, summaries)
# never reaches up into them, not even lazily inside a function.
UPPER = ("samtal.staff", "samtal.family", "samtal.web")
ENTRY = {"samtal", "samtal.cli"}  # the factory and the CLI wire everything together


def _modules() -> dict[str, Path]:
    found = {}
    for path in PACKAGE.rglob("*.py"):
        parts = path.relative_to(ROOT).with_suffix("").parts
        name = ".".join(parts).removesuffix(".__init__")
        found[name] = path
    return found


def _imports(name: str, path: Path, modules: dict[str, Path], top_level_only: bool) -> set[str]:
    """The project modules a module imports (at import time only, or anywhere in it)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    nodes = tree.body if top_level_only else list(ast.walk(tree))
    found: set[str] = set()
    for node in nodes:
        if isinstance(node, ast.Import):
            found |= {a.name for a in node.names if a.name in modules}
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parent = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*parent, base] if base else parent)
            subs = {f"{base}.{a.name}" for a in node.names} & modules.keys()
            found |= subs or ({base} & modules.keys())
    return found - {name}


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected groups of more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    groups: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for target in graph[node]:
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in on_stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            group = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                group.append(member)
                if member == node:
                    break
            if len(group) > 1:
                groups.append(sorted(group))

    for node in graph:
        if node not in index:
            visit(node)
    return groups


def test_no_import_cycles_between_files():
    """No module of samtal/ imports, through others, a module that imports it."""
    modules = _modules()
    graph = {name: _imports(name, path, modules, True) for name, path in modules.items()}
    assert _cycles(graph) == []


def test_a_cycle_is_found_when_there_is_one():
    """The check itself sees a cycle (so the test above can fail)."""
    assert _cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]


def test_core_never_imports_views_or_pages():
    """Data, rules, flows, conversations and summaries never import staff, family or web."""
    modules = _modules()
    leaks = {
        (name, target)
        for name, path in modules.items()
        if name not in ENTRY and not name.startswith(UPPER)
        for target in _imports(name, path, modules, False)
        if target.startswith(UPPER)
    }
    assert leaks == set()


def test_family_pages_never_import_staff_pages():
    """The child's and guardian's screens use staff only through core rules (never its views)."""
    modules = _modules()
    leaks = {
        (name, target)
        for name, path in modules.items()
        if name.startswith("samtal.family")
        for target in _imports(name, path, modules, False)
        if target.startswith("samtal.staff")
    }
    assert leaks == set()
