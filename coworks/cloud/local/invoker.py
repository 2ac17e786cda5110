"""The biz executor's ``Invoker`` over the local Lambda service: Tasks run in the warm workers.

A state machine deployed by Coworks names qualified functions (``...:function:inventory-dev:dev``);
the name (or ARN) and its qualifier go to the local Lambda service as they are. A function error
becomes the Task error AWS reports: the ``errorType`` the handler raised (``HTTP404``,
``Sandbox.Timedout``...) with the error payload as the cause.
"""

from __future__ import annotations

import json
from typing import Any

from ...biz.engine.invokers import Invoked, compact
from ...biz.errors import StatesError
from .controlplane import ControlPlaneLookupError, function_config

TYPE_CHECKING = False
if TYPE_CHECKING:
    from .lambdas import LocalLambda


class LambdaInvoker:
    """Runs the functions a definition names on the local cloud's workers."""

    def __init__(self, lambdas: LocalLambda, region: str) -> None:
        self.lambdas = lambdas
        self.region = region

    def has_function(self, name: str) -> bool:
        try:
            function_config(name, None, self.region)  # a qualifier in the name or ARN is honoured
        except ControlPlaneLookupError:
            return False
        return True

    def invoke(self, name: str, payload: Any) -> Any:
        return self.invoke_function(name, payload).payload

    def invoke_function(self, name: str, payload: Any) -> Invoked:
        """The invocation, with the version the alias resolved to (``ExecutedVersion``) and its request id;
        a function error is the Task error its ``errorType`` names, the payload (compact JSON) its cause."""
        result = self.lambdas.invoke(name, json.dumps(payload).encode(), region=self.region)
        try:
            body = result.json()
        except ValueError:
            body = result.payload.decode("utf-8", "replace")
        if result.function_error:
            error = body.get("errorType") if isinstance(body, dict) else None
            raise StatesError(str(error or "Lambda.Unknown"), compact(body))
        return Invoked(body, result.executed_version, result.request_id)
