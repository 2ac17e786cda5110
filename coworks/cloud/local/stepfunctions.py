"""The local cloud's Step Functions data plane: executions run by the Coworks executor.

moto holds the state machines (their definitions, roles, tags); the executions are run here, each
in a background thread with the biz executor on a real clock, its Tasks invoking the deployed
functions in the local Lambda workers. The front door hands over the JSON-protocol operations
below (``X-Amz-Target: AWSStepFunctions.<Operation>``) and answers them in the shapes boto3
expects, so ``boto3.client("stepfunctions")`` on the local endpoint sees real executions.
"""

from __future__ import annotations

import json
import threading
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from .controlplane import ACCOUNT, ControlPlaneLookupError, StateMachineConfig, state_machine
from .wsgi import read_body

TYPE_CHECKING = False
if TYPE_CHECKING:
    from .lambdas import LocalLambda

PREFIX = "AWSStepFunctions."
_ENDS = {"ExecutionSucceeded": "SUCCEEDED", "ExecutionFailed": "FAILED", "ExecutionTimedOut": "TIMED_OUT"}

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
    status: str = "RUNNING"
    output: str | None = None
    error: str | None = None
    cause: str | None = None
    stop: datetime | None = None
    events: list[dict[str, Any]] = field(default_factory=list)
    clock: Any = None
    #: The end the executor reported (status, time, details), applied once its logs are written.
    ending: tuple[str, datetime, dict[str, Any]] | None = None
    lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def end(self, status: str, when: datetime, *, output: str | None = None, error: str | None = None,
            cause: str | None = None) -> None:
        self.status, self.stop, self.output, self.error, self.cause = status, when, output, error, cause

    def describe(self) -> dict[str, Any]:
        answer: dict[str, Any] = {
            "executionArn": self.arn, "stateMachineArn": self.machine_arn, "name": self.name, "status": self.status,
            "startDate": self.start.timestamp(), "input": self.input, "inputDetails": {"included": True},
            "redriveCount": 0, "redriveStatus": "NOT_REDRIVABLE",
        }
        if self.stop is not None:
            answer["stopDate"] = self.stop.timestamp()
        if self.output is not None:
            answer.update(output=self.output, outputDetails={"included": True})
        answer.update({k: v for k, v in (("error", self.error), ("cause", self.cause)) if v is not None})
        return answer


class LocalStepFunctions:
    """StartExecution, StartSyncExecution, DescribeExecution, StopExecution, ListExecutions and
    GetExecutionHistory over the state machines stored in the local control plane."""

    def __init__(self, lambdas: LocalLambda) -> None:
        self.lambdas = lambdas
        self.executions: dict[str, LocalExecution] = {}
        self._lock = threading.Lock()
        self._operations: dict[str, Callable[[dict[str, Any]], dict[str, Any]]] = {
            "StartExecution": self.start_execution,
            "StartSyncExecution": self.start_sync_execution,
            "DescribeExecution": self.describe_execution,
            "StopExecution": self.stop_execution,
            "ListExecutions": self.list_executions,
            "GetExecutionHistory": self.get_execution_history,
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
        execution, config, data = self._new(request)
        self._run(execution, config, data)
        answer = execution.describe()
        answer["billingDetails"] = {"billedMemoryUsedInMB": 64, "billedDurationInMilliseconds": 100}
        return answer

    def describe_execution(self, request: dict[str, Any]) -> dict[str, Any]:
        execution = self._find(request.get("executionArn"))
        with execution.lock:
            return execution.describe()

    def stop_execution(self, request: dict[str, Any]) -> dict[str, Any]:
        execution = self._find(request.get("executionArn"))
        now = datetime.now(UTC)
        with execution.lock:
            if execution.status == "RUNNING":
                details = {k: request[k] for k in ("error", "cause") if request.get(k) is not None}
                execution.end("ABORTED", now, error=details.get("error"), cause=details.get("cause"))
                last = execution.events[-1]["id"] if execution.events else 0
                execution.events.append({"timestamp": now, "type": "ExecutionAborted", "id": last + 1,
                                         "previousEventId": last, "executionAbortedEventDetails": details})
                if execution.clock is not None:
                    execution.clock.cancel()  # wake its Waits and Retry delays
            stop = execution.stop or now
        return {"stopDate": stop.timestamp()}

    def list_executions(self, request: dict[str, Any]) -> dict[str, Any]:
        arn = str(request.get("stateMachineArn") or "")
        try:
            state_machine(arn)
        except ControlPlaneLookupError as exc:
            raise Fault("StateMachineDoesNotExist", str(exc)) from None
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
        with self._lock:
            found = self.executions.get(str(arn))
        if found is None:
            raise Fault("ExecutionDoesNotExist", f"Execution Does Not Exist: '{arn}'")
        return found

    def _new(self, request: dict[str, Any]) -> tuple[LocalExecution, StateMachineConfig, Any]:
        try:
            config = state_machine(str(request.get("stateMachineArn") or ""))
        except ControlPlaneLookupError as exc:
            raise Fault("StateMachineDoesNotExist", str(exc)) from None
        text = request.get("input") or "{}"
        try:
            data = json.loads(text)
        except ValueError:
            raise Fault("InvalidExecutionInput", f"The input is not JSON: {text[:100]!r}.") from None
        name = str(request.get("name") or uuid.uuid4())
        arn = f"arn:aws:states:{config.region}:{ACCOUNT}:execution:{config.name}:{name}"
        with self._lock:
            if arn in self.executions:
                raise Fault("ExecutionAlreadyExists", f"Execution Already Exists: '{arn}'")
            execution = LocalExecution(arn, config.arn, name, text, datetime.now(UTC))
            self.executions[arn] = execution
        return execution, config, data

    def _run(self, execution: LocalExecution, config: StateMachineConfig, data: Any) -> None:
        """Run one execution to its end (in its own thread, or the request's for a sync one)."""
        from ...biz.engine.clock import RealClock
        from ...biz.engine.executor import Executor
        from .invoker import LambdaInvoker

        clock = RealClock()
        execution.clock = clock
        try:
            definition = json.loads(config.definition)
            invoker = LambdaInvoker(self.lambdas, config.region)
            executor = Executor(definition, services=[invoker], clock=clock, workflow_name=config.name,
                                region=config.region, account=ACCOUNT, role_arn=config.role_arn)
            executor.run(data, on_event=lambda event: self._record(execution, config, event), name=execution.name)
        except _Aborted:
            pass
        except Exception as exc:  # cannot run here: fail it as AWS fails a broken execution
            now = datetime.now(UTC)
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
