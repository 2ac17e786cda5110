"""``AwsCloud``: deploy, destroy, status and invoke through one boto3 session.

No region is assumed: it comes from the argument, the profile or ``AWS_DEFAULT_REGION``.
``LocalCloud`` is this same class pointed at an embedded endpoint, so one code path deploys
to both. Workflows deploy and run through the same object (``deploy_workflow``,
``start_execution``...: ``workflows.py`` and ``executions.py``).
"""

from __future__ import annotations

import functools
import json
import time

from .clients import Clients
from .deploy.executor import Run, execute
from .deploy.models import TAG_SERVICE, TAG_STAGE, build_model, function_name, is_ours
from .deploy.planner import plan_deploy, plan_destroy
from .deploy.state import read_state
from .deploy.status import Status, StatusRow
from .deploy.workflows import WorkflowDeploys
from .errors import CloudError, ConfigurationError
from .executions import WorkflowExecutions
from .packaging.settings import stage_environment
from .targets import service_name

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable, Mapping
    from typing import Any

    from .deploy.executor import Progress
    from .deploy.models import ServiceModel
    from .deploy.plan import Plan
    from .packaging.package import Package
    from .packaging.settings import Secret


class AwsCloud(WorkflowDeploys, WorkflowExecutions):
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

    def __repr__(self) -> str:
        where = f" at {self.endpoint_url}" if self.endpoint_url else ""
        return f"<{type(self).__name__} {self.region}{where}>"

    @property
    def account(self) -> str:
        if self._account is None:
            self._account = str(self.clients.call("sts", "get_caller_identity", "the account")["Account"])
        return self._account

    def api_url(self, api_id: str, stage: str) -> str:
        """The base URL of a deployed HTTP API stage."""
        return f"https://{api_id}.execute-api.{self.region}.amazonaws.com/{stage}"

    # -- deploy and destroy ----------------------------------------------------------------------

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
        from ..biz import Workflow
        from .packaging.package import Package, build_package

        if isinstance(target, Workflow):
            raise ConfigurationError(f"{target!r} is a workflow: deploy it with deploy_workflow(), after its services.",
                                     resource=target.name)
        package = target if isinstance(target, Package) else build_package(target, pip_options=pip_options)
        return Deployment(self, package, stage, settings)

    def destroy_plan(self, service: Any, stage: str = "dev") -> Plan:
        """What ``destroy`` would delete: the resources tagged for ``service`` at ``stage``."""
        name = service_name(service)
        current = read_state(self.clients, name, stage, function_name(name, stage))
        return plan_destroy(current, self.region)

    def destroy(self, service: Any, stage: str = "dev", progress: Progress | None = None) -> Plan:
        """Delete every resource tagged for ``service`` at ``stage``, dependents first; returns what was done."""
        name = service_name(service)
        plan = self.destroy_plan(name, stage)
        execute(plan, Run(self.clients, None, name, stage, function_name(name, stage), sleep=self.sleep,
                          clock=self.clock), progress)
        return plan

    # -- logs ------------------------------------------------------------------------------------

    #: Whether the server ignores filter patterns (moto does) so Coworks must evaluate them.
    evaluates_patterns_locally = False

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
            return follow_logs(self.clients, target, stage=stage, since=since, pattern=pattern,
                               evaluate_locally=self.evaluates_patterns_locally, interval=interval,
                               sleep=self.sleep)
        return read_logs(self.clients, target, stage=stage, since=since, until=until, pattern=pattern,
                         evaluate_locally=self.evaluates_patterns_locally)

    # -- what is deployed ------------------------------------------------------------------------

    def status(self, service: Any = None) -> Status:
        """Every Coworks deployment (or those of ``service``): stage, version serving, URL."""
        wanted = service_name(service) if service is not None else None
        rows: list[StatusRow] = []
        token = None
        while True:
            page = self.clients.call("apigatewayv2", "get_apis", "HTTP APIs", **({"NextToken": token} if token else {}))
            for api in page.get("Items", []):
                tags = api.get("Tags") or {}
                name, stage = tags.get(TAG_SERVICE, ""), tags.get(TAG_STAGE, "")
                if not is_ours(tags, name, stage) or (wanted and name != wanted):
                    continue
                fn = function_name(name, stage)
                alias = self.clients.find("lambda", "get_alias", f"{fn}:{stage}", FunctionName=fn, Name=stage)
                version = alias["FunctionVersion"] if alias else "-"
                rows.append(StatusRow(name, stage, fn, version, self.api_url(api["ApiId"], stage)))
            token = page.get("NextToken")
            if not token:
                break
        return Status(tuple(sorted(rows, key=lambda r: (r.service, r.stage))))

    def invoke(
        self,
        service: Any,
        stage: str = "dev",
        path: str = "/",
        method: str = "GET",
        *,
        params: Mapping[str, Any] | None = None,
        body: Any = None,
    ) -> Any:
        """Call a route of the deployed function directly (no API Gateway): its JSON answer."""
        name = service_name(service)
        fn = function_name(name, stage)
        event = {"method": method.upper(), "path": path, "params": dict(params or {}), "body": body}
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


class Deployment:
    """A service packaged for a stage: ``plan()`` shows what ``apply()`` will change."""

    def __init__(self, cloud: AwsCloud, package: Package, stage: str,
                 settings: Mapping[str, str | Secret] | None = None) -> None:
        self.cloud = cloud
        self.package = package
        self.stage = stage
        self.environment = stage_environment(stage, package.root, dict(package.declarations.environment), settings)
        self.function_name = function_name(package.name, stage)
        self._model: ServiceModel | None = None
        self._plan: Plan | None = None
        self.ids: dict[str, str] = {}

    @property
    def service(self) -> str:
        return self.package.name

    @property
    def model(self) -> ServiceModel:
        if self._model is None:
            self._model = build_model(self.package, self.stage, self.environment, account=self.cloud.account,
                                      region=self.cloud.region)
        return self._model

    def plan(self) -> Plan:
        """Read what AWS holds and diff it with the service: no change is made."""
        current = read_state(self.cloud.clients, self.service, self.stage, self.function_name)
        self._plan = plan_deploy(self.model, current)
        return self._plan

    def apply(self, progress: Progress | None = None) -> Deployment:
        """Carry out the plan (the one last shown by ``plan()``, else a fresh one)."""
        plan = self._plan or self.plan()
        self._plan = None
        run = Run(self.cloud.clients, self.model, self.service, self.stage, self.function_name,
                  sleep=self.cloud.sleep, clock=self.cloud.clock)
        self.ids = execute(plan, run, progress)
        return self

    @property
    def url(self) -> str:
        """The base URL of the stage: ``requests.get(d.url + "/item/3")``."""
        api_id = self.ids.get("api_id")
        if api_id is None:
            rows = self.cloud.status(self.service).rows
            found = [r.url for r in rows if r.stage == self.stage]
            if not found:
                raise CloudError(f"{self.service} is not deployed at stage {self.stage}: call apply() first.",
                                 resource=self.function_name)
            return found[0]
        return self.cloud.api_url(api_id, self.stage)

    def __repr__(self) -> str:
        return f"<Deployment {self.service} stage={self.stage} package={self.package.size / 1024:.1f}KB>"

    def _repr_html_(self) -> str:
        """In a notebook: the package, then the plan last computed (``plan()`` computes one)."""
        import html

        head = f"<p><b>{html.escape(self.service)}</b> for stage <b>{html.escape(self.stage)}</b>: " \
               f"{html.escape(str(self.package))}</p>"
        return head + (self._plan._repr_html_() if self._plan is not None else "")
