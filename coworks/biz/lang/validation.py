"""Checking an ASL definition, reporting every problem at once with the state's path.

Works on the ASL dict, so it covers built and loaded workflows alike. Each message is one
sentence saying what to change; the path (``States.Ship.Catch[0].Next``) says where.
"""

from __future__ import annotations

from typing import Any

from coworks.biz.errors import Problem
from coworks.biz.lang.fields import COMPARATORS, FIELDS, TIMESTAMP, TYPES
from coworks.biz.lang.jsonata import is_jsonata, jsonata_strings
from coworks.biz.lang.syntax import SyntaxChecks


def check(definition: Any) -> list[Problem]:
    """Every problem of an ASL definition, in document order."""
    checker = _Checker()
    checker.machine(definition, "", "top", "JSONPath")
    return checker.problems


class _Checker(SyntaxChecks):
    def __init__(self) -> None:
        self.problems: list[Problem] = []
        #: Where each state name was first defined: names are unique in the whole machine.
        self.names: dict[str, str] = {}

    def add(self, path: str, message: str) -> None:
        self.problems.append(Problem(path or "(definition)", message))

    # -- machines ---------------------------------------------------------------------------
    def machine(self, data: Any, prefix: str, kind: str, ql: str) -> None:
        where = prefix.rstrip(".")
        if not isinstance(data, dict):
            self.add(where, "must be an object with StartAt and States.")
            return
        allowed = {"StartAt", "States", "Comment", "QueryLanguage"}
        allowed |= {"Version", "TimeoutSeconds"} if kind == "top" else set()
        allowed |= {"ProcessorConfig"} if kind == "processor" else set()
        for key in data:
            if key not in allowed:
                self.add(f"{prefix}{key}", f"is not allowed here; remove it (allowed: {', '.join(sorted(allowed))}).")
        if "QueryLanguage" in data:
            ql = self.query_language(data["QueryLanguage"], f"{prefix}QueryLanguage", ql, kind == "top")
        if kind == "top" and "TimeoutSeconds" in data:
            self.positive_int(data["TimeoutSeconds"], f"{prefix}TimeoutSeconds")
        states = data.get("States")
        start = data.get("StartAt")
        if not isinstance(states, dict) or not states:
            self.add(f"{prefix}States", "is missing or empty; a state machine needs at least one state.")
            states = {}
        if not isinstance(start, str):
            self.add(f"{prefix}StartAt", "is missing; name the first state to run.")
        elif states and start not in states:
            self.add(f"{prefix}StartAt", f"names {start!r}, which is not a state here; use one of {_names(states)}.")
        for name, state in states.items():
            if name in self.names:
                self.add(
                    f"{prefix}States.{name}",
                    f"is also defined at {self.names[name]}; state names must be unique in the whole workflow.",
                )
            else:
                self.names[name] = f"{prefix}States.{name}"
            if len(name) > 80:
                self.add(f"{prefix}States.{name}", "has a name longer than 80 characters; shorten it.")
            self.state(name, state, f"{prefix}States.{name}", ql, states)
        self.reachability(start, states, prefix)
        terminal = [
            s
            for s in states.values()
            if isinstance(s, dict) and (s.get("End") is True or s.get("Type") in ("Succeed", "Fail"))
        ]
        if states and not terminal:
            self.add(f"{prefix}States", "has no terminal state; add End: true, a Succeed or a Fail so it can finish.")

    def reachability(self, start: Any, states: dict[str, Any], prefix: str) -> None:
        if not isinstance(start, str) or start not in states:
            return
        seen = {start}
        todo = [start]
        while todo:
            for target in _targets(states.get(todo.pop())):
                if target in states and target not in seen:
                    seen.add(target)
                    todo.append(target)
        for name in states:
            if name not in seen:
                self.add(f"{prefix}States.{name}", "is not reachable from StartAt; link it with Next or remove it.")

    def query_language(self, value: Any, path: str, outer: str, top: bool) -> str:
        if value not in ("JSONPath", "JSONata"):
            self.add(path, f"must be 'JSONPath' or 'JSONata', not {value!r}.")
            return outer
        if outer == "JSONata" and value == "JSONPath" and not top:
            self.add(path, "cannot be JSONPath inside a JSONata workflow; write this state in JSONata.")
        return str(value)

    # -- states -----------------------------------------------------------------------------
    def state(self, name: str, data: Any, path: str, ql: str, siblings: dict[str, Any]) -> None:
        if not isinstance(data, dict):
            self.add(path, "must be an object with a Type.")
            return
        kind = data.get("Type")
        if kind not in TYPES:
            self.add(f"{path}.Type", f"must be one of {', '.join(TYPES)}, not {kind!r}.")
            return
        if "QueryLanguage" in data:
            ql = self.query_language(data["QueryLanguage"], f"{path}.QueryLanguage", ql, False)
        allowed = FIELDS[kind][ql]
        for key in data:
            if key in allowed:
                continue
            if key in FIELDS[kind]["JSONata" if ql == "JSONPath" else "JSONPath"]:
                other = "JSONata" if ql == "JSONPath" else "JSONPath"
                self.add(
                    f"{path}.{key}", f"is a {other} field; this state uses {ql}, so remove it or change QueryLanguage."
                )
            else:
                self.add(f"{path}.{key}", f"is not allowed in a {kind} state; remove it.")
        if kind not in ("Choice", "Succeed", "Fail"):
            has_next, end = "Next" in data, data.get("End")
            if has_next and end:
                self.add(path, "has both Next and End; keep one.")
            elif not has_next and end is not True:
                self.add(path, "has neither Next nor End: true; say where it goes or that it ends.")
            if "End" in data and not isinstance(end, bool):
                self.add(f"{path}.End", "must be true or false.")
        if "Next" in data:
            self.target(data["Next"], f"{path}.Next", siblings)
        if ql == "JSONPath":
            self.jsonpath_fields(data, path, kind)
        else:
            self.jsonata_fields(data, path)
        getattr(self, f"state_{kind.lower()}")(data, path, ql, siblings)
        if kind in ("Task", "Parallel", "Map"):
            self.retries(data.get("Retry"), f"{path}.Retry")
            self.catches(data.get("Catch"), f"{path}.Catch", ql, siblings)
        if "Assign" in data:
            self.assign(data["Assign"], f"{path}.Assign", ql)

    def target(self, value: Any, path: str, siblings: dict[str, Any]) -> None:
        if not isinstance(value, str) or value not in siblings:
            self.add(path, f"names {value!r}, which is not a state here; use one of {_names(siblings)}.")

    def state_task(self, data: dict[str, Any], path: str, ql: str, siblings: dict[str, Any]) -> None:
        resource = data.get("Resource")
        if not isinstance(resource, str) or not resource:
            self.add(f"{path}.Resource", "is missing; give the ARN of what the Task calls.")
        elif not resource.startswith("arn:"):
            self.add(f"{path}.Resource", f"must be an ARN (arn:...), not {resource!r}.")
        for key in ("TimeoutSeconds", "HeartbeatSeconds"):
            if key in data and not is_jsonata(data[key]):
                self.positive_int(data[key], f"{path}.{key}")
            if key in data and f"{key}Path" in data:
                self.add(f"{path}.{key}Path", f"cannot be used with {key}; keep one.")
        timeout, heartbeat = data.get("TimeoutSeconds"), data.get("HeartbeatSeconds")
        if isinstance(timeout, int) and isinstance(heartbeat, int) and heartbeat >= timeout:
            self.add(f"{path}.HeartbeatSeconds", "must be smaller than TimeoutSeconds.")

    def state_pass(self, data: dict[str, Any], path: str, ql: str, siblings: dict[str, Any]) -> None:
        pass

    def state_succeed(self, data: dict[str, Any], path: str, ql: str, siblings: dict[str, Any]) -> None:
        pass

    def state_fail(self, data: dict[str, Any], path: str, ql: str, siblings: dict[str, Any]) -> None:
        for key in ("Error", "Cause"):
            if key in data and f"{key}Path" in data:
                self.add(f"{path}.{key}Path", f"cannot be used with {key}; keep one.")
            if key in data and not isinstance(data[key], str):
                self.add(f"{path}.{key}", "must be a string.")

    def state_wait(self, data: dict[str, Any], path: str, ql: str, siblings: dict[str, Any]) -> None:
        given = [k for k in ("Seconds", "SecondsPath", "Timestamp", "TimestampPath") if k in data]
        if len(given) != 1:
            self.add(path, "needs exactly one of Seconds, SecondsPath, Timestamp or TimestampPath.")
        if "Seconds" in data and not is_jsonata(data["Seconds"]):
            value = data["Seconds"]
            if not isinstance(value, int) or isinstance(value, bool) or value < 0:
                self.add(f"{path}.Seconds", "must be a non-negative whole number of seconds.")
        if "Timestamp" in data and not is_jsonata(data["Timestamp"]):
            if not isinstance(data["Timestamp"], str) or not TIMESTAMP.match(data["Timestamp"]):
                self.add(f"{path}.Timestamp", "must be an ISO 8601 timestamp such as 2024-01-31T12:00:00Z.")

    def state_choice(self, data: dict[str, Any], path: str, ql: str, siblings: dict[str, Any]) -> None:
        choices = data.get("Choices")
        if not isinstance(choices, list) or not choices:
            self.add(f"{path}.Choices", "is missing or empty; give at least one rule with a Next.")
            choices = []
        for i, rule in enumerate(choices):
            where = f"{path}.Choices[{i}]"
            self.rule(rule, where, ql, top=True)
            if isinstance(rule, dict):
                if "Next" not in rule:
                    self.add(where, "has no Next; say which state to go to when the rule holds.")
                else:
                    self.target(rule["Next"], f"{where}.Next", siblings)
        if "Default" in data:
            self.target(data["Default"], f"{path}.Default", siblings)

    def state_parallel(self, data: dict[str, Any], path: str, ql: str, siblings: dict[str, Any]) -> None:
        branches = data.get("Branches")
        if not isinstance(branches, list) or not branches:
            self.add(f"{path}.Branches", "is missing or empty; give at least one branch.")
            return
        for i, branch in enumerate(branches):
            self.machine(branch, f"{path}.Branches[{i}].", "branch", ql)

    def state_map(self, data: dict[str, Any], path: str, ql: str, siblings: dict[str, Any]) -> None:
        key = "ItemProcessor" if "ItemProcessor" in data else "Iterator"
        if key not in data:
            self.add(f"{path}.ItemProcessor", "is missing; give the states to run for each item.")
        else:
            self.machine(data[key], f"{path}.{key}.", "processor", ql)  # the legacy Iterator takes ProcessorConfig too
            config = data[key].get("ProcessorConfig", {}) if isinstance(data[key], dict) else {}
            if isinstance(config, dict) and config.get("Mode", "INLINE") not in ("INLINE", "DISTRIBUTED"):
                self.add(f"{path}.{key}.ProcessorConfig.Mode", "must be INLINE or DISTRIBUTED.")
        if "MaxConcurrency" in data and not is_jsonata(data["MaxConcurrency"]):
            value = data["MaxConcurrency"]
            if not isinstance(value, int) or isinstance(value, bool) or value < 0:
                self.add(f"{path}.MaxConcurrency", "must be a non-negative whole number (0 means no limit).")
        pct = data.get("ToleratedFailurePercentage")
        if pct is not None and not is_jsonata(pct) and (not isinstance(pct, int | float) or not 0 <= pct <= 100):
            self.add(f"{path}.ToleratedFailurePercentage", "must be a number between 0 and 100.")
        if "ItemsPath" in data:
            self.path_field(data["ItemsPath"], f"{path}.ItemsPath", reference=True)

    # -- rules, retries, catches ------------------------------------------------------------
    def rule(self, rule: Any, path: str, ql: str, top: bool) -> None:
        if not isinstance(rule, dict):
            self.add(path, "must be an object.")
            return
        extra = {"Next", "Comment", "Assign", "Output"} if top else {"Comment"}
        if ql == "JSONata":
            if isinstance(rule.get("Condition"), bool):
                pass  # a constant condition is valid on AWS ("Condition": true)
            elif not is_jsonata(rule.get("Condition")):
                self.add(f"{path}.Condition", "must be a {% JSONata %} expression (or true/false) in a JSONata Choice.")
            else:
                self.jsonata(rule["Condition"], f"{path}.Condition")
            for key in set(rule) - extra - {"Condition"}:
                self.add(f"{path}.{key}", "is not allowed in a JSONata rule; use Condition.")
            return
        if "Next" in rule and not top:
            self.add(f"{path}.Next", "is only allowed on top-level rules; remove it from nested rules.")
        for op in ("And", "Or"):
            if op in rule:
                parts = rule[op]
                if not isinstance(parts, list) or not parts:
                    self.add(f"{path}.{op}", "must be a non-empty list of rules.")
                else:
                    for i, part in enumerate(parts):
                        self.rule(part, f"{path}.{op}[{i}]", ql, top=False)
                return
        if "Not" in rule:
            self.rule(rule["Not"], f"{path}.Not", ql, top=False)
            return
        if "Condition" in rule:
            self.add(f"{path}.Condition", "is a JSONata field; use Variable and a comparator in JSONPath.")
            return
        if "Variable" not in rule:
            self.add(path, "needs a Variable and a comparator, or And/Or/Not.")
        else:
            self.path_field(rule["Variable"], f"{path}.Variable", reference=False)
        ops = [k for k in rule if k in COMPARATORS]
        for key in set(rule) - extra - {"Variable"} - COMPARATORS:
            self.add(f"{path}.{key}", "is not a Choice comparator; check its spelling.")
        if len(ops) != 1:
            self.add(path, f"needs exactly one comparator, found {len(ops)}.")
            return
        op, value = ops[0], rule[ops[0]]
        if op.endswith("Path"):
            self.path_field(value, f"{path}.{op}", reference=False)
        elif op.startswith("Is") or op == "BooleanEquals":
            if not isinstance(value, bool):
                self.add(f"{path}.{op}", "must be true or false.")
        elif op.startswith("Numeric"):
            if not isinstance(value, int | float) or isinstance(value, bool):
                self.add(f"{path}.{op}", "must be a number.")
        elif op.startswith("Timestamp"):
            if not isinstance(value, str) or not TIMESTAMP.match(value):
                self.add(f"{path}.{op}", "must be an ISO 8601 timestamp such as 2024-01-31T12:00:00Z.")
        elif not isinstance(value, str):
            self.add(f"{path}.{op}", "must be a string.")

    def retries(self, retries: Any, path: str) -> None:
        if retries is None:
            return
        if not isinstance(retries, list):
            self.add(path, "must be a list of retriers.")
            return
        for i, retrier in enumerate(retries):
            where = f"{path}[{i}]"
            if not isinstance(retrier, dict):
                self.add(where, "must be an object.")
                continue
            self.errors(retrier.get("ErrorEquals"), f"{where}.ErrorEquals", last=i == len(retries) - 1)
            allowed = {
                "ErrorEquals",
                "IntervalSeconds",
                "MaxAttempts",
                "BackoffRate",
                "MaxDelaySeconds",
                "JitterStrategy",
                "Comment",
            }
            for key in set(retrier) - allowed:
                self.add(f"{where}.{key}", "is not a Retry field; remove it.")
            if "IntervalSeconds" in retrier:
                self.positive_int(retrier["IntervalSeconds"], f"{where}.IntervalSeconds")
            if "MaxDelaySeconds" in retrier:
                self.positive_int(retrier["MaxDelaySeconds"], f"{where}.MaxDelaySeconds")
            attempts = retrier.get("MaxAttempts", 0)
            if not isinstance(attempts, int) or isinstance(attempts, bool) or attempts < 0:
                self.add(f"{where}.MaxAttempts", "must be a non-negative whole number.")
            rate = retrier.get("BackoffRate", 2.0)
            if not isinstance(rate, int | float) or isinstance(rate, bool) or rate < 1.0:
                self.add(f"{where}.BackoffRate", "must be a number of at least 1.0.")
            if retrier.get("JitterStrategy", "NONE") not in ("FULL", "NONE"):
                self.add(f"{where}.JitterStrategy", "must be FULL or NONE.")

    def catches(self, catches: Any, path: str, ql: str, siblings: dict[str, Any]) -> None:
        if catches is None:
            return
        if not isinstance(catches, list):
            self.add(path, "must be a list of catchers.")
            return
        for i, catcher in enumerate(catches):
            where = f"{path}[{i}]"
            if not isinstance(catcher, dict):
                self.add(where, "must be an object.")
                continue
            self.errors(catcher.get("ErrorEquals"), f"{where}.ErrorEquals", last=i == len(catches) - 1)
            if "Next" not in catcher:
                self.add(where, "has no Next; say which state handles the error.")
            else:
                self.target(catcher["Next"], f"{where}.Next", siblings)
            allowed = {"ErrorEquals", "Next", "Comment", "Assign"}
            allowed |= {"ResultPath"} if ql == "JSONPath" else {"Output"}
            for key in set(catcher) - allowed:
                self.add(f"{where}.{key}", f"is not allowed in a {ql} Catch; remove it.")
            if ql == "JSONPath" and catcher.get("ResultPath") is not None:
                self.path_field(catcher["ResultPath"], f"{where}.ResultPath", reference=True)
            if ql == "JSONata" and "Output" in catcher:
                for text in jsonata_strings(catcher["Output"]):
                    self.jsonata(text, f"{where}.Output")
            if "Assign" in catcher:
                self.assign(catcher["Assign"], f"{where}.Assign", ql)

    def errors(self, names: Any, path: str, last: bool) -> None:
        if not isinstance(names, list) or not names or not all(isinstance(n, str) for n in names):
            self.add(path, "must be a non-empty list of error names.")
        elif "States.ALL" in names and (len(names) > 1 or not last):
            self.add(path, "uses States.ALL, which must be alone and in the last rule.")

    # -- expressions ------------------------------------------------------------------------
    def positive_int(self, value: Any, path: str) -> None:
        if not isinstance(value, int) or isinstance(value, bool) or value <= 0:
            self.add(path, "must be a positive whole number.")


def _targets(state: Any) -> list[str]:
    if not isinstance(state, dict):
        return []
    out = [state.get("Next"), state.get("Default")]
    for key in ("Choices", "Catch"):
        entries = state.get(key)
        if isinstance(entries, list):
            out.extend(e.get("Next") for e in entries if isinstance(e, dict))
    return [t for t in out if isinstance(t, str)]


def _names(states: dict[str, Any]) -> str:
    names = list(states)
    shown = ", ".join(repr(n) for n in names[:8])
    return shown + (", ..." if len(names) > 8 else "") if names else "(none)"
