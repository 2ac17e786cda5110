"""API keys are metered as a usage plan meters them: a token bucket per key (``rate`` a second,
``burst`` deep) and a quota per period (a UTC day, a week from Sunday, a calendar month), on a clock
the test moves (https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-api-usage-plans.html)."""

from __future__ import annotations

from datetime import UTC, datetime

from coworks.cloud.local.restapi.config import KeyGrant
from coworks.cloud.local.restapi.usage import EXCEEDED, THROTTLED, UsageMeter, period_start


class Clock:
    def __init__(self, now: float) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


def at(text: str) -> float:
    return datetime.fromisoformat(text).replace(tzinfo=UTC).timestamp()


def test_periods_start_at_utc_midnight_sunday_and_the_first_of_the_month() -> None:
    now = at("2027-01-14T15:30:00")  # a Thursday
    assert period_start("DAY", now) == at("2027-01-14T00:00:00")
    assert period_start("WEEK", now) == at("2027-01-10T00:00:00")  # the Sunday before
    assert period_start("WEEK", at("2027-01-10T08:00:00")) == at("2027-01-10T00:00:00")  # a Sunday is its own
    assert period_start("MONTH", now) == at("2027-01-01T00:00:00")


def test_the_bucket_lets_a_burst_through_then_refills_at_the_rate() -> None:
    clock = Clock(at("2027-01-14T00:00:00"))
    meter, grant = UsageMeter(clock), KeyGrant("k1", "p1", rate=2.0, burst=3)
    assert [meter.admit(grant) for _ in range(4)] == [None, None, None, THROTTLED]
    clock.now += 0.5  # one token at 2 a second
    assert [meter.admit(grant) for _ in range(2)] == [None, THROTTLED]
    clock.now += 60  # never more than the burst
    assert [meter.admit(grant) for _ in range(4)] == [None, None, None, THROTTLED]


def test_the_quota_counts_admitted_requests_only_and_starts_again_each_period() -> None:
    clock = Clock(at("2027-01-14T23:59:00"))
    meter = UsageMeter(clock)
    grant = KeyGrant("k1", "p1", rate=1.0, burst=1, quota=2, period="DAY")
    assert [meter.admit(grant), meter.admit(grant)] == [None, THROTTLED]  # a throttled request is not counted
    clock.now += 1
    assert [meter.admit(grant), meter.admit(grant)] == [None, EXCEEDED]
    clock.now = at("2027-01-15T00:00:01")
    assert meter.admit(grant) is None


def test_each_key_and_plan_is_metered_apart() -> None:
    meter = UsageMeter(Clock(0.0))
    first, second = KeyGrant("k1", "p1", quota=1, period="MONTH"), KeyGrant("k2", "p1", quota=1, period="MONTH")
    assert [meter.admit(first), meter.admit(second), meter.admit(first)] == [None, None, EXCEEDED]
    assert meter.admit(KeyGrant("k1", "p2")) is None  # no limits: always admitted
