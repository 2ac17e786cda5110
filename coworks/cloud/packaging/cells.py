"""Notebook cells: rebuilding a module for a service class that has no file.

The module is made from what the kernel holds: the class's source (from ``linecache``, where
IPython registers every cell, or from the ``In`` history), the source of the notebook helpers it
uses, one import line per imported name it uses (each resolved from the notebook's namespace),
and literal constants by value. Only what the class needs is packaged, so a notebook that also
imports pandas still deploys a tiny zip.
"""

from __future__ import annotations

import ast
import builtins
import inspect
import linecache
import symtable
import sys
from pathlib import Path

from ..errors import PackagingError
from .modules import identifier, project_modules

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

    from ...runtime.service import TechMicroService


def from_notebook(service: TechMicroService) -> tuple[str, dict[str, bytes]]:
    """Rebuild a module for a class defined in a notebook cell (or any code without a file): the
    handler string and the files, the rebuilt module among them."""
    cls = type(service)
    namespace = _namespace(cls)
    parts: list[str] = []
    imports: dict[str, str] = {}
    _collect(cls, namespace, parts, imports, seen=set())
    module = identifier(service.name)
    body = "\n".join(sorted(set(imports.values()))) + "\n\n\n" + "\n\n\n".join(parts)
    body += f"\n\n\napp = {cls.__name__}({service.name!r})\n"
    files = project_modules([namespace[n] for n in imports], Path.cwd())
    files[f"{module}.py"] = body.encode()
    return f"{module}.app", files


def _namespace(cls: type) -> dict[str, Any]:
    for value in vars(cls).values():
        func = getattr(value, "__func__", value)
        if hasattr(func, "__globals__"):
            return dict(func.__globals__)
    module = sys.modules.get(cls.__module__)
    return dict(vars(module)) if module is not None else {}


def _collect(obj: Any, namespace: dict[str, Any], parts: list[str], imports: dict[str, str], seen: set[int]) -> None:
    """Add ``obj``'s source after that of the notebook helpers it uses; imports go to ``imports``."""
    seen.add(id(obj))
    source = definition_source(obj)
    for name in sorted(_free_names(source)):
        if name in imports or name not in namespace:  # builtins and locals
            continue
        value = namespace[name]
        if id(value) in seen:
            continue
        line = _import_line(name, value)
        if line is not None:
            imports[name] = line
        elif inspect.isclass(value) or inspect.isfunction(value):
            _collect(value, namespace, parts, imports, seen)
        elif _is_literal(value):
            parts.append(f"{name} = {value!r}")
        else:
            raise PackagingError(
                f"{getattr(obj, '__name__', obj)} uses {name!r}, a {type(value).__name__} made in the notebook "
                "that cannot be packaged: move it into a module or set it from the environment.",
                resource=name,
            )
    parts.append(source)


def _import_line(name: str, value: Any) -> str | None:
    """``import x`` / ``from m import y`` for a value that an importable module holds, else None."""
    if inspect.ismodule(value):
        return f"import {value.__name__}" if value.__name__ == name else f"import {value.__name__} as {name}"
    module = getattr(value, "__module__", None)
    qualname = getattr(value, "__qualname__", None)
    if not module or not qualname or "." in qualname or _from_notebook_file(value):
        return None
    found = sys.modules.get(module)
    if found is None or getattr(found, qualname, None) is not value or not getattr(found, "__file__", None):
        return None
    top = sys.modules.get(module.split(".")[0])
    if top is not None and getattr(top, qualname, None) is value:  # the public path: `from coworks import entry`
        module = top.__name__
    return f"from {module} import {qualname}" + ("" if qualname == name else f" as {name}")


def _from_notebook_file(value: Any) -> bool:
    code = getattr(value, "__code__", None)
    filename = code.co_filename if code is not None else ""
    return bool(filename) and not Path(filename).is_file()


def _is_literal(value: Any) -> bool:
    try:
        return bool(ast.literal_eval(repr(value)) == value)
    except (ValueError, SyntaxError, TypeError, MemoryError, RecursionError):
        return False


def _free_names(source: str) -> set[str]:
    """Names a definition reads from its module's globals (not its locals, not its own name)."""
    table = symtable.symtable(source, "<cell>", "exec")
    names: set[str] = set()
    stack = [table]
    while stack:
        current = stack.pop()
        for symbol in current.get_symbols():
            if symbol.is_referenced() and (symbol.is_global() or current is table):
                names.add(symbol.get_name())
        stack.extend(current.get_children())
    return names - {s.get_name() for s in table.get_symbols() if s.is_assigned() or s.is_imported()}


def definition_source(obj: Any) -> str:
    """The source of a class or function, also when it was defined in a notebook cell.

    The file named by the code of its methods comes first: ``inspect`` looks a class up by
    its module's file, which for a notebook is the kernel's ``__main__`` and not the cell.
    """
    for filename in _code_files(obj):
        found = _find_definition("".join(linecache.getlines(filename)), obj.__name__)
        if found:
            return found
    try:
        lines, _ = inspect.getsourcelines(obj)
        if lines and not lines[0].startswith((" ", "\t")):
            return "".join(lines)
    except (OSError, TypeError):
        pass
    for cell in reversed(_ipython_history()):
        found = _find_definition(cell, obj.__name__)
        if found:
            return found
    raise PackagingError(
        f"Cannot find the source of {obj.__name__}: define it in a notebook cell or a module, not with exec().",
        resource=obj.__name__,
    )


def _code_files(obj: Any) -> list[str]:
    codes = [obj.__code__] if hasattr(obj, "__code__") else [
        getattr(v, "__func__", v).__code__ for v in vars(obj).values() if hasattr(getattr(v, "__func__", v), "__code__")
    ]
    return list(dict.fromkeys(c.co_filename for c in codes))


def _find_definition(text: str, name: str) -> str | None:
    """The last top-level definition of ``name`` in a cell's text, decorators included."""
    try:
        tree = ast.parse(text)
    except SyntaxError:
        return None
    nodes = [n for n in tree.body if isinstance(n, (ast.ClassDef, ast.FunctionDef)) and n.name == name]
    if not nodes:
        return None
    node = nodes[-1]
    start = min([node.lineno, *(d.lineno for d in node.decorator_list)])
    lines = text.splitlines(keepends=True)
    return "".join(lines[start - 1 : node.end_lineno])


def _ipython_history() -> list[str]:
    shell = getattr(builtins, "get_ipython", None)
    if shell is None:
        return []
    history = shell().user_ns.get("In", [])
    return [cell for cell in history if isinstance(cell, str)]
