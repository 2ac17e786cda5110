"""Old module paths, kept importable for one release after the layers were split by noun.

``import coworks.cloud.sources`` still works and gives ``coworks.cloud.packaging.sources`` (the
same module object, so patches and ``isinstance`` agree), with a ``DeprecationWarning`` naming the
new path. ``coworks.cloud`` and ``coworks.biz`` install the finder when they are imported, which Python
always does before it looks up one of their submodules. (``coworks.commands`` and ``coworks.runbooks``, at the top, are
small modules of their own: nothing may be installed by ``import coworks`` inside a Lambda.)
"""

from __future__ import annotations

import importlib
import importlib.abc
import importlib.machinery
import sys
import warnings
from types import ModuleType

#: old path -> new path; removed in the release after 0.2.
MOVED = {
    "coworks.cloud.cells": "coworks.cloud.packaging.cells",
    "coworks.cloud.sources": "coworks.cloud.packaging.sources",
    "coworks.cloud.declarations": "coworks.cloud.packaging.declarations",
    "coworks.cloud.requirements": "coworks.cloud.packaging.requirements",
    "coworks.cloud.settings": "coworks.cloud.packaging.settings",
    "coworks.cloud.models": "coworks.cloud.deploy.models",
    "coworks.cloud.workflowmodel": "coworks.cloud.deploy.models",
    "coworks.cloud.planner": "coworks.cloud.deploy.planner",
    "coworks.cloud.workflowplanner": "coworks.cloud.deploy.planner",
    "coworks.cloud.state": "coworks.cloud.deploy.state",
    "coworks.cloud.workflowstate": "coworks.cloud.deploy.state",
    "coworks.cloud.executor": "coworks.cloud.deploy.executor",
    "coworks.cloud.workflowexecutor": "coworks.cloud.deploy.executor",
    "coworks.cloud.plan": "coworks.cloud.deploy.plan",
    "coworks.cloud.status": "coworks.cloud.deploy.status",
    "coworks.cloud.workflows": "coworks.cloud.deploy.deployments",
    "coworks.cloud.logrecords": "coworks.cloud.logs.records",
    "coworks.cloud.filterpatterns": "coworks.cloud.logs.patterns",
    "coworks.cloud.filtermatching": "coworks.cloud.logs.matching",
    "coworks.cloud.timespec": "coworks.cloud.logs.timespec",
    "coworks.cloud.frontdoor": "coworks.cloud.local.frontdoor",
    "coworks.cloud.controlplane": "coworks.cloud.local.controlplane",
    "coworks.cloud.localgateway": "coworks.cloud.local.gateway",
    "coworks.cloud.locallambda": "coworks.cloud.local.lambdas",
    "coworks.cloud.workers": "coworks.cloud.local.workers",
    "coworks.cloud.workerprocess": "coworks.cloud.local.workerprocess",
    "coworks.cloud.worker_bootstrap": "coworks.cloud.local.bootstrap",
    "coworks.cloud.invocations": "coworks.cloud.local.invocations",
    "coworks.cloud.lambdainvoker": "coworks.cloud.local.invoker",
    "coworks.cloud.localstepfunctions": "coworks.cloud.local.stepfunctions",
    "coworks.cloud.localevents": "coworks.cloud.local.events",
    "coworks.cloud.sharedcloud": "coworks.cloud.local.shared",
    "coworks.cloud.snapshot": "coworks.cloud.local.snapshot",
    "coworks.cloud.local.wsgi": "coworks.cloud.local.http.wsgi",
    "coworks.biz.paths": "coworks.biz.lang.paths",
    "coworks.biz.intrinsics": "coworks.biz.lang.intrinsics",
    "coworks.biz.expressions": "coworks.biz.lang.jsonata",
    "coworks.biz.fields": "coworks.biz.lang.fields",
    "coworks.biz.syntax": "coworks.biz.lang.syntax",
    "coworks.biz.validation": "coworks.biz.lang.validation",
    "coworks.biz.executor": "coworks.biz.engine.executor",
    "coworks.biz.steps": "coworks.biz.engine.steps",
    "coworks.biz.tasks": "coworks.biz.engine.tasks",
    "coworks.biz.rules": "coworks.biz.engine.choice",
    "coworks.biz.iteration": "coworks.biz.engine.iteration",
    "coworks.biz.invokers": "coworks.biz.engine.invokers",
    "coworks.biz.clock": "coworks.biz.engine.clock",
    "coworks.biz.execution": "coworks.biz.engine.execution",
    "coworks.biz.eventtable": "coworks.biz.history",
}


class _Alias(importlib.abc.Loader):
    """Loads an old path as the module at its new path (``sys.modules`` holds the new one after)."""

    def __init__(self, new: str) -> None:
        self.new = new

    def create_module(self, spec: importlib.machinery.ModuleSpec) -> ModuleType | None:
        return None

    def exec_module(self, module: ModuleType) -> None:
        warnings.warn(f"{module.__name__} moved to {self.new}: import it from there (the old path goes in the "
                      "next release).", DeprecationWarning, stacklevel=2)
        sys.modules[module.__name__] = importlib.import_module(self.new)


class MovedFinder(importlib.abc.MetaPathFinder):
    """Finds the old paths of :data:`MOVED`, and nothing else."""

    def find_spec(self, name: str, path: object = None, target: object = None) -> importlib.machinery.ModuleSpec | None:
        new = MOVED.get(name)
        if new is None:
            return None
        return importlib.machinery.ModuleSpec(name, _Alias(new))


def install() -> None:
    """Put the finder on ``sys.meta_path`` once (every layer's package calls it)."""
    if not any(isinstance(finder, MovedFinder) for finder in sys.meta_path):
        sys.meta_path.append(MovedFinder())
