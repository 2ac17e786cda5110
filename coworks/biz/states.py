"""Python objects for the Step Functions state types, and ``>>`` chaining.

A state keeps its ASL fields verbatim in ``fields`` (keyed by their ASL names, in order) and only
models what links states together (``next``, ``catch``, ``retry``; choices and branches in the
subclasses). That keeps ``Workflow.from_asl(d).to_asl() == d`` true for any definition, including
fields this module has never heard of, while the builder still reads like Python:

    check = Task(inventory.get_item, item_id=Ref("$.id")).retry(["HTTP500"], max_attempts=3)
    Pass("Start") >> check >> Succeed("Done")
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, ClassVar

from coworks.biz.entries import entry_fields
from coworks.biz.errors import WorkflowError
from coworks.biz.refs import encode_template

#: Python option name -> ASL field name, for every plain (non-linking) field.
ASL_NAMES: dict[str, str] = {
    "comment": "Comment",
    "query_language": "QueryLanguage",
    "input_path": "InputPath",
    "output_path": "OutputPath",
    "parameters": "Parameters",
    "arguments": "Arguments",
    "result_selector": "ResultSelector",
    "result_path": "ResultPath",
    "output": "Output",
    "assign": "Assign",
    "result": "Result",
    "resource": "Resource",
    "credentials": "Credentials",
    "timeout_seconds": "TimeoutSeconds",
    "timeout_seconds_path": "TimeoutSecondsPath",
    "heartbeat_seconds": "HeartbeatSeconds",
    "heartbeat_seconds_path": "HeartbeatSecondsPath",
    "seconds": "Seconds",
    "seconds_path": "SecondsPath",
    "timestamp": "Timestamp",
    "timestamp_path": "TimestampPath",
    "error": "Error",
    "error_path": "ErrorPath",
    "cause": "Cause",
    "cause_path": "CausePath",
    "items_path": "ItemsPath",
    "items": "Items",
    "item_selector": "ItemSelector",
    "item_reader": "ItemReader",
    "item_batcher": "ItemBatcher",
    "result_writer": "ResultWriter",
    "max_concurrency": "MaxConcurrency",
    "max_concurrency_path": "MaxConcurrencyPath",
    "tolerated_failure_percentage": "ToleratedFailurePercentage",
    "tolerated_failure_percentage_path": "ToleratedFailurePercentagePath",
    "tolerated_failure_count": "ToleratedFailureCount",
    "tolerated_failure_count_path": "ToleratedFailureCountPath",
    "label": "Label",
}

_COMMON = frozenset({"comment", "query_language", "input_path", "output_path", "output", "assign"})
_RESULT = frozenset({"result_path", "result_selector"})


def ordered(data: dict[str, Any], order: tuple[str, ...]) -> dict[str, Any]:
    """Reorder ``data`` keys as they were in the loaded source so JSON text round-trips too."""
    if not order:
        return data
    out = {k: data[k] for k in order if k in data}
    out.update((k, v) for k, v in data.items() if k not in out)
    return out


def name_of(target: Any) -> Any:
    """The ASL name of a link target: a State's name, or the raw value loaded from ASL."""
    return target.name if isinstance(target, State) else target


class Retry:
    """One Retry rule; ``Retry(["HTTP500"], interval=2, max_attempts=5, max_delay=30)``."""

    def __init__(
        self,
        errors: list[str] | None = None,
        *,
        interval: float | None = None,
        max_attempts: int | None = None,
        backoff_rate: float | None = None,
        max_delay: float | None = None,
        jitter: str | None = None,
        comment: str | None = None,
    ) -> None:
        given = {
            "ErrorEquals": errors if errors is not None else ["States.ALL"],
            "IntervalSeconds": interval,
            "MaxAttempts": max_attempts,
            "BackoffRate": backoff_rate,
            "MaxDelaySeconds": max_delay,
            "JitterStrategy": jitter,
            "Comment": comment,
        }
        self.fields: dict[str, Any] = {k: v for k, v in given.items() if v is not None}

    @classmethod
    def from_asl(cls, data: Any) -> Retry:
        retry = cls.__new__(cls)
        retry.fields = dict(data) if isinstance(data, dict) else data
        return retry

    def to_asl(self) -> Any:
        return dict(self.fields) if isinstance(self.fields, dict) else self.fields


class Catch:
    """One Catch rule: on any of ``errors``, continue at ``next`` with the error placed by
    ``result_path`` (JSONPath) or ``output``/``assign`` (JSONata)."""

    def __init__(self, errors: list[str] | None, next: State | str, **options: Any) -> None:
        self.fields: dict[str, Any] = {"ErrorEquals": errors if errors is not None else ["States.ALL"]}
        for key, value in options.items():
            if key not in ("result_path", "output", "assign", "comment"):
                raise WorkflowError(f"Catch does not take {key!r}; use result_path, output, assign or comment.")
            self.fields[ASL_NAMES[key]] = encode_template(value) if key == "assign" else value
        self.next: Any = next
        self._order: tuple[str, ...] = ()

    @classmethod
    def from_asl(cls, data: dict[str, Any]) -> Catch:
        catch = cls.__new__(cls)
        catch.fields = {k: v for k, v in data.items() if k != "Next"}
        catch.next = data.get("Next")
        catch._order = tuple(data)
        return catch

    def to_asl(self) -> dict[str, Any]:
        data = dict(self.fields)
        if self.next is not None:
            data["Next"] = name_of(self.next)
        return ordered(data, self._order)


class State:
    """Base of every state: a name, ASL fields, and the links to the states that may follow."""

    type: ClassVar[str] = ""
    options: ClassVar[frozenset[str]] = _COMMON
    #: Choice, Succeed and Fail decide their own successor (or have none): no Next/End.
    terminal: ClassVar[bool] = False
    #: Loaded from ASL: written back as it was (no implicit ``End``), so problems stay visible.
    loaded: bool = False

    def __init__(self, name: str, **options: Any) -> None:
        if not isinstance(name, str) or not name:
            raise WorkflowError(f"A {type(self).__name__} needs a non-empty name as first argument, got {name!r}.")
        self.name = name
        self.fields: dict[str, Any] = {}
        self.next: Any = None
        self.end: Any = None
        self.retries: list[Retry] = []
        self.catches: list[Catch] = []
        self._order: tuple[str, ...] = ()
        nxt = options.pop("next", None)
        end = options.pop("end", None)
        if not self.terminal:
            self.next, self.end = nxt, end
        elif nxt is not None or end is not None:
            raise WorkflowError(f"{self.type} state {name!r} cannot take next/end; it decides its own successor.")
        self.set(**options)

    def set(self, **options: Any) -> State:
        """Set ASL fields by their Python names (``result_path="$.x"``); returns the state."""
        for key, value in options.items():
            if key not in self.options:
                allowed = ", ".join(sorted(self.options))
                raise WorkflowError(f"{self.type} state {self.name!r} does not take {key!r}; use one of: {allowed}.")
            asl = ASL_NAMES[key]
            if value is None and key != "result_path":
                self.fields.pop(asl, None)
            else:
                self.fields[asl] = encode_template(value)
        return self

    def retry(self, errors: list[str] | None = None, **options: Any) -> State:
        """Add a Retry rule (see :class:`Retry`); returns the state for fluent building."""
        self._check_handlers("retry")
        self.retries.append(Retry(errors, **options))
        return self

    def catch(self, errors: list[str] | None, next: State | str, **options: Any) -> State:
        """Add a Catch rule (see :class:`Catch`); returns the state for fluent building."""
        self._check_handlers("catch")
        self.catches.append(Catch(errors, next, **options))
        return self

    def _check_handlers(self, what: str) -> None:
        if self.type not in ("Task", "Parallel", "Map"):
            raise WorkflowError(f"{self.type} state {self.name!r} cannot {what}; only Task, Parallel and Map can.")

    def successors(self) -> Iterator[Any]:
        """Every state (or raw name) this state may transition to, in ASL order."""
        if self.next is not None:
            yield self.next
        for catch in self.catches:
            if catch.next is not None:
                yield catch.next

    def structure(self, data: dict[str, Any]) -> None:
        """Add the subclass's linking fields (Choices, Branches, ...) to ``data``."""

    def to_asl(self) -> dict[str, Any]:
        data: dict[str, Any] = {"Type": self.type}
        data.update(self.fields)
        self.structure(data)
        if self.retries:
            data["Retry"] = [r.to_asl() for r in self.retries]
        if self.catches:
            data["Catch"] = [c.to_asl() for c in self.catches]
        if self.next is not None:
            data["Next"] = name_of(self.next)
        if self.end is not None:
            data["End"] = self.end
        elif self.next is None and not self.terminal and not self.loaded:
            data["End"] = True
        return ordered(data, self._order)

    def __rshift__(self, other: State | Chain) -> Chain:
        return Chain(self, self) >> other

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.name!r})"


class Chain:
    """States linked with ``>>``: ``head`` is where it starts, ``tail`` where the next link attaches."""

    def __init__(self, head: State, tail: State) -> None:
        self.head = head
        self.tail = tail

    def __rshift__(self, other: State | Chain) -> Chain:
        nxt = other if isinstance(other, Chain) else Chain(other, other)
        if not isinstance(nxt.head, State):
            raise WorkflowError(f"Only states can be chained with >>, got {type(other).__name__}.")
        tail = self.tail
        if tail.terminal:
            raise WorkflowError(
                f"Nothing can follow {tail.type} state {tail.name!r} with >>; "
                + ("give each rule a target with .when() and .otherwise()." if tail.type == "Choice" else "it ends.")
            )
        if tail.next is not None and tail.next is not nxt.head:
            raise WorkflowError(f"State {tail.name!r} already continues to {name_of(tail.next)!r}; it cannot have two.")
        tail.next = nxt.head
        tail.end = None
        return Chain(self.head, nxt.tail)


class Pass(State):
    """Passes its input to its output, optionally shaped by Parameters/Result (no work done)."""

    type = "Pass"
    options = _COMMON | {"parameters", "result", "result_path"}


class Wait(State):
    """Waits a number of seconds or until a timestamp (simulated instantly by ``run_local``)."""

    type = "Wait"
    options = _COMMON | {"seconds", "seconds_path", "timestamp", "timestamp_path"}


class Succeed(State):
    """Ends the execution (or branch) successfully."""

    type = "Succeed"
    terminal = True
    options = frozenset({"comment", "query_language", "input_path", "output_path", "output"})


class Fail(State):
    """Ends the execution (or branch) with an error name and a cause."""

    type = "Fail"
    terminal = True
    options = frozenset({"comment", "query_language", "error", "error_path", "cause", "cause_path"})


def _entry_parameters(entry: Any) -> set[str]:
    """The names an entry takes (none for what has no signature)."""
    import inspect

    try:
        return set(inspect.signature(entry).parameters)
    except (TypeError, ValueError):
        return set()


class Task(State):
    """Does work: calls a Resource ARN, or a TechMicroService entry given as a bound method.

    ``Task(inventory.get_item, item_id=Ref("$.id"))`` compiles to a Lambda invoke of the
    service's direct-invocation event (see :mod:`coworks.biz.entries`); keyword arguments that
    are not state options are the entry's arguments (or pass them as ``args={...}``).
    """

    type = "Task"
    options = (
        _COMMON
        | _RESULT
        | {
            "parameters",
            "arguments",
            "resource",
            "credentials",
            "timeout_seconds",
            "timeout_seconds_path",
            "heartbeat_seconds",
            "heartbeat_seconds_path",
        }
    )

    def __init__(self, name_or_entry: Any, resource: str | None = None, **options: Any) -> None:
        if isinstance(name_or_entry, str):
            if resource is not None:
                options["resource"] = resource
            super().__init__(name_or_entry, **options)
            return
        given = options.pop("args", None)
        args = dict(given or {})
        if given is None:  # keywords only: one that the entry and the state both take is ambiguous
            both = sorted(k for k in options if k in _entry_parameters(name_or_entry)
                          and (k in self.options or k in ("next", "end", "name")))
            if both:
                entry = getattr(name_or_entry, "__name__", "the entry")
                raise WorkflowError(
                    f"Task({entry}): {', '.join(both)} is both a parameter of {entry} and an option of the state; "
                    f"pass the entry's in args={{{', '.join(repr(k) + ': ...' for k in both)}}} (the keywords "
                    "are then the state's).")
        for key in [k for k in options if k not in self.options and k not in ("next", "end", "name")]:
            args[key] = options.pop(key)
        name = options.pop("name", None)
        jsonata = options.get("query_language") == "JSONata"
        default_name, fields = entry_fields(name_or_entry, args, jsonata=jsonata)
        super().__init__(name or default_name, **options)
        self.entry_call: tuple[Any, dict[str, Any]] | None = (name_or_entry, args)
        self._entry_keys = tuple(k for k in fields if k not in self.fields)
        self.fields = {**{k: fields[k] for k in self._entry_keys}, **self.fields}

    def use_jsonata(self) -> None:
        """Recompile an entry call for a JSONata workflow (Arguments/Output instead of Parameters)."""
        if getattr(self, "entry_call", None) is None or "QueryLanguage" in self.fields:
            return
        entry, args = self.entry_call  # type: ignore[misc]
        for key in self._entry_keys:
            self.fields.pop(key, None)
        _, fields = entry_fields(entry, args, jsonata=True)
        self._entry_keys = tuple(k for k in fields if k not in self.fields)
        self.fields = {**{k: fields[k] for k in self._entry_keys}, **self.fields}
