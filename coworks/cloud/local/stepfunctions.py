"""The local cloud's Step Functions data plane: executions run by the Coworks executor.

moto holds the state machines (their definitions, roles, tags); the executions are run here, each
in a background thread with the biz executor on a real clock, its Tasks invoking the deployed
functions in the local Lambda workers. The front door hands over the JSON-protocol operations
below (``X-Amz-Target: AWSStepFunctions.<Operation>``) and answers them in the shapes boto3
expects, so ``boto3.client("stepfunctions")`` on the local endpoint sees real executions.

- Express state machines: ``StartSyncExecution`` runs one to its end within the request (it is
  refused for a STANDARD machine, as on AWS), their executions have ``...:express:...`` ARNs, which
  DescribeExecution, GetExecutionHistory and StopExecution refuse (``InvalidArn``), and they time
  out after 5 minutes (TIMED_OUT; the executor's deadline, on the clock ``LocalStepFunctions`` is given).
  boto3 sends StartSyncExecution to the host ``sync-<endpoint host>`` (the operation's host
  prefix): for ``http://127.0.0.1:PORT`` that host does not resolve and the request never leaves
  boto3 (aws-cli issue 6898, aws-sdk-js-v3 issue 7146). The front door's ``sync_url``,
  ``http://coworks@127.0.0.1:PORT``, survives it: the prefix lands in the userinfo
  (``sync-coworks@127.0.0.1``), the host stays this one, and the request is answered here. Every
  other Step Functions operation works there too: a LocalCloud's own client uses it, and deployed
  functions get it as ``AWS_ENDPOINT_URL_SFN``.
- ``TestState`` runs one state on its own, as the console's "Test state" does.
- ``RedriveExecution`` restarts a failed, timed-out or aborted execution, within 14 days of its end,
  from the top-level state that did not succeed, with the input it had and the definition it started
  with, in the same history (``ExecutionRedriven``); a Parallel's branches and a Map's iterations
  that succeeded are not run again (API_RedriveExecution.html, redrive-executions.html).
- A Distributed Map's ``ItemReader`` reads the local S3 (``s3:getObject``, ``s3:listObjectsV2``).
"""

from __future__ import annotations

import json
import threading
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from .controlplane import ACCOUNT, ControlPlaneLookupError, StateMachineConfig, state_machine
from .http.wsgi import read_body

TYPE_CHECKING = False
if TYPE_CHECKING:
    from ...biz.engine.clock import Clock
    from .lambdas import LocalLambda

PREFIX = "AWSStepFunctions."
_ENDS = {"ExecutionSucceeded": "SUCCEEDED", "ExecutionFailed": "FAILED", "ExecutionTimedOut": "TIMED_OUT"}
#: How long after its end an execution may be redriven (RedriveExecution: "in the last 14 days").
REDRIVABLE = timedelta(days=14)

StartResponse = Callable[..., Any]


class _Aborted(BaseException):
    """Raised into a stopped execution's thread at its next event: not an ``Exception``, so no Task
    or Catch in the workflow can swallow it."""


class Fault(Exception):
    """An error answer of the Step Functions API: AWS's code and message, HTTP 400."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code


@dataclass
class LocalExecution:
    """One execution and its history, as the API describes it."""

    arn: str
    machine_arn: str
    name: str
    input: str
    start: datetime
    #: The definition the execution started with: a redrive runs it again, whatever the machine has now.
    definition: str = "{}"
    status: str = "RUNNING"
    output: str | None = None
    error: str | None = None
    cause: str | None = None
    stop: datetime | None = None
    events: list[dict[str, Any]] = field(default_factory=list)
    clock: Any = None
    #: The end the executor reported (status, time, details), applied once its logs are written.
    ending: tuple[str, datetime, dict[str, Any]] | None = None
    redrives: int = 0
    redriven: datetime | None = None
    #: The outputs of the Parallel branches and Map iterations that succeeded (the executor's ``kept``).
    kept: dict[tuple[Any, ...], Any] = field(default_factory=dict, repr=False)
    #: Added to the ids the executor gives a redrive's events, so the history goes on.
    offset: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def end(self, status: str, when: datetime, *, output: str | None = None, error: str | None = None,
            cause: str | None = None) -> None:
        self.status, self.stop, self.output, self.error, self.cause = status, when, output, error, cause

    def unredrivable(self, now: datetime) -> str | None:
        """Why RedriveExecution would refuse this execution now (DescribeExecution's
        ``redriveStatusReason``, in its words), or None when it may be redriven."""
        if self.status not in ("FAILED", "TIMED_OUT", "ABORTED"):
            return f"Execution is {self.status} and cannot be redriven."
        if self.stop is not None and now - self.stop > REDRIVABLE:
            return "Execution redrivable period exceeded."
        return None

    def describe(self, now: datetime | None = None) -> dict[str, Any]:
        reason = self.unredrivable(now or datetime.now(UTC))
        answer: dict[str, Any] = {
            "executionArn": self.arn, "stateMachineArn": self.machine_arn, "name": self.name, "status": self.status,
            "startDate": self.start.timestamp(), "input": self.input, "inputDetails": {"included": True},
            "redriveCount": self.redrives, "redriveStatus": "NOT_REDRIVABLE" if reason else "REDRIVABLE",
        }
        if reason:
            answer["redriveStatusReason"] = reason
        if self.redriven is not None:
            answer["redriveDate"] = self.redriven.timestamp()
        if self.stop is not None:
            answer["stopDate"] = self.stop.timestamp()
        if self.output is not None:
            answer.update(output=self.output, outputDetails={"included": True})
        answer.update({k: v for k, v in (("error", self.error), ("cause", self.cause)) if v is not None})
        return answer


class LocalStepFunctions:
    """StartExecution, StartSyncExecution, DescribeExecution, StopExecution, ListExecutions and
    GetExecutionHistory over the state machines stored in the local control plane."""

    def __init__(self, lambdas: LocalLambda, clock: Callable[[], Clock] | None = None) -> None:
        """``clock`` makes each execution's clock (real time by default; a test gives simulated
        ones, so an Express execution's 5 minutes pass at once)."""
        from ...biz.engine.clock import RealClock

        self.lambdas = lambdas
        self.clock: Callable[[], Clock] = clock or RealClock
        self.executions: dict[str, LocalExecution] = {}
        self._lock = threading.Lock()
        self._operations: dict[str, Callable[[dict[str, Any]], dict[str, Any]]] = {
            "StartExecution": self.start_execution,
            "StartSyncExecution": self.start_sync_execution,
            "DescribeExecution": self.describe_execution,
            "StopExecution": self.stop_execution,
            "ListExecutions": self.list_executions,
            "GetExecutionHistory": self.get_execution_history,
            "TestState": self.test_state,
            "RedriveExecution": self.redrive_execution,
        }

    def handles(self, environ: dict[str, Any]) -> bool:
        """Whether the request is one of the operations served here (the rest is moto's)."""
        target = str(environ.get("HTTP_X_AMZ_TARGET", ""))
        return target.startswith(PREFIX) and target[len(PREFIX):] in self._operations

    def __call__(self, environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        operation = self._operations[str(environ["HTTP_X_AMZ_TARGET"])[len(PREFIX):]]
        try:
            request = json.loads(read_body(environ) or b"{}")
            answer, status = operation(request), "200 OK"
        except Fault as fault:
            answer, status = {"__type": fault.code, "message": str(fault)}, "400 Bad Request"
        except ValueError:
            answer, status = {"__type": "SerializationException", "message": "The request is not JSON."}, \
                "400 Bad Request"
        body = json.dumps(answer).encode()
        start_response(status, [("Content-Type", "application/x-amz-json-1.0"), ("Content-Length", str(len(body))),
                                ("x-amzn-RequestId", str(uuid.uuid4()))])
        return [body]

    # -- operations ----------------------------------------------------------------------

    def start_execution(self, request: dict[str, Any]) -> dict[str, Any]:
        execution, config, data = self._new(request)
        threading.Thread(target=self._run, args=(execution, config, data), daemon=True,
                         name=f"coworks-execution-{execution.name}").start()
        return {"executionArn": execution.arn, "startDate": execution.start.timestamp()}

    def start_sync_execution(self, request: dict[str, Any]) -> dict[str, Any]:
        """Run an Express execution to its end and answer it (StartSyncExecution's response fields)."""
        execution, config, data = self._new(request, express_only=True)
        self._run(execution, config, data)
        answer = {k: v for k, v in execution.describe().items() if not k.startswith("redrive")}
        elapsed = ((execution.stop or execution.start) - execution.start).total_seconds() * 1000
        # Express bills by 64 MB and 100 ms steps.
        answer["billingDetails"] = {"billedMemoryUsedInMB": 64,
                                    "billedDurationInMilliseconds": max(100, -(-int(elapsed) // 100) * 100)}
        return answer

    def test_state(self, request: dict[str, Any]) -> dict[str, Any]:
        """TestState: one state, run on its own with the given input and variables; its output, the
        next state, and ``SUCCEEDED``, ``FAILED``, ``CAUGHT_ERROR`` or ``RETRIABLE`` (a Retry would
        match: TestState never retries)."""
        from ...biz.engine.clock import SimulatedClock
        from ...biz.engine.executor import Executor
        from ...biz.errors import WorkflowError
        from .invoker import LambdaInvoker

        try:
            state = json.loads(str(request.get("definition") or ""))
            data = json.loads(str(request.get("input") or "{}"))
            variables = json.loads(str(request.get("variables") or "{}"))
        except ValueError:
            raise Fault("InvalidDefinition", "The definition, input and variables must be JSON text.") from None
        if not isinstance(state, dict) or "Type" not in state:
            raise Fault("InvalidDefinition", "The definition must be one state: a JSON object with a Type.")
        retriers = state.pop("Retry", None)
        targets = {t for t in _targets(state)}
        name = "TestState" if "TestState" not in targets else "TestState_"
        states = {name: state, **{t: {"Type": "Succeed"} for t in targets}}
        if variables:  # assigned by a Pass before the state, so the state reads them as $name
            states = {"Variables": {"Type": "Pass", "Assign": variables, "Next": name}, **states}
        definition = {"StartAt": "Variables" if variables else name, "States": states}
        if state.get("QueryLanguage") == "JSONata":
            definition["QueryLanguage"] = "JSONata"
        region = "us-east-1"
        try:
            executor = Executor(definition, services=[LambdaInvoker(self.lambdas, region), _s3_readers()],
                                clock=SimulatedClock(), workflow_name="TestState", region=region,
                                role_arn=request.get("roleArn"))
            ran = executor.run(data, name=str(uuid.uuid4()))
        except WorkflowError as exc:
            raise Fault("InvalidDefinition", str(exc)) from None
        entered = [e["stateEnteredEventDetails"]["name"] for e in ran.history if "stateEnteredEventDetails" in e]
        after = entered[entered.index(name) + 1] if name in entered and entered.index(name) + 1 < len(entered) else None
        failures = [e for e in ran.history if e["type"].endswith(("Failed", "TimedOut"))
                    and not e["type"].startswith(("Execution", "MapIteration"))]
        answer: dict[str, Any] = {}
        if ran.status == "SUCCEEDED":
            answer["output"] = json.dumps(ran.output, separators=(",", ":"))
            if after is not None:
                answer["nextState"] = after
            answer["status"] = "SUCCEEDED"
            if failures:  # a Catch took the error
                details = next(v for k, v in failures[-1].items() if k.endswith("EventDetails"))
                answer.update({k: v for k, v in details.items() if k in ("error", "cause")}, status="CAUGHT_ERROR")
        else:
            answer.update({k: v for k, v in (("error", ran.error), ("cause", ran.cause)) if v is not None})
            from ...biz.engine.steps import error_matches

            retried = any(error_matches(r.get("ErrorEquals", []), ran.error or "") for r in retriers or [])
            answer["status"] = "RETRIABLE" if retried else "FAILED"
        if request.get("inspectionLevel") in ("DEBUG", "TRACE"):
            answer["inspectionData"] = _inspection(state, data, ran.history, answer.get("output"))
        return answer

    def redrive_execution(self, request: dict[str, Any]) -> dict[str, Any]:
        """Restart an execution that did not succeed from the state that did not, with that state's input."""
        execution = self._find(request.get("executionArn"))
        config = state_machine(execution.machine_arn)
        now = self.clock().now()
        with execution.lock:
            if config.type == "EXPRESS":
                raise Fault("ExecutionNotRedrivable", "Express executions cannot be redriven.")
            reason = execution.unredrivable(now)
            if reason is not None:
                raise Fault("ExecutionNotRedrivable", f"{reason} '{execution.arn}'")
            definition = json.loads(execution.definition)  # the original attempt's, as AWS redrives
            top = set(definition.get("States", {}))
            entered = [e for e in execution.events if e.get("stateEnteredEventDetails", {}).get("name") in top]
            if not entered:
                raise Fault("ExecutionNotRedrivable", f"Execution '{execution.arn}' never entered a state.")
            restart = entered[-1]["stateEnteredEventDetails"]
            execution.redrives += 1
            execution.redriven = now
            execution.status, execution.stop, execution.error, execution.cause = "RUNNING", None, None, None
            execution.output, execution.ending = None, None
            last = execution.events[-1]["id"]
            execution.events.append({"timestamp": now, "type": "ExecutionRedriven", "id": last + 1,
                                     "previousEventId": last,
                                     "executionRedrivenEventDetails": {"redriveCount": execution.redrives}})
            execution.offset = last + 1  # the redrive's ExecutionStarted is replaced by ExecutionRedriven
        definition["StartAt"] = restart["name"]
        definition["States"] = _reachable(definition["States"], restart["name"])  # what ran before is done
        data = json.loads(restart.get("input") or "{}")
        threading.Thread(target=self._run, args=(execution, config, data, definition, True), daemon=True,
                         name=f"coworks-redrive-{execution.name}").start()
        return {"redriveDate": now.timestamp()}

    def describe_execution(self, request: dict[str, Any]) -> dict[str, Any]:
        execution = self._find(request.get("executionArn"))
        now = self.clock().now()
        with execution.lock:
            return execution.describe(now)

    def stop_execution(self, request: dict[str, Any]) -> dict[str, Any]:
        execution = self._find(request.get("executionArn"))
        now = self.clock().now()
        with execution.lock:
            if execution.status == "RUNNING":
                details = {k: request[k] for k in ("error", "cause") if request.get(k) is not None}
                execution.end("ABORTED", now, error=details.get("error"), cause=details.get("cause"))
                last = execution.events[-1]["id"] if execution.events else 0
                execution.events.append({"timestamp": now, "type": "ExecutionAborted", "id": last + 1,
                                         "previousEventId": last, "executionAbortedEventDetails": details})
                cancel = getattr(execution.clock, "cancel", None)
                if cancel is not None:
                    cancel()  # wake its Waits and Retry delays (a real clock's)
            stop = execution.stop or now
        return {"stopDate": stop.timestamp()}

    def list_executions(self, request: dict[str, Any]) -> dict[str, Any]:
        arn = str(request.get("stateMachineArn") or "")
        try:
            config = state_machine(arn)
        except ControlPlaneLookupError as exc:
            raise Fault("StateMachineDoesNotExist", str(exc)) from None
        if config.type == "EXPRESS":
            raise Fault("StateMachineTypeNotSupported", "This operation is not supported by this type of state machine")
        wanted = request.get("statusFilter")
        with self._lock:
            found = [e for e in self.executions.values() if e.machine_arn == arn and (not wanted or e.status == wanted)]
        found.sort(key=lambda e: e.start, reverse=True)
        items = [{k: v for k, v in e.describe().items()
                  if k in ("executionArn", "stateMachineArn", "name", "status", "startDate", "stopDate")}
                 for e in found]
        page, token = _page(items, request)
        return {"executions": page, **({"nextToken": token} if token else {})}

    def get_execution_history(self, request: dict[str, Any]) -> dict[str, Any]:
        execution = self._find(request.get("executionArn"))
        with execution.lock:
            events = [_wire(e) for e in execution.events]
        if request.get("reverseOrder"):
            events.reverse()
        page, token = _page(events, request)
        return {"events": page, **({"nextToken": token} if token else {})}

    # -- running -------------------------------------------------------------------------

    def _find(self, arn: Any) -> LocalExecution:
        if ":express:" in str(arn):  # Describe, History, Stop: not for Express executions (their logs tell)
            raise Fault("InvalidArn", "Invalid Arn: 'Resource type not valid in this context: express'")
        with self._lock:
            found = self.executions.get(str(arn))
        if found is None:
            raise Fault("ExecutionDoesNotExist", f"Execution Does Not Exist: '{arn}'")
        return found

    def _new(self, request: dict[str, Any], *, express_only: bool = False
             ) -> tuple[LocalExecution, StateMachineConfig, Any]:
        try:
            config = state_machine(str(request.get("stateMachineArn") or ""))
        except ControlPlaneLookupError as exc:
            raise Fault("StateMachineDoesNotExist", str(exc)) from None
        if express_only and config.type != "EXPRESS":
            raise Fault("StateMachineTypeNotSupported", "This operation is not supported by this type of state machine")
        text = request.get("input") or "{}"
        try:
            data = json.loads(text)
        except ValueError:
            raise Fault("InvalidExecutionInput", f"The input is not JSON: {text[:100]!r}.") from None
        name = str(request.get("name") or uuid.uuid4())
        if config.type == "EXPRESS":  # an Express execution's ARN: ...:express:<machine>:<name>:<id>
            arn = f"arn:aws:states:{config.region}:{ACCOUNT}:express:{config.name}:{name}:{uuid.uuid4()}"
        else:
            arn = f"arn:aws:states:{config.region}:{ACCOUNT}:execution:{config.name}:{name}"
        with self._lock:
            if arn in self.executions:
                raise Fault("ExecutionAlreadyExists", f"Execution Already Exists: '{arn}'")
            clock = self.clock()  # the execution's: its start is the clock's, as its history's times are
            execution = LocalExecution(arn, config.arn, name, text, clock.now(), config.definition, clock=clock)
            self.executions[arn] = execution
        return execution, config, data

    def _run(self, execution: LocalExecution, config: StateMachineConfig, data: Any,
             definition: dict[str, Any] | None = None, redriven: bool = False) -> None:
        """Run one execution to its end (in its own thread, or the request's for a sync one); a
        redrive gives the definition that starts at the state to run again."""
        from ...biz.engine.executor import Executor
        from .invoker import LambdaInvoker

        if redriven:  # a redrive runs on a clock of its own
            execution.clock = self.clock()
        clock = execution.clock
        try:
            definition = definition if definition is not None else json.loads(execution.definition)
            invoker = LambdaInvoker(self.lambdas, config.region)
            executor = Executor(definition, services=[invoker, _s3_readers()], clock=clock,
                                workflow_name=config.name, region=config.region, account=ACCOUNT,
                                role_arn=config.role_arn, workflow_type=config.type)
            # What succeeded in Parallel branches and Map iterations, kept even when the run is stopped.
            previous = execution.kept if redriven else {}
            execution.kept = dict(previous)
            executor.run(data, on_event=lambda event: self._record(execution, config, event), name=execution.name,
                         redrive_count=execution.redrives, reuse=previous, kept=execution.kept)
        except _Aborted:
            pass
        except Exception as exc:  # cannot run here: fail it as AWS fails a broken execution
            now = clock.now()
            with execution.lock:
                if execution.status == "RUNNING":
                    if not execution.events:
                        execution.events.append({"timestamp": now, "type": "ExecutionStarted", "id": 1,
                                                 "previousEventId": 0, "executionStartedEventDetails": {
                                                     "input": execution.input, "roleArn": config.role_arn}})
                    last = execution.events[-1]["id"]
                    details = {"error": "States.Runtime", "cause": str(exc)}
                    execution.events.append({"timestamp": now, "type": "ExecutionFailed", "id": last + 1,
                                             "previousEventId": last, "executionFailedEventDetails": details})
                    execution.end("FAILED", now, **details)
        _write_logs(execution, config)
        with execution.lock:
            if execution.status == "RUNNING" and execution.ending is not None:
                status, when, details = execution.ending
                execution.end(status, when, output=details.get("output"), error=details.get("error"),
                              cause=details.get("cause"))

    def _record(self, execution: LocalExecution, config: StateMachineConfig, event: dict[str, Any]) -> None:
        """The executor's live callback: keep the event, and note the end its last one says."""
        with execution.lock:
            if execution.status != "RUNNING":
                raise _Aborted
            if execution.offset:
                if event["type"] == "ExecutionStarted":
                    return  # a redrive goes on from ExecutionRedriven
                event = {**event, "id": event["id"] + execution.offset - 1,
                         "previousEventId": event["previousEventId"] + execution.offset - 1
                         if event["previousEventId"] > 1 else execution.offset}
            execution.events.append(event)
            status = _ENDS.get(event["type"])
            if status is not None:
                details: dict[str, Any] = next((v for k, v in event.items() if k.endswith("EventDetails")), {})
                execution.ending = (status, event["timestamp"], details)


def _write_logs(execution: LocalExecution, config: StateMachineConfig) -> None:
    """Deliver the ended execution's events to the state machine's log group, as AWS does at
    level ALL (every event) or ERROR/FATAL (the failures)."""
    from .controlplane import write_log_events

    if config.log_group is None or config.log_level == "OFF":
        return
    with execution.lock:
        events = list(execution.events)
    if config.log_level != "ALL":
        events = [e for e in events if e["type"].endswith(("Failed", "TimedOut", "Aborted"))]
    records = [{
        "timestamp": int(e["timestamp"].timestamp() * 1000),
        "message": json.dumps({
            "id": str(e["id"]), "type": e["type"], "previous_event_id": str(e.get("previousEventId", 0)),
            "event_timestamp": str(int(e["timestamp"].timestamp() * 1000)), "execution_arn": execution.arn,
            "details": next((v for k, v in e.items() if k.endswith("EventDetails")), {}),
        }),
    } for e in events]
    if records:
        write_log_events(config.region, config.log_group, f"states/{config.name}/{execution.name}", records)


def _inspection(state: dict[str, Any], data: Any, history: list[dict[str, Any]], output: str | None) -> dict[str, str]:
    """TestState's inspectionData at DEBUG: the data after each step of the JSONPath data flow
    (InputPath, Parameters, the result, ResultSelector, ResultPath), as far as they apply."""
    from ...biz.lang.paths import compile_path
    from ...biz.lang.templates import compile_template

    def text(value: Any) -> str:
        return json.dumps(value, separators=(",", ":"))

    found: dict[str, str] = {"input": text(data)}
    if state.get("QueryLanguage") == "JSONata":
        return {**found, **({"afterResultPath": output} if output is not None else {})}
    try:
        value = data
        if "InputPath" in state:
            value = {} if state["InputPath"] is None else compile_path(state["InputPath"]).get(data, {}, {})
        found["afterInputPath"] = text(value)
        if "Parameters" in state:
            value = compile_template(state["Parameters"])(value, {}, {})
        found["afterParameters"] = text(value)
        succeeded = [e for e in history if e["type"] in ("TaskSucceeded", "LambdaFunctionSucceeded")]
        if succeeded:
            result = json.loads(next(v for k, v in succeeded[-1].items() if k.endswith("EventDetails"))["output"])
        else:
            result = state.get("Result", value)
        found["result"] = text(result)
        if "ResultSelector" in state:
            result = compile_template(state["ResultSelector"])(result, {}, {})
        found["afterResultSelector"] = text(result)
    except Exception:  # a path into $$ or variables: what can be shown stops there
        pass
    if output is not None:
        found["afterResultPath"] = output
    return found


def _targets(state: dict[str, Any]) -> list[str]:
    out = [state.get("Next"), state.get("Default")]
    out += [c.get("Next") for c in state.get("Choices", []) + state.get("Catch", []) if isinstance(c, dict)]
    return [t for t in out if isinstance(t, str)]


def _reachable(states: dict[str, Any], start: str) -> dict[str, Any]:
    seen, todo = {start}, [start]
    while todo:
        for target in _targets(states.get(todo.pop(), {})):
            if target in states and target not in seen:
                seen.add(target)
                todo.append(target)
    return {name: state for name, state in states.items() if name in seen}


def _s3_readers() -> dict[str, Any]:
    """The Distributed Map's ItemReaders over the local S3: an object's content (parsed by the
    Map's ReaderConfig) or a listing of objects."""
    from ...biz.errors import StatesError
    from .controlplane import s3_content, s3_listing

    def get_object(parameters: dict[str, Any]) -> bytes:
        try:
            return s3_content(str(parameters.get("Bucket")), str(parameters.get("Key")))
        except ControlPlaneLookupError as exc:
            raise StatesError("S3.NoSuchKey", str(exc)) from None

    def list_objects(parameters: dict[str, Any]) -> list[dict[str, Any]]:
        try:
            return s3_listing(str(parameters.get("Bucket")), str(parameters.get("Prefix") or ""))
        except ControlPlaneLookupError as exc:
            raise StatesError("S3.NoSuchBucket", str(exc)) from None

    return {"arn:aws:states:::s3:getObject": get_object, "arn:aws:states:::s3:listObjectsV2": list_objects}


def _wire(event: dict[str, Any]) -> dict[str, Any]:
    """An event as the JSON protocol carries it (timestamps as epoch seconds)."""
    when = event["timestamp"]
    return {**event, "timestamp": when.timestamp() if isinstance(when, datetime) else when}


def _page(items: list[dict[str, Any]], request: dict[str, Any]) -> tuple[list[dict[str, Any]], str | None]:
    try:
        start = int(request.get("nextToken") or 0)
    except ValueError:
        raise Fault("InvalidToken", "The nextToken is not one this endpoint gave.") from None
    size = int(request.get("maxResults") or 100) or 100
    page = items[start:start + size]
    return page, str(start + size) if start + size < len(items) else None
