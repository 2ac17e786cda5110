"""The local cloud's EventBridge data plane: scheduled rules fire and put events reach their targets.

moto stores rules and targets but never fires a schedule, and its ``PutEvents`` cannot deliver to
a Lambda function or a state machine (it raises). Here a clock-driven ``tick()`` fires the enabled
``rate(...)``/``cron(...)`` rules whose time has come, and ``put_events`` hands each event to the
targets of the enabled rules whose pattern matches (moto's own matcher): Lambda targets are
invoked asynchronously in the local workers, state machine targets start an execution on the
local Step Functions. A fire missed while the cloud was stopped is not replayed, as in AWS.
"""

from __future__ import annotations

import functools
import io
import json
import logging
import threading
import time
import uuid
from collections import deque
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any

from ..errors import CloudError, ScheduleExpressionError
from .controlplane import ACCOUNT, EventRule, RuleTarget, event_rules

TYPE_CHECKING = False
if TYPE_CHECKING:
    from .lambdas import LocalLambda
    from .stepfunctions import LocalStepFunctions

log = logging.getLogger(__name__)

PUT_EVENTS = "AWSEvents.PutEvents"
_UNITS = {"minute": 60, "minutes": 60, "hour": 3600, "hours": 3600, "day": 86400, "days": 86400}
_MONTHS = {name: i for i, name in enumerate(
    ("JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"), start=1)}
_WEEKDAYS = {name: i for i, name in enumerate(("SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"), start=1)}
_LAST_YEAR = 2199  # the last year EventBridge cron accepts

StartResponse = Callable[..., Any]




# -- schedule expressions ----------------------------------------------------------------------


@dataclass(frozen=True)
class Rate:
    """``rate(N unit)``: every ``seconds`` from when the rule was first seen."""

    seconds: int

    def next_after(self, now: float, start: float) -> float:
        return start + (int((now - start) // self.seconds) + 1) * self.seconds


@dataclass(frozen=True)
class Cron:
    """``cron(min hour dom month dow year)`` in UTC; ``days``/``weekdays`` is None for ``?``
    (weekdays numbered as AWS does: 1 = Sunday ... 7 = Saturday)."""

    minutes: frozenset[int]
    hours: frozenset[int]
    days: frozenset[int] | None
    months: frozenset[int]
    weekdays: frozenset[int] | None
    years: frozenset[int]

    def next_after(self, now: float, start: float = 0.0) -> float | None:
        """The first matching minute strictly after ``now``, or None when no year left matches."""
        moment = datetime.fromtimestamp((int(now // 60) + 1) * 60, UTC)
        day, first = moment.date(), moment.hour * 60 + moment.minute
        times = sorted(h * 60 + m for h in self.hours for m in self.minutes)
        while day.year <= _LAST_YEAR:
            if day.year not in self.years:
                day, first = date(day.year + 1, 1, 1), 0
                continue
            if day.month not in self.months:
                day, first = (date(day.year + 1, 1, 1) if day.month == 12 else date(day.year, day.month + 1, 1)), 0
                continue
            if self._day_matches(day):
                later = [t for t in times if t >= first]
                if later:
                    at = datetime(day.year, day.month, day.day, tzinfo=UTC) + timedelta(minutes=later[0])
                    return at.timestamp()
            day, first = day + timedelta(days=1), 0
        return None

    def _day_matches(self, day: date) -> bool:
        if self.days is not None:
            return day.day in self.days
        return self.weekdays is None or day.isoweekday() % 7 + 1 in self.weekdays


def parse_schedule(expression: str) -> Rate | Cron:
    """A ``rate(...)`` or ``cron(...)`` expression, or ScheduleExpressionError in one sentence."""
    text = expression.strip()
    if text.startswith("rate(") and text.endswith(")"):
        value, _, unit = text[5:-1].strip().partition(" ")
        if not value.isdigit() or int(value) < 1 or unit.strip() not in _UNITS:
            raise _refuse(expression, "write rate(N minutes|hours|days)")
        return Rate(int(value) * _UNITS[unit.strip()])
    if not (text.startswith("cron(") and text.endswith(")")):
        raise _refuse(expression, "write rate(...) or cron(...)")
    fields = text[5:-1].split()
    if len(fields) != 6:
        raise _refuse(expression, "cron has 6 fields (minutes hours day-of-month month day-of-week year)")
    if (fields[2] == "?") == (fields[4] == "?"):
        raise _refuse(expression, "exactly one of day-of-month and day-of-week must be '?'")
    if "?" in (fields[0], fields[1], fields[3], fields[5]):
        raise _refuse(expression, "'?' only stands for day-of-month or day-of-week")
    minutes, hours = _field(expression, fields[0], 0, 59, {}), _field(expression, fields[1], 0, 23, {})
    days = None if fields[2] == "?" else _field(expression, fields[2], 1, 31, {})
    months = _field(expression, fields[3], 1, 12, _MONTHS)
    weekdays = None if fields[4] == "?" else _field(expression, fields[4], 1, 7, _WEEKDAYS)
    years = _field(expression, fields[5], 1970, _LAST_YEAR, {})
    return Cron(minutes, hours, days, months, weekdays, years)


def _field(expression: str, text: str, low: int, high: int, names: Mapping[str, int]) -> frozenset[int]:
    values: set[int] = set()
    for part in text.upper().split(","):
        base, slash, step_text = part.partition("/")
        if slash and (not step_text.isdigit() or int(step_text) < 1):
            raise _refuse(expression, f"the step in {part!r} is not a positive number")
        if base == "*":
            first, last = low, high
        elif "-" in base:
            first, last = (_value(expression, v, low, high, names) for v in base.split("-", 1))
        else:
            first = _value(expression, base, low, high, names)
            last = high if slash else first
        if first > last:
            raise _refuse(expression, f"the range {part!r} runs backwards")
        values.update(range(first, last + 1, int(step_text) if slash else 1))
    return frozenset(values)


def _value(expression: str, token: str, low: int, high: int, names: Mapping[str, int]) -> int:
    if token in names:
        return names[token]
    if not token.isdigit():
        if any(mark in token for mark in "LW#"):
            raise _refuse(expression, f"{token!r} uses L, W or #, which the local cloud does not schedule")
        raise _refuse(expression, f"{token!r} is not a number or a month or weekday name")
    if not low <= int(token) <= high:
        raise _refuse(expression, f"{token} is outside {low}-{high}")
    return int(token)


def _refuse(expression: str, reason: str) -> ScheduleExpressionError:
    return ScheduleExpressionError(f"Schedule {expression!r} cannot run on the local cloud: {reason}.",
                                   resource=expression)


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
        self._stopping = threading.Event()
        self._thread: threading.Thread | None = None

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
                    except ScheduleExpressionError as exc:
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
            event = {"version": "0", "id": str(uuid.uuid4()), "detail-type": "Scheduled Event",
                     "source": "aws.events", "account": ACCOUNT, "time": _iso(when), "region": rule.region,
                     "resources": [rule.arn], "detail": {}}
            delivered += [self._deliver(rule, target, event, when) for target in rule.targets]
        return delivered

    def start(self, interval: float = 1.0) -> LocalEvents:
        """Tick about every ``interval`` seconds in a daemon thread, until ``stop()``."""
        if self._thread is None:
            self._stopping.clear()
            self._thread = threading.Thread(target=self._loop, args=(interval,), daemon=True,
                                            name="coworks-local-events")
            self._thread.start()
        return self

    def stop(self) -> None:
        thread, self._thread = self._thread, None
        self._stopping.set()
        if thread is not None:
            thread.join(timeout=5)

    def _loop(self, interval: float) -> None:
        while not self._stopping.wait(interval):
            try:
                self.tick()
            except Exception:  # a moto state read mid-change, say: the next tick tries again
                log.exception("The local scheduler's tick failed; it ticks again in %s s.", interval)

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
        try:
            length = int(environ.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        body = environ["wsgi.input"].read(length) if length > 0 else b""
        environ["wsgi.input"] = io.BytesIO(body)
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
