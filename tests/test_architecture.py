"""The layers and the one rule between them (../shared/DESIGN.md), read from the source itself.

Every import is counted: at the top of a module and inside functions alike, but not those under
``if TYPE_CHECKING:`` (they never run). The graph must have no cycle, imports must point down
the layers (runtime <- biz <- cloud <- notebook <- cli), and the runtime, which ships in every
Lambda, imports the standard library and itself only.
"""

from __future__ import annotations

import ast
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

import coworks

PACKAGE = Path(coworks.__file__).resolve().parent
LAYERS = {"runtime": 0, "biz": 1, "cloud": 2, "notebook": 3, "cli": 4}
# The package's own top-level modules: facades of the runtime, the table of moved paths, and the
# two shims of old paths (in the layer they re-export).
TOP = {"coworks.errors": 0, "coworks.testing": 0, "coworks.tables": 0, "coworks.moved": 0, "coworks.docs": 0,
       "coworks.runbooks": 3, "coworks.commands": 4}
# What the command line may use of the notebook layer: running a notebook, which loads no widget.
CLI_FROM_NOTEBOOK = {"coworks.notebook.runbooks"}
# The one third-party import of the runtime: the pytest plugin, which pytest loads, never a Lambda.
RUNTIME_THIRD_PARTY = {"coworks.runtime.testing.pytest_plugin": {"pytest"}}


@dataclass(frozen=True)
class Edge:
    source: str
    target: str  # a module of coworks, or a top-level name outside it
    line: int
    lazy: bool  # inside a function

    def __str__(self) -> str:
        return f"{self.source}:{self.line} imports {self.target}{' (in a function)' if self.lazy else ''}"


def module_name(path: Path) -> str:
    parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULES = {module_name(p): p for p in sorted(PACKAGE.rglob("*.py"))}


def _is_type_checking(node: ast.If) -> bool:
    test = node.test
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING")


def imports_of(name: str) -> list[Edge]:
    path = MODULES[name]
    package = name.split(".") if path.name == "__init__.py" else name.split(".")[:-1]
    edges: list[Edge] = []

    def add(target: str, node: ast.stmt, lazy: bool) -> None:
        if target.split(".")[0] == "coworks":
            while target not in MODULES:  # `from coworks.cloud.x import Name`: the module is coworks.cloud.x
                target = target.rsplit(".", 1)[0]
        else:
            target = target.split(".")[0]
        if target != name:
            edges.append(Edge(name, target, node.lineno, lazy))

    def visit(node: ast.AST, lazy: bool) -> None:
        if isinstance(node, ast.If) and _is_type_checking(node):
            for child in node.orelse:
                visit(child, lazy)
            return
        if isinstance(node, ast.Import):
            for alias in node.names:
                add(alias.name, node, lazy)
        elif isinstance(node, ast.ImportFrom):
            base = ".".join(package[: len(package) - node.level + 1] + ([node.module] if node.module else [])) \
                if node.level else (node.module or "")
            submodules = [f"{base}.{a.name}" for a in node.names if f"{base}.{a.name}" in MODULES]
            for target in submodules:  # `from . import resources`: an edge to the submodule only
                add(target, node, lazy)
            if len(submodules) < len(node.names):
                add(base, node, lazy)
        lazy = lazy or isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda))
        for child in ast.iter_child_nodes(node):
            visit(child, lazy)

    visit(ast.parse(path.read_text(), str(path)), False)
    return edges


GRAPH = {name: imports_of(name) for name in MODULES}


def layer(name: str) -> int | None:
    """The layer's rank of a module; None for the package's root, which is no layer."""
    if name == "coworks":
        return None
    if name in TOP:
        return TOP[name]
    return LAYERS[name.split(".")[1]]


def cycles(graph: dict[str, list[Edge]]) -> list[list[str]]:
    """The strongly connected components of more than one module (Tarjan), each sorted."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    found: list[list[str]] = []
    sys.setrecursionlimit(max(sys.getrecursionlimit(), 10_000))

    def connect(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        for edge in graph.get(node, []):
            if edge.target not in graph:
                continue
            if edge.target not in index:
                connect(edge.target)
                low[node] = min(low[node], low[edge.target])
            elif edge.target in stack:
                low[node] = min(low[node], index[edge.target])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in graph:
        if node not in index:
            connect(node)
    return found


def upward(graph: dict[str, list[Edge]]) -> list[str]:
    problems = []
    for name, edges in graph.items():
        for edge in edges:
            if edge.target not in MODULES:
                continue
            if name == "coworks":
                # The root is what `import coworks` runs in a Lambda: the runtime only. Its
                # `%load_ext coworks` hook alone reaches the notebook and the command line.
                if not edge.lazy and layer(edge.target) != 0:
                    problems.append(str(edge))
                continue
            source, target = layer(name), layer(edge.target)
            assert source is not None
            if target is None:
                problems.append(f"{edge}: only the package's root may be imported by nothing")
            elif target > source:
                problems.append(f"{edge}: upward, from {_layer_name(source)} to {_layer_name(target)}")
            elif source == LAYERS["cli"] and target == LAYERS["notebook"] and edge.target not in CLI_FROM_NOTEBOOK:
                problems.append(f"{edge}: the command line uses the notebook layer only to run notebooks")
    return problems


def _layer_name(rank: int) -> str:
    return next(name for name, value in LAYERS.items() if value == rank)


def test_the_checker_sees_every_kind_of_import() -> None:
    edges = {(e.target, e.lazy) for e in GRAPH["coworks.cloud.aws"]}
    assert ("coworks.cloud.deploy.deployments", False) in edges  # relative, at the top
    assert ("botocore", True) in edges  # inside a function
    assert not any(e.target == "coworks.cloud.deploy.plan" for e in GRAPH["coworks.cloud.aws"])  # TYPE_CHECKING
    assert ("coworks.cloud.deploy.resources", False) in {(e.target, e.lazy) for e in
                                                         GRAPH["coworks.cloud.deploy.executor"]}  # from . import x


def test_the_checks_fail_on_a_cycle_and_on_an_upward_import() -> None:
    """The checks themselves, on a graph with the two faults added: a test that cannot fail is a defect."""
    faulty = {name: list(edges) for name, edges in GRAPH.items()}
    faulty["coworks.biz.workflow"].append(Edge("coworks.biz.workflow", "coworks.cloud.aws", 1, True))
    faulty["coworks.cloud.aws"].append(Edge("coworks.cloud.aws", "coworks.biz.workflow", 1, True))
    assert any("coworks.biz.workflow" in c and "coworks.cloud.aws" in c for c in cycles(faulty))
    assert any("upward, from biz to cloud" in p for p in upward(faulty))


def test_there_is_no_import_cycle() -> None:
    assert cycles(GRAPH) == []


def test_imports_point_down_the_layers() -> None:
    assert upward(GRAPH) == []


def test_the_runtime_imports_only_the_standard_library_and_itself() -> None:
    problems = []
    for name, edges in GRAPH.items():
        if layer(name) != 0:
            continue
        for edge in edges:
            if edge.target in MODULES:
                if layer(edge.target) != 0:
                    problems.append(str(edge))
            elif edge.target not in sys.stdlib_module_names and edge.target not in RUNTIME_THIRD_PARTY.get(name, set()):
                problems.append(f"{edge}: not the standard library")
    assert problems == []


def test_production_code_never_imports_a_testing_module() -> None:
    testing = {n for n in MODULES if n.startswith("coworks.runtime.testing")}
    users = sorted({str(e) for name, edges in GRAPH.items() for e in edges
                    if e.target in testing and name not in testing and name != "coworks.testing"})
    assert users == []


@pytest.mark.parametrize("folder", sorted({p.parent for p in MODULES.values()}), ids=lambda p: str(p.relative_to(
    PACKAGE.parent)))
def test_no_folder_holds_more_than_about_fifteen_modules(folder: Path) -> None:
    modules = [p for p in folder.glob("*.py") if p.name != "__init__.py"]
    assert len(modules) <= 16, f"{folder.name} holds {len(modules)} modules: it is two nouns, split it"
