"""Retrying the technical services' transient errors, and telling why one failed, shared by the
business workflows.

A Task calling a Coworks service fails with ``HTTP<status>``: the Mail, Jinja and Odoo services
answer 502 when their server is down, 503 when it refuses for now, 504 when it is too slow. The
error's cause is what Lambda reports, ``{"errorMessage": <the answer's JSON body>, ...}``: the
``why`` Jinja macro reads the answer's message (and its first field error) out of it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from coworks.biz import State

#: Down, refusing for now, or too slow: worth another try later.
TRANSIENT = ["HTTP502", "HTTP503", "HTTP504"]
#: The transient errors after which nothing was done: a write or a mail that timed out (504) may
#: have been done, and is not retried blindly.
NOT_DONE = ["HTTP502", "HTTP503"]


@dataclass(frozen=True)
class Backoff:
    """Retry delays: ``interval`` seconds, times ``rate`` at each attempt, ``attempts`` retries,
    never more than ``max_delay`` seconds apart."""

    interval: int = 2
    rate: float = 2.0
    attempts: int = 3
    max_delay: int = 60

    def apply(self, state: State, errors: Sequence[str] = TRANSIENT) -> State:
        return state.retry(list(errors), interval=self.interval, backoff_rate=self.rate,
                           max_attempts=self.attempts, max_delay=self.max_delay)


#: ``{{ why(error_cause) }}`` in a template: the message of the service's answer, or the cause itself.
WHY = r"""
{%- macro why(cause) -%}
{%- set text = cause | string -%}
{%- set message = text.partition('\\"message\\":\\"')[2].partition('\\"')[0] -%}
{%- set errors = text.partition('\\"errors\\":[{')[2] -%}
{%- set field = errors.partition('\\"field\\":\\"')[2].partition('\\"')[0] -%}
{%- set detail = errors.partition('\\"message\\":\\"')[2].partition('\\"')[0] -%}
{%- if message -%}{{ message | truncate(300) }}{% if field and detail %} ({{ field }}: {{ detail }}){% endif %}
{%- else -%}{{ text | truncate(300) }}{%- endif -%}
{%- endmacro -%}
"""
