"""Which of the project's own modules ship with a service: its module (or top-level package), and
the sibling modules it imports in turn, found under its directory and never in site-packages, so
``from helpers import price`` works deployed as it does locally."""

from __future__ import annotations

import ast
import functools
import importlib
import inspect
import os
import sys
from pathlib import Path

from ..errors import PackagingError

TYPE_CHECKING = False
if TYPE_CHECKING:
    from types import ModuleType
    from typing import Any


def module_files(module: ModuleType) -> tuple[dict[str, bytes], Path]:
    """A top-level module's file, or the whole top-level package of a dotted module."""
    top = module.__name__.split(".")[0]
    package = sys.modules.get(top)
    path = getattr(package, "__path__", None) if package is not None and "." in module.__name__ else None
    if path:
        return _package_files(Path(list(path)[0]))
    file = Path(str(module.__file__))
    return {f"{module_stem(module)}.py": file.read_bytes()}, file.parent


def module_stem(module: ModuleType) -> str:
    if module.__name__ == "__main__":  # a script run as `python app.py`
        return Path(str(module.__file__)).stem
    return module.__name__


def defined_in_file(cls: type, file: str) -> bool:
    codes = [f.__code__ for f in vars(cls).values() if hasattr(f, "__code__")]
    return not codes or any(os.path.abspath(c.co_filename) == os.path.abspath(file) for c in codes)


def identifier(name: str) -> str:
    text = "".join(c if c.isalnum() else "_" for c in name).strip("_") or "service"
    return ("s_" + text) if text[0].isdigit() or text == "coworks" else text


def project_modules(values: Any, root: Path, skip: set[str] | None = None) -> dict[str, bytes]:
    """The files of the project's own modules that ``values`` come from, and of those they use in
    turn: modules under ``root``, outside any virtualenv or site-packages. So a service that
    imports a sibling ``helpers.py`` ships it too. Coworks' own extensions (``coworks_mail``...)
    ship like the runtime, wherever they are installed, with the extensions they import."""
    files: dict[str, bytes] = {}
    seen = set(skip or ()) | {"coworks", "__main__", "builtins"}
    todo = list(values)
    root = root.resolve()
    while todo:
        value = todo.pop()
        name = value.__name__ if inspect.ismodule(value) else getattr(value, "__module__", None)
        top = str(name or "").split(".")[0]
        if not top or top in seen:
            continue
        seen.add(top)
        module = sys.modules.get(top)
        file = getattr(module, "__file__", None)
        if module is None or not file:
            continue
        path = Path(file).resolve()
        outside = root not in path.parents or {"site-packages", ".venv", "venv", "dist-packages"} & set(path.parts)
        if outside and top not in coworks_extensions():
            continue
        found, _ = _package_files(path.parent) if getattr(module, "__path__", None) else module_files(module)
        files.update(found)
        todo.extend(vars(module).values())
        todo.extend(imported_modules(found))
    return files


@functools.cache
def coworks_extensions() -> frozenset[str]:
    """The top-level packages the coworks distribution installs besides ``coworks`` itself: its
    extensions, which a service ships as it ships the runtime (their third-party requirements are
    declared by the services and blueprints that use them)."""
    from importlib.metadata import packages_distributions

    return frozenset(top for top, names in packages_distributions().items() if "coworks" in names and top != "coworks")


def imported_modules(files: dict[str, bytes]) -> list[Any]:
    """The loaded modules that ``files`` import by absolute name (``import x``, ``from x import y``):
    values alone do not say where ``from rates import RATE`` came from."""
    names: set[str] = set()
    for data in files.values():
        try:
            tree = ast.parse(data)
        except SyntaxError:
            continue
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                names.update(alias.name.split(".")[0] for alias in node.names)
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names.add(node.module.split(".")[0])
    for name in sorted(names & coworks_extensions() - set(sys.modules)):  # an extension imported lazily
        try:
            importlib.import_module(name)
        except ImportError as exc:
            raise PackagingError(f"The service needs the Coworks extension {name}, which cannot be imported here "
                                 f"({exc}): pip install 'coworks[{name.removeprefix('coworks_')}]'.",
                                 package=name) from None
    return [sys.modules[n] for n in sorted(names) if n in sys.modules]


def _package_files(base: Path) -> tuple[dict[str, bytes], Path]:
    files = {
        p.relative_to(base.parent).as_posix(): p.read_bytes()
        for p in sorted(base.rglob("*.py"))
        if "__pycache__" not in p.parts
    }
    return files, base.parent
