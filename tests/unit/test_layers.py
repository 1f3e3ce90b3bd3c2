"""The layers of docs/architecture.md hold: data flows one way and no import cycle exists.

Every import of the project's own modules (at module level or inside a
function) is an edge of a graph; a module may import its own layer or lower
ones, entry points never import each other, and the graph has no cycle.
"""

from __future__ import annotations

import ast
from collections.abc import Iterable, Mapping
from pathlib import Path

import pytest

from tests.support.engines import ROOT

PACKAGES = ("utils", "database", "cli", "dashboard", "api")

#: (module prefix, layer, family). Lower layers never import higher ones;
#: modules of one layer import each other only within their own family.
LAYERS: tuple[tuple[str, int, str], ...] = (
    ("utils", 0, "utils"),
    ("database.core", 1, "core"),
    ("database.models", 2, "models"),
    ("database.domain", 3, "domain"),
    ("database.migrations", 3, "migrations"),
    ("database.bootstrap", 4, "bootstrap"),
    ("database.io", 5, "io"),
    ("database.services", 6, "services"),
    ("database.utilities", 6, "services"),
    ("database.connection", 6, "services"),
    ("database.init_db", 7, "cli"),
    ("database.backup_cli", 7, "cli"),
    ("database.import_cli", 7, "cli"),
    # The one runner every command line shares, the API server's included.
    ("cli.runner", 6, "commands"),
    ("cli", 7, "cli"),
    ("dashboard", 7, "dashboard"),
    ("api", 7, "api"),
    ("database", 0, "package"),
)


def layer_of(module: str) -> tuple[int, str]:
    """The layer and family of ``module`` (the longest matching prefix)."""
    for prefix, layer, family in LAYERS:
        if module == prefix or module.startswith(prefix + "."):
            return layer, family
    raise AssertionError(f"{module} belongs to no layer: add it to LAYERS and the architecture")


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def project_modules() -> dict[str, Path]:
    """Every module of the project's packages, by dotted name."""
    return {
        module_name(path): path
        for package in PACKAGES
        for path in sorted((ROOT / package).rglob("*.py"))
        if "versions" not in path.parts
    }


def imports_of(module: str, path: Path, known: Iterable[str]) -> set[str]:
    """The project modules that ``module`` imports, resolved to modules, not names."""
    known = set(known)
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*anchor, base] if base else anchor)
            # ``from package import submodule`` depends on the submodule alone.
            targets = [
                f"{base}.{alias.name}" if f"{base}.{alias.name}" in known else base
                for alias in node.names
            ]
        else:
            continue
        for target in targets:
            while target and target not in known:
                target = target.rpartition(".")[0]
            if target and target != module:
                found.add(target)
    return found


def import_graph() -> dict[str, set[str]]:
    modules = project_modules()
    return {name: imports_of(name, path, modules) for name, path in modules.items()}


def layer_violations(graph: Mapping[str, Iterable[str]]) -> list[str]:
    """Each import of a higher layer, or of another family of the same layer."""
    problems = []
    for module, targets in sorted(graph.items()):
        layer, family = layer_of(module)
        for target in sorted(targets):
            target_layer, target_family = layer_of(target)
            upward = target_layer > layer
            sideways = target_layer == layer and target_family != family
            if upward or sideways:
                problems.append(f"{module} (layer {layer}) imports {target} (layer {target_layer})")
    return problems


def cycles(graph: Mapping[str, Iterable[str]]) -> list[list[str]]:
    """The strongly connected groups of more than one module (Tarjan's algorithm)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    groups: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for target in graph.get(node, ()):
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

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return groups


def test_no_module_imports_a_higher_layer_or_a_sibling_family() -> None:
    assert layer_violations(import_graph()) == []


def test_the_project_has_no_import_cycle() -> None:
    assert cycles(import_graph()) == []


def test_every_module_belongs_to_a_layer() -> None:
    for module in project_modules():
        layer_of(module)


def test_the_graph_sees_imports_inside_functions_and_relative_imports() -> None:
    graph = import_graph()
    assert "database.bootstrap" in graph["database.connection"]
    assert "database.migrations" in graph["database.bootstrap"]


@pytest.mark.parametrize(
    ("graph", "expected"),
    [
        ({"database.core.session": {"database.bootstrap"}, "database.bootstrap": set()}, 1),
        ({"database.domain.users": {"database.migrations"}, "database.migrations": set()}, 1),
        ({"cli.init_db": {"dashboard.state"}, "dashboard.state": set()}, 1),
        ({"dashboard.state": {"database.utilities"}, "database.utilities": set()}, 0),
    ],
    ids=["upward", "domain-to-migrations", "entry-point-to-entry-point", "downward"],
)
def test_the_layer_check_reports_each_forbidden_import(
    graph: dict[str, set[str]], expected: int
) -> None:
    assert len(layer_violations(graph)) == expected


def test_the_cycle_check_finds_a_cycle_through_three_modules() -> None:
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}
    assert cycles(graph) == [["a", "b", "c"]]
