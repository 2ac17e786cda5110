"""State-machine bodies (``StartAt`` + ``States``) and the states that nest them: Parallel, Map.

A :class:`Branch` is what a Parallel branch, a Map's ItemProcessor and a whole workflow have in
common; building it from a start state walks every link once to find the states it contains.
"""

from __future__ import annotations

from typing import Any

from coworks.biz.errors import WorkflowError
from coworks.biz.states import _COMMON, _RESULT, Chain, State, name_of, ordered


def collect(head: State) -> dict[str, State]:
    """Every state reachable from ``head``, in discovery order, keyed by name.

    Two different objects with one name cannot both live in ASL, so that is reported at once.
    """
    found: dict[str, State] = {}
    todo = [head]
    while todo:
        state = todo.pop(0)
        known = found.get(state.name)
        if known is state:
            continue
        if known is not None:
            raise WorkflowError(
                f"Two different states are named {state.name!r}; give each state a unique name "
                "(a Task calling an entry takes name=...)."
            )
        found[state.name] = state
        todo.extend(s for s in state.successors() if isinstance(s, State))
    return found


class Branch:
    """A state-machine body: where it starts and the states it holds (by name)."""

    def __init__(self, start: State | Chain | Branch, **fields: Any) -> None:
        if isinstance(start, Branch):
            self.start: Any = start.start
            self.states: dict[str, Any] = start.states
            self.fields: dict[str, Any] = {**start.fields, **fields}
            self._order: tuple[str, ...] = start._order
            return
        head = start.head if isinstance(start, Chain) else start
        if not isinstance(head, State):
            raise WorkflowError(f"A workflow or branch starts with a state or a >> chain, got {type(start).__name__}.")
        self.start = head
        self.states = collect(head)
        self.fields = dict(fields)
        self._order = ()

    @classmethod
    def raw(cls, start: Any, states: dict[str, Any], fields: dict[str, Any], order: tuple[str, ...]) -> Branch:
        """A body exactly as loaded from ASL (states may be unreachable or unknown)."""
        body = cls.__new__(cls)
        body.start, body.states, body.fields, body._order = start, states, fields, order
        return body

    def walk(self) -> list[State]:
        """Every state of this body and of the bodies nested in it."""
        out: list[State] = []
        for state in self.states.values():
            if isinstance(state, State):
                out.append(state)
                for body in nested_bodies(state):
                    out.extend(body.walk())
        return out

    def to_asl(self) -> dict[str, Any]:
        data: dict[str, Any] = dict(self.fields)
        if self.start is not None:
            data["StartAt"] = name_of(self.start)
        data["States"] = {n: s.to_asl() if isinstance(s, State) else s for n, s in self.states.items()}
        order = self._order or ("Comment", "QueryLanguage", "StartAt", "States")
        return ordered(data, order)


def nested_bodies(state: State) -> list[Branch]:
    """The bodies nested in a state: Parallel branches or a Map's item processor."""
    if isinstance(state, Parallel):
        return [b for b in state.branches if isinstance(b, Branch)]
    if isinstance(state, Map) and isinstance(state.processor, Branch):
        return [state.processor]
    return []


def as_branch(start: Any) -> Branch:
    return start if isinstance(start, Branch) else Branch(start)


class Parallel(State):
    """Runs every branch on the same input; its result is the list of the branches' outputs."""

    type = "Parallel"
    options = _COMMON | _RESULT | {"parameters", "arguments"}

    def __init__(self, name: str, branches: list[State | Chain | Branch] | None = None, **options: Any) -> None:
        super().__init__(name, **options)
        self.branches: list[Any] = [as_branch(b) for b in branches or []]

    def branch(self, start: State | Chain | Branch) -> Parallel:
        """Add one more branch; returns the state for fluent building."""
        self.branches.append(as_branch(start))
        return self

    def structure(self, data: dict[str, Any]) -> None:
        data["Branches"] = [b.to_asl() if isinstance(b, Branch) else b for b in self.branches]


class Map(State):
    """Runs ``processor`` once per item (``items_path``/``items``, or an S3 ``item_reader``).

    ``mode="DISTRIBUTED"`` (with ``execution_type="STANDARD"`` or ``"EXPRESS"``) makes it a
    distributed Map; ``max_concurrency`` and ``tolerated_failure_*`` behave as on AWS.
    """

    type = "Map"
    options = (
        _COMMON
        | _RESULT
        | {
            "parameters",
            "items_path",
            "items",
            "item_selector",
            "item_reader",
            "item_batcher",
            "result_writer",
            "max_concurrency",
            "max_concurrency_path",
            "tolerated_failure_percentage",
            "tolerated_failure_percentage_path",
            "tolerated_failure_count",
            "tolerated_failure_count_path",
            "label",
        }
    )

    def __init__(
        self,
        name: str,
        processor: State | Chain | Branch | None = None,
        *,
        mode: str | None = None,
        execution_type: str | None = None,
        **options: Any,
    ) -> None:
        super().__init__(name, **options)
        self.processor_key = "ItemProcessor"
        self.processor: Any = as_branch(processor) if processor is not None else None
        if self.processor is not None and (mode or execution_type):
            config = {"Mode": mode or "DISTRIBUTED"}
            if execution_type:
                config["ExecutionType"] = execution_type
            self.processor.fields["ProcessorConfig"] = config

    def structure(self, data: dict[str, Any]) -> None:
        if self.processor is not None:
            proc = self.processor
            data[self.processor_key] = proc.to_asl() if isinstance(proc, Branch) else proc


def s3_item_reader(
    bucket: str, key: str | None = None, *, prefix: str | None = None, input_type: str = "JSON"
) -> dict[str, Any]:
    """An ItemReader for a distributed Map: a JSON/CSV object (``key``) or a listing (``prefix``)."""
    if prefix is not None:
        return {"Resource": "arn:aws:states:::s3:listObjectsV2", "Parameters": {"Bucket": bucket, "Prefix": prefix}}
    if key is None:
        raise WorkflowError("s3_item_reader needs either key= (one object) or prefix= (a listing).")
    return {
        "Resource": "arn:aws:states:::s3:getObject",
        "ReaderConfig": {"InputType": input_type},
        "Parameters": {"Bucket": bucket, "Key": key},
    }
