"""Finding a service's code: from an object, a ``"module:attribute"`` string or a notebook cell
(``cells`` rebuilds those); ``modules`` says which project files go with it.
"""

from __future__ import annotations

import importlib
import os
import sys
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import PackagingError
from .modules import defined_in_file, identifier, imported_modules, module_files, module_stem, project_modules

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

    from ...runtime.service import TechMicroService


@dataclass(frozen=True)
class Source:
    """The user's side of a package: the service instance, its files and the handler string."""

    service: TechMicroService
    handler: str
    files: dict[str, bytes] = field(repr=False)
    root: Path | None = None  # where .env files are looked for


def resolve(target: Any) -> Source:
    """A ``Source`` for a service instance, a service class or a ``"module:attribute"`` string."""
    from ...runtime.service import TechMicroService

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
    from ...runtime.service import TechMicroService

    module_name, _, attr = spec.partition(":")
    attr = attr or "app"
    if not module_name.replace(".", "").replace("_", "").isalnum():
        raise PackagingError(f"{spec!r} is not 'module:attribute' (for example 'inventory:app').", resource=spec)
    module = import_user_module(module_name, spec)
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
    return Source(service, f"{module_stem(module)}.{attr}", files, root)


#: Import names whose package on PyPI is called otherwise.
_DISTRIBUTIONS = {"yaml": "PyYAML", "PIL": "Pillow", "sklearn": "scikit-learn", "cv2": "opencv-python",
                  "bs4": "beautifulsoup4", "dateutil": "python-dateutil", "jwt": "PyJWT", "dotenv": "python-dotenv",
                  "attr": "attrs", "google": "google-cloud (the part you use)"}


def import_user_module(module_name: str, spec: str, error: type[Exception] = PackagingError) -> Any:
    """Import the user's module (from the current directory too); its mistakes as one sentence.

    A syntax error names the file, line and message; a missing third-party import names the
    package to install and to declare in ``requirements``; any other failure at import names
    the line of the user's code it came from. Coworks' own errors (a bad route...) go through.
    """
    from ...errors import CoworksError

    if os.getcwd() not in sys.path and "" not in sys.path:
        sys.path.insert(0, os.getcwd())
    try:
        return importlib.import_module(module_name)
    except SyntaxError as exc:
        where = f"{Path(exc.filename).name if exc.filename else module_name}, line {exc.lineno}"
        raise error(f"{where}: {exc.msg}: fix the syntax and run again.", resource=spec) from None  # type: ignore[call-arg]
    except ModuleNotFoundError as exc:
        missing = (exc.name or "").split(".")[0]
        if missing and missing != module_name.split(".")[0]:
            package = _DISTRIBUTIONS.get(missing, missing)
            raise error(  # type: ignore[call-arg]
                f"{module_name} imports {missing}, which is not installed here: pip install {package}, and "
                f"declare it for the deploy in the service class: requirements = [\"{package}\"].",
                resource=spec) from None
        raise error(  # type: ignore[call-arg]
            f"Cannot import {module_name!r} ({exc}): run from the directory that holds it, or fix the name.",
            resource=spec) from None
    except ImportError as exc:
        raise error(f"Cannot import {module_name!r}: {exc}.", resource=spec) from None  # type: ignore[call-arg]
    except CoworksError:
        raise
    except Exception as exc:
        import traceback

        frames = [f for f in traceback.extract_tb(exc.__traceback__) if "importlib" not in f.filename]
        frame = frames[-1] if frames else None
        where = f" at {Path(frame.filename).name}, line {frame.lineno}" if frame is not None else ""
        raise error(f"Importing {module_name} failed{where}: {type(exc).__name__}: {exc}.",  # type: ignore[call-arg]
                    resource=spec) from None


def _from_instance(service: TechMicroService) -> Source:
    cls = type(service)
    module = sys.modules.get(cls.__module__)
    file = getattr(module, "__file__", None) if module is not None else None
    if module is None or not file or not Path(file).is_file() or not defined_in_file(cls, file):
        from .cells import from_notebook

        handler, files = from_notebook(service)
        return Source(service, handler, files, Path.cwd())
    files, root = module_files(module)
    files = {**project_modules([*vars(module).values(), *imported_modules(files)], root,
                               {module.__name__.split(".")[0]}), **files}
    stem = module_stem(module)
    for name, value in vars(module).items():
        if value is service and name.isidentifier():
            return Source(service, f"{stem}.{name}", files, root)
    # The instance lives elsewhere (a test, a notebook importing the class): add a tiny entry module.
    entry = identifier(service.name) + "_entry"
    text = f"from {stem} import {cls.__name__}\n\napp = {cls.__name__}({service.name!r})\n"
    return Source(service, f"{entry}.app", {**files, f"{entry}.py": text.encode()}, root)
