"""Deploying workflows: ``cloud.deploy_workflow(wf, stage=...)`` -> plan, apply; ``destroy_workflow``.

A separate verb from ``deploy`` on purpose: a workflow has no package, settings or URL, and it
needs what a service does not (where its Tasks' functions are, its triggers). The services it
calls are deployed first; the plan refuses a workflow whose functions are not there.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from ..errors import ConfigurationError
from ..targets import load_workflow, service_aliases, workflow_name
from .workflowexecutor import WorkflowRun, execute_workflow_plan
from .workflowmodel import WorkflowModel, build_workflow_model, machine_name
from .workflowplanner import plan_workflow, plan_workflow_destroy
from .workflowstate import missing_functions, read_workflow_state

TYPE_CHECKING = False
if TYPE_CHECKING:
    from ..aws import AwsCloud
    from .executor import Progress
    from .plan import Plan


class WorkflowDeployment:
    """A workflow readied for a stage: ``plan()`` shows what ``apply()`` will change; no URL, the
    state machine's ARN instead (``arn``), and ``start(input)`` to run it."""

    def __init__(self, cloud: AwsCloud, workflow: Any, stage: str, *, services: Mapping[str, str] | None = None,
                 triggers: Iterable[Any] = (), log_level: str = "ALL", retention: int = 30) -> None:
        self.cloud = cloud
        self.workflow = workflow
        self.stage = stage
        self.services = dict(services or {})
        # Triggers declared on the workflow, then any given at deploy time.
        self.triggers = (*getattr(workflow, "triggers", ()), *triggers)
        self.log_level = log_level
        self.retention = retention
        self._model: WorkflowModel | None = None
        self._plan: Plan | None = None

    @property
    def name(self) -> str:
        return str(self.workflow.name)

    @property
    def model(self) -> WorkflowModel:
        if self._model is None:
            self._model = build_workflow_model(
                self.workflow, self.stage, account=self.cloud.account, region=self.cloud.region,
                services=self.services, triggers=self.triggers, log_level=self.log_level, retention=self.retention)
        return self._model

    @property
    def arn(self) -> str:
        """The state machine's ARN (known before it exists: it follows from workflow and stage)."""
        return self.model.machine.arn

    def plan(self) -> Plan:
        """Read what AWS holds and diff it with the workflow: no change is made."""
        model = self.model
        missing = missing_functions(self.cloud.clients, model.functions)
        if missing:
            raise ConfigurationError(
                f"The workflow {self.name} calls {', '.join(missing)}, not deployed: deploy "
                f"{'that service' if len(missing) == 1 else 'those services'} at stage {self.stage} first.",
                resource=missing[0],
            )
        current = read_workflow_state(self.cloud.clients, self.name, self.stage, model.machine.name, model.machine.arn)
        self._plan = plan_workflow(model, current)
        return self._plan

    def apply(self, progress: Progress | None = None) -> WorkflowDeployment:
        """Carry out the plan (the one last shown by ``plan()``, else a fresh one)."""
        plan = self._plan or self.plan()
        self._plan = None
        run = WorkflowRun(self.cloud.clients, self.model, self.name, self.stage, self.cloud.sleep, self.cloud.clock)
        execute_workflow_plan(plan, run, progress)
        return self

    def start(self, input: Any = None, *, name: str | None = None) -> str:
        """Start an execution of the deployed workflow; its ARN."""
        return str(self.cloud.start_execution(self.name, input, stage=self.stage, name=name))

    def __repr__(self) -> str:
        return f"<WorkflowDeployment {self.name} stage={self.stage}>"

    def _repr_html_(self) -> str:
        import html

        head = f"<p>Workflow <b>{html.escape(self.name)}</b> for stage <b>{html.escape(self.stage)}</b></p>"
        return head + (self._plan._repr_html_() if self._plan is not None else "")


class WorkflowDeploys:
    """The workflow half of a cloud (mixed into ``AwsCloud``): deploy, plan a destroy, destroy."""

    region: str
    clients: Any
    sleep: Any
    clock: Any

    @property
    def account(self) -> str:  # pragma: no cover - AwsCloud defines it
        raise NotImplementedError

    def deploy_workflow(
        self,
        workflow: Any,
        stage: str = "dev",
        *,
        services: Mapping[str, Any] | Iterable[Any] | None = None,
        triggers: Iterable[Any] = (),
        log_level: str = "ALL",
        retention: int = 30,
    ) -> WorkflowDeployment:
        """Ready ``workflow`` (a ``Workflow`` or ``"module:attribute"``) for ``stage``; nothing changes in
        AWS until ``.apply()``. Each Task's FunctionName is a service deployed at ``stage`` (``services``
        maps names that differ); ``triggers``: ``"rate(1 hour)"``, ``"cron(...)"``, event-pattern dicts
        or ``Trigger`` objects."""
        return WorkflowDeployment(self, load_workflow(workflow), stage,  # type: ignore[arg-type]
                                  services=service_aliases(services), triggers=triggers,
                                  log_level=log_level, retention=retention)

    def state_machine_arn(self, workflow: Any, stage: str = "dev") -> str:
        """The ARN of ``workflow`` deployed at ``stage``: an ARN is returned as it is."""
        if isinstance(workflow, str) and workflow.startswith("arn:"):
            return workflow
        name = machine_name(workflow_name(workflow), stage)
        return f"arn:aws:states:{self.region}:{self.account}:stateMachine:{name}"

    def destroy_workflow_plan(self, workflow: Any, stage: str = "dev") -> Plan:
        """What ``destroy_workflow`` would delete: the resources tagged for the workflow at ``stage``."""
        name = workflow_name(workflow)
        machine = machine_name(name, stage)
        current = read_workflow_state(self.clients, name, stage, machine, self.state_machine_arn(name, stage))
        return plan_workflow_destroy(current, self.region)

    def destroy_workflow(self, workflow: Any, stage: str = "dev", progress: Progress | None = None) -> Plan:
        """Delete every resource tagged for the workflow at ``stage``, triggers first; returns what was done."""
        name = workflow_name(workflow)
        plan = self.destroy_workflow_plan(name, stage)
        execute_workflow_plan(plan, WorkflowRun(self.clients, None, name, stage, self.sleep, self.clock), progress)
        return plan
