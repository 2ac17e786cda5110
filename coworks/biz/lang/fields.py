"""Which fields each ASL state type allows, in JSONPath and in JSONata, the Choice comparators and
the timestamp format (from the ASL spec).

Kept apart from the checks so validation and the executor share one table.
"""

from __future__ import annotations

import re

TYPES = ("Task", "Pass", "Choice", "Wait", "Parallel", "Map", "Succeed", "Fail")
_BASE = {"Type", "Comment", "QueryLanguage"}
_FLOW = {"Next", "End"}
_IO_PATHS = {"InputPath", "OutputPath"}
_RESULTS = {"ResultPath", "ResultSelector"}
_HANDLERS = {"Retry", "Catch"}
_TIMEOUTS = {"TimeoutSeconds", "HeartbeatSeconds"}
_MAP = {
    "ItemSelector",
    "ItemReader",
    "ItemBatcher",
    "ResultWriter",
    "MaxConcurrency",
    "ItemProcessor",
    "Iterator",
    "ToleratedFailurePercentage",
    "ToleratedFailureCount",
    "Label",
}

#: Fields allowed per state type, in JSONPath and in JSONata.
FIELDS: dict[str, dict[str, set[str]]] = {
    "Pass": {
        "JSONPath": _BASE | _FLOW | _IO_PATHS | {"Parameters", "Result", "ResultPath", "Assign"},
        "JSONata": _BASE | _FLOW | {"Output", "Assign"},
    },
    "Task": {
        "JSONPath": _BASE
        | _FLOW
        | _IO_PATHS
        | _RESULTS
        | _HANDLERS
        | _TIMEOUTS
        | {"Resource", "Parameters", "Credentials", "Assign", "TimeoutSecondsPath", "HeartbeatSecondsPath"},
        "JSONata": _BASE | _FLOW | _HANDLERS | _TIMEOUTS | {"Resource", "Arguments", "Output", "Assign", "Credentials"},
    },
    "Choice": {
        "JSONPath": _BASE | _IO_PATHS | {"Choices", "Default", "Assign"},
        "JSONata": _BASE | {"Choices", "Default", "Output", "Assign"},
    },
    "Wait": {
        "JSONPath": _BASE | _FLOW | _IO_PATHS | {"Seconds", "SecondsPath", "Timestamp", "TimestampPath", "Assign"},
        "JSONata": _BASE | _FLOW | {"Seconds", "Timestamp", "Output", "Assign"},
    },
    "Succeed": {"JSONPath": _BASE | _IO_PATHS, "JSONata": _BASE | {"Output"}},
    "Fail": {"JSONPath": _BASE | {"Error", "ErrorPath", "Cause", "CausePath"}, "JSONata": _BASE | {"Error", "Cause"}},
    "Parallel": {
        "JSONPath": _BASE | _FLOW | _IO_PATHS | _RESULTS | _HANDLERS | {"Branches", "Parameters", "Assign"},
        "JSONata": _BASE | _FLOW | _HANDLERS | {"Branches", "Arguments", "Output", "Assign"},
    },
    "Map": {
        "JSONPath": _BASE
        | _FLOW
        | _IO_PATHS
        | _RESULTS
        | _HANDLERS
        | _MAP
        | {
            "ItemsPath",
            "Parameters",
            "Assign",
            "MaxConcurrencyPath",
            "ToleratedFailurePercentagePath",
            "ToleratedFailureCountPath",
        },
        "JSONata": _BASE | _FLOW | _HANDLERS | _MAP | {"Items", "Output", "Assign"},
    },
}
COMPARATORS = {
    f"{k}{op}{p}"
    for k in ("String", "Numeric", "Timestamp")
    for op in ("Equals", "LessThan", "GreaterThan", "LessThanEquals", "GreaterThanEquals")
    for p in ("", "Path")
}
COMPARATORS |= {"BooleanEquals", "BooleanEqualsPath", "StringMatches"}
COMPARATORS |= {f"Is{k}" for k in ("Null", "Present", "Numeric", "String", "Boolean", "Timestamp")}

#: An ASL timestamp (RFC 3339, as Wait's Timestamp and the Timestamp comparators take it).
TIMESTAMP = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$")
