"""Workflows (BizMicroServices): build Step Functions state machines in Python, validate them,
draw them and run them locally with AWS semantics.

    from coworks.biz import Workflow, Task, Choice, Var, Succeed, Fail

    check = Task(inventory.get_item, item_id=Ref("$.id"), result_path="$.item")
    wf = Workflow("restock", check >> Choice("Low?").when(Var("$.item.body.qty") < 5, order).otherwise(done))
    wf.validate(); wf.graph(); wf.run_local({"id": 3}, services=[inventory])

The package is the builder people use (states, choice rules, branches, entries, refs, the ASL
loader, the graph and history views); ``lang/`` holds the languages written inside a definition
(JSONPath, intrinsic functions, payload templates, JSONata, the field tables and validation) and
``engine/`` the local executor (steps, scope, iteration, invokers, clock, execution). Inside the
layer, imports point one way: builder -> engine -> lang -> errors, with ``errors`` at the bottom
(an execution reaches back up only to draw itself).

Heavy libraries (graphviz, jsonpath-ng, jsonata) are imported only by the functions that use them.
Old module paths (``coworks.biz.executor``...) still import, with a DeprecationWarning naming the
new one (see :mod:`coworks.moved`).
"""

from coworks.biz.branches import Branch, Map, Parallel, s3_item_reader
from coworks.biz.choice import And, Choice, Condition, Not, Or, Rule, Var
from coworks.biz.engine.clock import RealClock, SimulatedClock
from coworks.biz.engine.execution import Execution
from coworks.biz.engine.invokers import BotoLambdaInvoker, Invoker, TaskContext
from coworks.biz.errors import (
    ExpressionSyntaxError,
    IntrinsicSyntaxError,
    JsonataSyntaxError,
    PathSyntaxError,
    Problem,
    StateNotFoundError,
    StatesError,
    UnresolvedResourceError,
    WorkflowError,
    WorkflowValidationError,
)
from coworks.biz.refs import Ref
from coworks.biz.states import Catch, Chain, Fail, Pass, Retry, State, Succeed, Task, Wait
from coworks.biz.workflow import Workflow
from coworks.moved import install as _install_moved

__all__ = [
    "And",
    "Branch",
    "Catch",
    "Chain",
    "Choice",
    "Condition",
    "Execution",
    "ExpressionSyntaxError",
    "Fail",
    "IntrinsicSyntaxError",
    "Invoker",
    "JsonataSyntaxError",
    "BotoLambdaInvoker",
    "Map",
    "Not",
    "Or",
    "Parallel",
    "PathSyntaxError",
    "Pass",
    "Problem",
    "Ref",
    "Retry",
    "RealClock",
    "Rule",
    "SimulatedClock",
    "State",
    "StateNotFoundError",
    "StatesError",
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

_install_moved()
