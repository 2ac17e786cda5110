"""Workflows (BizMicroServices): build Step Functions state machines in Python, validate them,
draw them and run them locally with AWS semantics.

    from coworks.biz import Workflow, Task, Choice, Var, Succeed, Fail

    check = Task(inventory.get_item, item_id=Ref("$.id"), result_path="$.item")
    wf = Workflow("restock", check >> Choice("Low?").when(Var("$.item.body.qty") < 5, order).otherwise(done))
    wf.validate(); wf.graph(); wf.run_local({"id": 3}, services=[inventory])

Heavy libraries (graphviz, jsonpath-ng, jsonata) are imported only by the functions that use them.
"""

from coworks.biz.branches import Branch, Map, Parallel, s3_item_reader
from coworks.biz.choice import And, Choice, Condition, Not, Or, Rule, Var
from coworks.biz.clock import RealClock, SimulatedClock
from coworks.biz.errors import (
    Problem,
    UnresolvedResourceError,
    WorkflowError,
    WorkflowValidationError,
)
from coworks.biz.execution import Execution
from coworks.biz.invokers import BotoLambdaInvoker, Invoker, TaskContext
from coworks.biz.states import Catch, Chain, Fail, Pass, Ref, Retry, State, Succeed, Task, Wait
from coworks.biz.workflow import Workflow

__all__ = [
    "And",
    "Branch",
    "Catch",
    "Chain",
    "Choice",
    "Condition",
    "Execution",
    "Fail",
    "Invoker",
    "BotoLambdaInvoker",
    "Map",
    "Not",
    "Or",
    "Parallel",
    "Pass",
    "Problem",
    "Ref",
    "Retry",
    "RealClock",
    "Rule",
    "SimulatedClock",
    "State",
    "Succeed",
    "Task",
    "TaskContext",
    "UnresolvedResourceError",
    "Var",
    "Wait",
    "Workflow",
    "WorkflowError",
    "WorkflowValidationError",
    "s3_item_reader",
]
