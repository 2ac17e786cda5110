"""The workflow planner: desired model against what AWS holds, giving an ordered plan (reads nothing).

Order: the state machine's role and log group, then the state machine (which needs both), then
the EventBridge role and the trigger rules that start it; a destroy goes the other way, so no
rule ever points at a state machine that is gone.
"""

from __future__ import annotations

from typing import Any

from .models import Role
from .plan import Action, Plan
from .planner import POLICY_NAME
from .state import canonical
from .workflowmodel import WorkflowModel
from .workflowstate import WorkflowCurrent, same_json

MACHINE, RULE, ROLE, LOGS = "state machine", "trigger rule", "iam role", "log group"


def plan_workflow(model: WorkflowModel, current: WorkflowCurrent) -> Plan:
    """The actions that turn ``current`` into ``model``."""
    actions = [_role(model.role, current.role, current.role_policies), _log_group(model, current),
               _machine(model, current)]
    if model.events_role is not None:
        actions.append(_role(model.events_role, current.events_role, current.events_role_policies))
    actions.extend(_rules(model, current))
    if model.events_role is None and current.events_role is not None:
        actions.append(_delete_role(current.events_role, current.events_role_policies))
    return Plan(model.workflow, model.stage, model.region, tuple(actions))


def plan_workflow_destroy(current: WorkflowCurrent, region: str) -> Plan:
    """Delete what ``current`` found (and only that), dependents first."""
    actions: list[Action] = [_delete_rule(name, rule) for name, rule in sorted(current.rules.items())]
    if current.machine is not None:
        actions.append(Action("delete", MACHINE, current.machine_name, ids=(("arn", current.machine_arn),)))
    if current.log_group is not None:
        actions.append(Action("delete", LOGS, current.log_group["logGroupName"]))
    for role, policies in ((current.events_role, current.events_role_policies),
                           (current.role, current.role_policies)):
        if role is not None:
            actions.append(_delete_role(role, policies))
    return Plan(current.workflow, current.stage, region, tuple(actions))


def _delete_role(role: dict[str, Any], policies: dict[str, str]) -> Action:
    ids = tuple((f"policy{i}", p) for i, p in enumerate(sorted(policies)))
    return Action("delete", ROLE, role["RoleName"], ids=ids)


def _role(role: Role, found: dict[str, Any] | None, policies: dict[str, str]) -> Action:
    if found is None:
        return Action("create", ROLE, role.name, resource=role)
    changes = []
    if canonical(found.get("AssumeRolePolicyDocument", "{}")) != role.trust:
        changes.append("trust policy")
    if policies.get(POLICY_NAME) != role.policy or set(policies) - {POLICY_NAME}:
        changes.append("permissions")
    extra = tuple((f"policy{i}", p) for i, p in enumerate(sorted(set(policies) - {POLICY_NAME})))
    return Action("update" if changes else "no-op", ROLE, role.name, tuple(changes), role, extra)


def _log_group(model: WorkflowModel, current: WorkflowCurrent) -> Action:
    group = model.log_group
    if current.log_group is None:
        return Action("create", LOGS, group.name, resource=group)
    changed = current.log_group.get("retentionInDays") != group.retention
    return Action("update" if changed else "no-op", LOGS, group.name, ("retention",) if changed else (), group)


def _machine(model: WorkflowModel, current: WorkflowCurrent) -> Action:
    machine = model.machine
    found = current.machine
    if found is None:
        return Action("create", MACHINE, machine.name, resource=machine)
    changes = []
    if not same_json(found.get("definition", "{}"), machine.definition):
        changes.append("definition")
    if found.get("roleArn") != machine.role_arn:
        changes.append("role")
    if not same_json(found.get("loggingConfiguration") or {"level": "OFF"}, machine.logging):
        changes.append("logging")
    return Action("update" if changes else "no-op", MACHINE, machine.name, tuple(changes), machine,
                  (("arn", machine.arn),))


def _rules(model: WorkflowModel, current: WorkflowCurrent) -> list[Action]:
    actions: list[Action] = []
    for rule in model.rules:
        found = current.rules.get(rule.name)
        if found is None:
            actions.append(Action("create", RULE, rule.name, resource=rule))
            continue
        trigger, changes = rule.trigger, []
        if (found.get("ScheduleExpression") != trigger.schedule
                or not same_json(found.get("EventPattern") or "null", trigger.pattern or "null")
                or found.get("State") != "ENABLED"):
            changes.append("trigger")
        targets = [(t.get("Id"), t.get("Arn"), t.get("RoleArn"), t.get("Input")) for t in found.get("Targets", [])]
        if targets != [("coworks", rule.target, rule.role_arn, trigger.input)]:
            changes.append("target")
        actions.append(Action("update" if changes else "no-op", RULE, rule.name, tuple(changes), rule))
    wanted = {r.name for r in model.rules}
    actions.extend(_delete_rule(name, found) for name, found in sorted(current.rules.items()) if name not in wanted)
    return actions


def _delete_rule(name: str, rule: dict[str, Any]) -> Action:
    return Action("delete", RULE, name, ids=tuple((f"target{i}", t["Id"]) for i, t in enumerate(rule["Targets"])))
