"""``AwsCloud``: deploy, destroy, status, invoke, logs and executions through one boto3 session.

No region is assumed: it comes from the argument, the profile or ``AWS_DEFAULT_REGION``.
``LocalCloud`` is this same class pointed at an embedded endpoint, so one code path deploys
to both. The work is done by two parts the cloud holds, not by mixins: its ``deployer``
(``deploy/deployments.py``: services and workflows, planned and applied) and its ``executions``
(``executions.py``); the methods below are the public names, each answered by one of them.
"""

from __future__ import annotations

import functools
import json
import time

from .clients import Clients
from .deploy.deployments import Deployer, Deployment, WorkflowDeployment
from .deploy.names import function_name
from .errors import CloudError, ConfigurationError
from .executions import CloudExecution, Executions
from .targets import service_name

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable, Iterable, Mapping
    from typing import Any

    from .deploy.executor import Progress
    from .deploy.plan import Plan
    from .deploy.status import Status
    from .packaging.settings import Secret

__all__ = ["AwsCloud", "Deployment", "WorkflowDeployment", "new_session"]


class AwsCloud:
    """An AWS account and region, reached through a boto3 session (``profile``/``region``) or
    any compatible ``endpoint_url``."""

    def __init__(
        self,
        profile: str | None = None,
        region: str | None = None,
        endpoint_url: str | None = None,
        *,
        session: Any = None,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        from botocore.exceptions import ProfileNotFound

        try:  # the profile is looked up lazily, by the first setting read from it
            session = session if session is not None else new_session(profile, region)
            self.region: str = region or session.region_name or ""
        except ProfileNotFound:
            raise ConfigurationError(
                f"The AWS profile {profile!r} does not exist: check ~/.aws/config or pass another --profile.",
                resource=profile, code="ProfileNotFound",
            ) from None
        self.session = session
        if not self.region:
            raise ConfigurationError(
                "No AWS region is configured: pass region='eu-west-1' (or --region), set AWS_DEFAULT_REGION, "
                "or add `region = ...` to your AWS profile.",
                resource="region",
            )
        self.endpoint_url = endpoint_url
        self.clients = Clients(session, endpoint_url)
        self.sleep, self.clock = sleep, clock
        self._account: str | None = None
        self.deployer = Deployer(self)
        # Late-bound, so a clock or sleep set on the cloud after it was made reaches its executions.
        self.executions = Executions(self.clients, self.deployer.state_machine_arn,
                                     sleep=lambda seconds: self.sleep(seconds), clock=lambda: self.clock())

    def __repr__(self) -> str:
        where = f" at {self.endpoint_url}" if self.endpoint_url else ""
        return f"<{type(self).__name__} {self.region}{where}>"

    @property
    def account(self) -> str:
        if self._account is None:
            self._account = str(self.clients.call("sts", "get_caller_identity", "the account")["Account"])
        return self._account

    def api_url(self, api_id: str, stage: str) -> str:
        """The base URL of a deployed API stage (HTTP and REST APIs share the form)."""
        return f"https://{api_id}.execute-api.{self.region}.amazonaws.com/{stage}"

    # -- services --------------------------------------------------------------------------------

    def deploy(
        self,
        target: Any,
        stage: str = "dev",
        settings: Mapping[str, str | Secret] | None = None,
        *,
        pip_options: tuple[str, ...] = (),
    ) -> Deployment:
        """Package ``target`` (a service, its class or ``"module:app"``) for ``stage``; nothing changes
        in AWS until ``.apply()``."""
        return self.deployer.deploy(target, stage, settings, pip_options=pip_options)

    def destroy_plan(self, service: Any, stage: str = "dev") -> Plan:
        """What ``destroy`` would delete: the resources tagged for ``service`` at ``stage``."""
        return self.deployer.destroy_plan(self.deployer.service(service, stage))

    def destroy(self, service: Any, stage: str = "dev", progress: Progress | None = None) -> Plan:
        """Delete every resource tagged for ``service`` at ``stage``, dependents first; returns what was done."""
        return self.deployer.destroy(self.deployer.service(service, stage), progress)

    def status(self, service: Any = None) -> Status:
        """Every Coworks deployment (or those of ``service``): stage, version serving, URL."""
        return self.deployer.status(service)

    def api_key(self, service: Any, name: str, stage: str = "dev") -> str:
        """The value of the API key ``name`` of ``service`` (``api_keys=[name]``) at ``stage``: what a
        caller sends as ``x-api-key``. API Gateway makes it; Coworks shows it nowhere else."""
        return self.deployer.api_key(service, name, stage)

    # -- calls and logs --------------------------------------------------------------------------

    def invoke(
        self,
        service: Any,
        stage: str = "dev",
        path: str = "/",
        method: str = "GET",
        *,
        params: Mapping[str, Any] | None = None,
        body: Any = None,
        response: bool = False,
    ) -> Any:
        """Call a route of the deployed function directly (no API Gateway): its JSON answer.

        ``response=True`` asks for every answer as ``{"statusCode", "headers", "body"}``, a
        non-2xx one included (no ``HTTP<status>`` error is raised in the function).
        """
        name = service_name(service)
        fn = function_name(name, stage)
        event: dict[str, Any] = {"method": method.upper(), "path": path, "params": dict(params or {}), "body": body}
        if response:
            event["response"] = "full"
        answer = self.clients.call("lambda", "invoke", f"{fn}:{stage}", FunctionName=fn, Qualifier=stage,
                                   Payload=json.dumps(event).encode())
        payload = answer["Payload"].read()
        try:
            result = json.loads(payload) if payload else None
        except ValueError:
            result = payload.decode("utf-8", "replace")
        if answer.get("FunctionError"):
            message = result.get("errorMessage") if isinstance(result, dict) else result
            raise CloudError(f"{fn}:{stage} answered {method.upper()} {path} with an error: {message}",
                             resource=fn, code=str(answer.get("FunctionError")))
        return result

    def logs(
        self,
        target: Any,
        since: Any = "15m",
        until: Any = None,
        pattern: str | None = None,
        follow: bool = False,
        *,
        stage: str = "dev",
        interval: float = 2.0,
    ) -> Any:
        """The CloudWatch logs of a service (at ``stage``), a function or a log group.

        ``since``/``until``: ``5m``, ``2h30m``, ``1d`` or ISO 8601. ``pattern``: CloudWatch filter
        syntax. Returns the records, oldest first; with ``follow=True``, an endless iterator.
        """
        from .logs.reader import follow_logs, read_logs

        if follow:
            return follow_logs(self.clients, target, stage=stage, since=since, pattern=pattern, interval=interval,
                               sleep=self.sleep)
        return read_logs(self.clients, target, stage=stage, since=since, until=until, pattern=pattern)

    # -- workflows -------------------------------------------------------------------------------

    def deploy_workflow(
        self,
        workflow: Any,
        stage: str = "dev",
        *,
        services: Mapping[str, Any] | Iterable[Any] | None = None,
        triggers: Iterable[Any] = (),
        log_level: str = "ALL",
        retention: int = 30,
        type: str = "STANDARD",
    ) -> WorkflowDeployment:
        """Ready ``workflow`` (a ``Workflow`` or ``"module:attribute"``) for ``stage``; nothing changes in
        AWS until ``.apply()``. Each Task's FunctionName is a service deployed at ``stage`` (``services``
        maps names that differ); ``triggers``: ``"rate(1 hour)"``, ``"cron(...)"``, event-pattern dicts
        or ``Trigger`` objects; ``type="EXPRESS"`` for an Express state machine (StartSyncExecution)."""
        return self.deployer.deploy_workflow(workflow, stage, services=services, triggers=triggers,
                                             log_level=log_level, retention=retention, type=type)

    def state_machine_arn(self, workflow: Any, stage: str = "dev") -> str:
        """The ARN of ``workflow`` deployed at ``stage``: an ARN is returned as it is."""
        return self.deployer.state_machine_arn(workflow, stage)

    def destroy_workflow_plan(self, workflow: Any, stage: str = "dev") -> Plan:
        """What ``destroy_workflow`` would delete: the resources tagged for the workflow at ``stage``."""
        return self.deployer.destroy_plan(self.deployer.workflow(workflow, stage))

    def destroy_workflow(self, workflow: Any, stage: str = "dev", progress: Progress | None = None) -> Plan:
        """Delete every resource tagged for the workflow at ``stage``, triggers first; returns what was done."""
        return self.deployer.destroy(self.deployer.workflow(workflow, stage), progress)

    def start_execution(self, workflow: Any, input: Any = None, *, stage: str = "dev", name: str | None = None) -> str:
        """Start the workflow deployed at ``stage`` (a ``Workflow``, its name, ``module:attr`` or the
        state machine ARN) with ``input`` (JSON data); returns the execution's ARN."""
        return self.executions.start(workflow, input, stage=stage, name=name)

    def describe_execution(self, execution_arn: str) -> CloudExecution:
        """The execution's status, and its output or error once it ended."""
        return self.executions.describe(execution_arn)

    def stop_execution(self, execution_arn: str, error: str | None = None, cause: str | None = None) -> CloudExecution:
        """Abort a running execution (its status becomes ABORTED); returns it as described after."""
        return self.executions.stop(execution_arn, error, cause)

    def list_executions(self, workflow: Any, stage: str = "dev", status: str | None = None) -> list[CloudExecution]:
        """The executions of the workflow at ``stage``, newest first (``status`` filters, e.g. RUNNING)."""
        return self.executions.of(workflow, stage, status)

    def execution_history(self, execution_arn: str) -> list[dict[str, Any]]:
        """Every history event of the execution, oldest first, as GetExecutionHistory gives them."""
        return self.executions.history(execution_arn)

    def wait_execution(self, execution_arn: str, timeout: float = 300.0, interval: float = 1.0) -> CloudExecution:
        """Poll until the execution ends (at most ``timeout`` seconds); returns it as described then."""
        return self.executions.wait(execution_arn, timeout, interval)


@functools.cache
def _loader() -> Any:
    from botocore.loaders import create_loader

    return create_loader()


def new_session(profile: str | None = None, region: str | None = None, **credentials: str) -> Any:
    """A boto3 session sharing one model loader with the others of this process: loading a
    service's API model costs about 0.2 s, once instead of once per cloud object or command."""
    import boto3
    import botocore.session

    core = botocore.session.Session()
    loader = _loader()
    core.register_component("data_loader", loader)
    session = boto3.Session(botocore_session=core, profile_name=profile, region_name=region, **credentials)
    loader.search_paths[:] = list(dict.fromkeys(loader.search_paths))  # boto3 appends its own each time
    return session
