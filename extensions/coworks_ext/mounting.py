"""Blueprints whose entries workflows can call.

A workflow ``Task(entry, ...)`` compiles the call from ``entry.__self__``: its ``name`` (the
Lambda function) and ``route_of(entry)`` (the verb and the path). A plain Blueprint has neither,
so ``ExtensionBlueprint`` answers both from the service it is mounted on: the Task then invokes
the user's function on the mounted path (``/mail/send`` under ``register_blueprint(bp, "/mail")``).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from coworks import Blueprint, Route, ServiceError, TechMicroService


class ExtensionBlueprint(Blueprint):
    """A Blueprint that knows the service it is mounted on well enough for a workflow Task."""

    def mounted_on(self) -> TechMicroService:
        if self.service is None:
            raise ServiceError(
                f"{type(self).__name__} is not mounted: call app.register_blueprint(blueprint, '/prefix') first.")
        return self.service

    @property
    def name(self) -> str:
        return self.mounted_on().name

    def route_of(self, target: str | Callable[..., Any]) -> Route:
        return self.mounted_on().route_of(target)
