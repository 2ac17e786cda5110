"""What a Lambda function can import, and the imports of a package that nothing satisfies.

On Lambda a Python function imports from its zip (``/var/task``), its layers (``/opt/python``),
the libraries the managed runtime ships (the SDK for Python: boto3, botocore and their
dependencies) and the standard library of the runtime's Python; nothing else. A service that
imports ``pydantic`` without declaring it works on the machine that deploys it and fails on
Lambda with ``Runtime.ImportModuleError``. :func:`missing_imports` reads a built package's own
modules (not its requirements) and names every such import before the deploy, statically.

What each runtime provides (its Python's standard library, its SDK) is :mod:`.runtimes`'.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass

from .runtimes import RUNTIME_MODULES, python_of, standard_library

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Iterable, Mapping

    from .package import Package

@dataclass(frozen=True)
class MissingImport:
    """An import in ``file`` at ``line`` of a top-level module nothing gives the function."""

    module: str
    file: str
    line: int

    def __str__(self) -> str:
        return f"{self.file}:{self.line} imports {self.module}"


def provided_modules(files: Iterable[str]) -> frozenset[str]:
    """The top-level names a zip with these paths lets a function import."""
    names = set()
    for path in files:
        first, _, rest = path.partition("/")
        if not rest:
            stem, _, suffix = first.partition(".")
            if suffix.split(".")[-1] in ("py", "so", "pyc", "pyd"):
                names.add(stem)
        elif not first.endswith((".dist-info", ".data", ".egg-info")) and first != "__pycache__":
            names.add(first)
    return frozenset(names)


def own_modules(files: Mapping[str, bytes]) -> dict[str, bytes]:
    """The package's own Python files: neither the Coworks runtime nor files a requirement
    installed (those its ``*.dist-info/RECORD`` lists)."""
    installed: set[str] = set()
    for path, data in files.items():
        if path.endswith(".dist-info/RECORD"):
            installed.update(line.split(",", 1)[0] for line in data.decode("utf-8", "replace").splitlines())
    return {p: d for p, d in files.items()
            if p.endswith(".py") and p not in installed and not p.startswith("coworks/")}


def scan(modules: Mapping[str, bytes], provided: Iterable[str], runtime: str = "python3.11") -> list[MissingImport]:
    """Every absolute import in ``modules`` whose top-level module is neither ``provided`` (by the
    zip or its layers) nor given by the runtime; optional imports (under ``try ... except
    ImportError``) and type-checking-only imports are left out, as they never fail."""
    available = set(provided) | RUNTIME_MODULES | standard_library(python_of(runtime)) | {"__future__"}
    found = []
    for path, data in sorted(modules.items()):
        try:
            tree = ast.parse(data, path)
        except (SyntaxError, ValueError):
            continue  # the worker reports a syntax error as Lambda does: Runtime.UserCodeSyntaxError
        for name, line in _imports(tree):
            if name not in available:
                found.append(MissingImport(name, path, line))
    return found


def missing_imports(package: Package) -> list[MissingImport]:
    """What the package's own modules import that neither its zip nor its runtime provides."""
    import io
    import zipfile

    with zipfile.ZipFile(io.BytesIO(package.data)) as archive:
        files = {name: archive.read(name) for name in archive.namelist() if name.endswith((".py", "/RECORD"))}
    return scan(own_modules(files), provided_modules(package.files), package.declarations.runtime)


def warnings_for(package: Package) -> tuple[str, ...]:
    """One sentence per missing module, for the plan: where it is imported and what to do."""
    by_module: dict[str, list[MissingImport]] = {}
    for missing in missing_imports(package):
        by_module.setdefault(missing.module, []).append(missing)
    runtime = package.declarations.runtime
    layers = " (unless one of its layers does: their content is not read)" if package.declarations.layers else ""
    return tuple(
        f"{found[0]}{f' (and {len(found) - 1} more)' if len(found) > 1 else ''}, which neither the package nor "
        f"the {runtime} runtime provides{layers}: add it to the service's requirements, or the import fails on "
        "Lambda with Runtime.ImportModuleError."
        for _, found in sorted(by_module.items()))


def _imports(tree: ast.AST) -> list[tuple[str, int]]:
    out: list[tuple[str, int]] = []

    def visit(node: ast.AST, optional: bool) -> None:
        if isinstance(node, ast.Try | ast.TryStar):
            caught = any(_catches_import_error(h.type) for h in node.handlers)
            for stmt in node.body:
                visit(stmt, optional or caught)
            for other in [*node.handlers, *node.orelse, *node.finalbody]:
                visit(other, optional)
            return
        if isinstance(node, ast.If) and _type_checking(node.test):
            for stmt in node.orelse:
                visit(stmt, optional)
            return
        if not optional:
            if isinstance(node, ast.Import):
                out.extend((alias.name.split(".")[0], node.lineno) for alias in node.names)
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                out.append((node.module.split(".")[0], node.lineno))
        for child in ast.iter_child_nodes(node):
            visit(child, optional)

    visit(tree, False)
    return out


def _catches_import_error(kind: ast.expr | None) -> bool:
    if kind is None:
        return True
    names = kind.elts if isinstance(kind, ast.Tuple) else [kind]
    return any(isinstance(n, ast.Name) and n.id in ("ImportError", "ModuleNotFoundError", "Exception",
                                                      "BaseException") for n in names)


def _type_checking(test: ast.expr) -> bool:
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING")
