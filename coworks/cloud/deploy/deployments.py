"""Deploying on a cloud: a service or a workflow readied for a stage shows its ``plan()`` and
changes AWS only on ``apply()``; ``Deployer`` is the deploy side that every cloud holds.

Services and workflows go through the same pipeline: model -> read the state -> plan -> execute.
They differ in what readies them: a service has a package, settings and a URL; a workflow has
no package, needs its Tasks' services deployed first (the plan refuses it otherwise), and has a
state machine ARN instead of a URL.
"""

from __future__ import annotations

import html
from collections.abc import Iterable, Mapping
from typing import Any

from ..errors import CloudError, ConcurrentDeployError, ConfigurationError
from ..packaging.settings import stage_environment
from ..targets import load_workflow, service_aliases, service_name, workflow_name
from .executor import Progress, Run, execute
from .locks import Locks, NoLocks
from .models import Model, ServiceModel, WorkflowModel, build_model, build_workflow_model
from .names import SERVICE, TAG_SERVICE, TAG_STAGE, WORKFLOW, Names, Owner, function_name, is_ours, machine_name
from .plan import Plan
from .planner import plan_deploy, plan_destroy
from .state import missing_functions, read_state
from .status import Status, StatusRow

TYPE_CHECKING = False
if TYPE_CHECKING:
    from ..aws import AwsCloud
    from ..packaging.package import Package
    from ..packaging.settings import Secret


class _Readied:
    """What a service's and a workflow's deployment share: plan, then apply."""

    cloud: AwsCloud
    stage: str
    ids: dict[str, str]
    _plan: Plan | None

    @property
    def model(self) -> Model:  # pragma: no cover - each deployment builds its own
        raise NotImplementedError

    def _check(self) -> None:
        """Refuse, before anything is read, what cannot be deployed."""

    def plan(self) -> Plan:
        """Read what AWS holds and diff it with the model: no change is made."""
        model = self.model
        self._check()
        names = Names.of(model.owner, region=self.cloud.region, account=self.cloud.account)
        buckets = tuple(b.bucket for b in getattr(model, "buckets", ()))
        self._plan = plan_deploy(model, read_state(self.cloud.clients, names, buckets))
        return self._plan

    def _apply(self, progress: Progress | None, wait: float) -> None:
        """Under the deploy lock, read the state again: a plan shown before is applied only if it
        is still what the deploy would do (another deploy or destroy may have run meanwhile)."""
        shown, self._plan = self._plan, None
        owner = self.model.owner
        with self.cloud.deployer.locks.hold(owner, "deploy", wait=wait):
            plan = self.plan()
            if shown is not None and shown.actions != plan.actions:
                raise ConcurrentDeployError(
                    f"{owner.described} changed since its plan was shown (another deploy or destroy ran meanwhile): "
                    "look at the new plan and apply it again.", resource=owner.resource_name, stale_plan=True)
            self._plan = None
            run = Run(self.cloud.clients, owner, self.model, sleep=self.cloud.sleep, clock=self.cloud.clock)
            self.ids = execute(plan, run, progress)

    def _plan_html(self) -> str:
        return self._plan._repr_html_() if self._plan is not None else ""


class Deployment(_Readied):
    """A service packaged for a stage: ``plan()`` shows what ``apply()`` will change."""

    def __init__(self, cloud: AwsCloud, package: Package, stage: str,
                 settings: Mapping[str, str | Secret] | None = None) -> None:
        self.cloud = cloud
        self.package = package
        self.stage = stage
        self.environment = stage_environment(stage, package.root, package.declarations.variables, settings)
        self.function_name = function_name(package.name, stage)
        self._model: ServiceModel | None = None
        self._plan = None
        self.ids = {}

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
        """Read what AWS holds and diff it with the model; the package's imports that neither the zip
        nor the runtime provides, and a zip without bytecode, are the plan's ``warnings``."""
        from dataclasses import replace

        from ..packaging.imports import warnings_for

        source_only = (self.package.source_only,) if self.package.source_only else ()
        self._plan = replace(super().plan(), warnings=(*warnings_for(self.package), *source_only))
        return self._plan

    def apply(self, progress: Progress | None = None, *, wait: float = 0.0) -> Deployment:
        """Carry out the plan (the one last shown by ``plan()``, if still current, else a fresh one).
        While another deploy of the service at this stage runs, ``ConcurrentDeployError`` says so,
        unless it ends within ``wait`` seconds."""
        self._apply(progress, wait)
        return self

    @property
    def url(self) -> str:
        """The base URL of the stage: ``requests.get(d.url + "/item/3")``."""
        api_id = self.ids.get("api_id")
        if api_id is None:
            found = [r.url for r in self.cloud.status(self.service).rows if r.stage == self.stage]
            if not found:
                raise CloudError(f"{self.service} is not deployed at stage {self.stage}: call apply() first.",
                                 resource=self.function_name)
            return found[0]
        return self.cloud.api_url(api_id, self.stage)

    def __repr__(self) -> str:
        return f"<Deployment {self.service} stage={self.stage} package={self.package.size / 1024:.1f}KB>"

    def _repr_html_(self) -> str:
        """In a notebook: the package, then the plan last computed (``plan()`` computes one)."""
        return (f"<p><b>{html.escape(self.service)}</b> for stage <b>{html.escape(self.stage)}</b>: "
                f"{html.escape(str(self.package))}</p>" + self._plan_html())


class WorkflowDeployment(_Readied):
    """A workflow readied for a stage: ``plan()`` shows what ``apply()`` will change; no URL, the
    state machine's ARN instead (``arn``), and ``start(input)`` to run it."""

    def __init__(self, cloud: AwsCloud, workflow: Any, stage: str, *, services: Mapping[str, str] | None = None,
                 triggers: Iterable[Any] = (), log_level: str = "ALL", retention: int = 30,
                 type: str = "STANDARD") -> None:
        self.cloud = cloud
        self.workflow = workflow
        self.type = type
        self.stage = stage
        self.services = dict(services or {})
        # Triggers declared on the workflow, then any given at deploy time.
        self.triggers = (*getattr(workflow, "triggers", ()), *triggers)
        self.log_level = log_level
        self.retention = retention
        self._model: WorkflowModel | None = None
        self._plan = None
        self.ids = {}

    @property
    def name(self) -> str:
        return str(self.workflow.name)

    @property
    def model(self) -> WorkflowModel:
        if self._model is None:
            self._model = build_workflow_model(
                self.workflow, self.stage, account=self.cloud.account, region=self.cloud.region,
                services=self.services, triggers=self.triggers, log_level=self.log_level, retention=self.retention,
                type=self.type)
        return self._model

    @property
    def arn(self) -> str:
        """The state machine's ARN (known before it exists: it follows from workflow and stage)."""
        return self.model.machine.arn

    def _check(self) -> None:
        missing = missing_functions(self.cloud.clients, self.model.functions)
        if missing:
            raise ConfigurationError(
                f"The workflow {self.name} calls {', '.join(missing)}, not deployed: deploy "
                f"{'that service' if len(missing) == 1 else 'those services'} at stage {self.stage} first.",
                resource=missing[0],
            )

    def apply(self, progress: Progress | None = None, *, wait: float = 0.0) -> WorkflowDeployment:
        """Carry out the plan (the one last shown by ``plan()``, if still current, else a fresh one);
        ``wait`` as for a service's ``Deployment.apply``."""
        self._apply(progress, wait)
        return self

    def start(self, input: Any = None, *, name: str | None = None) -> str:
        """Start an execution of the deployed workflow; its ARN."""
        return str(self.cloud.start_execution(self.name, input, stage=self.stage, name=name))

    def __repr__(self) -> str:
        return f"<WorkflowDeployment {self.name} stage={self.stage}>"

    def _repr_html_(self) -> str:
        return (f"<p>Workflow <b>{html.escape(self.name)}</b> for stage <b>{html.escape(self.stage)}</b></p>"
                + self._plan_html())


class Deployer:
    """The deploy side of a cloud (``AwsCloud`` and ``LocalCloud`` hold one and answer through it):
    ready services and workflows, plan and carry out their destruction, say what is deployed."""

    def __init__(self, cloud: AwsCloud) -> None:
        self.cloud = cloud
        #: Held around every apply and destroy: none on AWS, the front door's on the local cloud.
        self.locks: Locks = NoLocks()

    def deploy(self, target: Any, stage: str = "dev", settings: Mapping[str, str | Secret] | None = None, *,
               pip_options: tuple[str, ...] = ()) -> Deployment:
        from ...biz import Workflow
        from ..packaging.package import Package, build_package

        if isinstance(target, Workflow):
            raise ConfigurationError(f"{target!r} is a workflow: deploy it with deploy_workflow(), after its services.",
                                     resource=target.name)
        package = target if isinstance(target, Package) else build_package(target, pip_options=pip_options)
        return Deployment(self.cloud, package, stage, settings)

    def deploy_workflow(self, workflow: Any, stage: str = "dev", *,
                        services: Mapping[str, Any] | Iterable[Any] | None = None, triggers: Iterable[Any] = (),
                        log_level: str = "ALL", retention: int = 30, type: str = "STANDARD") -> WorkflowDeployment:
        return WorkflowDeployment(self.cloud, load_workflow(workflow), stage, services=service_aliases(services),
                                  triggers=triggers, log_level=log_level, retention=retention, type=type)

    def state_machine_arn(self, workflow: Any, stage: str = "dev") -> str:
        if isinstance(workflow, str) and workflow.startswith("arn:"):
            return workflow
        name = machine_name(workflow_name(workflow), stage)
        return f"arn:aws:states:{self.cloud.region}:{self.cloud.account}:stateMachine:{name}"

    def destroy_plan(self, owner: Owner) -> Plan:
        """What destroying ``owner`` would delete: the resources tagged for it, nothing else."""
        names = Names.of(owner, region=self.cloud.region, account=self.cloud.account)
        return plan_destroy(read_state(self.cloud.clients, names), self.cloud.region)

    def destroy(self, owner: Owner, progress: Progress | None = None, *, wait: float = 0.0) -> Plan:
        """Delete what is tagged for ``owner``, read and deleted under its deploy lock."""
        with self.locks.hold(owner, "destroy", wait=wait):
            plan = self.destroy_plan(owner)
            execute(plan, Run(self.cloud.clients, owner, sleep=self.cloud.sleep, clock=self.cloud.clock), progress)
        return plan

    @staticmethod
    def service(service: Any, stage: str) -> Owner:
        return Owner(service_name(service), stage, SERVICE)

    @staticmethod
    def workflow(workflow: Any, stage: str) -> Owner:
        return Owner(workflow_name(workflow), stage, WORKFLOW)

    def status(self, service: Any = None) -> Status:
        """Every service with an API (HTTP or REST) tagged for it, the version its alias serves and
        the stage's URL."""
        wanted = service_name(service) if service is not None else None
        clients = self.cloud.clients
        apis = [(api.get("Tags") or {}, str(api["ApiId"])) for page in clients.pages("apigatewayv2", "get_apis",
                                                                                    "HTTP APIs")
                for api in page.get("Items", [])]
        apis += [(api.get("tags") or {}, str(api["id"])) for page in clients.pages("apigateway", "get_rest_apis",
                                                                                  "REST APIs", limit=500)
                 for api in page.get("items", [])]
        rows: list[StatusRow] = []
        for tags, api_id in apis:
            name, stage = tags.get(TAG_SERVICE, ""), tags.get(TAG_STAGE, "")
            if not is_ours(tags, name, stage) or (wanted and name != wanted):
                continue
            fn = function_name(name, stage)
            alias = clients.find("lambda", "get_alias", f"{fn}:{stage}", FunctionName=fn, Name=stage)
            version = alias["FunctionVersion"] if alias else "-"
            rows.append(StatusRow(name, stage, fn, version, self.cloud.api_url(api_id, stage)))
        return Status(tuple(sorted(rows, key=lambda r: (r.service, r.stage))))

    def api_key(self, service: Any, name: str, stage: str = "dev") -> str:
        """The value of the API key ``name`` that ``service`` declares (``api_keys``), deployed at ``stage``."""
        owner = self.service(service, stage)
        full = f"{function_name(owner.name, stage)}-{name}"
        for page in self.cloud.clients.pages("apigateway", "get_api_keys", full, nameQuery=full, includeValues=True,
                                             limit=500):
            for key in page.get("items", []):
                if key.get("name") == full and owner.owns(key.get("tags")):
                    return str(key["value"])
        raise ConfigurationError(f"{owner.name} has no API key {name!r} deployed at stage {stage}: declare it in "
                                 f"api_keys (with api='rest') and deploy.", resource=full)
