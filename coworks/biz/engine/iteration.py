"""Parallel and Map steps: run nested bodies, concurrently in time.

The executor compiles the nested bodies and gives them to the step; the step runs them with
:func:`~coworks.biz.engine.scope.run_body`, in child scopes.

With a simulated clock, branches run one after another, each on a fork of the clock that starts
when AWS would start it (all at once for Parallel; as concurrency slots free up for Map), and the
state ends when the last branch does. With a real clock they run in threads.
"""

from __future__ import annotations

import heapq
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from coworks.biz.engine.clock import SimulatedClock
from coworks.biz.engine.invokers import Resolver, TaskContext
from coworks.biz.engine.scope import Body, ExecutionTimedOut, Scope, run_body
from coworks.biz.engine.steps import Step, dumps
from coworks.biz.errors import StatesError
from coworks.biz.lang.jsonata import compile_value, inner, is_jsonata
from coworks.biz.lang.paths import compile_path
from coworks.biz.lang.templates import compile_template


def _run_all(jobs: list[Callable[[Scope], Any]], scope: Scope, limit: int, keep_going: bool,
             state: str = "") -> list[Any]:
    """Run jobs in child scopes; returns each result or StatesError, stopping at the first
    failure unless ``keep_going``. ``limit`` is the concurrency (0: unlimited).

    Each job's output is kept by its place (``state``, index); a job an earlier attempt kept is not
    run again: RedriveExecution "redrives only the iterations and branches that failed or aborted"
    (https://docs.aws.amazon.com/step-functions/latest/apireference/API_RedriveExecution.html)."""
    results: list[Any] = [None] * len(jobs)
    places = [(*scope.place, state, i) for i in range(len(jobs))]
    reuse, kept = scope.run.reuse, scope.run.kept
    for place in places:  # this entry's outputs only (a loop may enter the state again)
        kept.pop(place, None)

    def capture(i: int, child: Scope) -> Any:
        if places[i] in reuse:  # once: a later entry of the same state runs afresh
            result = reuse.pop(places[i])
        else:
            result = _capture(jobs[i], child)
        if not isinstance(result, StatesError):
            kept[places[i]] = result
        return result

    if scope.clock.real:
        workers = limit or min(len(jobs), 64) or 1
        with ThreadPoolExecutor(max_workers=workers) as pool:
            futures = [pool.submit(capture, i, scope.child(scope.clock, place=places[i])) for i in range(len(jobs))]
            for i, future in enumerate(futures):
                results[i] = future.result()
        return results
    start = scope.clock.elapsed()
    slots = [start] * limit if limit else []
    forks = []
    for i in range(len(jobs)):
        fork = scope.clock.fork()
        if limit and isinstance(fork, SimulatedClock):
            fork.advance_to(heapq.heappop(slots))
        child = scope.child(fork, place=places[i])
        results[i] = capture(i, child)
        scope.previous = max(scope.previous, child.previous)
        forks.append(fork)
        if limit:
            heapq.heappush(slots, fork.elapsed())
        if isinstance(results[i], StatesError) and not keep_going:
            break
    scope.clock.join(forks)
    return results


def _capture(job: Callable[[Scope], Any], scope: Scope) -> Any:
    try:
        return job(scope)
    except StatesError as err:
        return err


_DELIMITERS = {"COMMA": ",", "PIPE": "|", "SEMICOLON": ";", "SPACE": " ", "TAB": "\t"}


def read_items(found: Any, config: Any) -> Any:
    """What an ItemReader gives the Map: a list as it is, or an object's content (``s3:getObject``)
    parsed as its ``ReaderConfig.InputType`` says (JSON by default, JSONL, CSV with the header in
    the first row or given), at most ``MaxItems`` of them."""
    import csv
    import io
    import json

    config = config if isinstance(config, dict) else {}
    if isinstance(found, bytes):
        found = found.decode("utf-8")
    if isinstance(found, str):
        kind = str(config.get("InputType", "JSON")).upper()
        try:
            if kind == "JSONL":
                found = [json.loads(line) for line in found.splitlines() if line.strip()]
            elif kind == "CSV":
                delimiter = _DELIMITERS.get(str(config.get("CSVDelimiter", "COMMA")), ",")
                rows = list(csv.reader(io.StringIO(found), delimiter=delimiter))
                if config.get("CSVHeaderLocation", "FIRST_ROW") == "GIVEN":
                    header = [str(h) for h in config.get("CSVHeaders") or []]
                else:
                    header, rows = (rows[0] if rows else []), rows[1:]
                found = [dict(zip(header, row, strict=False)) for row in rows]
            else:
                found = json.loads(found)
        except ValueError as exc:
            raise StatesError("States.ItemReaderFailed", f"The object is not valid {kind}: {exc}") from None
    limit = config.get("MaxItems")
    if isinstance(found, list) and isinstance(limit, int) and limit > 0:
        found = found[:limit]
    return found


class ParallelStep(Step):
    """Parallel: every branch gets the effective input; the result lists their outputs."""

    def __init__(self, name: str, spec: dict[str, Any], ql: str, branches: list[Body]) -> None:
        super().__init__(name, spec, ql)
        self.bodies = branches

    def execute(self, raw: Any, ctx: dict[str, Any], scope: Scope) -> tuple[Any, str | None]:
        return self.guarded(raw, ctx, scope, lambda c: self.attempt(raw, c, scope))

    def attempt(self, raw: Any, ctx: dict[str, Any], scope: Scope) -> Any:
        data = self.effective_input(raw, ctx, scope)
        scope.event("ParallelStateStarted", None)

        def branch(body: Body) -> Callable[[Scope], Any]:
            return lambda s: run_body(body, data, s)

        jobs = [branch(b) for b in self.bodies]
        results = _run_all(jobs, scope, 0, keep_going=False, state=self.name)
        for result in results:
            if isinstance(result, StatesError):
                scope.event("ParallelStateFailed", None)
                raise result
        scope.event("ParallelStateSucceeded", None)
        return results


class MapStep(Step):
    """Map: runs the item processor once per item, ``MaxConcurrency`` at a time."""

    def __init__(self, name: str, spec: dict[str, Any], ql: str, processor: Body) -> None:
        super().__init__(name, spec, ql)
        self.body = processor
        # A Map's Parameters is the legacy name of ItemSelector (applied per item, not to the input).
        self.parameters = None
        selector = self.spec.get("ItemSelector", self.spec.get("Parameters"))
        self.selector_fn: Callable[..., Any] | None = None
        if selector is not None:
            self.selector_fn = compile_value(selector) if self.jsonata else compile_template(selector)
        self.items_path = compile_path(self.spec.get("ItemsPath", "$"))
        self.reader: Callable[[Any, TaskContext], Any] | None = None

    def bind(self, resolver: Resolver) -> dict[str, str]:
        """Resolve the ItemReader resource; returns what could not be resolved."""
        reader = self.spec.get("ItemReader")
        if not reader:
            return {}
        found = resolver.resolve(reader.get("Resource", ""), reader.get("Parameters") or reader.get("Arguments") or {})
        if found is None:
            return {f"{self.name}.ItemReader": reader.get("Resource", "")}
        self.reader = found[1]
        return {}

    def execute(self, raw: Any, ctx: dict[str, Any], scope: Scope) -> tuple[Any, str | None]:
        return self.guarded(raw, ctx, scope, lambda c: self.attempt(raw, c, scope))

    def items(self, raw: Any, data: Any, ctx: dict[str, Any], scope: Scope) -> list[Any]:
        if self.reader is not None:
            reader = self.spec["ItemReader"]
            params = reader.get("Parameters") or reader.get("Arguments") or {}
            if self.jsonata:
                params = compile_value(params)(scope.bindings(raw, ctx))
            else:
                params = compile_template(params)(data, ctx, scope.variables)
            items = read_items(self.reader(params, TaskContext(scope.clock, self.name)), reader.get("ReaderConfig"))
        elif self.jsonata:
            items = compile_value(self.spec["Items"])(scope.bindings(raw, ctx)) if "Items" in self.spec else raw
            if not isinstance(items, list):
                given = self.spec.get("Items")
                text = inner(str(given)) if is_jsonata(given) else dumps(given if "Items" in self.spec
                                                                          else "$states.input")
                kind = {dict: "object", str: "string", bool: "boolean"}.get(type(items), "number" if isinstance(
                    items, int | float) else "null")
                raise StatesError(
                    "States.QueryEvaluationError",
                    f"The JSONata expression '{text}' specified for the field 'Items' returned an unexpected result "
                    f"type. Expected 'array', but was '{kind}' for value: {dumps(items)}")
        else:
            items = self.items_path.get(data, ctx, scope.variables)
        if not isinstance(items, list):
            raise StatesError(
                "States.Runtime", f"Map '{self.name}' needs a JSON array of items, got {type(items).__name__}."
            )
        batcher = self.spec.get("ItemBatcher")
        if batcher:
            size = batcher.get("MaxItemsPerBatch") or len(items) or 1
            extra = batcher.get("BatchInput", {})
            items = [{**extra, "Items": items[i : i + size]} for i in range(0, len(items), size)]
        return items

    def _limit(self, key: str, raw: Any, ctx: dict[str, Any], scope: Scope, data: Any) -> Any:
        """MaxConcurrency, ToleratedFailureCount or ToleratedFailurePercentage, given literally or read
        by its ``...Path`` and then checked as AWS checks it (``States.Runtime`` with AWS's cause)."""
        value = self.number(key, raw, ctx, scope, data)
        path = self.spec.get(f"{key}Path")
        if value is None or path is None:
            return value
        percentage = key == "ToleratedFailurePercentage"
        number = value
        if isinstance(value, str):  # AWS reads "3" as 3
            try:
                number = int(value)
            except ValueError:
                number = value
        shown = value if isinstance(value, str) else dumps(value)
        valid = isinstance(number, int | float) if percentage else isinstance(number, int)
        if isinstance(number, bool) or not valid:
            kind = "float" if percentage else "integer"
            raise StatesError("States.Runtime",
                              f'The {key}Path field refers to value "{shown}" which is not a valid {kind}: {path}')
        if key == "MaxConcurrency" and number < 0:
            raise StatesError("States.Runtime",
                              f"Expected non-negative integer for MaxConcurrency, got '{number}' instead.")
        if key == "ToleratedFailureCount" and number < 0:
            raise StatesError("States.Runtime", "ToleratedFailureCount cannot be negative.")
        if percentage and not 0 <= number <= 100:
            raise StatesError("States.Runtime", "ToleratedFailurePercentage must be between 0 and 100.")
        return number

    def attempt(self, raw: Any, ctx: dict[str, Any], scope: Scope) -> Any:
        data = raw if self.jsonata else self.effective_input(raw, ctx, scope)
        items = self.items(raw, data, ctx, scope)
        limit = self._limit("MaxConcurrency", raw, ctx, scope, data) or 0
        count = self._limit("ToleratedFailureCount", raw, ctx, scope, data)
        percent = self._limit("ToleratedFailurePercentage", raw, ctx, scope, data)
        tolerant = count is not None or percent is not None
        scope.event("MapStateStarted", {"length": len(items)})

        def job(index: int, item: Any) -> Callable[[Scope], Any]:
            def run(child: Scope) -> Any:
                child.map_item = {"Index": index, "Value": item}
                value = item
                if self.selector_fn is not None:
                    item_ctx = self.context(child, child.clock.now())
                    if self.jsonata:
                        value = self.selector_fn(child.bindings(raw, item_ctx))
                    else:
                        value = self.selector_fn(data, item_ctx, child.variables)
                details = {"name": self.name, "index": index}
                child.event("MapIterationStarted", details)
                try:
                    out = run_body(self.body, value, child)
                except StatesError:
                    child.event("MapIterationFailed", details)
                    raise
                child.event("MapIterationSucceeded", details)
                return out

            return run

        results = _run_all([job(i, it) for i, it in enumerate(items)], scope, limit, keep_going=tolerant,
                           state=self.name)
        failures = [r for r in results if isinstance(r, StatesError)]
        timed_out = next((r for r in failures if isinstance(r, ExecutionTimedOut)), None)
        if timed_out is not None:  # the execution's deadline, not an item's failure: nothing tolerates it
            raise timed_out
        if failures:
            too_many = not tolerant
            if count is not None and len(failures) > count:
                too_many = True
            if percent is not None and len(failures) * 100.0 / max(len(items), 1) > percent:
                too_many = True
            if too_many:
                scope.event("MapStateFailed", None)
                if tolerant:
                    raise StatesError(
                        "States.ExceedToleratedFailureThreshold",
                        f"Map '{self.name}' had {len(failures)} failed items of {len(items)}.",
                    )
                raise failures[0]
        scope.event("MapStateSucceeded", None)
        return [{"Error": r.error, "Cause": r.cause} if isinstance(r, StatesError) else r for r in results]
