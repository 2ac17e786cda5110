"""The local cloud's EventBridge data plane: scheduled rules fire and put events reach their targets.

moto stores rules and targets but never fires a schedule, and its ``PutEvents`` cannot deliver to
a Lambda function or a state machine (it raises). Here a clock-driven ``tick()`` fires the enabled
``rate(...)``/``cron(...)`` rules whose time has come, and ``put_events`` hands each event to the
targets of the enabled rules whose pattern matches (moto's own matcher): Lambda targets are
invoked asynchronously in the local workers, state machine targets start an execution on the
local Step Functions. A fire missed while the cloud was stopped is not replayed, as in AWS.

Schedules are read and timed by the runtime's one grammar (``coworks.runtime.cron``): a rule
runs here exactly when ``@schedule`` would accept its expression, and EventBridge would too.
"""

from __future__ import annotations

import functools
import json
import logging
import threading
import time
import uuid
from collections import deque
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from ...runtime.cron import Cron, Rate, ScheduleError, parse_schedule
from ...runtime.schedules import scheduled_event
from ..errors import CloudError
from .controlplane import ACCOUNT, EventRule, RuleTarget, event_rules
from .http.wsgi import read_body

TYPE_CHECKING = False
if TYPE_CHECKING:
    from .lambdas import LocalLambda
    from .stepfunctions import LocalStepFunctions

log = logging.getLogger(__name__)

PUT_EVENTS = "AWSEvents.PutEvents"

StartResponse = Callable[..., Any]


# -- deliveries --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Delivery:
    """One event handed to one target: what tests and a curious user read back."""

    rule: str
    target: str
    when: float
    ok: bool
    error: str | None = None


@dataclass
class _Timer:
    expression: str
    spec: Rate | Cron
    start: float
    due: float | None = field(default=None)


@functools.lru_cache(maxsize=256)
def _pattern(raw: str) -> Any:
    from moto.events.models import EventPattern

    return EventPattern.load(raw)


def matches(pattern: str, event: Mapping[str, Any]) -> bool:
    """Whether an event matches a rule's pattern (JSON text), by moto's EventBridge matcher."""
    try:
        return bool(_pattern(pattern).matches_event(dict(event)))
    except Exception:  # a pattern moto cannot read matches nothing, as AWS would have refused it
        return False


def _iso(when: float) -> str:
    return datetime.fromtimestamp(when, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


class Ticker:
    """Calls ``tick`` about every ``interval`` seconds in a daemon thread until ``stop()``: what
    makes the local schedulers and pollers go. A failed tick is logged and the next one tries
    again (a moto state read mid-change, say)."""

    def __init__(self, tick: Callable[[], object], name: str, what: str) -> None:
        self.tick, self.name, self.what = tick, name, what
        self._stopping = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self, interval: float) -> None:
        if self._thread is None:
            self._stopping.clear()
            self._thread = threading.Thread(target=self._loop, args=(interval,), daemon=True, name=self.name)
            self._thread.start()

    def stop(self) -> None:
        self._stopping.set()
        thread, self._thread = self._thread, None
        if thread is not None:
            thread.join(timeout=5)

    def _loop(self, interval: float) -> None:
        while not self._stopping.wait(interval):
            try:
                self.tick()
            except Exception:
                log.exception("%s failed; it runs again in %s s.", self.what, interval)


class LocalEvents:
    """Fires the local cloud's scheduled rules and delivers put events to Lambda and Step Functions."""

    def __init__(self, lambdas: LocalLambda, stepfunctions: LocalStepFunctions,
                 clock: Callable[[], float] = time.time, keep: int = 1000) -> None:
        self.lambdas = lambdas
        self.stepfunctions = stepfunctions
        self.clock = clock
        #: The latest deliveries, oldest first (bounded: a long-running cloud does not grow).
        self.deliveries: deque[Delivery] = deque(maxlen=keep)
        self._timers: dict[str, _Timer] = {}
        self._refused: set[tuple[str, str]] = set()
        self._lock = threading.Lock()
        self._ticker = Ticker(self.tick, "coworks-local-events", "The local scheduler's tick")

    # -- schedules -----------------------------------------------------------------------

    def tick(self, now: float | None = None) -> list[Delivery]:
        """Fire every enabled scheduled rule whose time has come (once, however late), then plan
        its next time; a rule seen for the first time only gets its first time planned."""
        now = self.clock() if now is None else now
        firing: list[tuple[EventRule, float]] = []
        with self._lock:
            rules = {r.arn: r for r in event_rules() if r.schedule and r.state == "ENABLED"}
            for gone in set(self._timers) - set(rules):
                del self._timers[gone]
            for arn, rule in rules.items():
                expression = rule.schedule or ""
                timer = self._timers.get(arn)
                if timer is None or timer.expression != expression:
                    try:
                        spec = parse_schedule(expression)
                    except ScheduleError as exc:
                        if (arn, expression) not in self._refused:
                            self._refused.add((arn, expression))
                            log.warning("Rule %s is skipped: %s", rule.name, exc)
                        continue
                    self._timers[arn] = _Timer(expression, spec, now, spec.next_after(now, now))
                    continue
                if timer.due is not None and now >= timer.due:
                    firing.append((rule, timer.due))
                    timer.due = timer.spec.next_after(now, timer.start)
        delivered: list[Delivery] = []
        for rule, when in firing:
            event = scheduled_event(rule.arn, when=when, account=ACCOUNT, region=rule.region,
                                    event_id=str(uuid.uuid4()))
            delivered += [self._deliver(rule, target, event, when) for target in rule.targets]
        return delivered

    def start(self, interval: float = 1.0) -> LocalEvents:
        """Tick about every ``interval`` seconds in a daemon thread, until ``stop()``."""
        self._ticker.start(interval)
        return self

    def stop(self) -> None:
        self._ticker.stop()

    # -- events --------------------------------------------------------------------------

    def put_events(self, entries: Iterable[Mapping[str, Any]], *, region: str = "us-east-1",
                   ids: list[str] | None = None, now: float | None = None) -> list[Delivery]:
        """Deliver each entry (Source, DetailType, Detail JSON, EventBusName) as an EventBridge
        event to the targets of the enabled rules of its bus whose pattern matches."""
        when = self.clock() if now is None else now
        rules = [r for r in event_rules() if r.region == region and r.state == "ENABLED" and r.pattern]
        delivered: list[Delivery] = []
        for i, entry in enumerate(entries):
            if _problem(entry) is not None:  # AWS refuses it: PutEvents answers its error, nothing is sent
                continue
            event = self._event(entry, region, ids[i] if ids and i < len(ids) else str(uuid.uuid4()), when)
            bus = _bus(entry.get("EventBusName"))
            for rule in rules:
                if rule.bus == bus and matches(rule.pattern or "", event):
                    delivered += [self._deliver(rule, target, event, when) for target in rule.targets]
        return delivered

    @staticmethod
    def _event(entry: Mapping[str, Any], region: str, event_id: str, when: float) -> dict[str, Any]:
        detail = entry.get("Detail") or "{}"
        return {"version": "0", "id": event_id, "detail-type": entry.get("DetailType", ""),
                "source": entry.get("Source", ""), "account": ACCOUNT, "time": _iso(when), "region": region,
                "resources": list(entry.get("Resources") or []),
                "detail": json.loads(detail) if isinstance(detail, str) else detail}

    # -- the front door's PutEvents ------------------------------------------------------

    def handles(self, environ: Mapping[str, Any]) -> bool:
        return str(environ.get("HTTP_X_AMZ_TARGET", "")) == PUT_EVENTS

    def __call__(self, environ: dict[str, Any], start_response: StartResponse, moto_app: Any,
                 region: str) -> Iterable[bytes]:
        """Answer PutEvents here, with event ids, and deliver in a thread: moto's own PutEvents raises
        on any rule with a Lambda or state machine target (and counts every scheduled rule as
        matching), so only a request AWS refuses whole (not JSON, over 10 entries) goes to moto."""
        body = read_body(environ, keep=True)  # moto may read it again
        try:
            entries = [e for e in json.loads(body or b"{}").get("Entries") or [] if isinstance(e, dict)]
        except (ValueError, AttributeError):
            entries = []
        if not entries or len(entries) > 10:  # refused whole: moto has the answer AWS gives
            return moto_app(environ, start_response)  # type: ignore[no-any-return]
        valid = [e for e in entries if _problem(e) is None]
        answers = [_problem(e) or {"EventId": str(uuid.uuid4())} for e in entries]
        ids = [a["EventId"] for a in answers if "EventId" in a]
        threading.Thread(target=self._put_quietly, args=(valid, region, ids), daemon=True,
                         name="coworks-put-events").start()
        out = json.dumps({"FailedEntryCount": len(entries) - len(ids), "Entries": answers}).encode()
        start_response("200 OK", [("Content-Type", "application/x-amz-json-1.1"), ("Content-Length", str(len(out))),
                                  ("x-amzn-RequestId", str(uuid.uuid4()))])
        return [out]

    def _put_quietly(self, entries: list[dict[str, Any]], region: str, ids: list[str]) -> None:
        try:
            self.put_events(entries, region=region, ids=ids)
        except Exception:
            log.exception("Delivering put events on the local cloud failed.")

    # -- delivering ----------------------------------------------------------------------

    def _deliver(self, rule: EventRule, target: RuleTarget, event: dict[str, Any], when: float) -> Delivery:
        payload = target.input if target.input is not None else json.dumps(event)
        try:
            if ":lambda:" in target.arn:
                self.lambdas.invoke(target.arn, payload.encode(), region=rule.region, invocation_type="Event")
            elif ":states:" in target.arn:
                self.stepfunctions.start_execution({"stateMachineArn": target.arn, "input": payload})
            else:
                raise CloudError(f"Target {target.arn} of rule {rule.name} is not one the local cloud delivers to: "
                                 "use a Lambda function or a state machine.", resource=target.arn)
            delivery = Delivery(rule.name, target.arn, when, True)
        except Exception as exc:
            log.warning("Rule %s could not deliver to %s: %s", rule.name, target.arn, exc)
            delivery = Delivery(rule.name, target.arn, when, False, str(exc))
        self.deliveries.append(delivery)
        return delivery


def _bus(name: Any) -> str:
    """A bus name from a PutEvents entry's EventBusName (a name or an ARN; ``default`` when absent)."""
    text = str(name or "default")
    return text.rsplit("event-bus/", 1)[-1] if text.startswith("arn:") else text


def _problem(entry: Mapping[str, Any]) -> dict[str, str] | None:
    """The error PutEvents answers for an entry AWS refuses, or None."""
    for key in ("Source", "DetailType", "Detail"):
        if not entry.get(key):
            return {"ErrorCode": "InvalidArgument",
                    "ErrorMessage": f"Parameter {key} is not valid. Reason: {key} is a required argument."}
    try:
        json.loads(entry["Detail"])
    except (TypeError, ValueError):
        return {"ErrorCode": "MalformedDetail", "ErrorMessage": "Detail is malformed."}
    return None
