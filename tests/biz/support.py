"""What the biz tests share: two sample TechMicroServices, a fixed start time, a sample workflow,
the ASL corpus and a reader of event types. The fixtures over them are in ``conftest.py``."""

from __future__ import annotations

import json
import string
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from hypothesis import strategies as st

from coworks import TechMicroService, entry
from coworks.biz import Choice, Fail, Map, Parallel, Pass, Succeed, Task, Var, Wait, Workflow
from coworks.runtime import NotFound

CORPUS = Path(__file__).parent / "corpus"
T0 = datetime(2024, 1, 1, tzinfo=UTC)


class Inventory(TechMicroService):
    """Stock of items."""

    def __init__(self) -> None:
        super().__init__()
        self.calls: list[str] = []

    @entry
    def get_item(self, item_id: int) -> Any:
        self.calls.append(f"get {item_id}")
        if item_id == 404:
            raise NotFound(f"no item {item_id}")
        return {"id": item_id, "qty": item_id % 7}

    @entry
    def post_item(self, *, name: str, qty: int = 0) -> Any:
        self.calls.append(f"post {name}")
        return {"name": name, "qty": qty}, 201

    @entry
    def get_search(self, q: str = "", limit: int = 10) -> Any:
        return {"q": q, "limit": limit}


class Billing(TechMicroService):
    """Invoices."""

    @entry
    def post_invoice(self, *, item: int, amount: float) -> Any:
        return {"item": item, "amount": amount, "status": "sent"}


def corpus() -> dict[str, dict[str, Any]]:
    """Real-world ASL definitions (from the AWS documentation and the ASL specification)."""
    return {p.stem: json.loads(p.read_text()) for p in sorted(CORPUS.glob("*.json"))}


def types(execution: Any) -> list[str]:
    """The event types of an execution, in order."""
    return [e["type"] for e in execution.history]


def sample_workflow() -> Workflow:
    """One workflow with every kind of state, a Retry and a Catch (drawn and run by several tests)."""
    fn = "arn:aws:lambda:us-east-1:123456789012:function:work"
    oops = Fail("Oops", error="E")
    work = Task("Work", fn).retry(["Flaky"], max_attempts=2).catch(["States.ALL"], oops, result_path="$.error")
    choice = Choice("Big?").when(Var("$.n") > 10, Succeed("Yes")).otherwise(Pass("Small"))
    par = Parallel("Both", [Pass("Left"), Wait("Right", seconds=1)], result_path="$.both")
    each = Map("Each", Pass("Item"), items_path="$.items", result_path="$.each")
    return Workflow("sample", work >> par >> each >> choice)


# -- generated definitions (hypothesis) --------------------------------------------------------
names = st.text(alphabet=string.ascii_letters + string.digits + " -_", min_size=1, max_size=12)
result_paths = st.sampled_from(["$", "$.a", "$.a.b", "$.list[0]", "$['oddKey']"])
paths = st.one_of(result_paths, st.just("$$.Execution.Id"))
scalars = st.one_of(st.none(), st.booleans(), st.integers(-1000, 1000), st.text(max_size=8))
json_values = st.recursive(
    scalars,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner, max_size=3),
    max_leaves=6,
)


@st.composite
def state_machines(draw: Any, depth: int = 0) -> dict[str, Any]:
    """A valid-looking ASL definition: every state type, nested bodies, fields in any order."""
    state_names = draw(st.lists(names, min_size=1, max_size=5, unique=True))
    if depth:  # names are unique in the whole machine, nested bodies included
        prefix = f"b{draw(st.integers(0, 10**9))}-"
        state_names = [prefix + n for n in state_names]
    states: dict[str, Any] = {}
    for i, name in enumerate(state_names):
        following = state_names[i + 1] if i + 1 < len(state_names) else None
        flow: dict[str, Any] = {"Next": following} if following else {"End": True}
        kind = draw(st.sampled_from(["Pass", "Task", "Wait", "Choice", "Succeed", "Fail", "Parallel", "Map"]))
        if depth >= 1 and kind in ("Parallel", "Map"):
            kind = "Pass"
        state: dict[str, Any] = {"Type": kind}
        if draw(st.booleans()):
            state["Comment"] = draw(st.text(max_size=10))
        if kind == "Pass":
            if draw(st.booleans()):
                state["Result"] = draw(json_values)
            if draw(st.booleans()):
                state["ResultPath"] = draw(st.one_of(st.none(), result_paths))
            state.update(flow)
        elif kind == "Task":
            state["Resource"] = "arn:aws:lambda:us-east-1:123456789012:function:f"
            if draw(st.booleans()):
                state["Parameters"] = {"x.$": draw(paths), "y": draw(json_values)}
            if draw(st.booleans()):
                state["Retry"] = [{"ErrorEquals": ["States.ALL"], "MaxAttempts": draw(st.integers(0, 5))}]
            if draw(st.booleans()):
                state["Catch"] = [{"ErrorEquals": ["States.ALL"], "Next": state_names[0]}]
            state.update(flow)
        elif kind == "Wait":
            state["Seconds"] = draw(st.integers(0, 100))
            state.update(flow)
        elif kind == "Choice":
            target = following or state_names[0]
            state["Choices"] = [{"Variable": draw(paths), "NumericGreaterThan": draw(st.integers()), "Next": target}]
            if draw(st.booleans()):
                state["Default"] = state_names[0]
        elif kind == "Fail":
            state["Error"] = draw(st.text(max_size=6))
        elif kind == "Parallel":
            state["Branches"] = [draw(state_machines(depth + 1)) for _ in range(draw(st.integers(1, 2)))]
            state.update(flow)
        elif kind == "Map":
            state["ItemsPath"] = draw(paths)
            state["ItemProcessor"] = draw(state_machines(depth + 1))
            if draw(st.booleans()):
                state["MaxConcurrency"] = draw(st.integers(0, 10))
            state.update(flow)
        keys = list(state)
        order = draw(st.permutations(keys))
        states[name] = {k: state[k] for k in order}
    machine: dict[str, Any] = {"StartAt": state_names[0], "States": states}
    if depth == 0 and draw(st.booleans()):
        machine = {"Comment": draw(st.text(max_size=10)), **machine}
    return machine
