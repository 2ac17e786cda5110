"""Finding a service's code: from an object, a ``"module:attribute"`` string or a notebook cell
(``cells.py`` rebuilds those).

A module ships with the project modules it imports (siblings under its directory, never
site-packages), so ``from helpers import price`` works deployed as it does locally.
"""

from __future__ import annotations

import ast
import importlib
import inspect
import os
import sys
from dataclasses import dataclass, field
from pathlib import Path

from .errors import PackagingError

TYPE_CHECKING = False
if TYPE_CHECKING:
    from types import ModuleType
    from typing import Any

    from ..runtime.service import TechMicroService


@dataclass(frozen=True)
class Source:
    """The user's side of a package: the service instance, its files and the handler string."""

    service: TechMicroService
    handler: str
    files: dict[str, bytes] = field(repr=False)
    root: Path | None = None  # where .env files are looked for


def resolve(target: Any) -> Source:
    """A ``Source`` for a service instance, a service class or a ``"module:attribute"`` string."""
    from ..runtime.service import TechMicroService

    if isinstance(target, str):
        return _from_string(target)
    if isinstance(target, type) and issubclass(target, TechMicroService):
        return _from_instance(target())
    if isinstance(target, TechMicroService):
        return _from_instance(target)
    raise PackagingError(
        f"Cannot deploy {target!r}: pass a TechMicroService instance, its class, or 'module:attribute'."
    )


def _from_string(spec: str) -> Source:
    from ..runtime.service import TechMicroService

    module_name, _, attr = spec.partition(":")
    attr = attr or "app"
    if not module_name.replace(".", "").replace("_", "").isalnum():
        raise PackagingError(f"{spec!r} is not 'module:attribute' (for example 'inventory:app').", resource=spec)
    if os.getcwd() not in sys.path and "" not in sys.path:
        sys.path.insert(0, os.getcwd())
    try:
        module = importlib.import_module(module_name)
    except ImportError as exc:
        raise PackagingError(
            f"Cannot import {module_name!r} ({exc}): run from the directory that holds it, or fix the name.",
            resource=spec,
        ) from None
    service = getattr(module, attr, None)
    if isinstance(service, type) and issubclass(service, TechMicroService):
        service = service()
    if not isinstance(service, TechMicroService):
        raise PackagingError(
            f"{spec!r} is not a TechMicroService instance: point at the module attribute holding it.",
            resource=spec,
        )
    files, root = module_files(module)
    files = {**project_modules([*vars(module).values(), *imported_modules(files)], root,
                               {module.__name__.split(".")[0]}), **files}
    return Source(service, f"{_module_stem(module)}.{attr}", files, root)


def _from_instance(service: TechMicroService) -> Source:
    cls = type(service)
    module = sys.modules.get(cls.__module__)
    file = getattr(module, "__file__", None) if module is not None else None
    if module is None or not file or not Path(file).is_file() or not _defined_in_file(cls, file):
        from .cells import from_notebook

        return from_notebook(service)
    files, root = module_files(module)
    files = {**project_modules([*vars(module).values(), *imported_modules(files)], root,
                               {module.__name__.split(".")[0]}), **files}
    stem = _module_stem(module)
    for name, value in vars(module).items():
        if value is service and name.isidentifier():
            return Source(service, f"{stem}.{name}", files, root)
    # The instance lives elsewhere (a test, a notebook importing the class): add a tiny entry module.
    entry = identifier(service.name) + "_entry"
    text = f"from {stem} import {cls.__name__}\n\napp = {cls.__name__}({service.name!r})\n"
    return Source(service, f"{entry}.app", {**files, f"{entry}.py": text.encode()}, root)


def module_files(module: ModuleType) -> tuple[dict[str, bytes], Path]:
    """A top-level module's file, or the whole top-level package of a dotted module."""
    top = module.__name__.split(".")[0]
    package = sys.modules.get(top)
    path = getattr(package, "__path__", None) if package is not None and "." in module.__name__ else None
    if path:
        return _package_files(Path(list(path)[0]))
    file = Path(str(module.__file__))
    return {f"{_module_stem(module)}.py": file.read_bytes()}, file.parent


def _module_stem(module: ModuleType) -> str:
    if module.__name__ == "__main__":  # a script run as `python app.py`
        return Path(str(module.__file__)).stem
    return module.__name__


def _defined_in_file(cls: type, file: str) -> bool:
    codes = [f.__code__ for f in vars(cls).values() if hasattr(f, "__code__")]
    return not codes or any(os.path.abspath(c.co_filename) == os.path.abspath(file) for c in codes)


def identifier(name: str) -> str:
    text = "".join(c if c.isalnum() else "_" for c in name).strip("_") or "service"
    return ("s_" + text) if text[0].isdigit() or text == "coworks" else text


def project_modules(values: Any, root: Path, skip: set[str] | None = None) -> dict[str, bytes]:
    """The files of the project's own modules that ``values`` come from, and of those they use in
    turn: modules under ``root``, outside any virtualenv or site-packages. So a service that
    imports a sibling ``helpers.py`` ships it too."""
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
        if root not in path.parents or {"site-packages", ".venv", "venv", "dist-packages"} & set(path.parts):
            continue
        found, _ = _package_files(path.parent) if getattr(module, "__path__", None) else module_files(module)
        files.update(found)
        todo.extend(vars(module).values())
        todo.extend(imported_modules(found))
    return files


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
    return [sys.modules[n] for n in sorted(names) if n in sys.modules]


def _package_files(base: Path) -> tuple[dict[str, bytes], Path]:
    files = {
        p.relative_to(base.parent).as_posix(): p.read_bytes()
        for p in sorted(base.rglob("*.py"))
        if "__pycache__" not in p.parts
    }
    return files, base.parent
