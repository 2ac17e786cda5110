"""CloudWatch Logs, the same on every cloud: the ``reader`` behind ``cloud.logs(...)``, log
``records``, filter ``patterns`` (and how they ``match``) and the ``timespec`` of since/until."""

from .reader import LogRecords
from .records import LogRecord

__all__ = ["LogRecord", "LogRecords"]
