"""The runtime ships inside every Lambda: standard library only, nothing else from coworks."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import coworks

RUNTIME = Path(coworks.__file__).parent / "runtime"
HEAVY = ["boto3", "botocore", "ipywidgets", "graphviz", "moto", "requests", "anywidget", "pydantic"]
#: The pytest plugin is loaded by pytest itself, never in a Lambda.
ALLOWED_THIRD_PARTY = {"testing/pytest_plugin.py": {"pytest"}}


def test_import_coworks_loads_no_heavy_module() -> None:
    code = (
        "import sys, coworks\n"
        f"print(sorted(m for m in sys.modules if m.split('.')[0] in {set(HEAVY)!r}))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"


def test_import_coworks_loads_no_other_layer() -> None:
    code = "import sys, coworks\nprint(sorted(m for m in sys.modules if m.startswith('coworks.')))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    loaded = eval(out)  # a printed list of str
    assert loaded and all(m.startswith("coworks.runtime") for m in loaded)


def imports_of(path: Path) -> list[tuple[str, int]]:
    """Absolute module names imported by a file (relative imports resolved), with the level."""
    tree = ast.parse(path.read_text(), str(path))
    package = ["coworks", *path.relative_to(RUNTIME.parent).parent.parts]
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.extend((alias.name, 0) for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package[: len(package) - node.level + 1]
                found.append((".".join([*base, *([node.module] if node.module else [])]), node.level))
            else:
                found.append((node.module or "", 0))
    return found


def test_runtime_imports_only_the_standard_library_and_itself() -> None:
    files = sorted(RUNTIME.rglob("*.py"))
    assert len(files) > 10
    problems = []
    for path in files:
        rel = path.relative_to(RUNTIME).as_posix()
        for name, _ in imports_of(path):
            top = name.split(".")[0]
            if top == "coworks":
                if not (name == "coworks.runtime" or name.startswith("coworks.runtime.")):
                    problems.append(f"{rel}: {name}")
            elif top not in sys.stdlib_module_names and top not in ALLOWED_THIRD_PARTY.get(rel, set()):
                problems.append(f"{rel}: {name}")
    assert problems == []


def test_the_import_checker_sees_relative_imports() -> None:
    names = {name for name, _ in imports_of(RUNTIME / "testclient.py")}
    assert "coworks.runtime.gateway" in names and "coworks.runtime.apigateway" in names
    assert "coworks.runtime.testclient" in {name for name, _ in imports_of(RUNTIME / "testing" / "__init__.py")}


def test_production_code_never_imports_a_testing_module() -> None:
    """testing/ re-exports what the runtime offers (test client, event builders); the runtime, the
    gateway emulation and the service never import it, not even inside a function."""
    problems = []
    for path in sorted((RUNTIME.parent).rglob("*.py")):
        rel = path.relative_to(RUNTIME.parent).as_posix()
        if rel.startswith("runtime/testing/") or rel == "testing.py":
            continue
        tree = ast.parse(path.read_text(), str(path))
        package = ["coworks", *path.relative_to(RUNTIME.parent).parent.parts]
        for node in ast.walk(tree):
            names: list[str] = []
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                base = package[: len(package) - node.level + 1] if node.level else []
                names = [".".join([*base, *([node.module] if node.module else [])])]
                names += [f"{names[0]}.{alias.name}" for alias in node.names]
            problems += [f"{rel}: {n}" for n in names if n in ("coworks.testing", "coworks.runtime.testing")
                         or n.startswith(("coworks.testing.", "coworks.runtime.testing."))]
    assert problems == []


def test_modules_some_requests_need_load_on_first_use() -> None:
    code = "import sys, coworks\nprint(sorted(m for m in sys.modules if m.startswith('coworks.')))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    loaded = set(eval(out))  # a printed list of str
    lazy = {"coworks.runtime.apigateway", "coworks.runtime.testclient", "coworks.runtime.cron",
            "coworks.runtime.testing", "coworks.runtime.gateway"}
    assert loaded and loaded.isdisjoint(lazy)
