"""EventBridge schedule expressions: ``rate(value unit)`` and ``cron(fields)``, parsed, checked and
timed as EventBridge reads them. This is the one grammar of Coworks: ``@schedule`` and workflow
triggers check with it (``schedules.check_expression``) and the local cloud fires rules with it.

The rules followed, word for word where they are explicit:

- https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-rate-expressions.html
  ``value`` is a positive number; the unit is ``minute|minutes|hour|hours|day|days``, singular when
  the value is 1 and plural above (``rate(1 hours)`` and ``rate(5 hour)`` are not valid). A rate
  runs from when the rule is created.
- https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-cron-expressions.html
  six fields, in UTC: minutes 0-59, hours 0-23, day-of-month 1-31, month 1-12 or JAN-DEC,
  day-of-week 1-7 or SUN-SAT (1 is Sunday), year 1970-2199. Every field takes ``, - * /`` except
  day-of-week, which takes ``, - * ? L #``; day-of-month adds ``? L W``. ``L`` is the last day of
  the month (day-of-month) or of the week (day-of-week: Saturday; ``5L`` the last Thursday),
  ``3W`` the weekday nearest the 3rd (never leaving the month; ``LW`` the last weekday),
  ``3#2`` the second Tuesday, and ``#`` allows one expression only (``3#1,6#3`` is not valid).
  "You can't specify the Day-of-month and Day-of-week fields in the same cron expression. If you
  specify a value or a * (asterisk) in one of the fields, you must use a ? (question mark) in the
  other": ``?`` goes in exactly one of the two, so ``cron(0 12 ? * ? *)``, which names no day at
  all, is refused like ``cron(0 12 * * * *)``. Names and wildcard letters may be any case.

What the pages leave open is decided the conservative way and said so in the error: a range runs
upwards (``10-30``, never ``30-10``), and ``L``/``W``/``#`` stand alone in their field.

Loaded on first use: a Lambda whose service has no ``@schedule`` never imports it, and the
next-fire computation (the local cloud's only) imports ``datetime`` when first called.
"""

from __future__ import annotations

from .errors import RouteDefinitionError

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable, Mapping

RATE_UNITS = {"minute": 60, "hour": 3600, "day": 86400}
MONTHS = {name: i for i, name in enumerate(
    ("JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"), start=1)}
WEEKDAYS = {name: i for i, name in enumerate(("SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"), start=1)}
FIRST_YEAR, LAST_YEAR = 1970, 2199
EXAMPLE = "cron(0 12 * * ? *)"


class ScheduleError(RouteDefinitionError, ValueError):
    """A schedule expression EventBridge would refuse; ``expression`` is the text given."""

    def __init__(self, message: str, *, expression: object) -> None:
        super().__init__(message)
        self.expression = expression


class _Field:
    """One cron field as the page's table gives it."""

    __slots__ = ("name", "low", "high", "wildcards", "names")

    def __init__(self, name: str, low: int, high: int, wildcards: str, names: Mapping[str, int]) -> None:
        self.name, self.low, self.high, self.wildcards, self.names = name, low, high, wildcards, names


_MINUTES = _Field("minutes", 0, 59, ", - * /", {})
_HOURS = _Field("hours", 0, 23, ", - * /", {})
_DAYS = _Field("day-of-month", 1, 31, ", - * ? / L W", {})
_MONTH = _Field("month", 1, 12, ", - * /", MONTHS)
_WEEKDAY = _Field("day-of-week", 1, 7, ", - * ? L #", WEEKDAYS)
_YEAR = _Field("year", FIRST_YEAR, LAST_YEAR, ", - * /", {})


# -- rate --------------------------------------------------------------------------------------


class Rate:
    """``rate(value unit)``: every ``seconds``, counted from when the rule was first seen."""

    __slots__ = ("value", "unit")

    def __init__(self, value: int, unit: str) -> None:
        self.value = value
        self.unit = unit  # minute, hour or day

    @property
    def seconds(self) -> int:
        return self.value * RATE_UNITS[self.unit]

    def next_after(self, now: float, start: float) -> float:
        """The first period boundary (from ``start``) strictly after ``now``; missed ones are skipped."""
        return start + (int((now - start) // self.seconds) + 1) * self.seconds

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Rate) and (self.value, self.unit) == (other.value, other.unit)

    def __hash__(self) -> int:
        return hash((self.value, self.unit))

    def __repr__(self) -> str:
        return f"<Rate {self.value} {self.unit if self.value == 1 else self.unit + 's'}>"


def _rate(expression: str, inner: str) -> Rate:
    parts = inner.split()
    if len(parts) != 2:
        raise _refuse(expression, "a rate is a value and a unit, e.g. rate(5 minutes)")
    value, unit = parts
    if not _digits(value) or int(value) < 1:
        raise _refuse(expression, "the value must be a whole number from 1, e.g. rate(5 minutes)")
    singular = unit[:-1] if unit.endswith("s") else unit
    if singular not in RATE_UNITS:
        raise _refuse(expression, f"the unit is minute(s), hour(s) or day(s), not {unit!r}, e.g. rate(2 hours)")
    wanted = singular if int(value) == 1 else singular + "s"
    if unit != wanted:
        raise _refuse(expression, f"write rate({value} {wanted}), the unit being singular for 1 and plural above")
    return Rate(int(value), singular)


# -- cron --------------------------------------------------------------------------------------
# A day rule gives the days of a month it runs on, in order, from the weekday of the month's 1st
# (1 = Sunday ... 7 = Saturday) and the month's length.


def _weekday(first: int, day: int) -> int:
    """The weekday (1 = Sunday) of ``day`` in a month whose 1st is weekday ``first``."""
    return (first + day - 2) % 7 + 1


def _on_days(days: frozenset[int]) -> Callable[[int, int], list[int]]:
    """``1,15``, ``1-7``, ``*/2`` in day-of-month; a day past the month's end never matches."""
    ordered = sorted(days)
    return lambda first, length: [d for d in ordered if d <= length]


def _last_day(first: int, length: int) -> list[int]:
    """``L`` in day-of-month: the month's last day."""
    return [length]


def _nearest_weekday(day: int | None) -> Callable[[int, int], list[int]]:
    """``15W``: the weekday nearest the 15th, never leaving the month; ``LW`` (None): the last weekday."""

    def days(first: int, length: int) -> list[int]:
        target = length if day is None else day
        if target > length:
            return []
        weekday = _weekday(first, target)
        if weekday == 7:  # Saturday: the Friday before, or the Monday after a Saturday the 1st
            target = target + 2 if target == 1 else target - 1
        elif weekday == 1:  # Sunday: the Monday after, or the Friday before a Sunday the last day
            target = target - 2 if target == length else target + 1
        return [target]

    return days


def _on_weekdays(weekdays: frozenset[int]) -> Callable[[int, int], list[int]]:
    """``MON-FRI``, ``1,7`` in day-of-week (``L`` alone is Saturday, the week's last day)."""
    return lambda first, length: [d for d in range(1, length + 1) if _weekday(first, d) in weekdays]


def _last_weekday(weekday: int) -> Callable[[int, int], list[int]]:
    """``5L``: the month's last Thursday."""
    return lambda first, length: [length - (_weekday(first, length) - weekday) % 7]


def _nth_weekday(weekday: int, n: int) -> Callable[[int, int], list[int]]:
    """``3#2``: the month's second Tuesday (none in a month without a fifth one, for ``#5``)."""

    def days(first: int, length: int) -> list[int]:
        day = 1 + (weekday - first) % 7 + 7 * (n - 1)
        return [day] if day <= length else []

    return days


class Cron:
    """``cron(minutes hours day-of-month month day-of-week year)`` in UTC; ``days`` is the rule of
    whichever of day-of-month and day-of-week is not ``?``."""

    __slots__ = ("minutes", "hours", "days", "months", "years", "fields")

    def __init__(self, minutes: tuple[int, ...], hours: tuple[int, ...], days: Callable[[int, int], list[int]],
                 months: tuple[int, ...], years: tuple[int, ...], fields: str) -> None:
        self.minutes, self.hours, self.months, self.years = minutes, hours, months, years  # each sorted
        self.days = days
        self.fields = fields  # as written (upper-cased)

    def __repr__(self) -> str:
        return f"<Cron {self.fields}>"

    def next_after(self, now: float, start: float = 0.0) -> float | None:
        """The first matching minute strictly after ``now`` (a POSIX time), or None when no year
        left matches; ``start`` is ignored (a cron does not depend on when the rule was created)."""
        from datetime import UTC, datetime

        moment = datetime.fromtimestamp(max(int(now // 60) + 1, 0) * 60, UTC)
        after = (moment.year, moment.month, moment.day, moment.hour, moment.minute)
        for year in self.years:
            if year < moment.year:
                continue
            for month in self.months:
                if (year, month) < after[:2]:
                    continue
                for day in self.days_in(year, month):
                    if (year, month, day) < after[:3]:
                        continue
                    for hour in self.hours:
                        for minute in self.minutes:
                            if (year, month, day, hour, minute) >= after:
                                return datetime(year, month, day, hour, minute, tzinfo=UTC).timestamp()
        return None

    def days_in(self, year: int, month: int) -> list[int]:
        """The days of that month the expression runs on, in order."""
        from datetime import date

        first = date(year, month, 1).isoweekday() % 7 + 1
        following = date(year + 1, 1, 1) if month == 12 else date(year, month + 1, 1)
        return self.days(first, (following - date(year, month, 1)).days)


def _cron(expression: str, inner: str) -> Cron:
    fields = inner.upper().split()
    if len(fields) != 6:
        raise _refuse(expression, "a cron has 6 fields (minutes hours day-of-month month day-of-week year), "
                                  f"e.g. {EXAMPLE}")
    minute, hour, dom, month, dow, year = fields
    for text, spec in ((minute, _MINUTES), (hour, _HOURS), (month, _MONTH), (year, _YEAR)):
        if "?" in text:
            raise _refuse(expression, "'?' is only for day-of-month or day-of-week, "
                                      f"write '*' in the {spec.name} field")
    minutes = _values(expression, minute, _MINUTES)
    hours = _values(expression, hour, _HOURS)
    days = None if dom == "?" else _day_rule(expression, dom)
    months = _values(expression, month, _MONTH)
    weekdays = None if dow == "?" else _weekday_rule(expression, dow)
    years = _values(expression, year, _YEAR)
    if days is None:
        if weekdays is None:
            raise _refuse(expression, "'?' goes in one of day-of-month and day-of-week, never both, so "
                                      f"write cron({minute} {hour} * {month} ? {year}) for every day")
        days = weekdays
    elif weekdays is not None:
        raise _refuse(expression, "day-of-month and day-of-week cannot both be given, write '?' in one of them, "
                                  f"e.g. cron({minute} {hour} {dom} {month} ? {year})")
    return Cron(minutes, hours, days, months, years, " ".join(fields))


def _day_rule(expression: str, text: str) -> Callable[[int, int], list[int]]:
    if "?" in text:
        raise _refuse(expression, f"'?' stands alone in day-of-month, write ? or days, not {text!r}")
    if text == "L":
        return _last_day
    if text == "LW":
        return _nearest_weekday(None)
    if text.endswith("W") and _digits(text[:-1]):
        return _nearest_weekday(_value(expression, text[:-1], _DAYS))
    if "L" in text or "W" in text:
        raise _refuse(expression, f"{text!r} mixes L or W with other days, write L, LW or one day with W (15W) alone")
    return _on_days(frozenset(_values(expression, text, _DAYS)))


def _weekday_rule(expression: str, text: str) -> Callable[[int, int], list[int]]:
    if "?" in text:
        raise _refuse(expression, f"'?' stands alone in day-of-week, write ? or weekdays, not {text!r}")
    if "#" in text:
        if "," in text:
            raise _refuse(expression, f"day-of-week takes a single expression with '#', such as 3#2, not {text!r}")
        weekday, _, nth = text.partition("#")
        if not _digits(nth) or not 1 <= int(nth) <= 5:
            raise _refuse(expression, f"{text!r} needs 1-5 after '#' (3#2 is the second Tuesday)")
        return _nth_weekday(_value(expression, weekday, _WEEKDAY), int(nth))
    if text == "L":
        return _on_weekdays(frozenset({7}))
    if text.endswith("L") and "," not in text and "-" not in text:
        return _last_weekday(_value(expression, text[:-1], _WEEKDAY))
    if "L" in text:  # no weekday name has an L
        raise _refuse(expression, f"{text!r} mixes L with other weekdays, write L or one weekday with L (5L, the last "
                                  "Thursday) alone")
    if "/" in text:
        raise _refuse(expression, f"'/' is not allowed in day-of-week, which takes {_WEEKDAY.wildcards} (list the days "
                                  "instead, e.g. MON,WED,FRI)")
    return _on_weekdays(frozenset(_values(expression, text, _WEEKDAY)))


def _values(expression: str, text: str, spec: _Field) -> tuple[int, ...]:
    """The values of a field made of ``,``-separated items: ``*``, ``n``, ``a-b``, each with ``/step``."""
    found: set[int] = set()
    for item in text.split(","):
        base, slash, step = item.partition("/")
        if slash and (not _digits(step) or int(step) < 1):
            raise _refuse(expression, f"the increment in {item!r} must be a whole number from 1, e.g. {base or '*'}/5")
        if base == "*":
            first, last = spec.low, spec.high
        elif "-" in base:
            low, _, high = base.partition("-")
            first, last = _value(expression, low, spec), _value(expression, high, spec)
            if first > last:
                raise _refuse(expression, f"the range {base!r} in the {spec.name} field runs backwards, "
                                          f"write {high}-{low}")
        else:
            first = _value(expression, base, spec)
            last = spec.high if slash else first
        found.update(range(first, last + 1, int(step) if slash else 1))
    return tuple(sorted(found))


def _value(expression: str, token: str, spec: _Field) -> int:
    if token in spec.names:
        return spec.names[token]
    if not _digits(token):
        letter = token[-1] if token[-1:] in ("L", "W") and (_digits(token[:-1]) or token[:-1] in ("", "L")) else None
        mark = next((c for c in token if not c.isalnum()), letter)
        if mark is not None:
            raise _refuse(expression, f"{mark!r} is not allowed in the {spec.name} field, which takes {spec.wildcards}")
        names = f" or a name ({min(spec.names, key=spec.names.__getitem__)}-" \
                f"{max(spec.names, key=spec.names.__getitem__)})" if spec.names else ""
        raise _refuse(expression, f"{token!r} in the {spec.name} field is not a number{names}")
    if not spec.low <= int(token) <= spec.high:
        raise _refuse(expression, f"{int(token)} is outside the {spec.name} field's {spec.low}-{spec.high}")
    return int(token)


def _digits(text: str) -> bool:
    return text.isascii() and text.isdigit()


# -- both --------------------------------------------------------------------------------------


def parse_schedule(expression: str) -> Rate | Cron:
    """A ``rate(...)`` or ``cron(...)`` expression, or ScheduleError in one sentence naming the fix."""
    if not isinstance(expression, str):
        raise _refuse(expression, "write a text such as rate(5 minutes) or " + EXAMPLE)
    text = expression.strip()
    if text.startswith("rate(") and text.endswith(")"):
        return _rate(expression, text[5:-1])
    if text.startswith("cron(") and text.endswith(")"):
        return _cron(expression, text[5:-1])
    raise _refuse(expression, f"write rate(5 minutes) or {EXAMPLE}")


def _refuse(expression: object, reason: str) -> ScheduleError:
    return ScheduleError(f"Bad schedule {expression!r}: {reason}.", expression=expression)
