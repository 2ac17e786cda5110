"""The Python that builds a workflow with the builder: what the editor shows as "Python".

``python_source(definition, name, calls)`` writes one variable per state (a Task calling an entry
as ``Task(stock.get_item, item_id=Ref("$.id"))``), then the links (``a >> b``, ``.when(...)``,
``.retry(...)``, ``.catch(...)``), then ``Workflow(name, first)``. A definition the builder
cannot say that way (an unreachable state, a field it has no option for, a rule with no Python
operator) is written as ``Workflow.from_asl({...})``, which always builds the same ASL.
"""

from __future__ import annotations

import keyword
import pprint
import re
from typing import Any

from coworks.biz.yaml.conditions import text

_OPTIONS = {
    "Comment": "comment", "InputPath": "input_path", "OutputPath": "output_path", "Parameters": "parameters",
    "ResultSelector": "result_selector", "ResultPath": "result_path", "Result": "result",
    "TimeoutSeconds": "timeout_seconds", "HeartbeatSeconds": "heartbeat_seconds", "Seconds": "seconds",
    "SecondsPath": "seconds_path", "Timestamp": "timestamp", "TimestampPath": "timestamp_path", "Error": "error",
    "Cause": "cause", "ItemsPath": "items_path", "ItemSelector": "item_selector",
    "MaxConcurrency": "max_concurrency",
}
_RETRY = {"IntervalSeconds": "interval", "MaxAttempts": "max_attempts", "BackoffRate": "backoff_rate",
          "MaxDelaySeconds": "max_delay", "JitterStrategy": "jitter"}
_SYMBOLS = {"Equals": "==", "LessThan": "<", "GreaterThan": ">", "LessThanEquals": "<=", "GreaterThanEquals": ">="}


class _Unsaid(Exception):
    """The builder has no way to say this part: fall back to from_asl."""


def python_source(definition: dict[str, Any], name: str, calls: dict[str, Any] | None = None,
                  triggers: Any = ()) -> str:
    """Python building ``definition`` (``calls``: each Task's entry call, by state name)."""
    try:
        return _Writer(calls or {}).workflow(definition, name, list(triggers))
    except _Unsaid:
        trig = f", triggers={list(triggers)!r}" if triggers else ""
        return ("from coworks.biz import Workflow\n\n"
                f"wf = Workflow({name!r}, Workflow.from_asl({pprint.pformat(definition, sort_dicts=False)}).body"
                f"{trig})\n")


class _Writer:
    def __init__(self, calls: dict[str, Any]) -> None:
        self.calls = calls
        self.lines: list[str] = []
        self.links: list[list[str]] = []  # per body being written: its states' links
        self.vars: dict[str, str] = {}
        self.services: dict[str, str] = {}
        self.imports = {"Workflow"}

    def workflow(self, definition: dict[str, Any], name: str, triggers: list[Any]) -> str:
        extra = {k: v for k, v in definition.items() if k not in ("StartAt", "States")}
        options = {"Comment": "comment", "QueryLanguage": "query_language", "TimeoutSeconds": "timeout_seconds",
                   "Version": "version"}
        if set(extra) - set(options) or definition.get("QueryLanguage") == "JSONata":
            raise _Unsaid
        start = self.body(definition)
        args = [repr(name), start] + [f"{options[k]}={v!r}" for k, v in extra.items()]
        if triggers:
            args.append(f"triggers={triggers!r}")
        head = [f"from coworks.biz import {', '.join(sorted(self.imports))}", ""]
        if self.services:
            said = ", ".join(f"{v} is the service {k!r}" for k, v in self.services.items())
            head += [f"# The TechMicroServices the tasks call, from your project: {said}.", ""]
        return "\n".join(head + self.lines + ["", f"wf = Workflow({', '.join(args)})", ""])

    def body(self, body: dict[str, Any]) -> str:
        states = body.get("States")
        if not isinstance(states, dict) or not states or body.get("StartAt") not in states:
            raise _Unsaid
        for state_name in states:
            self.vars[state_name] = self.variable(state_name)
        self.links.append([])
        for state_name, state in states.items():
            self.state(state_name, state)
        links = self.links.pop()
        if links:  # linked before the body is used: a Map or Parallel collects its states when built
            self.lines += ["", *links, ""]
        self.reachable(body)
        return self.vars[body["StartAt"]]

    def reachable(self, body: dict[str, Any]) -> None:
        """The builder finds states by following links: an unreachable one would be lost."""
        states = body["States"]
        seen, todo = set(), [body["StartAt"]]
        while todo:
            current = todo.pop()
            if current in seen or current not in states:
                continue
            seen.add(current)
            state = states[current]
            todo += [state.get("Next"), state.get("Default")]
            todo += [r.get("Next") for r in state.get("Choices", []) if isinstance(r, dict)]
            todo += [c.get("Next") for c in state.get("Catch", []) if isinstance(c, dict)]
        if seen != set(states):
            raise _Unsaid

    def variable(self, state_name: str) -> str:
        base = re.sub(r"\W+", "_", state_name.lower()).strip("_") or "state"
        if base[0].isdigit() or keyword.iskeyword(base):
            base = "s_" + base
        taken = set(self.vars.values()) | {"wf", "Workflow", "Task", "Ref", "Var"}
        name, number = base, 2
        while name in taken:
            name, number = f"{base}_{number}", number + 1
        return name

    def state(self, state_name: str, state: dict[str, Any]) -> None:
        kind = state.get("Type")
        var = self.vars[state_name]
        used = {"Type", "Next", "End", "Retry", "Catch", "Choices", "Default", "Branches", "ItemProcessor"}
        if not isinstance(kind, str) or kind not in ("Task", "Pass", "Choice", "Wait", "Succeed", "Fail",
                                                     "Parallel", "Map"):
            raise _Unsaid
        self.imports.add(kind)
        args: list[str] = []
        call = self.calls.get(state_name) if kind == "Task" else None
        if call is not None and state.get("Resource") == "arn:aws:states:::lambda:invoke" and state.get(
                "Parameters") == call.fields(False)["Parameters"]:
            service = self.services.setdefault(call.service, re.sub(r"\W+", "_", call.service))
            args.append(f"{service}.{call.entry}")
            from coworks.biz.states import Task

            plain = {a: v for a, v in call.args.items() if a.isidentifier() and not keyword.iskeyword(a)
                     and a not in Task.options and a not in ("name", "next", "end", "args")}
            args += [f"{arg}={self.value(value)}" for arg, value in plain.items()]
            others = {a: v for a, v in call.args.items() if a not in plain}
            if others:  # a keyword the state takes too (name, output...): said as the entry's
                args.append("args={" + ", ".join(f"{a!r}: {self.value(v)}" for a, v in others.items()) + "}")
            if state_name != call.entry:
                args.append(f"name={state_name!r}")
            used |= {"Resource", "Parameters"}
            if state.get("ResultSelector") == {"body.$": "$.Payload"}:
                used.add("ResultSelector")
            elif "ResultSelector" not in state:
                raise _Unsaid
        else:
            args.append(repr(state_name))
            if kind == "Task":
                if not isinstance(state.get("Resource"), str):
                    raise _Unsaid
                args.append(repr(state["Resource"]))
                used.add("Resource")
        if kind == "Map":
            processor = state.get("ItemProcessor")
            if not isinstance(processor, dict) or set(processor) - {"StartAt", "States", "ProcessorConfig"}:
                raise _Unsaid
            config = processor.get("ProcessorConfig")
            args.insert(1, self.body(processor))
            if config not in (None, {"Mode": "INLINE"}):
                if not isinstance(config, dict) or set(config) - {"Mode", "ExecutionType"}:
                    raise _Unsaid
                args.append(f"mode={config.get('Mode')!r}")
                if "ExecutionType" in config:
                    args.append(f"execution_type={config['ExecutionType']!r}")
            elif config == {"Mode": "INLINE"}:
                raise _Unsaid
        if kind == "Parallel":
            branches = state.get("Branches")
            if not isinstance(branches, list) or any(set(b) - {"StartAt", "States"} for b in branches):
                raise _Unsaid
            args.insert(1, "[" + ", ".join(self.body(b) for b in branches) + "]")
        for key, value in state.items():
            if key in used:
                continue
            if key not in _OPTIONS:
                raise _Unsaid
            args.append(f"{_OPTIONS[key]}={value!r}")
        self.lines.append(f"{var} = {kind}({', '.join(args)})")
        if kind == "Choice":
            self.choice(var, state)
        for retry in state.get("Retry", []):
            self.retry(var, retry)
        for catch in state.get("Catch", []):
            self.catch(var, catch)
        if "Next" in state:
            if state.get("End") is not None or state["Next"] not in self.vars:
                raise _Unsaid
            self.links[-1].append(f"{var} >> {self.vars[state['Next']]}")
        elif kind not in ("Choice", "Succeed", "Fail") and state.get("End") is not True:
            raise _Unsaid

    def value(self, value: Any) -> str:
        if isinstance(value, str) and (value.startswith("$") or value.startswith("States.")):
            self.imports.add("Ref")
            return f"Ref({value!r})"
        if isinstance(value, dict):
            return "{" + ", ".join(f"{k!r}: {self.value(v)}" for k, v in value.items()) + "}"
        return repr(value)

    def choice(self, var: str, state: dict[str, Any]) -> None:
        rules = state.get("Choices")
        if not isinstance(rules, list):
            raise _Unsaid
        chained = var
        for rule in rules:
            target = rule.get("Next") if isinstance(rule, dict) else None
            if target not in self.vars or set(rule) - {"Next"} - _rule_keys(rule):
                raise _Unsaid
            chained += f".when({self.rule({k: v for k, v in rule.items() if k != 'Next'})}, {self.vars[target]})"
        if "Default" in state:
            if state["Default"] not in self.vars:
                raise _Unsaid
            chained += f".otherwise({self.vars[state['Default']]})"
        if chained != var:
            self.links[-1].append(chained)

    def rule(self, rule: dict[str, Any]) -> str:
        if text(rule) is None:
            raise _Unsaid
        if set(rule) == {"And"} or set(rule) == {"Or"}:
            joiner = " & " if "And" in rule else " | "
            return joiner.join(f"({self.rule(r)})" for r in rule["And" if "And" in rule else "Or"])
        if set(rule) == {"Not"}:
            return f"~({self.rule(rule['Not'])})"
        self.imports.add("Var")
        path = rule["Variable"]
        ((key, value),) = [(k, v) for k, v in rule.items() if k != "Variable"]
        if key.startswith("Is"):
            return f"Var({path!r}).is_{key[2:].lower()}({'' if value else 'False'})"
        if key == "StringMatches":
            return f"Var({path!r}).matches({value!r})"
        for kind in ("String", "Numeric", "Boolean", "Timestamp"):
            if key.startswith(kind):
                rest = key[len(kind):]
                if rest.endswith("Path"):
                    forced = "" if kind == "Numeric" else f", {kind.lower()!r}"
                    return f"Var({path!r}{forced}) {_SYMBOLS[rest[:-4]]} Var({value!r})"
                implied = {bool: "Boolean", str: "String"}.get(type(value), "Numeric")
                forced = "" if implied == kind else f", {kind.lower()!r}"
                return f"Var({path!r}{forced}) {_SYMBOLS[rest]} {value!r}"
        raise _Unsaid  # pragma: no cover - text() accepted only these

    def retry(self, var: str, retry: Any) -> None:
        if not isinstance(retry, dict) or set(retry) - {"ErrorEquals", *_RETRY} or "ErrorEquals" not in retry:
            raise _Unsaid
        args = [repr(retry.get("ErrorEquals"))] + [f"{_RETRY[k]}={v!r}" for k, v in retry.items() if k in _RETRY]
        self.links[-1].append(f"{var}.retry({', '.join(args)})")

    def catch(self, var: str, catch: Any) -> None:
        if not isinstance(catch, dict) or set(catch) - {"ErrorEquals", "Next", "ResultPath"} or catch.get(
                "Next") not in self.vars or "ErrorEquals" not in catch:
            raise _Unsaid
        args = [repr(catch.get("ErrorEquals")), self.vars[catch["Next"]]]
        if "ResultPath" in catch:
            args.append(f"result_path={catch['ResultPath']!r}")
        self.links[-1].append(f"{var}.catch({', '.join(args)})")


def _rule_keys(rule: dict[str, Any]) -> set[str]:
    return {k for k in rule if k != "Next"}
