"""Carrying out a workflow plan against AWS, one action at a time, with progress.

The same shape as the service executor (``executor.py``): one handler per kind of resource, a
failure stops the run and the next deploy converges from where it stopped. A role made seconds
ago may not be assumable by Step Functions yet (IAM is eventually consistent), so creating or
updating the state machine is retried for a while on that refusal, with an injectable clock.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from ..errors import AwsError, CloudError
from .executor import apply_log_group, apply_role, delete_rule, run_steps, tag_list
from .models import tags_for
from .plan import Action, Plan
from .workflowplanner import LOGS, MACHINE, ROLE, RULE

TYPE_CHECKING = False
if TYPE_CHECKING:
    from ..clients import Clients
    from .executor import Progress
    from .workflowmodel import WorkflowModel

# What Step Functions answers while a new role or its policy has not reached it yet.
_NOT_YET = ("AccessDeniedException", "InvalidLoggingConfiguration")


@dataclass
class WorkflowRun:
    """One apply or destroy of a workflow: the clients, the model (None for destroy), the clock."""

    clients: Clients
    model: WorkflowModel | None
    workflow: str
    stage: str
    sleep: Callable[[float], None] = time.sleep
    clock: Callable[[], float] = time.monotonic

    @property
    def tags(self) -> dict[str, str]:
        return tags_for(self.workflow, self.stage, "workflow")

    def need(self) -> WorkflowModel:
        if self.model is None:  # pragma: no cover - destroy plans only hold deletes
            raise CloudError("This step needs the workflow's model: deploy it instead.")
        return self.model


def execute_workflow_plan(plan: Plan, run: WorkflowRun, progress: Progress | None = None) -> None:
    """Apply every change of ``plan`` in order; stop at the first failure."""
    run_steps(plan, HANDLERS, run, progress)


def _role(run: WorkflowRun, action: Action) -> None:
    apply_role(run.clients, action, action.resource, run.tags, f"Coworks workflow {run.workflow} ({run.stage})")


def _log_group(run: WorkflowRun, action: Action) -> None:
    apply_log_group(run.clients, action, lambda: run.need().log_group.retention, run.tags)


def _machine(run: WorkflowRun, action: Action) -> None:
    c, name = run.clients, action.name
    if action.verb == "delete":
        c.call("stepfunctions", "delete_state_machine", name, stateMachineArn=action.id("arn"))
        return
    machine = action.resource
    if action.verb == "create":
        tags = [{"key": k, "value": v} for k, v in sorted(run.tags.items())]
        _retry_new_role(run, lambda: c.call("stepfunctions", "create_state_machine", name, name=name,
                                            type="STANDARD", tags=tags, **machine.settings()))
    else:
        _retry_new_role(run, lambda: c.call("stepfunctions", "update_state_machine", name,
                                            stateMachineArn=machine.arn, **machine.settings()))


def _retry_new_role(run: WorkflowRun, call: Callable[[], Any]) -> Any:
    deadline = run.clock() + 30
    while True:
        try:
            return call()
        except AwsError as exc:
            if exc.code not in _NOT_YET or run.clock() > deadline:
                raise
            run.sleep(2)


def _rule(run: WorkflowRun, action: Action) -> None:
    c, name = run.clients, action.name
    if action.verb == "delete":
        delete_rule(c, action)
        return
    rule = action.resource
    trigger = rule.trigger
    params: dict[str, Any] = {"Tags": tag_list(run.tags)} if action.verb == "create" else {}
    if trigger.schedule:
        params["ScheduleExpression"] = trigger.schedule
    else:
        params["EventPattern"] = trigger.pattern
    c.call("events", "put_rule", name, Name=name, State="ENABLED",
           Description=f"Starts the Coworks workflow {run.workflow} ({run.stage}): {trigger.name}", **params)
    target: dict[str, Any] = {"Id": "coworks", "Arn": rule.target, "RoleArn": rule.role_arn}
    if trigger.input is not None:
        target["Input"] = trigger.input
    c.call("events", "put_targets", name, Rule=name, Targets=[target])


HANDLERS: dict[str, Callable[[WorkflowRun, Action], None]] = {
    ROLE: _role,
    LOGS: _log_group,
    MACHINE: _machine,
    RULE: _rule,
}
