"""Which of the project's own modules ship with a service: its module (or top-level package), and
the sibling modules it imports in turn, found under its directory and never in site-packages, so
``from helpers import price`` works deployed as it does locally.

Symbolic links never take packaging out of the project (the directory that holds the service's
module or package). A link whose target is in the project ships as a copy of what it points to,
as ``sam package`` and the ``zip`` tool do (a Lambda zip holds regular files); a linked directory
in the project is walked under its link's name, and a link back to a directory being walked (a
loop) is skipped. A link to anything outside the project, or into one of its hidden directories
(``.aws``, ``.ssh``, ``.venv``...), is refused with a sentence naming the link and its target:
skipping it would deploy a service that imports what is not there, and following it is how a
credentials file once went into a zip. A broken ``.py`` link is refused the same way.
"""

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


def module_files(module: ModuleType, project: Path | None = None) -> tuple[dict[str, bytes], Path]:
    """A top-level module's file, or the whole top-level package of a package or dotted module; ``project``
    (by default the directory holding them) is what no symbolic link may lead out of."""
    top = module.__name__.split(".")[0]
    package = sys.modules.get(top)
    dotted = "." in module.__name__ or hasattr(module, "__path__")  # 'shop:app' names a package too
    path = getattr(package, "__path__", None) if package is not None and dotted else None
    if path:
        return _package_files(Path(list(path)[0]), project)
    file = Path(os.path.abspath(str(module.__file__)))
    return {f"{module_stem(module)}.py": read_inside(file, project or file.parent)}, file.parent


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
        installed = {"site-packages", ".venv", "venv", "dist-packages"}
        outside = root not in path.parents or installed & set(path.parts)
        if outside and top not in coworks_extensions():
            here = Path(os.path.abspath(file))
            if root in here.parents and not installed & set(here.parts):  # a link in the project to elsewhere
                read_inside(here, root)  # refuses it, naming the link
            continue
        project = None if outside else root  # an extension ships from where it is installed
        found, _ = (_package_files(path.parent, project) if getattr(module, "__path__", None)
                    else module_files(module, project))
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


def _package_files(base: Path, project: Path | None = None) -> tuple[dict[str, bytes], Path]:
    """The ``.py`` files of the package at ``base``, named from its parent, links followed only
    inside ``project`` (by default that parent)."""
    base = Path(os.path.abspath(base))
    project = Path(os.path.abspath(project or base.parent))
    files: dict[str, bytes] = {}
    _walk(base, base.name, project, {base.resolve()}, files)
    return files, base.parent


def _walk(directory: Path, name: str, project: Path, walking: set[Path], files: dict[str, bytes]) -> None:
    try:
        entries = sorted(os.scandir(directory), key=lambda e: e.name)
    except OSError as exc:
        raise PackagingError(f"Cannot read {directory} ({exc.strerror}): fix its permissions.",
                             resource=str(directory)) from None
    for entry in entries:
        path, inner = Path(entry.path), f"{name}/{entry.name}"
        if entry.name == "__pycache__":
            continue
        if entry.is_symlink():
            target = _target(path)
            if target is None or not target.is_dir():
                if entry.name.endswith(".py"):
                    files[inner] = read_inside(path, project)
                continue
            if target in walking:  # a link back to a directory being walked: a loop
                continue
            _refuse_outside(path, target, project)
            _walk(path, inner, project, walking | {target}, files)
        elif entry.is_dir(follow_symlinks=False):
            _walk(path, inner, project, walking | {path.resolve()}, files)
        elif entry.name.endswith(".py"):
            files[inner] = path.read_bytes()


def read_inside(path: Path, project: Path) -> bytes:
    """The bytes of ``path``, refused when it is a link (or lies under a linked directory) that
    leads out of ``project`` or nowhere."""
    target = _target(path)
    if target is None:
        raise PackagingError(f"{path} is a broken or looping symbolic link: remove it, or point it at a file in the "
                             "project.", resource=str(path))
    _refuse_outside(path, target, project)
    return target.read_bytes()


def _target(path: Path) -> Path | None:
    try:
        return path.resolve(strict=True)
    except (OSError, RuntimeError):  # missing, or a loop (RuntimeError before Python 3.13)
        return None


def _refuse_outside(link: Path, target: Path, project: Path) -> None:
    real = project.resolve()
    inside = target == real or real in target.parents
    if inside and not any(part.startswith(".") for part in target.relative_to(real).parts):
        return
    where = "outside the project" if not inside else "into a hidden directory of the project"
    raise PackagingError(f"{link} is a symbolic link to {target}, {where} ({real}): packaging never follows a link "
                         "out of the project, so copy what the service needs into it, or remove the link.",
                         resource=str(link))
