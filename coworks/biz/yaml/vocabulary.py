"""The YAML format's words: the state kinds, the plain names of Retry, Catch and Choice fields,
and the snake_case fields each state type takes (the builder's own table)."""

from __future__ import annotations

import re
from typing import Any

#: The kind that starts a state item -> its ASL Type.
KINDS = {"task": "Task", "pass": "Pass", "choice": "Choice", "wait": "Wait", "succeed": "Succeed",
         "fail": "Fail", "parallel": "Parallel", "map": "Map"}
_TERMINAL = frozenset({"Choice", "Succeed", "Fail"})
_HANDLERS = frozenset({"Task", "Parallel", "Map"})
_RETRY = {"errors": "ErrorEquals", "interval": "IntervalSeconds", "attempts": "MaxAttempts",
          "backoff": "BackoffRate", "max_delay": "MaxDelaySeconds", "jitter": "JitterStrategy",
          "comment": "Comment"}
_CATCH = {"errors": "ErrorEquals", "then": "Next", "result_path": "ResultPath", "output": "Output",
          "assign": "Assign", "comment": "Comment"}
_RULE = {"then": "Next", "comment": "Comment", "assign": "Assign", "output": "Output"}
_TOP = {"comment": "Comment", "query_language": "QueryLanguage", "timeout_seconds": "TimeoutSeconds",
        "version": "Version"}
_BODY = {"comment": "Comment", "query_language": "QueryLanguage", "processor_config": "ProcessorConfig"}
ENTRY_CALL = re.compile(r"^(?P<service>[A-Za-z0-9_-]+)\.(?P<entry>[A-Za-z_]\w*)$")
_PLACEHOLDER = re.compile(r"{(\w+)}")
_INTRINSIC = re.compile(r"^States\.\w+\(")
_JSONATA_OUTPUT = "{% $states.result.Payload %}"


def _fields() -> dict[str, dict[str, str]]:
    """Per ASL type: the snake_case field names it takes -> their ASL names (the builder's table)."""
    from coworks.biz.branches import Map, Parallel
    from coworks.biz.choice import Choice
    from coworks.biz.states import ASL_NAMES, Fail, Pass, Succeed, Task, Wait

    return {cls.type: {name: ASL_NAMES[name] for name in sorted(cls.options)}
            for cls in (Task, Pass, Choice, Wait, Succeed, Fail, Parallel, Map)}


FIELDS = _fields()
_STRUCTURE = {"Task": ("name", "route", "with", "next", "end", "retry", "catch"),
              "Pass": ("next", "end"), "Wait": ("next", "end"), "Choice": ("choices", "otherwise"),
              "Succeed": (), "Fail": (), "Parallel": ("branches", "next", "end", "retry", "catch"),
              "Map": ("do", "iterator", "next", "end", "retry", "catch")}


def _ql(value: Any, inherited: str) -> str:
    """A state's query language: its own, else the one it inherits."""
    return value if isinstance(value, str) else inherited
