"""Naming what a cloud call is about: a service or a workflow, given as an object, a class, a
name or ``"module:attribute"``, the way ``cws`` and the notebook let people write it."""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from .errors import ConfigurationError


def load_service(target: Any) -> Any:
    """The TechMicroService ``target`` names: itself, its class, or ``"module:app"``."""
    from .packaging.sources import resolve

    return resolve(target).service


def service_name(service: Any) -> str:
    """A service's name from its name, its instance, its class or ``"module:app"``."""
    if isinstance(service, str) and ":" not in service:
        return service
    return str(load_service(service).name)


def load_workflow(target: Any) -> Any:
    """A biz ``Workflow`` from itself, a ``"module:attribute"`` string (the module found from the
    current directory, as ``cws`` does for services), a ``.yaml``/``.yml`` file in the YAML format
    or a ``.json`` file holding an ASL definition (named after the file)."""
    from ..biz import Workflow

    if isinstance(target, Workflow):
        return target
    if isinstance(target, str | os.PathLike) and str(target).lower().endswith((".yaml", ".yml", ".json")):
        path = Path(target)
        if not path.is_file():
            raise ConfigurationError(f"There is no workflow file {str(path)!r}; check the path.", resource=str(path))
        if path.suffix.lower() == ".json":
            return Workflow.from_asl(path.read_text(encoding="utf-8"), name=path.stem)
        return Workflow.from_yaml(path)
    if isinstance(target, str) and ":" in target:
        from .packaging.sources import import_user_module

        module_name, _, attr = target.partition(":")
        module = import_user_module(module_name, target, ConfigurationError)
        found = getattr(module, attr, None)
        if found is None:
            raise ConfigurationError(f"Cannot load the workflow {target!r}: {module_name} has no {attr!r}.",
                                     resource=target)
        if isinstance(found, Workflow):
            return found
    raise ConfigurationError(
        f"{target!r} is not a workflow: pass a coworks.biz.Workflow, 'module:attribute' naming one, or a "
        ".yaml file.",
        resource=str(target),
    )


def workflow_name(target: Any) -> str:
    """A workflow's name from its name, itself, ``"module:attribute"`` or its file."""
    if isinstance(target, str) and ":" not in target and not target.lower().endswith((".yaml", ".yml", ".json")):
        return target
    return str(load_workflow(target).name)


def service_aliases(services: Mapping[str, Any] | Iterable[Any] | None) -> dict[str, str]:
    """``{FunctionName in the ASL: deployed service name}``; values may be services or names."""
    if services is None:
        return {}
    if isinstance(services, Mapping):
        return {key: service_name(value) for key, value in services.items()}
    named = {service_name(s) for s in services}
    return {name: name for name in named}
